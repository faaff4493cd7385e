//! Nothing written through the CLI appears in plaintext in the data directory.

use crate::support::{Home, contains, files_under};

const CANARY_NAME: &str = "CanaryNetwork7f3a";
const CANARY_TEXT: &str = "canary-announcement-9d2e1b-strike-at-dawn";

#[test]
fn canaries_never_touch_disk_in_plaintext() {
    let home = Home::initialized();
    home.ok(&["network", "create", "--name", CANARY_NAME, "--kind", "crew"]);
    for _ in 0..3 {
        home.ok(&["announce", CANARY_NAME, CANARY_TEXT]);
    }
    // Read back through the CLI (queries may use temporary storage) and rebuild the views.
    assert!(home.ok(&["announcements", CANARY_NAME]).contains(CANARY_TEXT));
    home.ok(&["admin", "rebuild"]);

    let files = files_under(&home.dir);
    let names: Vec<_> = files.iter().map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.contains(&"store.db".to_string()) && names.contains(&"identity.key".to_string()), "{names:?}");
    for (path, bytes) in &files {
        for canary in [CANARY_NAME, CANARY_TEXT] {
            assert!(!contains(bytes, canary.as_bytes()), "{canary} in plaintext in {}", path.display());
            let utf16: Vec<u8> = canary.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            assert!(!contains(bytes, &utf16), "{canary} as UTF-16 in {}", path.display());
        }
        assert!(!contains(bytes, crate::support::PASSPHRASE.as_bytes()), "passphrase on disk in {}", path.display());
    }
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
