//! `openstrike bench`: measured figures, printed; never pass/fail assertions.

use std::time::{Duration, Instant};

use serde_json::json;
use strike_core::{Announcement, Body, NetworkKind, SealedOp};
use strike_crypto::KdfParams;
use strike_node::Node;
use strike_sync::bundle;

use crate::output::Output;

mod aid;
mod allocate;
mod circles;
mod fund;
mod guides;
mod qr;
mod secret;
mod stv;
mod ui;

pub use aid::aid;
pub use allocate::allocate;
pub use circles::circles;
pub use fund::fund;
pub use guides::guides;
pub use qr::qr;
pub use secret::secret;
pub use stv::stv;
pub use ui::run as ui;

/// Ops authored per transaction when creating in bulk.
const CREATE_BATCH: usize = 1000;
/// Ops authored one commit at a time, to show the cost of an fsync per user action.
const SINGLE_COMMITS: usize = 200;

struct Run {
    create_batched: f64,
    create_single: f64,
    bundle_read: f64,
    ingest: f64,
    ingest_parallel: f64,
    verify_only: f64,
    verify_share: f64,
    bundle_bytes: u64,
}

/// Verification threads the parallel ingest run uses: the store's default.
fn parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

fn one_run(n_ops: usize) -> anyhow::Result<Run> {
    let tmp = tempfile::tempdir()?;
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let mut a = Node::init(&dir_a, b"bench passphrase a", KdfParams::DEFAULT)?;
    let network = a.create_network("Bench", NetworkKind::Workplace)?;
    let body = |i: usize| {
        Body::Announcement(Announcement {
            text: format!("Benchmark announcement number {i}: meeting at the usual place"),
        })
    };

    let started = Instant::now();
    for i in 0..SINGLE_COMMITS.min(n_ops) {
        a.author(&network, body(i))?;
    }
    let create_single = per_sec(SINGLE_COMMITS.min(n_ops), started.elapsed());

    let remaining = n_ops.saturating_sub(SINGLE_COMMITS);
    let started = Instant::now();
    let mut made = 0;
    while made < remaining {
        let n = CREATE_BATCH.min(remaining - made);
        a.author_many(&network, (made..made + n).map(body).collect())?;
        made += n;
    }
    let create_batched = per_sec(remaining, started.elapsed());

    // The receiving node holds the network's key, as a member's second device would.
    let path = tmp.path().join("bench.osb");
    a.export_bundle(&network, &path, Some("bench bundle passphrase"))?;
    let bundle_bytes = std::fs::metadata(&path)?.len();
    let receiver = |dir: &std::path::Path, threads: usize| -> anyhow::Result<Node> {
        let mut node = Node::init(dir, b"bench passphrase b", KdfParams::DEFAULT)?;
        let key = a.store().epoch_key(&network, 0)?.ok_or_else(|| anyhow::anyhow!("no epoch key"))?;
        node.store_mut().ensure_network(&network, 0)?;
        node.store_mut().put_epoch_key(&network, 0, &key)?;
        node.store_mut().set_verify_threads(threads);
        Ok(node)
    };
    let mut b = receiver(&dir_b, 1)?;
    let mut c = receiver(&tmp.path().join("c"), parallelism())?;

    let started = Instant::now();
    let unseal = bundle::Unseal {
        identities: vec![],
        passphrase: Some(zeroize::Zeroizing::new("bench bundle passphrase".into())),
    };
    let mut reader = bundle::open(std::io::BufReader::new(std::fs::File::open(&path)?), &unseal)?;
    let mut chunks = Vec::new();
    while let Some(chunk) = reader.next_chunk()? {
        chunks.push(chunk);
    }
    let total_ops: usize = chunks.iter().map(Vec::len).sum();
    let bundle_read = per_sec(total_ops, started.elapsed());

    let all_ops: Vec<Vec<u8>> = chunks.iter().flatten().cloned().collect();
    let ingest_into = |node: &mut Node, chunks: Vec<Vec<Vec<u8>>>| -> anyhow::Result<Duration> {
        let started = Instant::now();
        for chunk in chunks {
            let report = node.ingest(&network, chunk)?;
            anyhow::ensure!(report.n_rejected() == 0 && report.parked == 0, "bench ops were refused: {report:?}");
        }
        let elapsed = started.elapsed();
        anyhow::ensure!(a.state_hash(&network)? == node.state_hash(&network)?, "state hashes differ after ingest");
        Ok(elapsed)
    };
    let ingest_time = ingest_into(&mut b, chunks.clone())?;
    let parallel_time = ingest_into(&mut c, chunks)?;

    let started = Instant::now();
    let mut keys = strike_core::KeyCache::default();
    for op in all_ops {
        SealedOp::verify_with(op, &mut keys).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let verify_time = started.elapsed();
    Ok(Run {
        create_batched,
        create_single,
        bundle_read,
        ingest: per_sec(total_ops, ingest_time),
        ingest_parallel: per_sec(total_ops, parallel_time),
        verify_only: per_sec(total_ops, verify_time),
        verify_share: verify_time.as_secs_f64() / ingest_time.as_secs_f64().max(1e-9),
        bundle_bytes,
    })
}

pub fn ingest(out: Output, n_ops: usize, runs: usize) -> anyhow::Result<()> {
    let runs = runs.max(1);
    let mut results = Vec::with_capacity(runs);
    for i in 0..runs {
        let r = one_run(n_ops)?;
        if !out.is_json() {
            eprintln!(
                "run {}/{runs}: create {:.0} ops/s batched, {:.0} ops/s one commit each; ingest {:.0} ops/s on one core, {:.0} ops/s with parallel verification; verify alone {:.0} ops/s ({:.0}% of one-core ingest time)",
                i + 1,
                r.create_batched,
                r.create_single,
                r.ingest,
                r.ingest_parallel,
                r.verify_only,
                r.verify_share * 100.0
            );
        }
        results.push(r);
    }
    let m = |f: fn(&Run) -> f64| median(results.iter().map(f).collect());
    let (ingest, verify_only) = (m(|r| r.ingest), m(|r| r.verify_only));
    out.emit(
        json!({
            "ops_per_run": n_ops, "runs": runs,
            "median_create_batched_ops_per_s": m(|r| r.create_batched),
            "median_create_single_commit_ops_per_s": m(|r| r.create_single),
            "median_bundle_read_ops_per_s": m(|r| r.bundle_read),
            "median_ingest_ops_per_s": ingest,
            "median_ingest_parallel_ops_per_s": m(|r| r.ingest_parallel),
            "verify_threads": parallelism(),
            "median_verify_only_ops_per_s": verify_only,
            "median_verify_share_of_ingest": m(|r| r.verify_share),
            "bundle_bytes": results[0].bundle_bytes,
        }),
        || {
            format!(
                "bench ingest: {n_ops} announcement ops, median of {runs} runs\n\
                 create  {:>9.0} ops/s  (sign, encrypt, validate, commit; {CREATE_BATCH} ops per commit)\n\
                 create  {:>9.0} ops/s  (one commit with fsync per op, as the CLI does)\n\
                 bundle  {:>9.0} ops/s  (age decrypt and chunk verification; {} bytes for {n_ops} ops)\n\
                 ingest  {:>9.0} ops/s  (one core: verify, chain, decrypt, validate, apply, commit per chunk)\n\
                 ingest  {:>9.0} ops/s  (signatures verified on {} threads, the rest as above)\n\
                 verify  {:>9.0} ops/s  (decode and Ed25519 verify_strict alone, as ingest does it: the one-core ceiling)\n\
                 signature verification is {:.0}% of one-core ingest time; one-core ingest reaches {:.0}% of the verification bound",
                m(|r| r.create_batched),
                m(|r| r.create_single),
                m(|r| r.bundle_read),
                results[0].bundle_bytes,
                ingest,
                m(|r| r.ingest_parallel),
                parallelism(),
                verify_only,
                m(|r| r.verify_share) * 100.0,
                ingest / verify_only.max(1e-9) * 100.0
            )
        },
    );
    Ok(())
}

pub fn wipe(out: Output, mib: u64) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("node");
    let mut node = Node::init(&dir, b"bench wipe passphrase", KdfParams::DEFAULT)?;
    let started = Instant::now();
    node.store_mut().fill_for_benchmark(mib)?;
    let fill = started.elapsed();
    drop(node);
    let db_bytes: u64 = std::fs::read_dir(&dir)?.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum();
    let report = Node::wipe(&dir)?;
    let reopened = Node::open(&dir, b"bench wipe passphrase").is_ok();
    out.emit(
        json!({ "data_dir_bytes": db_bytes, "wipe_ms": report.elapsed.as_secs_f64() * 1000.0, "reopens_after_wipe": reopened }),
        || {
            format!(
                "bench wipe: {} MiB data directory (filled in {:.1} s)\nwipe took {:.1} ms; the right passphrase opens it afterwards: {}",
                db_bytes / (1024 * 1024),
                fill.as_secs_f64(),
                report.elapsed.as_secs_f64() * 1000.0,
                if reopened { "YES (defect)" } else { "no" }
            )
        },
    );
    Ok(())
}

