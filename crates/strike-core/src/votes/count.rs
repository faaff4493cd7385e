//! The ranked counts: single transferable vote for several seats, and instant runoff (the same
//! count for one seat), by the Scottish STV rules as VoteIT's stvpoll 0.5.6 counts them (its
//! results are this module's test fixtures, `stvpoll-fixtures.txt`, made by
//! `stvpoll_fixtures.py` beside it). Exact: ballot values are integers of 1/100,000.
//!
//! - **Quota** (Droop): floor(ballots / (seats + 1)) + 1, over the ballots that rank anyone.
//! - Each round counts every ballot for its highest-ranked candidate still standing, at the
//!   ballot's value (1 to start with).
//! - When no more candidates stand than seats are left, all of them are elected, most votes
//!   first.
//! - Otherwise every candidate at or above the quota is elected, most votes first (equal votes:
//!   in candidate order), and their surpluses are transferred one after the other: each ballot
//!   counted for the candidate, read for its next preference among those still standing and the
//!   winners not yet transferred, has its value multiplied by (votes - quota) / votes, rounded
//!   half to even at 5 decimal places, and counts for that preference (or is exhausted). (As in
//!   stvpoll, the ballots a winner passes on are those whose first preference among that winner
//!   and the candidates still standing is the winner.)
//! - Otherwise the candidate with the fewest votes is excluded and their ballots pass on at full
//!   value. **Ties** for fewest: the candidate with fewer votes in the latest earlier round in
//!   which the tied candidates differ; tied in every round, the count cannot finish
//!   (`complete: false`) and the proposal says so, rather than draw lots.

use std::cmp::Reverse;

/// A ballot's value is counted in these parts of one vote.
pub const SCALE: i128 = 100_000;

/// Ballots that rank the candidates (by index, most preferred first) the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub ranking: Vec<usize>,
    pub count: u64,
}

/// What a round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    Elected,
    Excluded,
}

/// One round of a count: the votes each standing candidate had at its start (in 1/[`SCALE`]),
/// and who was elected or excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub votes: Vec<Option<i128>>,
    pub selection: Selection,
    pub selected: Vec<usize>,
    /// Value exhausted so far (ballots with no preference left).
    pub exhausted: i128,
}

/// A count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// In the order elected.
    pub elected: Vec<usize>,
    pub rounds: Vec<Round>,
    pub quota: u64,
    /// Ballots that ranked nobody.
    pub empty: u64,
    /// False when a tie for exclusion could not be broken.
    pub complete: bool,
}

struct Paper<'a> {
    ranking: &'a [usize],
    count: i128,
    /// Its value per ballot, in 1/SCALE.
    value: i128,
}

impl Paper<'_> {
    fn next(&self, among: impl Fn(usize) -> bool) -> Option<usize> {
        self.ranking.iter().copied().find(|c| among(*c))
    }
}

