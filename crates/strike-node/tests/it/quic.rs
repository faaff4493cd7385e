//! Sync over QUIC on 127.0.0.1: membership proofs, convergence, refusal of strangers,
//! concurrent sessions.

use std::sync::Arc;

use strike_net::PeerAddr;
use strike_node::Node;
use strike_node::peer::{ServeOptions, sync_with};
use tokio::sync::Mutex;

use crate::networks::Net;

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Runs a server thread's body (tests use it to capture that thread's logs).
pub type Wrap = Box<dyn FnOnce(&mut dyn FnMut()) + Send>;

/// A node serving in its own thread until its endpoint is closed.
pub struct Server {
    pub net: strike_net::Net,
    handle: std::thread::JoinHandle<Node>,
}

impl Server {
    /// Serves `node` on `listen` (a random loopback port if `None`). `wrap` runs the server
    /// thread's body (tests use it to capture that thread's logs).
    pub fn start(node: Node, listen: Option<std::net::SocketAddr>) -> Server {
        Server::start_with(node, listen, Box::new(|f| f()))
    }

    pub fn start_with(node: Node, listen: Option<std::net::SocketAddr>, wrap: Wrap) -> Server {
        Server::start_full(node, listen, false, wrap).0
    }

    /// Serves over QUIC and HTTP; returns the HTTP address too.
    pub fn start_http(node: Node) -> (Server, PeerAddr) {
        let (server, http) = Server::start_full(node, None, true, Box::new(|f| f()));
        (server, http.expect("serving HTTP"))
    }

    fn start_full(
        node: Node,
        listen: Option<std::net::SocketAddr>,
        http: bool,
        wrap: Wrap,
    ) -> (Server, Option<PeerAddr>) {
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(move || {
            let shared = Arc::new(Mutex::new(node));
            let mut body = || {
                // One thread: every log line of this node is written on this thread.
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let listen = listen.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap());
                    let net = shared.lock().await.bind(listen).await.unwrap();
                    let http_addr = if http {
                        let bound = net.serve_http("127.0.0.1:0".parse().unwrap()).await.unwrap();
                        Some(PeerAddr { id: net.id(), addrs: vec![], url: Some(format!("http://{bound}")) })
                    } else {
                        None
                    };
                    tx.send((net.clone(), http_addr)).unwrap();
                    strike_node::peer::serve(shared.clone(), &net, ServeOptions::default(), Arc::new(|_| {}))
                        .await
                        .unwrap();
                });
            };
            wrap(&mut body);
            Arc::try_unwrap(shared).map_err(|_| "a session still holds the node").unwrap().into_inner()
        });
        let (net, http) = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the server binds");
        (Server { net, handle }, http)
    }

    pub fn addr(&self) -> PeerAddr {
        self.net.addr()
    }

    /// Closes the endpoint and gives the node back.
    pub fn stop(self) -> Node {
        rt().block_on(self.net.close());
        self.handle.join().unwrap()
    }
}

/// Binds a client endpoint for `node` on loopback.
pub async fn client(node: &Mutex<Node>) -> strike_net::Net {
    node.lock().await.bind("127.0.0.1:0".parse().unwrap()).await.unwrap()
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
    // Everyone writes concurrently.
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
    let server = Server::start(sam, None);
    let addr: PeerAddr = server.addr();
    let (dee, ana, stranger, bo) = (Mutex::new(dee), Mutex::new(ana), Mutex::new(stranger), Mutex::new(bo));
    rt().block_on(async {
        let dee_net = client(&dee).await;
        let mut seen = Vec::new();
        let s = sync_with(&dee, &dee_net, &addr, network, &mut |p| {
            seen.push((p.stats.ops_received, p.stats.expected_incoming))
        })
        .await
        .unwrap();
        assert!(s.stats.ops_received >= 1 && s.stats.ops_sent >= 1);
        assert!(seen.iter().any(|(_, expected)| expected.is_some()), "progress knows what is coming: {seen:?}");
        assert_eq!(seen.iter().map(|(n, _)| *n).max(), Some(s.stats.ops_received), "and reports it all");
        let ana_net = client(&ana).await;
        sync_with(&ana, &ana_net, &addr, network, &mut |_| {}).await.unwrap();
        // The stranger asks for Sam's network: it is not a member of it, so it cannot even ask.
        let s_net = client(&stranger).await;
        assert!(sync_with(&stranger, &s_net, &addr, network, &mut |_| {}).await.is_err());
        // A forged request with the stranger's own keys for Sam's network is refused without
        // saying why, as is a request for a network Sam does not hold.
        let own = stranger.lock().await.networks().unwrap()[0].id;
        let err = sync_with(&stranger, &s_net, &addr, own, &mut |_| {}).await.unwrap_err().to_string();
        assert!(err.contains("refused"), "{err}");
        let bo_net = client(&bo).await;
        let err = sync_with(&bo, &bo_net, &addr, network, &mut |_| {}).await.unwrap_err().to_string();
        assert!(err.contains("refused"), "a removed member is refused: {err}");
        sync_with(&dee, &dee_net, &addr, network, &mut |_| {}).await.unwrap();
    });
    let sam = server.stop();
    let hash = sam.state_hash(&network).unwrap();
    assert_eq!(dee.into_inner().state_hash(&network).unwrap(), hash);
    assert_eq!(ana.into_inner().state_hash(&network).unwrap(), hash);
    assert_eq!(stranger.into_inner().networks().unwrap().len(), 1, "the stranger learned no network");
}

