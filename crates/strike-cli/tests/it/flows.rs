//! The user-facing flows of issue 2, through the binary.

use crate::support::{Home, files_under};

#[test]
fn create_announce_export_import_rebuild() {
    let a = Home::initialized();
    let created = a.json(&["network", "create", "--name", "Dock 4", "--kind", "workplace"]);
    let net = created["network_id"].as_str().unwrap().to_owned();
    assert_eq!(net.len(), 64);
    a.ok(&["announce", "Dock 4", "Meeting Thursday 18:00, back room"]);
    let list = a.json(&["announcements", &net[..12]]);
    assert_eq!(list["announcements"][0]["text"], "Meeting Thursday 18:00, back room");
    let networks = a.json(&["network", "list"]);
    assert_eq!(networks["networks"][0]["name"], "Dock 4");
    // Genesis, the organizers' circle's first key, the announcement.
    assert_eq!(networks["networks"][0]["ops"], 3);
    let hash = a.json(&["network", "state-hash", "dock 4"])["state_hash"].as_str().unwrap().to_owned();

    // Rebuild from the log: same state hash.
    let rebuilt = a.json(&["admin", "rebuild"]);
    assert_eq!(rebuilt["state_hashes_changed"], 0);
    assert_eq!(a.json(&["network", "state-hash", &net])["state_hash"], hash.as_str());

    // Export to members, import on another node: held sealed, it has no key (a stranger's node).
    let bundle = a.path("dock4.osb");
    let exported = a.json(&["bundle", "export", "--network", &net, "--out", bundle.to_str().unwrap()]);
    assert_eq!(exported["ops"], 3);
    let b = Home::initialized();
    let refused = b.run(&["bundle", "import", bundle.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(5), "a bundle sealed to members does not open for a stranger");
    let imported = b
        .cmd(&["--json", "bundle", "import", bundle.to_str().unwrap(), "--passphrase"])
        .env("OPENSTRIKE_BUNDLE_PASSPHRASE", "x")
        .output()
        .unwrap();
    assert_eq!(imported.status.code(), Some(5));

    let sealed_bundle = a.path("dock4-pass.osb");
    a.cmd(&["bundle", "export", "--network", &net, "--out", sealed_bundle.to_str().unwrap(), "--passphrase"])
        .env("OPENSTRIKE_BUNDLE_PASSPHRASE", "usb courier phrase")
        .output()
        .unwrap();
    let import = |home: &Home| -> serde_json::Value {
        let out = home
            .cmd(&["--json", "bundle", "import", sealed_bundle.to_str().unwrap(), "--passphrase"])
            .env("OPENSTRIKE_BUNDLE_PASSPHRASE", "usb courier phrase")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let first = import(&b);
    assert_eq!((first["sealed"].as_u64(), first["already_held"].as_u64()), (Some(3), Some(0)));
    let second = import(&b);
    assert_eq!((second["sealed"].as_u64(), second["already_held"].as_u64()), (Some(0), Some(3)));
    let listed = b.json(&["network", "list"]);
    assert_eq!(listed["networks"][0]["status"], "sealed");
    assert_eq!(listed["networks"][0]["ops"], 3);
    assert!(listed["networks"][0]["name"].is_null(), "a stranger's node learns no name");
}

#[test]
fn errors_are_one_line_with_documented_exit_codes() {
    let home = Home::new();
    let not_init = home.run(&["network", "list"]);
    assert_eq!(not_init.status.code(), Some(3));
    home.ok(&["init"]);
    assert_eq!(home.run(&["init"]).status.code(), Some(2), "init twice");

    let before: Vec<_> = files_under(&home.dir);
    let wrong = home.cmd(&["network", "list"]).env("OPENSTRIKE_PASSPHRASE", "not the passphrase").output().unwrap();
    assert_eq!(wrong.status.code(), Some(3));
    let stderr = String::from_utf8(wrong.stderr).unwrap();
    assert_eq!(stderr.trim(), "error: wrong passphrase (or the key file's encrypted part is damaged)");
    assert_eq!(files_under(&home.dir), before, "a wrong passphrase changes nothing on disk");

    let unknown = home.run(&["announce", "Nowhere", "hello"]);
    assert_eq!(unknown.status.code(), Some(4));
    home.ok(&["network", "create", "--name", "Dock 4"]);
    let empty = home.run(&["announce", "Dock 4", "   "]); // bad input: nothing is written
    assert_eq!(empty.status.code(), Some(2));
    assert_eq!(String::from_utf8(empty.stderr).unwrap().lines().count(), 1);

    let json_err = home.run(&["--json", "announce", "Nowhere", "hello"]);
    let value: serde_json::Value = serde_json::from_slice(&json_err.stdout).unwrap();
    assert_eq!(value["error"]["exit_code"], 4);

    let short = home
        .cmd(&["init"])
        .env("OPENSTRIKE_DATA_DIR", home.path("other"))
        .env("OPENSTRIKE_PASSPHRASE", "short")
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(2), "a passphrase under 8 characters is refused");
    let none = home.cmd(&["network", "list"]).env_remove("OPENSTRIKE_PASSPHRASE").output().unwrap();
    assert_eq!(none.status.code(), Some(3), "no passphrase and no terminal");
}

#[test]
fn corrupted_and_truncated_bundles_are_refused_and_nothing_is_applied() {
    let a = Home::initialized();
    a.ok(&["network", "create", "--name", "Dock 4"]);
    let load = a.run(&["bench", "writes", "--network", "Dock 4", "--count", "1500"]);
    assert!(load.status.success());
    let bundle = a.path("big.osb");
    a.cmd(&["bundle", "export", "--network", "Dock 4", "--out", bundle.to_str().unwrap(), "--passphrase"])
        .env("OPENSTRIKE_BUNDLE_PASSPHRASE", "courier")
        .output()
        .unwrap();
    let bytes = std::fs::read(&bundle).unwrap();
    let b = Home::initialized();
    let try_import = |name: &str, data: &[u8]| -> (Option<i32>, String) {
        let path = b.path(name);
        std::fs::write(&path, data).unwrap();
        let out = b
            .cmd(&["bundle", "import", path.to_str().unwrap(), "--passphrase"])
            .env("OPENSTRIKE_BUNDLE_PASSPHRASE", "courier")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let mut corrupt = bytes.clone();
    let at = bytes.len() * 3 / 4;
    corrupt[at] ^= 0x01;
    let (code, err) = try_import("corrupt.osb", &corrupt);
    assert_eq!(code, Some(5));
    assert!(err.contains("chunk 1") || err.contains("chunk 0"), "names the damaged chunk: {err}");
    let (code, err) = try_import("truncated.osb", &bytes[..bytes.len() / 2]);
    assert_eq!(code, Some(5));
    assert!(err.contains("chunk"), "{err}");
    assert_eq!(b.json(&["network", "list"])["networks"].as_array().unwrap().len(), 0, "nothing was applied");
    let (code, _) = try_import("whole.osb", &bytes);
    assert_eq!(code, Some(0));
    assert_eq!(b.json(&["network", "list"])["networks"][0]["ops"], 1502, "with the organizers' circle's key");
}

#[test]
fn wipe_destroys_the_keys() {
    let home = Home::initialized();
    home.ok(&["network", "create", "--name", "Dock 4"]);
    let refused = home.cmd(&["wipe"]).stdin(std::process::Stdio::null()).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "no --yes outside a terminal");
    assert!(home.dir.join("identity.key").exists());
    let wiped = home.json(&["wipe", "--yes"]);
    assert_eq!(wiped["key_file_destroyed"], true);
    assert!(!home.dir.join("identity.key").exists());
    assert!(!home.dir.join("store.db").exists());
    let after = home.run(&["network", "list"]);
    assert_eq!(after.status.code(), Some(3), "the right passphrase opens nothing");
}

#[test]
fn passphrase_change_rewraps_without_touching_the_data() {
    let home = Home::initialized();
    home.ok(&["network", "create", "--name", "Dock 4"]);
    let db_before = std::fs::read(home.dir.join("store.db")).unwrap();
    let out = home
        .cmd(&["passphrase", "change"])
        .env("OPENSTRIKE_NEW_PASSPHRASE", "a brand new passphrase")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(home.dir.join("store.db")).unwrap(), db_before, "database not re-encrypted");
    assert_eq!(home.run(&["network", "list"]).status.code(), Some(3), "the old passphrase no longer works");
    let new = home
        .cmd(&["--json", "network", "list"])
        .env("OPENSTRIKE_PASSPHRASE", "a brand new passphrase")
        .output()
        .unwrap();
    assert!(new.status.success());
}

