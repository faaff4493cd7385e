//! A node with a network, the UI's router around it, and a client that talks to the router
//! directly (no socket) the way a browser or a script would.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use strike_api::AppState;
use strike_core::{NetworkId, NetworkKind};
use strike_crypto::KdfParams;
use strike_node::Node;
use strike_node::peer::SharedNode;
use tower::ServiceExt;

pub const PASSPHRASE: &str = "sam's long passphrase";
/// The address the router believes it is bound to (Host headers must name it).
pub const HOST: &str = "127.0.0.1:7475";

/// Sam's node with "Dock 4", and the UI of it.
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub node: SharedNode,
    pub state: AppState,
    pub network: NetworkId,
}

/// Every log line of this test binary, at every level: one global subscriber for all tests
/// (a per-test one would miss events from callsites other tests reached first).
static LOGS: std::sync::OnceLock<Arc<std::sync::Mutex<Vec<u8>>>> = std::sync::OnceLock::new();

#[derive(Clone)]
struct Sink(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn capture_logs() -> &'static Arc<std::sync::Mutex<Vec<u8>>> {
    LOGS.get_or_init(|| {
        let buffer = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = Sink(buffer.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        buffer
    })
}

/// What every test in this binary logged so far.
pub fn logs() -> String {
    String::from_utf8_lossy(&capture_logs().lock().unwrap()).into_owned()
}

impl Fixture {
    pub async fn new() -> Fixture {
        capture_logs();
        let tmp = tempfile::tempdir().unwrap();
        let mut sam = Node::init(&tmp.path().join("sam"), PASSPHRASE.as_bytes(), KdfParams::MINIMUM).unwrap();
        let network = sam.create_network("Dock 4", NetworkKind::Workplace).unwrap();
        sam.set_profile(&network, |p| {
            p.pseudonym = "Sam".into();
            p.department = "Packing".into();
        })
        .unwrap();
        let node = Arc::new(tokio::sync::Mutex::new(sam));
        let state = AppState::new(node.clone(), HOST.parse().unwrap(), &[]).await;
        Fixture { tmp, node, state, network }
    }

    pub fn client(&self) -> Client {
        Client::for_state(&self.state)
    }

    /// A member who joined with an invite and was vouched for, on a node of their own,
    /// holding everything Sam's node holds.
    pub async fn admit(&self, name: &str) -> Node {
        let mut sam = self.node.lock().await;
        let link = sam.create_invite(&self.network, 1, None, vec![]).unwrap();
        let mut n = Node::init(&self.tmp.path().join(name), name.as_bytes(), KdfParams::MINIMUM).unwrap();
        n.join(&link, name).unwrap();
        strike_node::sync::sync_pair(&mut n, &mut sam, self.network).unwrap();
        let author = n.network(&self.network).unwrap().my_author.unwrap();
        sam.vouch(&self.network, &author).unwrap();
        strike_node::sync::sync_pair(&mut sam, &mut n, self.network).unwrap();
        n.upkeep(&self.network).unwrap();
        n.set_profile(&self.network, |p| p.department = "Picking".into()).unwrap();
        strike_node::sync::sync_pair(&mut n, &mut sam, self.network).unwrap();
        n
    }
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).map_or("", |v| v.to_str().unwrap())
    }
}

/// Talks to the router like a browser on loopback: the right Host, and the session cookie
/// once logged in.
pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl Client {
    /// A client of the UI of `state`.
    pub fn for_state(state: &AppState) -> Client {
        Client { router: strike_api::router(state.clone()), cookie: None, csrf: None }
    }

    pub fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path).header(header::HOST, HOST);
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        b
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 16 << 20).await.unwrap();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path).body(Body::empty()).unwrap()).await
    }

    /// A JSON request with the CSRF header (if logged in).
    pub async fn json(&self, method: Method, path: &str, body: serde_json::Value) -> Reply {
        let mut b = self.request(method, path).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = &self.csrf {
            b = b.header("x-csrf-token", t);
        }
        self.send(b.body(Body::from(body.to_string())).unwrap()).await
    }

    /// A form post, with the CSRF field (if logged in) first.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = Vec::new();
        if let Some(t) = &self.csrf {
            all.push(("csrf", t));
        }
        all.extend_from_slice(fields);
        let body = form_body(&all);
        let req = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Logs in through the API and keeps the cookie and the CSRF token.
    pub async fn login(&mut self) {
        self.login_with(PASSPHRASE).await;
    }

    /// Logs in to a node whose passphrase is not the fixture's.
    pub async fn login_with(&mut self, passphrase: &str) {
        let r = self.json(Method::POST, "/api/v1/session", serde_json::json!({ "passphrase": passphrase })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        self.cookie = Some(session_cookie(&r));
        self.csrf = Some(r.json()["csrf_token"].as_str().unwrap().to_owned());
    }
}

/// `name=value` of the Set-Cookie header.
pub fn session_cookie(r: &Reply) -> String {
    let set = r.headers.get(header::SET_COOKIE).expect("a session cookie").to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A call with a count of `n`, deadline in a week.
pub fn call_spec(title: &str, n: u32) -> serde_json::Value {
    serde_json::json!({ "kind": "strike", "title": title, "threshold_count": n, "deadline": "7d", "starts": "8d" })
}
