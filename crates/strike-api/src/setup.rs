//! The first run, before this node has an identity: `openstrike serve` on a fresh data
//! directory serves only this page on the UI's address. Someone who never opens a terminal
//! chooses a passphrase (typed twice, with a strength hint), brings the invite (pasted, or a
//! photo of its QR code that the node decodes) and picks a pseudonym. The node is created,
//! the join request written, and the node handed to `serve`, which starts the full UI on the
//! same address and sends the browser there with a one-time login link: the dashboard then
//! shows the request waiting for a vouch, and the network once it arrives.
//!
//! The page has the same Host and Origin checks as the UI (a web page elsewhere cannot post
//! it). It has no session: whoever reaches it first on this computer sets the node up, as
//! whoever runs `openstrike init` in a terminal would.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use strike_node::networks::InviteLink;
use strike_node::{KdfParams, Node};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::security::Access;

/// A new passphrase must be at least this long (as `openstrike init` asks).
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// How long the page waits for `serve` to start the full UI after the node is created.
const HANDOFF_WAIT: Duration = Duration::from_secs(60);

/// The node the first run created, and where `serve` says the browser goes next (a one-time
/// login path of the full UI).
#[derive(Debug)]
pub struct FirstRun {
    pub node: Node,
    pub handoff: oneshot::Sender<String>,
}

struct Setup {
    dir: PathBuf,
    access: Access,
    kdf: KdfParams,
    created: mpsc::Sender<FirstRun>,
}

type Shared = Arc<Setup>;

/// Serves the first-run page on `listener` until someone sets the node up (then returns it,
/// with the listener closed) or `stop` is cancelled (`None`). Requests under way when it
/// returns finish in the background.
pub async fn first_run(
    listener: tokio::net::TcpListener,
    dir: PathBuf,
    extra_hosts: &[String],
    kdf: KdfParams,
    stop: CancellationToken,
) -> std::io::Result<Option<FirstRun>> {
    let bound = listener.local_addr()?;
    let (created, mut done) = mpsc::channel(1);
    let state = Arc::new(Setup { dir, access: Access::new(bound, extra_hosts), kdf, created });
    let app = Router::new()
        .route("/", get(page))
        .route("/setup", post(submit))
        .route("/setup/qr", post(decode_qr).layer(DefaultBodyLimit::max(strike_node::qr::MAX_PICTURE_BYTES)))
        .route("/static/app.css", get(|| async { css() }))
        .route("/static/setup.js", get(|| async { js() }))
        .fallback(|| async { Redirect::to("/") })
        .layer(from_fn_with_state(state.clone(), guard))
        .layer(from_fn(crate::security::headers))
        .with_state(state);
    let serving = stop.child_token();
    let loop_token = serving.clone();
    let server = tokio::spawn(async move { crate::server::accept_loop(listener, app, loop_token).await });
    let outcome = tokio::select! {
        first = done.recv() => first,
        () = stop.cancelled() => None,
    };
    serving.cancel();
    if outcome.is_none() {
        let _ = server.await;
    }
    // The accept loop drops the listener as soon as it sees the token; give it the moment.
    tokio::task::yield_now().await;
    Ok(outcome)
}

async fn guard(State(state): State<Shared>, req: Request, next: Next) -> Response {
    if state.access.own_host(req.uri(), req.headers()).is_none()
        || !state.access.origin_allowed(req.method(), req.headers())
    {
        return (StatusCode::FORBIDDEN, "this address is not allowed to reach the UI").into_response();
    }
    next.run(req).await
}

fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], crate::pages::CSS).into_response()
}

fn js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], crate::pages::SETUP_JS).into_response()
}

/// What the form sends.
#[derive(Debug, Default, Deserialize)]
struct SetupForm {
    #[serde(default)]
    passphrase: String,
    #[serde(default)]
    again: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    pseudonym: String,
}

fn shell(content: Markup) -> Markup {
    crate::pages::bare_with("/static/setup.js", content)
}