/// The key-derivation cost before issue 11 raised it: 64 MiB, 3 passes.
const OLD_KDF: KdfParams = KdfParams { m_cost_kib: 64 * 1024, t_cost: 3, p_cost: 1 };

/// Median seconds of `runs` calls of `f`.
fn median_secs(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        f()?;
        times.push(started.elapsed().as_secs_f64());
    }
    Ok(median(times))
}

/// What one unlock costs: the derivation alone at the old and the current parameters, a
/// whole `Node::open` (derivation, SQLCipher key, migrations check), and a whole CLI command
/// (`network list`, one process, one unlock).
pub fn unlock(out: Output, runs: usize) -> anyhow::Result<()> {
    let passphrase = b"bench unlock passphrase";
    let salt = [7u8; 16];
    let derive = |params: KdfParams| {
        move || -> anyhow::Result<()> {
            strike_crypto::derive_passphrase_key(passphrase, &salt, params)?;
            Ok(())
        }
    };
    let old = median_secs(runs, derive(OLD_KDF))?;
    let new = median_secs(runs, derive(KdfParams::DEFAULT))?;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("node");
    let mut node = Node::init(&dir, passphrase, KdfParams::DEFAULT)?;
    node.create_network("Bench", NetworkKind::Workplace)?;
    drop(node);
    let open = median_secs(runs, || {
        Node::open(&dir, passphrase)?;
        Ok(())
    })?;
    let exe = std::env::current_exe()?;
    let command = median_secs(runs, || {
        let out = std::process::Command::new(&exe)
            .args(["--json", "network", "list"])
            .env("OPENSTRIKE_DATA_DIR", &dir)
            .env("OPENSTRIKE_PASSPHRASE", std::str::from_utf8(passphrase)?)
            .output()?;
        anyhow::ensure!(out.status.success(), "network list failed: {}", String::from_utf8_lossy(&out.stderr));
        Ok(())
    })?;
    let p = KdfParams::DEFAULT;
    out.emit(
        json!({ "runs": runs, "kdf_old_s": old, "kdf_s": new, "open_s": open, "cli_command_s": command,
                "m_cost_kib": p.m_cost_kib, "t_cost": p.t_cost, "p_cost": p.p_cost }),
        || {
            format!(
                "bench unlock (median of {runs}):
  Argon2id 64 MiB, t=3 (before)          {old:.3} s
  Argon2id {} MiB, t={} (key files now)  {new:.3} s
  Node::open (derivation + database)     {open:.3} s
  `openstrike network list`, whole       {command:.3} s",
                p.m_cost_kib / 1024,
                p.t_cost
            )
        },
    );
    Ok(())
}

