//! The calls area: strike calls, pledges and the checkpoints that close a count; the tally
//! of each call through the core's pure trigger; and reading what people type into a call
//! (shares, per-group minimums, escalation waves, whole calls), which the CLI's flags and the
//! web UI's forms and JSON bodies all go through, so a call typed anywhere becomes the same
//! [`Call`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use strike_core::calls::{
    self, Call, CallKind, CallStatus, Checkpoint, Dimension, Person, Pledge, Roster, Rule, Tally, Wave,
};
use strike_core::membership::Status;
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId, Writer, parse_time};
use strike_store::FactRow;

use crate::{Node, NodeError, Result};

fn invalid(message: impl Into<String>) -> NodeError {
    NodeError::InvalidInput(message.into())
}

fn minutes(unix: u64) -> u32 {
    CoarseTime::from_unix_seconds(unix).0
}

/// `0.6` or `60%` to permille (600).
pub fn parse_share(text: &str) -> Result<u16> {
    let t = text.trim();
    let value: f64 = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| invalid(format!("{text:?} is not a share (0.6 or 60%)")))?;
    if !(value > 0.0 && value <= 1.0) {
        return Err(invalid(format!("{text:?}: a share is above 0 and at most 100%")));
    }
    Ok((value * 1000.0).round() as u16)
}

/// `department=5`: at least 5 pledges in every department.
pub fn parse_min_per(text: &str) -> Result<Rule> {
    let (d, n) = text.split_once('=').ok_or_else(|| invalid(format!("{text:?}: write a minimum as department=5")))?;
    let dimension = Dimension::parse(d.trim())
        .ok_or_else(|| invalid(format!("{:?} is not a dimension (department, workplace, shift)", d.trim())))?;
    let n = n.trim().parse().map_err(|_| invalid(format!("{:?} is not a number", n.trim())))?;
    Ok(Rule::MinPer { dimension, n })
}

/// `count=100,share=80%,min-per=department=5,starts=2027-01-10`
pub fn parse_wave(text: &str, now: u64) -> Result<Wave> {
    let mut rules = Vec::new();
    let mut starts = None;
    for part in text.split(',') {
        let (k, v) = part.split_once('=').ok_or_else(|| invalid(format!("wave part {part:?} is not key=value")))?;
        match k.trim() {
            "count" => {
                rules.push(Rule::Count { n: v.trim().parse().map_err(|_| invalid(format!("{v:?} is not a number")))? })
            }
            "share" => rules.push(Rule::Share { permille: parse_share(v)? }),
            "min-per" => rules.push(parse_min_per(v)?),
            "starts" => starts = Some(minutes(parse_time(v, now).map_err(invalid)?)),
            other => return Err(invalid(format!("wave: unknown key {other:?} (count, share, min-per, starts)"))),
        }
    }
    let starts = starts.ok_or_else(|| invalid("a wave needs starts=..."))?;
    Ok(Wave { rules, starts })
}

/// A strike call as people write it: times as `2026-12-15T06:00` or `21d`, shares as `60%`,
/// minimums as `department=5`, further waves as in [`parse_wave`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallSpec {
    /// strike, sickout, slowdown, work-to-rule or boycott.
    pub kind: String,
    pub title: String,
    pub demands: Vec<String>,
    /// Only this workplace counts; empty: the whole network.
    pub scope: String,
    pub threshold_count: Option<u32>,
    pub threshold_share: Option<String>,
    pub min_per: Vec<String>,
    /// Pledges made after this do not count.
    pub deadline: String,
    /// When the action starts once triggered.
    pub starts: String,
    pub exempt_roles: Vec<String>,
    pub waves: Vec<String>,
    /// Secret pledges: nobody can tell who pledged (the node names the issuers).
    #[serde(default)]
    pub secret: bool,
}

