//! Discussion before a vote: a network's threads (on its votes page) and a proposal's (on its
//! page, above the ballot), replies in order, organizers' locks. The JSON API does the same.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use maud::{Markup, html};
use serde::Deserialize;
use strike_core::{NetworkId, OpId};
use strike_node::votes::threads::ThreadView;
use strike_node::{Node, Result};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, QueryRefusals, Refusals};
use crate::forms::{Csrf, NetPath, OpCreated, body, network_id};
use crate::pages::{PageResult, csrf_field, done, minute, page_network_id};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/threads", post(form_start))
        .route("/networks/{net}/threads/reply", post(form_reply))
        .route("/networks/{net}/threads/lock", post(form_lock))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_threads, post_thread))
        .routes(routes!(post_reply))
        .routes(routes!(post_lock))
}

/// Threads on `on` (none: the network's own), with a reply form under each open one, a lock
/// button for organizers, and a form to start one. `back` is the page the forms return to.
pub fn section(csrf: &str, net: &str, threads: &[ThreadView], on: Option<&str>, organizer: bool, back: &str) -> Markup {
    html! {
        section.card aria-labelledby="threads-h" {
            h2 #threads-h { "Discussion" }
            p.meta { "Every member of the network reads the discussion." }
            @for t in threads {
                article.thread {
                    h3 { (t.title) @if t.locked { " " span.badge { "locked" } } }
                    p.meta { (t.by) ", " (minute(t.at)) " UTC" }
                    @if !t.text.is_empty() { p { (t.text) } }
                    ol.replies { @for r in &t.replies { li { strong { (r.by) } " (" (minute(r.at)) " UTC): " (r.text) } } }
                    @if !t.locked {
                        form method="post" action=(format!("/networks/{net}/threads/reply")) {
                            (csrf_field(csrf))
                            input type="hidden" name="thread" value=(t.id);
                            input type="hidden" name="back" value=(back);
                            label for=(format!("reply-{}", &t.id[..8])) { "Reply" }
                            input id=(format!("reply-{}", &t.id[..8])) type="text" name="text" required maxlength="4000";
                            button type="submit" { "Reply" }
                        }
                    }
                    @if organizer {
                        form.inline method="post" action=(format!("/networks/{net}/threads/lock")) {
                            (csrf_field(csrf))
                            input type="hidden" name="thread" value=(t.id);
                            input type="hidden" name="back" value=(back);
                            button type="submit" name="locked" value=(!t.locked) { @if t.locked { "Open the thread" } @else { "Lock the thread" } }
                        }
                    }
                }
            }
            details {
                summary { "Start a thread" }
                form method="post" action=(format!("/networks/{net}/threads")) {
                    (csrf_field(csrf))
                    @if let Some(on) = on { input type="hidden" name="on" value=(on); }
                    input type="hidden" name="back" value=(back);
                    label for="thread-title" { "Title" } input #thread-title type="text" name="title" required maxlength="160";
                    label for="thread-text" { "What you want to say" } textarea #thread-text name="text" rows="3" maxlength="4000" {}
                    button type="submit" { "Start the thread" }
                }
            }
        }
    }
}

/// The thread forms as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ThreadForm {
    on: String,
    title: String,
    text: String,
    thread: String,
    locked: bool,
    back: String,
}

/// Only a page of this UI to go back to.
fn back(f: &ThreadForm, net: &str) -> String {
    if f.back.starts_with("/networks/") && !f.back.contains("//") {
        f.back.clone()
    } else {
        format!("/networks/{net}/votes")
    }
}

async fn on_form(
    s: &AppState,
    a: &Authed,
    net: &str,
    to: String,
    ok: &'static str,
    f: impl FnOnce(&mut Node, &NetworkId) -> Result<OpId> + Send + 'static,
) -> PageResult {
    let id = page_network_id(net)?;
    let result = s.act(move |n| f(n, &id)).await.map(|_| ok.to_string());
    Ok(done(s, a, &to, result))
}

