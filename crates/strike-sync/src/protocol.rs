//! The sync protocol: one session per network between two replicas, as a pure state machine.
//!
//! [`Session::step`] takes one message and returns the messages to send back and the ops
//! received; nothing here touches a socket, a file or a clock. The replica's data comes in
//! through the [`Replica`] trait (the node implements it over its store). Specified in
//! `docs/protocol.md` ("Sync").
//!
//! 1. The initiator sends `Hello` with its version vector: per author, the highest sequence
//!    number it holds and that op's id. Each author's ops form a hash-linked chain held as a
//!    prefix (ingest only logs an op once its predecessors are held), so equal heads mean
//!    equal chains.
//! 2. The responder compares both vectors. If every author's chains are consistent (one is a
//!    prefix of the other), it sends what the initiator lacks, in log order, and its own
//!    vector; the initiator then sends what the responder lacks. One round trip when one side
//!    simply lags.
//! 3. Otherwise (a fork, a vector too large to send, an incomplete replica such as a hub), the
//!    responder starts range-based set reconciliation (negentropy) over (time, op id) of every
//!    op both hold, evidence included, and the missing ops are transferred by id.
//!
//! Every message is bounded ([`MAX_FRAME`]); ops travel in batches of at most
//! [`MAX_BATCH_OPS`] ops and [`MAX_BATCH_BYTES`] bytes. The receiver runs every op through
//! the ingest pipeline: nothing here trusts the peer.

use std::collections::{BTreeMap, HashMap};

use negentropy::{Id, Negentropy, NegentropyStorageVector};
use serde::{Deserialize, Serialize};
use strike_core::{AuthorId, NetworkId, OpId};

/// The protocol version in `Hello`.
pub const VERSION: u8 = 1;
/// Largest encoded message.
pub const MAX_FRAME: usize = 4 * 1024 * 1024;
/// Ops per `Ops` message, and their total size.
pub const MAX_BATCH_OPS: usize = 1024;
pub const MAX_BATCH_BYTES: usize = 2 * 1024 * 1024;
/// A version vector with more authors than this is not sent; reconciliation runs instead.
pub const MAX_VECTOR: usize = 50_000;
/// Negentropy frames stay below this (the reconciliation message size).
pub const RECONCILE_FRAME: u64 = 512 * 1024;
/// Ids per `Want`.
pub const MAX_WANT: usize = 8192;
/// Reconciliation rounds before a session gives up.
pub const MAX_ROUNDS: u32 = 64;
/// Messages a session accepts in total: a peer cannot keep one alive forever.
pub const MAX_MESSAGES: u32 = 100_000;
const CBOR_RECURSION_LIMIT: usize = 8;

/// One author's place in a replica: highest sequence number held in the log, that op's id,
/// and how many of the author's ops are held as evidence of equivocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub author: [u8; 32],
    pub seq: u64,
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub id: [u8; 32],
    pub evidence: u32,
}

/// A sync message. Encoded as CBOR ([`Message::encode`]); at most [`MAX_FRAME`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// Opens a session. `heads` is empty and `complete` false when the vector is too large.
    Hello {
        version: u8,
        #[serde(with = "strike_core::bytes::bytes_array")]
        network: [u8; 32],
        heads: Vec<Head>,
        complete: bool,
    },
    /// The responder's vector (fast path).
    Vector { heads: Vec<Head> },
    /// A negentropy message.
    Reconcile {
        #[serde(with = "strike_core::bytes::bytes_vec")]
        payload: Vec<u8>,
    },
    /// Ops asked for by id.
    Want {
        #[serde(with = "strike_core::bytes::bytes_array_list")]
        ids: Vec<[u8; 32]>,
    },
    /// Ops the peer lacks, in log order.
    Ops { ops: Vec<Op> },
    /// The initiator found a fork the responder could not see: reconcile instead.
    Diverged,
    /// The sender has sent everything it will send.
    Done,
    /// The sender stops the session.
    Abort { reason: String },
}

