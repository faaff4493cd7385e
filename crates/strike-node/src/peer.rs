//! Sync with peers over the network: membership (or hub access) proofs, then sync sessions,
//! over any [`Channel`] the transport opens.
//!
//! The node is shared between sessions as a [`SharedNode`]: a session holds the lock only
//! while it handles one frame, never while it waits on the network, so many sessions (served
//! and initiated) run at once and two nodes syncing each other cannot deadlock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use strike_core::membership::Status;
use strike_core::{AuthorId, NetworkId, OpId};
use strike_crypto::{SigningPublic, SigningSecret};
use strike_net::{Channel, Net, NetError, PeerAddr};
use strike_store::Quota;
use strike_sync::auth::{AUTH_LABEL, Auth, Side, proof_message};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::joining::{JoinMode, JoinOpen, Restricted};
use crate::sync::{SyncDriver, SyncFailure, SyncSummary};
use crate::{Node, NodeError, Result};

/// A node shared by concurrent sessions.
pub type SharedNode = Arc<Mutex<Node>>;

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
    pub(crate) fn member_author(&self, network: &NetworkId) -> Result<Option<SigningSecret>> {
        let Some(me) = self.me_in(network).ok().flatten() else { return Ok(None) };
        if me.status != Status::Member {
            return Ok(None);
        }
        Ok(self.store.my_author(network)?.map(|(seed, _)| SigningSecret::from_seed(&seed)))
    }

    fn is_member(&self, network: &NetworkId, author: &AuthorId) -> bool {
        self.members(network).is_ok_and(|m| m.iter().any(|m| m.author == *author && m.status == Status::Member))
    }

    pub fn add_peer(&mut self, network: &NetworkId, addr: &PeerAddr) -> Result<bool> {
        self.network(network)?;
        Ok(self.store.add_peer(network, &addr.to_string(), self.now())?)
    }

    pub fn peers(&self, network: Option<&NetworkId>) -> Result<Vec<strike_store::PeerRow>> {
        Ok(self.store.peers(network)?)
    }

    /// Per network: when a peer last synced with this node (unix seconds), and how many
    /// sessions peers opened with it.
    pub fn served(&self) -> Result<Vec<(NetworkId, u64, u64)>> {
        Ok(self.store.served()?)
    }
}

/// How a session was let in.
enum Admitted {
    /// A member: after the session, upkeep runs (key shares, checkpoints).
    Member,
    /// A peer with hub access: its ops are relayed within the quota.
    Hub(Quota),
    /// A joiner, restricted to its invite's join epoch.
    Joiner(Restricted),
}

/// Syncs `network` with a peer: proves membership (or, at a hub, access), then runs sessions
/// until one moves nothing. Every op received goes through ingest. `progress` is called after
/// every frame received with the session's running summary (`stats.expected_incoming` when
/// known).
pub async fn sync_with(
    node: &Mutex<Node>,
    net: &Net,
    peer: &PeerAddr,
    network: NetworkId,
    progress: &mut (dyn FnMut(&SyncSummary) + Send),
) -> Result<SyncSummary> {
    sync_releasing(node, net, peer, network, &[], progress).await
}

/// As [`sync_with`], handing this peer alone the held-back secret ops `release`; on success
/// the node records that the peer has them (its own sessions carry them after a quiet time).
pub async fn release_to(
    node: &Mutex<Node>,
    net: &Net,
    peer: &PeerAddr,
    network: NetworkId,
    release: &[OpId],
) -> Result<SyncSummary> {
    let summary = sync_releasing(node, net, peer, network, release, &mut |_| {}).await?;
    node.lock().await.relayed_secret_ops(&network, release)?;
    tracing::info!(network = %network.short(), ops = release.len(), "secret ops released through a peer chosen at random");
    Ok(summary)
}

async fn sync_releasing(
    node: &Mutex<Node>,
    net: &Net,
    peer: &PeerAddr,
    network: NetworkId,
    release: &[OpId],
    progress: &mut (dyn FnMut(&SyncSummary) + Send),
) -> Result<SyncSummary> {
    let result = sync_sessions(node, net, peer, network, release, progress).await;
    let mut n = node.lock().await;
    let now = n.now();
    match &result {
        Ok(_) => n.store.mark_synced(&network, &peer.to_string(), now)?,
        // Recorded for the sync status (only for peers on the list; others have no row).
        Err(e) => n.store.mark_sync_failed(&network, &peer.to_string(), now, &e.to_string())?,
    }
    result
}

