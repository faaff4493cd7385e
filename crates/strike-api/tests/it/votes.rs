//! Votes in a real browser and through the JSON API: Sam proposes a ranked vote by form, the
//! ballot form for its method says ballots are signed, Sam ranks, Dee votes from her node, the
//! organizer closes it once its time has passed and the page shows the rounds and the outcome;
//! the dashboard lists the open vote; the JSON API says the same.

use axum::http::{Method, StatusCode};
use serde_json::json;
use strike_node::votes::VoteInput;

use crate::browser::serve_ui;
use crate::support::Fixture;
use crate::webdriver::Driver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ranked_vote_is_proposed_voted_and_closed_in_the_browser() {
    let f = Fixture::new().await;
    let mut dee = f.admit("dee").await;
    let ui = serve_ui(&f).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{ui}");
    let net = f.network.to_hex();
    b.log_in(&base).await;
    b.goto(&format!("{base}/networks/{net}/votes")).await;
    b.wait_for_text(&["No proposal yet.", "Propose"], 10).await;
    assert_eq!(b.unlabelled_fields().await, json!([]), "every field has a label");
    b.type_into("#p-title", "Where do we picket first?").await;
    b.script("document.getElementById('p-method').value = 'ranked'; return null").await;
    b.script("document.getElementById('p-options').value = 'North gate\\nSouth gate\\nDepot'; return null").await;
    b.click("form[action$='/votes/propose'] button[type=submit]").await;
    b.wait_for_text(&["Proposed.", "Where do we picket first?", "Ballots are signed", "0 of 2 voted"], 10).await;
    assert_eq!(b.unlabelled_fields().await, json!([]), "the ballot form's fields have labels");
    let url = b.url().await;
    let proposal = url.rsplit('/').next().unwrap().to_owned();
    b.script("document.getElementById('rank-0').value = 'Depot'; document.getElementById('rank-1').value = 'North gate'; return null").await;
    b.click("form[action$='/ballot'] button[type=submit]").await;
    b.wait_for_text(&["Voted.", "Your ballot now: Depot > North gate", "1 of 2 voted"], 10).await;
    // A discussion above the ballot: a thread and a reply, in order.
    b.script("document.querySelector('details:has(#thread-title)').open = true; return null").await;
    b.type_into("#thread-title", "Depot or the gates?").await;
    b.click("form[action$='/threads'] button[type=submit]").await;
    b.wait_for_text(&["Thread started.", "Depot or the gates?"], 10).await;
    b.type_into("input[id^='reply-']", "The depot: the lorries load there").await;
    b.click("form[action$='/threads/reply'] button[type=submit]").await;
    b.wait_for_text(&["Replied.", "The depot: the lorries load there"], 10).await;
    assert_eq!(b.unlabelled_fields().await, json!([]), "the discussion's fields have labels");
    let dash = {
        b.goto(&format!("{base}/")).await;
        b.wait_for_text(&["Open votes", "Where do we picket first?"], 10).await
    };
    assert!(dash.contains("1 of 2 voted"), "{dash}");

    // Dee votes from her node; three days on, Sam closes the vote.
    {
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
        let op = proposal.parse().unwrap();
        let vote = VoteInput { rank: vec!["Depot".into(), "South gate".into()], ..VoteInput::default() };
        dee.vote(&f.network, &op, &vote).unwrap();
        strike_node::sync::sync_pair(&mut dee, &mut sam, f.network).unwrap();
        sam.set_clock_offset(4 * 24 * 3600);
    }
    b.goto(&url).await;
    b.wait_for_text(&["waiting for an organizer's node to seal the count", "Close the vote now"], 10).await;
    b.click("form[action$='/close'] button[type=submit]").await;
    // Two ballots: the quorum of a ranked count is 2 / 2 + 1 = 2, which Depot has at once.
    b.wait_for_text(&["The vote is closed.", "closed", "Outcome: elected: Depot"], 10).await;
    let rounds = b.script("return document.querySelectorAll('ol.rounds li').length").await;
    assert!(rounds.as_u64().unwrap() >= 1, "{rounds}");
    assert_eq!(b.console_errors().await, Vec::<String>::new());
    b.close().await;

    // The JSON API: the same outcome; a ballot now is refused.
    let mut c = f.client();
    c.login().await;
    let v = c.get(&format!("/api/v1/networks/{net}/proposals/{proposal}")).await.json();
    assert_eq!(
        (v["state"].as_str(), v["outcome"].as_str(), v["voted"].as_u64()),
        (Some("closed"), Some("elected: Depot"), Some(2))
    );
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/networks/{net}/proposals/{proposal}/ballots"),
            json!({ "rank": ["Depot"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("closed"), "{}", r.body);
}

/// An offer on a call, recorded and put to the members by form: the call's page shows the offer,
/// its vote as it stands, and the outcome; the JSON API says the same.
#[tokio::test]
async fn the_call_page_shows_an_offer_its_vote_and_the_outcome() {
    use strike_core::calls::{Call, CallKind, Rule, Wave};
    let f = Fixture::new().await;
    let call = {
        let mut sam = f.node.lock().await;
        let now = strike_core::CoarseTime::from_unix_seconds(sam.now()).0;
        let call = Call {
            kind: CallKind::Strike,
            title: "One-day strike for heat safety".into(),
            demands: vec![],
            scope: String::new(),
            deadline: now + 7 * 24 * 60,
            exempt_roles: vec![],
            waves: vec![Wave { rules: vec![Rule::Count { n: 50 }], starts: now + 8 * 24 * 60 }],
            secret: None,
        };
        sam.create_call(&f.network, call).unwrap().to_hex()
    };
    let c = crate::pages::logged_in(&f).await;
    let page = format!("/calls/{call}");
    let r = c.form(&format!("{page}/concessions"), &[("from", "employer"), ("text", "3% now, no heat plan")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, page.as_str()));
    c.form(&format!("{page}/concession-votes"), &[("closes", "2d"), ("quorum", "50%")]).await;
    let t = crate::pages::text(&c.get(&page).await.body);
    assert!(t.contains("The offer is put to the members.") && t.contains("Offer from employer"), "{t}");
    assert!(t.contains("0 no, 0 yes so far"), "{t}");
    let proposal = {
        let sam = f.node.lock().await;
        sam.proposals(&f.network).unwrap()[0].id.clone()
    };
    c.form(&format!("/networks/{}/votes/{proposal}/ballot", f.network.to_hex()), &[("position", "no")]).await;
    c.form(&format!("{page}/outcome"), &[("outcome", "partial"), ("text", "Cooling on the mezzanine")]).await;
    let t = crate::pages::text(&c.get(&page).await.body);
    assert!(t.contains("1 no, 0 yes so far") && t.contains("Outcome: partial"), "{t}");
    let v = c.get(&format!("/api/v1/calls/{call}")).await.json();
    assert_eq!(v["record"]["concessions"][0]["vote"].as_str(), Some(proposal.as_str()));
    assert_eq!(v["record"]["outcome"]["outcome"], "partial");
}
