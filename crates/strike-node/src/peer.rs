//! Sync with peers over the network: membership proofs, then sync sessions, over any
//! [`Channel`] the transport opens.

use strike_core::membership::Status;
use strike_core::{AuthorId, NetworkId};
use strike_crypto::{SigningPublic, SigningSecret};
use strike_net::{Channel, Net, NetError, PeerAddr};
use strike_sync::auth::{AUTH_LABEL, Auth, Side, proof_message};

use crate::sync::{SyncDriver, SyncFailure, SyncSummary};
use crate::{Node, NodeError, Result};

/// Sessions per `sync` with one peer at most (each moves at least one op while they differ).
const MAX_SESSIONS: usize = 8;

impl From<NetError> for NodeError {
    fn from(e: NetError) -> Self {
        NodeError::Network(e.to_string())
    }
}

impl From<SyncFailure> for NodeError {
    fn from(e: SyncFailure) -> Self {
        match e {
            SyncFailure::Node(n) => n,
            SyncFailure::Protocol(p) => NodeError::Network(p.to_string()),
        }
    }
}

impl Node {
    /// The transport secret key: the node's root signing key (never an author key), so the
    /// node's address is stable and unlinkable to its authors.
    pub fn transport_secret(&self) -> [u8; 32] {
        *self.secrets.node_signing.seed()
    }

    /// Binds this node's QUIC endpoint.
    pub async fn bind(&self, listen: std::net::SocketAddr) -> Result<Net> {
        Ok(Net::bind(self.transport_secret(), listen).await?)
    }

    /// This node's author in a network, if it is a current member there.
    fn member_author(&self, network: &NetworkId) -> Result<Option<SigningSecret>> {
        let Some(me) = self.me_in(network).ok().flatten() else { return Ok(None) };
        if me.status != Status::Member {
            return Ok(None);
        }
        Ok(self.store.my_author(network)?.map(|(seed, _)| SigningSecret::from_seed(&seed)))
    }

    fn is_member(&self, network: &NetworkId, author: &AuthorId) -> bool {
        self.members(network).is_ok_and(|m| m.iter().any(|m| m.author == *author && m.status == Status::Member))
    }

    /// Syncs `network` with a peer: proves membership, checks the peer's proof, then runs
    /// sessions until one moves nothing. Every op received goes through ingest.
    pub async fn sync_with(&mut self, net: &Net, peer: &PeerAddr, network: NetworkId) -> Result<SyncSummary> {
        self.sync_with_progress(net, peer, network, &mut |_| {}).await
    }

    /// As [`Node::sync_with`], calling `progress` after every frame received with the
    /// session's running summary (ops and bytes; `stats.expected_incoming` when known).
    pub async fn sync_with_progress(
        &mut self,
        net: &Net,
        peer: &PeerAddr,
        network: NetworkId,
        progress: &mut (dyn FnMut(&SyncSummary) + Send),
    ) -> Result<SyncSummary> {
        let signer = self
            .member_author(&network)?
            .ok_or_else(|| NodeError::NotAllowed("this node is not an admitted member of that network".into()))?;
        let mut total: Option<SyncSummary> = None;
        for _ in 0..MAX_SESSIONS {
            let mut ch = net.connect(peer).await?;
            let proof = proof_message(Side::Initiator, &network.0, &ch.local, &ch.remote);
            let open = Auth::Open {
                network: network.0,
                author: signer.public().0,
                signature: signer.sign(AUTH_LABEL, &proof),
            };
            ch.send(&open.encode()).await?;
            match Auth::decode(&ch.recv().await?) {
                Some(Auth::Accepted { author, signature }) => {
                    let expected = proof_message(Side::Responder, &network.0, &ch.remote, &ch.local);
                    let valid = SigningPublic(author).verify(AUTH_LABEL, &expected, &signature).is_ok();
                    if !valid || !self.is_member(&network, &AuthorId(author)) {
                        return Err(NodeError::NotAllowed("the peer could not prove it is a member".into()));
                    }
                }
                _ => {
                    return Err(NodeError::NotAllowed(
                        "the peer refused: it does not hold this network for you".into(),
                    ));
                }
            }
            let (mut driver, hello) = SyncDriver::initiate(self, network)?;
            ch.send(&hello).await?;
            while !driver.is_finished() {
                let frame = ch.recv().await?;
                for out in driver.handle(self, &frame)? {
                    ch.send(&out).await?;
                }
                progress(&driver.summary);
            }
            ch.finish().await;
            let s = driver.summary;
            let moved = s.stats.ops_sent + s.stats.ops_received;
            tracing::info!(network = %network.short(), peer = %hex::encode(&peer.id[..8]), sent = s.stats.ops_sent,
                received = s.stats.ops_received, bytes_out = s.bytes_sent, bytes_in = s.bytes_received, "sync session");
            total = Some(match total {
                None => s,
                Some(mut t) => {
                    t.stats.ops_sent += s.stats.ops_sent;
                    t.stats.ops_received += s.stats.ops_received;
                    t.bytes_sent += s.bytes_sent;
                    t.bytes_received += s.bytes_received;
                    t.messages_sent += s.messages_sent;
                    t.ingest.merge(&s.ingest);
                    t
                }
            });
            if moved == 0 {
                break;
            }
        }
        self.upkeep(&network)?;
        self.store.mark_synced(&network, &peer.to_string(), self.now())?;
        total.ok_or_else(|| NodeError::Network("no session ran".into()))
    }

