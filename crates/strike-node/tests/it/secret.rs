//! Secret pledges and ballots across nodes: every member's node asks for credentials on its
//! own, the organizer's node answers, members pledge and vote as one-time authors; every node
//! counts the same, nobody's pledge is linked to them, and forged, misused or reused
//! credentials are refused with an audit record.

use strike_core::calls::{Call, CallKind, Rule, Wave};
use strike_core::secret::{Proof, Secrecy};
use strike_core::votes::tally::Decision;
use strike_core::{AuthorId, Body, CoarseTime, Kind, OpDraft, OpId};
use strike_crypto::SigningSecret;
use strike_node::Node;
use strike_node::votes::{ProposeInput, VoteInput};

/// Every node hands its held secret ops over at once (as if their release delay had passed),
/// then everyone syncs.
fn everyone_syncs(net: &mut Net, nodes: &mut [Node]) {
    for n in nodes.iter_mut() {
        n.release_held_now(&net.id).unwrap();
    }
    crate::calls::everyone_syncs(net, nodes);
}
use crate::networks::Net;

/// Sam and six co-workers, every node holding everything.
pub fn seven() -> (Net, Vec<Node>, Vec<AuthorId>) {
    let (mut net, mut all, ids) = Net::with_members(&["ana", "dee", "bo", "eli", "fay", "gus"]);
    everyone_syncs(&mut net, &mut all);
    (net, all, ids)
}

/// Rounds of sync and upkeep: keys out, requests in, answers out, credentials unblinded.
pub fn issue(net: &mut Net, nodes: &mut [Node]) {
    for _ in 0..3 {
        everyone_syncs(net, nodes);
        for n in nodes.iter_mut() {
            n.upkeep(&net.id).unwrap();
        }
    }
    everyone_syncs(net, nodes);
}

pub fn secret_call(node: &Node, rules: Vec<Rule>) -> Call {
    let now = CoarseTime::from_unix_seconds(node.now()).0;
    Call {
        kind: CallKind::Strike,
        title: "Walk out on Friday".into(),
        demands: vec!["Heat in the packing hall".into()],
        scope: String::new(),
        deadline: now + 2 * 24 * 60,
        exempt_roles: Vec::new(),
        waves: vec![Wave { rules, starts: now + 3 * 24 * 60 }],
        secret: Some(Secrecy { issuers: Vec::new() }),
    }
}

#[test]
fn secret_pledges_count_the_same_everywhere_and_name_nobody() {
    let (mut net, mut n, ids) = seven();
    let c = secret_call(&n[0], vec![Rule::Count { n: 3 }]);
    let call = n[0].create_call(&net.id, c).unwrap();
    issue(&mut net, &mut n);
    let v = n[0].call(&net.id, &call).unwrap();
    let s = v.secret.clone().unwrap();
    assert_eq!((s.eligible, s.requested, s.issued, s.mine.as_str()), (7, 7, 7, "ready"), "{s:?}");
    // Ana, Dee and Bo pledge; Dee withdraws and pledges again.
    for (i, pledged) in [(1, true), (2, true), (2, false), (3, true), (2, true)] {
        n[i].pledge(&net.id, &call, pledged).unwrap();
    }
    assert!(n[1].pledge(&net.id, &call, true).is_err(), "already pledged");
    // Held back: a sync (or a bundle) right after carries none of them.
    crate::calls::everyone_syncs(&mut net, &mut n);
    assert_eq!(n[0].call(&net.id, &call).unwrap().tally.counted, 0, "not released yet");
    assert_eq!(n[1].call(&net.id, &call).unwrap().tally.counted, 1, "Ana's own node counts hers");
    everyone_syncs(&mut net, &mut n);
    let hash = n[0].state_hash(&net.id).unwrap();
    for (i, node) in n.iter().enumerate() {
        let v = node.call(&net.id, &call).unwrap();
        assert_eq!(v.tally.counted, 3, "node {i}");
        assert_eq!(v.tally.status.as_str(), "triggered", "node {i}");
        assert_eq!(v.my_pledge, (1..=3).contains(&i), "node {i}: only its own node knows");
        assert_eq!(node.state_hash(&net.id).unwrap(), hash, "node {i}");
    }
    // No pledge is signed by a member's key: the authors are one-time keys nobody links.
    let pledges = n[0].store().secret_facts(&net.id, Kind::SecretPledge, &call).unwrap();
    assert_eq!(pledges.len(), 5);
    assert!(pledges.iter().all(|p| !ids.contains(&p.author)));
    assert!(n[0].store().facts(&net.id, Kind::Pledge, None).unwrap().is_empty());
    // After the trigger a pledge is held to.
    assert!(n[1].pledge(&net.id, &call, false).is_err());
    // Forgetting drops the link: the node no longer knows, and cannot change it.
    n[1].forget_secret(&net.id, &call).unwrap();
    let v = n[1].call(&net.id, &call).unwrap();
    assert_eq!((v.my_pledge, v.secret.unwrap().mine.as_str(), v.tally.counted), (false, "forgotten", 3));
    assert!(n[1].pledge(&net.id, &call, false).is_err());
}

