//! Joining over the network (`docs/protocol.md`, "Joining over the network"): the answering
//! side of restricted sessions, on a member's node and on a hub, with their rate limits; the
//! tickets a member's node gives hubs; and the addresses new invites carry by default.
//!
//! A restricted session lets a joiner push its own join request and pull the ops of its
//! invite's join epoch: the join requests made with the same invite (it can open them with
//! the invite anyway) and the key shares sealed to it. Once its vouches admit it, the same
//! proof opens a full session, as a member. Every refusal is the same `Refused`.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::Instant;

use strike_core::membership::{self, Status};
use strike_core::{AuthorId, Body, CoarseTime, NetworkId, OpId, SealedOp};
use strike_crypto::{SigningPublic, SigningSecret, SymmetricKey};
use strike_store::{EpochOp, HubTicketRow, Quota};
use strike_sync::auth::{JOIN_AUTH_LABEL, MAX_TICKETS, Side, proof_message};
use strike_sync::hub::{InviteTicket, MAX_TICKET_REMOVED};

use crate::{Node, Result};

/// Restricted sessions one address may open: a burst, then one every this many seconds.
pub const PER_ADDRESS_BURST: f64 = 10.0;
pub const PER_ADDRESS_EVERY_SECS: f64 = 6.0;
/// Restricted sessions opened with one invite (from anywhere): a burst, then one every this
/// many seconds.
pub const PER_INVITE_BURST: f64 = 30.0;
pub const PER_INVITE_EVERY_SECS: f64 = 2.0;
/// Buckets kept per kind; full buckets are dropped first when there are more.
const MAX_BUCKETS: usize = 4096;

/// A token bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Rate limits of restricted sessions, per address and per invite (in memory: a restart
/// forgets them, which only ever lets a few more attempts in).
#[derive(Debug, Default)]
pub struct JoinLimits {
    by_address: HashMap<IpAddr, Bucket>,
    by_invite: HashMap<[u8; 16], Bucket>,
}

fn take<K: std::hash::Hash + Eq + Copy>(map: &mut HashMap<K, Bucket>, key: K, burst: f64, every: f64) -> bool {
    let now = Instant::now();
    if map.len() >= MAX_BUCKETS {
        map.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() / every < burst);
    }
    let b = map.entry(key).or_insert(Bucket { tokens: burst, at: now });
    b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() / every).min(burst);
    b.at = now;
    if b.tokens >= 1.0 {
        b.tokens -= 1.0;
        true
    } else {
        false
    }
}

impl JoinLimits {
    /// Whether one more restricted session may start: both buckets must have a token. An
    /// address the transport does not know (none today) shares one bucket.
    pub fn allow(&mut self, address: Option<IpAddr>, invite: &[u8; 16]) -> bool {
        let address = address.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        take(&mut self.by_address, address, PER_ADDRESS_BURST, PER_ADDRESS_EVERY_SECS)
            && take(&mut self.by_invite, *invite, PER_INVITE_BURST, PER_INVITE_EVERY_SECS)
    }
}

/// What a joiner sent to open a restricted session.
#[derive(Debug, Clone)]
pub struct JoinOpen {
    pub network: NetworkId,
    pub invite: [u8; 16],
    pub author: AuthorId,
    pub invite_signature: [u8; 64],
    pub author_signature: [u8; 64],
}

/// What the answering side of a restricted session serves and takes.
#[derive(Debug, Clone)]
pub struct Restricted {
    /// The joiner: the only author whose ops it takes (its join request, seq 1).
    pub author: AuthorId,
    /// The invite's join epoch: the only epoch it takes or serves.
    pub epoch: u32,
    /// (time, id) of the ops it may pull.
    pub items: Vec<(u64, OpId)>,
    pub allowed: HashSet<OpId>,
    /// On a hub: what it takes is relayed within this quota.
    pub relay: Option<Quota>,
}

