//! What each page shows, assembled from the node's queries in one place: the HTML pages
//! render these, and the JSON API returns them as they are. Nothing here decides anything
//! the node does not: counts, statuses and rules all come from its queries.

use std::collections::HashMap;

use serde::Serialize;
use strike_core::calls::CallStatus;
use strike_core::campaign::Countdown;
use strike_core::membership::Status;
use strike_core::{NetworkId, OpId, Role};
use strike_node::calls::CallView;
use strike_node::contacts::{ContactView, WorkplaceMap};
use strike_node::cover::CoverView;
use strike_node::directory::ProfileView;
use strike_node::networks::{MemberView, NetworkView};
use strike_node::{NetworkStatus, Node, Result};

/// Announcements shown per network on the dashboard.
const DASHBOARD_ANNOUNCEMENTS: u32 = 3;
/// Announcements shown on a network's page.
const NETWORK_ANNOUNCEMENTS: u32 = 20;

/// This node's own standing in a network.
#[derive(Debug, Clone, Serialize)]
pub struct Me {
    pub author: String,
    pub pseudonym: String,
    /// `member`, `pending` or `removed`.
    pub status: &'static str,
    pub role: &'static str,
    pub organizer: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Announcement {
    pub op_id: String,
    pub author: String,
    pub author_name: String,
    /// Unix seconds.
    pub time: u64,
    pub text: String,
}

/// A call that triggered or started: shown in a banner on every page.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub network_id: String,
    pub network_name: String,
    pub call_id: String,
    pub title: String,
    /// `triggered` or `started`.
    pub status: &'static str,
    /// Unix seconds the action starts.
    pub starts: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Peer {
    pub network_id: String,
    pub addr: String,
    pub hub: bool,
    pub last_sync: Option<u64>,
    pub last_attempt: Option<u64>,
    pub last_error: Option<String>,
}

/// How this node stands with its peers.
#[derive(Debug, Clone, Serialize)]
pub struct SyncStatus {
    pub peers: Vec<Peer>,
    /// The latest completed sync with any peer, this node's or a peer's doing (unix seconds).
    pub last_sync: Option<u64>,
    /// Sessions peers opened with this node (it serves them), in every network.
    pub served_sessions: u64,
    /// Ops held but waiting for predecessors this node has not received yet.
    pub ops_waiting: u64,
    /// Ops held sealed: this node has no key for them (yet).
    pub ops_sealed: u64,
}

/// One network as the dashboard shows it.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkSummary {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub members: u64,
    pub pending: u64,
    /// Calls that are open, triggered or started, newest first.
    pub calls: Vec<CallView>,
    pub campaign: Option<Countdown>,
    pub announcements: Vec<Announcement>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub networks: Vec<NetworkSummary>,
    pub alerts: Vec<Alert>,
    pub sync: SyncStatus,
}

/// A network's page: who is in it, and what organizers can do.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkPage {
    /// With the network's latest announcements (more than the dashboard shows).
    pub summary: NetworkSummary,
    pub people: Vec<MemberView>,
    pub peers: Vec<Peer>,
}

/// The directory of a network.
#[derive(Debug, Clone, Serialize)]
pub struct Directory {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub profiles: Vec<ProfileView>,
    pub cover: Vec<CoverView>,
    pub contacts: Vec<ContactView>,
    pub map: WorkplaceMap,
}

/// A network's calls, every status.
#[derive(Debug, Clone, Serialize)]
pub struct CallList {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub calls: Vec<CallView>,
}

/// One call with its pledges over time.
#[derive(Debug, Clone, Serialize)]
pub struct CallPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub call: CallView,
    /// `(unix seconds, counted pledges)` after every change.
    pub timeline: Vec<(u64, u64)>,
}

fn me(node: &Node, network: &NetworkId) -> Result<Option<Me>> {
    Ok(node.me_in(network)?.map(|m| Me {
        author: m.author.to_hex(),
        pseudonym: strike_node::networks::display_name(&m),
        status: m.status.as_str(),
        role: m.role.as_str(),
        organizer: m.status == Status::Member && m.role == Role::Organizer,
    }))
}

fn announcements(node: &Node, network: &NetworkId, limit: u32) -> Result<Vec<Announcement>> {
    let names: HashMap<_, _> =
        node.members(network)?.iter().map(|m| (m.author, strike_node::networks::display_name(m))).collect();
    Ok(node
        .announcements(network, limit)?
        .into_iter()
        .map(|a| Announcement {
            op_id: a.op_id.to_hex(),
            author: a.author.to_hex(),
            author_name: names.get(&a.author).cloned().unwrap_or_else(|| a.author.short()),
            time: a.time.unix_seconds(),
            text: a.text,
        })
        .collect())
}

