//! The JSON API and the security checks, through the router without a socket: status codes,
//! logins, sessions, CSRF, Host and Origin, error bodies for bad input.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::support::{Fixture, HOST, PASSPHRASE, call_spec};

#[tokio::test]
async fn without_a_session_pages_go_to_login_and_the_api_says_401() {
    let f = Fixture::new().await;
    let c = f.client();
    let page = c.get("/").await;
    assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, "/login"));
    let api = c.get("/api/v1/dashboard").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.json()["error"]["code"], "unauthorized");
    // A state-changing request without a session changes nothing.
    let r = c
        .json(Method::POST, &format!("/api/v1/networks/{}/announcements", f.network.to_hex()), json!({ "text": "hi" }))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = c.form(&format!("/networks/{}/announce", f.network.to_hex()), &[("text", "hi")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(f.node.lock().await.announcements(&f.network, 10).unwrap().is_empty());
    // The login page, static files and the API description are public.
    assert_eq!(c.get("/login").await.status, StatusCode::OK);
    assert_eq!(c.get("/static/app.css").await.status, StatusCode::OK);
    assert_eq!(c.get("/api/v1/openapi.json").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_foreign_host_is_refused_even_with_a_session() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    for host in ["evil.example:7475", "127.0.0.1:80", "attacker.test", "127.0.0.1:7475.evil.example"] {
        for path in ["/", "/api/v1/dashboard", "/login"] {
            let req = axum::http::Request::builder()
                .uri(path)
                .header(header::HOST, host)
                .header(header::COOKIE, c.cookie.clone().unwrap())
                .body(Body::empty())
                .unwrap();
            let r = c.send(req).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{host} {path}");
        }
    }
    let no_host = axum::http::Request::builder().uri("/login").body(Body::empty()).unwrap();
    assert_eq!(c.send(no_host).await.status, StatusCode::FORBIDDEN);
    for host in ["localhost:7475", "[::1]:7475", HOST] {
        let req = axum::http::Request::builder().uri("/login").header(header::HOST, host).body(Body::empty()).unwrap();
        assert_eq!(c.send(req).await.status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn a_cross_origin_post_is_refused_before_it_does_anything() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let path = format!("/api/v1/networks/{}/announcements", f.network.to_hex());
    for origin in ["http://evil.example", "http://127.0.0.1:9999", "null", "https://localhost:7476"] {
        let req = c
            .request(Method::POST, &path)
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", c.csrf.clone().unwrap())
            .body(Body::from(json!({ "text": "forged" }).to_string()))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(r.json()["error"]["code"], "forbidden");
    }
    let req = c
        .request(Method::POST, &path)
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-csrf-token", c.csrf.clone().unwrap())
        .body(Body::from(json!({ "text": "forged" }).to_string()))
        .unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN);
    assert!(f.node.lock().await.announcements(&f.network, 10).unwrap().is_empty(), "nothing was posted");
    // The same request from the UI's own origin goes through.
    let req = c
        .request(Method::POST, &path)
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-csrf-token", c.csrf.clone().unwrap())
        .body(Body::from(json!({ "text": "real" }).to_string()))
        .unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn state_changes_need_the_sessions_csrf_token() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let token = c.csrf.take().unwrap();
    let path = format!("/api/v1/networks/{}/announcements", f.network.to_hex());
    let r = c.json(Method::POST, &path, json!({ "text": "no token" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("CSRF"));
    c.csrf = Some("00".repeat(32));
    assert_eq!(c.json(Method::POST, &path, json!({ "text": "wrong token" })).await.status, StatusCode::FORBIDDEN);
    // A form with a wrong token, and one without.
    let page = format!("/networks/{}/announce", f.network.to_hex());
    assert_eq!(c.form(&page, &[("text", "forged form")]).await.status, StatusCode::FORBIDDEN);
    c.csrf = None;
    assert_eq!(c.form(&page, &[("text", "forged form")]).await.status, StatusCode::FORBIDDEN);
    assert!(f.node.lock().await.announcements(&f.network, 10).unwrap().is_empty());
    // Another session's token does not fit this session.
    let mut other = f.client();
    other.login().await;
    c.csrf = other.csrf.clone();
    assert_eq!(c.json(Method::POST, &path, json!({ "text": "other token" })).await.status, StatusCode::FORBIDDEN);
    c.csrf = Some(token);
    assert_eq!(c.json(Method::POST, &path, json!({ "text": "right token" })).await.status, StatusCode::CREATED);
    assert_eq!(c.form(&page, &[("text", "by form")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(f.node.lock().await.announcements(&f.network, 10).unwrap().len(), 2);
}

#[tokio::test]
async fn login_sets_a_strict_httponly_cookie_and_logout_ends_the_session() {
    let f = Fixture::new().await;
    let mut c = f.client();
    let r = c.form("/login", &[("passphrase", PASSPHRASE)]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"));
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set.starts_with("openstrike_session_7475="), "{set}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set} lacks {attr}");
    }
    assert!(!set.contains(PASSPHRASE));
    c.cookie = Some(crate::support::session_cookie(&r));
    let dash = c.get("/").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("Dock 4"));
    let csrf = dash.body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    c.csrf = Some(csrf);
    let out = c.form("/logout", &[]).await;
    assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/login"));
    assert!(out.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(c.get("/").await.location(), "/login", "the old cookie opens nothing");
    assert_eq!(c.get("/api/v1/dashboard").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_passphrases_are_rate_limited() {
    let f = Fixture::new().await;
    let c = f.client();
    for i in 0..5 {
        let r = c.json(Method::POST, "/api/v1/session", json!({ "passphrase": format!("guess {i}") })).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(r.json()["error"]["code"], "wrong_passphrase");
        assert!(r.headers.get(header::SET_COOKIE).is_none());
    }
    let r = c.json(Method::POST, "/api/v1/session", json!({ "passphrase": PASSPHRASE })).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right one waits");
    let wait: u64 = r.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    let page = c.form("/login", &[("passphrase", "one more")]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("too many attempts"));
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let net = f.network.to_hex();
    let calls = format!("/api/v1/networks/{net}/calls");
    let err = |r: &crate::support::Reply| r.json()["error"]["message"].as_str().unwrap().to_owned();
    let cases = [
        (
            json!({ "kind": "riot", "title": "x", "threshold_count": 1, "deadline": "7d", "starts": "8d" }),
            "not a kind of call",
        ),
        (json!({ "kind": "strike", "title": "x", "deadline": "7d", "starts": "8d" }), "at least one rule"),
        (
            json!({ "kind": "strike", "title": "x", "threshold_count": 1, "deadline": "someday", "starts": "8d" }),
            "cannot read the time",
        ),
        (
            json!({ "kind": "strike", "title": "x", "threshold_share": "250%", "deadline": "7d", "starts": "8d" }),
            "at most 100%",
        ),
        (
            json!({ "kind": "strike", "title": "x", "threshold_count": 1, "deadline": "7d", "starts": "1d" }),
            "before the call's deadline",
        ),
        (
            json!({ "kind": "strike", "title": "x", "threshold_count": 1, "deadline": "7d", "starts": "8d", "colour": "red" }),
            "unknown field",
        ),
    ];
    for (body, expect) in cases {
        let r = c.json(Method::POST, &calls, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert!(err(&r).contains(expect), "{body}: {}", err(&r));
    }
    let r = c
        .send(
            c.request(Method::POST, &calls)
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-csrf-token", c.csrf.clone().unwrap())
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "bad_request");
    assert!(c.get(&calls).await.json()["calls"].as_array().unwrap().is_empty(), "no call was opened");
    // Unknown ids and endpoints.
    assert_eq!(c.get(&format!("/api/v1/networks/{}/calls", "ab".repeat(32))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/api/v1/networks/not-an-id").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get(&format!("/api/v1/calls/{}", "cd".repeat(32))).await.status, StatusCode::NOT_FOUND);
    let nope = c.get("/api/v1/nope").await;
    assert_eq!((nope.status, nope.json()["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    // An oversized body is refused unread.
    let big = json!({ "text": "x".repeat(100_000) });
    let r = c.json(Method::POST, &format!("/api/v1/networks/{net}/announcements"), big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Every input refuses fields it does not know (a page's form may add only its CSRF token).
    for (path, body) in [
        ("announcements", json!({ "text": "hi", "pinned": true })),
        ("profile", json!({ "shift": "night", "salary": 1 })),
        ("skills", json!({ "skill": "car", "level": 3 })),
        ("cover", json!({ "kind": "ride", "seats": 3 })),
        ("contacts", json!({ "name": "Priya", "phone": "555" })),
    ] {
        let r = c.json(Method::POST, &format!("/api/v1/networks/{net}/{path}"), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert!(err(&r).contains("unknown field"), "{path}: {}", err(&r));
    }
    assert!(f.node.lock().await.announcements(&f.network, 10).unwrap().is_empty());
    // A cover search for a kind that does not exist.
    let r = c.json(Method::POST, &format!("/api/v1/networks/{net}/cover/search"), json!({ "kind": "boat" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(err(&r).contains("not a kind of cover"));
}

#[tokio::test]
async fn a_call_pledged_by_two_members_triggers_through_the_api() {
    let f = Fixture::new().await;
    let mut dee = f.admit("dee").await;
    let mut c = f.client();
    c.login().await;
    let net = f.network.to_hex();
    let r = c.json(Method::POST, &format!("/api/v1/networks/{net}/calls"), call_spec("Heat", 2)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let call = r.json()["call_id"].as_str().unwrap().to_owned();
    let r = c.json(Method::POST, &format!("/api/v1/calls/{call}/pledge"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["call"]["tally"]["counted"], 1);
    assert_eq!(r.json()["call"]["status"], "open");
    let again = c.json(Method::POST, &format!("/api/v1/calls/{call}/pledge"), json!({})).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "already pledged");
    // Dee pledges on her node; her pledge arrives by sync.
    {
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
        let (net_id, op) = dee.find_call(&call).unwrap();
        dee.pledge(&net_id, &op, true).unwrap();
        strike_node::sync::sync_pair(&mut dee, &mut sam, f.network).unwrap();
    }
    let page = c.get(&format!("/api/v1/calls/{call}")).await.json();
    assert_eq!(page["call"]["status"], "triggered");
    assert_eq!(page["call"]["tally"]["counted"], 2);
    assert_eq!(page["timeline"].as_array().unwrap().len(), 2, "two steps up");
    let dash = c.get("/api/v1/dashboard").await.json();
    assert_eq!(dash["alerts"][0]["call_id"], call.as_str());
    assert_eq!(dash["alerts"][0]["status"], "triggered");
    let w = c.json(Method::POST, &format!("/api/v1/calls/{call}/withdraw"), json!({})).await;
    assert_eq!(w.status, StatusCode::FORBIDDEN, "no withdrawing after the trigger: {}", w.body);
}

#[tokio::test]
async fn organizer_actions_through_the_api() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let net = f.network.to_hex();
    let r = c.json(Method::POST, &format!("/api/v1/networks/{net}/invites"), json!({ "uses": 3, "days": 2 })).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let invite = r.json();
    assert!(invite["link"].as_str().unwrap().starts_with("openstrike://join/v1/"));
    assert!(invite["qr_svg"].as_str().unwrap().contains("<svg"));
    let bad = c.json(Method::POST, &format!("/api/v1/networks/{net}/invites"), json!({ "days": 0 })).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // A joiner asks with the link; the organizer vouches through the API.
    let link: strike_node::networks::InviteLink = invite["link"].as_str().unwrap().parse().unwrap();
    let mut lee =
        strike_node::Node::init(&f.tmp.path().join("lee"), b"lee", strike_crypto::KdfParams::MINIMUM).unwrap();
    lee.join(&link, "Lee").unwrap();
    strike_node::sync::sync_pair(&mut lee, &mut *f.node.lock().await, f.network).unwrap();
    let people = c.get(&format!("/api/v1/networks/{net}/members")).await.json();
    let lee_row = people["people"].as_array().unwrap().iter().find(|p| p["pseudonym"] == "Lee").unwrap().clone();
    assert_eq!(lee_row["status"], "pending");
    let v = c.json(Method::POST, &format!("/api/v1/networks/{net}/vouches"), json!({ "member": "Lee" })).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    assert_eq!(v.json()["admitted"], true);
    let twice = c.json(Method::POST, &format!("/api/v1/networks/{net}/vouches"), json!({ "member": "Lee" })).await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    let gone = c.json(Method::POST, &format!("/api/v1/networks/{net}/removals"), json!({ "member": "Lee" })).await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    let founder = c.json(Method::POST, &format!("/api/v1/networks/{net}/removals"), json!({ "member": "Sam" })).await;
    assert_eq!(founder.status, StatusCode::FORBIDDEN, "the founder stays: {}", founder.body);
    // Directory: profile, skill, cover offer, search.
    assert_eq!(
        c.json(Method::POST, &format!("/api/v1/networks/{net}/profile"), json!({ "shift": "night" })).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        c.json(Method::POST, &format!("/api/v1/networks/{net}/skills"), json!({ "skill": "car" })).await.status,
        StatusCode::CREATED
    );
    let offer = json!({ "kind": "ride", "when": "mon-fri 22:00-06:00", "where": "North" });
    assert_eq!(c.json(Method::POST, &format!("/api/v1/networks/{net}/cover"), offer).await.status, StatusCode::CREATED);
    let found = c
        .json(
            Method::POST,
            &format!("/api/v1/networks/{net}/cover/search"),
            json!({ "kind": "ride", "when": "tue 23:00-01:00" }),
        )
        .await;
    assert_eq!(found.json()["matches"].as_array().unwrap().len(), 1);
    let dir = c.get(&format!("/api/v1/networks/{net}/directory")).await.json();
    let me = dir["profiles"].as_array().unwrap().iter().find(|p| p["pseudonym"] == "Sam").unwrap().clone();
    assert_eq!((me["profile"]["shift"].as_str(), me["skills"][0].as_str()), (Some("night"), Some("car")));
    // Contacts: map one, assess, note; a level outside 1-5 is refused.
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/networks/{net}/contacts"),
            json!({ "name": "Priya", "department": "Picking" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let contact = r.json()["op_id"].as_str().unwrap()[..12].to_owned();
    let assess = |level: u8| json!({ "contact": contact, "level": level, "note": "after lunch" });
    assert_eq!(
        c.json(Method::POST, &format!("/api/v1/networks/{net}/assessments"), assess(4)).await.status,
        StatusCode::CREATED
    );
    let bad = c.json(Method::POST, &format!("/api/v1/networks/{net}/assessments"), assess(9)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"]["message"].as_str().unwrap().contains("1 (hostile) to 5"));
    let note = json!({ "contact": contact, "text": "Talked about the heat" });
    assert_eq!(c.json(Method::POST, &format!("/api/v1/networks/{net}/notes"), note).await.status, StatusCode::CREATED);
    let unknown = json!({ "contact": "ffffffff", "text": "?" });
    assert_eq!(
        c.json(Method::POST, &format!("/api/v1/networks/{net}/notes"), unknown).await.status,
        StatusCode::NOT_FOUND
    );
    let dir = c.get(&format!("/api/v1/networks/{net}/directory")).await.json();
    let priya = &dir["contacts"][0];
    assert_eq!((priya["name"].as_str(), priya["support"].as_u64()), (Some("Priya"), Some(4)));
    assert_eq!(priya["notes"][0][1], "Talked about the heat");
    let sync = c.get("/api/v1/sync").await.json();
    assert_eq!(sync["peers"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn responses_are_never_cached_or_framed() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    for path in ["/", "/api/v1/dashboard", "/login"] {
        let r = c.get(path).await;
        let h = |name: &str| r.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert_eq!(h("cache-control"), "no-store", "{path}");
        assert_eq!(h("x-frame-options"), "DENY");
        assert!(h("content-security-policy").contains("script-src 'self'"));
        assert!(h("content-security-policy").contains("frame-ancestors 'none'"));
        assert_eq!(h("referrer-policy"), "same-origin");
    }
    let css = c.get("/static/app.css").await;
    assert!(css.headers.get("cache-control").unwrap().to_str().unwrap().starts_with("public"));
}

#[tokio::test]
async fn a_campaign_is_set_from_json_and_from_its_page_and_a_mistake_keeps_what_was_typed() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let net = f.network.to_hex();
    let path = format!("/api/v1/networks/{net}/campaign");
    assert_eq!(c.get(&path).await.status, StatusCode::NOT_FOUND, "no campaign yet");
    let call = c.json(Method::POST, &format!("/api/v1/networks/{net}/calls"), call_spec("Heat", 5)).await;
    assert_eq!(call.status, StatusCode::CREATED, "{}", call.body);
    let call_id = call.json()["call_id"].as_str().unwrap().to_owned();
    let spec = json!({ "title": "Contract 2027", "phases": [
        { "name": "Map", "starts": "0d", "objectives": ["every department"], "gates": [{ "members": 1 }] },
        { "name": "Strike", "starts": "30d", "gates": [{ "pledges": { "call": &call_id[..8], "n": 5 } },
                                                      { "cover": { "kind": "childcare", "percent": 80 } }] }
    ]});
    let r = c.json(Method::POST, &path, spec).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let page = c.get(&path).await.json();
    assert_eq!(page["countdown"]["title"], "Contract 2027");
    assert_eq!(page["countdown"]["current"], 0);
    // As written, to edit: the call by its full id, the share in percent.
    assert_eq!(page["spec"]["phases"][1]["gates"][0]["pledges"]["call"], call_id.as_str());
    assert_eq!(page["spec"]["phases"][1]["gates"][1]["cover"]["percent"], 80.0);

    // The same text, edited, through the page's form; a mistake shows it again with the error.
    let bad = r#"{"title": "Contract 2027", "phases": [{"name": "Strike", "starts": "someday"}]}"#;
    let r = c.form(&format!("/networks/{net}/campaign"), &[("spec", bad)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("cannot read the time"), "{}", r.body);
    assert!(r.body.contains("someday"), "the text as typed is kept");
    let before = f.node.lock().await.campaign(&f.network).unwrap();
    let good = r#"{"title": "Contract 2028", "phases": [{"name": "Strike", "starts": "10d"}]}"#;
    let r = c.form(&format!("/networks/{net}/campaign"), &[("spec", good)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = f.node.lock().await.campaign(&f.network).unwrap().unwrap();
    assert_ne!(before.as_ref(), Some(&after));
    assert_eq!(after.title, "Contract 2028");
    for bad in [
        json!({ "title": "x" }),
        json!({ "title": "x", "phases": [{ "name": "a", "starts": "1d", "gates": [{ "cover": { "kind": "boat", "percent": 5 } }] }] }),
    ] {
        let r = c.json(Method::POST, &path, bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    }
    assert_eq!(f.node.lock().await.campaign(&f.network).unwrap().unwrap().title, "Contract 2028", "nothing written");
}
