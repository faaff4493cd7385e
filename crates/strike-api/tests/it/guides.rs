//! Guides in the browser (headless Chromium): Sam forks a guide from the starter library,
//! reads it rendered, edits it (a script in the text shows as text), finds it by search,
//! and reads the diff between its revisions, with no error in the browser's console. Through
//! the JSON API: Dee's edit is a suggestion she cannot publish herself.

use axum::http::{Method, StatusCode};

use crate::browser::serve_ui;
use crate::support::{Fixture, PASSPHRASE};
use crate::webdriver::Driver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guide_is_forked_read_edited_searched_and_diffed_in_the_browser() {
    let f = Fixture::new().await;
    let net = f.network.to_hex();
    let ui = serve_ui(&f).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{ui}");
    b.goto(&format!("{base}/login")).await;
    b.type_into("#passphrase", PASSPHRASE).await;
    b.click("button[type=submit]").await;
    b.wait_for_text(&["Dashboard"], 10).await;

    b.goto(&format!("{base}/networks/{net}/guides")).await;
    b.wait_for_text(&["The starter library", "Picket safety and rotas", "Stockpiling for a long strike"], 10).await;
    b.click("button[aria-label='Fork Picket safety and rotas']").await;
    b.wait_for_text(&["Forked into this network.", "Stay in pairs."], 10).await;
    // Rendered: headings and lists, not Markdown.
    let h2 = b.script("return document.querySelectorAll('article.guide h2').length").await;
    assert!(h2.as_u64().unwrap() >= 3, "{h2}");
    let guide_url = b.url().await;

    // An edit with a script in it: published (Sam is an organizer), shown as text.
    let text = b.script("return document.getElementById('guide-text').value").await;
    let edited = format!(
        "{}\n\n## At Dock 4\n\nNorth gate from 05:30. <script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">\n",
        text.as_str().unwrap().trim_end()
    );
    b.script(&format!("document.getElementById('guide-text').value = {}; return null", serde_json::json!(edited)))
        .await;
    b.type_into("#guide-note", "Dock 4's gates").await;
    b.click("form[action$='/edit'] button[type=submit]").await;
    b.wait_for_text(&["Edit published.", "At Dock 4", "<script>window.__pwned = 1</script>"], 10).await;
    assert_eq!(b.script("return window.__pwned || null").await, serde_json::Value::Null, "no script ran");
    assert_eq!(b.script("return document.querySelectorAll('article.guide script, article.guide img').length").await, 0);

    // History and a diff.
    b.wait_for_text(&["History", "Dock 4's gates"], 10).await;
    b.click("a[href$='?a=1&b=2']").await;
    b.wait_for_text(&["Changes from revision 1 to 2", "+## At Dock 4"], 10).await;
    b.goto(&format!("{guide_url}?rev=1")).await;
    b.wait_for_text(&["Revision 1, not the current text."], 10).await;
    assert!(!b.text().await.contains("North gate from 05:30"));

    // Search: by word, and the library's other guides.
    b.goto(&format!("{base}/networks/{net}/guides?q=north+gate")).await;
    b.wait_for_text(&["Picket safety and rotas"], 10).await;
    let marked = b.script("return Array.from(document.querySelectorAll('ol.hits mark')).map(m => m.textContent)").await;
    assert!(marked.to_string().to_lowercase().contains("north"), "{marked}");
    b.goto(&format!("{base}/networks/{net}/guides?q=stockp")).await;
    b.wait_for_text(&["Stockpiling for a long strike", "starter library"], 10).await;
    assert_eq!(b.console_errors().await, Vec::<String>::new(), "no errors in the browser's console");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_edit_through_the_api_is_a_suggestion_she_cannot_publish() {
    let f = Fixture::new().await;
    let mut dee = f.admit("dee").await;
    let net = f.network.to_hex();
    {
        let mut sam = f.node.lock().await;
        let guide = sam.new_guide(&f.network, None, "# Gate codes\n\nAsk Sam.\n", None).unwrap();
        let _ = guide;
        strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
    }
    let guide = dee.guides(&f.network).unwrap()[0].op_id.clone();
    // Dee's own node behind her own UI.
    let dee_node = std::sync::Arc::new(tokio::sync::Mutex::new(dee));
    let state = strike_api::AppState::new(dee_node.clone(), crate::support::HOST.parse().unwrap(), &[]).await;
    let mut client = crate::support::Client::for_state(&state);
    client.login_with("dee").await;
    let path = format!("/api/v1/networks/{net}/guides/{guide}");
    let r = client
        .json(
            Method::POST,
            &format!("{path}/revisions"),
            serde_json::json!({ "text": "# Gate codes\n\nAsk Sam or Lea.\n" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let page = client.get(&path).await.json();
    assert_eq!(page["guide"]["text"], "# Gate codes\n\nAsk Sam.\n");
    assert_eq!(page["guide"]["suggestions"], 1);
    assert_eq!(page["guide"]["i_edit"], false);
    let rev = page["guide"]["revisions"][1]["op_id"].as_str().unwrap().to_owned();
    let r =
        client.json(Method::POST, &format!("{path}/reviews"), serde_json::json!({ "rev": rev, "accept": true })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Search through the API.
    let hits = client.get(&format!("/api/v1/networks/{net}/guide-search?q=gate")).await.json();
    assert_eq!(hits["hits"][0]["title"], "Gate codes");
}
