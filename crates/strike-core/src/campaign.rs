//! Campaign countdown: phases with dates, objectives and readiness gates computed from data.

use serde::{Deserialize, Serialize};

use crate::body::{Fact, MAX_FIELD_LEN, MAX_NOTE_LEN};
use crate::calls::permille_text;
use crate::cover::CoverKind;
use crate::text::check_text;
use crate::{CoarseTime, NetworkId, OpId, Reject};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub title: String,
    /// In order of their start.
    pub phases: Vec<Phase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    pub name: String,
    /// Coarse minutes.
    pub starts: u32,
    pub objectives: Vec<String>,
    /// What must be true before moving on to the next phase.
    pub gates: Vec<Gate>,
}

/// A readiness gate, computed from the network's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// At least `n` admitted members.
    Members { n: u32 },
    /// At least `n` counted pledges to a call.
    Pledges { call: OpId, n: u32 },
    /// Counted pledges to a call reach this share of its mapped workforce.
    PledgeShare { call: OpId, permille: u16 },
    /// This share of open cover needs of a kind has a matching offer.
    CoverCoverage { kind: CoverKind, permille: u16 },
    /// A hub's food stock lasts `days` days for `households` households at the rate of its
    /// last four weeks (measured on nodes that are members of the hub).
    HubFood { hub: NetworkId, days: u32, households: u32 },
    /// No critical request to a hub has been open (still wanting) longer than `hours`.
    CriticalOpen { hub: NetworkId, hours: u32 },
    /// The network's fund covers `weeks` weeks of projected strike pay.
    FundWeeks { weeks: u32 },
}

impl Fact for Campaign {
    fn check(&self) -> Result<(), Reject> {
        check_campaign(self)
    }
}

fn check_campaign(c: &Campaign) -> Result<(), Reject> {
    check_text("campaign title", &c.title, MAX_FIELD_LEN * 2)?;
    if c.phases.is_empty() || c.phases.len() > 12 {
        return Err(Reject::InvalidBody("a campaign has 1 to 12 phases".into()));
    }
    for (i, p) in c.phases.iter().enumerate() {
        check_text("phase name", &p.name, MAX_FIELD_LEN)?;
        if p.objectives.len() > 16 || p.gates.len() > 16 {
            return Err(Reject::InvalidBody("at most 16 objectives and 16 gates per phase".into()));
        }
        for o in &p.objectives {
            check_text("objective", o, MAX_NOTE_LEN)?;
        }
        for g in &p.gates {
            match g {
                Gate::HubFood { days, households, .. } if *days == 0 || *households == 0 => {
                    return Err(Reject::InvalidBody("a hub gate's days and households are at least 1".into()));
                }
                Gate::FundWeeks { weeks } if *weeks == 0 => {
                    return Err(Reject::InvalidBody("a fund gate's weeks are at least 1".into()));
                }
                Gate::Members { n } | Gate::Pledges { n, .. } if *n == 0 => {
                    return Err(Reject::InvalidBody("a gate's count must be at least 1".into()));
                }
                Gate::PledgeShare { permille, .. } | Gate::CoverCoverage { permille, .. }
                    if *permille == 0 || *permille > 1000 =>
                {
                    return Err(Reject::InvalidBody("a gate's share is above 0 and at most 100%".into()));
                }
                _ => {}
            }
        }
        if i > 0 && p.starts <= c.phases[i - 1].starts {
            return Err(Reject::InvalidBody("phases start in order".into()));
        }
    }
    Ok(())
}

/// The figures gates are measured against; the caller computes them from the folded state.
pub trait Measures {
    fn members(&self) -> u64;
    /// (counted pledges, mapped workforce) of a call, `None` if no such call.
    fn call(&self, call: &OpId) -> Option<(u64, u64)>;
    /// (needs with a matching offer, open needs) of a kind.
    fn cover(&self, kind: CoverKind) -> (u64, u64);
    /// A hub's figures, `None` where this node is not a member of it.
    fn hub(&self, _hub: &NetworkId) -> Option<HubMeasure> {
        None
    }
    /// The fund's runway in tenths of a week: `None` without a fund, `Some(None)` when no
    /// strike pay is projected.
    fn fund_runway_tenths(&self) -> Option<Option<i64>> {
        None
    }
}

/// What a hub's gates are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HubMeasure {
    /// Days the first food specification to run out lasts at the last four weeks' rate
    /// (`None`: no food was used, so no rate).
    pub food_days: Option<u64>,
    /// Households the hub serves now, whose use the rate is.
    pub households: u64,
    /// How long the oldest critical request still wanting has been open, in minutes.
    pub oldest_critical_minutes: Option<u64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateStatus {
    pub gate: String,
    pub have: String,
    pub met: bool,
    /// How far along the gate is, in permille of what it asks for (1000 once met): for
    /// progress bars and charts.
    pub progress: u16,
}

