//! Moving operations between nodes without trusting the carrier.
//!
//! The bundle file format for sneakernet (USB sticks) and the sync protocol state machine. Pure: readers and writers are passed in; no files, sockets or clocks.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod auth;
pub mod bundle;
pub mod hub;
pub mod protocol;
