//! Tests of the sync session: fast path, reconciliation and bounded messages.

use std::collections::{BTreeSet, HashMap};

use proptest::prelude::*;

use super::*;

/// A test replica of toy ops: `author(32) | seq(8) | prev(32) | time(8) | tag(1)`, id = BLAKE3.
/// Like the store, it logs an op only once its predecessor is held (others wait), and keeps a
/// second op at a taken (author, seq) as evidence.
#[derive(Default, Clone)]
struct Toy {
    log: Vec<Vec<u8>>,
    by_id: HashMap<[u8; 32], usize>,
    at: HashMap<([u8; 32], u64), [u8; 32]>,
    waiting: Vec<Vec<u8>>,
    evidence: Vec<Vec<u8>>,
    flagged: HashMap<[u8; 32], u64>,
}

fn parse(op: &[u8]) -> ([u8; 32], u64, [u8; 32], u64) {
    (
        op[..32].try_into().unwrap(),
        u64::from_be_bytes(op[32..40].try_into().unwrap()),
        op[40..72].try_into().unwrap(),
        u64::from_be_bytes(op[72..80].try_into().unwrap()),
    )
}

fn make(author: u8, seq: u64, prev: [u8; 32], time: u64, tag: u8) -> Vec<u8> {
    let mut op = vec![author; 32];
    op.extend_from_slice(&seq.to_be_bytes());
    op.extend_from_slice(&prev);
    op.extend_from_slice(&time.to_be_bytes());
    op.push(tag);
    op
}

fn id(op: &[u8]) -> [u8; 32] {
    *blake3::hash(op).as_bytes()
}

impl Toy {
    fn ingest(&mut self, ops: Vec<Vec<u8>>) {
        self.waiting.extend(ops);
        loop {
            let mut progress = false;
            for op in std::mem::take(&mut self.waiting) {
                let (author, seq, prev, _) = parse(&op);
                let oid = id(&op);
                if self.by_id.contains_key(&oid) || self.evidence.iter().any(|e| id(e) == oid) {
                    progress = true;
                    continue;
                }
                if let Some(existing) = self.at.get(&(author, seq)) {
                    if *existing != oid {
                        self.flag(author, seq);
                        self.evidence.push(op);
                    }
                    progress = true;
                    continue;
                }
                let prev_in_evidence = self.evidence.iter().any(|e| id(e) == prev);
                let flagged = self.flagged.get(&author).is_some_and(|from| seq >= *from);
                if flagged && (prev_in_evidence || self.by_id.contains_key(&prev)) {
                    // Later ops of an equivocator are kept as evidence, as the store does.
                    self.evidence.push(op);
                    progress = true;
                    continue;
                }
                let prev_ok = if seq == 1 { true } else { self.at.get(&(author, seq - 1)) == Some(&prev) };
                if prev_ok {
                    self.by_id.insert(oid, self.log.len());
                    self.at.insert((author, seq), oid);
                    self.log.push(op);
                    progress = true;
                } else {
                    self.waiting.push(op);
                }
            }
            if !progress || self.waiting.is_empty() {
                break;
            }
        }
    }

    fn flag(&mut self, author: [u8; 32], seq: u64) {
        let from = self.flagged.entry(author).or_insert(seq);
        *from = (*from).min(seq);
    }

    fn all_ids(&self) -> BTreeSet<[u8; 32]> {
        self.log.iter().chain(&self.evidence).map(|o| id(o)).collect()
    }
}

impl Replica for Toy {
    fn heads(&self) -> Vec<Head> {
        let mut best: HashMap<[u8; 32], (u64, [u8; 32])> = HashMap::new();
        for op in &self.log {
            let (author, seq, ..) = parse(op);
            if best.get(&author).is_none_or(|(s, _)| seq > *s) {
                best.insert(author, (seq, id(op)));
            }
        }
        let evidence = |a: &[u8; 32]| self.evidence.iter().filter(|e| parse(e).0 == *a).count() as u32;
        let mut heads: Vec<Head> =
            best.into_iter().map(|(author, (seq, id))| Head { author, seq, id, evidence: evidence(&author) }).collect();
        heads.sort_by_key(|h| h.author);
        heads
    }

    fn op_at(&self, author: &AuthorId, seq: u64) -> Option<OpId> {
        self.at.get(&(author.0, seq)).map(|i| OpId(*i))
    }

    fn ops_after(&self, from: &[(AuthorId, u64)]) -> Vec<Vec<u8>> {
        let from: HashMap<[u8; 32], u64> = from.iter().map(|(a, s)| (a.0, *s)).collect();
        self.log
            .iter()
            .filter(|op| {
                let (author, seq, ..) = parse(op);
                from.get(&author).is_some_and(|after| seq > *after)
            })
            .cloned()
            .collect()
    }

