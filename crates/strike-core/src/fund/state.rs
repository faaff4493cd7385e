//! The fund as every node folds it from its public ops (`docs/protocol.md`, "The strike
//! fund"): the settings, which entries count and why the others do not, approvals by
//! commitment, strike-pay rules and weekly totals. The same ops give the same state on
//! every node, in whatever order they arrived.
//!
//! - An entry counts only when a treasurer wrote it, it credits no one's cash but its
//!   author's own, and, for a payout, `approvals` distinct treasurers' latest answers approve
//!   that commitment for that amount and category, and no earlier entry paid it.
//! - Entries that count go through [`ledger::fold`]: (time, author, seq) order, overdraws
//!   flagged.

use std::collections::{BTreeMap, BTreeSet};

use super::ledger::{self, Account, Ledger, Payout, Posting};
use super::money::Currency;
use super::{FundApproval, FundEntry, FundRule};
use crate::{AuthorId, Body, CoarseTime, OpId};

/// A fund op as the fold reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub op: OpId,
    pub author: AuthorId,
    pub seq: u64,
    pub time: CoarseTime,
    pub body: Body,
}

/// The fund's settings: the currency of the first fund op, the rest of the latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub currency: Currency,
    pub approvals: u8,
    pub circle: OpId,
}

/// The fund's settings, if it was opened.
pub fn settings(entries: &[Entry]) -> Option<Settings> {
    let mut funds: Vec<(_, &super::Fund)> = entries
        .iter()
        .filter_map(|e| match &e.body {
            Body::Fund(f) => Some((crate::op_order(e.time, e.author, e.seq, e.op), f)),
            _ => None,
        })
        .collect();
    funds.sort_by_key(|(order, _)| *order);
    let first = Currency::parse(&funds.first()?.1.currency).ok()?;
    let last = funds.last()?.1;
    Some(Settings { currency: first, approvals: last.approvals, circle: last.circle })
}

/// What became of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Counted,
    /// Counted, and an account that holds money went below zero after it.
    Overdrawn,
    /// Does not count, for this reason.
    Refused(String),
}

/// An entry and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryState {
    pub op: OpId,
    pub author: AuthorId,
    pub time: CoarseTime,
    pub entry: FundEntry,
    pub lines: Vec<ledger::Line>,
    pub standing: Standing,
}

impl EntryState {
    /// The expense account and amount, if it is a payout.
    pub fn payout(&self) -> Option<(Account, i64)> {
        payout_of(&self.lines)
    }

    pub fn counts(&self) -> bool {
        !matches!(self.standing, Standing::Refused(_))
    }
}

fn payout_of(lines: &[ledger::Line]) -> Option<(Account, i64)> {
    let account = lines.iter().find(|l| matches!(l.account, Account::StrikePay | Account::Hardship))?.account;
    Some((account, lines.iter().filter(|l| l.account == account).map(|l| l.amount).sum()))
}

/// The treasurers' answers on one commitment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approvals {
    /// Each treasurer's latest answer.
    pub answers: BTreeMap<AuthorId, FundApproval>,
    /// The entry that paid it.
    pub paid: Option<OpId>,
}

impl Approvals {
    /// Treasurers whose latest answer approves this amount and category.
    pub fn approving(&self, amount: i64, category: Account) -> usize {
        self.answers
            .values()
            .filter(|a| a.approve && a.amount == amount && Account::parse(&a.category) == Ok(category))
            .count()
    }

    /// The amount and category the latest approval names.
    pub fn asked(&self) -> Option<(i64, Account)> {
        let a = self.answers.values().filter(|a| a.approve).max_by_key(|a| a.amount)?;
        Some((a.amount, Account::parse(&a.category).ok()?))
    }
}

/// Money in and out in one week.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Week {
    pub income: i64,
    pub payouts: i64,
    /// Amounts by account (income accounts positive as received).
    pub by_account: BTreeMap<Account, i64>,
    /// Payouts made.
    pub payout_count: usize,
}

/// The fund folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundState {
    pub settings: Settings,
    pub treasurers: BTreeSet<AuthorId>,
    pub ledger: Ledger,
    /// Every entry in (time, author, seq) order.
    pub entries: Vec<EntryState>,
    pub approvals: BTreeMap<[u8; 32], Approvals>,
    /// The standing strike-pay rule of each call.
    pub rules: BTreeMap<OpId, FundRule>,
    pub weeks: BTreeMap<i64, Week>,
}

impl FundState {
    /// Distinct commitments paid.
    pub fn recipients(&self) -> usize {
        self.approvals.values().filter(|a| a.paid.is_some()).count()
    }

