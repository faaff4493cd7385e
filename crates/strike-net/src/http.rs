//! The sync messages over HTTP, for hubs reached from networks that block UDP.
//!
//! A session is opened with `POST /sync/v1/session`, which answers a fresh random 32-byte
//! token; from then on each `POST /sync/v1/session/TOKEN_HEX` carries frames the client has
//! to send (u32 big-endian length, bytes; possibly none) and answers the frames the hub sends
//! back before it needs more input. The token stands in for the initiator's endpoint id in
//! proofs (`docs/protocol.md`, "Hubs"), so a proof is good for one session only; the hub's
//! id is pinned in the address (`ID@https://...`). Put TLS in front of a hub's HTTP port
//! (a reverse proxy) when it faces the internet: what crosses is signed ciphertext, but the
//! headers (network id, authors, sizes) are metadata.
//!
//! On the hub, each session is a [`Channel`] like a QUIC one: the node's session code does not
//! know which transport it runs over.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::{mpsc, oneshot};

use crate::{Channel, FRAME_TIMEOUT, Inner, MAX_FRAME, NetError};

/// The path sessions are opened at.
pub const SESSION_PATH: &str = "/sync/v1/session";
/// HTTP sessions open at once on a hub; more get 503.
pub const MAX_HTTP_SESSIONS: usize = 64;
/// Largest request body a hub reads.
pub const MAX_BODY: usize = 3 * MAX_FRAME;
/// A client puts at most this much in one request.
const MAX_REQUEST: usize = 2 * MAX_FRAME;
/// A hub stops adding frames to one response past this size; the client asks for the rest.
const MAX_RESPONSE: usize = 2 * MAX_FRAME;
/// Header set on the response that ends a session.
const CLOSED_HEADER: &str = "x-sync-closed";

/// What the node side of a hub's HTTP session hands to the request in flight.
#[derive(Debug)]
enum Out {
    Frame(Vec<u8>),
    /// The node has handled everything it was given and waits for more.
    Waiting,
}

/// The request side of one HTTP session on a hub.
#[derive(Debug)]
struct ServerEnd {
    to_node: mpsc::Sender<Vec<u8>>,
    from_node: tokio::sync::Mutex<mpsc::UnboundedReceiver<Out>>,
    /// The node said `Waiting` and has been given nothing since.
    idle: AtomicBool,
}

/// The node side of one HTTP session on a hub.
#[derive(Debug)]
pub(crate) struct ServerSession {
    from_http: mpsc::Receiver<Vec<u8>>,
    to_http: mpsc::UnboundedSender<Out>,
    /// A frame was received since the last `Waiting`.
    owed: bool,
}

impl ServerSession {
    pub(crate) fn send(&mut self, frame: &[u8]) -> Result<(), NetError> {
        self.to_http.send(Out::Frame(frame.to_vec())).map_err(|_| NetError::Closed)
    }

    pub(crate) async fn recv(&mut self) -> Result<Vec<u8>, NetError> {
        if let Ok(frame) = self.from_http.try_recv() {
            self.owed = true;
            return Ok(frame);
        }
        if std::mem::take(&mut self.owed) {
            let _ = self.to_http.send(Out::Waiting);
        }
        match tokio::time::timeout(FRAME_TIMEOUT, self.from_http.recv()).await {
            Ok(Some(frame)) => {
                self.owed = true;
                Ok(frame)
            }
            Ok(None) => Err(NetError::Closed),
            Err(_) => Err(NetError::Timeout),
        }
    }

    /// Ends the session: the request in flight answers what was sent, marked closed.
    pub(crate) fn finish(self) {}
}

/// The client side of one HTTP session.
pub(crate) struct ClientSession {
    client: reqwest::Client,
    url: String,
    outbox: Vec<Vec<u8>>,
    inbox: VecDeque<Vec<u8>>,
    closed: bool,
}

impl fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSession").field("outbox", &self.outbox.len()).field("inbox", &self.inbox.len()).finish()
    }
}

