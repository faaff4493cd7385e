//! Each method on hand-worked cases, the edges (a missed quorum, ties, a block, exhausted
//! ranked ballots, revotes, ballots after the close) and the same tally whatever the order.

use proptest::prelude::*;

use super::*;
use crate::votes::{Results, Results::AfterClose};

fn proposal(method: Method, options: &[&str], seats: u8) -> Proposal {
    Proposal {
        title: "Accept the offer?".into(),
        text: String::new(),
        method,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        seats,
        quorum: 0,
        pass: Pass::Majority,
        closes: 1_000,
        results: Results::Always,
        about: None,
        delegates: false,
        circle: None,
        secret: None,
    }
}

fn who(n: u8) -> AuthorId {
    AuthorId([n; 32])
}

fn ballot(n: u8, seq: u64, time: u32, choice: Choice) -> BallotIn {
    let mut op = [0u8; 32];
    op[0] = n;
    op[1..9].copy_from_slice(&seq.to_be_bytes());
    BallotIn {
        op: OpId(op),
        author: who(n),
        seq,
        time: CoarseTime(time),
        content: BallotContent { choice, reason: String::new() },
    }
}

fn pos(n: u8, p: &str) -> BallotIn {
    ballot(n, 1, 10, Choice::Position(p.into()))
}

fn electorate(n: u8) -> BTreeSet<AuthorId> {
    (1..=n).map(who).collect()
}

#[test]
fn yes_no_with_its_rules_a_block_and_a_quorum() {
    let p = proposal(Method::YesNo, &[], 1);
    let votes = [pos(1, "yes"), pos(2, "yes"), pos(3, "no"), pos(4, "abstain")];
    let t = tally(&p, &electorate(10), &votes, None);
    assert_eq!((t.voted, t.decision.clone()), (4, Decision::Passed));
    let two_thirds = Proposal { pass: Pass::TwoThirds, ..p.clone() };
    assert_eq!(tally(&two_thirds, &electorate(10), &votes, None).decision, Decision::Passed, "2 yes to 1 no");
    let mut more_no = votes.to_vec();
    more_no.push(pos(5, "no"));
    assert_eq!(tally(&two_thirds, &electorate(10), &more_no, None).decision, Decision::Rejected);
    let consensus = Proposal { pass: Pass::Consensus, ..p.clone() };
    assert_eq!(tally(&consensus, &electorate(10), &votes, None).decision, Decision::Rejected);
    let mut blocked = votes.to_vec();
    blocked.push(pos(6, "block"));
    assert_eq!(tally(&p, &electorate(10), &blocked, None).decision, Decision::Blocked);
    // A quorum of half of ten: four voters miss it once the vote is closed.
    let quorate = Proposal { quorum: 500, ..p };
    let cut: HashMap<AuthorId, u64> = (1..=10).map(|n| (who(n), 5)).collect();
    let t = tally(&quorate, &electorate(10), &votes, Some(&cut));
    assert_eq!((t.quorum_needed, t.closed, t.decision), (5, true, Decision::NoQuorum));
    // Abstentions and a lone "no": nothing passes without a yes.
    assert_eq!(tally(&quorate, &electorate(10), &[pos(1, "abstain")], None).decision, Decision::Rejected);
}

#[test]
fn consent_passes_unless_someone_objects() {
    let p = proposal(Method::Consent, &[], 1);
    assert_eq!(tally(&p, &electorate(3), &[pos(1, "consent"), pos(2, "consent")], None).decision, Decision::Passed);
    let t = tally(&p, &electorate(3), &[pos(1, "consent"), pos(2, "object")], None);
    assert_eq!((t.decision, t.positions.get("object").copied()), (Decision::Blocked, Some(1)));
    // A yes / no position does not fit a consent vote.
    let t = tally(&p, &electorate(3), &[pos(1, "yes")], None);
    assert_eq!((t.voted, t.not_counted.values().next().copied()), (0, Some("does not fit the method")));
}