impl Restricted {
    fn new(author: AuthorId, epoch: u32, ops: Vec<EpochOp>, relay: Option<Quota>) -> Restricted {
        let items: Vec<(u64, OpId)> = ops.iter().map(|o| (o.time, o.id)).collect();
        let allowed = items.iter().map(|(_, id)| *id).collect();
        Restricted { author, epoch, items, allowed, relay }
    }

    /// Whether an op the joiner pushes is its own join request.
    pub fn takes(&self, bytes: &[u8]) -> bool {
        strike_core::envelope::decode(bytes)
            .is_ok_and(|(e, _)| e.author == self.author && e.seq == 1 && e.epoch == self.epoch)
    }
}

/// How a joiner is let in.
#[derive(Debug)]
pub enum JoinMode {
    /// Admitted: a full session, as a member.
    Member,
    Restricted(Restricted),
}

/// The message both of a joiner's signatures cover.
pub fn join_proof(network: &NetworkId, initiator: &[u8; 32], responder: &[u8; 32]) -> Vec<u8> {
    proof_message(Side::Initiator, &network.0, initiator, responder)
}

/// The invite's access key, from its secret.
pub fn invite_access(secret: &[u8; 32]) -> SigningSecret {
    SigningSecret::from_seed(&membership::invite_access_seed(secret))
}

impl Node {
    /// Whether to let a joiner in, and how. `initiator` and `responder` are the endpoint ids
    /// the proofs bind; `address` is where the joiner connects from (rate limits). Every
    /// refusal is the same `None`: for an unknown network, a bad proof, an expired or used-up
    /// invite, a removed joiner, and a joiner over the rate limits.
    pub(crate) fn join_admits(
        &mut self,
        open: &JoinOpen,
        initiator: &[u8; 32],
        responder: &[u8; 32],
        address: Option<IpAddr>,
    ) -> Result<Option<JoinMode>> {
        if !self.join_limits.allow(address, &open.invite) {
            tracing::info!(address = ?address, "restricted session over the rate limit");
            return Ok(None);
        }
        let proof = join_proof(&open.network, initiator, responder);
        if SigningPublic(open.author.0).verify(JOIN_AUTH_LABEL, &proof, &open.author_signature).is_err() {
            return Ok(None);
        }
        let network = open.network;
        let epoch = membership::join_epoch(&open.invite);
        if self.member_author(&network)?.is_some() {
            return self.member_admits_joiner(open, &proof, epoch);
        }
        if self.store.hub_grants(Some(&network))?.iter().any(|g| g.hub == self.node_id()) {
            return self.hub_admits_joiner(open, &proof, epoch);
        }
        Ok(None)
    }

    /// On a member's node: checks the invite against the log.
    fn member_admits_joiner(&mut self, open: &JoinOpen, proof: &[u8], epoch: u32) -> Result<Option<JoinMode>> {
        let network = open.network;
        let Some(secret) = self.store.invite_secret(&network, &open.invite)? else { return Ok(None) };
        let access = invite_access(&secret);
        if access.public().verify(JOIN_AUTH_LABEL, proof, &open.invite_signature).is_err() {
            return Ok(None);
        }
        let Some(invite) = self.store.invite_state(&network, &open.invite)? else { return Ok(None) };
        if !invite.counted {
            return Ok(None);
        }
        let row = self.members(&network)?.into_iter().find(|m| m.author == open.author);
        match row {
            Some(m) if m.status == Status::Member => return Ok(Some(JoinMode::Member)),
            Some(m) if m.status == Status::Removed => return Ok(None),
            // Asked already: with this invite, and among the requests it may admit.
            Some(_) => {
                if self.store.invite_of(&network, &open.author)? != Some(open.invite)
                    || !invite.first.contains(&open.author)
                {
                    return Ok(None);
                }
            }
            // A new joiner: the invite must still be good for one.
            None => {
                let now = CoarseTime::from_unix_seconds(self.now()).0;
                if invite.expires.is_some_and(|x| now > x) || invite.first.len() >= usize::from(invite.uses) {
                    return Ok(None);
                }
            }
        }
        let key = SymmetricKey::from_bytes(membership::join_key(&secret));
        let ops = self
            .store
            .epoch_ops(&network, epoch)?
            .into_iter()
            .filter(|o| {
                // Join requests (an author's first op), and key shares for this joiner only.
                o.seq == 1
                    || SealedOp::from_verified_store(o.bytes.clone())
                        .ok()
                        .and_then(|op| op.open(&key).ok())
                        .is_some_and(|b| matches!(b, Body::KeyShare(k) if k.member == open.author))
            })
            .collect();
        Ok(Some(JoinMode::Restricted(Restricted::new(open.author, epoch, ops, None))))
    }

