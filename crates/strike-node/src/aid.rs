//! Mutual aid on a node (`docs/protocol.md`, "Mutual aid"): members ask for help in the network
//! or sealed to a circle (a team, or the responders they choose); responders claim, work on,
//! escalate, supply from a hub or ask the fund for a grant, and resolve. What people type is
//! read here; where a request stands is core's fold ([`strike_core::aid::queue`]), run at read
//! time because a claim goes stale with the clock. Views are in [`views`]; check-in rounds in
//! [`checkins`]; legal cases in [`cases`].

pub mod cases;
pub mod checkins;
pub mod views;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strike_core::aid::queue::{self, Roles, Standing, UpdateIn};
use strike_core::aid::{Action, AidNote, AidRequest, AidSealed, AidTargets, AidUpdate, CheckinAnswer};
use strike_core::membership::{Role, Status};
use strike_core::resources::Urgency;
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId, Writer, parse_time};

use crate::{Node, NodeError, Result};

fn invalid(message: impl Into<String>) -> NodeError {
    NodeError::InvalidInput(message.into())
}

/// A request this node reads.
#[derive(Debug, Clone)]
pub struct Held {
    pub op: OpId,
    pub author: AuthorId,
    pub time: CoarseTime,
    /// The circle it is sealed to (`None`: the whole network).
    pub circle: Option<OpId>,
    pub body: AidRequest,
}

/// A check-in answer this node reads (a team member's node reads them all; a member's, their own).
#[derive(Debug, Clone)]
pub struct Answer {
    pub op: OpId,
    pub author: AuthorId,
    /// The op's place in its author's chain (orders one person's answers within a minute).
    pub seq: u64,
    pub time: CoarseTime,
    pub circle: OpId,
    pub answer: CheckinAnswer,
}

/// Everything of mutual aid this node reads in a network, kept until the store changes.
#[derive(Debug, Clone, Default)]
pub struct AidData {
    pub requests: Vec<Held>,
    /// Updates by request, each with the circle it was sealed to (`None`: an `aid_update` in
    /// the open).
    pub updates: BTreeMap<OpId, Vec<(Option<OpId>, UpdateIn)>>,
    /// Who responds to requests of each scope: every counted member for the network's (`None`);
    /// for a circle, its current members, or (on a node outside it, which cannot see who is in
    /// it) every counted member.
    pub teams: HashMap<Option<OpId>, BTreeSet<AuthorId>>,
    pub organizers: BTreeSet<AuthorId>,
    pub answers: Vec<Answer>,
    /// Notes this node cannot open: someone wrote to a circle it is not in.
    pub sealed_notes: usize,
    pub targets: AidTargets,
}

/// What `aid supply` wrote: the step on the request, the resource request in the hub network,
/// and the commitments from its stock (when this node keeps the hub and the plan met it).
#[derive(Debug, Clone)]
pub struct Supplied {
    pub update: OpId,
    pub hub_request: OpId,
    pub commitments: Vec<OpId>,
}

/// A request as people write it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AskInput {
    /// medical, food, housing, childcare, transport, legal, safety or other
    pub category: String,
    /// critical, high or normal (default normal)
    #[serde(default)]
    pub urgency: String,
    pub text: String,
    /// `network` (every member reads it) or a circle: only its members (and you) read it
    #[serde(default)]
    pub visible_to: String,
    /// An area, not an address
    #[serde(default)]
    pub place: String,
    /// Needed by: `2d` from now, or a date
    #[serde(default)]
    pub by: String,
    /// Circles of this network and networks it may be escalated to (names or ids)
    #[serde(default)]
    pub escalate_to: Vec<String>,
    /// What an escalation to another network may carry: category, urgency, text, where, due
    /// (default category and urgency)
    #[serde(default)]
    pub share: Vec<String>,
}

/// A step on a request as people write it: any kind, for the forms and the JSON API.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// The request (an id prefix)
    pub request: String,
    /// claim, progress, note, release, resolve, cancel, escalate, supply or grant
    pub action: String,
    #[serde(default)]
    pub note: String,
    /// escalate: a circle or network the requester allowed
    #[serde(default)]
    pub to: String,
    /// escalate: fewer fields than the requester allowed
    #[serde(default)]
    pub share: Vec<String>,
    /// supply: the hub network (a name or id)
    #[serde(default)]
    pub hub: String,
    /// supply: the hub's resource specification
    #[serde(default)]
    pub spec: String,
    #[serde(default)]
    pub qty: String,
    /// grant: how much to ask of the fund
    #[serde(default)]
    pub amount: String,
}

