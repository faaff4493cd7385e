//! Announcements: organizers post signed messages every member reads; the network's page
//! lists them with the form, and the API reads and posts them.

use std::collections::HashMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::{NetworkId, OpId};
use strike_node::{Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, NetworkCommand, OpCreated, network_id, write};
use crate::pages::{PageResult, apply, csrf_field, when};
use crate::security::Authed;

/// Announcements a network's page and `GET /announcements` show.
pub const NETWORK_ANNOUNCEMENTS: u32 = 20;

pub fn pages() -> Router<AppState> {
    Router::new().route("/networks/{net}/announce", post(announce))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, post_announcement))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Announcement {
    pub op_id: String,
    pub author: String,
    pub author_name: String,
    /// Unix seconds.
    pub time: u64,
    pub text: String,
}

/// The latest `limit` announcements of a network, newest first, with their authors' names.
pub fn latest(node: &Node, network: &NetworkId, limit: u32) -> Result<Vec<Announcement>> {
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

/// A signed announcement (organizers).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnounceInput {
    /// Up to 4,000 characters.
    pub text: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl NetworkCommand for AnnounceInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        node.announce(network, &self.text)
    }
}

/// The announcements on a network's page, with the form for organizers.
pub fn section(csrf: &str, net: &str, organizer: bool, announcements: &[Announcement]) -> Markup {
    html! {
        @if organizer {
            section.card aria-labelledby="announce-h" {
                h2 #announce-h { "Post an announcement" }
                form method="post" action=(format!("/networks/{net}/announce")) {
                    (csrf_field(csrf))
                    label for="text" { "Announcement (signed by you, read by every member)" }
                    textarea #text name="text" rows="3" maxlength="4000" required {}
                    button type="submit" { "Post" }
                }
            }
        }
        section.card aria-labelledby="ann-h" {
            h2 #ann-h { "Announcements" }
            @if announcements.is_empty() { p.meta { "None yet." } }
            ul.announcements {
                @for a in announcements { li { span.meta { (when(a.time)) " · " (a.author_name) } br; (a.text) } }
            }
        }
    }
}

async fn announce(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<AnnounceInput>,
) -> PageResult {
    apply(&state, &authed, &net, f, "", "Announcement posted.").await
}

// ---- JSON ----

#[derive(Serialize, ToSchema)]
struct Announcements {
    network_id: String,
    /// Newest first, at most 20.
    announcements: Vec<Announcement>,
}

/// The network's latest announcements
#[utoipa::path(get, path = "/networks/{net}/announcements", params(NetPath), responses((status = 200, description = "OK", body = Announcements), ReadRefusals))]
async fn list(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let announcements =
        state.view(format!("announcements/{net}"), move |node| latest(node, &id, NETWORK_ANNOUNCEMENTS)).await?;
    Ok(Json(Announcements { network_id: net, announcements: announcements.to_vec() }).into_response())
}

/// Post an announcement (organizers)
#[utoipa::path(post, path = "/networks/{net}/announcements", params(NetPath, Csrf), request_body = AnnounceInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_announcement(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<AnnounceInput>, JsonRejection>,
) -> ApiResult<Response> {
    write(state, net, b).await
}
