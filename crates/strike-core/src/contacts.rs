//! The contacts area's bodies: co-workers who are not members yet, organizers' notes of
//! one-on-ones with them, and 1-5 support assessments; and the one reading of a support level
//! people type.

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
        for (what, v) in [
            ("workplace", &self.workplace),
            ("department", &self.department),
            ("shift", &self.shift),
            ("role", &self.role),
        ] {
            check_optional(what, v, MAX_FIELD_LEN)?;
        }
        Ok(())
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