impl CallSpec {
    /// The call this spec describes, with relative times counted from `now` (unix seconds).
    /// Blank demands and roles are dropped; the core's own checks run when the call is written.
    pub fn build(&self, now: u64) -> Result<Call> {
        let kind = CallKind::parse(self.kind.trim()).ok_or_else(|| {
            invalid(format!("{:?} is not a kind of call (strike, sickout, slowdown, work-to-rule, boycott)", self.kind))
        })?;
        if self.title.trim().is_empty() {
            return Err(invalid("a call needs a title"));
        }
        let mut rules = Vec::new();
        if let Some(n) = self.threshold_count {
            rules.push(Rule::Count { n });
        }
        if let Some(s) = self.threshold_share.as_deref().filter(|s| !s.trim().is_empty()) {
            rules.push(Rule::Share { permille: parse_share(s)? });
        }
        for m in self.min_per.iter().filter(|m| !m.trim().is_empty()) {
            rules.push(parse_min_per(m)?);
        }
        if rules.is_empty() {
            return Err(invalid("a call needs at least one rule: a count, a share or a minimum per group"));
        }
        let at = |what: &str, text: &str| -> Result<u32> {
            if text.trim().is_empty() {
                return Err(invalid(format!("a call needs {what}")));
            }
            Ok(minutes(parse_time(text, now).map_err(invalid)?))
        };
        let mut waves = vec![Wave { rules, starts: at("a start time", &self.starts)? }];
        for w in self.waves.iter().filter(|w| !w.trim().is_empty()) {
            waves.push(parse_wave(w, now)?);
        }
        let kept = |v: &[String]| v.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        Ok(Call {
            kind,
            title: self.title.trim().into(),
            demands: kept(&self.demands),
            scope: self.scope.trim().into(),
            deadline: at("a deadline", &self.deadline)?,
            exempt_roles: kept(&self.exempt_roles),
            waves,
            secret: self.secret.then(|| strike_core::secret::Secrecy { issuers: Vec::new() }),
        })
    }
}

/// A call and where it stands. Serializes as the CLI's `--json` and the web API show it:
/// the full id as `id`, the short one as `short_id`, the deadline in unix seconds and the
/// status beside the tally.
#[derive(Debug, Clone)]
pub struct CallView {
    pub id: String,
    pub op: OpId,
    pub kind: &'static str,
    pub title: String,
    pub demands: Vec<String>,
    pub scope: String,
    pub deadline: u32,
    pub exempt_roles: Vec<String>,
    pub tally: Tally,
    /// This node's own pledge stands.
    pub my_pledge: bool,
    /// The checkpoint that closed the count, if one did.
    pub closed_by: Option<String>,
    /// A secret call's credentials and this node's part.
    pub secret: Option<crate::secret::SecretView>,
}

/// A call as JSON shows it (the CLI's `--json` and the web API): the full id as `id`, the
/// short one as `short_id`, the deadline in unix seconds and the status beside the tally.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Call))]
#[derive(Debug, Serialize)]
pub struct CallJson<'a> {
    id: String,
    short_id: &'a str,
    kind: &'a str,
    title: &'a str,
    demands: &'a [String],
    scope: &'a str,
    /// Unix seconds.
    deadline: u64,
    exempt_roles: &'a [String],
    /// `open`, `triggered`, `expired` or `started`.
    status: &'a str,
    tally: &'a Tally,
    my_pledge: bool,
    closed_by: &'a Option<String>,
    /// A secret call's credentials (absent for an open call).
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: &'a Option<crate::secret::SecretView>,
}

impl Serialize for CallView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        CallJson {
            id: self.op.to_hex(),
            short_id: &self.id,
            kind: self.kind,
            title: &self.title,
            demands: &self.demands,
            scope: &self.scope,
            deadline: CoarseTime(self.deadline).unix_seconds(),
            exempt_roles: &self.exempt_roles,
            status: self.tally.status.as_str(),
            tally: &self.tally,
            my_pledge: self.my_pledge,
            closed_by: &self.closed_by,
            secret: &self.secret,
        }
        .serialize(serializer)
    }
}

/// What every call of a network is evaluated against.
struct CallContext {
    roster: Roster,
    me: Option<AuthorId>,
    standing: HashMap<AuthorId, u64>,
    checkpoints: Vec<FactRow>,
}

/// One call's inputs to the trigger.
struct CallInputs {
    call: Call,
    closing: Option<OpId>,
    cut: Option<calls::Cut>,
    events: Vec<calls::PledgeEvent>,
    /// A secret call's counted one-time authors, its credentials and this node's part.
    secret: Option<(HashMap<AuthorId, Person>, crate::secret::SecretView)>,
}

