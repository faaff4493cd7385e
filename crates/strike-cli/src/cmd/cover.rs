//! Cover: offer or ask for a shift, childcare, a ride or eldercare, and find who can cover.

use clap::{Args, Subcommand};
use serde_json::json;
use strike_core::CoverKind;
use strike_node::{Node, NodeError};

use crate::config::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Cover offers and needs: shifts, childcare, rides, eldercare; who can cover for whom
    #[command(subcommand)]
    Cover(CoverCommand),
}

#[derive(Debug, Args)]
pub struct CoverSpec {
    pub network: String,
    /// shift, childcare, ride or eldercare
    #[arg(long)]
    pub kind: String,
    /// Days and hours, e.g. "mon-fri 18:00-22:00", "weekends", "any"
    #[arg(long, default_value = "any")]
    pub when: String,
    /// Where (a district, a site)
    #[arg(long = "where", default_value = "")]
    pub place: String,
}

#[derive(Debug, Subcommand)]
pub enum CoverCommand {
    /// Offer cover
    Offer {
        #[command(flatten)]
        spec: CoverSpec,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Ask for cover (counted in readiness: how many needs have a matching offer)
    Need {
        #[command(flatten)]
        spec: CoverSpec,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Who can cover this: open offers that match kind, days and hours, and place
    Find {
        #[command(flatten)]
        spec: CoverSpec,
    },
    /// Every open offer and need
    List { network: String },
    /// Close one of your offers or needs
    Close { network: String, id: String },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Command::Cover(cmd) = self;
        cover(ctx, &mut ctx.unlock()?, &cmd)
    }
}

/// The kind of cover as typed, parsed where every input of it is ([`CoverKind::parse`]).
fn cover_kind(text: &str) -> anyhow::Result<CoverKind> {
    Ok(CoverKind::parse(text).map_err(NodeError::InvalidInput)?)
}

fn cover_lines(list: &[strike_node::cover::CoverView]) -> String {
    if list.is_empty() {
        return "nothing found".into();
    }
    list.iter()
        .map(|c| {
            format!(
                "{}  {:<5} {:<10} {:<16} {:<28} {:<16} {}\n",
                c.id,
                if c.need { "need" } else { "offer" },
                c.kind,
                c.who,
                c.when,
                c.place,
                c.note
            )
        })
        .collect()
}

fn cover(ctx: &Ctx, node: &mut Node, cmd: &CoverCommand) -> anyhow::Result<()> {
    match cmd {
        CoverCommand::Offer { spec, note } | CoverCommand::Need { spec, note } => {
            let need = matches!(cmd, CoverCommand::Need { .. });
            let CoverSpec { network, kind, when, place } = spec;
            let id = node.resolve_network(network)?;
            let op = node.add_cover(&id, need, cover_kind(kind)?, when, place, note)?;
            ctx.out.emit(json!({ "op_id": op.to_hex() }), || {
                format!("{} recorded ({})", if need { "need" } else { "offer" }, op.short())
            });
        }
        CoverCommand::Find { spec } => {
            let id = node.resolve_network(&spec.network)?;
            let found = node.find_cover(&id, cover_kind(&spec.kind)?, &spec.when, &spec.place)?;
            ctx.out.emit(json!({ "matches": found }), || cover_lines(&found));
        }
        CoverCommand::List { network } => {
            let id = node.resolve_network(network)?;
            let all = node.covers(&id)?;
            ctx.out.emit(json!({ "cover": all }), || cover_lines(&all));
        }
        CoverCommand::Close { network, id: item } => {
            let id = node.resolve_network(network)?;
            let item = match node.resolve_fact(&id, strike_core::Kind::CoverOffer, item) {
                Ok(op) => op,
                Err(_) => node.resolve_fact(&id, strike_core::Kind::CoverNeed, item)?,
            };
            let op = node.close_cover(&id, &item)?;
            ctx.out.emit(json!({ "op_id": op.to_hex() }), || "closed".into());
        }
    }
    Ok(())
}
