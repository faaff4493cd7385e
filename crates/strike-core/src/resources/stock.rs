//! The fold of a hub's resource ops: lots and their stock, intents, commitments and
//! handovers, the same on every node whatever order the ops arrived in
//! (`docs/protocol.md`, "Resources").
//!
//! - A lot's stock is the sum of the events on it: a receive, or the transfer or move that
//!   opened it, adds; transfers and moves out, consumes, lowers and handovers take away;
//!   raises add. A sum does not depend on order. A lot whose sum is below zero is
//!   **overdrawn** (two keepers offline took the same units): it shows, and nothing is
//!   hidden or dropped.
//! - An event whose specification is not its lot's, or whose lot is unknown, does not count
//!   and is listed in [`Hub::ignored`] with the reason.
//! - Commitments are taken in **(time, op id)** order. Each covers what is left of it (its
//!   quantity less its handovers) as far as its lot's stock, less what earlier commitments on
//!   the lot still hold, and its request's need, less what earlier commitments to it still
//!   hold, allow. A commitment to a request this node cannot read (sealed to the keepers)
//!   covers as far as its lot allows, so the lots of members' nodes agree with the keepers'. What its lot cannot cover is **short: needs a new plan**; the request
//!   asks for it again. What its request no longer needs is released. A commitment to a
//!   request that is closed or no longer counts (its author removed) is released.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::body::Body;
use crate::resources::{ResourceOffer, ResourceRequest, ResourceSpec, StockAction};
use crate::state_hash::StateHasher;
use crate::{AuthorId, CoarseTime, NetworkId, OpId};

/// Key-derivation context for the hash of a hub's folded resources.
pub const STOCK_HASH_CONTEXT: &str = "openstrike 2026-12 stock hash v1";

/// One counted op, as the fold reads it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub op: OpId,
    pub author: AuthorId,
    /// The op's place in its author's chain: orders one author's ops within a minute.
    pub seq: u64,
    pub time: CoarseTime,
    pub body: Body,
}

/// A specification and its reserve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecState {
    pub spec: ResourceSpec,
    pub minimum: u64,
}

/// A lot (Valueflows' EconomicResource).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotState {
    pub spec: OpId,
    pub place: String,
    pub expires: Option<CoarseTime>,
    /// Who holds it: empty for the hub itself.
    pub custodian: String,
    /// Who gave it (of the receive that opened the first lot of its line).
    pub from: String,
    pub opened: CoarseTime,
    /// The sum of its events; below 0 when overdrawn.
    pub stock: i64,
    /// Units earlier commitments still hold of it.
    pub held: u64,
}

impl LotState {
    /// Stock no commitment holds, never below 0.
    pub fn free(&self) -> u64 {
        u64::try_from(self.stock).unwrap_or(0).saturating_sub(self.held)
    }
}

/// An offer or request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentState<T> {
    pub intent: T,
    pub author: AuthorId,
    pub time: CoarseTime,
    /// The note of the close that counts, if closed.
    pub closed: Option<String>,
}

/// A request's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Need {
    /// Units handed over to it.
    pub handed: u64,
    /// Units its commitments still hold.
    pub held: u64,
}

/// Where a commitment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitState {
    /// Fully handed over.
    Done,
    /// Its lot holds what is left of it.
    Held,
    /// Its lot could not hold `short` of it: needs a new plan.
    Short,
    /// Its request was closed, no longer counts or needs no more.
    Released,
}

impl CommitState {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitState::Done => "done",
            CommitState::Held => "held",
            CommitState::Short => "short",
            CommitState::Released => "released",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentState {
    pub request: OpId,
    pub lot: OpId,
    pub qty: u64,
    pub author: AuthorId,
    pub time: CoarseTime,
    pub handed: u64,
    /// Of what is left, what its lot holds for it.
    pub held: u64,
    /// Of what is left, what the lot could not hold.
    pub short: u64,
    pub state: CommitState,
}

/// Units that left stock (consumed or handed over), for the burn rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub time: CoarseTime,
    pub spec: OpId,
    pub qty: u64,
}

