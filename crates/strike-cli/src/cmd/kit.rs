//! Leaflets to print and the kit to carry: `leaflet` writes a one-page HTML leaflet with its
//! QR code; `kit export|verify|import` writes, checks and reads a folder that relaunches
//! the system from a USB stick.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;
use strike_core::parse_duration;
use strike_node::kit::{self, ExportOptions};
use strike_node::leaflet::{LeafletInvite, Paper};

use crate::cmd::usage;
use crate::config::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A printable leaflet (A5 or A4) with a QR code: a guide's opening, an invite, or both
    Leaflet {
        network: String,
        /// A guide of the network (title or id prefix), or `library:SLUG`
        #[arg(long)]
        guide: Option<String>,
        /// Put a new invite on it (organizers): the QR code holds its link
        #[arg(long)]
        invite: bool,
        /// How many people may join with the leaflet's invite
        #[arg(long, default_value_t = 50, requires = "invite")]
        uses: u16,
        /// How long the leaflet's invite is valid
        #[arg(long, default_value = "30d", requires = "invite")]
        expires: String,
        /// Where to reach the network (as `invite create --addr`); default: this node's and the hubs'
        #[arg(long = "addr", value_name = "ADDR", requires = "invite")]
        addresses: Vec<String>,
        /// a5 or a4
        #[arg(long, default_value = "a5")]
        paper: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The kit: everything to relaunch Open Strike from a USB stick
    #[command(subcommand)]
    Kit(KitCommand),
}

#[derive(Debug, Subcommand)]
pub enum KitCommand {
    /// Write the kit into a new folder: this program, the guides as HTML and Markdown,
    /// leaflets, a README and signed checksums
    Export {
        dir: PathBuf,
        /// Carry this network's guides too, and sign as your member key there
        #[arg(long)]
        network: Option<String>,
        /// Put an invite in it (organizers; needs --network)
        #[arg(long, requires = "network")]
        with_invite: bool,
        #[arg(long, default_value_t = 50, requires = "with_invite")]
        uses: u16,
        #[arg(long, default_value = "30d", requires = "with_invite")]
        expires: String,
    },
    /// Check a kit's signature and every file's checksum (no identity needed)
    Verify { dir: PathBuf },
    /// Check a kit, then copy its network guides, with their history, into a network
    Import {
        dir: PathBuf,
        #[arg(long)]
        network: String,
    },
}

/// The invite a leaflet or kit carries: `uses` joiners, for `expires`, reached at `addresses`.
fn invite(
    node: &strike_node::Node,
    net: &strike_core::NetworkId,
    uses: u16,
    expires: &str,
    addresses: Vec<String>,
) -> anyhow::Result<LeafletInvite> {
    let valid_for = parse_duration(expires).ok_or_else(|| usage(format!("--expires {expires:?}: use 30d, 12h ...")))?;
    let addresses = if addresses.is_empty() { node.default_invite_addresses(net)? } else { addresses };
    Ok(LeafletInvite { uses, valid_for_secs: Some(valid_for), addresses })
}

