//! Command-line arguments: the interface contract documented in the README.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create your identity and encrypted store (asks for a new passphrase)
    Init,
    /// Change the passphrase (re-wraps the keys; the database is not re-encrypted)
    Passphrase(PassphraseArgs),
    /// Create, list and inspect networks
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Post a signed announcement to a network (organizers)
    Announce {
        /// Network id, id prefix or unique name
        network: String,
        /// The announcement text
        text: String,
    },
    /// Show a network's announcements, newest first
    Announcements {
        /// Network id, id prefix or unique name
        network: String,
        /// How many to show
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Move a network's operations on a USB stick: encrypted bundle files
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Maintenance: rebuild views, read the audit log, check the database
    #[command(subcommand)]
    Admin(AdminCommand),
    /// PANIC BUTTON: destroy the keys so this data can never be opened again
    Wipe {
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Seed and open a demo node in its own data directory, and show what it holds
    Demo {
        /// Throw the demo away and seed it again
        #[arg(long)]
        reset: bool,
    },
    /// Measure performance and print the figures
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Args)]
pub struct PassphraseArgs {
    #[command(subcommand)]
    pub action: PassphraseAction,
}

#[derive(Debug, Subcommand)]
pub enum PassphraseAction {
    /// Set a new passphrase (read from --new-passphrase-file, OPENSTRIKE_NEW_PASSPHRASE or the terminal)
    Change {
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Create a network; you become its first organizer. Prints its id
    Create {
        /// A name members will recognise (kept encrypted; never leaves the network)
        #[arg(long)]
        name: String,
        /// What kind of network
        #[arg(long, value_enum, default_value_t = KindArg::Workplace)]
        kind: KindArg,
    },
    /// List the networks this node holds
    List,
    /// Show one network
    Show {
        /// Network id, id prefix or unique name
        network: String,
    },
    /// Print the hash of a network's state: equal on every node holding the same operations
    StateHash {
        /// Network id, id prefix or unique name
        network: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Crew,
    Workplace,
    Hub,
    Sector,
    Federation,
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write every operation of a network to an encrypted bundle file
    Export {
        /// Network id, id prefix or unique name
        #[arg(long)]
        network: String,
        /// Output file (conventionally .osb)
        #[arg(long)]
        out: PathBuf,
        /// Seal to a passphrase (OPENSTRIKE_BUNDLE_PASSPHRASE or asked) instead of to the members' keys
        #[arg(long)]
        passphrase: bool,
    },
    /// Verify a bundle completely, then apply it; importing twice changes nothing
    Import {
        /// The bundle file
        file: PathBuf,
        /// The bundle is sealed to a passphrase (OPENSTRIKE_BUNDLE_PASSPHRASE or asked)
        #[arg(long)]
        passphrase: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Drop every view and rebuild it from the operation log (state hashes stay the same)
    Rebuild,
    /// Show refused operations and why, newest first
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Run SQLite's and SQLCipher's integrity checks
    Check,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Create and ingest announcement ops; prints ops/s and the share spent verifying signatures
    Ingest {
        /// Ops per run
        #[arg(long, default_value_t = 100_000)]
        ops: usize,
        /// Runs (the median is reported)
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Post announcements one commit at a time, printing each op id once it is durable
    /// (a write-load generator; the crash-safety test kills it mid-write)
    Writes {
        /// Network id, id prefix or unique name
        #[arg(long)]
        network: String,
        /// How many announcements to post
        #[arg(long, default_value_t = 1000)]
        count: u64,
    },
    /// Time `wipe` on a data directory with a database of the given size
    Wipe {
        /// Database size in MiB
        #[arg(long, default_value_t = 1024)]
        mib: u64,
    },
}
