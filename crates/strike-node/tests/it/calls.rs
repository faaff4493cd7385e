//! Strike calls across nodes: rules, exempt roles, the trigger everywhere, and the people who
//! must never move a count (non-members, removed members, duplicates, equivocators).

use proptest::prelude::*;
use strike_core::body::Contact;
use strike_core::calls::{Call, CallKind, CallStatus, Dimension, Rule, Wave};
use strike_core::{AuthorId, Body, CoarseTime, NetworkId, OpDraft, OpId};
use strike_crypto::{KdfParams, SigningSecret};
use strike_node::Node;

use crate::networks::Net;

/// Sam (organizer, packing), Dee and Ana (packing, picking) and Nia (a nurse, exempt), all
/// admitted; every node holds everything.
pub fn workplace() -> (Net, Vec<Node>, Vec<AuthorId>) {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let mut nodes = vec![];
    let mut ids = vec![sam.network(&net.id).unwrap().my_author.unwrap()];
    for name in ["dee", "ana", "nia"] {
        let (n, id) = net.join(&link, name, &mut sam);
        sam.vouch(&net.id, &id).unwrap();
        nodes.push(n);
        ids.push(id);
    }
    for n in nodes.iter_mut() {
        net.ship(&sam, n);
    }
    let profiles = [("packing", "picker"), ("packing", "packer"), ("picking", "picker"), ("clinic", "nurse")];
    let mut all = vec![sam];
    all.extend(nodes);
    for (n, (dept, role)) in all.iter_mut().zip(profiles) {
        n.set_profile(&net.id, |p| {
            p.workplace = "Dock 4".into();
            p.department = dept.into();
            p.shift = "night".into();
            p.role = role.into();
        })
        .unwrap();
    }
    // Two co-workers in picking are mapped but not members.
    for name in ["Lee", "Kim"] {
        let contact = Contact {
            name: name.into(),
            workplace: "Dock 4".into(),
            department: "picking".into(),
            shift: "day".into(),
            role: "picker".into(),
        };
        all[0].add_contact(&net.id, contact).unwrap();
    }
    everyone_syncs(&mut net, &mut all);
    (net, all, ids)
}

/// Gathers every node's ops at the first node, then spreads them back.
pub fn everyone_syncs(net: &mut Net, nodes: &mut [Node]) {
    let (first, rest) = nodes.split_first_mut().unwrap();
    for n in rest.iter() {
        net.ship(n, first);
    }
    for n in rest.iter_mut() {
        net.ship(first, n);
    }
}

pub fn call(deadline_in_minutes: u32, rules: Vec<Rule>, node: &Node) -> Call {
    let now = CoarseTime::from_unix_seconds(node.now()).0;
    Call {
        kind: CallKind::Strike,
        title: "One-day strike".into(),
        demands: vec!["Heat in the packing hall".into()],
        scope: "Dock 4".into(),
        deadline: now + deadline_in_minutes,
        exempt_roles: vec!["nurse".into()],
        waves: vec![Wave { rules, starts: now + deadline_in_minutes + 60 }],
        secret: None,
    }
}

#[test]
fn a_call_with_several_rules_triggers_on_every_node() {
    let (mut net, mut nodes, _) = workplace();
    let rules = vec![
        Rule::Count { n: 3 },
        Rule::Share { permille: 500 },
        Rule::MinPer { dimension: Dimension::Department, n: 1 },
    ];
    let c = call(3 * 24 * 60, rules, &nodes[0]);
    let call_id = nodes[0].create_call(&net.id, c).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    let view = nodes[1].call(&net.id, &call_id).unwrap();
    // Workforce: Sam, Dee, Ana + 2 contacts = 5; Nia (nurse) is left out.
    assert_eq!((view.tally.workforce, view.tally.counted, view.tally.status), (5, 0, CallStatus::Open));

    // The nurse pledges support: not counted. Sam and Dee pledge: 2 of 3, 40% < 50%,
    // picking has none.
    for i in [3, 0, 1] {
        nodes[i].pledge(&net.id, &call_id, true).unwrap();
    }
    everyone_syncs(&mut net, &mut nodes);
    let t = nodes[2].call(&net.id, &call_id).unwrap().tally;
    assert_eq!((t.counted, t.support, t.status), (2, 1, CallStatus::Open));
    assert_eq!(t.waves[0].rules[2].groups[0], ("picking".to_string(), 0, 1), "picking needs 1 more");

    // Dee withdraws and pledges again; Ana (picking) pledges: 3 of 3, 60%, every department.
    nodes[1].pledge(&net.id, &call_id, false).unwrap();
    nodes[1].pledge(&net.id, &call_id, true).unwrap();
    nodes[2].pledge(&net.id, &call_id, true).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    let expected = nodes[0].state_hash(&net.id).unwrap();
    for n in &nodes {
        let t = n.call(&net.id, &call_id).unwrap().tally;
        assert_eq!((t.counted, t.status), (3, CallStatus::Triggered));
        assert_eq!(n.state_hash(&net.id).unwrap(), expected, "every node holds the same state");
    }
    // Held to the pledge after the trigger.
    assert!(nodes[2].pledge(&net.id, &call_id, false).is_err());
    // And it starts at its start time.
    nodes[3].set_clock_offset(4 * 86400);
    assert_eq!(nodes[3].call(&net.id, &call_id).unwrap().tally.status, CallStatus::Started);
}

