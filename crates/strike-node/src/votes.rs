//! Assemblies and votes on a node (`docs/protocol.md`, "Votes"): members propose and vote,
//! organizers' nodes close votes that are due with a checkpoint naming what they had seen; the
//! tally is core's ([`strike_core::votes::tally::tally`]). What people type is read here once,
//! for the CLI, the forms and the JSON API. Offers on strike calls and their votes, and how calls
//! came out, are in [`concessions`]; discussion before a vote in [`threads`].

pub mod concessions;
pub mod threads;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use strike_core::body::{Ballot, Proposal, ProposalClose};
use strike_core::membership::Status;
use strike_core::votes::tally::{self, BallotIn, Decision, Tally};
use strike_core::votes::{BallotContent, Choice, Method, Pass, Results};
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId, Writer, parse_time};
use strike_store::FactRow;

use crate::{Node, NodeError, Result};

fn invalid(message: impl Into<String>) -> NodeError {
    NodeError::InvalidInput(message.into())
}

/// A proposal as people write it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposeInput {
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// consent, yes-no, choose, approval, ranked, stv or score
    pub method: String,
    /// The options (choose, approval, ranked, stv, score)
    #[serde(default)]
    pub options: Vec<String>,
    /// Seats an STV election fills (default 1)
    #[serde(default)]
    pub seats: Option<u8>,
    /// Share of the electorate that must vote: `50%` (default none)
    #[serde(default)]
    pub quorum: String,
    /// yes-no: majority (default), two-thirds or consensus
    #[serde(default)]
    pub pass: String,
    /// When voting closes: `3d` from now, or a date
    pub closes: String,
    /// When members see the tally: always (default), after-voting or after-close
    #[serde(default)]
    pub results: String,
    /// An STV election's winners become the network's delegates
    #[serde(default)]
    pub delegates: bool,
    /// A circle whose members alone vote, by name or id (empty: the whole network); the
    /// proposal, its ballots and its close are sealed in it
    #[serde(default)]
    pub circle: String,
    /// A secret vote: nobody can tell who voted what (the organizers issue credentials)
    #[serde(default)]
    pub secret: bool,
}

/// A ballot as people write it: a position, or options by name or number.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteInput {
    /// consent or object; yes, no, abstain or block
    #[serde(default)]
    pub position: String,
    /// choose: one option
    #[serde(default)]
    pub choose: String,
    /// approval: the options approved
    #[serde(default)]
    pub approve: Vec<String>,
    /// ranked, stv: the options, most preferred first
    #[serde(default)]
    pub rank: Vec<String>,
    /// score: `option=score` for each option scored (0 to 5; unscored: 0)
    #[serde(default)]
    pub score: Vec<String>,
    #[serde(default)]
    pub reason: String,
}

/// A round of a ranked count, for the page and the chart.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RoundView {
    /// Votes per option at the round's start ("12.5"); none for an option no longer standing.
    pub votes: Vec<Option<String>>,
    /// `elected` or `excluded`
    pub selection: String,
    pub selected: Vec<String>,
}

/// A proposal as this node shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ProposalView {
    pub id: String,
    pub title: String,
    pub text: String,
    pub method: String,
    pub options: Vec<String>,
    pub seats: u8,
    pub proposed_by: String,
    /// Coarse minutes.
    pub proposed: u32,
    pub closes: u32,
    /// open, closing (past its time, waiting for an organizer's close) or closed
    pub state: String,
    pub electorate: usize,
    pub voted: usize,
    pub quorum_needed: usize,
    /// Whether the tally is shown to this node now (its results setting).
    pub results_shown: bool,
    pub results: String,
    /// Ballots per position, or per option (choices, approvals, points).
    pub positions: Vec<(String, usize)>,
    pub per_option: Vec<u64>,
    pub rounds: Vec<RoundView>,
    /// "passed", "rejected", "blocked", "no quorum", "elected: A, B", "tied: A, B", "undecided"
    pub outcome: String,
    /// This node's current ballot, as it reads.
    pub my_ballot: Option<String>,
    pub i_can_vote: bool,
    /// The concession it decides about, if any.
    pub about: Option<String>,
    pub delegates: bool,
    /// The circle it is put to (its name), if not the whole network.
    pub circle: Option<String>,
    /// A secret vote's credentials and this node's part.
    pub secret: Option<crate::secret::SecretView>,
}

