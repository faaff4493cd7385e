//! The local web UI and the JSON API: axum on loopback, server-rendered HTML (maud) with a
//! small embedded script and stylesheet, and `/api/v1` for scripts. Each feature area has one
//! module under `areas` with its routes, inputs, pages and its part of the OpenAPI document;
//! pages and JSON call the same node commands and read the same views; nothing here decides
//! what the node does not.
//!
//! Security lives in [`security`]: Host and Origin checks, passphrase login, sessions,
//! CSRF tokens, a login rate limit, and headers that keep pages out of caches and frames.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod areas;
mod cache;
mod charts;
pub mod error;
mod events;
mod forms;
pub mod model;
mod openapi;
mod pages;
pub mod security;
mod server;
pub mod setup;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use strike_node::peer::SharedNode;
use strike_node::{Node, PassphraseCheck};
use tokio::sync::{Semaphore, watch};
use tokio_util::sync::CancellationToken;
use zeroize::Zeroizing;

use crate::cache::{Cache, Stamp};
use crate::error::{ApiError, ApiResult};
use crate::security::{Access, LoginLimiter, LoginLinks, MAX_BODY_BYTES, Sessions};

/// How often the node is looked at for changes to push to open pages: a pledge that arrives
/// by sync shows on every open dashboard within this long.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);
/// Requests handled at once; more get 503 rather than queueing without bound.
const MAX_IN_FLIGHT: usize = 256;
/// Open live-update streams (one per open tab).
const MAX_EVENT_STREAMS: usize = 32;
/// Passphrase checks at once: each is an Argon2id derivation holding 64 MiB.
const MAX_LOGIN_CHECKS: usize = 1;

/// The UI's shared state: the node, sessions, the login limiter, the view cache.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    node: SharedNode,
    check: PassphraseCheck,
    access: Access,
    /// The API description with this UI's address and cookie name.
    description: String,
    /// Every route: pages, the API, live updates.
    routes: Router<AppState>,
    sessions: Mutex<Sessions>,
    limiter: Mutex<LoginLimiter>,
    login_links: Mutex<LoginLinks>,
    login_checks: Semaphore,
    in_flight: Arc<Semaphore>,
    event_streams: Arc<Semaphore>,
    cache: Cache,
    /// Counts changes seen by the watcher; live-update streams follow it.
    changes: watch::Sender<u64>,
    /// Cancelled when serving stops: live-update streams end with it.
    stopping: CancellationToken,
    /// Cancelled once the node was wiped from the UI: `serve` then stops everything and shows
    /// the first-run page again.
    wiped: CancellationToken,
}

impl AppState {
    /// The UI of `node`, answering as the listener bound at `bound` and to `extra_hosts`
    /// (names a reverse proxy forwards with).
    pub async fn new(node: SharedNode, bound: SocketAddr, extra_hosts: &[String]) -> AppState {
        let check = node.lock().await.passphrase_check();
        let access = Access::new(bound, extra_hosts);
        let (api, doc) = areas::api().split_for_parts();
        let routes = Router::new()
            .merge(pages::routes())
            .merge(areas::pages())
            .nest("/api/v1", api)
            .route("/events", axum::routing::get(events::stream));
        AppState {
            inner: Arc::new(Inner {
                node,
                check,
                description: openapi::served(&doc, &access),
                routes,
                access,
                sessions: Mutex::new(Sessions::default()),
                limiter: Mutex::new(LoginLimiter::default()),
                login_links: Mutex::new(LoginLinks::new()),
                login_checks: Semaphore::new(MAX_LOGIN_CHECKS),
                in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
                event_streams: Arc::new(Semaphore::new(MAX_EVENT_STREAMS)),
                cache: Cache::default(),
                changes: watch::channel(0).0,
                stopping: CancellationToken::new(),
                wiped: CancellationToken::new(),
            }),
        }
    }

    /// Cancelled once the node was wiped from the UI.
    pub fn wiped(&self) -> CancellationToken {
        self.inner.wiped.clone()
    }

    pub fn access(&self) -> &Access {
        &self.inner.access
    }

    pub(crate) fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.inner.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn limiter(&self) -> MutexGuard<'_, LoginLimiter> {
        self.inner.limiter.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn login_links(&self) -> MutexGuard<'_, LoginLinks> {
        self.inner.login_links.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A one-time login link (a path on this UI) for the owner's terminal; the next one, once
    /// it is used, goes to `announce`. Each link logs in once, without the passphrase: the way
    /// in that someone guessing passphrases on the same computer cannot block.
    pub fn login_link(&self, announce: impl Fn(&str) + Send + Sync + 'static) -> String {
        let mut links = self.login_links();
        links.announce_with(Box::new(announce));
        links.issue()
    }

