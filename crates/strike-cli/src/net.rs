//! Network commands: serve, node addr, peer add/list, sync.

use serde_json::json;
use strike_core::NetworkId;
use strike_net::PeerAddr;
use strike_node::Node;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use strike_node::peer::{ServeEvent, ServeOptions, SharedNode};
use strike_store::Quota;

use crate::args::{Cli, HubCommand, NodeCommand, PeerCommand, UiArgs};
use crate::output::emit;
use crate::{CliError, exit};

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)
}

fn parse_peer(addr: &str) -> anyhow::Result<PeerAddr> {
    addr.parse::<PeerAddr>().map_err(|e| CliError::err(exit::USAGE, e.to_string()))
}

/// One line for a served or initiated session.
fn session_line(peer: &[u8], s: &strike_node::sync::SyncSummary) -> String {
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
fn serve_events(json: bool) -> Arc<dyn Fn(ServeEvent) + Send + Sync> {
    let live = !json && std::io::stderr().is_terminal();
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
                bar.enable_steady_tick(std::time::Duration::from_millis(200));
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
                if json {
                    println!(
                        "{}",
                        json!({ "session": session, "peer": hex::encode(peer), "network_id": summary.network.to_hex(),
                        "ops_sent": summary.stats.ops_sent, "ops_received": summary.stats.ops_received,
                        "bytes_sent": summary.bytes_sent, "bytes_received": summary.bytes_received })
                    );
                } else {
                    let line = format!("synced {}", session_line(&peer, &summary));
                    if live {
                        multi.println(line).ok();
                    } else {
                        println!("{line}");
                    }
                }
            }
            ServeEvent::Refused { session } | ServeEvent::Failed { session, .. } => {
                if let Some((bar, _)) = bars.remove(&session) {
                    bar.finish_and_clear();
                }
                if let ServeEvent::Failed { error, .. } = event {
                    if json {
                        println!("{}", json!({ "session": session, "error": error }));
                    } else {
                        eprintln!("session {session} failed: {error}");
                    }
                }
            }
            ServeEvent::Busy => {}
        }
        use std::io::Write;
        std::io::stdout().flush().ok();
    })
}

/// Prints what a background round did: sessions that moved ops, and failures in the log.
fn report_rounds(json: bool, how: &str, rounds: Vec<strike_node::peer::PeerSync>) {
    for r in rounds {
        match r.result {
            Ok(s) if json => println!(
                "{}",
                json!({ "synced_with": r.addr, "via": how, "network_id": r.network.to_hex(),
                    "ops_sent": s.stats.ops_sent, "ops_received": s.stats.ops_received })
            ),
            Ok(s) if s.stats.ops_sent + s.stats.ops_received > 0 => {
                println!("{how} sync with {}: sent {} ops, received {}", r.addr, s.stats.ops_sent, s.stats.ops_received)
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(peer = %r.addr, error = %e, "{how} sync failed"),
        }
    }
    use std::io::Write;
    std::io::stdout().flush().ok();
}

/// What `serve` runs besides answering sync sessions.
pub struct ServeConfig<'a> {
    pub listen: std::net::SocketAddr,
    pub interval: u64,
    pub concurrent: usize,
    pub lan: bool,
    pub ui: &'a UiArgs,
}

pub fn serve(cli: &Cli, node: Node, config: ServeConfig<'_>) -> anyhow::Result<()> {
    let ServeConfig { listen, interval, concurrent, lan, ui } = config;
    let rt = runtime()?;
    let json = cli.json;
    rt.block_on(async {
        let net = node.bind(listen).await?;
        let addr = net.addr();
        let node: SharedNode = Arc::new(tokio::sync::Mutex::new(node));
        let ui_server = match ui.no_ui {
            true => None,
            false => {
                Some(crate::ui::spawn(node.clone(), crate::ui::bind(ui.ui_listen, false).await?, &ui.ui_hosts).await?)
            }
        };
        let ui_url = ui_server.as_ref().map(|u| u.url.clone());
        let link = ui_server.as_ref().map(|u| u.login_link(move |next| crate::ui::print_login_link(json, next)));
        if json {
            println!("{}", json!({ "listening": addr.to_string(), "ui": ui_url, "login_link": link }));
        } else {
            println!("listening on {addr}");
            println!("peers add this node with: openstrike peer add NETWORK {addr}");
            if let (Some(url), Some(link)) = (&ui_url, &link) {
                println!("web UI: {url} (log in with this node's passphrase)");
                crate::ui::print_login_link(false, link);
            }
        }
        use std::io::Write;
        std::io::stdout().flush().ok();
        if interval > 0 {
            let (node, net) = (node.clone(), net.clone());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(interval));
                loop {
                    tick.tick().await;
                    if let Ok(rounds) = strike_node::peer::sync_peers(&node, &net).await {
                        report_rounds(json, "background", rounds);
                    }
                }
            });
        }
        if lan {
            let port = addr.addrs.first().map_or(listen.port(), |a| a.port());
            let finder = strike_net::lan::Lan::start(strike_net::lan::MDNS_PORT, net.id(), port, false)?;
            if !json {
                println!("looking for members of your networks on the LAN (mDNS)");
            }
            let (node, net) = (node.clone(), net.clone());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
                loop {
                    tick.tick().await;
                    match strike_node::peer::sync_lan(&node, &net, &finder).await {
                        Ok(rounds) => report_rounds(json, "LAN", rounds),
                        Err(e) => tracing::warn!(error = %e, "LAN discovery failed"),
                    }
                }
            });
        }
        let opts = ServeOptions { concurrent, ..Default::default() };
        strike_node::peer::serve(node, &net, opts, serve_events(json)).await?;
        anyhow::Ok(())
    })
}