    fn items(&self) -> Vec<(u64, OpId)> {
        self.log.iter().chain(&self.evidence).map(|op| (parse(op).3, OpId(id(op)))).collect()
    }

    fn ops_by_id(&self, ids: &[OpId]) -> Vec<Vec<u8>> {
        ids.iter()
            .filter_map(|i| {
                self.by_id
                    .get(&i.0)
                    .map(|n| self.log[*n].clone())
                    .or_else(|| self.evidence.iter().find(|e| id(e) == i.0).cloned())
            })
            .collect()
    }
}

const NET: NetworkId = NetworkId([42; 32]);

/// Runs a session between `a` (initiator) and `b` over an in-memory channel, encoding and
/// decoding every message. Returns (stats a, stats b, round trips, bytes a->b, bytes b->a).
fn run(a: &mut Toy, b: &mut Toy) -> (Stats, Stats, u32, usize, usize) {
    let (mut sa, hello) = Session::initiate(NET, a);
    let mut sb = Session::respond(NET);
    let mut to_b = vec![hello];
    let mut to_a: Vec<Message> = Vec::new();
    let (mut bytes_ab, mut bytes_ba, mut flights) = (0, 0, 0u32);
    for _ in 0..1000 {
        if to_b.is_empty() && to_a.is_empty() {
            break;
        }
        flights += 1;
        for m in std::mem::take(&mut to_b) {
            let wire = m.encode();
            bytes_ab += wire.len();
            let step = sb.step(Message::decode(&wire).unwrap(), b).unwrap();
            b.ingest(step.received);
            to_a.extend(step.send);
        }
        for m in std::mem::take(&mut to_a) {
            let wire = m.encode();
            bytes_ba += wire.len();
            let step = sa.step(Message::decode(&wire).unwrap(), a).unwrap();
            a.ingest(step.received);
            to_b.extend(step.send);
        }
    }
    assert!(sa.is_finished() && sb.is_finished(), "both sides finish: {:?} {:?}", sa.stats, sb.stats);
    (sa.stats, sb.stats, flights, bytes_ab, bytes_ba)
}

/// A chain of `n` ops by `author`, times from `t0`.
fn chain(author: u8, n: u64, t0: u64, tag: u8) -> Vec<Vec<u8>> {
    let mut prev = [0u8; 32];
    (1..=n)
        .map(|seq| {
            let op = make(author, seq, prev, t0 + seq, tag);
            prev = id(&op);
            op
        })
        .collect()
}

#[test]
fn a_lagging_side_catches_up_in_one_round_trip() {
    let ops = chain(1, 500, 0, 0);
    let mut a = Toy::default();
    a.ingest(ops[..100].to_vec());
    let mut b = Toy::default();
    b.ingest(ops.clone());
    let (sa, sb, flights, ..) = run(&mut a, &mut b);
    assert_eq!(a.all_ids(), b.all_ids());
    assert!(sa.fast_path && sb.fast_path);
    assert_eq!((sb.ops_sent, sa.ops_received), (400, 400));
    assert_eq!(sa.expected_incoming, Some(400), "the vector says how many ops are coming");
    assert_eq!(flights, 2, "hello -> vector + ops + done -> done");
}

#[test]
fn concurrent_writers_exchange_both_ways() {
    let mut a = Toy::default();
    let mut b = Toy::default();
    let shared = chain(1, 50, 0, 0);
    a.ingest(shared.clone());
    b.ingest(shared);
    a.ingest(chain(2, 30, 100, 0));
    b.ingest(chain(3, 40, 100, 0));
    let (sa, sb, ..) = run(&mut a, &mut b);
    assert_eq!(a.all_ids(), b.all_ids());
    assert_eq!(a.all_ids().len(), 120);
    assert!(sa.fast_path);
    assert_eq!((sa.ops_sent, sb.ops_sent), (30, 40));
}

