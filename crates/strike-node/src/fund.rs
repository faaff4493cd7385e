//! The strike fund on a node (`docs/protocol.md`, "The strike fund"): organizers open it,
//! treasurers (the leads of its circle) record money in and out, set strike pay for a call,
//! approve and pay claims; members pledge contributions and claim strike pay or a hardship
//! grant in notes sealed to the treasurers. What people type is read here once, for the CLI,
//! the forms and the JSON API; the public state is core's one fold
//! ([`strike_core::fund::state::fold`]); the views, the ledger export and `verify` are in
//! [`views`].

pub mod books;
pub mod views;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strike_core::body::{Fund, FundApproval, FundDetail, FundEntry, FundNote, FundRule};
use strike_core::fund::ledger::{self, Account};
use strike_core::fund::money::Currency;
use strike_core::fund::state::{self, Entry, FundState, Settings};
use strike_core::fund::{FundAsk, FundLine};
use strike_core::membership::{Role, Status};
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId, Writer, circles};

use crate::{Node, NodeError, Result};

fn invalid(message: impl Into<String>) -> NodeError {
    NodeError::InvalidInput(message.into())
}

/// The public kinds the fold reads.
const KINDS: &[Kind] = &[Kind::Fund, Kind::FundEntry, Kind::FundRule, Kind::FundApproval];

/// Days of a strike week, for the projection of strike pay.
pub const STRIKE_DAYS_A_WEEK: i64 = 5;

/// A claim or pledge this node can read: a treasurer's node reads every one, a member's
/// node their own.
#[derive(Debug, Clone)]
pub struct Note {
    pub op: OpId,
    /// The claimant: the note's author, or the beneficiary a claim names.
    pub author: AuthorId,
    /// Who wrote the note.
    pub filed_by: AuthorId,
    /// The op's place in its writer's chain.
    pub seq: u64,
    pub time: CoarseTime,
    pub ask: FundAsk,
}

impl Note {
    /// A claim's commitment to its claimant.
    pub fn commitment(&self) -> Option<[u8; 32]> {
        match &self.ask {
            FundAsk::Claim { salt, .. } => Some(ledger::commitment(&self.author, salt)),
            FundAsk::Contribution { .. } => None,
        }
    }
}

/// The fund as this node holds it: the public fold, and what it reads of the private side.
#[derive(Debug, Clone)]
pub struct FundData {
    pub state: FundState,
    /// Claims and pledges this node can open, oldest first.
    pub notes: Vec<Note>,
    /// Notes it cannot open (another member's, on a member's node).
    pub sealed_notes: usize,
    /// Who commitments name, as far as this node knows (claims it reads, details).
    pub names: BTreeMap<[u8; 32], AuthorId>,
}

impl FundData {
    pub fn currency(&self) -> Currency {
        self.state.settings.currency
    }

    pub fn claims(&self) -> impl Iterator<Item = &Note> {
        self.notes.iter().filter(|n| matches!(n.ask, FundAsk::Claim { .. }))
    }
}

/// Opening a fund, as people write it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundInput {
    /// ISO 4217 code: EUR, USD, GBP ...
    pub currency: String,
    /// Treasurers who must approve a payout (default 2, or 1 with a single treasurer).
    #[serde(default)]
    pub approvals: Option<u8>,
    /// The treasurers' circle (its leads): a name or id; default the organizers' circle.
    #[serde(default)]
    pub circle: String,
}

/// Money received, as a treasurer writes it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiveInput {
    /// `350.00`, `1,200`
    pub amount: String,
    /// member, donor or event
    pub from: String,
    /// cash (held by you) or bank
    #[serde(default)]
    pub method: String,
    /// From a member: who (a name or id); only the treasurers see it.
    #[serde(default)]
    pub member: String,
    /// Public: shown to every member. Leave names out.
    #[serde(default)]
    pub note: String,
}

/// Money handed on, as a treasurer writes it: from their cash (or the bank) to another
/// treasurer's cash or the bank.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    pub amount: String,
    /// `bank`, or a treasurer (a name or id)
    pub to: String,
    /// cash (yours, the default) or bank
    #[serde(default)]
    pub from: String,
    /// Public: shown to every member.
    #[serde(default)]
    pub note: String,
}

/// Strike pay for a call, as a treasurer writes it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    /// The call (an id prefix).
    pub call: String,
    /// `60.00` a strike day
    pub per_day: String,
    /// `10.00` a dependant a day (default none)
    #[serde(default)]
    pub per_dependant: String,
    /// Most days paid (default 30)
    #[serde(default)]
    pub max_days: Option<u16>,
}

