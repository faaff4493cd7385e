//! Joining: `join LINK --pseudonym NAME` asks to join. When the link carries addresses, the
//! request goes there by itself and the command waits, printing each round, until a vouch
//! admits this node and the network arrives (or returns at once with `--no-wait`: `serve`
//! keeps asking). Without addresses the request is written to a bundle file, as before.
//! `serve` runs [`join_in_background`] for every network this node waits to be admitted to.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Subcommand;
use serde_json::json;
use strike_core::NetworkId;
use strike_node::Node;
use strike_node::joiner::{Backoff, JoinRound, Reached, join_round};
use strike_node::networks::InviteLink;
use strike_node::peer::SharedNode;

use crate::cmd::sync::runtime;
use crate::config::Ctx;
use crate::output::Output;
use crate::serving::Serving;

/// How often `serve` looks at the networks it waits to be admitted to (each has its own
/// backoff within this).
const JOIN_TICK: Duration = Duration::from_secs(2);

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ask to join a network with an invite link; you see nothing of it until admitted.
    /// When the link carries addresses, the request goes there by itself and this waits for
    /// your admission (Ctrl-C any time: `openstrike serve` keeps asking)
    Join {
        /// The invite link (openstrike://join/v1/...)
        link: String,
        /// The name the network will know you by
        #[arg(long)]
        pseudonym: String,
        /// Also write the join request to this bundle file, for a member to import (the only
        /// way when the link carries no address; default then: join-request.osb)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Send the request once and return; `openstrike serve` keeps asking
        #[arg(long)]
        no_wait: bool,
        /// UDP address to send from
        #[arg(long, default_value = "0.0.0.0:0")]
        listen: SocketAddr,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Command::Join { link, pseudonym, out, no_wait, listen } = self;
        let link: InviteLink = link.parse()?;
        let mut node = ctx.unlock()?;
        let op = node.join(&link, &pseudonym)?;
        // Addresses this node can dial (`ID@HOST:PORT`, `ID@URL`); others are only hints.
        let dialable = link.addresses.iter().filter(|a| a.parse::<strike_net::PeerAddr>().is_ok()).count();
        let bundle = match (&out, dialable == 0) {
            (Some(path), _) => Some(path.clone()),
            (None, true) => Some(PathBuf::from("join-request.osb")),
            (None, false) => None,
        };
        if let Some(path) = &bundle {
            let summary = node.export_bundle(&link.network, path, None)?;
            ctx.out.emit(
                json!({ "network_id": link.network.to_hex(), "op_id": op.to_hex(), "request_file": path,
                        "addresses": link.addresses, "bytes": summary.n_bytes }),
                || {
                    format!(
                        "join request written to {} ({} bytes, readable only by the network's members and holders of \
                         this invite).\nGive it to a member (USB stick); once someone vouches for you, import the bundle \
                         they send back:\n  openstrike bundle import FILE",
                        path.display(),
                        summary.n_bytes
                    )
                },
            );
        }
        if dialable == 0 {
            return Ok(());
        }
        wait_for_admission(ctx.out, node, link.network, listen, no_wait)
    }
}

/// Sends the request to the link's addresses and waits, round after round, until admitted.
fn wait_for_admission(
    out: Output,
    node: Node,
    network: NetworkId,
    listen: SocketAddr,
    no_wait: bool,
) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let net = node.bind(listen).await?;
        let node: SharedNode = Arc::new(tokio::sync::Mutex::new(node));
        let started = Instant::now();
        let mut backoff = Backoff::default();
        loop {
            let round = join_round(&node, &net, network).await?;
            report(out, &round, started);
            if round.admitted {
                let n = node.lock().await;
                let row = n.network(&network)?;
                out.event(
                    json!({ "admitted": true, "network_id": network.to_hex(), "name": row.name, "members": row.n_members }),
                    || {
                        format!(
                            "You are in: {} ({} members). Run `openstrike serve` to stay in sync, and open the web UI.",
                            row.name.as_deref().unwrap_or("the network"),
                            row.n_members
                        )
                    },
                );
                break;
            }
            if no_wait {
                out.event(json!({ "admitted": false, "waiting": true }), || {
                    "Your request is on its way. `openstrike serve` keeps asking and takes in your admission.".into()
                });
                break;
            }
            let wait = backoff.after(round.reached());
            if !out.is_json() {
                eprintln!("waiting for a vouch; asking again in {} s (Ctrl-C stops; `serve` keeps asking)", wait.as_secs());
            }
            tokio::time::sleep(wait).await;
        }
        net.close().await;
        Ok(())
    })
}

/// One line per address tried.
fn report(out: Output, round: &JoinRound, started: Instant) {
    for (addr, reached) in &round.attempts {
        let short = addr.split_once('@').map_or(addr.as_str(), |(id, rest)| if id.len() > 8 { rest } else { addr });
        let (state, text) = match reached {
            Reached::Waiting { received } => (
                "waiting",
                format!(
                    "{short}: your request is there; waiting for a vouch (got {received} ops of other join requests)"
                ),
            ),
            Reached::Admitted { received } => ("admitted", format!("{short}: admitted; received {received} ops")),
            Reached::Refused => {
                ("refused", format!("{short}: turned down (an expired or used-up invite, or not this network)"))
            }
            Reached::Failed(e) => ("unreachable", format!("{short}: not reachable ({e})")),
        };
        out.event(
            json!({ "network_id": round.network.to_hex(), "peer": addr, "state": state,
                    "received": match reached { Reached::Waiting { received } | Reached::Admitted { received } => *received, _ => 0 },
                    "seconds": started.elapsed().as_secs() }),
            || text,
        );
    }
}

/// `serve`: keeps asking at every network this node waits to be admitted to, each on its
/// own backoff, and takes the admission in when it comes.
pub fn join_in_background(serving: &mut Serving, net: &strike_net::Net) {
    let (node, net, out) = (serving.node().clone(), net.clone(), serving.out());
    // Per network: when to ask next, and its backoff.
    let next: Arc<tokio::sync::Mutex<HashMap<NetworkId, (Instant, Backoff)>>> = Arc::default();
    serving.every(JOIN_TICK, move || {
        let (node, net, next) = (node.clone(), net.clone(), next.clone());
        async move {
            let waiting = match node.lock().await.waiting_networks() {
                Ok(w) => w,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot list the networks this node waits for");
                    return;
                }
            };
            let mut state = next.lock().await;
            let now = Instant::now();
            for network in waiting {
                let (at, mut backoff) = state.get(&network).copied().unwrap_or((now, Backoff::default()));
                if at > now {
                    continue;
                }
                let reached = match join_round(&node, &net, network).await {
                    Ok(round) => {
                        report_background(out, &round);
                        round.reached()
                    }
                    Err(e) => {
                        tracing::warn!(network = %network.short(), error = %e, "join round failed");
                        false
                    }
                };
                state.insert(network, (Instant::now() + backoff.after(reached), backoff));
            }
        }
    });
}

fn report_background(out: Output, round: &JoinRound) {
    if round.admitted {
        out.event(json!({ "admitted": true, "network_id": round.network.to_hex() }), || {
            format!("admitted to network {}: the network is here now", round.network.short())
        });
    } else if out.is_json() {
        for (addr, reached) in &round.attempts {
            out.event(
                json!({ "joining": round.network.to_hex(), "peer": addr, "state": format!("{reached:?}") }),
                String::new,
            );
        }
    }
}
