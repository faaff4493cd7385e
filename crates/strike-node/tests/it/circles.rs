//! Circles across nodes: what a member outside a circle holds of it (ciphertext only, whatever
//! keys of the network they hold), leaving and removal, authors outside a circle, and the
//! same circle membership and circle state hash whatever order the ops arrive in.

use proptest::prelude::*;
use strike_core::body::Contact;
use strike_core::circles::organizers_circle;
use strike_core::{AuthorId, Body, NetworkId, OpId, SealedOp};
use strike_node::Node;

use crate::networks::Net;

/// Every op `held` holds, opened with every key `keys` holds (network, history, join and
/// circle keys): the bodies, as text, of those that open.
pub fn readable(held: &Node, keys: &Node, net: &NetworkId) -> Vec<String> {
    let all_keys: Vec<_> = keys.store().all_epoch_keys(net).unwrap().into_iter().map(|(_, k)| k).collect();
    let mut opened = Vec::new();
    held.store()
        .for_each_op(net, |bytes| {
            let op = SealedOp::from_verified_store(bytes.to_vec()).unwrap();
            if let Some(body) = all_keys.iter().find_map(|k| op.open(k).ok()) {
                opened.push(format!("{body:?}"));
            }
            Ok(())
        })
        .unwrap()
        .unwrap();
    opened
}

pub fn has(texts: &[String], canary: &str) -> bool {
    texts.iter().any(|t| t.contains(canary))
}

/// Sam's network with Ana, Dee and Bo admitted and holding the network's keys.
fn four() -> (Net, Node, Vec<(Node, AuthorId)>) {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let mut people = Vec::new();
    for name in ["ana", "dee", "bo"] {
        let (n, id) = net.join(&link, name, &mut sam);
        sam.vouch(&net.id, &id).unwrap();
        people.push((n, id));
    }
    sam.upkeep(&net.id).unwrap();
    for (n, _) in &mut people {
        net.ship(&sam, n);
    }
    (net, sam, people)
}

fn contact(name: &str) -> Contact {
    Contact {
        name: name.into(),
        workplace: "Dock 4".into(),
        department: "Loading".into(),
        shift: "Night".into(),
        role: "Picker".into(),
    }
}

#[test]
fn a_member_outside_the_organizers_circle_with_every_network_key_reads_no_contact() {
    let (mut net, mut sam, mut people) = four();
    let greta = sam.add_contact(&net.id, contact("Greta CANARY-NAME")).unwrap();
    sam.note_contact(&net.id, &greta, "CANARY-NOTE: close to the shift manager").unwrap();
    sam.assess(&net.id, &greta, 2, "CANARY-ASSESSMENT").unwrap();
    let (dee, _) = &mut people[1];
    net.ship(&sam, dee);

    // Dee holds every op and every network key, and opens none of the canaries; nor does
    // anything in her decrypted database hold them.
    let dump = dee.store().raw_dump().unwrap();
    for canary in ["CANARY-NAME", "CANARY-NOTE", "CANARY-ASSESSMENT"] {
        assert!(!crate::hubs::contains(&dump, canary.as_bytes()), "{canary} in Dee's store");
    }
    let opened = readable(dee, dee, &net.id);
    assert!(opened.len() > 10, "Dee opens the network's ops: {}", opened.len());
    for canary in ["CANARY-NAME", "CANARY-NOTE", "CANARY-ASSESSMENT"] {
        assert!(!has(&opened, canary), "{canary} opened by a member outside the circle");
        assert!(has(&readable(&sam, &sam, &net.id), canary), "{canary} is in Sam's log");
    }
    // Her node's views: the contact is counted where they work, without name or support.
    let seen = dee.contacts(&net.id).unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].name.as_str(), seen[0].support, seen[0].notes.len()), ("", None, 0));
    let map = dee.workplace_map(&net.id).unwrap();
    assert!(!map.full);
    let cells: Vec<_> = map.cells.iter().flatten().collect();
    assert_eq!(cells.iter().map(|c| c.contacts).sum::<u64>(), 1);
    assert!(cells.iter().all(|c| c.by_support == [0; 5] && c.unassessed == 0), "no support counts for members");
    assert!(dee.note_contact(&net.id, &greta, "x").is_err(), "members write no notes");
    // The calls' roster counts her the same on both nodes.
    assert_eq!(dee.roster(&net.id).unwrap().contacts.len(), sam.roster(&net.id).unwrap().contacts.len());
    assert_eq!(dee.state_hash(&net.id).unwrap(), sam.state_hash(&net.id).unwrap());

    // Ana is promoted: her node gets the circle's key, and with it everything written before.
    let ana_id = people[0].1;
    sam.promote(&net.id, &ana_id).unwrap();
    let (ana, _) = &mut people[0];
    net.ship(&sam, ana);
    let seen = ana.contacts(&net.id).unwrap();
    assert_eq!(seen[0].name, "Greta CANARY-NAME");
    assert_eq!(seen[0].support, Some(2));
    assert!(ana.workplace_map(&net.id).unwrap().full);
    let circle = organizers_circle(&net.id);
    assert_eq!(ana.store().circle_hash(&net.id, &circle).unwrap(), sam.store().circle_hash(&net.id, &circle).unwrap());
    assert_eq!(ana.state_hash(&net.id).unwrap(), sam.state_hash(&net.id).unwrap());
    let hashes = ana.circle_hashes(&net.id).unwrap();
    assert_eq!(hashes.len(), 1, "Ana is in the organizers' circle only");
}