/// Seals `body` as a fresh one-time author (or `signing`) naming `deps`, and gives it to `node`.
fn forge(node: &mut Node, net: &strike_core::NetworkId, signing: &SigningSecret, body: Body, deps: Vec<OpId>) -> OpId {
    let (epoch, key) = node.store().write_key(net).unwrap().unwrap();
    let draft = OpDraft {
        network: *net,
        seq: 1,
        prev: None,
        deps,
        time: CoarseTime::from_unix_seconds(node.now()),
        epoch,
        body,
    };
    let op = draft.seal(signing, &key, [7; 24]).unwrap();
    let report = node.ingest(net, vec![op.bytes().to_vec()]).unwrap();
    assert_eq!(report.rejected.get("bad_credential"), Some(&1), "{report:?}");
    op.id()
}

#[test]
fn forged_misused_and_reused_credentials_are_refused_with_an_audit_record() {
    let (mut net, mut n, _) = seven();
    let c = secret_call(&n[0], vec![Rule::Count { n: 5 }]);
    let call = n[0].create_call(&net.id, c).unwrap();
    let c = secret_call(&n[0], vec![Rule::Count { n: 5 }]);
    let other = n[0].create_call(&net.id, c).unwrap();
    issue(&mut net, &mut n);
    n[1].pledge(&net.id, &call, true).unwrap();
    everyone_syncs(&mut net, &mut n);
    let real = n[0].store().secret_facts(&net.id, Kind::SecretPledge, &call).unwrap().remove(0);
    let Body::SecretPledge(p) = real.body.clone() else { panic!() };
    let mut rng = rand::rng();
    let mut deps = vec![call];
    deps.extend(&p.keys);
    // A forged credential: one bit of the signature flipped.
    let mut forged = p.clone();
    forged.proofs[0].signature[10] ^= 1;
    let one_time = SigningSecret::generate(&mut rng);
    let a = forge(&mut n[0], &net.id, &one_time, Body::SecretPledge(forged), deps.clone());
    // A real credential carried by another one-time author (reused): it is for Ana's key only.
    let b = forge(&mut n[0], &net.id, &SigningSecret::generate(&mut rng), Body::SecretPledge(p.clone()), deps.clone());
    // The credential for the first call on the second.
    let misused = strike_core::body::SecretPledge { call: other, ..p.clone() };
    let mut other_deps = deps.clone();
    other_deps.push(other);
    let c = forge(&mut n[0], &net.id, &SigningSecret::generate(&mut rng), Body::SecretPledge(misused), other_deps);
    // A one-time author without a credential.
    let none = strike_core::body::SecretPledge {
        proofs: vec![Proof { randomizer: [0; 32], signature: vec![0; 256] }],
        ..p.clone()
    };
    let d = forge(&mut n[0], &net.id, &SigningSecret::generate(&mut rng), Body::SecretPledge(none), deps);
    let audit = n[0].store().audit(50).unwrap();
    for op in [a, b, c, d] {
        assert!(audit.iter().any(|r| r.op_id == op && r.reason == "bad_credential"), "{op:?}: {audit:?}");
    }
    assert_eq!(n[0].call(&net.id, &call).unwrap().tally.counted, 1);
}

