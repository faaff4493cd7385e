//! The HTML pages: server-rendered with maud, forms that post back (and redirect), parts
//! marked `data-live` that the script refreshes when the node changes. Page titles never
//! name a network or a person: titles end up in the browser's history on disk.

mod calls;
mod dashboard;
mod directory;
mod network;

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;
use strike_core::calls::{CallStatus, Tally};
use strike_core::{CoarseTime, NetworkId, OpId};
use zeroize::Zeroizing;

use crate::AppState;
use crate::error::ApiError;
use crate::forms::NetworkCommand;
use crate::model::{self, Alert};
use crate::security::{Authed, CSRF_FIELD, ClientIp, Flash};

const CSS: &str = include_str!("../assets/app.css");
const JS: &str = include_str!("../assets/app.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(login_page).post(login))
        .route("/login/once/{token}", get(login_once))
        .route("/logout", post(logout))
        .route("/static/app.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }))
        .route("/static/app.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], JS) }))
        .merge(network::routes())
        .merge(directory::routes())
        .merge(calls::routes())
}

/// An error as a page: the message and a way back. A missing session goes to the login page.
#[derive(Debug)]
pub struct PageError(ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, ApiError::Unauthorized) {
            return Redirect::to("/login").into_response();
        }
        let status = self.0.status();
        let page = bare(html! {
            h1 { "Something went wrong" }
            p.flash.error role="alert" { (self.0.to_string()) }
            p { a href="/" { "Back to the dashboard" } }
        });
        self.0.finish((status, page).into_response())
    }
}

pub type PageResult = Result<Response, PageError>;

pub fn not_found() -> PageError {
    PageError(ApiError::NotFound("no such page".into()))
}

/// What every page around its content needs: the CSRF token for its forms, a message left
/// by the last form, and the calls that triggered (for the banner).
pub struct Ctx {
    pub csrf: String,
    pub flash: Option<Flash>,
    pub alerts: Vec<Alert>,
    pub now: u64,
}

impl Ctx {
    pub async fn load(state: &AppState, authed: &Authed) -> Result<Ctx, PageError> {
        let dashboard = state.view("dashboard".into(), model::dashboard).await?;
        Ok(Ctx::with_alerts(state, authed, dashboard.alerts.clone()))
    }

    pub fn with_alerts(state: &AppState, authed: &Authed, alerts: Vec<Alert>) -> Ctx {
        Ctx {
            csrf: authed.csrf.clone(),
            flash: state.sessions().take_flash(&authed.id),
            alerts,
            now: strike_node::unix_now(),
        }
    }
}

/// The page around `content`, with the navigation and the trigger banner.
pub fn layout(ctx: &Ctx, content: Markup) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            (head())
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    nav aria-label="Main" {
                        a.brand href="/" { "Open Strike" }
                        a href="/" { "Dashboard" }
                        form.inline method="post" action="/logout" {
                            (csrf_field(&ctx.csrf))
                            button.link type="submit" { "Log out" }
                        }
                    }
                }
                div #live-banner data-live {
                    @for a in &ctx.alerts {
                        div.banner role="alert" {
                            strong { @if a.status == "started" { "STARTED: " } @else { "TRIGGERED: " } }
                            a href=(format!("/calls/{}", a.call_id)) { (a.title) }
                            " (" (a.network_name) "): enough have pledged. "
                            @if a.status == "started" { "The action is under way since " } @else { "It starts " }
                            (when(a.starts)) " UTC."
                        }
                    }
                }
                main #main {
                    @if let Some(f) = &ctx.flash {
                        p.flash.ok[f.ok].error[!f.ok] role=(if f.ok { "status" } else { "alert" }) { (f.text) }
                    }
                    (content)
                }
                footer { "Open Strike runs on this computer. Nothing on these pages leaves it unless you sync." }
            }
        }
    };
    (StatusCode::OK, page).into_response()
}

/// Every page's head: one title for all (titles end up in the browser's history), the
/// stylesheet, and the script (pages without live parts leave it idle).
fn head() -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { "Open Strike" }
            link rel="stylesheet" href="/static/app.css";
            script src="/static/app.js" defer {}
        }
    }
}

/// A page without navigation (login, errors).
fn bare(content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head())
            body { main #main.narrow { (content) } }
        }
    }
}

pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(token); }
}

/// `YYYY-MM-DD HH:MM` of unix seconds (UTC).
pub fn when(unix: u64) -> String {
    CoarseTime::from_unix_seconds(unix).to_string()
}

/// The day of unix seconds, `YYYY-MM-DD` (UTC).
pub fn day(unix: u64) -> String {
    let mut s = when(unix);
    s.truncate(10);
    s
}

/// A coarse minute as `YYYY-MM-DD HH:MM`.
pub fn minute(m: u32) -> String {
    CoarseTime(m).to_string()
}

pub fn status_badge(status: CallStatus) -> Markup {
    let (class, text) = match status {
        CallStatus::Open => ("badge open", "open"),
        CallStatus::Triggered => ("badge triggered", "TRIGGERED"),
        CallStatus::Expired => ("badge expired", "expired"),
        CallStatus::Started => ("badge started", "STARTED"),
    };
    html! { span class=(class) { (text) } }
}

