//! Check-in rounds: a team (a circle) asks everyone, or one circle, "Are you OK?". Each
//! member's own node answers, sealed to the team; only the team's nodes read the answers, so
//! only the team sees who needs help and who has not answered.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use strike_core::aid::{AidSealed, Checkin, CheckinAnswer};
use strike_core::membership::Status;
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId, Writer};

use crate::{Node, NodeError, Result};

/// A round as people start it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckinInput {
    /// The team that reads the answers: a circle you are in
    pub team: String,
    /// Who is asked: a circle (default everyone)
    #[serde(default)]
    pub asked: String,
    pub question: String,
    /// Answer within: `12h` (default), `2d`
    #[serde(default)]
    pub within: String,
}

/// Someone in a round, as the team sees them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CheckinPerson {
    pub name: String,
    pub note: String,
}

/// A round as this node sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CheckinView {
    pub id: String,
    pub question: String,
    pub team: String,
    /// "everyone", or the circle asked.
    pub asked: String,
    pub started_by: String,
    /// Coarse minutes.
    pub started: u32,
    pub closes: u32,
    pub open: bool,
    /// This node's own answer: "ok" or "need help".
    pub my_answer: Option<String>,
    /// This node is in the team: the counts and names below are filled in.
    pub i_am_team: bool,
    pub asked_count: usize,
    pub ok: usize,
    pub need_help: Vec<CheckinPerson>,
    /// Who has not answered (the team only).
    pub silent: Vec<String>,
}

