//! The strike fund: exact money ([`money`]) and the double-entry journal folded the same on
//! every node, with payouts that show their amount and a commitment to their recipient
//! ([`ledger`]). The fund's bodies, claims, approvals and the node's area build on these.

pub mod ledger;
pub mod money;
