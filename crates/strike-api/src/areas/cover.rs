//! Cover: members offer (or ask for) a shift, childcare, a ride or eldercare, and anyone
//! searches who can cover what. Its sections sit on the directory page; the API posts
//! offers and needs and searches them.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::{CoverKind, NetworkId, OpId};
use strike_node::cover::CoverView;
use strike_node::{Node, NodeError, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::areas::directory;
use crate::error::{ApiError, ApiResult, Refusals};
use crate::forms::{Csrf, NetPath, NetworkCommand, OpCreated, body, network_id, write};
use crate::pages::{PageResult, apply, csrf_field, page_network_id};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new().route("/networks/{net}/cover-search", post(search)).route("/networks/{net}/cover", post(cover))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(post_cover)).routes(routes!(post_search))
}

fn kind(text: &str) -> Result<CoverKind> {
    CoverKind::parse(text).map_err(NodeError::InvalidInput)
}

/// Who can cover this: open offers that match kind, days and hours, and place.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CoverQuery {
    /// shift, childcare, ride or eldercare.
    pub kind: String,
    /// Days and hours, as `sat`, `mon-fri 22:00-06:00` or `any` (blank: any time).
    pub when: String,
    /// Where (blank: anywhere).
    #[serde(rename = "where")]
    pub place: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl CoverQuery {
    pub fn run(&self, node: &Node, network: &NetworkId) -> Result<Vec<CoverView>> {
        node.find_cover(network, kind(&self.kind)?, &self.when, &self.place)
    }
}

/// An offer of cover, or (`need`) a request for it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CoverInput {
    /// A request for cover rather than an offer.
    pub need: bool,
    /// shift, childcare, ride or eldercare.
    pub kind: String,
    /// Days and hours, as `mon-fri 22:00-06:00`, `weekends` or `any` (blank: any time).
    pub when: String,
    #[serde(rename = "where")]
    pub place: String,
    pub note: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl NetworkCommand for CoverInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        node.add_cover(network, self.need, kind(&self.kind)?, &self.when, &self.place, &self.note)
    }
}

/// A search and what it found, shown on the directory page (a POST, so what someone looked
/// for stays out of the address bar and history).
pub type Search = (CoverQuery, std::result::Result<Vec<CoverView>, ApiError>);

// ---- page sections ----

/// "Who can cover?": the search form, and what the last search found.
pub fn search_section(csrf: &str, net: &str, search: Option<&Search>) -> Markup {
    html! {
        section.card aria-labelledby="find-h" {
            h2 #find-h { "Who can cover?" }
            form method="post" action=(format!("/networks/{net}/cover-search")) {
                (csrf_field(csrf))
                (kind_select("find-kind", search.map(|s| s.0.kind.as_str())))
                label for="find-when" { "When (e.g. sat, mon-fri 22:00-06:00, any)" }
                input #find-when type="text" name="when" value=(search.map_or("", |s| s.0.when.as_str()));
                label for="find-where" { "Where (optional)" }
                input #find-where type="text" name="where" value=(search.map_or("", |s| s.0.place.as_str()));
                button type="submit" { "Search" }
            }
            @if let Some((_, found)) = search {
                @match found {
                    Ok(list) if list.is_empty() => { p role="status" { "Nobody offers that yet." } }
                    Ok(list) => { p role="status" { (list.len()) " offer(s) match:" } (cover_table(list)) }
                    Err(e) => { p.flash.error role="alert" { (e.to_string()) } }
                }
            }
        }
    }
}

/// Every open offer and need.
pub fn table_section(cover: &[CoverView]) -> Markup {
    html! {
        section.card aria-labelledby="cover-h" {
            h2 #cover-h { "Cover offered and needed" }
            (cover_table(cover))
        }
    }
}

/// A member's form to offer or ask for cover.
pub fn offer_form(csrf: &str, net: &str) -> Markup {
    html! {
        h3 { "Offer or ask for cover" }
        form method="post" action=(format!("/networks/{net}/cover")) {
            (csrf_field(csrf))
            fieldset {
                legend { "I want to" }
                label.choice { input type="radio" name="need" value="false" checked; " offer cover" }
                label.choice { input type="radio" name="need" value="true"; " ask for cover" }
            }
            (kind_select("cover-kind", None))
            label for="cover-when" { "When (e.g. mon-fri 22:00-06:00, weekends, any)" }
            input #cover-when type="text" name="when" value="any" required;
            label for="cover-where" { "Where (optional)" }
            input #cover-where type="text" name="where";
            label for="cover-note" { "Note (optional)" }
            input #cover-note type="text" name="note" maxlength="500";
            button type="submit" { "Save" }
        }
    }
}

fn kind_select(id: &str, selected: Option<&str>) -> Markup {
    html! {
        label for=(id) { "Kind of cover" }
        select id=(id) name="kind" {
            @for k in CoverKind::ALL {
                option value=(k.as_str()) selected[selected == Some(k.as_str())] { (k.as_str()) }
            }
        }
    }
}

fn cover_table(list: &[CoverView]) -> Markup {
    html! {
        @if list.is_empty() { p.meta { "Nothing yet." } } @else {
            table {
                thead { tr { th scope="col" { "Who" } th scope="col" { "Offers / needs" } th scope="col" { "Kind" } th scope="col" { "When" } th scope="col" { "Where" } th scope="col" { "Note" } } }
                tbody {
                    @for c in list {
                        tr { td { (c.who) } td { @if c.need { "needs" } @else { "offers" } } td { (c.kind) } td { (c.when) } td { (c.place) } td { (c.note) } }
                    }
                }
            }
        }
    }
}

async fn search(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<CoverQuery>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let query = form.clone();
    let found = state.act(move |node| query.run(node, &id)).await;
    directory::render(&state, &authed, &net, Some((form, found))).await
}

async fn cover(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<CoverInput>,
) -> PageResult {
    let done = if f.need { "Your need is recorded." } else { "Your offer is recorded." };
    apply(&state, &authed, &net, f, "/directory", done).await
}

// ---- JSON ----

/// Offer cover, or ask for it (need=true)
#[utoipa::path(post, path = "/networks/{net}/cover", params(NetPath, Csrf), request_body = CoverInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_cover(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<CoverInput>, JsonRejection>,
) -> ApiResult<Response> {
    write(state, net, b).await
}

#[derive(Serialize, ToSchema)]
struct Matches {
    matches: Vec<CoverView>,
}

/// Who can cover: open offers matching kind, days and hours, and place
#[utoipa::path(post, path = "/networks/{net}/cover/search", params(NetPath, Csrf), request_body = CoverQuery, responses((status = 200, description = "OK", body = Matches), Refusals))]
async fn post_search(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<CoverQuery>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, query) = (network_id(&net)?, body(b)?);
    let matches = state.act(move |node| query.run(node, &id)).await?;
    Ok(Json(Matches { matches }).into_response())
}
