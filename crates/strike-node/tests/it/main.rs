//! Integration tests for the node: bundles between nodes, state hashes, wipe.

mod aid;
mod bundles;
mod calls;
mod circles;
mod devices;
mod events;
mod fund;
mod guides;
mod history;
mod hubs;
mod joining;
mod keyfile;
mod kit;
mod lan;
mod networks;
mod quic;
mod resources;
mod secret;
mod sync;
mod vectors;
mod votes;
