//! Membership of one network, resolved from its membership ops.
//!
//! Membership is a pure function of the set of membership ops ([`resolve`]), so every node
//! holding the same ops agrees on it whatever order they arrived in. The rules, also in
//! `docs/protocol.md` ("Membership"):
//!
//! - The founder (genesis author) is an organizer and cannot be removed or demoted.
//! - A joiner's first op is a join request under an invite written by a counted organizer. The
//!   first `uses` requests of an invite (in op order: claimed time, then author) may be admitted,
//!   if they claim a time no later than the invite's expiry.
//! - A joiner is admitted once as many distinct admitted members as their invite says
//!   (`vouches`: the network's `vouches_required`, or fewer while the network was smaller when
//!   the invite was written) have vouched with ops that count. Admission is the least fixed
//!   point: pending joiners vouching for each other admit nobody.
//! - Organizers: the founder, and admitted members promoted by a counted organizer op.
//!   Demotions by counted organizer ops apply after promotions.
//! - Removal wins: a counted removal of A by an organizer, carrying the last op of A the remover
//!   had seen (`last_seen_seq`), cuts A: A's ops above it count for nothing, including the
//!   removals, vouches and promotions among them. Cuts only grow, and the fold repeats until
//!   no new cut appears, so two organizers removing each other concurrently are both removed.
//! - A rejoin (a new key's first op, signed also by the old key) is admitted by one counted
//!   organizer's vouch, once the old key is admitted; the new key then replaces the old one: the
//!   old key is cut at the rejoin's `last_good_seq` (and so removed), and the new key takes its
//!   role. An old key is replaced once: by the rejoin whose first organizer vouch came first.
//! - An op of author A at seq s *counts* iff A is admitted and s is at most A's cut.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::body::Rejoin;
use crate::{AuthorId, Body, CoarseTime, Envelope, Genesis, NetworkId, NetworkKind, OpId, Reject};

/// Key-derivation context for network ids (BLAKE3 `derive_key`).
pub const NETWORK_ID_CONTEXT: &str = "openstrike 2026-11 network id v1";
/// Contexts for what an invite secret yields.
pub const INVITE_ID_CONTEXT: &str = "openstrike 2026-11 invite id v1";
pub const JOIN_KEY_CONTEXT: &str = "openstrike 2026-11 join key v1";
/// Context of the seed of an invite's access key: the Ed25519 key a joiner proves it holds
/// the invite with, when it opens a restricted sync session (`docs/protocol.md`, "Joining
/// over the network").
pub const INVITE_ACCESS_CONTEXT: &str = "openstrike 2026-12 invite access v1";
/// Context for a rotated epoch's number, derived from its key.
pub const EPOCH_ID_CONTEXT: &str = "openstrike 2026-11 epoch id v1";
/// HPKE `info` for epoch keys sealed to a member.
pub const KEY_SEAL_INFO: &[u8] = b"openstrike 2026-11 epoch key v1";
/// Envelope epochs at or above this mark an op sealed under an invite's join key.
pub const JOIN_EPOCH_BASE: u32 = 0x8000_0000;
/// Signature label of a rejoin's proof by the old key.
pub const REJOIN_LABEL: &[u8] = b"openstrike/rejoin/v1";

/// What the old key signs to let `new` replace it in `network`.
pub fn rejoin_message(network: &NetworkId, new: &AuthorId) -> Vec<u8> {
    let mut m = Vec::with_capacity(64);
    m.extend_from_slice(&network.0);
    m.extend_from_slice(&new.0);
    m
}

/// The id of the network founded by `founder` with `salt`.
pub fn network_id(founder: &AuthorId, salt: &[u8; 16]) -> NetworkId {
    let mut material = [0u8; 48];
    material[..32].copy_from_slice(&founder.0);
    material[32..].copy_from_slice(salt);
    NetworkId(strike_crypto::derive(NETWORK_ID_CONTEXT, &material))
}

/// The public handle of an invite (what join requests name).
pub fn invite_id(secret: &[u8; 32]) -> [u8; 16] {
    let full = strike_crypto::derive(INVITE_ID_CONTEXT, secret);
    full[..16].try_into().expect("16 of 32 bytes")
}

/// The key join requests and key shares for joiners of this invite are sealed under.
pub fn join_key(secret: &[u8; 32]) -> [u8; 32] {
    strike_crypto::derive(JOIN_KEY_CONTEXT, secret)
}

