//! Joining from the web UI: bring an invite (paste the link, or a photo of its QR code that
//! the node decodes), pick a pseudonym, and the request goes out by itself (`serve` runs the
//! join rounds); the dashboard then says what happens next until the vouch, and shows the
//! network when it arrives. The first run, before the node exists, is `crate::setup`.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_node::networks::InviteLink;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Refusals};
use crate::forms::{Csrf, body};
use crate::pages::{Ctx, PageResult, csrf_field, done, layout};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/join", get(page).post(submit))
        .route("/join/qr", post(decode_page).layer(DefaultBodyLimit::max(strike_node::qr::MAX_PICTURE_BYTES)))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_join))
        .routes(routes!(decode))
        .layer(DefaultBodyLimit::max(strike_node::qr::MAX_PICTURE_BYTES))
}

/// Ask to join a network.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinInput {
    /// The invite link, `openstrike://join/v1/...`.
    pub link: String,
    /// The name the network will know you by (1-80 characters).
    pub pseudonym: String,
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Joined {
    pub network_id: String,
    /// The join request.
    pub op_id: String,
    /// Where the request goes (the invite's addresses); empty: carry a bundle instead.
    pub addresses: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecodedInvite {
    pub link: String,
}

async fn join(state: &AppState, f: JoinInput) -> ApiResult<Joined> {
    let link: InviteLink = f.link.parse().map_err(|e: strike_node::NodeError| ApiError::BadRequest(e.to_string()))?;
    let addresses = link.addresses.clone();
    let network = link.network;
    let op = state.act(move |node| node.join(&link, &f.pseudonym)).await?;
    Ok(Joined { network_id: network.to_hex(), op_id: op.to_hex(), addresses })
}

/// The invite part of the first-run and join forms: the link, or a photo of its QR code that
/// the node decodes at `decode` (`assets/setup.js`), or the camera where the browser has one.
pub fn invite_fields(title: &str, link: &str, decode: &str) -> Markup {
    html! {
        section.card {
            h2 { (title) }
            p.meta { "Paste the link you were given, or upload a photo of its QR code: this node reads the code itself." }
            label { "Invite link " input #link type="text" name="link" value=(link) placeholder="openstrike://join/v1/..." autocomplete="off" spellcheck="false"; }
            label { "Or a photo of the QR code " input #qr type="file" accept="image/png,image/jpeg" capture="environment" data-decode=(decode); }
            p #qr-status.meta aria-live="polite" {}
            button #scan type="button" hidden { "Scan with the camera" }
            video #camera hidden playsinline muted {}
        }
    }
}

async fn page(State(state): State<AppState>, authed: Authed) -> PageResult {
    let ctx = Ctx::load(&state, &authed).await?;
    Ok(layout(
        &ctx,
        html! {
            h1 { "Join a network" }
            form #setup method="post" action="/join" {
                (csrf_field(&ctx.csrf))
                (invite_fields("Your invite", "", "/join/qr"))
                section.card {
                    h2 { "Your pseudonym" }
                    p.meta { "The name this network will know you by. You use a different key in every network, so your networks cannot be linked." }
                    label { "Pseudonym " input type="text" name="pseudonym" maxlength="80" required autocomplete="off"; }
                }
                button type="submit" { "Ask to join" }
            }
            script src="/static/setup.js" defer {}
        },
    ))
}

async fn submit(State(state): State<AppState>, authed: Authed, Form(f): Form<JoinInput>) -> Response {
    let result = join(&state, f).await.map(|j| match j.addresses.is_empty() {
        false => "Your request is on its way. A member who knows you vouches; then the network arrives here by itself.".into(),
        true => "Your request is written, but the invite carries no address: ask the organizer for a bundle (openstrike bundle export) or a link with addresses.".into(),
    });
    done(&state, &authed, "/", result)
}

async fn decode_page(_: Authed, picture: Bytes) -> Response {
    match decode_picture(picture).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Json(serde_json::json!({ "error": e.to_string() }))).into_response()
        }
    }
}

async fn decode_picture(picture: Bytes) -> ApiResult<DecodedInvite> {
    let link = tokio::task::spawn_blocking(move || strike_node::qr::decode_link(&picture))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(DecodedInvite { link })
}

// ---- JSON ----

/// Ask to join a network with an invite link: the request goes to the link's addresses by itself
#[utoipa::path(post, path = "/join", params(Csrf), request_body = JoinInput, responses((status = 201, description = "Created", body = Joined), Refusals))]
async fn post_join(
    State(state): State<AppState>,
    _: Authed,
    b: Result<Json<JoinInput>, JsonRejection>,
) -> ApiResult<Response> {
    let joined = join(&state, body(b)?).await?;
    Ok((StatusCode::CREATED, Json(joined)).into_response())
}

/// Read the invite link in a photo of its QR code (PNG or JPEG, the request body), on this node
#[utoipa::path(post, path = "/invites/decode", params(Csrf), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 200, description = "OK", body = DecodedInvite), Refusals))]
async fn decode(_: Authed, picture: Bytes) -> ApiResult<Response> {
    Ok(Json(decode_picture(picture).await?).into_response())
}
