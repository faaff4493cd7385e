//! Commands of strike networks: invites, joining, members, directory, calls, pledges,
//! campaign, readiness and watch.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use anyhow::Context;
use serde_json::{Value, json};
use strike_core::body::{Contact, CoverKind};
use strike_core::calls::{CallKind, CallStatus, Tally};
use strike_core::campaign::{Campaign, Countdown, Gate, Phase};
use strike_core::membership::Status;
use strike_core::{CoarseTime, NetworkId};
use strike_node::calls::CallSpec;
use strike_node::networks::{InviteLink, display_name};
use strike_node::{Node, NodeError};

use crate::args::{
    CallCommand, CallKindArg, CampaignCommand, Cli, ContactCommand, CoverCommand, CoverKindArg, CoverSpec,
    InviteCommand, MemberCommand, ProfileCommand, SkillCommand,
};
use crate::output::{emit, time};
use crate::{CliError, exit};
use strike_core::{parse_duration, parse_time};

fn usage(message: impl Into<String>) -> anyhow::Error {
    CliError::err(exit::USAGE, message)
}

fn minutes(unix: u64) -> u32 {
    CoarseTime::from_unix_seconds(unix).0
}

pub fn invite(cli: &Cli, node: &mut Node, cmd: &InviteCommand) -> anyhow::Result<()> {
    let InviteCommand::Create { network, uses, expires, addresses, qr, no_terminal_qr } = cmd;
    let id = node.resolve_network(network)?;
    let valid_for = match expires {
        Some(e) => Some(parse_duration(e).ok_or_else(|| usage(format!("--expires {e:?}: use 7d, 12h, 30m ...")))?),
        None => None,
    };
    let link = node.create_invite(&id, *uses, valid_for, addresses.clone())?.to_string();
    if let Some(path) = qr {
        strike_node::qr::write_png(&link, path)?;
    }
    let show_qr = !cli.json && !no_terminal_qr && std::io::stdout().is_terminal();
    emit(cli.json, json!({ "network_id": id.to_hex(), "link": link, "uses": uses, "qr_png": qr }), || {
        let mut out = String::new();
        if show_qr && let Ok(code) = strike_node::qr::terminal(&link) {
            out.push_str(&code);
            out.push('\n');
        }
        out.push_str(&format!("{link}\n"));
        out.push_str(&format!(
            "\nGood for {uses} joiner(s){}. Share it in person; anyone holding it can ask to join and read other join requests made with it.",
            valid_for.map(|s| format!(", for {}", human_duration(s))).unwrap_or_default()
        ));
        if let Some(p) = qr {
            out.push_str(&format!("\nQR code written to {}", p.display()));
        }
        out
    });
    Ok(())
}

fn human_duration(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3600 == 0 => format!("{} hours", s / 3600),
        s => format!("{} minutes", s / 60),
    }
}

pub fn join(cli: &Cli, node: &mut Node, link: &str, pseudonym: &str, out: &std::path::Path) -> anyhow::Result<()> {
    let link: InviteLink = link.parse()?;
    let op = node.join(&link, pseudonym)?;
    let summary = node.export_bundle(&link.network, out, None)?;
    emit(
        cli.json,
        json!({ "network_id": link.network.to_hex(), "op_id": op.to_hex(), "request_file": out, "addresses": link.addresses, "bytes": summary.n_bytes }),
        || {
            format!(
                "join request written to {} ({} bytes, readable only by the network's members).\nGive it to a member (USB stick or sync{}); once someone vouches for you, import the bundle they send back:\n  openstrike bundle import FILE",
                out.display(),
                summary.n_bytes,
                if link.addresses.is_empty() { String::new() } else { format!(": {}", link.addresses.join(", ")) }
            )
        },
    );
    Ok(())
}

fn member_json(m: &strike_store::MemberRow) -> Value {
    json!(strike_node::networks::MemberView::of(m))
}