/// The seed of the invite's access key (an Ed25519 signing key): members and holders of the
/// link derive it; a hub is told only its public half.
pub fn invite_access_seed(secret: &[u8; 32]) -> [u8; 32] {
    strike_crypto::derive(INVITE_ACCESS_CONTEXT, secret)
}

/// The envelope epoch of ops sealed under this invite's join key.
pub fn join_epoch(invite: &[u8; 16]) -> u32 {
    JOIN_EPOCH_BASE | (u32::from_be_bytes(invite[..4].try_into().expect("4 bytes")) & !JOIN_EPOCH_BASE)
}

/// The epoch number of a rotated key: derived from the key so concurrent rotations by two
/// organizers never share a number. Always in `1..JOIN_EPOCH_BASE`.
pub fn rotated_epoch(key: &[u8; 32]) -> u32 {
    let d = strike_crypto::derive(EPOCH_ID_CONTEXT, key);
    1 + u32::from_be_bytes(d[..4].try_into().expect("4 bytes")) % (JOIN_EPOCH_BASE - 1)
}

/// HPKE associated data for the key of `epoch` in `network` sealed to `member`: binds each
/// blob to its one use (the `info` is [`KEY_SEAL_INFO`]).
pub fn key_seal_aad(network: &NetworkId, epoch: u32, member: &AuthorId) -> Vec<u8> {
    let mut aad = Vec::with_capacity(68);
    aad.extend_from_slice(&network.0);
    aad.extend_from_slice(&epoch.to_be_bytes());
    aad.extend_from_slice(&member.0);
    aad
}

/// What a member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the network: announcements, invites, removals, calls.
    Organizer,
    /// Takes part: pledges, offers, votes.
    Member,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Organizer => "organizer",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "organizer" => Some(Role::Organizer),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

/// Where someone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Member,
    /// Asked to join, not admitted (yet).
    Pending,
    Removed,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Member => "member",
            Status::Pending => "pending",
            Status::Removed => "removed",
        }
    }
}

/// What genesis established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Founding {
    pub genesis: OpId,
    pub founder: AuthorId,
    pub name: String,
    pub kind: NetworkKind,
    pub vouches_required: u8,
    pub created: CoarseTime,
}

/// One person known to the network: the founder or a joiner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub status: Status,
    pub role: Role,
    pub agreement: [u8; 32],
    pub pseudonym: String,
    /// The invite they came in with (`None` for the founder).
    pub invite: Option<[u8; 16]>,
    /// Genesis or their join request.
    pub first_op: OpId,
    pub since: CoarseTime,
    /// Admitted members whose vouches count.
    pub vouchers: BTreeSet<AuthorId>,
    /// Their ops up to this seq count (0: none do; `u64::MAX`: all).
    pub count_upto: u64,
}

/// An invite as the members see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteState {
    pub op: OpId,
    pub author: AuthorId,
    pub uses: u16,
    pub vouches: u8,
    pub expires: Option<u32>,
    /// Join requests made with it (whatever became of them).
    pub requests: u32,
    pub counted: bool,
}

/// One membership op as [`resolve`] needs it.
#[derive(Debug, Clone)]
pub struct Event {
    pub op: OpId,
    pub author: AuthorId,
    pub seq: u64,
    pub time: CoarseTime,
    pub body: Body,
}

/// Whether a body is a membership event (kept by the store for [`resolve`]).
pub fn is_membership(body: &Body) -> bool {
    matches!(
        body,
        Body::Genesis(_)
            | Body::Invite(_)
            | Body::JoinRequest(_)
            | Body::Vouch(_)
            | Body::RoleChange(_)
            | Body::Removal(_)
            | Body::Rejoin(_)
    )
}

/// The resolved membership of one network.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Membership {
    pub founding: Option<Founding>,
    pub people: BTreeMap<AuthorId, Person>,
    pub invites: BTreeMap<[u8; 16], InviteState>,
}

impl Membership {
    /// Whether the op of `author` at `seq` counts.
    pub fn counts(&self, author: &AuthorId, seq: u64) -> bool {
        self.people.get(author).is_some_and(|p| seq <= p.count_upto)
    }

