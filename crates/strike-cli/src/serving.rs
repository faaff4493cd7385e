//! The serving actor: what `serve`, `hub run` and `demo` run until they are told to stop.
//! It owns every loop of the command (answering sync sessions, the web UI, background sync
//! rounds, LAN discovery) and one cancellation token. Ctrl-C or SIGTERM cancels it: nothing
//! new starts, what is in flight finishes (a UI request, a sync session, a round with a
//! peer), each within its grace period, and the node is closed once no command holds it. The
//! process then exits 0. Every op is committed before it is acknowledged, so stopping loses
//! none (a test kills a writing `serve` this way and counts).

use std::future::Future;
use std::time::Duration;

use serde_json::json;
use strike_node::peer::SharedNode;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::output::Output;

/// How long stopping waits for the loops, beyond which what is left is dropped: longer than
/// the UI's and the sync sessions' own grace periods.
const STOP_DEADLINE: Duration = Duration::from_secs(40);

/// The loops of one serving command and their token.
pub struct Serving {
    node: SharedNode,
    token: CancellationToken,
    tasks: JoinSet<anyhow::Result<()>>,
    out: Output,
    signals: StopSignals,
    /// Stops everything cleanly once cancelled (a wipe from the UI).
    external: CancellationToken,
}

impl Serving {
    /// Takes over Ctrl-C and SIGTERM from here on (before the command prints where it
    /// listens, so that a stop sent as soon as it does is a clean stop too). Call it inside the
    /// runtime.
    pub fn new(node: SharedNode, out: Output) -> anyhow::Result<Serving> {
        let signals = StopSignals::install()?;
        let external = CancellationToken::new();
        Ok(Serving { node, token: CancellationToken::new(), tasks: JoinSet::new(), out, signals, external })
    }

    pub fn node(&self) -> &SharedNode {
        &self.node
    }

    pub fn out(&self) -> Output {
        self.out
    }

    /// Stops serving cleanly, as a signal would, once `token` is cancelled.
    pub fn stop_on(&mut self, token: CancellationToken) {
        self.external = token;
    }

    /// The token a loop watches to know it should stop.
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// Runs `task` until it returns; it must return soon after the token is cancelled.
    pub fn spawn(&mut self, task: impl Future<Output = anyhow::Result<()>> + Send + 'static) {
        self.tasks.spawn(task);
    }

    /// Runs `round` every `every` (the first right away) until stopped; a round under way
    /// when the token is cancelled finishes first.
    pub fn every<F, R>(&mut self, every: Duration, mut round: F)
    where
        F: FnMut() -> R + Send + 'static,
        R: Future<Output = ()> + Send,
    {
        let token = self.token.clone();
        self.tasks.spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = token.cancelled() => return Ok(()),
                    _ = tick.tick() => {}
                }
                round().await;
            }
        });
    }

    /// Serves until Ctrl-C or SIGTERM (or until a loop fails), then stops everything as the
    /// module's comment says. Returns the first loop's error, if one failed.
    pub async fn run(mut self) -> anyhow::Result<()> {
        let mut failed = None;
        tokio::select! {
            signal = self.signals.next() => {
                self.out.event(json!({ "stopping": signal? }), || {
                    "stopping: finishing what is in flight (sync sessions, web requests)".into()
                });
            }
            () = self.external.cancelled() => {}
            Some(ended) = self.tasks.join_next() => {
                failed = Some(match ended {
                    Ok(Ok(())) => anyhow::anyhow!("a serving loop ended by itself"),
                    Ok(Err(e)) => e,
                    Err(e) => anyhow::anyhow!("a serving loop {}", if e.is_panic() { "panicked" } else { "was cancelled" }),
                });
            }
        }
        self.token.cancel();
        let drained = tokio::time::timeout(STOP_DEADLINE, async {
            while let Some(ended) = self.tasks.join_next().await {
                match ended {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "a serving loop failed while stopping"),
                    Err(e) if e.is_panic() => tracing::error!("a serving loop panicked while stopping"),
                    Err(_) => {}
                }
            }
        })
        .await;
        if drained.is_err() {
            tracing::warn!(loops = self.tasks.len(), "loops still running at the stop deadline were dropped");
            self.tasks.shutdown().await;
        }
        // The command that holds the node (a transaction) finishes before the store closes.
        drop(self.node.lock().await);
        match failed {
            Some(e) => Err(e),
            None => {
                self.out.event(json!({ "stopped": true }), || "stopped".into());
                Ok(())
            }
        }
    }
}

/// Ctrl-C (SIGINT) and SIGTERM, caught from when they are installed.
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> anyhow::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    /// Waits for the next one, and says which.
    async fn next(&mut self) -> anyhow::Result<&'static str> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Ok("interrupt"),
                _ = self.terminate.recv() => Ok("terminate"),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await?;
            Ok("interrupt")
        }
    }
}
