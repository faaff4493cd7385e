//! The allocation engine: which lot's stock goes to which request, exact and the same on
//! every node. Pure: the caller gives the lots, open requests, reserves, distances and the
//! time; the plan depends on nothing else, not even the order they are given in.
//!
//! The objective, per resource specification (lots of one specification serve only its
//! requests), in this priority order (`docs/protocol.md`, "The allocation engine"):
//!
//! 1. Requests fall into **tiers**, served in order: critical ones first, then by due day
//!    (whole days from now; overdue is day 0), then high urgency before normal. Each tier in
//!    turn gets as much as there is: critical tiers from all stock, the others only from
//!    stock above the specification's **reserve**.
//! 2. When a tier is short, its amount is shared **in proportion to need**: the integer
//!    allocation nearest the exact proportional shares `B * asked / D` (least total absolute
//!    deviation), which the largest-remainder method gives. Equal remainders go to the larger
//!    household, then the earlier due time, then the smaller request id.
//! 3. Then the lots: the units handed out are taken **first-expiring first** (least total
//!    expiry day over units; lots without expiry last), then over the **shortest distance**
//!    (least total units x distance), as one min-cost flow whose costs are the pairs
//!    (expiry day, distance) compared in that order. Expired lots are never allocated.

use std::collections::{BTreeMap, BTreeSet};

use crate::{CoarseTime, OpId};

/// How urgent a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Critical,
    High,
    Normal,
}

impl Urgency {
    pub const ALL: &[Urgency] = &[Urgency::Critical, Urgency::High, Urgency::Normal];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Critical => "critical",
            Urgency::High => "high",
            Urgency::Normal => "normal",
        }
    }

    pub fn parse(text: &str) -> Result<Urgency, String> {
        Urgency::ALL
            .iter()
            .copied()
            .find(|u| u.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| format!("{text:?} is not an urgency: critical, high or normal"))
    }
}

/// A lot of stock: a quantity of one specification at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lot {
    pub id: OpId,
    pub spec: OpId,
    /// In the specification's unit, as an integer (kg, vials, litres).
    pub qty: u64,
    pub place: String,
    pub expires: Option<CoarseTime>,
}

/// An open request (what is still wanted of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: OpId,
    pub spec: OpId,
    pub qty: u64,
    pub urgency: Urgency,
    pub due: CoarseTime,
    /// People in the household: breaks ties between equal shares.
    pub household: u16,
    pub place: String,
}

/// Everything a plan is made from.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    pub now: CoarseTime,
    pub lots: Vec<Lot>,
    pub requests: Vec<Request>,
    /// (specification, quantity kept for critical requests only).
    pub reserves: Vec<(OpId, u64)>,
    /// (place, place, distance): symmetric; a pair not listed is 0 apart.
    pub distances: Vec<(String, String, u32)>,
}

/// Units of one lot for one request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Allocation {
    pub request: OpId,
    pub lot: OpId,
    pub qty: u64,
}

/// A plan: the allocations, and what each request gets of what it asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Sorted by request, then lot.
    pub allocations: Vec<Allocation>,
    /// (request, allotted, asked), in the order requests are served.
    pub met: Vec<(OpId, u64, u64)>,
    pub demand: u64,
    pub allotted: u64,
}

const DAY: u32 = 24 * 60;
/// The expiry day of a lot that does not expire: after every real one.
const NEVER: i64 = 1 << 40;

/// A request's tier: (not critical, due day, urgency).
pub fn tier(r: &Request, now: CoarseTime) -> (bool, u32, Urgency) {
    let day = r.due.0.saturating_sub(now.0) / DAY;
    (r.urgency != Urgency::Critical, day, r.urgency)
}

/// The order requests are served in, and equal remainders broken by: tier, larger
/// household, earlier due, smaller id.
fn serve_key(r: &Request, now: CoarseTime) -> ((bool, u32, Urgency), std::cmp::Reverse<u16>, CoarseTime, OpId) {
    (tier(r, now), std::cmp::Reverse(r.household), r.due, r.id)
}

