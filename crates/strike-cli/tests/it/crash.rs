//! Crash safety: kill a writer with SIGKILL at random moments; no acknowledged op is lost and
//! the database stays sound.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use strike_core::OpId;
use strike_node::Node;

use crate::support::{Home, PASSPHRASE};

fn cycles() -> u32 {
    std::env::var("OPENSTRIKE_CRASH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(20)
}

/// xorshift, seeded from the clock and printed, so a failing run can be replayed.
fn rng() -> impl FnMut() -> u64 {
    let seed = std::env::var("OPENSTRIKE_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("crash test seed {seed} (OPENSTRIKE_CRASH_SEED to replay)");
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

#[test]
fn sigkill_never_loses_an_acknowledged_op() {
    let home = Home::initialized();
    home.ok(&["network", "create", "--name", "Dock 4"]);
    let mut next = rng();
    let mut acked: Vec<OpId> = Vec::new();
    for cycle in 0..cycles() {
        let mut child = home
            .cmd(&["bench", "writes", "--network", "Dock 4", "--count", "100000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(id) = line.strip_prefix("ack ")
                    && tx.send(id.parse::<OpId>().unwrap()).is_err()
                {
                    break;
                }
            }
        });
        // Kill after a random number of acknowledgements: the writer is then usually in the
        // middle of its next transaction.
        let kill_after = 1 + next() % 40;
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut this_cycle = 0;
        while this_cycle < kill_after {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(id) => {
                    acked.push(id);
                    this_cycle += 1;
                }
                Err(e) => panic!("cycle {cycle}: writer stopped acknowledging: {e}"),
            }
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        // Acknowledgements already printed before the kill count too.
        reader.join().unwrap();
        acked.extend(rx.try_iter());

        let node = Node::open(&home.dir, PASSPHRASE.as_bytes()).unwrap();
        let missing: Vec<_> = acked.iter().filter(|id| !node.store().has_op(id).unwrap()).collect();
        assert!(missing.is_empty(), "cycle {cycle}: {} acknowledged ops lost: {missing:?}", missing.len());
        let problems = node.store().integrity_problems().unwrap();
        assert!(problems.is_empty(), "cycle {cycle}: integrity check: {problems:?}");
    }
    assert!(acked.len() as u32 >= cycles());
}
