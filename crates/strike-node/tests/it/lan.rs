//! `serve --lan`: members of the same network find each other by mDNS and sync; a node of
//! another network on the same LAN is not recognised (on loopback and a private mDNS port).

use std::sync::Arc;
use std::time::{Duration, Instant};

use strike_crypto::KdfParams;
use strike_net::lan::Lan;
use strike_node::Node;
use strike_node::peer::{ServeOptions, sync_lan};
use tokio::sync::Mutex;

use crate::networks::Net;
use crate::quic::rt;

#[test]
fn members_on_one_lan_find_each_other_and_sync() {
    let (mut net, mut sam) = Net::found(1);
    let id = net.id;
    let link = sam.create_invite(&id, 10, None, vec![]).unwrap();
    let (mut dee, dee_id) = net.join(&link, "dee", &mut sam);
    sam.vouch(&id, &dee_id).unwrap();
    net.ship(&sam, &mut dee);
    sam.announce(&id, "found you on the LAN").unwrap();
    dee.set_skill(&id, "forklift", true).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut stranger = Node::init(&tmp.path().join("s"), b"s", KdfParams::MINIMUM).unwrap();
    stranger.create_network("Elsewhere", strike_core::NetworkKind::Crew).unwrap();

    let mdns_port = 40_000 + (std::process::id() % 20_000) as u16;
    let nodes: Vec<Arc<Mutex<Node>>> = [sam, dee, stranger].into_iter().map(|n| Arc::new(Mutex::new(n))).collect();
    rt().block_on(async {
        let mut nets = Vec::new();
        let mut lans = Vec::new();
        let mut serving = Vec::new();
        for node in &nodes {
            let n = node.lock().await.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
            let lan = Lan::start(mdns_port, n.id(), n.addr().addrs[0].port(), true).unwrap();
            let (node2, n2) = (node.clone(), n.clone());
            serving.push(tokio::spawn(async move {
                strike_node::peer::serve(node2, &n2, ServeOptions::default(), Arc::new(|_| {})).await.unwrap()
            }));
            nets.push(n);
            lans.push(lan);
        }
        // Every node advertises; wait until Sam has heard from both others.
        let deadline = Instant::now() + Duration::from_secs(30);
        for (node, (n, lan)) in nodes.iter().zip(nets.iter().zip(&lans)) {
            sync_lan(node, n, lan).await.unwrap();
        }
        while lans[0].peers().len() < 2 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(lans[0].peers().len(), 2, "Sam heard Dee and the stranger");
        let rounds = sync_lan(&nodes[0], &nets[0], &lans[0]).await.unwrap();
        assert_eq!(rounds.len(), 1, "one network in common with one peer: {rounds:?}");
        assert_eq!(rounds[0].addr, nets[1].addr().to_string());
        let s = rounds[0].result.as_ref().unwrap();
        assert!(s.stats.ops_sent >= 1 && s.stats.ops_received >= 1);
        // The stranger finds Sam and Dee but shares no tag: it syncs nothing.
        while lans[2].peers().len() < 2 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(sync_lan(&nodes[2], &nets[2], &lans[2]).await.unwrap().is_empty());
        for n in &nets {
            n.close().await;
        }
        for s in serving {
            s.await.unwrap();
        }
    });
    let hash = rt().block_on(nodes[0].lock()).state_hash(&id).unwrap();
    assert_eq!(rt().block_on(nodes[1].lock()).state_hash(&id).unwrap(), hash);
    assert_eq!(rt().block_on(nodes[2].lock()).networks().unwrap().len(), 1, "the stranger learned no network");
}

/// Tags are the network's and the hour's: members agree on them, others cannot make them,
/// and they change every hour.
#[test]
fn lan_tags_are_per_network_key_and_hour() {
    let key = strike_crypto::SymmetricKey::from_bytes([5; 32]);
    let other = strike_crypto::SymmetricKey::from_bytes([6; 32]);
    let net = strike_core::NetworkId([1; 32]);
    let t = strike_node::peer::lan_tag(&net, &key, 500_000);
    assert_eq!(t, strike_node::peer::lan_tag(&net, &key, 500_000));
    assert_ne!(t, strike_node::peer::lan_tag(&net, &key, 500_001));
    assert_ne!(t, strike_node::peer::lan_tag(&net, &other, 500_000));
    assert_ne!(t, strike_node::peer::lan_tag(&strike_core::NetworkId([2; 32]), &key, 500_000));
}
