//! The ingest pipeline: every op, local or remote, enters the log through here.
//!
//! decode and size limits -> signature (`verify_strict`) -> network -> duplicate or
//! equivocation -> predecessors present (else parked) -> author chain and time -> key for the
//! epoch (else stored sealed) -> decrypt -> validate -> right to write -> apply.
//! One transaction per batch; a refused op is not stored and leaves one audit record.

use std::collections::{BTreeMap, HashMap, VecDeque};

use rusqlite::{Connection, OptionalExtension, params};
use strike_core::{AuthorId, KeyCache, NetworkId, OpId, Reject, SealedOp};
use strike_crypto::SymmetricKey;

use crate::{Result, StoreError, blob32, views};

/// At most this many ops per network wait for missing predecessors. Honest peers deliver in
/// causal order, so the queue stays near empty; the cap bounds what a hostile one can park.
pub const MAX_PENDING_PER_NETWORK: i64 = 100_000;
/// At most this many ops of one equivocating author are kept as evidence; one pair proves the
/// fork, the rest only keep dependants resolvable, and a hostile author must not fill the disk.
pub const MAX_EVIDENCE_PER_AUTHOR: i64 = 64;

/// What a hub lets one network store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Bytes of ops (logged and waiting) of the whole network.
    pub network_bytes: u64,
    /// Ops (logged and waiting) of one author.
    pub author_ops: u64,
}

impl Default for Quota {
    /// 1 GiB a network, 100,000 ops an author.
    fn default() -> Self {
        Quota { network_bytes: 1 << 30, author_ops: 100_000 }
    }
}

/// What a relay has stored for a network, kept in `relay_usage` as it changes.
struct Relay {
    quota: Quota,
    ops: i64,
    bytes: i64,
    authors: HashMap<AuthorId, u64>,
}

/// What ingest did with a batch.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// Verified, decrypted, validated and folded into state.
    pub applied: u64,
    /// Verified and logged, but this node has no key for their epoch yet.
    pub sealed: u64,
    /// Parked to wait for predecessors that have not arrived.
    pub parked: u64,
    /// Parked earlier (in this batch or before) and now processed, whatever the outcome.
    pub released: u64,
    /// Already held.
    pub duplicates: u64,
    /// Second ops at a taken (author, seq), and later ops of a flagged author: kept as evidence.
    pub equivocations: u64,
    /// Refused for any other reason, by reason code.
    pub rejected: BTreeMap<&'static str, u64>,
}

impl IngestReport {
    pub fn n_rejected(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// Adds another batch's counts to this one.
    pub fn merge(&mut self, other: &IngestReport) {
        self.applied += other.applied;
        self.sealed += other.sealed;
        self.parked += other.parked;
        self.released += other.released;
        self.duplicates += other.duplicates;
        self.equivocations += other.equivocations;
        for (code, n) in &other.rejected {
            *self.rejected.entry(code).or_default() += n;
        }
    }
}

/// Ingests one locally authored op; anything but "applied" is an error. The op's signature
/// was verified when it was sealed (a `SealedOp` cannot exist otherwise); every other check runs.
pub(crate) fn ingest_local(tx: &Connection, network: &NetworkId, op: SealedOp, now: u64) -> Result<OpId> {
    let mut local = LocalBatch::new(tx, network, now)?;
    let id = local.apply(op)?;
    local.finish()?;
    Ok(id)
}

/// Ops this node writes in one transaction, through the same pipeline as a batch from a
/// peer: each is checked and applied in turn, and what is folded once per batch (membership
/// resolution) is folded once at the end, not once per op.
pub(crate) struct LocalBatch<'t> {
    ingest: Ingest<'t>,
}

