//! The fund's books for an accountant and for each member: the journal and a trial balance
//! (as tables and CSV), and `verify`, which re-adds the public totals and finds the member's
//! own payouts in them by their commitments.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use strike_core::fund::FundAsk;
use strike_core::fund::ledger::{self, Account};
use strike_core::fund::state::Standing;
use strike_core::{AuthorId, NetworkId};

use super::views::week_date;
use crate::{Node, Result};

/// One line of the journal.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct JournalRow {
    pub entry: String,
    /// The time (treasurers), or the Monday of its week (members: weekly by default).
    pub when: String,
    pub account: String,
    pub debit: String,
    pub credit: String,
    pub memo: String,
    /// Who gave or got it: a name on treasurers' nodes, the commitment's start elsewhere.
    pub party: String,
    pub method: String,
    /// counted, overdrawn: needs review, or why it does not count.
    pub standing: String,
}

/// One account of the trial balance.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct TrialRow {
    pub account: String,
    pub debit: String,
    pub credit: String,
}

/// The journal and trial balance.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct LedgerView {
    pub currency: String,
    /// Names are shown (this node reads the treasurers' circle).
    pub named: bool,
    pub journal: Vec<JournalRow>,
    pub trial: Vec<TrialRow>,
    pub total_debit: String,
    pub total_credit: String,
}

/// One of this member's claims, found (or not) in the public totals.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct MyClaim {
    pub claim: String,
    pub owed: String,
    /// "paid 300.00 in the week of 2026-11-02 (entry ab12cd34)", "approved 1 of 2", ...
    pub found: String,
    pub paid: bool,
}

/// One check of `fund verify`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub what: String,
    pub ok: bool,
}

/// What `fund verify` checked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Entries re-added.
    pub entries: usize,
    /// What was checked, each with whether it held.
    pub checks: Vec<Check>,
    pub mine: Vec<MyClaim>,
    /// What does not add up.
    pub problems: Vec<String>,
    pub ok: bool,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// An amount as a spreadsheet reads it: no group separators (`1250.00`).
fn plain(amount: &str) -> String {
    amount.replace(',', "")
}

impl LedgerView {
    /// The journal as CSV (amounts without group separators: `1250.00`).
    pub fn journal_csv(&self) -> String {
        let mut out = String::from("entry,when,account,debit,credit,memo,party,method,standing\n");
        for r in &self.journal {
            let (debit, credit) = (plain(&r.debit), plain(&r.credit));
            let fields = [&r.entry, &r.when, &r.account, &debit, &credit, &r.memo, &r.party, &r.method, &r.standing];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            let _ = writeln!(out, "{}", line.join(","));
        }
        out
    }

    /// The trial balance as CSV, with its totals.
    pub fn trial_csv(&self) -> String {
        let mut out = String::from("account,debit,credit\n");
        for r in &self.trial {
            let _ = writeln!(out, "{},{},{}", csv_field(&r.account), plain(&r.debit), plain(&r.credit));
        }
        let _ = writeln!(out, "total,{},{}", plain(&self.total_debit), plain(&self.total_credit));
        out
    }
}

impl Node {
    /// The journal, every entry with what became of it, and the trial balance of those that
    /// count. Treasurers see times and names; members see weeks and commitments.
    pub fn fund_ledger(&self, network: &NetworkId) -> Result<LedgerView> {
        let data = self.require_fund(network)?;
        let cur = data.currency();
        let named = self.reads_all_claims(network, &data)?;
        let people = self.members(network)?;
        let name = |a: &AuthorId| {
            people.iter().find(|m| m.author == *a).map_or_else(|| a.short(), crate::networks::display_name)
        };
        let account = |a: Account| match a {
            Account::Cash(h) => format!("cash:{}", name(&h)),
            other => other.name(),
        };
        let mut journal = Vec::new();
        for e in &data.state.entries {
            let when = if named { e.time.to_string() } else { week_date(ledger::week(e.time)) };
            let party = match e.entry.party() {
                None => String::new(),
                Some(c) => match (named, data.names.get(&c)) {
                    (true, Some(who)) => name(who),
                    _ => hex::encode(&c[..4]),
                },
            };
            let standing = match &e.standing {
                Standing::Counted => "counted".into(),
                Standing::Overdrawn => "overdrawn: needs review".into(),
                Standing::Refused(why) => format!("does not count: {why}"),
            };
            for l in &e.lines {
                let (debit, credit) = if l.amount > 0 {
                    (cur.format(l.amount), String::new())
                } else {
                    (String::new(), cur.format(-l.amount))
                };
                journal.push(JournalRow {
                    entry: e.op.short(),
                    when: when.clone(),
                    account: account(l.account),
                    debit,
                    credit,
                    memo: e.entry.memo.clone(),
                    party: party.clone(),
                    method: e.entry.method.clone(),
                    standing: standing.clone(),
                });
            }
        }
        let (mut debit, mut credit) = (0i64, 0i64);
        let trial = data
            .state
            .ledger
            .balances
            .iter()
            .filter(|(_, v)| **v != 0)
            .map(|(a, v)| {
                if *v > 0 {
                    debit += v;
                } else {
                    credit -= v;
                }
                TrialRow {
                    account: account(*a),
                    debit: if *v > 0 { cur.format(*v) } else { String::new() },
                    credit: if *v < 0 { cur.format(-v) } else { String::new() },
                }
            })
            .collect();
        Ok(LedgerView {
            currency: cur.code.into(),
            named,
            journal,
            trial,
            total_debit: cur.format(debit),
            total_credit: cur.format(credit),
        })
    }

