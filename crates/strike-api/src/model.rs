//! What the areas' read models share: this node's own standing in a network. Each area's
//! models live in its module under `areas`; the pages render them and the JSON API returns
//! them as they are. Nothing here decides anything the node does not.

use serde::Serialize;
use strike_core::membership::Status;
use strike_core::{NetworkId, Role};
use strike_node::{Node, Result};
use utoipa::ToSchema;

/// This node's own standing in a network.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    pub author: String,
    pub pseudonym: String,
    /// `member`, `pending` or `removed`.
    pub status: &'static str,
    pub role: &'static str,
    pub organizer: bool,
}

/// This node's standing in `network`, if it has asked to join.
pub fn me(node: &Node, network: &NetworkId) -> Result<Option<Me>> {
    Ok(node.me_in(network)?.map(|m| Me {
        author: m.author.to_hex(),
        pseudonym: strike_node::networks::display_name(&m),
        status: m.status.as_str(),
        role: m.role.as_str(),
        organizer: m.status == Status::Member && m.role == Role::Organizer,
    }))
}