/// One op's bytes, as a CBOR byte string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Op(#[serde(with = "strike_core::bytes::bytes_vec")] pub Vec<u8>);

/// Why a session failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("message larger than {MAX_FRAME} bytes")]
    TooLarge,
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("unexpected message: {0}")]
    Unexpected(&'static str),
    #[error("peer speaks protocol version {0}, this node {VERSION}")]
    Version(u8),
    #[error("peer asked about another network")]
    WrongNetwork,
    #[error("limit exceeded: {0}")]
    Limit(&'static str),
    #[error("reconciliation failed: {0}")]
    Reconcile(String),
    #[error("peer aborted: {0}")]
    Aborted(String),
}

impl Message {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(self, &mut out).expect("writing CBOR into a Vec cannot fail");
        out
    }

    /// Decodes one message from untrusted bytes: bounded in size and nesting; never panics.
    pub fn decode(bytes: &[u8]) -> Result<Message, SyncError> {
        if bytes.len() > MAX_FRAME {
            return Err(SyncError::TooLarge);
        }
        let msg: Message = ciborium::de::from_reader_with_recursion_limit(bytes, CBOR_RECURSION_LIMIT)
            .map_err(|e| SyncError::Malformed(e.to_string()))?;
        match &msg {
            Message::Hello { heads, .. } | Message::Vector { heads } if heads.len() > MAX_VECTOR => {
                Err(SyncError::Limit("version vector"))
            }
            Message::Want { ids } if ids.len() > MAX_WANT => Err(SyncError::Limit("want")),
            Message::Ops { ops } if ops.len() > MAX_BATCH_OPS => Err(SyncError::Limit("ops per batch")),
            Message::Abort { reason } if reason.len() > 1024 => Err(SyncError::Limit("abort reason")),
            _ => Ok(msg),
        }
    }
}

/// What a session needs from the replica it syncs.
pub trait Replica {
    /// Per author, the highest sequence number held in the log and that op's id.
    fn heads(&self) -> Vec<Head>;
    /// The id of an author's op at a sequence number, if held in the log.
    fn op_at(&self, author: &AuthorId, seq: u64) -> Option<OpId>;
    /// Every logged op of these authors above these sequence numbers, in log order.
    fn ops_after(&self, from: &[(AuthorId, u64)]) -> Vec<Vec<u8>>;
    /// (coarse time, id) of every op held, evidence of equivocation included.
    fn items(&self) -> Vec<(u64, OpId)>;
    /// The bytes of ops held (log or evidence), by id; unknown ids are skipped.
    fn ops_by_id(&self, ids: &[OpId]) -> Vec<Vec<u8>>;
}

/// What one step produced.
#[derive(Debug, Default)]
pub struct Step {
    /// Messages to send, in order.
    pub send: Vec<Message>,
    /// Ops received, to ingest, in the order received.
    pub received: Vec<Vec<u8>>,
}

/// Counters for the session summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub ops_sent: u64,
    pub ops_received: u64,
    pub messages_in: u32,
    pub reconcile_rounds: u32,
    /// Whether the version-vector fast path was enough.
    pub fast_path: bool,
    /// Ops the peer's vector says are coming (fast path, initiator side): for progress bars.
    pub expected_incoming: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Initiator,
    Responder,
}

/// One sync session for one network.
pub struct Session {
    role: Role,
    network: NetworkId,
    started: bool,
    sent_done: bool,
    peer_done: bool,
    /// The negentropy client (responder side, when reconciling).
    reconciler: Option<Negentropy<'static, NegentropyStorageVector>>,
    /// The negentropy server (initiator side, when reconciling).
    reconcile_server: Option<Negentropy<'static, NegentropyStorageVector>>,
    /// Ids asked for and not yet received.
    wanted: usize,
    /// The initiator asked to reconcile after the responder's fast-path reply: that reply's
    /// `Done` is still on its way and does not end the session.
    skip_done: bool,
    pub stats: Stats,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("role", &self.role)
            .field("network", &self.network)
            .field("stats", &self.stats)
            .finish()
    }
}