/// The first counted organizer checkpoint of a call written at or after its deadline.
fn closing_checkpoint(checkpoints: &[FactRow], call_id: &OpId, call: &Call) -> Option<OpId> {
    checkpoints
        .iter()
        .filter(|f| matches!(&f.body, Body::Checkpoint(c) if c.call == *call_id) && f.time.0 >= call.deadline)
        .min_by_key(|f| f.order())
        .map(|f| f.op_id)
}

impl Node {
    /// Opens a strike call (organizers).
    pub fn create_call(&mut self, network: &NetworkId, mut call: Call) -> Result<OpId> {
        let me = self.require(network, Writer::Organizer)?;
        if call.deadline <= CoarseTime::from_unix_seconds(self.now()).0 {
            return Err(NodeError::InvalidInput("the deadline must be in the future".into()));
        }
        if let Some(s) = &mut call.secret {
            if s.issuers.is_empty() {
                s.issuers = self.choose_issuers(network, me.author)?;
            }
            self.check_secret_groups(network, &call)?;
        }
        let secret = call.secret.is_some();
        let op = self.author(network, Body::Call(call))?;
        if secret {
            // This organizer's keys go out with the call.
            self.upkeep(network)?;
        }
        Ok(op)
    }

    /// The roster calls are counted against: current members (never pending, removed or
    /// equivocating authors) with their profiles, and the organizers' contacts.
    pub fn roster(&self, network: &NetworkId) -> Result<Roster> {
        let profiles = self.latest_profiles(network)?;
        let equivocators = self.store.equivocators(network)?;
        let mut roster = Roster::default();
        for m in self.members(network)? {
            if m.status == Status::Member && !equivocators.contains(&m.author) {
                let person = profiles.get(&m.author).map(|p| Person {
                    workplace: p.workplace.clone(),
                    department: p.department.clone(),
                    shift: p.shift.clone(),
                    role: p.role.clone(),
                });
                roster.members.insert(m.author, person);
            }
        }
        roster.contacts = self
            .contacts(network)?
            .into_iter()
            .map(|c| Person { workplace: c.workplace, department: c.department, shift: c.shift, role: c.role })
            .collect();
        Ok(roster)
    }

    /// Every call of a network with its tally, newest first.
    pub fn calls(&self, network: &NetworkId) -> Result<Vec<CallView>> {
        let ctx = self.call_context(network)?;
        let mut out = Vec::new();
        for f in self.store.facts(network, Kind::Call, None)?.into_iter().rev() {
            out.push(self.call_view(network, &f, &ctx)?);
        }
        Ok(out)
    }

    pub fn call(&self, network: &NetworkId, call: &OpId) -> Result<CallView> {
        let ctx = self.call_context(network)?;
        self.call_view(network, &self.call_fact(network, call)?, &ctx)
    }

    /// A call with its counted pledges over time, `(unix seconds, counted)` after every
    /// change: the same replay as its tally, so the line ends at `tally.counted`.
    pub fn call_detail(&self, network: &NetworkId, call: &OpId) -> Result<(CallView, Vec<(u64, u64)>)> {
        let ctx = self.call_context(network)?;
        let f = self.call_fact(network, call)?;
        let mut inputs = self.call_inputs(network, &f, &ctx)?;
        let mut events = inputs.events.clone();
        let timeline = calls::timeline(&inputs.call, &ctx.roster, &mut events, inputs.cut.as_ref())
            .into_iter()
            .map(|(t, n)| (CoarseTime(t).unix_seconds(), n))
            .collect();
        Ok((self.view_of(&f, &mut inputs, &ctx), timeline))
    }

    fn call_fact(&self, network: &NetworkId, call: &OpId) -> Result<FactRow> {
        self.store
            .facts(network, Kind::Call, None)?
            .into_iter()
            .find(|f| f.op_id == *call)
            .ok_or_else(|| NodeError::NotFound("no such strike call (or it does not count)".into()))
    }

