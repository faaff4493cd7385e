//! Assemblies and votes: propose, vote (and change the vote until the close), follow a
//! proposal's tally, list them, and close a vote whose time has passed (organizers).

use std::fmt::Write as _;

use clap::Subcommand;
use serde_json::json;
use strike_node::votes::concessions::ConcessionVoteInput;
use strike_node::votes::{ProposalView, ProposeInput, VoteInput};

use crate::config::Ctx;
use crate::output::time;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Put a proposal to the network
    Propose {
        network: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        text: String,
        /// consent, yes-no, choose, approval, ranked, stv or score
        #[arg(long)]
        method: String,
        /// An option (repeat; for choose, approval, ranked, stv and score)
        #[arg(long = "option")]
        options: Vec<String>,
        /// Seats an STV election fills
        #[arg(long)]
        seats: Option<u8>,
        /// Share of the members that must vote: 50%
        #[arg(long, default_value = "")]
        quorum: String,
        /// yes-no: majority, two-thirds or consensus
        #[arg(long = "pass", default_value = "")]
        pass: String,
        /// When voting closes: 3d, or a date
        #[arg(long)]
        closes: String,
        /// When members see the tally: always, after-voting or after-close
        #[arg(long, default_value = "")]
        results: String,
        /// An STV election's winners become the network's delegates
        #[arg(long)]
        delegates: bool,
        /// Put it to one circle only (its name or id): sealed in it, its members alone vote
        #[arg(long, default_value = "")]
        circle: String,
        /// A secret vote: nobody can tell who voted what (organizers issue credentials)
        #[arg(long)]
        secret: bool,
    },
    /// Vote (again, to change it) on a proposal: consent|object, yes|no|abstain|block, or
    /// --choose / --approve / --rank / --score. Ballots are signed: members can read who voted what.
    Vote {
        proposal: String,
        /// consent or object; yes, no, abstain or block
        position: Option<String>,
        #[arg(long, default_value = "")]
        choose: String,
        /// Options approved, comma-separated
        #[arg(long, value_delimiter = ',')]
        approve: Vec<String>,
        /// Options most preferred first, comma-separated
        #[arg(long, value_delimiter = ',')]
        rank: Vec<String>,
        /// option=score pairs (0-5), comma-separated
        #[arg(long, value_delimiter = ',')]
        score: Vec<String>,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Proposals: show, list, close
    #[command(subcommand)]
    Proposal(ProposalCommand),
    /// Offers on strike calls: record one, put it to a vote, list them
    #[command(subcommand)]
    Concession(ConcessionCommand),
    /// Discussion before a vote: start, list, lock
    #[command(subcommand)]
    Thread(ThreadCommand),
    /// Reply in a thread
    Reply { thread: String, text: String },
}

