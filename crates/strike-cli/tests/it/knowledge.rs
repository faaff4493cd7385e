//! Issue 15's flows through the binary: guides forked, edited, diffed and searched; a
//! leaflet written; a kit exported, checked by the standard tools (`sha256sum`,
//! `ssh-keygen`) and by `kit verify`, tampered with and refused, and imported by another
//! node with no network between them.

use std::process::Command;

use crate::support::Home;

fn tool(dir: &std::path::Path, program: &str, args: &[&str], stdin: Option<&std::path::Path>) -> String {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(dir);
    if let Some(f) = stdin {
        cmd.stdin(std::fs::File::open(f).unwrap());
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{program} (install it: CI does): {e}"));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{program} {args:?} failed: {all}");
    all
}

#[test]
fn guides_leaflet_and_a_kit_that_standard_tools_check() {
    let sam = Home::initialized();
    sam.ok(&["network", "create", "--name", "Dock 4"]);
    let forked = sam.ok(&["guide", "fork", "Dock 4", "picket-safety", "--from", "library"]);
    assert!(forked.contains("forked \"Picket safety and rotas\""), "{forked}");
    let list = sam.json(&["guide", "list", "Dock 4"]);
    assert_eq!(list["guides"][0]["title"], "Picket safety and rotas");
    assert!(
        list["library"].as_array().unwrap().iter().all(|g| g["slug"] != "picket-safety"),
        "forked ones leave the list"
    );
    let text = sam.ok(&["guide", "show", "Dock 4", "Picket"]);
    let edited = sam.path("picket.md");
    std::fs::write(&edited, format!("{text}\n## At Dock 4\n\nNorth gate from 05:30.\n")).unwrap();
    sam.ok(&["guide", "edit", "Dock 4", "Picket", "--file", edited.to_str().unwrap(), "--note", "our gates"]);
    let history = sam.json(&["guide", "history", "Dock 4", "Picket"]);
    let revs = history["guide"]["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2);
    assert!(revs.iter().all(|r| r["state"] == "published"));
    let diff = sam.ok(&["guide", "diff", "Dock 4", "Picket", "1", "2"]);
    assert!(diff.contains("+North gate from 05:30."), "{diff}");
    assert!(!sam.ok(&["guide", "show", "Dock 4", "Picket", "--rev", "1"]).contains("North gate"));
    let hits = sam.json(&["guide", "search", "Dock 4", "north gate"]);
    assert_eq!(hits["hits"][0]["title"], "Picket safety and rotas");
    let bad = sam.run(&["guide", "show", "Dock 4", "no such guide"]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("no such guide"));

    // A leaflet with an invite: a file with no script, and the code holds a join link.
    let leaflet = sam.path("leaflet.html");
    let made = sam.json(&[
        "leaflet",
        "Dock 4",
        "--guide",
        "Picket",
        "--invite",
        "--uses",
        "30",
        "--out",
        leaflet.to_str().unwrap(),
    ]);
    assert_eq!(made["invite"], true);
    assert!(made["qr_text"].as_str().unwrap().starts_with("openstrike://join/v1/"));
    let page = std::fs::read_to_string(&leaflet).unwrap();
    assert!(page.contains("<svg") && !page.contains("<script") && page.contains("Picket safety and rotas"));
    let none = sam.run(&["leaflet", "Dock 4", "--out", leaflet.to_str().unwrap()]);
    assert_eq!(none.status.code(), Some(2), "a leaflet with nothing on it is a usage error");

    // The kit, checked by the standard tools without the program.
    let kit = sam.path("usb").join("kit");
    let report = sam.json(&["kit", "export", kit.to_str().unwrap(), "--network", "Dock 4", "--with-invite"]);
    let fingerprint = report["fingerprint"].as_str().unwrap().to_owned();
    assert!(fingerprint.starts_with("SHA256:"));
    let sums = tool(&kit, "sha256sum", &["-c", "SHA256SUMS"], None);
    assert!(
        sums.contains("openstrike: OK") && sums.contains("guides/network/picket-safety-and-rotas.md: OK"),
        "{sums}"
    );
    let sig = kit.join("SHA256SUMS");
    let good = tool(
        &kit,
        "ssh-keygen",
        &["-Y", "check-novalidate", "-n", "openstrike-kit", "-s", "SHA256SUMS.sig"],
        Some(&sig),
    );
    assert!(good.contains(&fingerprint), "ssh-keygen names the key: {good}");
    tool(
        &kit,
        "ssh-keygen",
        &["-Y", "verify", "-f", "allowed_signers", "-I", "kit", "-n", "openstrike-kit", "-s", "SHA256SUMS.sig"],
        Some(&sig),
    );
    // The kit's program is this program, and it runs from the stick.
    let copied = kit.join("openstrike");
    let version = Command::new(&copied).arg("--version").output().unwrap();
    assert!(version.status.success() && String::from_utf8_lossy(&version.stdout).contains("openstrike"));
    let checked = sam.json(&["kit", "verify", kit.to_str().unwrap()]);
    assert_eq!(checked["fingerprint"], fingerprint.as_str());

    // Ana, on another machine with her own network, imports the guides: no sync, no link.
    let ana = Home::initialized();
    ana.ok(&["network", "create", "--name", "Eastside"]);
    let imported = ana.ok(&["kit", "import", kit.to_str().unwrap(), "--network", "Eastside"]);
    assert!(imported.contains("a key this node does not know") && imported.contains(&fingerprint), "{imported}");
    assert!(imported.contains("Picket safety and rotas"));
    let theirs = ana.json(&["guide", "history", "Eastside", "Picket"]);
    assert_eq!(theirs["guide"]["revisions"].as_array().unwrap().len(), 2, "with its history");
    assert!(ana.ok(&["guide", "show", "Eastside", "Picket"]).contains("North gate from 05:30."));

    // One flipped byte: the tools and the program refuse, naming the file.
    let target = kit.join("guides/network/picket-safety-and-rotas.md");
    let mut bytes = std::fs::read(&target).unwrap();
    bytes[3] ^= 0x20;
    std::fs::write(&target, &bytes).unwrap();
    let refused = ana.run(&["kit", "import", kit.to_str().unwrap(), "--network", "Eastside"]);
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && why.contains("guides/network/picket-safety-and-rotas.md does not match"),
        "{why}"
    );
    let tools = Command::new("sha256sum").args(["-c", "--quiet", "SHA256SUMS"]).current_dir(&kit).output().unwrap();
    assert!(
        !tools.status.success()
            && String::from_utf8_lossy(&tools.stdout).contains("picket-safety-and-rotas.md: FAILED")
    );
    assert_eq!(
        ana.json(&["guide", "list", "Eastside"])["guides"].as_array().unwrap().len(),
        1,
        "nothing more imported"
    );
}