/// Posts `count` announcements, one commit each, printing every op id as soon as its commit
/// returned, then the median and 99th-percentile commit latency.
pub fn writes(out: Output, node: &mut Node, network: &strike_core::NetworkId, count: u64) -> anyhow::Result<()> {
    use std::io::Write;
    let mut latencies = Vec::with_capacity(count.min(1 << 20) as usize);
    let mut stdout = std::io::stdout().lock();
    for i in 0..count {
        let started = Instant::now();
        let id = node.announce(network, &format!("write load {i}"))?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        writeln!(
            stdout,
            "{}",
            if out.is_json() { json!({ "ack": id.to_hex() }).to_string() } else { format!("ack {id}") }
        )?;
        stdout.flush()?;
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| latencies.get(((latencies.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0.0);
    let (p50, p99) = (pct(0.5), pct(0.99));
    drop(stdout);
    out.emit(json!({ "writes": count, "p50_ms": p50, "p99_ms": p99 }), || {
        format!("{count} writes, one durable commit each: p50 {p50:.2} ms, p99 {p99:.2} ms")
    });
    Ok(())
}

/// `bench tally`: 1,000,000 pledges (with withdrawals) across 1,000 calls of a 1,000-member
/// network. Measures the pure fold and status evaluation on one core, and the same from the
/// encrypted store (reading the pledge rows of every call, then folding and evaluating).
pub fn tally(out: Output, n_calls: usize, per_call: usize, runs: usize) -> anyhow::Result<()> {
    use strike_core::calls::{self, Call, CallKind, Dimension, Person, PledgeEvent, Roster, Rule, Wave};
    use strike_core::{AuthorId, CoarseTime, OpId};

    let n_members = per_call.max(10);
    let departments = ["packing", "picking", "loading", "returns", "cleaning", "office", "yard", "cold store"];
    let author = |i: usize| {
        let mut a = [0u8; 32];
        a[..8].copy_from_slice(&(i as u64).to_be_bytes());
        a[8] = 0xaa;
        AuthorId(a)
    };
    let mut roster = Roster::default();
    for i in 0..n_members {
        let role = if i % 50 == 0 { "nurse" } else { "picker" };
        let person = Person {
            workplace: "Dock 4".into(),
            department: departments[i % departments.len()].into(),
            shift: if i % 2 == 0 { "day" } else { "night" }.into(),
            role: role.into(),
        };
        roster.members.insert(author(i), Some(person));
    }
    let call = |i: usize| Call {
        kind: CallKind::Strike,
        title: format!("Call {i}"),
        demands: vec!["A raise".into()],
        scope: String::new(),
        deadline: 1_000_000,
        exempt_roles: vec!["nurse".into()],
        waves: vec![Wave {
            rules: vec![
                Rule::Count { n: (per_call as u32 * 8) / 10 },
                Rule::Share { permille: 700 },
                Rule::MinPer { dimension: Dimension::Department, n: 5 },
            ],
            starts: 1_000_100,
        }],
        secret: None,
    };
    // Per call: members pledge in a scrambled order; every tenth later withdraws and pledges again.
    let events_for = |c: usize| -> Vec<PledgeEvent> {
        let mut out = Vec::with_capacity(per_call);
        let mut i = 0usize;
        while out.len() < per_call {
            let m = (i * 7919 + c * 31) % n_members;
            let t = (i as u32) * 3 + (c as u32 % 7);
            out.push(PledgeEvent { author: author(m), seq: 2, time: CoarseTime(t), pledged: true });
            if i.is_multiple_of(10) && out.len() + 2 <= per_call {
                out.push(PledgeEvent { author: author(m), seq: 3, time: CoarseTime(t + 1), pledged: false });
                out.push(PledgeEvent { author: author(m), seq: 4, time: CoarseTime(t + 2), pledged: true });
            }
            i += 1;
        }
        out
    };
    let calls: Vec<Call> = (0..n_calls).map(call).collect();
    let all_events: Vec<Vec<PledgeEvent>> = (0..n_calls).map(events_for).collect();
    let total: usize = all_events.iter().map(Vec::len).sum();

    // 1. The pure fold and evaluation, one core.
    let mut pure = Vec::new();
    let mut triggered = 0;
    for _ in 0..runs {
        let mut events = all_events.clone();
        let started = Instant::now();
        triggered = 0;
        for (c, ev) in calls.iter().zip(events.iter_mut()) {
            let t = calls::evaluate(c, &roster, ev, None, CoarseTime(10));
            triggered += usize::from(t.waves[0].triggered_at.is_some());
        }
        pure.push(started.elapsed().as_secs_f64());
    }

    // 2. From the encrypted store, through the node's query.
    let tmp = tempfile::tempdir()?;
    let mut node = Node::init(&tmp.path().join("n"), b"bench tally passphrase", KdfParams::MINIMUM)?;
    let network = node.create_network("Tally", NetworkKind::Workplace)?;
    let members: Vec<AuthorId> = (0..n_members).map(author).collect();
    let call_rows: Vec<(OpId, Vec<u8>)> = calls
        .iter()
        .enumerate()
        .map(|(i, c)| (OpId(strike_crypto::hash(format!("call {i}").as_bytes())), Body::Call(c.clone()).encode()))
        .collect();
    let mut rows = Vec::with_capacity(total);
    for (c, ev) in all_events.iter().enumerate() {
        for e in ev {
            let m = u64::from_be_bytes(e.author.0[..8].try_into().expect("8 bytes")) as usize;
            // Give each row its own seq so rows of one author in one call stay distinct.
            rows.push((c, m, e.seq, e.time.0, e.pledged));
        }
    }
    let profiles: Vec<Vec<u8>> = members
        .iter()
        .map(|m| {
            let p = roster.members[m].clone().expect("every member has a profile");
            Body::Profile(strike_core::body::Profile {
                workplace: p.workplace,
                department: p.department,
                shift: p.shift,
                role: p.role,
                ..Default::default()
            })
            .encode()
        })
        .collect();
    node.store_mut().fill_tally_benchmark(&network, &members, &profiles, &call_rows, &rows)?;
    let mut stored = Vec::new();
    let mut stored_triggered = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let views = node.calls(&network)?;
        stored.push(started.elapsed().as_secs_f64());
        stored_triggered = views.iter().filter(|v| v.tally.waves[0].triggered_at.is_some()).count();
    }
    let (pure_s, stored_s) = (median(pure), median(stored));
    out.emit(
        json!({
            "calls": n_calls, "pledge_events": total, "members": n_members, "runs": runs,
            "pure_seconds": pure_s, "pure_pledges_per_sec": total as f64 / pure_s,
            "store_seconds": stored_s, "store_pledges_per_sec": total as f64 / stored_s,
            "triggered": triggered, "triggered_from_store": stored_triggered,
        }),
        || {
            format!(
                "tally: {total} pledge events (pledges and withdrawals) across {n_calls} calls, {n_members} members, median of {runs} runs\n\
                 fold + status evaluation, one core:          {pure_s:.3} s  ({:.0} pledges/s)\n\
                 the same from the encrypted store (node.calls): {stored_s:.3} s  ({:.0} pledges/s)\n\
                 calls triggered: {triggered} (from the store: {stored_triggered})",
                total as f64 / pure_s,
                total as f64 / stored_s
            )
        },
    );
    Ok(())
}

/// `bench sync`: reconciliation of two replicas of `n_ids` op ids that differ by `diff` ops,
/// newest and scattered. Round trips and bytes each way, from the protocol's own messages
/// (transport-independent; the QUIC transport adds its framing on top).
pub fn sync_reconcile(out: Output, n_ids: usize, diff: usize) -> anyhow::Result<()> {
    use strike_core::{AuthorId, NetworkId, OpId};
    use strike_sync::protocol::{Head, Message, Replica, Session};

    struct Ids(Vec<(u64, OpId)>);
    impl Replica for Ids {
        fn heads(&self) -> Vec<Head> {
            Vec::new()
        }
        fn op_at(&self, _: &AuthorId, _: u64) -> Option<OpId> {
            None
        }
        fn ops_after(&self, _: &[(AuthorId, u64)]) -> Vec<Vec<u8>> {
            Vec::new()
        }
        fn items(&self) -> Vec<(u64, OpId)> {
            self.0.clone()
        }
        // Only reconciliation is measured: the ops themselves are not sent.
        fn ops_by_id(&self, _: &[OpId]) -> Vec<Vec<u8>> {
            Vec::new()
        }
    }
    let network = NetworkId([7; 32]);
    let all: Vec<(u64, OpId)> = (0..n_ids)
        .map(|i| (29_000_000 + (i / 20) as u64, OpId(strike_crypto::hash(&(i as u64).to_le_bytes()))))
        .collect();
    let mut results = Vec::new();
    for case in ["newest", "scattered"] {
        let missing: std::collections::HashSet<usize> = match case {
            "newest" => (n_ids - diff..n_ids).collect(),
            _ => (0..diff).map(|k| k * (n_ids / diff) + (k * 7919) % (n_ids / diff)).collect(),
        };
        let full = Ids(all.clone());
        let lagging = Ids(all.iter().enumerate().filter(|(i, _)| !missing.contains(i)).map(|(_, x)| *x).collect());
        let started = Instant::now();
        // The lagging replica opens the session; the full one answers.
        let (mut a, hello) = Session::initiate_full(network);
        let mut b = Session::respond(network);
        let (mut flights, mut bytes_ab, mut bytes_ba, mut want_ids) = (0u32, 0usize, 0usize, 0usize);
        let mut to_b = vec![hello];
        let mut to_a: Vec<Message> = Vec::new();
        while !(to_a.is_empty() && to_b.is_empty()) {
            if !to_b.is_empty() {
                flights += 1;
            }
            for m in std::mem::take(&mut to_b) {
                bytes_ab += m.encode().len();
                to_a.extend(b.step(m, &full)?.send);
            }
            if !to_a.is_empty() {
                flights += 1;
            }
            for m in std::mem::take(&mut to_a) {
                let wire = m.encode();
                bytes_ba += wire.len();
                if let Message::Want { ids } = &m {
                    want_ids += ids.len();
                }
                to_b.extend(a.step(m, &lagging)?.send);
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        // The full replica is the negentropy client: it learns what the lagging one lacks
        // ("have" ids, sent as ops) and what it lacks itself (none).
        let round_trips = flights.div_ceil(2);
        results.push(json!({
            "case": case, "ids": n_ids, "differ": diff, "round_trips": round_trips,
            "bytes_lagging_to_full": bytes_ab, "bytes_full_to_lagging": bytes_ba,
            "missing_ids_bytes": diff * 32, "want_ids": want_ids, "seconds": elapsed,
            "ops_found": b.stats.ops_sent,
        }));
    }
    out.emit(json!({ "reconcile": results }), || {
        let mut out = format!("set reconciliation (negentropy) of {n_ids} op ids, {diff} missing on one side:\n");
        for r in &results {
            out.push_str(&format!(
                "  {:<9} {} round trips, {} B lagging->full, {} B full->lagging (the missing ids alone: {} B), {:.2} s\n",
                r["case"].as_str().unwrap_or(""),
                r["round_trips"],
                r["bytes_lagging_to_full"],
                r["bytes_full_to_lagging"],
                r["missing_ids_bytes"],
                r["seconds"].as_f64().unwrap_or(0.0)
            ));
        }
        out
    });
    Ok(())
}

/// `bench sync --catchup N`: a new member's node catches up on a network of N ops over
/// QUIC on loopback. Ops per second and bytes on the wire over the ops' own bytes.
pub fn sync_catchup(out: Output, n_ops: usize) -> anyhow::Result<()> {
    use strike_node::networks::InviteLink;

    let tmp = tempfile::tempdir()?;
    let mut a = Node::init(&tmp.path().join("a"), b"bench sync a", KdfParams::MINIMUM)?;
    let network = a.create_network("Bench", NetworkKind::Workplace)?;
    let link: InviteLink = a.create_invite(&network, 1, None, vec![])?;
    let mut b = Node::init(&tmp.path().join("b"), b"bench sync b", KdfParams::MINIMUM)?;
    b.join(&link, "b")?;
    let carry = |from: &Node, to: &mut Node| -> anyhow::Result<()> {
        let mut ops = Vec::new();
        from.store().for_each_op(&network, |op| {
            ops.push(op.to_vec());
            Ok(())
        })??;
        to.ingest(&network, ops)?;
        Ok(())
    };
    carry(&b, &mut a)?;
    let b_id = b.network(&network)?.my_author.ok_or_else(|| anyhow::anyhow!("no author"))?;
    a.vouch(&network, &b_id)?;
    carry(&a, &mut b)?;
    b.upkeep(&network)?;
    let before = a.network(&network)?.n_ops as usize;
    let started = Instant::now();
    let mut made = 0;
    while made < n_ops {
        let n = CREATE_BATCH.min(n_ops - made);
        let bodies = (made..made + n)
            .map(|i| {
                Body::Announcement(Announcement {
                    text: format!("Benchmark announcement number {i}: meeting at the usual place"),
                })
            })
            .collect();
        a.author_many(&network, bodies)?;
        made += n;
    }
    let create_secs = started.elapsed().as_secs_f64();
    let mut op_bytes = 0u64;
    let mut skipped = 0usize;
    a.store().for_each_op(&network, |op| {
        if skipped < before {
            skipped += 1;
        } else {
            op_bytes += op.len() as u64;
        }
        Ok(())
    })??;
    let (tx, rx) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || -> anyhow::Result<Node> {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
        let shared = std::sync::Arc::new(tokio::sync::Mutex::new(a));
        rt.block_on(async {
            let net = shared.lock().await.bind("127.0.0.1:0".parse()?).await?;
            tx.send(net.clone())?;
            strike_node::peer::serve(shared.clone(), &net, Default::default(), std::sync::Arc::new(|_| {})).await?;
            anyhow::Ok(())
        })?;
        std::sync::Arc::try_unwrap(shared)
            .map(|m| m.into_inner())
            .map_err(|_| anyhow::anyhow!("a session still holds the node"))
    });
    let server_net = rx.recv()?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let b = tokio::sync::Mutex::new(b);
    let (summary, secs) = rt.block_on(async {
        let net = b.lock().await.bind("127.0.0.1:0".parse()?).await?;
        let started = Instant::now();
        let s = strike_node::peer::sync_with(&b, &net, &server_net.addr(), network, &mut |_| {}).await?;
        let secs = started.elapsed().as_secs_f64();
        server_net.close().await;
        net.close().await;
        anyhow::Ok((s, secs))
    })?;
    let a = server.join().map_err(|_| anyhow::anyhow!("server thread panicked"))??;
    let b = b.into_inner();
    let same = a.state_hash(&network)? == b.state_hash(&network)?;
    let ops = summary.stats.ops_received;
    let ratio = summary.bytes_received as f64 / op_bytes.max(1) as f64;
    // A hub's side of the same catch-up: relay ingest (every check that needs no key, nothing
    // decrypted or applied, quotas counted) in the batches a session delivers.
    let mut all = Vec::new();
    a.store().for_each_op(&network, |op| {
        all.push(op.to_vec());
        Ok(())
    })??;
    let mut hub = Node::init(&tmp.path().join("hub"), b"bench sync hub", KdfParams::MINIMUM)?;
    let n_relayed = all.len();
    let started = Instant::now();
    let mut stored = 0;
    let mut batches = all.into_iter().peekable();
    while batches.peek().is_some() {
        let batch: Vec<Vec<u8>> = batches.by_ref().take(strike_sync::protocol::MAX_BATCH_OPS).collect();
        let report = hub.store_mut().ingest_relay(&network, batch, strike_node::unix_now(), Default::default())?;
        stored += report.sealed;
    }
    let relay_secs = started.elapsed().as_secs_f64();
    out.emit(
        json!({ "ops": n_ops, "ops_received": ops, "seconds": secs, "ops_per_sec": ops as f64 / secs,
                "bytes_received": summary.bytes_received, "op_bytes": op_bytes, "overhead_ratio": ratio,
                "same_state_hash": same, "create_seconds": create_secs,
                "relay_ops": stored, "relay_seconds": relay_secs, "relay_ops_per_sec": stored as f64 / relay_secs }),
        || {
            format!(
                "catch-up over QUIC on loopback: {ops} ops in {secs:.2} s = {:.0} ops/s (verify, chain, decrypt, apply, commit included)\n\
                 bytes received {} / the ops' own bytes {op_bytes} = overhead ratio {ratio:.3}; same state hash: {same}\n\
                 a hub storing the same {n_relayed} ops (relay ingest: verify, chain, quotas, commit; no keys): {stored} in {relay_secs:.2} s = {:.0} ops/s",
                ops as f64 / secs,
                summary.bytes_received,
                stored as f64 / relay_secs
            )
        },
    );
    Ok(())
}
