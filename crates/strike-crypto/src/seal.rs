//! Sealing a secret to one member's X25519 key: HPKE (RFC 9180) in base mode with
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20-Poly1305.
//!
//! Used to hand epoch keys to members: each member can open only the blob sealed to them.
//! A sealed blob is the 32-byte encapsulated key followed by the ciphertext and its tag.

use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use zeroize::Zeroizing;

use crate::{AgreementPublic, AgreementSecret, CryptoError};

type SuiteKem = X25519HkdfSha256;

/// Bytes a sealed blob adds to its plaintext: encapsulated key and tag.
pub const SEALED_OVERHEAD: usize = 32 + crate::TAG_LEN;

/// Seals `plaintext` to `recipient`. `info` binds the blob to its purpose (it must be a
/// fixed, purpose-specific label); `aad` binds it to its context (for example a network id
/// and an epoch), and both must be repeated to open it.
pub fn seal_to<R: rand_core::CryptoRng>(
    recipient: &AgreementPublic,
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, CryptoError> {
    let pk = <SuiteKem as Kem>::PublicKey::from_bytes(&recipient.0).map_err(|_| CryptoError::BadPublicKey)?;
    let (encapped, ciphertext) = hpke::single_shot_seal_with_rng::<ChaCha20Poly1305, HkdfSha256, SuiteKem>(
        &OpModeS::Base,
        &pk,
        info,
        plaintext,
        aad,
        rng,
    )
    // Encapsulation fails only for a public key whose shared secret is all zeros (a small-order
    // point): a key no honest member has.
    .map_err(|_| CryptoError::BadPublicKey)?;
    let mut out = Vec::with_capacity(SEALED_OVERHEAD + plaintext.len());
    out.extend_from_slice(&encapped.to_bytes());
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Opens a blob sealed to `secret`'s public key with the same `info` and `aad`.
pub fn open_sealed(
    secret: &AgreementSecret,
    info: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < SEALED_OVERHEAD {
        return Err(CryptoError::DecryptFailed);
    }
    let (enc, ciphertext) = sealed.split_at(32);
    let encapped = <SuiteKem as Kem>::EncappedKey::from_bytes(enc).map_err(|_| CryptoError::DecryptFailed)?;
    let sk =
        <SuiteKem as Kem>::PrivateKey::from_bytes(&secret.to_bytes()[..]).map_err(|_| CryptoError::DecryptFailed)?;
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, SuiteKem>(
        &OpModeR::Base,
        &sk,
        &encapped,
        info,
        ciphertext,
        aad,
    )
    .map(Zeroizing::new)
    .map_err(|_| CryptoError::DecryptFailed)
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    /// An "RNG" that returns fixed bytes: the RFC's ephemeral input keying material.
    struct Fixed(Vec<u8>);

    impl rand_core::TryRng for Fixed {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            unreachable!("HPKE only asks for bytes")
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            unreachable!("HPKE only asks for bytes")
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            let n = dst.len();
            dst.copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Fixed {}

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// RFC 9180 appendix A.2.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305,
    /// base mode, sequence number 0.
    #[test]
    fn rfc9180_a2_1_known_answer() {
        let info = unhex("4f6465206f6e2061204772656369616e2055726e");
        let ikm_e = unhex("909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b");
        let sk_r: [u8; 32] =
            unhex("8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb").try_into().unwrap();
        let pt = unhex("4265617574792069732074727574682c20747275746820626561757479");
        let aad = unhex("436f756e742d30");
        let recipient = AgreementSecret::from_bytes(sk_r);
        assert_eq!(
            hex::encode(recipient.public().0),
            "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a"
        );
        let sealed = seal_to(&recipient.public(), &info, &aad, &pt, &mut Fixed(ikm_e)).unwrap();
        assert_eq!(hex::encode(&sealed[..32]), "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a");
        assert_eq!(
            hex::encode(&sealed[32..]),
            "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28"
        );
        assert_eq!(*open_sealed(&recipient, &info, &aad, &sealed).unwrap(), pt);
    }

    #[test]
    fn only_the_recipient_with_the_same_context_opens() {
        let mut rng = rand::rng();
        let member = AgreementSecret::generate(&mut rng);
        let other = AgreementSecret::generate(&mut rng);
        let sealed = seal_to(&member.public(), b"openstrike epoch key v1", b"network|epoch 3", b"k", &mut rng).unwrap();
        assert_eq!(sealed.len(), SEALED_OVERHEAD + 1);
        assert_eq!(*open_sealed(&member, b"openstrike epoch key v1", b"network|epoch 3", &sealed).unwrap(), b"k");
        assert!(open_sealed(&other, b"openstrike epoch key v1", b"network|epoch 3", &sealed).is_err());
        assert!(open_sealed(&member, b"openstrike epoch key v1", b"network|epoch 4", &sealed).is_err());
        assert!(open_sealed(&member, b"another purpose", b"network|epoch 3", &sealed).is_err());
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(open_sealed(&member, b"openstrike epoch key v1", b"network|epoch 3", &bad).is_err(), "byte {i}");
        }
        assert!(open_sealed(&member, b"openstrike epoch key v1", b"network|epoch 3", &sealed[..40]).is_err());
    }

    #[test]
    fn small_order_recipient_keys_are_refused() {
        // The all-zero point has order 1: every shared secret with it would be zero.
        assert_eq!(
            seal_to(&AgreementPublic([0; 32]), b"i", b"a", b"p", &mut rand::rng()),
            Err(CryptoError::BadPublicKey)
        );
    }
}
