//! Networks and membership: create and inspect networks, invites with their QR code,
//! joining, members, vouching, removal, and going on under a new key.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use serde_json::json;
use strike_core::membership::Status;
use strike_core::{NetworkKind, parse_duration};
use strike_node::networks::{RecoverWhy, display_name};
use strike_node::{NetworkStatus, Node};

use crate::cmd::usage;
use crate::config::Ctx;
use crate::output::time;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, list and inspect networks
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Invite people: a link and a QR code ("Are you in?")
    #[command(subcommand)]
    Invite(InviteCommand),
    /// Members, pending joiners and who vouched for whom; promote and remove
    #[command(subcommand)]
    Member(MemberCommand),
    /// Go on under a new key after yours forked (a restored or cloned device signed with it):
    /// an organizer vouches the new key in, and your old key is removed
    Recover {
        /// Network id, id prefix or unique name
        network: String,
        /// Your key has not forked, but a device holding this data directory was seized or
        /// copied: go on under a new key before anyone signs with the old one
        #[arg(long)]
        compromised: bool,
    },
    /// Vouch for a pending joiner (admission needs the network's number of vouches)
    Vouch {
        network: String,
        /// The joiner's pseudonym or id (prefix)
        member: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Create a network; you become its first organizer. Prints its id
    Create {
        /// A name members will recognise (kept encrypted; never leaves the network)
        #[arg(long)]
        name: String,
        /// What kind of network
        #[arg(long, value_enum, default_value_t = KindArg::Workplace)]
        kind: KindArg,
    },
    /// List the networks this node holds
    List,
    /// Show one network
    Show {
        /// Network id, id prefix or unique name
        network: String,
    },
    /// Print the hash of a network's state: equal on every node holding the same operations
    /// (and, for the history layer, the same history keys)
    StateHash {
        /// Network id, id prefix or unique name
        network: String,
    },
    /// Set what new members read of what was written before their admission (organizers):
    /// `all`, or `since-admission` (they read the roster, members, profiles, calls and
    /// pledges, but no earlier announcements, cover, skills, notes or assessments)
    History {
        /// Network id, id prefix or unique name
        network: String,
        /// all | since-admission
        mode: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Crew,
    Workplace,
    Hub,
    Sector,
    Federation,
}

#[derive(Debug, Subcommand)]
pub enum InviteCommand {
    /// Create an invite (organizers): prints the link, shows a QR code in a terminal
    Create {
        #[arg(long)]
        network: String,
        /// How many people may join with it
        #[arg(long, default_value_t = 1)]
        uses: u16,
        /// Valid for this long (e.g. 7d, 12h); joins claiming a later time do not count
        #[arg(long)]
        expires: Option<String>,
        /// Where to reach the network (ID@HOST:PORT of a node or hub, ID@http://HOST:PORT of
        /// a hub's HTTP port); repeat for several. Default: this node's addresses as the last
        /// `serve` recorded them (--public-addr, the LAN address with --lan) and the network's hubs
        #[arg(long = "addr", value_name = "ADDR")]
        addresses: Vec<String>,
        /// Carry no address: the joiner brings a bundle file instead
        #[arg(long, conflicts_with = "addresses")]
        no_addr: bool,
        /// Also write the QR code as a PNG image
        #[arg(long, value_name = "FILE")]
        qr: Option<PathBuf>,
        /// Never draw the QR code in the terminal
        #[arg(long)]
        no_terminal_qr: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Members, pending joiners and removed members, with their vouchers
    List { network: String },
    /// Remove a member or turn down a joiner (organizers); rotates the network key
    Remove { network: String, member: String },
    /// Make a member an organizer (organizers)
    Promote { network: String, member: String },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Network(cmd) => network(ctx, cmd),
            Command::Invite(cmd) => invite(ctx, &mut ctx.unlock()?, &cmd),
            Command::Member(cmd) => member(ctx, &mut ctx.unlock()?, &cmd),
            Command::Recover { network, compromised } => {
                let why = if compromised { RecoverWhy::Compromised } else { RecoverWhy::Forked };
                recover(ctx, &mut ctx.unlock()?, &network, why)
            }
            Command::Vouch { network, member } => vouch(ctx, &mut ctx.unlock()?, &network, &member),
        }
    }
}

