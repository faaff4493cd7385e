//! Bundles: a network's operations in an encrypted file, to carry on a USB stick.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;
use strike_node::ImportProgress;
use zeroize::Zeroizing;

use crate::config::{Ctx, secret_from};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Move a network's operations on a USB stick: encrypted bundle files
    #[command(subcommand)]
    Bundle(BundleCommand),
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write every operation of a network to an encrypted bundle file
    Export {
        /// Network id, id prefix or unique name
        #[arg(long)]
        network: String,
        /// Output file (conventionally .osb)
        #[arg(long)]
        out: PathBuf,
        /// Seal to a passphrase (OPENSTRIKE_BUNDLE_PASSPHRASE or asked) instead of to the members' keys
        #[arg(long)]
        passphrase: bool,
    },
    /// Verify a bundle completely, then apply it; importing twice changes nothing
    Import {
        /// The bundle file
        file: PathBuf,
        /// The bundle is sealed to a passphrase (OPENSTRIKE_BUNDLE_PASSPHRASE or asked)
        #[arg(long)]
        passphrase: bool,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Command::Bundle(cmd) = self;
        match cmd {
            BundleCommand::Export { network, out, passphrase } => {
                let node = ctx.unlock()?;
                let id = node.resolve_network(&network)?;
                let pass = bundle_passphrase(passphrase)?;
                let summary = node.export_bundle(&id, &out, pass.as_deref().map(String::as_str))?;
                ctx.out.emit(
                json!({ "network_id": id.to_hex(), "file": out, "ops": summary.n_ops, "bytes": summary.n_bytes, "recipients": summary.n_recipients }),
                || {
                    let sealed = if summary.n_recipients == 0 {
                        "sealed with a passphrase".to_owned()
                    } else {
                        format!("sealed to {} member key(s)", summary.n_recipients)
                    };
                    format!("wrote {} ops ({} bytes) to {}, {sealed}", summary.n_ops, summary.n_bytes, out.display())
                },
            );
            }
            BundleCommand::Import { file, passphrase } => {
                let mut node = ctx.unlock()?;
                let pass = bundle_passphrase(passphrase)?;
                let bar = ctx.out.progress_bar();
                let report = node.import_bundle(&file, pass.as_deref().map(String::as_str), &mut |p| match p {
                    ImportProgress::Verified { n_ops } => {
                        bar.set_message("verifying");
                        bar.set_length(n_ops);
                        bar.set_position(n_ops);
                    }
                    ImportProgress::Applied { n_ops, total } => {
                        bar.set_message("applying");
                        bar.set_length(total);
                        bar.set_position(n_ops);
                    }
                })?;
                bar.finish_and_clear();
                let r = &report.ingest;
                ctx.out.emit(
                    json!({
                        "network_id": report.network.to_hex(), "ops": report.n_ops, "chunks": report.n_chunks,
                        "applied": r.applied, "sealed": r.sealed, "parked": r.parked, "released": r.released,
                        "already_held": r.duplicates, "equivocations": r.equivocations, "rejected": r.rejected,
                    }),
                    || {
                        let mut out = format!(
                            "verified {} ops in {} chunks for network {}\n  {} new and applied, {} already held",
                            report.n_ops,
                            report.n_chunks,
                            report.network.short(),
                            r.applied,
                            r.duplicates
                        );
                        if r.sealed > 0 {
                            out += &format!(", {} held sealed (no key for them yet)", r.sealed);
                        }
                        if r.parked > 0 {
                            out += &format!(", {} waiting for missing predecessors", r.parked);
                        }
                        if r.equivocations > 0 {
                            out += &format!(", {} equivocations kept as evidence", r.equivocations);
                        }
                        if r.n_rejected() > 0 {
                            out += &format!(", {} refused (see `openstrike admin audit`)", r.n_rejected());
                        }
                        out
                    },
                );
            }
        }
        Ok(())
    }
}

fn bundle_passphrase(wanted: bool) -> anyhow::Result<Option<Zeroizing<String>>> {
    if !wanted {
        return Ok(None);
    }
    Ok(Some(secret_from(
        None,
        "OPENSTRIKE_BUNDLE_PASSPHRASE",
        "Bundle passphrase: ",
        "--passphrase with OPENSTRIKE_BUNDLE_PASSPHRASE",
    )?))
}
