//! Strike calls, pledges and the trigger.
//!
//! The trigger is a pure function of the op set ([`evaluate`]): the pledges of counted members,
//! replayed in a fixed order, against the call's rules. Every node holding the same ops computes
//! the same status; `now` only decides between "triggered" and "started", and "open" and "expired".

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN, MAX_NOTE_LEN};
use crate::text::{check_list, check_optional, check_text};
use crate::{AuthorId, CoarseTime, OpId, Reject};

/// At most this many waves per call, rules per wave, exempt roles and demands.
pub const MAX_WAVES: usize = 8;
pub const MAX_RULES: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    Strike,
    Sickout,
    Slowdown,
    WorkToRule,
    Boycott,
}

impl CallKind {
    pub const ALL: [CallKind; 5] =
        [CallKind::Strike, CallKind::Sickout, CallKind::Slowdown, CallKind::WorkToRule, CallKind::Boycott];

    pub fn as_str(&self) -> &'static str {
        match self {
            CallKind::Strike => "strike",
            CallKind::Sickout => "sickout",
            CallKind::Slowdown => "slowdown",
            CallKind::WorkToRule => "work-to-rule",
            CallKind::Boycott => "boycott",
        }
    }

    pub fn parse(s: &str) -> Option<CallKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a per-group minimum groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Department,
    Workplace,
    Shift,
}

impl Dimension {
    pub fn as_str(&self) -> &'static str {
        match self {
            Dimension::Department => "department",
            Dimension::Workplace => "workplace",
            Dimension::Shift => "shift",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        [Dimension::Department, Dimension::Workplace, Dimension::Shift].into_iter().find(|d| d.as_str() == s)
    }
}

/// One threshold rule. A wave's rules are combined with AND.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// At least `n` counted pledges.
    Count { n: u32 },
    /// At least `permille`/1000 of the mapped workforce in scope (exempt roles left out).
    Share { permille: u16 },
    /// At least `n` counted pledges in every group of `dimension` the mapped workforce has.
    MinPer { dimension: Dimension, n: u32 },
}

impl Rule {
    pub fn describe(&self) -> String {
        match self {
            Rule::Count { n } => format!("at least {n} pledges"),
            Rule::Share { permille } => format!("at least {} of the mapped workforce", permille_text(*permille)),
            Rule::MinPer { dimension, n } => format!("at least {n} per {}", dimension.as_str()),
        }
    }
}

/// `600` -> `60%`, `625` -> `62.5%`.
pub fn permille_text(permille: u16) -> String {
    if permille.is_multiple_of(10) {
        format!("{}%", permille / 10)
    } else {
        format!("{}.{}%", permille / 10, permille % 10)
    }
}

/// One stage of a call: its rules and when it starts once triggered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wave {
    pub rules: Vec<Rule>,
    /// Coarse minutes.
    pub starts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub kind: CallKind,
    pub title: String,
    pub demands: Vec<String>,
    /// A workplace name, or empty for the whole network.
    pub scope: String,
    /// Pledges made at or after this coarse minute are late and never count.
    pub deadline: u32,
    /// Job roles that are not asked to stop: neither counted nor in denominators.
    pub exempt_roles: Vec<String>,
    /// Escalation: wave i+1 can only trigger once wave i has.
    pub waves: Vec<Wave>,
    /// A secret call: pledges are made by one-time authors with credentials from these
    /// issuers, and nobody can tell who pledged (`crate::secret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<crate::secret::Secrecy>,
}

impl Fact for Call {
    fn check(&self) -> Result<(), Reject> {
        check_call(self)
    }

    fn index(&self) -> FactIndex {
        FactIndex { subject: None, number: Some(i64::from(self.deadline)) }
    }
}

/// A member pledges to a call, or withdraws (the store keeps pledges in a table of their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pledge {
    pub call: OpId,
    /// `true` pledges, `false` withdraws.
    pub pledged: bool,
}

impl Fact for Pledge {}

/// An organizer closes a call's count at its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub call: OpId,
}

impl Fact for Checkpoint {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.call.0)
    }
}

