//! History for new members, both settings: with `all`, a joiner's keys open every op written
//! before them; with `since_admission`, they open the roster (members, profiles, calls,
//! pledges) but none of the announcements, skills, cover or notes written before their
//! admission. Checked against the keys the joiner's store holds, dumped and tried on every op.

use strike_core::body::HistoryMode;
use strike_core::{AuthorId, Body, NetworkId, SealedOp};
use strike_node::Node;
use strike_node::sync::sync_pair;

use crate::networks::Net;

/// Every op of the network `held` holds, opened with every key `keys` holds: the bodies that
/// open, and how many ops open with no key.
fn open_with_dumped_keys(held: &Node, keys: &Node, net: &NetworkId) -> (Vec<Body>, usize) {
    let all_keys: Vec<_> = keys.store().all_epoch_keys(net).unwrap().into_iter().map(|(_, k)| k).collect();
    let mut opened = Vec::new();
    let mut unopened = 0;
    held.store()
        .for_each_op(net, |bytes| {
            let op = SealedOp::from_verified_store(bytes.to_vec()).unwrap();
            match all_keys.iter().find_map(|k| op.open(k).ok()) {
                Some(body) => opened.push(body),
                None => unopened += 1,
            }
            Ok(())
        })
        .unwrap()
        .unwrap();
    (opened, unopened)
}

fn announcements(bodies: &[Body]) -> Vec<String> {
    bodies.iter().filter_map(|b| if let Body::Announcement(a) = b { Some(a.text.clone()) } else { None }).collect()
}

/// Sam's network with `mode`, an announcement, a skill and a call with Sam's pledge; then Dee
/// joins and is admitted; then a second announcement.
fn scenario(mode: HistoryMode) -> (Net, Node, Node, AuthorId) {
    let (mut net, mut sam) = Net::found(1);
    sam.set_history(&net.id, mode).unwrap();
    sam.announce(&net.id, "before Dee: the 3% offer").unwrap();
    sam.set_skill(&net.id, "legal", true).unwrap();
    let deadline = strike_core::CoarseTime::from_unix_seconds(sam.now() + 86_400).0;
    let call = sam
        .create_call(
            &net.id,
            strike_core::calls::Call {
                kind: strike_core::calls::CallKind::Strike,
                title: "One day".into(),
                demands: vec![],
                scope: String::new(),
                deadline,
                exempt_roles: vec![],
                waves: vec![strike_core::calls::Wave {
                    rules: vec![strike_core::calls::Rule::Count { n: 2 }],
                    starts: deadline + 60,
                }],
                secret: None,
            },
        )
        .unwrap();
    sam.pledge(&net.id, &call, true).unwrap();
    let link = sam.create_invite(&net.id, 2, None, vec![]).unwrap();
    let (mut dee, dee_id) = net.join(&link, "dee", &mut sam);
    sam.vouch(&net.id, &dee_id).unwrap();
    sync_pair(&mut dee, &mut sam, net.id).unwrap();
    dee.upkeep(&net.id).unwrap();
    sam.announce(&net.id, "after Dee: picket at six").unwrap();
    sync_pair(&mut dee, &mut sam, net.id).unwrap();
    (net, sam, dee, dee_id)
}

#[test]
fn with_all_history_a_new_members_keys_open_everything() {
    let (net, sam, dee, _) = scenario(HistoryMode::All);
    let (bodies, unopened) = open_with_dumped_keys(&sam, &dee, &net.id);
    assert_eq!(unopened, 0, "every op opens with Dee's keys");
    assert_eq!(announcements(&bodies), ["before Dee: the 3% offer", "after Dee: picket at six"]);
    assert_eq!(dee.announcements(&net.id, 10).unwrap().len(), 2);
    assert_eq!(sam.network(&net.id).unwrap().history, HistoryMode::All);
    assert_eq!(dee.state_hash(&net.id).unwrap(), sam.state_hash(&net.id).unwrap());
    assert_eq!(dee.store().history_hash(&net.id).unwrap(), sam.store().history_hash(&net.id).unwrap());
}

#[test]
fn since_admission_a_new_members_keys_open_the_roster_and_only_later_history() {
    let (mut net, mut sam, mut dee, dee_id) = scenario(HistoryMode::SinceAdmission);
    let (bodies, unopened) = open_with_dumped_keys(&sam, &dee, &net.id);
    assert_eq!(announcements(&bodies), ["after Dee: picket at six"], "nothing written before her admission");
    assert!(!bodies.iter().any(|b| matches!(b, Body::Skill(_))), "Sam's skill came before her");
    assert_eq!(unopened, 2, "the earlier announcement and skill stay sealed to her");
    // The roster opens: the call and Sam's pledge count the same on both nodes.
    assert!(bodies.iter().any(|b| matches!(b, Body::Call(_))));
    assert!(bodies.iter().any(|b| matches!(b, Body::Pledge(_))));
    let (sam_calls, dee_calls) = (sam.calls(&net.id).unwrap(), dee.calls(&net.id).unwrap());
    assert_eq!((dee_calls[0].tally.counted, dee_calls[0].tally.status), (1, sam_calls[0].tally.status));
    assert_eq!(dee.state_hash(&net.id).unwrap(), sam.state_hash(&net.id).unwrap(), "the roster agrees");
    assert_ne!(dee.store().history_hash(&net.id).unwrap(), sam.store().history_hash(&net.id).unwrap());
    assert_eq!(dee.announcements(&net.id, 10).unwrap().len(), 1);
    // What Dee writes to the history layer reaches Sam; a later joiner reads none of it.
    dee.set_skill(&net.id, "car", true).unwrap();
    sync_pair(&mut dee, &mut sam, net.id).unwrap();
    assert_eq!(sam.skills(&net.id).unwrap()[&dee_id], vec!["car".to_owned()]);
    let link = sam.create_invite(&net.id, 1, None, vec![]).unwrap();
    let (mut lee, lee_id) = net.join(&link, "lee", &mut sam);
    sam.vouch(&net.id, &lee_id).unwrap();
    sync_pair(&mut lee, &mut sam, net.id).unwrap();
    let (bodies, _) = open_with_dumped_keys(&sam, &lee, &net.id);
    assert!(announcements(&bodies).is_empty(), "Lee reads no announcement from before him");
    assert!(!bodies.iter().any(|b| matches!(b, Body::Skill(_))));
    assert_eq!(lee.state_hash(&net.id).unwrap(), sam.state_hash(&net.id).unwrap());
    // A removed member reads no history written after the removal.
    sam.remove(&net.id, &dee_id).unwrap();
    sam.announce(&net.id, "after Dee left").unwrap();
    sync_pair(&mut sam, &mut dee, net.id).unwrap();
    assert!(!announcements(&open_with_dumped_keys(&sam, &dee, &net.id).0).contains(&"after Dee left".to_owned()));
    sync_pair(&mut sam, &mut lee, net.id).unwrap();
    assert!(announcements(&open_with_dumped_keys(&sam, &lee, &net.id).0).contains(&"after Dee left".to_owned()));
}
