//! The dashboard: every network at a glance (its open calls, countdown and latest
//! announcements), the calls that triggered, and how this node stands with its peers; the
//! same as JSON (`/dashboard`, `/sync`).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use maud::{Markup, html};
use serde::Serialize;
use strike_core::NetworkId;
use strike_core::calls::CallStatus;
use strike_core::campaign::Countdown;
use strike_node::calls::{CallJson, CallView};
use strike_node::networks::NetworkView;
use strike_node::{NetworkStatus, Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::areas::announcements::{self, Announcement};
use crate::areas::calls::{status_badge, tally_rules};
use crate::areas::campaign::countdown;
use crate::error::{ApiResult, ReadRefusals};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, csrf_field, layout, minute, when};
use crate::security::Authed;

/// Announcements shown per network on the dashboard.
const DASHBOARD_ANNOUNCEMENTS: u32 = 3;

pub fn pages() -> Router<AppState> {
    Router::new().route("/", get(page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_dashboard)).routes(routes!(get_sync))
}

/// A call that triggered or started: shown in a banner on every page.
#[derive(Debug, Clone, Serialize, ToSchema)]
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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Peer {
    pub network_id: String,
    pub addr: String,
    pub hub: bool,
    pub last_sync: Option<u64>,
    pub last_attempt: Option<u64>,
    pub last_error: Option<String>,
}

/// How this node stands with its peers.
#[derive(Debug, Clone, Serialize, ToSchema)]
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
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NetworkSummary {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub members: u64,
    pub pending: u64,
    /// The names of the joiners waiting for a vouch (the first few, oldest first).
    pub waiting: Vec<String>,
    /// Calls that are open, triggered or started, newest first.
    #[schema(value_type = Vec<CallJson>)]
    pub calls: Vec<CallView>,
    pub campaign: Option<Countdown>,
    pub announcements: Vec<Announcement>,
    /// Events not called off that have not ended, soonest first.
    pub events: Vec<strike_node::events::EventView>,
    /// A hub's resources at a glance.
    pub hub: Option<HubCard>,
    /// The strike fund at a glance.
    pub fund: Option<FundCard>,
    /// Mutual aid at a glance: "3 open requests, 1 critical unclaimed for 40 min".
    pub aid: Option<AidCard>,
    /// Open votes, soonest closing first.
    pub votes: Vec<VoteCard>,
}

/// An open vote as the dashboard lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoteCard {
    pub id: String,
    pub title: String,
    /// Coarse minute it closes.
    pub closes: u32,
    pub voted: usize,
    pub electorate: usize,
    /// This node has not voted yet.
    pub to_vote: bool,
}

fn vote_cards(node: &Node, row: &strike_node::NetworkRow) -> Result<Vec<VoteCard>> {
    let mut open: Vec<VoteCard> = node
        .proposals(&row.id)?
        .into_iter()
        .filter(|p| p.state == "open")
        .map(|p| VoteCard {
            to_vote: p.i_can_vote && p.my_ballot.is_none(),
            id: p.id,
            title: p.title,
            closes: p.closes,
            voted: p.voted,
            electorate: p.electorate,
        })
        .collect();
    open.sort_by_key(|v| v.closes);
    Ok(open)
}

/// Mutual aid as its dashboard card shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AidCard {
    pub summary: String,
    pub open: usize,
    pub critical_unclaimed: usize,
    /// Overdue requests sealed to teams this node is in (the banner on every page).
    pub team_overdue: usize,
}

fn aid_card(node: &Node, row: &strike_node::NetworkRow) -> Result<Option<AidCard>> {
    let q = node.aid_queue(&row.id, None)?;
    if q.open.is_empty() && q.closed.is_empty() {
        return Ok(None);
    }
    Ok(Some(AidCard {
        open: q.open.len(),
        critical_unclaimed: q.critical_unclaimed,
        team_overdue: q.team_overdue,
        summary: q.summary,
    }))
}

/// Overdue requests for a team this node is in: a banner on every page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AidAlert {
    pub network_id: String,
    pub network_name: String,
    pub overdue: usize,
}

/// The strike fund as its dashboard card shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundCard {
    pub balance: String,
    pub currency: String,
    pub runway: String,
    /// Claims this node reads that wait for approval or payment (treasurers: all).
    pub open_claims: usize,
    /// Entries and claims that need review.
    pub review: usize,
}

