//! A proposal's tally: which ballots count and what they decide, a pure function of the ops
//! that every node computes the same way whatever order they arrived in.
//!
//! - **Electorate**: given by the caller (the members in good standing in the proposal's causal
//!   past who are still counted); a ballot from anyone else does not count.
//! - **Ballots**: each voter's latest (highest sequence number, then op id) counts; before the close, those
//!   written up to the closing time; once an organizer's close exists, exactly those in its
//!   causal past (`cut`: each author's highest sequence number it had seen), so a ballot written
//!   later or backdated never slips in. A ballot that does not fit the method does not count.
//! - **Quorum**: ceil(electorate x quorum / 1000) voters; missed, a closed vote decides nothing.
//! - **Decisions**: consent passes unless someone objects; yes / no is blocked by any block, else
//!   passes by its rule (majority: more yes than no; two-thirds: yes at least twice no;
//!   consensus: no "no" at all), with at least one yes; choose, approval and score elect the
//!   option with the most (choices, approvals, points), and a tie for the most decides nothing
//!   (the assembly votes again); ranked and STV use [`super::count::stv`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::count::{self, Outcome, Ranked};
use super::{BallotContent, Choice, Method, Pass, Proposal};
use crate::{AuthorId, CoarseTime, OpId};

/// A ballot as the tally reads it.
#[derive(Debug, Clone)]
pub struct BallotIn {
    pub op: OpId,
    pub author: AuthorId,
    pub seq: u64,
    pub time: CoarseTime,
    pub content: BallotContent,
}

/// What a vote decided (or, while open, would decide as it stands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Passed,
    Rejected,
    /// Someone blocked (yes / no) or objected (consent).
    Blocked,
    /// Too few voted.
    NoQuorum,
    /// The options elected, in order.
    Elected(Vec<usize>),
    /// The options tied for the most: no decision.
    Tied(Vec<usize>),
    /// No ballot, or a ranked count that could not break a tie.
    Undecided,
}

/// A proposal's tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// An organizer's close is in; the decision is final.
    pub closed: bool,
    pub electorate: usize,
    pub voted: usize,
    pub quorum_needed: usize,
    /// Consent and yes / no: ballots per position.
    pub positions: BTreeMap<String, usize>,
    /// Choose, approval and score: choices, approvals or points per option.
    pub per_option: Vec<u64>,
    /// Ranked and STV: the count, round by round.
    pub count: Option<Outcome>,
    pub decision: Decision,
    /// Ballots that count, by op id.
    pub counted: BTreeSet<OpId>,
    /// Ballots that do not, and why.
    pub not_counted: BTreeMap<OpId, &'static str>,
}

/// The tally of `proposal` from its ballots (any order), its electorate and, once closed, the
/// close's causal cut.
pub fn tally(
    proposal: &Proposal,
    electorate: &BTreeSet<AuthorId>,
    ballots: &[BallotIn],
    cut: Option<&HashMap<AuthorId, u64>>,
) -> Tally {
    tally_with(proposal, electorate.len(), &|a| electorate.contains(a), ballots, cut)
}

/// The tally with the electorate given as its size (for the quorum) and who may cast a ballot:
/// on a secret vote, the counted one-time authors, nobody knowing whose each is.
pub fn tally_with(
    proposal: &Proposal,
    electorate: usize,
    may_vote: &dyn Fn(&AuthorId) -> bool,
    ballots: &[BallotIn],
    cut: Option<&HashMap<AuthorId, u64>>,
) -> Tally {
    let mut latest: BTreeMap<AuthorId, &BallotIn> = BTreeMap::new();
    let mut not_counted = BTreeMap::new();
    for b in ballots {
        let why = if !may_vote(&b.author) {
            Some("not in the electorate")
        } else if b.content.choice.fits(proposal).is_err() {
            Some("does not fit the method")
        } else {
            match cut {
                Some(cut) if cut.get(&b.author).is_none_or(|upto| b.seq > *upto) => Some("after the close"),
                None if b.time.0 > proposal.closes => Some("after the closing time"),
                _ => None,
            }
        };
        if let Some(why) = why {
            not_counted.insert(b.op, why);
            continue;
        }
        match latest.get(&b.author) {
            // (Two ballots at one sequence number are an equivocation the store refuses; the
            // larger op id is taken so that even then every node agrees.)
            Some(prev) if (prev.seq, prev.op) > (b.seq, b.op) => {
                not_counted.insert(b.op, "changed later");
            }
            Some(prev) => {
                not_counted.insert(prev.op, "changed later");
                latest.insert(b.author, b);
            }
            None => {
                latest.insert(b.author, b);
            }
        }
    }
    let quorum_needed = (electorate * usize::from(proposal.quorum)).div_ceil(1000);
    let mut t = Tally {
        closed: cut.is_some(),
        electorate,
        voted: latest.len(),
        quorum_needed,
        positions: BTreeMap::new(),
        per_option: vec![0; proposal.options.len()],
        count: None,
        decision: Decision::Undecided,
        counted: latest.values().map(|b| b.op).collect(),
        not_counted,
    };
    for b in latest.values() {
        match &b.content.choice {
            Choice::Position(p) => *t.positions.entry(p.clone()).or_default() += 1,
            Choice::Choose(i) => t.per_option[usize::from(*i)] += 1,
            Choice::Approve(v) => v.iter().for_each(|i| t.per_option[usize::from(*i)] += 1),
            Choice::Score(v) => v.iter().enumerate().for_each(|(i, s)| t.per_option[i] += u64::from(*s)),
            Choice::Rank(_) => {}
        }
    }
    let pos = |name: &str| t.positions.get(name).copied().unwrap_or(0);
    t.decision = match proposal.method {
        Method::Consent if pos("object") > 0 => Decision::Blocked,
        Method::Consent => Decision::Passed,
        Method::YesNo if pos("block") > 0 => Decision::Blocked,
        Method::YesNo => {
            let (yes, no) = (pos("yes"), pos("no"));
            let passes = yes > 0
                && match proposal.pass {
                    Pass::Majority => yes > no,
                    Pass::TwoThirds => yes >= 2 * no,
                    Pass::Consensus => no == 0,
                };
            if passes { Decision::Passed } else { Decision::Rejected }
        }
        Method::Choose | Method::Approval | Method::Score => {
            let top = t.per_option.iter().copied().max().unwrap_or(0);
            let best: Vec<usize> = (0..t.per_option.len()).filter(|i| t.per_option[*i] == top).collect();
            match best.as_slice() {
                _ if top == 0 => Decision::Undecided,
                [one] => Decision::Elected(vec![*one]),
                _ => Decision::Tied(best),
            }
        }
        Method::Ranked | Method::Stv => {
            let papers: Vec<Ranked> = latest
                .values()
                .filter_map(|b| match &b.content.choice {
                    Choice::Rank(r) => Some(Ranked { ranking: r.iter().map(|i| usize::from(*i)).collect(), count: 1 }),
                    _ => None,
                })
                .collect();
            let seats = if proposal.method == Method::Stv { usize::from(proposal.seats) } else { 1 };
            let outcome = count::stv(proposal.options.len(), &papers, seats);
            let decision = if outcome.complete && !papers.is_empty() {
                Decision::Elected(outcome.elected.clone())
            } else {
                Decision::Undecided
            };
            t.count = Some(outcome);
            decision
        }
    };
    if t.closed && t.voted < t.quorum_needed {
        t.decision = Decision::NoQuorum;
    }
    t
}

#[cfg(test)]
mod tests;
