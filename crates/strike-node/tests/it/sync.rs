//! The sync protocol between real nodes (stores, ingest), in process. The transport issue runs
//! the same sessions over QUIC.

use strike_core::{Body, CoarseTime, OpDraft, OpId};
use strike_crypto::SigningSecret;
use strike_node::Node;
use strike_node::sync::sync_pair;

use crate::networks::Net;

/// Sam, Dee and Ana, all admitted, each on their own node holding everything.
fn three() -> (Net, Vec<Node>) {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let mut others = Vec::new();
    for name in ["dee", "ana"] {
        let (n, id) = net.join(&link, name, &mut sam);
        sam.vouch(&net.id, &id).unwrap();
        others.push(n);
    }
    for n in others.iter_mut() {
        net.ship(&sam, n);
        sam.promote(&net.id, &n.network(&net.id).unwrap().my_author.unwrap()).unwrap();
    }
    for n in others.iter_mut() {
        net.ship(&sam, n);
    }
    let mut nodes = vec![sam];
    nodes.extend(others);
    (net, nodes)
}

fn pair(nodes: &mut [Node], i: usize, j: usize, net: &Net) -> u64 {
    let (lo, hi) = nodes.split_at_mut(j);
    let summaries = sync_pair(&mut lo[i], &mut hi[0], net.id).unwrap();
    summaries.iter().map(|s| s.stats.ops_sent + s.stats.ops_received).sum()
}

fn texts(n: &Node, net: &Net) -> Vec<String> {
    let mut t: Vec<String> = n.announcements(&net.id, 1000).unwrap().into_iter().map(|a| a.text).collect();
    t.sort();
    t
}

#[test]
fn three_nodes_converge_after_concurrent_writes() {
    let (net, mut nodes) = three();
    for (i, n) in nodes.iter_mut().enumerate() {
        for k in 0..20 {
            n.announce(&net.id, &format!("node {i} says {k}")).unwrap();
        }
    }
    let moved = pair(&mut nodes, 0, 1, &net) + pair(&mut nodes, 1, 2, &net) + pair(&mut nodes, 0, 1, &net);
    assert_eq!(moved, 40 + 60 + 20, "each op crosses each link it must, once");
    let hash = nodes[0].state_hash(&net.id).unwrap();
    for n in &nodes {
        assert_eq!(n.state_hash(&net.id).unwrap(), hash);
        assert_eq!(texts(n, &net).len(), 60);
        assert_eq!(n.network(&net.id).unwrap().n_ops, nodes[0].network(&net.id).unwrap().n_ops);
    }
    // In sync: a session moves nothing.
    assert_eq!(pair(&mut nodes, 0, 2, &net), 0);
}

#[test]
fn partition_and_heal() {
    let (net, mut nodes) = three();
    // Sam and Dee write while cut off from each other; Ana is with Dee.
    for k in 0..15 {
        nodes[0].announce(&net.id, &format!("sam {k}")).unwrap();
        nodes[1].announce(&net.id, &format!("dee {k}")).unwrap();
    }
    pair(&mut nodes, 1, 2, &net);
    nodes[2].announce(&net.id, "ana after the cut").unwrap();
    let before: u64 = nodes.iter().map(|n| n.network(&net.id).unwrap().n_ops).max().unwrap();
    // Heal.
    pair(&mut nodes, 0, 2, &net);
    pair(&mut nodes, 0, 1, &net);
    let hash = nodes[0].state_hash(&net.id).unwrap();
    for n in &nodes {
        assert_eq!(n.state_hash(&net.id).unwrap(), hash);
        assert_eq!(texts(n, &net).len(), 31, "no op lost");
        assert_eq!(n.network(&net.id).unwrap().n_pending, 0);
    }
    assert_eq!(nodes[0].network(&net.id).unwrap().n_ops, before + 15, "and none applied twice");
}

#[test]
fn equivocation_spreads_as_evidence() {
    let (net, mut nodes) = three();
    // Dee's author key signs two different ops at her next seq: one reaches Sam, one Ana.
    let (seed, _) = nodes[1].store().my_author(&net.id).unwrap().unwrap();
    let dee = nodes[1].network(&net.id).unwrap().my_author.unwrap();
    let last = nodes[1].store().last_seq(&net.id, &dee).unwrap();
    let prev = nodes[1].store().op_id_at(&net.id, &dee, last).unwrap();
    let (epoch, key) = nodes[1].store().write_key(&net.id).unwrap().unwrap();
    let op = |text: &str| {
        OpDraft {
            network: net.id,
            seq: last + 1,
            prev,
            deps: vec![],
            time: CoarseTime::from_unix_seconds(nodes[1].now()),
            epoch,
            body: Body::Announcement(strike_core::Announcement { text: text.into() }),
        }
        .seal(&SigningSecret::from_seed(&seed), &key, strike_crypto::random_bytes(&mut rand::rng()))
        .unwrap()
        .into_bytes()
    };
    let (x, y) = (op("version one"), op("version two"));
    nodes[0].ingest(&net.id, vec![x]).unwrap();
    nodes[2].ingest(&net.id, vec![y]).unwrap();
    pair(&mut nodes, 0, 2, &net);
    for n in [&nodes[0], &nodes[2]] {
        assert!(n.store().equivocators(&net.id).unwrap().contains(&dee), "both hold the proof");
    }
    assert_eq!(nodes[0].state_hash(&net.id).unwrap(), nodes[2].state_hash(&net.id).unwrap());
    let _ = OpId([0; 32]);
}