#[test]
fn forks_are_found_by_reconciliation_on_either_side() {
    // Author 1 equivocates: each side holds a different op at seq 11.
    let base = chain(1, 10, 0, 0);
    let fork_a = make(1, 11, id(&base[9]), 20, 1);
    let fork_b = make(1, 11, id(&base[9]), 20, 2);
    for initiator_ahead in [false, true] {
        let mut a = Toy::default();
        let mut b = Toy::default();
        a.ingest(base.clone());
        b.ingest(base.clone());
        a.ingest(vec![fork_a.clone()]);
        b.ingest(vec![fork_b.clone()]);
        // Either side may also be ahead on the fork (more ops after it).
        let next = make(1, 12, id(if initiator_ahead { &fork_a } else { &fork_b }), 21, 0);
        if initiator_ahead {
            a.ingest(vec![next])
        } else {
            b.ingest(vec![next])
        };
        let (sa, sb, ..) = run(&mut a, &mut b);
        assert!(
            a.all_ids() == b.all_ids(),
            "initiator ahead: {initiator_ahead}: {} vs {}",
            a.all_ids().len(),
            b.all_ids().len()
        );
        assert!(!sa.fast_path && sb.reconcile_rounds >= 1);
        assert!(!a.evidence.is_empty() && !b.evidence.is_empty(), "each side holds the other's version as evidence");
    }
}

#[test]
fn in_sync_replicas_exchange_little() {
    let mut a = Toy::default();
    a.ingest(chain(1, 1000, 0, 0));
    let mut b = a.clone();
    let (sa, sb, flights, ab, ba) = run(&mut a, &mut b);
    assert_eq!((sa.ops_sent, sb.ops_sent, flights), (0, 0, 2));
    assert!(ab < 300 && ba < 300, "{ab} {ba}");
}

#[test]
fn oversized_and_junk_messages_are_refused() {
    assert_eq!(Message::decode(&vec![0; MAX_FRAME + 1]), Err(SyncError::TooLarge));
    assert!(Message::decode(b"\xff\xff").is_err());
    let too_many = Message::Want { ids: vec![[0; 32]; MAX_WANT + 1] }.encode();
    assert_eq!(Message::decode(&too_many), Err(SyncError::Limit("want")));
    let mut s = Session::respond(NET);
    let other = Message::Hello { version: VERSION, network: [1; 32], heads: vec![], complete: true };
    assert_eq!(s.step(other, &Toy::default()).unwrap_err(), SyncError::WrongNetwork);
    let mut s = Session::respond(NET);
    let future = Message::Hello { version: 9, network: NET.0, heads: vec![], complete: true };
    assert_eq!(s.step(future, &Toy::default()).unwrap_err(), SyncError::Version(9));
    let mut s = Session::respond(NET);
    assert!(s.step(Message::Reconcile { payload: vec![0x61, 0xff] }, &Toy::default()).is_err());
}

proptest! {
    /// Whatever a peer sends, decoding refuses it cleanly or yields a message; never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(m) = Message::decode(&bytes) {
            let mut s = Session::respond(NET);
            let _ = s.step(m, &Toy::default());
        }
        // The first frame of a connection and a presented hub grant: the same.
        let _ = crate::auth::Auth::decode(&bytes);
        if let Ok(grant) = crate::hub::Grant::decode(&bytes) {
            let _ = grant.verify(&[0; 32], 0);
        }
    }

    /// Two replicas holding random parts of a history end with the union. (Forks are covered
    /// above and, with the real store's evidence rules, by the node's sync tests.)
    #[test]
    fn any_two_replicas_converge(split in proptest::collection::vec(0u8..3, 64)) {
        let mut pool: Vec<Vec<u8>> = Vec::new();
        for author in 1..=4u8 {
            pool.extend(chain(author, 16, u64::from(author) * 3, 0));
        }
        let (mut a, mut b) = (Toy::default(), Toy::default());
        for (op, side) in pool.iter().zip(split.iter().cycle()) {
            match side {
                0 => a.ingest(vec![op.clone()]),
                1 => b.ingest(vec![op.clone()]),
                _ => {
                    a.ingest(vec![op.clone()]);
                    b.ingest(vec![op.clone()]);
                }
            }
        }
        let mut union: BTreeSet<[u8; 32]> = a.all_ids();
        union.extend(b.all_ids());
        // An op one side held waiting for its predecessor is logged once they arrive, and goes
        // out in the next session: sessions repeat while they move ops (as the node's sync
        // loop does). Each session that is not the last moves at least one op.
        let mut sessions = 0;
        loop {
            sessions += 1;
            let (sa, sb, ..) = run(&mut a, &mut b);
            if sa.ops_sent + sb.ops_sent == 0 || sessions == 16 {
                break;
            }
        }
        prop_assert!(a.all_ids() == b.all_ids(), "{} vs {} ids", a.all_ids().len(), b.all_ids().len());
        prop_assert!(a.all_ids().is_superset(&union));
        prop_assert!(a.waiting.is_empty() && b.waiting.is_empty(), "after {sessions} sessions");
    }
}
