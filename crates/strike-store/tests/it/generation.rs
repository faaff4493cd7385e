//! `Store::generation` changes with every commit, whichever connection made it, and only then.

use crate::support::{Author, NOW, store_at};

#[test]
fn generation_moves_with_every_commit_from_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let mut mine = store_at(&path);
    let (mut sam, genesis) = Author::founder(7);
    sam.install(&mut mine);
    mine.ingest(&sam.network, vec![genesis.into_bytes()], NOW).unwrap();

    let before = mine.generation().unwrap();
    mine.networks().unwrap();
    mine.state_hash(&sam.network).unwrap();
    assert_eq!(mine.generation().unwrap(), before, "reads change nothing");

    let op = sam.announce("from this connection").into_bytes();
    mine.ingest(&sam.network, vec![op], NOW).unwrap();
    let after_own = mine.generation().unwrap();
    assert_ne!(after_own, before, "a commit on this connection");

    // Another process on the same data directory.
    let mut other = store_at(&path);
    let op = sam.announce("from another connection").into_bytes();
    other.ingest(&sam.network, vec![op], NOW).unwrap();
    assert_ne!(mine.generation().unwrap(), after_own, "a commit on another connection");
}