#[test]
fn credentials_issued_beyond_the_eligible_members_are_flagged_and_count_for_nothing() {
    let (mut net, mut n, _) = seven();
    let c = secret_call(&n[0], vec![Rule::Count { n: 5 }]);
    let call = n[0].create_call(&net.id, c).unwrap();
    issue(&mut net, &mut n);
    // Ana's node asks a second time, and the organizer's node signs it by hand.
    let keys: Vec<OpId> =
        n[0].store().facts(&net.id, Kind::CredentialKey, Some(&call.0)).unwrap().iter().map(|f| f.op_id).collect();
    let blinded = vec![vec![5u8; strike_crypto::blind::BLIND_LEN]];
    let second = strike_core::body::CredentialRequest { scope: call, keys: keys.clone(), blinded: blinded.clone() };
    let request = n[1].author(&net.id, Body::CredentialRequest(second)).unwrap();
    everyone_syncs(&mut net, &mut n);
    let (_, secret, _) = n[0].store().issuer_keys(&net.id, &call).unwrap().remove(0);
    let key = strike_crypto::blind::IssuerKey::from_der(&secret).unwrap();
    let grant = strike_core::secret::Grant { request, signature: key.sign_blinded(&blinded[0]).unwrap() };
    let issue = strike_core::body::CredentialIssue { scope: call, key: keys[0], grants: vec![grant] };
    let beyond = n[0].author(&net.id, Body::CredentialIssue(issue)).unwrap();
    everyone_syncs(&mut net, &mut n);
    for node in &n {
        let s = node.call(&net.id, &call).unwrap().secret.unwrap();
        assert_eq!(s.issued, 7, "never more than the eligible members");
        assert!(s.flags.iter().any(|f| f.contains("issued beyond")), "{:?}", s.flags);
        // Kept (the fold decides the same everywhere), and audited where it arrived.
        let audit = node.store().audit(50).unwrap();
        assert!(audit.iter().any(|r| r.op_id == beyond && r.reason == "bad_credential"), "{audit:?}");
    }
}

#[test]
fn a_secret_stv_election_gives_what_the_same_ballots_cast_openly_give() {
    let (mut net, mut n, _) = seven();
    let input = |secret| ProposeInput {
        title: "Two delegates".into(),
        method: "stv".into(),
        options: vec!["Ana".into(), "Bo".into(), "Dee".into(), "Eli".into()],
        seats: Some(2),
        closes: "1d".into(),
        secret,
        ..ProposeInput::default()
    };
    let open = n[0].propose(&net.id, &input(false)).unwrap();
    let secret = n[0].propose(&net.id, &input(true)).unwrap();
    issue(&mut net, &mut n);
    let ranks =
        [vec!["Ana", "Bo"], vec!["Dee"], vec!["Ana", "Dee"], vec!["Bo", "Eli"], vec!["Ana", "Eli"], vec!["Eli", "Bo"]];
    for (i, rank) in ranks.iter().enumerate() {
        let vote = VoteInput { rank: rank.iter().map(|s| (*s).to_owned()).collect(), ..VoteInput::default() };
        n[i + 1].vote(&net.id, &open, &vote).unwrap();
        n[i + 1].vote(&net.id, &secret, &vote).unwrap();
    }
    // Gus changes his secret ballot: the latest counts.
    let again = VoteInput { rank: vec!["Dee".into(), "Eli".into()], ..VoteInput::default() };
    n[6].vote(&net.id, &open, &again).unwrap();
    n[6].vote(&net.id, &secret, &again).unwrap();
    everyone_syncs(&mut net, &mut n);
    for node in n.iter_mut() {
        node.set_clock_offset(2 * 24 * 3600);
    }
    n[0].upkeep(&net.id).unwrap();
    everyone_syncs(&mut net, &mut n);
    for node in &n {
        let (a, b) = (node.proposal_tally(&net.id, &open).unwrap(), node.proposal_tally(&net.id, &secret).unwrap());
        assert!(a.closed && b.closed);
        assert_eq!((a.voted, a.decision.clone()), (b.voted, b.decision.clone()));
        assert_eq!(b.decision, Decision::Elected(vec![0, 2]), "Ana and Dee");
        assert_eq!(b.voted, 6);
    }
    let v = n[6].proposal(&net.id, &secret).unwrap();
    assert_eq!(v.my_ballot.as_deref(), Some("Dee > Eli"));
}

