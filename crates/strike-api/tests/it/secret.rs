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
