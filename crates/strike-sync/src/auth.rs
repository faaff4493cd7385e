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
        network: [u8; 32],
        author: [u8; 32],
        #[serde(with = "sig")]
        signature: [u8; 64],
    },
    /// The responder's own proof, for the same network.
    Accepted {
        author: [u8; 32],
        #[serde(with = "sig")]
        signature: [u8; 64],
    },
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
        if bytes.len() > 512 {
            return None;
        }
        ciborium::de::from_reader_with_recursion_limit(bytes, 4).ok()
    }
}

mod sig {
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(value: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = [u8; 64];
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("64 bytes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<[u8; 64], E> {
                v.try_into().map_err(|_| E::invalid_length(v.len(), &self))
            }
        }
        d.deserialize_bytes(Visitor)
    }
}
