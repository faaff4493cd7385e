//! Strike calls and pledges: open a call with its threshold rules, follow its progress,
//! pledge and withdraw, and watch events as they arrive.

use std::collections::BTreeMap;

use clap::Subcommand;
use serde_json::{Value, json};
use strike_core::calls::{CallStatus, Tally};
use strike_core::membership::Status;
use strike_core::{CoarseTime, NetworkId};
use strike_node::Node;
use strike_node::calls::CallSpec;
use strike_node::networks::display_name;

use crate::cmd::usage;
use crate::config::Ctx;
use crate::output::time;

// Parsed once per process: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Strike calls with threshold rules
    #[command(subcommand)]
    Call(CallCommand),
    /// Pledge to a call (`pledge CALL`), take it back before it triggers (`pledge withdraw
    /// CALL`), or on a secret call drop this device's link to your pledge (`pledge forget CALL`:
    /// nothing here says any more which pledge is yours, and you can no longer withdraw it)
    Pledge {
        /// CALL, `withdraw CALL` or `forget CALL`
        #[arg(num_args = 1..=2, required = true, value_name = "[withdraw|forget] CALL")]
        words: Vec<String>,
    },
    /// Print events as they arrive: new members, pledges counted, TRIGGERED, STARTED
    Watch {
        /// Only this network
        #[arg(long)]
        network: Option<String>,
        /// Seconds between looks
        #[arg(long, default_value_t = 2)]
        interval: u64,
        /// Stop after this many seconds (default: run until interrupted)
        #[arg(long)]
        for_secs: Option<u64>,
    },
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CallCommand {
    /// Open a strike call (organizers). Rules combine with AND
    Create {
        network: String,
        /// strike, sickout, slowdown, work-to-rule or boycott
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
        /// A demand; repeat for several
        #[arg(long = "demand")]
        demands: Vec<String>,
        /// Only this workplace counts (default: the whole network)
        #[arg(long, default_value = "")]
        scope: String,
        /// At least this many pledges
        #[arg(long)]
        threshold_count: Option<u32>,
        /// At least this share of the mapped workforce (0.6 or 60%)
        #[arg(long)]
        threshold_share: Option<String>,
        /// At least N in every department (or workplace, shift): department=5
        #[arg(long, value_name = "DIMENSION=N")]
        min_per: Vec<String>,
        /// Pledges made after this do not count (2026-12-15, 2026-12-15T17:00 UTC, or 21d)
        #[arg(long)]
        deadline: String,
        /// When the action starts once triggered
        #[arg(long)]
        starts: String,
        /// Vital roles that are not asked to stop and not counted (`--exempt-role nurse midwife`)
        #[arg(long = "exempt-role", num_args = 1..)]
        exempt_roles: Vec<String>,
        /// A further escalation wave: "count=100,share=80%,min-per=department=5,starts=2027-01-10"
        #[arg(long = "wave")]
        waves: Vec<String>,
        /// Secret pledges: nobody, organizers included, can tell who pledged; the organizers
        /// issue credentials (at least 5 eligible members in every group the rules count)
        #[arg(long)]
        secret: bool,
    },
    /// Calls of a network with their status
    List { network: String },
    /// Progress toward every rule, and the status: open / triggered / expired / started
    Show { call: String },
    /// Close the count of a call whose deadline has passed (organizers; done on its own too)
    Close { call: String },
    /// Record how a call came out (organizers): won, partial, lost or ended
    Outcome {
        call: String,
        outcome: String,
        #[arg(long, default_value = "")]
        text: String,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Call(cmd) => call(ctx, &mut ctx.unlock()?, cmd),
            Command::Pledge { words } => pledge(ctx, &mut ctx.unlock()?, &words),
            Command::Watch { network, interval, for_secs } => {
                watch(ctx, &ctx.unlock()?, network.as_deref(), interval, for_secs)
            }
        }
    }
}

fn bar(have: u64, need: u64) -> String {
    let width = 20;
    let filled = (have.min(need) * width as u64).checked_div(need).map_or(width, |f| f as usize);
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
}

fn status_word(s: CallStatus) -> &'static str {
    match s {
        CallStatus::Open => "open",
        CallStatus::Triggered => "TRIGGERED",
        CallStatus::Expired => "expired",
        CallStatus::Started => "STARTED",
    }
}

