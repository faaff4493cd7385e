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