fn kind(k: KindArg) -> NetworkKind {
    match k {
        KindArg::Crew => NetworkKind::Crew,
        KindArg::Workplace => NetworkKind::Workplace,
        KindArg::Hub => NetworkKind::Hub,
        KindArg::Sector => NetworkKind::Sector,
        KindArg::Federation => NetworkKind::Federation,
    }
}

fn network_json(n: &strike_store::NetworkRow) -> serde_json::Value {
    json!(strike_node::networks::NetworkView::of(n))
}

fn network(ctx: &Ctx, cmd: NetworkCommand) -> anyhow::Result<()> {
    match cmd {
        NetworkCommand::Create { name, kind: k } => {
            let mut node = ctx.unlock()?;
            let id = node.create_network(&name, kind(k))?;
            ctx.out.emit(json!({ "network_id": id.to_hex(), "name": name.trim(), "kind": kind(k).as_str() }), || {
                id.to_hex()
            });
        }
        NetworkCommand::List => {
            let node = ctx.unlock()?;
            let rows = node.networks()?;
            ctx.out.emit(json!({ "networks": rows.iter().map(network_json).collect::<Vec<_>>() }), || {
                if rows.is_empty() {
                    return "no networks yet: create one with `openstrike network create --name ... --kind ...`".into();
                }
                rows.iter()
                    .map(|n| match n.status {
                        NetworkStatus::Open => format!(
                            "{}  {:<10} {:>5} members {:>7} ops  {}\n",
                            n.id.short(),
                            n.kind.map_or("", |k| k.as_str()),
                            n.n_members,
                            n.n_ops,
                            n.name.as_deref().unwrap_or("")
                        ),
                        NetworkStatus::Sealed => {
                            format!("{}  sealed: {} ops held, no key to read them yet\n", n.id.short(), n.n_ops)
                        }
                    })
                    .collect()
            });
        }
        NetworkCommand::Show { network } => {
            let node = ctx.unlock()?;
            let id = node.resolve_network(&network)?;
            let n = node.network(&id)?;
            let members = node.members(&id)?;
            let mut value = network_json(&n);
            value["member_list"] = json!(members
                .iter()
                .map(|m| json!({ "author": m.author.to_hex(), "role": m.role.as_str(), "since": m.since.unix_seconds() }))
                .collect::<Vec<_>>());
            ctx.out.emit(value, || {
                let mut out = format!("network  {}\n", n.id);
                match n.status {
                    NetworkStatus::Open => {
                        out += &format!("name     {}\n", n.name.as_deref().unwrap_or(""));
                        out += &format!("kind     {}\n", n.kind.map_or("", |k| k.as_str()));
                        out += &format!("created  {}\n", n.created.map(time).unwrap_or_default());
                        out += &format!("ops      {} ({} waiting for missing predecessors)\n", n.n_ops, n.n_pending);
                        out += &format!("admission needs {} vouch(es)\n", n.vouches_required.unwrap_or(1));
                        out += match n.history {
                            strike_core::body::HistoryMode::All => {
                                "history  new members read everything written before them\n"
                            }
                            strike_core::body::HistoryMode::SinceAdmission => {
                                "history  new members read the roster, and the rest only from their admission on\n"
                            }
                        };
                        out += &format!("members  {}\n", n.n_members);
                        for m in &members {
                            let me = if Some(m.author) == n.my_author { "  (you)" } else { "" };
                            out += &format!(
                                "  {}  {:<9} since {}{me}\n",
                                m.author.short(),
                                m.role.as_str(),
                                time(m.since)
                            );
                        }
                    }
                    NetworkStatus::Sealed => {
                        out +=
                            &format!("sealed: {} verified ops held, but this node has no key to read them\n", n.n_ops);
                    }
                }
                out
            });
        }
        NetworkCommand::StateHash { network } => {
            let node = ctx.unlock()?;
            let id = node.resolve_network(&network)?;
            let hash = hex::encode(node.state_hash(&id)?);
            let history = hex::encode(node.store().history_hash(&id)?);
            let circles: Vec<_> = node
                .circle_hashes(&id)?
                .into_iter()
                .map(|(name, circle, hash)| json!({ "circle": circle, "name": name, "hash": hex::encode(hash) }))
                .collect();
            let text = || {
                let mut out = format!("{hash}\nhistory layer: {history}");
                for c in &circles {
                    out.push_str(&format!(
                        "\ncircle {}: {}",
                        c["name"].as_str().unwrap_or(""),
                        c["hash"].as_str().unwrap_or("")
                    ));
                }
                out
            };
            ctx.out.emit(
                json!({ "network_id": id.to_hex(), "state_hash": hash, "history_hash": history, "circles": circles }),
                text,
            );
        }
        NetworkCommand::History { network, mode } => {
            let mut node = ctx.unlock()?;
            let id = node.resolve_network(&network)?;
            let mode = strike_core::body::HistoryMode::parse(&mode)
                .ok_or_else(|| usage(format!("{mode:?} is not a history setting (all, since-admission)")))?;
            let op = node.set_history(&id, mode)?;
            ctx.out.emit(json!({ "op_id": op.to_hex(), "history": mode.as_str() }), || match mode {
                strike_core::body::HistoryMode::All => "new members read everything written before them".into(),
                strike_core::body::HistoryMode::SinceAdmission => {
                    "new members read the roster, and of announcements, cover, \
                    skills, notes and assessments only what is written after their admission (from now on)"
                        .into()
                }
            });
        }
    }
    Ok(())
}