#[test]
fn choose_approval_and_score_elect_the_most_and_a_tie_decides_nothing() {
    let p = proposal(Method::Choose, &["3% now", "5% in March", "Strike on"], 1);
    let c = |n, i| ballot(n, 1, 10, Choice::Choose(i));
    let t = tally(&p, &electorate(9), &[c(1, 2), c(2, 2), c(3, 0), c(4, 1)], None);
    assert_eq!((t.per_option.clone(), t.decision), (vec![1, 1, 2], Decision::Elected(vec![2])));
    assert_eq!(tally(&p, &electorate(9), &[c(1, 2), c(2, 0)], None).decision, Decision::Tied(vec![0, 2]));
    assert_eq!(tally(&p, &electorate(9), &[], None).decision, Decision::Undecided);
    let out_of_range = tally(&p, &electorate(9), &[c(1, 3)], None);
    assert_eq!(out_of_range.voted, 0);

    let a = Proposal { method: Method::Approval, ..p.clone() };
    let ap = |n, v: &[u8]| ballot(n, 1, 10, Choice::Approve(v.to_vec()));
    let t = tally(&a, &electorate(9), &[ap(1, &[0, 1]), ap(2, &[1]), ap(3, &[0, 2]), ap(4, &[])], None);
    assert_eq!((t.per_option.clone(), t.voted), (vec![2, 2, 1], 4));
    assert_eq!(t.decision, Decision::Tied(vec![0, 1]));
    assert_eq!(tally(&a, &electorate(9), &[ap(1, &[0, 0])], None).voted, 0, "an option approved twice");

    let s = Proposal { method: Method::Score, ..p };
    let sc = |n, v: &[u8]| ballot(n, 1, 10, Choice::Score(v.to_vec()));
    let t = tally(&s, &electorate(9), &[sc(1, &[5, 0, 3]), sc(2, &[1, 4, 3]), sc(3, &[0, 2, 0])], None);
    assert_eq!((t.per_option.clone(), t.decision), (vec![6, 6, 6], Decision::Tied(vec![0, 1, 2])));
    let t = tally(&s, &electorate(9), &[sc(1, &[5, 0, 3]), sc(2, &[1, 4, 2])], None);
    assert_eq!(t.decision, Decision::Elected(vec![0]), "6 against 4 and 5");
    assert_eq!(tally(&s, &electorate(9), &[sc(1, &[6, 0, 0])], None).voted, 0, "a score above 5");
}

#[test]
fn ranked_and_stv_count_with_exhausted_ballots() {
    // Instant runoff: A 3, B 3, C 2 (C's voters rank B next, one of them nobody else).
    let p = proposal(Method::Ranked, &["A", "B", "C"], 1);
    let r = |n, v: &[u8]| ballot(n, 1, 10, Choice::Rank(v.to_vec()));
    let votes = [r(1, &[0]), r(2, &[0]), r(3, &[0]), r(4, &[1]), r(5, &[1]), r(6, &[1, 0]), r(7, &[2, 1]), r(8, &[2])];
    let t = tally(&p, &electorate(8), &votes, None);
    // Quota 5, nobody there: C (2) out, one ballot on to B (4), one exhausted; A (3) out, her
    // ballots rank nobody else; B, the last standing, is elected.
    assert_eq!(t.decision, Decision::Elected(vec![1]));
    let rounds = &t.count.as_ref().unwrap().rounds;
    assert_eq!(rounds[1].votes[1], Some(4 * count::SCALE));
    // STV, two seats over four candidates: a winner above quota in the first round.
    let p = Proposal { seats: 2, ..proposal(Method::Stv, &["Ana", "Bo", "Cy", "Dee"], 2) };
    let mut votes = Vec::new();
    for n in 1..=7 {
        votes.push(r(n, &[0, 1]));
    }
    votes.extend([r(8, &[2]), r(9, &[2, 3]), r(10, &[3])]);
    let t = tally(&p, &electorate(10), &votes, None);
    // Quota 10/3 + 1 = 4: Ana (7) is elected at once; her surplus of 3 passes on at 3/7 a
    // ballot (0.42857 at five places), so Bo has 2.99999. Then Dee (1) and Cy (2) are out, their
    // ballots exhausted, and Bo is the last standing.
    assert_eq!(t.decision, Decision::Elected(vec![0, 1]));
    assert_eq!(t.count.as_ref().unwrap().quota, 4);
    assert_eq!(t.count.as_ref().unwrap().rounds[1].votes[1], Some(7 * 42_857));
    let ranked_twice = tally(&p, &electorate(10), &[r(1, &[0, 0])], None);
    assert_eq!(ranked_twice.voted, 0);
}