/// Says nothing; its dependencies name heads of the log. An op names at most eight, so a node
/// holding more heads writes merges before a checkpoint or a vote's close, until one op can
/// name them all: the close's causal past then reaches every op the node holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {}

impl Fact for Merge {}

fn check_call(c: &Call) -> Result<(), Reject> {
    check_text("call title", &c.title, MAX_FIELD_LEN * 2)?;
    if c.demands.len() > 16 {
        return Err(Reject::InvalidBody("at most 16 demands".into()));
    }
    for d in &c.demands {
        check_text("demand", d, MAX_NOTE_LEN)?;
    }
    check_optional("scope", &c.scope, MAX_FIELD_LEN)?;
    check_list("exempt roles", &c.exempt_roles, 16)?;
    if let Some(s) = &c.secret {
        s.check()?;
    }
    if c.waves.is_empty() || c.waves.len() > MAX_WAVES {
        return Err(Reject::InvalidBody(format!("a call has 1 to {MAX_WAVES} waves")));
    }
    for (i, w) in c.waves.iter().enumerate() {
        if w.rules.is_empty() || w.rules.len() > MAX_RULES {
            return Err(Reject::InvalidBody(format!("wave {} needs 1 to {MAX_RULES} rules", i + 1)));
        }
        for r in &w.rules {
            match r {
                Rule::Count { n } | Rule::MinPer { n, .. } if *n == 0 => {
                    return Err(Reject::InvalidBody("a rule's count must be at least 1".into()));
                }
                Rule::Share { permille } if *permille == 0 || *permille > 1000 => {
                    return Err(Reject::InvalidBody("a share is above 0 and at most 100%".into()));
                }
                _ => {}
            }
        }
        if w.starts < c.deadline {
            return Err(Reject::InvalidBody("a wave cannot start before the call's deadline".into()));
        }
        if i > 0 && w.starts < c.waves[i - 1].starts {
            return Err(Reject::InvalidBody("waves start in order".into()));
        }
    }
    Ok(())
}

/// What a call needs to know about one person: where they work and their job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub workplace: String,
    pub department: String,
    pub shift: String,
    pub role: String,
}

impl Person {
    fn value(&self, d: Dimension) -> &str {
        match d {
            Dimension::Department => &self.department,
            Dimension::Workplace => &self.workplace,
            Dimension::Shift => &self.shift,
        }
    }
}

/// Who the call is about: counted members (with their profile, if any) and the organizers'
/// contacts who are not members. Built by the caller from the folded state.
#[derive(Debug, Default, Clone)]
pub struct Roster {
    /// Counted members; `None` for a member without a profile.
    pub members: HashMap<AuthorId, Option<Person>>,
    /// Mapped co-workers who are not members.
    pub contacts: Vec<Person>,
    /// A secret call's counted one-time authors, with what their credentials prove of them
    /// (their group): they pledge, and are in no denominator.
    pub pledgers: HashMap<AuthorId, Person>,
}

/// One pledge or withdrawal, as the log holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PledgeEvent {
    pub author: AuthorId,
    pub seq: u64,
    pub time: CoarseTime,
    pub pledged: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    Open,
    Triggered,
    Expired,
    Started,
}

impl CallStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            CallStatus::Open => "open",
            CallStatus::Triggered => "triggered",
            CallStatus::Expired => "expired",
            CallStatus::Started => "started",
        }
    }
}

/// Progress of one rule at the end of the count (or at the trigger, once triggered).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleProgress {
    /// `count`, `share` or `min_per`: the first two count pledges, the last counts groups.
    pub kind: &'static str,
    pub rule: String,
    pub have: u64,
    pub need: u64,
    pub holds: bool,
    /// For per-group minimums: each group with (have, need), groups short of it first.
    pub groups: Vec<(String, u64, u64)>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaveProgress {
    pub starts: u32,
    pub triggered_at: Option<u32>,
    pub rules: Vec<RuleProgress>,
}

