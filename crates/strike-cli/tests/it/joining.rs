//! `join` over the network through the binary, no bundle carried: to the inviter's `serve`
//! (QUIC, the address `--public-addr` put in the invite), and through a hub's HTTP port.

use std::io::BufRead;
use std::time::{Duration, Instant};

use crate::support::{Child, Home, Wire};

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

/// Sam founds "Dock 4", announces, and runs `serve --public-addr` on a free loopback port.
fn sam_serving() -> (Home, Child, String) {
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
    (sam, server, port)
}

#[test]
fn join_over_quic_reaches_the_inviters_serve_and_waits_for_the_vouch() {
    let (sam, server, port) = sam_serving();
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

/// One HTTP/1.1 request with a byte body and extra header lines; the response as text.
fn request(host: &str, method: &str, path: &str, headers: &str, body: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    response
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
}

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", v.bytes().map(|b| format!("%{b:02X}")).collect::<String>()))
        .collect::<Vec<_>>()
        .join("&")
}

/// Dee never opens a terminal: `serve` on a fresh data directory shows the first-run page,
/// which reads the invite from a photo of its QR code, creates her node, sends the request
/// and logs her in; the dashboard says she waits, and shows the network once Sam vouches.
#[test]
fn first_run_in_the_browser_joins_and_the_dashboard_turns_into_the_network() {
    let (sam, server, _) = sam_serving();
    let qr = sam.path("invite.png");
    let invite =
        sam.json(&["invite", "create", "--network", "Dock 4", "--qr", qr.to_str().unwrap(), "--no-terminal-qr"]);
    let link = invite["link"].as_str().unwrap().to_owned();

    let dee = Home::new();
    let ui_port = free_port().to_string();
    let ui = format!("127.0.0.1:{ui_port}");
    let mut node = Child(
        dee.cmd(&["--json", "serve", "--listen", "127.0.0.1:0", "--ui-listen", &ui, "--interval", "0"])
            .env_remove("OPENSTRIKE_PASSPHRASE")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = std::io::BufReader::new(node.0.stdout.take().unwrap()).lines();
    let first = until(&mut lines, Duration::from_secs(60), |v| v["first_run"].is_string());
    assert_eq!(first["first_run"], format!("http://{ui}/"));
    let page = request(&ui, "GET", "/", "", b"");
    assert!(page.starts_with("HTTP/1.1 200") && page.contains("Choose a passphrase"), "{page}");
    // The photo of the code is read on the node.
    let decoded =
        request(&ui, "POST", "/setup/qr", "Content-Type: application/octet-stream\r\n", &std::fs::read(&qr).unwrap());
    assert!(decoded.contains(&format!("{{\"link\":\"{link}\"}}")), "{decoded}");
    // A web page elsewhere cannot post the form.
    let forged = request(
        &ui,
        "POST",
        "/setup",
        "Origin: http://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\n",
        b"passphrase=x",
    );
    assert!(forged.starts_with("HTTP/1.1 403"), "{forged}");
    let form = "Content-Type: application/x-www-form-urlencoded\r\n";
    let differ = form_body(&[
        ("passphrase", "lantern river copper"),
        ("again", "lantern river cooper"),
        ("link", &link),
        ("pseudonym", "Dee"),
    ]);
    let refused = request(&ui, "POST", "/setup", form, differ.as_bytes());
    assert!(refused.starts_with("HTTP/1.1 400") && refused.contains("The two passphrases differ"), "{refused}");
    assert!(!strike_node::Node::exists(&dee.dir), "nothing created");
    let good = form_body(&[
        ("passphrase", "lantern river copper"),
        ("again", "lantern river copper"),
        ("link", &link),
        ("pseudonym", "Dee"),
    ]);
    let created = request(&ui, "POST", "/setup", form, good.as_bytes());
    assert!(created.starts_with("HTTP/1.1 303"), "{created}");
    let once = header(&created, "location").unwrap().to_owned();
    assert!(once.starts_with("/login/once/"), "{once}");
    let opened = request(&ui, "GET", &once, "", b"");
    assert!(opened.starts_with("HTTP/1.1 303"), "{opened}");
    let cookie = header(&opened, "set-cookie").unwrap().split(';').next().unwrap().to_owned();
    let cookie = format!("Cookie: {cookie}\r\n");
    let waiting = request(&ui, "GET", "/", &cookie, b"");
    assert!(
        waiting.contains("Waiting for a vouch") && waiting.contains("What the network sees of you now"),
        "{waiting}"
    );
    // Sam's dashboard would name her; Sam vouches from his terminal.
    let start = Instant::now();
    while !sam.json(&["member", "list", "Dock 4"])["people"].as_array().unwrap().iter().any(|p| p["pseudonym"] == "Dee")
    {
        assert!(start.elapsed() < Duration::from_secs(60), "Dee's request reached Sam");
        std::thread::sleep(Duration::from_millis(200));
    }
    sam.ok(&["vouch", "Dock 4", "Dee"]);
    let start = Instant::now();
    loop {
        let page = request(&ui, "GET", "/", &cookie, b"");
        if page.contains("Dock 4") && page.contains("Strike vote Friday") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(90), "the network reached Dee's dashboard: {page}");
        std::thread::sleep(Duration::from_millis(500));
    }
    drop(server);
    // The passphrase she chose in the browser opens her node.
    let list =
        |pass: &str| dee.cmd(&["--json", "network", "list"]).env("OPENSTRIKE_PASSPHRASE", pass).output().unwrap();
    let out = list("lantern river copper");
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Dock 4"));

    // What the node holds, a passphrase change and the panic wipe, all in the browser.
    let holdings = request(&ui, "GET", "/node", &cookie, b"");
    assert!(holdings.contains("What this node holds and who can see it") && holdings.contains("Dock 4"), "{holdings}");
    let csrf = holdings.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let change = form_body(&[
        ("csrf", &csrf),
        ("current", "lantern river copper"),
        ("new", "harbor signal tidewater"),
        ("again", "harbor signal tidewater"),
    ]);
    let changed = request(&ui, "POST", "/node/passphrase", &format!("{cookie}{form}"), change.as_bytes());
    assert!(changed.starts_with("HTTP/1.1 303"), "{changed}");
    assert!(request(&ui, "GET", "/node", &cookie, b"").contains("Passphrase changed"));
    assert!(list("harbor signal tidewater").status.success(), "the new passphrase opens the node");
    let not_confirmed = request(
        &ui,
        "POST",
        "/node/wipe",
        &format!("{cookie}{form}"),
        form_body(&[("csrf", &csrf), ("confirm", "yes")]).as_bytes(),
    );
    assert!(not_confirmed.starts_with("HTTP/1.1 303"));
    assert!(list("harbor signal tidewater").status.success(), "nothing wiped without the word");
    let wiped = request(
        &ui,
        "POST",
        "/node/wipe",
        &format!("{cookie}{form}"),
        form_body(&[("csrf", &csrf), ("confirm", "WIPE")]).as_bytes(),
    );
    assert!(wiped.starts_with("HTTP/1.1 200") && wiped.contains("Wiped"), "{wiped}");
    until(&mut lines, Duration::from_secs(60), |v| v["first_run"].is_string());
    let start = Instant::now();
    loop {
        let page = request(&ui, "GET", "/", &cookie, b"");
        if page.contains("Choose a passphrase") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the first-run page is back: {page}");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(node);
    assert!(!list("harbor signal tidewater").status.success(), "the right passphrase opens nothing");
    assert!(!strike_node::Node::exists(&dee.dir));
}

/// `serve --lan` on one host of a wire records its LAN address; the invite carries it with no
/// `--addr`, and a joiner on the other host gets in across the wire.
#[test]
fn a_lan_invite_carries_the_inviters_lan_address_and_a_joiner_across_the_wire_gets_in() {
    let wire = Wire::new("j");
    let sam = Home::initialized();
    sam.ok(&["network", "create", "--name", "Dock 4"]);
    sam.ok(&["announce", "Dock 4", "Across the wire"]);
    let mut server = Child(
        sam.cmd_in(&wire.a, &["--json", "serve", "--listen", "0.0.0.0:7474", "--lan", "--no-ui", "--interval", "0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut served = std::io::BufReader::new(server.0.stdout.take().unwrap()).lines();
    until(&mut served, Duration::from_secs(60), |v| v["listening"].is_string());
    let invite = sam.json(&["invite", "create", "--network", "Dock 4", "--no-terminal-qr"]);
    let link = invite["link"].as_str().unwrap().to_owned();
    assert!(link.contains(&format!("@{}:7474", wire.a_ip)), "the LAN address: {link}");
    assert!(!link.contains("127.0.0.1"), "no loopback address: {link}");

    let dee = Home::initialized();
    let mut joining = Child(
        dee.cmd_in(&wire.b, &["--json", "join", &link, "--pseudonym", "Dee", "--listen", "0.0.0.0:0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut progress = std::io::BufReader::new(joining.0.stdout.take().unwrap()).lines();
    until(&mut progress, Duration::from_secs(60), |v| v["state"] == "waiting");
    sam.ok(&["vouch", "Dock 4", "Dee"]);
    until(&mut progress, Duration::from_secs(90), |v| v["admitted"] == true);
    assert!(joining.0.wait().unwrap().success());
    drop(server);
    let texts = dee.json(&["announcements", "Dock 4"]);
    assert!(texts["announcements"].as_array().unwrap().iter().any(|a| a["text"] == "Across the wire"));
}