pub fn hub(cli: &Cli, cmd: &HubCommand) -> anyhow::Result<()> {
    match cmd {
        HubCommand::Run { listen, max_network_mib, max_author_ops, concurrent, http_listen } => {
            let dir = cli.data_dir.clone().unwrap_or_else(strike_node::default_data_dir);
            if !Node::exists(&dir) {
                crate::commands::init(cli)?;
            }
            let mut node = crate::commands::unlock(cli)?;
            node.set_relay_quota(Quota {
                network_bytes: max_network_mib.saturating_mul(1 << 20),
                author_ops: *max_author_ops,
            });
            let rt = runtime()?;
            let json = cli.json;
            rt.block_on(async {
                let net = node.bind(*listen).await?;
                let addr = net.addr();
                let http = match http_listen {
                    Some(l) => {
                        let bound = net.serve_http(*l).await?;
                        let host = if bound.ip().is_unspecified() { std::net::SocketAddr::new([127, 0, 0, 1].into(), bound.port()) } else { bound };
                        Some(PeerAddr { id: net.id(), addrs: vec![], url: Some(format!("http://{host}")) })
                    }
                    None => None,
                };
                let hosted = node.hosted()?.len();
                if json {
                    println!("{}", json!({ "hub": addr.to_string(), "http": http.as_ref().map(|h| h.to_string()), "networks": hosted }));
                } else {
                    println!("hub listening on {addr}, carrying {hosted} network(s)");
                    if let Some(http) = &http {
                        println!("and over HTTP at {http} (members add it like any peer)");
                    }
                    println!("a network's founder grants it with: openstrike hub grant NETWORK {addr}");
                }
                use std::io::Write;
                std::io::stdout().flush().ok();
                let node: SharedNode = Arc::new(tokio::sync::Mutex::new(node));
                let opts = ServeOptions { concurrent: *concurrent, ..Default::default() };
                strike_node::peer::serve(node, &net, opts, serve_events(json)).await?;
                anyhow::Ok(())
            })
        }
        HubCommand::Grant { network, hub_addr, days } => {
            let mut node = crate::commands::unlock(cli)?;
            let id = node.resolve_network(network)?;
            let hub = parse_peer(hub_addr)?;
            let grant = node.grant_hub(&id, &hub, *days)?;
            let text = grant.to_text();
            emit(
                cli.json,
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
            let mut node = crate::commands::unlock(cli)?;
            let grant = strike_sync::hub::Grant::from_text(grant)
                .map_err(|e| CliError::err(exit::USAGE, format!("not a usable grant: {e}")))?;
            let id = node.allow_grant(&grant)?;
            emit(cli.json, json!({ "network_id": id.to_hex() }), || {
                format!("this hub now carries network {}", id.short())
            });
            Ok(())
        }
        HubCommand::Status => {
            let node = crate::commands::unlock(cli)?;
            let hosted = node.hosted()?;
            let list: Vec<_> = hosted
                .iter()
                .map(|h| {
                    json!({ "network_id": h.network.to_hex(), "ops": h.ops, "bytes": h.bytes, "authors": h.authors,
                    "grant_issued": h.issued, "grant_expires": h.expires })
                })
                .collect();
            emit(cli.json, json!({ "node_id": hex::encode(node.node_id()), "networks": list }), || {
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
                            crate::output::time(strike_core::CoarseTime::from_unix_seconds(h.expires))
                        )
                    })
                    .collect()
            });
            Ok(())
        }
    }
}

