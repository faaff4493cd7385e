//! The resource network through the router and in a real browser: a keeper describes and
//! receives stock by form, a member asks for supplies (sealed to the keepers) and offers
//! some, the keeper reviews the plan, commits it and checks off a handover; the page shows
//! stock with its lots and expiry, the queue, the days-left chart and the alerts; bad input
//! changes nothing; the JSON API says the same.

use axum::http::{Method, StatusCode};
use serde_json::json;
use strike_core::{NetworkId, NetworkKind};
use strike_crypto::KdfParams;
use strike_node::Node;

use crate::browser::serve_ui;
use crate::pages::{logged_in, text};
use crate::support::Fixture;
use crate::webdriver::Driver;

/// Sam's node opens a hub, and Dee joins it on a node of her own.
async fn hub(f: &Fixture) -> (NetworkId, Node) {
    let mut sam = f.node.lock().await;
    let hub = sam.create_network("Eastside Solidarity Hub", NetworkKind::Hub).unwrap();
    let link = sam.create_invite(&hub, 1, None, vec![]).unwrap();
    let mut dee = Node::init(&f.tmp.path().join("dee-hub"), b"dee", KdfParams::MINIMUM).unwrap();
    dee.join(&link, "Dee").unwrap();
    strike_node::sync::sync_pair(&mut dee, &mut sam, hub).unwrap();
    let author = dee.network(&hub).unwrap().my_author.unwrap();
    sam.vouch(&hub, &author).unwrap();
    sam.upkeep(&hub).unwrap();
    strike_node::sync::sync_pair(&mut sam, &mut dee, hub).unwrap();
    dee.upkeep(&hub).unwrap();
    (hub, dee)
}