#[test]
fn late_pledges_and_expired_calls() {
    let (mut net, mut nodes, _) = workplace();
    let c = call(60, vec![Rule::Count { n: 2 }], &nodes[0]);
    let call_id = nodes[0].create_call(&net.id, c).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    nodes[1].pledge(&net.id, &call_id, true).unwrap();
    // Two hours later the deadline has passed: pledging is refused locally...
    nodes[2].set_clock_offset(2 * 3600);
    assert!(nodes[2].pledge(&net.id, &call_id, true).is_err());
    // ...and a late pledge written anyway (a node with its clock behind, or a backdating
    // peer) does not count once the organizer's checkpoint closes the count.
    let (first, rest) = nodes.split_first_mut().unwrap();
    net.ship(&rest[0], first);
    nodes[0].set_clock_offset(2 * 3600);
    let upkeep = nodes[0].upkeep(&net.id).unwrap();
    assert_eq!(upkeep.checkpoints, 1, "the organizer closes the call at its deadline");
    assert_eq!(nodes[0].upkeep(&net.id).unwrap().checkpoints, 0, "once");
    everyone_syncs(&mut net, &mut nodes);
    nodes[2].set_clock_offset(0);
    nodes[2].pledge(&net.id, &call_id, true).unwrap(); // claims a time before the deadline
    let (first, rest) = nodes.split_first_mut().unwrap();
    net.ship(&rest[1], first);
    nodes[0].set_clock_offset(0);
    let would = nodes[0].call(&net.id, &call_id).unwrap().tally;
    assert_eq!(
        would.counted, 1,
        "the checkpoint keeps the backdated pledge out, even before the deadline on this clock"
    );
    everyone_syncs(&mut net, &mut nodes);
    for n in nodes.iter_mut() {
        n.set_clock_offset(2 * 3600);
        let view = n.call(&net.id, &call_id).unwrap();
        assert_eq!((view.tally.counted, view.tally.status), (1, CallStatus::Expired));
        assert!(view.closed_by.is_some());
    }
}

#[test]
fn escalation_waves() {
    let (mut net, mut nodes, _) = workplace();
    let mut c = call(24 * 60, vec![Rule::Count { n: 1 }], &nodes[0]);
    c.waves.push(Wave { rules: vec![Rule::Count { n: 3 }], starts: c.waves[0].starts + 7 * 24 * 60 });
    let call_id = nodes[0].create_call(&net.id, c).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    nodes[1].pledge(&net.id, &call_id, true).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    let t = nodes[0].call(&net.id, &call_id).unwrap().tally;
    assert!(t.waves[0].triggered_at.is_some() && t.waves[1].triggered_at.is_none());
    nodes[0].pledge(&net.id, &call_id, true).unwrap();
    nodes[2].pledge(&net.id, &call_id, true).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    let t = nodes[3].call(&net.id, &call_id).unwrap().tally;
    assert!(t.waves[1].triggered_at.is_some(), "the second wave triggers at 3 pledges");
}

/// Writes a pledge as `seed`'s author with explicit chain fields: what a hostile peer can do.
fn forged_pledge(
    net: &NetworkId,
    seed: &[u8; 32],
    key_node: &Node,
    seq: u64,
    prev: Option<OpId>,
    call: &OpId,
    t: u32,
) -> Vec<u8> {
    let (epoch, key) = key_node.store().write_key(net).unwrap().unwrap();
    let draft = OpDraft {
        network: *net,
        seq,
        prev,
        deps: vec![],
        time: CoarseTime(t),
        epoch,
        body: Body::Pledge(strike_core::calls::Pledge { call: *call, pledged: true }),
    };
    draft.seal(&SigningSecret::from_seed(seed), &key, [seq as u8; 24]).unwrap().into_bytes()
}

