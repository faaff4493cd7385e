//! Sync: run the node (`serve`), run a hub, this node's address, peers, and one sync round
//! now. `serve` and `hub run` are [`Serving`] actors: Ctrl-C or SIGTERM stops them cleanly.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::json;
use strike_core::{CoarseTime, NetworkId};
use strike_net::PeerAddr;
use strike_node::Node;
use strike_node::peer::{PeerSync, ServeEvent, ServeOptions};
use strike_node::sync::SyncSummary;
use strike_store::Quota;

use crate::cmd::usage;
use crate::config::Ctx;
use crate::output::{Output, time};
use crate::serving::Serving;
use crate::{CliError, exit};

/// How often `serve --lan` looks for members on the local network.
const LAN_INTERVAL: Duration = Duration::from_secs(15);

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the node: answer sync sessions from peers (QUIC) and sync with every added peer
    /// in the background. Prints its address first; Ctrl-C or SIGTERM stops it cleanly
    Serve {
        /// UDP address to listen on
        #[arg(long, default_value = "0.0.0.0:7474")]
        listen: SocketAddr,
        /// Seconds between background sync rounds with the added peers (0: never)
        #[arg(long, default_value_t = 60)]
        interval: u64,
        /// Sessions answered at once; more connection attempts wait their turn
        #[arg(long, default_value_t = 32)]
        concurrent: usize,
        /// Also find members of the same networks on the local network by mDNS and sync
        /// with them. Anyone on the LAN then sees that a node listens here (not which
        /// networks: those are hidden in tags only members recognise)
        #[arg(long)]
        lan: bool,
        /// Where peers reach this node from outside (HOST:PORT, forwarded to --listen); new
        /// invites carry it. Repeat for several
        #[arg(long = "public-addr", value_name = "HOST:PORT")]
        public_addrs: Vec<String>,
        #[command(flatten)]
        ui: UiArgs,
    },
    /// Run this node as a hub, or grant a hub the right to carry a network
    #[command(subcommand)]
    Hub(HubCommand),
    /// This node's address, to give to peers
    #[command(subcommand)]
    Node(NodeCommand),
    /// Peers to sync networks with
    #[command(subcommand)]
    Peer(PeerCommand),
    /// One sync round now with the peers of a network (or one peer), and a summary
    Sync {
        #[arg(long)]
        network: Option<String>,
        /// ID@HOST:PORT (default: every peer added for the network)
        #[arg(long)]
        peer: Option<String>,
    },
}

/// Where the web UI listens.
#[derive(Debug, Args)]
pub struct UiArgs {
    /// Address of the web UI. Keep it on loopback: elsewhere anyone who reaches it can try
    /// passphrases (five a minute), and it speaks plain HTTP
    #[arg(long, default_value = crate::ui::DEFAULT_LISTEN, value_name = "ADDR")]
    pub ui_listen: SocketAddr,
    /// A further host name the UI answers to (behind a reverse proxy: its name and port);
    /// repeat for several. Requests naming any other host are refused (DNS rebinding)
    #[arg(long = "ui-host", value_name = "HOST:PORT")]
    pub ui_hosts: Vec<String>,
    /// Do not serve the web UI
    #[arg(long)]
    pub no_ui: bool,
}

