//! Assemblies and votes (`docs/protocol.md`, "Votes"): a member proposes, with one of the
//! common methods (consent, yes / no / abstain / block, choose one, approval, ranked choice,
//! single transferable vote for several seats, score); members vote and may change their ballot
//! until an organizer closes the vote with a checkpoint naming what they had seen; the outcome is
//! [`tally::tally`], a pure function of the ops. The ranked counts are [`count`].
//!
//! A ballot's content ([`Choice`] and reason) is its own record inside the ballot body, apart
//! from who cast it (the envelope's author): secret ballots can carry the same content with a
//! proof of eligibility in place of a name.

pub mod count;
pub mod tally;

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN, MAX_NOTE_LEN};
use crate::text::{check_optional, check_text};
use crate::{OpId, Reject};

/// Most options a proposal offers.
pub const MAX_OPTIONS: usize = 20;
/// Longest proposal text, in bytes.
pub const MAX_PROPOSAL_TEXT: usize = 4000;
/// Highest score a score ballot gives an option.
pub const MAX_SCORE: u8 = 5;

fn invalid(message: impl Into<String>) -> Reject {
    Reject::InvalidBody(message.into())
}

/// How a proposal is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Passes unless someone objects.
    Consent,
    /// Yes, no, abstain or block.
    YesNo,
    /// One option each; the most chosen wins.
    Choose,
    /// Any number of options each; the most approved wins.
    Approval,
    /// Options ranked; instant runoff for one winner.
    Ranked,
    /// Options ranked; single transferable vote for `seats` winners.
    Stv,
    /// Each option scored 0 to 5; the highest total wins.
    Score,
}

impl Method {
    pub const ALL: &[Method] =
        &[Method::Consent, Method::YesNo, Method::Choose, Method::Approval, Method::Ranked, Method::Stv, Method::Score];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Consent => "consent",
            Method::YesNo => "yes-no",
            Method::Choose => "choose",
            Method::Approval => "approval",
            Method::Ranked => "ranked",
            Method::Stv => "stv",
            Method::Score => "score",
        }
    }

    pub fn parse(text: &str) -> Result<Method, String> {
        Method::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == text.trim().to_lowercase())
            .ok_or_else(|| format!("{text:?} is not a method: consent, yes-no, choose, approval, ranked, stv or score"))
    }

    /// The method decides between options the proposal lists.
    pub fn has_options(self) -> bool {
        !matches!(self, Method::Consent | Method::YesNo)
    }
}

/// The share of yes votes (of yes and no) a yes / no proposal needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pass {
    /// More yes than no.
    Majority,
    /// At least two yes for each no.
    TwoThirds,
    /// Nobody says no.
    Consensus,
}

/// When members see the tally (Loomio's `hide_results`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Results {
    Always,
    /// Once they have voted.
    AfterVoting,
    /// Once the vote is closed.
    AfterClose,
}

/// A proposal put to the network. The op's id is the proposal's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub title: String,
    pub text: String,
    pub method: Method,
    /// The options, for the methods that have them.
    pub options: Vec<String>,
    /// Winners an STV election fills (1 otherwise).
    pub seats: u8,
    /// Share of the electorate that must vote, in per mille (0: none).
    pub quorum: u16,
    pub pass: Pass,
    /// Coarse minute voting closes.
    pub closes: u32,
    pub results: Results,
    /// What it decides about, if anything: a concession (which names its strike call).
    pub about: Option<OpId>,
    /// An STV election's winners become the network's delegates.
    pub delegates: bool,
    /// Put to one circle's members only: the proposal, its ballots and its close are sealed in
    /// the circle, and only those in it when it was proposed vote (absent: the whole network).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circle: Option<OpId>,
    /// A secret vote: ballots are cast by one-time authors with credentials from these issuers,
    /// and nobody can tell who voted what (`crate::secret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<crate::secret::Secrecy>,
}

impl Fact for Proposal {
    fn check(&self) -> Result<(), Reject> {
        check_text("a title", &self.title, MAX_FIELD_LEN * 2)?;
        check_optional("a proposal's text", &self.text, MAX_PROPOSAL_TEXT)?;
        if self.method.has_options() {
            if self.options.len() < 2 || self.options.len() > MAX_OPTIONS {
                return Err(invalid(format!("a vote by {} has 2 to {MAX_OPTIONS} options", self.method.as_str())));
            }
            for (i, o) in self.options.iter().enumerate() {
                check_text("an option", o, MAX_FIELD_LEN)?;
                if self.options[..i].iter().any(|p| crate::text::name_key(p) == crate::text::name_key(o)) {
                    return Err(invalid(format!("{o:?} is listed twice")));
                }
            }
        } else if !self.options.is_empty() {
            return Err(invalid(format!("a vote by {} lists no options", self.method.as_str())));
        }
        let max_seats = if self.method == Method::Stv { self.options.len().saturating_sub(1) } else { 1 };
        if self.seats == 0 || usize::from(self.seats) > max_seats {
            return Err(invalid(if self.method == Method::Stv {
                "an STV election fills 1 seat or more, fewer than it has candidates".to_owned()
            } else {
                "only an STV election fills more than one seat".to_owned()
            }));
        }
        if self.quorum > 1000 {
            return Err(invalid("a quorum is at most 100%"));
        }
        if self.closes == 0 {
            return Err(invalid("a vote closes at a time"));
        }
        if self.delegates && self.method != Method::Stv {
            return Err(invalid("only an STV election chooses delegates"));
        }
        if self.circle.is_some() && (self.delegates || self.about.is_some()) {
            return Err(invalid("delegates and offers are decided by the whole network, not a circle"));
        }
        if let Some(s) = &self.secret {
            s.check()?;
            if self.circle.is_some() {
                return Err(invalid("a circle's vote is not secret: its members are too few to hide among"));
            }
        }
        Ok(())
    }
}