#[test]
fn sybils_removed_members_duplicates_and_equivocators_never_count() {
    let (mut net, mut nodes, ids) = workplace();
    let c = call(24 * 60, vec![Rule::Count { n: 10 }], &nodes[0]);
    let call_id = nodes[0].create_call(&net.id, c).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    let net_id = net.id;
    let count = |n: &Node| n.call(&net_id, &call_id).unwrap().tally.counted;
    let now = CoarseTime::from_unix_seconds(nodes[0].now()).0;

    // A stranger with a leaked key: their first op is not a join request, so it is refused.
    let stranger = [77u8; 32];
    let op = forged_pledge(&net.id, &stranger, &nodes[0], 1, None, &call_id, now);
    let report = nodes[0].ingest(&net.id, vec![op]).unwrap();
    assert_eq!(report.rejected.get("no_right_to_write"), Some(&1));

    // A pending joiner (nobody vouched) cannot even write under the network key's epoch
    // without the key; with a leaked key, the pledge is logged but does not count.
    let link = nodes[0].create_invite(&net.id, 5, None, vec![]).unwrap();
    let mut sam = nodes.remove(0);
    let (pending, _) = net.join(&link, "pat", &mut sam);
    nodes.insert(0, sam);
    let (seed, _) = pending.store().my_author(&net.id).unwrap().unwrap();
    let join_op = pending.store().last_seq(&net.id, &pending.network(&net.id).unwrap().my_author.unwrap()).unwrap();
    assert_eq!(join_op, 1);
    let mut prev = None;
    pending
        .store()
        .for_each_op(&net.id, |b| {
            prev = Some(OpId(strike_crypto::hash(b)));
            Ok(())
        })
        .unwrap()
        .unwrap();
    let op = forged_pledge(&net.id, &seed, &nodes[0], 2, prev, &call_id, now);
    nodes[0].ingest(&net.id, vec![op]).unwrap();
    assert_eq!(count(&nodes[0]), 0);

    // Duplicates: Dee pledges, and the same op arrives three more times.
    nodes[1].pledge(&net.id, &call_id, true).unwrap();
    for _ in 0..3 {
        let (first, rest) = nodes.split_first_mut().unwrap();
        net.ship(&rest[0], first);
    }
    assert_eq!(count(&nodes[0]), 1);

    // Ana equivocates: two different ops at one sequence number. Her pledge stops counting.
    let (ana_seed, _) = nodes[2].store().my_author(&net.id).unwrap().unwrap();
    let ana_last = nodes[2].store().last_seq(&net.id, &ids[2]).unwrap();
    let mut ana_prev = None;
    nodes[2]
        .store()
        .for_each_op(&net.id, |b| {
            let op = strike_core::SealedOp::from_verified_store(b.to_vec()).unwrap();
            if op.envelope().author == ids[2] && op.envelope().seq == ana_last {
                ana_prev = Some(op.id());
            }
            Ok(())
        })
        .unwrap()
        .unwrap();
    let a = forged_pledge(&net.id, &ana_seed, &nodes[0], ana_last + 1, ana_prev, &call_id, now);
    let mut b = forged_pledge(&net.id, &ana_seed, &nodes[0], ana_last + 1, ana_prev, &call_id, now + 1);
    nodes[0].ingest(&net.id, vec![a]).unwrap();
    assert_eq!(count(&nodes[0]), 2);
    let report = nodes[0].ingest(&net.id, vec![std::mem::take(&mut b)]).unwrap();
    assert_eq!(report.equivocations, 1);
    assert_eq!(count(&nodes[0]), 1, "an equivocating author never raises a count");

    // A removed member's pledge written after the removal does not count either.
    let nia = ids[3];
    nodes[0].remove(&net.id, &nia).unwrap();
    let (nia_seed, _) = nodes[3].store().my_author(&net.id).unwrap().unwrap();
    let nia_last = nodes[3].store().last_seq(&net.id, &nia).unwrap();
    let mut nia_prev = None;
    nodes[3]
        .store()
        .for_each_op(&net.id, |b| {
            let op = strike_core::SealedOp::from_verified_store(b.to_vec()).unwrap();
            if op.envelope().author == nia && op.envelope().seq == nia_last {
                nia_prev = Some(op.id());
            }
            Ok(())
        })
        .unwrap()
        .unwrap();
    let op = forged_pledge(&net.id, &nia_seed, &nodes[3], nia_last + 1, nia_prev, &call_id, now + 2);
    let before = count(&nodes[0]);
    nodes[0].ingest(&net.id, vec![op]).unwrap();
    assert_eq!(count(&nodes[0]), before);
}