#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// Print this node's address (ID@HOST:PORT) for the port `serve` listens on
    Addr {
        #[arg(long, default_value_t = 7474)]
        port: u16,
        /// The host or IP peers reach this machine at
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Run as an always-on hub: store and forward the ciphertext of the networks granted to
    /// it, holding no keys. Creates the data directory's identity if there is none
    Run {
        /// UDP address to listen on
        #[arg(long, default_value = "0.0.0.0:7474")]
        listen: SocketAddr,
        /// Most a network may store here, in MiB
        #[arg(long, default_value_t = 1024)]
        max_network_mib: u64,
        /// Most ops one author may store here
        #[arg(long, default_value_t = 100_000)]
        max_author_ops: u64,
        /// Sessions answered at once
        #[arg(long, default_value_t = 64)]
        concurrent: usize,
        /// Also answer sync over HTTP on this TCP address, for members whose networks block
        /// UDP (put a TLS reverse proxy in front when it faces the internet)
        #[arg(long)]
        http_listen: Option<SocketAddr>,
    },
    /// (Founder) let the hub at HUB_ADDR store and forward NETWORK; it becomes a peer of it.
    /// Prints the grant, for the hub's operator (`hub allow`); members' nodes present it too
    Grant {
        network: String,
        /// The hub's address, ID@HOST:PORT (its operator gets it from `openstrike node addr`)
        hub_addr: String,
        /// Days until the grant expires
        #[arg(long, default_value_t = 365)]
        days: u64,
    },
    /// (Hub operator) accept a grant before any member presents it
    Allow { grant: String },
    /// (Hub operator) the networks this hub carries: ops, bytes, authors, grant expiry
    Status,
}

#[derive(Debug, Subcommand)]
pub enum PeerCommand {
    /// Sync NET with the peer at ADDR from now on
    Add { network: String, addr: String },
    /// Peers and when each last synced
    List {
        #[arg(long)]
        network: Option<String>,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Serve { listen, interval, concurrent, lan, public_addrs, ui } => {
                let public = public_addrs.iter().map(|a| public_addr(a)).collect::<anyhow::Result<Vec<_>>>()?;
                // A fresh data directory is set up in the browser (`strike_api::setup`).
                let node = match Node::exists(&ctx.data_dir()) || ui.no_ui {
                    true => Some(ctx.unlock()?),
                    false => None,
                };
                serve(ctx, node, ServeConfig { listen, interval, concurrent, lan, public, ui })
            }
            Command::Hub(cmd) => hub(ctx, cmd),
            Command::Node(NodeCommand::Addr { port, host }) => {
                let node = ctx.unlock()?;
                let ip: std::net::IpAddr = host.parse().map_err(|_| usage(format!("{host:?} is not an IP address")))?;
                let addr = PeerAddr { id: node.node_id(), addrs: vec![SocketAddr::new(ip, port)], url: None };
                ctx.out.emit(json!({ "addr": addr.to_string(), "node_id": hex::encode(node.node_id()) }), || {
                    addr.to_string()
                });
                Ok(())
            }
            Command::Peer(cmd) => peer(ctx, &mut ctx.unlock()?, cmd),
            Command::Sync { network, peer } => sync(ctx, ctx.unlock()?, network.as_deref(), peer.as_deref()),
        }
    }
}

/// The runtime of a networked command: two worker threads, as the machines it runs on have.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)
}

fn parse_peer(addr: &str) -> anyhow::Result<PeerAddr> {
    addr.parse::<PeerAddr>().map_err(|e| usage(e.to_string()))
}

/// One line for a served or initiated session.
fn session_line(peer: &[u8], s: &SyncSummary) -> String {
    format!(
        "{}: sent {} ops, received {} ({} new), {} out, {} in",
        hex::encode(&peer[..peer.len().min(8)]),
        s.stats.ops_sent,
        s.stats.ops_received,
        s.ingest.applied + s.ingest.sealed,
        indicatif::HumanBytes(s.bytes_sent),
        indicatif::HumanBytes(s.bytes_received)
    )
}

