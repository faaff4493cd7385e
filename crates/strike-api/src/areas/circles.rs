//! Circles: private scopes inside a network. Pages: the list (every circle's name, purpose,
//! size and leads; the form organizers open one with) and a circle's page (its members if you
//! are in it, adding and taking out members, leads, and posts visible to the circle only).
//! Every form that writes into a circle says who will see it. The JSON API does the same.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::{NetworkId, OpId};
use strike_node::circles::{CirclePostView, CircleView};
use strike_node::networks::{MemberView, NetworkView};
use strike_node::{Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, OpCreated, body, network_id};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, csrf_field, done, layout, network_nav, page_network_id, when};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/circles", get(list_page).post(create))
        .route("/networks/{net}/circles/{circle}", get(circle_page))
        .route("/networks/{net}/circles/{circle}/members", post(members))
        .route("/networks/{net}/circles/{circle}/leads", post(leads))
        .route("/networks/{net}/circles/{circle}/posts", post(posts))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_circles, post_circle))
        .routes(routes!(get_circle))
        .routes(routes!(post_member))
        .routes(routes!(post_lead))
        .routes(routes!(post_post))
}

/// `{circle}`: `organizers`, or a custom circle's full id.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct CirclePath {
    /// `organizers`, or the circle's full id (64 hex digits).
    circle: String,
}

/// A network's circles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CirclesPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    /// The organizers' circle first, then custom circles by name.
    pub circles: Vec<CircleView>,
}

fn circles_page(node: &Node, network: &NetworkId) -> Result<CirclesPage> {
    let row = node.network(network)?;
    Ok(CirclesPage { network: NetworkView::of(&row), me: me(node, network)?, circles: node.circles(network)? })
}

/// One circle: what everyone sees of it, and its posts for its members.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CirclePage {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub circle: CircleView,
    /// Oldest first; empty for a circle you are not in.
    pub posts: Vec<CirclePostView>,
    /// The network's current members (whom organizers and leads can add).
    pub people: Vec<MemberView>,
}

fn circle_view(node: &Node, network: &NetworkId, circle: &str) -> Result<CirclePage> {
    let row = node.network(network)?;
    let id = node.resolve_circle(network, circle)?;
    let people = node
        .members(network)?
        .iter()
        .filter(|m| m.status == strike_core::membership::Status::Member)
        .map(MemberView::of)
        .collect();
    Ok(CirclePage {
        network: NetworkView::of(&row),
        me: me(node, network)?,
        circle: node.circle(network, &id)?,
        posts: node.circle_posts(network, &id)?,
        people,
    })
}

/// A new circle (organizers): you lead it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CircleInput {
    /// Crisis team, Treasurers, Legal team, Drivers ...
    pub name: String,
    /// What it is for, as the rest of the network sees it (optional).
    pub purpose: String,
    #[serde(rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

/// Someone added to a circle or taken out (organizers and the circle's leads).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CircleMemberInput {
    /// The member's pseudonym or id (a prefix of 4+ hex digits).
    pub member: String,
    /// `true` adds, `false` takes out.
    #[serde(default = "yes")]
    pub added: bool,
    #[serde(rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

fn yes() -> bool {
    true
}

/// A lead appointed, or the appointment ended (organizers).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CircleLeadInput {
    /// The member's pseudonym or id.
    pub member: String,
    #[serde(default = "yes")]
    pub lead: bool,
    #[serde(rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

/// A post, visible to the circle's members only.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CirclePostInput {
    pub text: String,
    #[serde(rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl CircleMemberInput {
    fn apply(&self, node: &mut Node, network: &NetworkId, circle: &str) -> Result<OpId> {
        let circle = node.resolve_circle(network, circle)?;
        let who = node.resolve_member(network, &self.member)?.author;
        if self.added {
            node.add_to_circle(network, &circle, &who)
        } else {
            node.remove_from_circle(network, &circle, &who)
        }
    }
}

