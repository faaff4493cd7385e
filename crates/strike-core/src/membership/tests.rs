//! Tests of membership resolution: admission, vouching, removal, roles and rejoins.

use super::*;
use crate::body::{Invite, JoinRequest, Removal, RoleChange, Vouch};

struct Log {
    events: Vec<Event>,
    seqs: BTreeMap<AuthorId, u64>,
    n: u8,
}

fn who(i: u8) -> AuthorId {
    AuthorId([i; 32])
}

const SECRET: [u8; 32] = [9; 32];

impl Log {
    fn new(k: u8) -> Log {
        let mut log = Log { events: Vec::new(), seqs: BTreeMap::new(), n: 0 };
        log.push(
            1,
            Body::Genesis(Genesis {
                name: "Dock 4".into(),
                kind: NetworkKind::Workplace,
                salt: [0; 16],
                founder_agreement: [1; 32],
                vouches_required: k,
            }),
        );
        log.push(1, Body::Invite(Invite { secret: SECRET, uses: 10, vouches: k, expires: None, addresses: vec![] }));
        log
    }

    fn push(&mut self, author: u8, body: Body) -> u64 {
        let seq = self.seqs.entry(who(author)).or_default();
        *seq += 1;
        self.n += 1;
        let seq = *seq;
        self.events.push(Event {
            op: OpId([self.n; 32]),
            author: who(author),
            seq,
            time: CoarseTime(u32::from(self.n)),
            body,
        });
        seq
    }

    fn join(&mut self, author: u8) {
        self.push(
            author,
            Body::JoinRequest(JoinRequest {
                invite: invite_id(&SECRET),
                agreement: [author; 32],
                pseudonym: format!("p{author}"),
            }),
        );
    }

    fn vouch(&mut self, by: u8, joiner: u8) -> u64 {
        self.push(by, Body::Vouch(Vouch { member: crate::AuthorId([joiner; 32]) }))
    }

    fn status(&self, i: u8) -> Option<Status> {
        resolve(&self.events).status(&who(i))
    }
}

#[test]
fn vouches_admit_and_cycles_do_not() {
    let mut log = Log::new(2);
    log.join(2);
    log.join(3);
    log.vouch(1, 2);
    assert_eq!(log.status(2), Some(Status::Pending), "one of two vouches");
    // Two pending joiners vouching for each other admit nobody.
    log.vouch(3, 2);
    log.vouch(2, 3);
    assert_eq!(log.status(2), Some(Status::Pending));
    assert_eq!(log.status(3), Some(Status::Pending));
    // A second admitted voucher admits 2, and then 2's vouch (with the founder's) admits 3.
    log.join(4);
    log.vouch(1, 4);
    assert_eq!(log.status(4), Some(Status::Pending));
    log.push(1, Body::RoleChange(RoleChange { member: crate::AuthorId([4; 32]), role: Role::Organizer }));
    assert!(!resolve(&log.events).counts(&who(4), 1), "promotion does not admit");
    log.vouch(1, 3);
    assert_eq!(log.status(3), Some(Status::Pending));
    let mut log2 = Log::new(1);
    log2.join(2);
    log2.vouch(1, 2);
    log2.join(3);
    log2.vouch(2, 3);
    assert_eq!(log2.status(2), Some(Status::Member));
    assert_eq!(log2.status(3), Some(Status::Member), "admitted through a member admitted by vouch");
    assert!(resolve(&log2.events).counts(&who(2), 5));
}

#[test]
fn removal_wins_over_the_removed_members_later_acts() {
    let mut log = Log::new(1);
    log.join(2);
    log.vouch(1, 2);
    log.join(3);
    // 2 vouches for 3 at seq 2, then is removed having been seen up to seq 1.
    let seq = log.vouch(2, 3);
    assert_eq!(seq, 2);
    assert_eq!(log.status(3), Some(Status::Member));
    log.push(1, Body::Removal(Removal { member: crate::AuthorId([2; 32]), last_seen_seq: 1 }));
    let m = resolve(&log.events);
    assert_eq!(m.status(&who(2)), Some(Status::Removed));
    assert!(m.counts(&who(2), 1) && !m.counts(&who(2), 2));
    assert_eq!(m.status(&who(3)), Some(Status::Pending), "the vouch after the cut does not count");
}