fn peers(node: &Node, network: Option<&NetworkId>) -> Result<Vec<Peer>> {
    Ok(node
        .peers(network)?
        .into_iter()
        .map(|p| Peer {
            network_id: p.network.to_hex(),
            addr: p.addr,
            hub: p.hub,
            last_sync: p.last_sync,
            last_attempt: p.last_attempt,
            last_error: p.last_error,
        })
        .collect())
}

fn summary(node: &Node, row: &strike_node::NetworkRow, n_announcements: u32) -> Result<NetworkSummary> {
    let network = NetworkView::of(row);
    if row.status == NetworkStatus::Sealed {
        return Ok(NetworkSummary {
            network,
            me: me(node, &row.id)?,
            members: 0,
            pending: 0,
            calls: Vec::new(),
            campaign: None,
            announcements: Vec::new(),
        });
    }
    let calls = node.calls(&row.id)?;
    let readiness = node.readiness_with(&row.id, &calls)?;
    Ok(NetworkSummary {
        network,
        me: me(node, &row.id)?,
        members: readiness.members,
        pending: readiness.pending,
        calls: calls.into_iter().filter(|c| c.tally.status != CallStatus::Expired).collect(),
        campaign: readiness.campaign,
        announcements: announcements(node, &row.id, n_announcements)?,
    })
}

fn alerts(summaries: &[NetworkSummary]) -> Vec<Alert> {
    summaries
        .iter()
        .flat_map(|s| {
            s.calls.iter().filter(|c| matches!(c.tally.status, CallStatus::Triggered | CallStatus::Started)).map(|c| {
                Alert {
                    network_id: s.network.network_id.clone(),
                    network_name: s.network.name.clone().unwrap_or_default(),
                    call_id: c.op.to_hex(),
                    title: c.title.clone(),
                    status: c.tally.status.as_str(),
                    starts: c.tally.waves.first().map_or(0, |w| u64::from(w.starts) * 60),
                }
            })
        })
        .collect()
}

pub fn dashboard(node: &Node) -> Result<Dashboard> {
    let rows = node.networks()?;
    let mut networks = Vec::with_capacity(rows.len());
    for row in &rows {
        networks.push(summary(node, row, DASHBOARD_ANNOUNCEMENTS)?);
    }
    let peers = peers(node, None)?;
    let served = node.served()?;
    let sync = SyncStatus {
        last_sync: peers.iter().filter_map(|p| p.last_sync).chain(served.iter().map(|s| s.1)).max(),
        served_sessions: served.iter().map(|s| s.2).sum(),
        peers,
        ops_waiting: rows.iter().map(|r| r.n_pending).sum(),
        ops_sealed: rows.iter().map(|r| r.n_sealed_ops).sum(),
    };
    Ok(Dashboard { alerts: alerts(&networks), networks, sync })
}

pub fn network_page(node: &Node, network: &NetworkId) -> Result<NetworkPage> {
    let row = node.network(network)?;
    Ok(NetworkPage {
        summary: summary(node, &row, NETWORK_ANNOUNCEMENTS)?,
        people: node.members(network)?.iter().map(MemberView::of).collect(),
        peers: peers(node, Some(network))?,
    })
}

pub fn directory(node: &Node, network: &NetworkId) -> Result<Directory> {
    let row = node.network(network)?;
    let mut profiles = node.directory(network)?;
    profiles.sort_by_key(|p| p.pseudonym.to_lowercase());
    Ok(Directory {
        network: NetworkView::of(&row),
        me: me(node, network)?,
        profiles,
        cover: node.covers(network)?,
        contacts: node.contacts(network)?,
        map: node.workplace_map(network)?,
    })
}

pub fn call_list(node: &Node, network: &NetworkId) -> Result<CallList> {
    let row = node.network(network)?;
    Ok(CallList { network: NetworkView::of(&row), me: me(node, network)?, calls: node.calls(network)? })
}

pub fn call_page(node: &Node, network: &NetworkId, call: &OpId) -> Result<CallPage> {
    let row = node.network(network)?;
    let (call, timeline) = node.call_detail(network, call)?;
    Ok(CallPage { network: NetworkView::of(&row), me: me(node, network)?, call, timeline })
}
