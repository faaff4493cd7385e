//! The demo: seed (or reopen) a demo node in its own data directory, show what it holds, and
//! serve its web UI until Ctrl-C or SIGTERM (a [`Serving`] actor with the UI as its loop).

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Subcommand;
use serde_json::json;
use strike_node::{Node, default_demo_dir};

use crate::config::Ctx;
use crate::serving::Serving;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Seed (or reopen) a demo node in its own data directory and serve its web UI: prints
    /// the address and the demo passphrase
    Demo {
        /// Throw the demo away and seed it again
        #[arg(long)]
        reset: bool,
        /// Only seed and show what the demo holds; do not serve the web UI
        #[arg(long)]
        no_serve: bool,
        /// Address of the web UI [default: 127.0.0.1:7475, or a free port if that is taken]
        #[arg(long, value_name = "ADDR")]
        ui_listen: Option<SocketAddr>,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Command::Demo { reset, no_serve, ui_listen } = self;
        let dir = ctx.data_dir.clone().unwrap_or_else(default_demo_dir);
        let (node, summary) = strike_node::demo::run(&dir, reset)?;
        if no_serve { print_demo(ctx, &node, &summary, None) } else { serve_demo(ctx, node, &summary, ui_listen) }
    }
}

/// Serves the demo's web UI (on the default port, or any free one if that is taken) until
/// stopped, after printing where and with which passphrase.
fn serve_demo(
    ctx: &Ctx,
    node: Node,
    summary: &strike_node::demo::DemoSummary,
    listen: Option<SocketAddr>,
) -> anyhow::Result<()> {
    crate::cmd::sync::runtime()?.block_on(async {
        let default = crate::ui::DEFAULT_LISTEN.parse().expect("a socket address");
        let listener = crate::ui::bind(listen.unwrap_or(default), listen.is_none()).await?;
        let mut node = node;
        // Sync on loopback only (the demo is this machine's): Dee's first run reaches it here.
        let net = node.bind("127.0.0.1:0".parse().expect("a socket address")).await?;
        let first_run = match summary.networks.first() {
            Some((network, ..)) => Some(dee_invite(&mut node, network, &net.addr(), &summary.dir)?),
            None => None,
        };
        let mut serving = Serving::new(Arc::new(tokio::sync::Mutex::new(node)), ctx.out)?;
        let ui = crate::ui::start(&mut serving, listener, &[]).await?;
        print_demo(ctx, &*serving.node().lock().await, summary, Some((&ui.url, first_run.as_ref())))?;
        let out = ctx.out;
        crate::ui::print_login_link(out, &ui.login_link(move |next| crate::ui::print_login_link(out, next)));
        crate::cmd::sync::answer_sessions(&mut serving, &net, 16);
        let result = serving.run().await;
        net.close().await;
        result
    })
}

/// Dee's first run, scripted: a one-use invite for a day, carrying the address the demo syncs
/// on (invites made in the demo's UI carry it too), and where a second node on this machine
/// can take it.
struct FirstRun {
    invite: String,
    data_dir: std::path::PathBuf,
    ui: &'static str,
}

fn dee_invite(
    node: &mut Node,
    network: &strike_core::NetworkId,
    addr: &strike_net::PeerAddr,
    dir: &std::path::Path,
) -> anyhow::Result<FirstRun> {
    node.set_own_addresses("public", &[addr.to_string()])?;
    let link = node.create_invite(network, 1, Some(24 * 3600), vec![addr.to_string()])?;
    let name = dir.file_name().map_or("openstrike-demo".into(), |n| n.to_string_lossy().into_owned());
    Ok(FirstRun { invite: link.to_string(), data_dir: dir.with_file_name(format!("{name}-dee")), ui: "127.0.0.1:7476" })
}

fn print_demo(
    ctx: &Ctx,
    node: &Node,
    summary: &strike_node::demo::DemoSummary,
    served: Option<(&str, Option<&FirstRun>)>,
) -> anyhow::Result<()> {
    let ui_url = served.map(|(url, _)| url);
    let first_run = served.and_then(|(_, f)| f);
    // The first network's calls and readiness, to show what organizing looks like.
    let first = summary.networks.first().map(|n| n.0);
    let calls = match first {
        Some(id) => node.calls(&id)?,
        None => Vec::new(),
    };
    let events = match first {
        Some(id) => node.upcoming_events(&id, 3)?,
        None => Vec::new(),
    };
    let networks: Vec<_> = summary
        .networks
        .iter()
        .map(|(id, name, k, n)| json!({ "network_id": id.to_hex(), "name": name, "kind": k.as_str(), "announcements": n }))
        .collect();
    ctx.out.emit(
        json!({ "data_dir": summary.dir, "passphrase": summary.passphrase, "seeded": summary.seeded, "networks": networks, "bundle": summary.bundle, "ui": ui_url,
                "first_run": first_run.map(|f| json!({ "invite": f.invite, "data_dir": f.data_dir, "ui": format!("http://{}/", f.ui) })),
                "events": events, "calls": calls.iter().map(|c| json!({ "id": c.op.to_hex(), "title": c.title, "status": c.tally.status.as_str(), "counted": c.tally.counted, "workforce": c.tally.workforce })).collect::<Vec<_>>() }),
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
            for e in &events {
                let who = match e.shifts.iter().map(|s| s.on.len()).sum::<usize>() {
                    0 => format!("{} going, {} maybe", e.going, e.maybe),
                    n => format!("{n} on its shifts, {} short", e.short_shifts.len()),
                };
                out += &format!("\nRiverside {} {} \"{}\": {who}\n", e.kind, e.id, e.title);
                for s in &e.shifts {
                    out += &format!("  {}{}\n", s.fill, if s.short { "  short" } else { "" });
                }
            }
            if let Some(bundle) = &summary.bundle {
                out += &format!(
                    "\nA bundle of the first network, sealed with the demo passphrase: {}\n",
                    bundle.display()
                );
            }
            let d = summary.dir.display();
            let picket = events.iter().find(|e| !e.shifts.is_empty()).map_or("EVENT", |e| e.id.as_str());
            out += &format!(
                "\nTry:\n  export OPENSTRIKE_DATA_DIR={d} OPENSTRIKE_PASSPHRASE={}\n  openstrike network list\n  openstrike member list Riverside\n  openstrike call list Riverside\n  openstrike call show {}\n  openstrike map Riverside\n  openstrike cover find Riverside --kind childcare --when sat\n  openstrike readiness Riverside\n  openstrike invite create --network Riverside --uses 1 --qr invite.png\n  openstrike announcements Riverside\n  openstrike event list Riverside\n  openstrike event show {picket}\n  openstrike shift signup {picket} 5\n",
                summary.passphrase,
                calls.first().map(|c| c.id.as_str()).unwrap_or("CALL")
            );
            if let Some(f) = first_run {
                out += &format!(
                    "\nDee's first run, as a co-worker's second node on this machine (no terminal after this line):\n  \
                     openstrike --data-dir {} serve --listen 127.0.0.1:0 --ui-listen {}\n\
                     Open http://{}/ , choose a passphrase, paste this one-use invite (valid for a day) and pick a pseudonym:\n  \
                     {}\n\
                     Her request reaches this demo node by itself; vouch for her on the Riverside page here, and her page\n\
                     turns into the network without a reload.\n",
                    f.data_dir.display(),
                    f.ui,
                    f.ui,
                    f.invite
                );
            }
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
