//! Joining over the network, no bundle carried: a joiner's restricted sessions at the
//! inviter's node (QUIC) and at a hub (HTTP), what they let through, the refusals, and the
//! rate limits.

use std::sync::Arc;

use strike_core::membership::Status;
use strike_core::{AuthorId, NetworkId};
use strike_net::PeerAddr;
use strike_node::Node;
use strike_node::joiner::{Reached, Standing, join_round};
use strike_node::networks::InviteLink;
use strike_node::peer::{ServeOptions, SharedNode, sync_with};
use strike_sync::auth::Auth;
use tokio::sync::Mutex;

use crate::networks::{Net, node, status};
use crate::quic::{Server, client, rt};

/// Serves `node` on loopback in the runtime; returns its address and the token that stops it.
async fn serving(node: SharedNode) -> (PeerAddr, strike_net::Net, tokio_util::sync::CancellationToken) {
    let net = node.lock().await.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = net.addr();
    let stop = tokio_util::sync::CancellationToken::new();
    let opts = ServeOptions { shutdown: stop.clone(), ..Default::default() };
    let server_net = net.clone();
    tokio::spawn(async move { strike_node::peer::serve(node, &server_net, opts, Arc::new(|_| {})).await });
    (addr, net, stop)
}

fn joiner(net: &Net, name: &str, link: &InviteLink) -> (Mutex<Node>, AuthorId) {
    let mut n = node(net, name);
    n.join(link, name).unwrap();
    let me = n.network(&net.id).unwrap().my_author.unwrap();
    (Mutex::new(n), me)
}

/// Everything the joiner holds of the network: logged ops and ops waiting for predecessors.
async fn held(n: &Mutex<Node>, id: &NetworkId) -> u64 {
    let row = n.lock().await.network(id).unwrap();
    row.n_ops + row.n_pending
}

async fn round(n: &Mutex<Node>, id: NetworkId) -> Vec<Reached> {
    let net = client(n).await;
    let r = join_round(n, &net, id).await.unwrap();
    net.close().await;
    r.attempts.into_iter().map(|(_, r)| r).collect()
}

#[test]
fn a_joiner_gets_in_over_quic_and_reads_nothing_until_a_vouch() {
    let (net, mut sam) = Net::found(1);
    let id = net.id;
    sam.announce(&id, "canary: picket at gate 3 on Monday").unwrap();
    rt().block_on(async {
        let sam = Arc::new(Mutex::new(sam));
        let (addr, _server_net, stop) = serving(sam.clone()).await;
        let link = sam.lock().await.create_invite(&id, 2, None, vec![addr.to_string()]).unwrap();
        assert_eq!(link.addresses, vec![addr.to_string()]);
        let (dee, dee_id) = joiner(&net, "dee", &link);
        let (ana, _) = joiner(&net, "ana", &link);

        // Dee's request travels by itself; Sam's node holds it at once.
        assert_eq!(round(&dee, id).await, vec![Reached::Waiting { received: 0 }]);
        assert_eq!(status(&*sam.lock().await, &id, &dee_id), Some(Status::Pending));
        assert_eq!(dee.lock().await.standing(&id).unwrap(), Standing::Waiting);
        // Ana, with the same invite, receives Dee's request (which the invite opens anyway) and
        // nothing else: no genesis, no invite, no announcement.
        assert_eq!(round(&ana, id).await, vec![Reached::Waiting { received: 1 }]);
        assert_eq!(held(&ana, &id).await, 2, "her own request and Dee's");
        assert!(ana.lock().await.announcements(&id, 10).unwrap().is_empty());
        assert_eq!(held(&dee, &id).await, 1, "Dee asked before Ana did");

        // Sam vouches; Dee's next round brings the key share and the network.
        sam.lock().await.vouch(&id, &dee_id).unwrap();
        let Reached::Admitted { received } = round(&dee, id).await[0].clone() else { panic!("not admitted") };
        assert!(received > 3, "the network arrived ({received} ops)");
        let d = dee.lock().await;
        assert_eq!(d.standing(&id).unwrap(), Standing::Member);
        assert!(d.announcements(&id, 10).unwrap().iter().any(|a| a.text.contains("canary")));
        assert_eq!(d.state_hash(&id).unwrap(), sam.lock().await.state_hash(&id).unwrap());
        drop(d);
        // Ana still reads nothing new: her vouch has not come.
        assert_eq!(round(&ana, id).await, vec![Reached::Waiting { received: 0 }]);
        assert!(ana.lock().await.announcements(&id, 10).unwrap().is_empty());
        assert_eq!(held(&ana, &id).await, 2);
        stop.cancel();
    });
}

