//! What the CLI, the JSON API and the pages show of mutual aid: the queue (open requests by
//! urgency and age, overdue first), a request with its history, and the counts for the
//! dashboard card and the team's overdue banner.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use strike_core::aid::queue::{Standing, State};
use strike_core::{AuthorId, CoarseTime, NetworkId, OpId};

use super::Held;
use crate::{Node, Result};

/// One step of a request's history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AidStepView {
    pub id: String,
    pub by: String,
    /// Coarse minute.
    pub at: u32,
    pub action: String,
    pub note: String,
    /// Why it did not count (empty: it did).
    pub ignored: String,
}

/// A request as this node reads it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AidRequestView {
    pub id: String,
    pub category: String,
    pub urgency: String,
    pub text: String,
    pub place: String,
    /// Needed by (coarse minute), if said.
    pub due: Option<u32>,
    /// "network", or the circle's name.
    pub visible_to: String,
    pub requester: String,
    pub mine: bool,
    /// Coarse minute it was asked.
    pub asked: u32,
    pub state: String,
    /// Who has it (claimed or in progress).
    pub holder: Option<String>,
    pub i_hold: bool,
    /// It is sealed to a team this node is in: the team's banner counts it when overdue.
    pub for_my_team: bool,
    /// Minutes since it was asked.
    pub age_minutes: u32,
    /// The response target of its urgency, in minutes.
    pub target_minutes: u32,
    /// Open past its target with nobody holding it.
    pub overdue: bool,
    /// A holding went stale and it came back to the queue.
    pub returned: bool,
    /// It came from another network (only what its requester allowed).
    pub escalated_from_elsewhere: bool,
    /// Circles and networks it may be escalated to, by name.
    pub escalate_to: Vec<String>,
    pub share: Vec<String>,
    pub history: Vec<AidStepView>,
    /// Cover offers of the matching kind (childcare, a ride) from the directory: who might
    /// help ("Ife: sat,sun, Riverside (two kids max)"). Filled on a request's own page.
    pub cover_offers: Vec<String>,
}

/// The queue: what this node reads, open first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AidQueueView {
    /// Response targets in minutes: critical, high, normal.
    pub targets: [u32; 3],
    /// Open, claimed, in progress or escalated; overdue first, then by urgency, then oldest.
    pub open: Vec<AidRequestView>,
    /// Resolved or cancelled, newest first.
    pub closed: Vec<AidRequestView>,
    pub critical_unclaimed: usize,
    /// Minutes the oldest critical request has waited unclaimed.
    pub oldest_critical_unclaimed: Option<u32>,
    pub overdue: usize,
    /// Overdue requests sealed to teams this node is in.
    pub team_overdue: usize,
    /// Requests (or steps) sealed to circles this node is not in.
    pub sealed: usize,
    /// "3 open requests, 1 critical unclaimed for 40 min"
    pub summary: String,
}

/// People's and places' names for a view.
struct Names {
    people: HashMap<AuthorId, String>,
    places: HashMap<[u8; 32], String>,
}

/// "40 min", "3 h", "2 d".
pub fn span(minutes: u32) -> String {
    match minutes {
        m if m < 120 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} d", m / (24 * 60)),
    }
}

impl Node {
    /// Who and where, by id, read once for a whole view: people by author, circles of the
    /// network and networks this node is in by their id.
    fn aid_names(&self, network: &NetworkId) -> Result<Names> {
        let people = self.members(network)?.iter().map(|m| (m.author, crate::networks::display_name(m))).collect();
        let mut places = HashMap::new();
        for c in self.circles(network)? {
            let id = match c.id.parse::<OpId>() {
                Ok(id) => id,
                Err(_) => strike_core::circles::organizers_circle(network),
            };
            places.insert(id.0, c.name);
        }
        for n in self.networks()? {
            places.insert(n.id.0, n.name.unwrap_or_else(|| n.id.short()));
        }
        Ok(Names { people, places })
    }

