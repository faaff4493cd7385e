//! What every area's pages share: the layout around them (navigation, the trigger banner,
//! the message the last form left), errors as pages, forms that post back and redirect, and
//! the static files. Pages are server-rendered with maud; parts marked `data-live` are
//! refreshed by the script when the node changes. Page titles never
//! name a network or a person: titles end up in the browser's history on disk.

use axum::Router;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;
use strike_core::{CoarseTime, NetworkId, OpId};

use crate::AppState;
use crate::areas::dashboard::{self, Alert};
use crate::error::ApiError;
use crate::forms::NetworkCommand;
use crate::security::{Authed, CSRF_FIELD, Flash};

pub(crate) const CSS: &str = include_str!("../assets/app.css");
const JS: &str = include_str!("../assets/app.js");
/// The first-run and join pages' script (strength hint, QR photos, camera).
pub(crate) const SETUP_JS: &str = include_str!("../assets/setup.js");

/// The stylesheet and the script, served from the binary.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }))
        .route("/static/app.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], JS) }))
        .route(
            "/static/setup.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SETUP_JS) }),
        )
}

/// Every area's page of a network, for the network's navigation: (path under the network,
/// link text). One line per area with a page of its own.
const NETWORK_PAGES: &[(&str, &str)] = &[
    ("", "Members & invites"),
    ("directory", "Directory & cover"),
    ("calls", "Strike calls"),
    ("campaign", "Campaign"),
    ("events", "Events & shifts"),
    ("circles", "Circles"),
    ("guides", "Guides"),
    ("resources", "Resources"),
    ("fund", "Strike fund"),
    ("aid", "Mutual aid"),
    ("votes", "Votes"),
];

/// The links to a network's pages, but the one shown (`current`, its path under the network).
pub fn network_nav(net: &str, current: Option<&str>) -> Markup {
    html! {
        nav.sub aria-label="Network" {
            @for (path, text) in NETWORK_PAGES.iter().filter(|(p, _)| Some(*p) != current) {
                @let href = if path.is_empty() { format!("/networks/{net}") } else { format!("/networks/{net}/{path}") };
                a href=(href) { (text) }
            }
        }
    }
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
    pub aid_alerts: Vec<dashboard::AidAlert>,
    pub now: u64,
}

impl Ctx {
    pub async fn load(state: &AppState, authed: &Authed) -> Result<Ctx, PageError> {
        let dashboard = state.view("dashboard".into(), dashboard::dashboard).await?;
        Ok(Ctx::with_alerts(state, authed, &dashboard))
    }

    pub fn with_alerts(state: &AppState, authed: &Authed, dashboard: &dashboard::Dashboard) -> Ctx {
        Ctx {
            csrf: authed.csrf.clone(),
            flash: if authed.live { None } else { state.sessions().take_flash(&authed.id) },
            alerts: dashboard.alerts.clone(),
            aid_alerts: dashboard.aid_alerts.clone(),
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
                        a href="/join" { "Join a network" }
                        a href="/node" { "This node" }
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
                    @for a in &ctx.aid_alerts {
                        div.banner.aid role="alert" {
                            strong { "OVERDUE: " }
                            a href=(format!("/networks/{}/aid", a.network_id)) {
                                (a.overdue) " request" @if a.overdue != 1 { "s" } " for your team"
                            }
                            " (" (a.network_name) ") waited past the response target."
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
    head_with("/static/app.js")
}

fn head_with(script: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { "Open Strike" }
            link rel="stylesheet" href="/static/app.css";
            // No icon: without this line browsers ask for /favicon.ico on every page.
            link rel="icon" href="data:,";
            script src=(script) defer {}
        }
    }
}

/// A page without navigation (login, errors).
pub fn bare(content: Markup) -> Markup {
    bare_with("/static/app.js", content)
}

/// A page without navigation, with its own script (the first-run page).
pub fn bare_with(script: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head_with(script))
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

/// A network id in a page's path; anything else is "no such page".
pub fn page_network_id(text: &str) -> Result<NetworkId, PageError> {
    text.parse::<NetworkId>().map_err(|_| not_found())
}

/// An op id in a page's path; anything else is "no such page".
pub fn page_op_id(text: &str) -> Result<OpId, PageError> {
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
    let id = page_network_id(net)?;
    let ok = ok.into();
    let result = state.act(move |node| form.apply(node, &id)).await.map(|_| ok);
    Ok(done(state, authed, &format!("/networks/{net}{back}"), result))
}

/// Only the CSRF token: for forms that are a single button.
#[derive(Debug, Deserialize)]
pub struct Empty {}
