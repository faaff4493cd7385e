//! Who may talk to the UI: the Host and Origin checks (DNS rebinding, cross-site requests),
//! sessions behind an HttpOnly SameSite=Strict cookie, a CSRF token on every state-changing
//! request, a limit on login attempts, and the headers every response carries.
//!
//! The order of the checks, outermost first: headers on the way out; Host; Origin; then the
//! session and CSRF token. Handlers see an [`Authed`] extension only on requests that passed.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use zeroize::Zeroizing;

use crate::AppState;
use crate::error::ApiError;

/// A session ends after this long without a request...
const SESSION_IDLE: Duration = Duration::from_secs(12 * 3600);
/// ...and after this long in any case.
const SESSION_MAX: Duration = Duration::from_secs(7 * 24 * 3600);
/// Sessions held at once; the oldest goes first. One person uses a node, on a few devices.
const MAX_SESSIONS: usize = 64;
/// Login attempts allowed per client address in [`LOGIN_WINDOW`]: an attempt takes its slot
/// before its passphrase is checked, so attempts sent at once count as much as attempts sent
/// one after another. A successful login frees the client's slots.
const MAX_ATTEMPTS_PER_CLIENT: usize = 5;
/// Past this many failures in [`LOGIN_WINDOW`] from everyone together, every attempt waits
/// [`GLOBAL_SLOWDOWN`] before its check (checks run one at a time): guesses spread over many
/// addresses slow to a trickle, and the right passphrase is never refused, only delayed.
const MAX_FAILURES_TOTAL: usize = 20;
pub const GLOBAL_SLOWDOWN: Duration = Duration::from_secs(2);
const LOGIN_WINDOW: Duration = Duration::from_secs(60);
/// Client addresses remembered by the limiter; beyond this the oldest are forgotten.
const MAX_TRACKED_CLIENTS: usize = 1024;
/// Bodies of state-changing requests are read whole to find the CSRF token: forms and JSON
/// here are small (the longest field is a 4 KiB note).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Paths that take a photo of a QR code as their body, up to the node's picture limit.
pub const PICTURE_PATHS: &[&str] = &["/join/qr", "/api/v1/invites/decode"];

/// Bodies of guide texts (Markdown up to 40 KiB, which a form encodes up to three times larger).
pub const GUIDE_BODY_BYTES: usize = 160 * 1024;

