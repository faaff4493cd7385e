//! Network commands: serve, node addr, peer add/list, sync.

use serde_json::json;
use strike_core::NetworkId;
use strike_net::PeerAddr;
use strike_node::Node;

use crate::args::{Cli, NodeCommand, PeerCommand};
use crate::output::emit;
use crate::{CliError, exit};

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)
}

fn parse_peer(addr: &str) -> anyhow::Result<PeerAddr> {
    addr.parse::<PeerAddr>().map_err(|e| CliError::err(exit::USAGE, e.to_string()))
}

pub fn serve(cli: &Cli, mut node: Node, listen: std::net::SocketAddr) -> anyhow::Result<()> {
    let rt = runtime()?;
    rt.block_on(async {
        let net = node.bind(listen).await?;
        let addr = net.addr();
        if cli.json {
            println!("{}", json!({ "listening": addr.to_string() }));
        } else {
            println!("listening on {addr}");
            println!("peers add this node with: openstrike peer add NETWORK {addr}");
        }
        use std::io::Write;
        std::io::stdout().flush().ok();
        node.serve(&net, None).await?;
        anyhow::Ok(())
    })
}

pub fn node_cmd(cli: &Cli, node: &Node, cmd: &NodeCommand) -> anyhow::Result<()> {
    let NodeCommand::Addr { port, host } = cmd;
    let ip: std::net::IpAddr =
        host.parse().map_err(|_| CliError::err(exit::USAGE, format!("{host:?} is not an IP address")))?;
    let addr = PeerAddr { id: node.node_id(), addrs: vec![std::net::SocketAddr::new(ip, *port)] };
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
                .map(|p| json!({ "network_id": p.network.to_hex(), "addr": p.addr, "last_sync": p.last_sync }))
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

pub fn sync(cli: &Cli, mut node: Node, network: Option<&str>, peer: Option<&str>) -> anyhow::Result<()> {
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
    rt.block_on(async {
        let net = node.bind("0.0.0.0:0".parse()?).await?;
        for (network, addr) in &targets {
            let bar = crate::commands::progress_bar(cli.json);
            bar.set_message("sync");
            let mut on_frame = |s: &strike_node::sync::SyncSummary| {
                if let Some(total) = s.stats.expected_incoming {
                    bar.set_length(total);
                }
                bar.set_position(s.stats.ops_received);
            };
            let result = node.sync_with_progress(&net, addr, *network, &mut on_frame).await;
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
