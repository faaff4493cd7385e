//! One function per command: unlock what is needed, call the node, print the result.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use strike_core::NetworkKind;
use strike_crypto::KdfParams;
use strike_node::{ImportProgress, NetworkStatus, Node, default_data_dir, default_demo_dir};
use zeroize::Zeroizing;

use strike_node::networks::RecoverWhy;

use crate::args::{AdminCommand, BenchCommand, BundleCommand, Cli, Command, KindArg, NetworkCommand, PassphraseAction};
use crate::organize;
use crate::output::{emit, time};
use crate::{CliError, exit};

/// A new passphrase must be at least this long: a few words, not a PIN.
const MIN_PASSPHRASE_CHARS: usize = 8;

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let json = cli.json;
    match &cli.command {
        Command::Init => init(&cli),
        Command::Passphrase(p) => match &p.action {
            PassphraseAction::Change { new_passphrase_file } => change_passphrase(&cli, new_passphrase_file.as_deref()),
        },
        Command::Network(cmd) => network(&cli, cmd),
        Command::Announce { network, text } => {
            let mut node = unlock(&cli)?;
            let id = node.resolve_network(network)?;
            let op = node.announce(&id, text)?;
            emit(json, json!({ "network_id": id.to_hex(), "op_id": op.to_hex() }), || {
                format!("announced ({})", op.short())
            });
            Ok(())
        }
        Command::Announcements { network, limit } => {
            let node = unlock(&cli)?;
            let id = node.resolve_network(network)?;
            let rows = node.announcements(&id, *limit)?;
            let list: Vec<_> = rows
                .iter()
                .map(|a| json!({ "op_id": a.op_id.to_hex(), "author": a.author.to_hex(), "time": a.time.unix_seconds(), "text": a.text }))
                .collect();
            emit(json, json!({ "network_id": id.to_hex(), "announcements": list }), || {
                if rows.is_empty() {
                    return "no announcements yet".into();
                }
                rows.iter().map(|a| format!("{}  {}  {}\n", time(a.time), a.author.short(), a.text)).collect()
            });
            Ok(())
        }
        Command::Invite(cmd) => organize::invite(&cli, &mut unlock(&cli)?, cmd),
        Command::Join { link, pseudonym, out } => organize::join(&cli, &mut unlock(&cli)?, link, pseudonym, out),
        Command::Member(cmd) => organize::member(&cli, &mut unlock(&cli)?, cmd),
        Command::Vouch { network, member } => organize::vouch(&cli, &mut unlock(&cli)?, network, member),
        Command::Recover { network, compromised } => {
            let why = if *compromised { RecoverWhy::Compromised } else { RecoverWhy::Forked };
            organize::recover(&cli, &mut unlock(&cli)?, network, why)
        }
        Command::Profile(cmd) => organize::profile(&cli, &mut unlock(&cli)?, cmd),
        Command::Skill(cmd) => organize::skill(&cli, &mut unlock(&cli)?, cmd),
        Command::Cover(cmd) => organize::cover(&cli, &mut unlock(&cli)?, cmd),
        Command::Contact(cmd) => organize::contact(&cli, &mut unlock(&cli)?, cmd),
        Command::Assess { network, contact, level, note } => {
            organize::assess(&cli, &mut unlock(&cli)?, network, contact, *level, note)
        }
        Command::Map { network } => organize::map(&cli, &unlock(&cli)?, network),
        Command::Call(cmd) => organize::call(&cli, &mut unlock(&cli)?, cmd),
        Command::Pledge { words } => organize::pledge(&cli, &mut unlock(&cli)?, words),
        Command::Watch { network, interval, for_secs } => {
            organize::watch(&cli, &unlock(&cli)?, network.as_deref(), *interval, *for_secs)
        }
        Command::Campaign(cmd) => organize::campaign(&cli, &mut unlock(&cli)?, cmd),
        Command::Readiness { network } => organize::readiness(&cli, &unlock(&cli)?, network),
        Command::Serve { listen, interval, concurrent, lan, ui } => crate::net::serve(
            &cli,
            unlock(&cli)?,
            crate::net::ServeConfig { listen: *listen, interval: *interval, concurrent: *concurrent, lan: *lan, ui },
        ),
        Command::Hub(cmd) => crate::net::hub(&cli, cmd),
        Command::Node(cmd) => crate::net::node_cmd(&cli, &unlock(&cli)?, cmd),
        Command::Peer(cmd) => crate::net::peer(&cli, &mut unlock(&cli)?, cmd),
        Command::Sync { network, peer } => crate::net::sync(&cli, unlock(&cli)?, network.as_deref(), peer.as_deref()),
        Command::Bundle(cmd) => bundle(&cli, cmd),
        Command::Admin(cmd) => admin(&cli, cmd),
        Command::Wipe { yes } => wipe(&cli, *yes),
        Command::Demo { reset, no_serve, ui_listen } => {
            let dir = cli.data_dir.clone().unwrap_or_else(default_demo_dir);
            let (node, summary) = strike_node::demo::run(&dir, *reset)?;
            if *no_serve {
                print_demo(&cli, &node, &summary, None)
            } else {
                serve_demo(&cli, node, &summary, *ui_listen)
            }
        }
        Command::Bench(BenchCommand::Ingest { ops, runs }) => crate::bench::ingest(json, *ops, *runs),
        Command::Bench(BenchCommand::Wipe { mib }) => crate::bench::wipe(json, *mib),
        Command::Bench(BenchCommand::Unlock { runs }) => crate::bench::unlock(json, *runs),
        Command::Bench(BenchCommand::Ui { members, clients, seconds }) => {
            crate::bench::ui(json, *members, *clients, *seconds)
        }
        Command::Bench(BenchCommand::Sync { catchup, ids, differ }) => {
            if *catchup > 0 {
                crate::bench::sync_catchup(json, *catchup)?;
            }
            crate::bench::sync_reconcile(json, *ids, *differ)
        }
        Command::Bench(BenchCommand::Tally { calls, per_call, runs }) => {
            crate::bench::tally(json, *calls, *per_call, *runs)
        }
        Command::Bench(BenchCommand::Writes { network, count }) => {
            let mut node = unlock(&cli)?;
            let id = node.resolve_network(network)?;
            crate::bench::writes(json, &mut node, &id, *count)
        }
    }
}

