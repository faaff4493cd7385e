"""Reference results for the STV and IRV counts (`votes/count.rs`), from stvpoll 0.5.6
(VoteIT's Scottish STV: https://pypi.org/project/stvpoll/0.5.6/), with its history tie-break
only (no random tie-break: an election it cannot finish that way is left out).

Each election's ballots come from a seeded generator that `count.rs`'s test repeats exactly
(splitmix64; candidate weights 1-20; each ballot ranks 1 to n candidates, drawn by weight
without replacement), so the fixture holds only the seed, the sizes and the winners in the
order elected. Run: pip install stvpoll==0.5.6 && python3 stvpoll_fixtures.py > stvpoll-fixtures.txt
"""

from stvpoll.scottish_stv import calculate_scottish_stv

MASK = (1 << 64) - 1


class Rng:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


def election(seed, candidates, ballots):
    rng = Rng(seed)
    weights = [1 + rng.below(20) for _ in range(candidates)]
    out = []
    for _ in range(ballots):
        length = 1 + rng.below(candidates)
        remaining = list(range(candidates))
        ranking = []
        for _ in range(length):
            r = rng.below(sum(weights[c] for c in remaining))
            for c in remaining:
                r -= weights[c]
                if r < 0:
                    ranking.append(c)
                    remaining.remove(c)
                    break
        out.append(tuple(ranking))
    return out


def main():
    print("# seed candidates ballots seats : winners in the order elected (stvpoll 0.5.6, Scottish STV)")
    rng = Rng(2026)
    kept = 0
    seed = 0
    while kept < 60:
        seed += 1
        candidates = 5 + rng.below(5)
        ballots = 100 + rng.below(1901)
        seats = 1 if seed % 3 == 0 else 2 + rng.below(2)
        votes = {}
        for b in election(seed, candidates, ballots):
            votes[b] = votes.get(b, 0) + 1
        result = calculate_scottish_stv(
            candidates=tuple(range(candidates)), ballots=votes, winners=seats, allow_random=False, random_shuffle=False
        )
        if not result.complete:
            continue
        kept += 1
        winners = ",".join(str(c) for c in result.elected_as_tuple())
        print(f"{seed} {candidates} {ballots} {seats} : {winners}")


if __name__ == "__main__":
    main()