    /// Serves one incoming connection: checks the peer's proof, proves this node's
    /// membership, and answers one session. A peer that fails gets `Refused` and nothing else.
    pub async fn serve_channel(&mut self, mut ch: Channel) -> Result<Option<SyncSummary>> {
        let Some(Auth::Open { network, author, signature }) = Auth::decode(&ch.recv().await?) else {
            ch.send(&Auth::Refused.encode()).await.ok();
            return Ok(None);
        };
        let network = NetworkId(network);
        let proof = proof_message(Side::Initiator, &network.0, &ch.remote, &ch.local);
        let signer = self.member_author(&network).ok().flatten();
        let admitted = signer.is_some()
            && SigningPublic(author).verify(AUTH_LABEL, &proof, &signature).is_ok()
            && self.is_member(&network, &AuthorId(author));
        let Some(signer) = signer.filter(|_| admitted) else {
            tracing::info!(peer = %hex::encode(&ch.remote[..8]), "refused a peer without proof of membership");
            ch.send(&Auth::Refused.encode()).await.ok();
            ch.finish().await;
            return Ok(None);
        };
        let mine = proof_message(Side::Responder, &network.0, &ch.local, &ch.remote);
        ch.send(&Auth::Accepted { author: signer.public().0, signature: signer.sign(AUTH_LABEL, &mine) }.encode())
            .await?;
        let remote = ch.remote;
        let mut driver = SyncDriver::respond(network);
        while !driver.is_finished() {
            let frame = ch.recv().await?;
            for out in driver.handle(self, &frame)? {
                ch.send(&out).await?;
            }
        }
        ch.finish().await;
        self.upkeep(&network)?;
        let s = driver.summary;
        tracing::info!(network = %network.short(), peer = %hex::encode(&remote[..8]), sent = s.stats.ops_sent,
            received = s.stats.ops_received, "served a sync session");
        Ok(Some(s))
    }

    /// Accepts connections and serves them one at a time, until `until` resolves or
    /// `max_sessions` sessions (counting refusals) were served.
    pub async fn serve(&mut self, net: &Net, max_sessions: Option<usize>) -> Result<usize> {
        let mut served = 0;
        while max_sessions.is_none_or(|m| served < m) {
            let Some(incoming) = net.accept().await else { break };
            served += 1;
            match incoming {
                Ok(ch) => {
                    if let Err(e) = self.serve_channel(ch).await {
                        tracing::warn!(error = %e, "sync session failed");
                    }
                }
                Err(e) => tracing::debug!(error = %e, "incoming connection failed"),
            }
        }
        Ok(served)
    }

    pub fn add_peer(&mut self, network: &NetworkId, addr: &PeerAddr) -> Result<bool> {
        self.network(network)?;
        Ok(self.store.add_peer(network, &addr.to_string(), self.now())?)
    }

    pub fn peers(&self, network: Option<&NetworkId>) -> Result<Vec<strike_store::PeerRow>> {
        Ok(self.store.peers(network)?)
    }
}
