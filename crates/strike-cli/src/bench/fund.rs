//! `openstrike bench fund`: the fund's fold at a large fund's size (a year of a 5,000-member
//! union's receipts, transfers and payouts, each payout with its approvals): the time to
//! fold it, entries a second, and the same state from the entries shuffled.

use std::collections::BTreeSet;
use std::time::Instant;

use rand::{RngExt, SeedableRng};
use serde_json::json;
use strike_core::body::{FundApproval, FundEntry};
use strike_core::fund::FundLine;
use strike_core::fund::ledger::{self, Account};
use strike_core::fund::money::Currency;
use strike_core::fund::state::{self, Entry, Settings};
use strike_core::{AuthorId, Body, CoarseTime, OpId};

use crate::output::Output;

fn entries(n: usize) -> Vec<Entry> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let treasurers: Vec<AuthorId> = (1..=5u8).map(|i| AuthorId([i; 32])).collect();
    let mut out = Vec::with_capacity(n * 2);
    let mut seq = 0u64;
    let mut push = |out: &mut Vec<Entry>, author: AuthorId, time: u32, body: Body| {
        seq += 1;
        let mut id = [0u8; 32];
        id[..8].copy_from_slice(&seq.to_be_bytes());
        out.push(Entry { op: OpId(id), author, seq, time: CoarseTime(time), body });
    };
    let start = 29_000_000u32;
    for i in 0..n {
        let by = treasurers[rng.random_range(0..treasurers.len())];
        let time = start + (i as u32) * 10;
        let line = |a: Account, amount: i64| FundLine { account: a.tag(), amount };
        let (lines, party) = match i % 4 {
            0 | 1 => {
                let amount = rng.random_range(500..5_000);
                (vec![line(Account::Cash(by), amount), line(Account::Contributions, -amount)], Vec::new())
            }
            2 => {
                let to = treasurers[rng.random_range(0..treasurers.len())];
                let amount = rng.random_range(100..1_000);
                (vec![line(Account::Cash(to), amount), line(Account::Cash(by), -amount)], Vec::new())
            }
            _ => {
                let c = ledger::commitment(&AuthorId([9; 32]), &(i as u128).to_be_bytes());
                let amount = rng.random_range(500..4_000);
                for t in treasurers.iter().filter(|t| **t != by).take(2) {
                    let a = FundApproval {
                        commitment: c,
                        amount,
                        category: "hardship".into(),
                        approve: true,
                        why: String::new(),
                    };
                    push(&mut out, *t, time - 1, Body::FundApproval(a));
                }
                (vec![line(Account::Hardship, amount), line(Account::Cash(by), -amount)], c.to_vec())
            }
        };
        let e = FundEntry { lines, memo: String::new(), party, method: "cash".into() };
        push(&mut out, by, time, Body::FundEntry(e));
    }
    out
}

pub fn fund(out: Output, n: usize, runs: usize) -> anyhow::Result<()> {
    let ops = entries(n);
    let settings =
        Settings { currency: Currency::parse("EUR").map_err(anyhow::Error::msg)?, approvals: 2, circle: OpId([0; 32]) };
    let treasurers: BTreeSet<AuthorId> = (1..=5u8).map(|i| AuthorId([i; 32])).collect();
    let mut times = Vec::new();
    let mut folded = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        folded = Some(state::fold(&ops, settings.clone(), treasurers.clone()));
        times.push(t.elapsed().as_secs_f64());
    }
    let folded = folded.expect("at least one run");
    let median = super::median(times);
    let mut shuffled = ops.clone();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.random_range(0..=i));
    }
    let same = state::fold(&shuffled, settings, treasurers).digest() == folded.digest();
    anyhow::ensure!(same, "the fund folded differently from shuffled entries");
    let overdrawn = folded.ledger.overdrawn().count();
    let counted = folded.entries.iter().filter(|e| e.counts()).count();
    out.emit(
        json!({ "entries": n, "ops": ops.len(), "runs": runs, "fold_s": median, "entries_per_s": n as f64 / median,
                "counted": counted, "overdrawn": overdrawn, "payouts": folded.recipients(), "shuffled_same": same }),
        || {
            format!(
                "bench fund (median of {runs}): {n} entries and {} approvals folded in {:.1} ms ({:.0} entries/s)\n  \
                 {counted} count, {overdrawn} overdrawn (flagged for review), {} payouts; shuffled: the same state\n",
                ops.len() - n,
                median * 1e3,
                n as f64 / median,
                folded.recipients()
            )
        },
    );
    Ok(())
}