fn data_dir(cli: &Cli) -> PathBuf {
    cli.data_dir.clone().unwrap_or_else(default_data_dir)
}

/// The passphrase, from --passphrase-file, OPENSTRIKE_PASSPHRASE, or the terminal.
fn passphrase(cli: &Cli, prompt: &str) -> anyhow::Result<Zeroizing<String>> {
    secret_from(cli.passphrase_file.as_deref(), "OPENSTRIKE_PASSPHRASE", prompt, "--passphrase-file")
}

fn secret_from(file: Option<&Path>, env: &str, prompt: &str, flag: &str) -> anyhow::Result<Zeroizing<String>> {
    if let Some(file) = file {
        let text =
            Zeroizing::new(std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?);
        return Ok(Zeroizing::new(text.lines().next().unwrap_or("").to_owned()));
    }
    if let Ok(value) = std::env::var(env) {
        return Ok(Zeroizing::new(value));
    }
    if std::io::stdin().is_terminal() {
        return Ok(Zeroizing::new(rpassword::prompt_password(prompt).context("reading the passphrase")?));
    }
    Err(CliError::err(exit::LOCKED, format!("no passphrase: set {env}, pass {flag}, or run in a terminal")))
}

pub(crate) fn unlock(cli: &Cli) -> anyhow::Result<Node> {
    let dir = data_dir(cli);
    if !Node::exists(&dir) {
        return Err(strike_node::NodeError::NotInitialized(dir).into());
    }
    let pass = passphrase(cli, "Passphrase: ")?;
    Ok(Node::open(&dir, pass.as_bytes())?)
}

