//! Every command, registered once: each area's clap `Subcommand` is flattened into the
//! command list here, and runs with the resolved [`Ctx`]. A new area is one module under
//! `cmd` and one line in [`Command`] and its `run` (ARCHITECTURE.md, "Adding a feature
//! area").

pub mod admin;
pub mod aid;
pub mod announcements;
pub mod bench;
pub mod bundles;
pub mod calls;
pub mod campaign;
pub mod circles;
pub mod contacts;
pub mod cover;
pub mod demo;
pub mod directory;
pub mod events;
pub mod fund;
pub mod guides;
pub mod identity;
pub mod joining;
pub mod kit;
pub mod networks;
pub mod resources;
pub mod sync;
pub mod votes;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Ctx;
use crate::output::Output;

#[derive(Debug, Parser)]
#[command(
    name = "openstrike",
    version,
    about = "Open Strike: encrypted, serverless strike networks",
    long_about = "Open Strike: encrypted, serverless strike networks.\n\n\
        Every command works on one data directory: an identity (a key file locked by your passphrase) \
        and an encrypted database. Nothing is sent anywhere unless you export a bundle or sync.\n\n\
        The passphrase is read from --passphrase-file, else OPENSTRIKE_PASSPHRASE, else asked for in the terminal.",
    after_help = "Start with `openstrike demo` to see a demo node, or `openstrike init` to create your own identity."
)]
pub struct Cli {
    /// Data directory [default: the platform's data directory, e.g. ~/.local/share/openstrike]
    #[arg(long, global = true, env = "OPENSTRIKE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print machine-readable JSON on stdout instead of text
    #[arg(long, global = true)]
    pub json: bool,

    /// Read the passphrase from the first line of this file
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The global arguments resolved, and the command to run with them.
    pub fn resolve(self) -> (Ctx, Command) {
        let out = if self.json { Output::Json } else { Output::Text };
        (Ctx { data_dir: self.data_dir, passphrase_file: self.passphrase_file, out }, self.command)
    }
}

/// Every area's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(flatten)]
    Identity(identity::Command),
    #[command(flatten)]
    Networks(networks::Command),
    #[command(flatten)]
    Joining(joining::Command),
    #[command(flatten)]
    Announcements(announcements::Command),
    #[command(flatten)]
    Directory(directory::Command),
    #[command(flatten)]
    Cover(cover::Command),
    #[command(flatten)]
    Contacts(contacts::Command),
    #[command(flatten)]
    Calls(calls::Command),
    #[command(flatten)]
    Campaign(campaign::Command),
    #[command(flatten)]
    Events(events::Command),
    #[command(flatten)]
    Circles(circles::Command),
    #[command(flatten)]
    Guides(guides::Command),
    #[command(flatten)]
    Resources(resources::Command),
    #[command(flatten)]
    Fund(fund::Command),
    #[command(flatten)]
    Aid(aid::Command),
    #[command(flatten)]
    Votes(votes::Command),
    #[command(flatten)]
    Kit(kit::Command),
    #[command(flatten)]
    Sync(sync::Command),
    #[command(flatten)]
    Bundles(bundles::Command),
    #[command(flatten)]
    Admin(admin::Command),
    #[command(flatten)]
    Demo(demo::Command),
    #[command(flatten)]
    Bench(bench::Command),
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Identity(c) => c.run(ctx),
            Command::Networks(c) => c.run(ctx),
            Command::Joining(c) => c.run(ctx),
            Command::Announcements(c) => c.run(ctx),
            Command::Directory(c) => c.run(ctx),
            Command::Cover(c) => c.run(ctx),
            Command::Contacts(c) => c.run(ctx),
            Command::Calls(c) => c.run(ctx),
            Command::Campaign(c) => c.run(ctx),
            Command::Events(c) => c.run(ctx),
            Command::Circles(c) => c.run(ctx),
            Command::Guides(c) => c.run(ctx),
            Command::Resources(c) => c.run(ctx),
            Command::Fund(c) => c.run(ctx),
            Command::Aid(c) => c.run(ctx),
            Command::Votes(c) => c.run(ctx),
            Command::Kit(c) => c.run(ctx),
            Command::Sync(c) => c.run(ctx),
            Command::Bundles(c) => c.run(ctx),
            Command::Admin(c) => c.run(ctx),
            Command::Demo(c) => c.run(ctx),
            Command::Bench(c) => c.run(ctx),
        }
    }
}

/// A usage error (exit 2) with its message.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    crate::CliError::err(crate::exit::USAGE, message)
}
