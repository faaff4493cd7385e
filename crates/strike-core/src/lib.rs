//! The Open Strike domain: the operation envelope and its canonical encoding, operation
//! bodies, membership, validation and the deterministic fold of operations into state.
//!
//! Pure: no I/O, no clock, no global randomness. Time and RNGs come in as arguments.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod aid;
pub mod announcements;
pub mod body;
pub mod bytes;
pub mod calls;
pub mod campaign;
pub mod circles;
pub mod contacts;
pub mod cover;
pub mod directory;
pub mod envelope;
pub mod events;
pub mod fund;
pub mod guides;
mod ids;
pub mod membership;
pub mod networks;
mod reject;
pub mod resources;
pub mod secret;
pub mod state_hash;
pub mod text;
mod time;
pub mod votes;

pub use body::{Announcement, Body, CoverKind, Genesis, Kind, NetworkKind, Writer};
pub use envelope::{Envelope, KeyCache, OpDraft, SealedOp};
pub use ids::{AuthorId, IdParseError, IdPrefix, IdPrefixError, NetworkId, OpId};
pub use membership::{Membership, Role};
pub use reject::Reject;
pub use time::{CoarseTime, op_order, parse_duration, parse_time};
