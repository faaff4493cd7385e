//! Announcements: organizers post signed messages every member reads.

use clap::Subcommand;
use serde_json::json;

use crate::config::Ctx;
use crate::output::time;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Post a signed announcement to a network (organizers)
    Announce {
        /// Network id, id prefix or unique name
        network: String,
        /// The announcement text
        text: String,
    },
    /// Show a network's announcements, newest first
    Announcements {
        /// Network id, id prefix or unique name
        network: String,
        /// How many to show
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Announce { network, text } => {
                let mut node = ctx.unlock()?;
                let id = node.resolve_network(&network)?;
                let op = node.announce(&id, &text)?;
                ctx.out.emit(json!({ "network_id": id.to_hex(), "op_id": op.to_hex() }), || {
                    format!("announced ({})", op.short())
                });
            }
            Command::Announcements { network, limit } => {
                let node = ctx.unlock()?;
                let id = node.resolve_network(&network)?;
                let rows = node.announcements(&id, limit)?;
                let list: Vec<_> = rows
                    .iter()
                    .map(|a| json!({ "op_id": a.op_id.to_hex(), "author": a.author.to_hex(), "time": a.time.unix_seconds(), "text": a.text }))
                    .collect();
                ctx.out.emit(json!({ "network_id": id.to_hex(), "announcements": list }), || {
                    if rows.is_empty() {
                        return "no announcements yet".into();
                    }
                    rows.iter().map(|a| format!("{}  {}  {}\n", time(a.time), a.author.short(), a.text)).collect()
                });
            }
        }
        Ok(())
    }
}
