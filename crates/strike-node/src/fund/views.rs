//! What the fund shows: the balance, weekly totals (the default, so that a lone payout is
//! not picked out by its time), runway, the claims this node reads, the journal and trial
//! balance for an accountant, and `verify`, which checks the public totals and finds this
//! member's own payouts in them.

use std::collections::BTreeMap;

use serde::Serialize;
use strike_core::fund::FundAsk;
use strike_core::fund::ledger;
use strike_core::fund::state::{FundState, Standing};
use strike_core::{AuthorId, CoarseTime, NetworkId};

use super::{FundData, STRIKE_DAYS_A_WEEK};
use crate::calls::CallView;
use crate::{Node, Result};

/// Weeks the fund page's chart shows.
pub const CHART_WEEKS: usize = 16;

/// One week of the chart.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct WeekRow {
    /// The Monday it starts, `YYYY-MM-DD`.
    pub start: String,
    pub income: String,
    pub payouts: String,
    pub income_minor: i64,
    pub payouts_minor: i64,
    pub payout_count: usize,
}

/// Strike pay set for a call.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub call: String,
    pub title: String,
    pub per_day: String,
    pub per_dependant: String,
    pub max_days: u16,
    /// Members pledged to the call: whom the projection counts.
    pub pledged: u64,
}

/// A claim this node reads: every one on a treasurer's node, their own on a member's.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRow {
    pub id: String,
    /// Who claims: "you", or their name on a treasurer's node.
    pub claimant: String,
    /// "strike pay" or "hardship".
    pub kind: String,
    /// "5 days of Heat safety, 2 dependants", or the hardship's reason.
    pub what: String,
    pub amount: String,
    pub approvals: usize,
    pub needed: u8,
    /// waiting, approved, paid or turned down.
    pub status: String,
    /// "Ana approved", "Bo turned it down: ..."
    pub answers: Vec<String>,
    pub mine: bool,
    /// This node may approve or turn it down (a treasurer's, not their own).
    pub can_answer: bool,
    /// This node may record it paid (a treasurer's, with its approvals).
    pub can_pay: bool,
    /// A treasurer answered their own claim: needs review (only treasurers can see this).
    pub self_answered: bool,
}

/// Contribution pledges, as treasurers read them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Pledges {
    pub members: usize,
    pub monthly: String,
}

/// The fund as this node shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct FundView {
    pub currency: String,
    pub approvals: u8,
    pub circle: String,
    pub treasurers: Vec<String>,
    pub i_am_treasurer: bool,
    pub balance: String,
    pub balance_minor: i64,
    pub income: String,
    pub payouts: String,
    /// Distinct people paid (as commitments: nobody outside the treasurers knows who).
    pub recipients: usize,
    /// "3.7 weeks", or why there is no figure.
    pub runway: String,
    pub runway_tenths: Option<i64>,
    /// Strike pay a week for the members pledged to calls with a rule.
    pub weekly_projection: String,
    /// Approved and not yet paid.
    pub open_payouts: String,
    /// The last weeks, oldest first, with no gaps.
    pub weeks: Vec<WeekRow>,
    pub rules: Vec<RuleRow>,
    /// What needs review: overdrawn entries, entries that do not count, and (on treasurers'
    /// nodes) payouts whose commitment matches no claim and self-answered claims.
    pub review: Vec<String>,
    pub claims: Vec<ClaimRow>,
    /// This member's standing pledge ("20.00 monthly").
    pub my_contribution: Option<String>,
    /// Treasurers: pledges they read, and their monthly total.
    pub pledges: Option<Pledges>,
    /// Notes to the treasurers this node cannot open.
    pub sealed_notes: usize,
    /// Digest of the public fold: equal on every node holding the same ops.
    pub digest: String,
}

/// (weekly projection, runway in tenths) of a folded fund: strike pay for the members
/// pledged to each call with a rule, and what it holds net of approved payouts not yet paid.
pub fn runway(state: &FundState, calls: &[CallView]) -> (i64, Option<i64>) {
    let weekly: i64 = state
        .rules
        .iter()
        .filter_map(|(call, rule)| {
            let c = calls.iter().find(|c| c.op == *call)?;
            Some(rule.per_day * STRIKE_DAYS_A_WEEK.min(i64::from(rule.max_days)) * c.tally.counted as i64)
        })
        .sum();
    (weekly, ledger::runway_tenths(state.ledger.balance() - state.open_payouts(), weekly))
}

