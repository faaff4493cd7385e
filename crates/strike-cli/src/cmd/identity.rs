//! Your identity: create it, change its passphrase, and the panic button that destroys it.

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;
use strike_crypto::KdfParams;
use strike_node::Node;

use crate::config::{Ctx, new_passphrase};
use crate::{CliError, exit};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create your identity and encrypted store (asks for a new passphrase)
    Init,
    /// Change the passphrase (re-wraps the keys; the database is not re-encrypted)
    Passphrase {
        #[command(subcommand)]
        action: PassphraseAction,
    },
    /// PANIC BUTTON: destroy the keys so this data can never be opened again
    Wipe {
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PassphraseAction {
    /// Set a new passphrase (read from --new-passphrase-file, OPENSTRIKE_NEW_PASSPHRASE or the terminal)
    Change {
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<std::path::PathBuf>,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Init => init(ctx),
            Command::Passphrase { action: PassphraseAction::Change { new_passphrase_file } } => {
                let mut node = ctx.unlock()?;
                let new = new_passphrase(
                    new_passphrase_file.as_deref(),
                    "OPENSTRIKE_NEW_PASSPHRASE",
                    "--new-passphrase-file",
                )?;
                node.change_passphrase(new.as_bytes(), KdfParams::DEFAULT)?;
                ctx.out.emit(json!({ "changed": true }), || "passphrase changed".into());
                Ok(())
            }
            Command::Wipe { yes } => wipe(ctx, yes),
        }
    }
}

pub fn init(ctx: &Ctx) -> anyhow::Result<()> {
    let node = ctx.init()?;
    let dir = ctx.data_dir();
    let node_id = hex::encode(node.node_id());
    ctx.out.emit(json!({ "data_dir": dir, "node_id": node_id }), || {
        format!(
            "identity created in {}\nnode id {node_id}\n\nKeep your passphrase safe: without it nothing here can be opened, by you or anyone.\nNext: openstrike network create --name \"...\" --kind workplace",
            dir.display()
        )
    });
    Ok(())
}

fn wipe(ctx: &Ctx, yes: bool) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let dir = ctx.data_dir();
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
    ctx.out.emit(
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
