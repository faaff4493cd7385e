//! Mutual aid and crisis response: requests for help and what responders do about them, check-in
//! rounds, and legal defense cases (`docs/protocol.md`, "Mutual aid"). The bodies and their rules
//! are here; the fold every node runs on a request's updates is [`queue`].
//!
//! - A request ([`AidRequest`]) is written into the network (an `aid_request`, which every member
//!   reads) or into a circle: then it is an [`AidNote`], sealed to the circle's entry key with a
//!   copy to its author, so nobody outside the circle reads its text, whatever its urgency.
//! - What responders do (claim, progress, note, release, resolve, cancel, escalate, supplied,
//!   granted) is an [`AidUpdate`]: an `aid_update` beside a network request, or sealed in an
//!   [`AidNote`] to the request's circle with a copy to the requester.
//! - Every sealed note's plaintext is padded to [`AID_PLAIN_LEN`], so a request, an update and a
//!   check-in answer look alike to anyone without the circle's key.
//! - A check-in round ([`Checkin`]) is public: a team (a circle) asks everyone, or one circle,
//!   a question. Each answer ([`CheckinAnswer`], "ok" or "need help") is a note sealed to the
//!   team, so only the team sees who answered what, and who has not.
//! - A legal case ([`Case`], [`CaseUpdate`]) lives in the circle layer of a legal circle.

pub mod queue;

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN, MAX_NOTE_LEN};
use crate::resources::Urgency;
use crate::text::{check_optional, check_text};
use crate::{AuthorId, NetworkId, OpId, Reject};

/// What a request is about.
pub const CATEGORIES: &[&str] = &["medical", "food", "housing", "childcare", "transport", "legal", "safety", "other"];
/// What a request's author may let leave the network when it is escalated to another one.
pub const SHAREABLE: &[&str] = &["category", "urgency", "text", "where", "due"];
/// Longest request text, in bytes.
pub const MAX_AID_TEXT: usize = 1000;
/// Most circles and networks a request may be escalated to.
pub const MAX_TARGETS: usize = 8;
/// Size every sealed note's plaintext is padded to.
pub const AID_PLAIN_LEN: usize = 1536;
/// HPKE info of a note sealed to a circle.
pub const AID_NOTE_INFO: &[u8] = b"openstrike 2026-12 aid note v1";
/// HPKE info of a note's copy (to a request's author).
pub const AID_NOTE_COPY_INFO: &[u8] = b"openstrike 2026-12 aid note copy v1";
const MAX_SEALED: usize = 2048;
/// Kinds of legal case.
pub const CASE_KINDS: &[&str] = &["firing", "discipline", "arrest", "other"];
/// Longest time a check-in may be answered within, in minutes (two weeks).
pub const MAX_ANSWER_WITHIN: u32 = 14 * 24 * 60;
/// Domain of an escalation's link: what the other network sees of where a request came from.
const LINK_CONTEXT: &str = "openstrike 2026-12 aid escalation link v1";

fn invalid(message: impl Into<String>) -> Reject {
    Reject::InvalidBody(message.into())
}

/// A request for help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidRequest {
    /// One of [`CATEGORIES`].
    pub category: String,
    pub urgency: Urgency,
    /// What is needed (may be empty only on an escalated copy whose text was not shared).
    pub text: String,
    /// Where (an area, never an address unless the author wants it); may be empty.
    pub place: String,
    /// Needed by, in coarse minutes; 0 when unsaid.
    pub due: u32,
    /// Circles of this network it may be escalated to.
    pub circles: Vec<OpId>,
    /// Networks it may be escalated to (a hub network, a federation).
    pub networks: Vec<NetworkId>,
    /// The fields ([`SHAREABLE`]) an escalation to another network carries.
    pub share: Vec<String>,
    /// On an escalated copy: [`escalation_link`] of the request it came from (else empty).
    #[serde(with = "crate::bytes::bytes_vec")]
    pub link: Vec<u8>,
}

impl AidRequest {
    /// It was escalated here from another network.
    pub fn escalated(&self) -> bool {
        !self.link.is_empty()
    }
}

