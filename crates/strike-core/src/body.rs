//! Operation bodies: the domain events, encrypted inside envelopes, and the one list that
//! registers every kind of body with its area's type, its tag, who may write it and its layer.
//!
//! Bodies are CBOR (RFC 8949) maps in the exact form this module writes: definite lengths,
//! shortest integers, text keys in declaration order, an internal `"type"` tag first. A body
//! that decodes but does not re-encode to the same bytes is refused, so every body has one
//! encoding (see `docs/protocol.md`, "Bodies"). Each area keeps its bodies and their rules in
//! its own module; here they are only registered.

use serde::{Deserialize, Serialize};

use crate::Reject;

pub use crate::aid::{AidNote, AidRequest, AidTargets, AidUpdate, Case, CaseUpdate, Checkin};
pub use crate::announcements::Announcement;
pub use crate::calls::{Call, CallKind, Checkpoint, Dimension, Merge, Pledge, Rule, Wave};
pub use crate::campaign::{Campaign, Gate, Phase};
pub use crate::circles::{Circle, CircleKey, CircleLead, CircleMember, CirclePost, Share};
pub use crate::contacts::{Assessment, Contact, ContactName, ContactNote, ContactPlace, ContactRetract};
pub use crate::cover::{Cover, CoverClose, CoverKind};
pub use crate::directory::{Profile, Skill};
pub use crate::events::{Event, EventCancel, Rsvp, ShiftSignup};
pub use crate::fund::{Fund, FundApproval, FundDetail, FundEntry, FundNote, FundRule};
pub use crate::guides::{Credit, Guide, GuideRev, GuideReview};
pub use crate::networks::{
    Genesis, History, HistoryMode, Invite, JoinRequest, KeyShare, KeyUpdate, MemberShare, NetworkKind, Rejoin, Removal,
    RoleChange, SealedKey, Vouch,
};
pub use crate::resources::{
    Commitment, Handover, IntentClose, PlaceDistance, ResourceMinimum, ResourceOffer, ResourceRequest, ResourceSpec,
    SealedRequest, StockEvent,
};
pub use crate::secret::{CredentialIssue, CredentialKey, CredentialRequest, SecretBallot, SecretPledge};
pub use crate::votes::{Ballot, CallOutcome, Concession, Proposal, ProposalClose, Reply, Thread, ThreadLock};

/// Longest short field (pseudonym, department, skill ...), in bytes.
pub const MAX_FIELD_LEN: usize = 80;
/// Longest note, in bytes.
pub const MAX_NOTE_LEN: usize = 2000;
/// CBOR nesting a body may use: bodies are flat records, so a small limit stops
/// stack-exhaustion attempts early.
const CBOR_RECURSION_LIMIT: usize = 16;

/// What every body type does besides its encoding: its own rules, and what the store indexes
/// its fact by.
pub trait Fact {
    /// Rules on the body alone, independent of any state.
    fn check(&self) -> Result<(), Reject> {
        Ok(())
    }

    /// The subject the fact is about and a number it carries, for the store's index.
    fn index(&self) -> FactIndex {
        FactIndex::default()
    }
}

/// What a fact is about (a member, a contact, a call, an invite ...) and a number it carries
/// (a deadline, a level, an epoch), as the store indexes them (`v_facts.ref`, `v_facts.n`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactIndex {
    pub subject: Option<Vec<u8>>,
    pub number: Option<i64>,
}

impl FactIndex {
    /// About one id, with no number.
    pub fn about(id: &[u8; 32]) -> FactIndex {
        FactIndex { subject: Some(id.to_vec()), number: None }
    }
}

/// Who may write a kind of body: a fact counts only when its author's standing covers it and
/// (for organizers' kinds) they are an organizer. Enforced where facts are read
/// (`Store::facts`), so a late removal or demotion retracts them everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// Any counted member (for first ops, the joiner once admitted).
    Member,
    /// A counted organizer.
    Organizer,
}