#[test]
fn the_latest_ballot_counts_and_nothing_after_the_close() {
    let p = proposal(Method::YesNo, &[], 1);
    let votes = [
        ballot(1, 1, 10, Choice::Position("no".into())),
        ballot(1, 2, 20, Choice::Position("yes".into())),
        ballot(2, 1, 10, Choice::Position("no".into())),
        // Dee votes after the organizer's close (outside its cut), with a backdated time.
        ballot(3, 4, 5, Choice::Position("yes".into())),
        // Not a member when the proposal was made.
        ballot(9, 1, 10, Choice::Position("yes".into())),
    ];
    let open = tally(&p, &electorate(4), &votes, None);
    assert_eq!((open.voted, open.decision.clone()), (3, Decision::Passed), "Ana changed to yes; Dee's counts");
    let cut: HashMap<AuthorId, u64> = [(who(1), 2), (who(2), 1), (who(3), 3)].into();
    let closed = tally(&p, &electorate(4), &votes, Some(&cut));
    assert_eq!((closed.voted, closed.decision.clone()), (2, Decision::Rejected), "one yes, one no: not more yes");
    assert_eq!(closed.not_counted.values().filter(|w| **w == "after the close").count(), 1);
    assert_eq!(closed.not_counted.values().filter(|w| **w == "changed later").count(), 1);
    assert_eq!(closed.not_counted.values().filter(|w| **w == "not in the electorate").count(), 1);
    // Before any close, a ballot written after the closing time waits outside.
    let late = tally(&p, &electorate(4), &[ballot(2, 3, 1_001, Choice::Position("yes".into()))], None);
    assert_eq!(late.voted, 0);
    let _ = AfterClose;
}

proptest! {
    /// Ballots, revotes and a late removal (a voter leaving the electorate), in any order, give
    /// the same tally.
    #[test]
    fn the_order_ballots_arrive_in_changes_nothing(
        raw in proptest::collection::vec((1u8..9, 1u64..4, proptest::collection::vec(0u8..5, 1..5)), 0..40),
        removed in 1u8..9,
        seed in any::<u64>(),
        method in 0usize..4,
    ) {
        let method = [Method::Ranked, Method::Stv, Method::Approval, Method::Choose][method];
        let p = Proposal { seats: if method == Method::Stv { 2 } else { 1 }, ..proposal(method, &["A", "B", "C", "D", "E"], 1) };
        let votes: Vec<BallotIn> = raw.iter().enumerate().map(|(i, (n, seq, v))| {
            let choice = match method {
                Method::Approval => Choice::Approve(v.clone()),
                Method::Choose => Choice::Choose(v[0]),
                _ => Choice::Rank(v.clone()),
            };
            let mut b = ballot(*n, *seq, 10, choice);
            b.op.0[31] = i as u8;
            b
        }).collect();
        let mut electorate = electorate(8);
        electorate.remove(&who(removed));
        let mut shuffled = votes.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(tally(&p, &electorate, &votes, None), tally(&p, &electorate, &shuffled, None));
    }
}
