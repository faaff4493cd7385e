//! The exact reference for the allocation engine: the objective a plan scores, and the
//! optimum found by trying every integer amount for every request and every way to give it
//! from the lots. Exponential: only for small instances, which the tests (2,000 random ones)
//! and `openstrike bench allocate` compare the engine with. Also a generator of random
//! instances, deterministic in its seed.

use std::collections::{BTreeMap, BTreeSet};

use super::{Cost, DAY, Lot, Plan, Problem, Request, Urgency, distance, distances, expiry, tier};
use crate::{CoarseTime, OpId};

type TierKey = (bool, u32, Urgency);

/// The objective a plan scores, in priority order: per tier (served order) the amount it
/// gets (higher is better, so negated) and the deviation from proportional shares scaled
/// to integers; then the lots' (expiry, distance) cost. Lower is better, compared in order.
pub fn score(p: &Problem, amounts: &BTreeMap<OpId, u64>, transport: Cost) -> Vec<i128> {
    // Specifications are independent: each one's tiers, in order.
    let mut tiers: BTreeMap<(OpId, TierKey), Vec<&Request>> = BTreeMap::new();
    for r in &p.requests {
        tiers.entry((r.spec, tier(r, p.now))).or_default().push(r);
    }
    let mut out = Vec::new();
    for (_, rs) in tiers {
        let b: i128 = rs.iter().map(|r| i128::from(amounts[&r.id])).sum();
        let d: i128 = rs.iter().map(|r| i128::from(r.qty)).sum();
        out.push(-b);
        out.push(rs.iter().map(|r| (i128::from(amounts[&r.id]) * d - b * i128::from(r.qty)).abs()).sum());
    }
    out.push(i128::from(transport.0));
    out.push(i128::from(transport.1));
    out
}

fn unit_cost(p: &Problem, lot: &Lot, req: &Request) -> Cost {
    let dist = distances(&p.distances);
    Cost(expiry(lot), i64::from(distance(&dist, &lot.place, &req.place)), 0)
}

/// Checks a plan is feasible (panics if not: this is for tests and benchmarks) and returns
/// its score.
pub fn check(p: &Problem, plan: &Plan) -> Vec<i128> {
    let mut from_lot: BTreeMap<OpId, u64> = BTreeMap::new();
    let mut to_req: BTreeMap<OpId, u64> = p.requests.iter().map(|r| (r.id, 0)).collect();
    let mut cost = Cost::default();
    for a in &plan.allocations {
        let lot = p.lots.iter().find(|l| l.id == a.lot).expect("a lot of the problem");
        let req = p.requests.iter().find(|r| r.id == a.request).expect("a request of the problem");
        assert_eq!(lot.spec, req.spec, "a lot serves its own specification");
        assert!(lot.expires.is_none_or(|e| e > p.now), "no expired lot");
        *from_lot.entry(a.lot).or_default() += a.qty;
        *to_req.get_mut(&a.request).expect("a request of the problem") += a.qty;
        cost = cost + unit_cost(p, lot, req) * a.qty;
    }
    for l in &p.lots {
        assert!(from_lot.get(&l.id).copied().unwrap_or(0) <= l.qty, "a lot gives at most what it holds");
    }
    for r in &p.requests {
        assert!(to_req[&r.id] <= r.qty, "a request gets at most what it asked");
        let met = plan.met.iter().find(|m| m.0 == r.id).expect("every request is in met");
        assert_eq!(met.1, to_req[&r.id], "met says what the allocations give");
    }
    assert!(within_stock(p, &to_req), "within stock, the reserve kept from non-critical requests");
    score(p, &to_req, cost)
}

/// Every way to give each request's amount from the lots: the least (expiry, distance).
fn best_transport(p: &Problem, amounts: &BTreeMap<OpId, u64>) -> Option<Cost> {
    fn go(
        p: &Problem,
        reqs: &[&Request],
        amounts: &BTreeMap<OpId, u64>,
        left: &mut Vec<u64>,
        lots: &[&Lot],
    ) -> Option<Cost> {
        let Some((r, rest)) = reqs.split_first() else { return Some(Cost::default()) };
        // Split this request's amount over the lots of its specification in every way.
        fn split(
            p: &Problem,
            r: &Request,
            i: usize,
            need: u64,
            left: &mut Vec<u64>,
            lots: &[&Lot],
            then: &mut dyn FnMut(&mut Vec<u64>) -> Option<Cost>,
        ) -> Option<Cost> {
            if need == 0 {
                return then(left);
            }
            if i == lots.len() {
                return None;
            }
            let mut best: Option<Cost> = None;
            let max = if lots[i].spec == r.spec { need.min(left[i]) } else { 0 };
            for take in 0..=max {
                left[i] -= take;
                if let Some(c) = split(p, r, i + 1, need - take, left, lots, then) {
                    let c = c + unit_cost(p, lots[i], r) * take;
                    best = Some(best.map_or(c, |b: Cost| b.min(c)));
                }
                left[i] += take;
            }
            best
        }
        split(p, r, 0, amounts[&r.id], left, lots, &mut |left| go(p, rest, amounts, left, lots))
    }
    let lots: Vec<&Lot> = p.lots.iter().filter(|l| l.expires.is_none_or(|e| e > p.now)).collect();
    let mut left: Vec<u64> = lots.iter().map(|l| l.qty).collect();
    let reqs: Vec<&Request> = p.requests.iter().collect();
    go(p, &reqs, amounts, &mut left, &lots)
}

