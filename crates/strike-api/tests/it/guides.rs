//! Guides in the browser (headless Chromium): Sam forks a guide from the starter library,
//! reads it rendered, edits it (a script in the text shows as text), finds it by search,
//! and reads the diff between its revisions, with no error in the browser's console. Through
//! the JSON API: Dee's edit is a suggestion she cannot publish herself.

use axum::http::{Method, StatusCode};

use crate::browser::serve_ui;
use crate::support::Fixture;
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
    b.log_in(&base).await;

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
    // A change elsewhere refreshes the page live: it stays on revision 1.
    b.wait_for_script("return document.documentElement.getAttribute('data-live-stream')", "open", 10).await;
    let crisis = f.node.lock().await.create_circle(&f.network, "Crisis team", "nights").unwrap();
    b.wait_for_script("return String(document.documentElement.hasAttribute('data-refreshed'))", "true", 10).await;
    let text = b.text().await;
    assert!(text.contains("Revision 1, not the current text.") && !text.contains("North gate from 05:30"));

    // Search: by word, and the library's other guides.
    b.goto(&format!("{base}/networks/{net}/guides?q=north+gate")).await;
    b.wait_for_text(&["Picket safety and rotas"], 10).await;
    let marked = b.script("return Array.from(document.querySelectorAll('ol.hits mark')).map(m => m.textContent)").await;
    assert!(marked.to_string().to_lowercase().contains("north"), "{marked}");
    b.goto(&format!("{base}/networks/{net}/guides?q=stockp")).await;
    b.wait_for_text(&["Stockpiling for a long strike", "starter library"], 10).await;

    // Fork the guide into another network Sam is in: its history goes with it.
    let dock5 = f.node.lock().await.create_network("Dock 5", strike_core::NetworkKind::Workplace).unwrap();
    b.goto(&guide_url).await;
    b.click("button[aria-label='Fork into Dock 5']").await;
    b.wait_for_text(&["Forked into this network.", "North gate from 05:30."], 10).await;
    assert!(b.url().await.contains(&format!("/networks/{}/guides/", dock5.to_hex())));
    b.wait_for_text(&["History", "Dock 4's gates"], 10).await;
    // A new guide whose editors include the crisis team's leads.
    b.goto(&format!("{base}/networks/{net}/guides")).await;
    b.script(&format!("document.getElementById('guide-editors').value = '{}'; return null", crisis.to_hex())).await;
    b.type_into("#guide-title", "Night phone").await;
    b.type_into("#guide-text", "Call the rota number.").await;
    b.click("form[method=post][action$='/guides'] button[type=submit]").await;
    b.wait_for_text(&["Guide saved.", "Organizers and the leads of Crisis team"], 10).await;
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

/// Sam prints an invite leaflet with a guide's opening: the page carries no script, its
/// print layout hides the browser hint, and a screenshot of the printed layout decodes to
/// the invite link. Dee, a member, prints a guide but cannot put an invite on paper.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printed_leaflets_qr_code_decodes_to_its_invite() {
    let f = Fixture::new().await;
    let net = f.network.to_hex();
    let ui = serve_ui(&f).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{ui}");
    b.log_in(&base).await;
    b.goto(&format!("{base}/networks/{net}/guides")).await;
    b.click(&format!("a[href='/networks/{net}/leaflet']")).await;
    b.wait_for_text(&["Print a leaflet", "Put a new invite on it"], 10).await;
    b.script("document.getElementById('leaflet-guide').value = 'library:are-you-in'; return null").await;
    b.click("#leaflet-invite").await;
    b.click("form[action$='/leaflet'] button[type=submit]").await;
    b.wait_for_text(&["Are you in?", "Scan to ask to join", "vouch"], 10).await;
    assert_eq!(b.script("return document.scripts.length").await, 0);
    // The code is drawn at its millimetre size (96 CSS pixels to the inch).
    let width = b.script("return document.querySelector('.qr svg').getBoundingClientRect().width").await;
    let mm = width.as_f64().unwrap() * 25.4 / 96.0;
    assert!((49.0..80.0).contains(&mm), "the code is {mm:.1} mm wide");
    b.emulate_print().await;
    b.resize(900, 1400).await;
    b.wait_for_script("return getComputedStyle(document.querySelector('.hint')).display", "none", 10).await;
    let link = strike_node::qr::decode_link(&b.screenshot().await).expect("the printed code decodes");
    assert!(link.starts_with(&format!("openstrike://join/v1/{net}/")), "{link}");
    let inner = b.script("return document.body.innerHTML").await;
    assert!(!inner.as_str().unwrap().contains(&link), "the link is only in the code, not in the page's text");
    assert_eq!(b.console_errors().await, Vec::<String>::new(), "the leaflet's policy allows its stylesheet");
    b.close().await;

    // Through the JSON API, as Dee.
    let mut dee = f.admit("dee").await;
    {
        let mut sam = f.node.lock().await;
        strike_node::sync::sync_pair(&mut sam, &mut dee, f.network).unwrap();
    }
    let dee_node = std::sync::Arc::new(tokio::sync::Mutex::new(dee));
    let state = strike_api::AppState::new(dee_node.clone(), crate::support::HOST.parse().unwrap(), &[]).await;
    let mut client = crate::support::Client::for_state(&state);
    client.login_with("dee").await;
    let path = format!("/api/v1/networks/{net}/leaflets");
    let r =
        client.json(Method::POST, &path, serde_json::json!({ "guide": "library:picket-safety", "paper": "a4" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let l = r.json();
    assert_eq!((l["paper"].as_str(), l["invite"].as_bool()), (Some("a4"), Some(false)));
    assert!(l["qr_text"].as_str().unwrap().starts_with("Picket safety and rotas"));
    assert!(l["html"].as_str().unwrap().contains("size:A4 portrait"));
    let r = client.json(Method::POST, &path, serde_json::json!({ "invite": true })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r =
        client.json(Method::POST, &path, serde_json::json!({ "paper": "letter", "guide": "library:strike-pay" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}