    /// Whether the op of `author` at `seq` counts as an organizer's.
    pub fn counts_as_organizer(&self, author: &AuthorId, seq: u64) -> bool {
        self.people.get(author).is_some_and(|p| seq <= p.count_upto && p.role == Role::Organizer)
    }

    /// Current members (not pending, not removed).
    pub fn members(&self) -> impl Iterator<Item = (&AuthorId, &Person)> {
        self.people.iter().filter(|(_, p)| p.status == Status::Member)
    }

    pub fn status(&self, author: &AuthorId) -> Option<Status> {
        self.people.get(author).map(|p| p.status)
    }
}

/// Rules on an op that need no membership: a network starts with one genesis, and every other
/// author's first op is a join request. Everything else is decided by [`resolve`] and the fold.
pub fn check_standing(envelope: &Envelope, body: &Body, founded: bool) -> Result<(), Reject> {
    match body {
        Body::Genesis(genesis) => {
            if founded {
                return Err(Reject::NoRightToWrite("the network already has a genesis"));
            }
            if envelope.seq != 1 || !envelope.deps.is_empty() || envelope.epoch != 0 {
                return Err(Reject::InvalidBody("genesis must be seq 1, epoch 0, without deps".into()));
            }
            check_genesis_id(envelope, genesis)
        }
        Body::JoinRequest(j) => {
            if envelope.seq != 1 {
                return Err(Reject::InvalidBody("a join request is its author's first op".into()));
            }
            if envelope.epoch != join_epoch(&j.invite) {
                return Err(Reject::InvalidBody("a join request is sealed under its invite's join key".into()));
            }
            Ok(())
        }
        Body::Rejoin(r) => {
            if envelope.seq != 1 {
                return Err(Reject::InvalidBody("a rejoin is its author's first op".into()));
            }
            if envelope.epoch >= JOIN_EPOCH_BASE {
                return Err(Reject::InvalidBody("a rejoin is sealed under a network key".into()));
            }
            if r.old == envelope.author {
                return Err(Reject::InvalidBody("a rejoin replaces another key".into()));
            }
            let message = rejoin_message(&envelope.network, &envelope.author);
            r.old
                .signing_public()
                .verify(REJOIN_LABEL, &message, &r.proof)
                .map_err(|_| Reject::InvalidBody("the rejoin is not signed by the key it replaces".into()))
        }
        Body::KeyShare(_) => Ok(()),
        // A one-time author's first op: its credentials are checked by the store.
        Body::SecretPledge(_) | Body::SecretBallot(_) if envelope.epoch < JOIN_EPOCH_BASE => Ok(()),
        _ if envelope.seq == 1 => Err(Reject::NoRightToWrite("an author's first op must be genesis or a join request")),
        _ if envelope.epoch >= JOIN_EPOCH_BASE => {
            Err(Reject::InvalidBody("only join requests and key shares are sealed under a join key".into()))
        }
        _ => Ok(()),
    }
}

fn check_genesis_id(envelope: &Envelope, genesis: &Genesis) -> Result<(), Reject> {
    if network_id(&envelope.author, &genesis.salt) != envelope.network {
        return Err(Reject::NoRightToWrite("genesis does not match the network id"));
    }
    Ok(())
}

/// Admits the rejoins that counted organizers vouched for, given the organizers of a fixed
/// point: an old key is replaced once, by the rejoin naming it whose first counted organizer
/// vouch came first: by the vouch's time, then its author, then its seq (so of one organizer's
/// vouches, the one they signed first). Only admitted keys are replaced. Returns
/// whether any rejoin was admitted.
fn admit_rejoins(
    events: &[&Event],
    rejoins: &BTreeMap<AuthorId, (&Event, &Rejoin)>,
    cuts: &BTreeMap<AuthorId, u64>,
    organizers: &BTreeSet<AuthorId>,
    admitted: &mut BTreeSet<AuthorId>,
    replaced: &mut BTreeMap<AuthorId, AuthorId>,
) -> bool {
    let cut = |a: &AuthorId| cuts.get(a).copied().unwrap_or(u64::MAX);
    let mut first_vouch: BTreeMap<AuthorId, (CoarseTime, AuthorId, u64, AuthorId)> = BTreeMap::new();
    for e in events {
        let Body::Vouch(v) = &e.body else { continue };
        let new = v.member;
        let Some((_, r)) = rejoins.get(&new) else { continue };
        let old = r.old;
        if !replaced.contains_key(&old)
            && organizers.contains(&e.author)
            && e.seq <= cut(&e.author)
            && admitted.contains(&old)
            && cut(&new) >= 1
        {
            let slot = first_vouch.entry(old).or_insert((e.time, e.author, e.seq, new));
            *slot = (*slot).min((e.time, e.author, e.seq, new));
        }
    }
    for (old, (_, _, _, new)) in &first_vouch {
        admitted.insert(*new);
        replaced.insert(*old, *new);
    }
    !first_vouch.is_empty()
}

