//! Mutual aid and crisis response: requests for help and the responders' queue, check-in
//! rounds, and legal defense cases.

use std::fmt::Write as _;

use clap::Subcommand;
use serde_json::json;
use strike_node::aid::AskInput;
use strike_node::aid::cases::CaseInput;
use strike_node::aid::checkins::CheckinInput;
use strike_node::aid::views::{AidQueueView, AidRequestView, span};
use strike_node::resources::RequestInput;

use crate::config::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Mutual aid: ask, queue, show, claim, update, resolve, cancel, release, escalate, supply,
    /// grant, targets
    #[command(subcommand)]
    Aid(AidCommand),
    /// Check-in rounds: start, answer, show
    #[command(subcommand)]
    Checkin(CheckinCommand),
    /// Legal defense cases in a legal circle: open, list, note, assign, deadline, close
    #[command(subcommand)]
    Case(CaseCommand),
}

#[derive(Debug, Subcommand)]
pub enum AidCommand {
    /// Ask for help: in the network, or sealed to a circle (a team) only it and you read
    Ask {
        network: String,
        /// medical, food, housing, childcare, transport, legal, safety or other
        #[arg(long)]
        category: String,
        /// critical, high or normal
        #[arg(long, default_value = "normal")]
        urgency: String,
        #[arg(long)]
        text: String,
        /// network, or a circle
        #[arg(long, default_value = "network")]
        visible_to: String,
        /// An area, not an address
        #[arg(long = "where", default_value = "")]
        place: String,
        /// Needed by: 2d, or a date
        #[arg(long, default_value = "")]
        by: String,
        /// A circle or network it may be escalated to (repeat)
        #[arg(long = "may-escalate-to")]
        escalate_to: Vec<String>,
        /// What an escalation to another network may carry (comma-separated: category,
        /// urgency, text, where, due)
        #[arg(long, value_delimiter = ',')]
        share: Vec<String>,
    },
    /// Responders: open requests by urgency and age, overdue first
    Queue {
        network: String,
        /// Only the requests sealed to this team's circle
        #[arg(long, default_value = "")]
        team: String,
        /// Resolved and cancelled too
        #[arg(long)]
        all: bool,
    },
    /// A request with its history
    Show { network: String, request: String },
    /// "I have it"
    Claim {
        network: String,
        request: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Progress on a request you hold, or a note on any you respond to
    Update {
        network: String,
        request: String,
        #[arg(long)]
        note: String,
        /// A note only, not progress
        #[arg(long)]
        note_only: bool,
    },
    /// Give a request back to the queue
    Release {
        network: String,
        request: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    Resolve {
        network: String,
        request: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Withdraw your request (or, as an organizer, any)
    Cancel {
        network: String,
        request: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Pass a request to a circle or network its requester allowed
    Escalate {
        network: String,
        request: String,
        #[arg(long)]
        to: String,
        /// Fewer fields than the requester allowed (comma-separated)
        #[arg(long, value_delimiter = ',')]
        share: Vec<String>,
    },
    /// Fulfil from a hub's stock: a resource request there (committed if you keep the hub)
    Supply {
        network: String,
        request: String,
        #[arg(long)]
        from_hub: String,
        /// The resource specification (a name or id)
        #[arg(long)]
        spec: String,
        #[arg(long)]
        qty: String,
        #[arg(long, default_value = "")]
        by: String,
        #[arg(long = "where", default_value = "")]
        place: String,
    },
    /// Ask the fund for a hardship grant for the requester (it needs the fund's approvals)
    Grant {
        network: String,
        request: String,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// Why, for the treasurers (default the request's category and text)
        #[arg(long, default_value = "")]
        why: String,
    },
    /// Response time targets per urgency (organizers): 1h, 12h, 3d
    Targets {
        network: String,
        #[arg(long, default_value = "")]
        critical: String,
        #[arg(long, default_value = "")]
        high: String,
        #[arg(long, default_value = "")]
        normal: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CheckinCommand {
    /// Ask everyone (or a circle) a question; answers are sealed to your team
    Start {
        network: String,
        /// Your team: it reads the answers
        #[arg(long)]
        team: String,
        /// Who is asked (default everyone)
        #[arg(long, default_value = "")]
        circle: String,
        #[arg(long, default_value = "Are you OK?")]
        question: String,
        #[arg(long, default_value = "12h")]
        answer_within: String,
    },
    /// Answer the newest open round: ok or need-help
    Answer {
        network: String,
        status: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, default_value = "")]
        round: String,
    },
    /// Rounds: who answered, who needs help and who is silent (the team only)
    Show { network: String },
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Open a case in the legal circle
    Open {
        network: String,
        #[arg(long)]
        circle: String,
        /// firing, discipline, arrest or other
        #[arg(long)]
        kind: String,
        #[arg(long)]
        text: String,
        #[arg(long, default_value = "")]
        deadline: String,
    },
    /// The cases of legal circles you are in
    List { network: String },
    Note {
        network: String,
        case: String,
        #[arg(long)]
        note: String,
    },
    Assign {
        network: String,
        case: String,
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    Deadline {
        network: String,
        case: String,
        #[arg(long)]
        at: String,
    },
    Close {
        network: String,
        case: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

fn request_line(out: &mut String, r: &AidRequestView) {
    let holder = r
        .holder
        .as_deref()
        .filter(|_| !matches!(r.state.as_str(), "resolved" | "cancelled"))
        .map(|h| format!(" · {h} has it"))
        .unwrap_or_default();
    let flag = if r.overdue { " OVERDUE" } else { "" };
    let _ = writeln!(
        out,
        "{} {:<8} {:<9} {:<11} {:>6} ago{}{} [{}]\n    {}",
        &r.id[..8],
        r.urgency,
        r.category,
        r.state,
        span(r.age_minutes),
        holder,
        flag,
        r.visible_to,
        if r.text.is_empty() { "(no text shared)" } else { &r.text }
    );
}

fn queue_text(q: &AidQueueView, all: bool) -> String {
    let mut out = format!("{}\n", q.summary);
    for r in &q.open {
        request_line(&mut out, r);
    }
    if all {
        for r in &q.closed {
            request_line(&mut out, r);
        }
    }
    if q.sealed > 0 {
        let _ = writeln!(out, "({} notes sealed to circles you are not in)", q.sealed);
    }
    out
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let mut node = ctx.unlock()?;
        match self {
            Command::Aid(cmd) => run_aid(ctx, &mut node, cmd),
            Command::Checkin(cmd) => run_checkin(ctx, &mut node, cmd),
            Command::Case(cmd) => run_case(ctx, &mut node, cmd),
        }
    }
}

fn emit_request(ctx: &Ctx, node: &strike_node::Node, net: &strike_core::NetworkId, id: &str) -> anyhow::Result<()> {
    let r = node.aid_request(net, id)?;
    ctx.out.emit(json!(r), || {
        let mut out = String::new();
        request_line(&mut out, &r);
        for c in &r.cover_offers {
            let _ = writeln!(out, "    cover offered: {c}");
        }
        for h in &r.history {
            let ignored =
                if h.ignored.is_empty() { String::new() } else { format!(" (does not count: {})", h.ignored) };
            let _ = writeln!(out, "    {} {} {}{}", h.by, h.action, h.note, ignored);
        }
        out
    });
    Ok(())
}

fn run_aid(ctx: &Ctx, node: &mut strike_node::Node, cmd: AidCommand) -> anyhow::Result<()> {
    match cmd {
        AidCommand::Ask { network, category, urgency, text, visible_to, place, by, escalate_to, share } => {
            let net = node.resolve_network(&network)?;
            let input = AskInput { category, urgency, text, visible_to, place, by, escalate_to, share };
            let op = node.aid_ask(&net, &input)?;
            let r = node.aid_request(&net, &op.to_hex())?;
            ctx.out.emit(json!({ "request_id": op.to_hex(), "request": r }), || {
                format!("request {} written; visible to: {}\n", op.short(), r.visible_to)
            });
        }
        AidCommand::Queue { network, team, all } => {
            let net = node.resolve_network(&network)?;
            let q = node.aid_queue(&net, Some(&team))?;
            ctx.out.emit(json!(q), || queue_text(&q, all));
        }
        AidCommand::Show { network, request } => {
            let net = node.resolve_network(&network)?;
            emit_request(ctx, node, &net, &request)?;
        }
        AidCommand::Claim { network, request, note } => step(ctx, node, &network, &request, "claim", &note)?,
        AidCommand::Update { network, request, note, note_only } => {
            step(ctx, node, &network, &request, if note_only { "note" } else { "progress" }, &note)?;
        }
        AidCommand::Release { network, request, note } => step(ctx, node, &network, &request, "release", &note)?,
        AidCommand::Resolve { network, request, note } => step(ctx, node, &network, &request, "resolve", &note)?,
        AidCommand::Cancel { network, request, note } => step(ctx, node, &network, &request, "cancel", &note)?,
        AidCommand::Escalate { network, request, to, share } => {
            let net = node.resolve_network(&network)?;
            node.aid_escalate(&net, &request, &to, &share)?;
            emit_request(ctx, node, &net, &request)?;
        }
        AidCommand::Supply { network, request, from_hub, spec, qty, by, place } => {
            let net = node.resolve_network(&network)?;
            let hub = node.resolve_network(&from_hub)?;
            let input = RequestInput { spec, qty, by, place, ..Default::default() };
            node.aid_supply(&net, &request, &hub, &input)?;
            emit_request(ctx, node, &net, &request)?;
        }
        AidCommand::Grant { network, request, amount, why } => {
            let net = node.resolve_network(&network)?;
            node.aid_grant(&net, &request, &amount, &why)?;
            emit_request(ctx, node, &net, &request)?;
        }
        AidCommand::Targets { network, critical, high, normal } => {
            let net = node.resolve_network(&network)?;
            node.aid_set_targets(&net, &critical, &high, &normal)?;
            let t = node.aid_queue(&net, None)?.targets;
            ctx.out.emit(json!({ "critical": t[0], "high": t[1], "normal": t[2] }), || {
                format!("targets: critical {}, high {}, normal {}\n", span(t[0]), span(t[1]), span(t[2]))
            });
        }
    }
    Ok(())
}

fn step(
    ctx: &Ctx,
    node: &mut strike_node::Node,
    network: &str,
    request: &str,
    action: &str,
    note: &str,
) -> anyhow::Result<()> {
    let net = node.resolve_network(network)?;
    node.aid_update(&net, request, action, note)?;
    emit_request(ctx, node, &net, request)
}

fn run_checkin(ctx: &Ctx, node: &mut strike_node::Node, cmd: CheckinCommand) -> anyhow::Result<()> {
    match cmd {
        CheckinCommand::Start { network, team, circle, question, answer_within } => {
            let net = node.resolve_network(&network)?;
            let input = CheckinInput { team, asked: circle, question, within: answer_within };
            let op = node.checkin_start(&net, &input)?;
            ctx.out.emit(json!({ "round_id": op.to_hex() }), || format!("round {} started\n", op.short()));
        }
        CheckinCommand::Answer { network, status, note, round } => {
            let net = node.resolve_network(&network)?;
            let op = node.checkin_answer(&net, &round, &status, &note)?;
            ctx.out.emit(json!({ "op_id": op.to_hex() }), || "answered; only the team reads it\n".into());
        }
        CheckinCommand::Show { network } => {
            let net = node.resolve_network(&network)?;
            let rounds = node.checkins(&net)?;
            ctx.out.emit(json!({ "rounds": rounds }), || {
                let mut out = String::new();
                for r in &rounds {
                    let _ = writeln!(
                        out,
                        "{} {:?} (team {}, asked {}){}",
                        &r.id[..8],
                        r.question,
                        r.team,
                        r.asked,
                        if r.open { "" } else { " closed" }
                    );
                    if let Some(a) = &r.my_answer {
                        let _ = writeln!(out, "    you answered: {a}");
                    }
                    if r.i_am_team {
                        let _ = writeln!(
                            out,
                            "    {} asked: {} ok, {} need help, {} silent",
                            r.asked_count,
                            r.ok,
                            r.need_help.len(),
                            r.silent.len()
                        );
                        for p in &r.need_help {
                            let _ = writeln!(out, "    NEEDS HELP: {} {}", p.name, p.note);
                        }
                        if !r.silent.is_empty() {
                            let _ = writeln!(out, "    silent: {}", r.silent.join(", "));
                        }
                    }
                }
                out
            });
        }
    }
    Ok(())
}

fn run_case(ctx: &Ctx, node: &mut strike_node::Node, cmd: CaseCommand) -> anyhow::Result<()> {
    let (network, case, action, note, who, when) = match cmd {
        CaseCommand::Open { network, circle, kind, text, deadline } => {
            let net = node.resolve_network(&network)?;
            let op = node.case_open(&net, &CaseInput { circle, kind, text, deadline })?;
            ctx.out.emit(json!({ "case_id": op.to_hex() }), || format!("case {} opened\n", op.short()));
            return Ok(());
        }
        CaseCommand::List { network } => {
            let net = node.resolve_network(&network)?;
            let cases = node.cases(&net)?;
            ctx.out.emit(json!({ "cases": cases }), || {
                let mut out = String::new();
                for c in &cases {
                    let left = c.minutes_left.map_or(String::new(), |m| {
                        if m < 0 {
                            " · deadline passed".into()
                        } else {
                            format!(" · {} to the deadline", span(m as u32))
                        }
                    });
                    let _ = writeln!(
                        out,
                        "{} {} ({}){}{}{}\n    {}",
                        &c.id[..8],
                        c.kind,
                        c.circle,
                        c.assignee.as_deref().map(|a| format!(" · {a}")).unwrap_or_default(),
                        left,
                        if c.closed { " · closed" } else { "" },
                        c.text
                    );
                }
                out
            });
            return Ok(());
        }
        CaseCommand::Note { network, case, note } => (network, case, "note", note, String::new(), String::new()),
        CaseCommand::Assign { network, case, to, note } => (network, case, "assign", note, to, String::new()),
        CaseCommand::Deadline { network, case, at } => (network, case, "deadline", String::new(), String::new(), at),
        CaseCommand::Close { network, case, note } => (network, case, "close", note, String::new(), String::new()),
    };
    let net = node.resolve_network(&network)?;
    let op = node.case_update(&net, &case, action, &note, &who, &when)?;
    ctx.out.emit(json!({ "op_id": op.to_hex() }), || format!("case {action} recorded\n"));
    Ok(())
}
