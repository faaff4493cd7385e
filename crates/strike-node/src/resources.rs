//! The resource network on a node: a hub's keepers (its organizers) describe specifications,
//! record stock as events, set reserves and distances, plan allocations and commit them, and
//! check off handovers; its members offer and ask for supplies, sealing a request to the
//! keepers when its content is sensitive. What people type is read here once, for the CLI,
//! the forms and the JSON API alike; what the stock is comes from core's one fold
//! ([`strike_core::resources::stock::fold`]), the plan from its engine
//! ([`strike_core::resources::allocate::plan`]). The views are in [`views`].

pub mod views;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strike_core::body::{
    Commitment, Handover, IntentClose, PlaceDistance, ResourceMinimum, ResourceOffer, ResourceRequest, ResourceSpec,
    SealedRequest, StockEvent,
};
use strike_core::membership::{Role, Status};
use strike_core::resources::stock::{self, Entry, Hub};
use strike_core::resources::{CATEGORIES, StockAction, Urgency};
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, NetworkKind, OpId, Writer, parse_duration, parse_time};

use crate::{Node, NodeError, Result};

fn invalid(message: impl Into<String>) -> NodeError {
    NodeError::InvalidInput(message.into())
}

/// The kinds the fold reads.
const KINDS: &[Kind] = &[
    Kind::ResourceSpec,
    Kind::ResourceMinimum,
    Kind::StockEvent,
    Kind::ResourceOffer,
    Kind::ResourceRequest,
    Kind::SealedRequest,
    Kind::IntentClose,
    Kind::Commitment,
    Kind::Handover,
    Kind::PlaceDistance,
];

/// A specification as people write it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecInput {
    pub name: String,
    /// `kg`, `vials`, `L` ...
    pub unit: String,
    /// food, water, medical, fuel, hygiene, baby or other (default other)
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub cold_chain: bool,
    /// `365d`, `12w`: how long a lot keeps when it gives no expiry
    #[serde(default)]
    pub shelf_life: String,
}

/// A stock event as people write it. `qty` takes the unit or not: `400`, `400 kg`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockInput {
    /// receive, transfer, move, consume, raise or lower
    pub action: String,
    /// Receive: the specification's name or id.
    #[serde(default)]
    pub spec: String,
    /// Every action but receive: the lot's id (or a prefix of it).
    #[serde(default)]
    pub lot: String,
    pub qty: String,
    /// Receive: where it is kept; move: where it goes.
    #[serde(default)]
    pub place: String,
    /// Receive: `2027-06-01`, or from now as `30d`.
    #[serde(default)]
    pub expires: String,
    /// Receive: who gave it; transfer: the new custodian.
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub note: String,
}

/// A request as people write it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    pub spec: String,
    pub qty: String,
    /// critical, high or normal (default normal)
    #[serde(default)]
    pub urgency: String,
    /// Wanted by: `3d` from now, or a date (default 7d)
    #[serde(default)]
    pub by: String,
    /// People in the household (default 1)
    #[serde(default)]
    pub household: Option<u16>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub note: String,
    /// A circle only it is sealed to: `keepers` for medicine (default: the whole hub)
    #[serde(default)]
    pub circle: String,
}

/// An offer as people write it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    pub spec: String,
    pub qty: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub note: String,
}

/// Reads a quantity: a whole number, optionally followed by the specification's unit.
pub fn parse_qty(text: &str, spec: &ResourceSpec) -> Result<u64> {
    let t = text.trim();
    let digits = t.find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+')).unwrap_or(t.len());
    let (number, unit) = (t[..digits].trim(), t[digits..].trim());
    if number.is_empty() {
        return Err(invalid(format!("cannot read the quantity {text:?}: a whole number of {} such as 12", spec.unit)));
    }
    if !unit.is_empty() && !unit.eq_ignore_ascii_case(&spec.unit) {
        return Err(invalid(format!("{} is counted in {}, not {unit}", spec.name, spec.unit)));
    }
    let n: i64 = number.parse().map_err(|_| {
        invalid(format!("cannot read the quantity {text:?}: a whole number of {} such as 12", spec.unit))
    })?;
    if n <= 0 {
        return Err(invalid(format!("a quantity is at least 1 {} (not {n})", spec.unit)));
    }
    let n = n as u64;
    if n > strike_core::resources::MAX_QTY {
        return Err(invalid(format!("a quantity is at most {} {}", strike_core::resources::MAX_QTY, spec.unit)));
    }
    Ok(n)
}