    fn call_context(&self, network: &NetworkId) -> Result<CallContext> {
        Ok(CallContext {
            roster: self.roster(network)?,
            me: self.network(network)?.my_author,
            standing: self.store.standing(network)?,
            checkpoints: self.store.facts(network, Kind::Checkpoint, None)?,
        })
    }

    /// What a call is evaluated from: the call, its closing checkpoint and cut, its pledges.
    fn call_inputs(&self, network: &NetworkId, f: &FactRow, ctx: &CallContext) -> Result<CallInputs> {
        let Body::Call(call) = &f.body else { return Err(NodeError::NotFound("not a call".into())) };
        let closing = closing_checkpoint(&ctx.checkpoints, &f.op_id, call);
        let cut = match &closing {
            Some(cp) => Some(self.store.checkpoint_cut(network, cp)?),
            None => None,
        };
        if call.secret.is_some() {
            let (events, pledgers, view) = self.secret_call_inputs(network, &f.op_id, call)?;
            return Ok(CallInputs { call: call.clone(), closing, cut, events, secret: Some((pledgers, view)) });
        }
        let events = self.store.pledge_events_with(network, &f.op_id, &ctx.standing)?;
        Ok(CallInputs { call: call.clone(), closing, cut, events, secret: None })
    }

    fn call_view(&self, network: &NetworkId, f: &FactRow, ctx: &CallContext) -> Result<CallView> {
        let mut inputs = self.call_inputs(network, f, ctx)?;
        Ok(self.view_of(f, &mut inputs, ctx))
    }

    fn view_of(&self, f: &FactRow, inputs: &mut CallInputs, ctx: &CallContext) -> CallView {
        let my_pledge = match &inputs.secret {
            Some((_, view)) => view.mine == "pledged",
            None => ctx.me.is_some_and(|me| {
                inputs.events.iter().filter(|e| e.author == me).max_by_key(|e| e.seq).is_some_and(|e| e.pledged)
            }),
        };
        let now = CoarseTime::from_unix_seconds(self.now());
        let call = &inputs.call;
        let tally = match &inputs.secret {
            Some((pledgers, _)) => {
                let mut roster = ctx.roster.clone();
                roster.pledgers = pledgers.clone();
                calls::evaluate(call, &roster, &mut inputs.events, inputs.cut.as_ref(), now)
            }
            None => calls::evaluate(call, &ctx.roster, &mut inputs.events, inputs.cut.as_ref(), now),
        };
        CallView {
            id: f.op_id.short(),
            op: f.op_id,
            kind: call.kind.as_str(),
            title: call.title.clone(),
            demands: call.demands.clone(),
            scope: call.scope.clone(),
            deadline: call.deadline,
            exempt_roles: call.exempt_roles.clone(),
            tally,
            my_pledge,
            closed_by: inputs.closing.map(|c| c.short()),
            secret: inputs.secret.as_ref().map(|(_, v)| v.clone()),
        }
    }

    /// Pledges to a call, or withdraws (until it triggers).
    pub fn pledge(&mut self, network: &NetworkId, call: &OpId, pledged: bool) -> Result<(OpId, CallView)> {
        self.require(network, Writer::Member)?;
        let view = self.call(network, call)?;
        match view.tally.status {
            CallStatus::Expired => return Err(NodeError::NotAllowed("the call's deadline has passed".into())),
            CallStatus::Triggered | CallStatus::Started if !pledged => {
                return Err(NodeError::NotAllowed("the call has triggered: pledges can no longer be withdrawn".into()));
            }
            _ => {}
        }
        if view.my_pledge == pledged {
            let what = if pledged { "you have already pledged" } else { "you have no pledge to withdraw" };
            return Err(NodeError::InvalidInput(what.into()));
        }
        let op = if view.secret.is_some() {
            self.secret_pledge(network, call, pledged)?
        } else {
            self.author(network, Body::Pledge(Pledge { call: *call, pledged }))?
        };
        self.upkeep(network)?;
        Ok((op, self.call(network, call)?))
    }

