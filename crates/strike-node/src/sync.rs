//! Sync sessions over the node's store: the adapter from the store to the protocol's
//! [`Replica`], and a driver that runs a session against a peer.

use strike_core::{AuthorId, NetworkId, OpId};
use strike_sync::protocol::{Head, Message, Replica, Session, Stats, SyncError};

use crate::joining::Restricted;
use crate::{IngestReport, Node, NodeError, Result};

/// The store as the sync protocol sees one network of it. Store errors end the session: the
/// protocol's reads cannot fail, so they are reported as empty and the error is kept.
struct StoreReplica<'a> {
    node: &'a Node,
    network: NetworkId,
    /// In a restricted session: the only ops the peer may see.
    only: Option<&'a Restricted>,
    /// In a release session: this node's held-back secret ops, shown to this peer alone.
    release: &'a [strike_store::HeldOp],
    error: std::cell::RefCell<Option<NodeError>>,
}

impl StoreReplica<'_> {
    fn keep<T: Default>(&self, r: Result<T, strike_store::StoreError>) -> T {
        r.unwrap_or_else(|e| {
            self.error.borrow_mut().get_or_insert(e.into());
            T::default()
        })
    }
}

impl<'a> StoreReplica<'a> {
    fn new(node: &'a Node, network: NetworkId, only: Option<&'a Restricted>) -> Self {
        StoreReplica { node, network, only, release: &[], error: Default::default() }
    }
}

/// A restricted replica shows no chains (so the fast path sends nothing) and only the
/// allowed ops to reconciliation.
impl Replica for StoreReplica<'_> {
    fn heads(&self) -> Vec<Head> {
        if self.only.is_some() {
            return Vec::new();
        }
        let mut heads: Vec<Head> = self
            .keep(self.node.store.author_heads(&self.network))
            .into_iter()
            .map(|h| Head { author: h.author.0, seq: h.seq, id: h.id.0, evidence: h.evidence })
            .collect();
        for op in self.release {
            match heads.iter_mut().find(|h| h.author == op.author.0) {
                Some(h) if h.seq >= op.seq => {}
                Some(h) => (h.seq, h.id) = (op.seq, op.id.0),
                None => heads.push(Head { author: op.author.0, seq: op.seq, id: op.id.0, evidence: 0 }),
            }
        }
        heads.sort_by_key(|h| h.author);
        heads
    }

    fn op_at(&self, author: &AuthorId, seq: u64) -> Option<OpId> {
        if self.only.is_some() {
            return None;
        }
        if let Some(op) = self.release.iter().find(|o| o.author == *author && o.seq == seq) {
            return Some(op.id);
        }
        self.keep(self.node.store.op_id_at(&self.network, author, seq))
    }

    fn ops_after(&self, from: &[(AuthorId, u64)]) -> Vec<Vec<u8>> {
        if self.only.is_some() {
            return Vec::new();
        }
        let mut ops = self.keep(self.node.store.ops_after(&self.network, from));
        let mut held: Vec<&strike_store::HeldOp> =
            self.release.iter().filter(|o| from.iter().any(|(a, after)| *a == o.author && o.seq > *after)).collect();
        held.sort_by_key(|o| (o.author, o.seq));
        ops.extend(held.into_iter().map(|o| o.bytes.clone()));
        ops
    }

    fn items(&self) -> Vec<(u64, OpId)> {
        if let Some(only) = self.only {
            return only.items.clone();
        }
        let mut items = self.keep(self.node.store.sync_items(&self.network));
        items.extend(self.release.iter().map(|o| (o.time, o.id)));
        items
    }

    fn ops_by_id(&self, ids: &[OpId]) -> Vec<Vec<u8>> {
        if let Some(only) = self.only {
            let ids: Vec<OpId> = ids.iter().filter(|i| only.allowed.contains(i)).copied().collect();
            return self.keep(self.node.store.ops_by_id(&self.network, &ids));
        }
        let mut ops = self.keep(self.node.store.ops_by_id(&self.network, ids));
        ops.extend(self.release.iter().filter(|o| ids.contains(&o.id)).map(|o| o.bytes.clone()));
        ops
    }
}

