//! Maintenance: rebuild the views from the log, read the audit log of refused operations,
//! check the database, and say a data directory is the only copy.

use clap::Subcommand;
use serde_json::json;

use crate::config::Ctx;
use crate::output::time;
use crate::{CliError, exit};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Maintenance: rebuild views, read the audit log, check the database
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Drop every view and rebuild it from the operation log (state hashes stay the same)
    Rebuild,
    /// Show refused operations and why, newest first
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Run SQLite's and SQLCipher's integrity checks
    Check,
    /// Say this data directory is the only copy: writes in NETWORK resume without a sync
    /// (after a restore or a move they wait for one, so no sequence number is signed twice)
    OnlyCopy { network: String },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Command::Admin(cmd) = self;
        match cmd {
            AdminCommand::Rebuild => {
                let mut node = ctx.unlock()?;
                let before: Vec<_> = node.networks()?.iter().map(|n| (n.id, node.state_hash(&n.id))).collect();
                let n = node.rebuild()?;
                let mut changed = 0;
                for (id, hash) in &before {
                    if hash.as_ref().ok() != node.state_hash(id).as_ref().ok() {
                        changed += 1;
                    }
                }
                ctx.out.emit(json!({ "networks_rebuilt": n, "state_hashes_changed": changed }), || {
                    format!("rebuilt the views of {n} network(s) from the log; {changed} state hash(es) changed")
                });
            }
            AdminCommand::Audit { limit } => {
                let node = ctx.unlock()?;
                let rows = node.audit(limit)?;
                let list: Vec<_> = rows
                    .iter()
                    .map(|a| {
                        json!({ "at": a.at_unix, "network_id": a.network.map(|n| n.to_hex()), "op_id": a.op_id.to_hex(),
                            "author": a.author.map(|x| x.to_hex()), "reason": a.reason, "detail": a.detail })
                    })
                    .collect();
                ctx.out.emit(json!({ "audit": list }), || {
                    if rows.is_empty() {
                        return "no refused operations".into();
                    }
                    rows.iter()
                        .map(|a| {
                            let at = time(strike_core::CoarseTime::from_unix_seconds(a.at_unix));
                            format!("{at}  {:<18} op {}  {}\n", a.reason, a.op_id.short(), a.detail)
                        })
                        .collect()
                });
            }
            AdminCommand::OnlyCopy { network } => {
                let mut node = ctx.unlock()?;
                let id = node.resolve_network(&network)?;
                node.confirm_only_copy(&id)?;
                ctx.out.emit(json!({ "network_id": id.to_hex(), "writes": "ready" }), || {
                    "writes resume in this network; if another copy of this data directory signs too, your key forks \
                 and you go on under a new one (openstrike recover)"
                        .into()
                });
            }
            AdminCommand::Check => {
                let node = ctx.unlock()?;
                let problems = node.store().integrity_problems()?;
                ctx.out.emit(json!({ "ok": problems.is_empty(), "problems": problems }), || {
                    if problems.is_empty() { "database ok".into() } else { problems.join("\n") }
                });
                if !problems.is_empty() {
                    return Err(CliError::err(exit::FAILURE, "integrity check failed"));
                }
            }
        }
        Ok(())
    }
}