pub fn node_cmd(cli: &Cli, node: &Node, cmd: &NodeCommand) -> anyhow::Result<()> {
    let NodeCommand::Addr { port, host } = cmd;
    let ip: std::net::IpAddr =
        host.parse().map_err(|_| CliError::err(exit::USAGE, format!("{host:?} is not an IP address")))?;
    let addr = PeerAddr { id: node.node_id(), addrs: vec![std::net::SocketAddr::new(ip, *port)], url: None };
    emit(cli.json, json!({ "addr": addr.to_string(), "node_id": hex::encode(node.node_id()) }), || addr.to_string());
    Ok(())
}

pub fn peer(cli: &Cli, node: &mut Node, cmd: &PeerCommand) -> anyhow::Result<()> {
    match cmd {
        PeerCommand::Add { network, addr } => {
            let id = node.resolve_network(network)?;
            let addr = parse_peer(addr)?;
            let added = node.add_peer(&id, &addr)?;
            emit(cli.json, json!({ "network_id": id.to_hex(), "addr": addr.to_string(), "added": added }), || {
                if added { format!("peer added: {addr}") } else { "already a peer of that network".into() }
            });
        }
        PeerCommand::List { network } => {
            let id = match network {
                Some(n) => Some(node.resolve_network(n)?),
                None => None,
            };
            let peers = node.peers(id.as_ref())?;
            let list: Vec<_> = peers
                .iter()
                .map(|p| json!({ "network_id": p.network.to_hex(), "addr": p.addr, "last_sync": p.last_sync, "hub": p.hub }))
                .collect();
            emit(cli.json, json!({ "peers": list }), || {
                if peers.is_empty() {
                    return "no peers yet: openstrike peer add NETWORK ID@HOST:PORT".into();
                }
                peers
                    .iter()
                    .map(|p| {
                        let when = p.last_sync.map_or("never synced".into(), |t| {
                            format!("last sync {}", crate::output::time(strike_core::CoarseTime::from_unix_seconds(t)))
                        });
                        format!("{}  {}  {when}\n", p.network.short(), p.addr)
                    })
                    .collect()
            });
        }
    }
    Ok(())
}

pub fn sync(cli: &Cli, node: Node, network: Option<&str>, peer: Option<&str>) -> anyhow::Result<()> {
    let targets: Vec<(NetworkId, PeerAddr)> = match (network, peer) {
        (Some(n), Some(p)) => vec![(node.resolve_network(n)?, parse_peer(p)?)],
        (None, Some(_)) => return Err(CliError::err(exit::USAGE, "--peer needs --network")),
        (n, None) => {
            let id = match n {
                Some(n) => Some(node.resolve_network(n)?),
                None => None,
            };
            let peers = node.peers(id.as_ref())?;
            if peers.is_empty() {
                return Err(CliError::err(
                    exit::USAGE,
                    "no peers to sync with: add one (openstrike peer add) or pass --peer",
                ));
            }
            peers.into_iter().filter_map(|p| p.addr.parse().ok().map(|a| (p.network, a))).collect()
        }
    };
    let rt = runtime()?;
    let mut results = Vec::new();
    let mut failures = 0;
    let node = tokio::sync::Mutex::new(node);
    rt.block_on(async {
        let net = node.lock().await.bind("0.0.0.0:0".parse()?).await?;
        for (network, addr) in &targets {
            let bar = crate::commands::progress_bar(cli.json);
            bar.set_message("sync");
            let mut on_frame = |s: &strike_node::sync::SyncSummary| {
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
    emit(cli.json, json!({ "sessions": results }), || {
        results
            .iter()
            .map(|r| {
                if r["ok"] == true {
                    format!(
                        "{}: sent {} ops, received {} ({} new), {} B out, {} B in\n",
                        &r["peer"].as_str().unwrap_or("")[..16.min(r["peer"].as_str().unwrap_or("").len())],
                        r["ops_sent"],
                        r["ops_received"],
                        r["applied"],
                        r["bytes_sent"],
                        r["bytes_received"]
                    )
                } else {
                    format!("{}: failed: {}\n", r["peer"].as_str().unwrap_or(""), r["error"].as_str().unwrap_or(""))
                }
            })
            .collect()
    });
    if failures == targets.len() {
        return Err(CliError::err(exit::FAILURE, "no sync session succeeded"));
    }
    Ok(())
}