proptest! {
    // OPENSTRIKE_PROPTEST_CASES scales this up (each case opens a node: Argon2id at 64 MiB).
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// The same pledges and withdrawals (and a removal with its key rotation, and the removed
    /// member's later pledge), delivered in any order in any batches, give one call status and
    /// one state hash.
    #[test]
    fn pledge_order_does_not_matter(seed in any::<u64>(), batch in 1usize..6) {
        let (net, ops) = PLEDGE_POOL.with(|p| p.clone());
        let (_tmp, fresh) = fresh_node_with(&net.0, &net.2, ops, seed, batch);
        prop_assert_eq!(fresh.state_hash(&net.0).unwrap(), net.1);
        let t = fresh.call(&net.0, &net.3).unwrap().tally;
        prop_assert_eq!((t.counted, t.status), (net.4, net.5));
    }
}

/// A fresh node handed `ops` shuffled by `seed`, in batches of `batch`, then the network's keys
/// (as a member's second device would be).
pub fn fresh_node_with(
    network: &NetworkId,
    keys: &[(u32, [u8; 32])],
    mut ops: Vec<Vec<u8>>,
    seed: u64,
    batch: usize,
) -> (tempfile::TempDir, Node) {
    let mut rng = seed;
    for i in (1..ops.len()).rev() {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ops.swap(i, (rng >> 33) as usize % (i + 1));
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut fresh = Node::init(&tmp.path().join("n"), b"n", KdfParams::MINIMUM).unwrap();
    for chunk in ops.chunks(batch) {
        fresh.ingest(network, chunk.to_vec()).unwrap();
    }
    for (epoch, key) in keys {
        fresh.store_mut().put_epoch_key(network, *epoch, &strike_crypto::SymmetricKey::from_bytes(*key)).unwrap();
    }
    (tmp, fresh)
}

pub fn cases() -> u32 {
    std::env::var("OPENSTRIKE_PROPTEST_CASES").ok().and_then(|v| v.parse::<u32>().ok()).map_or(16, |n| n.clamp(1, 200))
}

type Pool = ((NetworkId, [u8; 32], Vec<(u32, [u8; 32])>, OpId, u64, CallStatus), Vec<Vec<u8>>);

thread_local! {
    /// A network with a call and a history of pledges and withdrawals, and all its ops.
    static PLEDGE_POOL: Pool = {
        let (mut net, mut nodes, _) = workplace();
        let c = call(24 * 60, vec![Rule::Count { n: 4 }], &nodes[0]);
        let call_id = nodes[0].create_call(&net.id, c).unwrap();
        everyone_syncs(&mut net, &mut nodes);
        for (who, pledged) in [(1, true), (2, true), (1, false), (3, true), (0, true), (1, true), (2, false)] {
            nodes[who].pledge(&net.id, &call_id, pledged).unwrap();
        }
        everyone_syncs(&mut net, &mut nodes);
        // Ana is removed (the key rotates); her later pledge, written with the old key, is
        // logged but never counts; Dee withdraws under the new key.
        let ana = nodes[2].network(&net.id).unwrap().my_author.unwrap();
        nodes[0].remove(&net.id, &ana).unwrap();
        nodes[2].pledge(&net.id, &call_id, true).unwrap();
        let (first, rest) = nodes.split_first_mut().unwrap();
        net.leak(&rest[1], first);
        net.ship(first, &mut rest[0]);
        rest[0].pledge(&net.id, &call_id, false).unwrap();
        net.ship(&rest[0], first);
        let mut ops = Vec::new();
        nodes[0].store().for_each_op(&net.id, |b| { ops.push(b.to_vec()); Ok(()) }).unwrap().unwrap();
        let t = nodes[0].call(&net.id, &call_id).unwrap().tally;
        assert_eq!(t.counted, 1, "Sam only: Dee withdrew, Ana was removed, Nia is exempt");
        // The fresh nodes get the network keys, as a member's second device would.
        let keys: Vec<(u32, [u8; 32])> =
            nodes[0].store().network_keys(&net.id).unwrap().into_iter().map(|(e, k)| (e, *k.expose())).collect();
        assert_eq!(keys.len(), 2, "epoch 0 and the rotated epoch");
        std::mem::forget(net);
        ((net_id_of(&nodes[0]), nodes[0].state_hash(&net_id_of(&nodes[0])).unwrap(), keys, call_id, t.counted, t.status), ops)
    };
}

fn net_id_of(n: &Node) -> NetworkId {
    n.networks().unwrap()[0].id
}