/// Which keys a body is sealed under in a network that keeps new members out of its past
/// (`docs/protocol.md`, "History for new members"). What every node needs to evaluate
/// membership, calls and the trigger the same way is roster; what is only read is history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Under the network's epoch keys, which every member receives from the start.
    Roster,
    /// Under history keys, which a member receives only from their admission on (when the
    /// network says so; otherwise under the network's epoch keys like the rest).
    History,
    /// Under the keys of one circle ([`Body::circle`] says which), which only its members
    /// hold (`docs/protocol.md`, "Circles"). Neither hash of the network covers it; each
    /// circle has its own.
    Circle,
}

/// Registers every kind of body: `Variant(Type) = "tag", Writer, Layer;`. Generates [`Body`],
/// [`Kind`] and their dispatch to each type's [`Fact`] rules.
macro_rules! bodies {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) = $tag:literal, $writer:ident, $layer:ident; )*) => {
        /// A domain event. New kinds of event are new variants; old ones never change shape.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type")]
        pub enum Body {
            $( $(#[$doc])* #[serde(rename = $tag)] $variant($ty), )*
        }

        /// The kind of a body: its `type` tag, typed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $( $(#[$doc])* $variant, )*
        }

        impl Kind {
            /// Every kind, in registration order.
            pub const ALL: &[Kind] = &[$(Kind::$variant),*];

            /// The tag, as written in the encoding and stored in the views.
            pub fn as_str(self) -> &'static str {
                match self { $(Kind::$variant => $tag,)* }
            }

            /// Who may write it.
            pub fn writer(self) -> Writer {
                match self { $(Kind::$variant => Writer::$writer,)* }
            }

            /// Which layer it belongs to.
            pub fn layer(self) -> Layer {
                match self { $(Kind::$variant => Layer::$layer,)* }
            }
        }

        impl Body {
            /// The event's kind.
            pub fn kind(&self) -> Kind {
                match self { $(Body::$variant(_) => Kind::$variant,)* }
            }

            /// Rules on the body alone, independent of any state.
            pub fn check(&self) -> Result<(), Reject> {
                match self { $(Body::$variant(b) => Fact::check(b),)* }
            }

            /// What the store indexes the fact by.
            pub fn index(&self) -> FactIndex {
                match self { $(Body::$variant(b) => Fact::index(b),)* }
            }
        }
    };
}

