//! Exact money and the journal: amounts read as typed, splits that lose no cent, entries
//! that must balance, the same balances and overdraw flags in any order, the sum over all
//! accounts zero, and payout commitments a recipient can find.

use proptest::prelude::*;

use super::*;
use crate::fund::money::{Currency, split};

fn eur() -> Currency {
    Currency::parse("eur").unwrap()
}

#[test]
fn amounts_parse_exactly_as_people_type_them() {
    let e = eur();
    assert_eq!(e.parse_amount("0.10"), Ok(10));
    assert_eq!(e.parse_amount("1,234.50"), Ok(123_450));
    assert_eq!(e.parse_amount("12"), Ok(1200));
    assert_eq!(e.parse_amount(" 20.5 EUR "), Ok(2050));
    assert_eq!(e.parse_amount("1,000,000"), Ok(100_000_000));
    assert_eq!(Currency::parse("JPY").unwrap().parse_amount("1,500"), Ok(1500));
    assert_eq!(Currency::parse("KWD").unwrap().parse_amount("1.005"), Ok(1005));
    for (bad, says) in [
        ("0.123", "has 3 decimals: EUR has 2"),
        ("-5", "not negative"),
        ("12,34", "cannot read"),
        ("1,2345.00", "cannot read"),
        (",123", "cannot read"),
        ("1.", "cannot read"),
        ("1.2.3", "cannot read"),
        ("ten", "cannot read"),
        ("1e3", "cannot read"),
        ("5 USD", "keeps EUR, not USD"),
        ("99999999999999999999", "more than a fund can hold"),
    ] {
        let e = e.parse_amount(bad).expect_err(bad);
        assert!(e.contains(says), "{bad:?}: {e}");
    }
    assert!(Currency::parse("XYZ").unwrap_err().contains("not a currency"));
    assert!(Currency::parse("JPY").unwrap().parse_amount("1.5").unwrap_err().contains("JPY has none"));
}

#[test]
fn amounts_are_written_back_as_they_read() {
    let e = eur();
    for text in ["0.10", "1,234.50", "12.00", "1,000,000.01", "0.00"] {
        assert_eq!(e.format(e.parse_amount(text).unwrap()), text);
    }
    assert_eq!(e.format(-123_456), "-1,234.56");
    assert_eq!(Currency::parse("JPY").unwrap().format(1_234_567), "1,234,567");
}

#[test]
fn splits_lose_no_cent_and_follow_the_remainder_rule() {
    assert_eq!(split(100, &[1, 1, 1]), vec![34, 33, 33], "the extra cent to the first of equal remainders");
    assert_eq!(split(1000, &[1, 2]), vec![333, 667]);
    assert_eq!(split(-100, &[1, 1, 1]), vec![-34, -33, -33]);
    assert_eq!(split(7, &[0, 0]), vec![7, 0]);
    assert_eq!(split(5, &[]), Vec::<i64>::new());
}

fn id(n: u8) -> OpId {
    OpId([n; 32])
}

fn cash(n: u8) -> Account {
    Account::Cash(AuthorId([n; 32]))
}

fn posting(op: u8, time: u32, lines: &[(Account, i64)]) -> Posting {
    Posting {
        op: id(op),
        time: CoarseTime(time),
        author: AuthorId([op; 32]),
        seq: u64::from(op),
        lines: lines.iter().map(|&(account, amount)| Line { account, amount }).collect(),
        payout: None,
    }
}

#[test]
fn entries_must_balance_and_overdraws_are_flagged_not_dropped() {
    let ledger = fold(&[
        posting(1, 10, &[(cash(1), 35_000), (Account::Contributions, -35_000)]),
        // Two treasurers offline each pay 300.00 out of Lea's 350.00 cash.
        posting(2, 20, &[(Account::StrikePay, 30_000), (cash(1), -30_000)]),
        posting(3, 20, &[(Account::Hardship, 30_000), (cash(1), -30_000)]),
        // Does not balance: never counts.
        posting(4, 30, &[(Account::Bank, 100), (Account::Donations, -90)]),
    ]);
    assert_eq!(ledger.journal, vec![(id(1), false), (id(2), false), (id(3), true)]);
    assert_eq!(ledger.refused.len(), 1);
    assert!(ledger.refused[0].1.contains("does not balance"));
    assert_eq!(ledger.balances[&cash(1)], -25_000);
    assert_eq!(ledger.balance(), -25_000);
    assert_eq!(ledger.balances.values().sum::<i64>(), 0);
}

