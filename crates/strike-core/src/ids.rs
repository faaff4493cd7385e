//! Identifier newtypes. Each is 32 bytes and prints as lowercase hex.

use std::fmt;
use std::str::FromStr;

/// Parsing a hex id failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a 64-character hex id")]
pub struct IdParseError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The id as lowercase hex.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            /// The first 8 bytes as hex: enough to tell ids apart on screen.
            pub fn short(&self) -> String {
                hex::encode(&self.0[..8])
            }

            /// Wraps a byte slice that must be exactly 32 bytes long.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                bytes.try_into().ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.short())
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;
            fn from_str(s: &str) -> Result<Self, IdParseError> {
                let bytes = hex::decode(s).map_err(|_| IdParseError)?;
                Self::from_slice(&bytes).ok_or(IdParseError)
            }
        }

        /// In bodies and messages: a CBOR byte string of 32 bytes, the same bytes as a raw
        /// `[u8; 32]` written with [`crate::bytes::bytes_array`].
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                crate::bytes::bytes_array::serialize(&self.0, s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::bytes::bytes_array::deserialize(d).map($name)
            }
        }
    };
}

id_type!(
    /// A network: `BLAKE3-derive("openstrike network id v1", founder author key || salt)`.
    NetworkId
);
id_type!(
    /// An operation: BLAKE3 of its complete canonical encoding, signature included.
    OpId
);
id_type!(
    /// An author: the Ed25519 public key one person uses in one network (never reused across networks).
    AuthorId
);

impl AuthorId {
    /// The author's public key in the crypto crate's type.
    pub fn signing_public(&self) -> strike_crypto::SigningPublic {
        strike_crypto::SigningPublic(self.0)
    }
}

/// The start of an id as people type it: 1 to 64 hex digits, kept lowercase. Parsed before
/// anything looks it up, so no lookup ever sees text that is not hex.
///
/// Invariant: `digits` holds only `0-9a-f` and is 1 to 64 long.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdPrefix {
    digits: String,
}

/// Why text is not an id prefix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdPrefixError {
    #[error("an id is written in hex digits (0-9, a-f)")]
    NotHex,
    #[error("give at least {0} hex digits of the id")]
    TooShort(usize),
    #[error("an id has at most 64 hex digits")]
    TooLong,
}

impl IdPrefix {
    /// Parses `text` (surrounding whitespace ignored, any case) as at least `min_digits` hex digits.
    pub fn parse(text: &str, min_digits: usize) -> Result<IdPrefix, IdPrefixError> {
        let text = text.trim();
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(IdPrefixError::NotHex);
        }
        if text.len() < min_digits.max(1) {
            return Err(IdPrefixError::TooShort(min_digits.max(1)));
        }
        if text.len() > 64 {
            return Err(IdPrefixError::TooLong);
        }
        Ok(IdPrefix { digits: text.to_ascii_lowercase() })
    }

    /// The digits, lowercase.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The whole bytes the digits spell (an odd last digit is left out: see [`IdPrefix::matches`]).
    pub fn whole_bytes(&self) -> Vec<u8> {
        let even = &self.digits[..self.digits.len() & !1];
        hex::decode(even).expect("hex digits, checked on parse")
    }

    /// Whether the id `bytes` starts with these digits.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        hex::encode(bytes).starts_with(&self.digits)
    }
}

impl fmt::Debug for IdPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdPrefix({})", self.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_hex_and_never_split_a_character() {
        let p = IdPrefix::parse(" ABCDEF1 ", 6).unwrap();
        assert_eq!((p.as_str(), p.whole_bytes()), ("abcdef1", vec![0xab, 0xcd, 0xef]));
        assert!(p.matches(&[0xab, 0xcd, 0xef, 0x12]));
        assert!(!p.matches(&[0xab, 0xcd, 0xef, 0x22]));
        assert_eq!(IdPrefix::parse("abcde", 6), Err(IdPrefixError::TooShort(6)));
        assert_eq!(IdPrefix::parse(&"a".repeat(65), 6), Err(IdPrefixError::TooLong));
        // Six bytes ending inside a multi-byte character: refused as text, not sliced.
        for text in ["abcdeé", "ab€cd", "ﬀﬀﬀ", "12345\u{202e}", ""] {
            assert!(IdPrefix::parse(text, 6).is_err(), "{text:?}");
        }
    }
}