bodies! {
    /// The first op of a network: creates it and makes its author the founding organizer.
    Genesis(Genesis) = "genesis", Organizer, Roster;
    /// A signed announcement to the network.
    Announcement(Announcement) = "announcement", Organizer, History;
    /// An organizer opens an invite; the secret travels in the link, and here to the members.
    Invite(Invite) = "invite", Organizer, Roster;
    /// A joiner's first op, sealed under the invite's join key (see `docs/protocol.md`, "Joining").
    JoinRequest(JoinRequest) = "join_request", Member, Roster;
    /// A member vouches for a joiner.
    Vouch(Vouch) = "vouch", Member, Roster;
    /// Epoch keys sealed (HPKE) to one admitted member, under their invite's join key.
    KeyShare(KeyShare) = "key_share", Member, Roster;
    /// An organizer makes a member an organizer.
    RoleChange(RoleChange) = "role_change", Organizer, Roster;
    /// An organizer removes a member (or turns down a joiner).
    Removal(Removal) = "removal", Organizer, Roster;
    /// A new epoch key sealed (HPKE) to each remaining member.
    KeyUpdate(KeyUpdate) = "key_update", Organizer, Roster;
    /// The author's profile in this network (replaces the previous one).
    Profile(Profile) = "profile", Member, Roster;
    /// The author has (or no longer has) a skill or asset.
    Skill(Skill) = "skill", Member, History;
    /// The author offers cover.
    CoverOffer(Cover) = "cover_offer", Member, History;
    /// The author needs cover.
    CoverNeed(Cover) = "cover_need", Member, History;
    /// The author closes one of their cover offers or needs.
    CoverClose(CoverClose) = "cover_close", Member, History;
    /// An organizer records a co-worker who is not a member.
    Contact(Contact) = "contact", Organizer, Roster;
    /// An organizer's note of a one-on-one with a contact, in the organizers' circle.
    ContactNote(ContactNote) = "contact_note", Organizer, Circle;
    /// An organizer's 1-5 support assessment of a contact, in the organizers' circle.
    Assessment(Assessment) = "assessment", Organizer, Circle;
    /// An organizer opens a strike call.
    Call(Call) = "call", Organizer, Roster;
    /// A member pledges to a call (`pledged: true`) or withdraws (`false`).
    Pledge(Pledge) = "pledge", Member, Roster;
    /// An organizer closes a call's count at its deadline, naming what they had seen.
    Checkpoint(Checkpoint) = "checkpoint", Organizer, Roster;
    /// Names heads of the log (in its dependencies), so that a later close reaches them all.
    Merge(Merge) = "merge", Member, Roster;
    /// An organizer sets out a campaign countdown.
    Campaign(Campaign) = "campaign", Organizer, Roster;
    /// A member goes on under a new author key after their old one forked (a restored or
    /// cloned device): the new key's first op, vouched in by an organizer.
    Rejoin(Rejoin) = "rejoin", Member, Roster;
    /// An organizer sets what new members may read of what was written before they came.
    History(History) = "history", Organizer, Roster;
    /// A new history key (for the history layer of a network that keeps new members out of
    /// its past) sealed (HPKE) to each current member.
    HistoryKey(KeyUpdate) = "history_key", Organizer, Roster;
    /// An organizer sets out an event: a meeting, a picket with shifts, a training ...
    Event(Event) = "event", Organizer, Roster;
    /// A member answers an event: going, maybe or no.
    Rsvp(Rsvp) = "rsvp", Member, Roster;
    /// A member signs up for a shift of an event, or leaves it.
    ShiftSignup(ShiftSignup) = "shift_signup", Member, Roster;
    /// An organizer calls an event off.
    EventCancel(EventCancel) = "event_cancel", Organizer, Roster;
    /// Where a contact works, without their name: what calls count.
    ContactPlace(ContactPlace) = "contact_place", Organizer, Roster;
    /// A contact's name, in the organizers' circle.
    ContactName(ContactName) = "contact_name", Organizer, Circle;
    /// An organizer takes a contact off the map (an old one re-issued into the circle).
    ContactRetract(ContactRetract) = "contact_retract", Organizer, Roster;
    /// An organizer opens a circle, and leads it.
    Circle(Circle) = "circle", Organizer, Roster;
    /// A circle's key for one epoch, sealed to each of its members.
    CircleKey(CircleKey) = "circle_key", Member, Roster;
    /// Someone joins or leaves a custom circle (sealed to the circle).
    CircleMember(CircleMember) = "circle_member", Member, Roster;
    /// An organizer appoints a circle's lead, or ends the appointment.
    CircleLead(CircleLead) = "circle_lead", Organizer, Roster;
    /// A post inside a circle.
    CirclePost(CirclePost) = "circle_post", Member, Circle;
    /// A new guide in the knowledge base: its first revision (a member's is a draft).
    Guide(Guide) = "guide", Member, Roster;
    /// A later revision of a guide (a member's is a suggestion until an editor accepts it).
    GuideRev(GuideRev) = "guide_rev", Member, Roster;
    /// An editor accepts or turns down a suggested revision.
    GuideReview(GuideReview) = "guide_review", Member, Roster;
    /// A keeper describes a kind of resource: its name, unit, category and how it keeps.
    ResourceSpec(ResourceSpec) = "resource_spec", Organizer, Roster;
    /// A keeper sets the reserve of a specification, kept for critical requests.
    ResourceMinimum(ResourceMinimum) = "resource_minimum", Organizer, Roster;
    /// A keeper records stock received, transferred, moved, consumed, raised or lowered.
    StockEvent(StockEvent) = "stock_event", Organizer, Roster;
    /// A member offers a donation to the hub.
    ResourceOffer(ResourceOffer) = "resource_offer", Member, Roster;
    /// A member asks for supplies.
    ResourceRequest(ResourceRequest) = "resource_request", Member, Roster;
    /// A member asks for supplies that only a circle (the keepers') may read: a request
    /// sealed to the circle's entry key, and a copy to its author.
    SealedRequest(SealedRequest) = "sealed_request", Member, Roster;
    /// An offer or request is withdrawn by its author, or done with by a keeper.
    IntentClose(IntentClose) = "intent_close", Member, Roster;
    /// A keeper commits units of a lot to a request (one allocation of a plan).
    Commitment(Commitment) = "commitment", Organizer, Roster;
    /// A keeper records units of a commitment handed over.
    Handover(Handover) = "handover", Organizer, Roster;
    /// A keeper sets how far apart two places are.
    PlaceDistance(PlaceDistance) = "place_distance", Organizer, Roster;
    /// An organizer opens the network's strike fund (or changes its approvals or treasurers).
    Fund(Fund) = "fund", Organizer, Roster;
    /// A treasurer's balanced entry in the fund's journal.
    FundEntry(FundEntry) = "fund_entry", Member, Roster;
    /// A treasurer sets strike pay for a call.
    FundRule(FundRule) = "fund_rule", Member, Roster;
    /// A member's contribution pledge or claim, sealed to the treasurers' circle.
    FundNote(FundNote) = "fund_note", Member, Roster;
    /// A treasurer approves or turns down a payout, by its commitment.
    FundApproval(FundApproval) = "fund_approval", Member, Roster;
    /// Who a commitment names, in the treasurers' circle.
    FundDetail(FundDetail) = "fund_detail", Member, Circle;
    /// A member asks the network for help.
    AidRequest(AidRequest) = "aid_request", Member, History;
    /// A step on a network's request for help: a claim, progress, a note, resolving it ...
    AidUpdate(AidUpdate) = "aid_update", Member, History;
    /// A request for help, a step on one or a check-in answer, sealed to a circle with a copy to
    /// the requester.
    AidNote(AidNote) = "aid_note", Member, Roster;
    /// An organizer sets the response time targets per urgency.
    AidTargets(AidTargets) = "aid_targets", Organizer, Roster;
    /// A team starts a check-in round.
    Checkin(Checkin) = "checkin", Member, History;
    /// A legal defense case, in the legal circle.
    Case(Case) = "case", Member, Circle;
    /// A step on a legal case, in its circle.
    CaseUpdate(CaseUpdate) = "case_update", Member, Circle;
    /// A member puts a proposal to the network: its method, options, quorum and closing time.
    Proposal(Proposal) = "proposal", Member, Roster;
    /// A member's ballot on a proposal (their latest before the close counts).
    Ballot(Ballot) = "ballot", Member, Roster;
    /// An organizer closes a vote, naming the ballots seen (its causal past).
    ProposalClose(ProposalClose) = "proposal_close", Organizer, Roster;
    /// An organizer records an offer made on a strike call, for the members to vote on.
    Concession(Concession) = "concession", Organizer, Roster;
    /// An organizer records how a strike call came out.
    CallOutcome(CallOutcome) = "call_outcome", Organizer, Roster;
    /// A discussion on the network, a proposal or a call.
    Thread(Thread) = "thread", Member, History;
    /// A reply in a discussion.
    Reply(Reply) = "reply", Member, History;
    /// An organizer locks a discussion, or opens it again.
    ThreadLock(ThreadLock) = "thread_lock", Organizer, History;
    /// An issuer's blind-signing key for a group of a secret call or proposal.
    CredentialKey(CredentialKey) = "credential_key", Organizer, Roster;
    /// A member asks the issuers of a secret call or proposal for a credential (blinded).
    CredentialRequest(CredentialRequest) = "credential_request", Member, Roster;
    /// An issuer answers credential requests.
    CredentialIssue(CredentialIssue) = "credential_issue", Organizer, Roster;
    /// A pledge or withdrawal on a secret call, by a one-time author with credentials.
    SecretPledge(SecretPledge) = "secret_pledge", Member, Roster;
    /// A ballot on a secret proposal, by a one-time author with credentials.
    SecretBallot(SecretBallot) = "secret_ballot", Member, Roster;
}