pub fn tally_text(t: &Tally, deadline: u32) -> String {
    let mut out = format!(
        "status: {}   pledges counted: {} of a mapped workforce of {}{}{}\ndeadline: {} UTC\n",
        status_word(t.status),
        t.counted,
        t.workforce,
        if t.support > 0 { format!("   support (exempt): {}", t.support) } else { String::new() },
        if t.late > 0 { format!("   late: {}", t.late) } else { String::new() },
        time(CoarseTime(deadline)),
    );
    for (i, w) in t.waves.iter().enumerate() {
        out.push_str(&format!(
            "wave {}: starts {} UTC{}\n",
            i + 1,
            time(CoarseTime(w.starts)),
            w.triggered_at.map(|at| format!(", triggered {} UTC", time(CoarseTime(at)))).unwrap_or_default()
        ));
        for r in &w.rules {
            out.push_str(&format!(
                "  {} {:>4}/{:<4} {}{}\n",
                bar(r.have, r.need),
                r.have,
                r.need,
                r.rule,
                if r.holds { "  ok" } else { "" }
            ));
            for (g, have, need) in r.groups.iter().filter(|(_, h, n)| h < n) {
                out.push_str(&format!("      {g} needs {} more\n", need - have));
            }
        }
    }
    out
}

fn call_json(v: &strike_node::calls::CallView) -> Value {
    json!(v)
}

fn call(ctx: &Ctx, node: &mut Node, cmd: CallCommand) -> anyhow::Result<()> {
    match cmd {
        CallCommand::Create {
            network,
            kind,
            title,
            demands,
            scope,
            threshold_count,
            threshold_share,
            min_per,
            deadline,
            starts,
            exempt_roles,
            waves,
            secret,
        } => {
            let id = node.resolve_network(&network)?;
            let spec = CallSpec {
                kind,
                title,
                demands,
                scope,
                threshold_count,
                threshold_share,
                min_per,
                deadline,
                starts,
                exempt_roles,
                waves,
                secret,
            };
            let call = spec.build(node.now())?;
            let op = node.create_call(&id, call)?;
            ctx.out.emit(json!({ "call_id": op.to_hex() }), || {
                format!("call {} opened. Members pledge with: openstrike pledge {}", op.short(), op.short())
            });
        }
        CallCommand::List { network } => {
            let id = node.resolve_network(&network)?;
            let calls = node.calls(&id)?;
            ctx.out.emit(json!({ "calls": calls.iter().map(call_json).collect::<Vec<_>>() }), || {
                if calls.is_empty() {
                    return "no calls yet".into();
                }
                calls
                    .iter()
                    .map(|c| {
                        format!(
                            "{}  {:<10} {:<12} {:>5} pledged  {}\n",
                            c.id,
                            status_word(c.tally.status),
                            c.kind,
                            c.tally.counted,
                            c.title
                        )
                    })
                    .collect()
            });
        }
        CallCommand::Show { call } => {
            let (net, op) = node.find_call(&call)?;
            let v = node.call(&net, &op)?;
            ctx.out.emit(call_json(&v), || {
                let mut out = format!("{} ({}): {}\n", v.kind, v.id, v.title);
                for d in &v.demands {
                    out.push_str(&format!("  demand: {d}\n"));
                }
                if !v.scope.is_empty() {
                    out.push_str(&format!("  scope: {}\n", v.scope));
                }
                if !v.exempt_roles.is_empty() {
                    out.push_str(&format!("  exempt (not asked, not counted): {}\n", v.exempt_roles.join(", ")));
                }
                out.push_str(&tally_text(&v.tally, v.deadline));
                out.push_str(if v.my_pledge { "you have pledged\n" } else { "you have not pledged\n" });
                match &v.secret {
                    Some(s) => {
                        out.push_str(&format!(
                            "secret: {} credentials issued of {} eligible ({} asked), {} used; issuers: {}; yours: {}\n",
                            s.issued,
                            s.eligible,
                            s.requested,
                            s.one_time_authors,
                            s.issuers.join(", "),
                            s.mine
                        ));
                        for f in &s.flags {
                            out.push_str(&format!("WARNING: {f}\n"));
                        }
                        out.push_str(
                            "Nobody can tell who pledged: pledges are made under one-time keys. The issuers together \
                             could still sign credentials outside the log: extras beyond the eligible members are \
                             flagged and never count, but they could take the place of members who stay out.",
                        );
                    }
                    None => out.push_str(
                        "Who pledged is visible to the network's members only (every pledge is a signed op in the \
                         encrypted log).",
                    ),
                }
                out
            });
        }
        CallCommand::Outcome { call, outcome, text } => {
            let (net, op) = node.find_call(&call)?;
            node.set_call_outcome(&net, &op, &outcome, &text)?;
            let record = node.call_record(&net, &op)?;
            ctx.out.emit(json!(record), || format!("outcome recorded: {outcome}\n"));
        }
        CallCommand::Close { call } => {
            let (net, op) = node.find_call(&call)?;
            let v = node.call(&net, &op)?;
            if v.closed_by.is_none() && node.now() < u64::from(v.deadline) * 60 {
                return Err(usage(format!("the deadline ({} UTC) has not passed", time(CoarseTime(v.deadline)))));
            }
            node.require_organizer(&net)?;
            node.upkeep(&net)?;
            let v = node.call(&net, &op)?;
            ctx.out.emit(call_json(&v), || {
                format!("count closed: {} pledges, {}", v.tally.counted, status_word(v.tally.status))
            });
        }
    }
    Ok(())
}

