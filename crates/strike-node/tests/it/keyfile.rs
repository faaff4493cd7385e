//! The key file's cost: raised at the next unlock when it was written with less, and never
//! lowered by a passphrase change.

use strike_crypto::KdfParams;
use strike_node::Node;

/// The parameters in a key file's header (`docs/protocol.md`, "Key file").
fn header_params(dir: &std::path::Path) -> KdfParams {
    let bytes = std::fs::read(dir.join("identity.key")).unwrap();
    let word = |i: usize| u32::from_be_bytes(bytes[9 + 4 * i..13 + 4 * i].try_into().unwrap());
    KdfParams { m_cost_kib: word(0), t_cost: word(1), p_cost: word(2) }
}

#[test]
fn a_cheap_key_file_is_raised_at_unlock_and_never_lowered() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dee");
    drop(Node::init(&dir, b"dee's passphrase", KdfParams::MINIMUM).unwrap());
    assert_eq!(header_params(&dir), KdfParams::MINIMUM);
    let wrong = std::fs::read(dir.join("identity.key")).unwrap();
    assert!(Node::open(&dir, b"a guess").is_err());
    assert_eq!(std::fs::read(dir.join("identity.key")).unwrap(), wrong, "a wrong passphrase changes nothing");

    let node = Node::open(&dir, b"dee's passphrase").unwrap();
    assert_eq!(header_params(&dir), KdfParams::DEFAULT, "raised at the first unlock");
    assert_eq!(node.kdf_params(), KdfParams::DEFAULT);
    let id = node.node_id();
    drop(node);

    let mut node = Node::open(&dir, b"dee's passphrase").unwrap();
    assert_eq!(node.node_id(), id, "the same identity");
    node.change_passphrase(b"a new passphrase", KdfParams::MINIMUM).unwrap();
    assert_eq!(header_params(&dir), KdfParams::DEFAULT, "a change asked for less keeps the cost");
    drop(node);
    assert!(Node::open(&dir, b"dee's passphrase").is_err());
    assert_eq!(Node::open(&dir, b"a new passphrase").unwrap().node_id(), id);
}
