//! Forgery, replay and malformed input: refused, not stored, one audit record each.

use strike_core::{Announcement, Body, OpId};

use crate::support::{Author, NOW, memory_store};

/// A store holding a founded network with two announcements.
fn setup() -> (strike_store::Store, Author, Vec<Vec<u8>>) {
    let mut store = memory_store();
    let (mut founder, genesis) = Author::founder(1);
    founder.install(&mut store);
    let ops = vec![
        genesis.bytes().to_vec(),
        founder.announce("first").bytes().to_vec(),
        founder.announce("second").bytes().to_vec(),
    ];
    let report = store.ingest(&founder.network, ops.clone(), NOW).unwrap();
    assert_eq!(report.applied, 3);
    (store, founder, ops)
}

fn counts(store: &strike_store::Store) -> (u64, u64) {
    (store.op_count().unwrap(), store.audit_count().unwrap())
}

#[test]
fn every_single_bit_flip_is_refused_with_one_audit_record_each() {
    let (mut store, mut founder, _) = setup();
    let hash_before = store.state_hash(&founder.network).unwrap();
    let op = founder.announce("flip me").bytes().to_vec();
    let mut flipped = Vec::new();
    for bit in 0..op.len() * 8 {
        let mut bad = op.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        flipped.push(bad);
    }
    let n = flipped.len() as u64;
    let (ops_before, audit_before) = counts(&store);
    let report = store.ingest(&founder.network, flipped, NOW).unwrap();
    assert_eq!(report.applied + report.sealed + report.parked, 0, "{report:?}");
    assert_eq!(report.n_rejected(), n, "{report:?}");
    assert_eq!(counts(&store), (ops_before, audit_before + n));
    assert_eq!(store.state_hash(&founder.network).unwrap(), hash_before);
    // The original still goes in afterwards: nothing about it was poisoned.
    assert_eq!(store.ingest(&founder.network, vec![op], NOW).unwrap().applied, 1);
}

#[test]
fn bad_signature_wrong_network_replay_and_non_canonical_are_each_refused_once() {
    let (mut store, mut founder, ops) = setup();
    let next = founder.announce("next");
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();

    let mut bad_signature = next.bytes().to_vec();
    let last = bad_signature.len() - 1;
    bad_signature[last] ^= 0x80;
    cases.push(("bad_signature", bad_signature));

    let (mut other, other_genesis) = Author::founder(2);
    let _ = other_genesis;
    cases.push(("wrong_network", other.announce("elsewhere").bytes().to_vec()));

    cases.push(("duplicate", ops[1].clone()));

    let mut envelope = next.envelope().clone();
    envelope.deps = vec![OpId([0xff; 32]), OpId([0x01; 32])];
    cases.push(("non_canonical", founder.resign(envelope)));

    // Signed by someone else under the founder's name.
    let impostor = founder.stranger(9);
    let forged = impostor.draft(
        next.envelope().seq,
        next.envelope().prev,
        Body::Announcement(Announcement { text: "forged".into() }),
        vec![],
    );
    let mut forged_bytes = forged.bytes().to_vec();
    forged_bytes[33..65].copy_from_slice(&founder.id().0);
    cases.push(("bad_signature", forged_bytes));

    for (code, bytes) in cases {
        let (ops_before, audit_before) = counts(&store);
        let report = store.ingest(&founder.network, vec![bytes.clone()], NOW).unwrap();
        assert_eq!(report.applied + report.sealed + report.parked, 0, "{code}: {report:?}");
        assert_eq!(counts(&store), (ops_before, audit_before + 1), "{code}: exactly one audit record");
        let audit = store.audit(1).unwrap();
        assert_eq!(audit[0].reason, code);
        // The same bad op again adds no second record for the same reason.
        store.ingest(&founder.network, vec![bytes], NOW).unwrap();
        assert_eq!(counts(&store), (ops_before, audit_before + 1), "{code}: idempotent audit");
    }
    // The genuine op still applies.
    assert_eq!(store.ingest(&founder.network, vec![next.bytes().to_vec()], NOW).unwrap().applied, 1);
}

#[test]
fn strangers_cannot_write() {
    let (mut store, founder, ops) = setup();
    let mut stranger = founder.stranger(7);
    let head = OpId(strike_crypto::hash(ops.last().unwrap()));
    let op = stranger.write(Body::Announcement(Announcement { text: "I am not a member".into() }), vec![head]);
    let report = store.ingest(&founder.network, vec![op.bytes().to_vec()], NOW).unwrap();
    assert_eq!(report.rejected.get("no_right_to_write"), Some(&1), "{report:?}");
    assert!(!store.has_op(&op.id()).unwrap());
}

#[test]
fn a_second_genesis_cannot_take_over() {
    let (mut store, founder, _) = setup();
    let mut usurper = founder.stranger(8);
    let fake = usurper.write(
        Body::Genesis(strike_core::Genesis {
            name: "Taken over".into(),
            kind: strike_core::NetworkKind::Crew,
            salt: [0; 16],
            founder_agreement: [0; 32],
            vouches_required: 1,
        }),
        vec![],
    );
    let report = store.ingest(&founder.network, vec![fake.bytes().to_vec()], NOW).unwrap();
    assert_eq!(report.rejected.get("no_right_to_write"), Some(&1), "{report:?}");
    assert_eq!(store.network(&founder.network).unwrap().name.as_deref(), Some("Network 1"));
}

#[test]
fn backdated_ops_are_refused() {
    let (mut store, mut founder, _) = setup();
    founder.time -= 10;
    let op = founder.announce("from the past");
    let report = store.ingest(&founder.network, vec![op.bytes().to_vec()], NOW).unwrap();
    assert_eq!(report.rejected.get("time_before_deps"), Some(&1), "{report:?}");
}

#[test]
fn equivocation_is_kept_as_evidence_and_flagged() {
    let (mut store, founder, ops) = setup();
    let prev = OpId(strike_crypto::hash(&ops[1]));
    // A different op at seq 3, where "second" already stands.
    let fork =
        founder.draft(3, Some(prev), Body::Announcement(Announcement { text: "the other version".into() }), vec![]);
    let before = store.announcements(&founder.network, 10).unwrap().len();
    let report = store.ingest(&founder.network, vec![fork.bytes().to_vec()], NOW).unwrap();
    assert_eq!(report.equivocations, 1, "{report:?}");
    assert_eq!(store.audit(1).unwrap()[0].reason, "equivocation");
    // Neither version at seq 3 counts any more; seq 2 still does.
    let texts: Vec<_> = store.announcements(&founder.network, 10).unwrap().into_iter().map(|a| a.text).collect();
    assert_eq!(texts, vec!["first".to_string()]);
    assert_eq!(before, 2);
}

#[test]
fn out_of_order_ops_wait_for_their_predecessors() {
    let mut store = memory_store();
    let (mut founder, genesis) = Author::founder(3);
    founder.install(&mut store);
    let a = founder.announce("a");
    let b = founder.announce("b");
    let report = store.ingest(&founder.network, vec![b.bytes().to_vec(), a.bytes().to_vec()], NOW).unwrap();
    assert_eq!((report.applied, report.parked), (0, 2), "{report:?}");
    let report = store.ingest(&founder.network, vec![genesis.bytes().to_vec()], NOW).unwrap();
    assert_eq!((report.applied, report.released), (3, 2), "{report:?}");
    assert_eq!(store.network(&founder.network).unwrap().n_pending, 0);
}