pub fn member(cli: &Cli, node: &mut Node, cmd: &MemberCommand) -> anyhow::Result<()> {
    match cmd {
        MemberCommand::List { network } => {
            let id = node.resolve_network(network)?;
            let people = node.members(&id)?;
            let names: BTreeMap<_, _> = people.iter().map(|m| (m.author, display_name(m))).collect();
            emit(
                cli.json,
                json!({ "network_id": id.to_hex(), "people": people.iter().map(member_json).collect::<Vec<_>>() }),
                || {
                    if people.is_empty() {
                        return "this node cannot read the member list yet (not admitted)".into();
                    }
                    let mut out = String::new();
                    for m in &people {
                        let vouched: Vec<&str> =
                            m.vouchers.iter().filter_map(|v| names.get(v).map(String::as_str)).collect();
                        out.push_str(&format!(
                            "{:<9} {:<10} {:<20} {}  {}\n",
                            m.status.as_str(),
                            if m.status == Status::Member { m.role.as_str() } else { "" },
                            display_name(m),
                            m.author.short(),
                            if vouched.is_empty() {
                                String::new()
                            } else {
                                format!("vouched by {}", vouched.join(", "))
                            }
                        ));
                    }
                    out
                },
            );
        }
        MemberCommand::Remove { network, member } => {
            let id = node.resolve_network(network)?;
            let m = node.resolve_member(&id, member)?;
            let out = node.remove(&id, &m.author)?;
            emit(
                cli.json,
                json!({ "op_id": out.op.to_hex(), "new_epoch": out.new_epoch, "key_shares": out.n_shares }),
                || {
                    format!(
                        "{} removed; the network key was rotated and sealed to the {} remaining members. They read nothing written from now on.",
                        display_name(&m),
                        out.n_shares
                    )
                },
            );
        }
        MemberCommand::Promote { network, member } => {
            let id = node.resolve_network(network)?;
            let m = node.resolve_member(&id, member)?;
            let op = node.promote(&id, &m.author)?;
            emit(cli.json, json!({ "op_id": op.to_hex() }), || format!("{} is now an organizer", display_name(&m)));
        }
    }
    Ok(())
}

pub fn recover(
    cli: &Cli,
    node: &mut Node,
    network: &str,
    why: strike_node::networks::RecoverWhy,
) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let out = node.recover(&id, why)?;
    emit(
        cli.json,
        json!({ "op_id": out.op.to_hex(), "old_author": out.old.to_hex(), "new_author": out.new.to_hex(),
                "last_good_seq": out.last_good_seq }),
        || {
            format!(
                "asked to go on under a new key: {}\n\
                 Show an organizer this key in person; once they vouch for it (openstrike vouch NETWORK {}), your old \
                 key {} is removed: its ops after #{} do not count, and the network key rotates away from it.\n\
                 Your old key's pledges stop counting then: pledge again with the new one.\n\
                 Sync (or carry a bundle) so the organizers see the request.",
                out.new,
                &out.new.to_hex()[..12],
                out.old.short(),
                out.last_good_seq
            )
        },
    );
    Ok(())
}

pub fn vouch(cli: &Cli, node: &mut Node, network: &str, member: &str) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let m = node.resolve_member(&id, member)?;
    let out = node.vouch(&id, &m.author)?;
    emit(
        cli.json,
        json!({ "op_id": out.op.to_hex(), "admitted": out.admitted, "vouches": out.vouches, "needed": out.needed }),
        || {
            if out.admitted {
                format!(
                    "{} is admitted. Send them the network: openstrike bundle export --network {} --out FILE",
                    display_name(&m),
                    network
                )
            } else {
                format!("vouched for {} ({} of {} vouches)", display_name(&m), out.vouches, out.needed)
            }
        },
    );
    Ok(())
}

pub fn profile(cli: &Cli, node: &mut Node, cmd: &ProfileCommand) -> anyhow::Result<()> {
    match cmd {
        ProfileCommand::Set {
            network,
            pseudonym,
            workplace,
            department,
            shift,
            role,
            sector,
            city,
            country,
            languages,
        } => {
            let id = node.resolve_network(network)?;
            let op = node.set_profile(&id, |p| {
                let set = |field: &mut String, v: &Option<String>| {
                    if let Some(v) = v {
                        *field = v.trim().to_owned();
                    }
                };
                set(&mut p.pseudonym, pseudonym);
                set(&mut p.workplace, workplace);
                set(&mut p.department, department);
                set(&mut p.shift, shift);
                set(&mut p.role, role);
                set(&mut p.sector, sector);
                set(&mut p.city, city);
                set(&mut p.country, country);
                if let Some(l) = languages {
                    p.languages = l.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                }
            })?;
            emit(cli.json, json!({ "op_id": op.to_hex() }), || "profile updated".into());
        }
        ProfileCommand::List { network } => {
            let id = node.resolve_network(network)?;
            let dir = node.directory(&id)?;
            emit(cli.json, json!({ "directory": dir }), || {
                dir.iter()
                    .map(|p| {
                        let f = &p.profile;
                        let place: Vec<&str> = [&f.workplace, &f.department, &f.shift, &f.role, &f.city, &f.country]
                            .into_iter()
                            .map(String::as_str)
                            .filter(|s| !s.is_empty())
                            .collect();
                        format!("{:<20} {:<50} {}\n", p.pseudonym, place.join(" / "), p.skills.join(", "))
                    })
                    .collect()
            });
        }
    }
    Ok(())
}

