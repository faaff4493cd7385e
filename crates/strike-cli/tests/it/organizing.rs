//! Issue 3's flows through the binary: an invite as a link and a scannable QR code, joining
//! without seeing anything, vouching, a call with rules, pledges and the trigger.

use crate::support::Home;

fn decode_qr(path: &std::path::Path) -> String {
    let image = image::open(path).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

#[test]
fn invite_qr_join_vouch_call_pledge_trigger() {
    let sam = Home::initialized();
    let net = sam.json(&["network", "create", "--name", "Dock 4"])["network_id"].as_str().unwrap().to_owned();
    sam.ok(&["announce", "Dock 4", "Are you in?"]);
    let qr = sam.path("invite.png");
    let invite = sam.json(&[
        "invite",
        "create",
        "--network",
        "Dock 4",
        "--uses",
        "5",
        "--expires",
        "7d",
        "--addr",
        "127.0.0.1:7000",
        "--qr",
        qr.to_str().unwrap(),
    ]);
    let link = invite["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with("openstrike://join/v1/") && link.ends_with("?a=127.0.0.1:7000"));
    assert_eq!(decode_qr(&qr), link, "the QR code decodes back to the invite link");

    // Dee joins: the request goes to Sam as a bundle only members (invite holders) open.
    let dee = Home::initialized();
    let request = dee.path("join-request.osb");
    let joined = dee.json(&["join", &link, "--pseudonym", "Dee", "--out", request.to_str().unwrap()]);
    assert_eq!(joined["network_id"], net.as_str());
    assert_eq!(dee.json(&["member", "list", &net])["people"].as_array().unwrap().len(), 0, "sees nothing");
    let refused = dee.run(&["announcements", &net]);
    assert!(refused.status.success());
    assert!(dee.json(&["announcements", &net])["announcements"].as_array().unwrap().is_empty());

    sam.ok(&["bundle", "import", request.to_str().unwrap()]);
    let people = sam.json(&["member", "list", "Dock 4"]);
    assert_eq!(people["people"][1]["status"], "pending");
    assert_eq!(people["people"][1]["pseudonym"], "Dee");
    let vouched = sam.json(&["vouch", "Dock 4", "Dee"]);
    assert_eq!(vouched["admitted"], true);
    let back = sam.path("to-dee.osb");
    sam.ok(&["bundle", "export", "--network", &net, "--out", back.to_str().unwrap()]);
    dee.ok(&["bundle", "import", back.to_str().unwrap()]);
    assert_eq!(dee.json(&["announcements", &net])["announcements"][0]["text"], "Are you in?");

    // Profiles, skills, cover; a contact and an assessment; the map.
    sam.ok(&["profile", "set", "Dock 4", "--department", "packing", "--shift", "night", "--role", "picker"]);
    dee.ok(&["profile", "set", &net, "--department", "picking", "--shift", "night", "--role", "picker"]);
    dee.ok(&["skill", "add", &net, "car"]);
    dee.ok(&["cover", "offer", &net, "--kind", "ride", "--when", "mon-fri 22:00-06:00", "--where", "North"]);
    sam.ok(&["contact", "add", "Dock 4", "--name", "Lee", "--department", "picking", "--shift", "day"]);
    sam.ok(&["assess", "Dock 4", "Lee", "4", "--note", "angry about the heat"]);
    let map = sam.json(&["map", "Dock 4"]);
    assert_eq!(map["map"]["departments"], serde_json::json!(["packing", "picking"]));
    assert_eq!(map["map"]["shifts"], serde_json::json!(["day", "night"]));
    assert_eq!(map["map"]["cells"][1][0]["by_support"][3], 1, "Lee: picking, day, support 4");
    assert_eq!(map["map"]["cells"][1][1]["members"], 0, "Dee's profile has not reached Sam yet");
    let to_sam = dee.path("to-sam.osb");
    dee.ok(&["bundle", "export", "--network", &net, "--out", to_sam.to_str().unwrap()]);
    sam.ok(&["bundle", "import", to_sam.to_str().unwrap()]);
    let rides =
        sam.json(&["cover", "find", "Dock 4", "--kind", "ride", "--when", "tue 23:00-01:00", "--where", "north"]);
    assert_eq!(rides["matches"][0]["who"], "Dee");
    let none = sam.json(&["cover", "find", "Dock 4", "--kind", "ride", "--when", "sat 12:00-13:00"]);
    assert!(none["matches"].as_array().unwrap().is_empty());

    // A crisis team with Dee in it; the contact stays with the organizers.
    let crisis = sam.json(&["circle", "create", "Dock 4", "--name", "Crisis team", "--purpose", "Arrests"]);
    assert_eq!(crisis["circle"].as_str().unwrap().len(), 64);
    sam.ok(&["circle", "add", "Dock 4", "Crisis team", "Dee"]);
    let posted = sam.json(&["circle", "post", "Dock 4", "crisis team", "Lawyer: Ruth, Mill Lane"]);
    assert_eq!(posted["visible_to"], "visible to: Crisis team (2)");
    let to_dee = sam.path("to-dee-2.osb");
    sam.ok(&["bundle", "export", "--network", &net, "--out", to_dee.to_str().unwrap()]);
    dee.ok(&["bundle", "import", to_dee.to_str().unwrap()]);
    let shown = dee.json(&["circle", "show", &net, "Crisis team"]);
    assert_eq!(shown["posts"][0]["text"], "Lawyer: Ruth, Mill Lane");
    let circles = dee.json(&["circle", "list", &net])["circles"].clone();
    assert_eq!(circles[0]["name"], "Organizers");
    assert_eq!((circles[0]["i_am_in"].as_bool(), circles[1]["i_am_in"].as_bool()), (Some(false), Some(true)));
    let contacts = dee.json(&["contact", "list", &net]);
    assert_eq!(contacts["contacts"][0]["name"], "", "Lee's name is in the organizers' circle");
    let map = dee.json(&["map", &net]);
    assert_eq!((map["map"]["full"].as_bool(), map["map"]["cells"][1][0]["contacts"].as_u64()), (Some(false), Some(1)));
    assert_eq!(map["map"]["cells"][1][0]["by_support"], serde_json::json!([0, 0, 0, 0, 0]));
    let (sam_hash, dee_hash) =
        (sam.json(&["network", "state-hash", "Dock 4"]), dee.json(&["network", "state-hash", &net]));
    assert_eq!(sam_hash["state_hash"], dee_hash["state_hash"]);
    assert_eq!(
        sam_hash["circles"].as_array().unwrap().len(),
        2,
        "Sam is in the organizers' circle and the crisis team"
    );
    assert_eq!(dee_hash["circles"].as_array().unwrap().len(), 1);
    assert_eq!(dee_hash["circles"][0]["hash"], sam_hash["circles"][1]["hash"], "{sam_hash} {dee_hash}");
    assert!(dee.ok(&["network", "state-hash", &net]).contains("circle Crisis team: "));
    let refused = dee.run(&["contact", "note", &net, contacts["contacts"][0]["id"].as_str().unwrap(), "hi"]);
    assert!(!refused.status.success(), "members write no notes");

    // A call: 2 pledges and 60% of the mapped workforce (Sam, Dee, Lee = 3).
    let call = sam.json(&[
        "call",
        "create",
        "Dock 4",
        "--kind",
        "strike",
        "--title",
        "One-day strike",
        "--demand",
        "Heat in packing",
        "--threshold-count",
        "2",
        "--threshold-share",
        "60%",
        "--min-per",
        "department=1",
        "--deadline",
        "3w",
        "--starts",
        "22d",
        "--exempt-role",
        "nurse",
    ])["call_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = sam.json(&["call", "show", &call[..10]]);
    assert_eq!((shown["status"].as_str(), shown["tally"]["workforce"].as_u64()), (Some("open"), Some(3)));
    sam.ok(&["pledge", &call[..10]]);
    sam.ok(&["pledge", "withdraw", &call[..10]]);
    sam.ok(&["pledge", &call[..10]]);
    let again = sam.run(&["pledge", &call[..10]]);
    assert_eq!(again.status.code(), Some(2), "pledging twice is refused as bad input");
    let out = sam.path("call.osb");
    sam.ok(&["bundle", "export", "--network", &net, "--out", out.to_str().unwrap()]);
    dee.ok(&["bundle", "import", out.to_str().unwrap()]);
    let pledged = dee.json(&["pledge", &call[..10]]);
    assert_eq!(pledged["status"], "triggered", "2 of 3 = 67% >= 60%, both departments");
    let text = dee.ok(&["call", "show", &call[..10]]);
    assert!(text.contains("TRIGGERED"), "{text}");
    let back = dee.path("trigger.osb");
    dee.ok(&["bundle", "export", "--network", &net, "--out", back.to_str().unwrap()]);
    // Sam watches while Dee's pledge arrives: the trigger shows up without asking.
    let mut watch = sam
        .cmd(&["--json", "watch", "--interval", "1", "--for-secs", "60"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, events) = std::sync::mpsc::channel::<String>();
    let stdout = watch.stdout.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    // Watch says when its first look (the baseline) is done; then the pledge arrives.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let ready = events.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&ready).unwrap()["event"], "watching");
    sam.ok(&["bundle", "import", back.to_str().unwrap()]);
    let mut seen = Vec::new();
    while !seen.iter().any(|e: &serde_json::Value| e["event"] == "triggered") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = events.recv_timeout(left).expect("watch reports the trigger within 30 s");
        seen.push(serde_json::from_str(&line).unwrap());
    }
    let _ = watch.kill();
    let _ = watch.wait();
    assert!(seen.iter().any(|e| e["event"] == "pledges" && e["detail"]["counted"] == 2), "{seen:?}");
    assert!(seen.iter().any(|e| e["text"].as_str().unwrap().starts_with("TRIGGERED")));
    assert_eq!(sam.json(&["call", "show", &call[..10]])["status"], "triggered", "same status on both nodes");
    assert_eq!(
        sam.json(&["network", "state-hash", &net])["state_hash"],
        dee.json(&["network", "state-hash", &net])["state_hash"]
    );
    let withdraw = dee.run(&["pledge", "withdraw", &call[..10]]);
    assert_eq!(withdraw.status.code(), Some(5), "held to the pledge after the trigger");

    let readiness = sam.json(&["readiness", "Dock 4"]);
    assert_eq!(readiness["readiness"]["members"], 2);
    // On a quiet network watch reports nothing new, and stops when told.
    let watched = sam.ok(&["watch", "--for-secs", "1", "--interval", "1"]);
    assert_eq!(watched.trim(), "watching 1 network(s); Ctrl-C to stop");
}

/// Issue 19's first commands: a proposal of each kind from the terminal, ballots that fit its
/// method (and one that does not, refused with the reason), the tally as it stands.
#[test]
fn proposals_are_put_and_voted_on_from_the_terminal() {
    let sam = Home::initialized();
    sam.json(&["network", "create", "--name", "Dock 4"]);
    let p = sam.json(&["propose", "Dock 4", "--title", "Accept 3%?", "--method", "yes-no", "--closes", "2d"]);
    let id = p["proposal_id"].as_str().unwrap().to_owned();
    assert_eq!(p["proposal"]["state"], "open");
    let v = sam.json(&["vote", &id[..8], "yes", "--reason", "take it"]);
    assert_eq!((v["proposal"]["voted"].as_u64(), v["proposal"]["outcome"].as_str()), (Some(1), Some("passed")));
    let out = sam.run(&["vote", &id[..8], "maybe"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("yes, no, abstain or block"));
    let score = sam.json(&[
        "propose",
        "Dock 4",
        "--title",
        "Picket day",
        "--method",
        "score",
        "--option",
        "Monday",
        "--option",
        "Friday",
        "--closes",
        "1d",
    ]);
    let sid = score["proposal_id"].as_str().unwrap().to_owned();
    let v = sam.json(&["vote", &sid[..8], "--score", "Monday=2,Friday=5"]);
    assert_eq!(
        (v["proposal"]["per_option"].clone(), v["proposal"]["outcome"].as_str()),
        (serde_json::json!([2, 5]), Some("elected: Friday"))
    );
    let list = sam.json(&["proposal", "list", "Dock 4"]);
    assert_eq!(list["proposals"].as_array().unwrap().len(), 2);
    let out = sam.run(&["proposal", "close", &id[..8]]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("open until its closing time"));
    // A discussion on the proposal, a reply, then locked.
    let t = sam.json(&["thread", "start", "Dock 4", "--title", "Is 3% enough?", "--on", &id[..8]]);
    let tid = t["thread_id"].as_str().unwrap().to_owned();
    sam.json(&["reply", &tid[..8], "Not without cooling"]);
    let locked = sam.json(&["thread", "lock", &tid[..8]]);
    assert_eq!(
        (locked["locked"].as_bool(), locked["replies"][0]["text"].as_str()),
        (Some(true), Some("Not without cooling"))
    );
    let out = sam.run(&["reply", &tid[..8], "late"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked this thread"));
    let list = sam.json(&["thread", "list", "Dock 4", "--on", &id[..8]]);
    assert_eq!(list["threads"].as_array().unwrap().len(), 1);
}