impl Fact for AidRequest {
    fn check(&self) -> Result<(), Reject> {
        if !CATEGORIES.contains(&self.category.as_str()) {
            return Err(invalid(format!("a category is one of {}", CATEGORIES.join(", "))));
        }
        if self.escalated() {
            check_optional("a request's text", &self.text, MAX_AID_TEXT)?;
        } else {
            check_text("a request's text", &self.text, MAX_AID_TEXT)?;
        }
        check_optional("a place", &self.place, MAX_FIELD_LEN)?;
        if self.circles.len() + self.networks.len() > MAX_TARGETS {
            return Err(invalid(format!("a request may be escalated to at most {MAX_TARGETS} circles and networks")));
        }
        let distinct = |n: usize, set: usize| n == set;
        if !distinct(self.circles.len(), self.circles.iter().collect::<std::collections::BTreeSet<_>>().len())
            || !distinct(self.networks.len(), self.networks.iter().collect::<std::collections::BTreeSet<_>>().len())
        {
            return Err(invalid("escalation targets are distinct"));
        }
        for (i, field) in self.share.iter().enumerate() {
            if !SHAREABLE.contains(&field.as_str()) || self.share[..i].contains(field) {
                return Err(invalid(format!("shared fields are distinct, from {}", SHAREABLE.join(", "))));
            }
        }
        if !self.link.is_empty() && self.link.len() != 32 {
            return Err(invalid("a link is 32 bytes"));
        }
        Ok(())
    }
}

/// The link an escalated copy carries: a keyed hash of the request's id under the source
/// network's salt. Its author's team can match it; the other network cannot tell which request,
/// or which network, it came from.
pub fn escalation_link(salt: &[u8; 16], request: &OpId) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new_derive_key(LINK_CONTEXT);
    hasher.update(salt);
    hasher.update(&request.0);
    *hasher.finalize().as_bytes()
}

/// What a responder (or the requester) does about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// "I have it": the earliest claim counts (see [`queue`]).
    Claim,
    /// The holder is working on it.
    Progress,
    /// A note in its history.
    Note,
    /// The holder gives it back to the queue.
    Release,
    Resolve,
    /// The requester (or an organizer) withdraws it.
    Cancel,
    /// Passed to a circle or network the requester allowed: `target` names it.
    Escalate,
    /// Fulfilled from a hub's stock: `target` is the resource request in the hub network.
    Supplied,
    /// A hardship grant asked of the fund: `target` is the claim.
    Granted,
}

impl Action {
    pub const ALL: &[Action] = &[
        Action::Claim,
        Action::Progress,
        Action::Note,
        Action::Release,
        Action::Resolve,
        Action::Cancel,
        Action::Escalate,
        Action::Supplied,
        Action::Granted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Claim => "claim",
            Action::Progress => "progress",
            Action::Note => "note",
            Action::Release => "release",
            Action::Resolve => "resolve",
            Action::Cancel => "cancel",
            Action::Escalate => "escalate",
            Action::Supplied => "supplied",
            Action::Granted => "granted",
        }
    }

    fn needs_target(self) -> bool {
        matches!(self, Action::Escalate | Action::Supplied | Action::Granted)
    }
}

/// One step on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidUpdate {
    pub request: OpId,
    pub action: Action,
    pub note: String,
    /// For escalate, supplied and granted: the circle, network, hub request or claim (32 bytes);
    /// empty otherwise.
    #[serde(with = "crate::bytes::bytes_vec")]
    pub target: Vec<u8>,
}

impl AidUpdate {
    pub fn target(&self) -> Option<[u8; 32]> {
        self.target.as_slice().try_into().ok()
    }
}

impl Fact for AidUpdate {
    fn check(&self) -> Result<(), Reject> {
        check_optional("a note", &self.note, MAX_NOTE_LEN)?;
        match (self.action.needs_target(), self.target.len()) {
            (true, 32) | (false, 0) => Ok(()),
            (true, _) => Err(invalid(format!("{} names what it went to (32 bytes)", self.action.as_str()))),
            (false, _) => Err(invalid(format!("{} names nothing else", self.action.as_str()))),
        }
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.request.0)
    }
}

/// Response time targets per urgency, in minutes: a claim with nothing from its holder for
/// longer goes back to the queue. An organizer's latest stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidTargets {
    pub critical: u32,
    pub high: u32,
    pub normal: u32,
}

impl Default for AidTargets {
    fn default() -> Self {
        AidTargets { critical: 60, high: 12 * 60, normal: 3 * 24 * 60 }
    }
}

impl AidTargets {
    pub fn minutes(&self, urgency: Urgency) -> u32 {
        match urgency {
            Urgency::Critical => self.critical,
            Urgency::High => self.high,
            Urgency::Normal => self.normal,
        }
    }
}

impl Fact for AidTargets {
    fn check(&self) -> Result<(), Reject> {
        let ok = |m: u32| (5..=30 * 24 * 60).contains(&m);
        if !ok(self.critical) || !ok(self.high) || !ok(self.normal) {
            return Err(invalid("a response target is 5 minutes to 30 days"));
        }
        Ok(())
    }
}