pub fn skill(cli: &Cli, node: &mut Node, cmd: &SkillCommand) -> anyhow::Result<()> {
    let (network, skill, has) = match cmd {
        SkillCommand::Add { network, skill } => (network, skill, true),
        SkillCommand::Remove { network, skill } => (network, skill, false),
    };
    let id = node.resolve_network(network)?;
    let op = node.set_skill(&id, skill, has)?;
    emit(cli.json, json!({ "op_id": op.to_hex() }), || {
        format!("{} {}", if has { "added" } else { "removed" }, skill.trim().to_lowercase())
    });
    Ok(())
}

fn cover_kind(k: CoverKindArg) -> CoverKind {
    match k {
        CoverKindArg::Shift => CoverKind::Shift,
        CoverKindArg::Childcare => CoverKind::Childcare,
        CoverKindArg::Ride => CoverKind::Ride,
        CoverKindArg::Eldercare => CoverKind::Eldercare,
    }
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

pub fn cover(cli: &Cli, node: &mut Node, cmd: &CoverCommand) -> anyhow::Result<()> {
    match cmd {
        CoverCommand::Offer { spec, note } | CoverCommand::Need { spec, note } => {
            let need = matches!(cmd, CoverCommand::Need { .. });
            let CoverSpec { network, kind, when, place } = spec;
            let id = node.resolve_network(network)?;
            let op = node.add_cover(&id, need, cover_kind(*kind), when, place, note)?;
            emit(cli.json, json!({ "op_id": op.to_hex() }), || {
                format!("{} recorded ({})", if need { "need" } else { "offer" }, op.short())
            });
        }
        CoverCommand::Find { spec } => {
            let id = node.resolve_network(&spec.network)?;
            let found = node.find_cover(&id, cover_kind(spec.kind), &spec.when, &spec.place)?;
            emit(cli.json, json!({ "matches": found }), || cover_lines(&found));
        }
        CoverCommand::List { network } => {
            let id = node.resolve_network(network)?;
            let all = node.covers(&id)?;
            emit(cli.json, json!({ "cover": all }), || cover_lines(&all));
        }
        CoverCommand::Close { network, id: item } => {
            let id = node.resolve_network(network)?;
            let item = match node.resolve_fact(&id, strike_core::Kind::CoverOffer, item) {
                Ok(op) => op,
                Err(_) => node.resolve_fact(&id, strike_core::Kind::CoverNeed, item)?,
            };
            let op = node.close_cover(&id, &item)?;
            emit(cli.json, json!({ "op_id": op.to_hex() }), || "closed".into());
        }
    }
    Ok(())
}

pub fn contact(cli: &Cli, node: &mut Node, cmd: &ContactCommand) -> anyhow::Result<()> {
    match cmd {
        ContactCommand::Add { network, name, workplace, department, shift, role } => {
            let id = node.resolve_network(network)?;
            let contact = Contact {
                name: name.trim().into(),
                workplace: workplace.trim().into(),
                department: department.trim().into(),
                shift: shift.trim().into(),
                role: role.trim().into(),
            };
            let op = node.add_contact(&id, contact)?;
            emit(cli.json, json!({ "op_id": op.to_hex() }), || format!("contact added ({})", op.short()));
        }
        ContactCommand::List { network } => {
            let id = node.resolve_network(network)?;
            let list = node.contacts(&id)?;
            emit(cli.json, json!({ "contacts": list }), || {
                list.iter()
                    .map(|c| {
                        format!(
                            "{}  {:<20} {:<12} {:<8} support {}  ({} notes)\n",
                            c.id,
                            c.name,
                            c.department,
                            c.shift,
                            c.support.map_or("-".into(), |l| l.to_string()),
                            c.notes.len()
                        )
                    })
                    .collect()
            });
        }
        ContactCommand::Note { network, contact, text } => {
            let id = node.resolve_network(network)?;
            let c = node.resolve_contact(&id, contact)?;
            let op = node.note_contact(&id, &c, text)?;
            emit(cli.json, json!({ "op_id": op.to_hex() }), || "note recorded".into());
        }
    }
    Ok(())
}

pub fn assess(cli: &Cli, node: &mut Node, network: &str, contact: &str, level: u8, note: &str) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let c = node.resolve_contact(&id, contact)?;
    let op = node.assess(&id, &c, level, note)?;
    emit(cli.json, json!({ "op_id": op.to_hex() }), || format!("assessed at {level}"));
    Ok(())
}

