//! Membership of one network: who may write what.
//!
//! Membership is a fold over the network's membership operations (today: genesis; invites,
//! vouches, role changes and removals extend [`Membership::apply`]). The store keeps the
//! result as a view and hands it back here to decide each new op's right to write.

use std::collections::BTreeMap;

use crate::{AuthorId, Body, CoarseTime, Envelope, Genesis, NetworkId, NetworkKind, OpId, Reject};

/// Key-derivation context for network ids (BLAKE3 `derive_key`).
pub const NETWORK_ID_CONTEXT: &str = "openstrike 2026-11 network id v1";

/// The id of the network founded by `founder` with `salt`.
pub fn network_id(founder: &AuthorId, salt: &[u8; 16]) -> NetworkId {
    let mut material = [0u8; 48];
    material[..32].copy_from_slice(&founder.0);
    material[32..].copy_from_slice(salt);
    NetworkId(strike_crypto::derive(NETWORK_ID_CONTEXT, &material))
}

/// What a member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Runs the network: announcements, invites, removals, calls.
    Organizer,
    /// Takes part: pledges, offers, votes.
    Member,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Organizer => "organizer",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "organizer" => Some(Role::Organizer),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

/// One admitted member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub role: Role,
    /// X25519 key that epoch keys and bundles are sealed to.
    pub agreement: [u8; 32],
    /// The op that admitted them (for the founder: genesis).
    pub admitted_by: OpId,
    pub since: CoarseTime,
}

/// The folded membership of one network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub network: NetworkId,
    /// Set once genesis is applied.
    pub founding: Option<Founding>,
    pub members: BTreeMap<AuthorId, Member>,
}

/// What genesis established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Founding {
    pub genesis: OpId,
    pub founder: AuthorId,
    pub name: String,
    pub kind: NetworkKind,
    pub vouches_required: u8,
    pub created: CoarseTime,
}

impl Membership {
    /// The empty membership of a network whose genesis has not been applied yet.
    pub fn new(network: NetworkId) -> Self {
        Membership { network, founding: None, members: BTreeMap::new() }
    }

    /// Whether `author` may write `body` as `envelope` now. Pure; does not change anything.
    pub fn check_write(&self, envelope: &Envelope, body: &Body) -> Result<(), Reject> {
        match body {
            Body::Genesis(genesis) => self.check_genesis(envelope, genesis),
            Body::Announcement(_) => match self.members.get(&envelope.author) {
                Some(m) if m.role == Role::Organizer => Ok(()),
                Some(_) => Err(Reject::NoRightToWrite("only organizers make announcements")),
                None => Err(Reject::NoRightToWrite("not a member")),
            },
        }
    }

    fn check_genesis(&self, envelope: &Envelope, genesis: &Genesis) -> Result<(), Reject> {
        if self.founding.is_some() {
            return Err(Reject::NoRightToWrite("the network already has a genesis"));
        }
        if envelope.seq != 1 || !envelope.deps.is_empty() || envelope.epoch != 0 {
            return Err(Reject::InvalidBody("genesis must be seq 1, epoch 0, without deps".into()));
        }
        if network_id(&envelope.author, &genesis.salt) != envelope.network {
            return Err(Reject::NoRightToWrite("genesis does not match the network id"));
        }
        Ok(())
    }

    /// Folds one accepted op into the membership. Ops that do not touch membership are no-ops.
    pub fn apply(&mut self, op_id: OpId, envelope: &Envelope, body: &Body) {
        if let Body::Genesis(g) = body {
            self.founding = Some(Founding {
                genesis: op_id,
                founder: envelope.author,
                name: g.name.clone(),
                kind: g.kind,
                vouches_required: g.vouches_required,
                created: envelope.time,
            });
            self.members.insert(
                envelope.author,
                Member {
                    role: Role::Organizer,
                    agreement: g.founder_agreement,
                    admitted_by: op_id,
                    since: envelope.time,
                },
            );
        }
    }
}