/// What a session did, for the summary line and the benchmarks.
#[derive(Debug, Clone)]
pub struct SyncSummary {
    pub network: NetworkId,
    pub stats: Stats,
    pub ingest: IngestReport,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub messages_sent: u64,
}

impl SyncSummary {
    fn new(network: NetworkId) -> Self {
        SyncSummary {
            network,
            stats: Stats::default(),
            ingest: IngestReport::default(),
            bytes_sent: 0,
            bytes_received: 0,
            messages_sent: 0,
        }
    }
}

/// One side of a session in progress: feed it the peer's frames, send what it returns.
pub struct SyncDriver {
    session: Session,
    network: NetworkId,
    /// Set on a hub: ops are relayed (no decryption) within this quota.
    relay: Option<strike_store::Quota>,
    /// Set in a joiner's restricted session (answering side).
    restricted: Option<Restricted>,
    /// Whether a finished session shows this node's own chain is fresh (not in a joiner's
    /// restricted session, which sees none of it).
    confirms: bool,
    /// This node's held-back secret ops this session releases to its peer.
    release: Vec<strike_store::HeldOp>,
    pub summary: SyncSummary,
}

impl std::fmt::Debug for SyncDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncDriver").field("network", &self.network).field("summary", &self.summary).finish()
    }
}

impl SyncDriver {
    /// Opens a session as the initiator; returns the driver and the first frame to send.
    pub fn initiate(node: &Node, network: NetworkId) -> Result<(SyncDriver, Vec<u8>)> {
        SyncDriver::initiate_releasing(node, network, &[])
    }

    /// As [`SyncDriver::initiate`], showing this peer alone the held-back secret ops `release`
    /// (`secret.rs`: their release through one peer or hub chosen at random).
    pub fn initiate_releasing(node: &Node, network: NetworkId, release: &[OpId]) -> Result<(SyncDriver, Vec<u8>)> {
        let release = node.store.held_ops(&network, release)?;
        let mut replica = StoreReplica::new(node, network, None);
        replica.release = &release;
        let (session, hello) = Session::initiate(network, &replica);
        if let Some(e) = replica.error.into_inner() {
            return Err(e);
        }
        let frame = hello.encode();
        let mut summary = SyncSummary::new(network);
        summary.bytes_sent += frame.len() as u64;
        summary.messages_sent += 1;
        let driver = SyncDriver {
            session,
            network,
            relay: None,
            restricted: None,
            confirms: true,
            release: release.clone(),
            summary,
        };
        Ok((driver, frame))
    }

    /// Waits for the peer's first frame as the responder.
    pub fn respond(network: NetworkId) -> SyncDriver {
        SyncDriver {
            session: Session::respond(network),
            network,
            relay: None,
            restricted: None,
            confirms: true,
            release: Vec::new(),
            summary: SyncSummary::new(network),
        }
    }

    /// Opens a session that reconciles the full sets (no version vector): a joiner's, whose
    /// replica holds ops out of their chains. `confirms`: the peer serves everything (the
    /// joiner was let in as a member).
    pub fn initiate_full(network: NetworkId, confirms: bool) -> (SyncDriver, Vec<u8>) {
        let (session, hello) = Session::initiate_full(network);
        let frame = hello.encode();
        let mut summary = SyncSummary::new(network);
        summary.bytes_sent += frame.len() as u64;
        summary.messages_sent += 1;
        (SyncDriver { session, network, relay: None, restricted: None, confirms, release: Vec::new(), summary }, frame)
    }

    /// Answers a joiner's restricted session: the peer sees only `only`'s ops, and only its
    /// own join request is taken from it.
    pub fn respond_restricted(network: NetworkId, only: Restricted) -> SyncDriver {
        SyncDriver { relay: only.relay, restricted: Some(only), confirms: false, ..SyncDriver::respond(network) }
    }

