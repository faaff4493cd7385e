//! `openstrike bench allocate`: the allocation engine at a large hub's size (10,000 open
//! requests over 2,000 lots of 50 specifications at 20 places): the time to plan and the
//! share of demand met; and, on small instances, how the plans compare with the exact
//! optimum the brute-force reference finds.

use std::time::Instant;

use serde_json::json;
use strike_core::resources::allocate::{self, reference};

use crate::output::Output;

pub fn allocate(
    out: Output,
    requests: usize,
    lots: usize,
    specs: u8,
    places: usize,
    runs: usize,
    small: u64,
) -> anyhow::Result<()> {
    let size = reference::Size { specs, lots, requests, places, lot_qty: 250, max_qty: 40 };
    let problem = reference::random(2026, size, true);
    let stock: u64 = problem.lots.iter().map(|l| l.qty).sum();
    let mut times = Vec::new();
    let mut plan = allocate::Plan::default();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        plan = allocate::plan(&problem);
        times.push(t.elapsed().as_secs_f64());
    }
    let median = super::median(times);
    let met = plan.allotted as f64 / plan.demand.max(1) as f64;
    // Small instances: the engine's score against the exact optimum.
    let (mut equal, mut met_ratio_sum) = (0u64, 0.0f64);
    let t = Instant::now();
    for case in 0..small {
        let p = reference::random(case, reference::SMALL, false);
        let got = allocate::plan(&p);
        let score = reference::check(&p, &got);
        let best = reference::optimum(&p);
        if score == best {
            equal += 1;
        }
        // The first component of each tier's pair is minus the amount it got.
        let amount = |s: &[i128]| -> i128 { s.iter().take(s.len() - 2).step_by(2).map(|v| -v).sum() };
        met_ratio_sum += if amount(&best) == 0 { 1.0 } else { amount(&score) as f64 / amount(&best) as f64 };
    }
    let reference_s = t.elapsed().as_secs_f64();
    let ratio = met_ratio_sum / small.max(1) as f64;
    let (fold_ops, fold_s) = fold(&problem, &plan, runs);
    out.emit(
        json!({ "requests": problem.requests.len(), "lots": problem.lots.len(), "specs": specs, "places": places,
                "runs": runs, "plan_s": median, "demand": plan.demand, "stock": stock, "allotted": plan.allotted,
                "share_met": met, "allocations": plan.allocations.len(), "small_instances": small,
                "small_optimal": equal, "small_met_ratio": ratio, "reference_s": reference_s,
                "fold_ops": fold_ops, "fold_s": fold_s }),
        || {
            format!(
                "bench allocate (median of {runs}): {} requests, {} lots, {specs} specifications, {places} places\n  \
                 plan: {:.1} ms, {} allocations; demand {} units, stock {stock}, allotted {} ({:.1}% of demand)\n  \
                 against the exact optimum (brute force) on {small} small instances: {equal} optimal by every \
                 objective, units given {:.3} of the optimum's ({reference_s:.1} s)\n  \
                 the hub's fold (stock, intents, commitments) of those as {fold_ops} ops: {:.1} ms\n",
                problem.requests.len(),
                problem.lots.len(),
                median * 1e3,
                plan.allocations.len(),
                plan.demand,
                plan.allotted,
                met * 100.0,
                ratio,
                fold_s * 1e3
            )
        },
    );
    Ok(())
}

/// The same hub as ops (specifications, receives, ten consumes per lot, the requests, the
/// plan as commitments and a handover of every other one), and the median time to fold them.
fn fold(problem: &allocate::Problem, plan: &allocate::Plan, runs: usize) -> (usize, f64) {
    use std::collections::{BTreeSet, HashSet};

    use strike_core::body::{Commitment, Handover, ResourceRequest, ResourceSpec, StockEvent};
    use strike_core::resources::StockAction;
    use strike_core::resources::stock::{self, Entry};
    use strike_core::{AuthorId, Body, CoarseTime, OpId};

    let keeper = AuthorId([1; 32]);
    let mut n: u64 = 0;
    let mut next = || {
        n += 1;
        let mut id = [0u8; 32];
        id[..8].copy_from_slice(&n.to_be_bytes());
        id[8] = 0xee;
        OpId(id)
    };
    let at = |t: u32| CoarseTime(problem.now.0.saturating_sub(40_000) + t);
    let mut entries = Vec::new();
    let specs: BTreeSet<OpId> =
        problem.lots.iter().map(|l| l.spec).chain(problem.requests.iter().map(|r| r.spec)).collect();
    for spec in &specs {
        let body = Body::ResourceSpec(ResourceSpec {
            name: spec.short(),
            unit: "kg".into(),
            category: "food".into(),
            cold_chain: false,
            shelf_life: None,
        });
        entries.push(Entry { op: *spec, author: keeper, seq: entries.len() as u64, time: at(0), body });
    }
    let event = |action, spec, lot: Option<OpId>, qty, place: &str, expires: Option<CoarseTime>| {
        Body::StockEvent(StockEvent {
            action,
            spec,
            lot,
            qty,
            place: place.into(),
            expires: expires.map(|e| e.0),
            party: String::new(),
            note: String::new(),
        })
    };
    for l in &problem.lots {
        // Ten consumes of a unit each come off it below: receive them too.
        let body = event(StockAction::Receive, l.spec, None, l.qty + 10, &l.place, l.expires);
        entries.push(Entry { op: l.id, author: keeper, seq: entries.len() as u64, time: at(1), body });
        for i in 0..10 {
            let body = event(StockAction::Consume, l.spec, Some(l.id), 1, "", None);
            entries.push(Entry { op: next(), author: keeper, seq: entries.len() as u64, time: at(2 + i), body });
        }
    }
    for r in &problem.requests {
        let body = Body::ResourceRequest(ResourceRequest {
            spec: r.spec,
            qty: r.qty,
            urgency: r.urgency,
            due: r.due.0,
            household: r.household,
            place: r.place.clone(),
            note: String::new(),
        });
        entries.push(Entry { op: r.id, author: AuthorId([2; 32]), seq: entries.len() as u64, time: at(20), body });
    }
    for (i, a) in plan.allocations.iter().enumerate() {
        let c = next();
        let body = Body::Commitment(Commitment { request: a.request, lot: a.lot, qty: a.qty });
        entries.push(Entry { op: c, author: keeper, seq: entries.len() as u64, time: at(30), body });
        if i % 2 == 0 {
            let body = Body::Handover(Handover { commitment: c, qty: a.qty, note: String::new() });
            entries.push(Entry { op: next(), author: keeper, seq: entries.len() as u64, time: at(40), body });
        }
    }
    let keepers: HashSet<AuthorId> = [keeper].into();
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let hub = stock::fold(&entries, &keepers, &BTreeSet::new());
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(hub.lots.len(), problem.lots.len(), "every lot folds");
    }
    (entries.len(), super::median(times))
}
