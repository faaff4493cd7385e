//! The cover area: cover offers and needs (shifts, childcare, rides, eldercare), when someone
//! can cover and whether an offer covers a need.
//!
//! Times are weekly slots: a set of days and a window of the day, which may run past midnight
//! (`mon-fri 22:00-06:00` is five night shifts), in quarter hours. The canonical text form,
//! the only one ops may carry (`docs/protocol.md`, "Cover times"):
//!
//! ```text
//! when   = days [ " " window ]              no window: all day
//! days   = "any" / day *( "," day )         "any": all seven days; else 1 to 6 days, in week order
//! day    = "mon" / "tue" / "wed" / "thu" / "fri" / "sat" / "sun"
//! window = time "-" time                    start != end; an end before the start runs past midnight
//! time   = HH ":" MM                        HH 00-23, MM 00, 15, 30 or 45
//! ```
//!
//! What people type is read more freely (`Mon-Fri`, `weekends`, `9:00`, `24:00`, a window
//! alone) and written in this form.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN, MAX_NOTE_LEN};
use crate::text::check_optional;
use crate::{OpId, Reject};

/// What kind of cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum CoverKind {
    Shift,
    Childcare,
    Ride,
    Eldercare,
}

impl CoverKind {
    pub const ALL: [CoverKind; 4] = [CoverKind::Shift, CoverKind::Childcare, CoverKind::Ride, CoverKind::Eldercare];

    pub fn as_str(&self) -> &'static str {
        match self {
            CoverKind::Shift => "shift",
            CoverKind::Childcare => "childcare",
            CoverKind::Ride => "ride",
            CoverKind::Eldercare => "eldercare",
        }
    }

    /// The kind of cover people type (surrounding space ignored), or what is wrong with it.
    pub fn parse(text: &str) -> Result<CoverKind, String> {
        let t = text.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| format!("{text:?} is not a kind of cover (shift, childcare, ride, eldercare)"))
    }
}

/// A cover offer or need: kind, when (canonical [`Slots`]), where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    pub kind: CoverKind,
    pub when: String,
    pub place: String,
    pub note: String,
}

impl Fact for Cover {
    fn check(&self) -> Result<(), Reject> {
        let slots = Slots::parse(&self.when).map_err(Reject::InvalidBody)?;
        if slots.to_string() != self.when {
            return Err(Reject::InvalidBody("cover times are not in canonical form".into()));
        }
        check_optional("place", &self.place, MAX_FIELD_LEN)?;
        check_optional("note", &self.note, MAX_NOTE_LEN)
    }
}

/// The author closes one of their cover offers or needs (by its op id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverClose {
    pub item: OpId,
}

impl Fact for CoverClose {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.item.0)
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// The day is split into 96 quarter hours for matching.
const QUARTERS: u32 = 96;

/// Weekly availability: days and a window of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slots {
    /// Bit i set: day i (Monday = 0).
    days: u8,
    /// Minutes after midnight; `None` for all day.
    window: Option<(u16, u16)>,
}

impl Slots {
    /// Every day, all day.
    pub const ANY: Slots = Slots { days: 0x7f, window: None };

    /// Parses `any`, `daily`, `weekdays`, `weekends`, `mon-fri`, `sat,sun`, `tue 18:00-22:00` ...
    pub fn parse(text: &str) -> Result<Slots, String> {
        let text = text.trim().to_ascii_lowercase();
        let mut parts = text.split_whitespace();
        let Some(first) = parts.next() else {
            return Err("cover times are empty (try `mon-fri 18:00-22:00` or `any`)".into());
        };
        let (days_text, window_text) = if first.contains(':') { ("any", Some(first)) } else { (first, parts.next()) };
        if parts.next().is_some() {
            return Err(format!("cannot read cover times {text:?} (try `mon-fri 18:00-22:00`)"));
        }
        let mut days = 0u8;
        for item in days_text.split(',') {
            days |= match item {
                "any" | "daily" => 0x7f,
                "weekdays" => 0x1f,
                "weekends" => 0x60,
                range => match range.split_once('-') {
                    Some((a, b)) => {
                        let (a, b) = (day(a)?, day(b)?);
                        if a > b {
                            return Err(format!("day range {range:?} runs backwards"));
                        }
                        (a..=b).fold(0, |m, d| m | (1 << d))
                    }
                    None => 1 << day(range)?,
                },
            };
        }
        let window = match window_text {
            None => None,
            Some(w) => {
                let (a, b) = w.split_once('-').ok_or_else(|| format!("time window {w:?} is not HH:MM-HH:MM"))?;
                let (a, b) = (minutes(a)?, minutes(b)?);
                if a == b {
                    return Err(format!("time window {w:?} is empty"));
                }
                Some((a, b))
            }
        };
        Ok(Slots { days, window })
    }

    /// As [`Slots::parse`], nothing typed meaning any time (a form's empty field).
    pub fn parse_input(text: &str) -> Result<Slots, String> {
        if text.trim().is_empty() { Ok(Slots::ANY) } else { Slots::parse(text) }
    }