/// A call's status and everything a member sees about its count.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub status: CallStatus,
    /// Pledges that count now (from members in scope, not exempt).
    pub counted: u64,
    /// Pledges from exempt members: support, never counted.
    pub support: u64,
    /// Pledges at or after the deadline (or after the closing checkpoint): never counted.
    pub late: u64,
    /// The mapped workforce in scope, exempt roles left out: the share rules' denominator.
    pub workforce: u64,
    pub waves: Vec<WaveProgress>,
}

/// Per-author limit from a checkpoint: ops above `seq` were not seen when the count closed.
pub type Cut = HashMap<AuthorId, u64>;

struct Counter {
    workforce: u64,
    /// For each dimension a min-per rule uses: every group in the mapped workforce.
    groups: BTreeMap<Dimension, BTreeMap<String, u64>>,
    counted: u64,
    per_group: HashMap<(Dimension, String), u64>,
}

impl Counter {
    fn holds(&self, wave: &Wave) -> bool {
        // Cheap rules first: most events leave a wave far from its count.
        wave.rules.iter().all(|r| match r {
            Rule::Count { n } => self.counted >= u64::from(*n),
            Rule::Share { permille } => {
                self.workforce > 0 && self.counted * 1000 >= u64::from(*permille) * self.workforce
            }
            Rule::MinPer { .. } => true,
        }) && wave.rules.iter().all(|r| match r {
            Rule::MinPer { dimension, n } => self.groups.get(dimension).is_some_and(|gs| {
                gs.keys().all(|g| self.per_group.get(&(*dimension, g.clone())).copied().unwrap_or(0) >= u64::from(*n))
            }),
            _ => true,
        })
    }

