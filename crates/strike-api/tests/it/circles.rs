//! Circles in the browser (headless Chromium): Sam maps a contact, opens a crisis team, adds
//! Dee and writes to it; every form that writes into a circle, and every part of a page that
//! shows circle content, says who can read it. Through the JSON API: a member outside the
//! organizers' circle is told no when she writes a note, and reads no contact's name.

use axum::http::{Method, StatusCode};

use crate::browser::serve_ui;
use crate::support::Fixture;
use crate::webdriver::Driver;

/// Every form on the page that writes into a circle, with the label beside its button (or
/// `null` where there is none).
const LABELS: &str = "return Array.from(document.querySelectorAll('form'))
    .filter(f => /\\/contacts(\\/assess|\\/note|\\/reissue)?$|\\/circles\\/[^/]+\\/posts$/.test(f.getAttribute('action')))
    .map(f => [f.getAttribute('action').replace(/^.*\\/networks\\/[0-9a-f]+/, '').replace(/\\/circles\\/[0-9a-f]+/, ''),
               (f.querySelector('[data-visible-to]') || {}).textContent || null])";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_writing_into_a_circle_says_who_reads_it() {
    let f = Fixture::new().await;
    let dee = f.admit("dee").await;
    let dee_id = dee.network(&f.network).unwrap().my_author.unwrap().to_hex();
    let net = f.network.to_hex();
    let ui = serve_ui(&f).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{ui}");
    b.log_in(&base).await;

    // The directory: a contact mapped, then assessed, each form labelled.
    b.goto(&format!("{base}/networks/{net}/directory")).await;
    b.type_into("#c-name", "Greta").await;
    b.type_into("#c-department", "Loading").await;
    b.click("form[action$='/contacts'] button[type=submit]").await;
    b.wait_for_text(&["Greta is on the map."], 10).await;
    let labels = b.script(LABELS).await;
    assert_eq!(
        labels,
        serde_json::json!([
            ["/contacts", "visible to: Organizers (1)"],
            ["/contacts/assess", "visible to: Organizers (1)"],
            ["/contacts/note", "visible to: Organizers (1)"]
        ]),
        "every contact form says who reads it"
    );
    let shown = b.script("return Array.from(document.querySelectorAll('#contacts-h ~ * [data-visible-to], #contacts-h ~ [data-visible-to], .card [data-visible-to]')).length").await;
    assert!(shown.as_u64().unwrap() >= 4, "the contacts and the map say so too: {shown}");

    // A crisis team: opened, Dee added, a post written.
    b.goto(&format!("{base}/networks/{net}/circles")).await;
    b.wait_for_text(&["Organizers", "every organizer"], 10).await;
    b.type_into("#circle-name", "Crisis team").await;
    b.type_into("#circle-purpose", "Arrests and evictions").await;
    b.click("form[action$='/circles'] button[type=submit]").await;
    b.wait_for_text(&["Circle opened.", "Crisis team (1)"], 10).await;
    b.script(&format!("document.querySelector('#m-member').value = '{dee_id}'; return null")).await;
    b.click("form[action$='/members'] button[type=submit]").await;
    b.wait_for_text(&["Added:", "Crisis team (2)"], 10).await;
    b.type_into("#post-text", "Night phone: Ivy").await;
    b.click("form[action$='/posts'] button[type=submit]").await;
    let text = b.wait_for_text(&["Posted to the circle.", "Night phone: Ivy"], 10).await;
    assert!(text.contains("Posts visible to: Crisis team (2)"), "the posts say who reads them: {text}");
    let labels = b.script(LABELS).await;
    assert_eq!(labels, serde_json::json!([["/posts", "visible to: Crisis team (2)"]]));
    assert_eq!(b.unlabelled_fields().await, serde_json::json!([]), "every field has a label");
    b.close().await;
}

#[tokio::test]
async fn a_member_outside_the_organizers_circle_reads_counts_only() {
    let f = Fixture::new().await;
    let mut dee = f.admit("dee").await;
    {
        let mut sam = f.node.lock().await;
        let c = sam
            .add_contact(
                &f.network,
                strike_core::contacts::Contact {
                    name: "Greta".into(),
                    workplace: String::new(),
                    department: "Loading".into(),
                    shift: "night".into(),
                    role: String::new(),
                },
            )
            .unwrap();
        sam.assess(&f.network, &c, 1, "Close to the shift manager").unwrap();
        strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
    }
    // Dee's own node behind her own UI.
    let dee_node = std::sync::Arc::new(tokio::sync::Mutex::new(dee));
    let state = strike_api::AppState::new(dee_node.clone(), crate::support::HOST.parse().unwrap(), &[]).await;
    let mut client = crate::support::Client::for_state(&state);
    client.login_with("dee").await;
    let d = client.get(&format!("/api/v1/networks/{}/directory", f.network.to_hex())).await;
    assert_eq!(d.status, StatusCode::OK);
    let body = d.body.clone();
    assert!(!body.contains("Greta") && !body.contains("shift manager"), "{body}");
    assert_eq!(d.json()["map"]["full"], false);
    let note = client
        .json(
            Method::POST,
            &format!("/api/v1/networks/{}/notes", f.network.to_hex()),
            serde_json::json!({ "contact": d.json()["contacts"][0]["full_id"], "text": "x" }),
        )
        .await;
    assert_eq!(note.status, StatusCode::FORBIDDEN, "{}", note.body);
    let page = client.get(&format!("/networks/{}/directory", f.network.to_hex())).await;
    assert!(
        page.body.contains("kept in the organizers&#39; circle")
            || page.body.contains("kept in the organizers' circle"),
        "{}",
        page.body
    );
    assert!(page.body.contains("1 contacts"), "the map counts her");
}