fn new_passphrase(file: Option<&Path>, env: &str, flag: &str) -> anyhow::Result<Zeroizing<String>> {
    let prompting = file.is_none() && std::env::var_os(env).is_none();
    let first = secret_from(file, env, "New passphrase: ", flag)?;
    if prompting {
        let again = secret_from(None, env, "Repeat it: ", flag)?;
        if *again != *first {
            return Err(CliError::err(exit::USAGE, "the two passphrases differ; nothing was changed"));
        }
    }
    if first.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(CliError::err(
            exit::USAGE,
            format!("the passphrase needs at least {MIN_PASSPHRASE_CHARS} characters; a few words work well"),
        ));
    }
    Ok(first)
}

pub(crate) fn init(cli: &Cli) -> anyhow::Result<()> {
    let dir = data_dir(cli);
    if Node::exists(&dir) {
        return Err(strike_node::NodeError::AlreadyInitialized(dir).into());
    }
    let pass = new_passphrase(cli.passphrase_file.as_deref(), "OPENSTRIKE_PASSPHRASE", "--passphrase-file")?;
    let node = Node::init(&dir, pass.as_bytes(), KdfParams::DEFAULT)?;
    let node_id = hex::encode(node.node_id());
    emit(cli.json, json!({ "data_dir": dir, "node_id": node_id }), || {
        format!(
            "identity created in {}\nnode id {node_id}\n\nKeep your passphrase safe: without it nothing here can be opened, by you or anyone.\nNext: openstrike network create --name \"...\" --kind workplace",
            dir.display()
        )
    });
    Ok(())
}

fn change_passphrase(cli: &Cli, new_file: Option<&Path>) -> anyhow::Result<()> {
    let mut node = unlock(cli)?;
    let new = new_passphrase(new_file, "OPENSTRIKE_NEW_PASSPHRASE", "--new-passphrase-file")?;
    node.change_passphrase(new.as_bytes(), KdfParams::DEFAULT)?;
    emit(cli.json, json!({ "changed": true }), || "passphrase changed".into());
    Ok(())
}

fn kind(k: KindArg) -> NetworkKind {
    match k {
        KindArg::Crew => NetworkKind::Crew,
        KindArg::Workplace => NetworkKind::Workplace,
        KindArg::Hub => NetworkKind::Hub,
        KindArg::Sector => NetworkKind::Sector,
        KindArg::Federation => NetworkKind::Federation,
    }
}

fn network_json(n: &strike_store::NetworkRow) -> serde_json::Value {
    json!(strike_node::networks::NetworkView::of(n))
}