/// Resolves membership from every membership event held (any order, duplicates ignored).
pub fn resolve(events: &[Event]) -> Membership {
    let mut events: Vec<&Event> = events.iter().collect();
    events.sort_by_key(|e| crate::op_order(e.time, e.author, e.seq, e.op));
    events.dedup_by_key(|e| e.op);
    let mut m = Membership::default();
    let Some((genesis_event, genesis)) = events.iter().find_map(|e| match &e.body {
        Body::Genesis(g) => Some((*e, g)),
        _ => None,
    }) else {
        return m;
    };
    let founder = genesis_event.author;
    m.founding = Some(Founding {
        genesis: genesis_event.op,
        founder,
        name: genesis.name.clone(),
        kind: genesis.kind,
        vouches_required: genesis.vouches_required,
        created: genesis_event.time,
    });

    // Who asked to join, and with what; who asked to go on under a new key.
    let mut joins: BTreeMap<AuthorId, &Event> = BTreeMap::new();
    let mut rejoins: BTreeMap<AuthorId, (&Event, &Rejoin)> = BTreeMap::new();
    for e in &events {
        match &e.body {
            Body::JoinRequest(_) => {
                joins.entry(e.author).or_insert(e);
            }
            Body::Rejoin(r) => {
                rejoins.entry(e.author).or_insert((e, r));
            }
            _ => {}
        }
    }
    let mut cuts: BTreeMap<AuthorId, u64> = BTreeMap::new();
    let cut = |cuts: &BTreeMap<AuthorId, u64>, a: &AuthorId| cuts.get(a).copied().unwrap_or(u64::MAX);
    loop {
        let mut admitted: BTreeSet<AuthorId> = BTreeSet::from([founder]);
        let mut organizers: BTreeSet<AuthorId> = BTreeSet::from([founder]);
        let mut vouchers: BTreeMap<AuthorId, BTreeSet<AuthorId>> = BTreeMap::new();
        let mut invites: BTreeMap<[u8; 16], InviteState> = BTreeMap::new();
        // Old key -> the new key that replaces it.
        let mut replaced: BTreeMap<AuthorId, AuthorId> = BTreeMap::new();
        // Stages: joins, vouches and promotions to their fixed point, then the rejoins that
        // fixed point admits, then again, until no rejoin is admitted.
        loop {
            loop {
                let mut changed = false;
                let counts = |a: &AuthorId, seq: u64, set: &BTreeSet<AuthorId>| set.contains(a) && seq <= cut(&cuts, a);
                invites.clear();
                for e in &events {
                    if let Body::Invite(i) = &e.body {
                        let id = invite_id(&i.secret);
                        invites.entry(id).or_insert(InviteState {
                            op: e.op,
                            author: e.author,
                            uses: i.uses,
                            vouches: i.vouches,
                            expires: i.expires,
                            requests: 0,
                            counted: counts(&e.author, e.seq, &organizers),
                        });
                    }
                }
                // Join requests in op order take the invites' uses.
                let mut eligible: Vec<(AuthorId, usize)> = Vec::new();
                for e in &events {
                    let Body::JoinRequest(j) = &e.body else { continue };
                    if joins.get(&e.author).map(|f| f.op) != Some(e.op) {
                        continue;
                    }
                    if let Some(inv) = invites.get_mut(&j.invite) {
                        inv.requests += 1;
                        let in_time = inv.expires.is_none_or(|x| e.time.0 <= x);
                        if inv.counted && in_time && inv.requests <= u32::from(inv.uses) {
                            eligible.push((e.author, usize::from(inv.vouches.max(1))));
                        }
                    }
                }
                vouchers.clear();
                for e in &events {
                    if let Body::Vouch(v) = &e.body
                        && counts(&e.author, e.seq, &admitted)
                    {
                        vouchers.entry(v.member).or_default().insert(e.author);
                    }
                }
                for (joiner, needed) in &eligible {
                    if !admitted.contains(joiner)
                        && cut(&cuts, joiner) >= 1
                        && vouchers.get(joiner).is_some_and(|v| v.iter().filter(|a| *a != joiner).count() >= *needed)
                    {
                        admitted.insert(*joiner);
                        changed = true;
                    }
                }
                for e in &events {
                    if let Body::RoleChange(r) = &e.body
                        && r.role == crate::Role::Organizer
                        && counts(&e.author, e.seq, &organizers)
                        && admitted.contains(&r.member)
                        && organizers.insert(r.member)
                    {
                        changed = true;
                    }
                }
                // The new key of an organizer is an organizer.
                for (old, new) in &replaced {
                    if organizers.contains(old) && organizers.insert(*new) {
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            if admit_rejoins(&events, &rejoins, &cuts, &organizers, &mut admitted, &mut replaced) {
                continue;
            }
            break;
        }
        // Demotions, in (time, op) order, by organizers as promoted above.
        let promoted = organizers.clone();
        for e in &events {
            if let Body::RoleChange(r) = &e.body
                && r.role == crate::Role::Member
                && r.member != founder
                && promoted.contains(&e.author)
                && e.seq <= cut(&cuts, &e.author)
            {
                organizers.remove(&r.member);
            }
        }
        // A new key took its old key's role: if the old key was demoted, so is the new one
        // (unless it was promoted in its own right).
        for (old, new) in &replaced {
            let promoted_itself = events.iter().any(|e| {
                matches!(&e.body, Body::RoleChange(r) if r.member == *new && r.role == crate::Role::Organizer)
                    && promoted.contains(&e.author)
                    && e.seq <= cut(&cuts, &e.author)
            });
            if !organizers.contains(old) && !promoted_itself {
                organizers.remove(new);
            }
        }
        // Removals by organizers cut their targets.
        let mut new_cut = false;
        let before = cuts.clone();
        for e in &events {
            if let Body::Removal(r) = &e.body
                && r.member != founder
                && organizers.contains(&e.author)
                && e.seq <= cut(&before, &e.author)
            {
                let target = r.member;
                if r.last_seen_seq < cut(&cuts, &target) {
                    cuts.insert(target, r.last_seen_seq);
                    new_cut = true;
                }
            }
        }
        // A replaced key counts up to its last good seq, the rejoin says (the founder's too).
        for (old, new) in &replaced {
            let last_good = rejoins.get(new).map_or(0, |(_, r)| r.last_good_seq);
            if last_good < cut(&cuts, old) {
                cuts.insert(*old, last_good);
                new_cut = true;
            }
        }
        if new_cut {
            continue;
        }
        // Stable: write it out.
        m.invites = invites;
        type FirstOp<'e> = (&'e Event, [u8; 32], String, Option<[u8; 16]>);
        let first_ops: BTreeMap<AuthorId, FirstOp<'_>> =
            std::iter::once((founder, (genesis_event, genesis.founder_agreement, String::new(), None)))
                .chain(joins.iter().filter_map(|(a, e)| match &e.body {
                    Body::JoinRequest(j) if *a != founder => {
                        Some((*a, (*e, j.agreement, j.pseudonym.clone(), Some(j.invite))))
                    }
                    _ => None,
                }))
                .chain(
                    rejoins
                        .iter()
                        .filter(|(a, _)| **a != founder && !joins.contains_key(*a))
                        .map(|(a, (e, r))| (*a, (*e, r.agreement, r.pseudonym.clone(), None))),
                )
                .collect();
        for (author, (first, agreement, pseudonym, invite)) in first_ops {
            let is_admitted = admitted.contains(&author);
            let c = cut(&cuts, &author);
            let status = if c != u64::MAX {
                Status::Removed
            } else if is_admitted {
                Status::Member
            } else {
                Status::Pending
            };
            m.people.insert(
                author,
                Person {
                    status,
                    role: if organizers.contains(&author) { Role::Organizer } else { Role::Member },
                    agreement,
                    pseudonym,
                    invite,
                    first_op: first.op,
                    since: first.time,
                    vouchers: vouchers.remove(&author).unwrap_or_default(),
                    count_upto: if is_admitted { c } else { 0 },
                },
            );
        }
        return m;
    }
}

#[cfg(test)]
mod tests;
