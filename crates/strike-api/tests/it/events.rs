//! The events area through the router: an organizer sets out a picket by form, members
//! answer and sign up by form and JSON, the pages show each shift's fill and what is short,
//! the dashboard lists what is coming, and bad input or a member's key changes nothing.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::pages::{logged_in, text};
use crate::support::Fixture;

#[tokio::test]
async fn a_picket_set_out_by_form_fills_its_shifts_and_shows_what_is_short() {
    let f = Fixture::new().await;
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let form = [
        ("kind", "picket"),
        ("title", "Strike day picket"),
        ("start", "3d"),
        ("place", "Dock 4 gates"),
        ("note", "Hi-vis and flasks"),
        ("shifts", "North gate, 05:30-09:00, 2\nSouth gate, 05:30-09:00, 1\n"),
    ];
    let r = c.form(&format!("/networks/{net}/events"), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location().to_owned();
    assert!(page.starts_with(&format!("/networks/{net}/events/")), "{page}");
    let t = text(&c.get(&page).await.body);
    assert!(t.contains("Event set out."), "{t}");
    assert!(t.contains("North gate 05:30-09:00: 0 of 2") && t.contains("South gate 05:30-09:00: 0 of 1"), "{t}");

    // Sam signs up for the first shift and answers.
    let r = c.form(&format!("{page}/shifts/1"), &[("joined", "true")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, page.as_str()));
    c.form(&format!("{page}/rsvp"), &[("answer", "going")]).await;
    let t = text(&c.get(&page).await.body);
    assert!(t.contains("You are signed up.") || t.contains("Your answer is recorded."), "{t}");
    assert!(t.contains("North gate 05:30-09:00: 1 of 2"), "{t}");
    assert!(t.contains("1 going"), "{t}");

    // A second member takes the South gate's only place; the list and the dashboard show
    // what is still short.
    let event = page.rsplit('/').next().unwrap().to_owned();
    let mut dee = f.admit("dee").await;
    {
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
        let (n, op) = dee.find_event(&event).unwrap();
        dee.shift_signup(&n, &op, 2, true).unwrap();
        strike_node::sync::sync_pair(&mut dee, &mut sam, f.network).unwrap();
    }
    let t = text(&c.get(&format!("/networks/{net}/events")).await.body);
    assert!(t.contains("Strike day picket"), "{t}");
    assert!(t.contains("North gate 05:30-09:00: 1 of 2"), "the short shift is listed: {t}");
    let t = text(&c.get("/").await.body);
    assert!(t.contains("Strike day picket") && t.contains("North gate 05:30-09:00: 1 of 2"), "dashboard: {t}");

    // JSON: the same fill; the full shift refuses another sign-up with a clear error.
    let v = c.get(&format!("/api/v1/networks/{net}/events/{event}")).await.json();
    let shifts = &v["event"]["shifts"];
    assert_eq!(shifts[0]["fill"], "North gate 05:30-09:00: 1 of 2");
    assert_eq!(shifts[1]["on"].as_array().unwrap().len(), 1);
    assert_eq!(shifts[0]["me"], "on");
    let r = c
        .json(Method::POST, &format!("/api/v1/networks/{net}/events/{event}/shifts/1"), json!({ "joined": false }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = c
        .json(Method::POST, &format!("/api/v1/networks/{net}/events/{event}/shifts/2"), json!({ "joined": true }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("is full (1 of 1)"), "{}", r.body);

    // An organizer calls it off: it leaves the dashboard, and answers are refused.
    let r = c.form(&format!("{page}/cancel"), &[("reason", "the gates are closed")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = text(&c.get(&page).await.body);
    assert!(t.contains("Called off: the gates are closed"), "{t}");
    assert!(!text(&c.get("/").await.body).contains("Strike day picket"));
    let r = c
        .json(Method::POST, &format!("/api/v1/networks/{net}/events/{event}/rsvp"), json!({ "answer": "going" }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn bad_event_input_says_why_keeps_what_was_typed_and_writes_nothing() {
    let f = Fixture::new().await;
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let form =
        [("kind", "picket"), ("title", "Keep this title"), ("start", "3d"), ("shifts", "North gate, 09:00-05:30, 2")];
    let r = c.form(&format!("/networks/{net}/events"), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = text(&r.body);
    assert!(t.contains("ends (") && t.contains("before it starts"), "{t}");
    assert!(r.body.contains("value=\"Keep this title\""));
    assert!(r.body.contains("North gate, 09:00-05:30, 2"), "the shifts as typed");

    let api = format!("/api/v1/networks/{net}/events");
    let bad = [
        json!({ "kind": "picket", "title": "t", "start": "3d", "shifts": [{ "gate": "N", "start": "05:30", "end": "09:00", "needed": 0 }] }),
        json!({ "kind": "rally", "title": "t", "start": "3d" }),
        json!({ "kind": "meeting", "title": "t", "start": "yesterday" }),
        json!({ "kind": "meeting", "title": "t", "start": "3d", "colour": "red" }),
    ];
    for body in bad {
        let r = c.json(Method::POST, &api, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let unknown = "ab".repeat(32);
    let r = c.json(Method::POST, &format!("{api}/{unknown}/rsvp"), json!({ "answer": "going" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = c.json(Method::POST, &format!("{api}/{unknown}/shifts/1"), json!({ "joined": true })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(c.get(&api).await.json()["events"].as_array().unwrap().is_empty(), "nothing was written");
}
