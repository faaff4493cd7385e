//! The resource network: a hub's keepers describe specifications, record stock as events,
//! plan allocations and commit them, and check off handovers; members offer and ask for
//! supplies.

use clap::Subcommand;
use serde_json::json;
use strike_core::CoarseTime;
use strike_core::parse_duration;
use strike_node::Node;
use strike_node::resources::views::{LotView, PlanView, ResourcesView};
use strike_node::resources::{OfferInput, RequestInput, SpecInput, StockInput};

use crate::config::Ctx;
use crate::output::time;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Specifications of resources and distances between places (keepers)
    #[command(subcommand)]
    Resource(ResourceCommand),
    /// A hub's stock: receive, list, move, transfer, consume, adjust, minimum (keepers)
    #[command(subcommand)]
    Stock(StockCommand),
    /// Offer supplies to a hub
    Offer {
        /// The hub network's id, id prefix or unique name
        network: String,
        /// The specification's name
        #[arg(long)]
        spec: String,
        /// How many, in the specification's unit: 24 or "24 cans"
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        /// Where it can be picked up
        #[arg(long = "where", default_value = "")]
        place: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Ask a hub for supplies
    Request {
        /// The hub network's id, id prefix or unique name
        network: String,
        #[arg(long)]
        spec: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        /// Wanted by: 3d from now, or a date such as 2026-12-20 (default 7d)
        #[arg(long, default_value = "")]
        by: String,
        /// critical, high or normal
        #[arg(long, default_value = "normal")]
        urgency: String,
        /// People in the household it is for
        #[arg(long = "for-household")]
        household: Option<u16>,
        /// Where it is wanted
        #[arg(long = "where", default_value = "")]
        place: String,
        #[arg(long, default_value = "")]
        note: String,
        /// Seal it to a circle only (`keepers` for medicine): nobody else reads it
        #[arg(long, default_value = "")]
        circle: String,
    },
    /// The allocation plan for the open requests; with --commit, commit it (keepers)
    Allocate {
        network: String,
        #[arg(long)]
        commit: bool,
        /// The plan's digest as reviewed: refuse to commit if it has changed since
        #[arg(long)]
        reviewed: Option<String>,
    },
    /// Record a commitment handed over, fully or `--qty` of it (keepers)
    Handover {
        network: String,
        commitment: String,
        #[arg(long)]
        qty: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// A hub's resources: stock and days left per category, requests, commitments, alerts
    #[command(subcommand)]
    Resources(ResourcesCommand),
}

#[derive(Debug, Subcommand)]
pub enum ResourcesCommand {
    /// Stock by specification, days left per category, requests, commitments and alerts
    Show { network: String },
    /// Withdraw your request or offer, or (keepers) mark one done
    Close {
        network: String,
        id: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Specifications: what a thing is, its unit and how it keeps
    #[command(subcommand)]
    Spec(SpecCommand),
    /// How far apart two places are, for the plan's last preference (keepers)
    Distance { network: String, a: String, b: String, distance: u32 },
}

#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Describe a kind of resource (keepers)
    Add {
        network: String,
        #[arg(long)]
        name: String,
        /// kg, vials, L, cans ...
        #[arg(long)]
        unit: String,
        /// food, water, medical, fuel, hygiene, baby or other
        #[arg(long, default_value = "other")]
        category: String,
        /// Kept cold
        #[arg(long)]
        cold_chain: bool,
        /// How long a lot keeps when it gives no expiry: 365d, 12w
        #[arg(long, default_value = "")]
        shelf_life: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// Receive stock: opens a lot
    Receive {
        network: String,
        #[arg(long)]
        spec: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        /// Where it is kept
        #[arg(long)]
        place: String,
        /// When it expires: 2027-06-01, or 30d from now
        #[arg(long, default_value = "")]
        expires: String,
        /// Who gave it
        #[arg(long, default_value = "")]
        from: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Lots by specification, first-expiring first
    List {
        network: String,
        /// Only lots expiring within this long: 30d
        #[arg(long)]
        expiring: Option<String>,
        /// Only specifications below their minimum
        #[arg(long)]
        below_minimum: bool,
    },
    /// Take some of a lot to another place
    Move {
        network: String,
        lot: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long)]
        to: String,
    },
    /// Hand some of a lot to another custodian
    Transfer {
        network: String,
        lot: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long)]
        to: String,
    },
    /// Some of a lot was used up
    Consume {
        network: String,
        lot: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Correct a lot after a count: --count N (what is there), or --by +5 / --by -3
    Adjust {
        network: String,
        lot: String,
        #[arg(long, conflicts_with = "by")]
        count: Option<i64>,
        #[arg(long, allow_hyphen_values = true)]
        by: Option<i64>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The reserve of a specification, kept for critical requests (0 removes it)
    Minimum {
        network: String,
        #[arg(long)]
        spec: String,
        #[arg(long)]
        qty: String,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let mut node = ctx.unlock()?;
        match self {
            Command::Resource(ResourceCommand::Spec(SpecCommand::Add {
                network,
                name,
                unit,
                category,
                cold_chain,
                shelf_life,
            })) => {
                let net = node.resolve_network(&network)?;
                let input = SpecInput { name, unit, category, cold_chain, shelf_life };
                let op = node.add_spec(&net, &input)?;
                ctx.out.emit(json!({ "spec_id": op.to_hex() }), || {
                    format!("specification {} added: {} in {}\n", op.short(), input.name.trim(), input.unit.trim())
                });
            }
            Command::Resource(ResourceCommand::Distance { network, a, b, distance }) => {
                let net = node.resolve_network(&network)?;
                let op = node.set_distance(&net, &a, &b, distance)?;
                ctx.out.emit(json!({ "op_id": op.to_hex() }), || format!("{a} to {b}: {distance}\n"));
            }
            Command::Stock(cmd) => stock(ctx, &mut node, cmd)?,
            Command::Offer { network, spec, qty, place, note } => {
                let net = node.resolve_network(&network)?;
                let op = node.offer_supplies(&net, &OfferInput { spec, qty, place, note })?;
                ctx.out.emit(json!({ "offer_id": op.to_hex() }), || {
                    format!("offer {} made: the hub's keepers see it and arrange the pick-up\n", op.short())
                });
            }
            Command::Request { network, spec, qty, by, urgency, household, place, note, circle } => {
                let net = node.resolve_network(&network)?;
                let sealed = !circle.trim().is_empty();
                let input = RequestInput { spec, qty, urgency, by, household, place, note, circle };
                let op = node.request_supplies(&net, &input)?;
                ctx.out.emit(json!({ "request_id": op.to_hex(), "sealed": sealed }), || {
                    format!(
                        "request {} made{}\n",
                        op.short(),
                        if sealed { ", sealed: only that circle (and you) can read it" } else { "" }
                    )
                });
            }
            Command::Allocate { network, commit, reviewed } => {
                let net = node.resolve_network(&network)?;
                let plan = node.plan(&net)?;
                if commit {
                    let ops = node.commit_plan(&net, reviewed.as_deref())?;
                    ctx.out.emit(
                        json!({ "plan": plan, "commitments": ops.iter().map(|o| o.to_hex()).collect::<Vec<_>>() }),
                        || {
                            format!(
                                "{}committed: {} commitments (`handover` checks them off)\n",
                                plan_text(&plan),
                                ops.len()
                            )
                        },
                    );
                } else {
                    ctx.out.emit(json!(plan), || {
                        format!(
                            "{}review it, then: openstrike allocate {network} --commit --reviewed {}\n",
                            plan_text(&plan),
                            plan.digest
                        )
                    });
                }
            }
            Command::Handover { network, commitment, qty, note } => {
                let net = node.resolve_network(&network)?;
                let op = node.handover(&net, &commitment, qty.as_deref(), &note)?;
                ctx.out.emit(json!({ "op_id": op.to_hex() }), || format!("handed over ({})\n", op.short()));
            }
            Command::Resources(ResourcesCommand::Show { network }) => {
                let net = node.resolve_network(&network)?;
                let v = node.resources(&net)?;
                ctx.out.emit(json!(v), || show_text(&v));
            }
            Command::Resources(ResourcesCommand::Close { network, id, note }) => {
                let net = node.resolve_network(&network)?;
                let op = node.close_intent(&net, &id, &note)?;
                ctx.out.emit(json!({ "op_id": op.to_hex() }), || "closed\n".into());
            }
        }
        Ok(())
    }
}

fn stock(ctx: &Ctx, node: &mut Node, cmd: StockCommand) -> anyhow::Result<()> {
    let input = |action: &str, lot: String, qty: String| StockInput {
        action: action.into(),
        lot,
        qty,
        ..StockInput::default()
    };
    let (network, input) = match cmd {
        StockCommand::List { network, expiring, below_minimum } => {
            let net = node.resolve_network(&network)?;
            let within = match expiring {
                Some(w) => Some(
                    parse_duration(w.trim())
                        .ok_or_else(|| crate::cmd::usage(format!("--expiring: cannot read {w:?}, use 30d or 6w")))?,
                ),
                None => None,
            };
            let lots = node.lots(&net, within, below_minimum)?;
            ctx.out.emit(json!({ "lots": lots }), || lots_text(&lots));
            return Ok(());
        }
        StockCommand::Minimum { network, spec, qty } => {
            let net = node.resolve_network(&network)?;
            node.set_minimum(&net, &spec, &qty)?;
            ctx.out.emit(json!({ "ok": true }), || format!("minimum of {spec} set to {qty}\n"));
            return Ok(());
        }
        StockCommand::Receive { network, spec, qty, place, expires, from, note } => (
            network,
            StockInput {
                action: "receive".into(),
                spec,
                qty,
                place,
                expires,
                party: from,
                note,
                ..StockInput::default()
            },
        ),
        StockCommand::Move { network, lot, qty, to } => (network, StockInput { place: to, ..input("move", lot, qty) }),
        StockCommand::Transfer { network, lot, qty, to } => {
            (network, StockInput { party: to, ..input("transfer", lot, qty) })
        }
        StockCommand::Consume { network, lot, qty, note } => {
            (network, StockInput { note, ..input("consume", lot, qty) })
        }
        StockCommand::Adjust { network, lot, count, by, note } => {
            let net = node.resolve_network(&network)?;
            let delta = match (count, by) {
                (Some(n), None) => {
                    let l = node.resolve_lot(&net, &lot)?;
                    let held = node.hub_state(&net)?.lots[&l].stock;
                    n - held
                }
                (None, Some(d)) => d,
                _ => return Err(crate::cmd::usage("say --count N (what is there) or --by +N / -N")),
            };
            if delta == 0 {
                return Err(crate::cmd::usage("the lot already holds that much: nothing to adjust"));
            }
            let action = if delta > 0 { "raise" } else { "lower" };
            (network, StockInput { note, ..input(action, lot, delta.unsigned_abs().to_string()) })
        }
    };
    let net = node.resolve_network(&network)?;
    let op = node.record_stock(&net, &input)?;
    let v = node.resources(&net)?;
    ctx.out.emit(json!({ "op_id": op.to_hex(), "resources": v }), || {
        format!(
            "{} recorded ({}); lot {}\n",
            input.action,
            op.short(),
            if input.action == "receive" { op.short() } else { input.lot.clone() }
        )
    });
    Ok(())
}

fn day(unix: u64) -> String {
    time(CoarseTime::from_unix_seconds(unix)).chars().take(10).collect()
}

fn lots_text(lots: &[LotView]) -> String {
    if lots.is_empty() {
        return "no lots\n".into();
    }
    lots.iter()
        .map(|l| {
            let expiry = match (l.expires, l.expires_in_days) {
                (Some(e), Some(d)) if d < 0 => format!("  EXPIRED {}", day(e)),
                (Some(e), Some(d)) => format!("  expires {} (in {d} days)", day(e)),
                _ => String::new(),
            };
            let over = if l.overdrawn { "  OVERDRAWN" } else { "" };
            format!("{}  {} {} {} at {}{expiry}{over}\n", l.id, l.qty, l.unit, l.spec, l.place)
        })
        .collect()
}

fn plan_text(p: &PlanView) -> String {
    let mut out = format!("plan {}: {} of {} units asked ({})\n", p.digest, p.allotted, p.demand, p.percent_met);
    for a in &p.allocations {
        out.push_str(&format!(
            "  {} {} {} from lot {} at {} -> {} [{}]\n",
            a.qty, a.unit, a.spec, a.lot, a.from_place, a.to, a.urgency
        ));
    }
    for (r, spec, got, asked) in &p.unmet {
        out.push_str(&format!("  short: request {r} ({spec}) gets {got} of {asked}\n"));
    }
    out
}

fn show_text(v: &ResourcesView) -> String {
    let mut out = format!("{}: {} households\n", v.name, v.households);
    for a in &v.alerts {
        out.push_str(&format!("! {}\n", a.text));
    }
    out.push_str("days of stock left at the last 4 weeks' rate:\n");
    for c in &v.categories {
        let days = c.days_left.map_or("no use recorded".to_string(), |d| format!("{d} days ({})", c.limiting));
        out.push_str(&format!("  {:<8} {days}\n", c.category));
    }
    out.push_str("stock:\n");
    for s in &v.specs {
        let min = if s.minimum > 0 { format!(", minimum {}", s.minimum) } else { String::new() };
        let low = if s.below_minimum { "  BELOW MINIMUM" } else { "" };
        out.push_str(&format!("  {} {} {} ({} free{min}){low}\n", s.stock, s.unit, s.name, s.free));
    }
    out.push_str(&format!("open requests: {}\n", v.requests.len()));
    for r in &v.requests {
        let sealed = if r.sealed { " (sealed to keepers)" } else { "" };
        out.push_str(&format!(
            "  {}  {:<8} {} of {} {} {} for {} (household of {}), due {}{sealed}\n",
            r.id,
            r.urgency,
            r.wanted,
            r.qty,
            r.unit,
            r.spec,
            r.by,
            r.household,
            day(r.due)
        ));
    }
    if v.sealed_unreadable > 0 {
        out.push_str(&format!("  and {} sealed to the keepers\n", v.sealed_unreadable));
    }
    if !v.commitments.is_empty() {
        out.push_str("to hand over:\n");
        for c in &v.commitments {
            let short = if c.short > 0 { format!("  short {}: needs a new plan", c.short) } else { String::new() };
            out.push_str(&format!("  {}  {} {} {} at {} -> {}{short}\n", c.id, c.held, c.unit, c.spec, c.place, c.to));
        }
    }
    out.push_str(&format!("state {}\n", &v.hash[..16]));
    out
}
