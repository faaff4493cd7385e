//! Coarse time: whole minutes since the Unix epoch, and reading and writing the times people
//! type and read (UTC dates, date-times and durations from now).
//!
//! Envelopes carry only minutes: enough to order and display activity, while keeping the
//! exact second someone acted out of the metadata a hub or an observer could collect.

use std::fmt;

/// Minutes since 1970-01-01T00:00Z.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CoarseTime(pub u32);

impl CoarseTime {
    /// The coarse time containing `unix_seconds` (saturating far in the future).
    pub fn from_unix_seconds(unix_seconds: u64) -> Self {
        Self(u32::try_from(unix_seconds / 60).unwrap_or(u32::MAX))
    }

    /// The first second of this minute.
    pub fn unix_seconds(&self) -> u64 {
        u64::from(self.0) * 60
    }
}

/// Where an op falls in the one order every node applies a network's ops in: by claimed minute;
/// within a minute by author, then by the author's sequence number, so that one person's ops
/// keep the order they were written in (op ids alone would shuffle a reply and the lock after
/// it, or a claim and its release); op id last (two ops at one sequence number are an
/// equivocation, and even then every node agrees).
pub fn op_order(
    time: CoarseTime,
    author: crate::AuthorId,
    seq: u64,
    op: crate::OpId,
) -> (CoarseTime, crate::AuthorId, u64, crate::OpId) {
    (time, author, seq, op)
}

impl fmt::Display for CoarseTime {
    /// `YYYY-MM-DD HH:MM`, UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = i64::from(self.0 / (24 * 60));
        let minute_of_day = self.0 % (24 * 60);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}-{m:02}-{d:02} {:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
    }
}

impl fmt::Debug for CoarseTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CoarseTime({})", self.0)
    }
}

/// Parses `2026-12-15`, `2026-12-15T08:00`, `2026-12-15 08:00` (UTC), or a duration from
/// `now` such as `7d`, `3w`, `12h`, `90m`, `+2d`. Returns unix seconds.
pub fn parse_time(text: &str, now: u64) -> Result<u64, String> {
    let t = text.trim();
    if let Some(secs) = parse_duration(t.strip_prefix('+').unwrap_or(t)) {
        return Ok(now + secs);
    }
    let (date, clock) = match t.split_once(['T', ' ']) {
        Some((d, c)) => (d, Some(c.trim_end_matches('Z'))),
        None => (t, None),
    };
    let bad =
        || format!("cannot read the time {text:?}: use 2026-12-15, 2026-12-15T08:00 (UTC) or 7d / 12h / 30m from now");
    let mut parts = date.splitn(3, '-');
    let (y, m, d) = (parts.next(), parts.next(), parts.next());
    let (Some(y), Some(m), Some(d)) = (y, m, d) else { return Err(bad()) };
    let (y, m, d): (i64, u32, u32) =
        (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    if !(1970..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(bad());
    }
    let minutes = match clock {
        None => 0,
        Some(c) => {
            let (h, mi) = c.split_once(':').ok_or_else(bad)?;
            let (h, mi): (u64, u64) = (h.parse().map_err(|_| bad())?, mi.parse().map_err(|_| bad())?);
            if h > 23 || mi > 59 {
                return Err(bad());
            }
            h * 60 + mi
        }
    };
    let days = days_from_civil(y, m, d);
    Ok(days as u64 * 86_400 + minutes * 60)
}

/// `7d`, `3w`, `12h`, `90m` to seconds.
pub fn parse_duration(text: &str) -> Option<u64> {
    let unit = text.chars().last()?;
    let n: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(secs)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
        assert_eq!(CoarseTime(0).to_string(), "1970-01-01 00:00");
        // 2026-11-22 02:09 UTC = 1_795_313_340 s.
        assert_eq!(CoarseTime::from_unix_seconds(1_795_313_340).to_string(), "2026-11-22 02:09");
        assert_eq!(CoarseTime::from_unix_seconds(951_782_400).to_string(), "2000-02-29 00:00");
    }

    #[test]
    fn dates_and_durations() {
        assert_eq!(parse_time("1970-01-01", 0).unwrap(), 0);
        assert_eq!(parse_time("2026-11-22T02:09", 0).unwrap(), 1_795_313_340);
        assert_eq!(parse_time("2026-11-22 02:09", 0).unwrap(), 1_795_313_340);
        assert_eq!(parse_time("2000-02-29", 0).unwrap(), 951_782_400);
        assert_eq!(parse_time("7d", 100).unwrap(), 100 + 7 * 86_400);
        assert_eq!(parse_time("+12h", 0).unwrap(), 12 * 3600);
        for bad in ["2026-02-30", "2026-13-01", "tomorrow", "2026-11-22T25:00", "7x", ""] {
            assert!(parse_time(bad, 0).is_err(), "{bad}");
        }
    }
}