#[test]
fn per_department_minimums_work_secretly_and_a_group_too_small_to_hide_in_is_refused() {
    let names = ["ana", "dee", "bo", "eli", "fay", "gus", "hal", "ivy", "jo", "kai"];
    let (mut net, mut n, _) = Net::with_members(&names);
    everyone_syncs(&mut net, &mut n);
    // Sam and five more pack; four pick; Kai is in the office.
    let departments = [
        "packing", "packing", "packing", "packing", "packing", "packing", "picking", "picking", "picking", "picking",
        "office",
    ];
    for (node, dept) in n.iter_mut().zip(departments) {
        node.set_profile(&net.id, |p| p.department = dept.into()).unwrap();
    }
    everyone_syncs(&mut net, &mut n);
    let rules = vec![Rule::Count { n: 4 }, Rule::MinPer { dimension: strike_core::calls::Dimension::Department, n: 2 }];
    let c = secret_call(&n[0], rules.clone());
    let e = n[0].create_call(&net.id, c).unwrap_err().to_string();
    assert!(e.contains("at least 5") && e.contains("department=office has 1"), "{e}");
    n[10].set_profile(&net.id, |p| p.department = "picking".into()).unwrap();
    everyone_syncs(&mut net, &mut n);
    let c = secret_call(&n[0], rules);
    let call = n[0].create_call(&net.id, c).unwrap();
    issue(&mut net, &mut n);
    assert_eq!(n[0].call(&net.id, &call).unwrap().secret.unwrap().issued, 11);
    for i in [1, 2, 3, 6] {
        n[i].pledge(&net.id, &call, true).unwrap();
    }
    everyone_syncs(&mut net, &mut n);
    let v = n[5].call(&net.id, &call).unwrap();
    assert_eq!(
        (v.tally.counted, v.tally.status.as_str()),
        (4, "open"),
        "one picker so far: short of two per department"
    );
    n[7].pledge(&net.id, &call, true).unwrap();
    everyone_syncs(&mut net, &mut n);
    for node in &n {
        let v = node.call(&net.id, &call).unwrap();
        assert_eq!((v.tally.counted, v.tally.status.as_str()), (5, "triggered"));
    }
}

type Pool = ((strike_core::NetworkId, [u8; 32], Vec<(u32, [u8; 32])>, OpId, (u64, String, usize)), Vec<Vec<u8>>);

thread_local! {
    /// A secret call with its keys, requests, answers, and secret pledges and withdrawals; all
    /// its ops, and how it stands.
    static SECRET_POOL: Pool = {
        let (mut net, mut n, _) = seven();
        let c = secret_call(&n[0], vec![Rule::Count { n: 4 }]);
        let call = n[0].create_call(&net.id, c).unwrap();
        issue(&mut net, &mut n);
        for (i, pledged) in [(1, true), (2, true), (3, true), (2, false), (4, true), (5, true), (2, true)] {
            n[i].pledge(&net.id, &call, pledged).unwrap();
        }
        everyone_syncs(&mut net, &mut n);
        let v = n[0].call(&net.id, &call).unwrap();
        assert_eq!(v.tally.counted, 5);
        let mut ops = Vec::new();
        n[0].store().for_each_op(&net.id, |b| { ops.push(b.to_vec()); Ok(()) }).unwrap().unwrap();
        let keys: Vec<(u32, [u8; 32])> =
            n[0].store().network_keys(&net.id).unwrap().into_iter().map(|(e, k)| (e, *k.expose())).collect();
        let hash = n[0].state_hash(&net.id).unwrap();
        let id = net.id;
        std::mem::forget(net);
        let seen = (v.tally.counted, v.tally.status.as_str().to_owned(), v.secret.unwrap().issued);
        ((id, hash, keys, call, seen), ops)
    };
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: crate::calls::cases(), ..Default::default() })]

    /// The same keys, requests, answers, secret pledges and withdrawals, in any order and any
    /// batches, give one state hash, one count and one trigger.
    #[test]
    fn secret_pledge_order_does_not_matter(seed in proptest::prelude::any::<u64>(), batch in 1usize..6) {
        let (net, ops) = SECRET_POOL.with(|p| p.clone());
        let (_tmp, fresh) = crate::calls::fresh_node_with(&net.0, &net.2, ops, seed, batch);
        proptest::prop_assert_eq!(fresh.state_hash(&net.0).unwrap(), net.1);
        let v = fresh.call(&net.0, &net.3).unwrap();
        let seen = (v.tally.counted, v.tally.status.as_str().to_owned(), v.secret.unwrap().issued);
        proptest::prop_assert_eq!(seen, net.4);
    }
}

