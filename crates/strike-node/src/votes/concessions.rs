//! Concessions and outcomes of strike calls: an organizer records what the other side offered
//! and puts it to the members as a yes / no vote; the call shows each offer, its vote and the
//! result; an organizer records how the call came out.

use serde::{Deserialize, Serialize};
use strike_core::body::{CallOutcome, Concession, Proposal};
use strike_core::votes::tally::Decision;
use strike_core::votes::{Method, Pass, Results};
use strike_core::{Body, CoarseTime, Kind, NetworkId, OpId, Writer, parse_time};

use crate::{Node, NodeError, Result};

/// Putting a concession to a vote, as people write it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcessionVoteInput {
    /// When voting closes: `2d`, or a date
    pub closes: String,
    /// Share of the members that must vote (default 50%)
    #[serde(default)]
    pub quorum: String,
    /// majority (default), two-thirds or consensus
    #[serde(default)]
    pub pass: String,
}

/// An offer on a call, with its vote.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ConcessionView {
    pub id: String,
    pub from: String,
    pub text: String,
    /// Coarse minute it was recorded.
    pub recorded: u32,
    /// The proposal that puts it to the members, if any.
    pub vote: Option<String>,
    /// "Offer rejected 28-4: the strike continues", "voting until ...", "not put to a vote yet"
    pub result: String,
}

/// How a call came out.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeView {
    /// won, partial, lost or ended
    pub outcome: String,
    pub text: String,
    pub recorded: u32,
}

/// A call's offers and outcome.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    pub concessions: Vec<ConcessionView>,
    pub outcome: Option<OutcomeView>,
}

impl Node {
    /// Records an offer made on a call (organizers).
    pub fn record_concession(&mut self, network: &NetworkId, call: &OpId, from: &str, text: &str) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let body = Concession { call: *call, from: from.trim().into(), text: text.trim().into() };
        strike_core::body::Fact::check(&body).map_err(NodeError::Refused)?;
        self.author(network, Body::Concession(body))
    }

    /// Puts a call's latest offer not yet voted on to the members: "Accept the offer?"
    /// (organizers).
    pub fn concession_vote(&mut self, network: &NetworkId, call: &OpId, input: &ConcessionVoteInput) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let record = self.call_record(network, call)?;
        let c =
            record.concessions.iter().rev().find(|c| c.vote.is_none()).ok_or_else(|| {
                NodeError::NotFound("this call has no offer waiting for a vote: record one first".into())
            })?;
        let now = self.now();
        let closes = parse_time(&input.closes, now).map_err(|e| NodeError::InvalidInput(format!("closes: {e}")))?;
        if closes <= now {
            return Err(NodeError::InvalidInput("a vote closes in the future".into()));
        }
        let pass = match input.pass.trim() {
            "" | "majority" => Pass::Majority,
            "two-thirds" => Pass::TwoThirds,
            "consensus" => Pass::Consensus,
            other => return Err(NodeError::InvalidInput(format!("{other:?}: majority, two-thirds or consensus"))),
        };
        let quorum = if input.quorum.trim().is_empty() { "50%" } else { input.quorum.trim() };
        let title: String = format!("Accept the offer from {}?", c.from).chars().take(160).collect();
        let proposal = Proposal {
            title,
            text: c.text.clone(),
            method: Method::YesNo,
            options: Vec::new(),
            seats: 1,
            quorum: super::percent_permille(quorum)?,
            pass,
            closes: CoarseTime::from_unix_seconds(closes).0,
            results: Results::Always,
            about: Some(c.id.parse().map_err(|_| NodeError::InvalidInput("a concession id".into()))?),
            delegates: false,
            circle: None,
            secret: None,
        };
        strike_core::body::Fact::check(&proposal).map_err(NodeError::Refused)?;
        self.author(network, Body::Proposal(proposal))
    }

    /// Records how a call came out (organizers): won, partial, lost or ended.
    pub fn set_call_outcome(&mut self, network: &NetworkId, call: &OpId, outcome: &str, text: &str) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let body = CallOutcome { call: *call, outcome: outcome.trim().to_lowercase(), text: text.trim().into() };
        strike_core::body::Fact::check(&body).map_err(NodeError::Refused)?;
        self.author(network, Body::CallOutcome(body))
    }

    /// A call's offers with their votes, and its outcome.
    pub fn call_record(&self, network: &NetworkId, call: &OpId) -> Result<CallRecord> {
        let proposals = self.store.facts(network, Kind::Proposal, None)?;
        let mut concessions = Vec::new();
        for f in self.store.facts(network, Kind::Concession, Some(&call.0))? {
            let Body::Concession(c) = &f.body else { continue };
            if c.call != *call {
                continue;
            }
            let vote = proposals
                .iter()
                .filter(|p| matches!(&p.body, Body::Proposal(p) if p.about == Some(f.op_id)))
                .min_by_key(|p| p.order());
            let result = match vote {
                None => "not put to a vote yet".to_owned(),
                Some(p) => {
                    let Body::Proposal(proposal) = &p.body else { unreachable!("filtered to proposals") };
                    let t = self.tally_of(network, p, proposal)?;
                    let (yes, no) =
                        (t.positions.get("yes").copied().unwrap_or(0), t.positions.get("no").copied().unwrap_or(0));
                    match (t.closed, &t.decision) {
                        (false, _) => {
                            format!("voting until {} UTC: {no} no, {yes} yes so far", CoarseTime(proposal.closes))
                        }
                        (true, Decision::Passed) => format!("Offer accepted {yes}-{no}"),
                        (true, Decision::Blocked) => "Offer blocked: the strike continues".to_owned(),
                        (true, Decision::NoQuorum) => "No quorum: the offer is not accepted".to_owned(),
                        (true, _) => format!("Offer rejected {no}-{yes}: the strike continues"),
                    }
                }
            };
            concessions.push(ConcessionView {
                id: f.op_id.to_hex(),
                from: c.from.clone(),
                text: c.text.clone(),
                recorded: f.time.0,
                vote: vote.map(|p| p.op_id.to_hex()),
                result,
            });
        }
        concessions.sort_by_key(|c| c.recorded);
        let outcome = self
            .store
            .facts(network, Kind::CallOutcome, Some(&call.0))?
            .into_iter()
            .filter_map(|f| match f.body {
                Body::CallOutcome(o) if o.call == *call => {
                    Some((strike_core::op_order(f.time, f.author, f.seq, f.op_id), o))
                }
                _ => None,
            })
            .max_by_key(|(order, _)| *order)
            .map(|((t, ..), o)| OutcomeView { outcome: o.outcome, text: o.text, recorded: t.0 });
        Ok(CallRecord { concessions, outcome })
    }
}