#[test]
fn contacts_from_before_circles_stay_readable_until_reissued() {
    let (mut net, mut sam, mut people) = four();
    // An old contact, as nodes wrote them before circles: one op with the name.
    let old = sam.author(&net.id, Body::Contact(contact("Luis OLD-CANARY"))).unwrap();
    let (dee, _) = &mut people[1];
    net.ship(&sam, dee);
    let seen = dee.contacts(&net.id).unwrap();
    assert!(seen[0].legacy && seen[0].name == "Luis OLD-CANARY", "readable by members, and marked so");

    let new = sam.reissue_contact(&net.id, &old).unwrap();
    net.ship(&sam, dee);
    let mine = sam.contacts(&net.id).unwrap();
    assert_eq!(mine.len(), 1, "the old one is retracted");
    assert_eq!(
        (mine[0].full_id.as_str(), mine[0].legacy, mine[0].name.as_str()),
        (new.to_hex().as_str(), false, "Luis OLD-CANARY")
    );
    let seen = dee.contacts(&net.id).unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].name, "", "the re-issued name is in the circle");
    // The log still holds the old op, readable to Dee: what re-issuing cannot undo.
    assert!(has(&readable(dee, dee, &net.id), "OLD-CANARY"));
    assert!(sam.reissue_contact(&net.id, &new).is_err(), "only old contacts are re-issued");
}

#[test]
fn removed_circle_members_and_removed_network_members_read_nothing_new() {
    let (mut net, mut sam, mut people) = four();
    let crisis = sam.create_circle(&net.id, "Crisis team", "Evictions and arrests").unwrap();
    let (dee_id, bo_id) = (people[1].1, people[2].1);
    sam.add_to_circle(&net.id, &crisis, &dee_id).unwrap();
    sam.add_to_circle(&net.id, &crisis, &bo_id).unwrap();
    sam.post_in_circle(&net.id, &crisis, "POST-ONE").unwrap();
    for (n, _) in &mut people {
        net.ship(&sam, n);
    }
    let (ana, _) = &people[0];
    let seen = ana.circle(&net.id, &crisis).unwrap();
    assert_eq!((seen.size, seen.members.is_none(), seen.leads.len()), (3, true, 1), "Ana sees size and leads only");
    assert!(ana.circle_posts(&net.id, &crisis).unwrap().is_empty());
    assert!(!has(&readable(ana, ana, &net.id), "POST-ONE"));
    let (dee, _) = &people[1];
    assert_eq!(dee.circle_posts(&net.id, &crisis).unwrap()[0].text, "POST-ONE");
    let members = dee.circle(&net.id, &crisis).unwrap().members.unwrap();
    assert_eq!(members.len(), 3, "members see each other: {members:?}");

    // Dee leaves the circle; Bo leaves the network. Neither reads what is written next.
    sam.remove_from_circle(&net.id, &crisis, &dee_id).unwrap();
    sam.remove(&net.id, &bo_id).unwrap();
    sam.upkeep(&net.id).unwrap();
    let view = sam.circle(&net.id, &crisis).unwrap();
    assert_eq!(view.size, 1, "only Sam is left: {view:?}");
    sam.post_in_circle(&net.id, &crisis, "POST-TWO").unwrap();
    for (n, _) in &mut people {
        net.leak(&sam, n);
    }
    for (n, who) in people.iter().map(|(n, _)| n).zip(["ana", "dee", "bo"]) {
        assert!(!has(&readable(n, n, &net.id), "POST-TWO"), "{who} opens the post written after");
    }
    let (dee, _) = &people[1];
    assert!(has(&readable(dee, dee, &net.id), "POST-ONE"), "what Dee read before stays readable to her");
    assert!(!dee.circle(&net.id, &crisis).unwrap().i_am_in);
}

