//! Operation bodies: the domain events, encrypted inside envelopes.
//!
//! Bodies are CBOR (RFC 8949) maps in the exact form this module writes: definite lengths,
//! shortest integers, text keys in declaration order, an internal `"type"` tag first. A body
//! that decodes but does not re-encode to the same bytes is refused, so every body has one
//! encoding (see `docs/protocol.md`, "Bodies").

use serde::{Deserialize, Serialize};

use crate::Reject;

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
        }
        Ok(())
    }
}

fn check_text(what: &str, text: &str, max: usize) -> Result<(), Reject> {
    if text.trim().is_empty() {
        return Err(Reject::InvalidBody(format!("{what} is empty")));
    }
    if text.len() > max {
        return Err(Reject::InvalidBody(format!("{what} is longer than {max} bytes")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Reject::InvalidBody(format!("{what} contains control characters")));
    }
    Ok(())
}

/// Serde for fixed-size byte arrays as CBOR byte strings (not arrays of integers).
mod bytes_array {
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
