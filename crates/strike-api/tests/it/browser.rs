//! End to end in headless Chromium (Debian's, through chromidriver): a node serving its UI
//! on a random loopback port and syncing over QUIC; log in, open a call, pledge; a second
//! member pledges on her own node and syncs; the dashboard's bar moves and the triggered
//! banner appears without a reload. Then the refusals a browser can provoke: a cross-site
//! form post and a foreign host name pointing at loopback (DNS rebinding).

use std::sync::Arc;

use strike_net::PeerAddr;
use strike_node::peer::{ServeOptions, sync_with};

use crate::support::{Fixture, PASSPHRASE};
use crate::webdriver::{Driver, ENTER};

/// Where the dashboard screenshot goes: the workspace's `target/`.
fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

pub async fn serve_ui(f: &Fixture) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bound = listener.local_addr().unwrap();
    let state = strike_api::AppState::new(f.node.clone(), bound, &[]).await;
    tokio::spawn(strike_api::serve(listener, state, tokio_util::sync::CancellationToken::new()));
    bound.port()
}

/// A page on another origin that posts a form to the UI as soon as it loads.
async fn serve_hostile_page(target: String) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let page = format!(
        "<!doctype html><html><body><form method=post action=\"{target}\">\
         <input name=csrf value=guessed><input name=text value=\"forged announcement\"></form>\
         <script>document.forms[0].submit()</script></body></html>"
    );
    let app = axum::Router::new().route("/", axum::routing::get(move || async move { axum::response::Html(page) }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_open_a_call_and_watch_it_trigger_live() {
    let f = Fixture::new().await;
    let dee = tokio::sync::Mutex::new(f.admit("dee").await);
    let net_hex = f.network.to_hex();
    // Sam's node: the UI, and QUIC sync for Dee's node.
    let ui = serve_ui(&f).await;
    let sam_net = f.node.lock().await.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let sam_addr: PeerAddr = sam_net.addr();
    let serving = {
        let (node, net) = (f.node.clone(), sam_net.clone());
        tokio::spawn(
            async move { strike_node::peer::serve(node, &net, ServeOptions::default(), Arc::new(|_| {})).await },
        )
    };
    let dee_net = dee.lock().await.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    let base = format!("http://127.0.0.1:{ui}");

    // Log in.
    b.goto(&format!("{base}/")).await;
    assert!(b.url().await.ends_with("/login"), "a new browser lands on the login page");
    b.type_into("#passphrase", "not the passphrase").await;
    b.click("button[type=submit]").await;
    b.wait_for_text(&["Wrong passphrase."], 10).await;
    // By keyboard: type the passphrase and press Enter.
    b.type_into("#passphrase", &format!("{PASSPHRASE}{ENTER}")).await;
    b.wait_for_text(&["Dashboard", "Dock 4", "2 members"], 10).await;
    for page in ["", "/directory", "/calls"] {
        b.goto(&format!("{base}/networks/{net_hex}{page}")).await;
        assert_eq!(b.unlabelled_fields().await, serde_json::json!([]), "every field has a label on {page:?}");
    }

    // Open a call that needs two pledges, and pledge.
    b.goto(&format!("{base}/networks/{net_hex}/calls")).await;
    b.type_into("#c-title", "One-day strike for heat safety").await;
    b.type_into("#c-demands", "Cooling on the mezzanine").await;
    b.type_into("#c-count", "2").await;
    b.type_into("#c-deadline", "7d").await;
    b.type_into("#c-starts", "8d").await;
    b.click("form[action$='/calls'] button[type=submit]").await;
    b.wait_for_text(&["The call is open", "at least 2 pledges", "0 of 2 (0%)"], 10).await;
    b.click("form[action$='/pledge'] button").await;
    b.wait_for_text(&["Pledged. 1 pledges counted so far.", "1 of 2 (50%)", "You have pledged."], 10).await;

    // The dashboard, with a marker that a reload would wipe.
    b.goto(&format!("{base}/")).await;
    b.wait_for_text(&["One-day strike for heat safety", "1 of 2 (50%)"], 10).await;
    assert!(!b.text().await.contains("TRIGGERED"));
    b.script("window.__stayed = 'yes'; return null").await;
    // The page's live-update stream is connected before anything changes.
    b.wait_for_script("return document.documentElement.getAttribute('data-live-stream')", "open", 10).await;

    // Dee syncs, sees the call, pledges on her own node, and syncs again.
    sync_with(&dee, &dee_net, &sam_addr, f.network, &mut |_| {}).await.unwrap();
    {
        let mut d = dee.lock().await;
        let calls = d.calls(&f.network).unwrap();
        assert_eq!(calls.len(), 1, "Dee's node got the call by sync");
        d.pledge(&f.network, &calls[0].op, true).unwrap();
    }
    sync_with(&dee, &dee_net, &sam_addr, f.network, &mut |_| {}).await.unwrap();

    // Without a reload: the bar reaches 2 of 2 and the banner says it triggered.
    let text = b.wait_for_text(&["2 of 2 (100%)", "TRIGGERED: One-day strike for heat safety"], 20).await;
    assert!(text.contains("enough have pledged"), "{text}");
    assert_eq!(b.script("return window.__stayed || null").await, "yes", "the page updated in place");
    let banner_role = b.script("return document.querySelector('.banner').getAttribute('role')").await;
    assert_eq!(banner_role, "alert");
    // Dee's sessions with this node count as syncs (two syncs, a session or two each).
    assert!(text.contains("last sync: just now") && !text.contains("opened with this node: 0"), "{text}");
    let png = b.screenshot().await;
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let shot = target_dir().join("ui-dashboard.png");
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    std::fs::write(&shot, &png).unwrap();

    // On a phone-sized screen the dashboard fits the width (tables scroll inside their cards).
    b.resize(390, 844).await;
    let fits = b.script("return document.documentElement.scrollWidth <= window.innerWidth").await;
    assert_eq!(fits, true, "no sideways scrolling at 390 px");
    std::fs::write(target_dir().join("ui-dashboard-phone.png"), b.screenshot().await).unwrap();
    b.resize(1100, 1500).await;

    // The call page shows it too, and the pledge can no longer be withdrawn.
    let call = f.node.lock().await.calls(&f.network).unwrap()[0].op.to_hex();
    b.goto(&format!("{base}/calls/{call}")).await;
    let text = b.wait_for_text(&["TRIGGERED", "Enough have pledged", "Pledges over time"], 10).await;
    assert!(!text.contains("Withdraw my pledge"), "{text}");

    // A page on another origin posts a form to the UI: the browser sends the cookie (same
    // site: the same loopback host), the Origin check refuses it, nothing is written.
    let hostile = serve_hostile_page(format!("{base}/networks/{net_hex}/announce")).await;
    b.goto(&format!("http://127.0.0.1:{hostile}/")).await;
    b.wait_for_text(&["cross-site requests are refused"], 10).await;
    let posted = f.node.lock().await.announcements(&f.network, 50).unwrap();
    assert!(posted.iter().all(|a| a.text != "forged announcement"), "nothing was posted");

    // A foreign name that resolves to loopback (as DNS rebinding makes one) is refused.
    b.goto(&format!("http://rebind.localhost:{ui}/login")).await;
    b.wait_for_text(&["not allowed to reach the UI"], 10).await;

    b.close().await;
    sam_net.close().await;
    dee_net.close().await;
    serving.abort();
}