    fn progress(&self, wave: &Wave, triggered_at: Option<u32>) -> WaveProgress {
        let rules = wave
            .rules
            .iter()
            .map(|r| {
                let (have, need, groups) = match r {
                    Rule::Count { n } => (self.counted, u64::from(*n), Vec::new()),
                    Rule::Share { permille } => {
                        (self.counted, (u64::from(*permille) * self.workforce).div_ceil(1000).max(1), Vec::new())
                    }
                    Rule::MinPer { dimension, n } => {
                        let mut groups: Vec<(String, u64, u64)> = self
                            .groups
                            .get(dimension)
                            .map(|gs| {
                                gs.keys()
                                    .map(|g| {
                                        let have = self.per_group.get(&(*dimension, g.clone())).copied().unwrap_or(0);
                                        (g.clone(), have, u64::from(*n))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        groups.sort_by_key(|(g, have, need)| (have >= need, g.clone()));
                        let met = groups.iter().filter(|(_, h, n)| h >= n).count() as u64;
                        (met, groups.len().max(1) as u64, groups)
                    }
                };
                let kind = match r {
                    Rule::Count { .. } => "count",
                    Rule::Share { .. } => "share",
                    Rule::MinPer { .. } => "min_per",
                };
                RuleProgress { kind, rule: r.describe(), have, need, holds: have >= need, groups }
            })
            .collect();
        WaveProgress { starts: wave.starts, triggered_at, rules }
    }
}

/// Evaluates a call over its pledge events (any order). `cut`: the closing checkpoint's view,
/// if one exists. Pure and deterministic.
pub fn evaluate(call: &Call, roster: &Roster, events: &mut [PledgeEvent], cut: Option<&Cut>, now: CoarseTime) -> Tally {
    replay(call, roster, events, cut, now, |_, _| {})
}

/// The counted pledges over time: `(coarse minute, counted)` after every event that changed
/// the count, in replay order. The same replay as [`evaluate`], so the last point is the
/// tally's `counted`.
pub fn timeline(call: &Call, roster: &Roster, events: &mut [PledgeEvent], cut: Option<&Cut>) -> Vec<(u32, u64)> {
    let mut points = Vec::new();
    replay(call, roster, events, cut, CoarseTime(0), |time, counted| points.push((time, counted)));
    points
}

/// Replays the events in one fixed order, calls `on_count(time, counted)` whenever the count
/// changes, and returns the tally at `now`.
fn replay(
    call: &Call,
    roster: &Roster,
    events: &mut [PledgeEvent],
    cut: Option<&Cut>,
    now: CoarseTime,
    mut on_count: impl FnMut(u32, u64),
) -> Tally {
    let exempt = |p: &Person| call.exempt_roles.iter().any(|r| r.eq_ignore_ascii_case(&p.role));
    let in_scope = |p: &Person| call.scope.is_empty() || p.workplace.eq_ignore_ascii_case(&call.scope);
    let dimensions: Vec<Dimension> = call
        .waves
        .iter()
        .flat_map(|w| w.rules.iter())
        .filter_map(|r| if let Rule::MinPer { dimension, .. } = r { Some(*dimension) } else { None })
        .collect();
    let mut counter = Counter { workforce: 0, groups: BTreeMap::new(), counted: 0, per_group: HashMap::new() };
    let mapped = roster.members.values().flatten().chain(roster.contacts.iter());
    for person in mapped.filter(|p| in_scope(p) && !exempt(p)) {
        counter.workforce += 1;
        for d in &dimensions {
            let value = person.value(*d);
            if !value.is_empty() {
                *counter.groups.entry(*d).or_default().entry(value.to_string()).or_default() += 1;
            }
        }
    }
    // Replay in one fixed order. Each author's chain has non-decreasing times, so this order
    // keeps every author's own pledges and withdrawals in sequence.
    events.sort_unstable_by_key(|e| (e.time, e.author, e.seq));
    let mut pledged: HashMap<AuthorId, bool> = HashMap::new();
    let mut triggered: Vec<Option<u32>> = vec![None; call.waves.len()];
    let (mut support, mut late) = (HashMap::new(), HashMap::new());
    for e in events.iter() {
        let pledger = roster.pledgers.get(&e.author).cloned().map(Some);
        let Some(person) = roster.members.get(&e.author).or(pledger.as_ref()) else { continue };
        let on_time = e.time.0 < call.deadline && cut.is_none_or(|c| c.get(&e.author).is_some_and(|s| e.seq <= *s));
        if !on_time {
            late.insert(e.author, e.pledged);
            continue;
        }
        let eligible =
            person.as_ref().is_none_or(|p| in_scope(p) && !exempt(p)) && (call.scope.is_empty() || person.is_some());
        if !eligible {
            support.insert(e.author, e.pledged);
            continue;
        }
        let was = pledged.get(&e.author).copied().unwrap_or(false);
        if was == e.pledged || (!e.pledged && triggered[0].is_some()) {
            // Repeats change nothing; after the trigger a pledge is held to.
            continue;
        }
        pledged.insert(e.author, e.pledged);
        let delta: i64 = if e.pledged { 1 } else { -1 };
        counter.counted = counter.counted.saturating_add_signed(delta);
        on_count(e.time.0, counter.counted);
        if let Some(p) = person {
            for d in &dimensions {
                let value = p.value(*d);
                if !value.is_empty() {
                    let n = counter.per_group.entry((*d, value.to_string())).or_default();
                    *n = n.saturating_add_signed(delta);
                }
            }
        }
        for i in 0..call.waves.len() {
            if triggered[i].is_some() {
                continue;
            }
            if (i == 0 || triggered[i - 1].is_some()) && counter.holds(&call.waves[i]) {
                triggered[i] = Some(e.time.0);
            } else {
                break;
            }
        }
    }
    let status = match triggered[0] {
        Some(_) if now.0 >= call.waves[0].starts => CallStatus::Started,
        Some(_) => CallStatus::Triggered,
        None if now.0 >= call.deadline => CallStatus::Expired,
        None => CallStatus::Open,
    };
    let waves = call.waves.iter().zip(&triggered).map(|(w, t)| counter.progress(w, *t)).collect();
    // Late pledges: authors whose last late event is a pledge and who are not counted anyway.
    let late = late.iter().filter(|(a, p)| **p && !pledged.get(*a).copied().unwrap_or(false)).count() as u64;
    Tally {
        status,
        counted: counter.counted,
        support: support.values().filter(|p| **p).count() as u64,
        late,
        workforce: counter.workforce,
        waves,
    }
}

#[cfg(test)]
mod tests;
