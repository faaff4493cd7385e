//! Ed25519 signing keys and X25519 agreement keys.
//!
//! Signatures are always made over `label || 0x00 || message`, so a signature made for one
//! purpose (an operation, a sync challenge) can never be replayed as another.

use std::fmt;

use ed25519_dalek::{Signer, VerifyingKey};
use zeroize::Zeroizing;

use crate::CryptoError;

/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// An Ed25519 secret key. Zeroized on drop, never printed.
pub struct SigningSecret(ed25519_dalek::SigningKey);

impl SigningSecret {
    /// A fresh random key.
    pub fn generate<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self(ed25519_dalek::SigningKey::generate(rng))
    }

    /// The key for a 32-byte RFC 8032 seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// The 32-byte seed, in a buffer that zeroizes on drop.
    pub fn seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public half.
    pub fn public(&self) -> SigningPublic {
        SigningPublic(self.0.verifying_key().to_bytes())
    }

    /// The public half, ready to verify (no decompression: the secret key holds it).
    pub fn prepared_public(&self) -> PreparedPublic {
        PreparedPublic(self.0.verifying_key())
    }

    /// Signs `message` under the domain-separation `label`.
    pub fn sign(&self, label: &[u8], message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let framed = frame(label, message);
        self.0.sign(&framed).to_bytes()
    }

    /// Signs bytes that carry their own domain separation (OpenSSH's SSHSIG frame).
    pub(crate) fn sign_unframed(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.0.sign(message).to_bytes()
    }

    /// Signs raw bytes with no label: only for known-answer tests of the primitive.
    #[doc(hidden)]
    pub fn sign_raw_for_kat(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningSecret([redacted], public {:?})", self.public())
    }
}

/// An Ed25519 public key (32 bytes), as carried in operation envelopes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SigningPublic(pub [u8; 32]);

impl SigningPublic {
    /// Verifies `signature` over `label || 0x00 || message` with `verify_strict`, which rejects
    /// non-canonical and small-order keys and signatures (no malleability).
    pub fn verify(&self, label: &[u8], message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> Result<(), CryptoError> {
        self.prepare()?.verify(label, message, signature)
    }

    /// Parses and checks the key once, for verifying many signatures by the same key:
    /// decompressing a key costs a field square root, a good part of a verification.
    pub fn prepare(&self) -> Result<PreparedPublic, CryptoError> {
        VerifyingKey::from_bytes(&self.0).map(PreparedPublic).map_err(|_| CryptoError::BadPublicKey)
    }

    /// `verify_strict` over bytes that carry their own domain separation (SSHSIG).
    pub(crate) fn verify_unframed(&self, message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> Result<(), CryptoError> {
        self.prepare()?.verify_framed(message, signature)
    }

    /// `verify_strict` over raw bytes with no label: only for known-answer tests.
    #[doc(hidden)]
    pub fn verify_raw(&self, message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> Result<(), CryptoError> {
        self.prepare()?.verify_framed(message, signature)
    }
}

/// A public key already decompressed and checked, ready to verify signatures.
#[derive(Clone)]
pub struct PreparedPublic(VerifyingKey);

impl PreparedPublic {
    /// As [`SigningPublic::verify`].
    pub fn verify(&self, label: &[u8], message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> Result<(), CryptoError> {
        self.verify_framed(&frame(label, message), signature)
    }

    fn verify_framed(&self, framed: &[u8], signature: &[u8; SIGNATURE_LEN]) -> Result<(), CryptoError> {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.0.verify_strict(framed, &signature).map_err(|_| CryptoError::BadSignature)
    }
}

impl fmt::Debug for PreparedPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PreparedPublic({})", hex::encode(&self.0.as_bytes()[..8]))
    }
}

impl fmt::Debug for SigningPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningPublic({})", hex::encode(&self.0[..8]))
    }
}

fn frame(label: &[u8], message: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut framed = Zeroizing::new(Vec::with_capacity(label.len() + 1 + message.len()));
    framed.extend_from_slice(label);
    framed.push(0);
    framed.extend_from_slice(message);
    framed
}