/// What a ballot says, by method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// Consent: `consent` or `object`; yes / no: `yes`, `no`, `abstain` or `block`.
    Position(String),
    /// Choose one: the option's index.
    Choose(u8),
    /// Approval: the options approved, by index.
    Approve(Vec<u8>),
    /// Ranked and STV: the options in order of preference (not all need be ranked).
    Rank(Vec<u8>),
    /// Score: one score per option, 0 to 5.
    Score(Vec<u8>),
}

/// Positions a consent ballot takes.
pub const CONSENT_POSITIONS: &[&str] = &["consent", "object"];
/// Positions a yes / no ballot takes.
pub const YES_NO_POSITIONS: &[&str] = &["yes", "no", "abstain", "block"];

impl Choice {
    /// Whether the choice is one `proposal`'s method reads.
    pub fn fits(&self, proposal: &Proposal) -> Result<(), String> {
        let n = proposal.options.len();
        let index = |i: &u8| usize::from(*i) < n;
        let distinct = |v: &[u8]| v.iter().enumerate().all(|(i, x)| !v[..i].contains(x));
        match (proposal.method, self) {
            (Method::Consent, Choice::Position(p)) if CONSENT_POSITIONS.contains(&p.as_str()) => Ok(()),
            (Method::Consent, _) => Err("a consent ballot is consent or object".into()),
            (Method::YesNo, Choice::Position(p)) if YES_NO_POSITIONS.contains(&p.as_str()) => Ok(()),
            (Method::YesNo, _) => Err("a ballot is yes, no, abstain or block".into()),
            (Method::Choose, Choice::Choose(i)) if index(i) => Ok(()),
            (Method::Approval, Choice::Approve(v)) if v.iter().all(index) && distinct(v) => Ok(()),
            (Method::Ranked | Method::Stv, Choice::Rank(v)) if !v.is_empty() && v.iter().all(index) && distinct(v) => {
                Ok(())
            }
            (Method::Score, Choice::Score(v)) if v.len() == n && v.iter().all(|s| *s <= MAX_SCORE) => Ok(()),
            (m, _) => Err(format!("that ballot does not fit a {} vote over {n} options", m.as_str())),
        }
    }
}

/// A ballot's content: what it says and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotContent {
    pub choice: Choice,
    pub reason: String,
}

/// A member's ballot on a proposal; their latest before the close counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub proposal: OpId,
    pub content: BallotContent,
    /// The proposal's circle, for a circle's vote: the ballot is sealed in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circle: Option<OpId>,
}

impl Fact for Ballot {
    fn check(&self) -> Result<(), Reject> {
        check_optional("a reason", &self.content.reason, MAX_NOTE_LEN)?;
        let too_long = match &self.content.choice {
            Choice::Position(p) => p.len() > 16,
            Choice::Approve(v) | Choice::Rank(v) | Choice::Score(v) => v.len() > MAX_OPTIONS,
            Choice::Choose(_) => false,
        };
        if too_long {
            return Err(invalid("that ballot is longer than any vote"));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.proposal.0)
    }
}

/// An organizer closes a vote, naming (by the op's dependencies) the ballots they had seen: only
/// ballots in its causal past count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalClose {
    pub proposal: OpId,
    /// The proposal's circle, for a circle's vote: an organizer in the circle closes it there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circle: Option<OpId>,
}

impl Fact for ProposalClose {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.proposal.0)
    }
}

/// An offer the other side made on a strike call (a concession), recorded by an organizer so
/// the members can vote on it together. The op's id is the concession's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Concession {
    pub call: OpId,
    /// Who offered it: `employer`, a manager's office ...
    pub from: String,
    pub text: String,
}

impl Fact for Concession {
    fn check(&self) -> Result<(), Reject> {
        check_text("who offered it", &self.from, MAX_FIELD_LEN)?;
        check_text("the offer", &self.text, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.call.0)
    }
}

/// How a call ended (an organizer's latest word stands): the history of repeated calls.
pub const OUTCOMES: &[&str] = &["won", "partial", "lost", "ended"];

/// An organizer records how a strike call came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallOutcome {
    pub call: OpId,
    /// One of [`OUTCOMES`].
    pub outcome: String,
    pub text: String,
}

impl Fact for CallOutcome {
    fn check(&self) -> Result<(), Reject> {
        if !OUTCOMES.contains(&self.outcome.as_str()) {
            return Err(invalid(format!("an outcome is one of {}", OUTCOMES.join(", "))));
        }
        check_optional("a note", &self.text, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.call.0)
    }
}

/// Longest discussion text, in bytes.
pub const MAX_DISCUSSION_TEXT: usize = 4000;

/// A discussion: on the network (`on` none), a proposal or a strike call, before the vote
/// (Loomio's model). The op's id is the thread's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    pub on: Option<OpId>,
    pub title: String,
    pub text: String,
}

impl Fact for Thread {
    fn check(&self) -> Result<(), Reject> {
        check_text("a title", &self.title, MAX_FIELD_LEN * 2)?;
        check_optional("a text", &self.text, MAX_DISCUSSION_TEXT)
    }
}

/// A reply in a thread; replies read in (time, op id) order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub thread: OpId,
    pub text: String,
}

impl Fact for Reply {
    fn check(&self) -> Result<(), Reject> {
        check_text("a reply", &self.text, MAX_DISCUSSION_TEXT)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.thread.0)
    }
}

/// An organizer locks a thread (or opens it again): replies written after a lock do not show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadLock {
    pub thread: OpId,
    pub locked: bool,
}

impl Fact for ThreadLock {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.thread.0)
    }
}