#[derive(Debug, Subcommand)]
pub enum ThreadCommand {
    /// Start a discussion on the network, or on a proposal or call
    Start {
        network: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        text: String,
        /// A proposal or call (an id prefix)
        #[arg(long)]
        on: Option<String>,
    },
    /// The network's threads with their replies (only those on a proposal or call, with --on)
    List {
        network: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Lock a thread (organizers); --open opens it again
    Lock {
        thread: String,
        #[arg(long)]
        open: bool,
    },
}

fn threads_text(list: &[strike_node::votes::threads::ThreadView]) -> String {
    let mut out = String::new();
    for t in list {
        let _ = writeln!(out, "{} {}{} (by {})", &t.id[..8], t.title, if t.locked { " [locked]" } else { "" }, t.by);
        if !t.text.is_empty() {
            let _ = writeln!(out, "  {}", t.text);
        }
        for r in &t.replies {
            let _ = writeln!(out, "  {}: {}", r.by, r.text);
        }
    }
    if out.is_empty() {
        out.push_str("no thread yet\n");
    }
    out
}

fn run_thread(ctx: &Ctx, node: &mut strike_node::Node, cmd: ThreadCommand) -> anyhow::Result<()> {
    match cmd {
        ThreadCommand::Start { network, title, text, on } => {
            let net = node.resolve_network(&network)?;
            let on = on.map(|o| node.resolve_thread_subject(&net, &o)).transpose()?;
            let op = node.start_thread(&net, on, &title, &text)?;
            ctx.out.emit(json!({ "thread_id": op.to_hex() }), || format!("thread {} started\n", op.short()));
        }
        ThreadCommand::List { network, on } => {
            let net = node.resolve_network(&network)?;
            let on = on.map(|o| node.resolve_thread_subject(&net, &o)).transpose()?;
            let list = node.threads(&net, on.as_ref())?;
            ctx.out.emit(json!({ "threads": list }), || threads_text(&list));
        }
        ThreadCommand::Lock { thread, open } => {
            let (net, id) = node.find_thread(&thread)?;
            node.lock_thread(&net, &id, !open)?;
            let t = node.thread(&net, &id)?;
            ctx.out.emit(json!(t), || threads_text(std::slice::from_ref(&t)));
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum ProposalCommand {
    /// Turnout, quorum, the tally as it stands (or hidden until the close), the outcome
    Show { proposal: String },
    /// The network's proposals, newest first
    List { network: String },
    /// Close a vote whose time has passed (organizers; their nodes also do it on upkeep)
    Close { proposal: String },
}

fn show_text(v: &ProposalView) -> String {
    let mut out = format!("{} {} [{}] {}\n", &v.id[..8], v.title, v.method, v.state);
    if let Some(c) = &v.circle {
        let _ = writeln!(out, "  put to {c} only: its members vote, and only they read it");
    }
    let _ = writeln!(
        out,
        "  proposed by {} · closes {} UTC · {} of {} voted (quorum {})",
        v.proposed_by,
        time(strike_core::CoarseTime(v.closes)),
        v.voted,
        v.electorate,
        v.quorum_needed
    );
    for (p, n) in &v.positions {
        let _ = writeln!(out, "  {p}: {n}");
    }
    for (o, n) in v.options.iter().zip(&v.per_option) {
        let _ = writeln!(out, "  {o}: {n}");
    }
    for (i, r) in v.rounds.iter().enumerate() {
        let votes: Vec<String> =
            v.options.iter().zip(&r.votes).filter_map(|(o, x)| x.as_ref().map(|x| format!("{o} {x}"))).collect();
        let _ = writeln!(out, "  round {}: {} -> {} {}", i + 1, votes.join(", "), r.selection, r.selected.join(", "));
    }
    let _ = writeln!(out, "  outcome: {}", v.outcome);
    if let Some(b) = &v.my_ballot {
        let _ = writeln!(out, "  your ballot: {b}");
    }
    out
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        if let Command::Concession(cmd) = self {
            return run_concession(ctx, cmd);
        }
        let mut node = ctx.unlock()?;
        if let Command::Thread(cmd) = self {
            return run_thread(ctx, &mut node, cmd);
        }
        if let Command::Reply { thread, text } = &self {
            let (net, id) = node.find_thread(thread)?;
            node.reply(&net, &id, text)?;
            let t = node.thread(&net, &id)?;
            ctx.out.emit(json!(t), || threads_text(std::slice::from_ref(&t)));
            return Ok(());
        }
        match self {
            Command::Propose {
                network,
                title,
                text,
                method,
                options,
                seats,
                quorum,
                pass,
                closes,
                results,
                delegates,
                circle,
                secret,
            } => {
                let net = node.resolve_network(&network)?;
                let input = ProposeInput {
                    title,
                    text,
                    method,
                    options,
                    seats,
                    quorum,
                    pass,
                    closes,
                    results,
                    delegates,
                    circle,
                    secret,
                };
                let op = node.propose(&net, &input)?;
                let v = node.proposal(&net, &op)?;
                ctx.out.emit(json!({ "proposal_id": op.to_hex(), "proposal": v }), || show_text(&v));
            }
            Command::Vote { proposal, position, choose, approve, rank, score, reason } => {
                let (net, id) = node.find_proposal(&proposal)?;
                let input = VoteInput { position: position.unwrap_or_default(), choose, approve, rank, score, reason };
                let op = node.vote(&net, &id, &input)?;
                let v = node.proposal(&net, &id)?;
                ctx.out.emit(json!({ "op_id": op.to_hex(), "proposal": v }), || {
                    format!("voted ({}); members can read who voted what\n{}", op.short(), show_text(&v))
                });
            }
            Command::Proposal(ProposalCommand::Show { proposal }) => {
                let (net, id) = node.find_proposal(&proposal)?;
                let v = node.proposal(&net, &id)?;
                ctx.out.emit(json!(v), || show_text(&v));
            }
            Command::Proposal(ProposalCommand::List { network }) => {
                let net = node.resolve_network(&network)?;
                let list = node.proposals(&net)?;
                ctx.out.emit(json!({ "proposals": list }), || list.iter().map(show_text).collect());
            }
            Command::Proposal(ProposalCommand::Close { proposal }) => {
                let (net, id) = node.find_proposal(&proposal)?;
                node.close_proposal(&net, &id)?;
                let v = node.proposal(&net, &id)?;
                ctx.out.emit(json!(v), || show_text(&v));
            }
            Command::Concession(_) | Command::Thread(_) | Command::Reply { .. } => unreachable!("run above"),
        }
        Ok(())
    }
}

/// Offers on strike calls.
#[derive(Debug, Subcommand)]
pub enum ConcessionCommand {
    /// Record an offer the other side made on a call (organizers)
    Record {
        call: String,
        /// Who offered it: employer, management ...
        #[arg(long)]
        from: String,
        #[arg(long)]
        text: String,
    },
    /// Put the call's latest offer to the members: accept or reject (organizers)
    Vote {
        call: String,
        #[arg(long)]
        closes: String,
        /// Default 50%
        #[arg(long, default_value = "")]
        quorum: String,
        /// majority, two-thirds or consensus
        #[arg(long = "pass", default_value = "")]
        pass: String,
    },
    /// A call's offers, their votes and results, and how it came out
    List { call: String },
}

pub fn run_concession(ctx: &Ctx, cmd: ConcessionCommand) -> anyhow::Result<()> {
    let mut node = ctx.unlock()?;
    let call = match &cmd {
        ConcessionCommand::Record { call, .. }
        | ConcessionCommand::Vote { call, .. }
        | ConcessionCommand::List { call } => call.clone(),
    };
    let (net, op) = node.find_call(&call)?;
    match cmd {
        ConcessionCommand::Record { from, text, .. } => {
            node.record_concession(&net, &op, &from, &text)?;
        }
        ConcessionCommand::Vote { closes, quorum, pass, .. } => {
            let input = ConcessionVoteInput { closes, quorum, pass };
            let p = node.concession_vote(&net, &op, &input)?;
            let v = node.proposal(&net, &p)?;
            ctx.out.emit(json!({ "proposal_id": p.to_hex(), "proposal": v }), || show_text(&v));
            return Ok(());
        }
        ConcessionCommand::List { .. } => {}
    }
    let record = node.call_record(&net, &op)?;
    ctx.out.emit(json!(record), || {
        let mut out = String::new();
        for c in &record.concessions {
            let _ = writeln!(out, "{} from {}: {}\n  {}", &c.id[..8], c.from, c.text, c.result);
        }
        if let Some(o) = &record.outcome {
            let _ = writeln!(out, "outcome: {} {}", o.outcome, o.text);
        }
        if out.is_empty() {
            out.push_str("no offer recorded on this call\n");
        }
        out
    });
    Ok(())
}
