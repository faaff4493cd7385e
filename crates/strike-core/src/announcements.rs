//! The announcements area's body: a signed announcement from an organizer to the network.

use serde::{Deserialize, Serialize};

use crate::Reject;
use crate::body::Fact;
use crate::text::check_text;

/// Longest announcement, in bytes of UTF-8.
pub const MAX_ANNOUNCEMENT_LEN: usize = 4000;

/// An announcement from an organizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub text: String,
}

impl Fact for Announcement {
    fn check(&self) -> Result<(), Reject> {
        check_text("announcement", &self.text, MAX_ANNOUNCEMENT_LEN)
    }
}
