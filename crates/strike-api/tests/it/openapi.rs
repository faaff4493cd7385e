//! The checked-in OpenAPI document and the router describe the same API: every documented
//! operation is routed and answers as documented, and every API route is documented (the
//! areas register their JSON operations only through `routes!`, which documents them; a
//! plain `.route(` in an area's `api()` would not be).

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};

use crate::support::Fixture;

/// (method, path) of every operation in the document, paths with `{net}` / `{call}`.
fn documented() -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(strike_api::api_description()).unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            assert!(op["responses"].is_object(), "{method} {path} has responses");
            assert!(op["summary"].is_string(), "{method} {path} has a summary");
            out.insert((method.to_uppercase(), format!("/api/v1{path}")));
        }
    }
    out
}

/// The body of an area's `pub fn api()`.
fn api_fn(source: &str) -> &str {
    let start = source.find("pub fn api()").expect("every area has an api()");
    let end = source[start..].find("\n}\n").expect("api() ends") + start;
    &source[start..end]
}

#[test]
fn every_api_route_is_documented_and_every_documented_operation_is_answered() {
    // Every area's source, read from disk so that a new area is scanned without a line here.
    let areas_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/areas");
    let mut areas: Vec<(String, String)> = std::fs::read_dir(areas_dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    areas.sort();
    assert!(areas.iter().any(|(n, _)| n == "events"), "the areas are found");
    let mut operations = 0;
    for (name, source) in &areas {
        let source = source.as_str();
        let api = api_fn(source);
        assert!(!api.contains(".route("), "{name}: an API route outside routes! is not documented");
        operations += api.matches("routes!(").count();
        for handler in api.split("routes!(").skip(1).flat_map(|r| r[..r.find(')').unwrap()].split(',')) {
            let handler = handler.trim();
            let at = source.find(&format!("fn {handler}(")).unwrap_or_else(|| panic!("{name}: {handler} is defined"));
            let before = &source[..at];
            let attr = before.rfind("#[utoipa::path(").unwrap_or_else(|| panic!("{name}: {handler} has a path"));
            let doc = before[..attr].trim_end().lines().last().unwrap_or_default();
            assert!(doc.trim_start().starts_with("///"), "{name}: {handler} has a summary (its doc comment)");
        }
    }
    assert!(operations > 20, "the scan found the operations ({operations})");
    assert!(documented().len() >= operations, "every registered operation is in the document");
}

#[tokio::test]
async fn every_documented_operation_answers_as_documented() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let doc: serde_json::Value = serde_json::from_str(strike_api::api_description()).unwrap();
    let net = f.network.to_hex();
    for (method, path) in documented() {
        // Harmless placeholders: the real network, and a call id that does not exist.
        let concrete = path
            .replace("{net}", &net)
            .replace("{call}", &"ab".repeat(32))
            .replace("{event}", &"ab".repeat(32))
            .replace("{shift}", "1");
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let r = if m == Method::GET {
            c.get(&concrete).await
        } else {
            c.json(m.clone(), &concrete, serde_json::json!({})).await
        };
        assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let not_routed = r.status == StatusCode::NOT_FOUND && r.body.contains("no such endpoint");
        assert!(!not_routed, "{method} {path} is not routed");
        let op = &doc["paths"][path.trim_start_matches("/api/v1")][method.to_lowercase()];
        let code = r.status.as_u16().to_string();
        assert!(
            op["responses"][&code].is_object(),
            "{method} {path} answered {code}, which the document does not list: {}",
            r.body
        );
        if method == "DELETE" && path.ends_with("/session") {
            c.login().await;
        }
    }
}