/// Opens one restricted session by hand and returns the peer's raw answer.
async fn raw_answer(net: &strike_net::Net, peer: &PeerAddr, open: &dyn Fn(&[u8; 32], &[u8; 32]) -> Auth) -> Vec<u8> {
    let mut ch = net.connect(peer).await.unwrap();
    ch.send(&open(&ch.local, &ch.remote).encode()).await.unwrap();
    ch.recv().await.unwrap_or_default()
}

fn join_open(
    network: [u8; 32],
    secret: &[u8; 32],
    author: &strike_crypto::SigningSecret,
) -> impl Fn(&[u8; 32], &[u8; 32]) -> Auth {
    let (secret, author) = (*secret, strike_crypto::SigningSecret::from_seed(&author.seed()));
    move |local, remote| {
        let proof = strike_node::joining::join_proof(&NetworkId(network), local, remote);
        Auth::JoinOpen {
            network,
            invite: strike_core::membership::invite_id(&secret),
            author: author.public().0,
            invite_signature: strike_node::joining::invite_access(&secret)
                .sign(strike_sync::auth::JOIN_AUTH_LABEL, &proof),
            author_signature: author.sign(strike_sync::auth::JOIN_AUTH_LABEL, &proof),
        }
    }
}

#[test]
fn strangers_expired_and_used_up_invites_and_removed_joiners_are_refused_alike() {
    let (net, sam) = Net::found(1);
    let id = net.id;
    rt().block_on(async {
        let sam = Arc::new(Mutex::new(sam));
        let (addr, _server_net, stop) = serving(sam.clone()).await;
        let a = vec![addr.to_string()];
        let (one_use, short, spare) = {
            let mut s = sam.lock().await;
            (
                s.create_invite(&id, 1, None, a.clone()).unwrap(),
                s.create_invite(&id, 5, Some(3600), a.clone()).unwrap(),
                s.create_invite(&id, 5, None, a.clone()).unwrap(),
            )
        };
        // Used up: Ana takes the one use; Bo, with the same link, is refused.
        let (ana, _) = joiner(&net, "ana", &one_use);
        assert_eq!(round(&ana, id).await, vec![Reached::Waiting { received: 0 }]);
        let (bo, _) = joiner(&net, "bo", &one_use);
        assert_eq!(round(&bo, id).await, vec![Reached::Refused]);
        // Ana herself, among the invite's admissible requests, is still let in.
        assert!(matches!(round(&ana, id).await[0], Reached::Waiting { .. }));
        // Expired: two hours later (on Sam's clock) the one-hour invite lets nobody new in.
        sam.lock().await.set_clock_offset(2 * 3600);
        let (cy, _) = joiner(&net, "cy", &short);
        assert_eq!(round(&cy, id).await, vec![Reached::Refused]);
        // Removed: Sam turns Dee down; she is refused from then on.
        let (dee, dee_id) = joiner(&net, "dee", &spare);
        assert!(matches!(round(&dee, id).await[0], Reached::Waiting { .. }));
        sam.lock().await.remove(&id, &dee_id).unwrap();
        assert_eq!(round(&dee, id).await, vec![Reached::Refused]);
        assert_eq!(held(&bo, &id).await + held(&cy, &id).await, 2, "the refused got nothing");

        // A stranger with a made-up secret for the real network, and one for a network Sam does
        // not hold: the same answer, byte for byte, which names no network.
        let tmp = tempfile::tempdir().unwrap();
        let stranger = Mutex::new(Node::init(&tmp.path().join("x"), b"x", strike_crypto::KdfParams::MINIMUM).unwrap());
        let x_net = client(&stranger).await;
        let key = strike_crypto::SigningSecret::from_seed(&[7; 32]);
        let real = raw_answer(&x_net, &addr, &join_open(id.0, &[9; 32], &key)).await;
        let unknown = raw_answer(&x_net, &addr, &join_open([1; 32], &[9; 32], &key)).await;
        assert_eq!(real, Auth::Refused.encode());
        assert_eq!(unknown, real);
        assert!(!real.windows(8).any(|w| w == &id.0[..8]), "no network id in a refusal");
        // A valid proof for the wrong network id is refused too (the signature binds it).
        let wrong = raw_answer(&x_net, &addr, &join_open([1; 32], &spare.secret, &key)).await;
        assert_eq!(wrong, real);
        stop.cancel();
    });
}