impl CircleLeadInput {
    fn apply(&self, node: &mut Node, network: &NetworkId, circle: &str) -> Result<OpId> {
        let circle = node.resolve_circle(network, circle)?;
        let who = node.resolve_member(network, &self.member)?.author;
        node.set_circle_lead(network, &circle, &who, self.lead)
    }
}

// ---- page sections ----

/// "visible to: Crisis team (3)", as every form writing into a circle and every page showing
/// circle content says it.
pub fn visible_to(label: &str) -> Markup {
    html! { span.visible-to data-visible-to { (label) } }
}

fn circles_table(net: &str, circles: &[CircleView]) -> Markup {
    html! {
        table {
            thead { tr { th scope="col" { "Circle" } th scope="col" { "What it is for" } th scope="col" { "Members" } th scope="col" { "Led by" } th scope="col" { "You" } } }
            tbody {
                @for c in circles {
                    tr {
                        td { a href=(format!("/networks/{net}/circles/{}", c.id)) { (c.name) } }
                        td { (c.purpose) }
                        td { (c.size) }
                        td { @if c.organizers { "every organizer" } @else { (c.leads.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")) } }
                        td { @if c.i_lead { "you lead it" } @else if c.i_am_in { "you are in it" } @else { "—" } }
                    }
                }
            }
        }
    }
}

async fn list_page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    let id = page_network_id(&net)?;
    let data = state.view(format!("circles/{net}"), move |node| circles_page(node, &id)).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let organizer = data.me.as_ref().is_some_and(|m| m.organizer);
    Ok(layout(
        &ctx,
        html! {
            h1 { (data.network.name.clone().unwrap_or_default()) ": circles" }
            (network_nav(&net, Some("circles")))
            div #live-circles data-live {
                section.card aria-labelledby="circles-h" {
                    h2 #circles-h { "Circles" }
                    p.meta { "A circle keeps what is written in it to its members: its own keys, sealed to each of them. Everyone in the network sees that a circle exists, what it is for, how many are in it and who leads it; only its members see who else is in it and what it holds." }
                    (circles_table(&net, &data.circles))
                }
            }
            @if organizer {
                section.card aria-labelledby="new-circle-h" {
                    h2 #new-circle-h { "Open a circle" }
                    form method="post" action=(format!("/networks/{net}/circles")) {
                        (csrf_field(&ctx.csrf))
                        label for="circle-name" { "Name (Crisis team, Treasurers, Legal team, Drivers ...)" }
                        input #circle-name type="text" name="name" required maxlength="80";
                        label for="circle-purpose" { "What it is for (every member sees this)" }
                        input #circle-purpose type="text" name="purpose" maxlength="400";
                        button type="submit" { "Open the circle" }
                        " " span.meta { "You lead it; add members on its page." }
                    }
                }
            }
        },
    ))
}

async fn circle_page(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, circle)): Path<(String, String)>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let key = circle.clone();
    let data = state.view(format!("circle/{net}/{circle}"), move |node| circle_view(node, &id, &key)).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let c = &data.circle;
    let organizer = data.me.as_ref().is_some_and(|m| m.organizer);
    let manages = !c.organizers && (organizer || c.i_lead);
    let base = format!("/networks/{net}/circles/{}", c.id);
    Ok(layout(
        &ctx,
        html! {
            h1 { (data.network.name.clone().unwrap_or_default()) ": " (c.name) }
            (network_nav(&net, None))
            p { a href=(format!("/networks/{net}/circles")) { "All circles" } }
            div #live-circle data-live {
                section.card aria-labelledby="circle-h" {
                    h2 #circle-h { (c.name) " (" (c.size) ")" }
                    @if !c.purpose.is_empty() { p { (c.purpose) } }
                    @if !c.organizers { p { "Led by " (c.leads.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")) "." } }
                    @match &c.members {
                        Some(m) if c.i_am_in || c.organizers => {
                            p { "Members: " (m.iter().map(|p| if p.lead { format!("{} (lead)", p.name) } else { p.name.clone() }).collect::<Vec<_>>().join(", ")) }
                        }
                        _ => { p.meta { "You are not in this circle: you see that it exists, its size and its leads, and nothing it holds." } }
                    }
                }
                @if c.i_am_in {
                    section.card aria-labelledby="posts-h" {
                        h2 #posts-h { "Posts " (visible_to(&c.visible_to)) }
                        @if data.posts.is_empty() { p { "Nothing written here yet." } }
                        @for p in &data.posts {
                            article.post { p.meta { (p.author) " · " (when(strike_core::CoarseTime(p.time).unix_seconds())) " UTC" } p { (p.text) } }
                        }
                        @if c.can_write {
                            form method="post" action=(format!("{base}/posts")) {
                                (csrf_field(&ctx.csrf))
                                label for="post-text" { "Write to the circle" }
                                textarea #post-text name="text" rows="3" maxlength="4000" required {}
                                button type="submit" { "Post" } " " (visible_to(&c.visible_to))
                            }
                        } @else {
                            p.meta { "Your node holds no key of this circle yet: a member's node seals one to you on its next sync." }
                        }
                    }
                }
            }
            @if manages {
                section.card aria-labelledby="manage-h" {
                    h2 #manage-h { "Members" }
                    form method="post" action=(format!("{base}/members")) {
                        (csrf_field(&ctx.csrf))
                        label for="m-member" { "Member of the network" }
                        select #m-member name="member" required {
                            @for p in &data.people { option value=(p.author) { (p.name) } }
                        }
                        label for="m-added" { "Add or take out" }
                        select #m-added name="added" {
                            option value="true" { "Add to the circle" }
                            option value="false" { "Take out of the circle" }
                        }
                        button type="submit" { "Save" }
                        " " span.meta { "Taking someone out seals a fresh key to the rest: they read nothing written afterwards." }
                    }
                    @if organizer {
                        form method="post" action=(format!("{base}/leads")) {
                            (csrf_field(&ctx.csrf))
                            label for="l-member" { "Lead" }
                            select #l-member name="member" required {
                                @for p in &data.people { option value=(p.author) { (p.name) } }
                            }
                            label for="l-lead" { "Appoint or end" }
                            select #l-lead name="lead" {
                                option value="true" { "Appoint as lead" }
                                option value="false" { "No longer a lead" }
                            }
                            button type="submit" { "Save lead" }
                        }
                    }
                }
            }
        },
    ))
}

