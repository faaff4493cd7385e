//! The events area: organizers set out meetings, pickets, trainings, socials and actions;
//! members answer going, maybe or no, and sign up for (and leave) a picket's or an action's
//! shifts. What people type into an event ([`EventSpec`]) is read here once, for the CLI, the
//! forms and the JSON API alike; who is on each shift comes from the core's one fold
//! ([`strike_core::events::fill`]), so every node shows the same fill.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use strike_core::events::{self, Answer, Event, EventCancel, EventKind, Rsvp, ShiftInput, ShiftSignup, SignupEvent};
use strike_core::membership::Status;
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId, Writer, parse_time};

use crate::{Node, NodeError, Result};

fn invalid(message: impl Into<String>) -> NodeError {
    NodeError::InvalidInput(message.into())
}

/// An event as people write it: the CLI's flags, the form's fields, the API's body.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// meeting, picket, training, social or action
    pub kind: String,
    pub title: String,
    /// `2026-12-15T18:00` (UTC), or from now as `3d`
    pub start: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub note: String,
    /// A picket's or an action's shifts, on the event's day.
    #[serde(default)]
    pub shifts: Vec<ShiftInput>,
}

impl EventSpec {
    /// The event it describes, checked, as of `now` (unix seconds): it starts in the future.
    pub fn build(&self, now: u64) -> Result<Event> {
        let kind = EventKind::parse(&self.kind).map_err(invalid)?;
        let start = parse_time(&self.start, now).map_err(invalid)?;
        if start < now {
            return Err(invalid(format!(
                "the event would start in the past ({})",
                CoarseTime::from_unix_seconds(start)
            )));
        }
        let start = CoarseTime::from_unix_seconds(start).0;
        if !kind.has_shifts() && !self.shifts.is_empty() {
            return Err(invalid(format!("a {} has no shifts (pickets and actions do)", kind.as_str())));
        }
        let shifts = self.shifts.iter().map(|s| s.build(start)).collect::<std::result::Result<Vec<_>, _>>();
        Ok(Event {
            kind,
            title: self.title.trim().into(),
            start,
            place: self.place.trim().into(),
            note: self.note.trim().into(),
            shifts: shifts.map_err(invalid)?,
        })
    }
}

/// One shift as shown: its fill and who is on it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ShiftView {
    /// 1, 2, ...: what `shift signup` takes.
    pub number: u16,
    pub gate: String,
    pub start: u64,
    pub end: u64,
    /// `North gate 05:30-09:00`
    pub label: String,
    pub needed: u16,
    /// People on the shift, at most `needed`.
    pub on: Vec<String>,
    /// Signed up beyond `needed`, in the order they move up.
    pub standby: Vec<String>,
    /// `on`, `standby` or none: where this node's member stands.
    pub me: Option<&'static str>,
    /// `North gate 05:30-09:00: 2 of 4`
    pub fill: String,
    pub short: bool,
}

/// An event as shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    /// Short id (what commands take).
    pub id: String,
    pub op_id: String,
    pub kind: &'static str,
    pub title: String,
    pub start: u64,
    pub place: String,
    pub note: String,
    pub by: String,
    /// Set when an organizer called it off, with their reason.
    pub cancelled: Option<String>,
    pub going: u64,
    pub maybe: u64,
    pub no: u64,
    /// This node's member's answer.
    pub my_answer: Option<&'static str>,
    pub shifts: Vec<ShiftView>,
    /// The fill of the shifts still short of people.
    pub short_shifts: Vec<String>,
}

