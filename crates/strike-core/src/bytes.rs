//! Serde helpers for bytes in bodies and messages: CBOR byte strings, never arrays of
//! integers. Ids have their own serde (`ids.rs`), written with these.

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
