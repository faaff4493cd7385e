//! Operation bodies: the domain events, encrypted inside envelopes.
//!
//! Bodies are CBOR (RFC 8949) maps in the exact form this module writes: definite lengths,
//! shortest integers, text keys in declaration order, an internal `"type"` tag first. A body
//! that decodes but does not re-encode to the same bytes is refused, so every body has one
//! encoding (see `docs/protocol.md`, "Bodies").

use serde::{Deserialize, Serialize};

use crate::Reject;
use crate::text::{check_list, check_optional, check_text};

/// Longest network name, in bytes.
pub const MAX_NAME_LEN: usize = 80;
/// Longest announcement, in bytes of UTF-8.
pub const MAX_ANNOUNCEMENT_LEN: usize = 4000;
/// CBOR nesting a body may use: bodies are flat records, so a small limit stops
/// stack-exhaustion attempts early.
const CBOR_RECURSION_LIMIT: usize = 16;

/// A domain event. New kinds of event are new variants; old ones never change shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// The first op of a network: creates it and makes its author the founding organizer.
    Genesis(Genesis),
    /// A signed announcement to the network.
    Announcement(Announcement),
    /// An organizer opens an invite; the secret travels in the link, and here to the members.
    Invite(Invite),
    /// A joiner's first op, sealed under the invite's join key (see `docs/protocol.md`, "Joining").
    JoinRequest(JoinRequest),
    /// A member vouches for a joiner.
    Vouch(Vouch),
    /// Epoch keys sealed (HPKE) to one admitted member, under their invite's join key.
    KeyShare(KeyShare),
    /// An organizer makes a member an organizer.
    RoleChange(RoleChange),
    /// An organizer removes a member (or turns down a joiner).
    Removal(Removal),
    /// A new epoch key sealed (HPKE) to each remaining member.
    KeyUpdate(KeyUpdate),
    /// The author's profile in this network (replaces the previous one).
    Profile(Profile),
    /// The author has (or no longer has) a skill or asset.
    Skill(Skill),
    /// The author offers cover.
    CoverOffer(Cover),
    /// The author needs cover.
    CoverNeed(Cover),
    /// The author closes one of their cover offers or needs.
    CoverClose(CoverClose),
    /// An organizer records a co-worker who is not a member.
    Contact(Contact),
    /// An organizer's note of a one-on-one with a contact.
    ContactNote(ContactNote),
    /// An organizer's 1-5 support assessment of a contact.
    Assessment(Assessment),
    /// An organizer opens a strike call.
    Call(Call),
    /// A member pledges to a call (`pledged: true`) or withdraws (`false`).
    Pledge(Pledge),
    /// An organizer closes a call's count at its deadline, naming what they had seen.
    Checkpoint(Checkpoint),
    /// An organizer sets out a campaign countdown.
    Campaign(Campaign),
    /// A member goes on under a new author key after their old one forked (a restored or
    /// cloned device): the new key's first op, vouched in by an organizer.
    Rejoin(Rejoin),
    /// An organizer sets what new members may read of what was written before they came.
    History(History),
    /// A new history key (for the history layer of a network that keeps new members out of
    /// its past) sealed (HPKE) to each current member.
    HistoryKey(KeyUpdate),
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
}

/// What new members may read of what was written before they were admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HistoryMode {
    /// Everything: every key is shared with them.
    #[default]
    All,
    /// The roster (members, profiles, contacts, calls, pledges, the campaign) and, of the
    /// history layer, only what was written after their admission.
    SinceAdmission,
}

impl HistoryMode {
    pub fn as_str(&self) -> &'static str {
        match self {
            HistoryMode::All => "all",
            HistoryMode::SinceAdmission => "since_admission",
        }
    }

    pub fn parse(s: &str) -> Option<HistoryMode> {
        match s.trim().replace('-', "_").as_str() {
            "all" => Some(HistoryMode::All),
            "since_admission" => Some(HistoryMode::SinceAdmission),
            _ => None,
        }
    }
}

/// The network's history setting; the newest one by a counted organizer holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub mode: HistoryMode,
}

/// What kind of network this is; it changes which features the UI puts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    Crew,
    Workplace,
    Hub,
    Sector,
    Federation,
}