fn invite(ctx: &Ctx, node: &mut Node, cmd: &InviteCommand) -> anyhow::Result<()> {
    let InviteCommand::Create { network, uses, expires, addresses, no_addr, qr, no_terminal_qr } = cmd;
    let id = node.resolve_network(network)?;
    let addresses = match (addresses.is_empty(), no_addr) {
        (_, true) => Vec::new(),
        (true, false) => node.default_invite_addresses(&id)?,
        (false, false) => addresses.clone(),
    };
    let valid_for = match expires {
        Some(e) => Some(parse_duration(e).ok_or_else(|| usage(format!("--expires {e:?}: use 7d, 12h, 30m ...")))?),
        None => None,
    };
    let link = node.create_invite(&id, *uses, valid_for, addresses.clone())?.to_string();
    let carries = addresses.len();
    if let Some(path) = qr {
        strike_node::qr::write_png(&link, path)?;
    }
    let show_qr = !ctx.out.is_json() && !no_terminal_qr && std::io::stdout().is_terminal();
    ctx.out.emit(json!({ "network_id": id.to_hex(), "link": link, "uses": uses, "qr_png": qr }), || {
        let mut out = String::new();
        if show_qr && let Ok(code) = strike_node::qr::terminal(&link) {
            out.push_str(&code);
            out.push('\n');
        }
        out.push_str(&format!("{link}\n"));
        out.push_str(&format!(
            "\nGood for {uses} joiner(s){}. Share it in person; anyone holding it can ask to join and read other join requests made with it.",
            valid_for.map(|s| format!(", for {}", human_duration(s))).unwrap_or_default()
        ));
        out.push_str(&match carries {
            0 => "\nIt carries no address: the joiner's request comes back as a bundle file (or give --addr, \
                  or run `serve --public-addr HOST:PORT` once so invites carry where to reach you)."
                .to_owned(),
            n => format!("\nIt carries {n} address(es): the joiner's node sends its request there by itself."),
        });
        if let Some(p) = qr {
            out.push_str(&format!("\nQR code written to {}", p.display()));
        }
        out
    });
    Ok(())
}

fn human_duration(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3600 == 0 => format!("{} hours", s / 3600),
        s => format!("{} minutes", s / 60),
    }
}

