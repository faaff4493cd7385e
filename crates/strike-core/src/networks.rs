//! The networks and membership area's bodies: genesis, invites, join requests, vouches, role
//! changes, removals, keys (shares, updates, history keys), rejoins and the history setting,
//! with the rules each body must keep on its own. How membership is resolved from them is
//! `membership.rs`.

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN};
use crate::bytes::{bytes_array, bytes_vec};
use crate::text::check_text;
use crate::{AuthorId, Reject};

/// Longest network name, in bytes.
pub const MAX_NAME_LEN: usize = 80;

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

impl Fact for Genesis {
    fn check(&self) -> Result<(), Reject> {
        check_text("network name", &self.name, MAX_NAME_LEN)?;
        if !(1..=16).contains(&self.vouches_required) {
            return Err(Reject::InvalidBody("vouches_required must be 1 to 16".into()));
        }
        Ok(())
    }
}

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

impl Fact for Invite {
    fn check(&self) -> Result<(), Reject> {
        if self.uses == 0 {
            return Err(Reject::InvalidBody("an invite needs at least one use".into()));
        }
        if !(1..=16).contains(&self.vouches) {
            return Err(Reject::InvalidBody("an invite needs 1 to 16 vouches".into()));
        }
        if self.addresses.len() > 16 {
            return Err(Reject::InvalidBody("at most 16 addresses per invite".into()));
        }
        for a in &self.addresses {
            check_text("address", a, 256)?;
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex {
            subject: Some(crate::membership::invite_id(&self.secret).to_vec()),
            number: self.expires.map(i64::from),
        }
    }
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

impl Fact for JoinRequest {
    fn check(&self) -> Result<(), Reject> {
        check_text("pseudonym", &self.pseudonym, MAX_FIELD_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex { subject: Some(self.invite.to_vec()), number: None }
    }
}

/// A member asks to go on under a new author key (this op's author) in place of `old`, whose
/// chain forked or whose device is no longer theirs alone. Always its author's first op, sealed
/// under a network key (`docs/protocol.md`, "Restored and cloned devices").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejoin {
    /// The author key this one replaces.
    pub old: AuthorId,
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

impl Fact for Rejoin {
    fn check(&self) -> Result<(), Reject> {
        check_text("pseudonym", &self.pseudonym, MAX_FIELD_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex { subject: Some(self.old.0.to_vec()), number: i64::try_from(self.last_good_seq).ok() }
    }
}

/// A member vouches for a joiner (or, an organizer, for a rejoin's new key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vouch {
    pub member: AuthorId,
}

impl Fact for Vouch {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.member.0)
    }
}

/// One epoch key sealed to one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKey {
    pub epoch: u32,
    /// HPKE `enc || ciphertext` of the 32-byte key; info and aad as `docs/protocol.md` says.
    #[serde(with = "bytes_vec")]
    pub sealed: Vec<u8>,
}

/// Epoch keys sealed to one admitted member, under their invite's join key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyShare {
    pub member: AuthorId,
    pub keys: Vec<SealedKey>,
}

impl Fact for KeyShare {
    fn check(&self) -> Result<(), Reject> {
        if self.keys.is_empty() || self.keys.len() > 256 {
            return Err(Reject::InvalidBody("a key share holds 1 to 256 keys".into()));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.member.0)
    }
}

/// An organizer makes a member an organizer, or a member again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChange {
    pub member: AuthorId,
    pub role: crate::Role,
}

impl Fact for RoleChange {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.member.0)
    }
}

/// An organizer removes a member (or turns down a joiner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    pub member: AuthorId,
    /// The removed author's last op the remover had seen: later ops of theirs do not count.
    pub last_seen_seq: u64,
}

impl Fact for Removal {
    fn index(&self) -> FactIndex {
        FactIndex { subject: Some(self.member.0.to_vec()), number: i64::try_from(self.last_seen_seq).ok() }
    }
}

/// One member's share of a new key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberShare {
    pub member: AuthorId,
    #[serde(with = "bytes_vec")]
    pub sealed: Vec<u8>,
}

/// A new epoch key (or history key). Large networks split the shares over several ops of one
/// epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyUpdate {
    pub epoch: u32,
    pub shares: Vec<MemberShare>,
}

impl Fact for KeyUpdate {
    fn check(&self) -> Result<(), Reject> {
        if self.shares.is_empty() {
            return Err(Reject::InvalidBody("a key update holds at least one share".into()));
        }
        if !self.shares.windows(2).all(|w| w[0].member < w[1].member) {
            return Err(Reject::InvalidBody("key update shares must be sorted by member".into()));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex { subject: None, number: Some(i64::from(self.epoch)) }
    }
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

    /// `all`, `since_admission` or `since-admission`.
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

impl Fact for History {
    fn index(&self) -> FactIndex {
        FactIndex { subject: None, number: Some(i64::from(self.mode == HistoryMode::SinceAdmission)) }
    }
}
