//! Restored and cloned devices: a data directory restored from a backup, or copied to a second
//! device, signs nothing until it has synced (or its owner says it is the only copy), and a key
//! that forked anyway goes on under a new one, vouched in by an organizer, with the member's
//! pledge counted once.

use std::path::Path;

use strike_core::calls::{Call, CallKind, Rule, Wave};
use strike_core::membership::Status;
use strike_core::{AuthorId, CoarseTime, NetworkId, OpId};
use strike_node::Node;
use strike_node::networks::RecoverWhy;
use strike_node::sync::sync_pair;

use crate::networks::Net;

/// A copy of a (closed) data directory, as a backup restored into place or a copy on another
/// device would be: the same bytes in new files.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Sam founds the network, Dee joins and is admitted; both nodes hold everything.
fn sam_and_dee() -> (Net, Node, Node, AuthorId) {
    let (mut net, mut sam) = Net::found(1);
    let link = sam.create_invite(&net.id, 5, None, vec![]).unwrap();
    let (mut dee, dee_id) = net.join(&link, "dee", &mut sam);
    sam.vouch(&net.id, &dee_id).unwrap();
    sync_pair(&mut dee, &mut sam, net.id).unwrap();
    (net, sam, dee, dee_id)
}

fn call(sam: &mut Node, net: &NetworkId) -> OpId {
    let deadline = CoarseTime::from_unix_seconds(sam.now() + 7 * 86_400).0;
    let call = Call {
        kind: CallKind::Strike,
        title: "One day".into(),
        demands: vec!["Heat plan".into()],
        scope: String::new(),
        deadline,
        exempt_roles: vec![],
        waves: vec![Wave { rules: vec![Rule::Count { n: 10 }], starts: deadline + 60 }],
        secret: None,
    };
    sam.create_call(net, call).unwrap()
}

fn counted(n: &Node, net: &NetworkId, call: &OpId) -> u64 {
    n.calls(net).unwrap().into_iter().find(|c| c.op == *call).unwrap().tally.counted
}

#[test]
fn a_restored_backup_signs_nothing_until_it_syncs() {
    let (net, mut sam, dee, _) = sam_and_dee();
    let (dee_dir, backup) = (dee.data_dir().to_path_buf(), net.tmp.path().join("backup"));
    drop(dee);
    copy_dir(&dee_dir, &backup);
    // Dee goes on writing on her phone; the ops reach Sam.
    let mut dee = Node::open(&dee_dir, b"dee").unwrap();
    dee.set_skill(&net.id, "car", true).unwrap();
    sync_pair(&mut dee, &mut sam, net.id).unwrap();
    drop(dee);
    // The phone is restored from last week's backup.
    std::fs::remove_dir_all(&dee_dir).unwrap();
    copy_dir(&backup, &dee_dir);
    let mut restored = Node::open(&dee_dir, b"dee").unwrap();
    assert!(!restored.network(&net.id).unwrap().writes_ready);
    let err = restored.set_skill(&net.id, "legal", true).unwrap_err();
    assert!(err.to_string().contains("restored from a backup or copied"), "{err}");
    let ops_before = restored.store().op_count().unwrap();
    assert_eq!(restored.upkeep(&net.id).unwrap(), Default::default(), "upkeep signs nothing either");
    assert_eq!(restored.store().op_count().unwrap(), ops_before);
    // A sync brings back her own later ops; then she writes after them, at a fresh seq.
    sync_pair(&mut restored, &mut sam, net.id).unwrap();
    assert!(restored.network(&net.id).unwrap().writes_ready);
    restored.set_skill(&net.id, "legal", true).unwrap();
    sync_pair(&mut restored, &mut sam, net.id).unwrap();
    assert!(sam.store().equivocators(&net.id).unwrap().is_empty(), "no sequence number was signed twice");
    let skills = sam.skills(&net.id).unwrap();
    let dee_id = restored.network(&net.id).unwrap().my_author.unwrap();
    assert_eq!(skills[&dee_id], vec!["car".to_owned(), "legal".to_owned()]);
    assert_eq!(restored.state_hash(&net.id).unwrap(), sam.state_hash(&net.id).unwrap());
    // Reopening the same directory on the same device asks for nothing.
    drop(restored);
    assert!(Node::open(&dee_dir, b"dee").unwrap().network(&net.id).unwrap().writes_ready);
}

