//! What a node writes for secret calls and proposals, on its own, after new ops arrive: an
//! issuer's keys for each group, every eligible member's request for credentials (so that
//! having asked means nothing), an issuer's answers to the eligible members' first requests,
//! and unblinding the answers into this member's credentials.

use std::collections::{BTreeMap, BTreeSet};

use strike_core::body::{CredentialIssue, CredentialKey, CredentialRequest};
use strike_core::secret::{Grant, MAX_GRANTS, credential_message};
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId};
use strike_crypto::SigningSecret;
use strike_crypto::blind::{self, Blinding, IssuerKey};
use strike_store::SecretLinkRow;
use zeroize::Zeroizing;

use super::{Link, Scope, decode_link, encode_link};
use crate::{Node, NodeError, Result};

fn crypto(e: strike_crypto::CryptoError) -> NodeError {
    NodeError::InvalidInput(format!("credentials: {e}"))
}

impl Node {
    /// Keys, requests, answers and credentials for every open secret scope. Returns the ops
    /// written.
    pub(crate) fn secret_upkeep(&mut self, network: &NetworkId) -> Result<usize> {
        let Some(me) = self.me_in(network)?.filter(|m| m.status == strike_core::membership::Status::Member) else {
            return Ok(0);
        };
        let now = CoarseTime::from_unix_seconds(self.now());
        let mut written = 0;
        for scope in self.secret_scopes(network)? {
            if now.0 >= scope.until {
                continue;
            }
            let issuer = scope.issuers.iter().position(|a| *a == me.author);
            if issuer.is_some() {
                written += self.publish_issuer_keys(network, &scope)?;
            }
            if scope.eligible.contains_key(&me.author) {
                written += self.ask_or_unblind(network, &scope)?;
            }
            if let Some(i) = issuer {
                written += self.answer_requests(network, &scope, i, &me.author)?;
            }
        }
        Ok(written)
    }

    /// An issuer's key for every group of eligible members it has none for.
    fn publish_issuer_keys(&mut self, network: &NetworkId, scope: &Scope) -> Result<usize> {
        let groups: BTreeSet<String> = scope.eligible.values().cloned().collect();
        let held = self.store.issuer_keys(network, &scope.op)?;
        let mut written = 0;
        for group in groups {
            if held.iter().any(|(g, _, op)| *g == group && op.is_some()) {
                continue;
            }
            let key = match held.iter().find(|(g, ..)| *g == group) {
                Some((_, secret, _)) => IssuerKey::from_der(secret).map_err(crypto)?,
                None => {
                    let key = IssuerKey::generate(&mut rand::rng()).map_err(crypto)?;
                    self.store.put_issuer_key(network, &scope.op, &group, &key.to_der().map_err(crypto)?)?;
                    key
                }
            };
            let body = CredentialKey { scope: scope.op, group: group.clone(), key: key.public_der().map_err(crypto)? };
            let op = self.author(network, Body::CredentialKey(body))?;
            self.store.set_issuer_key_op(network, &scope.op, &group, &op)?;
            written += 1;
        }
        Ok(written)
    }

