//! Hubs: a node that stores and forwards networks' ciphertext under a founder's grant, and
//! the member side of it (issuing grants, proving access). See `strike_sync::hub`.

use strike_core::{Body, Genesis, NetworkId, SealedOp, Writer};
use strike_crypto::SigningSecret;
use strike_net::PeerAddr;
use strike_store::{HubGrantRow, Quota, RelayUsage};
use strike_sync::auth::{Side, proof_message};
use strike_sync::hub::{ACCESS_LABEL, AccessKey, Grant, GrantBody, MAX_ACCESS_KEYS, access_secret};

use crate::{Node, NodeError, Result};

/// A grant lasts this long unless the founder says otherwise.
pub const DEFAULT_GRANT_DAYS: u64 = 365;
/// After a rotation, the previous epoch's access key opens the hub for this long: members who
/// were offline during the rotation fetch the key update from the hub with it.
pub const ACCESS_GRACE_SECS: u64 = 3 * 24 * 3600;

/// One network a hub serves, as `openstrike hub status` shows it.
#[derive(Debug, Clone)]
pub struct HostedNetwork {
    pub network: NetworkId,
    pub issued: u64,
    pub expires: u64,
    pub ops: u64,
    pub bytes: u64,
    pub authors: u64,
}

impl Node {
    /// The genesis of a network this node can read.
    pub(crate) fn genesis(&self, network: &NetworkId) -> Result<Genesis> {
        let row = self.network(network)?;
        let not_readable = || NodeError::NotAllowed("this node cannot read that network's genesis".into());
        let founder = row.founder.ok_or_else(not_readable)?;
        let id = self.store.op_id_at(network, &founder, 1)?.ok_or_else(not_readable)?;
        let bytes = self.store.ops_by_id(network, &[id])?.pop().ok_or_else(not_readable)?;
        let op = SealedOp::from_verified_store(bytes).map_err(NodeError::Refused)?;
        let key = self.store.epoch_key(network, op.envelope().epoch)?.ok_or_else(not_readable)?;
        match op.open(&key).map_err(NodeError::Refused)? {
            Body::Genesis(genesis) => Ok(genesis),
            _ => Err(not_readable()),
        }
    }

    /// The access key this node proves with at hubs: derived from the key it writes under
    /// (on a joiner whose chain has not arrived, the one its voucher wrote under).
    pub fn hub_access(&self, network: &NetworkId) -> Result<Option<(u32, SigningSecret)>> {
        Ok(self.store.access_key(network)?.map(|(epoch, key)| (epoch, access_secret(network, &key))))
    }

    /// The founder lets the hub at `hub` store and forward `network` for `days`. The grant is
    /// kept and presented at the hub on the next sync (and printed, for the hub's operator to
    /// `hub allow` ahead of that); the hub becomes a peer of the network.
    pub fn grant_hub(&mut self, network: &NetworkId, hub: &PeerAddr, days: u64) -> Result<Grant> {
        self.require(network, Writer::Organizer)?;
        let (founder_secret, _) = self
            .store
            .my_author(network)?
            .ok_or_else(|| NodeError::NotAllowed("this node has no author key in that network".into()))?;
        let signer = SigningSecret::from_seed(&founder_secret);
        let genesis = self.genesis(network)?;
        if self.network(network)?.founder.map(|f| f.0) != Some(signer.public().0) {
            return Err(NodeError::NotAllowed(
                "only the network's founder can grant a hub (a hub can check no other key)".into(),
            ));
        }
        if hub.id == self.node_id() {
            return Err(NodeError::InvalidInput("that is this node's own address".into()));
        }
        let (epoch, access) = self
            .hub_access(network)?
            .ok_or_else(|| NodeError::NotAllowed("this node holds no key for that network".into()))?;
        let now = self.now();
        let previous = self.issued_grant(network, &hub.id)?;
        let mut keys = vec![AccessKey { epoch, public: access.public().0, until: None }];
        if let Some(prev) = &previous {
            // Keys of earlier epochs stay open for a grace period, never longer than they were.
            for k in prev.access.iter().filter(|k| k.epoch != epoch && k.until.is_none_or(|u| u > now)) {
                let until = (now + ACCESS_GRACE_SECS).min(k.until.unwrap_or(u64::MAX));
                keys.push(AccessKey { until: Some(until), ..k.clone() });
            }
        }
        keys.truncate(MAX_ACCESS_KEYS);
        let body = GrantBody {
            network: network.0,
            founder: signer.public().0,
            salt: genesis.salt,
            hub: hub.id,
            issued: now.max(previous.as_ref().map_or(0, |p| p.issued + 1)),
            expires: now.saturating_add(days.max(1).saturating_mul(24 * 3600)),
            access: keys,
        };
        let grant = Grant::sign(&body, &signer);
        self.store.put_hub_grant(network, &hub.id, body.issued, &grant.encode())?;
        self.add_peer(network, hub)?;
        self.store.mark_peer_hub(network, &hub.to_string())?;
        Ok(grant)
    }

