//! Nothing written through the CLI appears in plaintext anywhere it leaves bytes: the data
//! directory, the temporary directory, its logs (at TRACE), the bundles it exports and the
//! QR codes it draws.

use std::path::PathBuf;

use crate::support::{Home, contains, files_under};

const CANARY_NAME: &str = "CanaryNetwork7f3a";
const CANARY_TEXT: &str = "canary-announcement-9d2e1b-strike-at-dawn";
const CANARY_PSEUDONYM: &str = "CanaryPseudonym41c0";
const CANARY_DEPARTMENT: &str = "CanaryDepartment5b7e";
const CANARY_CONTACT: &str = "CanaryContact28d4";
const CANARY_NOTE: &str = "canary-note-63fa-close-to-the-shift-manager";
const CANARY_BUNDLE_PASSPHRASE: &str = "canary bundle passphrase 0c9d";

const CANARIES: [&str; 7] = [
    CANARY_NAME,
    CANARY_TEXT,
    CANARY_PSEUDONYM,
    CANARY_DEPARTMENT,
    CANARY_CONTACT,
    CANARY_NOTE,
    CANARY_BUNDLE_PASSPHRASE,
];

/// Runs a command with its own temporary directory and every log line at TRACE; returns
/// what it logged.
fn logged(home: &Home, tmp: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let out = home
        .cmd(args)
        .env("TMPDIR", tmp)
        .env("OPENSTRIKE_LOG", "trace")
        .env("OPENSTRIKE_BUNDLE_PASSPHRASE", CANARY_BUNDLE_PASSPHRASE)
        .output()
        .unwrap();
    assert!(out.status.success(), "openstrike {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stderr
}

fn assert_no_canary(what: &str, bytes: &[u8]) {
    for canary in CANARIES.iter().chain([&crate::support::PASSPHRASE]) {
        assert!(!contains(bytes, canary.as_bytes()), "{canary} in plaintext in {what}");
        let utf16: Vec<u8> = canary.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert!(!contains(bytes, &utf16), "{canary} as UTF-16 in {what}");
    }
}

#[test]
fn canaries_never_touch_disk_or_logs_in_plaintext() {
    let home = Home::new();
    let tmp = home.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut logs = logged(&home, &tmp, &["init"]);
    let (bundle, sealed_bundle, qr) = (home.path("net.osb"), home.path("net-pass.osb"), home.path("invite.png"));
    let commands: Vec<Vec<&str>> = vec![
        vec!["network", "create", "--name", CANARY_NAME, "--kind", "crew"],
        vec!["announce", CANARY_NAME, CANARY_TEXT],
        vec!["announce", CANARY_NAME, CANARY_TEXT],
        vec!["profile", "set", CANARY_NAME, "--pseudonym", CANARY_PSEUDONYM, "--department", CANARY_DEPARTMENT],
        vec!["contact", "add", CANARY_NAME, "--name", CANARY_CONTACT, "--department", CANARY_DEPARTMENT],
        vec!["contact", "note", CANARY_NAME, CANARY_CONTACT, CANARY_NOTE],
        vec!["invite", "create", "--network", CANARY_NAME, "--qr", qr.to_str().unwrap(), "--no-terminal-qr"],
        vec!["bundle", "export", "--network", CANARY_NAME, "--out", bundle.to_str().unwrap()],
        vec!["bundle", "export", "--network", CANARY_NAME, "--out", sealed_bundle.to_str().unwrap(), "--passphrase"],
        vec!["admin", "rebuild"],
        vec!["contact", "list", CANARY_NAME],
    ];
    for args in &commands {
        logs.extend(logged(&home, &tmp, args));
    }
    // Read back through the CLI (queries may use temporary storage).
    assert!(home.ok(&["announcements", CANARY_NAME]).contains(CANARY_TEXT));
    assert!(home.json(&["contact", "list", CANARY_NAME]).to_string().contains(CANARY_NOTE));
    let text = String::from_utf8_lossy(&logs);
    assert!(text.contains("network created") && text.contains("bundle exported"), "the logs were captured: {text}");
    assert_no_canary("the logs", &logs);

    let files = files_under(&home.dir);
    let names: Vec<_> = files.iter().map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.contains(&"store.db".to_string()) && names.contains(&"identity.key".to_string()), "{names:?}");
    let outputs: Vec<(PathBuf, Vec<u8>)> =
        [&bundle, &sealed_bundle, &qr].into_iter().map(|p| (p.clone(), std::fs::read(p).unwrap())).collect();
    assert!(outputs.iter().all(|(_, b)| b.len() > 100), "the bundles and the QR code were written");
    for (path, bytes) in files.iter().chain(&files_under(&tmp)).chain(&outputs) {
        assert_no_canary(&path.display().to_string(), bytes);
    }
    // The QR code holds the invite link, and the link names no network, person or text.
    let image = image::open(&qr).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let (_, link) = prepared.detect_grids()[0].decode().unwrap();
    assert!(link.starts_with("openstrike://join/v1/"));
    assert_no_canary("the invite link", link.as_bytes());
    let db = std::fs::read(home.dir.join("store.db")).unwrap();
    assert!(!db.starts_with(b"SQLite format 3"), "the database header must be encrypted");
    assert!(!contains(&db, b"CREATE TABLE"), "the schema must be encrypted too");
}

#[test]
fn a_wrong_passphrase_opens_nothing_and_the_database_alone_is_noise() {
    let home = Home::initialized();
    home.ok(&["network", "create", "--name", CANARY_NAME]);
    let wrong =
        home.cmd(&["announcements", CANARY_NAME]).env("OPENSTRIKE_PASSPHRASE", "guess guess guess").output().unwrap();
    assert_eq!(wrong.status.code(), Some(3));
    assert!(!String::from_utf8_lossy(&wrong.stdout).contains(CANARY_NAME));
    // A seized database without the key file: even the right passphrase cannot open it.
    std::fs::remove_file(home.dir.join("identity.key")).unwrap();
    assert_eq!(home.run(&["network", "list"]).status.code(), Some(3));
}
