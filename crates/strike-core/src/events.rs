//! The events area: meetings, pickets, trainings, socials and actions; members' RSVPs; the
//! shifts of a picket or an action (a gate, a time window, how many people it needs) that
//! members sign up for and leave; and the one fold that says who is on each shift.
//!
//! The fill rule (`docs/protocol.md`, "Events"): a member's standing on a shift is their last
//! sign-up or leave for it, in the order facts are read (time, then author, then sequence).
//! Of the current members signed up, ranked by when their standing sign-up was made (time,
//! then author id, then sequence), the first `needed` are on the shift and the rest stand by,
//! in that order. Sign-ups made at or after the shift's end never count. So concurrent
//! sign-ups for the last place resolve the same way on every node: the earlier minute wins,
//! and in the same minute the lower author id; a shift is never overfilled.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN, MAX_NOTE_LEN};
use crate::text::{check_optional, check_text};
use crate::{AuthorId, CoarseTime, OpId, Reject};

/// Most shifts one event may have.
pub const MAX_SHIFTS: usize = 24;
/// Most people one shift may ask for.
pub const MAX_NEEDED: u16 = 500;
/// Longest a shift may run, in minutes (a day).
pub const MAX_SHIFT_MINUTES: u32 = 24 * 60;

/// What kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Meeting,
    Picket,
    Training,
    Social,
    Action,
}

impl EventKind {
    pub const ALL: [EventKind; 5] =
        [EventKind::Meeting, EventKind::Picket, EventKind::Training, EventKind::Social, EventKind::Action];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Meeting => "meeting",
            EventKind::Picket => "picket",
            EventKind::Training => "training",
            EventKind::Social => "social",
            EventKind::Action => "action",
        }
    }

    /// Pickets and actions have shifts; the rest are one gathering.
    pub fn has_shifts(self) -> bool {
        matches!(self, EventKind::Picket | EventKind::Action)
    }

    /// The kind people type (surrounding space and case ignored), or what is wrong with it.
    pub fn parse(text: &str) -> Result<EventKind, String> {
        let t = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| format!("{text:?} is not a kind of event (meeting, picket, training, social, action)"))
    }
}

/// An event, as an organizer sets it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub title: String,
    /// When it starts, in coarse minutes (UTC).
    pub start: u32,
    pub place: String,
    pub note: String,
    /// A picket's or an action's shifts, in order; empty for other kinds.
    pub shifts: Vec<Shift>,
}

/// One shift of a picket or an action: where, from when to when, how many people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub gate: String,
    /// Coarse minutes (UTC); `end` is after `start`, at most a day later.
    pub start: u32,
    pub end: u32,
    pub needed: u16,
}

impl Fact for Event {
    fn check(&self) -> Result<(), Reject> {
        check_text("event title", &self.title, MAX_FIELD_LEN)?;
        check_optional("place", &self.place, MAX_FIELD_LEN)?;
        check_optional("note", &self.note, MAX_NOTE_LEN)?;
        if !self.kind.has_shifts() && !self.shifts.is_empty() {
            return Err(Reject::InvalidBody(format!("a {} has no shifts", self.kind.as_str())));
        }
        if self.shifts.len() > MAX_SHIFTS {
            return Err(Reject::InvalidBody(format!("an event has at most {MAX_SHIFTS} shifts")));
        }
        self.shifts.iter().try_for_each(|s| s.check().map_err(Reject::InvalidBody))
    }

    fn index(&self) -> FactIndex {
        FactIndex { subject: None, number: Some(i64::from(self.start)) }
    }
}

impl Shift {
    /// The shift's own rules: a gate, an end after the start within a day, 1 to
    /// [`MAX_NEEDED`] people.
    pub fn check(&self) -> Result<(), String> {
        check_text("gate", &self.gate, MAX_FIELD_LEN).map_err(|e| e.to_string())?;
        if self.end <= self.start {
            return Err(format!(
                "the shift at {} ends ({}) before it starts ({})",
                self.gate,
                CoarseTime(self.end),
                CoarseTime(self.start)
            ));
        }
        if self.end - self.start > MAX_SHIFT_MINUTES {
            return Err(format!("the shift at {} runs longer than a day", self.gate));
        }
        if self.needed == 0 || self.needed > MAX_NEEDED {
            return Err(format!("the shift at {} needs 1 to {MAX_NEEDED} people, not {}", self.gate, self.needed));
        }
        Ok(())
    }

    /// `North gate 05:30-09:00`, for lists.
    pub fn label(&self) -> String {
        let clock = |t: u32| CoarseTime(t).to_string()[11..].to_owned();
        format!("{} {}-{}", self.gate, clock(self.start), clock(self.end))
    }
}