fn network(cli: &Cli, cmd: &NetworkCommand) -> anyhow::Result<()> {
    let json = cli.json;
    match cmd {
        NetworkCommand::Create { name, kind: k } => {
            let mut node = unlock(cli)?;
            let id = node.create_network(name, kind(*k))?;
            emit(json, json!({ "network_id": id.to_hex(), "name": name.trim(), "kind": kind(*k).as_str() }), || {
                id.to_hex()
            });
        }
        NetworkCommand::List => {
            let node = unlock(cli)?;
            let rows = node.networks()?;
            emit(json, json!({ "networks": rows.iter().map(network_json).collect::<Vec<_>>() }), || {
                if rows.is_empty() {
                    return "no networks yet: create one with `openstrike network create --name ... --kind ...`".into();
                }
                rows.iter()
                    .map(|n| match n.status {
                        NetworkStatus::Open => format!(
                            "{}  {:<10} {:>5} members {:>7} ops  {}\n",
                            n.id.short(),
                            n.kind.map_or("", |k| k.as_str()),
                            n.n_members,
                            n.n_ops,
                            n.name.as_deref().unwrap_or("")
                        ),
                        NetworkStatus::Sealed => {
                            format!("{}  sealed: {} ops held, no key to read them yet\n", n.id.short(), n.n_ops)
                        }
                    })
                    .collect()
            });
        }
        NetworkCommand::Show { network } => {
            let node = unlock(cli)?;
            let id = node.resolve_network(network)?;
            let n = node.network(&id)?;
            let members = node.members(&id)?;
            let mut value = network_json(&n);
            value["member_list"] = json!(members
                .iter()
                .map(|m| json!({ "author": m.author.to_hex(), "role": m.role.as_str(), "since": m.since.unix_seconds() }))
                .collect::<Vec<_>>());
            emit(json, value, || {
                let mut out = format!("network  {}\n", n.id);
                match n.status {
                    NetworkStatus::Open => {
                        out += &format!("name     {}\n", n.name.as_deref().unwrap_or(""));
                        out += &format!("kind     {}\n", n.kind.map_or("", |k| k.as_str()));
                        out += &format!("created  {}\n", n.created.map(time).unwrap_or_default());
                        out += &format!("ops      {} ({} waiting for missing predecessors)\n", n.n_ops, n.n_pending);
                        out += &format!("admission needs {} vouch(es)\n", n.vouches_required.unwrap_or(1));
                        out += match n.history {
                            strike_core::body::HistoryMode::All => {
                                "history  new members read everything written before them\n"
                            }
                            strike_core::body::HistoryMode::SinceAdmission => {
                                "history  new members read the roster, and the rest only from their admission on\n"
                            }
                        };
                        out += &format!("members  {}\n", n.n_members);
                        for m in &members {
                            let me = if Some(m.author) == n.my_author { "  (you)" } else { "" };
                            out += &format!(
                                "  {}  {:<9} since {}{me}\n",
                                m.author.short(),
                                m.role.as_str(),
                                time(m.since)
                            );
                        }
                    }
                    NetworkStatus::Sealed => {
                        out +=
                            &format!("sealed: {} verified ops held, but this node has no key to read them\n", n.n_ops);
                    }
                }
                out
            });
        }
        NetworkCommand::StateHash { network } => {
            let node = unlock(cli)?;
            let id = node.resolve_network(network)?;
            let hash = hex::encode(node.state_hash(&id)?);
            let history = hex::encode(node.store().history_hash(&id)?);
            emit(json, json!({ "network_id": id.to_hex(), "state_hash": hash, "history_hash": history }), || {
                format!("{hash}\nhistory layer: {history}")
            });
        }
        NetworkCommand::History { network, mode } => {
            let mut node = unlock(cli)?;
            let id = node.resolve_network(network)?;
            let mode = strike_core::body::HistoryMode::parse(mode).ok_or_else(|| {
                CliError::err(exit::USAGE, format!("{mode:?} is not a history setting (all, since-admission)"))
            })?;
            let op = node.set_history(&id, mode)?;
            emit(json, json!({ "op_id": op.to_hex(), "history": mode.as_str() }), || match mode {
                strike_core::body::HistoryMode::All => "new members read everything written before them".into(),
                strike_core::body::HistoryMode::SinceAdmission => {
                    "new members read the roster, and of announcements, cover, \
                    skills, notes and assessments only what is written after their admission (from now on)"
                        .into()
                }
            });
        }
    }
    Ok(())
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

pub(crate) fn progress_bar(json: bool) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} ops ({per_sec}, eta {eta})")
            .expect("template is valid")
            .progress_chars("=> "),
    );
    bar
}

