//! `openstrike bench stv`: the ranked count at an assembly's largest: 100,000 ballots over 12
//! candidates for 3 seats by single transferable vote (the goal: under a second on one
//! core), ballots ranking 1 to 12 candidates drawn by weight.

use std::time::Instant;

use rand::{RngExt, SeedableRng};
use serde_json::json;
use strike_core::votes::count::{self, Ranked};

use crate::output::Output;

pub fn stv(out: Output, ballots: usize, candidates: usize, seats: usize, runs: usize) -> anyhow::Result<()> {
    anyhow::ensure!(candidates >= seats && seats > 0, "seats are 1 to the number of candidates");
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let weights: Vec<u64> = (0..candidates).map(|_| rng.random_range(1..=20)).collect();
    let papers: Vec<Ranked> = (0..ballots)
        .map(|_| {
            let mut remaining: Vec<usize> = (0..candidates).collect();
            let mut ranking = Vec::new();
            for _ in 0..rng.random_range(1..=candidates) {
                let mut r = rng.random_range(0..remaining.iter().map(|c| weights[*c]).sum::<u64>());
                let at = remaining.iter().position(|c| {
                    r < weights[*c] || {
                        r -= weights[*c];
                        false
                    }
                });
                ranking.push(remaining.remove(at.expect("r is below the total")));
            }
            Ranked { ranking, count: 1 }
        })
        .collect();
    let mut times = Vec::new();
    let mut outcome = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        outcome = Some(count::stv(candidates, &papers, seats));
        times.push(t.elapsed().as_secs_f64());
    }
    let o = outcome.expect("at least one run");
    let median = super::median(times);
    out.emit(
        json!({ "ballots": ballots, "candidates": candidates, "seats": seats, "runs": runs, "count_s": median,
                "rounds": o.rounds.len(), "elected": o.elected, "complete": o.complete, "quota": o.quota }),
        || {
            format!(
                "bench stv (median of {runs}): {ballots} ranked ballots over {candidates} candidates for {seats} seats \
                 counted in {:.1} ms, {} rounds (quota {}): elected {:?}{}\n",
                median * 1e3,
                o.rounds.len(),
                o.quota,
                o.elected,
                if o.complete { "" } else { " (a tie it could not break)" }
            )
        },
    );
    Ok(())
}
