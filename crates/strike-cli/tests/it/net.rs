//! `serve`, `peer add` and `sync` through the binary, on 127.0.0.1.

use std::io::BufRead;

use crate::support::Home;

#[test]
fn serve_peer_add_and_sync() {
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
    sam.ok(&["announce", "Dock 4", "Sent over QUIC"]);

    let mut server =
        sam.cmd(&["--json", "serve", "--listen", "127.0.0.1:0"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufReader::new(server.stdout.take().unwrap()).lines();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let addr = first["listening"].as_str().unwrap().to_owned();
    assert!(addr.contains("@127.0.0.1:"), "{addr}");

    dee.ok(&["peer", "add", &net, &addr]);
    let synced = dee.json(&["sync", "--network", &net]);
    let _ = server.kill();
    let _ = server.wait();
    let session = &synced["sessions"][0];
    assert_eq!(session["ok"], true, "{synced}");
    assert!(session["ops_received"].as_u64().unwrap() >= 1);
    let texts = dee.json(&["announcements", &net]);
    assert!(texts["announcements"].as_array().unwrap().iter().any(|a| a["text"] == "Sent over QUIC"));
    assert!(dee.json(&["peer", "list"])["peers"][0]["last_sync"].is_u64());
    // A bad address is a usage error.
    assert_eq!(dee.run(&["peer", "add", &net, "nonsense"]).status.code(), Some(2));
}