fn heads_map(heads: &[Head]) -> HashMap<[u8; 32], (u64, [u8; 32])> {
    heads.iter().map(|h| (h.author, (h.seq, h.id))).collect()
}

/// What the fast path decided: authors whose chains are consistent with the peer's and where
/// this replica is ahead (with the peer's seq), or `None` if some chain forked.
fn ahead_of(replica: &dyn Replica, mine: &[Head], theirs: &[Head]) -> Option<Vec<(AuthorId, u64)>> {
    // Evidence travels only by reconciliation: any difference in it leaves the fast path.
    let evidence = |heads: &[Head]| {
        heads.iter().filter(|h| h.evidence > 0).map(|h| (h.author, h.evidence)).collect::<BTreeMap<_, _>>()
    };
    if evidence(mine) != evidence(theirs) {
        return None;
    }
    let theirs = heads_map(theirs);
    let mut ahead = Vec::new();
    for h in mine {
        match theirs.get(&h.author) {
            None => ahead.push((AuthorId(h.author), 0)),
            Some((seq, id)) if *seq < h.seq => {
                // Their head must be in my chain, or the chains forked.
                if replica.op_at(&AuthorId(h.author), *seq).map(|o| o.0) != Some(*id) {
                    return None;
                }
                ahead.push((AuthorId(h.author), *seq));
            }
            Some((seq, id)) if *seq == h.seq && *id != h.id => return None,
            Some(_) => {}
        }
    }
    Some(ahead)
}

/// Splits ops into `Ops` messages within the batch limits.
fn batches(ops: Vec<Vec<u8>>, stats: &mut Stats) -> Vec<Message> {
    let mut out = Vec::new();
    let mut batch = Vec::new();
    let mut bytes = 0;
    for op in ops {
        if !batch.is_empty() && (batch.len() == MAX_BATCH_OPS || bytes + op.len() > MAX_BATCH_BYTES) {
            out.push(Message::Ops { ops: std::mem::take(&mut batch) });
            bytes = 0;
        }
        bytes += op.len();
        stats.ops_sent += 1;
        batch.push(Op(op));
    }
    if !batch.is_empty() {
        out.push(Message::Ops { ops: batch });
    }
    out
}

fn storage(replica: &dyn Replica) -> Result<NegentropyStorageVector, SyncError> {
    let items = replica.items();
    let mut storage = NegentropyStorageVector::with_capacity(items.len());
    for (time, id) in items {
        storage.insert(time, Id::from_byte_array(id.0)).map_err(|e| SyncError::Reconcile(e.to_string()))?;
    }
    storage.seal().map_err(|e| SyncError::Reconcile(e.to_string()))?;
    Ok(storage)
}

impl Session {
    /// Starts a session as the side that opens it; returns the first message.
    pub fn initiate(network: NetworkId, replica: &dyn Replica) -> (Session, Message) {
        let heads = replica.heads();
        let complete = heads.len() <= MAX_VECTOR;
        let hello = Message::Hello {
            version: VERSION,
            network: network.0,
            heads: if complete { heads } else { Vec::new() },
            complete,
        };
        (Session::new(Role::Initiator, network), hello)
    }

    /// Starts a session that skips the version-vector fast path and reconciles the full sets:
    /// for a replica whose chains may have gaps (a hub holding part of a network), and to
    /// measure reconciliation.
    pub fn initiate_full(network: NetworkId) -> (Session, Message) {
        let hello = Message::Hello { version: VERSION, network: network.0, heads: Vec::new(), complete: false };
        (Session::new(Role::Initiator, network), hello)
    }