#[test]
fn mutual_concurrent_removals_remove_both() {
    let mut log = Log::new(1);
    for i in [2, 3] {
        log.join(i);
        log.vouch(1, i);
        log.push(1, Body::RoleChange(RoleChange { member: crate::AuthorId([i; 32]), role: Role::Organizer }));
    }
    log.push(2, Body::Removal(Removal { member: crate::AuthorId([3; 32]), last_seen_seq: 1 }));
    log.push(3, Body::Removal(Removal { member: crate::AuthorId([2; 32]), last_seen_seq: 1 }));
    let m = resolve(&log.events);
    assert_eq!(m.status(&who(2)), Some(Status::Removed));
    assert_eq!(m.status(&who(3)), Some(Status::Removed));
    // And the founder cannot be removed.
    log.push(2, Body::Removal(Removal { member: crate::AuthorId([1; 32]), last_seen_seq: 0 }));
    assert_eq!(log.status(1), Some(Status::Member));
}

#[test]
fn order_does_not_matter() {
    let mut log = Log::new(1);
    for i in 2..8 {
        log.join(i);
        log.vouch(1 + (i % 2), i);
    }
    log.push(1, Body::Removal(Removal { member: crate::AuthorId([5; 32]), last_seen_seq: 1 }));
    let expected = resolve(&log.events);
    let mut events = log.events.clone();
    for round in 0..20 {
        events.rotate_left(3 + round % 5);
        events.reverse();
        assert_eq!(resolve(&events), expected);
    }
}

#[test]
fn invite_limits() {
    let mut log = Log::new(1);
    let secret = [7; 32];
    log.push(1, Body::Invite(Invite { secret, uses: 1, vouches: 1, expires: Some(30), addresses: vec![] }));
    for i in [2, 3] {
        log.push(
            i,
            Body::JoinRequest(JoinRequest { invite: invite_id(&secret), agreement: [i; 32], pseudonym: "x".into() }),
        );
        log.vouch(1, i);
    }
    assert_eq!(log.status(2), Some(Status::Member));
    assert_eq!(log.status(3), Some(Status::Pending), "one use only");
    // A joiner whose invite came from someone who is no organizer is not admitted.
    let mut log = Log::new(1);
    log.join(2);
    log.vouch(1, 2);
    log.push(2, Body::Invite(Invite { secret, uses: 5, vouches: 1, expires: None, addresses: vec![] }));
    log.push(
        3,
        Body::JoinRequest(JoinRequest { invite: invite_id(&secret), agreement: [3; 32], pseudonym: "x".into() }),
    );
    log.vouch(1, 3);
    assert_eq!(log.status(3), Some(Status::Pending));
}

#[test]
fn epoch_numbers_stay_in_their_ranges() {
    for b in 0..=255u8 {
        let e = rotated_epoch(&[b; 32]);
        assert!((1..JOIN_EPOCH_BASE).contains(&e));
        assert!(join_epoch(&[b; 16]) >= JOIN_EPOCH_BASE);
    }
}

impl Log {
    /// `new` asks to replace `old`, whose ops up to `last_good_seq` were theirs. (The proof
    /// is checked at ingest, by `check_standing`, not by `resolve`.)
    fn rejoin(&mut self, new: u8, old: u8, last_good_seq: u64) {
        self.push(
            new,
            Body::Rejoin(crate::body::Rejoin {
                old: crate::AuthorId([old; 32]),
                agreement: [new; 32],
                pseudonym: format!("p{old} again"),
                last_good_seq,
                proof: [0; 64],
            }),
        );
    }
}