/// A spinner on stderr naming the step under way, for people at a terminal.
fn spinner(ctx: &Ctx) -> indicatif::ProgressBar {
    if ctx.out.is_json() || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Leaflet { network, guide, invite: with_invite, uses, expires, addresses, paper, out } => {
                let mut node = ctx.unlock()?;
                let id = node.resolve_network(&network)?;
                let paper = Paper::parse(&paper)?;
                let inv = match with_invite {
                    true => Some(invite(&node, &id, uses, &expires, addresses)?),
                    false => None,
                };
                if guide.is_none() && inv.is_none() {
                    return Err(usage("say what goes on the leaflet: --guide GUIDE, --invite, or both"));
                }
                let l = node.leaflet(&id, guide.as_deref(), inv.as_ref(), paper, None)?;
                std::fs::write(&out, &l.html).with_context(|| format!("writing {}", out.display()))?;
                ctx.out.emit(
                    json!({ "file": out, "title": l.title, "paper": l.paper, "invite": l.invite, "qr_text": l.qr_text,
                            "qr_mm": l.qr_mm, "module_mm": l.module_mm }),
                    || {
                        format!(
                            "wrote {} ({:?}, \"{}\")\nQR code {:.0} mm wide, {:.2} mm per square: {}\n\
                             Open it in a browser and print it at 100% (no \"fit to page\"), then photocopy.{}",
                            out.display(),
                            l.paper,
                            l.title,
                            l.qr_mm,
                            l.module_mm,
                            if l.invite { "it holds a new invite link" } else { "it holds the leaflet's text" },
                            if l.invite {
                                format!(
                                    "\nThe invite is good for {uses} joiner(s) for {expires}; each still needs members' vouches. \
                                     Anyone holding the leaflet can ask to join."
                                )
                            } else {
                                String::new()
                            }
                        )
                    },
                );
            }
            Command::Kit(KitCommand::Export { dir, network, with_invite, uses, expires }) => {
                let mut node = ctx.unlock()?;
                let net = network.as_deref().map(|n| node.resolve_network(n)).transpose()?;
                let inv = match (with_invite, &net) {
                    (true, Some(id)) => Some(invite(&node, id, uses, &expires, Vec::new())?),
                    _ => None,
                };
                let binary = std::env::current_exe().context("finding this program to copy it")?;
                let bar = spinner(ctx);
                let opts = ExportOptions { network: net, invite: inv, binary };
                let r = node.export_kit(&dir, &opts, |step| bar.set_message(format!("writing {step}")))?;
                bar.finish_and_clear();
                ctx.out.emit(json!(r), || {
                    format!(
                        "wrote the kit to {}: {} files, {}, {} guides, {} leaflet(s){}\n\
                         signed with {}: {}\n\
                         Read that fingerprint to whoever you give the kit to: they check it with README.txt's commands.",
                        r.dir.display(),
                        r.files,
                        indicatif::HumanBytes(r.bytes),
                        r.guides,
                        r.leaflets,
                        if r.invite.is_some() { ", an invite" } else { "" },
                        r.signed_as,
                        r.fingerprint
                    )
                });
            }
            Command::Kit(KitCommand::Verify { dir }) => {
                let bar = spinner(ctx);
                let check = kit::verify(&dir, |f| bar.set_message(format!("checking {f}")))?;
                bar.finish_and_clear();
                ctx.out.emit(json!(check), || {
                    format!(
                        "good: {} files ({}) match SHA256SUMS, and its signature verifies\n\
                         signed by {}\nfingerprint {}\n\
                         Trust it only if that fingerprint is the one the person who gave you the kit reads out.",
                        check.files,
                        indicatif::HumanBytes(check.bytes),
                        check.signer,
                        check.fingerprint
                    )
                });
            }
            Command::Kit(KitCommand::Import { dir, network }) => {
                let mut node = ctx.unlock()?;
                let id = node.resolve_network(&network)?;
                let bar = spinner(ctx);
                let (check, ids) = node.import_kit(&dir, &id, |f| bar.set_message(format!("checking {f}")))?;
                bar.finish_and_clear();
                let who = node.kit_signer(&check.signer_key)?;
                let titles: Vec<String> =
                    ids.iter().map(|g| node.guide(&id, g).map(|v| v.title)).collect::<Result<_, _>>()?;
                ctx.out.emit(
                    json!({ "check": check, "signed_by": who, "guides": ids.iter().map(|g| g.to_hex()).collect::<Vec<_>>() }),
                    || {
                        let mut out = format!(
                            "the kit checks out ({} files), signed by {}\n",
                            check.files,
                            who.clone().unwrap_or_else(|| format!("a key this node does not know, {}", check.fingerprint))
                        );
                        out.push_str(&format!("copied {} guide(s) with their history:\n", titles.len()));
                        for t in &titles {
                            out.push_str(&format!("  {t}\n"));
                        }
                        out
                    },
                );
            }
        }
        Ok(())
    }
}