pub fn map(cli: &Cli, node: &Node, network: &str) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let m = node.workplace_map(&id)?;
    emit(cli.json, json!({ "map": m }), || {
        let mut out = format!("{:<16}", "");
        for s in &m.shifts {
            out.push_str(&format!("{s:<26}"));
        }
        out.push_str("\n(each cell: members | contacts by support 1-5 | not assessed)\n");
        for (d, row) in m.departments.iter().zip(&m.cells) {
            out.push_str(&format!("{d:<16}"));
            for c in row {
                let s = &c.by_support;
                out.push_str(&format!(
                    "{:<26}",
                    format!("{} | {} {} {} {} {} | {}", c.members, s[0], s[1], s[2], s[3], s[4], c.unassessed)
                ));
            }
            out.push('\n');
        }
        out
    });
    Ok(())
}

fn call_kind(k: CallKindArg) -> CallKind {
    match k {
        CallKindArg::Strike => CallKind::Strike,
        CallKindArg::Sickout => CallKind::Sickout,
        CallKindArg::Slowdown => CallKind::Slowdown,
        CallKindArg::WorkToRule => CallKind::WorkToRule,
        CallKindArg::Boycott => CallKind::Boycott,
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

fn tally_text(t: &Tally, deadline: u32) -> String {
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

pub fn call(cli: &Cli, node: &mut Node, cmd: &CallCommand) -> anyhow::Result<()> {
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
        } => {
            let id = node.resolve_network(network)?;
            let spec = CallSpec {
                kind: call_kind(*kind).as_str().into(),
                title: title.clone(),
                demands: demands.clone(),
                scope: scope.clone(),
                threshold_count: *threshold_count,
                threshold_share: threshold_share.clone(),
                min_per: min_per.clone(),
                deadline: deadline.clone(),
                starts: starts.clone(),
                exempt_roles: exempt_roles.clone(),
                waves: waves.clone(),
            };
            let call = spec.build(node.now())?;
            let op = node.create_call(&id, call)?;
            emit(cli.json, json!({ "call_id": op.to_hex() }), || {
                format!("call {} opened. Members pledge with: openstrike pledge {}", op.short(), op.short())
            });
        }
        CallCommand::List { network } => {
            let id = node.resolve_network(network)?;
            let calls = node.calls(&id)?;
            emit(cli.json, json!({ "calls": calls.iter().map(call_json).collect::<Vec<_>>() }), || {
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
            let (net, op) = node.find_call(call)?;
            let v = node.call(&net, &op)?;
            emit(cli.json, call_json(&v), || {
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
                out.push_str("Who pledged is visible to the network's members only (every pledge is a signed op in the encrypted log).");
                out
            });
        }
        CallCommand::Close { call } => {
            let (net, op) = node.find_call(call)?;
            let v = node.call(&net, &op)?;
            if v.closed_by.is_none() && node.now() < u64::from(v.deadline) * 60 {
                return Err(usage(format!("the deadline ({} UTC) has not passed", time(CoarseTime(v.deadline)))));
            }
            node.require_organizer(&net)?;
            node.upkeep(&net)?;
            let v = node.call(&net, &op)?;
            emit(cli.json, call_json(&v), || {
                format!("count closed: {} pledges, {}", v.tally.counted, status_word(v.tally.status))
            });
        }
    }
    Ok(())
}

pub fn pledge(cli: &Cli, node: &mut Node, words: &[String]) -> anyhow::Result<()> {
    let (call, pledged) = match words {
        [call] => (call, true),
        [w, call] if w == "withdraw" => (call, false),
        _ => return Err(usage("use `openstrike pledge CALL` or `openstrike pledge withdraw CALL`")),
    };
    let (net, op) = node.find_call(call)?;
    let (_, v) = node.pledge(&net, &op, pledged)?;
    emit(cli.json, call_json(&v), || {
        let mut out = String::from(if pledged {
            "pledged. It counts only together with the others: nobody is exposed alone.\n"
        } else {
            "pledge withdrawn.\n"
        });
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

pub fn watch(
    cli: &Cli,
    node: &Node,
    network: Option<&str>,
    interval: u64,
    for_secs: Option<u64>,
) -> anyhow::Result<()> {
    let nets: Vec<NetworkId> = match network {
        Some(n) => vec![node.resolve_network(n)?],
        None => node.networks()?.into_iter().map(|n| n.id).collect(),
    };
    let started = std::time::Instant::now();
    let mut last: BTreeMap<NetworkId, Snapshot> = BTreeMap::new();
    let say = |net: &NetworkId, kind: &str, text: String, extra: Value| {
        let name = node.network(net).ok().and_then(|n| n.name).unwrap_or_else(|| net.short());
        if cli.json {
            println!("{}", json!({ "network_id": net.to_hex(), "event": kind, "text": text, "detail": extra }));
        } else {
            println!("[{}] {name}: {text}", time(CoarseTime::from_unix_seconds(node.now())));
        }
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
            if cli.json {
                println!("{}", json!({ "event": "watching", "networks": nets.len() }));
            } else {
                println!("watching {} network(s); Ctrl-C to stop", nets.len());
            }
            first = false;
        }
        if for_secs.is_some_and(|s| started.elapsed().as_secs() >= s) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_secs(interval.max(1)));
    }
}

/// The campaign file format (JSON), documented in the README.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CampaignFile {
    title: String,
    phases: Vec<PhaseFile>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseFile {
    name: String,
    starts: String,
    #[serde(default)]
    objectives: Vec<String>,
    #[serde(default)]
    gates: Vec<GateFile>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum GateFile {
    Members(u32),
    Pledges { call: String, n: u32 },
    PledgeShare { call: String, percent: f64 },
    Cover { kind: String, percent: f64 },
}

pub fn campaign(cli: &Cli, node: &mut Node, cmd: &CampaignCommand) -> anyhow::Result<()> {
    match cmd {
        CampaignCommand::Set { network, file } => {
            let id = node.resolve_network(network)?;
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let f: CampaignFile = serde_json::from_str(&text).map_err(|e| usage(format!("{}: {e}", file.display())))?;
            let now = node.now();
            let permille = |p: f64| -> anyhow::Result<u16> {
                if !(p > 0.0 && p <= 100.0) {
                    return Err(usage(format!("{p}: a percentage is above 0 and at most 100")));
                }
                Ok((p * 10.0).round() as u16)
            };
            let mut phases = Vec::new();
            for p in f.phases {
                let mut gates = Vec::new();
                for g in p.gates {
                    gates.push(match g {
                        GateFile::Members(n) => Gate::Members { n },
                        GateFile::Pledges { call, n } => {
                            Gate::Pledges { call: node.resolve_fact(&id, strike_core::Kind::Call, &call)?, n }
                        }
                        GateFile::PledgeShare { call, percent } => Gate::PledgeShare {
                            call: node.resolve_fact(&id, strike_core::Kind::Call, &call)?,
                            permille: permille(percent)?,
                        },
                        GateFile::Cover { kind, percent } => Gate::CoverCoverage {
                            kind: CoverKind::parse(&kind).map_err(usage)?,
                            permille: permille(percent)?,
                        },
                    });
                }
                phases.push(Phase {
                    name: p.name,
                    starts: minutes(parse_time(&p.starts, now).map_err(usage)?),
                    objectives: p.objectives,
                    gates,
                });
            }
            let op = node.set_campaign(&id, Campaign { title: f.title, phases })?;
            emit(cli.json, json!({ "op_id": op.to_hex() }), || "campaign set".into());
        }
        CampaignCommand::Show { network } => {
            let id = node.resolve_network(network)?;
            let r = node.readiness(&id)?;
            let Some(c) = r.campaign else {
                return Err(NodeError::NotFound("this network has no campaign yet".into()).into());
            };
            emit(cli.json, json!({ "campaign": c }), || countdown_text(&c));
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

pub fn readiness(cli: &Cli, node: &Node, network: &str) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let r = node.readiness(&id)?;
    emit(cli.json, json!({ "readiness": r }), || {
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