fn pledge(ctx: &Ctx, node: &mut Node, words: &[String]) -> anyhow::Result<()> {
    let (call, pledged) = match words {
        [call] => (call, true),
        [w, call] if w == "withdraw" => (call, false),
        [w, call] if w == "forget" => {
            let (net, op) = node.find_call(call)?;
            node.forget_secret(&net, &op)?;
            let v = node.call(&net, &op)?;
            ctx.out.emit(call_json(&v), || {
                "forgotten: this device no longer knows which pledge is yours, and cannot withdraw it.\n".into()
            });
            return Ok(());
        }
        _ => {
            return Err(usage(
                "use `openstrike pledge CALL`, `openstrike pledge withdraw CALL` or `openstrike pledge forget CALL`",
            ));
        }
    };
    let (net, op) = node.find_call(call)?;
    let (_, v) = node.pledge(&net, &op, pledged)?;
    ctx.out.emit(call_json(&v), || {
        let mut out = String::from(if pledged {
            "pledged. It counts only together with the others: nobody is exposed alone.\n"
        } else {
            "pledge withdrawn.\n"
        });
        if v.secret.is_some() {
            out.push_str(
                "Secret: it leaves this device in 1 to 30 minutes, through a hub (or peer) chosen at random, at \
                 your node's next sync round.\n",
            );
        }
        out.push_str(&tally_text(&v.tally, v.deadline));
        out
    });
    Ok(())
}

/// What `watch` compares between looks.
#[derive(PartialEq)]
struct Snapshot {
    people: BTreeMap<String, (Status, String)>,
    calls: BTreeMap<String, (String, u64, CallStatus)>,
}

fn snapshot(node: &Node, net: &NetworkId) -> anyhow::Result<Snapshot> {
    let people = node.members(net)?.into_iter().map(|m| (m.author.to_hex(), (m.status, display_name(&m)))).collect();
    let calls =
        node.calls(net)?.into_iter().map(|c| (c.id.clone(), (c.title, c.tally.counted, c.tally.status))).collect();
    Ok(Snapshot { people, calls })
}

fn watch(ctx: &Ctx, node: &Node, network: Option<&str>, interval: u64, for_secs: Option<u64>) -> anyhow::Result<()> {
    let nets: Vec<NetworkId> = match network {
        Some(n) => vec![node.resolve_network(n)?],
        None => node.networks()?.into_iter().map(|n| n.id).collect(),
    };
    let started = std::time::Instant::now();
    let mut last: BTreeMap<NetworkId, Snapshot> = BTreeMap::new();
    let say = |net: &NetworkId, kind: &str, text: String, extra: Value| {
        let name = node.network(net).ok().and_then(|n| n.name).unwrap_or_else(|| net.short());
        let at = time(CoarseTime::from_unix_seconds(node.now()));
        let json = json!({ "network_id": net.to_hex(), "event": kind, "text": text, "detail": extra });
        ctx.out.event(json, || format!("[{at}] {name}: {text}"));
    };
    let mut first = true;
    loop {
        for net in &nets {
            let now = snapshot(node, net)?;
            if let Some(before) = last.get(net) {
                for (id, (status, name)) in &now.people {
                    let was = before.people.get(id).map(|p| p.0);
                    if was != Some(*status) {
                        let text = match status {
                            Status::Member => format!("{name} is now a member"),
                            Status::Pending => format!("{name} asks to join"),
                            Status::Removed => format!("{name} was removed"),
                        };
                        say(net, "member", text, json!({ "author": id, "status": status.as_str() }));
                    }
                }
                for (id, (title, counted, status)) in &now.calls {
                    let (was_count, was_status) = before.calls.get(id).map_or((0, CallStatus::Open), |c| (c.1, c.2));
                    if !before.calls.contains_key(id) {
                        say(net, "call", format!("new call {id}: {title}"), json!({ "call": id }));
                    }
                    if *counted != was_count {
                        say(
                            net,
                            "pledges",
                            format!("{title}: {counted} pledges counted"),
                            json!({ "call": id, "counted": counted }),
                        );
                    }
                    if *status != was_status {
                        let text = match status {
                            CallStatus::Triggered => format!("TRIGGERED: {title}"),
                            CallStatus::Started => format!("STARTED: {title}"),
                            CallStatus::Expired => format!("expired: {title}"),
                            CallStatus::Open => format!("open again: {title}"),
                        };
                        say(net, status.as_str(), text, json!({ "call": id }));
                    }
                }
            }
            last.insert(*net, now);
        }
        if first {
            // Ready: everything from here on is news.
            ctx.out.event(json!({ "event": "watching", "networks": nets.len() }), || {
                format!("watching {} network(s); Ctrl-C to stop", nets.len())
            });
            first = false;
        }
        if for_secs.is_some_and(|s| started.elapsed().as_secs() >= s) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_secs(interval.max(1)));
    }
}