impl Body {
    /// The canonical CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        ciborium::into_writer(self, &mut out).expect("writing CBOR into a Vec cannot fail");
        out
    }

    /// Decodes, insisting on the canonical encoding and on each event's own rules.
    pub fn decode(bytes: &[u8]) -> Result<Body, Reject> {
        let body: Body = ciborium::de::from_reader_with_recursion_limit(bytes, CBOR_RECURSION_LIMIT)
            .map_err(|e| Reject::InvalidBody(format!("not a known event: {e}")))?;
        if body.encode() != bytes {
            return Err(Reject::NonCanonical("body is not in canonical CBOR form"));
        }
        body.check()?;
        Ok(body)
    }

    /// The layer the body belongs to.
    pub fn layer(&self) -> Layer {
        self.kind().layer()
    }

    /// The circle a body of the circle layer is sealed in: the organizers' circle for the
    /// organizers' kinds, the named circle for the rest; `None` outside the circle layer.
    pub fn circle(&self, network: &crate::NetworkId) -> Option<crate::OpId> {
        match self {
            Body::CirclePost(p) => Some(p.circle),
            Body::FundDetail(d) => Some(d.circle),
            Body::Case(c) => Some(c.circle),
            Body::CaseUpdate(u) => Some(u.circle),
            Body::Proposal(p) => p.circle,
            Body::Ballot(b) => b.circle,
            Body::ProposalClose(c) => c.circle,
            b if b.layer() == Layer::Circle => Some(crate::circles::organizers_circle(network)),
            _ => None,
        }
    }
}

