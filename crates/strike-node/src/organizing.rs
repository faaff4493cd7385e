//! Directory, strike calls, pledges, campaign and readiness: commands and the queries that
//! fold the stored facts through the core's pure functions.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use strike_core::body::{Assessment, Contact, ContactNote, Cover, CoverClose, CoverKind, Profile, Skill};
use strike_core::calls::{self, Call, CallStatus, Checkpoint, Person, Pledge, Roster, Tally};
use strike_core::campaign::{self, Campaign, Countdown, Measures};
use strike_core::directory::{Slots, place_matches};
use strike_core::membership::Status;
use strike_core::{AuthorId, Body, CoarseTime, NetworkId, OpId};
use strike_store::FactRow;

use crate::{Node, NodeError, Result};

/// A member's current profile and skills.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub author: String,
    pub pseudonym: String,
    pub profile: Profile,
    pub skills: Vec<String>,
}

/// An open cover offer or need.
#[derive(Debug, Clone, Serialize)]
pub struct CoverView {
    pub id: String,
    pub author: String,
    pub who: String,
    pub need: bool,
    pub kind: &'static str,
    pub when: String,
    pub place: String,
    pub note: String,
}

/// A contact with their latest assessment and history.
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub id: String,
    pub name: String,
    pub workplace: String,
    pub department: String,
    pub shift: String,
    pub role: String,
    /// Latest 1-5 assessment.
    pub support: Option<u8>,
    /// (coarse minute, level, note), oldest first.
    pub assessments: Vec<(u32, u8, String)>,
    /// (coarse minute, text), oldest first.
    pub notes: Vec<(u32, String)>,
}

/// One cell of the workplace map.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MapCell {
    pub members: u64,
    /// Contacts by their latest support level (index 0 = level 1); `unassessed` otherwise.
    pub by_support: [u64; 5],
    pub unassessed: u64,
}

/// Departments x shifts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorkplaceMap {
    pub departments: Vec<String>,
    pub shifts: Vec<String>,
    /// `cells[d][s]`.
    pub cells: Vec<Vec<MapCell>>,
}

/// A call and where it stands. Serializes as the CLI's `--json` and the web API show it:
/// the full id as `id`, the short one as `short_id`, the deadline in unix seconds and the
/// status beside the tally.
#[derive(Debug, Clone)]
pub struct CallView {
    pub id: String,
    pub op: OpId,
    pub kind: &'static str,
    pub title: String,
    pub demands: Vec<String>,
    pub scope: String,
    pub deadline: u32,
    pub exempt_roles: Vec<String>,
    pub tally: Tally,
    /// This node's own pledge stands.
    pub my_pledge: bool,
    /// The checkpoint that closed the count, if one did.
    pub closed_by: Option<String>,
}

impl Serialize for CallView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            id: String,
            short_id: &'a str,
            kind: &'a str,
            title: &'a str,
            demands: &'a [String],
            scope: &'a str,
            deadline: u64,
            exempt_roles: &'a [String],
            status: &'a str,
            tally: &'a Tally,
            my_pledge: bool,
            closed_by: &'a Option<String>,
        }
        Json {
            id: self.op.to_hex(),
            short_id: &self.id,
            kind: self.kind,
            title: &self.title,
            demands: &self.demands,
            scope: &self.scope,
            deadline: CoarseTime(self.deadline).unix_seconds(),
            exempt_roles: &self.exempt_roles,
            status: self.tally.status.as_str(),
            tally: &self.tally,
            my_pledge: self.my_pledge,
            closed_by: &self.closed_by,
        }
        .serialize(serializer)
    }
}

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

/// What every call of a network is evaluated against.
struct CallContext {
    roster: Roster,
    me: Option<AuthorId>,
    standing: HashMap<AuthorId, u64>,
    checkpoints: Vec<FactRow>,
}

/// One call's inputs to the trigger.
struct CallInputs {
    call: Call,
    closing: Option<OpId>,
    cut: Option<calls::Cut>,
    events: Vec<calls::PledgeEvent>,
}