/// A secret ballot leaves its author's node only after its delay, and then to one peer or hub
/// chosen at random (here the hub, Ana's only peer): Dee, syncing with Ana's node directly,
/// does not get it from there; she gets it from the hub, which holds no word of it in the clear.
#[test]
fn a_secret_ballot_leaves_through_a_hub_and_not_from_its_authors_node() {
    use crate::hubs::{LogBuf, capturing, contains, files_under, sync_at};
    use crate::quic::{Server, client, rt};

    let (mut net, mut n, _) = seven();
    let id = net.id;
    let input = ProposeInput {
        title: "Go public?".into(),
        method: "yes-no".into(),
        closes: "1d".into(),
        secret: true,
        ..ProposeInput::default()
    };
    let p = n[0].propose(&id, &input).unwrap();
    issue(&mut net, &mut n);
    let canary = "CANARY-ballot-9d2e not before the claim is filed";
    let vote = VoteInput { position: "no".into(), reason: canary.into(), ..VoteInput::default() };
    n[1].vote(&id, &p, &vote).unwrap();
    let mut nodes = n.into_iter();
    let (sam, mut ana, mut dee) = (nodes.next().unwrap(), nodes.next().unwrap(), nodes.next().unwrap());
    // Ana's node syncs with Dee's at once: the ballot is held back.
    strike_node::sync::sync_pair(&mut ana, &mut dee, id).unwrap();
    assert_eq!(dee.proposal_tally(&id, &p).unwrap().voted, 0);
    // A hub for the network, Ana's node's only peer.
    let hub_dir = net.tmp.path().join("hub");
    let hub = Node::init(&hub_dir, b"hub operator passphrase", strike_crypto::KdfParams::MINIMUM).unwrap();
    let server = Server::start_with(hub, None, capturing(LogBuf::default()));
    let hub_addr = server.addr();
    let mut sam = sam;
    sam.grant_hub(&id, &hub_addr, 30).unwrap();
    let (_sam, moved) = sync_at(sam, &hub_addr, id);
    moved.unwrap();
    ana.add_peer(&id, &hub_addr).unwrap();
    // Half an hour on, Ana's node's sync round hands the ballot to the hub alone.
    ana.set_clock_offset(31 * 60);
    let ana = tokio::sync::Mutex::new(ana);
    let rounds = rt().block_on(async {
        let net = client(&ana).await;
        let r = strike_node::peer::sync_peers(&ana, &net).await.unwrap();
        net.close().await;
        r
    });
    assert!(
        rounds.iter().all(|r| r.result.is_ok()),
        "{:?}",
        rounds.iter().map(|r| r.result.is_ok()).collect::<Vec<_>>()
    );
    let mut ana = ana.into_inner();
    assert!(ana.held_secret_ops().unwrap().iter().all(|(.., relayed)| *relayed), "relayed, in its quiet time");
    // Dee syncs with Ana's node again: still not from there.
    strike_node::sync::sync_pair(&mut ana, &mut dee, id).unwrap();
    assert_eq!(dee.proposal_tally(&id, &p).unwrap().voted, 0);
    // Dee syncs with the hub: there it is.
    let (dee, moved) = sync_at(dee, &hub_addr, id);
    moved.unwrap();
    assert_eq!(dee.proposal_tally(&id, &p).unwrap().voted, 1);
    drop(server.stop());
    assert!(!contains(&files_under(&hub_dir), canary.as_bytes()), "the hub holds ciphertext only");
    assert!(contains(&dee.store().raw_dump().unwrap(), b"CANARY-ballot-9d2e"), "Dee's node reads it");
}

/// An issuer who answers a member under another key than the one it published (to tell that
/// member's pledge apart later) gives them nothing: their node checks every answer against the
/// published key and keeps no credential from it.
#[test]
fn an_answer_under_another_key_than_the_published_one_gives_no_credential() {
    let (mut net, mut n, _) = seven();
    let c = secret_call(&n[0], vec![Rule::Count { n: 5 }]);
    let call = n[0].create_call(&net.id, c).unwrap();
    // Ana's node gets the keys and asks (its upkeep, on import).
    let (sam, rest) = n.split_first_mut().unwrap();
    let ana = &mut rest[0];
    net.ship(sam, ana);
    let me = ana.network(&net.id).unwrap().my_author.unwrap();
    let (request, r) = ana
        .store()
        .facts(&net.id, Kind::CredentialRequest, Some(&call.0))
        .unwrap()
        .into_iter()
        .find(|f| f.author == me)
        .map(|f| match f.body {
            Body::CredentialRequest(r) => (f.op_id, r),
            _ => unreachable!(),
        })
        .unwrap();
    // Sam's node answers it, before it ever hears of it, under a key Sam never published.
    let rogue = strike_crypto::blind::IssuerKey::generate(&mut rand::rng()).unwrap();
    let grant = strike_core::secret::Grant { request, signature: rogue.sign_blinded(&r.blinded[0]).unwrap() };
    let issue = strike_core::body::CredentialIssue { scope: call, key: r.keys[0], grants: vec![grant] };
    sam.author(&net.id, Body::CredentialIssue(issue)).unwrap();
    net.ship(sam, ana);
    let v = ana.call(&net.id, &call).unwrap();
    assert_eq!(v.secret.unwrap().mine, "waiting for credentials");
    let e = ana.pledge(&net.id, &call, true).unwrap_err().to_string();
    assert!(e.contains("not answered"), "{e}");
}

