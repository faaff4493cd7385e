//! Dee's first contact, in headless Chromium: a fresh node serves its first-run page; she
//! chooses a passphrase, brings Sam's invite as a photo of its QR code and picks a pseudonym; her request reaches Sam's
//! node over QUIC by itself; Sam vouches in his own UI; her dashboard turns into the network
//! with its open call without a reload. Screenshots of both pages go to `target/`.

use std::sync::Arc;
use std::time::Duration;

use strike_core::CoarseTime;
use strike_core::calls::{Call, CallKind, Rule, Wave};
use strike_net::PeerAddr;
use strike_node::peer::ServeOptions;
use tokio_util::sync::CancellationToken;

use crate::support::{Fixture, PASSPHRASE};
use crate::webdriver::Driver;

fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// What `openstrike serve` does on a fresh data directory: the first-run page on `listener`,
/// then the full UI on the same address with the browser sent there logged in, and the join
/// rounds in the background.
async fn fresh_node(listener: tokio::net::TcpListener, dir: std::path::PathBuf) {
    let bound = listener.local_addr().unwrap();
    let first =
        strike_api::setup::first_run(listener, dir, &[], strike_node::KdfParams::MINIMUM, CancellationToken::new())
            .await
            .unwrap()
            .expect("set up in the browser");
    let node = Arc::new(tokio::sync::Mutex::new(first.node));
    let listener = loop {
        match tokio::net::TcpListener::bind(bound).await {
            Ok(l) => break l,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let state = strike_api::AppState::new(node.clone(), bound, &[]).await;
    tokio::spawn(strike_api::serve(listener, state.clone(), CancellationToken::new()));
    first.handoff.send(state.login_link(|_| {})).unwrap();
    let secret = node.lock().await.transport_secret();
    let net = strike_net::Net::bind(secret, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    loop {
        let waiting = node.lock().await.waiting_networks().unwrap();
        for id in waiting {
            let _ = strike_node::joiner::join_round(&node, &net, id).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_node_is_set_up_in_the_browser_and_the_network_arrives_without_a_reload() {
    let f = Fixture::new().await;
    let net_hex = f.network.to_hex();
    // Sam's node: an open call, the UI, and QUIC for joiners and members.
    {
        let mut sam = f.node.lock().await;
        let now = CoarseTime::from_unix_seconds(sam.now()).0;
        let call = Call {
            kind: CallKind::Strike,
            title: "One-day strike for heat safety".into(),
            demands: vec!["Cooling on the mezzanine".into()],
            scope: "Dock 4".into(),
            deadline: now + 7 * 24 * 60,
            exempt_roles: vec![],
            waves: vec![Wave { rules: vec![Rule::Count { n: 50 }], starts: now + 8 * 24 * 60 }],
            secret: None,
        };
        sam.create_call(&f.network, call).unwrap();
    }
    let sam_ui = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let bound = listener.local_addr().unwrap();
        let state = strike_api::AppState::new(f.node.clone(), bound, &[]).await;
        tokio::spawn(strike_api::serve(listener, state, CancellationToken::new()));
        bound.port()
    };
    let sam_net = f.node.lock().await.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let sam_addr: PeerAddr = sam_net.addr();
    {
        let (node, net) = (f.node.clone(), sam_net.clone());
        tokio::spawn(
            async move { strike_node::peer::serve(node, &net, ServeOptions::default(), Arc::new(|_| {})).await },
        );
    }
    let link = f.node.lock().await.create_invite(&f.network, 1, None, vec![sam_addr.to_string()]).unwrap().to_string();

    // Dee's fresh node.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dee_ui = listener.local_addr().unwrap().port();
    tokio::spawn(fresh_node(listener, f.tmp.path().join("dee")));

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let b = driver.browser(profile.path()).await;
    b.goto(&format!("http://127.0.0.1:{dee_ui}/")).await;
    b.wait_for_text(&["Welcome to Open Strike", "Choose a passphrase", "Bring your invite", "Pick a pseudonym"], 10)
        .await;
    b.type_into("#passphrase", "short").await;
    b.wait_for_script(
        "return document.getElementById('strength').textContent",
        "Too short: at least 8 characters.",
        10,
    )
    .await;
    b.type_into("#passphrase", "lantern river copper kettle").await;
    b.type_into("#again", "lantern river copper kettle").await;
    b.wait_for_script(
        "return document.getElementById('strength').textContent",
        "Strong: hard to guess, easy to remember.",
        10,
    )
    .await;
    // The invite as a photo of its QR code (here the PNG `invite create --qr` writes): the node
    // reads it and the page fills the link in.
    let png = f.tmp.path().join("invite.png");
    strike_node::qr::write_png(&link, &png).unwrap();
    b.upload("#qr", &png).await;
    b.wait_for_script("return document.getElementById('link').value", &link, 20).await;
    // Pasting it works the same (and without the script).
    b.type_into("#link", &link).await;
    b.type_into("input[name=pseudonym]", "Dee").await;
    b.click("#setup button[type=submit]").await;
    b.wait_for_text(&["Waiting for a vouch", "What happens next", "What the network sees of you now"], 30).await;
    assert!(!b.text().await.contains("One-day strike"), "nothing of the network before the vouch");
    std::fs::create_dir_all(target_dir()).unwrap();
    std::fs::write(target_dir().join("ui-first-run-waiting.png"), b.screenshot().await).unwrap();
    b.script("window.__stayed = 'yes'; return null").await;
    b.wait_for_script("return document.documentElement.getAttribute('data-live-stream')", "open", 10).await;

    // Sam, in his own browser: Dee is waiting on his dashboard; he vouches on the network page.
    let sam_profile = tempfile::tempdir().unwrap();
    let s = driver.browser(sam_profile.path()).await;
    s.goto(&format!("http://127.0.0.1:{sam_ui}/login")).await;
    s.type_into("#passphrase", PASSPHRASE).await;
    s.click("button[type=submit]").await;
    s.wait_for_text(&["Dee is waiting for a vouch."], 30).await;
    s.goto(&format!("http://127.0.0.1:{sam_ui}/networks/{net_hex}")).await;
    s.click("form[action$='/vouch'] button").await;
    s.wait_for_text(&["Dee is admitted."], 10).await;

    // Dee's page, without a reload: the network and its open call.
    b.wait_for_text(&["Dock 4", "One-day strike for heat safety"], 60).await;
    assert_eq!(b.script("return window.__stayed || null").await, "yes", "the page updated in place");
    b.wait_for_text(&["last sync: just now"], 10).await;
    std::fs::write(target_dir().join("ui-first-run-admitted.png"), b.screenshot().await).unwrap();
    s.close().await;
    b.close().await;
}

/// A camera for Chromium's fake capture device: one Y4M frame (640x480, 4:2:0) showing the
/// link's QR code on a grey desk, a little off centre, as a phone held up to a leaflet sees it.
fn camera_frame(link: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let png = dir.join("leaflet.png");
    strike_node::qr::write_png(link, &png).unwrap();
    let code = image::open(&png).unwrap().to_luma8();
    let side = 400;
    let code = image::imageops::resize(&code, side, side, image::imageops::FilterType::Triangle);
    let (w, h) = (640u32, 480u32);
    let mut luma = vec![150u8; (w * h) as usize];
    let (x0, y0) = (140, 50);
    for (x, y, p) in code.enumerate_pixels() {
        // The paper is not quite white, the ink not quite black.
        luma[((y0 + y) * w + x0 + x) as usize] = 30 + (u32::from(p.0[0]) * 190 / 255) as u8;
    }
    let mut y4m = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\nFRAME\n").into_bytes();
    y4m.extend_from_slice(&luma);
    y4m.extend(std::iter::repeat_n(128u8, (w * h / 2) as usize));
    let path = dir.join("camera.y4m");
    std::fs::write(&path, y4m).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_camera_reads_the_invite_off_a_leaflet() {
    let f = Fixture::new().await;
    let link = f.node.lock().await.create_invite(&f.network, 1, None, vec![]).unwrap().to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dee_ui = listener.local_addr().unwrap().port();
    tokio::spawn(fresh_node(listener, f.tmp.path().join("dee")));
    let camera = camera_frame(&link, f.tmp.path());

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let fake_camera = [
        "--use-fake-device-for-media-stream".to_owned(),
        "--use-fake-ui-for-media-stream".to_owned(),
        format!("--use-file-for-fake-video-capture={}", camera.display()),
    ];
    let b = driver.browser_with(profile.path(), &fake_camera).await;
    b.goto(&format!("http://127.0.0.1:{dee_ui}/")).await;
    b.wait_for_text(&["Scan with the camera"], 10).await;
    b.click("#scan").await;
    b.wait_for_script("return document.getElementById('link').value", &link, 30).await;
    let reader = b.script("return document.getElementById('camera').getAttribute('data-reader')").await;
    // Debian's Chromium has no BarcodeDetector: the frames went to the node's decoder.
    assert_eq!(reader, "node");
    b.wait_for_text(&["Invite read", "Scan with the camera"], 10).await;
    assert_eq!(b.script("return document.getElementById('camera').hidden").await, true, "the camera is off again");
    b.close().await;
}
