//! Coarse time: whole minutes since the Unix epoch.
//!
//! Envelopes carry only minutes: enough to order and display activity, while keeping the
//! exact second someone acted out of the metadata a hub or an observer could collect.

use std::fmt;

/// Minutes since 1970-01-01T00:00Z.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CoarseTime(pub u32);

impl CoarseTime {
    /// The coarse time containing `unix_seconds` (saturating far in the future).
    pub fn from_unix_seconds(unix_seconds: u64) -> Self {
        Self(u32::try_from(unix_seconds / 60).unwrap_or(u32::MAX))
    }

    /// The first second of this minute.
    pub fn unix_seconds(&self) -> u64 {
        u64::from(self.0) * 60
    }
}

impl fmt::Debug for CoarseTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CoarseTime({})", self.0)
    }
}