impl NetworkKind {
    pub const ALL: [NetworkKind; 5] =
        [NetworkKind::Crew, NetworkKind::Workplace, NetworkKind::Hub, NetworkKind::Sector, NetworkKind::Federation];

    pub fn as_str(&self) -> &'static str {
        match self {
            NetworkKind::Crew => "crew",
            NetworkKind::Workplace => "workplace",
            NetworkKind::Hub => "hub",
            NetworkKind::Sector => "sector",
            NetworkKind::Federation => "federation",
        }
    }

    pub fn parse(s: &str) -> Option<NetworkKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The network's founding record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    pub name: String,
    pub kind: NetworkKind,
    /// Random salt: the network id is derived from the founder's key and this.
    #[serde(with = "bytes_array")]
    pub salt: [u8; 16],
    /// The founder's X25519 key for this network (epoch keys and bundles are sealed to it).
    #[serde(with = "bytes_array")]
    pub founder_agreement: [u8; 32],
    /// How many vouches admit a joiner.
    pub vouches_required: u8,
}

/// An announcement from an organizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub text: String,
}

/// Longest short field (pseudonym, department, skill ...), in bytes.
pub const MAX_FIELD_LEN: usize = 80;
/// Longest note, in bytes.
pub const MAX_NOTE_LEN: usize = 2000;

/// An invite. The link carries the network id, the secret and the addresses; the members
/// learn the secret from this op so they can read the join requests it brings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    #[serde(with = "bytes_array")]
    pub secret: [u8; 32],
    /// How many joiners it may bring in.
    pub uses: u16,
    /// Vouches each of its joiners needs: the network's setting, or every member's vouch
    /// while the network is smaller than that (fixed when the invite is written).
    pub vouches: u8,
    /// Join requests claiming a later time do not count; `None`: never expires.
    pub expires: Option<u32>,
    /// Where to reach the network: peer and hub addresses.
    pub addresses: Vec<String>,
}

/// A joiner asks to join. Always the joiner's first op (seq 1), sealed under the join key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// [`crate::membership::invite_id`] of the invite used.
    #[serde(with = "bytes_array")]
    pub invite: [u8; 16],
    /// The joiner's X25519 key for this network.
    #[serde(with = "bytes_array")]
    pub agreement: [u8; 32],
    pub pseudonym: String,
}

/// A member asks to go on under a new author key (this op's author) in place of `old`, whose
/// chain forked or whose device is no longer theirs alone. Always its author's first op, sealed
/// under a network key (`docs/protocol.md`, "Restored and cloned devices").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejoin {
    /// The author key this one replaces.
    #[serde(with = "bytes_array")]
    pub old: [u8; 32],
    /// The new author's X25519 key for this network.
    #[serde(with = "bytes_array")]
    pub agreement: [u8; 32],
    pub pseudonym: String,
    /// The old key's ops up to this seq were the member's own; none after it counts.
    pub last_good_seq: u64,
    /// The old key's signature over [`crate::membership::REJOIN_LABEL`] `|| 0x00 || network ||
    /// new author`: only whoever holds the old key can ask.
    #[serde(with = "bytes_array")]
    pub proof: [u8; 64],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vouch {
    #[serde(with = "bytes_array")]
    pub member: [u8; 32],
}

/// One epoch key sealed to one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKey {
    pub epoch: u32,
    /// HPKE `enc || ciphertext` of the 32-byte key; info and aad as `docs/protocol.md` says.
    #[serde(with = "bytes_vec")]
    pub sealed: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyShare {
    #[serde(with = "bytes_array")]
    pub member: [u8; 32],
    pub keys: Vec<SealedKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChange {
    #[serde(with = "bytes_array")]
    pub member: [u8; 32],
    pub role: crate::Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    #[serde(with = "bytes_array")]
    pub member: [u8; 32],
    /// The removed author's last op the remover had seen: later ops of theirs do not count.
    pub last_seen_seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberShare {
    #[serde(with = "bytes_array")]
    pub member: [u8; 32],
    #[serde(with = "bytes_vec")]
    pub sealed: Vec<u8>,
}

/// A new epoch key. Large networks split the shares over several updates of one epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyUpdate {
    pub epoch: u32,
    pub shares: Vec<MemberShare>,
}

/// A member's profile; empty fields are not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub pseudonym: String,
    pub workplace: String,
    pub department: String,
    pub shift: String,
    /// The job (nurse, picker ...): calls exempt some roles.
    pub role: String,
    pub sector: String,
    pub city: String,
    pub country: String,
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    pub skill: String,
    pub has: bool,
}

