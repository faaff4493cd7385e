//! `bench ui`: the web UI of a node holding a 10,000-member network under 50 concurrent
//! clients on loopback. Prints p50 and p99 latency and requests per second for the
//! dashboard, a call's page and a picket's page (12 shifts, half the members signed up), and
//! what the first view after a change costs (the views are computed from the node once per
//! change, then served from the cache).
//!
//! The network is built from real signed, encrypted ops through the node's ingest: the
//! members' join requests, profiles, pledges and shift sign-ups are sealed here as their own nodes would
//! seal them, and the founder's node vouches for every one.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;
use strike_core::body::{JoinRequest, Profile, Vouch};
use strike_core::calls::{Call, CallKind, Dimension, Pledge, Rule, Wave};
use strike_core::events::{ShiftInput, ShiftSignup};
use strike_core::{Body, CoarseTime, NetworkId, NetworkKind, OpDraft, OpId};
use strike_crypto::{AgreementSecret, KdfParams, SigningSecret, SymmetricKey};
use strike_node::Node;
use strike_node::events::EventSpec;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::output::Output;

const PASSPHRASE: &str = "bench ui passphrase";
/// Ops handed to ingest at once while building the network.
const INGEST_BATCH: usize = 2000;
/// Share of members who pledge (permille): the call stands at 70% of its count.
const PLEDGING_PERMILLE: usize = 700;
/// Views recomputed after a change, to time the first request after it.
const COLD_RUNS: usize = 5;
/// The picket's shifts (an hour each from 05:00); every other member signs up for one, so
/// each stands about half filled.
const SHIFTS: usize = 12;

/// One synthetic member: keys and chain, sealing ops as the member's own node would.
pub(super) struct Member {
    pub signing: SigningSecret,
    seq: u64,
    prev: Option<OpId>,
}

impl Member {
    fn seal(
        &mut self,
        network: NetworkId,
        time: u32,
        epoch: u32,
        key: &SymmetricKey,
        body: Body,
    ) -> anyhow::Result<Vec<u8>> {
        let draft =
            OpDraft { network, seq: self.seq + 1, prev: self.prev, deps: vec![], time: CoarseTime(time), epoch, body };
        let op = draft
            .seal(&self.signing, key, strike_crypto::random_bytes(&mut rand::rng()))
            .map_err(|r| anyhow::anyhow!("sealing a member's op: {r}"))?;
        self.seq += 1;
        self.prev = Some(op.id());
        Ok(op.into_bytes())
    }
}

fn ingest_all(node: &mut Node, network: &NetworkId, ops: Vec<Vec<u8>>) -> anyhow::Result<()> {
    let total = ops.len() as u64;
    let mut applied = 0;
    let mut ops = ops.into_iter().peekable();
    while ops.peek().is_some() {
        let batch: Vec<Vec<u8>> = ops.by_ref().take(INGEST_BATCH).collect();
        applied += node.ingest(network, batch)?.applied;
    }
    anyhow::ensure!(applied == total, "ingest applied {applied} of {total} ops");
    Ok(())
}

/// Sam's node with a network of `n_members` (Sam included), a call at 70% of its count.
/// The network, its call and its picket.
struct Built {
    node: Node,
    network: NetworkId,
    call: OpId,
    picket: OpId,
}

