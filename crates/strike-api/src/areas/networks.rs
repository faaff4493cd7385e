//! The networks and membership area: the networks held, a network's page (members and
//! joiners to vouch for or remove, invites with their QR code, what new members can read),
//! and the same as JSON under `/api/v1`.

use std::collections::HashMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{PreEscaped, html};
use serde::{Deserialize, Serialize};
use strike_core::NetworkId;
use strike_node::networks::{MemberView, NetworkView, RecoverWhy, RemoveOutcome, VouchOutcome, display_name};
use strike_node::{Node, NodeError};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::areas::announcements::{self, NETWORK_ANNOUNCEMENTS};
use crate::areas::dashboard::{NetworkSummary, Peer, peers, summary};
use crate::error::{ApiError, ApiResult, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, NetworkCommand, OpCreated, body, network_id, write};
use crate::pages::{Ctx, Empty, PageResult, apply, csrf_field, day, done, layout, network_nav, page_network_id, when};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}", get(page))
        .route("/networks/{net}/invite", post(invite))
        .route("/networks/{net}/vouch", post(vouch_form))
        .route("/networks/{net}/remove", post(remove_form))
        .route("/networks/{net}/history", post(history))
        .route("/networks/{net}/recover", post(recover))
        .route("/networks/{net}/only-copy", post(only_copy))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_networks))
        .routes(routes!(get_network))
        .routes(routes!(get_members))
        .routes(routes!(post_vouch))
        .routes(routes!(post_removal))
        .routes(routes!(post_invite))
        .routes(routes!(post_history))
        .routes(routes!(post_recover))
        .routes(routes!(post_only_copy))
}

/// A network's page: who is in it, and what organizers can do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NetworkPage {
    /// With the network's latest announcements (more than the dashboard shows).
    pub summary: NetworkSummary,
    pub people: Vec<MemberView>,
    pub peers: Vec<Peer>,
}

pub fn network_page(node: &Node, network: &NetworkId) -> strike_node::Result<NetworkPage> {
    let row = node.network(network)?;
    Ok(NetworkPage {
        summary: summary(node, &row, NETWORK_ANNOUNCEMENTS)?,
        people: node.member_views(network)?,
        peers: peers(node, Some(network))?,
    })
}

/// Vouches for the pending joiner `who` (pseudonym or id); returns their name too.
fn vouch(node: &mut Node, network: &NetworkId, who: &str) -> strike_node::Result<(String, VouchOutcome)> {
    let m = node.resolve_member(network, who)?;
    Ok((display_name(&m), node.vouch(network, &m.author)?))
}

/// Removes `who` (pseudonym or id), rotating the key; returns their name too.
fn remove(node: &mut Node, network: &NetworkId, who: &str) -> strike_node::Result<(String, RemoveOutcome)> {
    let m = node.resolve_member(network, who)?;
    Ok((display_name(&m), node.remove(network, &m.author)?))
}

/// What new members read of what came before them (organizers): `all` or `since_admission`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryInput {
    /// `all` or `since_admission`.
    pub mode: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl NetworkCommand for HistoryInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> strike_node::Result<strike_core::OpId> {
        let mode = strike_core::body::HistoryMode::parse(&self.mode).ok_or_else(|| {
            NodeError::InvalidInput(format!("{:?} is not a history setting (all, since_admission)", self.mode))
        })?;
        node.set_history(network, mode)
    }
}

// ---- pages ----