/// A hub's resources, folded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hub {
    pub specs: BTreeMap<OpId, SpecState>,
    pub lots: BTreeMap<OpId, LotState>,
    pub offers: BTreeMap<OpId, IntentState<ResourceOffer>>,
    pub requests: BTreeMap<OpId, IntentState<ResourceRequest>>,
    pub needs: BTreeMap<OpId, Need>,
    pub commitments: BTreeMap<OpId, CommitmentState>,
    /// (place, place, distance), the latest for each pair, the pair in name order.
    pub distances: Vec<(String, String, u32)>,
    pub usage: Vec<Usage>,
    /// Ops that do not count, and why.
    pub ignored: Vec<(OpId, &'static str)>,
}

impl<T> IntentState<T> {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }
}

impl Hub {
    /// What a request still wants: asked, less handed over, less what commitments hold.
    pub fn wanted(&self, request: &OpId) -> u64 {
        let (Some(r), need) = (self.requests.get(request), self.needs.get(request).copied().unwrap_or_default()) else {
            return 0;
        };
        if !r.is_open() {
            return 0;
        }
        r.intent.qty.saturating_sub(need.handed).saturating_sub(need.held)
    }

    /// Stock of a specification over its lots (overdrawn lots count as 0).
    pub fn stock_of(&self, spec: &OpId) -> u64 {
        self.lots.values().filter(|l| l.spec == *spec).map(|l| u64::try_from(l.stock).unwrap_or(0)).sum()
    }

    /// The hash of the folded state: equal on two nodes exactly when they fold the same.
    pub fn digest(&self, network: &NetworkId) -> [u8; 32] {
        let mut h = StateHasher::with_context(STOCK_HASH_CONTEXT, network);
        h.table("specs", self.specs.len() as u64);
        for (id, s) in &self.specs {
            h.bytes(&id.0);
            h.text(&s.spec.name);
            h.text(&s.spec.unit);
            h.int(s.minimum as i64);
        }
        h.table("lots", self.lots.len() as u64);
        for (id, l) in &self.lots {
            h.bytes(&id.0);
            h.bytes(&l.spec.0);
            h.text(&l.place);
            h.int(l.expires.map_or(-1, |e| i64::from(e.0)));
            h.text(&l.custodian);
            h.int(l.stock);
            h.int(l.held as i64);
        }
        h.table("requests", self.requests.len() as u64);
        for (id, r) in &self.requests {
            let need = self.needs.get(id).copied().unwrap_or_default();
            h.bytes(&id.0);
            h.int(i64::from(r.is_open()));
            h.int(need.handed as i64);
            h.int(need.held as i64);
        }
        h.table("offers", self.offers.len() as u64);
        for (id, o) in &self.offers {
            h.bytes(&id.0);
            h.int(i64::from(o.is_open()));
        }
        h.table("commitments", self.commitments.len() as u64);
        for (id, c) in &self.commitments {
            h.bytes(&id.0);
            h.int(c.handed as i64);
            h.int(c.held as i64);
            h.int(c.short as i64);
            h.text(c.state.as_str());
        }
        h.finish()
    }
}