/// `num / den` rounded half to even (den > 0).
fn round_half_even(num: i128, den: i128) -> i128 {
    let (q, r) = (num.div_euclid(den), num.rem_euclid(den));
    match (2 * r).cmp(&den) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// Single transferable vote for `seats` of `candidates` (instant runoff when `seats` is 1).
pub fn stv(candidates: usize, ballots: &[Ranked], seats: usize) -> Outcome {
    let mut papers: Vec<Paper<'_>> = ballots
        .iter()
        .filter(|b| !b.ranking.is_empty())
        .map(|b| Paper { ranking: &b.ranking, count: i128::from(b.count), value: SCALE })
        .collect();
    let empty = ballots.iter().filter(|b| b.ranking.is_empty()).map(|b| b.count).sum();
    let total: u64 = ballots.iter().filter(|b| !b.ranking.is_empty()).map(|b| b.count).sum();
    let quota = total / (seats as u64 + 1) + 1;
    let q = i128::from(quota) * SCALE;
    let mut standing = vec![true; candidates];
    let mut out = Outcome { elected: Vec::new(), rounds: Vec::new(), quota, empty, complete: true };
    let mut exhausted = 0i128;
    while standing.iter().any(|s| *s) && out.elected.len() < seats {
        let mut votes: Vec<Option<i128>> = standing.iter().map(|s| s.then_some(0)).collect();
        for p in &papers {
            if let Some(c) = p.next(|c| standing[c]) {
                *votes[c].as_mut().expect("standing") += p.value * p.count;
            }
        }
        let by_votes = |set: &mut Vec<usize>| set.sort_by_key(|c| (Reverse(votes[*c]), *c));
        let mut left: Vec<usize> = (0..candidates).filter(|c| standing[*c]).collect();
        if left.len() <= seats - out.elected.len() {
            by_votes(&mut left);
            out.rounds.push(Round { votes, selection: Selection::Elected, selected: left.clone(), exhausted });
            out.elected.extend(left);
            break;
        }
        let mut above: Vec<usize> = left.iter().copied().filter(|c| votes[*c] >= Some(q)).collect();
        if !above.is_empty() {
            by_votes(&mut above);
            out.rounds.push(Round {
                votes: votes.clone(),
                selection: Selection::Elected,
                selected: above.clone(),
                exhausted,
            });
            for c in &above {
                standing[*c] = false;
            }
            out.elected.extend(above.iter().copied());
            // Serial transfer of each winner's surplus.
            let mut count: Vec<i128> = votes.iter().map(|v| v.unwrap_or(0)).collect();
            for (i, c) in above.iter().copied().enumerate() {
                let queue = &above[i + 1..];
                let v = count[c];
                let mut moved = vec![0i128; candidates];
                for p in papers.iter_mut().filter(|p| p.next(|x| x == c || standing[x]) == Some(c)) {
                    p.value = round_half_even(p.value * (v - q), v);
                    match p.next(|x| standing[x] || queue.contains(&x)) {
                        Some(to) => moved[to] += p.value * p.count,
                        None => exhausted += p.value * p.count,
                    }
                }
                for (t, m) in moved.into_iter().enumerate() {
                    count[t] += m;
                }
            }
            continue;
        }
        let low = left.iter().map(|c| votes[*c]).min().expect("someone stands");
        let tied: Vec<usize> = left.iter().copied().filter(|c| votes[*c] == low).collect();
        let Some(out_c) = break_tie(&out.rounds, tied) else {
            out.complete = false;
            return out;
        };
        out.rounds.push(Round { votes, selection: Selection::Excluded, selected: vec![out_c], exhausted });
        standing[out_c] = false;
        for p in papers.iter_mut().filter(|p| p.next(|x| x == out_c || standing[x]) == Some(out_c)) {
            if p.next(|x| standing[x]).is_none() {
                exhausted += p.value * p.count;
            }
        }
    }
    out
}

/// The one of `tied` to exclude: fewest votes in the latest earlier round that tells them apart.
fn break_tie(rounds: &[Round], mut tied: Vec<usize>) -> Option<usize> {
    if tied.len() == 1 {
        return tied.pop();
    }
    for r in rounds.iter().rev() {
        let low = tied.iter().filter_map(|c| r.votes[*c]).min()?;
        tied.retain(|c| r.votes[*c] == Some(low));
        if tied.len() == 1 {
            return tied.pop();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(r: &[usize], count: u64) -> Ranked {
        Ranked { ranking: r.to_vec(), count }
    }

    /// Wikipedia's food election (as in stvpoll's README): orange 0, chocolate 1, pear 2,
    /// strawberry 3, bonbon 4; three seats.
    #[test]
    fn the_food_election() {
        let ballots = [
            ranked(&[0], 4),
            ranked(&[2, 0], 2),
            ranked(&[1, 3], 8),
            ranked(&[1, 4], 4),
            ranked(&[3], 1),
            ranked(&[4], 1),
        ];
        let o = stv(5, &ballots, 3);
        assert_eq!((o.quota, o.elected.clone(), o.complete), (6, vec![1, 0, 3], true));
        // Chocolate's 12 votes: a surplus of 6, each ballot passes on at 0.5.
        assert_eq!(o.rounds[0].votes[1], Some(12 * SCALE));
        assert_eq!(o.rounds[1].votes[3], Some(5 * SCALE));
    }

    /// A winner above the quota in the first round, exhausted ballots, and an instant runoff.
    #[test]
    fn surplus_exhaustion_and_a_runoff() {
        // 10 ballots, one seat: quota 6. A 4, B 3, C 3 (C's rank B next; B's rank nobody).
        let ballots = [ranked(&[0], 4), ranked(&[1], 3), ranked(&[2, 1], 3), ranked(&[], 2)];
        let o = stv(3, &ballots, 1);
        assert_eq!((o.quota, o.empty), (6, 2));
        // B and C tie at 3 with no earlier round: the count cannot finish.
        assert!(!o.complete);
        let ballots = [ranked(&[0], 4), ranked(&[1], 3), ranked(&[2, 1], 1), ranked(&[2], 1)];
        let o = stv(3, &ballots, 1);
        // 9 ballots: quota 5. A 4, B 3, C 2: C out, one ballot to B, one exhausted. A 4 and B 4
        // tie for fewest: B had fewer in the round before, so B is out and A, the last
        // standing, is elected.
        assert_eq!((o.quota, o.elected.clone()), (5, vec![0]));
        assert_eq!((o.rounds[1].votes[0], o.rounds[1].votes[1]), (Some(4 * SCALE), Some(4 * SCALE)));
        assert_eq!((o.rounds[1].selected.clone(), o.rounds[1].exhausted), (vec![1], SCALE));
        // Three seats over two candidates' first preferences: a winner above quota at once.
        let ballots = [ranked(&[0, 1, 2], 9), ranked(&[1], 2), ranked(&[2], 2), ranked(&[3], 1)];
        let o = stv(4, &ballots, 2);
        assert_eq!((o.quota, o.elected[0]), (5, 0));
        // A's surplus of 4 over 9 ballots: each passes on 4/9, 0.44444 at five places, to B.
        assert_eq!(o.rounds[1].votes[1], Some(2 * SCALE + 9 * 44_444));
        assert_eq!(o.elected, vec![0, 1], "B, at 5.99996, is over the quota of 5");
    }

    #[test]
    fn rounding_is_half_to_even() {
        assert_eq!((round_half_even(5, 2), round_half_even(7, 2), round_half_even(8, 3)), (2, 4, 3));
    }

    /// splitmix64, as in `stvpoll_fixtures.py`.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn election(seed: u64, candidates: usize, ballots: usize) -> Vec<Ranked> {
        let mut rng = Rng(seed);
        let weights: Vec<u64> = (0..candidates).map(|_| 1 + rng.below(20)).collect();
        let mut out = Vec::with_capacity(ballots);
        for _ in 0..ballots {
            let length = 1 + rng.below(candidates as u64) as usize;
            let mut remaining: Vec<usize> = (0..candidates).collect();
            let mut ranking = Vec::with_capacity(length);
            for _ in 0..length {
                let mut r = rng.below(remaining.iter().map(|c| weights[*c]).sum()) as i64;
                let at = remaining
                    .iter()
                    .position(|c| {
                        r -= weights[*c] as i64;
                        r < 0
                    })
                    .expect("r is below the total");
                ranking.push(remaining.remove(at));
            }
            out.push(Ranked { ranking, count: 1 });
        }
        out
    }

    #[test]
    fn sixty_elections_count_as_stvpoll_counts_them() {
        let fixtures = include_str!("stvpoll-fixtures.txt");
        let mut checked = 0;
        for line in fixtures.lines().filter(|l| !l.starts_with('#')) {
            let (sizes, winners) = line.split_once(" : ").unwrap();
            let n: Vec<u64> = sizes.split(' ').map(|x| x.parse().unwrap()).collect();
            let want: Vec<usize> = winners.split(',').map(|x| x.parse().unwrap()).collect();
            let o = stv(n[1] as usize, &election(n[0], n[1] as usize, n[2] as usize), n[3] as usize);
            assert!(o.complete, "{line}");
            assert_eq!(o.elected, want, "{line}");
            checked += 1;
        }
        assert_eq!(checked, 60);
    }
}