fn build(dir: &std::path::Path, n_members: usize) -> anyhow::Result<Built> {
    const DEPARTMENTS: [&str; 8] =
        ["Picking", "Packing", "Loading", "Returns", "Cleaning", "Office", "Yard", "Cold store"];
    let Admitted { node: mut sam, network, mut members, now } = admitted(dir, "Bench warehouse", n_members)?;
    let n = members.len();
    let call = sam.create_call(
        &network,
        Call {
            kind: CallKind::Strike,
            title: "One-day strike".into(),
            demands: vec!["A raise".into()],
            scope: String::new(),
            deadline: now + 21 * 24 * 60,
            exempt_roles: vec!["nurse".into()],
            waves: vec![Wave {
                rules: vec![
                    Rule::Count { n: n_members as u32 },
                    Rule::Share { permille: 600 },
                    Rule::MinPer { dimension: Dimension::Department, n: 50 },
                ],
                starts: now + 24 * 24 * 60,
            }],
            secret: None,
        },
    )?;
    let needed = (n_members / SHIFTS).clamp(1, usize::from(strike_core::events::MAX_NEEDED));
    let shifts = (0..SHIFTS)
        .map(|h| ShiftInput::parse(&format!("Gate {}, {:02}:00-{:02}:00, {needed}", h % 2 + 1, 5 + h, 6 + h)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    let picket = sam.create_event(
        &network,
        &EventSpec {
            kind: "picket".into(),
            title: "Strike day picket".into(),
            start: "2d".into(),
            shifts,
            ..EventSpec::default()
        },
    )?;
    let (epoch, key) = sam.store().write_key(&network)?.context("the founder holds the network key")?;
    let mut later = Vec::with_capacity(2 * n);
    for (i, m) in members.iter_mut().enumerate() {
        let profile = Profile {
            pseudonym: format!("member-{i}"),
            workplace: "Bench warehouse".into(),
            department: DEPARTMENTS[i % DEPARTMENTS.len()].into(),
            shift: if i % 2 == 0 { "day" } else { "night" }.into(),
            role: if i % 50 == 0 { "nurse" } else { "picker" }.into(),
            ..Profile::default()
        };
        later.push(m.seal(network, now, epoch, &key, Body::Profile(profile))?);
        if i * 1000 < n * PLEDGING_PERMILLE {
            later.push(m.seal(network, now, epoch, &key, Body::Pledge(Pledge { call, pledged: true }))?);
        }
        if i % 2 == 0 {
            let signup = ShiftSignup { event: picket, shift: ((i / 2) % SHIFTS) as u16, joined: true };
            later.push(m.seal(network, now, epoch, &key, Body::ShiftSignup(signup))?);
        }
    }
    ingest_all(&mut sam, &network, later)?;
    Ok(Built { node: sam, network, call, picket })
}

/// A founder's node (Sam, with a profile) with `n_members` admitted (Sam included): their
/// join requests sealed as their own nodes would, then Sam's vouch for each.
pub(super) struct Admitted {
    pub node: Node,
    pub network: NetworkId,
    pub members: Vec<Member>,
    pub now: u32,
}

pub(super) fn admitted(dir: &std::path::Path, name: &str, n_members: usize) -> anyhow::Result<Admitted> {
    let mut sam = Node::init(dir, PASSPHRASE.as_bytes(), KdfParams::MINIMUM)?;
    let network = sam.create_network(name, NetworkKind::Workplace)?;
    sam.set_profile(&network, |p| {
        p.pseudonym = "Sam".into();
        p.department = "Packing".into();
    })?;
    let n = n_members.saturating_sub(1);
    let link = sam.create_invite(&network, u16::try_from(n.max(1)).unwrap_or(u16::MAX), None, vec![])?;
    let invite = strike_core::membership::invite_id(&link.secret);
    let join_key = SymmetricKey::from_bytes(strike_core::membership::join_key(&link.secret));
    let join_epoch = strike_core::membership::join_epoch(&invite);
    let now = CoarseTime::from_unix_seconds(sam.now()).0;
    let mut rng = rand::rng();
    let mut members: Vec<Member> =
        (0..n).map(|_| Member { signing: SigningSecret::generate(&mut rng), seq: 0, prev: None }).collect();
    let mut joins = Vec::with_capacity(n);
    for (i, m) in members.iter_mut().enumerate() {
        let body = Body::JoinRequest(JoinRequest {
            invite,
            agreement: AgreementSecret::generate(&mut rng).public().0,
            pseudonym: format!("member-{i}"),
        });
        joins.push(m.seal(network, now, join_epoch, &join_key, body)?);
    }
    ingest_all(&mut sam, &network, joins)?;
    let vouches =
        members.iter().map(|m| Body::Vouch(Vouch { member: strike_core::AuthorId(m.signing.public().0) })).collect();
    sam.author_many(&network, vouches)?;
    Ok(Admitted { node: sam, network, members, now })
}

/// One keep-alive HTTP/1.1 connection to the UI, as a browser would hold.
struct Conn {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    async fn open(addr: std::net::SocketAddr) -> anyhow::Result<Conn> {
        let stream = TcpStream::connect(addr).await.context("connecting to the UI")?;
        stream.set_nodelay(true)?;
        Ok(Conn { stream: BufReader::new(stream), host: addr.to_string() })
    }

    /// Sends a request and reads the whole response: (status, headers, body length).
    async fn send(&mut self, head: &str, body: &[u8]) -> anyhow::Result<(u16, Vec<String>, usize)> {
        let request = format!("{head}\r\nHost: {}\r\nContent-Length: {}\r\n\r\n", self.host, body.len());
        self.stream.get_mut().write_all(request.as_bytes()).await?;
        self.stream.get_mut().write_all(body).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("a status line")?;
        let (mut headers, mut length) = (Vec::new(), 0usize);
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some(v) = header.strip_prefix("content-length: ") {
                length = v.parse()?;
            }
            anyhow::ensure!(!header.starts_with("transfer-encoding"), "the bench reads sized bodies only");
            headers.push(header.to_owned());
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        Ok((status, headers, length))
    }

    async fn get(&mut self, path: &str, cookie: &str) -> anyhow::Result<usize> {
        let (status, _, length) = self.send(&format!("GET {path} HTTP/1.1\r\nCookie: {cookie}"), &[]).await?;
        anyhow::ensure!(status == 200, "GET {path}: {status}");
        Ok(length)
    }
}

/// Logs in through the API; returns the cookie to send.
async fn login(addr: std::net::SocketAddr) -> anyhow::Result<String> {
    let mut c = Conn::open(addr).await?;
    let body = json!({ "passphrase": PASSPHRASE }).to_string();
    let (status, headers, _) =
        c.send("POST /api/v1/session HTTP/1.1\r\nContent-Type: application/json", body.as_bytes()).await?;
    anyhow::ensure!(status == 200, "login: {status}");
    let cookie = headers.iter().find_map(|h| h.strip_prefix("set-cookie: ")).context("a session cookie")?;
    Ok(cookie.split(';').next().unwrap_or_default().to_owned())
}

/// What one page did under load.
struct Load {
    requests: usize,
    p50: Duration,
    p99: Duration,
    p999: Duration,
    per_sec: f64,
    bytes: usize,
}

/// `clients` connections request `path` back to back for `seconds`.
async fn load(
    addr: std::net::SocketAddr,
    cookie: &str,
    path: &str,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Load> {
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (cookie, path) = (cookie.to_owned(), path.to_owned());
        tasks.spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut times = Vec::new();
            let mut bytes = 0;
            while Instant::now() < until {
                let t = Instant::now();
                bytes = conn.get(&path, &cookie).await?;
                times.push(t.elapsed());
            }
            anyhow::Ok((times, bytes))
        });
    }
    let mut all = Vec::new();
    let mut bytes = 0;
    while let Some(done) = tasks.join_next().await {
        let (times, b) = done??;
        all.extend(times);
        bytes = b;
    }
    let elapsed = started.elapsed();
    all.sort();
    let at = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    Ok(Load {
        requests: all.len(),
        p50: at(0.50),
        p99: at(0.99),
        p999: at(0.999),
        per_sec: all.len() as f64 / elapsed.as_secs_f64(),
        bytes,
    })
}