#[test]
fn the_owner_can_say_it_is_the_only_copy() {
    let (net, _sam, dee, _) = sam_and_dee();
    let dee_dir = dee.data_dir().to_path_buf();
    drop(dee);
    let moved = net.tmp.path().join("new-laptop");
    copy_dir(&dee_dir, &moved);
    let mut dee = Node::open(&moved, b"dee").unwrap();
    assert!(dee.set_skill(&net.id, "car", true).is_err());
    dee.confirm_only_copy(&net.id).unwrap();
    dee.set_skill(&net.id, "car", true).unwrap();
}

#[test]
fn a_cloned_device_cannot_double_a_pledge_and_the_member_goes_on_under_a_new_key() {
    let (mut net, mut sam, mut dee, old_dee) = sam_and_dee();
    let strike = call(&mut sam, &net.id);
    sync_pair(&mut sam, &mut dee, net.id).unwrap();
    dee.pledge(&net.id, &strike, true).unwrap();
    sync_pair(&mut dee, &mut sam, net.id).unwrap();
    assert_eq!(counted(&sam, &net.id, &strike), 1);
    // Her phone is seized and cloned; whoever holds the clone tells it it is the only copy.
    let dee_dir = dee.data_dir().to_path_buf();
    drop(dee);
    let clone_dir = net.tmp.path().join("clone");
    copy_dir(&dee_dir, &clone_dir);
    let mut dee = Node::open(&dee_dir, b"dee").unwrap();
    let mut clone = Node::open(&clone_dir, b"dee").unwrap();
    clone.confirm_only_copy(&net.id).unwrap();
    // Both sign their next op: one sequence number, two ops. Every node flags the key.
    dee.set_skill(&net.id, "car", true).unwrap();
    clone.set_skill(&net.id, "legal", true).unwrap();
    net.ship(&clone, &mut sam);
    sync_pair(&mut dee, &mut sam, net.id).unwrap();
    assert!(sam.store().equivocators(&net.id).unwrap().contains(&old_dee));
    assert_eq!(counted(&sam, &net.id, &strike), 0, "a forked key's pledge counts for nothing");
    let err = dee.set_skill(&net.id, "medical", true).unwrap_err();
    assert!(err.to_string().contains("openstrike recover"), "{err}");

    // Dee goes on under a new key; the clone tries the same with its own.
    let recovered = dee.recover(&net.id, RecoverWhy::Forked).unwrap();
    assert_eq!(recovered.old, old_dee);
    let fake = clone.recover(&net.id, RecoverWhy::Compromised).unwrap();
    sync_pair(&mut dee, &mut sam, net.id).unwrap();
    net.ship(&clone, &mut sam);
    let status = |n: &Node, who: &AuthorId| n.members(&net.id).unwrap().into_iter().find(|m| m.author == *who).unwrap();
    assert_eq!(status(&sam, &recovered.new).status, Status::Pending);
    assert_eq!(status(&sam, &recovered.new).replaces, Some(old_dee));
    assert!(dee.pledge(&net.id, &strike, true).is_err(), "nothing signed before an organizer vouches");
    // Sam checks with Dee in person and vouches for her new key first; then, mistakenly, for
    // the clone's too.
    sam.vouch(&net.id, &recovered.new).unwrap();
    sam.vouch(&net.id, &fake.new).unwrap();
    assert_eq!(status(&sam, &recovered.new).status, Status::Member);
    assert_eq!(status(&sam, &old_dee).status, Status::Removed, "the old key is removed");
    assert_eq!(status(&sam, &fake.new).status, Status::Pending, "an old key is replaced once");
    sync_pair(&mut sam, &mut dee, net.id).unwrap();
    dee.upkeep(&net.id).unwrap();
    dee.pledge(&net.id, &strike, true).unwrap();
    sync_pair(&mut dee, &mut sam, net.id).unwrap();
    assert_eq!(counted(&sam, &net.id, &strike), 1, "her pledge counts once, under her new key");
    // The clone can sign nothing that counts, and reads nothing written after the rotation.
    sync_pair(&mut sam, &mut clone, net.id).unwrap();
    assert!(clone.pledge(&net.id, &strike, true).is_err());
    sam.announce(&net.id, "Picket at the north gate, 05:30").unwrap();
    sync_pair(&mut sam, &mut clone, net.id).unwrap();
    assert!(clone.announcements(&net.id, 5).unwrap().iter().all(|a| !a.text.contains("north gate")));
    sync_pair(&mut sam, &mut dee, net.id).unwrap();
    assert!(dee.announcements(&net.id, 5).unwrap().iter().any(|a| a.text.contains("north gate")));
    assert_eq!(counted(&dee, &net.id, &strike), 1);
    assert_eq!(dee.state_hash(&net.id).unwrap(), sam.state_hash(&net.id).unwrap());
}