/// A labelled progress bar: the native element, so screen readers announce it. `unit`
/// names what is counted when it is not pledges ("groups").
pub fn progress(have: u64, need: u64, label: &str, unit: &str) -> Markup {
    let pct = (have.min(need) * 100).checked_div(need).unwrap_or(100);
    html! {
        div.progress {
            label { span.rule { (label) } " " span.count { (have) " of " (need) @if !unit.is_empty() { " " (unit) } " (" (pct) "%)" } }
            progress max=(need.max(1)) value=(have.min(need.max(1))) { (pct) "%" }
        }
    }
}

/// Every rule of every wave with its bar, and the groups still short of a minimum.
pub fn tally_rules(t: &Tally) -> Markup {
    html! {
        @for (i, w) in t.waves.iter().enumerate() {
            div.wave {
                @if t.waves.len() > 1 {
                    h4 { "Wave " (i + 1) @if let Some(at) = w.triggered_at { " - triggered " (minute(at)) " UTC" } }
                }
                @for r in &w.rules {
                    (progress(r.have, r.need, &r.rule, if r.kind == "min_per" { "groups" } else { "" }))
                    @let short: Vec<_> = r.groups.iter().filter(|(_, h, n)| h < n).collect();
                    @if !short.is_empty() {
                        ul.short {
                            @for (g, have, need) in short { li { (g) " needs " (need - have) " more" } }
                        }
                    }
                }
            }
        }
    }
}

pub fn network_id(text: &str) -> Result<NetworkId, PageError> {
    text.parse::<NetworkId>().map_err(|_| not_found())
}

pub fn op_id(text: &str) -> Result<OpId, PageError> {
    text.parse::<OpId>().map_err(|_| not_found())
}

/// After a form: a message for the next page, and a redirect there (so a reload does not
/// post again).
pub fn done(state: &AppState, authed: &Authed, to: &str, result: Result<String, ApiError>) -> Response {
    let flash = match result {
        Ok(text) => Flash { ok: true, text },
        Err(ApiError::Internal(detail)) => {
            tracing::error!(error = %detail, "form failed");
            Flash { ok: false, text: "internal error".into() }
        }
        Err(e) => Flash { ok: false, text: e.to_string() },
    };
    state.sessions().set_flash(&authed.id, flash);
    Redirect::to(to).into_response()
}

/// Applies a form that becomes one op in network `net`, leaves `ok` (or the error) as the
/// next page's message, and redirects to the network's page under `back`.
pub async fn apply<C: NetworkCommand>(
    state: &AppState,
    authed: &Authed,
    net: &str,
    form: C,
    back: &str,
    ok: impl Into<String>,
) -> PageResult {
    let id = network_id(net)?;
    let ok = ok.into();
    let result = state.act(move |node| form.apply(node, &id)).await.map(|_| ok);
    Ok(done(state, authed, &format!("/networks/{net}{back}"), result))
}

/// Only the CSRF token: for forms that are a single button.
#[derive(Debug, Deserialize)]
pub struct Empty {}

// ---- login ----

fn login_form(message: Option<&str>) -> Markup {
    bare(html! {
        h1 { "Open Strike" }
        p { "This node's web interface. Enter the passphrase you chose for this node." }
        @if let Some(m) = message { p.flash.error role="alert" { (m) } }
        form method="post" action="/login" {
            label for="passphrase" { "Passphrase" }
            input #passphrase type="password" name="passphrase" autocomplete="current-password" required autofocus;
            button type="submit" { "Unlock" }
        }
    })
}

async fn login_page() -> Markup {
    login_form(None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    passphrase: Zeroizing<String>,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginForm([redacted])")
    }
}

async fn login(
    State(state): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return (StatusCode::BAD_REQUEST, login_form(Some("Enter the passphrase."))).into_response();
    };
    match crate::security::attempt_login(&state, client, &headers, form.passphrase).await {
        Ok(Some((token, _))) => logged_in(&state, &headers, &token),
        Ok(None) => (StatusCode::UNAUTHORIZED, login_form(Some("Wrong passphrase."))).into_response(),
        Err(e) => (e.status(), login_form(Some(&e.to_string()))).into_response(),
    }
}

/// A one-time login link from `serve`'s terminal: logs in once, then never again.
async fn login_once(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    if !state.login_links().redeem(&token) {
        let page = login_form(Some(
            "That login link was used already (or is from an earlier run). Use the newest link `openstrike serve` printed, or the passphrase.",
        ));
        return (StatusCode::NOT_FOUND, page).into_response();
    }
    tracing::info!("logged in with a one-time link");
    let (token, _) = crate::security::new_session(&state, &headers);
    logged_in(&state, &headers, &token)
}

fn logged_in(state: &AppState, headers: &HeaderMap, token: &str) -> Response {
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().insert(header::SET_COOKIE, state.access().session_cookie(headers, Some(token)));
    r
}

async fn logout(State(state): State<AppState>, authed: Authed, headers: HeaderMap) -> Response {
    state.sessions().end(&authed.id);
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(header::SET_COOKIE, state.access().session_cookie(&headers, None));
    r
}