/// Which member pledged changes nothing anyone else holds. In world A Ana pledges. In world B
/// Dee pledges instead, from the same log: her node's own request and the issuer's answer to it
/// (the same ops as in world A) unblind, with another factor, into exactly the credential Ana's
/// node made, on a one-time key like the one Ana's node made (RSA blinding is perfectly hiding:
/// every answer unblinds into every credential with some factor). Her pledge is the same op,
/// byte for byte; so every other node, the organizer's and the hub's included, holds the same
/// ops and the same state in both worlds.
#[test]
fn which_member_pledged_changes_nothing_anyone_else_holds() {
    use crypto_bigint::{BoxedUint, NonZero};

    let (mut net, mut n, _) = seven();
    // Both pledges in the middle of one hour (secret ops claim the hour).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    for node in n.iter_mut() {
        node.set_clock_offset((30 * 60 - now % 3600).rem_euclid(3600));
    }
    let c = secret_call(&n[0], vec![Rule::Count { n: 5 }]);
    let call = n[0].create_call(&net.id, c).unwrap();
    issue(&mut net, &mut n);
    // World A: Ana pledges.
    let (seed_a, _, link_a) = n[1].secret_link(&net.id, &call).unwrap().unwrap();
    let op_a = n[1].pledge(&net.id, &call, true).unwrap().0;
    let bytes_a = n[1].store().held_ops(&net.id, &[op_a]).unwrap().remove(0).bytes;
    // World B: Dee's node unblinds the issuer's answer to her own request with the factor that
    // turns it into Ana's credential, and pledges with the one-time key Ana's node made.
    let (_, dee_request, mut link_d) = n[2].secret_link(&net.id, &call).unwrap().unwrap();
    let Some((_, Body::CredentialKey(key))) = n[2].store().fact(&net.id, &link_d.keys[0]).unwrap() else {
        panic!("the issuer's key")
    };
    let answer = n[2]
        .store()
        .facts(&net.id, Kind::CredentialIssue, Some(&call.0))
        .unwrap()
        .into_iter()
        .find_map(|f| match f.body {
            Body::CredentialIssue(i) => i.grants.into_iter().find(|g| Some(g.request) == dee_request),
            _ => None,
        })
        .unwrap()
        .signature;
    let modulus = strike_crypto::blind::modulus(&key.key).unwrap();
    let bits = (modulus.len() * 8) as u32;
    let m = NonZero::new(BoxedUint::from_be_slice(&modulus, bits).unwrap()).unwrap();
    let s_d = BoxedUint::from_be_slice(&answer, bits).unwrap();
    let sigma_a = BoxedUint::from_be_slice(&link_a.proofs[0].1, bits).unwrap();
    let unblind = sigma_a.mul_mod(&s_d.invert_mod(&m).unwrap(), &m);
    link_d.blindings[0] = (link_d.blindings[0].0.clone(), unblind.to_be_bytes().to_vec(), link_a.blindings[0].2);
    link_d.proofs.clear();
    n[2].set_secret_link(&net.id, &call, &seed_a, &link_d).unwrap();
    n[2].upkeep(&net.id).unwrap();
    assert_eq!(n[2].secret_link(&net.id, &call).unwrap().unwrap().2.proofs, link_a.proofs, "Ana's credential");
    let op_b = n[2].pledge(&net.id, &call, true).unwrap().0;
    let bytes_b = n[2].store().held_ops(&net.id, &[op_b]).unwrap().remove(0).bytes;
    assert_eq!(bytes_a, bytes_b, "the same op, byte for byte");
    // Every other node holds the same ops in both worlds: the organizer's node takes the op and
    // its whole decrypted store is one function of it.
    let before = n[0].store().raw_dump().unwrap();
    n[0].ingest(&net.id, vec![bytes_a]).unwrap();
    assert_ne!(n[0].store().raw_dump().unwrap(), before);
    assert_eq!(n[0].call(&net.id, &call).unwrap().tally.counted, 1);
}
