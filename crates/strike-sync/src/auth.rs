//! Proving membership before any op crosses: each side signs the pair of transport endpoint
//! ids with its author key for the network. The transport (QUIC with TLS) authenticates the
//! endpoint ids, so a proof cannot be replayed on another connection. A peer that fails the
//! check gets the same refusal whether the network is unknown or it is not a member: it learns
//! nothing, not even which networks this node holds.

use serde::{Deserialize, Serialize};

/// Domain-separation label of the proof.
pub const AUTH_LABEL: &[u8] = b"openstrike/sync-auth/v1";
/// Domain-separation label of a joiner's two proofs (by the invite's access key and by its
/// author key) when it opens a restricted session.
pub const JOIN_AUTH_LABEL: &[u8] = b"openstrike/join-auth/v1";
/// A `HubOpen` registers at most this many invites.
pub const MAX_TICKETS: usize = 32;
/// Largest encoded `Auth` message read.
pub const MAX_AUTH_LEN: usize = 512 + crate::hub::MAX_GRANT_LEN + MAX_TICKETS * crate::hub::MAX_TICKET_LEN;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// The initiator: the network it wants, its author key there, and its proof.
    Open {
        #[serde(with = "strike_core::bytes::bytes_array")]
        network: [u8; 32],
        #[serde(with = "strike_core::bytes::bytes_array")]
        author: [u8; 32],
        #[serde(with = "strike_core::bytes::bytes_array")]
        signature: [u8; 64],
    },
    /// The responder's own proof, for the same network.
    Accepted {
        #[serde(with = "strike_core::bytes::bytes_array")]
        author: [u8; 32],
        #[serde(with = "strike_core::bytes::bytes_array")]
        signature: [u8; 64],
    },
    /// The initiator asks a hub: the network, the epoch whose access key signs, the proof
    /// (signed with that access key), and optionally a newer grant from the founder.
    HubOpen {
        #[serde(with = "strike_core::bytes::bytes_array")]
        network: [u8; 32],
        epoch: u32,
        #[serde(with = "strike_core::bytes::bytes_array")]
        signature: [u8; 64],
        #[serde(with = "strike_core::bytes::bytes_vec")]
        grant: Vec<u8>,
        /// The network's live invites, so the hub can let their joiners in (restricted).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        invites: Vec<crate::hub::InviteTicket>,
    },
    /// A hub lets the initiator in. The hub proves nothing more than its endpoint id (which
    /// TLS authenticates and the grant names): it holds no author key.
    HubAccepted,
    /// A joiner opens a restricted session: the network, the invite it holds (its public
    /// id), its author key there, and the proof message signed with the invite's access key
    /// and with that author key. Nothing here names the joiner beyond a fresh key.
    JoinOpen {
        #[serde(with = "strike_core::bytes::bytes_array")]
        network: [u8; 32],
        #[serde(with = "strike_core::bytes::bytes_array")]
        invite: [u8; 16],
        #[serde(with = "strike_core::bytes::bytes_array")]
        author: [u8; 32],
        #[serde(with = "strike_core::bytes::bytes_array")]
        invite_signature: [u8; 64],
        #[serde(with = "strike_core::bytes::bytes_array")]
        author_signature: [u8; 64],
    },
    /// The joiner is let in: restricted, or (`admitted`) as the member it now is.
    JoinAccepted { admitted: bool },
    /// No (for any reason).
    Refused,
}

/// Which side signs: the two proofs differ so neither can be reflected back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Initiator,
    Responder,
}

/// What a side signs: side || network || its own endpoint id || the other's endpoint id.
pub fn proof_message(side: Side, network: &[u8; 32], mine: &[u8; 32], theirs: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(97);
    m.push(match side {
        Side::Initiator => 1,
        Side::Responder => 2,
    });
    m.extend_from_slice(network);
    m.extend_from_slice(mine);
    m.extend_from_slice(theirs);
    m
}

impl Auth {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(self, &mut out).expect("writing CBOR into a Vec cannot fail");
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Auth> {
        if bytes.len() > MAX_AUTH_LEN {
            return None;
        }
        let auth: Auth = ciborium::de::from_reader_with_recursion_limit(bytes, 6).ok()?;
        match &auth {
            Auth::HubOpen { invites, .. }
                if invites.len() > MAX_TICKETS
                    || invites.iter().any(|t| t.removed.len() > crate::hub::MAX_TICKET_REMOVED) =>
            {
                None
            }
            _ => Some(auth),
        }
    }
}