async fn form_start(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ThreadForm>,
) -> PageResult {
    let to = back(&f, &net);
    on_form(&s, &a, &net, to, "Thread started.", move |n, id| {
        let on = match f.on.trim() {
            "" => None,
            o => Some(n.resolve_thread_subject(id, o)?),
        };
        n.start_thread(id, on, &f.title, &f.text)
    })
    .await
}

async fn form_reply(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ThreadForm>,
) -> PageResult {
    let to = back(&f, &net);
    on_form(&s, &a, &net, to, "Replied.", move |n, id| {
        let thread = n.resolve_fact(id, strike_core::Kind::Thread, &f.thread)?;
        n.reply(id, &thread, &f.text)
    })
    .await
}

async fn form_lock(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ThreadForm>,
) -> PageResult {
    let to = back(&f, &net);
    let ok = if f.locked { "Thread locked." } else { "Thread open again." };
    on_form(&s, &a, &net, to, ok, move |n, id| {
        let thread = n.resolve_fact(id, strike_core::Kind::Thread, &f.thread)?;
        n.lock_thread(id, &thread, f.locked)
    })
    .await
}

// ---- JSON ----

fn created(op: OpId) -> Response {
    (StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response()
}

/// Which threads.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadsQuery {
    /// Only those on this proposal or call (an id prefix)
    #[serde(default)]
    pub on: String,
}

/// The network's threads, oldest first, each with its replies in order
#[utoipa::path(get, path = "/networks/{net}/threads", params(NetPath, ThreadsQuery), responses((status = 200, description = "OK", body = Vec<ThreadView>), QueryRefusals))]
async fn get_threads(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    Query(q): Query<ThreadsQuery>,
) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let list = state
        .view(format!("threads/{net}/{}", q.on), move |n| {
            let on = match q.on.trim() {
                "" => None,
                o => Some(n.resolve_thread_subject(&id, o)?),
            };
            n.threads(&id, on.as_ref())
        })
        .await?;
    Ok(Json(list).into_response())
}

/// A new thread.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadInput {
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// A proposal or call it is on (an id prefix); none for the network's own
    #[serde(default)]
    pub on: String,
}

/// Start a discussion on the network, a proposal or a call
#[utoipa::path(post, path = "/networks/{net}/threads", params(NetPath, Csrf), request_body = ThreadInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_thread(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<ThreadInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, t) = (network_id(&net)?, body(b)?);
    let op = state
        .act(move |n| {
            let on = match t.on.trim() {
                "" => None,
                o => Some(n.resolve_thread_subject(&id, o)?),
            };
            n.start_thread(&id, on, &t.title, &t.text)
        })
        .await?;
    Ok(created(op))
}

/// A reply.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    /// The thread (an id prefix)
    pub thread: String,
    pub text: String,
}

/// Reply in a thread (not once it is locked)
#[utoipa::path(post, path = "/networks/{net}/replies", params(NetPath, Csrf), request_body = ReplyInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_reply(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<ReplyInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, r) = (network_id(&net)?, body(b)?);
    let op = state
        .act(move |n| {
            let thread = n.resolve_fact(&id, strike_core::Kind::Thread, &r.thread)?;
            n.reply(&id, &thread, &r.text)
        })
        .await?;
    Ok(created(op))
}

/// A lock.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockInput {
    pub thread: String,
    /// false opens it again
    pub locked: bool,
}

/// Lock a thread, or open it again (organizers)
#[utoipa::path(post, path = "/networks/{net}/thread-locks", params(NetPath, Csrf), request_body = LockInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_lock(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<LockInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, l) = (network_id(&net)?, body(b)?);
    let op = state
        .act(move |n| {
            let thread = n.resolve_fact(&id, strike_core::Kind::Thread, &l.thread)?;
            n.lock_thread(&id, &thread, l.locked)
        })
        .await?;
    Ok(created(op))
}
