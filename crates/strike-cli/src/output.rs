//! Printing results: text for people, JSON for scripts. Chosen once, from `--json`, and
//! handed to every command as an [`Output`].

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use strike_core::CoarseTime;

/// Where results go and in which form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Lines for people.
    Text,
    /// One JSON object per result on stdout.
    Json,
}

impl Output {
    pub fn is_json(self) -> bool {
        self == Output::Json
    }

    /// Prints `json` as JSON, or the text `text()` returns. A stdout that went away (a
    /// closed pipe, a closed terminal) is not an error: a serving command goes on serving.
    pub fn emit(self, json: Value, text: impl FnOnce() -> String) {
        let line = match self {
            Output::Json => json.to_string(),
            Output::Text => text().trim_end().to_owned(),
        };
        if !line.is_empty() {
            writeln!(std::io::stdout().lock(), "{line}").ok();
        }
    }

    /// A line as it happens (a long-running command's events), flushed at once.
    pub fn event(self, json: Value, text: impl FnOnce() -> String) {
        self.emit(json, text);
        std::io::stdout().flush().ok();
    }

    /// A progress bar on stderr, drawn only for people at a terminal.
    pub fn progress_bar(self) -> ProgressBar {
        if self.is_json() || !std::io::stderr().is_terminal() {
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
}

/// A coarse time as `YYYY-MM-DD HH:MM` UTC (`CoarseTime`'s `Display`), for `.map(time)`.
pub fn time(t: CoarseTime) -> String {
    t.to_string()
}
