//! What an attacker on the same computer tries against the UI: stalled connections, guesses
//! sent all at once, locking the owner out, ambiguous Host headers, broken UTF-8, id prefixes
//! that are not hex, panics that would quote the request.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use proptest::prelude::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Fixture, HOST, PASSPHRASE, Reply, logs, session_cookie};

/// The UI of the fixture's node served on a random loopback port, as `openstrike serve` does.
async fn served(f: &Fixture) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bound = listener.local_addr().unwrap();
    let state = strike_api::AppState::new(f.node.clone(), bound, &[]).await;
    tokio::spawn(strike_api::serve(listener, state, tokio_util::sync::CancellationToken::new()));
    bound
}

/// Reads until the server closes the connection (or `within` passes): what it sent.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    });
    read.await.ok().map(|()| String::from_utf8_lossy(&got).into_owned())
}

async fn get_over_tcp(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    read_until_closed(&mut s, Duration::from_secs(10)).await.expect("an answer")
}

#[tokio::test]
async fn stalled_clients_are_cut_off_at_the_deadlines_and_others_are_served_meanwhile() {
    let f = Fixture::new().await;
    let addr = served(&f).await;
    // 256 logins that announce 1,000 bytes of body and send one; 32 requests that stop in
    // the middle of their headers.
    let mut bodies = Vec::new();
    for _ in 0..256 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        bodies.push(s);
    }
    let mut heads = Vec::new();
    for _ in 0..32 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").as_bytes()).await.unwrap();
        heads.push(s);
    }
    // A kept-alive connection that goes idle after one request.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(format!("GET /login HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).await.unwrap();
    let opened = Instant::now();
    // Meanwhile everyone else is served.
    for path in ["/login", "/api/v1/openapi.json", "/static/app.css"] {
        let reply = get_over_tcp(addr, path).await;
        assert!(reply.starts_with("HTTP/1.1 200"), "{path} while 288 clients stall: {reply:.200}");
    }
    let login = f.client().json(Method::POST, "/api/v1/session", json!({ "passphrase": PASSPHRASE })).await;
    assert_eq!(login.status, StatusCode::OK);
    // Every stalled connection is closed by the server within its deadline (plus slack for
    // a loaded machine); a stalled body is told why.
    let limit = strike_api::BODY_DEADLINE.max(strike_api::HEADER_DEADLINE) + Duration::from_secs(10);
    for s in &mut bodies {
        let left = limit.saturating_sub(opened.elapsed());
        let sent = read_until_closed(s, left).await.expect("a stalled body is closed within the deadline");
        assert!(sent.starts_with("HTTP/1.1 408"), "{sent:.200}");
    }
    for s in &mut heads {
        let left = limit.saturating_sub(opened.elapsed());
        read_until_closed(s, left).await.expect("a stalled header is closed within the deadline");
    }
    // The idle connection got its answer and was closed too.
    let answered = read_until_closed(&mut idle, limit.saturating_sub(opened.elapsed())).await;
    assert!(answered.expect("closed once idle").starts_with("HTTP/1.1 200"));
}

/// A client whose requests come from `ip` (as a socket's peer address would say).
fn from(ip: [u8; 4], req: axum::http::request::Builder) -> axum::http::request::Builder {
    req.extension(ConnectInfo(SocketAddr::from((ip, 40000))))
}

async fn login_from(f: &Fixture, ip: [u8; 4], passphrase: &str) -> Reply {
    let c = f.client();
    let req = from(ip, c.request(Method::POST, "/api/v1/session"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "passphrase": passphrase }).to_string()))
        .unwrap();
    c.send(req).await
}