async fn page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    let id = page_network_id(&net)?;
    let data = state.view(format!("network/{net}"), move |node| network_page(node, &id)).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let n = &data.summary;
    let organizer = n.me.as_ref().is_some_and(|m| m.organizer);
    let member = n.me.as_ref().is_some_and(|m| m.status == "member");
    let names: HashMap<&str, &str> = data.people.iter().map(|p| (p.author.as_str(), p.name.as_str())).collect();
    let vouched_by = |vouchers: &[String]| -> String {
        vouchers.iter().map(|v| names.get(v.as_str()).copied().unwrap_or(&v[..8])).collect::<Vec<_>>().join(", ")
    };
    let name = n.network.name.clone().unwrap_or_else(|| "a sealed network".into());
    let pending: Vec<_> = data.people.iter().filter(|p| p.status == "pending").collect();
    let members: Vec<_> = data.people.iter().filter(|p| p.status == "member").collect();
    let removed = data.people.iter().filter(|p| p.status == "removed").count();
    let me = n.me.as_ref().map(|m| m.author.as_str()).unwrap_or("");
    Ok(layout(
        &ctx,
        html! {
            h1 { (name) }
            (network_nav(&net, Some("")))
            div #live-people data-live {
                section.card aria-labelledby="pending-h" {
                    h2 #pending-h { "Waiting to join (" (pending.len()) ")" }
                    @if pending.is_empty() { p.meta { "Nobody is waiting for a vouch." } }
                    ul.people {
                        @for p in &pending {
                            li {
                                strong { (p.name) } " asked " (when(p.since))
                                @if let Some(old) = &p.replaces {
                                    " to go on under a new key for "
                                    strong { (names.get(old.as_str()).copied().unwrap_or(&old[..12])) }
                                    " (a device of theirs was restored or copied). Check in person that this key, "
                                    code { (&p.author[..12]) } ", is on their device: an organizer's vouch replaces the old key."
                                }
                                @if !p.vouchers.is_empty() { " · vouched by " (vouched_by(&p.vouchers)) }
                                @if member && !p.vouchers.iter().any(|v| v == me) && (organizer || p.replaces.is_none()) {
                                    form.inline method="post" action=(format!("/networks/{net}/vouch")) {
                                        (csrf_field(&ctx.csrf))
                                        input type="hidden" name="member" value=(p.author);
                                        button type="submit" { "Vouch for " (p.name) }
                                    }
                                }
                            }
                        }
                    }
                    p.meta { "Vouch only for people you know face to face: a vouch lets them read everything members read." }
                }
                section.card aria-labelledby="members-h" {
                    h2 #members-h { "Members (" (members.len()) ")" }
                    table {
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Role" } th.wide scope="col" { "Since" } th.wide scope="col" { "Vouched by" } @if organizer { th scope="col" { span.visually-hidden { "Actions" } } } } }
                        tbody {
                            @for p in &members {
                                tr {
                                    td { (p.name) @if p.author == me { " (you)" } }
                                    td { (p.role) @if p.delegate { ", " strong { "delegate" } } }
                                    td.wide { (day(p.since)) }
                                    td.wide { (vouched_by(&p.vouchers)) }
                                    @if organizer {
                                        td {
                                            @if p.author != me && Some(&p.author) != n.network.founder.as_ref() {
                                                details {
                                                    summary { "Remove…" }
                                                    form method="post" action=(format!("/networks/{net}/remove")) {
                                                        (csrf_field(&ctx.csrf))
                                                        input type="hidden" name="member" value=(p.author);
                                                        p { "Removing " (p.name) " rotates the network's key: they read nothing written afterwards." }
                                                        button.danger type="submit" { "Remove " (p.name) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if removed > 0 { p.meta { (removed) " removed" } }
                }
            }
            section.card aria-labelledby="history-h" {
                h2 #history-h { "What new members can read" }
                @if n.network.history == "since_admission" {
                    p { "Members admitted from now on read who is in the network, profiles, the map's counts, strike calls and every pledge (each node needs them to count the same way), and, of announcements, cover offers, skills, notes and assessments, only what is written after their admission. Every admission and removal seals a fresh key for those." }
                } @else {
                    p { "Everything: a new member reads all that was written before they came, announcements, cover offers and notes included." }
                }
                @if organizer {
                    form method="post" action=(format!("/networks/{net}/history")) {
                        (csrf_field(&ctx.csrf))
                        fieldset {
                            legend { "New members read" }
                            label { input type="radio" name="mode" value="all" checked[n.network.history == "all"]; " everything written before them" }
                            label { input type="radio" name="mode" value="since_admission" checked[n.network.history == "since_admission"]; " only what is written after their admission (announcements, cover, skills, notes)" }
                        }
                        button type="submit" { "Save" }
                    }
                    p.meta { "The setting holds for what is written after it: what new members already could read stays readable to those who join later." }
                }
            }
            @if organizer {
                section.card aria-labelledby="invite-h" {
                    h2 #invite-h { "Invite someone" }
                    p { "An invite link (and its QR code) lets people ask to join. Show it in person: anyone holding it can ask, and can read other requests made with it." }
                    form method="post" action=(format!("/networks/{net}/invite")) {
                        (csrf_field(&ctx.csrf))
                        label for="uses" { "How many people may join with it" }
                        input #uses type="number" name="uses" min="1" max="1000" value="1" required;
                        label for="days" { "Valid for (days)" }
                        input #days type="number" name="days" min="1" max="365" value="7" required;
                        button type="submit" { "Create invite" }
                    }
                    p.meta { "Or " a href=(format!("/networks/{net}/leaflet")) { "print an invite leaflet" } ": a page with the QR code for a notice board or to hand out (each joiner still needs vouches)." }
                }
            }
            (announcements::section(&ctx.csrf, &net, organizer, &data.summary.announcements))
        },
    ))
}

#[derive(Debug, Deserialize)]
struct InviteForm {
    uses: u16,
    days: u64,
}

/// Shows the new invite directly (never through a redirect: the link's secret must not end
/// up in a URL or the browser's history).
async fn invite(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<InviteForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let days = form.days.clamp(1, 365);
    let made = state
        .act(move |node| {
            let addresses = node.default_invite_addresses(&id)?;
            node.create_invite(&id, form.uses, Some(days * 86_400), addresses)
        })
        .await;
    let link = match made {
        Ok(link) => link.to_string(),
        Err(e) => return Ok(done(&state, &authed, &format!("/networks/{net}"), Err(e))),
    };
    let qr = strike_node::qr::svg(&link).map_err(ApiError::from)?;
    let ctx = Ctx::load(&state, &authed).await?;
    Ok(layout(
        &ctx,
        html! {
            h1 { "Are you in?" }
            section.card {
                p { "Show this code to the person you are inviting, or give them the link. It is good for " (form.uses) " joiner(s) for " (days) " days." }
                figure.qr {
                    (PreEscaped(qr))
                    figcaption { "QR code of the invite link" }
                }
                label for="link" { "Invite link" }
                input #link.mono type="text" readonly value=(link);
                button type="button" data-copy="link" { "Copy the link" }
                p { "They run " code { "openstrike join LINK --pseudonym NAME" } " and send you the request; once a member vouches, they are in." }
                p { a href=(format!("/networks/{net}")) { "Back to the network" } }
            }
        },
    ))
}

#[derive(Debug, Deserialize)]
struct MemberForm {
    member: String,
}

async fn vouch_form(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<MemberForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let result = state.act(move |node| vouch(node, &id, &form.member)).await.map(|(name, out)| {
        if out.admitted {
            format!("{name} is admitted. Sync (or send a bundle) so their node gets the network's key.")
        } else {
            format!("You vouched for {name} ({} of {} vouches).", out.vouches, out.needed)
        }
    });
    Ok(done(&state, &authed, &format!("/networks/{net}"), result))
}

async fn remove_form(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<MemberForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let result = state.act(move |node| remove(node, &id, &form.member)).await.map(|(name, out)| {
        format!("{name} removed. The network key was rotated and sealed to the {} remaining members.", out.n_shares)
    });
    Ok(done(&state, &authed, &format!("/networks/{net}"), result))
}

async fn history(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<HistoryInput>,
) -> PageResult {
    apply(&state, &authed, &net, form, "", "Saved what new members can read.").await
}

/// Goes on under a new key after this node's key forked.
async fn recover(State(state): State<AppState>, authed: Authed, Path(net): Path<String>, _: Form<Empty>) -> PageResult {
    let id = page_network_id(&net)?;
    let result = state.act(move |node| node.recover(&id, RecoverWhy::Forked)).await.map(|out| {
        format!(
            "Asked to go on under a new key ({}). Show it to an organizer in person; once they vouch, pledge again.",
            &out.new.to_hex()[..12]
        )
    });
    Ok(done(&state, &authed, "/", result))
}

/// The owner says this data directory is the only copy.
async fn only_copy(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    _: Form<Empty>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let result = state
        .act(move |node| node.confirm_only_copy(&id))
        .await
        .map(|()| "Writing resumes in this network.".to_owned());
    Ok(done(&state, &authed, "/", result))
}

// ---- JSON ----

#[derive(Serialize, ToSchema)]
struct Networks {
    networks: Vec<NetworkView>,
}

/// Every network this node holds
#[utoipa::path(get, path = "/networks", responses((status = 200, description = "OK", body = Networks), ReadRefusals))]
async fn list_networks(State(state): State<AppState>, _: Authed) -> ApiResult<Json<Networks>> {
    let rows = state.act(|node| node.networks()).await?;
    Ok(Json(Networks { networks: rows.iter().map(NetworkView::of).collect() }))
}

/// A network with its members, peers and latest announcements
#[utoipa::path(get, path = "/networks/{net}", params(NetPath), responses((status = 200, description = "OK", body = NetworkPage), ReadRefusals))]
async fn get_network(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(Json(&*state.view(format!("network/{net}"), move |node| network_page(node, &id)).await?).into_response())
}

#[derive(Serialize, ToSchema)]
struct People {
    network_id: String,
    people: Vec<MemberView>,
}

/// Members, pending joiners and removed members, with their vouchers
#[utoipa::path(get, path = "/networks/{net}/members", params(NetPath), responses((status = 200, description = "OK", body = People), ReadRefusals))]
async fn get_members(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Json<People>> {
    let id = network_id(&net)?;
    let people = state.act(move |node| node.member_views(&id)).await?;
    Ok(Json(People { network_id: net, people }))
}

/// Someone in the network.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Member {
    /// Author id (or a prefix of 4+ hex digits), or pseudonym.
    member: String,
}

#[derive(Serialize, ToSchema)]
struct Vouched {
    op_id: String,
    admitted: bool,
    vouches: usize,
    needed: usize,
}

/// Vouch for a pending joiner (by pseudonym or id)
#[utoipa::path(post, path = "/networks/{net}/vouches", params(NetPath, Csrf), request_body = Member, responses((status = 200, description = "OK", body = Vouched), Refusals))]
async fn post_vouch(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<Member>, JsonRejection>,
) -> ApiResult<Json<Vouched>> {
    let (id, Member { member }) = (network_id(&net)?, body(b)?);
    let (_, out) = state.act(move |node| vouch(node, &id, &member)).await?;
    Ok(Json(Vouched { op_id: out.op.to_hex(), admitted: out.admitted, vouches: out.vouches, needed: out.needed }))
}

#[derive(Serialize, ToSchema)]
struct Removed {
    op_id: String,
    new_epoch: u32,
    key_shares: usize,
}

/// Remove a member or turn down a joiner (organizers); rotates the network key
#[utoipa::path(post, path = "/networks/{net}/removals", params(NetPath, Csrf), request_body = Member, responses((status = 200, description = "OK", body = Removed), Refusals))]
async fn post_removal(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<Member>, JsonRejection>,
) -> ApiResult<Json<Removed>> {
    let (id, Member { member }) = (network_id(&net)?, body(b)?);
    let (_, out) = state.act(move |node| remove(node, &id, &member)).await?;
    Ok(Json(Removed { op_id: out.op.to_hex(), new_epoch: out.new_epoch, key_shares: out.n_shares }))
}

/// How many may join with an invite, and for how long.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct InviteInput {
    #[serde(default = "one")]
    uses: u16,
    /// 1 to 365.
    #[serde(default = "week")]
    days: u64,
}

fn one() -> u16 {
    1
}

fn week() -> u64 {
    7
}

#[derive(Serialize, ToSchema)]
struct InviteMade {
    link: String,
    uses: u16,
    days: u64,
    /// The link's QR code as an SVG image.
    qr_svg: String,
}

/// Create an invite (organizers): the link and its QR code
#[utoipa::path(post, path = "/networks/{net}/invites", params(NetPath, Csrf), request_body = InviteInput, responses((status = 201, description = "Created", body = InviteMade), Refusals))]
async fn post_invite(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<InviteInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, InviteInput { uses, days }) = (network_id(&net)?, body(b)?);
    if !(1..=365).contains(&days) {
        return Err(ApiError::BadRequest("an invite is valid for 1 to 365 days".into()));
    }
    let link = state
        .act(move |node| {
            let addresses = node.default_invite_addresses(&id)?;
            node.create_invite(&id, uses, Some(days * 86_400), addresses)
        })
        .await?
        .to_string();
    let qr_svg = strike_node::qr::svg(&link)?;
    Ok((StatusCode::CREATED, Json(InviteMade { link, uses, days, qr_svg })).into_response())
}

/// Set what new members read of what was written before them (organizers)
#[utoipa::path(post, path = "/networks/{net}/history", params(NetPath, Csrf), request_body = HistoryInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_history(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<HistoryInput>, JsonRejection>,
) -> ApiResult<Response> {
    write(state, net, b).await
}

/// Why a member goes on under a new key.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields, default)]
struct Recover {
    /// The key has not forked, but a device holding this data directory was seized or copied.
    compromised: bool,
}

#[derive(Serialize, ToSchema)]
struct Recovered {
    op_id: String,
    old_author: String,
    new_author: String,
    last_good_seq: u64,
}

/// Go on under a new key after yours forked: writes a rejoin an organizer vouches in
#[utoipa::path(post, path = "/networks/{net}/recover", params(NetPath, Csrf), request_body(content = Recover, description = "May be left out: then the key must have forked"), responses((status = 201, description = "Created", body = Recovered), Refusals))]
async fn post_recover(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    raw: axum::body::Bytes,
) -> ApiResult<Response> {
    let id = network_id(&net)?;
    // The body may be left out: then the key must have forked.
    let Recover { compromised } = match raw.is_empty() {
        true => Recover::default(),
        false => serde_json::from_slice(&raw).map_err(|e| ApiError::BadRequest(format!("bad JSON body: {e}")))?,
    };
    let why = if compromised { RecoverWhy::Compromised } else { RecoverWhy::Forked };
    let out = state.act(move |node| node.recover(&id, why)).await?;
    let body = Recovered {
        op_id: out.op.to_hex(),
        old_author: out.old.to_hex(),
        new_author: out.new.to_hex(),
        last_good_seq: out.last_good_seq,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Serialize, ToSchema)]
struct WritesReady {
    network_id: String,
    /// `ready`.
    writes: &'static str,
}

/// Say this data directory is the only copy: writes in the network resume without a sync
#[utoipa::path(post, path = "/networks/{net}/only-copy", params(NetPath, Csrf), responses((status = 200, description = "OK", body = WritesReady), Refusals))]
async fn post_only_copy(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
) -> ApiResult<Json<WritesReady>> {
    let id = network_id(&net)?;
    state.act(move |node| node.confirm_only_copy(&id)).await?;
    Ok(Json(WritesReady { network_id: net, writes: "ready" }))
}
