//! `openstrike`: the command-line interface. Parses the arguments once into a [`config::Ctx`]
//! (data directory, passphrase source, [`output::Output`]) and a command, sets up logging,
//! runs the command and prints its result, or its error, as text or JSON.

mod bench;
mod cmd;
mod config;
mod output;
mod serving;
mod ui;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use strike_node::NodeError;

use crate::cmd::Cli;

/// Exit codes, documented in the README.
pub mod exit {
    /// Anything not covered below (I/O, database).
    pub const FAILURE: u8 = 1;
    /// Bad arguments or input (clap also exits 2 on usage errors).
    pub const USAGE: u8 = 2;
    /// Locked: no identity, no passphrase, wrong passphrase or damaged key file.
    pub const LOCKED: u8 = 3;
    /// The network, member, contact or call named does not exist here, or the name is ambiguous.
    pub const NOT_FOUND: u8 = 4;
    /// Refused: a damaged or unreadable bundle, an operation that fails validation, or an act
    /// your standing does not allow (not admitted, not an organizer, after a deadline).
    pub const REFUSED: u8 = 5;
}

/// An error the CLI raises itself, with its exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn err(code: u8, message: impl Into<String>) -> anyhow::Error {
        CliError { code, message: message.into() }.into()
    }
}

fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(e) = err.downcast_ref::<CliError>() {
        return e.code;
    }
    match err.downcast_ref::<NodeError>() {
        Some(NodeError::WrongPassphrase | NodeError::NotInitialized(_) | NodeError::CorruptKeyFile(_)) => exit::LOCKED,
        Some(NodeError::UnknownNetwork(_) | NodeError::AmbiguousNetwork(_) | NodeError::NotFound(_)) => exit::NOT_FOUND,
        Some(NodeError::Bundle(_) | NodeError::Refused(_) | NodeError::NotAllowed(_)) => exit::REFUSED,
        Some(NodeError::Network(_)) => exit::FAILURE,
        Some(NodeError::InvalidInput(_) | NodeError::AlreadyInitialized(_)) => exit::USAGE,
        _ => exit::FAILURE,
    }
}

fn init_tracing() {
    // Logs go to stderr only, never to a file: a log file would be plaintext on disk.
    let filter = tracing_subscriber::EnvFilter::try_from_env("OPENSTRIKE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .init();
}

fn main() -> ExitCode {
    let (ctx, command) = Cli::parse().resolve();
    init_tracing();
    strike_node::log_panics_by_location();
    match command.run(&ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = exit_code(&err);
            // One line: the error and its causes, never a backtrace.
            let message = format!("{err:#}");
            match ctx.out {
                output::Output::Json => {
                    println!("{}", serde_json::json!({ "error": { "message": message, "exit_code": code } }));
                }
                output::Output::Text => eprintln!("error: {message}"),
            }
            ExitCode::from(code)
        }
    }
}