/// The largest body a request to `path` may carry.
pub fn body_limit(path: &str) -> usize {
    if PICTURE_PATHS.contains(&path) {
        strike_node::qr::MAX_PICTURE_BYTES
    } else if path.contains("/guides") {
        GUIDE_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}
/// The form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The hosts and origins the UI answers to, and its cookie's name.
#[derive(Debug, Clone)]
pub struct Access {
    /// `Host` values accepted, lowercase, with the port where a browser sends one.
    hosts: Vec<String>,
    /// Those of `hosts` that browsers reach over https (a TLS proxy in front): cookies set
    /// for them are `Secure`, and their origin is `https://`.
    secure: Vec<String>,
    /// The port the UI is bound to.
    port: u16,
    /// Per port, so a demo node and a real node on one machine keep separate sessions.
    pub cookie_name: String,
}

impl Access {
    /// Loopback names for the port the UI is bound to, the bound address itself, and any
    /// names given (for a UI behind a reverse proxy): `HOST:PORT` for plain HTTP, or
    /// `https://HOST[:PORT]` for a TLS proxy (port 443 if none; a browser then sends the
    /// Host without it).
    pub fn new(bound: SocketAddr, extra_hosts: &[String]) -> Access {
        let port = bound.port();
        let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
        let own = match bound.ip() {
            IpAddr::V4(ip) => format!("{ip}:{port}"),
            IpAddr::V6(ip) => format!("[{ip}]:{port}"),
        };
        if !bound.ip().is_unspecified() && !hosts.contains(&own) {
            hosts.push(own);
        }
        let mut secure = Vec::new();
        for host in extra_hosts.iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()) {
            match host.strip_prefix("https://") {
                Some(name) => {
                    let name = name.trim_end_matches('/');
                    let with_port = if has_port(name) { name.to_owned() } else { format!("{name}:443") };
                    let bare = with_port.strip_suffix(":443").map(str::to_owned);
                    for h in std::iter::once(with_port).chain(bare) {
                        secure.push(h.clone());
                        hosts.push(h);
                    }
                }
                None => hosts.push(host.strip_prefix("http://").unwrap_or(&host).trim_end_matches('/').to_owned()),
            }
        }
        Access { hosts, secure, port, cookie_name: format!("openstrike_session_{port}") }
    }

    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The one `Host` of a request, lowercase, if it has exactly one and it is the UI's own.
    /// A request line with an absolute URI must name the same authority.
    pub(crate) fn own_host(&self, uri: &axum::http::Uri, headers: &HeaderMap) -> Option<String> {
        let mut all = headers.get_all(header::HOST).iter();
        let (Some(host), None) = (all.next(), all.next()) else { return None };
        let host = host.to_str().ok()?.trim().to_ascii_lowercase();
        if let Some(authority) = uri.authority()
            && authority.as_str().to_ascii_lowercase() != host
        {
            return None;
        }
        self.hosts.contains(&host).then_some(host)
    }

    /// `Origin`, where present, must be this UI itself; a state-changing request without one
    /// must not say it came from another site.
    pub(crate) fn origin_allowed(&self, method: &Method, headers: &HeaderMap) -> bool {
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if let Some(origin) = headers.get(header::ORIGIN) {
            let Ok(origin) = origin.to_str() else { return false };
            let origin = origin.trim().to_ascii_lowercase();
            if origin == "null" {
                // Browsers send a null origin for privacy-sensitive contexts; only their own
                // word that the request is same-origin lets it through.
                return fetch_site == Some("same-origin");
            }
            if let Some(h) = origin.strip_prefix("https://") {
                return self.hosts.iter().any(|a| a == h);
            }
            return origin
                .strip_prefix("http://")
                .is_some_and(|h| self.hosts.iter().any(|a| a == h) && !self.is_secure(h));
        }
        if is_safe(method) {
            return true;
        }
        match fetch_site {
            Some(site) => matches!(site, "same-origin" | "none"),
            None => true,
        }
    }

    fn is_secure(&self, host: &str) -> bool {
        self.secure.iter().any(|h| h == host)
    }

    /// The session cookie for a new session (`Some(token)`), or one that ends it (`None`),
    /// `Secure` when the request came through a host reached over https.
    pub fn session_cookie(&self, headers: &HeaderMap, token: Option<&str>) -> HeaderValue {
        let secure = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| self.is_secure(&h.trim().to_ascii_lowercase()));
        let (value, max_age) = match token {
            Some(t) => (t, SESSION_MAX.as_secs()),
            None => ("", 0),
        };
        let secure = if secure { "; Secure" } else { "" };
        let cookie =
            format!("{}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}", self.cookie_name);
        HeaderValue::from_str(&cookie).expect("cookie values are hex and fixed text")
    }

    /// The session token the request's cookie carries, if any.
    pub fn session_token<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        cookie(headers, &self.cookie_name)
    }
}