impl Node {
    /// The network must be a hub.
    fn require_hub(&self, network: &NetworkId) -> Result<()> {
        match self.network(network)?.kind {
            Some(NetworkKind::Hub) => Ok(()),
            _ => Err(NodeError::NotAllowed(
                "stock and requests are kept in a hub network: create one with `network create NAME --kind hub`".into(),
            )),
        }
    }

    /// This node's author must be a keeper (an organizer) of the hub.
    fn require_keeper(&self, network: &NetworkId) -> Result<()> {
        self.require_hub(network)?;
        self.require(network, Writer::Organizer)
            .map_err(|_| NodeError::NotAllowed("only the hub's keepers (its organizers) can do that".into()))?;
        Ok(())
    }

    /// The hub's keepers: its current organizers.
    pub(crate) fn keepers(&self, network: &NetworkId) -> Result<HashSet<AuthorId>> {
        Ok(self
            .members(network)?
            .into_iter()
            .filter(|m| m.status == Status::Member && m.role == Role::Organizer)
            .map(|m| m.author)
            .collect())
    }

    /// The hub's resources folded: every counted resource op, with the sealed requests this
    /// node can open (a keeper's, with the circle's key; the author's own, with their copy).
    pub fn hub_state(&self, network: &NetworkId) -> Result<Arc<Hub>> {
        self.memoized(
            |m| &mut m.hubs,
            network,
            || {
                let mut entries = Vec::new();
                let mut unreadable = BTreeSet::new();
                let mine = self.store.my_agreement_secrets()?;
                // A removed member's requests and offers stop counting, whenever they were made.
                let current: HashSet<AuthorId> = self
                    .members(network)?
                    .into_iter()
                    .filter(|m| m.status == Status::Member)
                    .map(|m| m.author)
                    .collect();
                for kind in KINDS {
                    let intents = matches!(kind, Kind::ResourceRequest | Kind::SealedRequest | Kind::ResourceOffer);
                    for f in self.store.facts(network, *kind, None)? {
                        if intents && !current.contains(&f.author) {
                            continue;
                        }
                        let body = match f.body {
                            Body::SealedRequest(s) => match self.open_sealed_request(network, &s, &mine)? {
                                Some(r) => Body::ResourceRequest(r),
                                None => {
                                    unreadable.insert(f.op_id);
                                    continue;
                                }
                            },
                            b => b,
                        };
                        entries.push(Entry { op: f.op_id, author: f.author, seq: f.seq, time: f.time, body });
                    }
                }
                Ok(Arc::new(stock::fold(&entries, &self.keepers(network)?, &unreadable)))
            },
        )
    }

    fn open_sealed_request(
        &self,
        network: &NetworkId,
        sealed: &SealedRequest,
        mine: &[zeroize::Zeroizing<[u8; 32]>],
    ) -> Result<Option<ResourceRequest>> {
        for (epoch, key) in self.store.circle_held_keys(network, &sealed.circle)? {
            if epoch == sealed.epoch
                && let Some(r) = sealed.open(network, &key)
            {
                return Ok(Some(r));
            }
        }
        Ok(mine.iter().find_map(|s| sealed.open_copy(network, &strike_crypto::AgreementSecret::from_bytes(**s))))
    }

    /// A specification by name (any case) or id prefix.
    pub fn resolve_spec(&self, network: &NetworkId, query: &str) -> Result<OpId> {
        let hub = self.hub_state(network)?;
        let q = query.trim();
        if q.is_empty() {
            return Err(invalid("name the specification (`resource spec add` makes one)"));
        }
        if let Some((id, _)) = hub.specs.iter().find(|(_, s)| s.spec.name.eq_ignore_ascii_case(q)) {
            return Ok(*id);
        }
        if let Ok(prefix) = strike_core::IdPrefix::parse(q, 6)
            && let [one] = hub.specs.keys().filter(|id| prefix.matches(&id.0)).collect::<Vec<_>>()[..]
        {
            return Ok(*one);
        }
        let known: Vec<&str> = hub.specs.values().map(|s| s.spec.name.as_str()).collect();
        Err(NodeError::NotFound(format!(
            "no specification {q:?} in this hub{}",
            if known.is_empty() { String::new() } else { format!(" (there are: {})", known.join(", ")) }
        )))
    }

