//! Hubs: members who are never online together converge through a hub that holds no keys,
//! survives a restart, learns no names, content or keys, and lets in only holders of the
//! founder's grant's access keys.

use std::io::Write;
use std::sync::{Arc, Mutex as StdMutex};

use strike_crypto::KdfParams;
use strike_node::Node;
use strike_node::peer::sync_with;
use strike_sync::auth::{Auth, Side, proof_message};
use strike_sync::hub::{ACCESS_LABEL, Grant, GrantBody};
use tokio::sync::Mutex;

use crate::networks::Net;
use crate::quic::{Server, Wrap, client, rt};

#[derive(Clone, Default)]
pub struct LogBuf(pub Arc<StdMutex<Vec<u8>>>);

impl Write for LogBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the hub's thread with every log line (all levels) captured into `logs`.
pub fn capturing(logs: LogBuf) -> Wrap {
    Box::new(move |body| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || logs.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, body);
    })
}

/// One sync of `node` with the hub at `addr`, from a fresh endpoint (nodes come and go).
pub fn sync_at(
    node: Node,
    addr: &strike_net::PeerAddr,
    network: strike_core::NetworkId,
) -> (Node, Result<u64, String>) {
    let node = Mutex::new(node);
    let result = rt().block_on(async {
        let net = client(&node).await;
        let r = sync_with(&node, &net, addr, network, &mut |_| {}).await;
        net.close().await;
        r.map(|s| s.stats.ops_sent + s.stats.ops_received).map_err(|e| e.to_string())
    });
    (node.into_inner(), result)
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

pub fn files_under(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    out
}

#[test]
fn members_who_never_meet_converge_through_a_hub_that_learns_nothing() {
    let (mut net, mut sam) = Net::found(1);
    let id = net.id;
    let link = sam.create_invite(&id, 10, None, vec![]).unwrap();
    let (mut dee, dee_id) = net.join(&link, "dee", &mut sam);
    let (mut ana, ana_id) = net.join(&link, "ana", &mut sam);
    sam.vouch(&id, &dee_id).unwrap();
    sam.vouch(&id, &ana_id).unwrap();
    net.ship(&sam, &mut dee);
    net.ship(&sam, &mut ana);
    net.ship(&dee, &mut ana);

    // Canaries: content, names and keys the hub must never hold.
    let announcement = "CANARY-7f3a picket at gate 2 on friday";
    sam.announce(&id, announcement).unwrap();
    dee.set_profile(&id, |p| {
        p.pseudonym = "CANARY-Deelia".into();
        p.department = "CANARY-cold-store".into();
    })
    .unwrap();

    let hub_dir = net.tmp.path().join("hub");
    let hub = Node::init(&hub_dir, b"hub operator passphrase", KdfParams::MINIMUM).unwrap();
    let logs = LogBuf::default();
    let server = Server::start_with(hub, None, capturing(logs.clone()));
    let hub_addr = server.addr();
    let listen = hub_addr.addrs[0];

    // Only the founder can grant.
    assert!(dee.grant_hub(&id, &hub_addr, 30).is_err());
    let grant = sam.grant_hub(&id, &hub_addr, 30).unwrap();
    // Dee is told the hub's address and goes first: the hub has no grant for the network yet.
    dee.add_peer(&id, &hub_addr).unwrap();
    let (dee, first) = sync_at(dee, &hub_addr, id);
    assert!(first.unwrap_err().contains("refused"), "no grant yet, no entry");

    // Sam syncs and leaves: the grant travels with his first session.
    let (sam, moved) = sync_at(sam, &hub_addr, id);
    assert!(moved.unwrap() > 0);
    assert!(sam.peers(Some(&id)).unwrap().iter().any(|p| p.hub), "Sam's node knows it is a hub");

    // The hub restarts (its node is dropped and opened again from disk, on the same port).
    drop(server.stop());
    let hub = Node::open(&hub_dir, b"hub operator passphrase").unwrap();
    assert_eq!(hub.hosted().unwrap().len(), 1);
    let server = Server::start_with(hub, Some(listen), capturing(logs.clone()));

    // Dee, online only now: gets Sam's ops and leaves hers; then Sam, online again, gets hers.
    let (dee, moved) = sync_at(dee, &hub_addr, id);
    assert!(moved.unwrap() > 0);
    let (sam, _) = sync_at(sam, &hub_addr, id);
    let (dee, _) = sync_at(dee, &hub_addr, id);
    let hash = sam.state_hash(&id).unwrap();
    assert_eq!(dee.state_hash(&id).unwrap(), hash, "converged through the hub");
    assert!(dee.announcements(&id, 10).unwrap().iter().any(|a| a.text == announcement));
    assert!(sam.directory(&id).unwrap().iter().any(|p| p.profile.pseudonym == "CANARY-Deelia"));

    // Sam removes Ana: the key rotates and Sam's node re-issues the grant for the new epoch.
    let mut sam = sam;
    sam.remove(&id, &ana_id).unwrap();
    let after = "CANARY-after-removal strike fund pickup at 6";
    sam.announce(&id, after).unwrap();
    let (sam, _) = sync_at(sam, &hub_addr, id);
    // Ana, who missed the removal, still holds the old epoch's key: within the grace period
    // the hub lets her fetch ciphertext, of which she reads nothing written after the removal.
    let (ana, ana_sync) = sync_at(ana, &hub_addr, id);
    ana_sync.unwrap();
    assert!(!ana.announcements(&id, 50).unwrap().iter().any(|a| a.text == after));
    // Dee, who also missed it, comes within the grace period: she gets her share of the new
    // key through the hub and reads what was written under it.
    let (dee, moved) = sync_at(dee, &hub_addr, id);
    moved.unwrap();
    assert!(dee.announcements(&id, 50).unwrap().iter().any(|a| a.text == after));
    assert_ne!(dee.hub_access(&id).unwrap().unwrap().0, ana.hub_access(&id).unwrap().unwrap().0);
    // After the grace period the hub refuses her.
    let mut hub = server.stop();
    hub.set_clock_offset(strike_node::hub::ACCESS_GRACE_SECS as i64 + 60);
    let server = Server::start_with(hub, Some(listen), capturing(logs.clone()));
    let (ana, late) = sync_at(ana, &hub_addr, id);
    assert!(late.is_err(), "her own node knows she was removed");
    // A modified client that asks anyway, with the old epoch's access key, is refused.
    assert_eq!(ask_hub_anyway(&ana, &hub_addr, id), Some(Auth::Refused), "the old access key expired");
    // Dee, still a member, now holds the new key and is let in with it.
    let (dee, moved) = sync_at(dee, &hub_addr, id);
    moved.unwrap();
    assert_eq!(dee.state_hash(&id).unwrap(), sam.state_hash(&id).unwrap());

    // A stranger with its own network cannot ask; a grant it forges for Sam's network is no
    // grant; its own network's grant names the founder's key, not Sam's, for Sam's id.
    let tmp = tempfile::tempdir().unwrap();
    let mut stranger = Node::init(&tmp.path().join("s"), b"stranger", KdfParams::MINIMUM).unwrap();
    let own = stranger.create_network("Elsewhere", strike_core::NetworkKind::Crew).unwrap();
    let forged = forge(&grant, &stranger, &own);
    assert!(forged.verify(&hub_addr.id, sam.now()).is_err());
    let (stranger, s) = sync_at(stranger, &hub_addr, own);
    assert!(s.unwrap_err().contains("refused"), "no grant for its network here");
    assert_eq!(stranger.networks().unwrap().len(), 1);

    let hub = server.stop();
    assert_eq!(hub.hosted().unwrap()[0].network, id);
    assert!(hub.hosted().unwrap()[0].ops >= sam.network(&id).unwrap().n_ops - 1);

    // What the hub holds (its decrypted database, every file, every log line) has none of it.
    let mut held = hub.store().raw_dump().unwrap();
    held.extend(files_under(&hub_dir));
    held.extend(logs.0.lock().unwrap().iter());
    assert!(logs.0.lock().unwrap().len() > 100, "the hub did log");
    let mut secrets: Vec<(String, Vec<u8>)> = vec![
        ("announcement".into(), announcement.as_bytes().to_vec()),
        ("announcement after removal".into(), after.as_bytes().to_vec()),
        ("pseudonym".into(), b"CANARY-Deelia".to_vec()),
        ("department".into(), b"CANARY-cold-store".to_vec()),
        ("network name".into(), b"Dock 4".to_vec()),
        ("canary prefix".into(), b"CANARY".to_vec()),
    ];
    for node in [&sam, &dee, &ana] {
        for (epoch, key) in node.store().network_keys(&id).unwrap() {
            secrets.push((format!("epoch key {epoch}"), key.expose().to_vec()));
        }
        let (seed, agreement) = node.store().my_author(&id).unwrap().unwrap();
        secrets.push(("author signing seed".into(), seed.to_vec()));
        secrets.push(("author agreement secret".into(), agreement.to_vec()));
        let (epoch, access) = node.hub_access(&id).unwrap().unwrap();
        secrets.push((format!("access secret {epoch}"), access.seed().to_vec()));
    }
    for (what, secret) in &secrets {
        assert!(!contains(&held, secret), "the hub holds a member's {what}");
    }
}

/// Opens a session at the hub as a modified client would: an access proof with whatever key
/// `node` holds, whatever its own node thinks of its standing. Returns the hub's answer.
fn ask_hub_anyway(node: &Node, hub: &strike_net::PeerAddr, network: strike_core::NetworkId) -> Option<Auth> {
    let (epoch, access) = node.hub_access(&network).unwrap().unwrap();
    rt().block_on(async {
        let net = node.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let mut ch = net.connect(hub).await.unwrap();
        let proof = proof_message(Side::Initiator, &network.0, &ch.local, &ch.remote);
        let open = Auth::HubOpen {
            network: network.0,
            epoch,
            signature: access.sign(ACCESS_LABEL, &proof),
            grant: vec![],
            invites: vec![],
        };
        ch.send(&open.encode()).await.unwrap();
        let reply = Auth::decode(&ch.recv().await.unwrap());
        net.close().await;
        reply
    })
}

/// A grant for `network` signed by `signer` but claiming Sam's network.
fn forge(real: &Grant, signer: &Node, own: &strike_core::NetworkId) -> Grant {
    let mut body: GrantBody = ciborium::de::from_reader(&real.body[..]).unwrap();
    let (seed, _) = signer.store().my_author(own).unwrap().unwrap();
    let key = strike_crypto::SigningSecret::from_seed(&seed);
    body.founder = key.public().0;
    Grant::sign(&body, &key)
}

/// Quotas bound what one author and one network may store at a hub; over them, ops are
/// refused (`over_quota`), nothing breaks, and the hub keeps serving.
#[test]
fn a_hubs_quotas_bound_what_a_network_stores() {
    let (_net, mut sam) = Net::found(1);
    let id = _net.id;
    for i in 0..30 {
        sam.set_skill(&id, &format!("skill {i}"), true).unwrap();
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut hub = Node::init(&tmp.path().join("hub"), b"hub", KdfParams::MINIMUM).unwrap();
    hub.set_relay_quota(strike_store::Quota { network_bytes: 1 << 30, author_ops: 10 });
    let server = Server::start(hub, None);
    let addr = server.addr();
    sam.grant_hub(&id, &addr, 30).unwrap();
    let (sam, moved) = sync_at(sam, &addr, id);
    assert!(moved.is_ok(), "{moved:?}");
    let (sam, again) = sync_at(sam, &addr, id);
    assert!(again.is_ok(), "the hub keeps serving at its quota: {again:?}");
    let mut hub = server.stop();
    let usage = hub.hosted().unwrap();
    assert_eq!(usage[0].ops, 10, "one author's ops stop at the quota");
    assert!(hub.audit(100).unwrap().iter().any(|r| r.reason == "over_quota"));
    // A byte quota the same way: nothing more fits.
    let bytes = usage[0].bytes;
    hub.set_relay_quota(strike_store::Quota { network_bytes: bytes + 100, author_ops: 1_000 });
    let server = Server::start(hub, None);
    let addr = server.addr();
    let mut sam = sam;
    sam.add_peer(&id, &addr).unwrap();
    let (_sam, _) = sync_at(sam, &addr, id);
    let hub = server.stop();
    let usage = hub.hosted().unwrap();
    assert!(usage[0].bytes <= bytes + 100, "{} > {}", usage[0].bytes, bytes + 100);
    assert!(usage[0].ops < 31);
}

/// The same sync messages over HTTP: a member behind a network that blocks UDP reaches the
/// hub's HTTP endpoint and converges with one who uses QUIC.
#[test]
fn members_sync_through_a_hub_over_http() {
    let (mut net, mut sam) = Net::found(1);
    let id = net.id;
    let link = sam.create_invite(&id, 10, None, vec![]).unwrap();
    let (mut dee, dee_id) = net.join(&link, "dee", &mut sam);
    sam.vouch(&id, &dee_id).unwrap();
    net.ship(&sam, &mut dee);
    for i in 0..300 {
        sam.set_skill(&id, &format!("skill {i}"), true).unwrap();
    }
    dee.announce(&id, "over http").unwrap_or_else(|_| dee.set_skill(&id, "over http", true).unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let hub = Node::init(&tmp.path().join("hub"), b"hub", KdfParams::MINIMUM).unwrap();
    let (server, http) = Server::start_http(hub);
    assert!(http.to_string().contains("@http://127.0.0.1:"), "{http}");
    let quic = server.addr();
    sam.grant_hub(&id, &quic, 30).unwrap();
    let (sam, moved) = sync_at(sam, &quic, id);
    assert!(moved.unwrap() >= 300);
    // Dee only ever speaks HTTP to the hub.
    let (dee, moved) = sync_at(dee, &http, id);
    assert!(moved.unwrap() >= 300, "Sam's ops and Dee's own, over HTTP");
    let (sam, _) = sync_at(sam, &quic, id);
    assert_eq!(sam.state_hash(&id).unwrap(), dee.state_hash(&id).unwrap());
    // A stranger over HTTP is refused like one over QUIC.
    let mut stranger = Node::init(&tmp.path().join("s"), b"s", KdfParams::MINIMUM).unwrap();
    let own = stranger.create_network("Elsewhere", strike_core::NetworkKind::Crew).unwrap();
    let (_stranger, s) = sync_at(stranger, &http, own);
    assert!(s.unwrap_err().contains("refused"));
    let hub = server.stop();
    assert!(hub.hosted().unwrap()[0].ops >= 303);
}
