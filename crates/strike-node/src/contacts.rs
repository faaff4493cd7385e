//! The contacts area: organizers' contacts (co-workers who are not members yet), one-on-one
//! notes, 1-5 support assessments, and the workplace map of departments x shifts.
//!
//! Where a contact works is read by every member (calls count contacts); their name, the
//! notes and the assessments are in the organizers' circle. Contacts written before circles
//! (one `contact` op with the name) stay readable by every member until an organizer
//! re-issues them into the circle.

use std::collections::BTreeMap;

use serde::Serialize;
use strike_core::body::{Assessment, Contact, ContactName, ContactNote, ContactPlace, ContactRetract, Profile};
use strike_core::membership::Status;
use strike_core::{Body, Kind, NetworkId, OpId, Writer};

use crate::{Node, NodeError, Result};

/// A contact with their latest assessment and history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub id: String,
    pub full_id: String,
    /// Their name: "" where it is in the organizers' circle and this node is not in it.
    pub name: String,
    /// Written before circles: name, notes and assessments readable by every member.
    pub legacy: bool,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct MapCell {
    pub members: u64,
    /// Contacts in the cell, whoever looks.
    pub contacts: u64,
    /// Contacts by their latest support level (index 0 = level 1); `unassessed` otherwise.
    /// Zero on the map of a member outside the organizers' circle.
    pub by_support: [u64; 5],
    pub unassessed: u64,
}

/// Departments x shifts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorkplaceMap {
    pub departments: Vec<String>,
    pub shifts: Vec<String>,
    /// `cells[d][s]`.
    pub cells: Vec<Vec<MapCell>>,
    /// The viewer is in the organizers' circle: support levels are shown.
    pub full: bool,
}

