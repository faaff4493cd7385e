//! `openstrike bench aid`: mutual aid at a large crisis team's scale. The queue's fold (each
//! request's updates: claims racing, progress, notes, stale holdings, resolves), requests and
//! updates a second, and the same standings from the updates shuffled; then opening the team's
//! sealed notes (what a team member's node does to read its queue) against a member outside the
//! team trying every note with keys that do not fit.

use std::time::Instant;

use rand::{RngExt, SeedableRng};
use serde_json::json;
use strike_core::aid::queue::{self, Roles, UpdateIn};
use strike_core::aid::{Action, AidNote, AidRequest, AidSealed, AidTargets, AidUpdate};
use strike_core::resources::Urgency;
use strike_core::{AuthorId, CoarseTime, NetworkId, OpId};

use crate::output::Output;

fn request(i: usize) -> AidRequest {
    AidRequest {
        category: strike_core::aid::CATEGORIES[i % strike_core::aid::CATEGORIES.len()].into(),
        urgency: [Urgency::Critical, Urgency::High, Urgency::Normal][i % 3],
        text: format!("Request {i}: rent short, a lift to the hospital, the fridge is empty"),
        place: String::new(),
        due: 0,
        circles: vec![],
        networks: vec![],
        share: vec![],
        link: vec![],
    }
}

/// `per` updates for each of `n` requests, from ten responders, over two days.
fn updates(n: usize, per: usize) -> Vec<Vec<UpdateIn>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let start = 29_000_000u32;
    let mut seq = 0u64;
    (0..n)
        .map(|r| {
            (0..per)
                .map(|_| {
                    seq += 1;
                    let mut op = [0u8; 32];
                    op[..8].copy_from_slice(&seq.to_be_bytes());
                    let action = [Action::Claim, Action::Claim, Action::Progress, Action::Note, Action::Resolve]
                        [rng.random_range(0..5)];
                    UpdateIn {
                        op: OpId(op),
                        author: AuthorId([rng.random_range(1..=10u8); 32]),
                        seq,
                        time: CoarseTime(start + rng.random_range(0..2 * 24 * 60)),
                        body: AidUpdate {
                            request: OpId([(r % 251) as u8; 32]),
                            action,
                            note: String::new(),
                            target: Vec::new(),
                        },
                    }
                })
                .collect()
        })
        .collect()
}

pub fn aid(out: Output, n: usize, per: usize, notes: usize, runs: usize) -> anyhow::Result<()> {
    let requests: Vec<AidRequest> = (0..n).map(request).collect();
    let all = updates(n, per);
    let responder = |a: &AuthorId| (1..=10).contains(&a.0[0]);
    let organizer = |a: &AuthorId| a.0[0] == 1;
    let roles = Roles { requester: AuthorId([99; 32]), responder: &responder, organizer: &organizer };
    let targets = AidTargets::default();
    let now = CoarseTime(29_000_000 + 2 * 24 * 60 + 30);
    let fold = |lists: &[Vec<UpdateIn>]| -> Vec<queue::Standing> {
        requests.iter().zip(lists).map(|(r, u)| queue::fold(r, &roles, u, &targets, now)).collect()
    };
    let mut times = Vec::new();
    let mut standings = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        standings = fold(&all);
        times.push(t.elapsed().as_secs_f64());
    }
    let fold_s = super::median(times);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut shuffled = all.clone();
    for list in &mut shuffled {
        for i in (1..list.len()).rev() {
            list.swap(i, rng.random_range(0..=i));
        }
    }
    let same = fold(&shuffled) == standings;
    anyhow::ensure!(same, "the queue folded differently from shuffled updates");
    let open = standings.iter().filter(|s| !s.state.closed()).count();
    let returned = standings.iter().filter(|s| s.returned).count();
    let overruled = standings.iter().flat_map(|s| &s.history).filter(|h| h.ignored.is_some()).count();

    // Sealed notes: seal `notes` to a team's entry key, then open them as the team and as an
    // outsider whose keys do not fit.
    let network = NetworkId([5; 32]);
    let circle_key = [6u8; 32];
    let entry = strike_core::circles::entry_secret(&circle_key).public();
    let reader = strike_crypto::AgreementSecret::from_bytes([7; 32]).public();
    let mut crng = rand::rng();
    let sealed: Vec<AidNote> = (0..notes)
        .map(|i| {
            AidNote::seal(&network, &OpId([8; 32]), 1, &entry.0, &reader, &AidSealed::Request(request(i)), &mut crng)
        })
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("sealing: {e}"))?;
    let mut team_times = Vec::new();
    let mut outside_times = Vec::new();
    let mut opened = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        opened = sealed.iter().filter(|n| n.open(&network, &circle_key).is_some()).count();
        team_times.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let leaked = sealed.iter().filter(|n| n.open(&network, &[9; 32]).is_some()).count();
        outside_times.push(t.elapsed().as_secs_f64());
        anyhow::ensure!(leaked == 0, "an outsider opened a note");
    }
    anyhow::ensure!(opened == notes, "the team opened {opened} of {notes} notes");
    let (team_s, outside_s) = (super::median(team_times), super::median(outside_times));
    let updates_n = n * per;
    out.emit(
        json!({ "requests": n, "updates": updates_n, "runs": runs, "fold_s": fold_s,
                "updates_per_s": updates_n as f64 / fold_s, "shuffled_same": same, "open": open,
                "returned": returned, "not_counted": overruled, "notes": notes, "team_open_s": team_s,
                "notes_per_s": notes as f64 / team_s, "outsider_s": outside_s }),
        || {
            format!(
                "bench aid (median of {runs}): {n} requests with {updates_n} updates folded in {:.1} ms \
                 ({:.0} updates/s)\n  {open} still open, {returned} returned to the queue after a stale claim, \
                 {overruled} updates that do not count; shuffled: the same standings\n  \
                 {notes} sealed notes opened by the team in {:.1} ms ({:.0} notes/s); an outsider's keys open none \
                 ({:.1} ms to try them all)\n",
                fold_s * 1e3,
                updates_n as f64 / fold_s,
                team_s * 1e3,
                notes as f64 / team_s,
                outside_s * 1e3
            )
        },
    );
    Ok(())
}
