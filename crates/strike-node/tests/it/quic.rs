//! Sync over QUIC on 127.0.0.1: membership proofs, convergence, refusal of strangers.

use strike_net::PeerAddr;
use strike_node::Node;

use crate::networks::Net;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Runs `node` as a server in its own thread until its endpoint is closed; returns its
/// endpoint (to close it) and a handle that gives the node back.
fn serve(node: Node) -> (strike_net::Net, std::thread::JoinHandle<Node>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let mut node = node;
        rt().block_on(async {
            let net = node.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
            tx.send(net.clone()).unwrap();
            node.serve(&net, None).await.unwrap();
        });
        node
    });
    let net = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the server binds");
    (net, handle)
}

#[test]
fn members_converge_over_quic_and_strangers_and_removed_members_get_nothing() {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let (mut dee, dee_id) = net.join(&link, "dee", &mut sam);
    let (mut ana, ana_id) = net.join(&link, "ana", &mut sam);
    sam.vouch(&net.id, &dee_id).unwrap();
    sam.vouch(&net.id, &ana_id).unwrap();
    net.ship(&sam, &mut dee);
    net.ship(&sam, &mut ana);
    // Everyone writes concurrently; Sam and Dee are organizers' equals for announcing.
    sam.announce(&net.id, "from sam").unwrap();
    dee.set_skill(&net.id, "car", true).unwrap();
    ana.set_skill(&net.id, "legal", true).unwrap();

    // A stranger: its own node, its own network, no membership in Sam's.
    let tmp = tempfile::tempdir().unwrap();
    let mut stranger = Node::init(&tmp.path().join("s"), b"stranger", strike_crypto::KdfParams::MINIMUM).unwrap();
    stranger.create_network("Elsewhere", strike_core::NetworkKind::Crew).unwrap();

    let network = net.id;
    // Bo was a member and is removed (Sam's view): his key gets nothing any more.
    let (mut bo, bo_id) = net.join(&link, "bo", &mut sam);
    sam.vouch(&net.id, &bo_id).unwrap();
    net.ship(&sam, &mut bo);
    sam.remove(&net.id, &bo_id).unwrap();
    let (server_net, server) = serve(sam);
    let addr: PeerAddr = server_net.addr();
    let rt = rt();
    rt.block_on(async {
        let dee_net = dee.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let mut seen = Vec::new();
        let s = dee
            .sync_with_progress(&dee_net, &addr, network, &mut |p| {
                seen.push((p.stats.ops_received, p.stats.expected_incoming))
            })
            .await
            .unwrap();
        assert!(s.stats.ops_received >= 1 && s.stats.ops_sent >= 1);
        assert!(seen.iter().any(|(_, expected)| expected.is_some()), "progress knows what is coming: {seen:?}");
        assert_eq!(seen.iter().map(|(n, _)| *n).max(), Some(s.stats.ops_received), "and reports it all");
        let ana_net = ana.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        ana.sync_with(&ana_net, &addr, network).await.unwrap();
        // The stranger asks for Sam's network: it is not a member of it, so it cannot even ask.
        let s_net = stranger.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        assert!(stranger.sync_with(&s_net, &addr, network).await.is_err());
        // A forged request with the stranger's own keys for Sam's network is refused without
        // saying why, as is a request for a network Sam does not hold.
        let own = stranger.networks().unwrap()[0].id;
        let err = stranger.sync_with(&s_net, &addr, own).await.unwrap_err().to_string();
        assert!(err.contains("refused"), "{err}");
        let bo_net = bo.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let err = bo.sync_with(&bo_net, &addr, network).await.unwrap_err().to_string();
        assert!(err.contains("refused"), "a removed member is refused: {err}");
        dee.sync_with(&dee_net, &addr, network).await.unwrap();
        server_net.close().await;
    });
    let sam = server.join().unwrap();
    let hash = sam.state_hash(&network).unwrap();
    assert_eq!(dee.state_hash(&network).unwrap(), hash);
    assert_eq!(ana.state_hash(&network).unwrap(), hash);
    assert_eq!(stranger.networks().unwrap().len(), 1, "the stranger learned no network");
}
