//! Keys and upkeep: what a member's node writes after new ops arrive: key shares for newly
//! admitted members, a new network key when a removed member holds the current one, history
//! keys in a network that keeps new members out of its past, checkpoints closing calls at
//! their deadline, hub grants for a new epoch.

use strike_core::body::{History, HistoryMode, KeyShare, KeyUpdate, MemberShare, SealedKey};
use strike_core::membership::{self, KEY_SEAL_INFO, Status};
use strike_core::{Body, NetworkId, OpId, Role, Writer};
use strike_crypto::{AgreementPublic, SymmetricKey};
use strike_store::MemberRow;

use crate::{Node, Result};

/// Key updates carry at most this many shares each (about 112 bytes apiece): one op stays far
/// below the 64 KiB limit, and a network of 10,000 members rotates in 25 ops.
pub const SHARES_PER_KEY_UPDATE: usize = 400;

/// What upkeep wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upkeep {
    pub key_shares: usize,
    pub rotated_to: Option<u32>,
    pub checkpoints: usize,
    /// Hub grants issued again for a new epoch (the founder's node only).
    pub hub_grants: usize,
    /// A fresh history key, sealed after an admission or a removal.
    pub history_rotated_to: Option<u32>,
    /// Circles given a fresh key (someone joined or left them, or the network).
    pub circle_keys: usize,
    /// Issuer keys, credential requests and answers written for secret calls and votes.
    pub credentials: usize,
}

impl Node {
    /// Seals a fresh epoch key to every current member (this node included) in key updates
    /// written under the current epoch. Returns the new epoch and the number of shares.
    pub(crate) fn rotate(&mut self, network: &NetworkId) -> Result<(u32, usize)> {
        let (epoch, n) = self.seal_fresh_key(network, Body::KeyUpdate)?;
        tracing::info!(network = %network.short(), epoch, recipients = n, "network key rotated");
        // Hubs this node granted learn the new access key on the next sync; the old one
        // stops opening them after the grace period.
        self.regrant_hubs(network)?;
        Ok((epoch, n))
    }

    /// Seals a fresh history key to every current member: what history-layer bodies are
    /// written under from now on, in a network that keeps new members out of its past.
    pub(crate) fn rotate_history(&mut self, network: &NetworkId) -> Result<u32> {
        let (epoch, n) = self.seal_fresh_key(network, Body::HistoryKey)?;
        tracing::info!(network = %network.short(), epoch, recipients = n, "history key rotated");
        Ok(epoch)
    }

    /// A fresh key sealed (HPKE) to every current member, in ops made by `wrap` (key updates
    /// or history keys) of at most [`SHARES_PER_KEY_UPDATE`] shares, all in one batch under
    /// the current epoch, so each member can read the op that holds their share.
    fn seal_fresh_key(&mut self, network: &NetworkId, wrap: fn(KeyUpdate) -> Body) -> Result<(u32, usize)> {
        let mut rng = rand::rng();
        let key = SymmetricKey::generate(&mut rng);
        let epoch = membership::rotated_epoch(key.expose());
        let mut recipients: Vec<MemberRow> =
            self.members(network)?.into_iter().filter(|m| m.status == Status::Member).collect();
        recipients.sort_by_key(|m| m.author);
        let mut bodies = Vec::new();
        for chunk in recipients.chunks(SHARES_PER_KEY_UPDATE) {
            let mut shares = Vec::with_capacity(chunk.len());
            for m in chunk {
                let aad = membership::key_seal_aad(network, epoch, &m.author);
                let sealed =
                    strike_crypto::seal_to(&AgreementPublic(m.agreement), KEY_SEAL_INFO, &aad, key.expose(), &mut rng)?;
                shares.push(MemberShare { member: m.author, sealed });
            }
            bodies.push(wrap(KeyUpdate { epoch, shares }));
        }
        self.author_many(network, bodies)?;
        Ok((epoch, recipients.len()))
    }

