//! The resource network: what hubs hold and hand out. So far the allocation engine
//! ([`allocate`]), which plans which lot's stock goes to which request, exactly and the same
//! on every node.

pub mod allocate;