fn encode_frames(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(frames.iter().map(|f| f.len() + 4).sum());
    for f in frames {
        out.extend_from_slice(&(f.len() as u32).to_be_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// Splits a body into frames; `None` if it is not a sequence of bounded frames.
fn decode_frames(mut body: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut frames = Vec::new();
    while !body.is_empty() {
        let len = u32::from_be_bytes(body.get(..4)?.try_into().ok()?) as usize;
        if len > MAX_FRAME {
            return None;
        }
        frames.push(body.get(4..4 + len)?.to_vec());
        body = &body[4 + len..];
    }
    Some(frames)
}

fn http_err(e: reqwest::Error) -> NetError {
    if e.is_timeout() { NetError::Timeout } else { NetError::Connection(e.to_string()) }
}

impl ClientSession {
    pub(crate) fn send(&mut self, frame: &[u8]) -> Result<(), NetError> {
        self.outbox.push(frame.to_vec());
        Ok(())
    }

    /// Posts what is waiting to be sent (in requests of bounded size), keeping what comes back.
    async fn flush(&mut self) -> Result<(), NetError> {
        let mut pending = std::mem::take(&mut self.outbox).into_iter().peekable();
        loop {
            let mut batch = Vec::new();
            let mut size = 0;
            while let Some(f) = pending.peek() {
                if !batch.is_empty() && size + f.len() > MAX_REQUEST {
                    break;
                }
                size += f.len() + 4;
                batch.extend(pending.next());
            }
            let response = self.client.post(&self.url).body(encode_frames(&batch)).send().await.map_err(http_err)?;
            match response.status() {
                StatusCode::OK => {}
                StatusCode::NOT_FOUND | StatusCode::GONE => return Err(NetError::Closed),
                status => return Err(NetError::Connection(format!("the hub answered HTTP {status}"))),
            }
            self.closed |= response.headers().contains_key(CLOSED_HEADER);
            let body = response.bytes().await.map_err(http_err)?;
            let frames =
                decode_frames(&body).ok_or_else(|| NetError::Connection("the hub sent malformed frames".into()))?;
            self.inbox.extend(frames);
            if pending.peek().is_none() {
                return Ok(());
            }
        }
    }

    pub(crate) async fn recv(&mut self) -> Result<Vec<u8>, NetError> {
        // Two requests at most: what there is to send, then (if that brought nothing back)
        // an empty one for frames the hub had no room for in the last response.
        for _ in 0..2 {
            if let Some(frame) = self.inbox.pop_front() {
                return Ok(frame);
            }
            if self.closed {
                return Err(NetError::Closed);
            }
            self.flush().await?;
        }
        self.inbox.pop_front().ok_or(NetError::Closed)
    }

    pub(crate) async fn finish(mut self) {
        if !self.outbox.is_empty() && !self.closed {
            let _ = self.flush().await;
        }
    }
}

/// Both sides of HTTP for one endpoint: the client (built on first use) and, once
/// [`HttpSide::serve`] runs, the hub's server and the sessions it opened.
#[derive(Clone)]
pub(crate) struct HttpSide {
    id: [u8; 32],
    inner: Arc<SideInner>,
}

struct SideInner {
    accepted_tx: mpsc::Sender<Channel>,
    accepted_rx: tokio::sync::Mutex<mpsc::Receiver<Channel>>,
    sessions: Mutex<HashMap<[u8; 32], Arc<ServerEnd>>>,
    shutdown: Mutex<Vec<oneshot::Sender<()>>>,
    client: OnceLock<reqwest::Client>,
}

impl fmt::Debug for HttpSide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSide").field("id", &hex::encode(&self.id[..8])).finish()
    }
}

impl HttpSide {
    pub(crate) fn new(id: [u8; 32]) -> HttpSide {
        let (accepted_tx, accepted_rx) = mpsc::channel(MAX_HTTP_SESSIONS);
        HttpSide {
            id,
            inner: Arc::new(SideInner {
                accepted_tx,
                accepted_rx: tokio::sync::Mutex::new(accepted_rx),
                sessions: Mutex::new(HashMap::new()),
                shutdown: Mutex::new(Vec::new()),
                client: OnceLock::new(),
            }),
        }
    }

    fn client(&self) -> Result<reqwest::Client, NetError> {
        if let Some(c) = self.inner.client.get() {
            return Ok(c.clone());
        }
        // reqwest is built without a TLS provider: ring, the one iroh uses, serves both.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(FRAME_TIMEOUT * 2)
            .connect_timeout(FRAME_TIMEOUT)
            .no_proxy()
            .build()
            .map_err(|e| NetError::Connection(e.to_string()))?;
        Ok(self.inner.client.get_or_init(|| client).clone())
    }

    /// Opens a session at the hub whose id is `hub` and whose base URL is `url`.
    pub(crate) async fn connect(&self, url: &str, hub: [u8; 32]) -> Result<Channel, NetError> {
        let client = self.client()?;
        let open = format!("{url}{SESSION_PATH}");
        let response = client.post(&open).send().await.map_err(|e| NetError::Connect(url.to_owned(), e.to_string()))?;
        if response.status() != StatusCode::OK {
            return Err(NetError::Connect(url.to_owned(), format!("the hub answered HTTP {}", response.status())));
        }
        let body = response.bytes().await.map_err(http_err)?;
        let token: [u8; 32] =
            body[..].try_into().map_err(|_| NetError::Connect(url.to_owned(), "not a sync endpoint".into()))?;
        let session = ClientSession {
            client,
            url: format!("{open}/{}", hex::encode(token)),
            outbox: Vec::new(),
            inbox: VecDeque::new(),
            closed: false,
        };
        Ok(Channel { remote: hub, local: token, peer_ip: None, inner: Inner::HttpClient(session) })
    }

    /// The next session opened over HTTP (never, if [`HttpSide::serve`] was not called).
    pub(crate) async fn next(&self) -> Option<Channel> {
        self.inner.accepted_rx.lock().await.recv().await
    }

    pub(crate) async fn serve(&self, listen: SocketAddr) -> Result<SocketAddr, NetError> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| NetError::Bind(listen.to_string(), e.to_string()))?;
        let bound = listener.local_addr().map_err(|e| NetError::Bind(listen.to_string(), e.to_string()))?;
        let app = Router::new()
            .route(SESSION_PATH, post(open_session))
            .route(&format!("{SESSION_PATH}/{{token}}"), post(step_session))
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .with_state(self.clone());
        let (tx, rx) = oneshot::channel();
        if let Ok(mut s) = self.inner.shutdown.lock() {
            s.push(tx);
        }
        tokio::spawn(async move {
            let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                });
            if let Err(e) = served.await {
                tracing::warn!(error = %e, "the HTTP sync endpoint stopped");
            }
        });
        tracing::info!(%bound, "answering sync sessions over HTTP");
        Ok(bound)
    }

    pub(crate) fn close(&self) {
        if let Ok(mut s) = self.inner.shutdown.lock() {
            for tx in s.drain(..) {
                let _ = tx.send(());
            }
        }
        if let Ok(mut sessions) = self.inner.sessions.lock() {
            sessions.clear();
        }
    }
}