/// The first counted organizer checkpoint of a call written at or after its deadline.
fn closing_checkpoint(checkpoints: &[FactRow], call_id: &OpId, call: &Call) -> Option<OpId> {
    checkpoints
        .iter()
        .filter(|f| matches!(&f.body, Body::Checkpoint(c) if c.call == call_id.0) && f.time.0 >= call.deadline)
        .min_by_key(|f| (f.time, f.op_id))
        .map(|f| f.op_id)
}

fn short(id: &OpId) -> String {
    id.short()
}

impl Node {
    /// Resolves an op of `kind` by its id or a unique prefix of at least 6 hex digits.
    pub fn resolve_fact(&self, network: &NetworkId, kind: &str, query: &str) -> Result<OpId> {
        let prefix = id_prefix(kind, query)?;
        self.network(network)?;
        match self.store.fact_ids_with_prefix(network, kind, &prefix)?.as_slice() {
            [one] => Ok(*one),
            [] => Err(NodeError::NotFound(format!("no {kind} matches {query:?}"))),
            _ => Err(NodeError::InvalidInput(format!("{query:?} matches more than one {kind}"))),
        }
    }

    /// Finds the network holding a call with this id (prefix), among the networks held.
    pub fn find_call(&self, query: &str) -> Result<(NetworkId, OpId)> {
        let prefix = id_prefix("call", query)?;
        let mut hits = Vec::new();
        for n in self.networks()? {
            for id in self.store.fact_ids_with_prefix(&n.id, "call", &prefix)? {
                hits.push((n.id, id));
            }
        }
        match hits.as_slice() {
            [one] => Ok(*one),
            [] => Err(NodeError::NotFound(format!("no strike call matches {query:?}"))),
            _ => Err(NodeError::InvalidInput(format!("{query:?} matches more than one strike call"))),
        }
    }

    // ---- directory ----

    /// Sets this node's profile: fields given replace the old ones, the rest stay.
    pub fn set_profile(&mut self, network: &NetworkId, update: impl FnOnce(&mut Profile)) -> Result<OpId> {
        let me = self.require_member(network, false)?;
        let mut profile = self.latest_profiles(network)?.remove(&me.author).unwrap_or_default();
        if profile.pseudonym.is_empty() {
            profile.pseudonym = me.pseudonym.clone();
        }
        update(&mut profile);
        self.author(network, Body::Profile(profile))
    }

    pub fn set_skill(&mut self, network: &NetworkId, skill: &str, has: bool) -> Result<OpId> {
        self.require_member(network, false)?;
        self.author(network, Body::Skill(Skill { skill: skill.trim().to_lowercase(), has }))
    }

    /// Offers (`need == false`) or asks for cover.
    pub fn add_cover(
        &mut self,
        network: &NetworkId,
        need: bool,
        kind: CoverKind,
        when: &str,
        place: &str,
        note: &str,
    ) -> Result<OpId> {
        self.require_member(network, false)?;
        let slots = Slots::parse(when).map_err(NodeError::InvalidInput)?;
        let cover = Cover { kind, when: slots.to_string(), place: place.trim().into(), note: note.trim().into() };
        self.author(network, if need { Body::CoverNeed(cover) } else { Body::CoverOffer(cover) })
    }

    pub fn close_cover(&mut self, network: &NetworkId, item: &OpId) -> Result<OpId> {
        let me = self.require_member(network, false)?;
        match self.store.fact(network, item)? {
            Some((author, Body::CoverOffer(_) | Body::CoverNeed(_))) if author == me.author => {}
            Some(_) => return Err(NodeError::NotAllowed("you can only close your own offers and needs".into())),
            None => return Err(NodeError::NotFound("no such cover offer or need".into())),
        }
        self.author(network, Body::CoverClose(CoverClose { item: item.0 }))
    }

    /// Each counted member's latest profile.
    pub fn latest_profiles(&self, network: &NetworkId) -> Result<HashMap<AuthorId, Profile>> {
        self.memoized(
            |m| &mut m.profiles,
            network,
            || {
                let mut out: HashMap<AuthorId, (u64, Profile)> = HashMap::new();
                for f in self.store.facts(network, "profile", None, false)? {
                    if let Body::Profile(p) = f.body
                        && out.get(&f.author).is_none_or(|(seq, _)| f.seq > *seq)
                    {
                        out.insert(f.author, (f.seq, p));
                    }
                }
                Ok(out.into_iter().map(|(a, (_, p))| (a, p)).collect())
            },
        )
    }