impl Node {
    /// Maps a co-worker who is not a member yet (organizers): where they work for every
    /// member, their name in the organizers' circle. Surrounding space is dropped.
    pub fn add_contact(&mut self, network: &NetworkId, contact: Contact) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let name = contact.name.trim().to_owned();
        if name.is_empty() {
            return Err(NodeError::InvalidInput("a contact needs a name".into()));
        }
        let place = ContactPlace {
            workplace: contact.workplace.trim().into(),
            department: contact.department.trim().into(),
            shift: contact.shift.trim().into(),
            role: contact.role.trim().into(),
        };
        // The place first: its op id is the contact's id, which the name op names. Both in
        // one transaction, so no contact is mapped without its name.
        let bodies = vec![Body::ContactPlace(place), Body::ContactName(ContactName { contact: OpId([0; 32]), name })];
        let ids = self.author_linked(network, bodies, None, link_to_first)?;
        Ok(ids[0])
    }

    pub fn note_contact(&mut self, network: &NetworkId, contact: &OpId, text: &str) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        self.author(network, Body::ContactNote(ContactNote { contact: *contact, text: text.trim().into() }))
    }

    /// A contact by id (or a unique prefix of 6+ hex digits) or exact name (any case).
    pub fn resolve_contact(&self, network: &NetworkId, query: &str) -> Result<OpId> {
        let contacts = self.contacts(network)?;
        let by_id: Vec<&ContactView> = contacts
            .iter()
            .filter(|c| query.len() >= 6 && c.full_id.starts_with(&query.trim().to_lowercase()))
            .collect();
        let hits: Vec<&ContactView> = if by_id.is_empty() {
            contacts.iter().filter(|c| !c.name.is_empty() && c.name.eq_ignore_ascii_case(query.trim())).collect()
        } else {
            by_id
        };
        match hits.as_slice() {
            [one] => one.full_id.parse().map_err(|_| NodeError::NotFound(format!("no contact matches {query:?}"))),
            [] => Err(NodeError::NotFound(format!("no contact matches {query:?}"))),
            _ => Err(NodeError::InvalidInput(format!("several contacts match {query:?}; use more of the id"))),
        }
    }

    /// A 1-5 support assessment of a contact (organizers).
    pub fn assess(&mut self, network: &NetworkId, contact: &OpId, level: u8, note: &str) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let level = strike_core::contacts::support_level(level).map_err(NodeError::InvalidInput)?;
        self.author(network, Body::Assessment(Assessment { contact: *contact, level, note: note.trim().into() }))
    }

    /// Re-issues a contact written before circles into the organizers' circle (organizers):
    /// its place again, its name, notes and assessments into the circle, and a retraction of
    /// the old one, which is no longer shown or counted. Returns the new contact's id. The
    /// old ops stay in the log, readable by whoever held them.
    pub fn reissue_contact(&mut self, network: &NetworkId, contact: &OpId) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let old = self.contacts(network)?.into_iter().find(|c| c.full_id == contact.to_hex());
        let Some(old) = old else { return Err(NodeError::NotFound("no such contact".into())) };
        if !old.legacy {
            return Err(NodeError::InvalidInput(format!("{} is in the organizers' circle already", old.name)));
        }
        let place = ContactPlace {
            workplace: old.workplace.clone(),
            department: old.department.clone(),
            shift: old.shift.clone(),
            role: old.role.clone(),
        };
        // Notes and assessments keep the minute they were first written in their text.
        let dated = |t: u32, text: &str| {
            let when = strike_core::CoarseTime(t);
            if text.is_empty() { format!("(first written {when})") } else { format!("{text} (first written {when})") }
        };
        let new = OpId([0; 32]);
        let mut bodies =
            vec![Body::ContactPlace(place), Body::ContactName(ContactName { contact: new, name: old.name })];
        for (t, text) in &old.notes {
            bodies.push(Body::ContactNote(ContactNote { contact: new, text: dated(*t, text) }));
        }
        for (t, level, note) in &old.assessments {
            bodies.push(Body::Assessment(Assessment { contact: new, level: *level, note: dated(*t, note) }));
        }
        bodies.push(Body::ContactRetract(ContactRetract { contact: *contact }));
        let ids = self.author_linked(network, bodies, None, link_to_first)?;
        Ok(ids[0])
    }

    /// Organizers' contacts with their assessments and notes, as far as this node reads them
    /// (names, notes and assessments only in the organizers' circle, or written before it).
    pub fn contacts(&self, network: &NetworkId) -> Result<Vec<ContactView>> {
        let mut out: BTreeMap<OpId, ContactView> = BTreeMap::new();
        let view = |id: OpId, name: String, legacy: bool, workplace, department, shift, role| ContactView {
            id: id.short(),
            full_id: id.to_hex(),
            name,
            legacy,
            workplace,
            department,
            shift,
            role,
            support: None,
            assessments: Vec::new(),
            notes: Vec::new(),
        };
        for f in self.store.facts(network, Kind::Contact, None)? {
            if let Body::Contact(c) = f.body {
                out.insert(f.op_id, view(f.op_id, c.name, true, c.workplace, c.department, c.shift, c.role));
            }
        }
        for f in self.store.facts(network, Kind::ContactPlace, None)? {
            if let Body::ContactPlace(c) = f.body {
                out.insert(f.op_id, view(f.op_id, String::new(), false, c.workplace, c.department, c.shift, c.role));
            }
        }
        for f in self.store.facts(network, Kind::ContactRetract, None)? {
            if let Body::ContactRetract(r) = f.body {
                out.remove(&r.contact);
            }
        }
        // Facts come oldest first, so the last name and assessment are the latest.
        for f in self.store.facts(network, Kind::ContactName, None)? {
            if let Body::ContactName(n) = f.body
                && let Some(c) = out.get_mut(&n.contact)
                && !c.legacy
            {
                c.name = n.name;
            }
        }
        for f in self.store.facts(network, Kind::Assessment, None)? {
            if let Body::Assessment(a) = f.body
                && let Some(c) = out.get_mut(&a.contact)
            {
                c.support = Some(a.level);
                c.assessments.push((f.time.0, a.level, a.note));
            }
        }
        for f in self.store.facts(network, Kind::ContactNote, None)? {
            if let Body::ContactNote(n) = f.body
                && let Some(c) = out.get_mut(&n.contact)
            {
                c.notes.push((f.time.0, n.text));
            }
        }
        let mut out: Vec<ContactView> = out.into_values().collect();
        out.sort_by(|a, b| (a.name.is_empty(), &a.name).cmp(&(b.name.is_empty(), &b.name)));
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
        let full = self.in_organizers_circle(network)?;
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
            cells[d][s].contacts += 1;
            if !full {
                // Support levels stay with the organizers, old readable ones included: in a
                // small cell, a count of 1s names someone.
                continue;
            }
            match c.support {
                Some(level @ 1..=5) => cells[d][s].by_support[usize::from(level - 1)] += 1,
                _ => cells[d][s].unassessed += 1,
            }
        }
        Ok(WorkplaceMap { departments, shifts, cells, full })
    }

    /// Whether this node's author is in the network's organizers' circle now.
    pub fn in_organizers_circle(&self, network: &NetworkId) -> Result<bool> {
        let Some(me) = self.me_in(network)? else { return Ok(false) };
        let circle = strike_core::circles::organizers_circle(network);
        Ok(self.store.circle_members(network, &circle)?.iter().any(|r| r.author == me.author && r.current))
    }
}

/// Points a contact's name, notes and assessments written in one batch with its place at the
/// place's op (the first of the batch), whose id is the contact's.
fn link_to_first(body: &mut Body, before: &[OpId]) {
    let Some(first) = before.first() else { return };
    match body {
        Body::ContactName(n) => n.contact = *first,
        Body::ContactNote(n) => n.contact = *first,
        Body::Assessment(a) => a.contact = *first,
        _ => {}
    }
}