#[test]
fn a_circle_op_from_outside_the_circle_counts_for_nothing_and_is_audited() {
    let (mut net, mut sam, mut people) = four();
    let crisis = sam.create_circle(&net.id, "Crisis team", "").unwrap();
    let dee_id = people[1].1;
    sam.add_to_circle(&net.id, &crisis, &dee_id).unwrap();
    let (dee, _) = &mut people[1];
    net.ship(&sam, dee);
    // Sam takes Dee out; before she hears of it, her node posts under the key it holds.
    sam.remove_from_circle(&net.id, &crisis, &dee_id).unwrap();
    dee.post_in_circle(&net.id, &crisis, "AFTER-REMOVAL").unwrap();
    net.ship(dee, &mut sam);
    assert!(sam.circle_posts(&net.id, &crisis).unwrap().is_empty(), "her post does not count");
    let audit = sam.audit(50).unwrap();
    assert!(audit.iter().any(|a| a.reason == "not_in_circle"), "{audit:?}");
    // And a member who was never in it cannot write into it at all.
    let (ana, _) = &mut people[0];
    net.ship(&sam, ana);
    assert!(ana.post_in_circle(&net.id, &crisis, "x").is_err());
    assert!(ana.add_contact(&net.id, contact("Zed")).is_err(), "not an organizer");
}

/// What a node resolved of one circle.
/// (author, lead, current) of everyone a node resolved in a circle.
type Resolved = Vec<(AuthorId, bool, bool)>;

fn circle_state(n: &Node, net: &NetworkId, circle: &OpId) -> (Resolved, [u8; 32], [u8; 32]) {
    let members = n.store().circle_members(net, circle).unwrap().into_iter().map(|r| (r.author, r.lead, r.current));
    (members.collect(), n.store().circle_hash(net, circle).unwrap(), n.state_hash(net).unwrap())
}

/// Sam and Ana (both organizers) change the crisis team without hearing of each other:
/// Sam adds Bo while Ana takes Bo out and makes Dee a lead. Returns every op, the circle,
/// and Dee's node as it was before her admission (to receive the ops afresh).
struct Scenario {
    net: Net,
    ops: Vec<Vec<u8>>,
    crisis: OpId,
    /// Dee's node holding only her request.
    blank: std::path::PathBuf,
    /// Sam's hash of the crisis team.
    expected: [u8; 32],
}

