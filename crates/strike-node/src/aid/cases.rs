//! Legal defense cases: opened, noted, assigned and closed inside a legal circle's layer, so
//! only its members read them; deadlines count down on the page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use strike_core::aid::{CASE_KINDS, Case, CaseUpdate};
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId, Writer, parse_time};

use crate::{Node, NodeError, Result};

/// A case as people open it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// The legal circle (a name or id)
    pub circle: String,
    /// firing, discipline, arrest or other
    pub kind: String,
    pub text: String,
    /// A filing or hearing deadline: `2026-12-20 17:00`, or `10d` from now
    #[serde(default)]
    pub deadline: String,
}

/// One step of a case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CaseStepView {
    pub by: String,
    pub at: u32,
    pub action: String,
    pub note: String,
}

/// A case as the legal circle sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub id: String,
    pub circle: String,
    pub kind: String,
    pub text: String,
    pub opened_by: String,
    pub opened: u32,
    /// Coarse minute, if there is one.
    pub deadline: Option<u32>,
    /// Minutes left to the deadline (negative: past it).
    pub minutes_left: Option<i64>,
    pub assignee: Option<String>,
    pub closed: bool,
    pub history: Vec<CaseStepView>,
}

impl Node {
    fn parse_deadline(&self, text: &str) -> Result<u32> {
        match text.trim() {
            "" => Ok(0),
            t => parse_time(t, self.now())
                .map(|s| CoarseTime::from_unix_seconds(s).0)
                .map_err(|e| NodeError::InvalidInput(format!("deadline: {e}"))),
        }
    }

    /// Opens a case in a legal circle this node is in.
    pub fn case_open(&mut self, network: &NetworkId, input: &CaseInput) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        let circle = self.resolve_circle(network, &input.circle)?;
        let kind = input.kind.trim().to_lowercase();
        if !CASE_KINDS.contains(&kind.as_str()) {
            return Err(NodeError::InvalidInput(format!("{kind:?}: a case is one of {}", CASE_KINDS.join(", "))));
        }
        let body =
            Case { circle, kind, text: input.text.trim().into(), deadline: self.parse_deadline(&input.deadline)? };
        strike_core::body::Fact::check(&body).map_err(NodeError::Refused)?;
        self.author(network, Body::Case(body))
    }

    /// A step on a case: `note`, `assign` (to `who`), `deadline` (to `when`) or `close`.
    pub fn case_update(
        &mut self,
        network: &NetworkId,
        case: &str,
        action: &str,
        note: &str,
        who: &str,
        when: &str,
    ) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        let id = self.resolve_fact(network, Kind::Case, case)?;
        let view = self
            .cases(network)?
            .into_iter()
            .find(|c| c.id == id.to_hex())
            .ok_or_else(|| NodeError::NotFound("no case you can read matches that".into()))?;
        if view.closed {
            return Err(NodeError::NotAllowed("that case is closed".into()));
        }
        let circle = self.resolve_circle(network, &view.circle)?;
        let assignee = match action.trim() {
            "assign" => Some(self.resolve_member(network, who)?.author),
            _ => None,
        };
        let deadline = if action.trim() == "deadline" { self.parse_deadline(when)? } else { 0 };
        let body =
            CaseUpdate { circle, case: id, action: action.trim().into(), note: note.trim().into(), assignee, deadline };
        strike_core::body::Fact::check(&body).map_err(NodeError::Refused)?;
        self.author(network, Body::CaseUpdate(body))
    }

    /// The cases this node reads (those of legal circles it is in), open ones first by deadline.
    pub fn cases(&self, network: &NetworkId) -> Result<Vec<CaseView>> {
        self.network(network)?;
        let names: BTreeMap<AuthorId, String> =
            self.members(network)?.iter().map(|m| (m.author, crate::networks::display_name(m))).collect();
        let name = |a: &AuthorId| names.get(a).cloned().unwrap_or_else(|| a.short());
        let now = CoarseTime::from_unix_seconds(self.now());
        let mut updates: Vec<_> = self
            .store
            .facts(network, Kind::CaseUpdate, None)?
            .into_iter()
            .filter_map(|f| match f.body {
                Body::CaseUpdate(u) => Some((strike_core::op_order(f.time, f.author, f.seq, f.op_id), f.author, u)),
                _ => None,
            })
            .collect();
        updates.sort_by_key(|u| u.0);
        let mut out = Vec::new();
        for f in self.store.facts(network, Kind::Case, None)? {
            let Body::Case(c) = f.body else { continue };
            let mut view = CaseView {
                id: f.op_id.to_hex(),
                circle: self.circle(network, &c.circle).map(|v| v.name).unwrap_or_else(|_| c.circle.short()),
                kind: c.kind.clone(),
                text: c.text.clone(),
                opened_by: name(&f.author),
                opened: f.time.0,
                deadline: (c.deadline != 0).then_some(c.deadline),
                minutes_left: None,
                assignee: None,
                closed: false,
                history: Vec::new(),
            };
            // Steps count in the case's own circle, in op order; none after closing.
            for ((time, ..), author, u) in updates.iter().filter(|u| u.2.case == f.op_id && u.2.circle == c.circle) {
                if view.closed {
                    break;
                }
                match u.action.as_str() {
                    "assign" => view.assignee = u.assignee.as_ref().map(name),
                    "deadline" => view.deadline = Some(u.deadline),
                    "close" => view.closed = true,
                    _ => {}
                }
                let note = match (&u.assignee, u.action.as_str()) {
                    (Some(a), _) => format!(
                        "to {}{}",
                        name(a),
                        if u.note.is_empty() { String::new() } else { format!(": {}", u.note) }
                    ),
                    _ => u.note.clone(),
                };
                view.history.push(CaseStepView { by: name(author), at: time.0, action: u.action.clone(), note });
            }
            view.minutes_left = view.deadline.map(|d| i64::from(d) - i64::from(now.0));
            out.push(view);
        }
        out.sort_by_key(|c| (c.closed, c.deadline.unwrap_or(u32::MAX), c.opened));
        Ok(out)
    }
}