/// Reports served sessions: a line per session in a terminal (with a live spinner showing
/// ops and bytes while it runs), a JSON object per line with `--json`.
fn serve_events(out: Output) -> Arc<dyn Fn(ServeEvent) + Send + Sync> {
    let live = !out.is_json() && std::io::stderr().is_terminal();
    let multi = indicatif::MultiProgress::new();
    let bars: Mutex<HashMap<u64, (indicatif::ProgressBar, [u8; 32])>> = Mutex::new(HashMap::new());
    Arc::new(move |event| {
        let Ok(mut bars) = bars.lock() else { return };
        match event {
            ServeEvent::Started { session, peer } => {
                let bar = if live {
                    multi.add(indicatif::ProgressBar::new_spinner())
                } else {
                    indicatif::ProgressBar::hidden()
                };
                bar.enable_steady_tick(Duration::from_millis(200));
                bar.set_message(format!("{}: proving membership", hex::encode(&peer[..8])));
                bars.insert(session, (bar, peer));
            }
            ServeEvent::Progress { session, summary } => {
                if let Some((bar, peer)) = bars.get(&session) {
                    bar.set_message(session_line(peer, &summary));
                }
            }
            ServeEvent::Synced { session, summary } => {
                let Some((bar, peer)) = bars.remove(&session) else { return };
                bar.finish_and_clear();
                let value = json!({ "session": session, "peer": hex::encode(peer), "network_id": summary.network.to_hex(),
                    "ops_sent": summary.stats.ops_sent, "ops_received": summary.stats.ops_received,
                    "bytes_sent": summary.bytes_sent, "bytes_received": summary.bytes_received });
                let line = format!("synced {}", session_line(&peer, &summary));
                if live {
                    multi.println(line).ok();
                } else {
                    out.event(value, || line);
                }
            }
            ServeEvent::Refused { session } | ServeEvent::Failed { session, .. } => {
                if let Some((bar, _)) = bars.remove(&session) {
                    bar.finish_and_clear();
                }
                if let ServeEvent::Failed { error, .. } = event {
                    match out {
                        Output::Json => out.event(json!({ "session": session, "error": error }), String::new),
                        Output::Text => eprintln!("session {session} failed: {error}"),
                    }
                }
            }
            ServeEvent::Busy => {}
        }
    })
}