impl Node {
    /// Starts a round (a member of the team).
    pub fn checkin_start(&mut self, network: &NetworkId, input: &CheckinInput) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let team = self.resolve_circle(network, &input.team)?;
        if !self.store.circle_members(network, &team)?.iter().any(|r| r.current && r.author == me.author) {
            return Err(NodeError::NotAllowed("you start a round for a team you are in: it reads the answers".into()));
        }
        let asked = match input.asked.trim() {
            "" | "everyone" | "network" => None,
            c => Some(self.resolve_circle(network, c)?),
        };
        let within = match input.within.trim() {
            "" => 12 * 60,
            w => strike_core::parse_duration(w)
                .map(|s| u32::try_from(s / 60).unwrap_or(u32::MAX))
                .ok_or_else(|| NodeError::InvalidInput(format!("{w:?} is not a duration: 12h, 2d")))?,
        };
        let body = Checkin { team, asked, question: input.question.trim().into(), within };
        strike_core::body::Fact::check(&body).map_err(NodeError::Refused)?;
        self.author(network, Body::Checkin(body))
    }

    fn rounds(&self, network: &NetworkId) -> Result<Vec<(OpId, AuthorId, CoarseTime, Checkin)>> {
        let mut out = Vec::new();
        for f in self.store.facts(network, Kind::Checkin, None)? {
            if let Body::Checkin(c) = f.body {
                out.push((f.op_id, f.author, f.time, c));
            }
        }
        out.sort_by_key(|r| std::cmp::Reverse((r.2, r.0)));
        Ok(out)
    }

    /// Who a round asks, as far as this node knows.
    fn asked_in(&self, network: &NetworkId, round: &Checkin) -> Result<BTreeSet<AuthorId>> {
        let counted: BTreeSet<AuthorId> =
            self.members(network)?.iter().filter(|m| m.status == Status::Member).map(|m| m.author).collect();
        Ok(match &round.asked {
            None => counted,
            Some(c) => self
                .store
                .circle_members(network, c)?
                .into_iter()
                .filter(|r| r.current && counted.contains(&r.author))
                .map(|r| r.author)
                .collect(),
        })
    }

    /// Answers a round (the newest open one by default): "ok" or "need-help", sealed to its team.
    pub fn checkin_answer(&mut self, network: &NetworkId, round: &str, status: &str, note: &str) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let need_help = match status.trim().to_lowercase().replace(' ', "-").as_str() {
            "ok" => false,
            "need-help" | "help" => true,
            other => return Err(NodeError::InvalidInput(format!("{other:?}: answer ok or need-help"))),
        };
        let now = CoarseTime::from_unix_seconds(self.now());
        let rounds = self.rounds(network)?;
        let (id, _, _, c) = match round.trim() {
            "" => rounds
                .iter()
                .find(|(_, _, t, c)| now.0 <= t.0.saturating_add(c.within))
                .ok_or_else(|| NodeError::NotFound("no check-in round is open in this network".into()))?,
            q => {
                let id = self.resolve_fact(network, Kind::Checkin, q)?;
                rounds.iter().find(|r| r.0 == id).expect("resolved among the rounds")
            }
        };
        let answer = AidSealed::Answer(CheckinAnswer { round: *id, need_help, note: note.trim().into() });
        let team = c.team;
        self.seal_aid(network, &team, &me.agreement, &answer)
    }

    /// Every round, newest first; the team's nodes see who answered what and who is silent.
    pub fn checkins(&self, network: &NetworkId) -> Result<Vec<CheckinView>> {
        self.network(network)?;
        let me = self.me_in(network)?.map(|m| m.author);
        let names: BTreeMap<AuthorId, String> =
            self.members(network)?.iter().map(|m| (m.author, crate::networks::display_name(m))).collect();
        let name = |a: &AuthorId| names.get(a).cloned().unwrap_or_else(|| a.short());
        let data = self.aid_data(network)?;
        let now = CoarseTime::from_unix_seconds(self.now());
        let mut out = Vec::new();
        for (id, author, time, round) in self.rounds(network)? {
            let asked = self.asked_in(network, &round)?;
            // Each asked member's latest answer, sealed to this round's team, counts.
            let mut latest: BTreeMap<AuthorId, &CheckinAnswer> = BTreeMap::new();
            let mut answers: Vec<_> = data
                .answers
                .iter()
                .filter(|a| a.answer.round == id && a.circle == round.team && asked.contains(&a.author))
                .collect();
            answers.sort_by_key(|a| strike_core::op_order(a.time, a.author, a.seq, a.op));
            for a in answers {
                latest.insert(a.author, &a.answer);
            }
            let i_am_team = me.is_some_and(|m| {
                self.store
                    .circle_members(network, &round.team)
                    .is_ok_and(|rows| rows.iter().any(|r| r.current && r.author == m))
            });
            let team_name = self.circle(network, &round.team).map(|c| c.name).unwrap_or_else(|_| round.team.short());
            let asked_name = match &round.asked {
                None => "everyone".to_owned(),
                Some(c) => self.circle(network, c).map(|c| c.name).unwrap_or_else(|_| c.short()),
            };
            let my_answer =
                me.and_then(|m| latest.get(&m)).map(|a| if a.need_help { "need help" } else { "ok" }.to_owned());
            let (ok, need_help, silent) = if i_am_team {
                let ok = latest.values().filter(|a| !a.need_help).count();
                let need = latest
                    .iter()
                    .filter(|(_, a)| a.need_help)
                    .map(|(who, a)| CheckinPerson { name: name(who), note: a.note.clone() })
                    .collect();
                let silent = asked.iter().filter(|a| !latest.contains_key(a)).map(name).collect();
                (ok, need, silent)
            } else {
                (0, Vec::new(), Vec::new())
            };
            out.push(CheckinView {
                id: id.to_hex(),
                question: round.question.clone(),
                team: team_name,
                asked: asked_name,
                started_by: name(&author),
                started: time.0,
                closes: time.0.saturating_add(round.within),
                open: now.0 <= time.0.saturating_add(round.within),
                my_answer,
                i_am_team,
                asked_count: if i_am_team { asked.len() } else { 0 },
                ok,
                need_help,
                silent,
            });
        }
        Ok(out)
    }
}