/// Whether `host` ends in `:PORT` (an IPv6 literal is bracketed).
fn has_port(host: &str) -> bool {
    host.rsplit_once(':')
        .is_some_and(|(h, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with('['))
        && !host.ends_with(']')
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A message shown once on the next page (after a form redirects).
#[derive(Debug, Clone)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

#[derive(Debug)]
struct Session {
    csrf: String,
    created: Instant,
    last_seen: Instant,
    flash: Option<Flash>,
}

/// The logged-in sessions, by the BLAKE3 hash of their token (the token itself is only in
/// the browser's cookie).
#[derive(Debug, Default)]
pub struct Sessions {
    by_hash: HashMap<[u8; 32], Session>,
}

/// A request's valid session, put there by [`guard`].
#[derive(Debug, Clone)]
pub struct Authed {
    pub id: [u8; 32],
    pub csrf: String,
    /// The script's live refresh of a page (header `x-live-refresh`): it leaves the message
    /// the last form left for the page the browser is being sent to.
    pub live: bool,
}

impl Sessions {
    /// A new session: (the cookie's token, the CSRF token).
    pub fn create(&mut self, now: Instant) -> (String, String) {
        self.by_hash.retain(|_, s| alive(s, now));
        if self.by_hash.len() >= MAX_SESSIONS
            && let Some(oldest) = self.by_hash.iter().min_by_key(|(_, s)| s.last_seen).map(|(k, _)| *k)
        {
            self.by_hash.remove(&oldest);
        }
        let token = hex::encode(rand::random::<[u8; 32]>());
        let csrf = hex::encode(rand::random::<[u8; 32]>());
        let session = Session { csrf: csrf.clone(), created: now, last_seen: now, flash: None };
        self.by_hash.insert(token_hash(&token), session);
        (token, csrf)
    }

    fn lookup(&mut self, token: &str, now: Instant) -> Option<Authed> {
        let id = token_hash(token);
        let session = self.by_hash.get_mut(&id)?;
        if !alive(session, now) {
            self.by_hash.remove(&id);
            return None;
        }
        session.last_seen = now;
        Some(Authed { id, csrf: session.csrf.clone(), live: false })
    }

    pub fn end(&mut self, id: &[u8; 32]) {
        self.by_hash.remove(id);
    }

    /// Ends every session (after a wipe).
    pub fn end_all(&mut self) {
        self.by_hash.clear();
    }

    /// Ends the session a cookie's token opens, if any.
    pub fn end_token(&mut self, token: &str) {
        self.by_hash.remove(&token_hash(token));
    }

    pub fn set_flash(&mut self, id: &[u8; 32], flash: Flash) {
        if let Some(s) = self.by_hash.get_mut(id) {
            s.flash = Some(flash);
        }
    }

    pub fn take_flash(&mut self, id: &[u8; 32]) -> Option<Flash> {
        self.by_hash.get_mut(id).and_then(|s| s.flash.take())
    }
}

fn alive(s: &Session, now: Instant) -> bool {
    now.duration_since(s.last_seen) < SESSION_IDLE && now.duration_since(s.created) < SESSION_MAX
}

fn token_hash(token: &str) -> [u8; 32] {
    *blake3::hash(token.as_bytes()).as_bytes()
}

/// Equal-time comparison, so the CSRF check leaks nothing through timing.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Login attempts per client address, and failures from everyone, in a sliding window.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    /// Per client: when each attempt that has not succeeded began (in flight or failed).
    attempts: HashMap<IpAddr, VecDeque<Instant>>,
    /// Failures from every client together.
    total: VecDeque<Instant>,
}

/// An attempt the limiter let through: whether it must wait [`GLOBAL_SLOWDOWN`] first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub slow_down: bool,
}