async fn sync_sessions(
    node: &Mutex<Node>,
    net: &Net,
    peer: &PeerAddr,
    network: NetworkId,
    release: &[OpId],
    progress: &mut (dyn FnMut(&SyncSummary) + Send),
) -> Result<SyncSummary> {
    let (signer, mut at_hub) = {
        let n = node.lock().await;
        let signer = n.member_author(&network)?;
        let addr = peer.to_string();
        // Only hubs answer over HTTP; a peer that was a hub before is one now.
        let hub = peer.url.is_some()
            || n.peers(Some(&network))?
                .iter()
                .any(|p| p.hub && (p.addr == addr || p.addr.parse().ok().is_some_and(|a: PeerAddr| a.id == peer.id)));
        // A joiner holding keys sealed to it (not yet the log that admits it) proves access
        // at a hub, where no author key is asked for.
        if signer.is_none() && !(hub && n.hub_access(&network)?.is_some()) {
            return Err(NodeError::NotAllowed("this node is not an admitted member of that network".into()));
        }
        (signer, hub)
    };
    let mut total: Option<SyncSummary> = None;
    for _ in 0..MAX_SESSIONS {
        let mut ch = net.connect(peer).await?;
        let opened = match &signer {
            Some(signer) if !at_hub => open_as_member(node, &mut ch, network, signer).await?,
            _ => open_at_hub(node, &mut ch, network).await?,
        };
        if !opened {
            let has_access = node.lock().await.hub_access(&network)?.is_some();
            if at_hub || !has_access {
                return Err(NodeError::NotAllowed("the peer refused: it does not hold this network for you".into()));
            }
            // Perhaps a hub: it holds no author key, so it refuses a member's proof.
            ch = net.connect(peer).await?;
            if !open_at_hub(node, &mut ch, network).await? {
                return Err(NodeError::NotAllowed("the peer refused: it does not hold this network for you".into()));
            }
            at_hub = true;
            node.lock().await.add_peer(&network, peer)?;
        }
        if at_hub {
            node.lock().await.store.mark_peer_hub(&network, &peer.to_string())?;
        }
        let (mut driver, hello) = SyncDriver::initiate_releasing(&*node.lock().await, network, release)?;
        ch.send(&hello).await?;
        run_session(node, &mut ch, &mut driver, progress).await?;
        ch.finish().await;
        let s = driver.summary;
        let moved = s.stats.ops_sent + s.stats.ops_received;
        tracing::info!(network = %network.short(), peer = %hex::encode(&peer.id[..8]), hub = at_hub, sent = s.stats.ops_sent,
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
    node.lock().await.upkeep(&network)?;
    total.ok_or_else(|| NodeError::Network("no session ran".into()))
}

/// Feeds the peer's frames to the session and sends its answers until it is done. The node is
/// locked for one frame at a time, never while waiting on the network.
pub(crate) async fn run_session(
    node: &Mutex<Node>,
    ch: &mut Channel,
    driver: &mut SyncDriver,
    progress: &mut (dyn FnMut(&SyncSummary) + Send),
) -> Result<()> {
    while !driver.is_finished() {
        let frame = ch.recv().await?;
        let out = driver.handle(&mut *node.lock().await, &frame)?;
        for out in out {
            ch.send(&out).await?;
        }
        progress(&driver.summary);
    }
    Ok(())
}

/// Sends a member's proof and checks the peer's. `false`: the peer refused.
async fn open_as_member(
    node: &Mutex<Node>,
    ch: &mut Channel,
    network: NetworkId,
    signer: &SigningSecret,
) -> Result<bool> {
    let proof = proof_message(Side::Initiator, &network.0, &ch.local, &ch.remote);
    let open = Auth::Open { network: network.0, author: signer.public().0, signature: signer.sign(AUTH_LABEL, &proof) };
    ch.send(&open.encode()).await?;
    match Auth::decode(&ch.recv().await?) {
        Some(Auth::Accepted { author, signature }) => {
            let expected = proof_message(Side::Responder, &network.0, &ch.remote, &ch.local);
            let valid = SigningPublic(author).verify(AUTH_LABEL, &expected, &signature).is_ok();
            if !valid || !node.lock().await.is_member(&network, &AuthorId(author)) {
                return Err(NodeError::NotAllowed("the peer could not prove it is a member".into()));
            }
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Sends an access proof to a hub, with the grant this node issued it if any and the
/// network's live invites (so the hub can let their joiners in).
pub(crate) async fn open_at_hub(node: &Mutex<Node>, ch: &mut Channel, network: NetworkId) -> Result<bool> {
    let open = {
        let n = node.lock().await;
        let Some((epoch, signature)) = n.access_proof(&network, &ch.local, &ch.remote)? else { return Ok(false) };
        let invites = if n.member_author(&network)?.is_some() { n.invite_tickets(&network)? } else { Vec::new() };
        Auth::HubOpen { network: network.0, epoch, signature, grant: n.grant_for(&network, &ch.remote)?, invites }
    };
    ch.send(&open.encode()).await?;
    Ok(matches!(Auth::decode(&ch.recv().await?), Some(Auth::HubAccepted)))
}

/// Serves one incoming session: checks the peer's proof (membership, or hub access), answers
/// with this node's own proof, and runs the session. A peer that fails gets `Refused` and
/// nothing else: the same answer for an unknown network, a non-member and a bad proof.
pub async fn serve_channel(
    node: &Mutex<Node>,
    mut ch: Channel,
    progress: &mut (dyn FnMut(&SyncSummary) + Send),
) -> Result<Option<SyncSummary>> {
    let first = ch.recv().await?;
    let (network, admitted, reply) = {
        let mut n = node.lock().await;
        match Auth::decode(&first) {
            Some(Auth::Open { network, author, signature }) => {
                let network = NetworkId(network);
                let proof = proof_message(Side::Initiator, &network.0, &ch.remote, &ch.local);
                let signer = n.member_author(&network).ok().flatten();
                let admitted = signer.is_some()
                    && SigningPublic(author).verify(AUTH_LABEL, &proof, &signature).is_ok()
                    && n.is_member(&network, &AuthorId(author));
                match signer.filter(|_| admitted) {
                    Some(signer) => {
                        let mine = proof_message(Side::Responder, &network.0, &ch.local, &ch.remote);
                        let reply =
                            Auth::Accepted { author: signer.public().0, signature: signer.sign(AUTH_LABEL, &mine) };
                        (network, Some(Admitted::Member), reply)
                    }
                    None => (network, None, Auth::Refused),
                }
            }
            Some(Auth::HubOpen { network, epoch, signature, grant, invites }) => {
                let network = NetworkId(network);
                if n.hub_admits(&network, epoch, &signature, &grant, &ch.remote)? {
                    n.keep_tickets(&network, &invites)?;
                    (network, Some(Admitted::Hub(n.relay_quota())), Auth::HubAccepted)
                } else {
                    (network, None, Auth::Refused)
                }
            }
            Some(Auth::JoinOpen { network, invite, author, invite_signature, author_signature }) => {
                let open = JoinOpen {
                    network: NetworkId(network),
                    invite,
                    author: AuthorId(author),
                    invite_signature,
                    author_signature,
                };
                match n.join_admits(&open, &ch.remote, &ch.local, ch.peer_ip)? {
                    Some(JoinMode::Member) => {
                        (open.network, Some(Admitted::Member), Auth::JoinAccepted { admitted: true })
                    }
                    Some(JoinMode::Restricted(r)) => {
                        (open.network, Some(Admitted::Joiner(r)), Auth::JoinAccepted { admitted: false })
                    }
                    None => (open.network, None, Auth::Refused),
                }
            }
            _ => (NetworkId([0; 32]), None, Auth::Refused),
        }
    };
    ch.send(&reply.encode()).await?;
    let Some(admitted) = admitted else {
        tracing::info!(peer = %hex::encode(&ch.remote[..8]), "refused a peer without proof of membership or access");
        ch.finish().await;
        return Ok(None);
    };
    let remote = ch.remote;
    let (member, how) = match &admitted {
        Admitted::Member => (true, "member"),
        Admitted::Hub(_) => (false, "hub"),
        Admitted::Joiner(_) => (false, "joiner"),
    };
    let mut driver = match admitted {
        Admitted::Member => SyncDriver::respond(network),
        Admitted::Hub(quota) => SyncDriver::respond_relay(network, quota),
        Admitted::Joiner(r) => SyncDriver::respond_restricted(network, r),
    };
    run_session(node, &mut ch, &mut driver, progress).await?;
    ch.finish().await;
    {
        let mut n = node.lock().await;
        if member {
            n.upkeep(&network)?;
        }
        let now = n.now();
        n.store.mark_served(&network, now)?;
    }
    let s = driver.summary;
    tracing::info!(network = %network.short(), peer = %hex::encode(&remote[..8]), how,
        sent = s.stats.ops_sent, received = s.stats.ops_received, bytes_out = s.bytes_sent, bytes_in = s.bytes_received,
        "served a sync session");
    Ok(Some(s))
}

/// Limits of [`serve`].
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Stop after this many connections (counting refusals); `None`: until the endpoint closes.
    pub max_sessions: Option<usize>,
    /// Sessions served at once; further connection attempts are turned away until one ends.
    pub concurrent: usize,
    /// A session that has not finished after this long is dropped.
    pub session_deadline: Duration,
    /// Once cancelled, no new session is accepted; those under way get [`Self::shutdown_grace`]
    /// to finish (every chunk they received is committed already), then are dropped.
    pub shutdown: CancellationToken,
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_sessions: None,
            concurrent: 32,
            session_deadline: Duration::from_secs(15 * 60),
            shutdown: CancellationToken::new(),
            shutdown_grace: Duration::from_secs(20),
        }
    }
}

/// What [`serve`] reports as it goes.
#[derive(Debug, Clone)]
pub enum ServeEvent {
    Started {
        session: u64,
        peer: [u8; 32],
    },
    /// After every frame received.
    Progress {
        session: u64,
        summary: SyncSummary,
    },
    Synced {
        session: u64,
        summary: SyncSummary,
    },
    Refused {
        session: u64,
    },
    Failed {
        session: u64,
        error: String,
    },
    /// A connection attempt turned away at the session limit.
    Busy,
}

/// Accepts connections and serves up to `opts.concurrent` sessions at once, each in its own
/// task, until the endpoint closes or `opts.max_sessions` were accepted (then it waits for
/// the running ones). Returns how many were accepted.
pub async fn serve(
    node: SharedNode,
    net: &Net,
    opts: ServeOptions,
    events: Arc<dyn Fn(ServeEvent) + Send + Sync>,
) -> Result<usize> {
    let permits = Arc::new(tokio::sync::Semaphore::new(opts.concurrent.max(1)));
    let next = AtomicU64::new(1);
    let mut tasks = tokio::task::JoinSet::new();
    let mut accepted = 0;
    while opts.max_sessions.is_none_or(|m| accepted < m) {
        let attempt = tokio::select! {
            attempt = net.accept() => attempt,
            () = opts.shutdown.cancelled() => None,
        };
        let Some(attempt) = attempt else { break };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            attempt.refuse();
            events(ServeEvent::Busy);
            continue;
        };
        accepted += 1;
        let session = next.fetch_add(1, Ordering::Relaxed);
        let (node, events, deadline) = (node.clone(), events.clone(), opts.session_deadline);
        tasks.spawn(async move {
            let _permit = permit;
            let run = async {
                let ch = attempt.channel().await?;
                events(ServeEvent::Started { session, peer: ch.remote });
                let mut on_frame = |s: &SyncSummary| events(ServeEvent::Progress { session, summary: s.clone() });
                serve_channel(&node, ch, &mut on_frame).await
            };
            let event = match tokio::time::timeout(deadline, run).await {
                Ok(Ok(Some(summary))) => ServeEvent::Synced { session, summary },
                Ok(Ok(None)) => ServeEvent::Refused { session },
                Ok(Err(e)) => ServeEvent::Failed { session, error: e.to_string() },
                Err(_) => ServeEvent::Failed { session, error: "session deadline passed".into() },
            };
            if let ServeEvent::Failed { error, .. } = &event {
                tracing::warn!(session, error = %error, "sync session failed");
            }
            events(event);
        });
        // Reap finished tasks as we go so the set does not grow.
        while tasks.try_join_next().is_some() {}
    }
    if opts.shutdown.is_cancelled() {
        let drained =
            tokio::time::timeout(opts.shutdown_grace, async { while tasks.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            tracing::warn!(sessions = tasks.len(), "sync sessions still running at shutdown were dropped");
            tasks.abort_all();
        }
    }
    while tasks.join_next().await.is_some() {}
    Ok(accepted)
}

/// What one background round did with one peer.
#[derive(Debug)]
pub struct PeerSync {
    pub network: NetworkId,
    pub addr: String,
    pub result: Result<SyncSummary>,
}

/// Syncs every network with each of its peers once (what `serve` does in the background).
pub async fn sync_peers(node: &Mutex<Node>, net: &Net) -> Result<Vec<PeerSync>> {
    let (peers, waiting, due) = {
        let mut n = node.lock().await;
        (n.peers(None)?, n.waiting_networks()?, n.due_secret_ops()?)
    };
    let mut out = Vec::new();
    // Secret ops due for release go first, to one hub (or, with none, one peer) of their
    // network chosen at random: no member first receives them from their author's node. A
    // hub is preferred: it reads nothing and knows members only by the network's shared
    // access key, where a member's node would see whose node handed it the op.
    for (network, ops) in due {
        let mine: Vec<&strike_store::PeerRow> = peers.iter().filter(|p| p.network == network).collect();
        let hubs: Vec<&strike_store::PeerRow> = mine.iter().copied().filter(|p| p.hub).collect();
        let candidates = if hubs.is_empty() { mine } else { hubs };
        if candidates.is_empty() {
            continue;
        }
        let p = candidates[rand::RngExt::random_range(&mut rand::rng(), 0..candidates.len())];
        let result = match p.addr.parse::<PeerAddr>() {
            Ok(addr) => release_to(node, net, &addr, network, &ops).await,
            Err(e) => Err(NodeError::InvalidInput(e.to_string())),
        };
        out.push(PeerSync { network, addr: p.addr.clone(), result });
    }
    // Networks this node asked to join are the join rounds' (`joiner::join_round`).
    for p in peers.into_iter().filter(|p| !waiting.contains(&p.network)) {
        let result = match p.addr.parse::<PeerAddr>() {
            Ok(addr) => sync_with(node, net, &addr, p.network, &mut |_| {}).await,
            Err(e) => Err(NodeError::InvalidInput(e.to_string())),
        };
        out.push(PeerSync { network: p.network, addr: p.addr, result });
    }
    Ok(out)
}

/// Key-derivation context of LAN tags.
pub const LAN_TAG_CONTEXT: &str = "openstrike 2026 lan tag v1";

/// The tag members of `network` advertise on the LAN during `hour` (unix seconds / 3600):
/// derived from the key they write under, so only members recognise it, and new every hour.
pub fn lan_tag(network: &NetworkId, key: &strike_crypto::SymmetricKey, hour: u64) -> strike_net::lan::Tag {
    let mut material = zeroize::Zeroizing::new([0u8; 72]);
    material[..32].copy_from_slice(&network.0);
    material[32..64].copy_from_slice(key.expose());
    material[64..].copy_from_slice(&hour.to_be_bytes());
    let full = strike_crypto::derive(LAN_TAG_CONTEXT, &material[..]);
    let mut tag = [0u8; 8];
    tag.copy_from_slice(&full[..8]);
    tag
}

impl Node {
    /// This node's LAN tags for `hour`, one per network it is a member of.
    pub fn lan_tags(&self, hour: u64) -> Result<Vec<(strike_net::lan::Tag, NetworkId)>> {
        let mut out = Vec::new();
        for row in self.networks()? {
            if self.member_author(&row.id)?.is_none() {
                continue;
            }
            if let Some((_, key)) = self.store.write_key(&row.id)? {
                out.push((lan_tag(&row.id, &key, hour), row.id));
            }
        }
        Ok(out)
    }
}

/// Advertises this node's current tags on the LAN and syncs each network with the peers found
/// there that carry its tag (this hour's or the last hour's). Peers found on the LAN are not
/// added to the peer list.
pub async fn sync_lan(node: &Mutex<Node>, net: &Net, lan: &strike_net::lan::Lan) -> Result<Vec<PeerSync>> {
    let (current, mine) = {
        let n = node.lock().await;
        let hour = n.now() / 3600;
        let current = n.lan_tags(hour)?;
        let mut mine = current.clone();
        mine.extend(n.lan_tags(hour.saturating_sub(1))?);
        (current, mine)
    };
    let tags: Vec<_> = current.iter().map(|(t, _)| *t).collect();
    lan.advertise(&tags)?;
    let mut out = Vec::new();
    for peer in lan.peers() {
        let mut networks: Vec<NetworkId> =
            mine.iter().filter(|(t, _)| peer.tags.contains(t)).map(|(_, n)| *n).collect();
        networks.sort_by_key(|n| n.0);
        networks.dedup();
        for network in networks {
            let result = sync_with(node, net, &peer.addr, network, &mut |_| {}).await;
            out.push(PeerSync { network, addr: peer.addr.to_string(), result });
        }
    }
    Ok(out)
}
