//! The joiner's side of joining over the network: restricted sessions at the addresses the
//! invite carried (the inviter's node, the network's hubs) until a vouch admits it, then the
//! network itself. `serve` runs [`join_round`] with a backoff; `openstrike join` runs it until
//! admitted. The answering side is [`crate::joining`].

use std::time::Duration;

use strike_core::NetworkId;
use strike_core::membership::{self, Status};
use strike_crypto::SigningSecret;
use strike_net::{Net, PeerAddr};
use strike_sync::auth::{Auth, JOIN_AUTH_LABEL};
use tokio::sync::Mutex;

use crate::joining::{invite_access, join_proof};
use crate::peer::{run_session, sync_with};
use crate::sync::{SyncDriver, SyncSummary};
use crate::{Node, NodeError, Result};

/// Sessions per attempt at one address at most (each moves at least one op while they differ).
const MAX_SESSIONS: usize = 8;
/// The first retry after a failed round, and the longest wait between rounds.
pub const BACKOFF_FIRST: Duration = Duration::from_secs(5);
pub const BACKOFF_MAX: Duration = Duration::from_secs(300);
/// While a peer answers and the joiner waits for a vouch, it asks again at most this often.
pub const WAITING_POLL_MAX: Duration = Duration::from_secs(30);

/// Where this node stands in a network it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// An admitted member.
    Member,
    /// It asked to join and waits for vouches (or for the network to reach it).
    Waiting,
    /// It was removed, or turned down.
    Removed,
    /// It holds no key of its own there (a hub, or a network carried for others).
    None,
}

/// What one attempt at one address did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    /// The peer let it in, restricted: it holds the join request now (and sent what it may).
    Waiting { received: u64 },
    /// The peer let it in as a member: the network came with it.
    Admitted { received: u64 },
    /// The peer said no (it gives no reason, to anyone).
    Refused,
    /// Unreachable, or the session broke.
    Failed(String),
}

/// What one round did, per address.
#[derive(Debug, Clone)]
pub struct JoinRound {
    pub network: NetworkId,
    pub attempts: Vec<(String, Reached)>,
    /// This node is an admitted member now.
    pub admitted: bool,
}

impl JoinRound {
    /// Some address answered (let it in, restricted or as a member).
    pub fn reached(&self) -> bool {
        self.attempts.iter().any(|(_, r)| matches!(r, Reached::Waiting { .. } | Reached::Admitted { .. }))
    }
}

impl Node {
    /// Where this node stands in `network`.
    pub fn standing(&self, network: &NetworkId) -> Result<Standing> {
        if self.store.my_author(network)?.is_none() {
            return Ok(Standing::None);
        }
        Ok(match self.me_in(network)?.map(|m| m.status) {
            Some(Status::Member) => Standing::Member,
            Some(Status::Removed) => Standing::Removed,
            Some(Status::Pending) | None => Standing::Waiting,
        })
    }

    /// The networks this node asked to join and is not admitted to yet.
    pub fn waiting_networks(&self) -> Result<Vec<NetworkId>> {
        let mut out = Vec::new();
        for n in self.networks()? {
            if self.standing(&n.id)? == Standing::Waiting {
                out.push(n.id);
            }
        }
        Ok(out)
    }

    /// The invite secret this node asked to join `network` with.
    fn join_secret(&self, network: &NetworkId) -> Result<Option<zeroize::Zeroizing<[u8; 32]>>> {
        let Some(me) = self.network(network)?.my_author else { return Ok(None) };
        let invite = self.store.invite_of(network, &me)?;
        let secrets = self.store.invite_secrets()?;
        let mine = secrets.into_iter().filter(|(n, _)| n == network).map(|(_, s)| s);
        // Before it can read the log, a joiner holds the one secret it joined with.
        Ok(match invite {
            Some(invite) => mine.into_iter().find(|s| membership::invite_id(s) == invite),
            None => mine.into_iter().next(),
        })
    }
}