/// Prints what a background round did: sessions that moved ops, and failures in the log.
fn report_rounds(out: Output, how: &str, rounds: Vec<PeerSync>) {
    for r in rounds {
        match r.result {
            Ok(s) if out.is_json() || s.stats.ops_sent + s.stats.ops_received > 0 => out.event(
                json!({ "synced_with": r.addr, "via": how, "network_id": r.network.to_hex(),
                    "ops_sent": s.stats.ops_sent, "ops_received": s.stats.ops_received }),
                || {
                    format!(
                        "{how} sync with {}: sent {} ops, received {}",
                        r.addr, s.stats.ops_sent, s.stats.ops_received
                    )
                },
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(peer = %r.addr, error = %e, "{how} sync failed"),
        }
    }
}

/// What `serve` runs besides answering sync sessions.
struct ServeConfig {
    listen: SocketAddr,
    interval: u64,
    concurrent: usize,
    lan: bool,
    /// `--public-addr`, checked.
    public: Vec<SocketAddr>,
    ui: UiArgs,
}

/// A `--public-addr`: an IP address and port (a name is resolved now).
fn public_addr(a: &str) -> anyhow::Result<SocketAddr> {
    use std::net::ToSocketAddrs;
    let bad = || usage(format!("--public-addr {a:?}: give HOST:PORT, for example 203.0.113.7:7474"));
    a.to_socket_addrs().map_err(|_| bad())?.find(SocketAddr::is_ipv4).ok_or_else(bad)
}

/// Records where peers reach this node (new invites carry it): the `--public-addr`s, and
/// with `--lan` this machine's private addresses on the port it listens on.
fn record_own_addresses(node: &mut Node, id: [u8; 32], public: &[SocketAddr], lan: Option<u16>) -> anyhow::Result<()> {
    let addr = |a: SocketAddr| PeerAddr { id, addrs: vec![a], url: None }.to_string();
    node.set_own_addresses("public", &public.iter().map(|a| addr(*a)).collect::<Vec<_>>())?;
    let private = match lan {
        Some(port) => {
            strike_net::lan::private_addresses().into_iter().map(|ip| addr(SocketAddr::new(ip, port))).collect()
        }
        None => Vec::new(),
    };
    node.set_own_addresses("lan", &private)?;
    Ok(())
}

/// The first run in the browser: serves the set-up page on the UI's address until someone
/// creates the node there. Returns it, and where to send that browser once the UI runs.
async fn first_run(ctx: &Ctx, ui: &UiArgs) -> anyhow::Result<(Node, tokio::sync::oneshot::Sender<String>)> {
    if !ui.ui_listen.ip().is_loopback() {
        // Whoever reaches the first-run page first sets the node up: never beyond this computer.
        return Err(usage(format!(
            "this node has no identity yet, and the first-run page is served on loopback only: \
             run `openstrike init`, or serve the first run with --ui-listen 127.0.0.1:PORT (not {})",
            ui.ui_listen
        )));
    }
    let listener = rebind(ui.ui_listen).await?;
    let bound = listener.local_addr()?;
    let host = if bound.ip().is_unspecified() { SocketAddr::new([127, 0, 0, 1].into(), bound.port()) } else { bound };
    let url = format!("http://{host}/");
    ctx.out.event(json!({ "first_run": url }), || {
        format!(
            "This node has no identity yet. Open {url} in a browser to set it up \
             (a passphrase, your invite, a pseudonym), or stop and run `openstrike init`."
        )
    });
    let stop = tokio_util::sync::CancellationToken::new();
    let created =
        strike_api::setup::first_run(listener, ctx.data_dir(), &ui.ui_hosts, strike_node::KdfParams::DEFAULT, stop)
            .await?
            .ok_or_else(|| anyhow::anyhow!("stopped before the node was set up"))?;
    Ok((created.node, created.handoff))
}

/// Binds the UI's address, retrying for a moment: right after the first-run page or the
/// wiped UI let go of it.
async fn rebind(listen: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    let mut tries = 0;
    loop {
        match crate::ui::bind(listen, false).await {
            Ok(l) => return Ok(l),
            Err(_) if tries < 40 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

fn serve(ctx: &Ctx, node: Option<Node>, config: ServeConfig) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let mut node = node;
        // A wipe from the UI ends one round; the next shows the first-run page.
        while serve_once(ctx, node.take(), &config).await? {
            ctx.out.event(json!({ "wiped": true }), || "wiped from the web UI: showing the first-run page".into());
        }
        Ok(())
    })
}

/// Serves until stopped; `true` if it stopped because the node was wiped from the UI.
async fn serve_once(ctx: &Ctx, node: Option<Node>, config: &ServeConfig) -> anyhow::Result<bool> {
    let ServeConfig { listen, interval, concurrent, lan, ref public, ref ui } = *config;
    let out = ctx.out;
    {
        let (mut node, handoff) = match node {
            Some(node) => (node, None),
            None => {
                let (node, handoff) = first_run(ctx, ui).await?;
                (node, Some(handoff))
            }
        };
        let net = node.bind(listen).await?;
        let addr = net.addr();
        let port = addr.addrs.first().map_or(listen.port(), |a| a.port());
        record_own_addresses(&mut node, net.id(), public, lan.then_some(port))?;
        let mut serving = Serving::new(Arc::new(tokio::sync::Mutex::new(node)), out)?;
        let ui_server = match ui.no_ui {
            true => None,
            false => {
                let listener = match handoff {
                    Some(_) => rebind(ui.ui_listen).await?,
                    None => crate::ui::bind(ui.ui_listen, false).await?,
                };
                Some(crate::ui::start(&mut serving, listener, &ui.ui_hosts).await?)
            }
        };
        let wiped = ui_server.as_ref().map(|u| u.wiped());
        if let Some(w) = &wiped {
            serving.stop_on(w.clone());
        }
        let ui_url = ui_server.as_ref().map(|u| u.url.clone());
        let mut link = ui_server.as_ref().map(|u| u.login_link(move |next| crate::ui::print_login_link(out, next)));
        if let (Some(handoff), Some(u)) = (handoff, &ui_server)
            && let Some(once) = link.take()
        {
            // The browser that set the node up goes on logged in, with the one link there is;
            // the next one is printed here once it is used.
            let _ = handoff.send(once.strip_prefix(u.url.trim_end_matches('/')).unwrap_or(&once).to_owned());
        }
        out.event(json!({ "listening": addr.to_string(), "ui": ui_url, "login_link": link }), || {
            let mut text =
                format!("listening on {addr}\npeers add this node with: openstrike peer add NETWORK {addr}\n");
            if let (Some(url), Some(link)) = (&ui_url, &link) {
                text += &format!(
                    "web UI: {url} (log in with this node's passphrase)\n\
                     one-time login link (opens the UI once, without the passphrase): {link}\n"
                );
            }
            text + "Ctrl-C stops the node cleanly"
        });
        if interval > 0 {
            let (node, net) = (serving.node().clone(), net.clone());
            serving.every(Duration::from_secs(interval), move || {
                let (node, net) = (node.clone(), net.clone());
                async move {
                    if let Ok(rounds) = strike_node::peer::sync_peers(&node, &net).await {
                        report_rounds(out, "background", rounds);
                    }
                }
            });
        }
        crate::cmd::joining::join_in_background(&mut serving, &net);
        if lan {
            let finder = Arc::new(strike_net::lan::Lan::start(strike_net::lan::MDNS_PORT, net.id(), port, false)?);
            if !out.is_json() {
                out.event(json!({}), || "looking for members of your networks on the LAN (mDNS)".into());
            }
            let (node, net) = (serving.node().clone(), net.clone());
            serving.every(LAN_INTERVAL, move || {
                let (node, net, finder) = (node.clone(), net.clone(), finder.clone());
                async move {
                    match strike_node::peer::sync_lan(&node, &net, &finder).await {
                        Ok(rounds) => report_rounds(out, "LAN", rounds),
                        Err(e) => tracing::warn!(error = %e, "LAN discovery failed"),
                    }
                }
            });
        }
        answer_sessions(&mut serving, &net, concurrent);
        let result = serving.run().await;
        net.close().await;
        result.map(|()| wiped.is_some_and(|w| w.is_cancelled()))
    }
}

/// Answers sync sessions on `net` as a loop of `serving`.
pub(crate) fn answer_sessions(serving: &mut Serving, net: &strike_net::Net, concurrent: usize) {
    let opts = ServeOptions { concurrent, shutdown: serving.token(), ..Default::default() };
    let (node, net, events) = (serving.node().clone(), net.clone(), serve_events(serving.out()));
    serving.spawn(async move {
        strike_node::peer::serve(node, &net, opts, events).await?;
        Ok(())
    });
}

fn hub(ctx: &Ctx, cmd: HubCommand) -> anyhow::Result<()> {
    match cmd {
        HubCommand::Run { listen, max_network_mib, max_author_ops, concurrent, http_listen } => {
            if !Node::exists(&ctx.data_dir()) {
                crate::cmd::identity::init(ctx)?;
            }
            let mut node = ctx.unlock()?;
            node.set_relay_quota(Quota {
                network_bytes: max_network_mib.saturating_mul(1 << 20),
                author_ops: max_author_ops,
            });
            runtime()?.block_on(async {
                let net = node.bind(listen).await?;
                let addr = net.addr();
                let http = match http_listen {
                    Some(l) => {
                        let bound = net.serve_http(l).await?;
                        let host =
                            if bound.ip().is_unspecified() { SocketAddr::new([127, 0, 0, 1].into(), bound.port()) } else { bound };
                        Some(PeerAddr { id: net.id(), addrs: vec![], url: Some(format!("http://{host}")) })
                    }
                    None => None,
                };
                let hosted = node.hosted()?.len();
                let mut serving = Serving::new(Arc::new(tokio::sync::Mutex::new(node)), ctx.out)?;
                ctx.out.event(
                    json!({ "hub": addr.to_string(), "http": http.as_ref().map(|h| h.to_string()), "networks": hosted }),
                    || {
                        let mut text = format!("hub listening on {addr}, carrying {hosted} network(s)\n");
                        if let Some(http) = &http {
                            text += &format!("and over HTTP at {http} (members add it like any peer)\n");
                        }
                        text + &format!("a network's founder grants it with: openstrike hub grant NETWORK {addr}\nCtrl-C stops the hub cleanly")
                    },
                );
                answer_sessions(&mut serving, &net, concurrent);
                let result = serving.run().await;
                net.close().await;
                result
            })
        }
        HubCommand::Grant { network, hub_addr, days } => {
            let mut node = ctx.unlock()?;
            let id = node.resolve_network(&network)?;
            let hub = parse_peer(&hub_addr)?;
            let grant = node.grant_hub(&id, &hub, days)?;
            let text = grant.to_text();
            ctx.out.emit(
                json!({ "network_id": id.to_hex(), "hub": hub.to_string(), "grant": text, "days": days }),
                || {
                    format!(
                        "granted: the hub {} may carry this network for {days} days.\n\
                     It is now a peer of the network: `openstrike sync` presents the grant to it, and members\n\
                     who add it (openstrike peer add NETWORK {hub}) sync through it.\n\
                     The grant, for the hub's operator (openstrike hub allow GRANT):\n{text}",
                        hex::encode(&hub.id[..8])
                    )
                },
            );
            Ok(())
        }
        HubCommand::Allow { grant } => {
            let mut node = ctx.unlock()?;
            let grant =
                strike_sync::hub::Grant::from_text(&grant).map_err(|e| usage(format!("not a usable grant: {e}")))?;
            let id = node.allow_grant(&grant)?;
            ctx.out
                .emit(json!({ "network_id": id.to_hex() }), || format!("this hub now carries network {}", id.short()));
            Ok(())
        }
        HubCommand::Status => {
            let node = ctx.unlock()?;
            let hosted = node.hosted()?;
            let list: Vec<_> = hosted
                .iter()
                .map(|h| {
                    json!({ "network_id": h.network.to_hex(), "ops": h.ops, "bytes": h.bytes, "authors": h.authors,
                    "grant_issued": h.issued, "grant_expires": h.expires })
                })
                .collect();
            ctx.out.emit(json!({ "node_id": hex::encode(node.node_id()), "networks": list }), || {
                if hosted.is_empty() {
                    return "this hub carries no network yet: a founder runs openstrike hub grant NETWORK HUB_ADDR"
                        .into();
                }
                hosted
                    .iter()
                    .map(|h| {
                        format!(
                            "{}  {} ops  {}  {} authors  grant expires {}\n",
                            h.network.short(),
                            h.ops,
                            indicatif::HumanBytes(h.bytes),
                            h.authors,
                            time(CoarseTime::from_unix_seconds(h.expires))
                        )
                    })
                    .collect()
            });
            Ok(())
        }
    }
}

fn peer(ctx: &Ctx, node: &mut Node, cmd: PeerCommand) -> anyhow::Result<()> {
    match cmd {
        PeerCommand::Add { network, addr } => {
            let id = node.resolve_network(&network)?;
            let addr = parse_peer(&addr)?;
            let added = node.add_peer(&id, &addr)?;
            ctx.out.emit(json!({ "network_id": id.to_hex(), "addr": addr.to_string(), "added": added }), || {
                if added { format!("peer added: {addr}") } else { "already a peer of that network".into() }
            });
        }
        PeerCommand::List { network } => {
            let id = match network {
                Some(n) => Some(node.resolve_network(&n)?),
                None => None,
            };
            let peers = node.peers(id.as_ref())?;
            let list: Vec<_> = peers
                .iter()
                .map(|p| json!({ "network_id": p.network.to_hex(), "addr": p.addr, "last_sync": p.last_sync, "hub": p.hub }))
                .collect();
            ctx.out.emit(json!({ "peers": list }), || {
                if peers.is_empty() {
                    return "no peers yet: openstrike peer add NETWORK ID@HOST:PORT".into();
                }
                peers
                    .iter()
                    .map(|p| {
                        let when = p.last_sync.map_or("never synced".into(), |t| {
                            format!("last sync {}", time(CoarseTime::from_unix_seconds(t)))
                        });
                        format!("{}  {}  {when}\n", p.network.short(), p.addr)
                    })
                    .collect()
            });
        }
    }
    Ok(())
}

fn sync(ctx: &Ctx, node: Node, network: Option<&str>, peer: Option<&str>) -> anyhow::Result<()> {
    let targets: Vec<(NetworkId, PeerAddr)> = match (network, peer) {
        (Some(n), Some(p)) => vec![(node.resolve_network(n)?, parse_peer(p)?)],
        (None, Some(_)) => return Err(usage("--peer needs --network")),
        (n, None) => {
            let id = match n {
                Some(n) => Some(node.resolve_network(n)?),
                None => None,
            };
            let peers = node.peers(id.as_ref())?;
            if peers.is_empty() {
                return Err(usage("no peers to sync with: add one (openstrike peer add) or pass --peer"));
            }
            peers.into_iter().filter_map(|p| p.addr.parse().ok().map(|a| (p.network, a))).collect()
        }
    };
    let mut results = Vec::new();
    let mut failures = 0;
    // Networks this node asked to join: one join round each (restricted sessions).
    let waiting = node.waiting_networks()?;
    let mut joined: Vec<NetworkId> = Vec::new();
    let node = tokio::sync::Mutex::new(node);
    runtime()?.block_on(async {
        let net = node.lock().await.bind("0.0.0.0:0".parse()?).await?;
        for (network, addr) in &targets {
            if waiting.contains(network) {
                if joined.contains(network) {
                    continue;
                }
                joined.push(*network);
                let round = strike_node::joiner::join_round(&node, &net, *network).await?;
                for (peer, reached) in &round.attempts {
                    use strike_node::joiner::Reached;
                    let (ok, state, received) = match reached {
                        Reached::Waiting { received } => (true, "waiting for a vouch".to_owned(), *received),
                        Reached::Admitted { received } => (true, "admitted".to_owned(), *received),
                        Reached::Refused => (false, "refused".to_owned(), 0),
                        Reached::Failed(e) => (false, e.clone(), 0),
                    };
                    failures += usize::from(!ok);
                    results.push(json!({ "network_id": network.to_hex(), "peer": peer, "ok": ok, "joining": state,
                        "ops_sent": 0, "ops_received": received, "applied": received, "bytes_sent": 0, "bytes_received": 0,
                        "error": (!ok).then_some(state.clone()), "admitted": round.admitted }));
                }
                continue;
            }
            let bar = ctx.out.progress_bar();
            bar.set_message("sync");
            let mut on_frame = |s: &SyncSummary| {
                if let Some(total) = s.stats.expected_incoming {
                    bar.set_length(total);
                }
                bar.set_position(s.stats.ops_received);
                bar.set_message(format!("{} in", indicatif::HumanBytes(s.bytes_received)));
            };
            let result = strike_node::peer::sync_with(&node, &net, addr, *network, &mut on_frame).await;
            bar.finish_and_clear();
            match result {
                Ok(s) => results.push(json!({
                    "network_id": network.to_hex(), "peer": addr.to_string(), "ok": true,
                    "ops_sent": s.stats.ops_sent, "ops_received": s.stats.ops_received,
                    "applied": s.ingest.applied, "bytes_sent": s.bytes_sent, "bytes_received": s.bytes_received,
                    "reconciled": !s.stats.fast_path,
                })),
                Err(e) => {
                    failures += 1;
                    results.push(json!({ "network_id": network.to_hex(), "peer": addr.to_string(), "ok": false, "error": e.to_string() }));
                }
            }
        }
        net.close().await;
        anyhow::Ok(())
    })?;
    ctx.out.emit(json!({ "sessions": results }), || {
        results
            .iter()
            .map(|r| {
                let peer = r["peer"].as_str().unwrap_or("");
                if r["ok"] == true {
                    format!(
                        "{}: sent {} ops, received {} ({} new), {} B out, {} B in\n",
                        &peer[..16.min(peer.len())],
                        r["ops_sent"],
                        r["ops_received"],
                        r["applied"],
                        r["bytes_sent"],
                        r["bytes_received"]
                    )
                } else {
                    format!("{peer}: failed: {}\n", r["error"].as_str().unwrap_or(""))
                }
            })
            .collect()
    });
    if failures == results.len() {
        return Err(CliError::err(exit::FAILURE, "no sync session succeeded"));
    }
    Ok(())
}