    /// Each counted member's skills.
    pub fn skills(&self, network: &NetworkId) -> Result<HashMap<AuthorId, Vec<String>>> {
        let mut latest: HashMap<(AuthorId, String), (u64, bool)> = HashMap::new();
        for f in self.store.facts(network, "skill", None, false)? {
            if let Body::Skill(s) = f.body {
                let slot = latest.entry((f.author, s.skill)).or_insert((0, false));
                if f.seq > slot.0 {
                    *slot = (f.seq, s.has);
                }
            }
        }
        let mut out: HashMap<AuthorId, Vec<String>> = HashMap::new();
        for ((author, skill), (_, has)) in latest {
            if has {
                out.entry(author).or_default().push(skill);
            }
        }
        for skills in out.values_mut() {
            skills.sort();
        }
        Ok(out)
    }

    /// The directory: current members with their profiles and skills.
    pub fn directory(&self, network: &NetworkId) -> Result<Vec<ProfileView>> {
        let profiles = self.latest_profiles(network)?;
        let mut skills = self.skills(network)?;
        let mut out = Vec::new();
        for m in self.members(network)?.into_iter().filter(|m| m.status == Status::Member) {
            let p = profiles.get(&m.author);
            out.push(ProfileView {
                author: m.author.to_hex(),
                pseudonym: m.name.clone(),
                profile: p.cloned().unwrap_or_default(),
                skills: skills.remove(&m.author).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// Open cover offers and needs of current members.
    pub fn covers(&self, network: &NetworkId) -> Result<Vec<CoverView>> {
        let members: HashMap<AuthorId, String> = self
            .members(network)?
            .into_iter()
            .filter(|m| m.status == Status::Member)
            .map(|m| (m.author, crate::network::display_name(&m)))
            .collect();
        let closed: HashSet<(AuthorId, [u8; 32])> = self
            .store
            .facts(network, "cover_close", None, false)?
            .into_iter()
            .filter_map(|f| if let Body::CoverClose(c) = f.body { Some((f.author, c.item)) } else { None })
            .collect();
        let mut out = Vec::new();
        for kind in ["cover_offer", "cover_need"] {
            for f in self.store.facts(network, kind, None, false)? {
                let (Body::CoverOffer(c) | Body::CoverNeed(c)) = &f.body else { continue };
                let Some(who) = members.get(&f.author) else { continue };
                if closed.contains(&(f.author, f.op_id.0)) {
                    continue;
                }
                out.push(CoverView {
                    id: short(&f.op_id),
                    author: f.author.to_hex(),
                    who: who.clone(),
                    need: kind == "cover_need",
                    kind: c.kind.as_str(),
                    when: c.when.clone(),
                    place: c.place.clone(),
                    note: c.note.clone(),
                });
            }
        }
        Ok(out)
    }

    /// Who can cover `kind` at `when` (and `place`): open offers that cover it.
    pub fn find_cover(&self, network: &NetworkId, kind: CoverKind, when: &str, place: &str) -> Result<Vec<CoverView>> {
        let need = Slots::parse(when).map_err(NodeError::InvalidInput)?;
        Ok(self
            .covers(network)?
            .into_iter()
            .filter(|c| {
                !c.need
                    && c.kind == kind.as_str()
                    && Slots::parse(&c.when).is_ok_and(|s| s.covers(&need))
                    && place_matches(&c.place, place)
            })
            .collect())
    }

    /// (needs covered, open needs, open offers) per kind.
    pub fn cover_coverage(&self, network: &NetworkId) -> Result<Vec<(CoverKind, u64, u64, u64)>> {
        let all = self.covers(network)?;
        let mut out = Vec::new();
        for kind in CoverKind::ALL {
            let offers: Vec<&CoverView> = all.iter().filter(|c| !c.need && c.kind == kind.as_str()).collect();
            let needs: Vec<&CoverView> = all.iter().filter(|c| c.need && c.kind == kind.as_str()).collect();
            let covered = needs
                .iter()
                .filter(|n| {
                    let Ok(want) = Slots::parse(&n.when) else { return false };
                    offers.iter().any(|o| {
                        o.author != n.author
                            && Slots::parse(&o.when).is_ok_and(|s| s.covers(&want))
                            && place_matches(&o.place, &n.place)
                    })
                })
                .count() as u64;
            out.push((kind, covered, needs.len() as u64, offers.len() as u64));
        }
        Ok(out)
    }

    pub fn add_contact(&mut self, network: &NetworkId, contact: Contact) -> Result<OpId> {
        self.require_member(network, true)?;
        self.author(network, Body::Contact(contact))
    }

    pub fn note_contact(&mut self, network: &NetworkId, contact: &OpId, text: &str) -> Result<OpId> {
        self.require_member(network, true)?;
        self.author(network, Body::ContactNote(ContactNote { contact: contact.0, text: text.trim().into() }))
    }

    pub fn assess(&mut self, network: &NetworkId, contact: &OpId, level: u8, note: &str) -> Result<OpId> {
        self.require_member(network, true)?;
        self.author(network, Body::Assessment(Assessment { contact: contact.0, level, note: note.trim().into() }))
    }

    /// Organizers' contacts with their assessments and notes.
    pub fn contacts(&self, network: &NetworkId) -> Result<Vec<ContactView>> {
        let mut out: BTreeMap<OpId, ContactView> = BTreeMap::new();
        for f in self.store.facts(network, "contact", None, true)? {
            if let Body::Contact(c) = f.body {
                out.insert(
                    f.op_id,
                    ContactView {
                        id: short(&f.op_id),
                        name: c.name,
                        workplace: c.workplace,
                        department: c.department,
                        shift: c.shift,
                        role: c.role,
                        support: None,
                        assessments: Vec::new(),
                        notes: Vec::new(),
                    },
                );
            }
        }
        // Facts come oldest first, so the last assessment is the latest.
        for f in self.store.facts(network, "assessment", None, true)? {
            if let Body::Assessment(a) = f.body
                && let Some(c) = out.get_mut(&OpId(a.contact))
            {
                c.support = Some(a.level);
                c.assessments.push((f.time.0, a.level, a.note));
            }
        }
        for f in self.store.facts(network, "contact_note", None, true)? {
            if let Body::ContactNote(n) = f.body
                && let Some(c) = out.get_mut(&OpId(n.contact))
            {
                c.notes.push((f.time.0, n.text));
            }
        }
        let mut out: Vec<ContactView> = out.into_values().collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The workplace map: departments x shifts, members and contacts by support level.
    pub fn workplace_map(&self, network: &NetworkId) -> Result<WorkplaceMap> {
        let profiles = self.latest_profiles(network)?;
        let members: Vec<Profile> = self
            .members(network)?
            .into_iter()
            .filter(|m| m.status == Status::Member)
            .filter_map(|m| profiles.get(&m.author).cloned())
            .collect();
        let contacts = self.contacts(network)?;
        let label = |s: &str| if s.is_empty() { "(unknown)".to_string() } else { s.to_string() };
        let mut departments: Vec<String> =
            members.iter().map(|p| label(&p.department)).chain(contacts.iter().map(|c| label(&c.department))).collect();
        let mut shifts: Vec<String> =
            members.iter().map(|p| label(&p.shift)).chain(contacts.iter().map(|c| label(&c.shift))).collect();
        departments.sort();
        departments.dedup();
        shifts.sort();
        shifts.dedup();
        let mut cells = vec![vec![MapCell::default(); shifts.len()]; departments.len()];
        let at = |d: &str, s: &str| {
            (
                departments.iter().position(|x| *x == label(d)).unwrap_or(0),
                shifts.iter().position(|x| *x == label(s)).unwrap_or(0),
            )
        };
        for p in &members {
            let (d, s) = at(&p.department, &p.shift);
            cells[d][s].members += 1;
        }
        for c in &contacts {
            let (d, s) = at(&c.department, &c.shift);
            match c.support {
                Some(level @ 1..=5) => cells[d][s].by_support[usize::from(level - 1)] += 1,
                _ => cells[d][s].unassessed += 1,
            }
        }
        Ok(WorkplaceMap { departments, shifts, cells })
    }

    // ---- calls ----

    /// Opens a strike call (organizers).
    pub fn create_call(&mut self, network: &NetworkId, call: Call) -> Result<OpId> {
        self.require_member(network, true)?;
        if call.deadline <= CoarseTime::from_unix_seconds(self.now()).0 {
            return Err(NodeError::InvalidInput("the deadline must be in the future".into()));
        }
        self.author(network, Body::Call(call))
    }

    /// The roster calls are counted against: current members (never pending, removed or
    /// equivocating authors) with their profiles, and the organizers' contacts.
    pub fn roster(&self, network: &NetworkId) -> Result<Roster> {
        let profiles = self.latest_profiles(network)?;
        let equivocators = self.store.equivocators(network)?;
        let mut roster = Roster::default();
        for m in self.members(network)? {
            if m.status == Status::Member && !equivocators.contains(&m.author) {
                let person = profiles.get(&m.author).map(|p| Person {
                    workplace: p.workplace.clone(),
                    department: p.department.clone(),
                    shift: p.shift.clone(),
                    role: p.role.clone(),
                });
                roster.members.insert(m.author, person);
            }
        }
        roster.contacts = self
            .contacts(network)?
            .into_iter()
            .map(|c| Person { workplace: c.workplace, department: c.department, shift: c.shift, role: c.role })
            .collect();
        Ok(roster)
    }

    /// Every call of a network with its tally, newest first.
    pub fn calls(&self, network: &NetworkId) -> Result<Vec<CallView>> {
        let ctx = self.call_context(network)?;
        let mut out = Vec::new();
        for f in self.store.facts(network, "call", None, true)?.into_iter().rev() {
            out.push(self.call_view(network, &f, &ctx)?);
        }
        Ok(out)
    }

    pub fn call(&self, network: &NetworkId, call: &OpId) -> Result<CallView> {
        let ctx = self.call_context(network)?;
        self.call_view(network, &self.call_fact(network, call)?, &ctx)
    }

    /// A call with its counted pledges over time, `(unix seconds, counted)` after every
    /// change: the same replay as its tally, so the line ends at `tally.counted`.
    pub fn call_detail(&self, network: &NetworkId, call: &OpId) -> Result<(CallView, Vec<(u64, u64)>)> {
        let ctx = self.call_context(network)?;
        let f = self.call_fact(network, call)?;
        let mut inputs = self.call_inputs(network, &f, &ctx)?;
        let mut events = inputs.events.clone();
        let timeline = calls::timeline(&inputs.call, &ctx.roster, &mut events, inputs.cut.as_ref())
            .into_iter()
            .map(|(t, n)| (CoarseTime(t).unix_seconds(), n))
            .collect();
        Ok((self.view_of(&f, &mut inputs, &ctx), timeline))
    }

    fn call_fact(&self, network: &NetworkId, call: &OpId) -> Result<FactRow> {
        self.store
            .facts(network, "call", None, true)?
            .into_iter()
            .find(|f| f.op_id == *call)
            .ok_or_else(|| NodeError::NotFound("no such strike call (or it does not count)".into()))
    }

    fn call_context(&self, network: &NetworkId) -> Result<CallContext> {
        Ok(CallContext {
            roster: self.roster(network)?,
            me: self.network(network)?.my_author,
            standing: self.store.standing(network)?,
            checkpoints: self.store.facts(network, "checkpoint", None, true)?,
        })
    }

    /// What a call is evaluated from: the call, its closing checkpoint and cut, its pledges.
    fn call_inputs(&self, network: &NetworkId, f: &FactRow, ctx: &CallContext) -> Result<CallInputs> {
        let Body::Call(call) = &f.body else { return Err(NodeError::NotFound("not a call".into())) };
        let closing = closing_checkpoint(&ctx.checkpoints, &f.op_id, call);
        let cut = match &closing {
            Some(cp) => Some(self.store.checkpoint_cut(network, cp)?),
            None => None,
        };
        let events = self.store.pledge_events_with(network, &f.op_id, &ctx.standing)?;
        Ok(CallInputs { call: call.clone(), closing, cut, events })
    }

    fn call_view(&self, network: &NetworkId, f: &FactRow, ctx: &CallContext) -> Result<CallView> {
        let mut inputs = self.call_inputs(network, f, ctx)?;
        Ok(self.view_of(f, &mut inputs, ctx))
    }

    fn view_of(&self, f: &FactRow, inputs: &mut CallInputs, ctx: &CallContext) -> CallView {
        let my_pledge = ctx.me.is_some_and(|me| {
            inputs.events.iter().filter(|e| e.author == me).max_by_key(|e| e.seq).is_some_and(|e| e.pledged)
        });
        let now = CoarseTime::from_unix_seconds(self.now());
        let call = &inputs.call;
        let tally = calls::evaluate(call, &ctx.roster, &mut inputs.events, inputs.cut.as_ref(), now);
        CallView {
            id: short(&f.op_id),
            op: f.op_id,
            kind: call.kind.as_str(),
            title: call.title.clone(),
            demands: call.demands.clone(),
            scope: call.scope.clone(),
            deadline: call.deadline,
            exempt_roles: call.exempt_roles.clone(),
            tally,
            my_pledge,
            closed_by: inputs.closing.map(|c| c.short()),
        }
    }

    /// Pledges to a call, or withdraws (until it triggers).
    pub fn pledge(&mut self, network: &NetworkId, call: &OpId, pledged: bool) -> Result<(OpId, CallView)> {
        self.require_member(network, false)?;
        let view = self.call(network, call)?;
        match view.tally.status {
            CallStatus::Expired => return Err(NodeError::NotAllowed("the call's deadline has passed".into())),
            CallStatus::Triggered | CallStatus::Started if !pledged => {
                return Err(NodeError::NotAllowed("the call has triggered: pledges can no longer be withdrawn".into()));
            }
            _ => {}
        }
        if view.my_pledge == pledged {
            let what = if pledged { "you have already pledged" } else { "you have no pledge to withdraw" };
            return Err(NodeError::InvalidInput(what.into()));
        }
        let op = self.author(network, Body::Pledge(Pledge { call: call.0, pledged }))?;
        self.upkeep(network)?;
        Ok((op, self.call(network, call)?))
    }

    /// Closes the count of calls whose deadline has passed with a checkpoint (organizers).
    pub(crate) fn close_due_calls(&mut self, network: &NetworkId) -> Result<usize> {
        let now = CoarseTime::from_unix_seconds(self.now());
        let checkpoints = self.store.facts(network, "checkpoint", None, true)?;
        let mut due = Vec::new();
        for f in self.store.facts(network, "call", None, true)? {
            if let Body::Call(call) = &f.body
                && call.deadline <= now.0
                && closing_checkpoint(&checkpoints, &f.op_id, call).is_none()
            {
                due.push(f.op_id);
            }
        }
        for call in &due {
            self.author(network, Body::Checkpoint(Checkpoint { call: call.0 }))?;
        }
        Ok(due.len())
    }

    // ---- campaign ----

    pub fn set_campaign(&mut self, network: &NetworkId, campaign: Campaign) -> Result<OpId> {
        self.require_member(network, true)?;
        self.author(network, Body::Campaign(campaign))
    }

    /// The latest campaign set by an organizer.
    pub fn campaign(&self, network: &NetworkId) -> Result<Option<Campaign>> {
        Ok(self.store.facts(network, "campaign", None, true)?.into_iter().rev().find_map(|f| match f.body {
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
            fn call(&self, call: &[u8; 32]) -> Option<(u64, u64)> {
                self.calls.iter().find(|c| c.op.0 == *call).map(|c| (c.tally.counted, c.tally.workforce))
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

/// Ids people type: at least 6 hex digits of an op id.
fn id_prefix(kind: &str, query: &str) -> Result<strike_core::IdPrefix> {
    strike_core::IdPrefix::parse(query, 6).map_err(|e| NodeError::InvalidInput(format!("{e} ({kind} ids)")))
}
