//! Mutual aid through the router and in a real browser: Dee asks the crisis team for help
//! from her own node; Sam's queue shows it live, overdue past its target, with a banner on
//! every page for the team and a dashboard card; Sam claims and resolves it by form; a check-in
//! round shows its progress bar and who is silent; a legal case counts down to its deadline;
//! bad input says why and writes nothing; the JSON API says the same.

use axum::http::{Method, StatusCode};
use serde_json::json;
use strike_node::aid::AskInput;

use crate::browser::serve_ui;
use crate::pages::{logged_in, text};
use crate::support::Fixture;
use crate::webdriver::Driver;

/// Sam's network with Dee; a crisis team (Sam) and a legal circle (Sam).
async fn setup(f: &Fixture) -> strike_node::Node {
    let mut dee = f.admit("dee").await;
    let mut sam = f.node.lock().await;
    sam.create_circle(&f.network, "Crisis team", "nights").unwrap();
    sam.create_circle(&f.network, "Legal", "cases").unwrap();
    strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
    dee
}

#[tokio::test]
async fn a_request_is_asked_claimed_and_resolved_and_the_page_and_api_agree() {
    let f = Fixture::new().await;
    let mut dee = setup(&f).await;
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let base = format!("/networks/{net}/aid");
    // Dee asks from her node, sealed to the crisis team.
    let req = {
        let input = AskInput {
            category: "medical".into(),
            urgency: "critical".into(),
            text: "Insulin runs out Thursday".into(),
            visible_to: "Crisis team".into(),
            ..AskInput::default()
        };
        let req = dee.aid_ask(&f.network, &input).unwrap().to_hex();
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut dee, &mut sam, f.network).unwrap();
        req
    };
    let t = text(&c.get(&base).await.body);
    for want in ["1 open request, 1 critical unclaimed for 0 min", "Insulin runs out Thursday", "Crisis team"] {
        assert!(t.contains(want), "{want:?} in {t}");
    }
    // Three hours later nobody has it: overdue, with a banner on every page for the team.
    f.node.lock().await.set_clock_offset(3 * 3600);
    let dash = text(&c.get("/").await.body);
    assert!(dash.contains("OVERDUE: 1 request for your team"), "{dash}");
    assert!(dash.contains("1 open request, 1 critical unclaimed for 3 h"), "the dashboard card: {dash}");
    assert!(text(&c.get(&format!("/networks/{net}/fund")).await.body).contains("OVERDUE: 1 request"));

    // Claimed by form: the request page shows who has it, the banner goes.
    let page = format!("{base}/requests/{req}");
    let r = c.form(&format!("{page}/step"), &[("action", "claim"), ("note", "Calling the hub")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, page.as_str()));
    let t = text(&c.get(&page).await.body);
    assert!(t.contains("claimed: Sam has it") && t.contains("Sam: claim: Calling the hub"), "{t}");
    assert!(!text(&c.get("/").await.body).contains("OVERDUE"));
    // A mistake says why and writes nothing.
    let ops = f.node.lock().await.network(&f.network).unwrap().n_ops;
    c.form(&format!("{page}/step"), &[("action", "escalate"), ("to", "Legal")]).await;
    let t = text(&c.get(&page).await.body);
    assert!(t.contains("the requester did not allow escalating"), "{t}");
    c.form(&format!("{base}/ask"), &[("category", "weapons"), ("text", "x"), ("visible_to", "network")]).await;
    assert!(text(&c.get(&base).await.body).contains("a category is one of"));
    assert_eq!(f.node.lock().await.network(&f.network).unwrap().n_ops, ops);
    c.form(&format!("{page}/step"), &[("action", "resolve"), ("note", "Two vials from Eastside")]).await;

    // The JSON API: the same request, resolved; a claim on it now is refused with the reason.
    let v = c.get(&format!("/api/v1{base}/{req}")).await.json();
    assert_eq!((v["state"].as_str(), v["history"].as_array().unwrap().len()), (Some("resolved"), 2));
    let r = c
        .json(Method::POST, &format!("/api/v1/networks/{net}/aid-steps"), json!({ "request": req, "action": "claim" }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("already closed"), "{}", r.body);
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/networks/{net}/aid"),
            json!({ "category": "food", "urgency": "normal", "text": "Rice for a week" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let q = c.get(&format!("/api/v1{base}")).await.json();
    assert_eq!((q["queue"]["open"].as_array().unwrap().len(), q["queue"]["closed"].as_array().unwrap().len()), (1, 1));

    // Dee's node reads the history of her own request through her copies.
    let mut sam = f.node.lock().await;
    strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
    let mine = dee.aid_request(&f.network, &req).unwrap();
    assert_eq!((mine.state.as_str(), mine.history.len()), ("resolved", 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_ins_and_cases_in_a_browser() {
    let f = Fixture::new().await;
    let mut dee = setup(&f).await;
    let ui = serve_ui(&f).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{ui}");
    let net = f.network.to_hex();
    b.log_in(&base).await;
    b.goto(&format!("{base}/networks/{net}/aid")).await;
    b.wait_for_text(&["The queue", "Nothing open.", "Check-ins", "No case you can read.", "Ask for help"], 10).await;
    assert_eq!(b.unlabelled_fields().await, json!([]), "every field has a label");
    // Sam starts a round for the crisis team; Dee answers from her node, live on Sam's page.
    b.script("document.querySelector('details:has(#ci-team)').open = true; return null").await;
    b.click("form[action$='/aid/checkins'] button[type=submit]").await;
    b.wait_for_text(&["Round started.", "Are you OK?", "0 of 2 answered: 0 ok, 0 need help, 2 silent"], 10).await;
    b.wait_for_script("return document.documentElement.getAttribute('data-live-stream')", "open", 10).await;
    {
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
        dee.checkin_answer(&f.network, "", "need-help", "Fridge is empty").unwrap();
        strike_node::sync::sync_pair(&mut dee, &mut sam, f.network).unwrap();
    }
    b.wait_for_text(&["1 of 2 answered: 0 ok, 1 need help, 1 silent", "Needs help: dee (Fridge is empty)"], 10).await;
    b.click("form[action$='/aid/checkins/answer'] button[value=ok]").await;
    b.wait_for_text(&["Answered: only the team reads it.", "You answered: ok."], 10).await;
    // A firing case with a deadline ten days out.
    b.script("document.querySelector('details:has(#case-circle)').open = true; return null").await;
    b.script("document.getElementById('case-circle').selectedIndex = Array.from(document.getElementById('case-circle').options).findIndex(o => o.text === 'Legal'); return null").await;
    b.type_into("#case-text", "Kai dismissed after the walkout").await;
    b.type_into("#case-deadline", "10d").await;
    b.click("form[action$='/aid/cases'] button[type=submit]").await;
    b.wait_for_text(&["Case opened.", "firing · Legal", "Kai dismissed after the walkout", " d left"], 10).await;
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    b.close().await;
}