/// Folds the counted resource ops of a hub. `keepers` close anyone's intents; members close
/// their own. `unreadable` are requests that count but this node cannot open.
pub fn fold(entries: &[Entry], keepers: &HashSet<AuthorId>, unreadable: &BTreeSet<OpId>) -> Hub {
    let mut hub = Hub::default();
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| crate::op_order(e.time, e.author, e.seq, e.op));
    let mut distances: BTreeMap<(String, String), u32> = BTreeMap::new();
    for e in &sorted {
        match &e.body {
            Body::ResourceSpec(s) => {
                hub.specs.insert(e.op, SpecState { spec: s.clone(), minimum: 0 });
            }
            Body::ResourceOffer(o) => {
                hub.offers
                    .insert(e.op, IntentState { intent: o.clone(), author: e.author, time: e.time, closed: None });
            }
            Body::ResourceRequest(r) => {
                let state = IntentState { intent: r.clone(), author: e.author, time: e.time, closed: None };
                hub.requests.insert(e.op, state);
            }
            Body::PlaceDistance(d) => {
                let (a, b) = (d.a.trim().to_string(), d.b.trim().to_string());
                distances.insert(if a <= b { (a, b) } else { (b, a) }, d.distance);
            }
            _ => {}
        }
    }
    hub.distances = distances.into_iter().map(|((a, b), d)| (a, b, d)).collect();
    for e in &sorted {
        match &e.body {
            Body::ResourceMinimum(m) => match hub.specs.get_mut(&m.spec) {
                // In order, so the latest stands.
                Some(s) => s.minimum = m.qty,
                None => hub.ignored.push((e.op, "a minimum of an unknown specification")),
            },
            Body::IntentClose(c) => {
                let note = c.note.clone();
                let may = |author: &AuthorId| *author == e.author || keepers.contains(&e.author);
                if let Some(o) = hub.offers.get_mut(&c.intent).filter(|o| may(&o.author)) {
                    o.closed.get_or_insert(note);
                } else if let Some(r) = hub.requests.get_mut(&c.intent).filter(|r| may(&r.author)) {
                    r.closed.get_or_insert(note);
                } else {
                    hub.ignored.push((e.op, "a close of an intent unknown here, or by someone who may not"));
                }
            }
            _ => {}
        }
    }
    open_lots(&mut hub, &sorted);
    count_stock(&mut hub, &sorted);
    hold(&mut hub, &sorted, unreadable);
    hub
}

/// Opens the lots: receives, then the transfers and moves out of lots already open (in
/// rounds, so a chain of moves opens whatever order its ops came in).
fn open_lots(hub: &mut Hub, sorted: &[&Entry]) {
    let mut pending: Vec<&Entry> = Vec::new();
    for e in sorted {
        let Body::StockEvent(s) = &e.body else { continue };
        match s.action {
            StockAction::Receive if hub.specs.contains_key(&s.spec) => {
                let shelf = hub.specs[&s.spec].spec.shelf_life;
                let expires = s.expires.map(CoarseTime).or_else(|| shelf.map(|d| CoarseTime(e.time.0 + d * 24 * 60)));
                hub.lots.insert(
                    e.op,
                    LotState {
                        spec: s.spec,
                        place: s.place.trim().into(),
                        expires,
                        custodian: String::new(),
                        from: s.party.trim().into(),
                        opened: e.time,
                        stock: 0,
                        held: 0,
                    },
                );
            }
            StockAction::Receive => hub.ignored.push((e.op, "a receive of an unknown specification")),
            StockAction::Transfer | StockAction::Move => pending.push(e),
            _ => {}
        }
    }
    loop {
        let before = pending.len();
        pending.retain(|e| {
            let Body::StockEvent(s) = &e.body else { return false };
            let Some(source) = s.lot.and_then(|l| hub.lots.get(&l)).cloned() else { return true };
            if source.spec != s.spec {
                return true;
            }
            let mut lot = LotState { opened: e.time, stock: 0, held: 0, ..source };
            match s.action {
                StockAction::Move => lot.place = s.place.trim().into(),
                _ => lot.custodian = s.party.trim().into(),
            }
            hub.lots.insert(e.op, lot);
            false
        });
        if pending.len() == before {
            break;
        }
    }
    for e in pending {
        hub.ignored.push((e.op, "a transfer or move out of a lot unknown here, or of another specification"));
    }
}