    /// Approved (by at least one treasurer) and not yet paid: the amounts still to go out.
    pub fn open_payouts(&self) -> i64 {
        self.approvals
            .values()
            .filter(|a| a.paid.is_none())
            .filter_map(Approvals::asked)
            .map(|(amount, _)| amount)
            .sum()
    }

    /// A digest of everything folded, equal on every node that holds the same ops.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        for e in &self.entries {
            h.update(&e.op.0);
            h.update(format!("{:?}", e.standing).as_bytes());
        }
        for (a, v) in &self.ledger.balances {
            h.update(a.tag().as_bytes());
            h.update(&v.to_be_bytes());
        }
        for (c, a) in &self.approvals {
            h.update(c);
            h.update(&[u8::from(a.paid.is_some())]);
            h.update(&(a.answers.len() as u64).to_be_bytes());
        }
        *h.finalize().as_bytes()
    }
}

/// Folds the fund's ops with the settings and the treasurers the node resolved.
pub fn fold(entries: &[Entry], settings: Settings, treasurers: BTreeSet<AuthorId>) -> FundState {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| (e.time, e.author, e.seq, e.op));
    sorted.dedup_by_key(|e| e.op);
    let by_treasurer = |e: &&&Entry| treasurers.contains(&e.author);

    let mut approvals: BTreeMap<[u8; 32], Approvals> = BTreeMap::new();
    let mut rules = BTreeMap::new();
    for e in sorted.iter().filter(by_treasurer) {
        match &e.body {
            Body::FundApproval(a) => {
                approvals.entry(a.commitment).or_default().answers.insert(e.author, a.clone());
            }
            Body::FundRule(r) => {
                rules.insert(r.call, r.clone());
            }
            _ => {}
        }
    }

    let mut states = Vec::new();
    let mut postings = Vec::new();
    for e in &sorted {
        let Body::FundEntry(entry) = &e.body else { continue };
        let lines = entry.parsed_lines().unwrap_or_default();
        let mut standing = Standing::Counted;
        if let Err(why) = ledger::check_lines(&lines) {
            standing = Standing::Refused(why);
        } else if !treasurers.contains(&e.author) {
            standing = Standing::Refused("not written by a treasurer".into());
        } else if let Some(l) =
            lines.iter().find(|l| matches!(l.account, Account::Cash(a) if a != e.author) && l.amount < 0)
        {
            standing = Standing::Refused(format!("takes from {}, which only its holder may spend", l.account.name()));
        } else if let (Some((account, amount)), party) = (payout_of(&lines), entry.party()) {
            match party {
                None => standing = Standing::Refused("a payout commits to its recipient".into()),
                Some(c) => {
                    let a = approvals.entry(c).or_default();
                    let approving = a.approving(amount, account);
                    if let Some(first) = a.paid {
                        standing = Standing::Refused(format!("already paid by entry {}", first.short()));
                    } else if approving < usize::from(settings.approvals) {
                        standing = Standing::Refused(format!(
                            "waiting for approvals: {approving} of {} for this amount",
                            settings.approvals
                        ));
                    } else {
                        a.paid = Some(e.op);
                    }
                }
            }
        }
        if standing == Standing::Counted {
            let payout = entry.party().map(|commitment| Payout { commitment });
            postings.push(Posting {
                op: e.op,
                time: e.time,
                author: e.author,
                seq: e.seq,
                lines: lines.clone(),
                payout,
            });
        }
        states.push(EntryState { op: e.op, author: e.author, time: e.time, entry: entry.clone(), lines, standing });
    }
    let ledger = ledger::fold(&postings);
    let overdrawn: BTreeSet<OpId> = ledger.overdrawn().copied().collect();
    let refused: BTreeMap<OpId, String> = ledger.refused.iter().cloned().collect();
    let mut weeks: BTreeMap<i64, Week> = BTreeMap::new();
    for s in &mut states {
        if let Some(why) = refused.get(&s.op) {
            s.standing = Standing::Refused(why.clone());
        } else if overdrawn.contains(&s.op) {
            s.standing = Standing::Overdrawn;
        }
        if !s.counts() {
            continue;
        }
        let week = weeks.entry(ledger::week(s.time)).or_default();
        for l in &s.lines {
            match l.account {
                Account::Contributions | Account::Donations | Account::Events => {
                    week.income -= l.amount;
                    *week.by_account.entry(l.account).or_default() -= l.amount;
                }
                Account::StrikePay | Account::Hardship => {
                    week.payouts += l.amount;
                    *week.by_account.entry(l.account).or_default() += l.amount;
                }
                Account::Cash(_) | Account::Bank => {}
            }
        }
        if s.payout().is_some() && s.entry.party().is_some() {
            week.payout_count += 1;
        }
    }
    FundState { settings, treasurers, ledger, entries: states, approvals, rules, weeks }
}

#[cfg(test)]
mod tests;