    /// Sets what new members may read of what was written before their admission
    /// (organizers). Keeping them out starts a history key at once; from then on, every
    /// admission and removal gives the history layer a fresh key.
    pub fn set_history(&mut self, network: &NetworkId, mode: HistoryMode) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let op = self.author(network, Body::History(History { mode }))?;
        if mode == HistoryMode::SinceAdmission && self.store.history_key(network)?.is_none() {
            self.rotate_history(network)?;
        }
        Ok(op)
    }

    /// What a member's node writes after new ops arrived. Idempotent: run it as often as you like.
    pub fn upkeep(&mut self, network: &NetworkId) -> Result<Upkeep> {
        let mut done = Upkeep::default();
        let Ok(me) = self.require(network, Writer::Member) else { return Ok(done) };
        if self.write_gate(network).is_err() {
            // Nothing is signed until the chain is known to be fresh (or under a new key).
            return Ok(done);
        }
        let people = self.members(network)?;
        // Key shares for admitted members who lack keys this node holds: written by organizers
        // and by the member's vouchers, under the member's invite's join key.
        let mut held = self.store.network_keys(network)?;
        // The key this node writes under goes last in every share: a joiner whose share
        // arrives before the chain proves access at hubs with it (`docs/protocol.md`).
        if let Some((write, _)) = self.store.write_key(network)? {
            held.sort_by_key(|(epoch, _)| *epoch == write);
        }
        let mut shared_epochs = self.store.shared_epochs(network)?;
        for m in people.iter().filter(|m| m.status == Status::Member && m.author != me.author) {
            if me.role != Role::Organizer && !m.vouchers.contains(&me.author) {
                continue;
            }
            let shared = shared_epochs.remove(&m.author).unwrap_or_default();
            let missing: Vec<&(u32, SymmetricKey)> = held.iter().filter(|(e, _)| !shared.contains(e)).collect();
            if missing.is_empty() {
                continue;
            }
            let Some(invite) = self.store.invite_of(network, &m.author)? else { continue };
            let join_epoch = membership::join_epoch(&invite);
            let Some(join_key) = self.store.epoch_key(network, join_epoch)? else { continue };
            let mut rng = rand::rng();
            let mut keys = Vec::new();
            for (epoch, key) in missing {
                let aad = membership::key_seal_aad(network, *epoch, &m.author);
                let sealed =
                    strike_crypto::seal_to(&AgreementPublic(m.agreement), KEY_SEAL_INFO, &aad, key.expose(), &mut rng)?;
                keys.push(SealedKey { epoch: *epoch, sealed });
            }
            let body = Body::KeyShare(KeyShare { member: m.author, keys });
            self.author_with_key(network, body, Some((join_epoch, join_key)))?;
            done.key_shares += 1;
        }
        if me.role == Role::Organizer {
            // A removed member must not hold the key members write under.
            if let Some((epoch, _)) = self.store.write_key(network)? {
                let recipients = self.store.epoch_recipients(network, epoch)?;
                let exposed = people.iter().any(|p| {
                    p.status == Status::Removed && (epoch == 0 && p.count_upto > 0 || recipients.contains(&p.author))
                });
                if exposed {
                    done.rotated_to = Some(self.rotate(network)?.0);
                }
            }
            if self.history_key_is_due(network)? {
                done.history_rotated_to = Some(self.rotate_history(network)?);
            }
            done.checkpoints = self.close_due_calls(network)? + self.close_due_proposals(network)?;
            done.hub_grants = self.regrant_hubs(network)?;
        }
        done.circle_keys = self.circle_upkeep(network)?.rotated;
        done.credentials = self.secret_upkeep(network)?;
        Ok(done)
    }
}

impl Node {
    /// In a network that keeps new members out of its past: whether the history layer needs a
    /// fresh key because there is none, a member was admitted since the current one (they
    /// must not read what was written under it), or a removed member holds it.
    fn history_key_is_due(&self, network: &NetworkId) -> Result<bool> {
        if self.store.history_mode(network)? != HistoryMode::SinceAdmission {
            return Ok(false);
        }
        let Some((epoch, _)) = self.store.history_key(network)? else { return Ok(true) };
        let recipients = self.store.epoch_recipients(network, epoch)?;
        Ok(self.members(network)?.iter().any(|p| match p.status {
            Status::Member => !recipients.contains(&p.author),
            Status::Removed => recipients.contains(&p.author),
            Status::Pending => false,
        }))
    }
}