impl Node {
    /// Mutual aid as this node reads it.
    pub fn aid_data(&self, network: &NetworkId) -> Result<Arc<AidData>> {
        self.memoized(|m| &mut m.aid, network, || self.collect_aid(network).map(Arc::new))
    }

    fn collect_aid(&self, network: &NetworkId) -> Result<AidData> {
        let mut data = AidData::default();
        for f in self.store.facts(network, Kind::AidTargets, None)? {
            if let Body::AidTargets(t) = f.body {
                data.targets = t;
            }
        }
        for f in self.store.facts(network, Kind::AidRequest, None)? {
            if let Body::AidRequest(body) = f.body {
                data.requests.push(Held { op: f.op_id, author: f.author, time: f.time, circle: None, body });
            }
        }
        for f in self.store.facts(network, Kind::AidUpdate, None)? {
            if let Body::AidUpdate(body) = f.body {
                let u = UpdateIn { op: f.op_id, author: f.author, seq: f.seq, time: f.time, body };
                data.updates.entry(u.body.request).or_default().push((None, u));
            }
        }
        let mine = self.store.my_agreement_secrets()?;
        let mut keys = std::collections::HashMap::new();
        for f in self.store.facts(network, Kind::AidNote, None)? {
            let Body::AidNote(n) = f.body else { continue };
            let held = match keys.get(&n.circle) {
                Some(k) => k,
                None => keys.entry(n.circle).or_insert(self.store.circle_held_keys(network, &n.circle)?),
            };
            let opened =
                held.iter().filter(|(epoch, _)| *epoch == n.epoch).find_map(|(_, key)| n.open(network, key)).or_else(
                    || mine.iter().find_map(|s| n.open_copy(network, &strike_crypto::AgreementSecret::from_bytes(**s))),
                );
            let (op, author, seq, time, circle) = (f.op_id, f.author, f.seq, f.time, n.circle);
            match opened {
                Some(AidSealed::Request(body)) => {
                    data.requests.push(Held { op, author, time, circle: Some(circle), body });
                }
                Some(AidSealed::Update(body)) => {
                    data.updates
                        .entry(body.request)
                        .or_default()
                        .push((Some(circle), UpdateIn { op, author, seq, time, body }));
                }
                Some(AidSealed::Answer(answer)) => data.answers.push(Answer { op, author, seq, time, circle, answer }),
                None => data.sealed_notes += 1,
            }
        }
        data.requests.sort_by_key(|r| (r.time, r.op));
        let members = self.members(network)?;
        let counted: BTreeSet<AuthorId> =
            members.iter().filter(|m| m.status == Status::Member).map(|m| m.author).collect();
        data.organizers = members
            .iter()
            .filter(|m| m.status == Status::Member && m.role == Role::Organizer)
            .map(|m| m.author)
            .collect();
        data.teams.insert(None, counted.clone());
        for circle in data.requests.iter().filter_map(|r| r.circle) {
            if data.teams.contains_key(&Some(circle)) {
                continue;
            }
            let team = if self.store.circle_held_keys(network, &circle)?.is_empty() {
                counted.clone()
            } else {
                self.store
                    .circle_members(network, &circle)?
                    .into_iter()
                    .filter(|r| r.current && counted.contains(&r.author))
                    .map(|r| r.author)
                    .collect()
            };
            data.teams.insert(Some(circle), team);
        }
        Ok(data)
    }

    /// Where a request stands now: its updates in its own scope, folded.
    pub fn aid_standing(&self, data: &AidData, request: &Held) -> Standing {
        let empty = BTreeSet::new();
        let team = data.teams.get(&request.circle).unwrap_or(&empty);
        let updates: Vec<UpdateIn> = data
            .updates
            .get(&request.op)
            .into_iter()
            .flatten()
            .filter(|(scope, _)| *scope == request.circle)
            .map(|(_, u)| u.clone())
            .collect();
        let responder = |a: &AuthorId| team.contains(a);
        let organizer = |a: &AuthorId| data.organizers.contains(a);
        let roles = Roles { requester: request.author, responder: &responder, organizer: &organizer };
        queue::fold(&request.body, &roles, &updates, &data.targets, CoarseTime::from_unix_seconds(self.now()))
    }

    /// Finds a request this node reads by id prefix (6 hex digits or more).
    pub fn resolve_aid(&self, network: &NetworkId, query: &str) -> Result<(Arc<AidData>, Held)> {
        let prefix = crate::id_prefix(Kind::AidRequest, query)?;
        let data = self.aid_data(network)?;
        let hits: Vec<&Held> = data.requests.iter().filter(|r| prefix.matches(&r.op.0)).collect();
        match hits.as_slice() {
            [one] => {
                let held = (*one).clone();
                Ok((data, held))
            }
            [] => Err(NodeError::NotFound(format!("no request you can read matches {query:?}"))),
            _ => Err(invalid(format!("{query:?} matches more than one request"))),
        }
    }