    /// The newest grant this node issued for a hub, if any.
    fn issued_grant(&self, network: &NetworkId, hub: &[u8; 32]) -> Result<Option<GrantBody>> {
        let Some(row) = self.store.hub_grants(Some(network))?.into_iter().find(|g| &g.hub == hub) else {
            return Ok(None);
        };
        let grant = Grant::decode(&row.grant).map_err(|e| NodeError::InvalidInput(e.to_string()))?;
        Ok(grant.verify(hub, 0).ok())
    }

    /// The grant to present at `hub` (one this node issued), encoded; empty if none.
    pub(crate) fn grant_for(&self, network: &NetworkId, hub: &[u8; 32]) -> Result<Vec<u8>> {
        Ok(self
            .store
            .hub_grants(Some(network))?
            .into_iter()
            .find(|g| &g.hub == hub)
            .map(|g| g.grant)
            .unwrap_or_default())
    }

    /// Upkeep on the founder's node: after a rotation, grants issued for earlier epochs are
    /// issued again for the key members now write under (presented on the next sync).
    pub(crate) fn regrant_hubs(&mut self, network: &NetworkId) -> Result<usize> {
        let Some((epoch, _)) = self.store.write_key(network)? else { return Ok(0) };
        let mut regranted = 0;
        for row in self.store.hub_grants(Some(network))? {
            if row.hub == self.node_id() {
                continue;
            }
            let Some(body) = self.issued_grant(network, &row.hub)? else { continue };
            if body.access.iter().any(|k| k.epoch == epoch && k.until.is_none()) {
                continue;
            }
            let Some(peer) = self
                .peers(Some(network))?
                .into_iter()
                .filter_map(|p| p.addr.parse::<PeerAddr>().ok())
                .find(|p| p.id == row.hub)
            else {
                continue;
            };
            let days = body.expires.saturating_sub(self.now()) / (24 * 3600);
            self.grant_hub(network, &peer, days)?;
            regranted += 1;
        }
        Ok(regranted)
    }

    /// The hub operator accepts a grant ahead of any member presenting it.
    pub fn allow_grant(&mut self, grant: &Grant) -> Result<NetworkId> {
        let body = grant.verify(&self.node_id(), self.now()).map_err(|e| NodeError::InvalidInput(e.to_string()))?;
        let network = NetworkId(body.network);
        self.store.ensure_network(&network, self.now())?;
        self.store.put_hub_grant(&network, &body.hub, body.issued, &grant.encode())?;
        Ok(network)
    }

    /// Whether this node, as a hub, lets in a peer that proves access to `network` for
    /// `epoch`. A grant presented with the request is checked and kept if newer. Every
    /// failure is the same `false`.
    pub(crate) fn hub_admits(
        &mut self,
        network: &NetworkId,
        epoch: u32,
        signature: &[u8; 64],
        presented: &[u8],
        initiator: &[u8; 32],
    ) -> Result<bool> {
        let me = self.node_id();
        let now = self.now();
        if !presented.is_empty()
            && let Ok(grant) = Grant::decode(presented)
            && let Ok(body) = grant.verify(&me, now)
            && body.network == network.0
        {
            self.store.ensure_network(network, now)?;
            if self.store.put_hub_grant(network, &me, body.issued, presented)? {
                tracing::info!(network = %network.short(), "hub: took a newer grant");
            }
        }
        let Some(row) = self.store.hub_grants(Some(network))?.into_iter().find(|g| g.hub == me) else {
            return Ok(false);
        };
        let Ok(body) = Grant::decode(&row.grant).and_then(|g| g.verify(&me, now)) else { return Ok(false) };
        let proof = proof_message(Side::Initiator, &network.0, initiator, &me);
        Ok(body.admits(epoch, &proof, signature, now))
    }

    /// Sets what this node, as a hub, lets each network and author store.
    pub fn set_relay_quota(&mut self, quota: Quota) {
        self.relay_quota = quota;
    }

    pub fn relay_quota(&self) -> Quota {
        self.relay_quota
    }

    /// The networks this node serves as a hub, with what it holds for each.
    pub fn hosted(&self) -> Result<Vec<HostedNetwork>> {
        let me = self.node_id();
        let usage: Vec<RelayUsage> = self.store.relay_usage()?;
        let grants: Vec<HubGrantRow> = self.store.hub_grants(None)?.into_iter().filter(|g| g.hub == me).collect();
        Ok(grants
            .into_iter()
            .map(|g| {
                let expires =
                    Grant::decode(&g.grant).ok().and_then(|gr| gr.verify(&me, 0).ok()).map_or(0, |b| b.expires);
                let u = usage.iter().find(|u| u.network == g.network);
                HostedNetwork {
                    network: g.network,
                    issued: g.issued,
                    expires,
                    ops: u.map_or(0, |u| u.ops),
                    bytes: u.map_or(0, |u| u.bytes),
                    authors: u.map_or(0, |u| u.authors),
                }
            })
            .collect())
    }

    /// Signs the access proof for a session this node opens at a hub.
    pub(crate) fn access_proof(
        &self,
        network: &NetworkId,
        local: &[u8; 32],
        hub: &[u8; 32],
    ) -> Result<Option<(u32, [u8; 64])>> {
        let Some((epoch, secret)) = self.hub_access(network)? else { return Ok(None) };
        let proof = proof_message(Side::Initiator, &network.0, local, hub);
        Ok(Some((epoch, secret.sign(ACCESS_LABEL, &proof))))
    }
}