    /// Closes the count of calls whose deadline has passed with a checkpoint (organizers).
    pub(crate) fn close_due_calls(&mut self, network: &NetworkId) -> Result<usize> {
        let now = CoarseTime::from_unix_seconds(self.now());
        let checkpoints = self.store.facts(network, Kind::Checkpoint, None)?;
        let mut due = Vec::new();
        for f in self.store.facts(network, Kind::Call, None)? {
            if let Body::Call(call) = &f.body
                && call.deadline <= now.0
                && closing_checkpoint(&checkpoints, &f.op_id, call).is_none()
            {
                due.push(f.op_id);
            }
        }
        if !due.is_empty() {
            self.merge_heads(network)?;
        }
        for call in &due {
            self.author(network, Body::Checkpoint(Checkpoint { call: *call }))?;
        }
        Ok(due.len())
    }

    /// Writes merges until one op can name every head this node holds, so that the checkpoint
    /// or close written next has every op held in its causal past (an op names at most eight).
    pub(crate) fn merge_heads(&mut self, network: &NetworkId) -> Result<usize> {
        // This node's secret ops already handed to a hub or peer count from now on even in its
        // quiet hour: a close must reach them.
        let relayed: Vec<OpId> = self
            .store
            .held_back()?
            .into_iter()
            .filter(|(n, _, _, relayed)| n == network && *relayed)
            .map(|(_, op, ..)| op)
            .collect();
        self.store.release_held(network, &relayed)?;
        let heads = self.store.head_count(network)?;
        if heads <= strike_core::envelope::MAX_DEPS {
            return Ok(0);
        }
        // Each merge names eight heads and its author's previous op, and is one head itself.
        let n = (heads - strike_core::envelope::MAX_DEPS).div_ceil(strike_core::envelope::MAX_DEPS - 1);
        self.author_many(network, vec![Body::Merge(strike_core::body::Merge {}); n])?;
        Ok(n)
    }

    /// Finds the network holding a call with this id (prefix), among the networks held.
    pub fn find_call(&self, query: &str) -> Result<(NetworkId, OpId)> {
        self.find_fact(Kind::Call, "strike call", query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_minimums_and_waves() {
        assert_eq!(parse_share("60%").unwrap(), 600);
        assert_eq!(parse_share("0.625").unwrap(), 625);
        for bad in ["0", "120%", "lots", ""] {
            assert!(parse_share(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_min_per("department=5").unwrap(), Rule::MinPer { dimension: Dimension::Department, n: 5 });
        assert!(parse_min_per("floor=5").is_err());
        let w = parse_wave("count=100,share=80%,starts=2d", 0).unwrap();
        assert_eq!(w.rules, vec![Rule::Count { n: 100 }, Rule::Share { permille: 800 }]);
        assert_eq!(w.starts, 2 * 24 * 60);
        assert!(parse_wave("count=1", 0).is_err(), "a wave needs a start");
    }

    #[test]
    fn a_call_spec_builds_the_call_or_says_what_is_missing() {
        let spec = CallSpec {
            kind: "work-to-rule".into(),
            title: " Heat ".into(),
            demands: vec!["Cooling".into(), " ".into()],
            threshold_count: Some(50),
            threshold_share: Some("60%".into()),
            min_per: vec!["department=5".into()],
            deadline: "21d".into(),
            starts: "2026-12-14T06:00".into(),
            exempt_roles: vec!["nurse".into()],
            ..CallSpec::default()
        };
        let call = spec.build(0).unwrap();
        assert_eq!((call.kind, call.title.as_str(), call.demands.len()), (CallKind::WorkToRule, "Heat", 1));
        assert_eq!(call.waves[0].rules.len(), 3);
        assert_eq!(call.deadline, 21 * 24 * 60);
        let err = |f: &dyn Fn(&mut CallSpec)| {
            let mut s = spec.clone();
            f(&mut s);
            s.build(0).unwrap_err().to_string()
        };
        assert!(err(&|s| s.kind = "riot".into()).contains("not a kind"));
        assert!(err(&|s| s.title.clear()).contains("title"));
        assert!(
            err(&|s| {
                s.threshold_count = None;
                s.threshold_share = None;
                s.min_per.clear();
            })
            .contains("at least one rule")
        );
        assert!(err(&|s| s.deadline = "soon".into()).contains("cannot read the time"));
        assert!(err(&|s| s.starts.clear()).contains("start time"));
    }
}
