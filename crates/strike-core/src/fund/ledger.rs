//! The fund's journal, folded the same on every node: double entry over a fixed chart of
//! accounts, in minor units (`docs/protocol.md`, "The strike fund").
//!
//! - Every entry's lines add up to zero (debits positive, credits negative) and are checked
//!   on their own ([`check_lines`]); an entry that does not balance never counts.
//! - Entries are applied in time order; within a minute, receipts (entries that only add to
//!   cash or the bank) first, then by author id and the author's seq (the order they wrote). An entry after which an account that
//!   holds money (a treasurer's cash, the bank) is below zero is **overdrawn: needs review**:
//!   it still counts (nothing is dropped or moved), and every node flags the same entries.
//! - The sum over all accounts is zero after every entry.
//! - A payout's public face is its amount, category, week and a commitment to its recipient,
//!   `BLAKE3-derive("openstrike 2026-12 payout commitment v1", member id || salt)`; the
//!   recipient's node knows the salt and finds its payout by recomputing it ([`commitment`]).

use std::collections::BTreeMap;

use crate::{AuthorId, CoarseTime, OpId};

/// Key-derivation context of a payout's commitment to its recipient.
pub const PAYOUT_COMMITMENT_CONTEXT: &str = "openstrike 2026-12 payout commitment v1";
/// Most lines of one entry.
pub const MAX_LINES: usize = 16;

/// An account of the fund's chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Account {
    /// Cash a treasurer holds.
    Cash(AuthorId),
    /// The fund's bank account.
    Bank,
    /// Members' contributions (income).
    Contributions,
    /// Donations from outside (income).
    Donations,
    /// Solidarity events: a concert, a collection (income).
    Events,
    /// Strike pay paid out (expense).
    StrikePay,
    /// Hardship grants paid out (expense).
    Hardship,
}

impl Account {
    /// Whether it holds money, and so may not go below zero without review.
    pub fn holds_money(self) -> bool {
        matches!(self, Account::Cash(_) | Account::Bank)
    }

    /// How an entry's line writes it: `cash:<full treasurer id>` for cash.
    pub fn tag(self) -> String {
        match self {
            Account::Cash(a) => format!("cash:{}", a.to_hex()),
            other => other.name(),
        }
    }

    /// The account a line names.
    pub fn parse(tag: &str) -> Result<Account, String> {
        Ok(match tag {
            "bank" => Account::Bank,
            "contributions" => Account::Contributions,
            "donations" => Account::Donations,
            "events" => Account::Events,
            "strike_pay" => Account::StrikePay,
            "hardship" => Account::Hardship,
            t => match t.strip_prefix("cash:").and_then(|h| h.parse::<AuthorId>().ok()) {
                Some(a) => Account::Cash(a),
                None => return Err(format!("no account is called {t:?}")),
            },
        })
    }

    /// Its short name, as the journal and the trial balance show it.
    pub fn name(self) -> String {
        match self {
            Account::Cash(a) => format!("cash:{}", a.short()),
            Account::Bank => "bank".into(),
            Account::Contributions => "contributions".into(),
            Account::Donations => "donations".into(),
            Account::Events => "events".into(),
            Account::StrikePay => "strike_pay".into(),
            Account::Hardship => "hardship".into(),
        }
    }
}

/// One line of an entry: debit (positive) or credit (negative) of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub account: Account,
    pub amount: i64,
}

/// Why lines are not an entry.
pub fn check_lines(lines: &[Line]) -> Result<(), String> {
    if lines.len() < 2 || lines.len() > MAX_LINES {
        return Err(format!("an entry has 2 to {MAX_LINES} lines"));
    }
    if lines.iter().any(|l| l.amount == 0 || l.amount.unsigned_abs() > super::money::MAX_MINOR as u64) {
        return Err("every line moves a non-zero amount within the fund's limit".into());
    }
    let sum: i128 = lines.iter().map(|l| i128::from(l.amount)).sum();
    if sum != 0 {
        return Err(format!("an entry's debits and credits differ by {sum} minor units: it does not balance"));
    }
    Ok(())
}

/// A payout's public face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payout {
    pub commitment: [u8; 32],
}

/// An entry as the fold reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub op: OpId,
    pub time: CoarseTime,
    /// Its author and their sequence number: within a minute, an author's entries apply in
    /// the order they wrote them.
    pub author: AuthorId,
    pub seq: u64,
    pub lines: Vec<Line>,
    pub payout: Option<Payout>,
}

impl Posting {
    /// It only adds to the accounts that hold money (a receipt): within a minute, these
    /// apply before the rest.
    pub fn only_adds(&self) -> bool {
        self.lines.iter().all(|l| !l.account.holds_money() || l.amount > 0)
    }
}

/// The folded journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    pub balances: BTreeMap<Account, i64>,
    /// The entries in the order they count, each with whether it overdrew an account.
    pub journal: Vec<(OpId, bool)>,
    /// Entries that do not balance, with the reason: they never count.
    pub refused: Vec<(OpId, String)>,
}

impl Ledger {
    /// What the fund holds: cash with every treasurer and the bank.
    pub fn balance(&self) -> i64 {
        self.balances.iter().filter(|(a, _)| a.holds_money()).map(|(_, v)| v).sum()
    }

    pub fn overdrawn(&self) -> impl Iterator<Item = &OpId> {
        self.journal.iter().filter(|(_, o)| *o).map(|(id, _)| id)
    }
}

/// Folds the entries: the same balances and flags whatever order they are given in.
pub fn fold(postings: &[Posting]) -> Ledger {
    let mut sorted: Vec<&Posting> = postings.iter().collect();
    sorted.sort_by_key(|p| (p.time, !p.only_adds(), p.author, p.seq, p.op));
    sorted.dedup_by_key(|p| p.op);
    let mut ledger = Ledger::default();
    for p in sorted {
        if let Err(why) = check_lines(&p.lines) {
            ledger.refused.push((p.op, why));
            continue;
        }
        for l in &p.lines {
            *ledger.balances.entry(l.account).or_default() += l.amount;
        }
        let overdrawn = p.lines.iter().any(|l| l.account.holds_money() && ledger.balances[&l.account] < 0);
        ledger.journal.push((p.op, overdrawn));
    }
    ledger
}

/// The commitment a payout carries to its recipient.
pub fn commitment(member: &AuthorId, salt: &[u8; 16]) -> [u8; 32] {
    let mut material = [0u8; 48];
    material[..32].copy_from_slice(&member.0);
    material[32..].copy_from_slice(salt);
    strike_crypto::derive(PAYOUT_COMMITMENT_CONTEXT, &material)
}

/// The week a time falls in: whole weeks since Monday 1970-01-05 (weeks start on Monday,
/// UTC), so every node puts an entry in the same week.
pub fn week(t: CoarseTime) -> i64 {
    let days = i64::from(t.0) / (24 * 60);
    (days - 4).div_euclid(7)
}

/// The Monday (unix seconds) a week starts.
pub fn week_start(week: i64) -> u64 {
    u64::try_from((week * 7 + 4) * 86_400).unwrap_or(0)
}

/// Runway in tenths of a week: what the fund holds over what it pays out a week, rounded
/// down (`None` when nothing is paid out).
pub fn runway_tenths(balance: i64, weekly: i64) -> Option<i64> {
    (weekly > 0).then(|| (i128::from(balance.max(0)) * 10 / i128::from(weekly)) as i64)
}

#[cfg(test)]
mod tests;