    /// A session waiting for the peer's `Hello`.
    pub fn respond(network: NetworkId) -> Session {
        Session::new(Role::Responder, network)
    }

    fn new(role: Role, network: NetworkId) -> Session {
        Session {
            role,
            network,
            started: role == Role::Initiator,
            sent_done: false,
            peer_done: false,
            reconciler: None,
            reconcile_server: None,
            wanted: 0,
            skip_done: false,
            stats: Stats::default(),
        }
    }

    /// Both sides have said they are done: the session is over.
    pub fn is_finished(&self) -> bool {
        self.sent_done && self.peer_done
    }

    /// Handles one message from the peer.
    pub fn step(&mut self, msg: Message, replica: &dyn Replica) -> Result<Step, SyncError> {
        self.stats.messages_in += 1;
        if self.stats.messages_in > MAX_MESSAGES {
            return Err(SyncError::Limit("messages per session"));
        }
        let mut step = Step::default();
        match (self.role, msg) {
            (_, Message::Abort { reason }) => return Err(SyncError::Aborted(reason)),
            (Role::Responder, Message::Hello { version, network, heads, complete }) if !self.started => {
                self.started = true;
                if version != VERSION {
                    return Err(SyncError::Version(version));
                }
                if network != self.network.0 {
                    return Err(SyncError::WrongNetwork);
                }
                let mine = replica.heads();
                let fast = if complete && mine.len() <= MAX_VECTOR {
                    // Both directions must be consistent for the fast path.
                    ahead_of(replica, &mine, &heads).filter(|_| forks_from_their_side(&mine, &heads).is_none())
                } else {
                    None
                };
                match fast {
                    Some(ahead) => {
                        self.stats.fast_path = true;
                        step.send.push(Message::Vector { heads: mine });
                        step.send.extend(batches(replica.ops_after(&ahead), &mut self.stats));
                        step.send.push(Message::Done);
                        self.sent_done = true;
                    }
                    None => step.send.push(self.start_reconciling(replica)?),
                }
            }
            (Role::Responder, Message::Diverged) if self.stats.fast_path && self.reconciler.is_none() => {
                // Our Done went out with the fast path; reconciliation reopens the session.
                self.stats.fast_path = false;
                self.sent_done = false;
                step.send.push(self.start_reconciling(replica)?);
            }
            (Role::Initiator, Message::Vector { heads }) if !self.stats.fast_path => {
                self.stats.fast_path = true;
                let mine = replica.heads();
                let have = heads_map(&mine);
                self.stats.expected_incoming =
                    Some(heads.iter().map(|h| h.seq.saturating_sub(have.get(&h.author).map_or(0, |(s, _)| *s))).sum());
                match ahead_of(replica, &mine, &heads) {
                    Some(ahead) => {
                        step.send.extend(batches(replica.ops_after(&ahead), &mut self.stats));
                        step.send.push(Message::Done);
                        self.sent_done = true;
                    }
                    None => {
                        // One of my chains forked from theirs where I am ahead.
                        self.stats.fast_path = false;
                        self.skip_done = true;
                        step.send.push(Message::Diverged);
                    }
                }
            }
            (Role::Initiator, Message::Reconcile { payload }) => {
                self.stats.reconcile_rounds += 1;
                if self.stats.reconcile_rounds > MAX_ROUNDS {
                    return Err(SyncError::Limit("reconciliation rounds"));
                }
                if self.reconcile_server.is_none() {
                    let server = Negentropy::owned(storage(replica)?, RECONCILE_FRAME)
                        .map_err(|e| SyncError::Reconcile(e.to_string()))?;
                    self.reconcile_server = Some(server);
                }
                let server = self.reconcile_server.as_mut().expect("set above");
                let reply = server.reconcile(&payload).map_err(|e| SyncError::Reconcile(e.to_string()))?;
                step.send.push(Message::Reconcile { payload: reply });
            }
            (Role::Responder, Message::Reconcile { payload }) => {
                self.stats.reconcile_rounds += 1;
                if self.stats.reconcile_rounds > MAX_ROUNDS {
                    return Err(SyncError::Limit("reconciliation rounds"));
                }
                let client = self.reconciler.as_mut().ok_or(SyncError::Unexpected("reconcile before hello"))?;
                let (mut have, mut need) = (Vec::new(), Vec::new());
                let next = client
                    .reconcile_with_ids(&payload, &mut have, &mut need)
                    .map_err(|e| SyncError::Reconcile(e.to_string()))?;
                let have: Vec<OpId> = have.into_iter().map(|i| OpId(i.to_bytes())).collect();
                step.send.extend(batches(replica.ops_by_id(&have), &mut self.stats));
                for chunk in need.chunks(MAX_WANT) {
                    self.wanted += chunk.len();
                    step.send.push(Message::Want { ids: chunk.iter().map(|i| i.to_bytes()).collect() });
                }
                match next {
                    Some(payload) => step.send.push(Message::Reconcile { payload }),
                    None => {
                        self.reconciler = None;
                        self.responder_finish(&mut step);
                    }
                }
            }
            (_, Message::Want { ids }) => {
                let ids: Vec<OpId> = ids.into_iter().map(OpId).collect();
                step.send.extend(batches(replica.ops_by_id(&ids), &mut self.stats));
            }
            (_, Message::Ops { ops }) => {
                self.stats.ops_received += ops.len() as u64;
                self.wanted = self.wanted.saturating_sub(ops.len());
                step.received = ops.into_iter().map(|o| o.0).collect();
                if self.role == Role::Responder {
                    self.responder_finish(&mut step);
                }
            }
            (_, Message::Done) if self.skip_done => self.skip_done = false,
            (_, Message::Done) => {
                self.peer_done = true;
                // In reconciliation the initiator answered every Want as it came: it is done
                // once the responder is.
                if self.role == Role::Initiator && !self.sent_done && !self.stats.fast_path {
                    step.send.push(Message::Done);
                    self.sent_done = true;
                }
            }
            (_, Message::Hello { .. }) => return Err(SyncError::Unexpected("a second hello")),
            (_, Message::Vector { .. }) => return Err(SyncError::Unexpected("a vector out of turn")),
            (_, Message::Diverged) => return Err(SyncError::Unexpected("diverged out of turn")),
        }
        Ok(step)
    }

