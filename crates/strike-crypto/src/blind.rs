//! Blind signatures for credentials: RSABSSA-SHA384-PSS-Randomized (RFC 9474) with 2048-bit
//! keys, through the `blind-rsa-signatures` crate.
//!
//! An issuer holds an [`IssuerKey`]; a member's node [`blind`]s a message (a one-time key
//! bound to a call or proposal) under the issuer's public key and sends only the blinded
//! message; the issuer signs it ([`IssuerKey::sign_blinded`]) without seeing the message; the
//! member's node unblinds the answer into a [`Credential`] ([`finalize`], which also checks it
//! against the published key, so an issuer answering under another key is caught) that anyone
//! verifies ([`verify`]) and nobody, the issuer included, can link to the blinded request.

use blind_rsa_signatures::{
    BlindMessage, BlindSignature, BlindingResult, KeyPair, MessageRandomizer, PSS, PublicKey, Randomized, Secret,
    SecretKey, Sha384, Signature,
};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::CryptoError;

type Pk = PublicKey<Sha384, PSS, Randomized>;
type Sk = SecretKey<Sha384, PSS, Randomized>;

/// Issuer keys' modulus size, in bits.
pub const BLIND_KEY_BITS: usize = 2048;
/// Bytes of a blinded message, a blind signature and a signature (the modulus size).
pub const BLIND_LEN: usize = BLIND_KEY_BITS / 8;
/// Most bytes of an issuer's public key (SubjectPublicKeyInfo, DER).
pub const MAX_BLIND_PUBLIC_LEN: usize = 600;

fn public(der: &[u8]) -> Result<Pk, CryptoError> {
    if der.len() > MAX_BLIND_PUBLIC_LEN {
        return Err(CryptoError::BadPublicKey);
    }
    let pk = Pk::from_der(der).map_err(|_| CryptoError::BadPublicKey)?;
    // Only the size this system issues under: no weak keys slipped into a call.
    if pk.components().n().len() != BLIND_LEN {
        return Err(CryptoError::BadPublicKey);
    }
    Ok(pk)
}

/// An issuer's secret key for one scope (a call's or proposal's group).
pub struct IssuerKey(Sk);

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuerKey([redacted])")
    }
}

impl IssuerKey {
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<IssuerKey, CryptoError> {
        let kp = KeyPair::<Sha384, PSS, Randomized>::generate(rng, BLIND_KEY_BITS)
            .map_err(|e| CryptoError::KdfParams(format!("issuer key: {e}")))?;
        Ok(IssuerKey(kp.sk))
    }

    /// The public key as published (SubjectPublicKeyInfo, DER).
    pub fn public_der(&self) -> Result<Vec<u8>, CryptoError> {
        self.0.public_key().and_then(|pk| pk.to_der()).map_err(|_| CryptoError::BadPublicKey)
    }

    /// The secret key (PKCS#8, DER) for this node's encrypted store.
    pub fn to_der(&self) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.0.to_der().map(Zeroizing::new).map_err(|_| CryptoError::BadPublicKey)
    }

    pub fn from_der(der: &[u8]) -> Result<IssuerKey, CryptoError> {
        Sk::from_der(der).map(IssuerKey).map_err(|_| CryptoError::BadPublicKey)
    }

    /// Signs a blinded message (the RSA private operation, with base blinding against timing).
    pub fn sign_blinded(&self, blinded: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.0.blind_sign(blinded).map(|s| s.0).map_err(|_| CryptoError::BadSignature)
    }
}

/// What a member's node keeps of a blinding until the issuer answers: the blinded message it
/// sent, and the secret that unblinds the answer.
#[derive(Clone, PartialEq, Eq)]
pub struct Blinding {
    pub blinded: Vec<u8>,
    pub secret: Zeroizing<Vec<u8>>,
    pub randomizer: [u8; 32],
}

impl std::fmt::Debug for Blinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Blinding([redacted])")
    }
}

/// A credential: the issuer's signature on a message, with the randomizer it was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub randomizer: [u8; 32],
    pub signature: Vec<u8>,
}

/// Blinds `message` for the issuer whose public key is `issuer`.
pub fn blind<R: CryptoRng + ?Sized>(rng: &mut R, issuer: &[u8], message: &[u8]) -> Result<Blinding, CryptoError> {
    let r = public(issuer)?.blind(rng, message).map_err(|_| CryptoError::BadPublicKey)?;
    let randomizer = r.msg_randomizer.map(|m| m.0).ok_or(CryptoError::BadSignature)?;
    Ok(Blinding { blinded: r.blind_message.0, secret: Zeroizing::new(r.secret.0), randomizer })
}

/// Unblinds the issuer's answer into a credential on `message`, checked against `issuer`.
pub fn finalize(
    issuer: &[u8],
    blind_signature: &[u8],
    blinding: &Blinding,
    message: &[u8],
) -> Result<Credential, CryptoError> {
    let result = BlindingResult {
        blind_message: BlindMessage(blinding.blinded.clone()),
        secret: Secret(blinding.secret.to_vec()),
        msg_randomizer: Some(MessageRandomizer(blinding.randomizer)),
    };
    let sig = public(issuer)?
        .finalize(&BlindSignature(blind_signature.to_vec()), &result, message)
        .map_err(|_| CryptoError::BadSignature)?;
    Ok(Credential { randomizer: blinding.randomizer, signature: sig.0 })
}

/// An issuer key's modulus, big-endian: what a signature or a blinding factor is taken modulo.
pub fn modulus(issuer: &[u8]) -> Result<Vec<u8>, CryptoError> {
    Ok(public(issuer)?.components().n())
}

/// Whether `credential` is the issuer's signature on `message`.
pub fn verify(issuer: &[u8], credential: &Credential, message: &[u8]) -> Result<(), CryptoError> {
    public(issuer)?
        .verify(&Signature(credential.signature.clone()), Some(MessageRandomizer(credential.randomizer)), message)
        .map_err(|_| CryptoError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blinded_credential_verifies_and_only_for_its_message_and_key() {
        let mut rng = rand::rng();
        let key = IssuerKey::generate(&mut rng).unwrap();
        let public = key.public_der().unwrap();
        let b = blind(&mut rng, &public, b"one-time key A").unwrap();
        assert_eq!(b.blinded.len(), BLIND_LEN);
        let answer = key.sign_blinded(&b.blinded).unwrap();
        let c = finalize(&public, &answer, &b, b"one-time key A").unwrap();
        verify(&public, &c, b"one-time key A").unwrap();
        assert_eq!(verify(&public, &c, b"one-time key B"), Err(CryptoError::BadSignature));
        let other = IssuerKey::generate(&mut rng).unwrap().public_der().unwrap();
        assert_eq!(verify(&other, &c, b"one-time key A"), Err(CryptoError::BadSignature));
        // An issuer answering under another key than the one it published is caught.
        let rogue = IssuerKey::generate(&mut rng).unwrap();
        let bad = rogue.sign_blinded(&b.blinded);
        assert!(bad.is_err() || finalize(&public, &bad.unwrap(), &b, b"one-time key A").is_err());
        // The secret key round-trips through its DER form.
        let again = IssuerKey::from_der(&key.to_der().unwrap()).unwrap();
        assert_eq!(again.public_der().unwrap(), public);
    }
}