/// A check-in round: a team asks the network (or one circle) a question, to be answered within
/// `within` minutes. Answers are sealed to the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkin {
    /// The team's circle: it reads the answers.
    pub team: OpId,
    /// Who is asked: a circle's members, or everyone (`None`).
    pub asked: Option<OpId>,
    pub question: String,
    pub within: u32,
}

impl Fact for Checkin {
    fn check(&self) -> Result<(), Reject> {
        check_text("a question", &self.question, MAX_FIELD_LEN * 2)?;
        if self.within == 0 || self.within > MAX_ANSWER_WITHIN {
            return Err(invalid("a round is answered within a minute to two weeks"));
        }
        Ok(())
    }
}

/// A member's answer to a round, inside a note sealed to the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinAnswer {
    pub round: OpId,
    pub need_help: bool,
    pub note: String,
}

/// What an [`AidNote`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AidSealed {
    #[serde(rename = "request")]
    Request(AidRequest),
    #[serde(rename = "update")]
    Update(AidUpdate),
    #[serde(rename = "answer")]
    Answer(CheckinAnswer),
}

impl AidSealed {
    pub fn check(&self) -> Result<(), Reject> {
        match self {
            AidSealed::Request(r) => r.check(),
            AidSealed::Update(u) => u.check(),
            AidSealed::Answer(a) => check_optional("a note", &a.note, MAX_FIELD_LEN * 4),
        }
    }

    /// Canonical CBOR padded with zeros to [`AID_PLAIN_LEN`].
    pub fn padded(&self) -> Result<Vec<u8>, Reject> {
        self.check()?;
        crate::circles::pad(self, AID_PLAIN_LEN)
    }

    /// Reads a padded plaintext, insisting on its one form.
    pub fn unpad(plain: &[u8]) -> Option<AidSealed> {
        let sealed: AidSealed = crate::circles::unpad(plain, AID_PLAIN_LEN)?;
        sealed.check().ok().map(|()| sealed)
    }
}

/// A request, update or check-in answer sealed to the entry key of one epoch of a circle, with
/// a copy to one member (the request's author).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidNote {
    pub circle: OpId,
    pub epoch: u32,
    #[serde(with = "crate::bytes::bytes_vec")]
    pub sealed: Vec<u8>,
    #[serde(with = "crate::bytes::bytes_vec")]
    pub copy: Vec<u8>,
}

impl Fact for AidNote {
    fn check(&self) -> Result<(), Reject> {
        if self.sealed.len() > MAX_SEALED || self.copy.len() > MAX_SEALED {
            return Err(invalid(format!("an aid note is at most {MAX_SEALED} bytes")));
        }
        Ok(())
    }
}

impl AidNote {
    /// Seals `what` to the circle's entry key of `epoch`, and a copy to `reader`.
    #[allow(clippy::too_many_arguments)]
    pub fn seal<R: rand_core::CryptoRng>(
        network: &NetworkId,
        circle: &OpId,
        epoch: u32,
        entry_key: &[u8; 32],
        reader: &strike_crypto::AgreementPublic,
        what: &AidSealed,
        rng: &mut R,
    ) -> Result<AidNote, Reject> {
        let (sealed, copy) = crate::circles::seal_with_copy(
            network,
            circle,
            epoch,
            entry_key,
            reader,
            (AID_NOTE_INFO, AID_NOTE_COPY_INFO),
            &what.padded()?,
            rng,
        )?;
        Ok(AidNote { circle: *circle, epoch, sealed, copy })
    }

    /// Opens it with the circle's key of its epoch.
    pub fn open(&self, network: &NetworkId, key: &[u8; 32]) -> Option<AidSealed> {
        let plain = crate::circles::open_entry(network, &self.circle, self.epoch, key, AID_NOTE_INFO, &self.sealed)?;
        AidSealed::unpad(&plain)
    }

    /// Opens the copy with the reader's agreement secret.
    pub fn open_copy(&self, network: &NetworkId, mine: &strike_crypto::AgreementSecret) -> Option<AidSealed> {
        let plain = crate::circles::open_copy(network, &self.circle, self.epoch, mine, AID_NOTE_COPY_INFO, &self.copy)?;
        AidSealed::unpad(&plain)
    }
}

/// A legal defense case, in the legal circle's layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub circle: OpId,
    /// One of [`CASE_KINDS`].
    pub kind: String,
    pub text: String,
    /// A filing or hearing deadline, in coarse minutes; 0 when none.
    pub deadline: u32,
}

