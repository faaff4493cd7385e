//! A secret call through the JSON API: refused while the network is too small to hide a pledge
//! in; then opened, credentials issued by the organizer's node to every member's node, pledges
//! counted with nobody named, "you pledged" only on the pledger's own node, and forgetting it.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{Fixture, call_spec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_call_is_opened_pledged_and_forgotten_through_the_api() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let net = f.network.to_hex();
    let mut members = Vec::new();
    for name in ["dee", "ana", "bo"] {
        members.push(f.admit(name).await);
    }
    let calls = format!("/api/v1/networks/{net}/calls");
    let mut spec = call_spec("Walk out", 3);
    spec["secret"] = json!(true);
    let r = c.json(Method::POST, &calls, spec.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("at least 5 eligible members") && r.body.contains("has 4"), "{}", r.body);
    members.push(f.admit("eli").await);
    let r = c.json(Method::POST, &calls, spec).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let call = r.json()["call_id"].as_str().unwrap().to_owned();
    // Rounds of sync and upkeep: keys out, requests in, answers out.
    for _ in 0..3 {
        let mut sam = f.node.lock().await;
        for n in members.iter_mut() {
            strike_node::sync::sync_pair(&mut sam, n, f.network).unwrap();
            n.upkeep(&f.network).unwrap();
            strike_node::sync::sync_pair(n, &mut sam, f.network).unwrap();
        }
        sam.upkeep(&f.network).unwrap();
    }
    let page = c.get(&format!("/api/v1/calls/{call}")).await.json();
    let secret = &page["call"]["secret"];
    assert_eq!((secret["issued"].as_u64(), secret["issuers"][0].as_str()), (Some(5), Some("Sam")), "{page}");
    let r = c.json(Method::POST, &format!("/api/v1/calls/{call}/pledge"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["call"]["my_pledge"], true);
    let id: strike_core::OpId = call.parse().unwrap();
    for n in members.iter_mut().take(2) {
        n.pledge(&f.network, &id, true).unwrap();
        n.release_held_now(&f.network).unwrap();
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(n, &mut sam, f.network).unwrap();
    }
    let page = c.get(&format!("/api/v1/calls/{call}")).await.json();
    assert_eq!(
        (page["call"]["tally"]["counted"].as_u64(), page["call"]["status"].as_str()),
        (Some(3), Some("triggered"))
    );
    assert_eq!(page["call"]["secret"]["mine"], "pledged");
    let r = c.json(Method::POST, &format!("/api/v1/calls/{call}/forget"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["my_pledge"].as_bool(), r.json()["secret"]["mine"].as_str()),
        (Some(false), Some("forgotten"))
    );
    // The page says what it is, and what trust remains.
    let html = c.get(&format!("/calls/{call}")).await.body;
    assert!(html.contains("Nobody, organizers included, can tell who took part"), "{html}");
    assert!(html.contains("The trust that remains"));
}

/// A secret vote in a real browser: Sam ticks "Secret ballots" on the propose form; the page
/// says the vote is secret and, until his node holds its credential, that it is waiting for
/// it; then he votes under a one-time key and the page shows his ballot, and the credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_vote_in_the_browser() {
    use crate::browser::serve_ui;
    use crate::webdriver::Driver;

    let f = Fixture::new().await;
    for name in ["dee", "ana", "bo", "eli"] {
        f.admit(name).await;
    }
    let ui = serve_ui(&f).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{ui}");
    let net = f.network.to_hex();
    b.log_in(&base).await;
    b.goto(&format!("{base}/networks/{net}/votes")).await;
    b.wait_for_text(&["Propose", "Secret ballots"], 10).await;
    b.type_into("#p-title", "Strike again in January?").await;
    b.script("document.getElementById('p-method').value = 'yes-no'; return null").await;
    b.click("input[name=secret]").await;
    b.click("form[action$='/votes/propose'] button[type=submit]").await;
    b.wait_for_text(
        &["Proposed.", "Nobody, organizers included, can tell who took part", "waiting for its credential"],
        10,
    )
    .await;
    let url = b.url().await;
    // Sam's node unblinds its credential at its next upkeep.
    f.node.lock().await.upkeep(&f.network).unwrap();
    b.goto(&url).await;
    b.wait_for_text(&["This vote is secret", "Your position"], 10).await;
    assert_eq!(b.unlabelled_fields().await, json!([]), "every field has a label");
    b.click("input[name=position][value=yes]").await;
    b.click("form[action$='/ballot'] button[type=submit]").await;
    b.wait_for_text(&["Your ballot now: yes", "1 used"], 10).await;
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    b.close().await;
}
