//! The JSON API under `/api/v1`: what the pages show and do, for scripts. Described in
//! `openapi.json` (checked in beside this crate, served at `/api/v1/openapi.json`; a test
//! keeps its paths and the router's the same).
//!
//! Log in with `POST /api/v1/session`; send the session cookie back, and the CSRF token it
//! returns as `X-CSRF-Token` on every POST and DELETE.

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use strike_core::{NetworkId, OpId};
use strike_node::calls::CallSpec;
use strike_node::networks::RecoverWhy;
use strike_node::networks::{MemberView, NetworkView};
use zeroize::Zeroizing;

use crate::error::{ApiError, ApiResult};
use crate::forms::{
    AnnounceInput, AssessInput, ContactInput, CoverInput, CoverQuery, HistoryInput, NetworkCommand, NoteInput,
    ProfileInput, SkillInput,
};
use crate::security::{Authed, ClientIp};
use crate::{AppState, model};

/// The API's description, kept beside the code. Served with the running UI's own address
/// and cookie name (see [`served_description`]).
pub const OPENAPI: &str = include_str!("../openapi.json");

/// The description as this UI serves it: the server address and the session cookie's name
/// are the ones of the port it runs on.
pub fn served_description(access: &crate::security::Access) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON (a test reads it)");
    let base = match access.hosts().first() {
        Some(host) => format!("http://{host}/api/v1"),
        None => "/api/v1".to_owned(),
    };
    doc["servers"] = json!([{ "url": base }]);
    if let Some(schemes) = doc["components"]["securitySchemes"].as_object_mut() {
        for scheme in schemes.values_mut().filter(|s| s["in"] == "cookie") {
            scheme["name"] = json!(access.cookie_name);
        }
    }
    doc.to_string()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/session", post(login).delete(logout))
        .route("/dashboard", get(dashboard))
        .route("/networks", get(networks))
        .route("/networks/{net}", get(network))
        .route("/networks/{net}/members", get(members))
        .route("/networks/{net}/vouches", post(vouch))
        .route("/networks/{net}/removals", post(remove))
        .route("/networks/{net}/invites", post(invite))
        .route("/networks/{net}/history", post(write::<HistoryInput>))
        .route("/networks/{net}/recover", post(recover))
        .route("/networks/{net}/only-copy", post(only_copy))
        .route("/networks/{net}/announcements", get(announcements).post(write::<AnnounceInput>))
        .route("/networks/{net}/directory", get(directory))
        .route("/networks/{net}/profile", post(write::<ProfileInput>))
        .route("/networks/{net}/skills", post(write::<SkillInput>))
        .route("/networks/{net}/cover", post(write::<CoverInput>))
        .route("/networks/{net}/cover/search", post(cover_search))
        .route("/networks/{net}/contacts", post(write::<ContactInput>))
        .route("/networks/{net}/assessments", post(write::<AssessInput>))
        .route("/networks/{net}/notes", post(write::<NoteInput>))
        .route("/networks/{net}/readiness", get(readiness))
        .route("/networks/{net}/calls", get(calls).post(create_call))
        .route("/calls/{call}", get(call))
        .route("/calls/{call}/pledge", post(pledge))
        .route("/calls/{call}/withdraw", post(withdraw))
        .route("/sync", get(sync))
}

/// A JSON body, or a 400 that says what is wrong with it.
fn body<T>(b: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    b.map(|Json(v)| v).map_err(|e| ApiError::BadRequest(e.body_text()))
}

fn network_id(text: &str) -> ApiResult<NetworkId> {
    text.parse().map_err(|_| ApiError::NotFound("no network has that id (use its full id)".into()))
}

fn op_id(text: &str) -> ApiResult<OpId> {
    text.parse().map_err(|_| ApiError::NotFound("no strike call has that id (use its full id)".into()))
}

fn json_of<T: serde::Serialize>(value: &T) -> Response {
    Json(value).into_response()
}

async fn openapi(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], state.api_description().to_owned()).into_response()
}

#[derive(Deserialize)]
struct Login {
    passphrase: Zeroizing<String>,
}

async fn login(
    State(state): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    b: Result<Json<Login>, JsonRejection>,
) -> ApiResult<Response> {
    let Login { passphrase } = body(b)?;
    match crate::security::attempt_login(&state, client, &headers, passphrase).await? {
        Some((token, csrf)) => {
            let mut r = Json(json!({ "csrf_token": csrf })).into_response();
            r.headers_mut().insert(header::SET_COOKIE, state.access().session_cookie(&headers, Some(&token)));
            Ok(r)
        }
        None => Err(ApiError::WrongPassphrase),
    }
}

async fn logout(State(state): State<AppState>, authed: Authed, headers: HeaderMap) -> Response {
    state.sessions().end(&authed.id);
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(header::SET_COOKIE, state.access().session_cookie(&headers, None));
    r
}

async fn dashboard(State(state): State<AppState>, _: Authed) -> ApiResult<Response> {
    Ok(json_of(&*state.view("dashboard".into(), model::dashboard).await?))
}

async fn networks(State(state): State<AppState>, _: Authed) -> ApiResult<Response> {
    let rows = state.act(|node| node.networks()).await?;
    Ok(json_of(&json!({ "networks": rows.iter().map(NetworkView::of).collect::<Vec<_>>() })))
}

