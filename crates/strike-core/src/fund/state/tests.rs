//! The fund's public fold: only treasurers' entries count, a payout counts only with its
//! approvals and only once, nobody spends another treasurer's cash, and any order of the same
//! ops gives the same state; a note opens only for the circle and its author.

use proptest::prelude::*;

use super::*;
use crate::fund::{FundAsk, FundLine, FundNote};

fn author(n: u8) -> AuthorId {
    AuthorId([n; 32])
}

fn op(n: u16) -> OpId {
    let mut id = [0u8; 32];
    id[..2].copy_from_slice(&n.to_be_bytes());
    OpId(id)
}

fn settings(approvals: u8) -> Settings {
    Settings { currency: Currency::parse("EUR").unwrap(), approvals, circle: op(999) }
}

fn treasurers() -> BTreeSet<AuthorId> {
    [author(1), author(2), author(3)].into()
}

fn entry(n: u16, by: u8, time: u32, lines: &[(Account, i64)], party: Option<[u8; 32]>) -> Entry {
    let lines = lines.iter().map(|(a, amount)| FundLine { account: a.tag(), amount: *amount }).collect();
    let body = FundEntry {
        lines,
        memo: String::new(),
        party: party.map(|p| p.to_vec()).unwrap_or_default(),
        method: "cash".into(),
    };
    Entry { op: op(n), author: author(by), seq: u64::from(n), time: CoarseTime(time), body: Body::FundEntry(body) }
}

fn approval(n: u16, by: u8, time: u32, commitment: [u8; 32], amount: i64, approve: bool) -> Entry {
    let body = FundApproval { commitment, amount, category: "hardship".into(), approve, why: String::new() };
    Entry { op: op(n), author: author(by), seq: u64::from(n), time: CoarseTime(time), body: Body::FundApproval(body) }
}

fn receipt(n: u16, by: u8, time: u32, amount: i64) -> Entry {
    entry(n, by, time, &[(Account::Cash(author(by)), amount), (Account::Contributions, -amount)], None)
}

fn grant(n: u16, by: u8, time: u32, c: [u8; 32], amount: i64) -> Entry {
    entry(n, by, time, &[(Account::Hardship, amount), (Account::Cash(author(by)), -amount)], Some(c))
}

fn standing(state: &FundState, n: u16) -> &Standing {
    &state.entries.iter().find(|e| e.op == op(n)).expect("folded").standing
}

#[test]
fn a_payout_counts_only_with_its_approvals_and_only_once() {
    let c = ledger::commitment(&author(9), &[4; 16]);
    let mut ops = vec![receipt(1, 1, 10, 50_000), grant(2, 1, 20, c, 30_000)];
    let state = fold(&ops, settings(2), treasurers());
    assert!(matches!(standing(&state, 2), Standing::Refused(w) if w.contains("0 of 2")));
    assert_eq!(state.ledger.balance(), 50_000, "an unapproved payout moves nothing");

    // One approval, one from someone who is not a treasurer, one for another amount.
    ops.push(approval(3, 2, 15, c, 30_000, true));
    ops.push(approval(4, 7, 15, c, 30_000, true));
    ops.push(approval(5, 3, 15, c, 29_999, true));
    let state = fold(&ops, settings(2), treasurers());
    assert!(matches!(standing(&state, 2), Standing::Refused(w) if w.contains("1 of 2")), "{:?}", standing(&state, 2));

    // The third treasurer's latest answer is for the amount: it pays; a second payout does not.
    ops.push(approval(6, 3, 16, c, 30_000, true));
    ops.push(grant(7, 1, 30, c, 30_000));
    let state = fold(&ops, settings(2), treasurers());
    assert_eq!(standing(&state, 2), &Standing::Counted);
    assert!(matches!(standing(&state, 7), Standing::Refused(w) if w.contains("already paid")));
    assert_eq!(state.ledger.balance(), 20_000);
    assert_eq!(state.recipients(), 1);
    assert_eq!(state.weeks.values().map(|w| w.payouts).sum::<i64>(), 30_000);

    // A treasurer who takes their approval back: it stops counting.
    ops.push(approval(8, 3, 17, c, 30_000, false));
    let state = fold(&ops, settings(2), treasurers());
    assert!(matches!(standing(&state, 2), Standing::Refused(_)));
}

#[test]
fn only_treasurers_write_and_nobody_spends_anothers_cash() {
    let ops = vec![
        receipt(1, 1, 10, 10_000),
        receipt(2, 8, 11, 99_000),
        entry(3, 2, 12, &[(Account::Cash(author(2)), 5_000), (Account::Cash(author(1)), -5_000)], None),
        entry(4, 1, 13, &[(Account::Cash(author(2)), 5_000), (Account::Cash(author(1)), -5_000)], None),
    ];
    let state = fold(&ops, settings(2), treasurers());
    assert!(matches!(standing(&state, 2), Standing::Refused(w) if w.contains("not written by a treasurer")));
    assert!(matches!(standing(&state, 3), Standing::Refused(w) if w.contains("only its holder")));
    assert_eq!(standing(&state, 4), &Standing::Counted, "a treasurer hands their own cash over");
    assert_eq!(state.ledger.balances[&Account::Cash(author(2))], 5_000);
    assert_eq!(state.ledger.balance(), 10_000);
}