impl Kind {
    /// The kind with this tag.
    pub fn parse(tag: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == tag)
    }
}
#[cfg(test)]
mod vectors;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::announcements::MAX_ANNOUNCEMENT_LEN;

    fn genesis() -> Body {
        Body::Genesis(Genesis {
            name: "Dock 4".into(),
            kind: NetworkKind::Workplace,
            salt: [1; 16],
            founder_agreement: [2; 32],
            vouches_required: 1,
        })
    }

    #[test]
    fn round_trip() {
        for body in [genesis(), Body::Announcement(Announcement { text: "Meeting Thursday".into() })] {
            assert_eq!(Body::decode(&body.encode()).unwrap(), body);
        }
    }

    #[test]
    fn announcement_encoding_is_pinned() {
        let body = Body::Announcement(Announcement { text: "hi".into() });
        // {"type": "announcement", "text": "hi"}
        assert_eq!(hex::encode(body.encode()), "a264747970656c616e6e6f756e63656d656e746474657874626869");
    }

    #[test]
    fn non_canonical_and_invalid_bodies_are_refused() {
        let mut bytes = genesis().encode();
        bytes.push(0);
        assert!(Body::decode(&bytes).is_err(), "trailing byte");
        assert!(Body::decode(b"\xa0").is_err(), "empty map");
        let empty = Body::Announcement(Announcement { text: "  ".into() }).encode();
        assert!(matches!(Body::decode(&empty), Err(Reject::InvalidBody(_))));
        let long = Body::Announcement(Announcement { text: "x".repeat(MAX_ANNOUNCEMENT_LEN + 1) }).encode();
        assert!(matches!(Body::decode(&long), Err(Reject::InvalidBody(_))));
    }
}

/// The refusal code of each way a body can be wrong, as `docs/protocol.md` ("Bodies") lists them.
#[cfg(test)]
mod refusals {
    use super::*;
    use ciborium::value::Value;