/// The integer shares of `amount` nearest to proportional to `asked` (least total absolute
/// deviation): each share is the exact one rounded down, and the units left go one each to
/// the largest remainders. Returns the shares every such allocation gives, the requests
/// whose remainder ties at the boundary (in the order given), and how many of them get one
/// more. `amount` is at most the sum asked.
pub fn apportion(amount: u64, asked: &[u64]) -> (Vec<u64>, Vec<usize>, u64) {
    let total: u128 = asked.iter().map(|&a| u128::from(a)).sum();
    if total == 0 {
        return (vec![0; asked.len()], Vec::new(), 0);
    }
    let amount = u128::from(amount).min(total);
    let mut shares: Vec<u64> = Vec::with_capacity(asked.len());
    let mut rest: Vec<(u128, usize)> = Vec::with_capacity(asked.len());
    for (i, &a) in asked.iter().enumerate() {
        let exact = amount * u128::from(a);
        shares.push(u64::try_from(exact / total).unwrap_or(u64::MAX));
        rest.push((exact % total, i));
    }
    let given: u128 = shares.iter().map(|&s| u128::from(s)).sum();
    let left = usize::try_from(amount - given).unwrap_or(usize::MAX);
    if left == 0 {
        return (shares, Vec::new(), 0);
    }
    // Largest remainder first (a stable sort keeps the given order among equal ones).
    rest.sort_by_key(|r| std::cmp::Reverse(r.0));
    let boundary = rest[left - 1].0;
    let mut tied = Vec::new();
    let mut sure = 0;
    for &(r, i) in &rest {
        if r > boundary {
            shares[i] += 1;
            sure += 1;
        } else if r == boundary {
            tied.push(i);
        }
    }
    tied.sort_unstable();
    let extra = (left - sure) as u64;
    if tied.len() as u64 == extra {
        // As many tied as units: no choice.
        for &i in &tied {
            shares[i] += 1;
        }
        return (shares, Vec::new(), 0);
    }
    (shares, tied, extra)
}

/// The plan for `p`.
pub fn plan(p: &Problem) -> Plan {
    let specs: BTreeSet<OpId> = p.requests.iter().map(|r| r.spec).collect();
    let mut out = Plan::default();
    for spec in specs {
        plan_spec(p, &spec, &mut out);
    }
    out.allocations.sort();
    out
}

