//! The directory area's bodies: a member's profile in a network and the skills and assets
//! they bring.

use serde::{Deserialize, Serialize};

use crate::Reject;
use crate::body::{Fact, FactIndex, MAX_FIELD_LEN};
use crate::text::{check_list, check_optional, check_text};

/// A member's profile; empty fields are not given.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub pseudonym: String,
    pub workplace: String,
    pub department: String,
    pub shift: String,
    /// The job (nurse, picker ...): calls exempt some roles.
    pub role: String,
    pub sector: String,
    pub city: String,
    pub country: String,
    pub languages: Vec<String>,
}

impl Fact for Profile {
    fn check(&self) -> Result<(), Reject> {
        check_optional("pseudonym", &self.pseudonym, MAX_FIELD_LEN)?;
        for (what, v) in [
            ("workplace", &self.workplace),
            ("department", &self.department),
            ("shift", &self.shift),
            ("role", &self.role),
            ("sector", &self.sector),
            ("city", &self.city),
            ("country", &self.country),
        ] {
            check_optional(what, v, MAX_FIELD_LEN)?;
        }
        check_list("languages", &self.languages, 16)
    }
}

/// The author has (or no longer has) a skill or asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    pub skill: String,
    pub has: bool,
}

impl Fact for Skill {
    fn check(&self) -> Result<(), Reject> {
        check_text("skill", &self.skill, MAX_FIELD_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex { subject: None, number: Some(i64::from(self.has)) }
    }
}
