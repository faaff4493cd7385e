//! The campaign area: a countdown in phases with objectives and readiness gates, and how
//! ready a network is (members, pledges, cover).

use serde::{Deserialize, Serialize};
use strike_core::body::CoverKind;
use strike_core::campaign::{self, Campaign, Countdown, Gate, HubMeasure, Measures, Phase};
use strike_core::membership::Status;
use strike_core::{Body, CoarseTime, Kind, NetworkId, OpId, Writer, parse_time};

use crate::calls::CallView;
use crate::{Node, NodeError, Result};

/// Readiness of a network.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    pub members: u64,
    pub pending: u64,
    pub calls: Vec<(String, String, u64, u64, &'static str)>,
    /// (kind, needs covered, open needs, open offers).
    pub cover: Vec<(&'static str, u64, u64, u64)>,
    pub campaign: Option<Countdown>,
}

/// A campaign as people write it (the file `campaign set` reads, the form's text, the API's
/// body): phases with start times as `2026-12-15T06:00` or `21d`, gates with calls by id
/// or id prefix, shares in percent. See the README for an example.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignSpec {
    pub title: String,
    /// In order of their start.
    pub phases: Vec<PhaseSpec>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSpec {
    pub name: String,
    /// `2026-12-15T06:00` (UTC), or from now as `21d`.
    pub starts: String,
    #[serde(default)]
    pub objectives: Vec<String>,
    /// What must be true before the next phase.
    #[serde(default)]
    pub gates: Vec<GateSpec>,
}

/// A readiness gate: `{"members": 40}`, `{"pledges": {"call": "ab12", "n": 30}}`,
/// `{"pledge_share": {"call": "ab12", "percent": 60}}`, `{"cover": {"kind": "childcare",
/// "percent": 80}}`, `{"hub_food": {"hub": "Eastside", "days": 21, "households": 30}}` or
/// `{"critical_open": {"hub": "Eastside", "hours": 12}}` or `{"fund_weeks": 4}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum GateSpec {
    Members(u32),
    Pledges { call: String, n: u32 },
    PledgeShare { call: String, percent: f64 },
    Cover { kind: String, percent: f64 },
    HubFood { hub: String, days: u32, households: u32 },
    CriticalOpen { hub: String, hours: u32 },
    FundWeeks(u32),
}

impl CampaignSpec {
    /// Reads the campaign file format (JSON), saying where it is wrong.
    pub fn parse(text: &str) -> Result<CampaignSpec> {
        serde_json::from_str(text).map_err(|e| NodeError::InvalidInput(format!("campaign: {e}")))
    }

    /// A campaign as it would be written: times in UTC, calls by full id (to edit and set
    /// again).
    pub fn of(c: &Campaign) -> CampaignSpec {
        let percent = |p: u16| f64::from(p) / 10.0;
        let phases = c
            .phases
            .iter()
            .map(|p| PhaseSpec {
                name: p.name.clone(),
                starts: CoarseTime(p.starts).to_string(),
                objectives: p.objectives.clone(),
                gates: p
                    .gates
                    .iter()
                    .map(|g| match g {
                        Gate::Members { n } => GateSpec::Members(*n),
                        Gate::Pledges { call, n } => GateSpec::Pledges { call: call.to_hex(), n: *n },
                        Gate::PledgeShare { call, permille } => {
                            GateSpec::PledgeShare { call: call.to_hex(), percent: percent(*permille) }
                        }
                        Gate::CoverCoverage { kind, permille } => {
                            GateSpec::Cover { kind: kind.as_str().into(), percent: percent(*permille) }
                        }
                        Gate::HubFood { hub, days, households } => {
                            GateSpec::HubFood { hub: hub.to_hex(), days: *days, households: *households }
                        }
                        Gate::CriticalOpen { hub, hours } => {
                            GateSpec::CriticalOpen { hub: hub.to_hex(), hours: *hours }
                        }
                        Gate::FundWeeks { weeks } => GateSpec::FundWeeks(*weeks),
                    })
                    .collect(),
            })
            .collect();
        CampaignSpec { title: c.title.clone(), phases }
    }