fn bundle(cli: &Cli, cmd: &BundleCommand) -> anyhow::Result<()> {
    let json = cli.json;
    match cmd {
        BundleCommand::Export { network, out, passphrase } => {
            let node = unlock(cli)?;
            let id = node.resolve_network(network)?;
            let pass = bundle_passphrase(*passphrase)?;
            let summary = node.export_bundle(&id, out, pass.as_deref().map(String::as_str))?;
            emit(
                json,
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
            let mut node = unlock(cli)?;
            let pass = bundle_passphrase(*passphrase)?;
            let bar = progress_bar(json);
            let report = node.import_bundle(file, pass.as_deref().map(String::as_str), &mut |p| match p {
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
            emit(
                json,
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

fn admin(cli: &Cli, cmd: &AdminCommand) -> anyhow::Result<()> {
    let json = cli.json;
    match cmd {
        AdminCommand::Rebuild => {
            let mut node = unlock(cli)?;
            let before: Vec<_> = node.networks()?.iter().map(|n| (n.id, node.state_hash(&n.id))).collect();
            let n = node.rebuild()?;
            let mut changed = 0;
            for (id, hash) in &before {
                if hash.as_ref().ok() != node.state_hash(id).as_ref().ok() {
                    changed += 1;
                }
            }
            emit(json, json!({ "networks_rebuilt": n, "state_hashes_changed": changed }), || {
                format!("rebuilt the views of {n} network(s) from the log; {changed} state hash(es) changed")
            });
        }
        AdminCommand::Audit { limit } => {
            let node = unlock(cli)?;
            let rows = node.audit(*limit)?;
            let list: Vec<_> = rows
                .iter()
                .map(|a| {
                    json!({ "at": a.at_unix, "network_id": a.network.map(|n| n.to_hex()), "op_id": a.op_id.to_hex(),
                            "author": a.author.map(|x| x.to_hex()), "reason": a.reason, "detail": a.detail })
                })
                .collect();
            emit(json, json!({ "audit": list }), || {
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
            let mut node = unlock(cli)?;
            let id = node.resolve_network(network)?;
            node.confirm_only_copy(&id)?;
            emit(json, json!({ "network_id": id.to_hex(), "writes": "ready" }), || {
                "writes resume in this network; if another copy of this data directory signs too, your key forks \
                 and you go on under a new one (openstrike recover)"
                    .into()
            });
        }
        AdminCommand::Check => {
            let node = unlock(cli)?;
            let problems = node.store().integrity_problems()?;
            emit(json, json!({ "ok": problems.is_empty(), "problems": problems }), || {
                if problems.is_empty() { "database ok".into() } else { problems.join("\n") }
            });
            if !problems.is_empty() {
                return Err(CliError::err(exit::FAILURE, "integrity check failed"));
            }
        }
    }
    Ok(())
}

fn wipe(cli: &Cli, yes: bool) -> anyhow::Result<()> {
    let dir = data_dir(cli);
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::err(exit::USAGE, "refusing to wipe without --yes when not run in a terminal"));
        }
        eprint!("This destroys the keys in {} forever. Type WIPE to confirm: ", dir.display());
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).context("reading the confirmation")?;
        if answer.trim() != "WIPE" {
            return Err(CliError::err(exit::USAGE, "not confirmed; nothing was wiped"));
        }
    }
    let report = Node::wipe(&dir)?;
    emit(
        cli.json,
        json!({ "key_file_destroyed": report.key_file_destroyed, "files_removed": report.files_removed, "elapsed_ms": report.elapsed.as_millis() }),
        || {
            if report.key_file_destroyed {
                format!(
                    "wiped: keys destroyed in {} ms; this data can never be opened again",
                    report.elapsed.as_millis()
                )
            } else {
                format!("nothing to wipe in {}", dir.display())
            }
        },
    );
    Ok(())
}

/// Serves the demo's web UI (on the default port, or any free one if that is taken) until
/// interrupted, after printing where and with which passphrase.
fn serve_demo(
    cli: &Cli,
    node: Node,
    summary: &strike_node::demo::DemoSummary,
    listen: Option<std::net::SocketAddr>,
) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async {
        let default = crate::ui::DEFAULT_LISTEN.parse().expect("a socket address");
        let listener = crate::ui::bind(listen.unwrap_or(default), listen.is_none()).await?;
        let shared = std::sync::Arc::new(tokio::sync::Mutex::new(node));
        let ui = crate::ui::spawn(shared.clone(), listener, &[]).await?;
        print_demo(cli, &*shared.lock().await, summary, Some(&ui.url))?;
        let json = cli.json;
        crate::ui::print_login_link(json, &ui.login_link(move |next| crate::ui::print_login_link(json, next)));
        use std::io::Write;
        std::io::stdout().flush().ok();
        // Until Ctrl-C: every change is committed as it is made, so stopping loses nothing.
        std::future::pending::<anyhow::Result<()>>().await
    })
}

fn print_demo(
    cli: &Cli,
    node: &Node,
    summary: &strike_node::demo::DemoSummary,
    ui_url: Option<&str>,
) -> anyhow::Result<()> {
    // The first network's calls and readiness, to show what organizing looks like.
    let first = summary.networks.first().map(|n| n.0);
    let calls = match first {
        Some(id) => node.calls(&id)?,
        None => Vec::new(),
    };
    let networks: Vec<_> = summary
        .networks
        .iter()
        .map(|(id, name, k, n)| json!({ "network_id": id.to_hex(), "name": name, "kind": k.as_str(), "announcements": n }))
        .collect();
    emit(
        cli.json,
        json!({ "data_dir": summary.dir, "passphrase": summary.passphrase, "seeded": summary.seeded, "networks": networks, "bundle": summary.bundle, "ui": ui_url,
                "calls": calls.iter().map(|c| json!({ "id": c.op.to_hex(), "title": c.title, "status": c.tally.status.as_str(), "counted": c.tally.counted, "workforce": c.tally.workforce })).collect::<Vec<_>>() }),
        || {
            let mut out = String::new();
            out += if summary.seeded {
                "Seeded a new demo node.\n\n"
            } else {
                "Opened the existing demo node (use --reset to start over).\n\n"
            };
            out += &format!(
                "  data dir    {}\n  passphrase  {}   (demo only: it is stored in the demo dir)\n\n",
                summary.dir.display(),
                summary.passphrase
            );
            out += "Networks:\n";
            for (id, name, k, n) in &summary.networks {
                out += &format!("  {}  {:<10} {:<32} {n} announcement(s)\n", id.short(), k.as_str(), name);
            }
            for c in &calls {
                out += &format!(
                    "\nRiverside strike call {} \"{}\": {} pledged of a mapped workforce of {}, {}\n",
                    c.id,
                    c.title,
                    c.tally.counted,
                    c.tally.workforce,
                    c.tally.status.as_str()
                );
                for r in &c.tally.waves[0].rules {
                    out += &format!("  {:>3}/{:<3} {}\n", r.have, r.need, r.rule);
                    for (g, have, need) in r.groups.iter().filter(|(_, h, n)| h < n) {
                        out += &format!("          {g} needs {} more\n", need - have);
                    }
                }
            }
            if let Some(bundle) = &summary.bundle {
                out += &format!(
                    "\nA bundle of the first network, sealed with the demo passphrase: {}\n",
                    bundle.display()
                );
            }
            let d = summary.dir.display();
            out += &format!(
                "\nTry:\n  export OPENSTRIKE_DATA_DIR={d} OPENSTRIKE_PASSPHRASE={}\n  openstrike network list\n  openstrike member list Riverside\n  openstrike call list Riverside\n  openstrike call show {}\n  openstrike map Riverside\n  openstrike cover find Riverside --kind childcare --when sat\n  openstrike readiness Riverside\n  openstrike invite create --network Riverside --uses 1 --qr invite.png\n  openstrike announcements Riverside\n",
                summary.passphrase,
                calls.first().map(|c| c.id.as_str()).unwrap_or("CALL")
            );
            if let Some(url) = ui_url {
                out += &format!(
                    "\nThe web UI of the demo node is at {url}\nOpen it in a browser and log in with the passphrase {}\nCtrl-C stops it.\n",
                    summary.passphrase
                );
            }
            out
        },
    );
    Ok(())
}
