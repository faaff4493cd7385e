//! Secret pledges and secret ballots (`docs/protocol.md`, "Secret pledges and ballots"):
//! counted by every node, linked to nobody.
//!
//! A secret call or proposal names its issuers: up to [`MAX_ISSUERS`] organizers. Each issuer
//! publishes a blind-signing key per group ([`CredentialKey`]; a group is the combination of
//! department, shift or workplace the call's per-group rules read, so that a pledge proves its
//! group without proving who made it). Every eligible member's node asks each issuer for one
//! credential ([`CredentialRequest`]: blinded messages, under the member's own key, so the
//! issuance is logged and checked against the eligible members); the issuers answer
//! ([`CredentialIssue`]). The member's node unblinds the answers into credentials on a fresh
//! one-time author key, and pledges or votes as that one-time author ([`SecretPledge`],
//! [`SecretBallot`]), carrying one credential per issuer. Nobody can link the one-time author to
//! the request. The fold ([`fold::credentials`]) decides which one-time authors count.

pub mod fold;

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN};
use crate::bytes::{bytes_array, bytes_vec};
use crate::votes::BallotContent;
use crate::{AuthorId, NetworkId, OpId, Reject};

/// Most issuers a secret call or proposal names (all its network's organizers, up to this).
pub const MAX_ISSUERS: usize = 3;
/// Fewest eligible members a group of a secret call may have: a pledge hides among them.
pub const MIN_GROUP: usize = 5;
/// Most groups a secret call's rules may split its members into.
pub const MAX_GROUPS: usize = 64;
/// Most grants one issuing op carries.
pub const MAX_GRANTS: usize = 200;
/// What a credential's message starts with.
pub const CREDENTIAL_LABEL: &[u8] = b"openstrike/credential/v1";
/// Secret ops claim a time rounded down to this many minutes (never before their
/// dependencies'), so that their order in the log says nothing.
pub const SECRET_TIME_MINUTES: u32 = 60;

fn invalid(message: impl Into<String>) -> Reject {
    Reject::InvalidBody(message.into())
}

/// A call's or proposal's secrecy: who issues its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secrecy {
    /// Distinct organizers, 1 to [`MAX_ISSUERS`]; a secret op carries one credential from each.
    pub issuers: Vec<AuthorId>,
}

impl Secrecy {
    pub fn check(&self) -> Result<(), Reject> {
        let n = self.issuers.len();
        if n == 0 || n > MAX_ISSUERS {
            return Err(invalid(format!("a secret call or vote names 1 to {MAX_ISSUERS} issuers")));
        }
        if self.issuers.iter().enumerate().any(|(i, a)| self.issuers[..i].contains(a)) {
            return Err(invalid("its issuers are distinct"));
        }
        Ok(())
    }
}

/// The message a credential signs: the label, then the network, the call or proposal, and the
/// one-time author the credential is for.
pub fn credential_message(network: &NetworkId, scope: &OpId, one_time: &AuthorId) -> Vec<u8> {
    let mut m = Vec::with_capacity(CREDENTIAL_LABEL.len() + 1 + 96);
    m.extend_from_slice(CREDENTIAL_LABEL);
    m.push(0);
    m.extend_from_slice(&network.0);
    m.extend_from_slice(&scope.0);
    m.extend_from_slice(&one_time.0);
    m
}

/// An issuer's blind-signing public key for one group of a secret call or proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialKey {
    pub scope: OpId,
    /// The group (`department=packing;shift=night`, or empty for everyone eligible).
    pub group: String,
    /// RSA public key (SubjectPublicKeyInfo, DER) for RSABSSA-SHA384-PSS-Randomized.
    #[serde(with = "bytes_vec")]
    pub key: Vec<u8>,
}

impl Fact for CredentialKey {
    fn check(&self) -> Result<(), Reject> {
        check_group(&self.group)?;
        if self.key.is_empty() || self.key.len() > strike_crypto::blind::MAX_BLIND_PUBLIC_LEN {
            return Err(invalid("an issuer key is an RSA public key"));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.scope.0)
    }
}

fn check_group(group: &str) -> Result<(), Reject> {
    if group.len() > MAX_FIELD_LEN * 3 || group.chars().any(char::is_control) {
        return Err(invalid("a group is a short line of text"));
    }
    Ok(())
}

/// A member asks every issuer for a credential: one blinded message per issuer, under the keys
/// named (one per issuer, in the scope's issuer order, all of one group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRequest {
    pub scope: OpId,
    pub keys: Vec<OpId>,
    #[serde(with = "blinded_list")]
    pub blinded: Vec<Vec<u8>>,
}

impl Fact for CredentialRequest {
    fn check(&self) -> Result<(), Reject> {
        if self.keys.is_empty() || self.keys.len() > MAX_ISSUERS || self.blinded.len() != self.keys.len() {
            return Err(invalid("a request carries one blinded message per issuer"));
        }
        if self.blinded.iter().any(|b| b.len() != strike_crypto::blind::BLIND_LEN) {
            return Err(invalid("a blinded message is as long as an issuer key's modulus"));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.scope.0)
    }
}