async fn create(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<CircleInput>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let result = state.act(move |node| node.create_circle(&id, &f.name, &f.purpose)).await;
    match result {
        Ok(op) => {
            Ok(done(&state, &authed, &format!("/networks/{net}/circles/{}", op.to_hex()), Ok("Circle opened.".into())))
        }
        Err(e) => Ok(done(&state, &authed, &format!("/networks/{net}/circles"), Err(e))),
    }
}

async fn members(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, circle)): Path<(String, String)>,
    Form(f): Form<CircleMemberInput>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let ok = if f.added {
        "Added: their node receives the circle's key on its next sync."
    } else {
        "Taken out: the circle has a fresh key."
    };
    let key = circle.clone();
    let result = state.act(move |node| f.apply(node, &id, &key)).await.map(|_| ok.to_owned());
    Ok(done(&state, &authed, &format!("/networks/{net}/circles/{circle}"), result))
}

async fn leads(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, circle)): Path<(String, String)>,
    Form(f): Form<CircleLeadInput>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let key = circle.clone();
    let result = state.act(move |node| f.apply(node, &id, &key)).await.map(|_| "Lead saved.".to_owned());
    Ok(done(&state, &authed, &format!("/networks/{net}/circles/{circle}"), result))
}

async fn posts(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, circle)): Path<(String, String)>,
    Form(f): Form<CirclePostInput>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let key = circle.clone();
    let result = state
        .act(move |node| {
            let c = node.resolve_circle(&id, &key)?;
            node.post_in_circle(&id, &c, &f.text)
        })
        .await
        .map(|_| "Posted to the circle.".to_owned());
    Ok(done(&state, &authed, &format!("/networks/{net}/circles/{circle}"), result))
}