impl LoginLimiter {
    /// Takes a slot for an attempt by `client`, before its passphrase is checked, or
    /// `Err(seconds)` to wait when the client used up its attempts in the window.
    pub fn begin(&mut self, client: IpAddr, now: Instant) -> Result<Slot, u64> {
        let expire = |q: &mut VecDeque<Instant>| {
            while q.front().is_some_and(|t| now.duration_since(*t) >= LOGIN_WINDOW) {
                q.pop_front();
            }
        };
        expire(&mut self.total);
        if self.attempts.len() >= MAX_TRACKED_CLIENTS && !self.attempts.contains_key(&client) {
            self.attempts.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < LOGIN_WINDOW));
        }
        // Past the tracking bound, unknown clients share one entry: they can neither grow the
        // map nor escape the limit.
        let key = if self.attempts.len() >= MAX_TRACKED_CLIENTS && !self.attempts.contains_key(&client) {
            IpAddr::from([0, 0, 0, 0])
        } else {
            client
        };
        let mine = self.attempts.entry(key).or_default();
        expire(mine);
        if mine.len() >= MAX_ATTEMPTS_PER_CLIENT {
            let oldest = mine.front().copied().unwrap_or(now);
            return Err((LOGIN_WINDOW - now.duration_since(oldest)).as_secs() + 1);
        }
        mine.push_back(now);
        Ok(Slot { slow_down: self.total.len() >= MAX_FAILURES_TOTAL })
    }

    /// The attempt failed: its slot stays taken for the rest of the window.
    pub fn failed(&mut self, now: Instant) {
        self.total.push_back(now);
    }

    /// The attempt succeeded: the client's slots are free again.
    pub fn succeeded(&mut self, client: IpAddr) {
        self.attempts.remove(&client);
    }
}

/// The client's address (unspecified when served without connection info, as in tests that
/// call the router directly).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        Ok(ClientIp(ip))
    }
}

/// Checks a login attempt: a slot from the limiter first, then (after the global slowdown,
/// if one is due) the passphrase. On success the session the request's cookie held (if any)
/// ends and a new one begins: `Ok(Some((token, csrf)))`.
pub async fn attempt_login(
    state: &AppState,
    client: ClientIp,
    headers: &HeaderMap,
    passphrase: Zeroizing<String>,
) -> Result<Option<(String, String)>, ApiError> {
    if !check_passphrase(state, client, passphrase).await? {
        tracing::info!("a login attempt with a wrong passphrase");
        return Ok(None);
    }
    tracing::info!("logged in");
    Ok(Some(new_session(state, headers)))
}

/// Checks a passphrase as a login does (rate-limited per address, counted, slowed down past
/// the global limit): for logging in, and for confirming a passphrase change.
pub async fn check_passphrase(
    state: &AppState,
    client: ClientIp,
    passphrase: Zeroizing<String>,
) -> Result<bool, ApiError> {
    let client = client.0;
    let slot = state
        .limiter()
        .begin(client, Instant::now())
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    if slot.slow_down {
        tokio::time::sleep(GLOBAL_SLOWDOWN).await;
    }
    let ok = state.passphrase_ok(passphrase).await;
    if !matches!(ok, Ok(true)) {
        state.limiter().failed(Instant::now());
        return ok;
    }
    state.limiter().succeeded(client);
    Ok(true)
}

/// Ends the session the request's cookie held (logging in again from the same browser) and
/// opens a new one: (the cookie's token, the CSRF token).
pub fn new_session(state: &AppState, headers: &HeaderMap) -> (String, String) {
    let mut sessions = state.sessions();
    if let Some(old) = state.access().session_token(headers) {
        sessions.end_token(old);
    }
    sessions.create(Instant::now())
}

/// One-time login links: the way in a guesser on the same computer cannot block. `serve`
/// prints one on its own terminal; opening it logs in once, without the passphrase, and the
/// next link is handed to whoever printed the first.
///
/// Invariant: at most one link is valid at a time, and only its hash is kept.
pub struct LoginLinks {
    current: Option<[u8; 32]>,
    announce: Option<Announce>,
}

/// Where the next one-time login link is shown (the terminal that printed the first).
pub type Announce = Box<dyn Fn(&str) + Send + Sync>;

impl std::fmt::Debug for LoginLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginLinks([redacted])")
    }
}

impl LoginLinks {
    pub fn new() -> LoginLinks {
        LoginLinks { current: None, announce: None }
    }

    /// A fresh link's path (the previous one stops working).
    pub fn issue(&mut self) -> String {
        let token = hex::encode(rand::random::<[u8; 32]>());
        self.current = Some(token_hash(&token));
        format!("/login/once/{token}")
    }