    fn start_reconciling(&mut self, replica: &dyn Replica) -> Result<Message, SyncError> {
        let mut client =
            Negentropy::owned(storage(replica)?, RECONCILE_FRAME).map_err(|e| SyncError::Reconcile(e.to_string()))?;
        let first = client.initiate().map_err(|e| SyncError::Reconcile(e.to_string()))?;
        self.reconciler = Some(client);
        Ok(Message::Reconcile { payload: first })
    }

    /// The responder is done once reconciliation ended and every op it asked for arrived.
    fn responder_finish(&mut self, step: &mut Step) {
        if !self.sent_done && self.reconciler.is_none() && self.wanted == 0 && !self.stats.fast_path {
            step.send.push(Message::Done);
            self.sent_done = true;
        }
    }
}

/// A fork visible only from the peer's side: an author at the same or a lower seq on my side
/// whose op at that seq differs. (The caller checks my side with [`ahead_of`].)
fn forks_from_their_side(mine: &[Head], theirs: &[Head]) -> Option<()> {
    let mine: BTreeMap<[u8; 32], (u64, [u8; 32])> = mine.iter().map(|h| (h.author, (h.seq, h.id))).collect();
    for h in theirs {
        if let Some((seq, id)) = mine.get(&h.author)
            && *seq == h.seq
            && *id != h.id
        {
            return Some(());
        }
    }
    None
}

#[cfg(test)]
mod tests;