/// The Monday a week starts, `YYYY-MM-DD`.
pub(crate) fn week_date(week: i64) -> String {
    CoarseTime::from_unix_seconds(ledger::week_start(week)).to_string()[..10].to_string()
}

impl Node {
    fn name_of(&self, network: &NetworkId, a: &AuthorId) -> Result<String> {
        Ok(self
            .members(network)?
            .iter()
            .find(|m| m.author == *a)
            .map_or_else(|| a.short(), crate::networks::display_name))
    }

    /// The fund as this node shows it (`None` before it is opened).
    pub fn fund(&self, network: &NetworkId) -> Result<Option<FundView>> {
        let Some(data) = self.fund_data(network)? else { return Ok(None) };
        let me = self.me_in(network)?.map(|m| m.author);
        let state = &data.state;
        let cur = data.currency();
        let calls = self.calls(network)?;
        let (weekly, tenths) = runway(state, &calls);
        let now_week = ledger::week(CoarseTime::from_unix_seconds(self.now()));
        let first = state.weeks.keys().next().copied().unwrap_or(now_week);
        let from = first.max(now_week - CHART_WEEKS as i64 + 1);
        let weeks = (from..=now_week)
            .map(|w| {
                let row = state.weeks.get(&w).cloned().unwrap_or_default();
                WeekRow {
                    start: week_date(w),
                    income: cur.format(row.income),
                    payouts: cur.format(row.payouts),
                    income_minor: row.income,
                    payouts_minor: row.payouts,
                    payout_count: row.payout_count,
                }
            })
            .collect();
        let rules = state
            .rules
            .iter()
            .map(|(call, r)| {
                let c = calls.iter().find(|c| c.op == *call);
                RuleRow {
                    call: call.to_hex(),
                    title: c.map_or_else(|| call.short(), |c| c.title.clone()),
                    per_day: cur.format(r.per_day),
                    per_dependant: cur.format(r.per_dependant),
                    max_days: r.max_days,
                    pledged: c.map_or(0, |c| c.tally.counted),
                }
            })
            .collect();
        let i_am_treasurer = me.is_some_and(|m| state.treasurers.contains(&m));
        let claims = self.claim_rows(network, &data, me, &calls)?;
        let mut review = self.review(network, &data)?;
        review.extend(
            claims
                .iter()
                .filter(|c| c.self_answered)
                .map(|c| format!("claim {}: answered by its own claimant, a treasurer: needs review", c.id)),
        );
        let totals = |f: fn(&strike_core::fund::state::Week) -> i64| state.weeks.values().map(f).sum::<i64>();
        let mine = |n: &&super::Note| Some(n.author) == me;
        let contribution = |n: &super::Note| match n.ask {
            FundAsk::Contribution { amount, monthly } => Some((amount, monthly)),
            FundAsk::Claim { .. } => None,
        };
        let my_contribution = data
            .notes
            .iter()
            .filter(mine)
            .filter_map(contribution)
            .next_back()
            .map(|(a, monthly)| format!("{} {}", cur.format(a), if monthly { "monthly" } else { "once" }));
        let pledges = i_am_treasurer.then(|| {
            let mut latest: BTreeMap<AuthorId, (i64, bool)> = BTreeMap::new();
            for n in &data.notes {
                if let Some(c) = contribution(n) {
                    latest.insert(n.author, c);
                }
            }
            let monthly: i64 = latest.values().filter(|(_, m)| *m).map(|(a, _)| a).sum();
            Pledges { members: latest.len(), monthly: cur.format(monthly) }
        });
        let circle = self.circle(network, &state.settings.circle).map(|c| c.name).unwrap_or_default();
        Ok(Some(FundView {
            currency: cur.code.into(),
            approvals: state.settings.approvals,
            circle,
            treasurers: state.treasurers.iter().map(|t| self.name_of(network, t)).collect::<Result<_>>()?,
            i_am_treasurer,
            balance: cur.format(state.ledger.balance()),
            balance_minor: state.ledger.balance(),
            income: cur.format(totals(|w| w.income)),
            payouts: cur.format(totals(|w| w.payouts)),
            recipients: state.recipients(),
            runway: match tenths {
                Some(t) => format!("{}.{} weeks", t / 10, t % 10),
                None => "no strike pay projected".into(),
            },
            runway_tenths: tenths,
            weekly_projection: cur.format(weekly),
            open_payouts: cur.format(state.open_payouts()),
            weeks,
            rules,
            review,
            claims,
            my_contribution,
            pledges,
            sealed_notes: data.sealed_notes,
            digest: hex::encode(state.digest()),
        }))
    }