fn plan_spec(p: &Problem, spec: &OpId, out: &mut Plan) {
    let mut lots: Vec<&Lot> =
        p.lots.iter().filter(|l| &l.spec == spec && l.qty > 0 && l.expires.is_none_or(|e| e > p.now)).collect();
    lots.sort_by_key(|l| (expiry(l), l.id));
    let mut requests: Vec<&Request> = p.requests.iter().filter(|r| &r.spec == spec && r.qty > 0).collect();
    requests.sort_by_key(|r| serve_key(r, p.now));
    let stock: u64 = lots.iter().map(|l| l.qty).sum();
    let reserve: u64 = p.reserves.iter().filter(|(s, _)| s == spec).map(|(_, q)| *q).max().unwrap_or(0);

    // Amounts: tier by tier. What every optimal allocation gives is fixed here; where
    // remainders tie, which requests get the units left is the flow's choice below.
    let mut base: Vec<u64> = Vec::with_capacity(requests.len());
    let mut groups: Vec<(Vec<usize>, u64)> = Vec::new();
    let (mut critical_used, mut other_used) = (0u64, 0u64);
    let mut i = 0;
    while i < requests.len() {
        let t = tier(requests[i], p.now);
        let j = i + requests[i..].iter().take_while(|r| tier(r, p.now) == t).count();
        let asked: Vec<u64> = requests[i..j].iter().map(|r| r.qty).collect();
        let want: u64 = asked.iter().sum();
        let pool = if t.0 {
            stock.saturating_sub(critical_used).saturating_sub(reserve).saturating_sub(other_used)
        } else {
            stock - critical_used
        };
        let give = want.min(pool);
        if t.0 {
            other_used += give;
        } else {
            critical_used += give;
        }
        let (shares, tied, extra) = apportion(give, &asked);
        base.extend(shares);
        if extra > 0 {
            groups.push((tied.into_iter().map(|k| i + k).collect(), extra));
        }
        i = j;
    }

    // Lots: one min-cost flow from lot classes (expiry, place) to the places requests are
    // at, and to the requests that may take one unit more. Costs are (expiry day, distance,
    // the request's place in serving order for a unit more).
    let mut lot_class: BTreeMap<(i64, &str), u64> = BTreeMap::new();
    for l in &lots {
        *lot_class.entry((expiry(l), l.place.as_str())).or_default() += l.qty;
    }
    let classes: Vec<((i64, &str), u64)> = lot_class.into_iter().collect();
    let mut place_need: BTreeMap<&str, u64> = BTreeMap::new();
    for (r, b) in requests.iter().zip(&base) {
        if *b > 0 {
            *place_need.entry(r.place.as_str()).or_default() += b;
        }
    }
    let places: Vec<(&str, u64)> = place_need.into_iter().collect();
    let slots: Vec<(usize, usize)> =
        groups.iter().enumerate().flat_map(|(g, (members, _))| members.iter().map(move |&m| (g, m))).collect();
    let dist = distances(&p.distances);
    let mut flow = Flow::new(2 + classes.len() + places.len() + slots.len() + groups.len());
    let (source, sink) = (0, 1);
    let class_node = |c: usize| 2 + c;
    let place_node = |q: usize| 2 + classes.len() + q;
    let slot_node = |s: usize| 2 + classes.len() + places.len() + s;
    let group_node = |g: usize| 2 + classes.len() + places.len() + slots.len() + g;
    for (c, ((e, at), qty)) in classes.iter().enumerate() {
        flow.edge(source, class_node(c), *qty, Cost::default());
        for (q, (to, _)) in places.iter().enumerate() {
            flow.edge(class_node(c), place_node(q), u64::MAX / 4, Cost(*e, i64::from(distance(&dist, at, to)), 0));
        }
        for (s, (_, m)) in slots.iter().enumerate() {
            let rank = i64::try_from(*m).unwrap_or(i64::MAX);
            flow.edge(
                class_node(c),
                slot_node(s),
                1,
                Cost(*e, i64::from(distance(&dist, at, &requests[*m].place)), rank),
            );
        }
    }
    for (q, (_, need)) in places.iter().enumerate() {
        flow.edge(place_node(q), sink, *need, Cost::default());
    }
    for (s, (g, _)) in slots.iter().enumerate() {
        flow.edge(slot_node(s), group_node(*g), 1, Cost::default());
    }
    for (g, (_, extra)) in groups.iter().enumerate() {
        flow.edge(group_node(g), sink, *extra, Cost::default());
    }
    let total: u64 = base.iter().sum::<u64>() + groups.iter().map(|g| g.1).sum::<u64>();
    flow.run(source, sink, total);

    // Back to lots and requests: within a class, lots in their order; within a place,
    // requests in serving order. Every unit of a class costs the same to every request at a
    // place, so this split keeps the cost, and it is fixed.
    let mut amounts = base.clone();
    let mut sent: Vec<(usize, usize, u64)> = Vec::new();
    for c in 0..classes.len() {
        for q in 0..places.len() {
            let f = flow.used(class_node(c), place_node(q));
            if f > 0 {
                sent.push((c, q, f));
            }
        }
    }
    let mut extra_to: Vec<(usize, usize)> = Vec::new();
    for c in 0..classes.len() {
        for (s, (_, m)) in slots.iter().enumerate() {
            if flow.used(class_node(c), slot_node(s)) > 0 {
                amounts[*m] += 1;
                extra_to.push((c, *m));
            }
        }
    }
    for (r, a) in requests.iter().zip(&amounts) {
        out.met.push((r.id, *a, r.qty));
        out.demand += r.qty;
        out.allotted += a;
    }
    let mut lot_left: Vec<u64> = lots.iter().map(|l| l.qty).collect();
    let mut req_left = base.clone();
    let mut pairs: Vec<(usize, usize, u64)> = Vec::new();
    for (c, q, units) in sent {
        let to = places[q].0;
        let mut units = units;
        for (ri, r) in requests.iter().enumerate() {
            if units == 0 {
                break;
            }
            if req_left[ri] == 0 || r.place != to {
                continue;
            }
            let n = units.min(req_left[ri]);
            pairs.push((c, ri, n));
            req_left[ri] -= n;
            units -= n;
        }
    }
    pairs.extend(extra_to.into_iter().map(|(c, m)| (c, m, 1)));
    for (c, ri, units) in pairs {
        let ((e, at), _) = classes[c];
        let mut units = units;
        for (li, l) in lots.iter().enumerate() {
            if units == 0 {
                break;
            }
            if lot_left[li] == 0 || l.place != at || expiry(l) != e {
                continue;
            }
            let n = units.min(lot_left[li]);
            out.allocations.push(Allocation { request: requests[ri].id, lot: l.id, qty: n });
            lot_left[li] -= n;
            units -= n;
        }
    }
    merge(&mut out.allocations);
}

/// A lot's expiry for ordering: its coarse time, or after every real one.
fn expiry(l: &Lot) -> i64 {
    l.expires.map_or(NEVER, |e| i64::from(e.0))
}

/// Allocations of the same lot to the same request, added up.
fn merge(all: &mut Vec<Allocation>) {
    all.sort();
    let mut out: Vec<Allocation> = Vec::with_capacity(all.len());
    for a in all.drain(..) {
        match out.last_mut() {
            Some(last) if last.request == a.request && last.lot == a.lot => last.qty += a.qty,
            _ => out.push(a),
        }
    }
    *all = out;
}