#[test]
fn a_flood_of_restricted_sessions_is_rate_limited_while_members_are_served() {
    let (mut net, mut sam) = Net::found(1);
    let id = net.id;
    let member_link = sam.create_invite(&id, 1, None, vec![]).unwrap();
    let (mut ana, ana_id) = net.join(&member_link, "ana", &mut sam);
    sam.vouch(&id, &ana_id).unwrap();
    net.ship(&sam, &mut ana);
    let link = sam.create_invite(&id, 5, None, vec![]).unwrap();
    rt().block_on(async {
        let sam = Arc::new(Mutex::new(sam));
        let (addr, _server_net, stop) = serving(sam.clone()).await;
        let tmp = tempfile::tempdir().unwrap();
        let flooder = Mutex::new(Node::init(&tmp.path().join("f"), b"f", strike_crypto::KdfParams::MINIMUM).unwrap());
        let f_net = client(&flooder).await;
        let key = strike_crypto::SigningSecret::from_seed(&[3; 32]);
        let open = join_open(id.0, &link.secret, &key);
        let mut accepted = 0;
        let attempts = 40;
        for _ in 0..attempts {
            let answer = raw_answer(&f_net, &addr, &open).await;
            if answer != Auth::Refused.encode() {
                accepted += 1;
            }
        }
        // The address's burst, and the odd token that refilled while the flood ran.
        let burst = strike_node::joining::PER_ADDRESS_BURST as usize;
        assert!(accepted >= burst && accepted <= burst + 3, "{accepted} of {attempts} let in");
        // Ana, a member, is served as ever.
        sam.lock().await.announce(&id, "still here").unwrap();
        let ana = Mutex::new(ana);
        let a_net = client(&ana).await;
        let s = sync_with(&ana, &a_net, &addr, id, &mut |_| {}).await.unwrap();
        assert!(s.stats.ops_received >= 1);
        stop.cancel();
    });
}

