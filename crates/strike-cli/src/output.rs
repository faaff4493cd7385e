//! Printing results: text for people, JSON for scripts.

use serde_json::Value;
use strike_core::CoarseTime;

/// Prints `json` when `--json` is set, else the text `text()` returns.
pub fn emit(json_mode: bool, json: Value, text: impl FnOnce() -> String) {
    if json_mode {
        println!("{json}");
    } else {
        let text = text();
        if !text.is_empty() {
            println!("{}", text.trim_end());
        }
    }
}

/// A coarse time as `YYYY-MM-DD HH:MM` UTC (`CoarseTime`'s `Display`), for `.map(time)`.
pub fn time(t: CoarseTime) -> String {
    t.to_string()
}