    /// A member's request once every issuer's key for their group is out; the credentials
    /// once every issuer answered it.
    fn ask_or_unblind(&mut self, network: &NetworkId, scope: &Scope) -> Result<usize> {
        let me = self.me_in(network)?.map(|m| m.author).unwrap_or(AuthorId([0; 32]));
        let Some(group) = scope.eligible.get(&me).cloned() else { return Ok(0) };
        let creds = self.credentials(network, scope)?;
        match self.store.secret_link(network, &scope.op)? {
            None => {
                let Some(keys) = creds.keys.get(&group).and_then(|k| k.iter().copied().collect::<Option<Vec<OpId>>>())
                else {
                    return Ok(0);
                };
                let mut rng = rand::rng();
                let one_time = SigningSecret::generate(&mut rng);
                let message = credential_message(network, &scope.op, &AuthorId(one_time.public().0));
                let mut blindings = Vec::new();
                for k in &keys {
                    let Some((_, Body::CredentialKey(key))) = self.store.fact(network, k)? else {
                        return Ok(0);
                    };
                    let b = blind::blind(&mut rng, &key.key, &message).map_err(crypto)?;
                    blindings.push((b.blinded.clone(), b.secret.to_vec(), b.randomizer));
                }
                let blinded = blindings.iter().map(|b| b.0.clone()).collect();
                let request = self.author(
                    network,
                    Body::CredentialRequest(CredentialRequest { scope: scope.op, keys: keys.clone(), blinded }),
                )?;
                let link = Link { group, keys, blindings, proofs: Vec::new() };
                let row = SecretLinkRow {
                    one_time: Zeroizing::new(one_time.seed().to_vec()),
                    request: Some(request),
                    link: Zeroizing::new(encode_link(&link)?),
                    forgotten: false,
                };
                self.store.put_secret_link(network, &scope.op, &row)?;
                Ok(1)
            }
            Some(row) if !row.forgotten => {
                let mut link = decode_link(&row.link)?;
                let Some(request) = row.request else { return Ok(0) };
                if !link.proofs.is_empty() {
                    return Ok(0);
                }
                // Every issuer's answers to this request, under the key it was asked under.
                let mut answers: BTreeMap<usize, Vec<Vec<u8>>> = BTreeMap::new();
                for f in self.store.facts(network, Kind::CredentialIssue, Some(&scope.op.0))? {
                    let Body::CredentialIssue(issue) = &f.body else { continue };
                    let Some(i) = scope.issuers.iter().position(|a| *a == f.author) else { continue };
                    if link.keys.get(i) != Some(&issue.key) {
                        continue;
                    }
                    if let Some(g) = issue.grants.iter().find(|g| g.request == request) {
                        answers.entry(i).or_default().push(g.signature.clone());
                    }
                }
                if answers.len() < link.keys.len() {
                    return Ok(0);
                }
                let seed = <[u8; 32]>::try_from(&row.one_time[..])
                    .map_err(|_| NodeError::InvalidInput("this node's one-time key is damaged".into()))?;
                let message =
                    credential_message(network, &scope.op, &AuthorId(SigningSecret::from_seed(&seed).public().0));
                let mut proofs = Vec::new();
                for (i, k) in link.keys.iter().enumerate() {
                    let Some((_, Body::CredentialKey(key))) = self.store.fact(network, k)? else { return Ok(0) };
                    let (blinded, secret, randomizer) = link.blindings[i].clone();
                    let blinding = Blinding { blinded, secret: Zeroizing::new(secret), randomizer };
                    // Checked against the published key: an issuer answering under another key
                    // (to tell its members apart) is caught here, and a bad answer does not stop
                    // a good one from counting.
                    let good = answers[&i].iter().find_map(|a| blind::finalize(&key.key, a, &blinding, &message).ok());
                    match good {
                        Some(c) => proofs.push((c.randomizer, c.signature)),
                        None => {
                            tracing::warn!(network = %network.short(), scope = %scope.op.short(), issuer = i,
                                "an issuer's answer does not unblind into a credential under its published key");
                            return Ok(0);
                        }
                    }
                }
                link.proofs = proofs;
                let row = SecretLinkRow { link: Zeroizing::new(encode_link(&link)?), ..row };
                self.store.put_secret_link(network, &scope.op, &row)?;
                Ok(0)
            }
            Some(_) => Ok(0),
        }
    }

    /// An issuer answers the eligible members' first requests it has not answered, each under
    /// its key for the requester's group (as the requester's profile says now).
    fn answer_requests(&mut self, network: &NetworkId, scope: &Scope, i: usize, me: &AuthorId) -> Result<usize> {
        let creds = self.credentials(network, scope)?;
        let mut answered: BTreeSet<OpId> = BTreeSet::new();
        for f in self.store.facts(network, Kind::CredentialIssue, Some(&scope.op.0))? {
            if let Body::CredentialIssue(issue) = &f.body
                && f.author == *me
            {
                answered.extend(issue.grants.iter().map(|g| g.request));
            }
        }
        let requests: BTreeMap<OpId, CredentialRequest> = self
            .store
            .facts(network, Kind::CredentialRequest, Some(&scope.op.0))?
            .into_iter()
            .filter_map(|f| match f.body {
                Body::CredentialRequest(r) => Some((f.op_id, r)),
                _ => None,
            })
            .collect();
        let held = self.store.issuer_keys(network, &scope.op)?;
        let mut by_key: BTreeMap<OpId, Vec<Grant>> = BTreeMap::new();
        for (author, (request, group)) in &creds.requests {
            if answered.contains(request) || scope.eligible.get(author) != Some(group) {
                continue;
            }
            let Some(r) = requests.get(request) else { continue };
            let Some(key_op) = creds.keys.get(group).and_then(|k| k[i]) else { continue };
            let Some((_, secret, _)) = held.iter().find(|(g, _, op)| g == group && *op == Some(key_op)) else {
                continue;
            };
            let key = IssuerKey::from_der(secret).map_err(crypto)?;
            let signature = key.sign_blinded(&r.blinded[i]).map_err(crypto)?;
            by_key.entry(key_op).or_default().push(Grant { request: *request, signature });
        }
        let mut written = 0;
        for (key, grants) in by_key {
            for chunk in grants.chunks(MAX_GRANTS) {
                let body = CredentialIssue { scope: scope.op, key, grants: chunk.to_vec() };
                self.author(network, Body::CredentialIssue(body))?;
                written += 1;
            }
        }
        Ok(written)
    }
}
