//! The contacts area's bodies: co-workers who are not members yet, organizers' notes of
//! one-on-ones with them, and 1-5 support assessments; and the one reading of a support level
//! people type.
//!
//! A contact is written in two parts: where they work (`contact_place`, read by every member,
//! since calls count contacts in their denominators) and who they are (`contact_name`, in the
//! organizers' circle). Notes and assessments go into the organizers' circle too. Contacts
//! written before circles (`contact`, with the name) stay readable by every member; an
//! organizer can re-issue one into the circle and retract the old one (`contact_retract`).

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN, MAX_NOTE_LEN};
use crate::text::{check_optional, check_text};
use crate::{OpId, Reject};

/// A co-worker who is not a member (yet), mapped by an organizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub workplace: String,
    pub department: String,
    pub shift: String,
    pub role: String,
}

impl Fact for Contact {
    fn check(&self) -> Result<(), Reject> {
        check_text("contact name", &self.name, MAX_FIELD_LEN)?;
        check_place([&self.workplace, &self.department, &self.shift, &self.role])
    }
}

/// Workplace, department, shift and role: each optional, short.
fn check_place(fields: [&str; 4]) -> Result<(), Reject> {
    for (what, v) in ["workplace", "department", "shift", "role"].into_iter().zip(fields) {
        check_optional(what, v, MAX_FIELD_LEN)?;
    }
    Ok(())
}

/// Where a contact works: what calls count, without who they are (that is the
/// `contact_name` in the organizers' circle). The op's id is the contact's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPlace {
    pub workplace: String,
    pub department: String,
    pub shift: String,
    pub role: String,
}

impl Fact for ContactPlace {
    fn check(&self) -> Result<(), Reject> {
        check_place([&self.workplace, &self.department, &self.shift, &self.role])
    }
}

/// A contact's name, in the organizers' circle (by the `contact_place` op's id); the latest
/// stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactName {
    pub contact: OpId,
    pub name: String,
}

impl Fact for ContactName {
    fn check(&self) -> Result<(), Reject> {
        check_text("contact name", &self.name, MAX_FIELD_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.contact.0)
    }
}

/// An organizer takes a contact off the map: it is no longer shown or counted (its ops stay
/// in the log, readable to whoever could read them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRetract {
    pub contact: OpId,
}

impl Fact for ContactRetract {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.contact.0)
    }
}

/// An organizer's note of a one-on-one with a contact (by the contact op's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactNote {
    pub contact: OpId,
    pub text: String,
}

impl Fact for ContactNote {
    fn check(&self) -> Result<(), Reject> {
        check_text("note", &self.text, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.contact.0)
    }
}

/// An organizer's 1-5 support assessment of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub contact: OpId,
    pub level: u8,
    pub note: String,
}

impl Fact for Assessment {
    fn check(&self) -> Result<(), Reject> {
        support_level(self.level).map_err(|_| Reject::InvalidBody("support is assessed from 1 to 5".into()))?;
        check_optional("note", &self.note, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex { subject: Some(self.contact.0.to_vec()), number: Some(i64::from(self.level)) }
    }
}

/// A support level as people give it: 1 (hostile) to 5 (will lead).
pub fn support_level(level: u8) -> Result<u8, String> {
    match level {
        1..=5 => Ok(level),
        _ => Err("support is assessed from 1 (hostile) to 5 (will lead)".into()),
    }
}