/// An X25519 secret key. Zeroized on drop, never printed.
pub struct AgreementSecret(x25519_dalek::StaticSecret);

impl AgreementSecret {
    /// A fresh random key.
    pub fn generate<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self(x25519_dalek::StaticSecret::random_from_rng(rng))
    }

    /// The key for 32 secret bytes (clamped by X25519 on use).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(x25519_dalek::StaticSecret::from(bytes))
    }

    /// The 32 secret bytes, in a buffer that zeroizes on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public half.
    pub fn public(&self) -> AgreementPublic {
        AgreementPublic(x25519_dalek::PublicKey::from(&self.0).to_bytes())
    }

    /// The raw X25519 shared secret with `their` key.
    pub fn agree(&self, their: &AgreementPublic) -> Zeroizing<[u8; 32]> {
        let shared = self.0.diffie_hellman(&x25519_dalek::PublicKey::from(their.0));
        Zeroizing::new(shared.to_bytes())
    }
}

impl fmt::Debug for AgreementSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgreementSecret([redacted], public {:?})", self.public())
    }
}

/// An X25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgreementPublic(pub [u8; 32]);

impl fmt::Debug for AgreementPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgreementPublic({})", hex::encode(&self.0[..8]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Kat {
        seed: &'static str,
        public: &'static str,
        message: &'static str,
        signature: &'static str,
    }

    /// RFC 8032 section 7.1, TEST 1 to TEST 3.
    const RFC8032: [Kat; 3] = [
        Kat {
            seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            message: "",
            signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        },
        Kat {
            seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            message: "72",
            signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        },
        Kat {
            seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            public: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            message: "af82",
            signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
        },
    ];

    fn arr<const N: usize>(h: &str) -> [u8; N] {
        hex::decode(h).unwrap().try_into().unwrap()
    }

    #[test]
    fn rfc8032_known_answers() {
        for kat in &RFC8032 {
            let secret = SigningSecret::from_seed(&arr(kat.seed));
            assert_eq!(hex::encode(secret.public().0), kat.public);
            let message = hex::decode(kat.message).unwrap();
            let signature = secret.sign_raw_for_kat(&message);
            assert_eq!(hex::encode(signature), kat.signature);
            secret.public().verify_raw(&message, &signature).unwrap();
            let mut bad = signature;
            bad[0] ^= 1;
            assert_eq!(secret.public().verify_raw(&message, &bad), Err(CryptoError::BadSignature));
        }
    }

    #[test]
    fn labels_separate_domains() {
        let secret = SigningSecret::from_seed(&[7; 32]);
        let signature = secret.sign(b"openstrike/op/v1", b"hello");
        secret.public().verify(b"openstrike/op/v1", b"hello", &signature).unwrap();
        assert!(secret.public().verify(b"openstrike/challenge/v1", b"hello", &signature).is_err());
        // The framing byte keeps label and message apart.
        assert!(secret.public().verify(b"openstrike/op/v", b"1hello", &signature).is_err());
    }

    #[test]
    fn non_canonical_s_is_rejected() {
        // s + L is the same scalar mod L but not canonical: verify_strict must refuse it.
        let secret = SigningSecret::from_seed(&[9; 32]);
        let mut signature = secret.sign(b"l", b"m");
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(signature[32 + i]) + u16::from(L[i]) + carry;
            signature[32 + i] = sum as u8;
            carry = sum >> 8;
        }
        assert!(secret.public().verify(b"l", b"m", &signature).is_err());
    }

    #[test]
    fn secrets_print_redacted() {
        let secret = SigningSecret::from_seed(&[3; 32]);
        let printed = format!("{secret:?}");
        assert!(printed.contains("[redacted]"));
        assert!(!printed.contains(&hex::encode([3u8; 32])));
        let agreement = AgreementSecret::from_bytes([5; 32]);
        assert!(format!("{agreement:?}").contains("[redacted]"));
    }

    #[test]
    fn x25519_agreement_is_symmetric() {
        let a = AgreementSecret::from_bytes([1; 32]);
        let b = AgreementSecret::from_bytes([2; 32]);
        assert_eq!(*a.agree(&b.public()), *b.agree(&a.public()));
    }
}