/// What kind of cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum CoverKind {
    Shift,
    Childcare,
    Ride,
    Eldercare,
}

impl CoverKind {
    pub const ALL: [CoverKind; 4] = [CoverKind::Shift, CoverKind::Childcare, CoverKind::Ride, CoverKind::Eldercare];

    pub fn as_str(&self) -> &'static str {
        match self {
            CoverKind::Shift => "shift",
            CoverKind::Childcare => "childcare",
            CoverKind::Ride => "ride",
            CoverKind::Eldercare => "eldercare",
        }
    }

    pub fn parse(s: &str) -> Option<CoverKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A cover offer or need: kind, when (canonical [`crate::directory::Slots`]), where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    pub kind: CoverKind,
    pub when: String,
    pub place: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverClose {
    #[serde(with = "bytes_array")]
    pub item: [u8; 32],
}

/// A co-worker who is not a member (yet), mapped by an organizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub workplace: String,
    pub department: String,
    pub shift: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactNote {
    #[serde(with = "bytes_array")]
    pub contact: [u8; 32],
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    #[serde(with = "bytes_array")]
    pub contact: [u8; 32],
    pub level: u8,
    pub note: String,
}

pub use crate::calls::{Call, CallKind, Checkpoint, Dimension, Pledge, Rule, Wave};
pub use crate::campaign::{Campaign, Gate, Phase};

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

    /// The event's type tag, as written in the encoding.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Genesis(_) => "genesis",
            Body::Announcement(_) => "announcement",
            Body::Invite(_) => "invite",
            Body::JoinRequest(_) => "join_request",
            Body::Vouch(_) => "vouch",
            Body::KeyShare(_) => "key_share",
            Body::RoleChange(_) => "role_change",
            Body::Removal(_) => "removal",
            Body::KeyUpdate(_) => "key_update",
            Body::Profile(_) => "profile",
            Body::Skill(_) => "skill",
            Body::CoverOffer(_) => "cover_offer",
            Body::CoverNeed(_) => "cover_need",
            Body::CoverClose(_) => "cover_close",
            Body::Contact(_) => "contact",
            Body::ContactNote(_) => "contact_note",
            Body::Assessment(_) => "assessment",
            Body::Call(_) => "call",
            Body::Pledge(_) => "pledge",
            Body::Checkpoint(_) => "checkpoint",
            Body::Campaign(_) => "campaign",
            Body::Rejoin(_) => "rejoin",
            Body::History(_) => "history",
            Body::HistoryKey(_) => "history_key",
        }
    }

    /// The layer a body belongs to: announcements, skills, cover and organizers' notes and
    /// assessments are history; everything the fold needs to count is roster.
    pub fn layer(&self) -> Layer {
        match self {
            Body::Announcement(_)
            | Body::Skill(_)
            | Body::CoverOffer(_)
            | Body::CoverNeed(_)
            | Body::CoverClose(_)
            | Body::ContactNote(_)
            | Body::Assessment(_) => Layer::History,
            _ => Layer::Roster,
        }
    }

    /// Rules on the body alone, independent of any state.
    pub fn check(&self) -> Result<(), Reject> {
        match self {
            Body::Genesis(g) => {
                check_text("network name", &g.name, MAX_NAME_LEN)?;
                if !(1..=16).contains(&g.vouches_required) {
                    return Err(Reject::InvalidBody("vouches_required must be 1 to 16".into()));
                }
            }
            Body::Announcement(a) => check_text("announcement", &a.text, MAX_ANNOUNCEMENT_LEN)?,
            Body::Invite(i) => {
                if i.uses == 0 {
                    return Err(Reject::InvalidBody("an invite needs at least one use".into()));
                }
                if !(1..=16).contains(&i.vouches) {
                    return Err(Reject::InvalidBody("an invite needs 1 to 16 vouches".into()));
                }
                if i.addresses.len() > 16 {
                    return Err(Reject::InvalidBody("at most 16 addresses per invite".into()));
                }
                for a in &i.addresses {
                    check_text("address", a, 256)?;
                }
            }
            Body::JoinRequest(j) => check_text("pseudonym", &j.pseudonym, MAX_FIELD_LEN)?,
            Body::Rejoin(r) => check_text("pseudonym", &r.pseudonym, MAX_FIELD_LEN)?,
            Body::Vouch(_) | Body::Removal(_) | Body::RoleChange(_) | Body::CoverClose(_) | Body::Pledge(_) => {}
            Body::Checkpoint(_) => {}
            Body::KeyShare(k) => {
                if k.keys.is_empty() || k.keys.len() > 256 {
                    return Err(Reject::InvalidBody("a key share holds 1 to 256 keys".into()));
                }
            }
            Body::History(_) => {}
            Body::KeyUpdate(k) | Body::HistoryKey(k) => {
                if k.shares.is_empty() {
                    return Err(Reject::InvalidBody("a key update holds at least one share".into()));
                }
                if !k.shares.windows(2).all(|w| w[0].member < w[1].member) {
                    return Err(Reject::InvalidBody("key update shares must be sorted by member".into()));
                }
            }
            Body::Profile(p) => {
                check_optional("pseudonym", &p.pseudonym, MAX_FIELD_LEN)?;
                for (what, v) in [
                    ("workplace", &p.workplace),
                    ("department", &p.department),
                    ("shift", &p.shift),
                    ("role", &p.role),
                    ("sector", &p.sector),
                    ("city", &p.city),
                    ("country", &p.country),
                ] {
                    check_optional(what, v, MAX_FIELD_LEN)?;
                }
                check_list("languages", &p.languages, 16)?;
            }
            Body::Skill(s) => check_text("skill", &s.skill, MAX_FIELD_LEN)?,
            Body::CoverOffer(c) | Body::CoverNeed(c) => {
                crate::directory::Slots::parse(&c.when).map_err(Reject::InvalidBody)?;
                if crate::directory::Slots::parse(&c.when).map(|s| s.to_string()).ok().as_deref() != Some(&c.when) {
                    return Err(Reject::InvalidBody("cover times are not in canonical form".into()));
                }
                check_optional("place", &c.place, MAX_FIELD_LEN)?;
                check_optional("note", &c.note, MAX_NOTE_LEN)?;
            }
            Body::Contact(c) => {
                check_text("contact name", &c.name, MAX_FIELD_LEN)?;
                for (what, v) in
                    [("workplace", &c.workplace), ("department", &c.department), ("shift", &c.shift), ("role", &c.role)]
                {
                    check_optional(what, v, MAX_FIELD_LEN)?;
                }
            }
            Body::ContactNote(n) => check_text("note", &n.text, MAX_NOTE_LEN)?,
            Body::Assessment(a) => {
                if !(1..=5).contains(&a.level) {
                    return Err(Reject::InvalidBody("support is assessed from 1 to 5".into()));
                }
                check_optional("note", &a.note, MAX_NOTE_LEN)?;
            }
            Body::Call(c) => crate::calls::check_call(c)?,
            Body::Campaign(c) => crate::campaign::check_campaign(c)?,
        }
        Ok(())
    }
}

/// Serde for byte vectors as CBOR byte strings (not arrays of integers); also used by the
/// sync messages.
pub mod bytes_vec {
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(value: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
        }
        d.deserialize_bytes(Visitor)
    }
}

/// Serde for fixed-size byte arrays as CBOR byte strings (not arrays of integers).
pub mod bytes_array {
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer, const N: usize>(value: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[u8; N], D::Error> {
        struct Visitor<const N: usize>;
        impl<const N: usize> de::Visitor<'_> for Visitor<N> {
            type Value = [u8; N];
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "a byte string of length {N}")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<[u8; N], E> {
                v.try_into().map_err(|_| E::invalid_length(v.len(), &self))
            }
        }
        d.deserialize_bytes(Visitor::<N>)
    }
}

/// Serde for lists of 32-byte ids, each a CBOR byte string.
pub mod bytes_array_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    struct Id(#[serde(with = "super::bytes_array")] [u8; 32]);

    pub fn serialize<S: Serializer>(value: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(value.iter().map(|id| Id(*id)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        Ok(Vec::<Id>::deserialize(d)?.into_iter().map(|Id(id)| id).collect())
    }
}

#[cfg(test)]
mod vectors;

#[cfg(test)]
mod tests {
    use super::*;

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
