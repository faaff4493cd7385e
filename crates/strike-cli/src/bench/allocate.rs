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
    out.emit(
        json!({ "requests": problem.requests.len(), "lots": problem.lots.len(), "specs": specs, "places": places,
                "runs": runs, "plan_s": median, "demand": plan.demand, "stock": stock, "allotted": plan.allotted,
                "share_met": met, "allocations": plan.allocations.len(), "small_instances": small,
                "small_optimal": equal, "small_met_ratio": ratio, "reference_s": reference_s }),
        || {
            format!(
                "bench allocate (median of {runs}): {} requests, {} lots, {specs} specifications, {places} places\n  \
                 plan: {:.1} ms, {} allocations; demand {} units, stock {stock}, allotted {} ({:.1}% of demand)\n  \
                 against the exact optimum (brute force) on {small} small instances: {equal} optimal by every \
                 objective, units given {:.3} of the optimum's ({reference_s:.1} s)\n",
                problem.requests.len(),
                problem.lots.len(),
                median * 1e3,
                plan.allocations.len(),
                plan.demand,
                plan.allotted,
                met * 100.0,
                ratio
            )
        },
    );
    Ok(())
}