type DistanceTable<'a> = BTreeMap<(&'a str, &'a str), u32>;

fn distances(table: &[(String, String, u32)]) -> DistanceTable<'_> {
    let mut out = BTreeMap::new();
    for (a, b, d) in table {
        let key = if a <= b { (a.as_str(), b.as_str()) } else { (b.as_str(), a.as_str()) };
        // Listed twice: the shorter counts.
        let e = out.entry(key).or_insert(*d);
        *e = (*e).min(*d);
    }
    out
}

fn distance(table: &DistanceTable<'_>, a: &str, b: &str) -> u32 {
    if a == b {
        return 0;
    }
    let key = if a <= b { (a, b) } else { (b, a) };
    table.get(&key).copied().unwrap_or(0)
}

/// A cost compared by expiry, then distance, then the tie rule; it adds up per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cost(pub i64, pub i64, pub i64);

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost(self.0 + o.0, self.1 + o.1, self.2 + o.2)
    }
}

impl std::ops::Sub for Cost {
    type Output = Cost;
    fn sub(self, o: Cost) -> Cost {
        Cost(self.0 - o.0, self.1 - o.1, self.2 - o.2)
    }
}

impl std::ops::Mul<u64> for Cost {
    type Output = Cost;
    fn mul(self, n: u64) -> Cost {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        Cost(self.0.saturating_mul(n), self.1.saturating_mul(n), self.2.saturating_mul(n))
    }
}

struct Edge {
    to: usize,
    cap: u64,
    cost: Cost,
}

/// Min-cost flow by successive shortest paths, Dijkstra on reduced costs (every cost is
/// non-negative, and costs compare lexicographically, which adding respects). The graphs
/// are small (lot classes x places), so Dijkstra scans the nodes densely.
struct Flow {
    edges: Vec<Edge>,
    adj: Vec<Vec<usize>>,
}

impl Flow {
    fn new(n: usize) -> Flow {
        Flow { edges: Vec::new(), adj: vec![Vec::new(); n] }
    }

    fn edge(&mut self, a: usize, b: usize, cap: u64, cost: Cost) {
        self.adj[a].push(self.edges.len());
        self.edges.push(Edge { to: b, cap, cost });
        self.adj[b].push(self.edges.len());
        self.edges.push(Edge { to: a, cap: 0, cost: Cost::default() - cost });
    }

    /// The flow sent from `a` to `b` (over their edge).
    fn used(&self, a: usize, b: usize) -> u64 {
        self.adj[a].iter().filter(|&&e| e % 2 == 0 && self.edges[e].to == b).map(|&e| self.edges[e ^ 1].cap).sum()
    }

    /// Sends up to `amount` from `s` to `t` at the least cost.
    fn run(&mut self, s: usize, t: usize, mut amount: u64) {
        let n = self.adj.len();
        let mut potential = vec![Cost::default(); n];
        while amount > 0 {
            let mut best: Vec<Option<Cost>> = vec![None; n];
            let mut via: Vec<Option<usize>> = vec![None; n];
            let mut done = vec![false; n];
            best[s] = Some(Cost::default());
            loop {
                let mut u: Option<usize> = None;
                for v in 0..n {
                    if !done[v] && best[v].is_some() && u.is_none_or(|w| best[v] < best[w]) {
                        u = Some(v);
                    }
                }
                let Some(u) = u else { break };
                done[u] = true;
                let bu = best[u].unwrap_or_default();
                for &e in &self.adj[u] {
                    let edge = &self.edges[e];
                    if edge.cap == 0 || done[edge.to] {
                        continue;
                    }
                    let candidate = bu + edge.cost + potential[u] - potential[edge.to];
                    if best[edge.to].is_none_or(|b| candidate < b) {
                        best[edge.to] = Some(candidate);
                        via[edge.to] = Some(e);
                    }
                }
            }
            if best[t].is_none() {
                return;
            }
            for v in 0..n {
                if let Some(b) = best[v] {
                    potential[v] = potential[v] + b;
                }
            }
            let mut push = amount;
            let mut v = t;
            while let Some(e) = via[v] {
                push = push.min(self.edges[e].cap);
                v = self.edges[e ^ 1].to;
            }
            let mut v = t;
            while let Some(e) = via[v] {
                self.edges[e].cap -= push;
                self.edges[e ^ 1].cap += push;
                v = self.edges[e ^ 1].to;
            }
            amount -= push;
        }
    }
}

pub mod reference;

#[cfg(test)]
mod tests;
