//! Sessions: the login page (passphrase, or a one-time link from `serve`'s terminal), log
//! out, and the same for scripts (`/api/v1/session`), with the API's own description.

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zeroize::Zeroizing;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::forms::{Csrf, body};
use crate::pages::bare;
use crate::security::{Authed, ClientIp};

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_form))
        .route("/login/once/{token}", get(login_once))
        .route("/logout", post(logout_form))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi)).routes(routes!(login, logout))
}

fn login_markup(message: Option<&str>) -> Markup {
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
    login_markup(None)
}

/// The passphrase, from the login form or as JSON.
#[derive(Deserialize, ToSchema)]
pub struct Login {
    #[schema(value_type = String)]
    passphrase: Zeroizing<String>,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Login([redacted])")
    }
}

async fn login_form(
    State(state): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    form: Result<Form<Login>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return (StatusCode::BAD_REQUEST, login_markup(Some("Enter the passphrase."))).into_response();
    };
    match crate::security::attempt_login(&state, client, &headers, form.passphrase).await {
        Ok(Some((token, _))) => logged_in(&state, &headers, &token),
        Ok(None) => (StatusCode::UNAUTHORIZED, login_markup(Some("Wrong passphrase."))).into_response(),
        Err(e) => (e.status(), login_markup(Some(&e.to_string()))).into_response(),
    }
}

/// A one-time login link from `serve`'s terminal: logs in once, then never again.
async fn login_once(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    if !state.login_links().redeem(&token) {
        let page = login_markup(Some(
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

async fn logout_form(State(state): State<AppState>, authed: Authed, headers: HeaderMap) -> Response {
    state.sessions().end(&authed.id);
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(header::SET_COOKIE, state.access().session_cookie(&headers, None));
    r
}

// ---- JSON ----

/// This API's description (OpenAPI 3.1), with this UI's own address and cookie name
#[utoipa::path(get, path = "/openapi.json", security(()), responses((status = 200, description = "The document", content_type = "application/json", body = Object)))]
async fn openapi(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], state.api_description().to_owned()).into_response()
}

#[derive(Serialize, ToSchema)]
struct LoggedIn {
    /// Send it back as `X-CSRF-Token` on every POST and DELETE.
    csrf_token: String,
}

/// What logging in can answer besides a session.
#[derive(Debug, utoipa::IntoResponses)]
#[allow(dead_code)]
enum LoginRefusals {
    #[response(status = 400, description = "No passphrase in the body")]
    BadRequest(ErrorBody),
    #[response(status = 401, description = "Wrong passphrase")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "Foreign Host or cross-site Origin")]
    Forbidden(ErrorBody),
    #[response(status = 408, description = "The request body did not arrive within 10 s")]
    Timeout(ErrorBody),
    #[response(status = 413, description = "Request body over 64 KiB")]
    TooLarge(ErrorBody),
    #[response(
        status = 429,
        description = "Too many attempts from this client (5 a minute) or overall: see Retry-After"
    )]
    TooMany(ErrorBody),
    #[response(status = 503, description = "Another passphrase check is running; try again shortly")]
    Busy(ErrorBody),
}

/// Log in with the node's passphrase: sets the session cookie, returns the CSRF token
#[utoipa::path(post, path = "/session", security(()), request_body = Login,
    responses((status = 200, description = "Logged in; the session cookie is set", body = LoggedIn), LoginRefusals))]
async fn login(
    State(state): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    b: Result<Json<Login>, JsonRejection>,
) -> ApiResult<Response> {
    let Login { passphrase } = body(b)?;
    match crate::security::attempt_login(&state, client, &headers, passphrase).await? {
        Some((token, csrf)) => {
            let mut r = Json(LoggedIn { csrf_token: csrf }).into_response();
            r.headers_mut().insert(header::SET_COOKIE, state.access().session_cookie(&headers, Some(&token)));
            Ok(r)
        }
        None => Err(ApiError::WrongPassphrase),
    }
}

/// What logging out can answer besides ending the session.
#[derive(Debug, utoipa::IntoResponses)]
#[allow(dead_code)]
enum LogoutRefusals {
    #[response(status = 401, description = "No session (log in with POST /session)")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "Foreign Host, cross-site Origin, or a missing or wrong CSRF token")]
    Forbidden(ErrorBody),
}

/// Log out: ends the session
#[utoipa::path(delete, path = "/session", params(Csrf), responses((status = 204, description = "Logged out"), LogoutRefusals))]
async fn logout(State(state): State<AppState>, authed: Authed, headers: HeaderMap) -> Response {
    state.sessions().end(&authed.id);
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(header::SET_COOKIE, state.access().session_cookie(&headers, None));
    r
}
