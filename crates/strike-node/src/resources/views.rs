//! What the hub's page, `resources show`, `stock list` and the JSON API show: stock by
//! specification with its lots, the request queue, offers, commitments, days of stock left
//! per category at the last four weeks' rate, the alerts, and the allocation plan.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use strike_core::resources::allocate::{self, Lot, Problem, Request};
use strike_core::resources::stock::{CommitState, Hub};
use strike_core::{CoarseTime, Kind, NetworkId, OpId};

use crate::{Node, Result};

/// Lots expiring within this many days are flagged on the hub's page.
pub const EXPIRY_ALERT_DAYS: u64 = 42;
/// A category with fewer days left than this at the current rate is flagged.
pub const DAYS_LEFT_ALERT: u64 = 14;
/// The window the burn rate is measured over.
pub const BURN_WINDOW_DAYS: u32 = 28;
const DAY: u64 = 86_400;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct LotView {
    pub id: String,
    pub op_id: String,
    pub spec: String,
    pub unit: String,
    /// The sum of its events; below 0 when overdrawn.
    pub qty: i64,
    /// What no commitment holds.
    pub free: u64,
    pub place: String,
    pub custodian: String,
    pub from: String,
    pub expires: Option<u64>,
    /// Whole days until it expires (negative: expired).
    pub expires_in_days: Option<i64>,
    /// `expired`, `soon` (within the alert window), `later` or `none`: the page's colour.
    pub expiry: &'static str,
    pub overdrawn: bool,
    pub cold_chain: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct SpecView {
    pub id: String,
    pub op_id: String,
    pub name: String,
    pub unit: String,
    pub category: String,
    pub cold_chain: bool,
    pub shelf_life_days: Option<u32>,
    pub stock: u64,
    pub free: u64,
    pub minimum: u64,
    pub below_minimum: bool,
    /// Consumed and handed over in the last four weeks.
    pub used_4w: u64,
    /// Days the stock lasts at that rate (none without use).
    pub days_left: Option<u64>,
    pub lots: Vec<LotView>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub id: String,
    pub op_id: String,
    pub spec: String,
    pub unit: String,
    pub qty: u64,
    /// What it still wants: asked, less handed over, less what commitments hold.
    pub wanted: u64,
    pub handed: u64,
    pub held: u64,
    pub urgency: &'static str,
    pub due: u64,
    pub overdue: bool,
    pub household: u16,
    pub place: String,
    pub note: String,
    pub by: String,
    /// Sealed to the keepers: only they (and its author) read it.
    pub sealed: bool,
    pub mine: bool,
    pub opened: u64,
    pub closed: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct OfferView {
    pub id: String,
    pub op_id: String,
    pub spec: String,
    pub unit: String,
    pub qty: u64,
    pub place: String,
    pub note: String,
    pub by: String,
    pub mine: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentView {
    pub id: String,
    pub op_id: String,
    pub request: String,
    pub lot: String,
    pub spec: String,
    pub unit: String,
    pub qty: u64,
    pub handed: u64,
    /// Still to hand over, held in its lot.
    pub held: u64,
    /// What its lot could not hold: "short: needs a new plan".
    pub short: u64,
    /// done, held, short or released
    pub state: &'static str,
    /// Who it is for, and where the lot is.
    pub to: String,
    pub place: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    pub category: String,
    /// Days until the first of its specifications runs out at the last four weeks' rate.
    pub days_left: Option<u64>,
    /// That specification.
    pub limiting: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    /// `critical` or `warning`
    pub level: &'static str,
    pub text: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ResourcesView {
    pub network: String,
    pub name: String,
    /// This node's member is a keeper.
    pub keeper: bool,
    pub specs: Vec<SpecView>,
    /// Open requests, by urgency, then due.
    pub requests: Vec<RequestView>,
    pub offers: Vec<OfferView>,
    /// Commitments still to hand over, and short ones.
    pub commitments: Vec<CommitmentView>,
    pub categories: Vec<CategoryView>,
    pub alerts: Vec<AlertView>,
    /// Requests sealed to the keepers this node cannot read.
    pub sealed_unreadable: u64,
    /// Members of the hub who are not its keepers: the households and people it serves.
    pub households: u64,
    /// The hash of the folded resources: equal on nodes that read the same.
    pub hash: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PlannedView {
    pub request_id: String,
    pub lot_id: String,
    pub request: String,
    pub lot: String,
    pub spec: String,
    pub unit: String,
    pub qty: u64,
    pub to: String,
    pub urgency: &'static str,
    pub from_place: String,
    pub expires: Option<u64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// What `allocate --commit --reviewed` checks: the plan has not changed since.
    pub digest: String,
    pub allocations: Vec<PlannedView>,
    pub demand: u64,
    pub allotted: u64,
    /// Of demand, in percent (one decimal).
    pub percent_met: String,
    /// Requests the plan leaves (partly) unmet: (request, spec, allotted, asked).
    pub unmet: Vec<(String, String, u64, u64)>,
}

fn names(node: &Node, network: &NetworkId) -> Result<HashMap<strike_core::AuthorId, String>> {
    Ok(node.members(network)?.into_iter().map(|m| (m.author, crate::networks::display_name(&m))).collect())
}

impl Node {
    /// The hub's resources as shown.
    pub fn resources(&self, network: &NetworkId) -> Result<ResourcesView> {
        self.require_hub(network)?;
        let hub = self.hub_state(network)?;
        let row = self.network(network)?;
        let me = row.my_author;
        let keeper = me.is_some_and(|m| self.keepers(network).is_ok_and(|k| k.contains(&m)));
        let now = self.now();
        let names = names(self, network)?;
        let name = |a: &strike_core::AuthorId| names.get(a).cloned().unwrap_or_else(|| a.short());
        let sealed: HashSet<OpId> =
            self.store.facts(network, Kind::SealedRequest, None)?.into_iter().map(|f| f.op_id).collect();
        let sealed_unreadable = sealed.iter().filter(|id| !hub.requests.contains_key(id)).count() as u64;
        let specs = spec_views(&hub, now);
        let spec_of = |id: &OpId| hub.specs.get(id).map(|s| (s.spec.name.clone(), s.spec.unit.clone()));
        let mut requests: Vec<RequestView> = hub
            .requests
            .iter()
            .filter(|(id, r)| r.is_open() && hub.wanted(id) + hub.needs.get(*id).map_or(0, |n| n.held) > 0)
            .map(|(id, r)| {
                let need = hub.needs.get(id).copied().unwrap_or_default();
                let (spec, unit) = spec_of(&r.intent.spec).unwrap_or_default();
                let due = CoarseTime(r.intent.due).unix_seconds();
                RequestView {
                    id: id.short(),
                    op_id: id.to_hex(),
                    spec,
                    unit,
                    qty: r.intent.qty,
                    wanted: hub.wanted(id),
                    handed: need.handed,
                    held: need.held,
                    urgency: r.intent.urgency.as_str(),
                    due,
                    overdue: due < now,
                    household: r.intent.household,
                    place: r.intent.place.clone(),
                    note: r.intent.note.clone(),
                    by: name(&r.author),
                    sealed: sealed.contains(id),
                    mine: Some(r.author) == me,
                    opened: r.time.unix_seconds(),
                    closed: r.closed.clone(),
                }
            })
            .collect();
        requests.sort_by_key(|r| (urgency_rank(r.urgency), r.due, r.op_id.clone()));
        let offers = hub
            .offers
            .iter()
            .filter(|(_, o)| o.is_open())
            .map(|(id, o)| {
                let (spec, unit) = spec_of(&o.intent.spec).unwrap_or_default();
                OfferView {
                    id: id.short(),
                    op_id: id.to_hex(),
                    spec,
                    unit,
                    qty: o.intent.qty,
                    place: o.intent.place.clone(),
                    note: o.intent.note.clone(),
                    by: name(&o.author),
                    mine: Some(o.author) == me,
                }
            })
            .collect();
        let commitments = hub
            .commitments
            .iter()
            .filter(|(_, c)| matches!(c.state, CommitState::Held | CommitState::Short))
            .map(|(id, c)| {
                let lot = hub.lots.get(&c.lot);
                let (spec, unit) = lot.and_then(|l| spec_of(&l.spec)).unwrap_or_default();
                let to = hub.requests.get(&c.request).map_or_else(
                    || "a request this node cannot read".to_string(),
                    |r| format!("{} (household of {})", name(&r.author), r.intent.household),
                );
                CommitmentView {
                    id: id.short(),
                    op_id: id.to_hex(),
                    request: c.request.short(),
                    lot: c.lot.short(),
                    spec,
                    unit,
                    qty: c.qty,
                    handed: c.handed,
                    held: c.held,
                    short: c.short,
                    state: c.state.as_str(),
                    to,
                    place: lot.map(|l| l.place.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let categories = category_views(&specs);
        let keepers = self.keepers(network)?;
        let households = self
            .members(network)?
            .iter()
            .filter(|m| m.status == strike_core::membership::Status::Member && !keepers.contains(&m.author))
            .count() as u64;
        let alerts = alerts(&hub, &specs, &categories, &requests, now);
        Ok(ResourcesView {
            network: network.to_hex(),
            name: row.name.unwrap_or_default(),
            keeper,
            specs,
            requests,
            offers,
            commitments,
            categories,
            alerts,
            sealed_unreadable,
            households,
            hash: hex::encode(hub.digest(network)),
        })
    }

    /// What campaign gates measure of a hub: `None` where this node is no member of it.
    pub fn hub_measure(&self, hub: &NetworkId) -> Result<Option<strike_core::campaign::HubMeasure>> {
        let member = self.networks()?.iter().any(|n| n.id == *hub && n.kind == Some(strike_core::NetworkKind::Hub))
            && self.me_in(hub)?.is_some_and(|m| m.status == strike_core::membership::Status::Member);
        if !member {
            return Ok(None);
        }
        let v = self.resources(hub)?;
        let now = self.now();
        Ok(Some(strike_core::campaign::HubMeasure {
            food_days: v.categories.iter().find(|c| c.category == "food").and_then(|c| c.days_left),
            households: v.households,
            oldest_critical_minutes: v
                .requests
                .iter()
                .filter(|r| r.urgency == "critical" && r.wanted > 0)
                .map(|r| now.saturating_sub(r.opened) / 60)
                .max(),
        }))
    }

    /// The lots, optionally only those expiring within `within` seconds, or of
    /// specifications below their minimum.
    pub fn lots(&self, network: &NetworkId, within: Option<u64>, below_minimum: bool) -> Result<Vec<LotView>> {
        let view = self.resources(network)?;
        let now = self.now();
        Ok(view
            .specs
            .into_iter()
            .filter(|s| !below_minimum || s.below_minimum)
            .flat_map(|s| s.lots)
            .filter(|l| within.is_none_or(|w| l.expires.is_some_and(|e| e <= now + w)))
            .collect())
    }

    /// The allocation plan for the open requests from the free stock, as the engine makes it.
    pub fn plan(&self, network: &NetworkId) -> Result<PlanView> {
        self.require_hub(network)?;
        let hub = self.hub_state(network)?;
        let now = CoarseTime::from_unix_seconds(self.now());
        let problem = problem(&hub, now);
        let plan = allocate::plan(&problem);
        let names = names(self, network)?;
        let mut digest = Vec::with_capacity(plan.allocations.len() * 72);
        let mut allocations: Vec<PlannedView> = plan
            .allocations
            .iter()
            .map(|a| {
                digest.extend_from_slice(&a.request.0);
                digest.extend_from_slice(&a.lot.0);
                digest.extend_from_slice(&a.qty.to_be_bytes());
                let lot = &hub.lots[&a.lot];
                let spec = &hub.specs[&lot.spec].spec;
                let r = &hub.requests[&a.request];
                PlannedView {
                    request_id: a.request.to_hex(),
                    lot_id: a.lot.to_hex(),
                    request: a.request.short(),
                    lot: a.lot.short(),
                    spec: spec.name.clone(),
                    unit: spec.unit.clone(),
                    qty: a.qty,
                    to: format!(
                        "{} (household of {})",
                        names.get(&r.author).cloned().unwrap_or_else(|| r.author.short()),
                        r.intent.household
                    ),
                    urgency: r.intent.urgency.as_str(),
                    from_place: lot.place.clone(),
                    expires: lot.expires.map(|e| e.unix_seconds()),
                }
            })
            .collect();
        allocations
            .sort_by(|a, b| (urgency_rank(a.urgency), &a.spec, &a.to).cmp(&(urgency_rank(b.urgency), &b.spec, &b.to)));
        let unmet = plan
            .met
            .iter()
            .filter(|(_, got, asked)| got < asked)
            .map(|(id, got, asked)| {
                let spec = hub.requests.get(id).and_then(|r| hub.specs.get(&r.intent.spec));
                (id.short(), spec.map(|s| s.spec.name.clone()).unwrap_or_default(), *got, *asked)
            })
            .collect();
        Ok(PlanView {
            digest: hex::encode(&strike_crypto::derive("openstrike 2026-12 allocation plan v1", &digest)[..8]),
            allocations,
            demand: plan.demand,
            allotted: plan.allotted,
            percent_met: permille_text(plan.allotted, plan.demand),
            unmet,
        })
    }
}

fn permille_text(part: u64, whole: u64) -> String {
    let pm = (u128::from(part) * 1000).checked_div(u128::from(whole)).unwrap_or(1000);
    format!("{}.{}%", pm / 10, pm % 10)
}

fn urgency_rank(u: &str) -> u8 {
    match u {
        "critical" => 0,
        "high" => 1,
        _ => 2,
    }
}

/// What the engine plans from: lots' free stock not expired, what open requests still want,
/// reserves and distances.
pub(crate) fn problem(hub: &Hub, now: CoarseTime) -> Problem {
    Problem {
        now,
        lots: hub
            .lots
            .iter()
            .filter(|(_, l)| l.free() > 0)
            .map(|(id, l)| Lot { id: *id, spec: l.spec, qty: l.free(), place: l.place.clone(), expires: l.expires })
            .collect(),
        requests: hub
            .requests
            .iter()
            .filter(|(id, _)| hub.wanted(id) > 0)
            .map(|(id, r)| Request {
                id: *id,
                spec: r.intent.spec,
                qty: hub.wanted(id),
                urgency: r.intent.urgency,
                due: CoarseTime(r.intent.due),
                household: r.intent.household,
                place: r.intent.place.clone(),
            })
            .collect(),
        reserves: hub.specs.iter().filter(|(_, s)| s.minimum > 0).map(|(id, s)| (*id, s.minimum)).collect(),
        distances: hub.distances.clone(),
    }
}

fn spec_views(hub: &Hub, now: u64) -> Vec<SpecView> {
    let since = CoarseTime::from_unix_seconds(now.saturating_sub(u64::from(BURN_WINDOW_DAYS) * DAY));
    let mut used: BTreeMap<OpId, u64> = BTreeMap::new();
    for u in hub.usage.iter().filter(|u| u.time >= since) {
        *used.entry(u.spec).or_default() += u.qty;
    }
    let mut out: Vec<SpecView> = hub
        .specs
        .iter()
        .map(|(id, s)| {
            let mut lots: Vec<LotView> = hub
                .lots
                .iter()
                .filter(|(_, l)| l.spec == *id && l.stock != 0)
                .map(|(lid, l)| {
                    let expires = l.expires.map(|e| e.unix_seconds());
                    let days = expires.map(|e| (e as i64 - now as i64).div_euclid(DAY as i64));
                    LotView {
                        id: lid.short(),
                        op_id: lid.to_hex(),
                        spec: s.spec.name.clone(),
                        unit: s.spec.unit.clone(),
                        qty: l.stock,
                        free: l.free(),
                        place: l.place.clone(),
                        custodian: l.custodian.clone(),
                        from: l.from.clone(),
                        expires,
                        expires_in_days: days,
                        expiry: match days {
                            None => "none",
                            Some(d) if d < 0 => "expired",
                            Some(d) if d as u64 <= EXPIRY_ALERT_DAYS => "soon",
                            Some(_) => "later",
                        },
                        overdrawn: l.stock < 0,
                        cold_chain: s.spec.cold_chain,
                    }
                })
                .collect();
            lots.sort_by_key(|l| (l.expires.unwrap_or(u64::MAX), l.op_id.clone()));
            let stock = hub.stock_of(id);
            let used_4w = used.get(id).copied().unwrap_or(0);
            SpecView {
                id: id.short(),
                op_id: id.to_hex(),
                name: s.spec.name.clone(),
                unit: s.spec.unit.clone(),
                category: s.spec.category.clone(),
                cold_chain: s.spec.cold_chain,
                shelf_life_days: s.spec.shelf_life,
                stock,
                free: lots.iter().map(|l| l.free).sum(),
                minimum: s.minimum,
                below_minimum: stock < s.minimum,
                used_4w,
                days_left: (used_4w > 0).then(|| stock * u64::from(BURN_WINDOW_DAYS) / used_4w),
                lots,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.category, a.name.to_lowercase()).cmp(&(&b.category, b.name.to_lowercase())));
    out
}

fn category_views(specs: &[SpecView]) -> Vec<CategoryView> {
    let mut out: BTreeMap<&str, CategoryView> = BTreeMap::new();
    for s in specs {
        let c = out.entry(&s.category).or_insert_with(|| CategoryView {
            category: s.category.clone(),
            days_left: None,
            limiting: String::new(),
        });
        if let Some(d) = s.days_left
            && c.days_left.is_none_or(|have| d < have)
        {
            c.days_left = Some(d);
            c.limiting = s.name.clone();
        }
    }
    out.into_values().collect()
}

fn alerts(
    hub: &Hub,
    specs: &[SpecView],
    categories: &[CategoryView],
    requests: &[RequestView],
    now: u64,
) -> Vec<AlertView> {
    let mut out = Vec::new();
    let critical = |text: String| AlertView { level: "critical", text };
    let warning = |text: String| AlertView { level: "warning", text };
    for r in requests.iter().filter(|r| r.urgency == "critical" && r.wanted > 0) {
        let hours = now.saturating_sub(r.opened) / 3600;
        out.push(critical(format!("A critical request for {} {} has been open {hours} h", r.wanted, r.unit)));
    }
    for s in specs {
        for l in s.lots.iter().filter(|l| l.overdrawn) {
            out.push(critical(format!("Lot {} of {} is overdrawn by {} {}: count it", l.id, s.name, -l.qty, s.unit)));
        }
        if s.below_minimum {
            out.push(warning(format!(
                "{}: {} {} left, below its minimum of {} {}",
                s.name, s.stock, s.unit, s.minimum, s.unit
            )));
        }
        for l in s.lots.iter().filter(|l| l.qty > 0) {
            match l.expires_in_days {
                Some(d) if d < 0 => {
                    out.push(critical(format!("{} {} of {} (lot {}) expired", l.qty, s.unit, s.name, l.id)))
                }
                Some(d) if d as u64 <= EXPIRY_ALERT_DAYS => out.push(warning(format!(
                    "{} {} of {} (lot {}, {}) expire in {d} days",
                    l.qty, s.unit, s.name, l.id, l.place
                ))),
                _ => {}
            }
        }
    }
    for c in categories {
        if let Some(d) = c.days_left.filter(|d| *d < DAYS_LEFT_ALERT) {
            out.push(warning(format!("{}: {} runs out in {d} days at the last 4 weeks' rate", c.category, c.limiting)));
        }
    }
    let short: u64 = hub.commitments.values().filter(|c| c.state == CommitState::Short).map(|c| c.short).sum();
    if short > 0 {
        out.push(critical(format!("Commitments are short by {short} units: needs a new plan (`allocate`)")));
    }
    out
}