    /// A lot by id prefix (at least 6 hex digits).
    pub fn resolve_lot(&self, network: &NetworkId, query: &str) -> Result<OpId> {
        let prefix = strike_core::IdPrefix::parse(query.trim(), 6).map_err(|e| invalid(format!("{e} (lot ids)")))?;
        let hub = self.hub_state(network)?;
        match hub.lots.keys().filter(|id| prefix.matches(&id.0)).collect::<Vec<_>>()[..] {
            [one] => Ok(*one),
            [] => Err(NodeError::NotFound(format!("no lot {query:?} in this hub (`stock list` shows them)"))),
            _ => Err(invalid(format!("{query:?} matches more than one lot"))),
        }
    }

    /// An open request by id prefix.
    pub fn resolve_request(&self, network: &NetworkId, query: &str) -> Result<OpId> {
        self.resolve_intent(network, query, false)
    }

    fn resolve_intent(&self, network: &NetworkId, query: &str, offers: bool) -> Result<OpId> {
        let prefix = strike_core::IdPrefix::parse(query.trim(), 6).map_err(|e| invalid(format!("{e} (ids)")))?;
        let hub = self.hub_state(network)?;
        let ids: Vec<OpId> = if offers {
            hub.offers.keys().filter(|id| prefix.matches(&id.0)).copied().collect()
        } else {
            hub.requests.keys().filter(|id| prefix.matches(&id.0)).copied().collect()
        };
        match ids[..] {
            [one] => Ok(one),
            [] if !offers => self.resolve_intent(network, query, true),
            [] => Err(NodeError::NotFound(format!("no request or offer {query:?} this node can read"))),
            _ => Err(invalid(format!("{query:?} matches more than one"))),
        }
    }

    /// Describes a kind of resource (keepers).
    pub fn add_spec(&mut self, network: &NetworkId, input: &SpecInput) -> Result<OpId> {
        self.require_keeper(network)?;
        let name = input.name.trim();
        if self.hub_state(network)?.specs.values().any(|s| s.spec.name.eq_ignore_ascii_case(name)) {
            return Err(invalid(format!("this hub already has a specification {name:?}")));
        }
        let category = match input.category.trim() {
            "" => "other".to_string(),
            c if CATEGORIES.contains(&c.to_lowercase().as_str()) => c.to_lowercase(),
            c => return Err(invalid(format!("{c:?} is not a category: {}", CATEGORIES.join(", ")))),
        };
        let shelf_life = match input.shelf_life.trim() {
            "" => None,
            t => Some(
                parse_duration(t)
                    .filter(|s| *s >= 86_400)
                    .map(|s| (s / 86_400) as u32)
                    .ok_or_else(|| invalid(format!("cannot read the shelf life {t:?}: days or weeks, such as 365d")))?,
            ),
        };
        let spec = ResourceSpec {
            name: name.into(),
            unit: input.unit.trim().into(),
            category,
            cold_chain: input.cold_chain,
            shelf_life,
        };
        self.author(network, Body::ResourceSpec(spec))
    }

    /// Sets the reserve of a specification, kept for critical requests (keepers).
    pub fn set_minimum(&mut self, network: &NetworkId, spec: &str, qty: &str) -> Result<OpId> {
        self.require_keeper(network)?;
        let id = self.resolve_spec(network, spec)?;
        let s = self.hub_state(network)?.specs[&id].spec.clone();
        let qty = if qty.trim() == "0" { 0 } else { parse_qty(qty, &s)? };
        self.author(network, Body::ResourceMinimum(ResourceMinimum { spec: id, qty }))
    }