async fn open_session(
    State(side): State<HttpSide>,
    axum::extract::ConnectInfo(from): axum::extract::ConnectInfo<SocketAddr>,
) -> Response {
    let token: [u8; 32] = strike_crypto::random_bytes(&mut rand::rng());
    let (to_node, from_http) = mpsc::channel(64);
    let (to_http, from_node) = mpsc::unbounded_channel();
    {
        let Ok(mut sessions) = side.inner.sessions.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        sessions.retain(|_, end| !end.to_node.is_closed());
        if sessions.len() >= MAX_HTTP_SESSIONS {
            return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
        }
        let end = ServerEnd { to_node, from_node: tokio::sync::Mutex::new(from_node), idle: AtomicBool::new(false) };
        sessions.insert(token, Arc::new(end));
    }
    let session = ServerSession { from_http, to_http, owed: false };
    let channel =
        Channel { remote: token, local: side.id, peer_ip: Some(from.ip()), inner: Inner::HttpServer(session) };
    if side.inner.accepted_tx.try_send(channel).is_err() {
        if let Ok(mut sessions) = side.inner.sessions.lock() {
            sessions.remove(&token);
        }
        return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
    }
    token.to_vec().into_response()
}

async fn step_session(State(side): State<HttpSide>, Path(token): Path<String>, body: Bytes) -> Response {
    let Some(token) = hex::decode(&token).ok().and_then(|t| <[u8; 32]>::try_from(t).ok()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let end = match side.inner.sessions.lock() {
        Ok(sessions) => sessions.get(&token).cloned(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let Some(end) = end else { return StatusCode::NOT_FOUND.into_response() };
    let Some(frames) = decode_frames(&body) else {
        return (StatusCode::BAD_REQUEST, "malformed frames").into_response();
    };
    // One request at a time per session: the answer belongs to the frames just given.
    let mut from_node = end.from_node.lock().await;
    if frames.is_empty() && end.idle.load(Ordering::Acquire) {
        // The node waits for the client and the client for the node: nothing more will come.
        return StatusCode::OK.into_response();
    }
    for frame in frames {
        end.idle.store(false, Ordering::Release);
        if end.to_node.send(frame).await.is_err() {
            return StatusCode::GONE.into_response();
        }
    }
    let mut out = Vec::new();
    let mut size = 0;
    let mut closed = false;
    while size < MAX_RESPONSE {
        match tokio::time::timeout(FRAME_TIMEOUT, from_node.recv()).await {
            Ok(Some(Out::Frame(f))) => {
                size += f.len() + 4;
                out.push(f);
            }
            Ok(Some(Out::Waiting)) => {
                end.idle.store(true, Ordering::Release);
                break;
            }
            Ok(None) => {
                closed = true;
                break;
            }
            Err(_) => return StatusCode::GATEWAY_TIMEOUT.into_response(),
        }
    }
    let mut headers = HeaderMap::new();
    if closed {
        headers.insert(CLOSED_HEADER, HeaderValue::from_static("1"));
        if let Ok(mut sessions) = side.inner.sessions.lock() {
            sessions.remove(&token);
        }
    }
    (headers, encode_frames(&out)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_junk_is_refused() {
        let frames = vec![vec![1, 2, 3], vec![], vec![9; 1000]];
        assert_eq!(decode_frames(&encode_frames(&frames)), Some(frames));
        assert_eq!(decode_frames(&[]), Some(vec![]));
        assert_eq!(decode_frames(&[0, 0, 0, 5, 1]), None, "truncated");
        assert_eq!(decode_frames(&[0xff, 0xff, 0xff, 0xff]), None, "oversized");
        assert_eq!(decode_frames(&[0, 0]), None);
    }

    /// A session over HTTP on loopback: frames both ways, in order, and the end of the
    /// session reaches the client; junk requests get errors, not panics.
    #[tokio::test]
    async fn a_session_over_http_carries_frames_both_ways() {
        let hub = HttpSide::new([7; 32]);
        let addr = hub.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let client = HttpSide::new([8; 32]);
        let url = format!("http://{addr}");
        let server = {
            let hub = hub.clone();
            tokio::spawn(async move {
                let mut ch = hub.next().await.unwrap();
                assert_eq!(ch.local, [7; 32]);
                let token = ch.remote;
                let first = ch.recv().await.unwrap();
                assert_eq!(first, b"hello");
                ch.send(b"one").await.unwrap();
                ch.send(b"two").await.unwrap();
                let next = ch.recv().await.unwrap();
                assert_eq!(next, vec![5; 3_000_000], "a big frame arrives whole");
                ch.send(b"bye").await.unwrap();
                ch.finish().await;
                token
            })
        };
        let mut ch = client.connect(&url, [7; 32]).await.unwrap();
        assert_eq!(ch.remote, [7; 32]);
        ch.send(b"hello").await.unwrap();
        assert_eq!(ch.recv().await.unwrap(), b"one");
        assert_eq!(ch.recv().await.unwrap(), b"two");
        ch.send(&vec![5; 3_000_000]).await.unwrap();
        assert_eq!(ch.recv().await.unwrap(), b"bye");
        assert!(matches!(ch.recv().await, Err(NetError::Closed)));
        let token = ch.local;
        assert_eq!(server.await.unwrap(), token, "the token binds both sides");

        let http = client.client().unwrap();
        let junk = http.post(format!("{url}{SESSION_PATH}/00")).body("x").send().await.unwrap();
        assert_eq!(junk.status(), StatusCode::NOT_FOUND);
        let gone = http.post(format!("{url}{SESSION_PATH}/{}", hex::encode(token))).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND, "a finished session is gone");
        // A malformed body on a live session.
        let mut live = client.connect(&url, [7; 32]).await.unwrap();
        let bad = http
            .post(format!("{url}{SESSION_PATH}/{}", hex::encode(live.local)))
            .body(vec![0xff, 0xff, 0xff, 0xff, 1])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        let too_big = http.post(format!("{url}{SESSION_PATH}/{}", hex::encode(live.local))).body(vec![0; MAX_BODY + 1]);
        assert!(too_big.send().await.is_ok_and(|r| r.status() == StatusCode::PAYLOAD_TOO_LARGE));
        live.send(b"x").await.unwrap();
        hub.close();
        assert!(live.recv().await.is_err());
    }
}