/// A claim, as a member writes it: strike pay for days of a call, or a hardship grant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    /// Strike pay: the call (an id prefix); leave empty for a hardship grant.
    #[serde(default)]
    pub call: String,
    /// Strike pay: days on strike.
    #[serde(default)]
    pub days: Option<u16>,
    /// Strike pay: dependants.
    #[serde(default)]
    pub dependants: Option<u16>,
    /// Hardship: how much.
    #[serde(default)]
    pub amount: String,
    /// Hardship: why ("rent due"). Only the treasurers read it.
    #[serde(default)]
    pub hardship: String,
}

impl Node {
    /// Opens the network's fund (organizers), or changes its approvals and treasurers.
    pub fn create_fund(&mut self, network: &NetworkId, input: &FundInput) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let currency = Currency::parse(&input.currency).map_err(invalid)?;
        if let Some(existing) = self.fund_data(network)?
            && existing.currency() != currency
        {
            return Err(invalid(format!("the fund keeps {}: its currency does not change", existing.currency().code)));
        }
        let circle = match input.circle.trim() {
            "" => circles::organizers_circle(network),
            c => self.resolve_circle(network, c)?,
        };
        let leads = self.treasurers_of(network, &circle)?.len();
        if leads == 0 {
            return Err(invalid("that circle has no leads yet: appoint its treasurers first"));
        }
        let approvals = input.approvals.unwrap_or(if leads > 1 { 2 } else { 1 });
        if usize::from(approvals) > leads {
            return Err(invalid(format!("{approvals} approvals need {approvals} treasurers; the circle has {leads}")));
        }
        let fund = Fund { currency: currency.code.into(), approvals, circle };
        self.author(network, Body::Fund(fund))
    }

    /// The treasurers of a circle: its current leads (the organizers, for the organizers'
    /// circle). They are public.
    pub(crate) fn treasurers_of(&self, network: &NetworkId, circle: &OpId) -> Result<BTreeSet<AuthorId>> {
        let members = self.members(network)?;
        let current = |a: &AuthorId| members.iter().any(|m| m.author == *a && m.status == Status::Member);
        if *circle == circles::organizers_circle(network) {
            return Ok(members
                .iter()
                .filter(|m| m.status == Status::Member && m.role == Role::Organizer)
                .map(|m| m.author)
                .collect());
        }
        Ok(self
            .store
            .circle_members(network, circle)?
            .into_iter()
            .filter(|r| r.lead && r.current && current(&r.author))
            .map(|r| r.author)
            .collect())
    }

    /// The fund folded with what this node reads of it, or `None` before it is opened.
    pub fn fund_data(&self, network: &NetworkId) -> Result<Option<Arc<FundData>>> {
        self.memoized(
            |m| &mut m.funds,
            network,
            || {
                let mut entries = Vec::new();
                for kind in KINDS {
                    for f in self.store.facts(network, *kind, None)? {
                        entries.push(Entry { op: f.op_id, author: f.author, seq: f.seq, time: f.time, body: f.body });
                    }
                }
                let Some(settings) = state::settings(&entries) else { return Ok(None) };
                let treasurers = self.treasurers_of(network, &settings.circle)?;
                let (notes, sealed_notes) = self.fund_notes(network, &settings)?;
                let state = state::fold(&entries, settings, treasurers);
                let mut names: BTreeMap<[u8; 32], AuthorId> =
                    notes.iter().filter_map(|n| Some((n.commitment()?, n.author))).collect();
                for f in self.store.facts(network, Kind::FundDetail, None)? {
                    if let Body::FundDetail(d) = f.body
                        && d.circle == state.settings.circle
                        && state.treasurers.contains(&f.author)
                    {
                        names.insert(d.commitment, d.member);
                    }
                }
                Ok(Some(Arc::new(FundData { state, notes, sealed_notes, names })))
            },
        )
    }

    /// The notes to the treasurers this node opens: with the circle's keys, or its author's
    /// copy. A removed member's notes stop counting.
    fn fund_notes(&self, network: &NetworkId, settings: &Settings) -> Result<(Vec<Note>, usize)> {
        let keys = self.store.circle_held_keys(network, &settings.circle)?;
        let mine = self.store.my_agreement_secrets()?;
        let (mut notes, mut sealed) = (Vec::new(), 0);
        for f in self.store.facts(network, Kind::FundNote, None)? {
            let Body::FundNote(n) = f.body else { continue };
            let opened = keys
                .iter()
                .filter(|(epoch, _)| *epoch == n.epoch && n.circle == settings.circle)
                .find_map(|(_, key)| n.open(network, key))
                .or_else(|| {
                    mine.iter().find_map(|s| n.open_copy(network, &strike_crypto::AgreementSecret::from_bytes(**s)))
                });
            match opened {
                Some(ask) => {
                    let author = match &ask {
                        FundAsk::Claim { beneficiary: Some(b), .. } => *b,
                        _ => f.author,
                    };
                    notes.push(Note { op: f.op_id, author, filed_by: f.author, seq: f.seq, time: f.time, ask });
                }
                None => sealed += 1,
            }
        }
        notes.sort_by_key(|n| strike_core::op_order(n.time, n.filed_by, n.seq, n.op));
        Ok((notes, sealed))
    }

    fn require_fund(&self, network: &NetworkId) -> Result<Arc<FundData>> {
        self.fund_data(network)?.ok_or_else(|| {
            NodeError::NotFound(
                "this network has no fund yet: an organizer opens one with `openstrike fund create`".into(),
            )
        })
    }

    /// This node's author, if it is a treasurer of the fund.
    fn require_treasurer(&self, network: &NetworkId) -> Result<(AuthorId, Arc<FundData>)> {
        let me = self.require(network, Writer::Member)?;
        let fund = self.require_fund(network)?;
        if !fund.state.treasurers.contains(&me.author) {
            return Err(NodeError::NotAllowed("only the fund's treasurers can do that".into()));
        }
        Ok((me.author, fund))
    }

    fn amount(fund: &FundData, text: &str, what: &str) -> Result<i64> {
        let minor = fund.currency().parse_amount(text).map_err(|e| invalid(format!("{what}: {e}")))?;
        if minor == 0 {
            return Err(invalid(format!("{what} is more than zero")));
        }
        Ok(minor)
    }

    /// A member's standing contribution pledge, sealed to the treasurers.
    pub fn fund_contribute(&mut self, network: &NetworkId, amount: &str, monthly: bool) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        let fund = self.require_fund(network)?;
        let amount = Self::amount(&fund, amount, "a contribution")?;
        self.seal_note(network, &fund, &FundAsk::Contribution { amount, monthly })
    }

    fn seal_note(&mut self, network: &NetworkId, fund: &FundData, ask: &FundAsk) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let copy_to = match ask {
            FundAsk::Claim { beneficiary: Some(b), .. } => self
                .members(network)?
                .into_iter()
                .find(|m| m.author == *b)
                .map(|m| m.agreement)
                .ok_or_else(|| NodeError::NotFound("the person the claim is for is not in the network".into()))?,
            _ => me.agreement,
        };
        let circle = fund.state.settings.circle;
        let key = self.newest_circle_key(network, &circle)?.ok_or_else(|| {
            NodeError::NotAllowed(
                "the treasurers' circle has no key yet: a treasurer's node seals one on its next sync".into(),
            )
        })?;
        let author = strike_crypto::AgreementPublic(copy_to);
        let note = FundNote::seal(network, &circle, key.epoch, &key.entry_key, &author, ask, &mut rand::rng())
            .map_err(NodeError::Refused)?;
        self.author(network, Body::FundNote(note))
    }

    /// A claim: strike pay for days of a call under its rule, or a hardship grant. Sealed to
    /// the treasurers; the payout will commit to this node's author with a fresh salt.
    pub fn fund_claim(&mut self, network: &NetworkId, input: &ClaimInput) -> Result<OpId> {
        self.fund_claim_for(network, input, None)
    }

    /// A claim, for this node's author or (a hardship grant a responder asks for) for
    /// `beneficiary`: the payout commits to them and the copy of the note is sealed to them.
    pub fn fund_claim_for(
        &mut self,
        network: &NetworkId,
        input: &ClaimInput,
        beneficiary: Option<AuthorId>,
    ) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let beneficiary = beneficiary.filter(|b| *b != me.author);
        let fund = self.require_fund(network)?;
        let salt: [u8; 16] = rand::random();
        let ask = if input.call.trim().is_empty() {
            if input.hardship.trim().is_empty() {
                return Err(invalid("a claim names a call (strike pay) or says what the hardship is"));
            }
            let amount = Self::amount(&fund, &input.amount, "a hardship grant")?;
            FundAsk::Claim {
                call: None,
                days: 0,
                dependants: 0,
                amount,
                reason: input.hardship.trim().into(),
                salt,
                beneficiary,
            }
        } else {
            let call = self.resolve_fact(network, Kind::Call, &input.call)?;
            let rule = fund.state.rules.get(&call).ok_or_else(|| {
                NodeError::NotFound(
                    "no strike pay is set for that call yet: a treasurer sets it with `fund rule`".into(),
                )
            })?;
            let days = input.days.unwrap_or(rule.max_days.min(5));
            if days == 0 || days > rule.max_days {
                return Err(invalid(format!("strike pay for that call is for 1 to {} days", rule.max_days)));
            }
            let dependants = input.dependants.unwrap_or(0);
            FundAsk::Claim { call: Some(call), days, dependants, amount: 0, reason: String::new(), salt, beneficiary }
        };
        ask.check().map_err(NodeError::Refused)?;
        self.seal_note(network, &fund, &ask)
    }

    /// Money received (treasurers): from a member (named only in the treasurers' circle), a
    /// donor or an event, into the treasurer's cash or the bank.
    pub fn fund_receive(&mut self, network: &NetworkId, input: &ReceiveInput) -> Result<OpId> {
        let (me, fund) = self.require_treasurer(network)?;
        let amount = Self::amount(&fund, &input.amount, "an amount received")?;
        let income = match input.from.trim() {
            "member" => Account::Contributions,
            "donor" => Account::Donations,
            "event" => Account::Events,
            other => return Err(invalid(format!("{other:?}: money comes from a member, a donor or an event"))),
        };
        let (holder, method) = Self::holder(me, &input.method)?;
        let member = match (income, input.member.trim()) {
            (Account::Contributions, "") => None,
            (Account::Contributions, m) => Some(self.resolve_member(network, m)?.author),
            (_, "") => None,
            _ => return Err(invalid("only a contribution names a member")),
        };
        let salt: [u8; 16] = rand::random();
        let party = member.map(|m| ledger::commitment(&m, &salt));
        let entry = FundEntry {
            lines: vec![
                FundLine { account: holder.tag(), amount },
                FundLine { account: income.tag(), amount: -amount },
            ],
            memo: input.note.trim().into(),
            party: party.map(|p| p.to_vec()).unwrap_or_default(),
            method: method.into(),
        };
        let mut bodies = vec![Body::FundEntry(entry)];
        if let (Some(member), Some(commitment)) = (member, party) {
            let circle = fund.state.settings.circle;
            bodies.push(Body::FundDetail(FundDetail { circle, commitment, member, salt, note: String::new() }));
        }
        Ok(self.author_many(network, bodies)?[0])
    }

    /// Money handed on (treasurers): cash to another treasurer, cash into the bank, or money
    /// out of the bank into their own cash.
    pub fn fund_transfer(&mut self, network: &NetworkId, input: &TransferInput) -> Result<OpId> {
        let (me, fund) = self.require_treasurer(network)?;
        let amount = Self::amount(&fund, &input.amount, "a transfer")?;
        let from = match input.from.trim() {
            "" | "cash" => Account::Cash(me),
            "bank" => Account::Bank,
            other => return Err(invalid(format!("{other:?}: a transfer is from your cash or the bank"))),
        };
        let to = match input.to.trim() {
            "" => return Err(invalid("say where it goes: the bank, or a treasurer")),
            "bank" => Account::Bank,
            who => {
                let m = self.resolve_member(network, who)?;
                if !fund.state.treasurers.contains(&m.author) {
                    return Err(invalid(format!(
                        "{} is not a treasurer: the fund's cash is held by treasurers only",
                        crate::networks::display_name(&m)
                    )));
                }
                Account::Cash(m.author)
            }
        };
        if from == to {
            return Err(invalid("that moves the money to where it already is"));
        }
        let held = fund.state.ledger.balances.get(&from).copied().unwrap_or(0);
        if held < amount {
            return Err(NodeError::NotAllowed(format!(
                "{} holds {}",
                if from == Account::Bank { "the bank" } else { "your cash" },
                fund.currency().format(held)
            )));
        }
        let entry = FundEntry {
            lines: vec![FundLine { account: to.tag(), amount }, FundLine { account: from.tag(), amount: -amount }],
            memo: input.note.trim().into(),
            party: Vec::new(),
            method: String::new(),
        };
        self.author(network, Body::FundEntry(entry))
    }

    fn holder(me: AuthorId, method: &str) -> Result<(Account, &'static str)> {
        match method.trim() {
            "" | "cash" => Ok((Account::Cash(me), "cash")),
            "mobile" => Ok((Account::Cash(me), "mobile")),
            "bank" => Ok((Account::Bank, "bank")),
            other => Err(invalid(format!("{other:?}: the method is cash, bank or mobile"))),
        }
    }

    /// Strike pay for a call (treasurers): the latest rule for a call stands.
    pub fn fund_rule(&mut self, network: &NetworkId, input: &RuleInput) -> Result<OpId> {
        let (_, fund) = self.require_treasurer(network)?;
        let call = self.resolve_fact(network, Kind::Call, &input.call)?;
        let per_day = Self::amount(&fund, &input.per_day, "strike pay a day")?;
        let per_dependant = match input.per_dependant.trim() {
            "" => 0,
            t => fund.currency().parse_amount(t).map_err(|e| invalid(format!("per dependant: {e}")))?,
        };
        let rule = FundRule { call, per_day, per_dependant, max_days: input.max_days.unwrap_or(30) };
        self.author(network, Body::FundRule(rule))
    }

    /// A claim this node reads, by id prefix.
    pub fn resolve_claim<'f>(&self, network: &NetworkId, fund: &'f FundData, query: &str) -> Result<&'f Note> {
        let id = self.resolve_fact(network, Kind::FundNote, query)?;
        fund.claims()
            .find(|n| n.op == id)
            .ok_or_else(|| NodeError::NotFound(format!("no claim you can read matches {query:?}")))
    }

    /// What a claim is owed, and as what.
    pub fn claim_owed(fund: &FundData, note: &Note) -> Result<(i64, Account)> {
        match &note.ask {
            FundAsk::Claim { call: Some(call), days, dependants, .. } => {
                let rule = fund
                    .state
                    .rules
                    .get(call)
                    .ok_or_else(|| NodeError::NotFound("that call has no strike pay set".into()))?;
                Ok((rule.owed(*days, *dependants), Account::StrikePay))
            }
            FundAsk::Claim { amount, .. } => Ok((*amount, Account::Hardship)),
            FundAsk::Contribution { .. } => Err(invalid("that is a contribution pledge, not a claim")),
        }
    }

    /// A treasurer approves a claim or turns it down. Nobody approves their own claim.
    pub fn fund_answer(&mut self, network: &NetworkId, claim: &str, approve: bool, why: &str) -> Result<OpId> {
        let (me, fund) = self.require_treasurer(network)?;
        let note = self.resolve_claim(network, &fund, claim)?;
        if note.author == me {
            return Err(NodeError::NotAllowed("a treasurer cannot approve or turn down their own claim".into()));
        }
        if !approve && why.trim().is_empty() {
            return Err(invalid("say why the claim is turned down (--why): the claimant reads it"));
        }
        let commitment = note.commitment().expect("a claim commits");
        if fund.state.approvals.get(&commitment).is_some_and(|a| a.paid.is_some()) {
            return Err(invalid("that claim is already paid"));
        }
        let (amount, category) = Self::claim_owed(&fund, note)?;
        let body = FundApproval { commitment, amount, category: category.tag(), approve, why: why.trim().into() };
        self.author(network, Body::FundApproval(body))
    }

    /// A treasurer records a claim paid, once it has its approvals: from their cash, or the bank.
    pub fn fund_pay(&mut self, network: &NetworkId, claim: &str, method: &str) -> Result<OpId> {
        let (me, fund) = self.require_treasurer(network)?;
        let note = self.resolve_claim(network, &fund, claim)?;
        let commitment = note.commitment().expect("a claim commits");
        let (amount, category) = Self::claim_owed(&fund, note)?;
        let answers = fund.state.approvals.get(&commitment).cloned().unwrap_or_default();
        if answers.paid.is_some() {
            return Err(invalid("that claim is already paid"));
        }
        let approving = answers.approving(amount, category);
        let needed = usize::from(fund.state.settings.approvals);
        if approving < needed {
            return Err(NodeError::NotAllowed(format!(
                "that claim has {approving} of the {needed} approvals it needs"
            )));
        }
        let (holder, method) = Self::holder(me, method)?;
        let held = fund.state.ledger.balances.get(&holder).copied().unwrap_or(0);
        if held < amount {
            return Err(NodeError::NotAllowed(format!(
                "{} holds {}: record the money coming in (or a transfer) first",
                if holder == Account::Bank { "the bank" } else { "your cash" },
                fund.currency().format(held)
            )));
        }
        let entry = FundEntry {
            lines: vec![
                FundLine { account: category.tag(), amount },
                FundLine { account: holder.tag(), amount: -amount },
            ],
            memo: String::new(),
            party: commitment.to_vec(),
            method: method.into(),
        };
        self.author(network, Body::FundEntry(entry))
    }

    /// The fund's runway in tenths of a week, measured against calls already evaluated:
    /// `None` without a fund.
    pub(crate) fn fund_runway_with(
        &self,
        network: &NetworkId,
        calls: &[crate::calls::CallView],
    ) -> Result<Option<Option<i64>>> {
        Ok(self.fund_data(network)?.map(|f| views::runway(&f.state, calls).1))
    }
}
