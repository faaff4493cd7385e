//! XChaCha20-Poly1305 under a zeroizing 32-byte key.
//!
//! The 24-byte nonce is random per message: with 192 bits, random nonces never collide in
//! practice, so no counter state has to survive crashes or be shared between devices.

use std::fmt;

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::CryptoError;

/// Length of an XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag appended to every ciphertext.
pub const TAG_LEN: usize = 16;

/// A 32-byte symmetric key. Zeroized on drop, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SymmetricKey([u8; 32]);

impl SymmetricKey {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh random key.
    pub fn generate<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self(crate::random_bytes(rng))
    }

    /// The raw key bytes. Callers must not copy them anywhere that is not zeroized.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// Encrypts `plaintext`, authenticating `aad` too. Returns ciphertext with the tag appended.
    pub fn seal(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new(&self.0.into());
        cipher
            .encrypt(&(*nonce).into(), Payload { msg: plaintext, aad })
            .expect("XChaCha20-Poly1305 encryption only fails past 256 GiB, far beyond any caller")
    }

    /// Decrypts and authenticates.
    pub fn open(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let cipher = XChaCha20Poly1305::new(&self.0.into());
        cipher.decrypt(&(*nonce).into(), Payload { msg: ciphertext, aad }).map_err(|_| CryptoError::DecryptFailed)
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SymmetricKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use chacha20poly1305::ChaCha20Poly1305;

    use super::*;

    const KEY: [u8; 32] = [
        0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91,
        0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
    ];
    const AAD: [u8; 12] = [0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7];
    const PLAINTEXT: &[u8] = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";

    /// RFC 8439 section 2.8.2: the AEAD construction under our XChaCha variant's core.
    #[test]
    fn rfc8439_chacha20_poly1305_known_answer() {
        let nonce = [0x07, 0x00, 0x00, 0x00, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47];
        let expected = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116";
        let tag = "1ae10b594f09e26a7e902ecbd0600691";
        let cipher = ChaCha20Poly1305::new(&KEY.into());
        let out = cipher.encrypt(&nonce.into(), Payload { msg: PLAINTEXT, aad: &AAD }).unwrap();
        assert_eq!(hex::encode(&out[..out.len() - TAG_LEN]), expected);
        assert_eq!(hex::encode(&out[out.len() - TAG_LEN..]), tag);
    }

    /// draft-irtf-cfrg-xchacha appendix A.3.1: the construction this crate exposes.
    #[test]
    fn xchacha20_poly1305_known_answer() {
        let nonce: [u8; 24] = core::array::from_fn(|i| 0x40 + i as u8);
        let expected = "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e";
        let tag = "c0875924c1c7987947deafd8780acf49";
        let key = SymmetricKey::from_bytes(KEY);
        let out = key.seal(&nonce, &AAD, PLAINTEXT);
        assert_eq!(hex::encode(&out[..out.len() - TAG_LEN]), expected);
        assert_eq!(hex::encode(&out[out.len() - TAG_LEN..]), tag);
        assert_eq!(key.open(&nonce, &AAD, &out).unwrap(), PLAINTEXT);
    }

    #[test]
    fn tampering_is_detected() {
        let key = SymmetricKey::from_bytes([1; 32]);
        let nonce = [2; NONCE_LEN];
        let sealed = key.seal(&nonce, b"header", b"body");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert_eq!(key.open(&nonce, b"header", &bad), Err(CryptoError::DecryptFailed));
        }
        assert_eq!(key.open(&nonce, b"other header", &sealed), Err(CryptoError::DecryptFailed));
        assert_eq!(SymmetricKey::from_bytes([9; 32]).open(&nonce, b"header", &sealed), Err(CryptoError::DecryptFailed));
    }
}