    fn quarters(&self) -> u128 {
        let Some((start, end)) = self.window else { return (1u128 << QUARTERS) - 1 };
        // Invariant: windows are whole quarter hours (checked on parse).
        let (s, e) = (u32::from(start) / 15, u32::from(end) / 15);
        let range = |a: u32, b: u32| if b <= a { 0 } else { ((1u128 << (b - a)) - 1) << a };
        if start < end { range(s, e) } else { range(s, QUARTERS) | range(0, e) }
    }

    /// Whether someone available at `self` can cover everything `need` asks for.
    pub fn covers(&self, need: &Slots) -> bool {
        need.days & !self.days == 0 && need.quarters() & !self.quarters() == 0
    }
}

fn day(text: &str) -> Result<u8, String> {
    DAYS.iter()
        .position(|d| text.starts_with(d) && d.len() <= text.len())
        .map(|i| i as u8)
        .ok_or_else(|| format!("{text:?} is not a day (mon, tue, wed, thu, fri, sat, sun)"))
}

/// A time of day in minutes: `HH:MM` in quarter hours (`24:00` is read as midnight).
fn minutes(text: &str) -> Result<u16, String> {
    let bad = || format!("{text:?} is not a time of day (HH:MM)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 24 || m > 59 || (h == 24 && m != 0) {
        return Err(bad());
    }
    if m % 15 != 0 {
        return Err(format!("{text:?}: cover times are in quarter hours (:00, :15, :30, :45)"));
    }
    Ok((h * 60 + m) % (24 * 60))
}

impl fmt::Display for Slots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.days == 0x7f {
            f.write_str("any")?;
        } else {
            let days: Vec<&str> = (0..7).filter(|d| self.days & (1 << d) != 0).map(|d| DAYS[d]).collect();
            f.write_str(&days.join(","))?;
        }
        if let Some((a, b)) = self.window {
            write!(f, " {:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60)?;
        }
        Ok(())
    }
}

/// Whether an offer's place serves a need's place: an empty place on either side matches
/// anything; otherwise one must contain the other, ignoring case.
pub fn place_matches(offer: &str, need: &str) -> bool {
    let (o, n) = (offer.trim().to_lowercase(), need.trim().to_lowercase());
    o.is_empty() || n.is_empty() || o.contains(&n) || n.contains(&o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_to_canonical_text() {
        for (input, canonical) in [
            ("any", "any"),
            ("Mon-Fri 18:00-22:00", "mon,tue,wed,thu,fri 18:00-22:00"),
            ("weekends", "sat,sun"),
            ("sat,mon 06:30-14:00", "mon,sat 06:30-14:00"),
            ("22:00-06:00", "any 22:00-06:00"),
        ] {
            let slots = Slots::parse(input).unwrap();
            assert_eq!(slots.to_string(), canonical, "{input}");
            assert_eq!(Slots::parse(canonical).unwrap(), slots);
        }
        for bad in [
            "",
            "someday",
            "fri-mon",
            "mon 25:00-26:00",
            "mon 10:00",
            "mon 10:00-10:00",
            "mon tue wed",
            "mon 09:05-17:00",
            "mon 09:00-17:59",
            "mon 9:0-17:00",
            "mon +9:00-17:00",
        ] {
            assert!(Slots::parse(bad).is_err(), "{bad:?}");
        }
        // What people type freely, written the one way ops carry it.
        for (typed, canonical) in [
            ("mon,tue,wed,thu,fri,sat,sun", "any"),
            ("daily 09:00-17:00", "any 09:00-17:00"),
            ("9:00-24:00", "any 09:00-00:00"),
            ("SUN,MON", "mon,sun"),
        ] {
            assert_eq!(Slots::parse(typed).unwrap().to_string(), canonical, "{typed}");
        }
    }

    /// Every canonical form reads back as itself; nothing else is canonical.
    #[test]
    fn the_canonical_grammar_is_exact() {
        let mut n = 0;
        for days in 1u8..=0x7f {
            for window in [None, Some((0u16, 15u16)), Some((22 * 60, 6 * 60)), Some((23 * 60 + 45, 0))] {
                let slots = Slots { days, window };
                let text = slots.to_string();
                assert_eq!(Slots::parse(&text).unwrap(), slots, "{text}");
                let first = text.split(' ').next().unwrap();
                assert!(first == "any" || first.split(',').count() < 7, "{text}");
                n += 1;
            }
        }
        assert_eq!(n, 127 * 4);
    }

    #[test]
    fn covering() {
        let nights = Slots::parse("mon-fri 22:00-06:00").unwrap();
        assert!(nights.covers(&Slots::parse("tue 23:00-02:00").unwrap()));
        assert!(!nights.covers(&Slots::parse("sat 23:00-02:00").unwrap()));
        assert!(!nights.covers(&Slots::parse("tue 20:00-23:00").unwrap()));
        assert!(Slots::ANY.covers(&nights));
        assert!(!nights.covers(&Slots::ANY));
        assert!(place_matches("North side", "north"));
        assert!(!place_matches("North side", "Harbour"));
    }
}