#[tokio::test]
async fn a_keeper_plans_commits_and_hands_over_what_members_asked_for() {
    let f = Fixture::new().await;
    let (hub, mut dee) = hub(&f).await;
    let c = logged_in(&f).await;
    let net = hub.to_hex();
    let base = format!("/networks/{net}/resources");
    let spec = [("name", "Insulin"), ("unit", "vials"), ("category", "medical"), ("cold_chain", "true")];
    let r = c.form(&format!("{base}/specs"), &spec).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, base.as_str()));
    c.form(&format!("{base}/specs"), &[("name", "Rice"), ("unit", "kg"), ("category", "food")]).await;
    let receive = |spec: &'static str, qty: &'static str, expires: &'static str| {
        vec![("action", "receive"), ("spec", spec), ("qty", qty), ("place", "Fridge"), ("expires", expires)]
    };
    c.form(&format!("{base}/stock"), &receive("Insulin", "20", "30d")).await;
    c.form(&format!("{base}/stock"), &receive("Rice", "50 kg", "")).await;
    // A mistake: a flash says what is wrong, nothing is written.
    let ops = f.node.lock().await.network(&hub).unwrap().n_ops;
    c.form(&format!("{base}/stock"), &receive("Rice", "5 L", "")).await;
    let t = text(&c.get(&base).await.body);
    assert!(t.contains("Rice is counted in kg, not L"), "{t}");
    assert_eq!(f.node.lock().await.network(&hub).unwrap().n_ops, ops);

    // Dee asks for insulin, sealed to the keepers, and for rice.
    {
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut sam, &mut dee, hub).unwrap();
        let insulin = strike_node::resources::RequestInput {
            spec: "Insulin".into(),
            qty: "3".into(),
            urgency: "critical".into(),
            note: "for my son".into(),
            circle: "keepers".into(),
            household: Some(3),
            ..Default::default()
        };
        dee.request_supplies(&hub, &insulin).unwrap();
        let rice = strike_node::resources::RequestInput { spec: "Rice".into(), qty: "80".into(), ..Default::default() };
        dee.request_supplies(&hub, &rice).unwrap();
        strike_node::sync::sync_pair(&mut dee, &mut sam, hub).unwrap();
    }
    let t = text(&c.get(&base).await.body);
    for want in
        ["Insulin", "cold chain", "sealed to keepers", "for my son", "Allocation plan", "53 of 83 units", "Rice"]
    {
        assert!(t.contains(want), "{want:?} in {t}");
    }
    assert!(t.contains("A critical request for 3 vials"), "the alert: {t}");
    let dash = text(&c.get("/").await.body);
    assert!(dash.contains("2 open requests ( 1 critical )"), "the hub's dashboard card: {dash}");
    assert!(t.contains("expire in 29 days") || t.contains("expire in 30 days"), "{t}");

    // The keeper commits the plan as reviewed; a stale digest is refused.
    let v = c.get(&format!("/api/v1{base}")).await.json();
    assert_eq!(v["resources"]["keeper"], true);
    let digest = v["plan"]["digest"].as_str().unwrap().to_owned();
    let r = c.json(Method::POST, &format!("/api/v1{base}/commit"), json!({ "reviewed": "0000000000000000" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    c.form(&format!("{base}/commit"), &[("reviewed", &digest)]).await;
    let t = text(&c.get(&base).await.body);
    assert!(t.contains("Plan committed: 2 commitments to hand over."), "{t}");
    let v = c.get(&format!("/api/v1{base}")).await.json();
    let commitments = v["resources"]["commitments"].as_array().unwrap().clone();
    assert_eq!(commitments.len(), 2);
    let first = commitments[0]["op_id"].as_str().unwrap();
    let r =
        c.json(Method::POST, &format!("/api/v1{base}/handovers"), json!({ "commitment": first, "qty": "999" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("still to hand over"), "{}", r.body);
    c.form(&format!("{base}/handovers"), &[("commitment", first)]).await;
    let v = c.get(&format!("/api/v1{base}")).await.json();
    assert_eq!(v["resources"]["commitments"].as_array().unwrap().len(), 1);

    // Dee, a member, sees her own requests and no plan; her node folds what Sam's does.
    {
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut sam, &mut dee, hub).unwrap();
        let (mine, keeper) = (dee.resources(&hub).unwrap(), sam.resources(&hub).unwrap());
        assert_eq!(mine.hash, keeper.hash);
        assert!(!mine.keeper);
    }
}

#[tokio::test]
async fn the_hub_page_in_a_browser_asks_commits_and_hands_over() {
    let f = Fixture::new().await;
    let (hub, _dee) = hub(&f).await;
    let net = hub.to_hex();
    {
        let mut sam = f.node.lock().await;
        let spec = strike_node::resources::SpecInput {
            name: "Rice".into(),
            unit: "kg".into(),
            category: "food".into(),
            ..Default::default()
        };
        sam.add_spec(&hub, &spec).unwrap();
        let lot = strike_node::resources::StockInput {
            action: "receive".into(),
            spec: "Rice".into(),
            qty: "40".into(),
            place: "Church basement".into(),
            ..Default::default()
        };
        let lot = sam.record_stock(&hub, &lot).unwrap();
        let eat = strike_node::resources::StockInput {
            action: "consume".into(),
            lot: lot.to_hex(),
            qty: "14".into(),
            ..Default::default()
        };
        sam.record_stock(&hub, &eat).unwrap();
    }
    let ui = serve_ui(&f).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{ui}");
    b.log_in(&base).await;
    b.goto(&format!("{base}/networks/{net}/resources")).await;
    // 26 kg left after 14 used in four weeks: 52 days at that rate.
    b.wait_for_text(&["Days of stock left", "food: 52 days", "26 kg"], 10).await;
    assert_eq!(b.unlabelled_fields().await, json!([]), "every field has a label");
    b.type_into("#ask-qty", "6").await;
    b.type_into("#ask-note", "Two kids at home").await;
    b.click("form[action$='/resources/requests'] input[name=sealed]").await;
    b.click("form[action$='/resources/requests'] button[type=submit]").await;
    b.wait_for_text(&["Asked: only the keepers can read it.", "sealed to keepers", "Two kids at home"], 10).await;
    b.click("form[action$='/resources/commit'] button[type=submit]").await;
    b.wait_for_text(&["Plan committed: 1 commitments to hand over."], 10).await;
    b.click("form[action$='/resources/handovers'] button[type=submit]").await;
    b.wait_for_text(&["Handed over.", "Nothing committed waits to be handed over."], 10).await;
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    b.close().await;
}