    /// On a hub: checks the joiner against the ticket a member left, with no key at all.
    fn hub_admits_joiner(&mut self, open: &JoinOpen, proof: &[u8], epoch: u32) -> Result<Option<JoinMode>> {
        let network = open.network;
        let Some((ticket, joiners)) = self.store.hub_ticket(&network, &open.invite)? else { return Ok(None) };
        if SigningPublic(ticket.key).verify(JOIN_AUTH_LABEL, proof, &open.invite_signature).is_err()
            || ticket.removed.contains(&open.author.0)
        {
            return Ok(None);
        }
        let now = CoarseTime::from_unix_seconds(self.now()).0;
        let known = joiners.contains(&open.author);
        if !known && (ticket.expires.is_some_and(|x| now > x) || joiners.len() >= usize::from(ticket.uses)) {
            return Ok(None);
        }
        self.store.add_hub_joiner(&network, &open.invite, &open.author)?;
        let ops = self.store.epoch_ops(&network, epoch)?;
        Ok(Some(JoinMode::Restricted(Restricted::new(open.author, epoch, ops, Some(self.relay_quota())))))
    }

    /// The tickets this member's node gives a hub: the network's live invites.
    pub(crate) fn invite_tickets(&self, network: &NetworkId) -> Result<Vec<InviteTicket>> {
        let now = CoarseTime::from_unix_seconds(self.now()).0;
        let mut out = Vec::new();
        for live in self.store.live_invites(network, now)?.into_iter().take(MAX_TICKETS) {
            out.push(InviteTicket {
                invite: membership::invite_id(&live.secret),
                key: invite_access(&live.secret).public().0,
                expires: live.expires,
                uses: live.uses,
                removed: live.removed.iter().take(MAX_TICKET_REMOVED).map(|a| a.0).collect(),
            });
        }
        Ok(out)
    }

    /// On a hub: keeps the tickets a member presented (the hub let that member in already).
    pub(crate) fn keep_tickets(&mut self, network: &NetworkId, tickets: &[InviteTicket]) -> Result<()> {
        let now = self.now();
        for t in tickets {
            let row = HubTicketRow {
                invite: t.invite,
                key: t.key,
                expires: t.expires,
                uses: t.uses,
                removed: t.removed.clone(),
            };
            self.store.put_hub_ticket(network, &row, now)?;
        }
        Ok(())
    }

    /// The addresses new invites carry when none are given: this node's own (`serve
    /// --public-addr`, its LAN address with `--lan`, as the last `serve` recorded them), then
    /// the network's hubs.
    pub fn default_invite_addresses(&self, network: &NetworkId) -> Result<Vec<String>> {
        let mut out = self.store.own_addresses()?;
        for p in self.peers(Some(network))? {
            if p.hub && !out.contains(&p.addr) {
                out.push(p.addr);
            }
        }
        Ok(out)
    }

    /// Records where peers reach this node, for new invites (`source`: `public` or `lan`).
    pub fn set_own_addresses(&mut self, source: &str, addrs: &[String]) -> Result<()> {
        let now = self.now();
        Ok(self.store.set_own_addresses(source, addrs, now)?)
    }
}