/// An issuer's answers to requests, under one of its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialIssue {
    pub scope: OpId,
    /// The issuer's key the answers are made with.
    pub key: OpId,
    pub grants: Vec<Grant>,
}

/// One answer: the blind signature on a request's blinded message for this issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub request: OpId,
    #[serde(with = "bytes_vec")]
    pub signature: Vec<u8>,
}

impl Fact for CredentialIssue {
    fn check(&self) -> Result<(), Reject> {
        if self.grants.is_empty() || self.grants.len() > MAX_GRANTS {
            return Err(invalid(format!("an issuing op answers 1 to {MAX_GRANTS} requests")));
        }
        if self.grants.iter().any(|g| g.signature.len() != strike_crypto::blind::BLIND_LEN) {
            return Err(invalid("a blind signature is as long as the issuer key's modulus"));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.scope.0)
    }
}

/// A credential as a secret op carries it: the issuer's signature and its randomizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    #[serde(with = "bytes_array")]
    pub randomizer: [u8; 32],
    #[serde(with = "bytes_vec")]
    pub signature: Vec<u8>,
}

impl Proof {
    pub fn credential(&self) -> strike_crypto::blind::Credential {
        strike_crypto::blind::Credential { randomizer: self.randomizer, signature: self.signature.clone() }
    }
}

/// A pledge (or a withdrawal) on a secret call, by a one-time author, with its credentials
/// under the named keys (one per issuer, in the call's issuer order, all of one group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretPledge {
    pub call: OpId,
    pub keys: Vec<OpId>,
    pub proofs: Vec<Proof>,
    pub pledged: bool,
}

impl Fact for SecretPledge {
    fn check(&self) -> Result<(), Reject> {
        check_proofs(&self.keys, &self.proofs)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.call.0)
    }
}

/// A ballot on a secret proposal, by a one-time author, with its credentials; the latest (by
/// the one-time author's sequence number) counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretBallot {
    pub proposal: OpId,
    pub keys: Vec<OpId>,
    pub proofs: Vec<Proof>,
    pub content: BallotContent,
}

impl Fact for SecretBallot {
    fn check(&self) -> Result<(), Reject> {
        check_proofs(&self.keys, &self.proofs)?;
        crate::votes::Ballot { proposal: self.proposal, content: self.content.clone(), circle: None }.check()
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.proposal.0)
    }
}

fn check_proofs(keys: &[OpId], proofs: &[Proof]) -> Result<(), Reject> {
    if keys.is_empty() || keys.len() > MAX_ISSUERS || proofs.len() != keys.len() {
        return Err(Reject::BadCredential("a secret op carries one credential per issuer"));
    }
    if proofs.iter().any(|p| p.signature.len() != strike_crypto::blind::BLIND_LEN) {
        return Err(Reject::BadCredential("a credential is as long as its issuer key's modulus"));
    }
    Ok(())
}

/// What a secret op claims of its scope: the scope, the keys and the credentials.
pub fn secret_parts(body: &crate::Body) -> Option<(&OpId, &[OpId], &[Proof])> {
    match body {
        crate::Body::SecretPledge(p) => Some((&p.call, &p.keys, &p.proofs)),
        crate::Body::SecretBallot(b) => Some((&b.proposal, &b.keys, &b.proofs)),
        _ => None,
    }
}

/// Checks a secret op's credentials, given what its named keys are (in its order): each key
/// is an issuer's key for the op's scope (the `i`-th issuer's for the `i`-th), all of one group,
/// and each credential verifies on the message for the op's one-time author. Returns the group.
pub fn check_credentials(
    network: &NetworkId,
    one_time: &AuthorId,
    scope: &OpId,
    issuers: &[AuthorId],
    keys: &[(AuthorId, CredentialKey)],
    proofs: &[Proof],
) -> Result<String, Reject> {
    if keys.len() != issuers.len() || proofs.len() != issuers.len() {
        return Err(Reject::BadCredential("one credential from each of the scope's issuers"));
    }
    let group = keys.first().map(|(_, k)| k.group.clone()).unwrap_or_default();
    let message = credential_message(network, scope, one_time);
    for ((issuer, (author, key)), proof) in issuers.iter().zip(keys).zip(proofs) {
        if author != issuer || key.scope != *scope {
            return Err(Reject::BadCredential("a key that is not this scope's issuer's"));
        }
        if key.group != group {
            return Err(Reject::BadCredential("keys of different groups"));
        }
        strike_crypto::blind::verify(&key.key, &proof.credential(), &message)
            .map_err(|_| Reject::BadCredential("a credential that does not verify"))?;
    }
    Ok(group)
}

/// Serde for a list of byte strings.
mod blinded_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct B(#[serde(with = "crate::bytes::bytes_vec")] Vec<u8>);

    pub fn serialize<S: Serializer>(value: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        value.iter().map(|v| B(v.clone())).collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        Ok(Vec::<B>::deserialize(d)?.into_iter().map(|b| b.0).collect())
    }
}
