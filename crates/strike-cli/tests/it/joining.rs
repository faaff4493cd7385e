//! `join` over the network through the binary, no bundle carried: to the inviter's `serve`
//! (QUIC, the address `--public-addr` put in the invite), and through a hub's HTTP port.

use std::io::BufRead;
use std::time::{Duration, Instant};

use crate::support::{Child, Home};

/// A free UDP port on loopback (the OS picks it; it is released before `serve` binds it).
fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Reads JSON lines until one satisfies `want`, within `deadline`.
fn until(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    deadline: Duration,
    want: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let start = Instant::now();
    for line in lines {
        let line = line.unwrap();
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
        if want(&v) {
            return v;
        }
        assert!(start.elapsed() < deadline, "gave up waiting; last line {line}");
    }
    panic!("the process ended first");
}

#[test]
fn join_over_quic_reaches_the_inviters_serve_and_waits_for_the_vouch() {
    let sam = Home::initialized();
    sam.ok(&["network", "create", "--name", "Dock 4"]);
    sam.ok(&["announce", "Dock 4", "Strike vote Friday"]);
    let port = free_port().to_string();
    let listen = format!("127.0.0.1:{port}");
    let mut server = Child(
        sam.cmd(&["--json", "serve", "--listen", &listen, "--public-addr", &listen, "--no-ui", "--interval", "0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut served = std::io::BufReader::new(server.0.stdout.take().unwrap()).lines();
    until(&mut served, Duration::from_secs(60), |v| v["listening"].is_string());
    // The invite carries the address serve recorded, with no --addr.
    let invite = sam.json(&["invite", "create", "--network", "Dock 4", "--no-terminal-qr"]);
    let link = invite["link"].as_str().unwrap().to_owned();
    assert!(link.contains(&format!("@127.0.0.1:{port}")), "{link}");

    let dee = Home::initialized();
    let mut joining = Child(
        dee.cmd(&["--json", "join", &link, "--pseudonym", "Dee", "--listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut progress = std::io::BufReader::new(joining.0.stdout.take().unwrap()).lines();
    until(&mut progress, Duration::from_secs(60), |v| v["state"] == "waiting");
    assert!(!dee.path("join-request.osb").exists() && !std::path::Path::new("join-request.osb").exists());
    // Sam sees Dee waiting, and vouches from another terminal while serve runs.
    let members = sam.json(&["member", "list", "Dock 4"]);
    assert!(members["people"].as_array().unwrap().iter().any(|p| p["pseudonym"] == "Dee" && p["status"] == "pending"));
    sam.ok(&["vouch", "Dock 4", "Dee"]);
    let admitted = until(&mut progress, Duration::from_secs(90), |v| v["admitted"] == true);
    assert_eq!(admitted["name"], "Dock 4");
    assert!(joining.0.wait().unwrap().success());
    drop(server);
    let texts = dee.json(&["announcements", "Dock 4"]);
    assert!(texts["announcements"].as_array().unwrap().iter().any(|a| a["text"] == "Strike vote Friday"));
}

#[test]
fn join_through_a_hubs_http_port_while_the_inviter_is_offline() {
    let sam = Home::initialized();
    let net = sam.json(&["network", "create", "--name", "Dock 4"])["network_id"].as_str().unwrap().to_owned();
    sam.ok(&["announce", "Dock 4", "Through the hub"]);
    let hub = Home::new();
    let mut server = Child(
        hub.cmd(&["--json", "hub", "run", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = std::io::BufReader::new(server.0.stdout.take().unwrap()).lines();
    let ready = until(&mut lines, Duration::from_secs(60), |v| v["hub"].is_string());
    let (addr, http) = (ready["hub"].as_str().unwrap().to_owned(), ready["http"].as_str().unwrap().to_owned());
    sam.ok(&["hub", "grant", "Dock 4", &addr, "--days", "30"]);
    let link = sam.json(&["invite", "create", "--network", "Dock 4", "--addr", &http, "--no-terminal-qr"])["link"]
        .as_str()
        .unwrap()
        .to_owned();
    // Sam's sync gives the hub the network and the invite's ticket; then Sam is offline.
    assert_eq!(sam.json(&["sync", "--network", &net])["sessions"][0]["ok"], true);
    let dee = Home::initialized();
    let asked = dee.ok(&["--json", "join", &link, "--pseudonym", "Dee", "--no-wait", "--listen", "127.0.0.1:0"]);
    let lines: Vec<serde_json::Value> = asked.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["state"], "waiting", "{asked}");
    assert_eq!(lines.last().unwrap()["waiting"], true, "{asked}");
    // Sam comes back, finds the request at the hub, vouches, syncs the key share out.
    sam.ok(&["sync", "--network", &net]);
    sam.ok(&["vouch", "Dock 4", "Dee"]);
    sam.ok(&["sync", "--network", &net]);
    // Dee's next syncs: the key share, then the network.
    let mut admitted = false;
    for _ in 0..3 {
        let round = dee.json(&["sync", "--network", &net]);
        if round["sessions"].as_array().unwrap().iter().any(|s| s["admitted"] == true) {
            admitted = true;
            break;
        }
    }
    assert!(admitted, "admitted through the hub");
    drop(server);
    let texts = dee.json(&["announcements", "Dock 4"]);
    assert!(texts["announcements"].as_array().unwrap().iter().any(|a| a["text"] == "Through the hub"));
}