    /// Records a stock event (keepers). Taking more of a lot than it holds, an expiry in the
    /// past, an unknown specification or lot, or a unit that is not the specification's is
    /// refused before anything is written.
    pub fn record_stock(&mut self, network: &NetworkId, input: &StockInput) -> Result<OpId> {
        self.require_keeper(network)?;
        let action = StockAction::ALL
            .iter()
            .copied()
            .find(|a| a.as_str().eq_ignore_ascii_case(input.action.trim()))
            .ok_or_else(|| {
                invalid(format!(
                    "{:?} is not a stock action: receive, transfer, move, consume, raise or lower",
                    input.action
                ))
            })?;
        let hub = self.hub_state(network)?;
        let now = self.now();
        let (spec, lot) = if action == StockAction::Receive {
            (self.resolve_spec(network, &input.spec)?, None)
        } else {
            if input.lot.trim().is_empty() {
                return Err(invalid(format!("name the lot to {} (`stock list` shows them)", action.as_str())));
            }
            let lot = self.resolve_lot(network, &input.lot)?;
            (hub.lots[&lot].spec, Some(lot))
        };
        let s = &hub.specs[&spec].spec;
        let qty = parse_qty(&input.qty, s)?;
        if let Some(lot) = &lot {
            let l = &hub.lots[lot];
            let takes = !matches!(action, StockAction::Raise);
            if takes && qty > l.free() {
                return Err(NodeError::NotAllowed(format!(
                    "lot {} holds {} {} not promised to anyone (of {}): {} {qty} is more",
                    lot.short(),
                    l.free(),
                    s.unit,
                    l.stock.max(0),
                    action.as_str()
                )));
            }
        }
        let expires = match (action, input.expires.trim()) {
            (_, "") => None,
            (StockAction::Receive, t) => {
                let at = parse_time(t, now).map_err(invalid)?;
                if at <= now {
                    return Err(invalid(format!(
                        "the expiry {} is in the past: stock that has expired is not received",
                        CoarseTime::from_unix_seconds(at)
                    )));
                }
                Some(CoarseTime::from_unix_seconds(at).0)
            }
            (a, _) => return Err(invalid(format!("only a receive gives an expiry, not a {}", a.as_str()))),
        };
        let keep_place = matches!(action, StockAction::Receive | StockAction::Move);
        let keep_party = matches!(action, StockAction::Receive | StockAction::Transfer);
        let event = StockEvent {
            action,
            spec,
            lot,
            qty,
            place: if keep_place { input.place.trim().into() } else { String::new() },
            expires,
            party: if keep_party { input.party.trim().into() } else { String::new() },
            note: input.note.trim().into(),
        };
        self.author(network, Body::StockEvent(event))
    }

    /// Offers a donation to the hub (members).
    pub fn offer_supplies(&mut self, network: &NetworkId, input: &OfferInput) -> Result<OpId> {
        self.require_hub(network)?;
        self.require(network, Writer::Member)?;
        let spec = self.resolve_spec(network, &input.spec)?;
        let qty = parse_qty(&input.qty, &self.hub_state(network)?.specs[&spec].spec)?;
        let offer = ResourceOffer { spec, qty, place: input.place.trim().into(), note: input.note.trim().into() };
        self.author(network, Body::ResourceOffer(offer))
    }

    /// Asks for supplies (members): into the whole hub, or sealed to a circle (`keepers`).
    pub fn request_supplies(&mut self, network: &NetworkId, input: &RequestInput) -> Result<OpId> {
        self.require_hub(network)?;
        let me = self.require(network, Writer::Member)?;
        let spec = self.resolve_spec(network, &input.spec)?;
        let qty = parse_qty(&input.qty, &self.hub_state(network)?.specs[&spec].spec)?;
        let urgency = match input.urgency.trim() {
            "" => Urgency::Normal,
            u => Urgency::parse(u).map_err(invalid)?,
        };
        let now = self.now();
        let due = parse_time(if input.by.trim().is_empty() { "7d" } else { &input.by }, now).map_err(invalid)?;
        let household = input.household.unwrap_or(1);
        if household == 0 || household > strike_core::resources::MAX_HOUSEHOLD {
            return Err(invalid(format!("a household is 1 to {} people", strike_core::resources::MAX_HOUSEHOLD)));
        }
        let request = ResourceRequest {
            spec,
            qty,
            urgency,
            due: CoarseTime::from_unix_seconds(due.max(now)).0,
            household,
            place: input.place.trim().into(),
            note: input.note.trim().into(),
        };
        if input.circle.trim().is_empty() {
            return self.author(network, Body::ResourceRequest(request));
        }
        let circle = self.resolve_circle(network, &input.circle)?;
        // The newest key written by someone in the circle: a key op from anyone else (an
        // informant posting a key of their own for the keepers' circle) is never sealed to.
        let key = self.newest_circle_key(network, &circle)?.ok_or_else(|| {
            NodeError::NotAllowed(
                "that circle has no key yet: one of its members' nodes seals one on its next sync".into(),
            )
        })?;
        let author = strike_crypto::AgreementPublic(me.agreement);
        let sealed =
            SealedRequest::seal(network, &circle, key.epoch, &key.entry_key, &author, &request, &mut rand::rng())
                .map_err(NodeError::Refused)?;
        self.author(network, Body::SealedRequest(sealed))
    }