    /// Where the next link goes once the current one is used.
    pub fn announce_with(&mut self, announce: Announce) {
        self.announce = Some(announce);
    }

    /// Uses up `token` if it is the current link; then issues and announces the next one.
    pub fn redeem(&mut self, token: &str) -> bool {
        let Some(current) = self.current else { return false };
        if !same_bytes(&current, &token_hash(token)) {
            return false;
        }
        self.current = None;
        if self.announce.is_some() {
            let next = self.issue();
            if let Some(announce) = &self.announce {
                announce(&next);
            }
        }
        true
    }
}

impl Default for LoginLinks {
    fn default() -> Self {
        LoginLinks::new()
    }
}

fn same_bytes(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Requests anyone may make: the login page and its form, the API's login, the static
/// files and the API description.
fn is_public(method: &Method, path: &str) -> bool {
    match *method {
        Method::GET | Method::HEAD => {
            path == "/login"
                || path.starts_with("/login/once/")
                || path.starts_with("/static/")
                || path == "/api/v1/openapi.json"
        }
        Method::POST => path == "/login" || path == "/api/v1/session",
        _ => false,
    }
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// A refusal, as JSON for the API and as plain text (or a redirect to the login page) for
/// the browser.
pub(crate) fn refuse(path: &str, method: &Method, error: ApiError) -> Response {
    if is_api(path) {
        return error.into_response();
    }
    if matches!(error, ApiError::Unauthorized) && is_safe(method) {
        return Redirect::to("/login").into_response();
    }
    (error.status(), error.to_string()).into_response()
}

/// The Host and Origin checks, then the session and CSRF checks.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let access = &state.inner.access;
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    if access.own_host(req.uri(), req.headers()).is_none() {
        tracing::info!("refused a request for a foreign Host");
        return refuse(&path, &method, ApiError::Forbidden("this address is not allowed to reach the UI".into()));
    }
    if !access.origin_allowed(&method, req.headers()) {
        tracing::info!("refused a cross-site request");
        return refuse(&path, &method, ApiError::Forbidden("cross-site requests are refused".into()));
    }
    let authed = access.session_token(req.headers()).and_then(|token| state.sessions().lookup(token, Instant::now()));
    if is_public(&method, &path) {
        return next.run(req).await;
    }
    let Some(mut authed) = authed else { return refuse(&path, &method, ApiError::Unauthorized) };
    authed.live = req.headers().contains_key("x-live-refresh");
    let mut req = req;
    if !is_safe(&method) {
        req = match with_valid_csrf(req, &authed.csrf).await {
            Ok(req) => req,
            Err(e) => return refuse(&path, &method, e),
        };
    }
    req.extensions_mut().insert(authed);
    next.run(req).await
}

/// Reads the body (bounded) to find the CSRF token in the header or the form, and puts the
/// body back for the handler.
async fn with_valid_csrf(req: Request, expected: &str) -> Result<Request, ApiError> {
    let (parts, body) = req.into_parts();
    let limit = body_limit(parts.uri.path());
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::TooLarge(limit))?;
    let from_header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let token = from_header.or_else(|| {
        is_form
            .then(|| form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned()))
            .flatten()
    });
    match token {
        Some(t) if same(&t, expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(ApiError::Forbidden("missing or wrong CSRF token; reload the page and try again".into())),
    }
}