/// One attempt at one address: restricted sessions (or, once the peer counts this node as
/// admitted, member sessions) until one moves nothing. Then key shares that came with them
/// are opened, and upkeep runs if this node is a member now.
pub async fn join_session(
    node: &Mutex<Node>,
    net: &Net,
    peer: &PeerAddr,
    network: NetworkId,
    progress: &mut (dyn FnMut(&SyncSummary) + Send),
) -> Result<Reached> {
    let (author, secret) = {
        let n = node.lock().await;
        let (seed, _) = n
            .store
            .my_author(&network)?
            .ok_or_else(|| NodeError::NotAllowed("this node has not asked to join that network".into()))?;
        let secret = n
            .join_secret(&network)?
            .ok_or_else(|| NodeError::NotAllowed("this node holds no invite for that network".into()))?;
        (SigningSecret::from_seed(&seed), secret)
    };
    let access = invite_access(&secret);
    let invite = membership::invite_id(&secret);
    let (mut received, mut admitted) = (0, false);
    for _ in 0..MAX_SESSIONS {
        let mut ch = net.connect(peer).await?;
        let proof = join_proof(&network, &ch.local, &ch.remote);
        let open = Auth::JoinOpen {
            network: network.0,
            invite,
            author: author.public().0,
            invite_signature: access.sign(JOIN_AUTH_LABEL, &proof),
            author_signature: author.sign(JOIN_AUTH_LABEL, &proof),
        };
        ch.send(&open.encode()).await?;
        let as_member = match Auth::decode(&ch.recv().await?) {
            Some(Auth::JoinAccepted { admitted }) => admitted,
            _ => return Ok(Reached::Refused),
        };
        admitted |= as_member;
        let (mut driver, hello) = SyncDriver::initiate_full(network, as_member);
        ch.send(&hello).await?;
        run_session(node, &mut ch, &mut driver, progress).await?;
        ch.finish().await;
        let s = &driver.summary.stats;
        received += s.ops_received;
        tracing::info!(network = %network.short(), peer = %hex::encode(&peer.id[..8]), as_member,
            sent = s.ops_sent, received = s.ops_received, "join session");
        if s.ops_sent + s.ops_received == 0 {
            break;
        }
    }
    let mut n = node.lock().await;
    let now = n.now();
    n.store.mark_synced(&network, &peer.to_string(), now)?;
    let keys = n.store.adopt_parked_key_shares(&network)?;
    if keys > 0 {
        tracing::info!(network = %network.short(), keys, "took the keys a voucher sealed to this node");
    }
    if n.standing(&network)? == Standing::Member {
        n.upkeep(&network)?;
        return Ok(Reached::Admitted { received });
    }
    Ok(if admitted { Reached::Admitted { received } } else { Reached::Waiting { received } })
}

/// One round for a network this node asked to join: every address the invite carried (they
/// are the network's peers here). A hub that cannot tell a joiner from a member is asked with
/// an access proof once this node holds a key sealed to it.
pub async fn join_round(node: &Mutex<Node>, net: &Net, network: NetworkId) -> Result<JoinRound> {
    let peers = node.lock().await.peers(Some(&network))?;
    let mut attempts = Vec::new();
    for p in peers {
        let outcome = match p.addr.parse::<PeerAddr>() {
            Err(e) => Reached::Failed(e.to_string()),
            Ok(addr) => {
                let (member, keys) = {
                    let n = node.lock().await;
                    (n.standing(&network)? == Standing::Member, n.hub_access(&network)?.is_some())
                };
                let hub = p.hub || addr.url.is_some();
                if member || (hub && keys) {
                    match sync_with(node, net, &addr, network, &mut |_| {}).await {
                        Ok(s) => Reached::Admitted { received: s.stats.ops_received },
                        Err(_) if !member => attempt(node, net, &addr, network).await,
                        Err(e) => Reached::Failed(e.to_string()),
                    }
                } else {
                    attempt(node, net, &addr, network).await
                }
            }
        };
        attempts.push((p.addr, outcome));
    }
    let admitted = node.lock().await.standing(&network)? == Standing::Member;
    Ok(JoinRound { network, attempts, admitted })
}

async fn attempt(node: &Mutex<Node>, net: &Net, addr: &PeerAddr, network: NetworkId) -> Reached {
    match join_session(node, net, addr, network, &mut |_| {}).await {
        Ok(r) => r,
        Err(e) => Reached::Failed(e.to_string()),
    }
}

/// The waits between one network's join rounds: doubling from [`BACKOFF_FIRST`] while no
/// address answers (up to [`BACKOFF_MAX`]), and 5, 10, 20, then every [`WAITING_POLL_MAX`]
/// while one does and the vouch is still to come.
#[derive(Debug, Default, Clone, Copy)]
pub struct Backoff {
    /// Rounds in a row that did not admit this node (at most 3 counted while one answers).
    rounds: u32,
}

impl Backoff {
    /// The wait after a round that reached an address (`reached`) or none.
    pub fn after(&mut self, reached: bool) -> Duration {
        let cap = if reached { WAITING_POLL_MAX } else { BACKOFF_MAX };
        let wait = BACKOFF_FIRST.saturating_mul(1u32 << self.rounds.min(10)).min(cap);
        self.rounds = if reached { self.rounds.saturating_add(1).min(3) } else { self.rounds.saturating_add(1) };
        wait
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn backoff_doubles_to_its_caps() {
        let secs = |reached: &[bool]| {
            let mut b = super::Backoff::default();
            reached.iter().map(|r| b.after(*r).as_secs()).collect::<Vec<_>>()
        };
        assert_eq!(secs(&[true; 5]), vec![5, 10, 20, 30, 30]);
        assert_eq!(secs(&[false; 9]), vec![5, 10, 20, 40, 80, 160, 300, 300, 300]);
        // Reaching someone after a long silence polls at the waiting pace at once.
        assert_eq!(secs(&[false, false, false, false, false, true, true]), vec![5, 10, 20, 40, 80, 30, 30]);
        assert_eq!(super::BACKOFF_FIRST, Duration::from_secs(5));
    }
}