#[test]
fn an_organizers_vouch_lets_a_new_key_replace_an_old_one_once() {
    let mut log = Log::new(1);
    log.join(2);
    log.vouch(1, 2);
    log.push(1, Body::RoleChange(RoleChange { member: crate::AuthorId([2; 32]), role: Role::Organizer }));
    log.join(3);
    log.vouch(1, 3);
    log.push(3, Body::Vouch(Vouch { member: crate::AuthorId([9; 32]) })); // 3's seq 2: their own
    log.push(3, Body::Vouch(Vouch { member: crate::AuthorId([9; 32]) })); // seq 3: a clone's, after the fork
    // 13 asks to replace 3 (good up to seq 2); a member's vouch is not enough.
    log.rejoin(13, 3, 2);
    log.join(4);
    log.vouch(1, 4);
    log.vouch(4, 13);
    assert_eq!(log.status(13), Some(Status::Pending), "only an organizer's vouch admits a rejoin");
    log.vouch(2, 13);
    let m = resolve(&log.events);
    assert_eq!(m.status(&who(13)), Some(Status::Member));
    assert_eq!(m.status(&who(3)), Some(Status::Removed), "the old key is replaced");
    assert!(m.counts(&who(3), 2) && !m.counts(&who(3), 3), "up to its last good seq");
    assert_eq!(m.people[&who(13)].role, Role::Member);
    assert_eq!(m.people[&who(13)].invite, None);
    // 23, holding 3's old key too (a clone), asks later; even vouched, it replaces nothing.
    log.rejoin(23, 3, 3);
    log.vouch(1, 23);
    let m = resolve(&log.events);
    assert_eq!((m.status(&who(23)), m.status(&who(13))), (Some(Status::Pending), Some(Status::Member)));
    assert!(!m.counts(&who(3), 3), "the clone's last good seq does not widen the cut");
    // An organizer's new key is an organizer.
    log.rejoin(12, 2, 1);
    log.vouch(1, 12);
    let m = resolve(&log.events);
    assert_eq!((m.status(&who(12)), m.people[&who(12)].role), (Some(Status::Member), Role::Organizer));
    assert_eq!(m.status(&who(2)), Some(Status::Removed));
    // A pending joiner's key cannot be replaced into a member.
    log.join(5);
    log.rejoin(15, 5, 1);
    log.vouch(1, 15);
    assert_eq!(log.status(15), Some(Status::Pending));
}

#[test]
fn of_two_vouched_rejoins_the_first_vouched_wins_in_any_order() {
    let mut log = Log::new(1);
    log.join(2);
    log.vouch(1, 2);
    log.rejoin(30, 2, 1);
    log.rejoin(31, 2, 1);
    log.vouch(1, 31);
    log.vouch(1, 30);
    let expected = resolve(&log.events);
    assert_eq!(expected.status(&who(31)), Some(Status::Member));
    assert_eq!(expected.status(&who(30)), Some(Status::Pending));
    let mut events = log.events.clone();
    for round in 0..12 {
        events.rotate_left(1 + round % 4);
        events.reverse();
        assert_eq!(resolve(&events), expected);
    }
}

#[test]
fn a_demoted_organizers_new_key_is_no_organizer() {
    let mut log = Log::new(1);
    log.join(2);
    log.vouch(1, 2);
    log.push(1, Body::RoleChange(RoleChange { member: crate::AuthorId([2; 32]), role: Role::Organizer }));
    log.rejoin(12, 2, 1);
    log.vouch(1, 12);
    assert_eq!(resolve(&log.events).people[&who(12)].role, Role::Organizer);
    log.push(1, Body::RoleChange(RoleChange { member: crate::AuthorId([2; 32]), role: Role::Member }));
    assert_eq!(resolve(&log.events).people[&who(12)].role, Role::Member);
    log.push(1, Body::RoleChange(RoleChange { member: crate::AuthorId([12; 32]), role: Role::Organizer }));
    assert_eq!(resolve(&log.events).people[&who(12)].role, Role::Organizer, "promoted in its own right");
}