    /// The API description as this UI serves it (its own address and cookie name).
    pub fn api_description(&self) -> &str {
        &self.inner.description
    }

    /// A view of the node under `key`, from the cache if nothing changed since it was
    /// computed, else computed on a blocking thread (the node is synchronous).
    pub(crate) async fn view<T: Send + Sync + 'static>(
        &self,
        key: String,
        compute: impl FnOnce(&Node) -> strike_node::Result<T> + Send + 'static,
    ) -> ApiResult<Arc<T>> {
        {
            let node = self.inner.node.lock().await;
            if let Some(hit) = self.inner.cache.get::<T>(stamp(&node)?, &key) {
                return Ok(hit);
            }
        }
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let node = state.inner.node.blocking_lock();
            let stamp = stamp(&node)?;
            // Another request may have computed it while this one waited for the node.
            if let Some(hit) = state.inner.cache.get::<T>(stamp, &key) {
                return Ok(hit);
            }
            let value = Arc::new(compute(&node)?);
            state.inner.cache.put(stamp, key, value.clone());
            Ok(value)
        })
        .await?
    }

    /// Runs a command on the node on a blocking thread.
    pub(crate) async fn act<T: Send + 'static>(
        &self,
        command: impl FnOnce(&mut Node) -> strike_node::Result<T> + Send + 'static,
    ) -> ApiResult<T> {
        let node = self.inner.node.clone();
        Ok(tokio::task::spawn_blocking(move || command(&mut node.blocking_lock())).await??)
    }

    /// Checks a passphrase against the node's key file, one check at a time, off the async
    /// threads.
    pub(crate) async fn passphrase_ok(&self, passphrase: Zeroizing<String>) -> ApiResult<bool> {
        let _permit = self.inner.login_checks.acquire().await.map_err(|_| ApiError::Unavailable)?;
        let check = self.inner.check.clone();
        Ok(tokio::task::spawn_blocking(move || check.check(passphrase.as_bytes())).await??)
    }
}

/// The API's OpenAPI document as checked in (`openapi.json`; the UI serves it at
/// `/api/v1/openapi.json` with its own address).
pub fn api_description() -> &'static str {
    openapi::CHECKED_IN
}

fn stamp(node: &Node) -> strike_node::Result<Stamp> {
    Ok(Stamp { generation: node.generation()?, minute: node.now() / 60 })
}

/// The whole UI: pages, the API under `/api/v1`, live updates, static files, and the
/// security checks around all of them.
pub fn router(state: AppState) -> Router {
    state
        .inner
        .routes
        .clone()
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), security::guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(state.clone(), in_flight))
        .layer(from_fn(server::read_body))
        .layer(from_fn(server::catch_panics))
        .layer(from_fn(security::headers))
        .with_state(state)
}

async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return ApiError::NotFound("no such endpoint".into()).into_response();
    }
    pages::not_found().into_response()
}

/// Bounds the requests in flight, and logs each one by its route, never its path (paths
/// hold network and call ids).
async fn in_flight(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Ok(_permit) = state.inner.in_flight.clone().try_acquire_owned() else {
        return ApiError::Unavailable.into_response();
    };
    let route = req.extensions().get::<MatchedPath>().map_or("(unmatched)".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().clone();
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    tracing::debug!(%method, route, status = response.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    response
}

/// Looks at the node every [`WATCH_INTERVAL`] and tells live-update streams when anything
/// changed: a local command, a sync session, another process on the same data directory,
/// or the minute turning.
async fn watch_changes(state: AppState) {
    let mut last: Option<Stamp> = None;
    let mut tick = tokio::time::interval(WATCH_INTERVAL);
    loop {
        tick.tick().await;
        let now = stamp(&*state.inner.node.lock().await);
        let Ok(now) = now else { continue };
        if last.is_some_and(|l| l != now) {
            state.inner.changes.send_modify(|n| *n += 1);
        }
        last = Some(now);
    }
}

/// Serves the UI on `listener` until `shutdown`, watching the node for changes. Every
/// connection has deadlines for its headers, its body and its idle time; on shutdown the
/// requests being answered finish, live-update streams end, and then it returns (see
/// [`server`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let watcher = tokio::spawn(watch_changes(state.clone()));
    let stopping = state.inner.stopping.clone();
    let link = shutdown.clone();
    let streams = tokio::spawn(async move {
        link.cancelled().await;
        stopping.cancel();
    });
    let result = server::accept_loop(listener, router(state), shutdown).await;
    watcher.abort();
    streams.abort();
    result
}

pub use server::{BODY_DEADLINE, HEADER_DEADLINE, SHUTDOWN_GRACE, catch_panics};