fn fund_card(node: &Node, row: &strike_node::NetworkRow) -> Result<Option<FundCard>> {
    Ok(node.fund(&row.id)?.map(|v| FundCard {
        open_claims: v.claims.iter().filter(|c| c.status == "waiting" || c.status == "approved").count(),
        review: v.review.len(),
        balance: v.balance,
        currency: v.currency,
        runway: v.runway,
    }))
}

/// A hub's resources as its dashboard card shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HubCard {
    pub open_requests: u64,
    pub critical: u64,
    pub to_hand_over: u64,
    /// Days of food left at the last four weeks' rate.
    pub food_days: Option<u64>,
    /// The first few alerts.
    pub alerts: Vec<String>,
}

/// Alerts a hub's card names.
const HUB_ALERTS: usize = 3;

fn hub_card(node: &Node, row: &strike_node::NetworkRow) -> Result<Option<HubCard>> {
    if row.kind != Some(strike_core::NetworkKind::Hub) {
        return Ok(None);
    }
    let v = node.resources(&row.id)?;
    Ok(Some(HubCard {
        open_requests: v.requests.len() as u64 + v.sealed_unreadable,
        critical: v.requests.iter().filter(|r| r.urgency == "critical").count() as u64,
        to_hand_over: v.commitments.len() as u64,
        food_days: v.categories.iter().find(|c| c.category == "food").and_then(|c| c.days_left),
        alerts: v.alerts.into_iter().take(HUB_ALERTS).map(|a| a.text).collect(),
    }))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub networks: Vec<NetworkSummary>,
    pub alerts: Vec<Alert>,
    pub aid_alerts: Vec<AidAlert>,
    pub sync: SyncStatus,
}