#[test]
fn a_joiner_gets_in_through_a_hubs_http_port_while_the_inviter_is_offline() {
    let (net, mut sam) = Net::found(1);
    let id = net.id;
    sam.announce(&id, "canary through the hub").unwrap();
    let hub = Node::init(&net.tmp.path().join("hub"), b"hub", strike_crypto::KdfParams::MINIMUM).unwrap();
    let (server, http) = Server::start_http(hub);
    sam.grant_hub(&id, &server.addr(), 30).unwrap();
    let sam = Mutex::new(sam);
    rt().block_on(async {
        // Sam's node gives the hub the grant and, with it, the invite's ticket, then goes offline.
        let link = sam.lock().await.create_invite(&id, 1, None, vec![http.to_string()]).unwrap();
        let s_net = client(&sam).await;
        sync_with(&sam, &s_net, &server.addr(), id, &mut |_| {}).await.unwrap();
        let (dee, dee_id) = joiner(&net, "dee", &link);
        assert_eq!(round(&dee, id).await, vec![Reached::Waiting { received: 0 }]);
        // Sam comes back, finds Dee's request at the hub, vouches, and leaves the key share.
        sync_with(&sam, &s_net, &server.addr(), id, &mut |_| {}).await.unwrap();
        assert_eq!(status(&*sam.lock().await, &id, &dee_id), Some(Status::Pending));
        sam.lock().await.vouch(&id, &dee_id).unwrap();
        sync_with(&sam, &s_net, &server.addr(), id, &mut |_| {}).await.unwrap();
        // Dee's rounds: the key share (restricted), then the network (with the access proof
        // the key gives her).
        let mut rounds = 0;
        while dee.lock().await.standing(&id).unwrap() != Standing::Member {
            rounds += 1;
            assert!(rounds <= 3, "admitted within three rounds");
            round(&dee, id).await;
        }
        let d = dee.lock().await;
        assert!(d.announcements(&id, 10).unwrap().iter().any(|a| a.text.contains("canary")));
        assert_eq!(d.state_hash(&id).unwrap(), sam.lock().await.state_hash(&id).unwrap());
    });
    server.stop();
}

#[test]
fn a_joiner_vouched_after_a_key_rotation_gets_in_through_the_hub_alone() {
    let (mut net, mut sam) = Net::found(1);
    let id = net.id;
    // Ana is admitted and removed: the key rotates, and the hub is granted only after that,
    // so it knows the new epoch's access key and no other.
    let first = sam.create_invite(&id, 1, None, vec![]).unwrap();
    let (_ana, ana_id) = net.join(&first, "ana", &mut sam);
    sam.vouch(&id, &ana_id).unwrap();
    sam.remove(&id, &ana_id).unwrap();
    let rotated = sam.hub_access(&id).unwrap().unwrap().0;
    assert_ne!(rotated, 0, "the removal rotated the key");
    sam.announce(&id, "canary after the rotation").unwrap();
    let hub = Node::init(&net.tmp.path().join("hub"), b"hub", strike_crypto::KdfParams::MINIMUM).unwrap();
    let (server, http) = Server::start_http(hub);
    sam.grant_hub(&id, &server.addr(), 30).unwrap();
    let sam = Mutex::new(sam);
    rt().block_on(async {
        let link = sam.lock().await.create_invite(&id, 1, None, vec![http.to_string()]).unwrap();
        let s_net = client(&sam).await;
        sync_with(&sam, &s_net, &server.addr(), id, &mut |_| {}).await.unwrap();
        let (dee, dee_id) = joiner(&net, "dee", &link);
        assert!(dee.lock().await.hub_access(&id).unwrap().is_none(), "no key before the share");
        round(&dee, id).await;
        sync_with(&sam, &s_net, &server.addr(), id, &mut |_| {}).await.unwrap();
        sam.lock().await.vouch(&id, &dee_id).unwrap();
        sync_with(&sam, &s_net, &server.addr(), id, &mut |_| {}).await.unwrap();
        // Sam is offline from here. Dee's share arrives ahead of her chain; the last key in it
        // is the one Sam writes under, and she proves access with that.
        let mut rounds = 0;
        while dee.lock().await.standing(&id).unwrap() != Standing::Member {
            rounds += 1;
            assert!(rounds <= 3, "admitted within three rounds, through the hub alone");
            round(&dee, id).await;
        }
        let d = dee.lock().await;
        assert_eq!(d.hub_access(&id).unwrap().unwrap().0, rotated);
        assert!(d.announcements(&id, 10).unwrap().iter().any(|a| a.text.contains("canary after")));
        assert_eq!(d.state_hash(&id).unwrap(), sam.lock().await.state_hash(&id).unwrap());
    });
    server.stop();
}