/// Headers on every response: nothing is cached (pages hold members' names; a browser's
/// cache is plaintext on disk), nothing is framed, scripts and styles come only from here.
pub async fn headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    // A page may bring a stricter policy of its own (a leaflet: no script, one inline style).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(
            h,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        );
    }
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    // Not `no-referrer`: with it browsers send `Origin: null` on the UI's own form posts.
    // Other sites still get no referrer (and so none of the ids in the UI's paths).
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, "cross-origin-opener-policy".parse().expect("valid name"), "same-origin");
    set(h, "cross-origin-resource-policy".parse().expect("valid name"), "same-origin");
    if is_static {
        // Embedded in the binary, no secrets: a day in the cache is fine.
        set(h, header::CACHE_CONTROL, "public, max-age=86400");
    } else {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// The session a request carries (the guard let it through).
impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Authed>().cloned().ok_or(ApiError::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_counts_attempts_before_their_check() {
        let mut l = LoginLimiter::default();
        let (a, b) = (IpAddr::from([127, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let t0 = Instant::now();
        // Five attempts in flight at once take the five slots; the sixth waits, with none
        // of the five having failed yet.
        for i in 0..5 {
            assert_eq!(l.begin(a, t0), Ok(Slot { slow_down: false }), "attempt {i}");
        }
        let wait = l.begin(a, t0 + Duration::from_secs(10)).unwrap_err();
        assert!((50..=51).contains(&wait), "{wait}");
        assert!(l.begin(b, t0).is_ok(), "another client is not held back by a's attempts");
        assert!(l.begin(a, t0 + Duration::from_secs(61)).is_ok(), "the window slides");
        l.succeeded(a);
        assert!(l.begin(a, t0).is_ok(), "a success frees the slots");
    }

    #[test]
    fn many_failures_slow_everyone_down_but_refuse_nobody_new() {
        let mut l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..MAX_FAILURES_TOTAL {
            let client = IpAddr::from([10, 0, (i / 200) as u8, (i % 200) as u8]);
            assert_eq!(l.begin(client, t0), Ok(Slot { slow_down: false }));
            l.failed(t0);
        }
        // A client that never failed is slowed down, not refused.
        assert_eq!(l.begin(IpAddr::from([192, 168, 1, 9]), t0), Ok(Slot { slow_down: true }));
        assert_eq!(l.begin(IpAddr::from([192, 168, 1, 10]), t0 + LOGIN_WINDOW), Ok(Slot { slow_down: false }));
    }

    #[test]
    fn clients_past_the_tracking_bound_share_one_limit() {
        let mut l = LoginLimiter::default();
        let t0 = Instant::now();
        let ip = |i: usize| IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
        for i in 0..MAX_TRACKED_CLIENTS {
            assert!(l.begin(ip(i), t0).is_ok());
        }
        let refused = (0..10).filter(|i| l.begin(ip(MAX_TRACKED_CLIENTS + i), t0).is_err()).count();
        assert_eq!(refused, 10 - MAX_ATTEMPTS_PER_CLIENT, "new clients share the overflow slots");
        assert!(l.attempts.len() <= MAX_TRACKED_CLIENTS + 1);
    }

    #[test]
    fn a_login_link_works_once_and_the_next_one_is_announced() {
        let mut links = LoginLinks::new();
        let announced = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sink = announced.clone();
        links.announce_with(Box::new(move |path: &str| sink.lock().unwrap().push(path.to_owned())));
        let first = links.issue();
        let token = first.strip_prefix("/login/once/").unwrap().to_owned();
        assert!(!links.redeem(&"0".repeat(64)), "a wrong token");
        assert!(links.redeem(&token));
        assert!(!links.redeem(&token), "used up");
        let next = announced.lock().unwrap().pop().expect("the next link is announced");
        assert_ne!(next, first);
        assert!(links.redeem(next.strip_prefix("/login/once/").unwrap()));
        assert!(!LoginLinks::new().redeem(&token), "no link issued: nothing opens");
    }

    #[test]
    fn sessions_expire_and_csrf_compares_whole_tokens() {
        let mut s = Sessions::default();
        let t0 = Instant::now();
        let (token, csrf) = s.create(t0);
        assert_eq!(s.lookup(&token, t0).map(|a| a.csrf), Some(csrf.clone()));
        assert!(s.lookup("00", t0).is_none());
        assert!(s.lookup(&token, t0 + SESSION_IDLE + Duration::from_secs(1)).is_none(), "idle too long");
        assert!(same(&csrf, &csrf.clone()));
        assert!(!same(&csrf, &csrf[..63]));
        let mut other = csrf.clone().into_bytes();
        other[63] = if other[63] == b'0' { b'1' } else { b'0' };
        assert!(!same(&csrf, std::str::from_utf8(&other).unwrap()));
    }

    #[test]
    fn hosts_and_origins() {
        let access = Access::new("127.0.0.1:7475".parse().unwrap(), &[]);
        let uri: axum::http::Uri = "/".parse().unwrap();
        let h = |host: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::HOST, host.parse().unwrap());
            m
        };
        assert!(access.own_host(&uri, &h("127.0.0.1:7475")).is_some());
        assert!(access.own_host(&uri, &h("LOCALHOST:7475")).is_some());
        assert!(access.own_host(&uri, &h("evil.example:7475")).is_none(), "DNS rebinding");
        assert!(access.own_host(&uri, &h("127.0.0.1:80")).is_none());
        assert!(access.own_host(&uri, &HeaderMap::new()).is_none());
        let mut two = h("127.0.0.1:7475");
        two.append(header::HOST, "evil.example".parse().unwrap());
        assert!(access.own_host(&uri, &two).is_none(), "two Host headers");
        let mut two = h("evil.example");
        two.append(header::HOST, "127.0.0.1:7475".parse().unwrap());
        assert!(access.own_host(&uri, &two).is_none(), "two Host headers, the UI's second");
        let absolute: axum::http::Uri = "http://evil.example/".parse().unwrap();
        assert!(access.own_host(&absolute, &h("127.0.0.1:7475")).is_none(), "an absolute URI naming another host");
        let absolute: axum::http::Uri = "http://127.0.0.1:7475/".parse().unwrap();
        assert!(access.own_host(&absolute, &h("127.0.0.1:7475")).is_some());
        let mut m = h("127.0.0.1:7475");
        m.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!access.origin_allowed(&Method::GET, &m));
        m.insert(header::ORIGIN, "http://localhost:7475".parse().unwrap());
        assert!(access.origin_allowed(&Method::POST, &m));
        let mut m = h("127.0.0.1:7475");
        m.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!access.origin_allowed(&Method::POST, &m));
        m.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(!access.origin_allowed(&Method::POST, &m), "a null origin from another site");
        m.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(access.origin_allowed(&Method::POST, &m), "a null origin the browser says is same-origin");
        assert!(access.origin_allowed(&Method::GET, &m), "links from elsewhere may open a page");
    }

    #[test]
    fn a_host_behind_a_tls_proxy_gets_secure_cookies() {
        let access =
            Access::new("127.0.0.1:7475".parse().unwrap(), &["https://Node.example".into(), "lan.example:8080".into()]);
        let uri: axum::http::Uri = "/".parse().unwrap();
        let h = |host: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::HOST, host.parse().unwrap());
            m
        };
        for host in ["node.example", "node.example:443", "lan.example:8080", "127.0.0.1:7475"] {
            assert!(access.own_host(&uri, &h(host)).is_some(), "{host}");
        }
        let cookie = |host: &str| access.session_cookie(&h(host), Some("ab")).to_str().unwrap().to_owned();
        assert!(cookie("node.example").ends_with("; Secure"), "{}", cookie("node.example"));
        assert!(cookie("node.example:443").ends_with("; Secure"));
        assert!(!cookie("lan.example:8080").contains("Secure"));
        assert!(!cookie("127.0.0.1:7475").contains("Secure"));
        let mut m = h("node.example");
        m.insert(header::ORIGIN, "https://node.example".parse().unwrap());
        assert!(access.origin_allowed(&Method::POST, &m));
        m.insert(header::ORIGIN, "http://node.example".parse().unwrap());
        assert!(!access.origin_allowed(&Method::POST, &m), "plain http to a host reached over https");
    }
}