    fn enc(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(v, &mut out).unwrap();
        out
    }

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn announcement(extra: Vec<(Value, Value)>) -> Vec<u8> {
        let mut fields = vec![(t("type"), t("announcement")), (t("text"), t("hi"))];
        fields.extend(extra);
        enc(&Value::Map(fields))
    }

    fn code(bytes: &[u8]) -> &'static str {
        Body::decode(bytes).map_or_else(|e| e.code(), |_| "accepted")
    }

    #[test]
    fn each_fault_has_its_documented_code() {
        let map = |fields: Vec<(Value, Value)>| enc(&Value::Map(fields));
        let ann = |text: Value| map(vec![(t("type"), t("announcement")), (t("text"), text)]);
        assert_eq!(code(&announcement(vec![])), "accepted");
        // Not an event at all: invalid_body.
        assert_eq!(code(b"\xff\x00"), "invalid_body", "not CBOR");
        assert_eq!(code(&announcement(vec![])[..10]), "invalid_body", "cut short");
        assert_eq!(code(&map(vec![(t("type"), t("riot")), (t("text"), t("hi"))])), "invalid_body", "unknown type");
        assert_eq!(code(&map(vec![(t("type"), t("announcement"))])), "invalid_body", "missing field");
        assert_eq!(code(&announcement(vec![(t("text"), t("ho"))])), "invalid_body", "duplicate key");
        assert_eq!(code(&ann(Value::Bytes(vec![0xff, 0xfe]))), "invalid_body", "bytes that are not UTF-8 for text");
        assert_eq!(code(&ann(Value::Tag(0, Box::new(t("hi"))))), "invalid_body", "a tagged value");
        assert_eq!(code(&ann(Value::Integer(7.into()))), "invalid_body", "a number for text");
        // An event, but not written the one way: non_canonical.
        assert_eq!(code(&map(vec![(t("text"), t("hi")), (t("type"), t("announcement"))])), "non_canonical", "order");
        assert_eq!(code(&ann(Value::Bytes(b"hi".to_vec()))), "non_canonical", "a UTF-8 byte string for text");
        assert_eq!(code(&announcement(vec![(t("pinned"), Value::Bool(true))])), "non_canonical", "an extra field");
        let mut trailing = announcement(vec![]);
        trailing.push(0);
        assert_eq!(code(&trailing), "non_canonical", "trailing bytes");
        let mut indefinite = vec![0xbf];
        for v in [t("type"), t("announcement"), t("text"), t("hi")] {
            indefinite.extend(enc(&v));
        }
        indefinite.push(0xff);
        assert_eq!(code(&indefinite), "non_canonical", "an indefinite-length map");
        let skill = hex::decode("a3647479706565736b696c6c65736b696c6c6363617263686173f5").unwrap();
        assert_eq!(code(&skill), "accepted");
        let assessment = |level: &[u8]| {
            let mut b = hex::decode("a464747970656a6173736573736d656e7467636f6e7461637458200505050505050505050505050505050505050505050505050505050505050505656c6576656c04646e6f746560").unwrap();
            let at = b.windows(5).position(|w| w == b"level").unwrap() + 5;
            b.splice(at..at + 1, level.iter().copied());
            b
        };
        assert_eq!(code(&assessment(&[0x04])), "accepted");
        assert_eq!(code(&assessment(&[0x18, 0x04])), "non_canonical", "an integer not in its shortest form");
        // Nesting: the body's own map is level 1; 16 levels in all are read, more are not.
        let nested = |levels: usize| {
            let mut v = Value::Integer(1.into());
            for _ in 0..levels {
                v = Value::Array(vec![v]);
            }
            announcement(vec![(t("x"), v)])
        };
        assert_eq!(code(&nested(15)), "non_canonical", "16 levels: read, then refused as an extra field");
        assert_eq!(code(&nested(16)), "invalid_body", "17 levels: refused unread");
        // Canonical, but against an event's rules: invalid_body.
        assert_eq!(code(&ann(t(" "))), "invalid_body", "empty text");
    }
}