#[test]
fn demo_seeds_once_and_reopens() {
    let home = Home::new();
    let first = home.json(&["demo", "--no-serve"]);
    assert_eq!(first["seeded"], true);
    assert!(first["networks"].as_array().unwrap().len() >= 4);
    let heat = first["calls"].as_array().unwrap().iter().find(|c| c["title"] == "One-day strike for heat safety");
    let call = heat.unwrap();
    assert_eq!((call["counted"].as_u64(), call["status"].as_str()), (Some(21), Some("open")), "{first}");
    let second = home.json(&["demo", "--no-serve"]);
    assert_eq!(second["seeded"], false);
    assert_eq!(second["passphrase"], first["passphrase"]);
    let pass = first["passphrase"].as_str().unwrap();
    let run = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = home.cmd(&all).env("OPENSTRIKE_PASSPHRASE", pass).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert!(run(&["announcements", "Riverside"])["announcements"].as_array().unwrap().len() >= 3);
    let people = run(&["member", "list", "Riverside"]);
    let status = |s: &str| people["people"].as_array().unwrap().iter().filter(|p| p["status"] == s).count();
    assert_eq!((status("member"), status("pending")), (40, 2), "40 members and 2 waiting for a vouch");
    // The strike-day picket, its shifts about half filled, and a member taking a place.
    let events = run(&["event", "list", "Riverside"]);
    let events = events["events"].as_array().unwrap();
    let picket = events.iter().find(|e| e["kind"] == "picket").expect("the demo's picket");
    let (on, needed) = picket["shifts"].as_array().unwrap().iter().fold((0, 0), |(on, needed), s| {
        (on + s["on"].as_array().unwrap().len() as u64, needed + s["needed"].as_u64().unwrap())
    });
    assert!(on * 3 >= needed && on * 3 <= needed * 2, "about half filled: {on} of {needed}");
    assert!(!picket["short_shifts"].as_array().unwrap().is_empty());
    let briefing = events.iter().find(|e| e["kind"] == "meeting").expect("the demo's briefing");
    assert!(briefing["going"].as_u64().unwrap() >= 10, "{briefing}");
    let id = picket["id"].as_str().unwrap();
    let last = picket["shifts"].as_array().unwrap().len().to_string();
    let taken = run(&["shift", "signup", id, &last]);
    assert_eq!(taken["shifts"].as_array().unwrap().last().unwrap()["me"], "on", "{taken}");
    let hospital = run(&["call", "list", "St Mary"]);
    let sickout = &hospital["calls"][0];
    assert_eq!(sickout["exempt_roles"], serde_json::json!(["nurse", "icu-nurse"]));
    assert!(sickout["tally"]["support"].as_u64().unwrap() >= 1, "nurses pledge support: {sickout}");
    // Eastside's hub: 30 households, 25 open requests (one critical, sealed to the keepers),
    // handovers waiting, the insulin (two vials handed to Riverside's crisis team, from the lot
    // expiring in five weeks), and days left per category.
    let hub = run(&["resources", "show", "Eastside"]);
    assert_eq!(hub["households"], 30, "{hub}");
    let requests = hub["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 25);
    let critical: Vec<_> = requests.iter().filter(|r| r["urgency"] == "critical").collect();
    assert_eq!((critical.len(), critical[0]["sealed"].as_bool()), (1, Some(true)));
    assert!(!hub["commitments"].as_array().unwrap().is_empty(), "handovers to check off");
    let insulin = hub["specs"].as_array().unwrap().iter().find(|s| s["name"] == "Insulin").unwrap();
    let soon: u64 = insulin["lots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["expiry"] == "soon")
        .map(|l| l["qty"].as_u64().unwrap())
        .sum();
    assert_eq!((insulin["stock"].as_u64(), soon), (Some(38), 18));
    let food = hub["categories"].as_array().unwrap().iter().find(|c| c["category"] == "food").unwrap();
    assert!(food["days_left"].as_u64().is_some_and(|d| (7..90).contains(&d)), "{food}");
    // Riverside's hardship fund: three treasurers, two approvals, two grants paid, a claim of
    // strike pay waiting for its second approval; the totals add up.
    let fund = run(&["fund", "show", "Riverside"]);
    assert_eq!((fund["treasurers"].as_array().unwrap().len(), fund["approvals"].as_u64()), (3, Some(2)), "{fund}");
    assert_eq!(fund["recipients"], 2);
    assert_eq!(fund["pledges"]["members"], 30);
    let claims = fund["claims"].as_array().unwrap();
    assert_eq!(claims.iter().filter(|c| c["status"] == "paid").count(), 2);
    let waiting = claims.iter().find(|c| c["status"] == "waiting").expect("a claim waiting");
    assert_eq!((waiting["kind"].as_str(), waiting["approvals"].as_u64()), (Some("strike pay"), Some(1)));
    assert!(fund["weeks"].as_array().unwrap().iter().filter(|w| w["income_minor"].as_i64() > Some(0)).count() >= 3);
    assert!(fund["runway_tenths"].as_i64().is_some(), "{fund}");
    assert_eq!(run(&["fund", "verify", "Riverside"])["ok"], true);
    // Riverside's crisis team: twelve requests (and the drivers' copy of Hal's ride), one
    // critical unclaimed, one gone stale; a check-in round with six silent; the firing case.
    let queue = run(&["aid", "queue", "Riverside"]);
    let all = queue["open"].as_array().unwrap().len() + queue["closed"].as_array().unwrap().len();
    assert_eq!((all, queue["critical_unclaimed"].as_u64()), (13, Some(1)), "{queue}");
    assert!(queue["open"].as_array().unwrap().iter().any(|r| r["returned"] == true && r["overdue"] == true));
    let insulin = queue["open"].as_array().unwrap().iter().find(|r| r["category"] == "medical").unwrap();
    assert_eq!((insulin["state"].as_str(), insulin["visible_to"].as_str()), (Some("in progress"), Some("Crisis team")));
    let rounds = run(&["checkin", "show", "Riverside"]);
    let round = &rounds["rounds"][0];
    assert_eq!((round["silent"].as_array().unwrap().len(), round["need_help"].as_array().unwrap().len()), (6, 2));
    // Riverside's votes: management's offer heading for a no, and the delegates elected by STV.
    let votes = run(&["proposal", "list", "Riverside"]);
    let proposals = votes["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 4);
    // Today's secret ballot: every node asked, Sam's node issued 40 credentials, 30 voted.
    let secret = proposals.iter().find(|p| p["secret"].is_object()).unwrap();
    assert_eq!(
        (secret["voted"].as_u64(), secret["secret"]["issued"].as_u64(), secret["secret"]["requested"].as_u64()),
        (Some(30), Some(40), Some(40)),
        "{secret}"
    );
    assert_eq!(secret["positions"], serde_json::json!([["abstain", 2], ["no", 6], ["yes", 22]]));
    let offer = proposals.iter().find(|p| p["about"].is_string()).unwrap();
    assert_eq!((offer["state"].as_str(), offer["outcome"].as_str()), (Some("open"), Some("rejected")), "{offer}");
    assert_eq!(offer["title"], "Accept the offer from management?");
    let call = run(&["call", "list", "Riverside"]);
    let calls = call["calls"].as_array().unwrap();
    let heat = calls.iter().find(|c| c["title"] == "One-day strike for heat safety").unwrap();
    let call_id = heat["id"].as_str().unwrap().to_owned();
    // Today's secret sickout: 40 credentials issued, 20 pledged under one-time keys, short of 25.
    let sickout = calls.iter().find(|c| c["secret"].is_object()).unwrap();
    assert_eq!(
        (sickout["tally"]["counted"].as_u64(), sickout["status"].as_str(), sickout["secret"]["issued"].as_u64()),
        (Some(20), Some("open"), Some(40)),
        "{sickout}"
    );
    let record = run(&["concession", "list", &call_id]);
    let result = record["concessions"][0]["result"].as_str().unwrap();
    assert!(result.starts_with("voting until") && result.contains("28 no, 4 yes so far"), "{record}");
    let election = proposals.iter().find(|p| p["method"] == "stv").unwrap();
    assert_eq!((election["state"].as_str(), election["outcome"].as_str()), (Some("closed"), Some("elected: Lea, Mo")));
    assert!(election["rounds"].as_array().unwrap().len() >= 2, "{election}");
    // The winners hold the delegate role; the legal circle votes alone (Lea for, Sam against).
    let people = run(&["member", "list", "Riverside"]);
    let mut delegates: Vec<&str> = people["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["delegate"] == true)
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    delegates.sort_unstable();
    assert_eq!(delegates, ["Lea", "Mo"]);
    let legal = proposals.iter().find(|p| p["circle"] == "Legal").unwrap();
    assert_eq!(
        (legal["electorate"].as_u64(), legal["voted"].as_u64(), legal["outcome"].as_str()),
        (Some(2), Some(2), Some("rejected")),
        "{legal}"
    );
    let cases = run(&["case", "list", "Riverside"]);
    assert_eq!(
        (cases["cases"][0]["kind"].as_str(), cases["cases"][0]["assignee"].as_str()),
        (Some("firing"), Some("Lea"))
    );
    let reset = home.json(&["demo", "--reset", "--no-serve"]);
    assert_eq!(reset["seeded"], true);
    assert_ne!(reset["passphrase"], first["passphrase"]);
}

/// `openstrike demo` serves the demo's web UI and says where, with the passphrase that opens it.
#[test]
fn demo_serves_its_web_ui() {
    use std::io::BufRead;
    let home = Home::new();
    let mut child = crate::support::Child(
        home.cmd(&["--json", "demo", "--ui-listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = std::io::BufReader::new(child.0.stdout.take().unwrap()).lines();
    let summary: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let ui = summary["ui"].as_str().unwrap();
    let host = ui.trim_start_matches("http://").trim_end_matches('/');
    let login = crate::support::http_get(host, "/login");
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    // The printed passphrase logs in.
    let body = serde_json::json!({ "passphrase": summary["passphrase"] }).to_string();
    let reply = crate::support::http_post_json(host, "/api/v1/session", &body);
    assert!(reply.starts_with("HTTP/1.1 200") && reply.contains("csrf_token"), "{reply}");

    // Dee's first run, as the demo prints it (here a co-worker, Noor, through the CLI): the
    // invite reaches the demo node over loopback.
    let invite = summary["first_run"]["invite"].as_str().unwrap();
    assert!(invite.contains("@127.0.0.1:"), "{invite}");
    let dee = Home::initialized();
    let asked = dee.ok(&["--json", "join", invite, "--pseudonym", "Noor", "--no-wait", "--listen", "127.0.0.1:0"]);
    assert!(asked.lines().any(|l| l.contains("\"waiting\"")), "{asked}");
    let passphrase = summary["passphrase"].as_str().unwrap();
    let demo = |args: &[&str]| {
        let out = home.cmd(args).env("OPENSTRIKE_PASSPHRASE", passphrase).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let members: serde_json::Value = serde_json::from_str(&demo(&["--json", "member", "list", "Riverside"])).unwrap();
    assert!(members["people"].as_array().unwrap().iter().any(|p| p["pseudonym"] == "Noor" && p["status"] == "pending"));
    demo(&["vouch", "Riverside", "Noor"]);
    let net = summary["networks"][0]["network_id"].as_str().unwrap();
    let admitted = (0..3).any(|_| {
        let round = dee.json(&["sync", "--network", net]);
        round["sessions"].as_array().unwrap().iter().any(|s| s["admitted"] == true)
    });
    assert!(admitted, "admitted by the demo node");
    let calls = dee.json(&["call", "list", "Riverside"]);
    assert!(!calls["calls"].as_array().unwrap().is_empty(), "{calls}");
}