pub(crate) fn percent_permille(text: &str) -> Result<u16> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return Ok(0);
    }
    let p: f64 = t.parse().map_err(|_| invalid(format!("{text:?} is not a share: 50%")))?;
    if !(0.0..=100.0).contains(&p) {
        return Err(invalid("a quorum is 0% to 100%"));
    }
    Ok((p * 10.0).round() as u16)
}

fn option_index(p: &Proposal, text: &str) -> Result<u8> {
    let t = text.trim();
    if let Ok(n) = t.parse::<usize>()
        && (1..=p.options.len()).contains(&n)
    {
        return Ok((n - 1) as u8);
    }
    let key = strike_core::text::name_key(t);
    p.options
        .iter()
        .position(|o| strike_core::text::name_key(o) == key)
        .map(|i| i as u8)
        .ok_or_else(|| invalid(format!("{t:?} is not one of the options: {}", p.options.join(", "))))
}

/// A ballot's choice in words.
fn describe(p: &Proposal, c: &Choice) -> String {
    let name = |i: &u8| p.options.get(usize::from(*i)).cloned().unwrap_or_default();
    match c {
        Choice::Position(s) => s.clone(),
        Choice::Choose(i) => name(i),
        Choice::Approve(v) => v.iter().map(name).collect::<Vec<_>>().join(", "),
        Choice::Rank(v) => v.iter().map(name).collect::<Vec<_>>().join(" > "),
        Choice::Score(v) => {
            v.iter().enumerate().map(|(i, s)| format!("{}={s}", p.options[i])).collect::<Vec<_>>().join(", ")
        }
    }
}

