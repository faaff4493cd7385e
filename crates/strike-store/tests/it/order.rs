//! Order independence: the same ops, in any order and with duplicates, give the same state.

use proptest::prelude::*;
use strike_core::{Announcement, Body, SealedOp};

use crate::support::{Author, NOW, memory_store};

/// A fixed pool of ops: a founder's chain, a fork (equivocation), a stranger's ops and junk.
fn pool() -> (strike_core::NetworkId, strike_crypto::SymmetricKey, Vec<Vec<u8>>) {
    let (mut founder, genesis) = Author::founder(4);
    let mut ops: Vec<SealedOp> = vec![genesis];
    for i in 0..12 {
        ops.push(founder.announce(&format!("announcement {i}")));
    }
    // The founder forks at seq 10: both versions, and a successor on the fork.
    let at9 = ops[9].id();
    let fork = founder.draft(10, Some(at9), Body::Announcement(Announcement { text: "fork".into() }), vec![]);
    let fork_next =
        founder.draft(11, Some(fork.id()), Body::Announcement(Announcement { text: "fork next".into() }), vec![]);
    ops.push(fork);
    ops.push(fork_next);
    let mut stranger = founder.stranger(5);
    let head = ops[3].id();
    ops.push(stranger.write(Body::Announcement(Announcement { text: "intruder".into() }), vec![head]));
    let mut bytes: Vec<Vec<u8>> = ops.iter().map(|o| o.bytes().to_vec()).collect();
    let mut junk = bytes[2].clone();
    junk[100] ^= 4;
    bytes.push(junk);
    (founder.network, founder.key.clone(), bytes)
}

fn state_after(
    network: &strike_core::NetworkId,
    key: &strike_crypto::SymmetricKey,
    deliveries: &[Vec<Vec<u8>>],
) -> [u8; 32] {
    let mut store = memory_store();
    store.ensure_network(network, NOW).unwrap();
    store.put_epoch_key(network, 0, key).unwrap();
    for batch in deliveries {
        store.ingest(network, batch.clone(), NOW).unwrap();
    }
    let hash = store.state_hash(network).unwrap();
    store.rebuild_views().unwrap();
    assert_eq!(store.state_hash(network).unwrap(), hash, "rebuild changed the state hash");
    hash
}

fn cases() -> u32 {
    std::env::var("OPENSTRIKE_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Any subset of the pool, delivered twice in two random orders, in random batches and
    /// with duplicates, gives one state hash.
    #[test]
    fn any_order_any_batching_same_state(
        subset in proptest::sample::subsequence((0..17usize).collect::<Vec<_>>(), 0..=17),
        seed_a in any::<u64>(),
        seed_b in any::<u64>(),
    ) {
        let (network, key, pool) = pool();
        let chosen: Vec<Vec<u8>> = subset.iter().map(|&i| pool[i].clone()).collect();
        let a = deliver(&chosen, seed_a);
        let b = deliver(&chosen, seed_b);
        prop_assert_eq!(state_after(&network, &key, &a), state_after(&network, &key, &b));
    }
}

/// Shuffles with duplicates and cuts into batches, deterministically from `seed`.
fn deliver(ops: &[Vec<u8>], seed: u64) -> Vec<Vec<Vec<u8>>> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut all: Vec<Vec<u8>> = ops.to_vec();
    for op in ops {
        if next() % 3 == 0 {
            all.push(op.clone());
        }
    }
    for i in (1..all.len()).rev() {
        all.swap(i, (next() % (i as u64 + 1)) as usize);
    }
    let mut batches = Vec::new();
    while !all.is_empty() {
        let n = ((next() % 4) as usize + 1).min(all.len());
        batches.push(all.drain(..n).collect());
    }
    batches
}

#[test]
fn full_pool_converges_and_flags_the_fork() {
    let (network, key, pool) = pool();
    let forward = state_after(&network, &key, std::slice::from_ref(&pool));
    let mut reversed = pool.clone();
    reversed.reverse();
    assert_eq!(forward, state_after(&network, &key, &[reversed]));
    let mut store = memory_store();
    store.ensure_network(&network, NOW).unwrap();
    store.put_epoch_key(&network, 0, &key).unwrap();
    let report = store.ingest(&network, pool, NOW).unwrap();
    // Both fork ops collide with the original chain (seq 10 and 11): two pieces of evidence.
    assert_eq!(report.equivocations, 2, "{report:?}");
    // Announcements 0..=7 are seq 2..=9; from seq 10 on the founder equivocated.
    assert_eq!(store.announcements(&network, 100).unwrap().len(), 8);
}