/// As [`load`], while the node changes once a second (an announcement: every view is
/// computed anew after it), as when pledges keep arriving during a campaign.
async fn load_while_changing(
    addr: std::net::SocketAddr,
    cookie: &str,
    path: &str,
    clients: usize,
    seconds: u64,
    node: &strike_node::peer::SharedNode,
    network: &NetworkId,
) -> anyhow::Result<(Load, usize)> {
    let writer = {
        let (node, network) = (node.clone(), *network);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            let mut n = 0;
            for _ in 0..seconds {
                tick.tick().await;
                node.lock().await.announce(&network, &format!("change {n}"))?;
                n += 1;
            }
            anyhow::Ok(n)
        })
    };
    let loaded = load(addr, cookie, path, clients, seconds).await?;
    Ok((loaded, writer.await??))
}

/// The first request for `path` after a change to the node (so the view is computed anew):
/// the median of a few.
async fn first_after_change(
    addr: std::net::SocketAddr,
    cookie: &str,
    path: &str,
    node: &strike_node::peer::SharedNode,
    network: &NetworkId,
) -> anyhow::Result<Duration> {
    let mut conn = Conn::open(addr).await?;
    let mut times = Vec::new();
    for i in 0..COLD_RUNS {
        node.lock().await.announce(network, &format!("change {i}"))?;
        let t = Instant::now();
        conn.get(path, cookie).await?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn run(out: Output, n_members: usize, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let started = Instant::now();
    let Built { node, network, call, picket } = build(&tmp.path().join("sam"), n_members)?;
    let built = started.elapsed();
    let (counted, workforce) = {
        let v = node.call(&network, &call)?;
        (v.tally.counted, v.tally.workforce)
    };
    let n_ops = node.network(&network)?.n_ops;
    let signed_up: usize = node.event(&network, &picket)?.shifts.iter().map(|s| s.on.len() + s.standby.len()).sum();

    let shared = std::sync::Arc::new(tokio::sync::Mutex::new(node));
    // The server runs on its own runtime (two threads, as `serve` does); the clients on this one.
    let server = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let listener = server.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let state = server.block_on(strike_api::AppState::new(shared.clone(), addr, &[]));
    server.spawn(strike_api::serve(listener, state, tokio_util::sync::CancellationToken::new()));
    let clients_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let call_path = format!("/calls/{}", call.to_hex());
    let event_path = format!("/networks/{}/events/{}", network.to_hex(), picket.to_hex());
    let (dashboard, call_page, event_page, cold, (changing, changes)) = clients_rt.block_on(async {
        let cookie = login(addr).await?;
        // Warm up: the first request computes the views.
        Conn::open(addr).await?.get("/", &cookie).await?;
        Conn::open(addr).await?.get(&call_path, &cookie).await?;
        Conn::open(addr).await?.get(&event_path, &cookie).await?;
        let dashboard = load(addr, &cookie, "/", clients, seconds).await?;
        let call_page = load(addr, &cookie, &call_path, clients, seconds).await?;
        let event_page = load(addr, &cookie, &event_path, clients, seconds).await?;
        let cold_dashboard = first_after_change(addr, &cookie, "/", &shared, &network).await?;
        let cold_call = first_after_change(addr, &cookie, &call_path, &shared, &network).await?;
        let cold_event = first_after_change(addr, &cookie, &event_path, &shared, &network).await?;
        let changing = load_while_changing(addr, &cookie, "/", clients, seconds, &shared, &network).await?;
        anyhow::Ok((dashboard, call_page, event_page, (cold_dashboard, cold_call, cold_event), changing))
    })?;
    let (cold_dashboard, cold_call, cold_event) = cold;
    drop(server);
    let page = |l: &Load| json!({ "requests": l.requests, "per_sec": l.per_sec, "p50_ms": ms(l.p50), "p99_ms": ms(l.p99), "p999_ms": ms(l.p999), "bytes": l.bytes });
    out.emit(
        json!({ "members": n_members, "ops": n_ops, "pledges_counted": counted, "workforce": workforce, "clients": clients,
                "seconds": seconds, "build_seconds": built.as_secs_f64(), "dashboard": page(&dashboard), "call_page": page(&call_page), "event_page": page(&event_page), "shift_signups": signed_up,
                "dashboard_while_changing": page(&changing), "changes": changes,
                "first_after_change_ms": { "dashboard": ms(cold_dashboard), "call_page": ms(cold_call), "event_page": ms(cold_event) } }),
        || {
            let line = |name: &str, l: &Load| {
                format!(
                    "{name:<10} {:>7} requests  {:>7.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  p99.9 {:>6.1} ms  ({} bytes a page)\n",
                    l.requests,
                    l.per_sec,
                    ms(l.p50),
                    ms(l.p99),
                    ms(l.p999),
                    l.bytes
                )
            };
            format!(
                "ui: a {n_members}-member network ({n_ops} ops, built through ingest in {:.1} s), a call at {counted} pledges of {workforce} mapped, \
                 a picket of {SHIFTS} shifts with {signed_up} sign-ups\n\
                 {clients} concurrent clients on loopback, {seconds} s per page:\n{}{}{}\
                 first request after a change (views computed anew), median of {COLD_RUNS}: dashboard {:.0} ms, call page {:.0} ms, event page {:.0} ms\n\
                 while the node changes once a second ({changes} changes):\n{}",
                built.as_secs_f64(),
                line("dashboard", &dashboard),
                line("call page", &call_page),
                line("event page", &event_page),
                ms(cold_dashboard),
                ms(cold_call),
                ms(cold_event),
                line("dashboard", &changing)
            )
        },
    );
    Ok(())
}