/// `have` of `need` in permille, at most 1000; a gate that asks for nothing is complete.
fn progress(have: u64, need: u64) -> u16 {
    (have.saturating_mul(1000).checked_div(need).unwrap_or(1000)).min(1000) as u16
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseStatus {
    pub name: String,
    pub starts: u32,
    pub objectives: Vec<String>,
    pub gates: Vec<GateStatus>,
    pub current: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Countdown {
    pub title: String,
    /// Index of the phase under way (`None` before the first starts).
    pub current: Option<usize>,
    /// Minutes until the next phase starts, if one is ahead.
    pub next_in_minutes: Option<u32>,
    /// Minutes until the last phase (the action itself) starts.
    pub final_in_minutes: Option<u32>,
    pub phases: Vec<PhaseStatus>,
}

pub fn gate_status(gate: &Gate, m: &dyn Measures) -> GateStatus {
    let pct = |have: u64, of: u64| format!("{}%", (have * 100).checked_div(of).unwrap_or(0));
    let short = |id: &OpId| hex::encode(&id.0[..4]);
    match gate {
        Gate::Members { n } => GateStatus {
            gate: format!("{n} members"),
            have: m.members().to_string(),
            met: m.members() >= u64::from(*n),
            progress: progress(m.members(), u64::from(*n)),
        },
        Gate::Pledges { call, n } => {
            let have = m.call(call).map_or(0, |c| c.0);
            GateStatus {
                gate: format!("{n} pledges to call {}", short(call)),
                have: have.to_string(),
                met: have >= u64::from(*n),
                progress: progress(have, u64::from(*n)),
            }
        }
        Gate::PledgeShare { call, permille } => {
            let (have, of) = m.call(call).unwrap_or((0, 0));
            GateStatus {
                gate: format!("{} of the workforce pledged to call {}", permille_text(*permille), short(call)),
                have: pct(have, of),
                met: of > 0 && have * 1000 >= u64::from(*permille) * of,
                // Share reached (permille of the workforce) against the share asked for.
                progress: (have * 1000).checked_div(of).map_or(0, |share| progress(share, u64::from(*permille))),
            }
        }
        Gate::CoverCoverage { kind, permille } => {
            let (covered, needs) = m.cover(*kind);
            GateStatus {
                gate: format!("{} of {} needs covered", permille_text(*permille), kind.as_str()),
                have: if needs == 0 {
                    "no needs".into()
                } else {
                    format!("{} ({covered} of {needs})", pct(covered, needs))
                },
                met: needs == 0 || covered * 1000 >= u64::from(*permille) * needs,
                progress: (covered * 1000)
                    .checked_div(needs)
                    .map_or(1000, |share| progress(share, u64::from(*permille))),
            }
        }
        Gate::HubFood { hub, days, households } => {
            let gate = format!("hub {} holds {days} days of food for {households} households", short_net(hub));
            // The rate per household times the households asked about: days scale by
            // served / asked.
            let have = m.hub(hub).map(|h| h.food_days.map(|d| d * h.households / u64::from(*households)));
            match have {
                None => GateStatus { gate, have: "not a member of that hub".into(), met: false, progress: 0 },
                Some(None) => GateStatus { gate, have: "no food use recorded".into(), met: false, progress: 0 },
                Some(Some(d)) => GateStatus {
                    gate,
                    have: format!("{d} days"),
                    met: d >= u64::from(*days),
                    progress: progress(d, u64::from(*days)),
                },
            }
        }
        Gate::FundWeeks { weeks } => {
            let gate = format!("the fund covers {weeks} weeks of strike pay");
            let want = i64::from(*weeks) * 10;
            match m.fund_runway_tenths() {
                None => GateStatus { gate, have: "no fund".into(), met: false, progress: 0 },
                Some(None) => GateStatus { gate, have: "no strike pay projected".into(), met: false, progress: 0 },
                Some(Some(t)) => GateStatus {
                    gate,
                    have: format!("{}.{} weeks", t / 10, t % 10),
                    met: t >= want,
                    progress: progress(t.max(0) as u64, want as u64),
                },
            }
        }
        Gate::CriticalOpen { hub, hours } => {
            let gate = format!("no critical request to hub {} open over {hours} h", short_net(hub));
            match m.hub(hub) {
                None => GateStatus { gate, have: "not a member of that hub".into(), met: false, progress: 0 },
                Some(h) => {
                    let limit = u64::from(*hours) * 60;
                    let oldest = h.oldest_critical_minutes.unwrap_or(0);
                    GateStatus {
                        gate,
                        have: match h.oldest_critical_minutes {
                            None => "none open".into(),
                            Some(m) => format!("oldest open {} h", m / 60),
                        },
                        met: oldest <= limit,
                        progress: if oldest <= limit { 1000 } else { progress(limit, oldest) },
                    }
                }
            }
        }
    }
}

fn short_net(id: &NetworkId) -> String {
    hex::encode(&id.0[..4])
}

/// Where the campaign stands at `now`.
pub fn countdown(c: &Campaign, m: &dyn Measures, now: CoarseTime) -> Countdown {
    let current = c.phases.iter().rposition(|p| p.starts <= now.0);
    let next_in_minutes = c.phases.iter().find(|p| p.starts > now.0).map(|p| p.starts - now.0);
    let final_in_minutes = c.phases.last().filter(|p| p.starts > now.0).map(|p| p.starts - now.0);
    let phases = c
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| PhaseStatus {
            name: p.name.clone(),
            starts: p.starts,
            objectives: p.objectives.clone(),
            gates: p.gates.iter().map(|g| gate_status(g, m)).collect(),
            current: Some(i) == current,
        })
        .collect();
    Countdown { title: c.title.clone(), current, next_in_minutes, final_in_minutes, phases }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;

    impl Measures for Fixed {
        fn members(&self) -> u64 {
            12
        }
        fn call(&self, call: &OpId) -> Option<(u64, u64)> {
            (call.0[0] == 1).then_some((9, 20))
        }
        fn cover(&self, _: CoverKind) -> (u64, u64) {
            (1, 4)
        }
    }

    #[test]
    fn gate_progress_is_permille_of_what_the_gate_asks() {
        let call = [1; 32];
        let at = |g: Gate| gate_status(&g, &Fixed);
        assert_eq!((at(Gate::Members { n: 10 }).progress, at(Gate::Members { n: 10 }).met), (1000, true));
        assert_eq!(at(Gate::Members { n: 24 }).progress, 500);
        assert_eq!(at(Gate::Pledges { call: OpId(call), n: 12 }).progress, 750);
        // 9 of 20 is 45% of the workforce, against 60% asked: 750 permille of the way.
        let share = at(Gate::PledgeShare { call: OpId(call), permille: 600 });
        assert_eq!((share.progress, share.met, share.have.as_str()), (750, false, "45%"));
        assert_eq!(at(Gate::PledgeShare { call: crate::OpId([2; 32]), permille: 600 }).progress, 0, "no such call");
        // 1 of 4 needs covered is 25%, against 50% asked.
        assert_eq!(at(Gate::CoverCoverage { kind: CoverKind::Childcare, permille: 500 }).progress, 500);
        // No measure of a hub this node is not in: not met.
        let hub = NetworkId([3; 32]);
        assert!(!at(Gate::HubFood { hub, days: 10, households: 5 }).met);
    }

    struct Hub(HubMeasure);

    impl Measures for Hub {
        fn members(&self) -> u64 {
            0
        }
        fn call(&self, _: &OpId) -> Option<(u64, u64)> {
            None
        }
        fn cover(&self, _: CoverKind) -> (u64, u64) {
            (0, 0)
        }
        fn hub(&self, _: &NetworkId) -> Option<HubMeasure> {
            Some(self.0)
        }
    }

    #[test]
    fn hub_gates_scale_days_by_households_and_age_critical_requests() {
        let hub = NetworkId([3; 32]);
        let m = Hub(HubMeasure { food_days: Some(30), households: 20, oldest_critical_minutes: Some(90) });
        // 30 days for 20 households is 20 days for 30.
        let food = gate_status(&Gate::HubFood { hub, days: 21, households: 30 }, &m);
        assert_eq!((food.have.as_str(), food.met, food.progress), ("20 days", false, 952));
        assert!(gate_status(&Gate::HubFood { hub, days: 20, households: 30 }, &m).met);
        let open = gate_status(&Gate::CriticalOpen { hub, hours: 1 }, &m);
        assert_eq!((open.met, open.progress), (false, 666));
        assert!(gate_status(&Gate::CriticalOpen { hub, hours: 2 }, &m).met);
    }

    struct Fund(Option<Option<i64>>);

    impl Measures for Fund {
        fn members(&self) -> u64 {
            0
        }
        fn call(&self, _: &OpId) -> Option<(u64, u64)> {
            None
        }
        fn cover(&self, _: CoverKind) -> (u64, u64) {
            (0, 0)
        }
        fn fund_runway_tenths(&self) -> Option<Option<i64>> {
            self.0
        }
    }

    #[test]
    fn the_fund_gate_measures_runway_in_tenths_of_a_week() {
        let g = Gate::FundWeeks { weeks: 4 };
        let s = gate_status(&g, &Fund(Some(Some(37))));
        assert_eq!((s.have.as_str(), s.met, s.progress), ("3.7 weeks", false, 925));
        assert!(gate_status(&g, &Fund(Some(Some(40)))).met);
        assert_eq!(gate_status(&g, &Fund(None)).have, "no fund");
        assert!(!gate_status(&g, &Fund(Some(None))).met);
    }
}