/// A shift as people type it: `North gate, 05:30-09:00, 4` (times on the event's day, UTC).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftInput {
    pub gate: String,
    /// `HH:MM`
    pub start: String,
    /// `HH:MM`, after the start
    pub end: String,
    pub needed: u16,
}

impl ShiftInput {
    /// Reads `GATE, HH:MM-HH:MM, N`.
    pub fn parse(line: &str) -> Result<ShiftInput, String> {
        let bad = || format!("cannot read the shift {line:?}: write it as `North gate, 05:30-09:00, 4`");
        let mut parts = line.rsplitn(3, ',').map(str::trim);
        let (Some(needed), Some(window), Some(gate)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let (start, end) = window.split_once('-').ok_or_else(bad)?;
        let needed = needed.parse::<u16>().map_err(|_| format!("{needed:?} is not a number of people"))?;
        Ok(ShiftInput { gate: gate.into(), start: start.trim().into(), end: end.trim().into(), needed })
    }

    /// Reads one shift per non-blank line (a form's text area).
    pub fn parse_lines(text: &str) -> Result<Vec<ShiftInput>, String> {
        text.lines().filter(|l| !l.trim().is_empty()).map(ShiftInput::parse).collect()
    }

    /// The shift on the day of `event_start` (coarse minutes), checked.
    pub fn build(&self, event_start: u32) -> Result<Shift, String> {
        let day = event_start - event_start % (24 * 60);
        let shift = Shift {
            gate: self.gate.trim().into(),
            start: day + clock_minutes(&self.start)?,
            end: day + clock_minutes(&self.end)?,
            needed: self.needed,
        };
        shift.check()?;
        Ok(shift)
    }
}

/// `HH:MM` to minutes after midnight.
fn clock_minutes(text: &str) -> Result<u32, String> {
    let bad = || format!("{text:?} is not a time of day (HH:MM)");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let ok = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || m.len() != 2 || !ok(m) {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// A member's answer to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Going,
    Maybe,
    No,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Going, Answer::Maybe, Answer::No];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Going => "going",
            Answer::Maybe => "maybe",
            Answer::No => "no",
        }
    }

    pub fn parse(text: &str) -> Result<Answer, String> {
        let t = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == t)
            .ok_or_else(|| format!("{text:?} is not an answer (going, maybe, no)"))
    }
}

/// A member answers an event (the last answer stands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rsvp {
    pub event: OpId,
    pub answer: Answer,
}

impl Fact for Rsvp {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.event.0)
    }
}

/// A member signs up for one shift of an event (`joined: true`) or leaves it (`false`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftSignup {
    pub event: OpId,
    /// The shift's place in the event's list.
    pub shift: u16,
    pub joined: bool,
}

impl Fact for ShiftSignup {
    fn index(&self) -> FactIndex {
        FactIndex { subject: Some(self.event.0.to_vec()), number: Some(i64::from(self.shift)) }
    }
}

/// An organizer calls an event off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCancel {
    pub event: OpId,
    pub reason: String,
}

impl Fact for EventCancel {
    fn check(&self) -> Result<(), Reject> {
        check_optional("reason", &self.reason, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.event.0)
    }
}

/// A sign-up or leave as the fold reads it, in the order facts are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignupEvent {
    pub author: AuthorId,
    pub seq: u64,
    pub time: CoarseTime,
    pub shift: u16,
    pub joined: bool,
}

/// Who is on one shift and who stands by, each in rank order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fill {
    pub on: Vec<AuthorId>,
    pub standby: Vec<AuthorId>,
}