impl Node {
    /// Sets out an event (organizers).
    pub fn create_event(&mut self, network: &NetworkId, spec: &EventSpec) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let event = spec.build(self.now())?;
        self.author(network, Body::Event(event))
    }

    /// Finds an event by its id or an id prefix.
    pub fn resolve_event(&self, network: &NetworkId, query: &str) -> Result<OpId> {
        self.resolve_fact(network, Kind::Event, query)
    }

    /// Finds an event by id prefix in any network this node is in.
    pub fn find_event(&self, query: &str) -> Result<(NetworkId, OpId)> {
        self.find_fact(Kind::Event, "event", query)
    }

    /// Answers an event: going, maybe or no (the last answer stands).
    pub fn rsvp(&mut self, network: &NetworkId, event: &OpId, answer: Answer) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        self.open_event(network, event)?;
        self.author(network, Body::Rsvp(Rsvp { event: *event, answer }))
    }

    /// Signs up for shift `number` (1, 2, ...) of an event, or (`joined == false`) leaves it.
    /// A full shift, one that has ended, or leaving a shift one is not on is refused.
    pub fn shift_signup(&mut self, network: &NetworkId, event: &OpId, number: u16, joined: bool) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let body = self.open_event(network, event)?;
        let index = number.checked_sub(1).filter(|i| usize::from(*i) < body.shifts.len()).ok_or_else(|| {
            let n = body.shifts.len();
            match n {
                0 => invalid(format!("{} has no shifts", body.title)),
                _ => NodeError::NotFound(format!("{} has shifts 1 to {n}, not {number}", body.title)),
            }
        })?;
        let shift = &body.shifts[usize::from(index)];
        if CoarseTime::from_unix_seconds(self.now()).0 >= shift.end {
            return Err(NodeError::NotAllowed(format!("the shift {} is over", shift.label())));
        }
        let members: HashSet<AuthorId> = self.current_members(network)?.into_keys().collect();
        let fill = &self.fills(network, event, &body, &members)?[usize::from(index)];
        let listed = fill.on.contains(&me.author) || fill.standby.contains(&me.author);
        match (joined, listed) {
            (true, true) => return Err(invalid(format!("you are already signed up for {}", shift.label()))),
            (false, false) => return Err(invalid(format!("you are not signed up for {}", shift.label()))),
            (true, false) if fill.on.len() >= usize::from(shift.needed) => {
                return Err(NodeError::NotAllowed(format!(
                    "{} is full ({} of {}): pick another shift",
                    shift.label(),
                    fill.on.len(),
                    shift.needed
                )));
            }
            _ => {}
        }
        self.author(network, Body::ShiftSignup(ShiftSignup { event: *event, shift: index, joined }))
    }

    /// Calls an event off (organizers).
    pub fn cancel_event(&mut self, network: &NetworkId, event: &OpId, reason: &str) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        self.open_event(network, event)?;
        self.author(network, Body::EventCancel(EventCancel { event: *event, reason: reason.trim().into() }))
    }

    /// Every event of the network, soonest first.
    pub fn events(&self, network: &NetworkId) -> Result<Vec<EventView>> {
        self.event_views(network, |_| true)
    }

    /// Events not called off that have not ended yet, soonest first.
    pub fn upcoming_events(&self, network: &NetworkId, limit: usize) -> Result<Vec<EventView>> {
        let now = CoarseTime::from_unix_seconds(self.now()).0;
        // An event without shifts is taken to last three hours.
        let ends = |e: &Event| e.shifts.iter().map(|s| s.end).max().unwrap_or(e.start + 3 * 60);
        let upcoming = self.event_views(network, |e| ends(e) > now)?;
        Ok(upcoming.into_iter().filter(|e| e.cancelled.is_none()).take(limit).collect())
    }

    /// The views of the events `keep` accepts, soonest first; only those are folded, and the
    /// member list is read only if there is one.
    fn event_views(&self, network: &NetworkId, keep: impl Fn(&Event) -> bool) -> Result<Vec<EventView>> {
        let mut kept: Vec<_> = self
            .store
            .facts(network, Kind::Event, None)?
            .into_iter()
            .filter_map(|f| match f.body {
                Body::Event(e) if keep(&e) => Some((f.op_id, f.author, e)),
                _ => None,
            })
            .collect();
        kept.sort_by_key(|(id, _, e)| (e.start, id.0));
        if kept.is_empty() {
            return Ok(Vec::new());
        }
        let members = self.current_members(network)?;
        kept.iter().map(|(id, author, e)| self.event_view(network, id, *author, e, &members)).collect()
    }

    /// One event.
    pub fn event(&self, network: &NetworkId, event: &OpId) -> Result<EventView> {
        let (author, body) = self.event_body(network, event)?;
        self.event_view(network, event, author, &body, &self.current_members(network)?)
    }

    /// The event's body if it counts (its author an organizer within their standing).
    fn event_body(&self, network: &NetworkId, event: &OpId) -> Result<(AuthorId, Event)> {
        self.store
            .facts(network, Kind::Event, None)?
            .into_iter()
            .find(|f| f.op_id == *event)
            .and_then(|f| match f.body {
                Body::Event(e) => Some((f.author, e)),
                _ => None,
            })
            .ok_or_else(|| NodeError::NotFound(format!("no event {} in this network", event.short())))
    }

    /// The event, if it is not called off.
    fn open_event(&self, network: &NetworkId, event: &OpId) -> Result<Event> {
        let (_, body) = self.event_body(network, event)?;
        if self.cancellation(network, event)?.is_some() {
            return Err(NodeError::NotAllowed(format!("{} was called off", body.title)));
        }
        Ok(body)
    }

    fn cancellation(&self, network: &NetworkId, event: &OpId) -> Result<Option<String>> {
        Ok(self.store.facts(network, Kind::EventCancel, Some(&event.0))?.into_iter().find_map(|f| match f.body {
            Body::EventCancel(c) => Some(c.reason),
            _ => None,
        }))
    }

    fn current_members(&self, network: &NetworkId) -> Result<HashMap<AuthorId, String>> {
        Ok(self
            .members(network)?
            .into_iter()
            .filter(|m| m.status == Status::Member)
            .map(|m| (m.author, crate::networks::display_name(&m)))
            .collect())
    }

    fn fills(
        &self,
        network: &NetworkId,
        event: &OpId,
        body: &Event,
        members: &HashSet<AuthorId>,
    ) -> Result<Vec<events::Fill>> {
        let signups: Vec<SignupEvent> = self
            .store
            .facts(network, Kind::ShiftSignup, Some(&event.0))?
            .into_iter()
            .filter_map(|f| match f.body {
                Body::ShiftSignup(s) => {
                    Some(SignupEvent { author: f.author, seq: f.seq, time: f.time, shift: s.shift, joined: s.joined })
                }
                _ => None,
            })
            .collect();
        Ok(events::fill(body, &signups, members))
    }

    /// The view of one event, given the current members and their names.
    fn event_view(
        &self,
        network: &NetworkId,
        id: &OpId,
        author: AuthorId,
        e: &Event,
        members: &HashMap<AuthorId, String>,
    ) -> Result<EventView> {
        let me = self.network(network)?.my_author;
        let name = |a: &AuthorId| members.get(a).cloned().unwrap_or_else(|| a.short());
        // The last answer of each current member stands.
        let mut answers: HashMap<AuthorId, Answer> = HashMap::new();
        for f in self.store.facts(network, Kind::Rsvp, Some(&id.0))? {
            if let Body::Rsvp(r) = f.body
                && members.contains_key(&f.author)
            {
                answers.insert(f.author, r.answer);
            }
        }
        let count = |a: Answer| answers.values().filter(|x| **x == a).count() as u64;
        let fills = self.fills(network, id, e, &members.keys().copied().collect())?;
        let shifts: Vec<ShiftView> = e
            .shifts
            .iter()
            .zip(&fills)
            .enumerate()
            .map(|(i, (s, f))| ShiftView {
                number: i as u16 + 1,
                gate: s.gate.clone(),
                start: CoarseTime(s.start).unix_seconds(),
                end: CoarseTime(s.end).unix_seconds(),
                label: s.label(),
                needed: s.needed,
                on: f.on.iter().map(name).collect(),
                standby: f.standby.iter().map(name).collect(),
                me: me.and_then(|m| {
                    if f.on.contains(&m) {
                        Some("on")
                    } else if f.standby.contains(&m) {
                        Some("standby")
                    } else {
                        None
                    }
                }),
                fill: format!("{}: {} of {}", s.label(), f.on.len(), s.needed),
                short: f.on.len() < usize::from(s.needed),
            })
            .collect();
        Ok(EventView {
            id: id.short(),
            op_id: id.to_hex(),
            kind: e.kind.as_str(),
            title: e.title.clone(),
            start: CoarseTime(e.start).unix_seconds(),
            place: e.place.clone(),
            note: e.note.clone(),
            by: name(&author),
            cancelled: self.cancellation(network, id)?,
            going: count(Answer::Going),
            maybe: count(Answer::Maybe),
            no: count(Answer::No),
            my_answer: me.and_then(|m| answers.get(&m)).map(|a| a.as_str()),
            short_shifts: shifts.iter().filter(|s| s.short).map(|s| s.fill.clone()).collect(),
            shifts,
        })
    }
}
