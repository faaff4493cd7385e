//! The strike fund through the router and in a real browser: an organizer opens the fund,
//! a treasurer records money by form, a member's claim (sealed to the treasurers) is
//! approved by two treasurers and recorded paid; the page shows the weekly chart, runway,
//! the queue and the downloads; bad input changes nothing; the JSON API says the same.

use axum::http::{Method, StatusCode};
use serde_json::json;
use strike_node::Node;
use strike_node::fund::ClaimInput;

use crate::browser::serve_ui;
use crate::pages::{logged_in, text};
use crate::support::Fixture;
use crate::webdriver::Driver;

/// Dee (a member) and, if `bo`, Bo (promoted to organizer, so a treasurer of a fund kept by
/// the organizers) join Sam's network.
async fn people(f: &Fixture, bo: bool) -> (Node, Option<Node>) {
    let dee = f.admit("dee").await;
    if !bo {
        return (dee, None);
    }
    let mut bo = f.admit("bo").await;
    let mut sam = f.node.lock().await;
    let id = bo.network(&f.network).unwrap().my_author.unwrap();
    sam.promote(&f.network, &id).unwrap();
    sam.upkeep(&f.network).unwrap();
    strike_node::sync::sync_pair(&mut sam, &mut bo, f.network).unwrap();
    bo.upkeep(&f.network).unwrap();
    strike_node::sync::sync_pair(&mut bo, &mut sam, f.network).unwrap();
    (dee, Some(bo))
}

#[tokio::test]
async fn two_treasurers_approve_a_sealed_claim_and_the_page_and_api_agree() {
    let f = Fixture::new().await;
    let (mut dee, bo) = people(&f, true).await;
    let mut bo = bo.unwrap();
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let base = format!("/networks/{net}/fund");
    let t = text(&c.get(&base).await.body);
    assert!(t.contains("This network has no fund yet.") && t.contains("Open the fund"), "{t}");
    let r = c.form(&format!("{base}/open"), &[("currency", "EUR"), ("approvals", "2"), ("circle", "")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, base.as_str()));
    let receive = [("amount", "1,250.00"), ("from", "donor"), ("method", "cash"), ("note", "Solidarity concert")];
    c.form(&format!("{base}/receive"), &receive).await;
    // A mistake: a flash says what is wrong, nothing is written.
    let ops = f.node.lock().await.network(&f.network).unwrap().n_ops;
    c.form(&format!("{base}/receive"), &[("amount", "12.345"), ("from", "donor")]).await;
    let t = text(&c.get(&base).await.body);
    assert!(t.contains("has 3 decimals: EUR has 2"), "{t}");
    assert_eq!(f.node.lock().await.network(&f.network).unwrap().n_ops, ops);

    // Dee asks for a hardship grant from her node; only the treasurers read it.
    let claim = {
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
        let input = ClaimInput { amount: "300".into(), hardship: "rent due Friday".into(), ..ClaimInput::default() };
        let claim = dee.fund_claim(&f.network, &input).unwrap();
        strike_node::sync::sync_pair(&mut dee, &mut sam, f.network).unwrap();
        claim.to_hex()
    };
    let t = text(&c.get(&base).await.body);
    for want in ["The fund holds 1,250.00 EUR", "rent due Friday", "300.00", "waiting (0 of 2)", "dee"] {
        assert!(t.contains(want), "{want:?} in {t}");
    }
    c.form(&format!("{base}/answer"), &[("claim", &claim[..16]), ("approve", "true")]).await;
    let r = c.json(Method::POST, &format!("/api/v1{base}/payouts"), json!({ "claim": claim })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "one approval is not enough: {}", r.body);
    assert!(r.body.contains("1 of the 2 approvals"), "{}", r.body);
    {
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut sam, &mut bo, f.network).unwrap();
        bo.fund_answer(&f.network, &claim, true, "").unwrap();
        strike_node::sync::sync_pair(&mut bo, &mut sam, f.network).unwrap();
    }
    c.form(&format!("{base}/pay"), &[("claim", &claim[..16]), ("method", "cash")]).await;
    let t = text(&c.get(&base).await.body);
    assert!(t.contains("Recorded as paid.") && t.contains("paid (2 of 2)"), "{t}");
    assert!(t.contains("The fund holds 950.00 EUR") && t.contains("to 1 recipients"), "{t}");

    let v = c.get(&format!("/api/v1{base}")).await.json();
    assert_eq!((v["fund"]["balance"].as_str(), v["fund"]["recipients"].as_u64()), (Some("950.00"), Some(1)));
    let l = c.get(&format!("/api/v1{base}/ledger")).await.json();
    assert_eq!(l["total_debit"], l["total_credit"]);
    assert!(l["journal"].as_array().unwrap().iter().any(|r| r["party"] == "dee"), "treasurers see who: {l}");
    let csv = c.get(&format!("{base}/ledger.csv")).await;
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(
        csv.body.starts_with("entry,when,account,debit,credit") && csv.body.contains("hardship,300.00"),
        "{}",
        csv.body
    );
    assert!(c.get(&format!("{base}/trial-balance.csv")).await.body.contains("total,1250.00,1250.00"));
    let dash = text(&c.get("/").await.body);
    assert!(dash.contains("950.00 EUR held"), "the fund's dashboard card: {dash}");

    // Dee's node: the same fold; her claim found in the totals; no other name.
    let mut sam = f.node.lock().await;
    strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
    let (mine, theirs) = (dee.fund(&f.network).unwrap().unwrap(), sam.fund(&f.network).unwrap().unwrap());
    assert_eq!(mine.digest, theirs.digest);
    let report = dee.fund_verify(&f.network).unwrap();
    assert!(report.ok && report.mine[0].paid, "{report:?}");
}

#[tokio::test]
async fn the_fund_page_in_a_browser_records_approves_and_pays() {
    let f = Fixture::new().await;
    let (mut dee, _) = people(&f, false).await;
    {
        let mut sam = f.node.lock().await;
        let input = strike_node::fund::FundInput { currency: "EUR".into(), approvals: Some(1), circle: String::new() };
        sam.create_fund(&f.network, &input).unwrap();
        strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
        let claim = ClaimInput { amount: "80.00".into(), hardship: "school shoes".into(), ..ClaimInput::default() };
        dee.fund_claim(&f.network, &claim).unwrap();
        strike_node::sync::sync_pair(&mut dee, &mut sam, f.network).unwrap();
    }
    let ui = serve_ui(&f).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{ui}");
    b.log_in(&base).await;
    b.goto(&format!("{base}/networks/{}/fund", f.network.to_hex())).await;
    b.wait_for_text(&["The fund holds 0.00 EUR", "school shoes", "Ask for strike pay"], 10).await;
    assert_eq!(b.unlabelled_fields().await, json!([]), "every field has a label");
    b.type_into("#rec-amount", "200").await;
    b.click("form[action$='/fund/receive'] button[type=submit]").await;
    b.wait_for_text(&["Recorded.", "The fund holds 200.00 EUR"], 10).await;
    b.click("form[action$='/fund/answer'] button[type=submit]").await;
    b.wait_for_text(&["Approved.", "approved (1 of 1)"], 10).await;
    b.click("form[action$='/fund/pay'] button[type=submit]").await;
    b.wait_for_text(&["Recorded as paid.", "The fund holds 120.00 EUR", "paid (1 of 1)"], 10).await;
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    b.close().await;
}
