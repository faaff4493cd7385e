//! The campaign area: a countdown in phases with objectives and readiness gates, and how
//! ready a network is (members, pledges, cover).

use serde::Serialize;
use strike_core::body::CoverKind;
use strike_core::campaign::{self, Campaign, Countdown, Measures};
use strike_core::membership::Status;
use strike_core::{Body, CoarseTime, Kind, NetworkId, OpId};

use crate::calls::CallView;
use crate::{Node, Result};

/// Readiness of a network.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    pub members: u64,
    pub pending: u64,
    pub calls: Vec<(String, String, u64, u64, &'static str)>,
    /// (kind, needs covered, open needs, open offers).
    pub cover: Vec<(&'static str, u64, u64, u64)>,
    pub campaign: Option<Countdown>,
}

impl Node {
    pub fn set_campaign(&mut self, network: &NetworkId, campaign: Campaign) -> Result<OpId> {
        self.require_member(network, true)?;
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
        }
        let m = M { members, calls, cover: &coverage };
        let countdown =
            self.campaign(network)?.map(|c| campaign::countdown(&c, &m, CoarseTime::from_unix_seconds(self.now())));
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