fn form(values: &SetupForm, error: Option<&str>) -> Markup {
    shell(html! {
        h1 { "Welcome to Open Strike" }
        p { "This node runs on this computer only. Nothing you enter here leaves it, except your join request, which goes to the network you were invited to." }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form #setup method="post" action="/setup" {
            section.card {
                h2 { "1. Choose a passphrase" }
                p.meta { "It unlocks this node. Nobody can reset it: if you lose it, the node's data is gone. A few unrelated words work well." }
                label { "Passphrase " input #passphrase type="password" name="passphrase" autocomplete="new-password" required minlength=(MIN_PASSPHRASE_CHARS); }
                p #strength.meta aria-live="polite" { "At least " (MIN_PASSPHRASE_CHARS) " characters." }
                label { "The same again " input #again type="password" name="again" autocomplete="new-password" required; }
            }
            (crate::areas::joining::invite_fields("2. Bring your invite", &values.link, "/setup/qr"))
            section.card {
                h2 { "3. Pick a pseudonym" }
                p.meta { "The name the network will know you by. It need not be your real name." }
                label { "Pseudonym " input type="text" name="pseudonym" value=(values.pseudonym) maxlength="80" autocomplete="off"; }
            }
            button type="submit" { "Create my node and ask to join" }
        }
    })
}

async fn page() -> Response {
    form(&SetupForm::default(), None).into_response()
}

/// Creates the node (the key derivation takes a moment), writes the join request, hands the
/// node to `serve`, and sends the browser where `serve` says.
async fn submit(State(state): State<Shared>, axum::Form(f): axum::Form<SetupForm>) -> Response {
    let kept = SetupForm { link: f.link.clone(), pseudonym: f.pseudonym.clone(), ..Default::default() };
    let again = |msg: &str| (StatusCode::BAD_REQUEST, form(&kept, Some(msg))).into_response();
    if f.passphrase != f.again {
        return again("The two passphrases differ: type the same one twice.");
    }
    if f.passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return again(&format!(
            "The passphrase needs at least {MIN_PASSPHRASE_CHARS} characters; a few words work well."
        ));
    }
    let link = match f.link.trim() {
        "" => None,
        text => match text.parse::<InviteLink>() {
            Ok(l) => Some(l),
            Err(e) => return again(&e.to_string()),
        },
    };
    if link.is_some() && f.pseudonym.trim().is_empty() {
        return again("Pick a pseudonym: the network needs a name to show your request under.");
    }
    let (dir, kdf, pass, pseudonym) =
        (state.dir.clone(), state.kdf, zeroize::Zeroizing::new(f.passphrase), f.pseudonym.clone());
    let made = tokio::task::spawn_blocking(move || -> strike_node::Result<Node> {
        if Node::exists(&dir) {
            return Err(strike_node::NodeError::AlreadyInitialized(dir));
        }
        let mut node = Node::init(&dir, pass.as_bytes(), kdf)?;
        if let Some(link) = &link {
            node.join(link, &pseudonym)?;
        }
        Ok(node)
    })
    .await;
    let node = match made {
        Ok(Ok(node)) => node,
        Ok(Err(e)) => return again(&e.to_string()),
        Err(_) => return again("setting up the node failed; try again"),
    };
    let (handoff, next) = oneshot::channel();
    if state.created.send(FirstRun { node, handoff }).await.is_err() {
        return again("the node is stopping");
    }
    match tokio::time::timeout(HANDOFF_WAIT, next).await {
        Ok(Ok(path)) => Redirect::to(&path).into_response(),
        _ => {
            shell(html! { p { "Your node is set up. " a href="/" { "Open it" } " and log in with your passphrase." } })
                .into_response()
        }
    }
}

/// A photo of a QR code, as the request body: answers the link in it, as JSON.
async fn decode_qr(body: Bytes) -> Response {
    let decoded = tokio::task::spawn_blocking(move || strike_node::qr::decode_link(&body)).await;
    match decoded {
        Ok(Ok(link)) => axum::Json(serde_json::json!({ "link": link })).into_response(),
        Ok(Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(serde_json::json!({ "error": e.to_string() })))
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