/// Whether `amounts` keep within each specification's stock, and leave its reserve to
/// critical requests.
fn within_stock(p: &Problem, amounts: &BTreeMap<OpId, u64>) -> bool {
    p.requests.iter().map(|r| r.spec).collect::<BTreeSet<_>>().into_iter().all(|spec| {
        let stock: u64 =
            p.lots.iter().filter(|l| l.spec == spec && l.expires.is_none_or(|e| e > p.now)).map(|l| l.qty).sum();
        let reserve = p.reserves.iter().filter(|(s, _)| *s == spec).map(|(_, q)| *q).max().unwrap_or(0);
        let sum = |critical: bool| -> u64 {
            p.requests
                .iter()
                .filter(|r| r.spec == spec && (r.urgency == Urgency::Critical) == critical)
                .map(|r| amounts[&r.id])
                .sum()
        };
        let (c, o) = (sum(true), sum(false));
        c <= stock && (o == 0 || c + o + reserve <= stock)
    })
}

/// The exact optimum by brute force: every integer amount for every request that the stock
/// and reserves allow, the best lots for each, the least score.
pub fn optimum(p: &Problem) -> Vec<i128> {
    let mut best: Option<Vec<i128>> = None;
    let n = p.requests.len();
    let mut amounts = vec![0u64; n];
    loop {
        let map: BTreeMap<OpId, u64> = p.requests.iter().map(|r| r.id).zip(amounts.iter().copied()).collect();
        let feasible = within_stock(p, &map);
        if feasible && let Some(t) = best_transport(p, &map) {
            let s = score(p, &map, t);
            if best.as_ref().is_none_or(|b| s < *b) {
                best = Some(s);
            }
        }
        // Next amounts vector.
        let mut i = 0;
        while i < n {
            if amounts[i] < p.requests[i].qty {
                amounts[i] += 1;
                break;
            }
            amounts[i] = 0;
            i += 1;
        }
        if i == n {
            break;
        }
    }
    best.expect("giving nothing is always feasible")
}

/// How big a random instance is.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub specs: u8,
    pub lots: usize,
    pub requests: usize,
    pub places: usize,
    /// Lots hold 0..=lot_qty, requests ask 1..=max_qty, reserves 0..=max_qty.
    pub lot_qty: u64,
    pub max_qty: u64,
}

/// Instances the brute force solves in well under a millisecond.
pub const SMALL: Size = Size { specs: 2, lots: 3, requests: 4, places: 3, lot_qty: 4, max_qty: 4 };

/// SplitMix64: a few lines, the same numbers everywhere.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in lo..=hi.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn numbered(n: u64) -> OpId {
    let mut id = [0u8; 32];
    id[..8].copy_from_slice(&n.to_be_bytes());
    id[8] = 0xa1;
    OpId(id)
}

/// A random instance of `size` (up to `size` lots and requests for the small ones, exactly
/// that many for the large): specs, lots with expiries (some past), requests of every
/// urgency due over three days, reserves, and distances between places.
pub fn random(seed: u64, size: Size, exact_counts: bool) -> Problem {
    let mut m = Mix(seed);
    let now = CoarseTime(1_000_000);
    let specs = if exact_counts { u64::from(size.specs.max(1)) } else { m.range(1, u64::from(size.specs.max(1))) };
    let places: Vec<String> = (0..size.places.max(1)).map(|i| format!("Place {i}")).collect();
    let count = |m: &mut Mix, n: usize| if exact_counts { n } else { m.range(1, n as u64) as usize };
    let n_lots = count(&mut m, size.lots);
    let lots = (0..n_lots)
        .map(|i| Lot {
            id: numbered(1_000_000 + i as u64),
            spec: numbered(m.range(1, specs)),
            qty: m.range(0, size.lot_qty),
            place: places[m.range(0, places.len() as u64 - 1) as usize].clone(),
            expires: match m.range(0, 3) {
                0 => None,
                1 => Some(CoarseTime(now.0 - 10)),
                k => Some(CoarseTime(now.0 + u32::try_from(k).unwrap_or(0) * 5 * DAY)),
            },
        })
        .collect();
    let urgencies = [Urgency::Critical, Urgency::High, Urgency::Normal];
    let n_requests = count(&mut m, size.requests);
    let requests = (0..n_requests)
        .map(|i| Request {
            id: numbered(2_000_000 + i as u64),
            spec: numbered(m.range(1, specs)),
            qty: m.range(1, size.max_qty),
            urgency: urgencies[m.range(0, 2) as usize],
            due: CoarseTime(
                now.0 + u32::try_from(m.range(0, 2)).unwrap_or(0) * DAY + u32::try_from(m.range(0, 59)).unwrap_or(0),
            ),
            household: u16::try_from(m.range(1, 5)).unwrap_or(1),
            place: places[m.range(0, places.len() as u64 - 1) as usize].clone(),
        })
        .collect();
    let mut reserves = Vec::new();
    for s in 1..=specs {
        if m.range(0, 1) == 1 {
            reserves.push((numbered(s), m.range(0, size.max_qty)));
        }
    }
    let mut distances = Vec::new();
    for (i, a) in places.iter().enumerate() {
        for b in &places[i + 1..] {
            distances.push((a.clone(), b.clone(), u32::try_from(m.range(0, 9)).unwrap_or(0)));
        }
    }
    Problem { now, lots, requests, reserves, distances }
}