impl Fact for Case {
    fn check(&self) -> Result<(), Reject> {
        if !CASE_KINDS.contains(&self.kind.as_str()) {
            return Err(invalid(format!("a case is one of {}", CASE_KINDS.join(", "))));
        }
        check_text("a case's text", &self.text, MAX_AID_TEXT)
    }
}

/// A step on a case: a note, who takes it on, a new deadline, or closing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseUpdate {
    pub circle: OpId,
    pub case: OpId,
    /// `note`, `assign`, `deadline` or `close`.
    pub action: String,
    pub note: String,
    /// For `assign`: who takes the case on.
    pub assignee: Option<AuthorId>,
    /// For `deadline`: the new deadline (coarse minutes).
    pub deadline: u32,
}

/// What a case update may do.
pub const CASE_ACTIONS: &[&str] = &["note", "assign", "deadline", "close"];

impl Fact for CaseUpdate {
    fn check(&self) -> Result<(), Reject> {
        if !CASE_ACTIONS.contains(&self.action.as_str()) {
            return Err(invalid(format!("a case update is one of {}", CASE_ACTIONS.join(", "))));
        }
        if (self.action == "assign") != self.assignee.is_some() {
            return Err(invalid("an assignment names who, and only an assignment does"));
        }
        if (self.action == "deadline") != (self.deadline != 0) {
            return Err(invalid("a new deadline gives a time, and only a new deadline does"));
        }
        check_optional("a note", &self.note, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.case.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> AidRequest {
        AidRequest {
            category: "medical".into(),
            urgency: Urgency::Critical,
            text: "Insulin runs out Thursday".into(),
            place: "Riverside".into(),
            due: 0,
            circles: vec![],
            networks: vec![NetworkId([7; 32])],
            share: vec!["category".into(), "urgency".into()],
            link: vec![],
        }
    }

    #[test]
    fn bad_requests_and_updates_are_refused() {
        assert!(request().check().is_ok());
        let bad = |f: fn(&mut AidRequest)| {
            let mut r = request();
            f(&mut r);
            r.check().unwrap_err().to_string()
        };
        assert!(bad(|r| r.category = "weapons".into()).contains("category is one of"));
        assert!(bad(|r| r.text = "x".repeat(MAX_AID_TEXT + 1)).contains("text"));
        assert!(bad(|r| r.text = " ".into()).contains("text"));
        assert!(bad(|r| r.share.push("name".into())).contains("shared fields"));
        assert!(bad(|r| r.share.push("urgency".into())).contains("shared fields"));
        assert!(bad(|r| r.networks.push(NetworkId([7; 32]))).contains("distinct"));
        let mut copy = request();
        (copy.text, copy.link) = (String::new(), vec![1; 32]);
        assert!(copy.check().is_ok(), "an escalated copy may leave its text behind");
        let update =
            |action, target: Vec<u8>| AidUpdate { request: OpId([1; 32]), action, note: String::new(), target };
        assert!(update(Action::Claim, vec![]).check().is_ok());
        assert!(update(Action::Escalate, vec![]).check().is_err());
        assert!(update(Action::Claim, vec![2; 32]).check().is_err());
        assert!(update(Action::Supplied, vec![2; 32]).check().is_ok());
    }

    #[test]
    fn every_sealed_note_is_one_size_and_has_one_form() {
        let long = AidSealed::Request(AidRequest { text: "x".repeat(MAX_AID_TEXT), ..request() });
        let short = AidSealed::Answer(CheckinAnswer { round: OpId([3; 32]), need_help: false, note: String::new() });
        let (a, b) = (long.padded().unwrap(), short.padded().unwrap());
        assert_eq!((a.len(), b.len()), (AID_PLAIN_LEN, AID_PLAIN_LEN));
        assert_eq!(AidSealed::unpad(&a), Some(long));
        let mut trailing = b.clone();
        trailing[AID_PLAIN_LEN - 1] = 1;
        assert_eq!(AidSealed::unpad(&trailing), None);
    }

    #[test]
    fn the_link_depends_on_the_salt_and_the_request() {
        let link = escalation_link(&[1; 16], &OpId([2; 32]));
        assert_ne!(link, escalation_link(&[3; 16], &OpId([2; 32])));
        assert_ne!(link, escalation_link(&[1; 16], &OpId([4; 32])));
        assert_ne!(&link[..], &OpId([2; 32]).0[..]);
        // The vector in docs/protocol.md ("Mutual aid").
        assert_eq!(hex::encode(link), LINK_VECTOR);
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
        assert!(doc.contains(LINK_VECTOR) && doc.contains(LINK_CONTEXT));
    }

    const LINK_VECTOR: &str = "7a735eb93b8e89894cb2240b2cba8d787aa023cf65177998ee5478e1f14108ed";
}