    fn aid_view(
        &self,
        network: &NetworkId,
        held: &Held,
        s: &Standing,
        names: &Names,
        me: Option<AuthorId>,
        my_teams: &BTreeSet<OpId>,
    ) -> AidRequestView {
        let now = CoarseTime::from_unix_seconds(self.now());
        let target = self.aid_data(network).map(|d| d.targets).unwrap_or_default().minutes(held.body.urgency);
        let name = |a: &AuthorId| names.people.get(a).cloned().unwrap_or_else(|| a.short());
        let place = |id: &[u8; 32]| names.places.get(id).cloned().unwrap_or_else(|| hex::encode(&id[..4]));
        let age = now.0.saturating_sub(held.time.0);
        AidRequestView {
            id: held.op.to_hex(),
            category: held.body.category.clone(),
            urgency: held.body.urgency.as_str().into(),
            text: held.body.text.clone(),
            place: held.body.place.clone(),
            due: (held.body.due != 0).then_some(held.body.due),
            visible_to: match &held.circle {
                None => "network".into(),
                Some(c) => place(&c.0),
            },
            requester: name(&held.author),
            mine: Some(held.author) == me,
            asked: held.time.0,
            state: s.state.as_str().into(),
            holder: s.holder.as_ref().map(name),
            i_hold: s.holder.is_some() && s.holder == me,
            for_my_team: held.circle.is_some_and(|c| my_teams.contains(&c)),
            age_minutes: age,
            target_minutes: target,
            overdue: s.state == State::Open && (s.returned || age > target),
            returned: s.returned,
            escalated_from_elsewhere: held.body.escalated(),
            escalate_to: held
                .body
                .circles
                .iter()
                .map(|c| c.0)
                .chain(held.body.networks.iter().map(|n| n.0))
                .map(|id| place(&id))
                .collect(),
            share: held.body.share.clone(),
            history: s
                .history
                .iter()
                .map(|h| AidStepView {
                    id: h.op.to_hex(),
                    by: name(&h.author),
                    at: h.time.0,
                    action: h.action.as_str().into(),
                    note: h.note.clone(),
                    ignored: h.ignored.unwrap_or_default().into(),
                })
                .collect(),
            cover_offers: Vec::new(),
        }
    }

    /// The circles of `data`'s requests this node's author is a current member of.
    fn my_teams(&self, network: &NetworkId, data: &super::AidData, me: Option<AuthorId>) -> Result<BTreeSet<OpId>> {
        let mut out = BTreeSet::new();
        let Some(me) = me else { return Ok(out) };
        let circles: BTreeSet<OpId> = data.requests.iter().filter_map(|r| r.circle).collect();
        for c in circles {
            if self.store.circle_members(network, &c)?.iter().any(|r| r.current && r.author == me) {
                out.insert(c);
            }
        }
        Ok(out)
    }

    /// One request with its history.
    pub fn aid_request(&self, network: &NetworkId, request: &str) -> Result<AidRequestView> {
        let (data, held) = self.resolve_aid(network, request)?;
        let s = self.aid_standing(&data, &held);
        let me = self.me_in(network)?.map(|m| m.author);
        let teams = self.my_teams(network, &data, me)?;
        let mut view = self.aid_view(network, &held, &s, &self.aid_names(network)?, me, &teams);
        let kind = match held.body.category.as_str() {
            "childcare" => Some("childcare"),
            "transport" => Some("ride"),
            _ => None,
        };
        if let Some(kind) = kind.filter(|_| !s.state.closed()) {
            view.cover_offers = self
                .covers(network)?
                .into_iter()
                .filter(|c| !c.need && c.kind == kind && Some(&c.who) != Some(&view.requester))
                .map(|c| {
                    let mut line = format!("{}: {}", c.who, c.when);
                    if !c.place.is_empty() {
                        line.push_str(&format!(", {}", c.place));
                    }
                    if !c.note.is_empty() {
                        line.push_str(&format!(" ({})", c.note));
                    }
                    line
                })
                .collect();
        }
        Ok(view)
    }

    /// The queue, optionally only one team's (requests sealed to that circle).
    pub fn aid_queue(&self, network: &NetworkId, team: Option<&str>) -> Result<AidQueueView> {
        self.network(network)?;
        let team = team.filter(|t| !t.trim().is_empty()).map(|t| self.resolve_circle(network, t)).transpose()?;
        let data = self.aid_data(network)?;
        let names = self.aid_names(network)?;
        let me = self.me_in(network)?.map(|m| m.author);
        let teams = self.my_teams(network, &data, me)?;
        let (mut open, mut closed) = (Vec::new(), Vec::new());
        for held in data.requests.iter().filter(|r| team.is_none() || r.circle == team) {
            let s = self.aid_standing(&data, held);
            let view = self.aid_view(network, held, &s, &names, me, &teams);
            if s.state.closed() { closed.push(view) } else { open.push(view) }
        }
        let rank = |u: &str| ["critical", "high", "normal"].iter().position(|x| *x == u).unwrap_or(3);
        open.sort_by_key(|r| (!r.overdue, rank(&r.urgency), r.asked));
        closed.sort_by_key(|r| std::cmp::Reverse(r.asked));
        let unclaimed: Vec<&AidRequestView> =
            open.iter().filter(|r| r.urgency == "critical" && r.state == "open").collect();
        let oldest = unclaimed.iter().map(|r| r.age_minutes).max();
        let overdue = open.iter().filter(|r| r.overdue).count();
        let team_overdue = open.iter().filter(|r| r.overdue && r.for_my_team).count();
        let mut summary = format!("{} open request{}", open.len(), if open.len() == 1 { "" } else { "s" });
        if let Some(m) = oldest {
            summary.push_str(&format!(", {} critical unclaimed for {}", unclaimed.len(), span(m)));
        }
        let t = data.targets;
        Ok(AidQueueView {
            targets: [t.critical, t.high, t.normal],
            critical_unclaimed: unclaimed.len(),
            oldest_critical_unclaimed: oldest,
            overdue,
            team_overdue,
            sealed: data.sealed_notes,
            summary,
            open,
            closed,
        })
    }
}