// ---- JSON ----

fn created(op: OpId) -> Response {
    (StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response()
}

fn circle_key(text: &str) -> ApiResult<String> {
    let ok = text == "organizers" || (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()));
    ok.then(|| text.to_owned())
        .ok_or_else(|| ApiError::NotFound("no circle has that id (use `organizers` or its full id)".into()))
}

/// A network's circles: name, purpose, size and leads of each; members of those you are in
#[utoipa::path(get, path = "/networks/{net}/circles", params(NetPath), responses((status = 200, description = "OK", body = CirclesPage), ReadRefusals))]
async fn get_circles(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let page = state.view(format!("circles/{net}"), move |node| circles_page(node, &id)).await?;
    Ok(Json(&*page).into_response())
}

/// Open a circle (organizers); you lead it
#[utoipa::path(post, path = "/networks/{net}/circles", params(NetPath, Csrf), request_body = CircleInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_circle(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<CircleInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    let op = state.act(move |node| node.create_circle(&id, &input.name, &input.purpose)).await?;
    Ok(created(op))
}

/// One circle, with its posts if you are in it
#[utoipa::path(get, path = "/networks/{net}/circles/{circle}", params(NetPath, CirclePath), responses((status = 200, description = "OK", body = CirclePage), ReadRefusals))]
async fn get_circle(
    State(state): State<AppState>,
    _: Authed,
    Path((net, circle)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, key) = (network_id(&net)?, circle_key(&circle)?);
    let page = state.view(format!("circle/{net}/{circle}"), move |node| circle_view(node, &id, &key)).await?;
    Ok(Json(&*page).into_response())
}

/// Add a member of the network to a circle, or take them out (organizers and the circle's leads)
#[utoipa::path(post, path = "/networks/{net}/circles/{circle}/members", params(NetPath, CirclePath, Csrf), request_body = CircleMemberInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_member(
    State(state): State<AppState>,
    _: Authed,
    Path((net, circle)): Path<(String, String)>,
    b: std::result::Result<Json<CircleMemberInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, key, input) = (network_id(&net)?, circle_key(&circle)?, body(b)?);
    Ok(created(state.act(move |node| input.apply(node, &id, &key)).await?))
}

/// Appoint a circle's lead, or end the appointment (organizers)
#[utoipa::path(post, path = "/networks/{net}/circles/{circle}/leads", params(NetPath, CirclePath, Csrf), request_body = CircleLeadInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_lead(
    State(state): State<AppState>,
    _: Authed,
    Path((net, circle)): Path<(String, String)>,
    b: std::result::Result<Json<CircleLeadInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, key, input) = (network_id(&net)?, circle_key(&circle)?, body(b)?);
    Ok(created(state.act(move |node| input.apply(node, &id, &key)).await?))
}

/// Write a post into a circle you are in (its members only read it)
#[utoipa::path(post, path = "/networks/{net}/circles/{circle}/posts", params(NetPath, CirclePath, Csrf), request_body = CirclePostInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_post(
    State(state): State<AppState>,
    _: Authed,
    Path((net, circle)): Path<(String, String)>,
    b: std::result::Result<Json<CirclePostInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, key, input) = (network_id(&net)?, circle_key(&circle)?, body(b)?);
    let op = state
        .act(move |node| {
            let c = node.resolve_circle(&id, &key)?;
            node.post_in_circle(&id, &c, &input.text)
        })
        .await?;
    Ok(created(op))
}