/// Sessions run at once: two members sync with one node at the same moment, and two
/// serving nodes sync with each other in both directions at once without deadlock (a session
/// holds its node only while it handles a frame).
#[test]
fn concurrent_sessions_and_nodes_syncing_each_other_at_once() {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let mut members = Vec::new();
    for name in ["m1", "m2", "m3", "m4"] {
        let (node, id) = net.join(&link, name, &mut sam);
        sam.vouch(&net.id, &id).unwrap();
        members.push(node);
    }
    for m in &mut members {
        net.ship(&sam, m);
    }
    for (i, m) in members.iter_mut().enumerate() {
        for j in 0..20 {
            m.set_skill(&net.id, &format!("skill {i} {j}"), true).unwrap();
        }
    }
    let network = net.id;
    let server = Server::start(sam, None);
    let addr = server.addr();
    let members: Vec<Arc<Mutex<Node>>> = members.into_iter().map(|m| Arc::new(Mutex::new(m))).collect();
    rt().block_on(async {
        let mut nets = Vec::new();
        for m in &members {
            nets.push(client(m).await);
        }
        let (mut pa, mut pb) = (|_: &_| {}, |_: &_| {});
        let (a, b) = tokio::join!(
            sync_with(&members[0], &nets[0], &addr, network, &mut pa),
            sync_with(&members[1], &nets[1], &addr, network, &mut pb),
        );
        assert!(a.unwrap().stats.ops_sent >= 20);
        assert!(b.unwrap().stats.ops_sent >= 20);

        // m3 and m4 each serve on their endpoint and, at the same time, dial the other from it.
        let (m3, m4) = (members[2].clone(), members[3].clone());
        let (n3, n4) = (nets[2].clone(), nets[3].clone());
        let serving: Vec<_> = [(m3.clone(), n3.clone()), (m4.clone(), n4.clone())]
            .into_iter()
            .map(|(node, net)| {
                tokio::spawn(async move {
                    strike_node::peer::serve(node, &net, ServeOptions::default(), Arc::new(|_| {})).await.unwrap()
                })
            })
            .collect();
        let deadline = std::time::Duration::from_secs(60);
        let (a3, a4) = (n3.addr(), n4.addr());
        let (mut p3, mut p4) = (|_: &_| {}, |_: &_| {});
        let (x, y) = tokio::time::timeout(deadline, async {
            tokio::join!(sync_with(&m3, &n3, &a4, network, &mut p3), sync_with(&m4, &n4, &a3, network, &mut p4))
        })
        .await
        .expect("no deadlock");
        x.unwrap();
        y.unwrap();
        n3.close().await;
        n4.close().await;
        for task in serving {
            assert!(task.await.unwrap() >= 1, "each served the other");
        }
        // Everyone once more with Sam, in turn, twice: all hold everything.
        for _ in 0..2 {
            for m in &members {
                let fresh = client(m).await;
                sync_with(m, &fresh, &addr, network, &mut |_| {}).await.unwrap();
                fresh.close().await;
            }
        }
    });
    let sam = server.stop();
    let hash = sam.state_hash(&network).unwrap();
    for m in &members {
        assert_eq!(rt().block_on(m.lock()).state_hash(&network).unwrap(), hash);
    }
    assert_eq!(sam.members(&network).unwrap().len(), 5);
}

/// At its session limit a node turns further connection attempts away before the handshake,
/// and serves again once a session ends.
#[test]
fn over_the_session_limit_connections_are_turned_away() {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let (mut dee, dee_id) = net.join(&link, "dee", &mut sam);
    sam.vouch(&net.id, &dee_id).unwrap();
    net.ship(&sam, &mut dee);
    let network = net.id;
    let busy = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sam = Arc::new(Mutex::new(sam));
    let dee = Mutex::new(dee);
    rt().block_on(async {
        let server = sam.lock().await.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = server.addr();
        let serving = {
            let (sam, server, busy) = (sam.clone(), server.clone(), busy.clone());
            tokio::spawn(async move {
                let opts = ServeOptions { concurrent: 1, ..Default::default() };
                let events = Arc::new(move |e| {
                    if matches!(e, strike_node::peer::ServeEvent::Busy) {
                        busy.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                });
                strike_node::peer::serve(sam, &server, opts, events).await.unwrap()
            })
        };
        let dee_net = client(&dee).await;
        // A connection that holds the only session slot and says nothing (yet).
        let mut holder = dee_net.connect(&addr).await.unwrap();
        let other = client(&dee).await;
        assert!(other.connect(&addr).await.is_err(), "the second is turned away");
        // The server reports it from its own task: wait for it, with a deadline.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while busy.load(std::sync::atomic::Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(busy.load(std::sync::atomic::Ordering::SeqCst), 1);
        // The first says something that is no proof: refused, and the slot frees.
        holder.send(b"junk").await.unwrap();
        assert!(
            holder
                .recv()
                .await
                .is_ok_and(|f| strike_sync::auth::Auth::decode(&f) == Some(strike_sync::auth::Auth::Refused))
        );
        drop(holder);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let synced = loop {
            match sync_with(&dee, &other, &addr, network, &mut |_| {}).await {
                Ok(s) => break s,
                Err(_) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await
                }
                Err(e) => panic!("{e}"),
            }
        };
        assert!(synced.stats.fast_path);
        server.close().await;
        serving.await.unwrap();
    });
}