    /// The campaign, with calls resolved in `network` and times counted from the node's now.
    pub fn build(&self, node: &Node, network: &NetworkId) -> Result<Campaign> {
        let now = node.now();
        let permille = |p: f64| -> Result<u16> {
            if !(p > 0.0 && p <= 100.0) {
                return Err(NodeError::InvalidInput(format!("{p}: a percentage is above 0 and at most 100")));
            }
            Ok((p * 10.0).round() as u16)
        };
        let call = |text: &str| node.resolve_fact(network, Kind::Call, text);
        let mut phases = Vec::new();
        for p in &self.phases {
            let mut gates = Vec::new();
            for g in &p.gates {
                gates.push(match g {
                    GateSpec::Members(n) => Gate::Members { n: *n },
                    GateSpec::Pledges { call: c, n } => Gate::Pledges { call: call(c)?, n: *n },
                    GateSpec::PledgeShare { call: c, percent } => {
                        Gate::PledgeShare { call: call(c)?, permille: permille(*percent)? }
                    }
                    GateSpec::Cover { kind, percent } => Gate::CoverCoverage {
                        kind: CoverKind::parse(kind).map_err(NodeError::InvalidInput)?,
                        permille: permille(*percent)?,
                    },
                    GateSpec::HubFood { hub, days, households } => {
                        Gate::HubFood { hub: node.resolve_network(hub)?, days: *days, households: *households }
                    }
                    GateSpec::CriticalOpen { hub, hours } => {
                        Gate::CriticalOpen { hub: node.resolve_network(hub)?, hours: *hours }
                    }
                    GateSpec::FundWeeks(weeks) => Gate::FundWeeks { weeks: *weeks },
                });
            }
            let starts = parse_time(&p.starts, now).map_err(NodeError::InvalidInput)?;
            phases.push(Phase {
                name: p.name.clone(),
                starts: CoarseTime::from_unix_seconds(starts).0,
                objectives: p.objectives.clone(),
                gates,
            });
        }
        Ok(Campaign { title: self.title.clone(), phases })
    }
}

impl Node {
    /// Sets the network's campaign from what people wrote (organizers).
    pub fn set_campaign_spec(&mut self, network: &NetworkId, spec: &CampaignSpec) -> Result<OpId> {
        let campaign = spec.build(self, network)?;
        self.set_campaign(network, campaign)
    }

    pub fn set_campaign(&mut self, network: &NetworkId, campaign: Campaign) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        self.author(network, Body::Campaign(campaign))
    }

    /// The latest campaign set by an organizer.
    pub fn campaign(&self, network: &NetworkId) -> Result<Option<Campaign>> {
        Ok(self.store.facts(network, Kind::Campaign, None)?.into_iter().rev().find_map(|f| match f.body {
            Body::Campaign(c) => Some(c),
            _ => None,
        }))
    }

    pub fn readiness(&self, network: &NetworkId) -> Result<Readiness> {
        self.readiness_with(network, &self.calls(network)?)
    }

    /// Readiness measured against calls already evaluated (`calls(network)`).
    pub fn readiness_with(&self, network: &NetworkId, calls: &[CallView]) -> Result<Readiness> {
        let people = self.members(network)?;
        let members = people.iter().filter(|m| m.status == Status::Member).count() as u64;
        let pending = people.iter().filter(|m| m.status == Status::Pending).count() as u64;
        let coverage = self.cover_coverage(network)?;
        struct M<'a> {
            members: u64,
            calls: &'a [CallView],
            cover: &'a [(CoverKind, u64, u64, u64)],
            hubs: Vec<(NetworkId, Option<HubMeasure>)>,
            fund: Option<Option<i64>>,
        }
        impl Measures for M<'_> {
            fn members(&self) -> u64 {
                self.members
            }
            fn call(&self, call: &OpId) -> Option<(u64, u64)> {
                self.calls.iter().find(|c| c.op == *call).map(|c| (c.tally.counted, c.tally.workforce))
            }
            fn cover(&self, kind: CoverKind) -> (u64, u64) {
                self.cover.iter().find(|c| c.0 == kind).map_or((0, 0), |c| (c.1, c.2))
            }
            fn hub(&self, hub: &NetworkId) -> Option<HubMeasure> {
                self.hubs.iter().find(|h| h.0 == *hub).and_then(|h| h.1)
            }
            fn fund_runway_tenths(&self) -> Option<Option<i64>> {
                self.fund
            }
        }
        let campaign = self.campaign(network)?;
        // The hubs the gates name, measured once each (where this node is in them).
        let mut hubs: Vec<(NetworkId, Option<HubMeasure>)> = Vec::new();
        for gate in campaign.iter().flat_map(|c| &c.phases).flat_map(|p| &p.gates) {
            if let Gate::HubFood { hub, .. } | Gate::CriticalOpen { hub, .. } = gate
                && !hubs.iter().any(|h| h.0 == *hub)
            {
                hubs.push((*hub, self.hub_measure(hub)?));
            }
        }
        let gates = || campaign.iter().flat_map(|c| &c.phases).flat_map(|p| &p.gates);
        let fund = match gates().any(|g| matches!(g, Gate::FundWeeks { .. })) {
            true => self.fund_runway_with(network, calls)?,
            false => None,
        };
        let m = M { members, calls, cover: &coverage, hubs, fund };
        let countdown = campaign.map(|c| campaign::countdown(&c, &m, CoarseTime::from_unix_seconds(self.now())));
        Ok(Readiness {
            members,
            pending,
            calls: calls
                .iter()
                .map(|c| (c.id.clone(), c.title.clone(), c.tally.counted, c.tally.workforce, c.tally.status.as_str()))
                .collect(),
            cover: coverage.iter().map(|(k, covered, needs, offers)| (k.as_str(), *covered, *needs, *offers)).collect(),
            campaign: countdown,
        })
    }
}