impl<'t> LocalBatch<'t> {
    pub(crate) fn new(tx: &'t Connection, network: &NetworkId, now: u64) -> Result<LocalBatch<'t>> {
        Ok(LocalBatch { ingest: Ingest::new(tx, *network, now)? })
    }

    /// Checks and applies one op; a refusal refuses it (the caller rolls the batch back).
    pub(crate) fn apply(&mut self, op: SealedOp) -> Result<OpId> {
        let id = op.id();
        match self.ingest.process_verified(op)? {
            Outcome::Applied => {
                while let Some(next) = self.ingest.queue.pop_front() {
                    self.ingest.process_verified(next)?;
                }
                Ok(id)
            }
            Outcome::Refused(reject) => Err(StoreError::Refused(reject)),
            Outcome::Parked | Outcome::Sealed => Err(StoreError::CannotWrite("local op could not be applied")),
        }
    }

    pub(crate) fn finish(self) -> Result<IngestReport> {
        self.ingest.finish()
    }
}

pub(crate) fn ingest_batch(
    tx: &Connection,
    network: &NetworkId,
    ops: Vec<Vec<u8>>,
    now: u64,
    verify_threads: usize,
) -> Result<IngestReport> {
    let ingest = Ingest::new(tx, *network, now)?;
    run_batch(ingest, ops, verify_threads)
}

/// As [`ingest_batch`] for a hub: nothing is decrypted, and `quota` bounds what is kept.
pub(crate) fn ingest_relay(
    tx: &Connection,
    network: &NetworkId,
    ops: Vec<Vec<u8>>,
    now: u64,
    verify_threads: usize,
    quota: Quota,
) -> Result<IngestReport> {
    let mut ingest = Ingest::new(tx, *network, now)?;
    let usage: Option<(i64, i64)> = tx
        .query_row("SELECT ops, bytes FROM relay_usage WHERE network_id = ?1", [&network.0[..]], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (ops_held, bytes) = match usage {
        Some(usage) => usage,
        // First use: count what is there (ops, evidence and waiting ops all take room).
        None => tx.query_row(
            "SELECT (SELECT count(*) FROM ops WHERE network_id = ?1) + (SELECT count(*) FROM pending WHERE network_id = ?1),
                    (SELECT coalesce(sum(length(bytes)), 0) FROM ops WHERE network_id = ?1)
                    + (SELECT coalesce(sum(length(bytes)), 0) FROM pending WHERE network_id = ?1)
                    + (SELECT coalesce(sum(length(bytes)), 0) FROM evidence WHERE network_id = ?1)",
            [&network.0[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?,
    };
    ingest.relay = Some(Relay { quota, ops: ops_held, bytes, authors: HashMap::new() });
    run_batch(ingest, ops, verify_threads)
}

fn run_batch(mut ingest: Ingest<'_>, ops: Vec<Vec<u8>>, verify_threads: usize) -> Result<IngestReport> {
    for verified in verify_all(ops, verify_threads) {
        match verified {
            Ok(op) => ingest.process_verified(op)?,
            Err((raw_id, reject)) => ingest.refuse(raw_id, None, reject)?,
        };
        while let Some(next) = ingest.queue.pop_front() {
            ingest.process_verified(next)?;
        }
    }
    ingest.finish()
}

/// Below this many ops a batch is verified on the calling thread: spawning costs more.
const PARALLEL_VERIFY_MIN: usize = 64;

/// Decodes and verifies every op of a batch, in order. Signature verification is the one
/// stateless, CPU-bound step of ingest, so it is spread over up to `threads` threads; all
/// state-dependent checks then run in order on the caller's thread.
fn verify_all(ops: Vec<Vec<u8>>, threads: usize) -> Vec<std::result::Result<SealedOp, (OpId, Reject)>> {
    let verify = |bytes: Vec<u8>, keys: &mut KeyCache| {
        let raw_id = OpId(strike_crypto::hash(&bytes));
        SealedOp::verify_with(bytes, keys).map_err(|reject| (raw_id, reject))
    };
    if threads <= 1 || ops.len() < PARALLEL_VERIFY_MIN {
        let mut keys = KeyCache::default();
        return ops.into_iter().map(|op| verify(op, &mut keys)).collect();
    }
    let chunk_len = ops.len().div_ceil(threads);
    let mut chunks: Vec<Vec<Vec<u8>>> = Vec::with_capacity(threads);
    let mut ops = ops.into_iter().peekable();
    while ops.peek().is_some() {
        chunks.push(ops.by_ref().take(chunk_len).collect());
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut keys = KeyCache::default();
                    chunk.into_iter().map(|op| verify(op, &mut keys)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("signature verification does not panic")).collect()
    })
}

enum Outcome {
    Applied,
    Sealed,
    Parked,
    Refused(Reject),
}

struct Ingest<'a> {
    tx: &'a Connection,
    network: NetworkId,
    now: u64,
    founded: Option<bool>,
    me: Option<Option<views::Me>>,
    membership_dirty: bool,
    /// A circle op (or a promotion) was applied: circles are refreshed at the end.
    circles_dirty: bool,
    /// Ops applied in this batch that were sealed in a circle: (op, author, seq, circle),
    /// audited at the end if their author is not in it.
    circle_ops: Vec<(OpId, AuthorId, u64, OpId)>,
    keys: HashMap<u32, Option<SymmetricKey>>,
    equivocators: HashMap<AuthorId, u64>,
    n_pending: i64,
    n_evidence: i64,
    rebuild_needed: bool,
    /// Parked ops whose last missing predecessor arrived, to process next. They were
    /// verified before they were parked.
    queue: VecDeque<SealedOp>,
    report: IngestReport,
    /// Set when this node relays the network (a hub): no decryption, quotas.
    relay: Option<Relay>,
}

/// A predecessor as the chain and time checks need it.
struct Predecessor {
    author: [u8; 32],
    seq: u64,
    time: Option<u32>,
}

impl<'a> Ingest<'a> {
    fn new(tx: &'a Connection, network: NetworkId, now: u64) -> Result<Self> {
        let n_pending =
            tx.query_row("SELECT count(*) FROM pending WHERE network_id = ?1", [&network.0[..]], |r| r.get(0))?;
        let n_evidence =
            tx.query_row("SELECT count(*) FROM evidence WHERE network_id = ?1", [&network.0[..]], |r| r.get(0))?;
        let mut equivocators = HashMap::new();
        let mut stmt = tx.prepare_cached("SELECT author, from_seq FROM equivocators WHERE network_id = ?1")?;
        for row in stmt.query_map([&network.0[..]], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)))? {
            let (author, from) = row?;
            equivocators.insert(AuthorId(blob32(author)?), from as u64);
        }
        Ok(Ingest {
            tx,
            network,
            now,
            founded: None,
            me: None,
            membership_dirty: false,
            circles_dirty: false,
            circle_ops: Vec::new(),
            keys: HashMap::new(),
            equivocators,
            n_pending,
            n_evidence,
            rebuild_needed: false,
            queue: VecDeque::new(),
            report: IngestReport::default(),
            relay: None,
        })
    }

    fn finish(mut self) -> Result<IngestReport> {
        if let Some(relay) = &self.relay {
            self.tx
                .prepare_cached(
                    "INSERT INTO relay_usage (network_id, ops, bytes) VALUES (?1, ?2, ?3)
                     ON CONFLICT (network_id) DO UPDATE SET ops = excluded.ops, bytes = excluded.bytes",
                )?
                .execute(params![&self.network.0[..], relay.ops, relay.bytes])?;
        }
        if !self.rebuild_needed {
            if self.membership_dirty {
                views::resolve_membership(self.tx, &self.network)?;
            }
            if self.membership_dirty || self.circles_dirty {
                for epoch in crate::circles::refresh(self.tx, &self.network)? {
                    self.rebuild_needed |= self.has_sealed_ops(epoch)?;
                }
            }
        }
        if self.rebuild_needed {
            views::rebuild(self.tx, &self.network)?;
        }
        for (op, author, seq, circle) in std::mem::take(&mut self.circle_ops) {
            if !crate::circles::counts_in(self.tx, &self.network, &circle, &author, seq)? {
                self.audit(op, Some(author), &Reject::NotInCircle)?;
            }
        }
        Ok(self.report)
    }

    fn process_verified(&mut self, op: SealedOp) -> Result<Outcome> {
        let outcome = match self.classify(&op)? {
            Err(reject) => return self.refuse(op.id(), Some(op.envelope().author), reject),
            Ok(outcome) => outcome,
        };
        match outcome {
            Outcome::Applied => self.report.applied += 1,
            Outcome::Sealed => self.report.sealed += 1,
            Outcome::Parked => self.report.parked += 1,
            Outcome::Refused(_) => {}
        }
        Ok(outcome)
    }

    /// Runs the checks in order. `Err(reject)` means refused and not stored.
    fn classify(&mut self, op: &SealedOp) -> Result<Result<Outcome, Reject>> {
        let env = op.envelope();
        if env.network != self.network {
            return Ok(Err(Reject::WrongNetwork));
        }
        if let Some(existing) = self.op_at(&env.author, env.seq)? {
            if existing == op.id() {
                return Ok(Err(Reject::Duplicate));
            }
            self.keep_evidence(op, Some(existing))?;
            return Ok(Err(Reject::Equivocation));
        }
        if self.is_evidence(&op.id())? || self.is_pending(&op.id())? {
            return Ok(Err(Reject::Duplicate));
        }
        if let Some(parked) = self.pending_at(&env.author, env.seq)? {
            self.keep_evidence(op, Some(parked))?;
            return Ok(Err(Reject::Equivocation));
        }
        if self.equivocators.get(&env.author).is_some_and(|from| env.seq >= *from) {
            // Kept (bounded) but never applied: ops of others may depend on it.
            if self.n_evidence_of(&env.author)? < MAX_EVIDENCE_PER_AUTHOR {
                self.keep_evidence(op, None)?;
            }
            return Ok(Err(Reject::Equivocator));
        }
        let mut missing = Vec::new();
        let mut latest_predecessor = 0u32;
        for pred_id in op.predecessors() {
            match self.predecessor(&pred_id)? {
                None => missing.push(pred_id),
                Some(pred) => {
                    if Some(pred_id) == env.prev && (pred.author != env.author.0 || pred.seq + 1 != env.seq) {
                        return Ok(Err(Reject::BadChain("prev is not the author's previous op")));
                    }
                    latest_predecessor = latest_predecessor.max(pred.time.unwrap_or(0));
                }
            }
        }
        if let Some(reject) = self.over_quota(op)? {
            return Ok(Err(reject));
        }
        if !missing.is_empty() {
            return self.park(op, &missing);
        }
        if env.time.0 < latest_predecessor {
            return Ok(Err(Reject::TimeBeforeDeps));
        }
        let Some(key) = self.key(env.epoch)? else {
            self.insert_op(op, false)?;
            return Ok(Ok(Outcome::Sealed));
        };
        let body = match op.open(&key) {
            Ok(body) => body,
            Err(reject) => return Ok(Err(reject)),
        };
        let founded = match self.founded {
            Some(f) => f,
            None => views::is_founded(self.tx, &self.network)?,
        };
        if let Err(reject) = strike_core::membership::check_standing(env, &body, founded) {
            return Ok(Err(reject));
        }
        let circle = match crate::circles::check_scope(self.tx, &self.network, env.epoch, &body)? {
            Ok(circle) => circle,
            Err(reject) => return Ok(Err(reject)),
        };
        if let Err(reject) = crate::secret::check(self.tx, &self.network, op, &body)? {
            return Ok(Err(reject));
        }
        self.founded = Some(founded || matches!(body, strike_core::Body::Genesis(_)));
        if self.me.is_none() {
            self.me = Some(views::me(self.tx, &self.network)?);
        }
        let effects = views::apply(self.tx, op, &body, circle, self.me.as_ref().and_then(Option::as_ref))?;
        self.membership_dirty |= effects.membership;
        self.circles_dirty |= effects.circles || !effects.new_epochs.is_empty();
        if let Some(circle) = circle {
            self.circle_ops.push((op.id(), env.author, env.seq, circle));
        }
        if let Some(beyond) = crate::secret::audit_issue(self.tx, &self.network, &body)? {
            self.audit(op.id(), Some(env.author), &beyond)?;
        }
        if !effects.new_epochs.is_empty() {
            // Later ops of this batch may use the new keys; ops already held sealed under them
            // need a fold. (Ops sealed under epochs this node never learns, such as a removed
            // member's, do not trigger one.)
            self.keys.clear();
            for epoch in &effects.new_epochs {
                self.rebuild_needed |= self.has_sealed_ops(*epoch)?;
            }
        }
        self.insert_op(op, true)?;
        Ok(Ok(Outcome::Applied))
    }

    /// On a relay, whether storing `op` would go over the network's or its author's quota.
    fn over_quota(&mut self, op: &SealedOp) -> Result<Option<Reject>> {
        let Some(relay) = &self.relay else { return Ok(None) };
        let author = op.envelope().author;
        let held = match relay.authors.get(&author) {
            Some(n) => *n,
            None => {
                let n: i64 = self
                    .tx
                    .prepare_cached(
                        "SELECT (SELECT count(*) FROM ops WHERE network_id = ?1 AND author = ?2)
                          + (SELECT count(*) FROM pending WHERE network_id = ?1 AND author = ?2)",
                    )?
                    .query_row(params![&self.network.0[..], &author.0[..]], |r| r.get(0))?;
                n as u64
            }
        };
        let relay = self.relay.as_mut().expect("checked above");
        relay.authors.insert(author, held);
        if held >= relay.quota.author_ops {
            return Ok(Some(Reject::OverQuota("the author's ops")));
        }
        if relay.bytes as u64 + op.bytes().len() as u64 > relay.quota.network_bytes {
            return Ok(Some(Reject::OverQuota("the network's bytes")));
        }
        Ok(None)
    }

    /// Counts an op stored (`sign` 1) or leaving the waiting room (`sign` -1) on a relay.
    fn count_relayed(&mut self, author: &AuthorId, len: usize, sign: i64) {
        if let Some(relay) = &mut self.relay {
            relay.ops += sign;
            relay.bytes += sign * len as i64;
            if let Some(n) = relay.authors.get_mut(author) {
                *n = n.saturating_add_signed(sign);
            }
        }
    }

    fn refuse(&mut self, op_id: OpId, author: Option<AuthorId>, reject: Reject) -> Result<Outcome> {
        match reject {
            Reject::Duplicate => self.report.duplicates += 1,
            Reject::Equivocation | Reject::Equivocator => self.report.equivocations += 1,
            ref other => *self.report.rejected.entry(other.code()).or_default() += 1,
        }
        self.audit(op_id, author, &reject)?;
        tracing::debug!(op = %op_id.short(), reason = reject.code(), "refused op");
        Ok(Outcome::Refused(reject))
    }

    /// One audit record (the op may be refused, or kept and counting for nothing).
    fn audit(&self, op_id: OpId, author: Option<AuthorId>, reject: &Reject) -> Result<()> {
        self.tx.prepare_cached(
            "INSERT OR IGNORE INTO audit (at, network_id, op_id, author, reason, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            self.now as i64,
            &self.network.0[..],
            &op_id.0[..],
            author.map(|a| a.0.to_vec()),
            reject.code(),
            reject.to_string()
        ])?;
        Ok(())
    }