/// The fill of every shift of `event` from its sign-ups (in the order facts are read), given
/// who are members now (the module's rule).
pub fn fill(event: &Event, signups: &[SignupEvent], members: &HashSet<AuthorId>) -> Vec<Fill> {
    // (shift, author) -> the rank key of their standing sign-up, or None once they left.
    let mut standing: BTreeMap<(u16, AuthorId), Option<(CoarseTime, u64)>> = BTreeMap::new();
    for s in signups {
        let Some(shift) = event.shifts.get(usize::from(s.shift)) else { continue };
        if s.time.0 >= shift.end {
            continue;
        }
        let entry = standing.entry((s.shift, s.author)).or_insert(None);
        *entry = match (s.joined, *entry) {
            (true, Some(kept)) => Some(kept),
            (true, None) => Some((s.time, s.seq)),
            (false, _) => None,
        };
    }
    let mut fills = vec![Fill::default(); event.shifts.len()];
    let mut ranked: Vec<(u16, CoarseTime, AuthorId, u64)> = standing
        .into_iter()
        .filter_map(|((shift, author), key)| key.map(|(time, seq)| (shift, time, author, seq)))
        .filter(|(_, _, author, _)| members.contains(author))
        .collect();
    ranked.sort();
    for (shift, _, author, _) in ranked {
        let i = usize::from(shift);
        let fill = &mut fills[i];
        if fill.on.len() < usize::from(event.shifts[i].needed) {
            fill.on.push(author);
        } else {
            fill.standby.push(author);
        }
    }
    fills
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picket(needed: u16) -> Event {
        Event {
            kind: EventKind::Picket,
            title: "Strike day picket".into(),
            start: 1000 * 24 * 60,
            place: "Riverside".into(),
            note: String::new(),
            shifts: vec![Shift {
                gate: "North gate".into(),
                start: 1000 * 24 * 60 + 330,
                end: 1000 * 24 * 60 + 540,
                needed,
            }],
        }
    }

    fn a(n: u8) -> AuthorId {
        AuthorId([n; 32])
    }

    fn signup(author: u8, seq: u64, minute: u32, joined: bool) -> SignupEvent {
        SignupEvent { author: a(author), seq, time: CoarseTime(1000 * 24 * 60 + minute), shift: 0, joined }
    }

    #[test]
    fn shifts_are_read_and_checked() {
        let s = ShiftInput::parse("North gate, 05:30-09:00, 4").unwrap();
        assert_eq!(s, ShiftInput { gate: "North gate".into(), start: "05:30".into(), end: "09:00".into(), needed: 4 });
        let shift = s.build(1000 * 24 * 60 + 300).unwrap();
        assert_eq!(shift.label(), "North gate 05:30-09:00");
        assert_eq!(ShiftInput::parse("Gate 3, loading bay, 05:30-09:00, 2").unwrap().gate, "Gate 3, loading bay");
        for bad in ["North gate 05:30-09:00 4", "North gate, 05:30, 4", "North gate, 05:30-09:00, four"] {
            assert!(ShiftInput::parse(bad).is_err(), "{bad}");
        }
        let ends_first = ShiftInput::parse("North gate, 09:00-05:30, 4").unwrap().build(0).unwrap_err();
        assert!(ends_first.contains("ends (1970-01-01 05:30) before it starts"), "{ends_first}");
        assert!(ShiftInput::parse("North gate, 05:30-09:00, 0").unwrap().build(0).unwrap_err().contains("needs 1 to"));
        assert!(ShiftInput::parse("North gate, 25:00-26:00, 1").unwrap().build(0).is_err());
        let mut meeting = picket(2);
        meeting.kind = EventKind::Meeting;
        assert!(meeting.check().is_err(), "a meeting has no shifts");
    }

    #[test]
    fn the_first_needed_members_are_on_and_the_rest_stand_by() {
        let event = picket(2);
        let members: HashSet<AuthorId> = (1..=5).map(a).collect();
        // 3 and 1 sign up in the same minute for the last place: the lower author id wins.
        let signups = [signup(2, 1, 0, true), signup(3, 1, 5, true), signup(1, 1, 5, true), signup(4, 1, 9, true)];
        let f = &fill(&event, &signups, &members)[0];
        assert_eq!(f.on, vec![a(2), a(1)]);
        assert_eq!(f.standby, vec![a(3), a(4)]);
        // 2 leaves: the first on standby moves up.
        let mut later = signups.to_vec();
        later.push(signup(2, 2, 20, false));
        let f = &fill(&event, &later, &members)[0];
        assert_eq!((f.on.clone(), f.standby.clone()), (vec![a(1), a(3)], vec![a(4)]));
        // 2 signs up again: to the back of the line.
        later.push(signup(2, 3, 30, true));
        assert_eq!(fill(&event, &later, &members)[0].standby, vec![a(4), a(2)]);
    }

    #[test]
    fn removed_members_and_late_signups_do_not_count() {
        let event = picket(3);
        let members: HashSet<AuthorId> = [a(1), a(3)].into();
        let signups = [signup(1, 1, 0, true), signup(2, 1, 1, true), signup(3, 1, 600, true)];
        assert_eq!(fill(&event, &signups, &members)[0].on, vec![a(1)], "2 is not a member; 3 signed up after the end");
        // Signing up twice keeps the first place.
        let again = [signup(1, 1, 0, true), signup(3, 1, 1, true), signup(1, 2, 2, true)];
        assert_eq!(fill(&event, &again, &members)[0].on, vec![a(1), a(3)]);
    }
}