fn concurrent() -> Scenario {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let mut people = Vec::new();
    for name in ["ana", "dee", "bo"] {
        let (n, id) = net.join(&link, name, &mut sam);
        people.push((n, id));
    }
    // A copy of Dee's node holding only her request.
    let blank = net.tmp.path().join("dee-blank");
    copy_dir(people[1].0.data_dir(), &blank);
    for (_, id) in &people {
        sam.vouch(&net.id, id).unwrap();
    }
    let (ana_id, dee_id, bo_id) = (people[0].1, people[1].1, people[2].1);
    sam.promote(&net.id, &ana_id).unwrap();
    let crisis = sam.create_circle(&net.id, "Crisis team", "").unwrap();
    sam.add_to_circle(&net.id, &crisis, &dee_id).unwrap();
    sam.add_to_circle(&net.id, &crisis, &ana_id).unwrap();
    sam.add_to_circle(&net.id, &crisis, &bo_id).unwrap();
    let (ana, _) = &mut people[0];
    net.ship(&sam, ana);
    sam.remove_from_circle(&net.id, &crisis, &bo_id).unwrap();
    ana.add_to_circle(&net.id, &crisis, &bo_id).unwrap();
    ana.set_circle_lead(&net.id, &crisis, &dee_id, true).unwrap();
    ana.post_in_circle(&net.id, &crisis, "from Ana").unwrap();
    sam.post_in_circle(&net.id, &crisis, "from Sam").unwrap();
    net.ship(ana, &mut sam);
    net.ship(&sam, ana);
    sam.upkeep(&net.id).unwrap();
    let mut ops = Vec::new();
    sam.store()
        .for_each_op(&net.id, |b| {
            ops.push(b.to_vec());
            Ok(())
        })
        .unwrap()
        .unwrap();
    let expected = circle_state(&sam, &net.id, &crisis).1;
    Scenario { net, ops, crisis, blank, expected }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn cases() -> u32 {
    std::env::var("OPENSTRIKE_PROPTEST_CASES").ok().and_then(|v| v.parse::<u32>().ok()).map_or(24, |n| n / 20 + 4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// The same circle ops, concurrent add and removal included, in any order and batching:
    /// the same circle membership and circle state hash on every node, equal to Sam's.
    #[test]
    fn circle_membership_is_the_same_in_any_order(seed in any::<u64>(), cuts in 1usize..8) {
        static SCENARIO: std::sync::OnceLock<std::sync::Mutex<Option<Scenario>>> = std::sync::OnceLock::new();
        let lock = SCENARIO.get_or_init(|| std::sync::Mutex::new(Some(concurrent())));
        let guard = lock.lock().unwrap();
        let Scenario { net, ops, crisis, blank, expected } = guard.as_ref().unwrap();
        let mut order = ops.clone();
        let mut state = seed | 1;
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let dir = tempfile::tempdir().unwrap();
        copy_dir(blank, dir.path());
        let mut dee = Node::open(dir.path(), b"dee").unwrap();
        let per = order.len().div_ceil(cuts);
        let now = dee.now();
        for batch in order.chunks(per) {
            dee.store_mut().ingest(&net.id, batch.to_vec(), now).unwrap();
        }
        let (members, hash, _) = circle_state(&dee, &net.id, crisis);
        prop_assert_eq!(&hash, expected, "members {:?}", members);
        prop_assert!(members.iter().any(|m| m.1 && m.2), "a current lead");
    }
}

#[test]
fn circle_content_syncs_through_a_hub_that_reads_none_of_it() {
    use crate::hubs::{LogBuf, capturing, contains, files_under, sync_at};
    let (net, mut sam, mut people) = four();
    let id = net.id;
    let crisis = sam.create_circle(&id, "Crisis team", "").unwrap();
    sam.add_to_circle(&id, &crisis, &people[1].1).unwrap();
    let post = "CANARY-CIRCLE lawyer is Ruth at Mill Lane";
    sam.post_in_circle(&id, &crisis, post).unwrap();
    let greta = sam.add_contact(&id, contact("CANARY-Greta")).unwrap();
    sam.note_contact(&id, &greta, "CANARY-NOTE close to the manager").unwrap();

    let hub_dir = net.tmp.path().join("hub");
    let hub = Node::init(&hub_dir, b"hub operator passphrase", strike_crypto::KdfParams::MINIMUM).unwrap();
    let logs = LogBuf::default();
    let server = crate::quic::Server::start_with(hub, None, capturing(logs.clone()));
    let hub_addr = server.addr();
    sam.grant_hub(&id, &hub_addr, 30).unwrap();
    let (sam, moved) = sync_at(sam, &hub_addr, id);
    assert!(moved.unwrap() > 0);
    let (ana, _) = people.remove(0);
    let (dee, _) = people.remove(0);
    let (dee, moved) = sync_at(dee, &hub_addr, id);
    assert!(moved.unwrap() > 0);
    let (ana, _) = sync_at(ana, &hub_addr, id);
    assert_eq!(dee.circle_posts(&id, &crisis).unwrap()[0].text, post, "Dee reads the circle through the hub");
    assert_eq!(dee.store().circle_hash(&id, &crisis).unwrap(), sam.store().circle_hash(&id, &crisis).unwrap());
    assert!(ana.circle_posts(&id, &crisis).unwrap().is_empty(), "Ana is not in it");
    assert_eq!(ana.state_hash(&id).unwrap(), sam.state_hash(&id).unwrap(), "yet the network's state agrees");

    let hub = server.stop();
    let mut held = hub.store().raw_dump().unwrap();
    held.extend(files_under(&hub_dir));
    held.extend(logs.0.lock().unwrap().iter());
    let mut secrets: Vec<(String, Vec<u8>)> = vec![("canary".into(), b"CANARY".to_vec())];
    for (epoch, key) in sam.store().circle_held_keys(&id, &crisis).unwrap() {
        secrets.push((format!("crisis key {epoch}"), key.to_vec()));
    }
    for (epoch, key) in sam.store().circle_held_keys(&id, &organizers_circle(&id)).unwrap() {
        secrets.push((format!("organizers key {epoch}"), key.to_vec()));
    }
    assert!(secrets.len() >= 3);
    for (what, secret) in &secrets {
        assert!(!contains(&held, secret), "the hub holds {what}");
    }
    let dump = ana.store().raw_dump().unwrap();
    assert!(!contains(&dump, b"CANARY"), "nor does Ana's decrypted store");
}

#[test]
fn a_member_outside_a_circle_cannot_hand_its_members_a_key() {
    let (mut net, mut sam, mut people) = four();
    let crisis = sam.create_circle(&net.id, "Crisis team", "").unwrap();
    let dee_id = people[1].1;
    sam.add_to_circle(&net.id, &crisis, &dee_id).unwrap();
    for (n, _) in &mut people {
        net.ship(&sam, n);
    }
    // Ana, outside the circle, writes a key for it sealed to Dee (she knows Dee's agreement
    // key from the roster), hoping Dee's node writes under it.
    let dee_agreement = sam.members(&net.id).unwrap().into_iter().find(|m| m.author == dee_id).unwrap().agreement;
    let fake = strike_crypto::SymmetricKey::from_bytes([0x5a; 32]);
    let body = strike_core::circles::seal_circle_key(
        &net.id,
        &crisis,
        &fake,
        &[(dee_id, dee_agreement)],
        vec![],
        &mut rand::rng(),
    )
    .unwrap();
    let fake_epoch = body.epoch;
    let (ana, _) = &mut people[0];
    ana.author(&net.id, Body::CircleKey(body)).unwrap();
    let ana = people.remove(0).0;
    let (dee, _) = &mut people[0];
    net.ship(&ana, dee);
    assert!(
        !dee.store().circle_held_keys(&net.id, &crisis).unwrap().iter().any(|(e, _)| *e == fake_epoch),
        "Dee's node took a key from outside the circle"
    );
    dee.post_in_circle(&net.id, &crisis, "still under the real key").unwrap();
    net.ship(dee, &mut sam);
    assert_eq!(sam.circle_posts(&net.id, &crisis).unwrap()[0].text, "still under the real key");
    let (dee, _) = &people[0];
    assert_eq!(dee.store().circle_hash(&net.id, &crisis).unwrap(), sam.store().circle_hash(&net.id, &crisis).unwrap());
}

#[test]
fn nothing_is_written_under_a_key_someone_who_left_still_holds() {
    let (mut net, mut sam, mut people) = four();
    let (ana_id, dee_id, bo_id) = (people[0].1, people[1].1, people[2].1);
    sam.promote(&net.id, &ana_id).unwrap();
    let crisis = sam.create_circle(&net.id, "Crisis team", "").unwrap();
    sam.add_many_to_circle(&net.id, &crisis, &[dee_id, bo_id]).unwrap();
    for (n, _) in &mut people {
        net.ship(&sam, n);
    }
    // Ana, an organizer outside the circle, takes Bo out: she cannot seal a fresh key.
    let (ana, _) = &mut people[0];
    ana.remove_from_circle(&net.id, &crisis, &bo_id).unwrap();
    let ana = people.remove(0).0;
    let (dee, _) = &mut people[0];
    net.ship(&ana, dee);
    assert!(!dee.circle(&net.id, &crisis).unwrap().members.unwrap().iter().any(|m| m.id == bo_id.to_hex()));
    let refused = dee.post_in_circle(&net.id, &crisis, "Bo must not read this").unwrap_err();
    assert!(refused.to_string().contains("still holds its newest key"), "{refused}");
    // Sam's node, the lead's, seals a fresh key when Ana's entry reaches it; then Dee writes.
    net.ship(&ana, &mut sam);
    net.ship(&sam, dee);
    dee.post_in_circle(&net.id, &crisis, "after the fresh key").unwrap();
    let dee = people.remove(0).0;
    let (bo, _) = &mut people[0];
    net.leak(&dee, bo);
    assert!(!has(&readable(bo, bo, &net.id), "after the fresh key"));
}