    fn op_at(&self, author: &AuthorId, seq: u64) -> Result<Option<OpId>> {
        let id: Option<Vec<u8>> = self
            .tx
            .prepare_cached("SELECT op_id FROM ops WHERE network_id = ?1 AND author = ?2 AND seq = ?3")?
            .query_row(params![&self.network.0[..], &author.0[..], seq as i64], |r| r.get(0))
            .optional()?;
        Ok(id.map(blob32).transpose()?.map(OpId))
    }

    fn predecessor(&self, id: &OpId) -> Result<Option<Predecessor>> {
        let row: Option<(Vec<u8>, i64, i64)> = self
            .tx
            .prepare_cached("SELECT author, seq, time FROM ops WHERE op_id = ?1 AND network_id = ?2")?
            .query_row(params![&id.0[..], &self.network.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some((author, seq, time)) = row {
            return Ok(Some(Predecessor { author: blob32(author)?, seq: seq as u64, time: u32::try_from(time).ok() }));
        }
        if self.n_evidence == 0 {
            return Ok(None);
        }
        let row: Option<(Vec<u8>, i64)> = self
            .tx
            .prepare_cached("SELECT author, seq FROM evidence WHERE op_id = ?1 AND network_id = ?2")?
            .query_row(params![&id.0[..], &self.network.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            Some((author, seq)) => Ok(Some(Predecessor { author: blob32(author)?, seq: seq as u64, time: None })),
            None => Ok(None),
        }
    }

    /// A parked op at this (author, seq), if any.
    fn pending_at(&self, author: &AuthorId, seq: u64) -> Result<Option<OpId>> {
        if self.n_pending == 0 {
            return Ok(None);
        }
        let id: Option<Vec<u8>> = self
            .tx
            .prepare_cached("SELECT op_id FROM pending WHERE network_id = ?1 AND author = ?2 AND seq = ?3 LIMIT 1")?
            .query_row(params![&self.network.0[..], &author.0[..], seq as i64], |r| r.get(0))
            .optional()?;
        Ok(id.map(blob32).transpose()?.map(OpId))
    }

    fn n_evidence_of(&self, author: &AuthorId) -> Result<i64> {
        Ok(self
            .tx
            .prepare_cached("SELECT count(*) FROM evidence WHERE network_id = ?1 AND author = ?2")?
            .query_row(params![&self.network.0[..], &author.0[..]], |r| r.get(0))?)
    }

    fn is_evidence(&self, id: &OpId) -> Result<bool> {
        if self.n_evidence == 0 {
            return Ok(false);
        }
        Ok(self.tx.prepare_cached("SELECT 1 FROM evidence WHERE op_id = ?1")?.exists([&id.0[..]])?)
    }

    fn is_pending(&self, id: &OpId) -> Result<bool> {
        if self.n_pending == 0 {
            return Ok(false);
        }
        Ok(self.tx.prepare_cached("SELECT 1 FROM pending WHERE op_id = ?1")?.exists([&id.0[..]])?)
    }

    fn key(&mut self, epoch: u32) -> Result<Option<SymmetricKey>> {
        if self.relay.is_some() {
            return Ok(None);
        }
        if let Some(cached) = self.keys.get(&epoch) {
            return Ok(cached.clone());
        }
        let key: Option<Vec<u8>> = self
            .tx
            .prepare_cached("SELECT key FROM epoch_keys WHERE network_id = ?1 AND epoch = ?2")?
            .query_row(params![&self.network.0[..], epoch as i64], |r| r.get(0))
            .optional()?;
        let key = key.map(blob32).transpose()?.map(SymmetricKey::from_bytes);
        self.keys.insert(epoch, key.clone());
        Ok(key)
    }

    fn has_sealed_ops(&self, epoch: u32) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM ops WHERE network_id = ?1 AND applied = 0 AND epoch = ?2 LIMIT 1")?
            .exists(params![&self.network.0[..], i64::from(epoch)])?)
    }

    fn park(&mut self, op: &SealedOp, missing: &[OpId]) -> Result<Result<Outcome, Reject>> {
        if self.n_pending >= MAX_PENDING_PER_NETWORK {
            return Ok(Err(Reject::PendingFull));
        }
        self.tx
            .prepare_cached(
                "INSERT INTO pending (op_id, network_id, author, seq, missing, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                &op.id().0[..],
                &self.network.0[..],
                &op.envelope().author.0[..],
                op.envelope().seq as i64,
                missing.len() as i64,
                op.bytes()
            ])?;
        let mut wait = self.tx.prepare_cached("INSERT INTO pending_waits (missing_id, op_id) VALUES (?1, ?2)")?;
        for id in missing {
            wait.execute(params![&id.0[..], &op.id().0[..]])?;
        }
        self.n_pending += 1;
        self.count_relayed(&op.envelope().author, op.bytes().len(), 1);
        Ok(Ok(Outcome::Parked))
    }