/// A body each operation accepts, so that only the unknown id can be what is wrong.
fn valid_body(method: &str, path: &str) -> serde_json::Value {
    use serde_json::json;
    let tail = path.rsplit('/').next().unwrap_or_default();
    match (method, tail) {
        ("POST", "vouches" | "removals") => json!({ "member": "Lee" }),
        ("POST", "invites") => json!({ "uses": 1, "days": 7 }),
        ("POST", "announcements") => json!({ "text": "Meeting at six" }),
        ("POST", "profile") => json!({ "shift": "night" }),
        ("POST", "skills") => json!({ "skill": "car" }),
        ("POST", "cover") => json!({ "kind": "ride", "when": "mon 06:00-09:00" }),
        ("POST", "search") => json!({ "kind": "ride" }),
        ("POST", "contacts") => json!({ "name": "Priya" }),
        ("POST", "assessments") => json!({ "contact": "abcdef", "level": 3 }),
        ("POST", "notes") => json!({ "contact": "abcdef", "text": "Talked" }),
        ("POST", "calls") => crate::support::call_spec("Heat", 5),
        ("POST", "history") => json!({ "mode": "since_admission" }),
        ("POST", "events") => {
            json!({ "kind": "picket", "title": "Gate", "start": "2d", "shifts": [{ "gate": "North", "start": "05:30", "end": "09:00", "needed": 2 }] })
        }
        ("POST", "rsvp") => json!({ "answer": "going" }),
        ("POST", "{shift}") => json!({ "joined": true }),
        ("POST", "campaign") => json!({ "title": "Contract", "phases": [{ "name": "Strike", "starts": "30d" }] }),
        ("POST", "guides" | "revisions") => json!({ "text": "# Gate codes\n\nAsk Sam." }),
        ("POST", "guide-forks") => json!({ "from": "library", "guide": "picket-safety" }),
        ("POST", "reviews") => json!({ "rev": "1", "accept": true }),
        ("POST", "leaflets") => json!({ "guide": "library:picket-safety" }),
        ("POST", "specs") => json!({ "name": "Rice", "unit": "kg" }),
        ("POST", "stock") => json!({ "action": "receive", "spec": "Rice", "qty": "5", "place": "Basement" }),
        ("POST", "minimum") => json!({ "spec": "Rice", "qty": "5" }),
        ("POST", "requests" | "offers") => json!({ "spec": "Rice", "qty": "5" }),
        ("POST", "handovers") => json!({ "commitment": "abcdef" }),
        ("POST", "close") => json!({ "id": "abcdef" }),
        ("POST", "distances") => json!({ "a": "Basement", "b": "Depot", "distance": 2 }),
        ("POST", "fund") => json!({ "currency": "EUR" }),
        ("POST", "contributions") => json!({ "amount": "20.00", "monthly": true }),
        ("POST", "receipts") => json!({ "amount": "50.00", "from": "donor" }),
        ("POST", "transfers") => json!({ "amount": "5.00", "to": "bank" }),
        ("POST", "rules") => json!({ "call": "abcdef", "per_day": "60.00" }),
        ("POST", "claims") => json!({ "amount": "40.00", "hardship": "rent" }),
        ("POST", "answers") => json!({ "claim": "abcdef", "approve": true }),
        ("POST", "payouts") => json!({ "claim": "abcdef" }),
        ("POST", "aid") => json!({ "category": "food", "text": "Rice for a week" }),
        ("POST", "aid-steps") => json!({ "request": "abcdef", "action": "claim" }),
        ("POST", "aid-targets") => json!({ "critical": "1h" }),
        ("POST", "checkins") => json!({ "team": "Crisis team", "question": "Are you OK?" }),
        ("POST", "checkin-answers") => json!({ "status": "ok" }),
        ("POST", "cases") => json!({ "circle": "Legal", "kind": "firing", "text": "Fired" }),
        ("POST", "case-steps") => json!({ "case": "abcdef", "action": "note", "note": "Called Ruth" }),
        ("POST", "proposals") => json!({ "title": "Accept?", "method": "yes-no", "closes": "3d" }),
        ("POST", "ballots") => json!({ "position": "yes" }),
        ("POST", "proposal-closes") => json!({ "proposal": "ab".repeat(32) }),
        ("POST", "concessions") => json!({ "from": "employer", "text": "3%" }),
        ("POST", "concession-votes") => json!({ "closes": "2d" }),
        ("POST", "outcome") => json!({ "outcome": "won" }),
        ("POST", "threads") => json!({ "title": "Is 3% enough?" }),
        ("POST", "replies") => json!({ "thread": "abcdef", "text": "No" }),
        ("POST", "thread-locks") => json!({ "thread": "abcdef", "locked": true }),
        _ => json!({}),
    }
}

#[tokio::test]
async fn every_documented_operation_answers_404_for_an_unknown_id() {
    let f = Fixture::new().await;
    let mut c = f.client();
    c.login().await;
    let doc: serde_json::Value = serde_json::from_str(strike_api::api_description()).unwrap();
    let mut checked = 0;
    for (method, path) in documented().into_iter().filter(|(_, p)| p.contains("{net}") || p.contains("{call}")) {
        let op = &doc["paths"][path.trim_start_matches("/api/v1")][method.to_lowercase()];
        for unknown in ["ab".repeat(32), "not-an-id".to_owned(), "00".repeat(31)] {
            let concrete = path.replace("{net}", &unknown).replace("{call}", &unknown).replace("{event}", &unknown);
            let concrete =
                concrete.replace("{guide}", &unknown).replace("{request}", &unknown).replace("{proposal}", &unknown);
            let concrete = concrete.replace("{shift}", "1");
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let r = if m == Method::GET {
                c.get(&concrete).await
            } else {
                c.json(m.clone(), &concrete, valid_body(&method, &path)).await
            };
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path} with the id {unknown:?}: {}", r.body);
            assert_eq!(r.json()["error"]["code"], "not_found", "{method} {path}");
            assert!(op["responses"]["404"].is_object(), "{method} {path} documents its 404");
            checked += 1;
        }
    }
    assert!(checked >= 3 * 20, "{checked} checks");
    assert!(f.node.lock().await.announcements(&f.network, 10).unwrap().is_empty(), "nothing was written anywhere");
}
