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
/// Failed logins allowed per client address in [`LOGIN_WINDOW`], and from everyone together
/// (so spreading guesses over addresses on a LAN gains little).
const MAX_FAILURES_PER_CLIENT: usize = 5;
const MAX_FAILURES_TOTAL: usize = 20;
const LOGIN_WINDOW: Duration = Duration::from_secs(60);
/// Client addresses remembered by the limiter; beyond this the oldest are forgotten.
const MAX_TRACKED_CLIENTS: usize = 1024;
/// Bodies of state-changing requests are read whole to find the CSRF token: forms and JSON
/// here are small (the longest field is a 4 KiB note).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The hosts and origins the UI answers to, and its cookie's name.
#[derive(Debug, Clone)]
pub struct Access {
    /// `Host` values accepted, lowercase, with the port.
    hosts: Vec<String>,
    /// Per port, so a demo node and a real node on one machine keep separate sessions.
    pub cookie_name: String,
}

impl Access {
    /// Loopback names for the port the UI is bound to, the bound address itself, and any
    /// names given (for a UI behind a reverse proxy).
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
        hosts.extend(extra_hosts.iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()));
        Access { hosts, cookie_name: format!("openstrike_session_{port}") }
    }

    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    fn host_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
        let host = host.trim().to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    /// `Origin`, where present, must be this UI itself; a state-changing request without one
    /// must not say it came from another site.
    fn origin_allowed(&self, method: &Method, headers: &HeaderMap) -> bool {
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if let Some(origin) = headers.get(header::ORIGIN) {
            let Ok(origin) = origin.to_str() else { return false };
            let origin = origin.trim().to_ascii_lowercase();
            if origin == "null" {
                // Browsers send a null origin for privacy-sensitive contexts; only their own
                // word that the request is same-origin lets it through.
                return fetch_site == Some("same-origin");
            }
            return ["http://", "https://"]
                .iter()
                .any(|scheme| origin.strip_prefix(scheme).is_some_and(|h| self.hosts.iter().any(|a| a == h)));
        }
        if is_safe(method) {
            return true;
        }
        match fetch_site {
            Some(site) => matches!(site, "same-origin" | "none"),
            None => true,
        }
    }
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
        Some(Authed { id, csrf: session.csrf.clone() })
    }

    pub fn end(&mut self, id: &[u8; 32]) {
        self.by_hash.remove(id);
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

/// Failed logins per client address in a sliding window.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: HashMap<IpAddr, VecDeque<Instant>>,
    total: VecDeque<Instant>,
}

impl LoginLimiter {
    /// `Err(seconds)` to wait when `client` (or everyone together) failed too often lately.
    pub fn check(&mut self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let expire = |q: &mut VecDeque<Instant>| {
            while q.front().is_some_and(|t| now.duration_since(*t) >= LOGIN_WINDOW) {
                q.pop_front();
            }
        };
        expire(&mut self.total);
        let mine = self.failures.entry(client).or_default();
        expire(mine);
        let wait = |q: &VecDeque<Instant>, max: usize| {
            (q.len() >= max).then(|| q.front().map_or(1, |t| (LOGIN_WINDOW - now.duration_since(*t)).as_secs() + 1))
        };
        match wait(mine, MAX_FAILURES_PER_CLIENT).or_else(|| wait(&self.total, MAX_FAILURES_TOTAL)) {
            Some(seconds) => Err(seconds),
            None => Ok(()),
        }
    }

    pub fn failed(&mut self, client: IpAddr, now: Instant) {
        if self.failures.len() >= MAX_TRACKED_CLIENTS && !self.failures.contains_key(&client) {
            self.failures.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < LOGIN_WINDOW));
        }
        if self.failures.len() < MAX_TRACKED_CLIENTS || self.failures.contains_key(&client) {
            self.failures.entry(client).or_default().push_back(now);
        }
        self.total.push_back(now);
    }

    pub fn succeeded(&mut self, client: IpAddr) {
        self.failures.remove(&client);
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

/// Checks a login attempt: rate limit, then the passphrase. `Ok(Some((token, csrf)))` for a
/// new session.
pub async fn attempt_login(
    state: &AppState,
    client: ClientIp,
    passphrase: Zeroizing<String>,
) -> Result<Option<(String, String)>, ApiError> {
    let client = client.0;
    state.limiter().check(client, Instant::now()).map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    if state.passphrase_ok(passphrase).await? {
        state.limiter().succeeded(client);
        tracing::info!("logged in");
        Ok(Some(state.sessions().create(Instant::now())))
    } else {
        state.limiter().failed(client, Instant::now());
        tracing::info!("a login attempt with a wrong passphrase");
        Ok(None)
    }
}

/// The session cookie for a new session, or one that ends it.
pub fn session_cookie(access: &Access, token: Option<&str>) -> HeaderValue {
    let value = match token {
        Some(t) => {
            format!("{}={t}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}", access.cookie_name, SESSION_MAX.as_secs())
        }
        None => format!("{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0", access.cookie_name),
    };
    HeaderValue::from_str(&value).expect("cookie values are hex and fixed text")
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
            path == "/login" || path.starts_with("/static/") || path == "/api/v1/openapi.json"
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
fn refuse(path: &str, method: &Method, error: ApiError) -> Response {
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
    if !access.host_allowed(req.headers()) {
        tracing::info!("refused a request for a foreign Host");
        return refuse(&path, &method, ApiError::Forbidden("this address is not allowed to reach the UI".into()));
    }
    if !access.origin_allowed(&method, req.headers()) {
        tracing::info!("refused a cross-site request");
        return refuse(&path, &method, ApiError::Forbidden("cross-site requests are refused".into()));
    }
    let authed =
        cookie(req.headers(), &access.cookie_name).and_then(|token| state.sessions().lookup(token, Instant::now()));
    if is_public(&method, &path) {
        return next.run(req).await;
    }
    let Some(authed) = authed else { return refuse(&path, &method, ApiError::Unauthorized) };
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
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| ApiError::TooLarge(MAX_BODY_BYTES))?;
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
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
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
    fn limiter_allows_five_failures_a_minute_per_client() {
        let mut l = LoginLimiter::default();
        let (a, b) = (IpAddr::from([127, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(l.check(a, t0).is_ok(), "attempt {i}");
            l.failed(a, t0);
        }
        let wait = l.check(a, t0 + Duration::from_secs(10)).unwrap_err();
        assert!((50..=51).contains(&wait), "{wait}");
        assert!(l.check(b, t0).is_ok(), "another client is not held back by a's failures");
        assert!(l.check(a, t0 + Duration::from_secs(61)).is_ok(), "the window slides");
        l.succeeded(a);
        assert!(l.check(a, t0).is_ok());
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
        let h = |host: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::HOST, host.parse().unwrap());
            m
        };
        assert!(access.host_allowed(&h("127.0.0.1:7475")));
        assert!(access.host_allowed(&h("LOCALHOST:7475")));
        assert!(!access.host_allowed(&h("evil.example:7475")), "DNS rebinding");
        assert!(!access.host_allowed(&h("127.0.0.1:80")));
        assert!(!access.host_allowed(&HeaderMap::new()));
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
}
