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

/// A coarse time as `YYYY-MM-DD HH:MM` UTC.
pub fn time(t: CoarseTime) -> String {
    let secs = t.unix_seconds();
    let days = (secs / 86_400) as i64;
    let minute_of_day = (secs % 86_400) / 60;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_dates() {
        assert_eq!(time(CoarseTime(0)), "1970-01-01 00:00");
        // 2026-11-22 02:09 UTC = 1_795_313_340 s.
        assert_eq!(time(CoarseTime::from_unix_seconds(1_795_313_340)), "2026-11-22 02:09");
        assert_eq!(time(CoarseTime::from_unix_seconds(951_782_400)), "2000-02-29 00:00");
    }
}
