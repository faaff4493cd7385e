//! Bundles carry a network between nodes; the receiving state matches byte for byte.

use strike_core::{Announcement, Body, NetworkKind};
use strike_crypto::KdfParams;
use strike_node::{ImportProgress, Node, NodeError};

fn node(tmp: &tempfile::TempDir, name: &str) -> Node {
    Node::init(&tmp.path().join(name), name.as_bytes(), KdfParams::MINIMUM).unwrap()
}

fn seeded(tmp: &tempfile::TempDir, n: usize) -> (Node, strike_core::NetworkId) {
    let mut a = node(tmp, "alice-node");
    let net = a.create_network("Dock 4", NetworkKind::Workplace).unwrap();
    let bodies = (0..n).map(|i| Body::Announcement(Announcement { text: format!("announcement {i}") })).collect();
    a.author_many(&net, bodies).unwrap();
    (a, net)
}

#[test]
fn sealed_until_the_key_arrives_then_identical_state() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, net) = seeded(&tmp, 2500);
    let path = tmp.path().join("dock4.osb");
    let summary = a.export_bundle(&net, &path, Some("courier")).unwrap();
    // Genesis, the organizers' circle's first key, the announcements.
    assert_eq!(summary.n_ops, 2502);

    let mut b = node(&tmp, "bob-node");
    let mut verified = 0;
    let mut applied = 0;
    let report = b
        .import_bundle(&path, Some("courier"), &mut |p| match p {
            ImportProgress::Verified { n_ops } => verified = n_ops,
            ImportProgress::Applied { n_ops, .. } => applied = n_ops,
        })
        .unwrap();
    assert_eq!((verified, applied), (2502, 2502), "progress reported for both passes");
    assert_eq!(report.n_chunks, 3);
    assert_eq!(report.ingest.sealed, 2502);
    assert!(b.announcements(&net, 10).unwrap().is_empty(), "no key, no content");

    // The key arrives (a key update, or the member's other device): everything unseals.
    let key = a.store().epoch_key(&net, 0).unwrap().unwrap();
    b.store_mut().put_epoch_key(&net, 0, &key).unwrap();
    assert_eq!(b.state_hash(&net).unwrap(), a.state_hash(&net).unwrap());
    assert_eq!(b.network(&net).unwrap().name.as_deref(), Some("Dock 4"));
    assert_eq!(b.network(&net).unwrap().n_sealed_ops, 0);

    // Importing again changes nothing.
    let hash = b.state_hash(&net).unwrap();
    let ops = b.store().op_count().unwrap();
    let again = b.import_bundle(&path, Some("courier"), &mut |_| {}).unwrap();
    assert_eq!(again.ingest.applied + again.ingest.sealed, 0);
    assert_eq!(again.ingest.duplicates, 2502);
    assert_eq!((b.state_hash(&net).unwrap(), b.store().op_count().unwrap()), (hash, ops));
}

#[test]
fn member_sealed_bundle_opens_on_the_members_own_node() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, net) = seeded(&tmp, 10);
    let path = tmp.path().join("members.osb");
    let summary = a.export_bundle(&net, &path, None).unwrap();
    assert_eq!(summary.n_recipients, 1);
    // The founder's own node opens it with its network key; everything is already held.
    let report = a.import_bundle(&path, None, &mut |_| {}).unwrap();
    assert_eq!(report.ingest.duplicates, 12);
    // A stranger's node cannot.
    let mut c = node(&tmp, "carol-node");
    assert!(matches!(c.import_bundle(&path, None, &mut |_| {}), Err(NodeError::Bundle(_))));
}

#[test]
fn a_damaged_bundle_applies_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, net) = seeded(&tmp, 3000);
    let path = tmp.path().join("dock4.osb");
    a.export_bundle(&net, &path, Some("courier")).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 100;
    bytes[last] ^= 0xff;
    let damaged = tmp.path().join("damaged.osb");
    std::fs::write(&damaged, &bytes).unwrap();
    let mut b = node(&tmp, "bob-node");
    let err = b.import_bundle(&damaged, Some("courier"), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("chunk"), "{err}");
    assert_eq!(b.store().op_count().unwrap(), 0, "nothing from a damaged bundle is applied");
    assert!(b.networks().unwrap().is_empty());
}

#[test]
fn wipe_is_final() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = seeded(&tmp, 5);
    let dir = a.data_dir().to_path_buf();
    drop(a);
    let report = Node::wipe(&dir).unwrap();
    assert!(report.key_file_destroyed);
    assert!(matches!(Node::open(&dir, b"alice-node"), Err(NodeError::NotInitialized(_))));
    // A new identity in the same place starts empty; the old database is gone.
    let fresh = Node::init(&dir, b"alice-node", KdfParams::MINIMUM).unwrap();
    assert!(fresh.networks().unwrap().is_empty());
}

#[test]
fn a_swapped_database_is_not_reported_as_a_wrong_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = seeded(&tmp, 1);
    let other = node(&tmp, "other-node");
    let (dir_a, dir_other) = (a.data_dir().to_path_buf(), other.data_dir().to_path_buf());
    drop((a, other));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir_a.join(format!("store.db{suffix}")));
    }
    std::fs::copy(dir_other.join("store.db"), dir_a.join("store.db")).unwrap();
    assert!(matches!(Node::open(&dir_a, b"alice-node"), Err(NodeError::DatabaseUnreadable)));
    assert!(matches!(Node::open(&dir_a, b"not alice"), Err(NodeError::WrongPassphrase)));
}

/// A bundle whose header names one network but whose ops belong to another is refused op by
/// op (`wrong_network`), and refused means nothing stored: not even a row for the network.
#[test]
fn a_bundle_for_another_network_than_its_header_says_leaves_nothing() {
    use strike_sync::bundle::{BundleWriter, Seal};
    let tmp = tempfile::tempdir().unwrap();
    let (a, net) = seeded(&tmp, 3);
    let claimed = strike_core::NetworkId([0x42; 32]);
    let path = tmp.path().join("mislabelled.osb");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = BundleWriter::new(file, Seal::Passphrase("courier"), &claimed, 1_800_000_000).unwrap();
    a.store().for_each_op(&net, |op| writer.push(op)).unwrap().unwrap();
    writer.finish().unwrap();

    let mut b = node(&tmp, "bob-node");
    let report = b.import_bundle(&path, Some("courier"), &mut |_| {}).unwrap();
    assert_eq!(report.ingest.rejected.get("wrong_network"), Some(&5));
    assert_eq!(report.ingest.applied + report.ingest.sealed + report.ingest.parked, 0);
    assert!(b.networks().unwrap().is_empty(), "no network row: {:?}", b.networks().unwrap());
    assert_eq!(b.store().op_count().unwrap(), 0);
    assert_eq!(b.audit(10).unwrap().len(), 5, "each refusal is audited");
}