    /// Re-adds the public totals from the entries themselves, and finds each of this
    /// member's claims among the payouts by its commitment.
    pub fn fund_verify(&self, network: &NetworkId) -> Result<VerifyReport> {
        let data = self.require_fund(network)?;
        let me = self.me_in(network)?.map(|m| m.author);
        let state = &data.state;
        let cur = data.currency();
        let counted: Vec<_> = state.entries.iter().filter(|e| e.counts()).collect();
        let mut sums: BTreeMap<Account, i64> = BTreeMap::new();
        let mut balanced = true;
        for e in &counted {
            balanced &= e.lines.iter().map(|l| i128::from(l.amount)).sum::<i128>() == 0;
            for l in &e.lines {
                *sums.entry(l.account).or_default() += l.amount;
            }
        }
        sums.retain(|_, v| *v != 0);
        let mut balances = state.ledger.balances.clone();
        balances.retain(|_, v| *v != 0);
        let held: i64 = sums.iter().filter(|(a, _)| a.holds_money()).map(|(_, v)| v).sum();
        let weeks: i64 = state.weeks.values().map(|w| w.income - w.payouts).sum();
        let payouts = state.weeks.values().map(|w| w.payout_count).sum::<usize>();
        let check = |what: String, ok: bool| Check { what, ok };
        let checks = vec![
            check("every entry that counts balances".into(), balanced),
            check("the accounts add up to zero".into(), sums.values().sum::<i64>() == 0),
            check("the balances are the entries re-added".into(), sums == balances),
            check(
                format!("the balance {} is income less payouts, week by week", cur.format(held)),
                held == weeks && held == state.ledger.balance(),
            ),
            check(format!("{payouts} payouts, each to one commitment"), payouts == state.recipients()),
        ];
        let mut problems: Vec<String> = checks.iter().filter(|c| !c.ok).map(|c| format!("fails: {}", c.what)).collect();
        let mut mine = Vec::new();
        for note in data.claims().filter(|n| Some(n.author) == me) {
            let commitment = note.commitment().expect("a claim commits");
            let owed = Node::claim_owed(&data, note).ok();
            let paid = state.entries.iter().find(|e| e.counts() && e.entry.party() == Some(commitment));
            let found = match (paid, owed) {
                (Some(e), Some((amount, _))) => {
                    let got = e.payout().map_or(0, |p| p.1);
                    if got != amount {
                        problems.push(format!(
                            "claim {}: paid {} but owed {}",
                            note.op.short(),
                            cur.format(got),
                            cur.format(amount)
                        ));
                    }
                    format!(
                        "paid {} in the week of {} (entry {})",
                        cur.format(got),
                        week_date(ledger::week(e.time)),
                        e.op.short()
                    )
                }
                (Some(e), None) => format!("paid (entry {})", e.op.short()),
                (None, _) => {
                    let answers = state.approvals.get(&commitment).cloned().unwrap_or_default();
                    let approving = owed.map_or(0, |(a, c)| answers.approving(a, c));
                    if approving >= usize::from(state.settings.approvals) {
                        "approved, not in the totals yet".into()
                    } else {
                        format!("{approving} of {} approvals, not paid", state.settings.approvals)
                    }
                }
            };
            if let FundAsk::Claim { .. } = note.ask {
                mine.push(MyClaim {
                    claim: note.op.short(),
                    owed: owed.map_or_else(|| "-".into(), |(a, _)| cur.format(a)),
                    paid: paid.is_some(),
                    found,
                });
            }
        }
        if self.reads_all_claims(network, &data)? {
            for e in counted.iter().filter(|e| e.payout().is_some()) {
                if let Some(c) = e.entry.party()
                    && !data.names.contains_key(&c)
                {
                    problems.push(format!("payout {} commits to no claim the treasurers can read", e.op.short()));
                }
            }
        }
        let ok = problems.is_empty();
        Ok(VerifyReport { entries: state.entries.len(), checks, mine, problems, ok })
    }
}