#[test]
fn a_recipient_finds_their_payout_and_a_forged_commitment_does_not_match() {
    let me = AuthorId([7; 32]);
    let salt = [9u8; 16];
    let c = commitment(&me, &salt);
    assert_eq!(c, commitment(&me, &salt));
    assert_ne!(c, commitment(&AuthorId([8; 32]), &salt), "another member");
    assert_ne!(c, commitment(&me, &[10; 16]), "another salt");
}

#[test]
fn weeks_start_on_monday() {
    // 2026-12-07 is a Monday; 2026-12-06 a Sunday.
    let monday = CoarseTime::from_unix_seconds(crate::parse_time("2026-12-07", 0).unwrap());
    let sunday = CoarseTime::from_unix_seconds(crate::parse_time("2026-12-06T23:59", 0).unwrap());
    assert_eq!(week(monday), week(sunday) + 1);
    assert_eq!(week_start(week(monday)), monday.unix_seconds());
    assert_eq!(runway_tenths(100_000, 30_000), Some(33));
    assert_eq!(runway_tenths(100_000, 0), None);
}

/// Random entries over a few accounts and treasurers: most balance, some do not; times
/// and ids from small ranges so ties happen.
fn postings() -> impl Strategy<Value = Vec<Posting>> {
    let accounts = prop_oneof![
        (1u8..4).prop_map(cash),
        Just(Account::Bank),
        Just(Account::Contributions),
        Just(Account::Donations),
        Just(Account::StrikePay),
        Just(Account::Hardship),
    ];
    let entry = (proptest::collection::vec((accounts, 1i64..50_000), 1..4), 0u32..30, any::<bool>());
    proptest::collection::vec(entry, 1..40).prop_map(|entries| {
        entries
            .into_iter()
            .enumerate()
            .map(|(i, (lines, time, balanced))| {
                let mut lines: Vec<Line> =
                    lines.into_iter().map(|(account, amount)| Line { account, amount }).collect();
                let sum: i64 = lines.iter().map(|l| l.amount).sum();
                // The balancing line, onto an account of its own; or one cent off.
                let off = if balanced { 0 } else { 1 };
                lines.push(Line { account: Account::Events, amount: -sum + off });
                Posting {
                    op: id(i as u8),
                    time: CoarseTime(time),
                    author: AuthorId([(i % 3) as u8; 32]),
                    seq: i as u64,
                    lines,
                    payout: None,
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_journal_folds_the_same_in_any_order_and_sums_to_zero(entries in postings(), seed in any::<u64>()) {
        let ledger = fold(&entries);
        let mut shuffled = entries.clone();
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(&fold(&shuffled), &ledger);
        prop_assert_eq!(ledger.balances.values().sum::<i64>(), 0);
        for (op, _) in &ledger.journal {
            let p = entries.iter().find(|p| p.op == *op).unwrap();
            prop_assert_eq!(p.lines.iter().map(|l| l.amount).sum::<i64>(), 0, "only balanced entries count");
        }
        prop_assert_eq!(ledger.journal.len() + ledger.refused.len(), entries.len());
    }
}

#[test]
fn the_payout_commitment_is_frozen_and_documented() {
    let c = hex::encode(commitment(&AuthorId([7; 32]), &[9; 16]));
    assert_eq!(c, "5c4bdacff6fbe71cce1f07d5cd4c6a4592575d4ab63d7f022ffe09a8f8df871d");
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
    assert!(doc.contains(&c), "docs/protocol.md is missing the payout commitment vector {c}");
    assert!(doc.contains(PAYOUT_COMMITMENT_CONTEXT));
}