    /// Closes an offer or request: its author withdraws it, or a keeper is done with it.
    pub fn close_intent(&mut self, network: &NetworkId, intent: &str, note: &str) -> Result<OpId> {
        self.require_hub(network)?;
        let me = self.require(network, Writer::Member)?;
        let id = self.resolve_intent(network, intent, false)?;
        let hub = self.hub_state(network)?;
        let (author, open) = match (hub.requests.get(&id), hub.offers.get(&id)) {
            (Some(r), _) => (r.author, r.is_open()),
            (_, Some(o)) => (o.author, o.is_open()),
            _ => unreachable!("resolved above"),
        };
        if !open {
            return Err(invalid(format!("{} is already closed", id.short())));
        }
        if author != me.author && !self.keepers(network)?.contains(&me.author) {
            return Err(NodeError::NotAllowed("only its author or a keeper closes a request or offer".into()));
        }
        self.author(network, Body::IntentClose(IntentClose { intent: id, note: note.trim().into() }))
    }

    /// Sets how far apart two places are (keepers).
    pub fn set_distance(&mut self, network: &NetworkId, a: &str, b: &str, distance: u32) -> Result<OpId> {
        self.require_keeper(network)?;
        self.author(network, Body::PlaceDistance(PlaceDistance { a: a.trim().into(), b: b.trim().into(), distance }))
    }

    /// Commits the plan as it stands (keepers): one commitment per allocation, in one batch.
    /// `reviewed`, if given, is the plan's digest the keeper looked at: a plan that changed
    /// since is refused, to be reviewed again.
    pub fn commit_plan(&mut self, network: &NetworkId, reviewed: Option<&str>) -> Result<Vec<OpId>> {
        self.require_keeper(network)?;
        let plan = self.plan(network)?;
        if let Some(r) = reviewed.filter(|r| !r.trim().is_empty())
            && r.trim() != plan.digest
        {
            return Err(NodeError::NotAllowed(
                "the plan changed since you reviewed it (new stock or requests arrived): review it again".into(),
            ));
        }
        if plan.allocations.is_empty() {
            return Err(invalid("there is nothing to allocate: no open request can be met from the stock"));
        }
        let bodies = plan
            .allocations
            .iter()
            .map(|a| {
                let (request, lot) = (a.request_id.parse::<OpId>()?, a.lot_id.parse::<OpId>()?);
                Ok(Body::Commitment(Commitment { request, lot, qty: a.qty }))
            })
            .collect::<std::result::Result<Vec<_>, strike_core::IdParseError>>()
            .map_err(|_| invalid("the plan names an id that does not parse"))?;
        self.author_many(network, bodies)
    }

    /// Records units of a commitment handed over (keepers): all that is left of it, or `qty`.
    pub fn handover(&mut self, network: &NetworkId, commitment: &str, qty: Option<&str>, note: &str) -> Result<OpId> {
        self.require_keeper(network)?;
        let id = self.resolve_fact(network, Kind::Commitment, commitment)?;
        let hub = self.hub_state(network)?;
        let c = hub
            .commitments
            .get(&id)
            .ok_or_else(|| NodeError::NotFound(format!("commitment {} does not count here", id.short())))?;
        let spec = &hub.specs[&hub.lots[&c.lot].spec].spec;
        let left = c.held;
        if left == 0 {
            return Err(NodeError::NotAllowed(format!(
                "commitment {} holds nothing to hand over ({}): plan again for what is short",
                id.short(),
                c.state.as_str()
            )));
        }
        let qty = match qty {
            Some(q) if !q.trim().is_empty() => parse_qty(q, spec)?,
            _ => left,
        };
        if qty > left {
            return Err(NodeError::NotAllowed(format!(
                "commitment {} holds {left} {} still to hand over, not {qty}",
                id.short(),
                spec.unit
            )));
        }
        self.author(network, Body::Handover(Handover { commitment: id, qty, note: note.trim().into() }))
    }
}