#[test]
fn payouts_that_overdraw_are_flagged_in_time_author_and_seq_order() {
    let (c1, c2) = (ledger::commitment(&author(8), &[1; 16]), ledger::commitment(&author(9), &[2; 16]));
    let ops = vec![
        receipt(1, 1, 10, 40_000),
        approval(2, 2, 11, c1, 30_000, true),
        approval(3, 2, 11, c2, 30_000, true),
        // Both written at the same minute by one treasurer: the order they were written in
        // (seq) breaks the tie, whatever their ids.
        grant(5, 1, 20, c2, 30_000),
        grant(4, 1, 20, c1, 30_000),
    ];
    let state = fold(&ops, settings(1), treasurers());
    assert_eq!(standing(&state, 4), &Standing::Counted);
    assert_eq!(standing(&state, 5), &Standing::Overdrawn, "the later one needs review; nothing is dropped");
    assert_eq!(state.ledger.balance(), -20_000);
}

#[test]
fn a_note_opens_for_the_circle_and_its_author_only_and_pledges_and_claims_are_one_size() {
    let network = crate::NetworkId([5; 32]);
    let circle_key = [6u8; 32];
    let entry_key = crate::circles::entry_secret(&circle_key).public();
    let mine = strike_crypto::AgreementSecret::from_bytes([7; 32]);
    let mut rng = rand::rng();
    let claim = FundAsk::Claim {
        call: None,
        days: 0,
        dependants: 0,
        amount: 40_000,
        reason: "rent due".into(),
        salt: [3; 16],
        beneficiary: None,
    };
    let pledge = FundAsk::Contribution { amount: 2_000, monthly: true };
    let a = FundNote::seal(&network, &op(1), 1, &entry_key.0, &mine.public(), &claim, &mut rng).unwrap();
    let b = FundNote::seal(&network, &op(1), 1, &entry_key.0, &mine.public(), &pledge, &mut rng).unwrap();
    assert_eq!((a.sealed.len(), a.copy.len()), (b.sealed.len(), b.copy.len()));
    assert_eq!(a.open(&network, &circle_key), Some(claim.clone()));
    assert_eq!(a.open_copy(&network, &mine), Some(claim));
    assert_eq!(a.open(&network, &[8; 32]), None);
    assert_eq!(a.open(&crate::NetworkId([4; 32]), &circle_key), None, "bound to its network");
    let bad = FundAsk::Claim {
        call: None,
        days: 0,
        dependants: 0,
        amount: 0,
        reason: String::new(),
        salt: [0; 16],
        beneficiary: None,
    };
    assert!(bad.padded().is_err(), "a hardship claim says how much and why");
    // A claim filed for someone else carries them; one without leaves the field out of its map.
    let plain = FundAsk::Claim {
        call: None,
        days: 0,
        dependants: 0,
        amount: 1,
        reason: "x".into(),
        salt: [0; 16],
        beneficiary: None,
    };
    let mut cbor = Vec::new();
    ciborium::into_writer(&plain, &mut cbor).unwrap();
    assert!(!cbor.windows(11).any(|w| w == b"beneficiary"));
    let for_her = FundAsk::Claim {
        call: None,
        days: 0,
        dependants: 0,
        amount: 1,
        reason: "x".into(),
        salt: [0; 16],
        beneficiary: Some(author(2)),
    };
    assert_eq!(FundAsk::unpad(&for_her.padded().unwrap()), Some(for_her));
}

fn arbitrary_ops() -> impl Strategy<Value = Vec<Entry>> {
    let c = |n: u8| ledger::commitment(&author(n), &[n; 16]);
    prop::collection::vec((0u8..6, 1u8..5, 0u32..40, 1i64..20_000, 0u8..3), 1..40).prop_map(move |specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (what, by, time, amount, who))| {
                let n = i as u16 + 1;
                let amount = amount * 100;
                match what {
                    0 | 1 => receipt(n, by, time, amount),
                    2 => grant(n, by, time, c(who), 10_000),
                    3 => approval(n, by, time, c(who), 10_000, amount % 3 != 0),
                    4 => entry(n, by, time, &[(Account::Bank, amount), (Account::Cash(author(by)), -amount)], None),
                    _ => entry(
                        n,
                        by,
                        time,
                        &[(Account::Cash(author(1)), amount), (Account::Cash(author(by)), -amount)],
                        None,
                    ),
                }
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn any_order_gives_the_same_fund(ops in arbitrary_ops(), seed in any::<u64>()) {
        let reference = fold(&ops, settings(2), treasurers());
        let mut shuffled = ops.clone();
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let other = fold(&shuffled, settings(2), treasurers());
        prop_assert_eq!(reference.digest(), other.digest());
        prop_assert_eq!(&reference, &other);
        prop_assert_eq!(reference.ledger.balances.values().sum::<i64>(), 0);
        for e in reference.entries.iter().filter(|e| e.counts()) {
            prop_assert_eq!(e.lines.iter().map(|l| l.amount).sum::<i64>(), 0);
        }
    }
}