#[tokio::test]
async fn forty_guesses_at_once_get_five_checks() {
    let f = Fixture::new().await;
    let guesses = (0..40).map(|i| {
        let f = &f;
        async move { login_from(f, [10, 0, 0, 7], &format!("guess {i}")).await.status }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 35), "{statuses:?}");
    // The address stays locked for the minute, even for the right passphrase...
    assert_eq!(login_from(&f, [10, 0, 0, 7], PASSPHRASE).await.status, StatusCode::TOO_MANY_REQUESTS);
    // ...and another address is not.
    assert_eq!(login_from(&f, [10, 0, 0, 8], PASSPHRASE).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_owner_gets_in_with_a_one_time_link_while_a_guesser_holds_the_lock() {
    let f = Fixture::new().await;
    // A guesser on the same computer shares the owner's address, 127.0.0.1.
    for i in 0..6 {
        login_from(&f, [127, 0, 0, 1], &format!("guess {i}")).await;
    }
    assert_eq!(login_from(&f, [127, 0, 0, 1], PASSPHRASE).await.status, StatusCode::TOO_MANY_REQUESTS);
    let announced = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = announced.clone();
    let link = f.state.login_link(move |next| sink.lock().unwrap().push(next.to_owned()));
    let mut c = f.client();
    let opened = c.send(from([127, 0, 0, 1], c.request(Method::GET, &link)).body(Body::empty()).unwrap()).await;
    assert_eq!((opened.status, opened.location()), (StatusCode::SEE_OTHER, "/"));
    c.cookie = Some(session_cookie(&opened));
    assert_eq!(c.get("/api/v1/dashboard").await.status, StatusCode::OK);
    // Used up; the next one went to whoever printed the first.
    let again = f.client().get(&link).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.headers.get(header::SET_COOKIE).is_none());
    let next = announced.lock().unwrap().pop().expect("the next link was announced");
    assert_ne!(next, link);
    assert_eq!(f.client().get(&next).await.status, StatusCode::SEE_OTHER);
    assert_eq!(f.client().get(&format!("/login/once/{}", "ab".repeat(32))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn failures_from_many_addresses_slow_logins_down_but_never_refuse_the_right_one() {
    let f = Fixture::new().await;
    for i in 0..25u8 {
        let r = login_from(&f, [10, 1, 0, i], "a guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = login_from(&f, [192, 168, 7, 7], PASSPHRASE).await;
    assert_eq!(r.status, StatusCode::OK, "the right passphrase from a fresh address: {}", r.body);
}

#[tokio::test]
async fn logging_in_again_ends_the_session_the_browser_held() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let old = c.cookie.clone().unwrap();
    let again = c.form("/login", &[("passphrase", PASSPHRASE)]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let new = session_cookie(&again);
    assert_ne!(new, old);
    assert_eq!(c.get("/api/v1/dashboard").await.status, StatusCode::UNAUTHORIZED, "the old session ended");
    c.cookie = Some(new);
    assert_eq!(c.get("/api/v1/dashboard").await.status, StatusCode::OK);
}

#[tokio::test]
async fn two_hosts_or_an_absolute_uri_for_another_host_are_refused() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let cookie = c.cookie.clone().unwrap();
    let send = |req: Request<Body>| c.send(req);
    let two = Request::builder()
        .uri("/api/v1/dashboard")
        .header(header::HOST, HOST)
        .header(header::HOST, "evil.example")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(two).await.status, StatusCode::FORBIDDEN);
    let two = Request::builder()
        .uri("/login")
        .header(header::HOST, "evil.example")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(two).await.status, StatusCode::FORBIDDEN);
    let absolute = Request::builder()
        .uri("http://evil.example/api/v1/dashboard")
        .header(header::HOST, HOST)
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(absolute).await.status, StatusCode::FORBIDDEN);
    let own = Request::builder()
        .uri(format!("http://{HOST}/api/v1/dashboard"))
        .header(header::HOST, HOST)
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(own).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_served_description_names_the_real_port_and_cookie() {
    let f = Fixture::new().await;
    let addr = served(&f).await;
    let reply = get_over_tcp(addr, "/api/v1/openapi.json").await;
    let body = reply.split("\r\n\r\n").nth(1).unwrap();
    let doc: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(doc["servers"][0]["url"], format!("http://{addr}/api/v1"));
    assert_eq!(doc["components"]["securitySchemes"]["session"]["name"], format!("openstrike_session_{}", addr.port()));
    assert_eq!(
        doc["paths"],
        serde_json::from_str::<serde_json::Value>(strike_api::api_description()).unwrap()["paths"]
    );
}

#[tokio::test]
async fn a_form_that_is_not_utf8_is_refused_and_writes_nothing() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let body = format!("csrf={}&text=caf%E9", c.csrf.clone().unwrap());
    let req = c
        .request(Method::POST, &format!("/networks/{}/announce", f.network.to_hex()))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("UTF-8"));
    assert!(f.node.lock().await.announcements(&f.network, 10).unwrap().is_empty());
    let login = f
        .client()
        .request(Method::POST, "/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("passphrase=%FF%FE"))
        .unwrap();
    assert_eq!(c.send(login).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_panic_answers_500_and_logs_where_not_what() {
    let secret = "Close to the shift manager, do not share dates";
    let app = axum::Router::new()
        .route(
            "/boom",
            axum::routing::post(|text: String| async move {
                if !text.is_empty() {
                    let cut = &text[..text.len() - 1];
                    panic!("could not handle {cut}");
                }
                "nothing to handle"
            }),
        )
        .layer(axum::middleware::from_fn(strike_api::catch_panics));
    crate::support::capture_logs();
    let previous = std::panic::take_hook();
    strike_node::log_panics_by_location();
    let response = tower::ServiceExt::oneshot(
        app,
        Request::builder().method(Method::POST).uri("/boom").body(Body::from(secret)).unwrap(),
    )
    .await
    .unwrap();
    std::panic::set_hook(previous);
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    assert!(!String::from_utf8_lossy(&body).contains("shift manager"));
    let logs = logs();
    assert!(logs.contains("hardening.rs"), "the panic's location is logged");
    assert!(!logs.contains("shift manager"), "no request content in the logs");
}

fn cases() -> u32 {
    std::env::var("OPENSTRIKE_PROPTEST_CASES").ok().and_then(|v| v.parse::<u32>().ok()).map_or(64, |n| n.clamp(1, 5000))
}

/// Text as people (or attackers) type it where an id prefix goes: anything printable,
/// multi-byte characters at the end, hex with junk.
fn prefix_text() -> impl Strategy<Value = String> {
    prop_oneof!["\\PC{0,20}", "[0-9a-f]{5,7}[éü€😀\u{202e}]", "[0-9a-fA-F]{0,70}", "[a-z0-9 %/?#.]{0,12}",]
}

#[test]
fn any_text_as_an_id_prefix_answers_400_or_404_at_every_endpoint() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (f, c) = rt.block_on(async {
        let f = Fixture::new().await;
        let mut c = f.client();
        c.login().await;
        (f, c)
    });
    let net = f.network.to_hex();
    let sam = rt.block_on(f.node.lock()).me_in(&f.network).unwrap().unwrap().author.to_hex();
    let config = ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(text in prefix_text())| {
        let is_sam = strike_core::IdPrefix::parse(&text, 4).is_ok_and(|p| sam.starts_with(p.as_str()))
            || text.trim().eq_ignore_ascii_case("sam");
        let in_path: String = form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20");
        rt.block_on(async {
            let mut replies = vec![
                ("assessments", c.json(Method::POST, &format!("/api/v1/networks/{net}/assessments"), json!({ "contact": text, "level": 3 })).await),
                ("notes", c.json(Method::POST, &format!("/api/v1/networks/{net}/notes"), json!({ "contact": text, "text": "x" })).await),
                ("call", c.get(&format!("/api/v1/calls/{in_path}")).await),
                ("pledge", c.json(Method::POST, &format!("/api/v1/calls/{in_path}/pledge"), json!({})).await),
                ("call page", c.get(&format!("/calls/{in_path}")).await),
                ("note form", c.form(&format!("/networks/{net}/contacts/note"), &[("contact", &text), ("text", "x")]).await),
            ];
            if !is_sam {
                replies.push(("vouch", c.json(Method::POST, &format!("/api/v1/networks/{net}/vouches"), json!({ "member": text })).await));
                replies.push(("removal", c.json(Method::POST, &format!("/api/v1/networks/{net}/removals"), json!({ "member": text })).await));
            }
            for (what, r) in replies {
                if r.status == StatusCode::SEE_OTHER {
                    // A form answers with a redirect and a message on the next page.
                    let next = c.get(r.location()).await;
                    prop_assert!(!next.body.contains("internal error"), "{what} with {text:?}: {}", next.body);
                    prop_assert!(next.body.contains("flash error"), "{what} with {text:?} was refused");
                    continue;
                }
                prop_assert!(
                    matches!(r.status, StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND),
                    "{what} with {text:?}: {} {}", r.status, r.body
                );
            }
            Ok(())
        })?;
    });
}

/// A node opened from a copied data directory says on the dashboard that it writes nothing
/// yet, and why; "this is the only copy" lets it write again.
#[tokio::test]
async fn a_copied_data_directory_waits_to_write_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let (original, copy) = (tmp.path().join("laptop"), tmp.path().join("new-laptop"));
    let mut node =
        strike_node::Node::init(&original, PASSPHRASE.as_bytes(), strike_crypto::KdfParams::MINIMUM).unwrap();
    let net = node.create_network("Dock 4", strike_core::NetworkKind::Workplace).unwrap();
    drop(node);
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(&original).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    let node = strike_node::Node::open(&copy, PASSPHRASE.as_bytes()).unwrap();
    let shared = std::sync::Arc::new(tokio::sync::Mutex::new(node));
    let state = strike_api::AppState::new(shared.clone(), HOST.parse().unwrap(), &[]).await;
    let mut c = crate::support::Client::for_state(&state);
    c.login().await;
    let page = c.get("/").await;
    assert!(page.body.contains("Writing waits"), "{}", page.body);
    let dash = c.get("/api/v1/dashboard").await.json();
    assert_eq!(dash["networks"][0]["network"]["writes"], "held");
    let r = c
        .json(Method::POST, &format!("/api/v1/networks/{}/announcements", net.to_hex()), json!({ "text": "hi" }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = c.form(&format!("/networks/{}/only-copy", net.to_hex()), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!c.get("/").await.body.contains("Writing waits"));
    let r = c
        .json(Method::POST, &format!("/api/v1/networks/{}/announcements", net.to_hex()), json!({ "text": "hi" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Recovering needs a reason when the key has not forked.
    let r = c.json(Method::POST, &format!("/api/v1/networks/{}/recover", net.to_hex()), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}
