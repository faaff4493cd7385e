//! `serve`, `peer add` and `sync` through the binary, on 127.0.0.1.

use std::io::BufRead;

use crate::support::{Child, Home, http_get};

/// Sam founds "Dock 4"; Dee joins by invite and is admitted (bundles carry both ways).
/// Returns them and the network id.
fn sam_and_dee() -> (Home, Home, String) {
    let sam = Home::initialized();
    let net = sam.json(&["network", "create", "--name", "Dock 4"])["network_id"].as_str().unwrap().to_owned();
    let link = sam.json(&["invite", "create", "--network", "Dock 4"])["link"].as_str().unwrap().to_owned();
    let dee = Home::initialized();
    let request = dee.path("req.osb");
    dee.ok(&["join", &link, "--pseudonym", "Dee", "--out", request.to_str().unwrap()]);
    sam.ok(&["bundle", "import", request.to_str().unwrap()]);
    sam.ok(&["vouch", "Dock 4", "Dee"]);
    let back = sam.path("back.osb");
    sam.ok(&["bundle", "export", "--network", &net, "--out", back.to_str().unwrap()]);
    dee.ok(&["bundle", "import", back.to_str().unwrap()]);
    (sam, dee, net)
}

#[test]
fn serve_peer_add_and_sync() {
    let (sam, dee, net) = sam_and_dee();
    sam.ok(&["announce", "Dock 4", "Sent over QUIC"]);

    let mut server = Child(
        sam.cmd(&["--json", "serve", "--listen", "127.0.0.1:0", "--ui-listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = std::io::BufReader::new(server.0.stdout.take().unwrap()).lines();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let addr = first["listening"].as_str().unwrap().to_owned();
    assert!(addr.contains("@127.0.0.1:"), "{addr}");
    // The same process serves the web UI, on loopback.
    let ui = first["ui"].as_str().unwrap();
    let host = ui.trim_start_matches("http://").trim_end_matches('/');
    assert!(host.starts_with("127.0.0.1:"), "{ui}");
    let login = http_get(host, "/login");
    assert!(login.starts_with("HTTP/1.1 200") && login.contains("Passphrase"), "{login}");
    // The one-time login link it printed logs in once, then never again; the next link
    // is printed as the first one is used.
    let link = first["login_link"].as_str().unwrap();
    let path = link.strip_prefix(ui.trim_end_matches('/')).unwrap();
    let opened = http_get(host, path);
    assert!(opened.starts_with("HTTP/1.1 303") && opened.contains("set-cookie: openstrike_session_"), "{opened}");
    assert!(http_get(host, path).starts_with("HTTP/1.1 404"), "used up");
    let next: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let next = next["login_link"].as_str().unwrap();
    assert_ne!(next, link);
    assert!(http_get(host, next.strip_prefix(ui.trim_end_matches('/')).unwrap()).starts_with("HTTP/1.1 303"));

    dee.ok(&["peer", "add", &net, &addr]);
    let synced = dee.json(&["sync", "--network", &net]);
    drop(server);
    let session = &synced["sessions"][0];
    assert_eq!(session["ok"], true, "{synced}");
    assert!(session["ops_received"].as_u64().unwrap() >= 1);
    let texts = dee.json(&["announcements", &net]);
    assert!(texts["announcements"].as_array().unwrap().iter().any(|a| a["text"] == "Sent over QUIC"));
    assert!(dee.json(&["peer", "list"])["peers"][0]["last_sync"].is_u64());
    // A bad address is a usage error.
    assert_eq!(dee.run(&["peer", "add", &net, "nonsense"]).status.code(), Some(2));
}

/// `hub run` on a fresh data directory, `hub grant` by the founder, two members syncing only
/// with the hub, `hub status`.
#[test]
fn members_sync_through_a_hub_run_by_the_binary() {
    let (sam, dee, net) = sam_and_dee();
    sam.ok(&["announce", "Dock 4", "Through the hub"]);

    let hub = Home::new();
    let mut server = Child(
        hub.cmd(&["--json", "hub", "run", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = std::io::BufReader::new(server.0.stdout.take().unwrap()).lines();
    let (addr, http) = loop {
        let line: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        if let Some(addr) = line["hub"].as_str() {
            assert_eq!(line["networks"], 0);
            break (addr.to_owned(), line["http"].as_str().unwrap().to_owned());
        }
    };
    assert!(http.contains("@http://127.0.0.1:"), "{http}");
    // A member who is not the founder cannot grant.
    assert_eq!(dee.run(&["hub", "grant", &net, &addr]).status.code(), Some(5));
    let granted = sam.json(&["hub", "grant", "Dock 4", &addr, "--days", "30"]);
    assert!(granted["grant"].as_str().unwrap().starts_with("openstrike-hub-grant:"));
    let pushed = sam.json(&["sync", "--network", &net]);
    assert_eq!(pushed["sessions"][0]["ok"], true, "{pushed}");
    assert!(pushed["sessions"][0]["ops_sent"].as_u64().unwrap() >= 1);
    // Dee's network blocks UDP: she uses the hub's HTTP address.
    dee.ok(&["peer", "add", &net, &http]);
    let pulled = dee.json(&["sync", "--network", &net]);
    assert_eq!(pulled["sessions"][0]["ok"], true, "{pulled}");
    let texts = dee.json(&["announcements", &net]);
    assert!(texts["announcements"].as_array().unwrap().iter().any(|a| a["text"] == "Through the hub"));
    assert!(dee.json(&["peer", "list"])["peers"][0]["hub"] == true);
    let status = hub.json(&["hub", "status"]);
    drop(server);
    assert_eq!(status["networks"][0]["network_id"], net.as_str());
    assert!(status["networks"][0]["ops"].as_u64().unwrap() >= 4, "{status}");
    // The hub cannot read what it carries.
    assert_eq!(hub.run(&["network", "list"]).status.code(), Some(0));
    assert!(!hub.ok(&["network", "list"]).contains("Dock 4"));
    assert_eq!(hub.run(&["hub", "allow", "openstrike-hub-grant:00"]).status.code(), Some(2));
}