fn member(ctx: &Ctx, node: &mut Node, cmd: &MemberCommand) -> anyhow::Result<()> {
    match cmd {
        MemberCommand::List { network } => {
            let id = node.resolve_network(network)?;
            let people = node.members(&id)?;
            let views = node.member_views(&id)?;
            let delegates = node.delegate_authors(&id)?;
            let names: BTreeMap<_, _> = people.iter().map(|m| (m.author, display_name(m))).collect();
            ctx.out.emit(json!({ "network_id": id.to_hex(), "people": views }), || {
                if people.is_empty() {
                    return "this node cannot read the member list yet (not admitted)".into();
                }
                let mut out = String::new();
                for m in &people {
                    let vouched: Vec<&str> =
                        m.vouchers.iter().filter_map(|v| names.get(v).map(String::as_str)).collect();
                    out.push_str(&format!(
                        "{:<9} {:<19} {:<20} {}  {}\n",
                        m.status.as_str(),
                        match (m.status == Status::Member, delegates.contains(&m.author)) {
                            (true, true) => format!("{}, delegate", m.role.as_str()),
                            (true, false) => m.role.as_str().to_owned(),
                            _ => String::new(),
                        },
                        display_name(m),
                        m.author.short(),
                        if vouched.is_empty() { String::new() } else { format!("vouched by {}", vouched.join(", ")) }
                    ));
                }
                out
            });
        }
        MemberCommand::Remove { network, member } => {
            let id = node.resolve_network(network)?;
            let m = node.resolve_member(&id, member)?;
            let out = node.remove(&id, &m.author)?;
            ctx.out.emit(json!({ "op_id": out.op.to_hex(), "new_epoch": out.new_epoch, "key_shares": out.n_shares }),
                || {
                    format!(
                        "{} removed; the network key was rotated and sealed to the {} remaining members. They read nothing written from now on.",
                        display_name(&m),
                        out.n_shares
                    )
                },
            );
        }
        MemberCommand::Promote { network, member } => {
            let id = node.resolve_network(network)?;
            let m = node.resolve_member(&id, member)?;
            let op = node.promote(&id, &m.author)?;
            ctx.out.emit(json!({ "op_id": op.to_hex() }), || format!("{} is now an organizer", display_name(&m)));
        }
    }
    Ok(())
}

fn recover(ctx: &Ctx, node: &mut Node, network: &str, why: RecoverWhy) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let out = node.recover(&id, why)?;
    ctx.out.emit(
        json!({ "op_id": out.op.to_hex(), "old_author": out.old.to_hex(), "new_author": out.new.to_hex(),
                "last_good_seq": out.last_good_seq }),
        || {
            format!(
                "asked to go on under a new key: {}\n\
                 Show an organizer this key in person; once they vouch for it (openstrike vouch NETWORK {}), your old \
                 key {} is removed: its ops after #{} do not count, and the network key rotates away from it.\n\
                 Your old key's pledges stop counting then: pledge again with the new one.\n\
                 Sync (or carry a bundle) so the organizers see the request.",
                out.new,
                &out.new.to_hex()[..12],
                out.old.short(),
                out.last_good_seq
            )
        },
    );
    Ok(())
}

fn vouch(ctx: &Ctx, node: &mut Node, network: &str, member: &str) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let m = node.resolve_member(&id, member)?;
    let out = node.vouch(&id, &m.author)?;
    ctx.out.emit(
        json!({ "op_id": out.op.to_hex(), "admitted": out.admitted, "vouches": out.vouches, "needed": out.needed }),
        || {
            if out.admitted {
                format!(
                    "{} is admitted. Their node takes the network in at its next sync with yours (or send them a \
                     bundle: openstrike bundle export --network {} --out FILE)",
                    display_name(&m),
                    network
                )
            } else {
                format!("vouched for {} ({} of {} vouches)", display_name(&m), out.vouches, out.needed)
            }
        },
    );
    Ok(())
}