    fn claim_rows(
        &self,
        network: &NetworkId,
        data: &FundData,
        me: Option<AuthorId>,
        calls: &[CallView],
    ) -> Result<Vec<ClaimRow>> {
        let cur = data.currency();
        let needed = data.state.settings.approvals;
        let treasurer = me.is_some_and(|m| data.state.treasurers.contains(&m));
        let mut rows = Vec::new();
        for note in data.claims() {
            let FundAsk::Claim { call, days, dependants, reason, .. } = &note.ask else { continue };
            let commitment = note.commitment().expect("a claim commits");
            let owed = Node::claim_owed(data, note).ok();
            let answers = data.state.approvals.get(&commitment).cloned().unwrap_or_default();
            let approvals = owed.map_or(0, |(a, c)| answers.approving(a, c));
            let turned_down = answers.answers.values().any(|a| !a.approve);
            let status = match (answers.paid, approvals >= usize::from(needed), turned_down) {
                (Some(_), _, _) => "paid",
                (None, true, _) => "approved",
                (None, false, true) => "turned down",
                (None, false, false) => "waiting",
            };
            let mut said = Vec::new();
            for (who, a) in &answers.answers {
                let name = self.name_of(network, who)?;
                said.push(match a.approve {
                    true => format!("{name} approved {}", cur.format(a.amount)),
                    false => format!("{name} turned it down: {}", a.why),
                });
            }
            let what = match call {
                Some(c) => {
                    let title = calls.iter().find(|v| v.op == *c).map_or_else(|| c.short(), |v| v.title.clone());
                    format!("{days} days of {title}, {dependants} dependants")
                }
                None => reason.clone(),
            };
            let mine = Some(note.author) == me;
            rows.push(ClaimRow {
                id: note.op.short(),
                claimant: if mine { "you".into() } else { self.name_of(network, &note.author)? },
                kind: if call.is_some() { "strike pay" } else { "hardship" }.into(),
                what,
                amount: owed.map_or_else(|| "no strike pay set".into(), |(a, _)| cur.format(a)),
                approvals,
                needed,
                status: status.into(),
                answers: said,
                mine,
                can_answer: treasurer && !mine && answers.paid.is_none(),
                can_pay: treasurer && status == "approved",
                self_answered: treasurer && answers.answers.contains_key(&note.author),
            });
        }
        rows.reverse();
        Ok(rows)
    }

    /// What needs review, as this node sees it.
    fn review(&self, network: &NetworkId, data: &FundData) -> Result<Vec<String>> {
        let cur = data.currency();
        let mut out = Vec::new();
        for e in &data.state.entries {
            let what = match e.payout() {
                Some((a, amount)) => format!("{} {}", a.name(), cur.format(amount)),
                None => format!("entry by {}", self.name_of(network, &e.author)?),
            };
            match &e.standing {
                Standing::Overdrawn => out.push(format!("{} ({what}): overdrawn: needs review", e.op.short())),
                Standing::Refused(why) => out.push(format!("{} ({what}): does not count: {why}", e.op.short())),
                Standing::Counted => {}
            }
        }
        if self.reads_all_claims(network, data)? {
            for e in data.state.entries.iter().filter(|e| e.counts() && e.payout().is_some()) {
                if let Some(c) = e.entry.party()
                    && !data.names.contains_key(&c)
                {
                    out.push(format!("{}: a payout that commits to no claim the treasurers can read", e.op.short()));
                }
            }
        }
        Ok(out)
    }

    /// Whether this node reads the treasurers' circle (and so every claim).
    pub(crate) fn reads_all_claims(&self, network: &NetworkId, data: &FundData) -> Result<bool> {
        Ok(!self.store.circle_held_keys(network, &data.state.settings.circle)?.is_empty())
    }
}
