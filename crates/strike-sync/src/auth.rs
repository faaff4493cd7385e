//! Proving membership before any op crosses: each side signs the pair of transport endpoint
//! ids with its author key for the network. The transport (QUIC with TLS) authenticates the
//! endpoint ids, so a proof cannot be replayed on another connection. A peer that fails the
//! check gets the same refusal whether the network is unknown or it is not a member: it learns
//! nothing, not even which networks this node holds.

use serde::{Deserialize, Serialize};

/// Domain-separation label of the proof.
pub const AUTH_LABEL: &[u8] = b"openstrike/sync-auth/v1";

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
    },
    /// A hub lets the initiator in. The hub proves nothing more than its endpoint id (which
    /// TLS authenticates and the grant names): it holds no author key.
    HubAccepted,
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
        if bytes.len() > 512 + crate::hub::MAX_GRANT_LEN {
            return None;
        }
        ciborium::de::from_reader_with_recursion_limit(bytes, 4).ok()
    }
}