/// Adds up every event on every lot.
fn count_stock(hub: &mut Hub, sorted: &[&Entry]) {
    // The lot of each commitment whose lot is known.
    let lots: BTreeMap<OpId, OpId> = sorted
        .iter()
        .filter_map(|e| match &e.body {
            Body::Commitment(c) if hub.lots.contains_key(&c.lot) => Some((e.op, c.lot)),
            _ => None,
        })
        .collect();
    let mut handed: BTreeMap<OpId, u64> = BTreeMap::new();
    for e in sorted {
        if let Body::Handover(h) = &e.body {
            match lots.get(&h.commitment) {
                Some(_) => *handed.entry(h.commitment).or_default() += h.qty,
                None => hub.ignored.push((e.op, "a handover of an unknown commitment")),
            }
        }
    }
    for e in sorted {
        match &e.body {
            Body::StockEvent(s) => {
                let qty = i64::try_from(s.qty).unwrap_or(i64::MAX);
                if s.action == StockAction::Receive {
                    if let Some(lot) = hub.lots.get_mut(&e.op) {
                        lot.stock += qty;
                    }
                    continue;
                }
                let Some(lot) = s.lot.filter(|l| hub.lots.get(l).is_some_and(|l| l.spec == s.spec)) else {
                    if !s.action.opens_lot() {
                        hub.ignored.push((e.op, "an event on a lot unknown here, or of another specification"));
                    }
                    continue;
                };
                if s.action.opens_lot() && !hub.lots.contains_key(&e.op) {
                    continue;
                }
                let delta = match s.action {
                    StockAction::Raise => qty,
                    _ => -qty,
                };
                hub.lots.get_mut(&lot).expect("checked above").stock += delta;
                if s.action.opens_lot() {
                    hub.lots.get_mut(&e.op).expect("opened").stock += qty;
                } else if s.action == StockAction::Consume {
                    hub.usage.push(Usage { time: e.time, spec: s.spec, qty: s.qty });
                }
            }
            Body::Handover(h) => {
                if let Some(lot) = lots.get(&h.commitment)
                    && let Some(l) = hub.lots.get_mut(lot)
                {
                    l.stock -= i64::try_from(h.qty).unwrap_or(i64::MAX);
                    hub.usage.push(Usage { time: e.time, spec: l.spec, qty: h.qty });
                }
            }
            _ => {}
        }
    }
    for e in sorted {
        if let Body::Commitment(c) = &e.body {
            let state = CommitmentState {
                request: c.request,
                lot: c.lot,
                qty: c.qty,
                author: e.author,
                time: e.time,
                handed: handed.get(&e.op).copied().unwrap_or(0),
                held: 0,
                short: 0,
                state: CommitState::Released,
            };
            hub.commitments.insert(e.op, state);
        }
    }
}

/// Takes commitments in (time, op id) order: what each still holds, and what is short.
fn hold(hub: &mut Hub, sorted: &[&Entry], unreadable: &BTreeSet<OpId>) {
    for c in hub.commitments.values() {
        hub.needs.entry(c.request).or_default().handed += c.handed;
    }
    let order: Vec<OpId> = sorted.iter().filter(|e| matches!(e.body, Body::Commitment(_))).map(|e| e.op).collect();
    let mut seen: BTreeSet<OpId> = BTreeSet::new();
    for id in order {
        if !seen.insert(id) {
            continue;
        }
        let c = hub.commitments[&id].clone();
        let left = c.qty.saturating_sub(c.handed);
        let same_spec =
            |r: &IntentState<ResourceRequest>| hub.lots.get(&c.lot).is_some_and(|l| l.spec == r.intent.spec);
        let sealed = unreadable.contains(&c.request);
        let (st, held, short) = if left == 0 {
            (CommitState::Done, 0, 0)
        } else if sealed {
            let held = left.min(hub.lots.get(&c.lot).map_or(0, |l| l.free()));
            (if held < left { CommitState::Short } else { CommitState::Held }, held, left - held)
        } else if !hub.requests.get(&c.request).is_some_and(|r| r.is_open() && same_spec(r)) {
            (CommitState::Released, 0, 0)
        } else {
            let want = left.min(hub.wanted(&c.request));
            let held = want.min(hub.lots[&c.lot].free());
            let short = want - held;
            let st = match (short, held) {
                (s, _) if s > 0 => CommitState::Short,
                (_, h) if h > 0 => CommitState::Held,
                _ => CommitState::Released,
            };
            (st, held, short)
        };
        if held > 0 {
            hub.lots.get_mut(&c.lot).expect("held only of a known lot").held += held;
            hub.needs.entry(c.request).or_default().held += held;
        }
        let entry = hub.commitments.get_mut(&id).expect("listed");
        entry.state = st;
        entry.held = held;
        entry.short = short;
    }
}

#[cfg(test)]
mod tests;
