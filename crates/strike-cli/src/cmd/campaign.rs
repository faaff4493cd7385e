//! The campaign: a countdown in phases with objectives and readiness gates, and how ready
//! a network is.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;
use strike_core::CoarseTime;
use strike_core::campaign::Countdown;
use strike_node::campaign::CampaignSpec;
use strike_node::{Node, NodeError};

use crate::config::Ctx;
use crate::output::time;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A campaign countdown in phases with objectives and readiness gates
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Members, pledges, cover coverage, and the campaign's gates met and missed
    Readiness { network: String },
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Set the campaign from a JSON file (format in the README) (organizers)
    Set {
        network: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// The countdown: phases, dates, objectives, gates
    Show { network: String },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Campaign(cmd) => campaign(ctx, &mut ctx.unlock()?, &cmd),
            Command::Readiness { network } => readiness(ctx, &ctx.unlock()?, &network),
        }
    }
}

fn campaign(ctx: &Ctx, node: &mut Node, cmd: &CampaignCommand) -> anyhow::Result<()> {
    match cmd {
        CampaignCommand::Set { network, file } => {
            let id = node.resolve_network(network)?;
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let spec = CampaignSpec::parse(&text).with_context(|| file.display().to_string())?;
            let op = node.set_campaign_spec(&id, &spec)?;
            ctx.out.emit(json!({ "op_id": op.to_hex() }), || "campaign set".into());
        }
        CampaignCommand::Show { network } => {
            let id = node.resolve_network(network)?;
            let r = node.readiness(&id)?;
            let Some(c) = r.campaign else {
                return Err(NodeError::NotFound("this network has no campaign yet".into()).into());
            };
            ctx.out.emit(json!({ "campaign": c }), || countdown_text(&c));
        }
    }
    Ok(())
}

fn countdown_text(c: &Countdown) -> String {
    let mut out = format!("{}\n", c.title);
    if let Some(m) = c.final_in_minutes {
        out.push_str(&format!("{} days to the last phase\n", m / (24 * 60)));
    }
    for p in &c.phases {
        out.push_str(&format!(
            "{} {} (from {} UTC)\n",
            if p.current { "->" } else { "  " },
            p.name,
            time(CoarseTime(p.starts))
        ));
        for o in &p.objectives {
            out.push_str(&format!("     objective: {o}\n"));
        }
        for g in &p.gates {
            out.push_str(&format!("     [{}] {}: {}\n", if g.met { "x" } else { " " }, g.gate, g.have));
        }
    }
    out
}

fn readiness(ctx: &Ctx, node: &Node, network: &str) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let r = node.readiness(&id)?;
    ctx.out.emit(json!({ "readiness": r }), || {
        let mut out = format!("members: {}   pending joiners: {}\n", r.members, r.pending);
        for (id, title, counted, workforce, status) in &r.calls {
            out.push_str(&format!("call {id} {title}: {counted} pledged of {workforce} mapped, {status}\n"));
        }
        for (kind, covered, needs, offers) in &r.cover {
            if needs + offers > 0 {
                let pct = if *needs == 0 { 100 } else { covered * 100 / needs };
                out.push_str(&format!("cover {kind}: {covered} of {needs} needs covered ({pct}%), {offers} offers\n"));
            }
        }
        if let Some(c) = &r.campaign {
            out.push_str(&countdown_text(c));
        }
        out
    });
    Ok(())
}