    fn insert_op(&mut self, op: &SealedOp, applied: bool) -> Result<()> {
        let env = op.envelope();
        self.count_relayed(&env.author, op.bytes().len(), 1);
        self.tx
            .prepare_cached(
                "INSERT INTO ops (op_id, network_id, author, seq, time, epoch, applied, bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                &op.id().0[..],
                &self.network.0[..],
                &env.author.0[..],
                env.seq as i64,
                i64::from(env.time.0),
                i64::from(env.epoch),
                i64::from(applied),
                op.bytes()
            ])?;
        let mut unhead = self.tx.prepare_cached("DELETE FROM heads WHERE network_id = ?1 AND op_id = ?2")?;
        for pred in op.predecessors() {
            unhead.execute(params![&self.network.0[..], &pred.0[..]])?;
        }
        self.tx.prepare_cached("INSERT INTO heads (network_id, op_id, time) VALUES (?1, ?2, ?3)")?.execute(params![
            &self.network.0[..],
            &op.id().0[..],
            i64::from(env.time.0)
        ])?;
        self.release_waiters(&op.id())
    }

    fn keep_evidence(&mut self, op: &SealedOp, conflicts_with: Option<OpId>) -> Result<()> {
        let env = op.envelope();
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO evidence (op_id, network_id, author, seq, conflicts_with, bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                &op.id().0[..],
                &self.network.0[..],
                &env.author.0[..],
                env.seq as i64,
                conflicts_with.map(|c| c.0.to_vec()),
                op.bytes()
            ])?;
        self.n_evidence += inserted as i64;
        if inserted > 0
            && let Some(relay) = &mut self.relay
        {
            relay.bytes += op.bytes().len() as i64;
        }
        let from = self.equivocators.get(&env.author).map_or(env.seq, |f| (*f).min(env.seq));
        self.equivocators.insert(env.author, from);
        self.tx
            .prepare_cached(
                "INSERT INTO equivocators (network_id, author, from_seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (network_id, author) DO UPDATE SET from_seq = min(from_seq, excluded.from_seq)",
            )?
            .execute(params![&self.network.0[..], &env.author.0[..], from as i64])?;
        tracing::warn!(author = %env.author.short(), seq = env.seq, "equivocation: two ops at one sequence number");
        self.rebuild_needed = true;
        self.release_waiters(&op.id())
    }

    /// Queues parked ops whose last missing predecessor is `arrived`.
    fn release_waiters(&mut self, arrived: &OpId) -> Result<()> {
        if self.n_pending == 0 {
            return Ok(());
        }
        let waiting: Vec<Vec<u8>> = {
            let mut stmt = self.tx.prepare_cached("DELETE FROM pending_waits WHERE missing_id = ?1 RETURNING op_id")?;
            stmt.query_map([&arrived.0[..]], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        for op_id in waiting {
            let (missing, bytes): (i64, Vec<u8>) = self
                .tx
                .prepare_cached("UPDATE pending SET missing = missing - 1 WHERE op_id = ?1 RETURNING missing, bytes")?
                .query_row([&op_id[..]], |r| Ok((r.get(0)?, r.get(1)?)))?;
            if missing == 0 {
                self.tx.prepare_cached("DELETE FROM pending WHERE op_id = ?1")?.execute([&op_id[..]])?;
                self.n_pending -= 1;
                self.report.released += 1;
                let op = SealedOp::from_verified_store(bytes).map_err(StoreError::Refused)?;
                self.count_relayed(&op.envelope().author, op.bytes().len(), -1);
                self.queue.push_back(op);
            }
        }
        Ok(())
    }
}