pub fn peers(node: &Node, network: Option<&NetworkId>) -> Result<Vec<Peer>> {
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

/// How many upcoming events a network's card lists.
const UPCOMING_EVENTS: usize = 3;
/// Waiting joiners named on a network's card.
const WAITING_SHOWN: usize = 5;

/// A network as the dashboard and its own page show it, with its latest `n_announcements`.
pub fn summary(node: &Node, row: &strike_node::NetworkRow, n_announcements: u32) -> Result<NetworkSummary> {
    let network = NetworkView::of(row);
    if row.status == NetworkStatus::Sealed {
        return Ok(NetworkSummary {
            network,
            me: me(node, &row.id)?,
            members: 0,
            pending: 0,
            waiting: Vec::new(),
            calls: Vec::new(),
            campaign: None,
            announcements: Vec::new(),
            events: Vec::new(),
            hub: None,
            fund: None,
            aid: None,
            votes: Vec::new(),
        });
    }
    let calls = node.calls(&row.id)?;
    let readiness = node.readiness_with(&row.id, &calls)?;
    Ok(NetworkSummary {
        network,
        me: me(node, &row.id)?,
        members: readiness.members,
        pending: readiness.pending,
        waiting: node
            .members(&row.id)?
            .iter()
            .filter(|m| m.status == strike_core::membership::Status::Pending)
            .take(WAITING_SHOWN)
            .map(strike_node::networks::display_name)
            .collect(),
        calls: calls.into_iter().filter(|c| c.tally.status != CallStatus::Expired).collect(),
        campaign: readiness.campaign,
        announcements: announcements::latest(node, &row.id, n_announcements)?,
        events: node.upcoming_events(&row.id, UPCOMING_EVENTS)?,
        hub: hub_card(node, row)?,
        fund: fund_card(node, row)?,
        aid: aid_card(node, row)?,
        votes: vote_cards(node, row)?,
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
    let aid_alerts = networks
        .iter()
        .filter_map(|s| {
            let overdue = s.aid.as_ref()?.team_overdue;
            (overdue > 0).then(|| AidAlert {
                network_id: s.network.network_id.clone(),
                network_name: s.network.name.clone().unwrap_or_default(),
                overdue,
            })
        })
        .collect();
    Ok(Dashboard { alerts: alerts(&networks), aid_alerts, networks, sync })
}

// ---- page ----

async fn page(State(state): State<AppState>, authed: Authed) -> PageResult {
    let data = state.view("dashboard".into(), dashboard).await?;
    let ctx = Ctx::with_alerts(&state, &authed, &data);
    Ok(layout(
        &ctx,
        html! {
            h1 { "Dashboard" }
            div #live-dashboard data-live {
                @if data.networks.is_empty() {
                    p { "This node holds no network yet. " a href="/join" { "Join one with an invite" } ", or found one (openstrike network create)." }
                }
                @for n in &data.networks { (network_card(n, &ctx.csrf)) }
                (sync_panel(&data.sync, ctx.now))
            }
        },
    ))
}

/// Why this node signs nothing in a network, and what to do about it.
fn writes_notice(n: &NetworkSummary, csrf: &str) -> Markup {
    let id = &n.network.network_id;
    html! {
        @match n.network.writes {
            "held" => {
                div.notice role="status" {
                    p {
                        strong { "Writing waits. " }
                        "This data directory looks restored from a backup or copied from another device, so signing now could repeat a step your other copy already took, and every node would stop counting your key. "
                        "It writes again once it has synced with a peer or hub of this network."
                    }
                    form.inline method="post" action=(format!("/networks/{id}/only-copy")) {
                        (csrf_field(csrf))
                        button type="submit" { "This is the only copy: write now" }
                    }
                }
            }
            "forked" => {
                div.notice.error role="alert" {
                    p {
                        strong { "Your key here forked. " }
                        "Two devices signed with it, so nothing it signs counts any more, pledges included. Go on under a new key: an organizer checks it with you in person and vouches for it."
                    }
                    form.inline method="post" action=(format!("/networks/{id}/recover")) {
                        (csrf_field(csrf))
                        button type="submit" { "Go on under a new key" }
                    }
                }
            }
            _ => {}
        }
    }
}

fn network_card(n: &NetworkSummary, csrf: &str) -> Markup {
    let id = &n.network.network_id;
    html! {
        section.card aria-labelledby=(format!("net-{id}")) {
            @match &n.network.name {
                Some(name) => {
                    h2 #(format!("net-{id}")) { a href=(format!("/networks/{id}")) { (name) } }
                    p.meta {
                        (n.network.kind.unwrap_or("network")) " · "
                        strong { (n.members) } " members · "
                        strong { (n.pending) } " waiting to join"
                        @if let Some(me) = &n.me { " · you: " (me.pseudonym) " (" (me.role) ")" }
                    }
                    (writes_notice(n, csrf))
                    @if !n.waiting.is_empty() {
                        ul.waiting aria-label="Waiting to join" {
                            @for name in &n.waiting {
                                li { strong { (name) } " is waiting for a vouch. "
                                    a href=(format!("/networks/{id}#pending-h")) { "Vouch if you know them" } }
                            }
                        }
                    }
                    (crate::pages::network_nav(id, None))
                    @for c in &n.calls {
                        article.call {
                            h3 { a href=(format!("/calls/{}", c.op.to_hex())) { (c.title) } " " (status_badge(c.tally.status)) }
                            p.meta {
                                (c.kind) " · " (c.tally.counted) " pledged of a mapped workforce of " (c.tally.workforce)
                                " · deadline " (minute(c.deadline)) " UTC"
                                @if c.my_pledge { " · " strong { "you pledged" } }
                            }
                            (tally_rules(&c.tally))
                        }
                    }
                    @if let Some(c) = &n.campaign { (countdown(c)) }
                    @if let Some(h) = &n.hub {
                        h3 { a href=(format!("/networks/{id}/resources")) { "Resources" } }
                        p {
                            strong { (h.open_requests) } " open requests"
                            @if h.critical > 0 { " (" strong { (h.critical) " critical" } ")" }
                            " · " (h.to_hand_over) " handovers to check off"
                            @if let Some(d) = h.food_days { " · food for " strong { (d) " days" } " at this month's rate" }
                        }
                        @if !h.alerts.is_empty() { ul.short { @for a in &h.alerts { li { (a) } } } }
                    }
                    @if let Some(f) = &n.fund {
                        h3 { a href=(format!("/networks/{id}/fund")) { "Strike fund" } }
                        p {
                            strong { (f.balance) " " (f.currency) } " held · runway " strong { (f.runway) }
                            @if f.open_claims > 0 { " · " strong { (f.open_claims) } " claims open" }
                            @if f.review > 0 { " · " strong { (f.review) } " to review" }
                        }
                    }
                    @if !n.votes.is_empty() {
                        h3 { a href=(format!("/networks/{id}/votes")) { "Open votes" } }
                        ul.short { @for v in &n.votes { li {
                            a href=(format!("/networks/{id}/votes/{}", v.id)) { (v.title) } " · closes " (crate::pages::minute(v.closes)) " UTC · "
                            (v.voted) " of " (v.electorate) " voted" @if v.to_vote { " · " strong { "you have not voted" } } } } }
                    }
                    @if let Some(a) = &n.aid {
                        h3 { a href=(format!("/networks/{id}/aid")) { "Mutual aid" } }
                        p { strong { (a.summary) } @if a.team_overdue > 0 { " · " strong.overdue { (a.team_overdue) " overdue for your team" } } }
                    }
                    (crate::areas::events::upcoming(id, &n.events))
                    @if !n.announcements.is_empty() {
                        h3 { "Latest announcements" }
                        ul.announcements {
                            @for a in &n.announcements {
                                li { span.meta { (when(a.time)) " · " (a.author_name) } br; (a.text) }
                            }
                        }
                    }
                }
                None => {
                    h2 #(format!("net-{id}")) { "Network " (&id[..16]) }
                    @if n.network.my_author.is_some() {
                        p role="status" { strong { "Waiting for a vouch." } " Your request has gone to the addresses in your invite (the node that invited you, the network's hubs); this node keeps asking while it runs." }
                        h3 { "What happens next" }
                        p { "A member who knows you vouches for you (best after checking with you in person). Your node then receives its key and the network by itself, and this page shows the network: no need to reload." }
                        h3 { "What the network sees of you now" }
                        p { "The pseudonym you chose and a key made for this network only. Its members, and others holding the same invite, can read your request. Nothing else: not your other networks, not your passphrase, nothing on this computer." }
                        h3 { "What you see of it now" }
                        p { "Nothing. Until the vouch, this node holds no key of the network: not its name, not its members." }
                    } @else {
                        p { "Held sealed: " (n.network.ops) " encrypted operations this node has no key for. It learns nothing from them." }
                    }
                }
            }
        }
    }
}

fn sync_panel(s: &SyncStatus, now: u64) -> Markup {
    let ago = |t: u64| {
        let m = now.saturating_sub(t) / 60;
        match m {
            0 => "just now".to_string(),
            1..=59 => format!("{m} min ago"),
            _ => format!("{} h ago", m / 60),
        }
    };
    html! {
        section.card aria-labelledby="sync-h" {
            h2 #sync-h { "Sync" }
            p {
                (s.peers.len()) " peer(s) added"
                " · last sync: " @match s.last_sync { Some(t) => { (ago(t)) }, None => { "never" } }
                " · sessions peers opened with this node: " (s.served_sessions)
                " · ops waiting for missing predecessors: " (s.ops_waiting)
                " · held sealed (no key yet): " (s.ops_sealed)
            }
            @if s.peers.is_empty() {
                p.meta { "No peers yet: add one with openstrike peer add NETWORK ID@HOST:PORT, or carry a bundle on a USB stick." }
            } @else {
                table {
                    thead { tr { th scope="col" { "Peer" } th scope="col" { "Last sync" } th scope="col" { "Status" } } }
                    tbody {
                        @for p in &s.peers {
                            tr {
                                td { code { (&p.addr[..p.addr.len().min(16)]) "…" } @if p.hub { " (hub)" } }
                                td { @match p.last_sync { Some(t) => { (ago(t)) }, None => { "never" } } }
                                td { @match &p.last_error { Some(e) => { span.error { "failed: " (e) } }, None => { "ok" } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

// ---- JSON ----

/// Every network with its open calls, countdown and latest announcements; triggered calls; sync
#[utoipa::path(get, path = "/dashboard", responses((status = 200, description = "OK", body = Dashboard), ReadRefusals))]
async fn get_dashboard(State(state): State<AppState>, _: Authed) -> ApiResult<Response> {
    Ok(Json(&*state.view("dashboard".into(), dashboard).await?).into_response())
}

/// How this node stands with its peers
#[utoipa::path(get, path = "/sync", responses((status = 200, description = "OK", body = SyncStatus), ReadRefusals))]
async fn get_sync(State(state): State<AppState>, _: Authed) -> ApiResult<Response> {
    Ok(Json(&state.view("dashboard".into(), dashboard).await?.sync).into_response())
}