    /// A circle of this network, or a network this node is in: an escalation target.
    fn aid_target(&self, network: &NetworkId, query: &str) -> Result<[u8; 32]> {
        if let Ok(c) = self.resolve_circle(network, query) {
            return Ok(c.0);
        }
        let q = query.trim();
        for n in self.networks()? {
            if n.id != *network
                && (n.name.as_deref().is_some_and(|name| name.eq_ignore_ascii_case(q)) || n.id.to_hex() == q)
            {
                return Ok(n.id.0);
            }
        }
        // A network this node is not in, by its full id (a hub the requester knows of).
        if let Ok(other) = q.parse::<NetworkId>()
            && other != *network
        {
            return Ok(other.0);
        }
        Err(NodeError::NotFound(format!(
            "{query:?} is neither a circle of this network nor a network you are in (name another network by its full id)"
        )))
    }

    /// Asks for help: in the open, or sealed to a circle (with a copy to this node's author).
    pub fn aid_ask(&mut self, network: &NetworkId, input: &AskInput) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let urgency = match input.urgency.trim() {
            "" => Urgency::Normal,
            u => Urgency::parse(u).map_err(invalid)?,
        };
        let now = self.now();
        let due = match input.by.trim() {
            "" => 0,
            by => CoarseTime::from_unix_seconds(parse_time(by, now).map_err(|e| invalid(format!("needed by: {e}")))?).0,
        };
        let (mut circles, mut networks) = (Vec::new(), Vec::new());
        for target in input.escalate_to.iter().filter(|t| !t.trim().is_empty()) {
            match self.resolve_circle(network, target) {
                Ok(circle) => circles.push(circle),
                Err(_) => networks.push(NetworkId(self.aid_target(network, target)?)),
            }
        }
        let share = if input.share.is_empty() {
            vec!["category".into(), "urgency".into()]
        } else {
            input.share.iter().map(|s| s.trim().to_lowercase()).collect()
        };
        let body = AidRequest {
            category: input.category.trim().to_lowercase(),
            urgency,
            text: input.text.trim().into(),
            place: input.place.trim().into(),
            due,
            circles,
            networks,
            share,
            link: Vec::new(),
        };
        strike_core::body::Fact::check(&body).map_err(NodeError::Refused)?;
        match input.visible_to.trim() {
            "" | "network" => self.author(network, Body::AidRequest(body)),
            circle => {
                let circle = self.resolve_circle(network, circle)?;
                self.seal_aid(network, &circle, &me.agreement, &AidSealed::Request(body))
            }
        }
    }

    /// Seals `what` to a circle's newest entry key, with a copy to `reader`.
    fn seal_aid(&mut self, network: &NetworkId, circle: &OpId, reader: &[u8; 32], what: &AidSealed) -> Result<OpId> {
        let key = self.newest_circle_key(network, circle)?.ok_or_else(|| {
            NodeError::NotAllowed(
                "that circle has no key yet: one of its members' nodes seals one on its next sync".into(),
            )
        })?;
        let reader = strike_crypto::AgreementPublic(*reader);
        let note = AidNote::seal(network, circle, key.epoch, &key.entry_key, &reader, what, &mut rand::rng())
            .map_err(NodeError::Refused)?;
        self.author(network, Body::AidNote(note))
    }

    /// Any step on a request, as [`StepInput`] says.
    pub fn aid_act(&mut self, network: &NetworkId, s: &StepInput) -> Result<OpId> {
        match s.action.as_str() {
            "escalate" => self.aid_escalate(network, &s.request, &s.to, &s.share),
            "supply" => {
                let hub = self.resolve_network(&s.hub)?;
                let input =
                    crate::resources::RequestInput { spec: s.spec.clone(), qty: s.qty.clone(), ..Default::default() };
                self.aid_supply(network, &s.request, &hub, &input).map(|r| r.update)
            }
            "grant" => self.aid_grant(network, &s.request, &s.amount, &s.note),
            action => self.aid_update(network, &s.request, action, &s.note),
        }
    }

    /// A step on a request (claim, progress, note, release, resolve, cancel), refused with the
    /// reason when the fold would not apply it.
    pub fn aid_update(&mut self, network: &NetworkId, request: &str, action: &str, note: &str) -> Result<OpId> {
        let action = Action::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == action.trim())
            .filter(|a| !matches!(a, Action::Escalate | Action::Supplied | Action::Granted))
            .ok_or_else(|| {
                invalid(format!("{action:?}: a step is claim, progress, note, release, resolve or cancel"))
            })?;
        let body = AidUpdate { request: OpId([0; 32]), action, note: note.trim().into(), target: Vec::new() };
        self.aid_step(network, request, body)
    }

    /// Writes an update in the request's scope, after checking the fold takes it.
    fn aid_step(&mut self, network: &NetworkId, request: &str, mut body: AidUpdate) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let (data, held) = self.resolve_aid(network, request)?;
        body.request = held.op;
        strike_core::body::Fact::check(&body).map_err(NodeError::Refused)?;
        // The fold decides: try the step on top of what is there.
        let mut trial = (*data).clone();
        let now = CoarseTime::from_unix_seconds(self.now());
        // After everything of this author's (the step is their newest op).
        let probe = UpdateIn { op: OpId([0xff; 32]), author: me.author, seq: u64::MAX, time: now, body: body.clone() };
        trial.updates.entry(held.op).or_default().push((held.circle, probe));
        let standing = self.aid_standing(&trial, &held);
        let before = self.aid_standing(&data, &held);
        // Someone else's step in this same minute may sort after this one in op order; what
        // this node has already seen closed stays closed for what it writes.
        let closed = before.state.closed().then_some("the request was already closed");
        if let Some(why) =
            closed.or_else(|| standing.history.iter().find(|s| s.op == OpId([0xff; 32])).and_then(|s| s.ignored))
        {
            return Err(NodeError::NotAllowed(format!(
                "that {} would not count: {why} (the request is {})",
                body.action.as_str(),
                before.state.as_str()
            )));
        }
        match held.circle {
            None => self.author(network, Body::AidUpdate(body)),
            Some(circle) => {
                let requester = self
                    .members(network)?
                    .into_iter()
                    .find(|m| m.author == held.author)
                    .ok_or_else(|| NodeError::NotFound("the requester is no longer in the network".into()))?;
                self.seal_aid(network, &circle, &requester.agreement, &AidSealed::Update(body))
            }
        }
    }

    /// Passes a request to a circle or network its requester allowed: a copy carrying only the
    /// fields they let go (to another network) and a link the other side cannot resolve.
    pub fn aid_escalate(&mut self, network: &NetworkId, request: &str, to: &str, share: &[String]) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        let (_, held) = self.resolve_aid(network, request)?;
        let target = self.aid_target(network, to)?;
        if !queue::allowed(&held.body, &target) {
            return Err(NodeError::NotAllowed(format!(
                "the requester did not allow escalating this request to {to:?}"
            )));
        }
        let allowed = &held.body.share;
        let share: Vec<String> = if share.is_empty() {
            allowed.clone()
        } else {
            let asked: Vec<String> = share.iter().map(|s| s.trim().to_lowercase()).collect();
            if let Some(no) = asked.iter().find(|s| !allowed.contains(s)) {
                return Err(NodeError::NotAllowed(format!("the requester did not allow sharing {no:?}")));
            }
            asked
        };
        let salt = self.genesis_salt(network)?;
        let link = strike_core::aid::escalation_link(&salt, &held.op).to_vec();
        let to_circle = held.body.circles.iter().any(|c| c.0 == target);
        let other = self.networks()?.into_iter().find(|n| n.id.0 == target);
        if !to_circle && other.is_none() {
            return Err(NodeError::NotAllowed(
                "this node is not in that network: a responder who is passes the request on".into(),
            ));
        }
        let note = match other.filter(|_| !to_circle) {
            Some(other) => {
                let has = |f: &str| share.iter().any(|s| s == f);
                let copy = AidRequest {
                    category: if has("category") { held.body.category.clone() } else { "other".into() },
                    urgency: if has("urgency") { held.body.urgency } else { Urgency::Normal },
                    text: if has("text") { held.body.text.clone() } else { String::new() },
                    place: if has("where") { held.body.place.clone() } else { String::new() },
                    due: if has("due") { held.body.due } else { 0 },
                    circles: Vec::new(),
                    networks: Vec::new(),
                    share: Vec::new(),
                    link,
                };
                self.require(&other.id, Writer::Member)?;
                let there = self.author(&other.id, Body::AidRequest(copy))?;
                format!("escalated to {} as {}", other.name.unwrap_or_default(), there.short())
            }
            None => {
                // Another circle of this network: the whole request, sealed to it, with a copy
                // to the requester.
                let circle = OpId(target);
                let requester = self
                    .members(network)?
                    .into_iter()
                    .find(|m| m.author == held.author)
                    .ok_or_else(|| NodeError::NotFound("the requester is no longer in the network".into()))?;
                let copy = AidRequest { link, ..held.body.clone() };
                self.seal_aid(network, &circle, &requester.agreement, &AidSealed::Request(copy))?;
                format!("escalated to the circle {}", self.circle(network, &circle)?.name)
            }
        };
        let body = AidUpdate { request: held.op, action: Action::Escalate, note, target: target.to_vec() };
        self.aid_step(network, &held.op.to_hex(), body)
    }

    fn genesis_salt(&self, network: &NetworkId) -> Result<[u8; 16]> {
        Ok(self.genesis(network)?.salt)
    }

    /// Fulfils a request from a hub's stock: a resource request in the hub network for the
    /// requester's need (without their words), committed from the plan when this node keeps the
    /// hub, recorded on the request.
    pub fn aid_supply(
        &mut self,
        network: &NetworkId,
        request: &str,
        hub: &NetworkId,
        input: &crate::resources::RequestInput,
    ) -> Result<Supplied> {
        self.require(network, Writer::Member)?;
        let (_, held) = self.resolve_aid(network, request)?;
        let input = crate::resources::RequestInput {
            urgency: held.body.urgency.as_str().into(),
            note: if input.note.trim().is_empty() { "For a mutual aid request".into() } else { input.note.clone() },
            ..input.clone()
        };
        let asked = self.request_supplies(hub, &input)?;
        let mut commitments = Vec::new();
        if self.require(hub, Writer::Organizer).is_ok() {
            let plan = self.plan(hub)?;
            let bodies: Vec<Body> = plan
                .allocations
                .iter()
                .filter(|a| a.request_id == asked.to_hex())
                .filter_map(|a| {
                    let lot = a.lot_id.parse::<OpId>().ok()?;
                    Some(Body::Commitment(strike_core::body::Commitment { request: asked, lot, qty: a.qty }))
                })
                .collect();
            if !bodies.is_empty() {
                commitments = self.author_many(hub, bodies)?;
            }
        }
        let body = AidUpdate {
            request: held.op,
            action: Action::Supplied,
            note: format!("asked of the hub as {}", asked.short()),
            target: asked.0.to_vec(),
        };
        let update = self.aid_step(network, &held.op.to_hex(), body)?;
        Ok(Supplied { update, hub_request: asked, commitments })
    }

    /// Asks the fund for a hardship grant for the requester: a claim sealed to the treasurers
    /// that still needs the fund's approvals; the payout commits to the requester.
    pub fn aid_grant(&mut self, network: &NetworkId, request: &str, amount: &str, why: &str) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        let (_, held) = self.resolve_aid(network, request)?;
        let reason = match why.trim() {
            "" => format!("Mutual aid ({}): {}", held.body.category, held.body.text),
            w => w.to_owned(),
        };
        let reason: String = reason
            .chars()
            .scan(0, |n, c| {
                *n += c.len_utf8();
                (*n <= strike_core::fund::MAX_REASON_LEN).then_some(c)
            })
            .collect();
        let input = crate::fund::ClaimInput { amount: amount.into(), hardship: reason, ..Default::default() };
        let claim = self.fund_claim_for(network, &input, Some(held.author))?;
        let body = AidUpdate {
            request: held.op,
            action: Action::Granted,
            note: format!("a hardship claim of {amount} waits for the treasurers' approvals"),
            target: claim.0.to_vec(),
        };
        self.aid_step(network, &held.op.to_hex(), body)
    }

    /// Sets the response targets per urgency (organizers): `1h`, `12h`, `3d`.
    pub fn aid_set_targets(&mut self, network: &NetworkId, critical: &str, high: &str, normal: &str) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let current = self.aid_data(network)?.targets;
        let minutes = |text: &str, default: u32| -> Result<u32> {
            if text.trim().is_empty() {
                return Ok(default);
            }
            let secs = strike_core::parse_duration(text.trim())
                .ok_or_else(|| invalid(format!("{text:?} is not a duration: 1h, 12h, 3d")))?;
            Ok(u32::try_from(secs / 60).unwrap_or(u32::MAX))
        };
        let targets = AidTargets {
            critical: minutes(critical, current.critical)?,
            high: minutes(high, current.high)?,
            normal: minutes(normal, current.normal)?,
        };
        strike_core::body::Fact::check(&targets).map_err(NodeError::Refused)?;
        self.author(network, Body::AidTargets(targets))
    }
}