async fn network(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(json_of(&*state.view(format!("network/{net}"), move |node| model::network_page(node, &id)).await?))
}

async fn members(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let people = state.act(move |node| node.members(&id)).await?;
    Ok(json_of(&json!({ "network_id": net, "people": people.iter().map(MemberView::of).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Member {
    /// Author id (or a prefix of 4+ hex digits), or pseudonym.
    member: String,
}

async fn vouch(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<Member>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, Member { member }) = (network_id(&net)?, body(b)?);
    let (_, out) = state.act(move |node| crate::forms::vouch(node, &id, &member)).await?;
    Ok(json_of(
        &json!({ "op_id": out.op.to_hex(), "admitted": out.admitted, "vouches": out.vouches, "needed": out.needed }),
    ))
}

async fn remove(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<Member>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, Member { member }) = (network_id(&net)?, body(b)?);
    let (_, out) = state.act(move |node| crate::forms::remove(node, &id, &member)).await?;
    Ok(json_of(&json!({ "op_id": out.op.to_hex(), "new_epoch": out.new_epoch, "key_shares": out.n_shares })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct Recover {
    /// The key has not forked, but a device with this data directory was seized or copied.
    compromised: bool,
}

/// Goes on under a new key after this node's key forked (or its device was compromised).
async fn recover(
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
    let body = json!({ "op_id": out.op.to_hex(), "old_author": out.old.to_hex(), "new_author": out.new.to_hex(),
                       "last_good_seq": out.last_good_seq });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The owner says this data directory is the only copy: writes resume.
async fn only_copy(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    state.act(move |node| node.confirm_only_copy(&id)).await?;
    Ok(json_of(&json!({ "network_id": net, "writes": "ready" })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Invite {
    #[serde(default = "one")]
    uses: u16,
    #[serde(default = "week")]
    days: u64,
}

fn one() -> u16 {
    1
}

fn week() -> u64 {
    7
}

async fn invite(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<Invite>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, Invite { uses, days }) = (network_id(&net)?, body(b)?);
    if !(1..=365).contains(&days) {
        return Err(ApiError::BadRequest("an invite is valid for 1 to 365 days".into()));
    }
    let link = state.act(move |node| node.create_invite(&id, uses, Some(days * 86_400), vec![])).await?.to_string();
    let qr = strike_node::qr::svg(&link)?;
    Ok((StatusCode::CREATED, Json(json!({ "link": link, "uses": uses, "days": days, "qr_svg": qr }))).into_response())
}

async fn announcements(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let page = state.view(format!("network/{net}"), move |node| model::network_page(node, &id)).await?;
    Ok(json_of(&json!({ "network_id": net, "announcements": page.summary.announcements })))
}

async fn directory(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(json_of(&*state.view(format!("directory/{net}"), move |node| model::directory(node, &id)).await?))
}

/// Every input that becomes one op in a network: 201 with the op's id.
async fn write<C: NetworkCommand>(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<C>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    let op = state.act(move |node| input.apply(node, &id)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "op_id": op.to_hex() }))).into_response())
}

async fn cover_search(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<CoverQuery>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, query) = (network_id(&net)?, body(b)?);
    let matches = state.act(move |node| query.run(node, &id)).await?;
    Ok(json_of(&json!({ "matches": matches })))
}

async fn readiness(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let r = state.act(move |node| node.readiness(&id)).await?;
    Ok(json_of(&json!({ "readiness": r })))
}

async fn calls(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(json_of(&*state.view(format!("calls/{net}"), move |node| model::call_list(node, &id)).await?))
}

async fn create_call(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<CallSpec>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, spec) = (network_id(&net)?, body(b)?);
    let op = state
        .act(move |node| {
            let call = spec.build(node.now())?;
            node.create_call(&id, call)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "call_id": op.to_hex() }))).into_response())
}

async fn call(State(state): State<AppState>, _: Authed, Path(call): Path<String>) -> ApiResult<Response> {
    let op = op_id(&call)?;
    let page = state
        .view(format!("call/{call}"), move |node| {
            let (net, op) = node.find_call(&op.to_hex())?;
            model::call_page(node, &net, &op)
        })
        .await?;
    Ok(json_of(&*page))
}

async fn pledge(State(state): State<AppState>, _: Authed, Path(call): Path<String>) -> ApiResult<Response> {
    pledge_or_withdraw(state, call, true).await
}

async fn withdraw(State(state): State<AppState>, _: Authed, Path(call): Path<String>) -> ApiResult<Response> {
    pledge_or_withdraw(state, call, false).await
}

async fn pledge_or_withdraw(state: AppState, call: String, pledged: bool) -> ApiResult<Response> {
    let op = op_id(&call)?;
    let (op, view) = state
        .act(move |node| {
            let (net, call) = node.find_call(&op.to_hex())?;
            node.pledge(&net, &call, pledged)
        })
        .await?;
    Ok(json_of(&json!({ "op_id": op.to_hex(), "call": view })))
}

async fn sync(State(state): State<AppState>, _: Authed) -> ApiResult<Response> {
    let dashboard = state.view("dashboard".into(), model::dashboard).await?;
    Ok(json_of(&dashboard.sync))
}
