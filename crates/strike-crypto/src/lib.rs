//! Cryptographic primitives for Open Strike, behind types that make misuse hard.
//!
//! Everything here is pure: no I/O, no clock, and randomness is passed in by the caller
//! (any `rand_core::CryptoRng`). Secret material lives in types that zeroize on drop and
//! print as `[redacted]`.
//!
//! | need | primitive |
//! |---|---|
//! | signatures on operations | Ed25519 (RFC 8032), verified with `verify_strict` |
//! | sealing epoch keys to members | HPKE (RFC 9180): X25519, HKDF-SHA256, ChaCha20-Poly1305 |
//! | operation bodies, key file | XChaCha20-Poly1305 |
//! | passphrase to key | Argon2id |
//! | hashes, ids, key derivation | BLAKE3 |
//! | a kit's file checksums, and their signature | SHA-256 (`sha256sum`); OpenSSH's SSHSIG over Ed25519 (`ssh-keygen -Y verify`) |
//! | credentials for secret pledges and ballots | RSABSSA-SHA384-PSS-Randomized blind signatures (RFC 9474), 2048-bit keys |
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod aead;
pub mod blind;
mod kdf;
mod keys;
mod seal;
pub mod sshsig;

pub use aead::{NONCE_LEN, SymmetricKey, TAG_LEN};
pub use kdf::{KdfParams, derive_passphrase_key};
pub use keys::{AgreementPublic, AgreementSecret, PreparedPublic, SIGNATURE_LEN, SigningPublic, SigningSecret};
pub use seal::{SEALED_OVERHEAD, open_sealed, seal_to};

/// Length of every hash, key and id in the system.
pub const HASH_LEN: usize = 32;

/// Errors a caller of this crate can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// A signature did not verify under the given key and label.
    #[error("signature does not verify")]
    BadSignature,
    /// The bytes are not a valid (canonical, non-small-order) Ed25519 public key.
    #[error("invalid public key")]
    BadPublicKey,
    /// Authenticated decryption failed: wrong key, or the data was altered.
    #[error("decryption failed: wrong key or altered data")]
    DecryptFailed,
    /// The passphrase KDF rejected its parameters.
    #[error("invalid key-derivation parameters: {0}")]
    KdfParams(String),
}

/// BLAKE3 of `bytes`.
pub fn hash(bytes: &[u8]) -> [u8; HASH_LEN] {
    *blake3::hash(bytes).as_bytes()
}

/// BLAKE3 in key-derivation mode: a 32-byte value bound to `context`.
///
/// `context` must be a hard-coded, globally unique string (BLAKE3's rule), so that values
/// derived for one purpose can never be confused with values derived for another.
pub fn derive(context: &str, material: &[u8]) -> [u8; HASH_LEN] {
    blake3::derive_key(context, material)
}

/// Fills `out` from a cryptographic RNG.
pub fn random_bytes<const N: usize, R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}
