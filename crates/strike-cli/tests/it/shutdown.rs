//! A clean stop: SIGTERM to `serve`, `hub run` and `demo` finishes what is in flight and exits
//! 0, and no operation the node acknowledged (an API write answered 201) is lost.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{ChildStdout, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strike_core::OpId;
use strike_node::Node;

use crate::support::{Child, Home, PASSPHRASE};

/// Sends SIGTERM (as a service manager or `kill` does).
fn terminate(child: &std::process::Child) {
    let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
}

/// Waits for the process to exit, at most `limit`.
fn exits_within(child: &mut std::process::Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "still running {limit:?} after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One HTTP/1.1 request; the status code and body, or None if the server was gone.
fn request(host: &str, method: &str, path: &str, headers: &str, body: &str) -> Option<(u16, String, String)> {
    let mut stream = TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    stream.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    let code = head.split(' ').nth(1)?.parse().ok()?;
    Some((code, head.to_owned(), body.to_owned()))
}

/// The first line the command printed (its JSON summary), and the rest to read on.
fn first_line(child: &mut std::process::Child) -> (serde_json::Value, std::io::Lines<BufReader<ChildStdout>>) {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    (first, lines)
}

#[test]
fn sigterm_to_serve_while_writing_loses_no_acknowledged_op_and_exits_0() {
    let home = Home::initialized();
    let net = home.json(&["network", "create", "--name", "Dock 4"])["network_id"].as_str().unwrap().to_owned();
    let mut server = Child(
        home.cmd(&["--json", "serve", "--listen", "127.0.0.1:0", "--ui-listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (first, rest) = first_line(&mut server.0);
    // Keep reading what it prints so that it never blocks on a full pipe.
    let printed = std::thread::spawn(move || rest.map_while(Result::ok).collect::<Vec<_>>());
    let host = first["ui"].as_str().unwrap().trim_start_matches("http://").trim_end_matches('/').to_owned();

    let login = serde_json::json!({ "passphrase": PASSPHRASE }).to_string();
    let (code, head, body) = request(&host, "POST", "/api/v1/session", "", &login).unwrap();
    assert_eq!(code, 200, "{body}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let csrf = serde_json::from_str::<serde_json::Value>(&body).unwrap()["csrf_token"].as_str().unwrap().to_owned();

    // Two writers post announcements as fast as the node answers; each 201 is an
    // acknowledgement that must survive.
    let acked = Arc::new(Mutex::new(Vec::<OpId>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (acked, stop, host, net) = (acked.clone(), stop.clone(), host.clone(), net.clone());
            let headers = format!("Cookie: {cookie}\r\nx-csrf-token: {csrf}\r\n");
            std::thread::spawn(move || {
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let body = serde_json::json!({ "text": format!("writer {w}, message {i}") }).to_string();
                    let path = format!("/api/v1/networks/{net}/announcements");
                    match request(&host, "POST", &path, &headers, &body) {
                        Some((201, _, body)) => {
                            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                            acked.lock().unwrap().push(v["op_id"].as_str().unwrap().parse().unwrap());
                        }
                        // Refused or cut off while stopping: not acknowledged.
                        Some(_) | None => {
                            if stop.load(Ordering::Relaxed) {
                                break;
                            }
                        }
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < 20 {
        assert!(Instant::now() < deadline, "the writers got no acknowledgements");
        std::thread::sleep(Duration::from_millis(5));
    }
    terminate(&server.0);
    let status = exits_within(&mut server.0, Duration::from_secs(30));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(status.code(), Some(0), "a clean stop exits 0");
    let printed = printed.join().unwrap().join("\n");
    assert!(printed.contains("\"stopping\":\"terminate\""), "{printed}");

    let acked = acked.lock().unwrap().clone();
    let node = Node::open(&home.dir, PASSPHRASE.as_bytes()).unwrap();
    let missing: Vec<_> = acked.iter().filter(|id| !node.store().has_op(id).unwrap()).collect();
    assert!(missing.is_empty(), "{} of {} acknowledged ops lost: {missing:?}", missing.len(), acked.len());
    assert!(node.store().integrity_problems().unwrap().is_empty());
    let id = node.resolve_network("Dock 4").unwrap();
    assert!(node.announcements(&id, u32::MAX).unwrap().len() >= acked.len());
}

#[test]
fn sigterm_to_hub_run_and_demo_exits_0() {
    let hub = Home::new();
    let mut server = Child(
        hub.cmd(&["--json", "hub", "run", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (_, mut lines) = first_line(&mut server.0);
    // It prints its identity, then its addresses once it listens.
    while !lines.next().unwrap().unwrap().contains("\"hub\"") {}
    terminate(&server.0);
    assert_eq!(exits_within(&mut server.0, Duration::from_secs(30)).code(), Some(0));
    assert!(lines.map_while(Result::ok).any(|l| l.contains("\"stopped\":true")));
    // The hub's data directory opens again: nothing was left half-written.
    assert!(hub.json(&["hub", "status"])["networks"].is_array());

    let demo = Home::new();
    let mut server =
        Child(demo.cmd(&["--json", "demo", "--ui-listen", "127.0.0.1:0"]).stdout(Stdio::piped()).spawn().unwrap());
    let (first, rest) = first_line(&mut server.0);
    let printed = std::thread::spawn(move || rest.map_while(Result::ok).collect::<Vec<_>>());
    let host = first["ui"].as_str().unwrap().trim_start_matches("http://").trim_end_matches('/').to_owned();
    assert_eq!(request(&host, "GET", "/login", "", "").map(|r| r.0), Some(200));
    terminate(&server.0);
    assert_eq!(exits_within(&mut server.0, Duration::from_secs(30)).code(), Some(0));
    assert!(printed.join().unwrap().iter().any(|l| l.contains("\"stopped\":true")));
    let again = demo.json(&["demo", "--no-serve"]);
    assert_eq!(again["seeded"], false, "the stopped demo opens again as it was");
}
