//! Benchmarks: each measures a hot path and prints its figures (medians), as text or JSON.
//! The measuring code is in `crate::bench`.

use clap::Subcommand;

use crate::config::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure performance and print the figures
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Create and ingest announcement ops; prints ops/s and the share spent verifying signatures
    Ingest {
        /// Ops per run
        #[arg(long, default_value_t = 100_000)]
        ops: usize,
        /// Runs (the median is reported)
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Post announcements one commit at a time, printing each op id once it is durable
    /// (a write-load generator; the crash-safety test kills it mid-write)
    Writes {
        /// Network id, id prefix or unique name
        #[arg(long)]
        network: String,
        /// How many announcements to post
        #[arg(long, default_value_t = 1000)]
        count: u64,
    },
    /// Tally pledges across calls: the fold and status evaluation, pure and from the store
    Tally {
        #[arg(long, default_value_t = 1000)]
        calls: usize,
        /// Pledge events (pledges and withdrawals) per call
        #[arg(long, default_value_t = 1000)]
        per_call: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Sync: a new node's catch-up over QUIC on loopback, and set reconciliation of two large
    /// replicas (round trips, bytes each way)
    Sync {
        /// Ops the new node catches up on (0: skip)
        #[arg(long, default_value_t = 100_000)]
        catchup: usize,
        #[arg(long, default_value_t = 1_000_000)]
        ids: usize,
        #[arg(long, default_value_t = 1000)]
        differ: usize,
    },
    /// The web UI under load: a node with a large network, many clients on loopback; p50 and
    /// p99 latency and requests per second for the dashboard and a call's page
    Ui {
        /// Members of the network (built from real ops through ingest)
        #[arg(long, default_value_t = 10_000)]
        members: usize,
        /// Concurrent clients, each on its own keep-alive connection
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Seconds of load per page
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Unlocking: the passphrase derivation at the old and the current cost, opening a node,
    /// and a whole CLI command (each command unlocks once)
    Unlock {
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Reading an invite from a picture of its QR code: the PNG and photo-like JPEGs (a small
    /// one and a phone camera's size), for the longest link with three addresses
    Qr {
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Circle key rotation: a circle of 400 members after one leaves and comes back, and every
    /// circle at once when a member of 20 circles is removed from the network (time, bytes)
    Circles {
        /// Members of the big circle (and of the network), at most 400
        #[arg(long, default_value_t = 400)]
        members: usize,
        /// Circles the removed member is in (besides the big one)
        #[arg(long, default_value_t = 20)]
        circles: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// The knowledge base: the index built whole and kept up to date guide by guide, searches by word, prefix and
    /// trigram, and one guide's page, over many guides with several revisions each
    Guides {
        #[arg(long, default_value_t = 500)]
        guides: usize,
        #[arg(long, default_value_t = 4)]
        revisions: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// The allocation engine: time to plan a large hub's requests, the share of demand met,
    /// and the plans against the exact optimum on small instances
    Allocate {
        #[arg(long, default_value_t = 10_000)]
        requests: usize,
        #[arg(long, default_value_t = 2_000)]
        lots: usize,
        #[arg(long, default_value_t = 50)]
        specs: u8,
        #[arg(long, default_value_t = 20)]
        places: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Small instances compared with the brute-force optimum
        #[arg(long, default_value_t = 1000)]
        small: u64,
    },
    /// The fund's fold: a year of a large union's receipts, transfers and payouts with their
    /// approvals, folded; entries a second; the same state from the entries shuffled
    Fund {
        #[arg(long, default_value_t = 50_000)]
        entries: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Mutual aid: a large crisis team's queue folded (requests and updates a second, the same
    /// from the updates shuffled), and its sealed notes opened by the team and by an outsider
    Aid {
        #[arg(long, default_value_t = 10_000)]
        requests: usize,
        /// Updates per request
        #[arg(long, default_value_t = 8)]
        updates: usize,
        #[arg(long, default_value_t = 2_000)]
        notes: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// The ranked count: single transferable vote over many ballots (the goal: 100,000 ballots,
    /// 12 candidates, 3 seats in under a second)
    /// A secret call: credentials issued to, and secret pledges ingested from, this many
    /// pledgers; each step timed, and the tally
    Secret {
        #[arg(long, default_value_t = 10_000)]
        pledgers: usize,
    },
    Stv {
        #[arg(long, default_value_t = 100_000)]
        ballots: usize,
        #[arg(long, default_value_t = 12)]
        candidates: usize,
        #[arg(long, default_value_t = 3)]
        seats: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Time `wipe` on a data directory with a database of the given size
    Wipe {
        /// Database size in MiB
        #[arg(long, default_value_t = 1024)]
        mib: u64,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Command::Bench(cmd) = self;
        let out = ctx.out;
        match cmd {
            BenchCommand::Ingest { ops, runs } => crate::bench::ingest(out, ops, runs),
            BenchCommand::Wipe { mib } => crate::bench::wipe(out, mib),
            BenchCommand::Allocate { requests, lots, specs, places, runs, small } => {
                crate::bench::allocate(out, requests, lots, specs, places, runs, small)
            }
            BenchCommand::Qr { runs } => crate::bench::qr(out, runs),
            BenchCommand::Fund { entries, runs } => crate::bench::fund(out, entries, runs),
            BenchCommand::Secret { pledgers } => crate::bench::secret(out, pledgers),
            BenchCommand::Stv { ballots, candidates, seats, runs } => {
                crate::bench::stv(out, ballots, candidates, seats, runs)
            }
            BenchCommand::Aid { requests, updates, notes, runs } => {
                crate::bench::aid(out, requests, updates, notes, runs)
            }
            BenchCommand::Guides { guides, revisions, runs } => crate::bench::guides(out, guides, revisions, runs),
            BenchCommand::Circles { members, circles, runs } => crate::bench::circles(out, members, circles, runs),
            BenchCommand::Unlock { runs } => crate::bench::unlock(out, runs),
            BenchCommand::Ui { members, clients, seconds } => crate::bench::ui(out, members, clients, seconds),
            BenchCommand::Sync { catchup, ids, differ } => {
                if catchup > 0 {
                    crate::bench::sync_catchup(out, catchup)?;
                }
                crate::bench::sync_reconcile(out, ids, differ)
            }
            BenchCommand::Tally { calls, per_call, runs } => crate::bench::tally(out, calls, per_call, runs),
            BenchCommand::Writes { network, count } => {
                let mut node = ctx.unlock()?;
                let id = node.resolve_network(&network)?;
                crate::bench::writes(out, &mut node, &id, count)
            }
        }
    }
}