impl Node {
    /// Puts a proposal to the network (members).
    pub fn propose(&mut self, network: &NetworkId, input: &ProposeInput) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let method = Method::parse(&input.method).map_err(invalid)?;
        let pass = match input.pass.trim() {
            "" | "majority" => Pass::Majority,
            "two-thirds" => Pass::TwoThirds,
            "consensus" => Pass::Consensus,
            other => return Err(invalid(format!("{other:?}: a vote passes by majority, two-thirds or consensus"))),
        };
        let results = match input.results.trim() {
            "" | "always" => Results::Always,
            "after-voting" => Results::AfterVoting,
            "after-close" => Results::AfterClose,
            other => return Err(invalid(format!("{other:?}: results show always, after-voting or after-close"))),
        };
        let now = self.now();
        let closes = parse_time(&input.closes, now).map_err(|e| invalid(format!("closes: {e}")))?;
        if closes <= now {
            return Err(invalid("a vote closes in the future"));
        }
        let circle = match input.circle.trim() {
            "" => None,
            c => Some(self.resolve_circle(network, c)?),
        };
        let proposal = Proposal {
            title: input.title.trim().into(),
            text: input.text.trim().into(),
            method,
            options: input.options.iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect(),
            seats: input.seats.unwrap_or(1),
            quorum: percent_permille(&input.quorum)?,
            pass,
            closes: CoarseTime::from_unix_seconds(closes).0,
            results,
            about: None,
            delegates: input.delegates,
            circle,
            secret: if input.secret {
                Some(strike_core::secret::Secrecy { issuers: self.choose_issuers(network, me.author)? })
            } else {
                None
            },
        };
        if input.secret {
            let n = self.members(network)?.iter().filter(|m| m.status == Status::Member).count();
            if n < strike_core::secret::MIN_GROUP {
                return Err(invalid(format!(
                    "a secret vote needs at least {} members to hide a ballot among; this network has {n}",
                    strike_core::secret::MIN_GROUP
                )));
            }
        }
        strike_core::body::Fact::check(&proposal).map_err(NodeError::Refused)?;
        let secret = proposal.secret.is_some();
        let op = self.author(network, Body::Proposal(proposal))?;
        if secret {
            // This node's issuer keys (if it is an issuer) go out with the proposal.
            self.upkeep(network)?;
        }
        Ok(op)
    }

    fn proposal_fact(&self, network: &NetworkId, id: &OpId) -> Result<(FactRow, Proposal)> {
        let f = self
            .store
            .facts(network, Kind::Proposal, None)?
            .into_iter()
            .find(|f| f.op_id == *id)
            .ok_or_else(|| NodeError::NotFound("no such proposal (or it does not count)".into()))?;
        match &f.body {
            Body::Proposal(p) => {
                let p = p.clone();
                Ok((f, p))
            }
            _ => Err(NodeError::NotFound("not a proposal".into())),
        }
    }

    /// Finds the network holding a proposal with this id (prefix).
    pub fn find_proposal(&self, query: &str) -> Result<(NetworkId, OpId)> {
        self.find_fact(Kind::Proposal, "proposal", query)
    }

    /// Votes on a proposal (or changes the vote) while it is open.
    pub fn vote(&mut self, network: &NetworkId, proposal: &OpId, input: &VoteInput) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let (f, p) = self.proposal_fact(network, proposal)?;
        let view = self.proposal_view_of(network, &f, &p)?;
        if view.state != "open" {
            return Err(NodeError::NotAllowed("this vote is closed".into()));
        }
        if !self.electorate(network, &f, &p)?.contains(&me.author) {
            return Err(NodeError::NotAllowed(match p.circle {
                None => "you were not a member when this was proposed: the vote is for those who were".into(),
                Some(_) => "you were not in the circle when this was proposed: the vote is for those who were".into(),
            }));
        }
        let choice = match p.method {
            Method::Consent | Method::YesNo => Choice::Position(input.position.trim().to_lowercase()),
            Method::Choose => Choice::Choose(option_index(&p, &input.choose)?),
            Method::Approval => {
                Choice::Approve(input.approve.iter().map(|o| option_index(&p, o)).collect::<Result<_>>()?)
            }
            Method::Ranked | Method::Stv => {
                Choice::Rank(input.rank.iter().map(|o| option_index(&p, o)).collect::<Result<_>>()?)
            }
            Method::Score => {
                let mut scores = vec![0u8; p.options.len()];
                for pair in &input.score {
                    let (o, s) =
                        pair.split_once('=').ok_or_else(|| invalid(format!("{pair:?}: write option=score")))?;
                    let s: u8 = s.trim().parse().map_err(|_| invalid(format!("{s:?} is not a score from 0 to 5")))?;
                    scores[usize::from(option_index(&p, o)?)] = s;
                }
                Choice::Score(scores)
            }
        };
        choice.fits(&p).map_err(invalid)?;
        let content = BallotContent { choice, reason: input.reason.trim().into() };
        if p.secret.is_some() {
            let op = self.secret_vote(network, proposal, content)?;
            self.upkeep(network)?;
            return Ok(op);
        }
        let ballot = Ballot { proposal: *proposal, content, circle: p.circle };
        strike_core::body::Fact::check(&ballot).map_err(NodeError::Refused)?;
        self.author(network, Body::Ballot(ballot))
    }

    /// Who may vote on a proposal: counted members admitted before it, whose ops its author
    /// had seen (its causal past), and who are still counted; for a circle's vote, of those,
    /// the ones in the circle now who were put in it in that causal past (or created it).
    pub(crate) fn electorate(&self, network: &NetworkId, f: &FactRow, p: &Proposal) -> Result<BTreeSet<AuthorId>> {
        let cut = self.store.checkpoint_cut(network, &f.op_id)?;
        let members = self.members(network)?;
        let mut voters: BTreeSet<AuthorId> = members
            .iter()
            .filter(|m| m.status == Status::Member && m.since <= f.time)
            .filter(|m| m.author == f.author || cut.contains_key(&m.author))
            .map(|m| m.author)
            .collect();
        let Some(circle) = p.circle else { return Ok(voters) };
        if circle == strike_core::circles::organizers_circle(network) {
            // The organizers' circle: the organizers now.
            voters.retain(|a| members.iter().any(|m| m.author == *a && m.role == strike_core::Role::Organizer));
            return Ok(voters);
        }
        let now_in: BTreeSet<AuthorId> =
            self.store.circle_members(network, &circle)?.into_iter().filter(|m| m.current).map(|m| m.author).collect();
        let creator = self.store.facts(network, Kind::Circle, None)?.into_iter().find(|c| c.op_id == circle);
        let additions = self.store.circle_additions(network, &circle)?;
        let seen = |writer: &AuthorId, seq: u64| cut.get(writer).is_some_and(|upto| seq <= *upto);
        voters.retain(|a| {
            now_in.contains(a)
                && (creator.as_ref().is_some_and(|c| c.author == *a)
                    || additions.iter().any(|(m, w, s)| m == a && seen(w, *s)))
        });
        Ok(voters)
    }

    /// The first organizer's close of a proposal written at or after its closing time.
    fn closing(&self, network: &NetworkId, id: &OpId, p: &Proposal) -> Result<Option<OpId>> {
        Ok(self
            .store
            .facts(network, Kind::ProposalClose, None)?
            .into_iter()
            .filter(|f| {
                matches!(&f.body, Body::ProposalClose(c) if c.proposal == *id && c.circle == p.circle)
                    && f.time.0 >= p.closes
            })
            .min_by_key(|f| f.order())
            .map(|f| f.op_id))
    }

    /// A proposal's tally.
    pub fn proposal_tally(&self, network: &NetworkId, id: &OpId) -> Result<Tally> {
        let (f, p) = self.proposal_fact(network, id)?;
        self.tally_of(network, &f, &p)
    }

    pub(crate) fn tally_of(&self, network: &NetworkId, f: &FactRow, p: &Proposal) -> Result<Tally> {
        let cut = match self.closing(network, &f.op_id, p)? {
            Some(close) => Some(self.store.checkpoint_cut(network, &close)?),
            None => None,
        };
        if p.secret.is_some() {
            let (ballots, creds, scope) = self.secret_ballots(network, f, p)?;
            let may_vote = |a: &AuthorId| creds.counted.contains_key(a);
            return Ok(tally::tally_with(p, scope.eligible.len(), &may_vote, &ballots, cut.as_ref()));
        }
        let electorate = self.electorate(network, f, p)?;
        let ballots: Vec<BallotIn> = self
            .store
            .facts(network, Kind::Ballot, Some(&f.op_id.0))?
            .into_iter()
            .filter_map(|b| match b.body {
                // A circle's ballots count sealed in its circle; the network's, outside any.
                Body::Ballot(ballot) if ballot.proposal == f.op_id && ballot.circle == p.circle => {
                    Some(BallotIn { op: b.op_id, author: b.author, seq: b.seq, time: b.time, content: ballot.content })
                }
                _ => None,
            })
            .collect();
        Ok(tally::tally(p, &electorate, &ballots, cut.as_ref()))
    }

    /// One proposal as this node shows it.
    pub fn proposal(&self, network: &NetworkId, id: &OpId) -> Result<ProposalView> {
        let (f, p) = self.proposal_fact(network, id)?;
        self.proposal_view_of(network, &f, &p)
    }

    fn proposal_view_of(&self, network: &NetworkId, f: &FactRow, p: &Proposal) -> Result<ProposalView> {
        let t = self.tally_of(network, f, p)?;
        let me = self.me_in(network)?.map(|m| m.author);
        let names = self.members(network)?;
        let name = |a: &AuthorId| {
            names.iter().find(|m| m.author == *a).map_or_else(|| a.short(), crate::networks::display_name)
        };
        let now = CoarseTime::from_unix_seconds(self.now());
        let state = if t.closed {
            "closed"
        } else if now.0 > p.closes {
            "closing"
        } else {
            "open"
        };
        let my = me.and_then(|me| {
            self.store
                .facts(network, Kind::Ballot, Some(&f.op_id.0))
                .ok()?
                .into_iter()
                .filter(|b| b.author == me)
                .max_by_key(|b| b.seq)
        });
        let my_ballot = match p.secret {
            Some(_) => self.my_secret_ballot(network, &f.op_id)?.map(|c| describe(p, &c.choice)),
            None => my.and_then(|b| match b.body {
                Body::Ballot(ballot) => Some(describe(p, &ballot.content.choice)),
                _ => None,
            }),
        };
        let secret = match p.secret {
            Some(_) => {
                let (_, creds, scope) = self.secret_ballots(network, f, p)?;
                Some(self.secret_view(network, &scope, &creds)?)
            }
            None => None,
        };
        let results_shown = match p.results {
            Results::Always => true,
            Results::AfterVoting => my_ballot.is_some() || t.closed,
            Results::AfterClose => t.closed,
        };
        let option = |i: &usize| p.options.get(*i).cloned().unwrap_or_default();
        let outcome = match &t.decision {
            Decision::Passed => "passed".to_owned(),
            Decision::Rejected => "rejected".to_owned(),
            Decision::Blocked => "blocked".to_owned(),
            Decision::NoQuorum => "no quorum".to_owned(),
            Decision::Elected(v) => format!("elected: {}", v.iter().map(option).collect::<Vec<_>>().join(", ")),
            Decision::Tied(v) => format!("tied: {}", v.iter().map(option).collect::<Vec<_>>().join(", ")),
            Decision::Undecided => "undecided".to_owned(),
        };
        let votes = |v: &Option<i128>| {
            v.map(|x| {
                let whole = x / strike_core::votes::count::SCALE;
                let frac = x % strike_core::votes::count::SCALE;
                if frac == 0 {
                    whole.to_string()
                } else {
                    format!("{whole}.{:05}", frac).trim_end_matches('0').to_owned()
                }
            })
        };
        let shown = |b: bool| results_shown && b;
        Ok(ProposalView {
            id: f.op_id.to_hex(),
            title: p.title.clone(),
            text: p.text.clone(),
            method: p.method.as_str().into(),
            options: p.options.clone(),
            seats: p.seats,
            proposed_by: name(&f.author),
            proposed: f.time.0,
            closes: p.closes,
            state: state.into(),
            electorate: t.electorate,
            voted: t.voted,
            quorum_needed: t.quorum_needed,
            results_shown,
            results: match p.results {
                Results::Always => "always",
                Results::AfterVoting => "after-voting",
                Results::AfterClose => "after-close",
            }
            .into(),
            positions: if shown(true) {
                t.positions.iter().map(|(k, v)| (k.clone(), *v)).collect()
            } else {
                Vec::new()
            },
            per_option: if shown(matches!(p.method, Method::Choose | Method::Approval | Method::Score)) {
                t.per_option.clone()
            } else {
                Vec::new()
            },
            rounds: match (&t.count, results_shown) {
                (Some(c), true) => c
                    .rounds
                    .iter()
                    .map(|r| RoundView {
                        votes: r.votes.iter().map(votes).collect(),
                        selection: match r.selection {
                            strike_core::votes::count::Selection::Elected => "elected",
                            strike_core::votes::count::Selection::Excluded => "excluded",
                        }
                        .into(),
                        selected: r.selected.iter().map(option).collect(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            outcome: if results_shown { outcome } else { "hidden until the close".into() },
            my_ballot,
            i_can_vote: state == "open"
                && me.is_some_and(|me| self.electorate(network, f, p).is_ok_and(|e| e.contains(&me))),
            about: p.about.map(|c| c.to_hex()),
            delegates: p.delegates,
            circle: p.circle.map(|c| self.circle(network, &c).map(|v| v.name).unwrap_or_else(|_| c.short())),
            secret,
        })
    }

    /// Every proposal, newest first.
    pub fn proposals(&self, network: &NetworkId) -> Result<Vec<ProposalView>> {
        self.network(network)?;
        let mut out = Vec::new();
        let mut facts = self.store.facts(network, Kind::Proposal, None)?;
        facts.sort_by_key(|f| std::cmp::Reverse(f.order()));
        for f in facts {
            if let Body::Proposal(p) = &f.body {
                out.push(self.proposal_view_of(network, &f, p)?);
            }
        }
        Ok(out)
    }

    /// The network's delegates: the winners of its latest closed STV election that names
    /// delegates (by author, for the members standing as candidates under their names).
    pub fn delegates(&self, network: &NetworkId) -> Result<Vec<String>> {
        let mut facts = self.store.facts(network, Kind::Proposal, None)?;
        facts.sort_by_key(|f| std::cmp::Reverse(f.order()));
        for f in facts {
            if let Body::Proposal(p) = &f.body
                && p.delegates
            {
                let t = self.tally_of(network, &f, p)?;
                if let (true, Decision::Elected(winners)) = (t.closed, t.decision) {
                    return Ok(winners.iter().filter_map(|i| p.options.get(*i).cloned()).collect());
                }
            }
        }
        Ok(Vec::new())
    }

    /// The members who are the network's delegates: the winners of its latest closed
    /// delegates' election who stood under their own name (a candidate named as a counted
    /// member's pseudonym or shown name, case and spacing aside). The role lasts until the next
    /// such election closes; it is a function of the ops, the same on every node.
    pub fn delegate_authors(&self, network: &NetworkId) -> Result<BTreeSet<AuthorId>> {
        let names = self.delegates(network)?;
        if names.is_empty() {
            return Ok(BTreeSet::new());
        }
        let key = strike_core::text::name_key;
        let wanted: BTreeSet<String> = names.iter().map(|n| key(n)).collect();
        let members: Vec<_> = self.members(network)?.into_iter().filter(|m| m.status == Status::Member).collect();
        // A pseudonym two members share names neither: only the shown name (with its piece of
        // key) does.
        let shared =
            |m: &strike_store::MemberRow| members.iter().filter(|o| key(&o.pseudonym) == key(&m.pseudonym)).count() > 1;
        Ok(members
            .iter()
            .filter(|m| {
                (wanted.contains(&key(&m.pseudonym)) && !shared(m))
                    || wanted.contains(&key(&crate::networks::display_name(m)))
            })
            .map(|m| m.author)
            .collect())
    }

    /// Closes the votes whose time has passed with an organizer's checkpoint (organizers).
    pub(crate) fn close_due_proposals(&mut self, network: &NetworkId) -> Result<usize> {
        let now = CoarseTime::from_unix_seconds(self.now());
        let mut due = Vec::new();
        for f in self.store.facts(network, Kind::Proposal, None)? {
            if let Body::Proposal(p) = &f.body
                && p.closes <= now.0
                && self.closing(network, &f.op_id, p)?.is_none()
            {
                // A circle's vote is closed by an organizer in it (who holds its key).
                if let Some(c) = p.circle
                    && self.store.circle_write_key(network, &c)?.is_none()
                {
                    continue;
                }
                due.push((f.op_id, p.circle));
            }
        }
        if !due.is_empty() {
            self.merge_heads(network)?;
        }
        for (proposal, circle) in &due {
            self.author(network, Body::ProposalClose(ProposalClose { proposal: *proposal, circle: *circle }))?;
        }
        Ok(due.len())
    }

    /// Closes one vote now that its time has passed (organizers).
    pub fn close_proposal(&mut self, network: &NetworkId, id: &OpId) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let (_, p) = self.proposal_fact(network, id)?;
        if CoarseTime::from_unix_seconds(self.now()).0 < p.closes {
            return Err(NodeError::NotAllowed("the vote is open until its closing time".into()));
        }
        if self.closing(network, id, &p)?.is_some() {
            return Err(NodeError::NotAllowed("that vote is already closed".into()));
        }
        self.merge_heads(network)?;
        self.author(network, Body::ProposalClose(ProposalClose { proposal: *id, circle: p.circle }))
    }
}
