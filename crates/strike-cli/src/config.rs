//! What every command runs with, resolved once from the global arguments: the data
//! directory, where the passphrase comes from, and the [`Output`]. Unlocking the node and
//! reading secrets happen here.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;
use strike_crypto::KdfParams;
use strike_node::{Node, default_data_dir};
use zeroize::Zeroizing;

use crate::output::Output;
use crate::{CliError, exit};

/// A new passphrase must be at least this long: a few words, not a PIN.
const MIN_PASSPHRASE_CHARS: usize = 8;

/// The global arguments, resolved.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The data directory; `demo` uses its own default when none was given.
    pub data_dir: Option<PathBuf>,
    pub passphrase_file: Option<PathBuf>,
    pub out: Output,
}

impl Ctx {
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }

    /// The passphrase, from --passphrase-file, OPENSTRIKE_PASSPHRASE, or the terminal.
    pub fn passphrase(&self, prompt: &str) -> anyhow::Result<Zeroizing<String>> {
        secret_from(self.passphrase_file.as_deref(), "OPENSTRIKE_PASSPHRASE", prompt, "--passphrase-file")
    }

    /// Opens the node of the data directory with the passphrase.
    pub fn unlock(&self) -> anyhow::Result<Node> {
        let dir = self.data_dir();
        if !Node::exists(&dir) {
            return Err(strike_node::NodeError::NotInitialized(dir).into());
        }
        let pass = self.passphrase("Passphrase: ")?;
        Ok(Node::open(&dir, pass.as_bytes())?)
    }

    /// Creates the identity and store of the data directory with a new passphrase.
    pub fn init(&self) -> anyhow::Result<Node> {
        let dir = self.data_dir();
        if Node::exists(&dir) {
            return Err(strike_node::NodeError::AlreadyInitialized(dir).into());
        }
        let pass = new_passphrase(self.passphrase_file.as_deref(), "OPENSTRIKE_PASSPHRASE", "--passphrase-file")?;
        Ok(Node::init(&dir, pass.as_bytes(), KdfParams::DEFAULT)?)
    }
}

/// A secret from a file's first line, an environment variable, or the terminal.
pub fn secret_from(file: Option<&Path>, env: &str, prompt: &str, flag: &str) -> anyhow::Result<Zeroizing<String>> {
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

/// A new passphrase, asked twice in a terminal, at least [`MIN_PASSPHRASE_CHARS`] long.
pub fn new_passphrase(file: Option<&Path>, env: &str, flag: &str) -> anyhow::Result<Zeroizing<String>> {
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