    /// As [`SyncDriver::respond`] on a hub: what arrives is relayed within `quota`.
    pub fn respond_relay(network: NetworkId, quota: strike_store::Quota) -> SyncDriver {
        SyncDriver { relay: Some(quota), ..SyncDriver::respond(network) }
    }

    /// Handles one frame from the peer: ingests the ops it carries (through the ordinary
    /// ingest pipeline) and returns the frames to send back.
    pub fn handle(&mut self, node: &mut Node, frame: &[u8]) -> Result<Vec<Vec<u8>>, SyncFailure> {
        self.summary.bytes_received += frame.len() as u64;
        let msg = Message::decode(frame).map_err(SyncFailure::Protocol)?;
        let step = {
            let mut replica = StoreReplica::new(node, self.network, self.restricted.as_ref());
            replica.release = &self.release;
            let step = self.session.step(msg, &replica).map_err(SyncFailure::Protocol)?;
            if let Some(e) = replica.error.into_inner() {
                return Err(SyncFailure::Node(e));
            }
            step
        };
        let mut received = step.received;
        if let Some(only) = &self.restricted {
            let before = received.len();
            received.retain(|op| only.takes(op));
            if received.len() < before {
                tracing::info!(dropped = before - received.len(), "a joiner pushed ops beyond its join request");
            }
        }
        if !received.is_empty() {
            let report = match self.relay {
                Some(quota) => node
                    .store
                    .ingest_relay(&self.network, received, node.now(), quota)
                    .map_err(|e| SyncFailure::Node(e.into()))?,
                None => node.ingest(&self.network, received).map_err(SyncFailure::Node)?,
            };
            self.summary.ingest.merge(&report);
        }
        self.summary.stats = self.session.stats;
        if self.session.is_finished() && self.relay.is_none() && self.confirms {
            // Everything the peer held of this network, this node's own ops included, is
            // here now: its next sequence number is fresh (as far as this peer knows).
            let now = node.now();
            node.store.confirm_writes(&self.network, "synced", now).map_err(|e| SyncFailure::Node(e.into()))?;
        }
        let frames: Vec<Vec<u8>> = step.send.iter().map(Message::encode).collect();
        self.summary.messages_sent += frames.len() as u64;
        self.summary.bytes_sent += frames.iter().map(|f| f.len() as u64).sum::<u64>();
        Ok(frames)
    }

    pub fn is_finished(&self) -> bool {
        self.session.is_finished()
    }
}

/// Why a session ended early.
#[derive(Debug, thiserror::Error)]
pub enum SyncFailure {
    #[error("sync protocol: {0}")]
    Protocol(SyncError),
    #[error(transparent)]
    Node(NodeError),
}

/// Runs sessions between two nodes in this process until a session moves no ops (each
/// session moves at least one op while they differ; bounded): for tests, the demo and the
/// benchmarks. Returns the summaries of `a`'s side, one per session.
pub fn sync_pair(a: &mut Node, b: &mut Node, network: NetworkId) -> Result<Vec<SyncSummary>, SyncFailure> {
    let mut out = Vec::new();
    for _ in 0..32 {
        let (mut da, hello) = SyncDriver::initiate(a, network).map_err(SyncFailure::Node)?;
        let mut db = SyncDriver::respond(network);
        let mut to_b = vec![hello];
        let mut to_a: Vec<Vec<u8>> = Vec::new();
        while !(to_a.is_empty() && to_b.is_empty()) {
            for f in std::mem::take(&mut to_b) {
                to_a.extend(db.handle(b, &f)?);
            }
            for f in std::mem::take(&mut to_a) {
                to_b.extend(da.handle(a, &f)?);
            }
        }
        let moved = da.summary.stats.ops_sent + da.summary.stats.ops_received;
        out.push(da.summary);
        if moved == 0 {
            break;
        }
    }
    Ok(out)
}
