//! `bench circles`: what a circle's key rotation costs. A circle of 400 members (the most
//! one key op holds) given a fresh key after someone leaves, and every circle at once when a
//! member of 20 circles is removed from the network: time, and the bytes of the ops written.
//! The network is built as `bench ui` builds it: members' join requests through ingest, the
//! founder's vouches.

use std::time::Instant;

use serde_json::json;
use strike_core::{AuthorId, NetworkId};
use strike_node::Node;

use super::ui::{Admitted, admitted};
use crate::output::Output;

/// Bytes of every op the node holds in `network`.
fn log_bytes(node: &Node, network: &NetworkId) -> anyhow::Result<u64> {
    let mut total = 0u64;
    node.store().for_each_op(network, |op| {
        total += op.len() as u64;
        Ok(())
    })??;
    Ok(total)
}

/// Runs `f` and returns (seconds, bytes of ops it wrote).
fn measured(
    node: &mut Node,
    network: &NetworkId,
    f: impl FnOnce(&mut Node) -> anyhow::Result<()>,
) -> anyhow::Result<(f64, u64)> {
    let before = log_bytes(node, network)?;
    let started = Instant::now();
    f(node)?;
    let secs = started.elapsed().as_secs_f64();
    Ok((secs, log_bytes(node, network)?.saturating_sub(before)))
}

pub fn circles(out: Output, members: usize, circles: usize, runs: usize) -> anyhow::Result<()> {
    let runs = runs.max(1);
    let tmp = tempfile::tempdir()?;
    let Admitted { node: mut sam, network, members: people, .. } =
        admitted(&tmp.path().join("sam"), "Bench circles", members)?;
    let ids: Vec<AuthorId> = people.iter().map(|m| AuthorId(m.signing.public().0)).collect();

    // 1. One circle of `members`: Sam and everyone else. Each run takes one out (a fresh key
    // to the rest), then adds them back (a fresh key to all).
    let big = sam.create_circle(&network, "Everyone", "")?;
    let started = Instant::now();
    sam.add_many_to_circle(&network, &big, &ids)?;
    let fill = started.elapsed().as_secs_f64();
    let size = sam.circle(&network, &big)?.size;
    anyhow::ensure!(size == members, "the circle holds {size} of {members}");
    let mut leave = Vec::new();
    let mut join = Vec::new();
    for r in 0..runs {
        let who = ids[r % ids.len()];
        leave.push(measured(&mut sam, &network, |n| Ok(n.remove_from_circle(&network, &big, &who).map(drop)?))?);
        join.push(measured(&mut sam, &network, |n| Ok(n.add_to_circle(&network, &big, &who).map(drop)?))?);
    }

    // 2. `circles` circles of 20, each holding the same `runs` members; each run removes one
    // of those from the network: the network key rotates, then every circle's.
    let (victims, rest) = ids.split_at(runs.min(ids.len()));
    let mut circle_ids = Vec::new();
    for c in 0..circles {
        let id = sam.create_circle(&network, &format!("Circle {c}"), "")?;
        let mut inside: Vec<AuthorId> = victims.to_vec();
        inside.extend(rest.iter().skip(c * 7).take(20usize.saturating_sub(victims.len() + 1)));
        sam.add_many_to_circle(&network, &id, &inside)?;
        circle_ids.push(id);
    }
    let mut removals = Vec::new();
    for victim in victims {
        let sizes: Vec<usize> = circle_ids
            .iter()
            .chain([&big])
            .map(|c| sam.circle(&network, c).map(|v| v.size))
            .collect::<Result<_, _>>()?;
        // `member remove`: the removal, the network key's rotation, then every circle's.
        let (secs, bytes) = measured(&mut sam, &network, |n| Ok(n.remove(&network, victim).map(drop)?))?;
        let after: Vec<usize> = circle_ids
            .iter()
            .chain([&big])
            .map(|c| sam.circle(&network, c).map(|v| v.size))
            .collect::<Result<_, _>>()?;
        anyhow::ensure!(
            sizes.iter().zip(&after).all(|(b, a)| a + 1 == *b),
            "every circle has a fresh key without the removed member: {sizes:?} -> {after:?}"
        );
        anyhow::ensure!(sam.circle_upkeep(&network)?.rotated == 0, "nothing left to rotate");
        removals.push((secs, bytes));
    }
    let med = |v: Vec<f64>| super::median(v);
    let leave_s = med(leave.iter().map(|x| x.0).collect());
    let leave_b = med(leave.iter().map(|x| x.1 as f64).collect());
    let join_s = med(join.iter().map(|x| x.0).collect());
    let join_b = med(join.iter().map(|x| x.1 as f64).collect());
    let rm_s = med(removals.iter().map(|x| x.0).collect());
    let rm_b = med(removals.iter().map(|x| x.1 as f64).collect());
    out.emit(
        json!({ "members": members, "runs": runs, "fill_s": fill,
                "leave_rotation": { "median_s": leave_s, "median_bytes": leave_b },
                "join_rotation": { "median_s": join_s, "median_bytes": join_b },
                "removal": { "circles": circles + 1, "median_s": rm_s, "median_bytes": rm_b } }),
        || {
            format!(
                "bench circles (median of {runs}):\n\
                 \x20 a circle of {members}: filled in {fill:.2} s (one transaction, one key)\n\
                 \x20   one leaves, a fresh key to {}: {:.3} s, {} written\n\
                 \x20   they come back, a fresh key to {members}: {:.3} s, {} written\n\
                 \x20 a member of {} circles ({circles} of 20 members, and the circle of {members}) removed from the network:\n\
                 \x20   the network key and every circle's rotated: {:.3} s, {} written\n",
                members - 1,
                leave_s,
                indicatif::HumanBytes(leave_b as u64),
                join_s,
                indicatif::HumanBytes(join_b as u64),
                circles + 1,
                rm_s,
                indicatif::HumanBytes(rm_b as u64),
            )
        },
    );
    Ok(())
}
