//! Moving operations between nodes without trusting the carrier.
//!
//! Today: the bundle file format for sneakernet (USB sticks). The sync protocol state machine
//! joins it here. Pure: readers and writers are passed in; no files, sockets or clocks.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod bundle;
