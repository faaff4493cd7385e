//! The contacts area: organizers' contacts (co-workers who are not members yet), one-on-one
//! notes, 1-5 support assessments, and the workplace map of departments x shifts.

use std::collections::BTreeMap;

use serde::Serialize;
use strike_core::body::{Assessment, Contact, ContactNote, Profile};
use strike_core::membership::Status;
use strike_core::{Body, Kind, NetworkId, OpId, Writer};

use crate::{Node, NodeError, Result};

/// A contact with their latest assessment and history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct MapCell {
    pub members: u64,
    /// Contacts by their latest support level (index 0 = level 1); `unassessed` otherwise.
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
}

impl Node {
    /// Maps a co-worker who is not a member yet (organizers); surrounding space is dropped.
    pub fn add_contact(&mut self, network: &NetworkId, mut contact: Contact) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        for field in
            [&mut contact.name, &mut contact.workplace, &mut contact.department, &mut contact.shift, &mut contact.role]
        {
            *field = field.trim().to_owned();
        }
        self.author(network, Body::Contact(contact))
    }

    pub fn note_contact(&mut self, network: &NetworkId, contact: &OpId, text: &str) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        self.author(network, Body::ContactNote(ContactNote { contact: *contact, text: text.trim().into() }))
    }

    /// A contact by id (or a unique prefix of 6+ hex digits) or exact name (any case).
    pub fn resolve_contact(&self, network: &NetworkId, query: &str) -> Result<OpId> {
        if let Ok(op) = self.resolve_fact(network, Kind::Contact, query) {
            return Ok(op);
        }
        let hits: Vec<_> =
            self.contacts(network)?.into_iter().filter(|c| c.name.eq_ignore_ascii_case(query.trim())).collect();
        match hits.as_slice() {
            [one] => self.resolve_fact(network, Kind::Contact, &one.id),
            [] => Err(NodeError::NotFound(format!("no contact matches {query:?}"))),
            _ => Err(NodeError::InvalidInput(format!("several contacts are called {query:?}; use the id"))),
        }
    }

    /// A 1-5 support assessment of a contact (organizers).
    pub fn assess(&mut self, network: &NetworkId, contact: &OpId, level: u8, note: &str) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let level = strike_core::contacts::support_level(level).map_err(NodeError::InvalidInput)?;
        self.author(network, Body::Assessment(Assessment { contact: *contact, level, note: note.trim().into() }))
    }

    /// Organizers' contacts with their assessments and notes.
    pub fn contacts(&self, network: &NetworkId) -> Result<Vec<ContactView>> {
        let mut out: BTreeMap<OpId, ContactView> = BTreeMap::new();
        for f in self.store.facts(network, Kind::Contact, None)? {
            if let Body::Contact(c) = f.body {
                out.insert(
                    f.op_id,
                    ContactView {
                        id: f.op_id.short(),
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
}
