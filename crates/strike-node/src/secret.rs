//! Secret pledges and ballots on this node (`docs/protocol.md`, "Secret pledges and ballots"):
//! who is eligible on a secret call or proposal and in which group, the credentials fold over
//! what this node holds, the inputs a secret call's trigger and a secret vote's tally are
//! evaluated from, and this member's own one-time author: pledging, voting and forgetting the
//! link. Writing keys, requests and grants, and unblinding credentials, is upkeep
//! (`secret/upkeep.rs`).

pub mod upkeep;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rand::RngExt;
use serde::{Deserialize, Serialize};
use strike_core::body::{Call, Proposal, SecretBallot, SecretPledge};
use strike_core::calls::{Dimension, Person, PledgeEvent, Rule};
use strike_core::membership::Status;
use strike_core::secret::fold::{self, Credentials, In};
use strike_core::secret::{MAX_ISSUERS, MIN_GROUP, Proof, SECRET_TIME_MINUTES};
use strike_core::votes::BallotContent;
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpDraft, OpId, Role};
use strike_crypto::SigningSecret;
use strike_store::FactRow;

use crate::{Node, NodeError, Result};

/// This node's link as [`Node::secret_link`] gives it: the one-time key's seed, its request,
/// and the blindings and credentials.
pub type LinkParts = (Vec<u8>, Option<OpId>, Link);

/// Key-derivation context of a one-time author's op nonces.
pub const ONE_TIME_NONCE_CONTEXT: &str = "openstrike 2026 one-time op nonce v1";

/// A secret op is released after a random delay between these (seconds), to one peer or hub
/// chosen at random (`peer::sync_peers`), never offered first by its author's node.
pub const RELEASE_DELAY: std::ops::RangeInclusive<u64> = 60..=1800;

/// What this node keeps of its one-time author on a secret scope, beside the one-time key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Link {
    pub group: String,
    /// The issuers' keys asked under, in issuer order.
    pub keys: Vec<OpId>,
    /// (blinded message, unblinding secret, randomizer) per issuer.
    pub blindings: Vec<(Vec<u8>, Vec<u8>, [u8; 32])>,
    /// The credentials, once every issuer answered: (randomizer, signature) per issuer.
    pub proofs: Vec<([u8; 32], Vec<u8>)>,
}

/// A secret call or proposal: its issuers, the eligible members' groups, and until when
/// credentials are issued.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub op: OpId,
    pub issuers: Vec<AuthorId>,
    pub eligible: BTreeMap<AuthorId, String>,
    /// Coarse minute after which nothing more is issued (the deadline or the closing time).
    pub until: u32,
    pub kind: Kind,
}

/// A secret call's or proposal's credentials as this node shows them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct SecretView {
    /// The organizers whose credentials every secret pledge or ballot carries.
    pub issuers: Vec<String>,
    pub eligible: usize,
    /// Eligible members whose nodes asked for credentials (every node asks by itself).
    pub requested: usize,
    /// Credentials every issuer issued: never more than the eligible members.
    pub issued: usize,
    /// One-time authors that count.
    pub one_time_authors: usize,
    /// What every node flags: credentials beyond the eligible members, or one-time authors
    /// beyond the credentials issued.
    pub flags: Vec<String>,
    /// This node's part: `not eligible`, `waiting for credentials`, `ready`, `pledged`,
    /// `voted`, or `forgotten`.
    pub mine: String,
}

/// The group a person is in on a call whose per-group rules read `dims`: `department=packing;
/// shift=night` (empty without such rules).
pub fn group_of(dims: &[Dimension], person: Option<&Person>) -> String {
    dims.iter()
        .map(|d| {
            let v = person.map(|p| match d {
                Dimension::Department => p.department.as_str(),
                Dimension::Workplace => p.workplace.as_str(),
                Dimension::Shift => p.shift.as_str(),
            });
            format!("{}={}", d.as_str(), v.unwrap_or("").trim().to_lowercase())
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// What a group proves of a one-time author: its dimensions' values (the call's workplace).
pub fn person_of(group: &str, scope: &str) -> Person {
    let mut p =
        Person { workplace: scope.to_owned(), department: String::new(), shift: String::new(), role: String::new() };
    for part in group.split(';').filter(|s| !s.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match Dimension::parse(k) {
            Some(Dimension::Department) => p.department = v.to_owned(),
            Some(Dimension::Shift) => p.shift = v.to_owned(),
            Some(Dimension::Workplace) => p.workplace = v.to_owned(),
            None => {}
        }
    }
    p
}

/// The dimensions a call's per-group rules read, sorted.
pub fn dims_of(call: &Call) -> Vec<Dimension> {
    let mut dims: Vec<Dimension> = call
        .waves
        .iter()
        .flat_map(|w| w.rules.iter())
        .filter_map(|r| if let Rule::MinPer { dimension, .. } = r { Some(*dimension) } else { None })
        .collect();
    dims.sort();
    dims.dedup();
    dims
}

/// The time a secret op claims: the hour it is written in (or the latest of its
/// dependencies', if later), so that secret ops of an hour are in no telling order.
pub fn secret_time(now: CoarseTime, floor: CoarseTime) -> CoarseTime {
    CoarseTime(now.0 - now.0 % SECRET_TIME_MINUTES).max(floor)
}

/// The eligible members of a secret call in a roster, with their groups: counted members in its
/// scope and not exempt, as the trigger counts them.
fn eligible_in(roster: &strike_core::calls::Roster, call: &Call) -> BTreeMap<AuthorId, String> {
    let dims = dims_of(call);
    let exempt = |p: &Person| call.exempt_roles.iter().any(|r| r.eq_ignore_ascii_case(&p.role));
    let in_scope = |p: &Person| call.scope.is_empty() || p.workplace.eq_ignore_ascii_case(&call.scope);
    roster
        .members
        .iter()
        .filter(|(_, p)| p.as_ref().is_none_or(|p| in_scope(p) && !exempt(p)) && (call.scope.is_empty() || p.is_some()))
        .map(|(a, p)| (*a, group_of(&dims, p.as_ref())))
        .collect()
}

fn decode_link(bytes: &[u8]) -> Result<Link> {
    ciborium::from_reader(bytes).map_err(|e| NodeError::InvalidInput(format!("this node's secret link: {e}")))
}

fn encode_link(link: &Link) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    ciborium::into_writer(link, &mut out)
        .map_err(|e| NodeError::InvalidInput(format!("this node's secret link: {e}")))?;
    Ok(out)
}

impl Node {
    /// Who issues a new secret call's or proposal's credentials: its author if an organizer,
    /// then the other organizers who have been members longest, up to [`MAX_ISSUERS`].
    pub(crate) fn choose_issuers(&self, network: &NetworkId, me: AuthorId) -> Result<Vec<AuthorId>> {
        let mut organizers: Vec<_> = self
            .members(network)?
            .into_iter()
            .filter(|m| m.status == Status::Member && m.role == Role::Organizer)
            .map(|m| (m.author != me, m.since, m.author))
            .collect();
        organizers.sort();
        Ok(organizers.into_iter().map(|(_, _, a)| a).take(MAX_ISSUERS).collect())
    }

    /// This node's own latest ballot on a secret proposal, as its one-time author cast it.
    pub(crate) fn my_secret_ballot(&self, network: &NetworkId, proposal: &OpId) -> Result<Option<BallotContent>> {
        let Some(link) = self.store.secret_link(network, proposal)? else { return Ok(None) };
        let Ok(seed) = <[u8; 32]>::try_from(&link.one_time[..]) else { return Ok(None) };
        let author = AuthorId(SigningSecret::from_seed(&seed).public().0);
        Ok(self
            .store
            .secret_facts(network, Kind::SecretBallot, proposal)?
            .into_iter()
            .filter(|f| f.author == author)
            .max_by_key(|f| f.seq)
            .and_then(|f| match f.body {
                Body::SecretBallot(b) => Some(b.content),
                _ => None,
            }))
    }

    /// The eligible members of a secret call and their groups: counted members in its scope
    /// and not exempt, as the trigger counts them.
    pub(crate) fn call_eligible(&self, network: &NetworkId, call: &Call) -> Result<BTreeMap<AuthorId, String>> {
        Ok(eligible_in(&self.roster(network)?, call))
    }

    /// Refuses a secret call whose groups are too small to hide a pledge in.
    pub(crate) fn check_secret_groups(&self, network: &NetworkId, call: &Call) -> Result<()> {
        let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
        for g in self.call_eligible(network, call)?.into_values() {
            *sizes.entry(g).or_default() += 1;
        }
        if sizes.len() > strike_core::secret::MAX_GROUPS {
            return Err(NodeError::InvalidInput("its per-group rules split the members into too many groups".into()));
        }
        let total: usize = sizes.values().sum();
        if total < MIN_GROUP {
            return Err(NodeError::InvalidInput(format!(
                "a secret call needs at least {MIN_GROUP} eligible members to hide a pledge among; this one has {total}"
            )));
        }
        if let Some((g, n)) = sizes.iter().find(|(_, n)| **n < MIN_GROUP) {
            let g = if g.is_empty() { "everyone".to_owned() } else { g.replace(';', ", ") };
            return Err(NodeError::InvalidInput(format!(
                "a secret call needs at least {MIN_GROUP} eligible members in each group its rules count, so that a \
                 pledge is never narrowed to fewer people; {g} has {n}"
            )));
        }
        Ok(())
    }

    /// The secret calls and proposals of a network this node reads.
    pub(crate) fn secret_scopes(&self, network: &NetworkId) -> Result<Vec<Scope>> {
        let mut out = Vec::new();
        let mut roster = None;
        for f in self.store.facts(network, Kind::Call, None)? {
            if let Body::Call(c) = &f.body
                && let Some(s) = &c.secret
            {
                let roster = match &roster {
                    Some(r) => r,
                    None => roster.insert(self.roster(network)?),
                };
                let eligible = eligible_in(roster, c);
                out.push(Scope {
                    op: f.op_id,
                    issuers: s.issuers.clone(),
                    eligible,
                    until: c.deadline,
                    kind: Kind::Call,
                });
            }
        }
        for f in self.store.facts(network, Kind::Proposal, None)? {
            if let Body::Proposal(p) = &f.body
                && let Some(s) = &p.secret
            {
                let eligible = self.electorate(network, &f, p)?.into_iter().map(|a| (a, String::new())).collect();
                out.push(Scope {
                    op: f.op_id,
                    issuers: s.issuers.clone(),
                    eligible,
                    until: p.closes,
                    kind: Kind::Proposal,
                });
            }
        }
        Ok(out)
    }

    pub(crate) fn secret_scope(&self, network: &NetworkId, scope: &OpId) -> Result<Scope> {
        self.secret_scopes(network)?
            .into_iter()
            .find(|s| s.op == *scope)
            .ok_or_else(|| NodeError::NotFound("no secret call or vote with that id".into()))
    }

    /// The credentials fold over what this node holds of a secret scope.
    pub(crate) fn credentials(&self, network: &NetworkId, scope: &Scope) -> Result<Credentials> {
        let eligible: BTreeSet<AuthorId> = scope.eligible.keys().copied().collect();
        let at = |f: &FactRow| (f.op_id, f.author, f.seq, f.time);
        let mut keys = Vec::new();
        for f in self.store.facts(network, Kind::CredentialKey, Some(&scope.op.0))? {
            if let Body::CredentialKey(k) = &f.body {
                let (op, author, seq, time) = at(&f);
                keys.push(In { op, author, seq, time, what: k.group.clone() });
            }
        }
        let mut requests = Vec::new();
        for f in self.store.facts(network, Kind::CredentialRequest, Some(&scope.op.0))? {
            if let Body::CredentialRequest(r) = &f.body {
                let (op, author, seq, time) = at(&f);
                requests.push(In { op, author, seq, time, what: r.keys.clone() });
            }
        }
        let mut issues = Vec::new();
        for f in self.store.facts(network, Kind::CredentialIssue, Some(&scope.op.0))? {
            if let Body::CredentialIssue(i) = &f.body {
                let (op, author, seq, time) = at(&f);
                issues.push(In { op, author, seq, time, what: (i.key, i.grants.iter().map(|g| g.request).collect()) });
            }
        }
        let kind = if scope.kind == Kind::Call { Kind::SecretPledge } else { Kind::SecretBallot };
        let mut secret = Vec::new();
        for f in self.store.secret_facts(network, kind, &scope.op)? {
            if let Some((_, named, _)) = strike_core::secret::secret_parts(&f.body) {
                let (op, author, seq, time) = at(&f);
                secret.push(In { op, author, seq, time, what: named.to_vec() });
            }
        }
        Ok(fold::credentials(&scope.issuers, &eligible, &keys, &requests, &issues, &secret))
    }

    /// A secret call's pledge events and pledgers (the counted one-time authors with what their
    /// group proves), and its credentials' view.
    pub(crate) fn secret_call_inputs(
        &self,
        network: &NetworkId,
        call_op: &OpId,
        call: &Call,
    ) -> Result<(Vec<PledgeEvent>, HashMap<AuthorId, Person>, SecretView)> {
        let scope = Scope {
            op: *call_op,
            issuers: call.secret.as_ref().map(|s| s.issuers.clone()).unwrap_or_default(),
            eligible: self.call_eligible(network, call)?,
            until: call.deadline,
            kind: Kind::Call,
        };
        let creds = self.credentials(network, &scope)?;
        let mut events = Vec::new();
        for f in self.store.secret_facts(network, Kind::SecretPledge, call_op)? {
            if let Body::SecretPledge(p) = &f.body
                && creds.counted.contains_key(&f.author)
                && !creds.not_counted.contains_key(&f.op_id)
            {
                events.push(PledgeEvent { author: f.author, seq: f.seq, time: f.time, pledged: p.pledged });
            }
        }
        let pledgers = creds.counted.iter().map(|(a, g)| (*a, person_of(g, &call.scope))).collect();
        Ok((events, pledgers, self.secret_view(network, &scope, &creds)?))
    }

    /// The view of a secret scope's credentials, with this node's part.
    pub(crate) fn secret_view(&self, network: &NetworkId, scope: &Scope, creds: &Credentials) -> Result<SecretView> {
        let members = self.members(network)?;
        let name = |a: &AuthorId| {
            members.iter().find(|m| m.author == *a).map_or_else(|| a.short(), crate::networks::display_name)
        };
        let me = self.me_in(network)?.map(|m| m.author);
        let link = self.store.secret_link(network, &scope.op)?;
        let mine = match (&link, me.is_some_and(|m| scope.eligible.contains_key(&m))) {
            (Some(l), _) if l.forgotten => "forgotten".to_owned(),
            (Some(l), _) => match decode_link(&l.link)? {
                link if link.proofs.is_empty() => "waiting for credentials".to_owned(),
                _ => match self.my_one_time_state(network, scope, l)? {
                    Some(true) if scope.kind == Kind::Call => "pledged".to_owned(),
                    Some(_) if scope.kind == Kind::Proposal => "voted".to_owned(),
                    _ => "ready".to_owned(),
                },
            },
            (None, true) => "waiting for credentials".to_owned(),
            (None, false) => "not eligible".to_owned(),
        };
        Ok(SecretView {
            issuers: scope.issuers.iter().map(name).collect(),
            eligible: scope.eligible.len(),
            requested: creds.requested,
            issued: creds.issued.values().sum(),
            one_time_authors: creds.counted.len(),
            flags: creds.flags.clone(),
            mine,
        })
    }

    /// This node's one-time author's latest word on a scope: a pledge's `pledged`, or `true`
    /// for a ballot; `None` if it wrote nothing (or forgot).
    fn my_one_time_state(
        &self,
        network: &NetworkId,
        scope: &Scope,
        link: &strike_store::SecretLinkRow,
    ) -> Result<Option<bool>> {
        let Ok(seed) = <[u8; 32]>::try_from(&link.one_time[..]) else { return Ok(None) };
        let author = AuthorId(SigningSecret::from_seed(&seed).public().0);
        let kind = if scope.kind == Kind::Call { Kind::SecretPledge } else { Kind::SecretBallot };
        let latest = self
            .store
            .secret_facts(network, kind, &scope.op)?
            .into_iter()
            .filter(|f| f.author == author)
            .max_by_key(|f| f.seq);
        Ok(latest.map(|f| match f.body {
            Body::SecretPledge(p) => p.pledged,
            _ => true,
        }))
    }

    /// Writes `body` as this node's one-time author on `scope`, with its credentials: sealed
    /// under the network's key, naming the scope and its keys among its dependencies, at the
    /// hour's coarse time, then taken in like any op from another node.
    fn write_one_time(
        &mut self,
        network: &NetworkId,
        scope: &OpId,
        body: impl FnOnce(Vec<OpId>, Vec<Proof>) -> Body,
    ) -> Result<OpId> {
        let link_row = self.store.secret_link(network, scope)?.ok_or_else(|| {
            NodeError::NotAllowed(
                "this node has no credential for it yet: sync with an issuer's node, then try again".into(),
            )
        })?;
        if link_row.forgotten {
            return Err(NodeError::NotAllowed(
                "this node forgot its link to its secret pledge or ballot here: it can no longer change it".into(),
            ));
        }
        let link = decode_link(&link_row.link)?;
        if link.proofs.len() != link.keys.len() || link.proofs.is_empty() {
            return Err(NodeError::NotAllowed(
                "the issuers have not answered this node's request yet: sync with their nodes, then try again".into(),
            ));
        }
        let seed = <[u8; 32]>::try_from(&link_row.one_time[..])
            .map_err(|_| NodeError::InvalidInput("this node's one-time key is damaged".into()))?;
        let signing = SigningSecret::from_seed(&seed);
        let author = AuthorId(signing.public().0);
        let (kind, until) = match self.store.fact(network, scope)? {
            Some((_, Body::Call(c))) => (Kind::SecretPledge, c.deadline),
            Some((_, Body::Proposal(p))) => (Kind::SecretBallot, p.closes),
            _ => return Err(NodeError::NotFound("no secret call or vote with that id".into())),
        };
        let mine: Vec<FactRow> =
            self.store.secret_facts(network, kind, scope)?.into_iter().filter(|f| f.author == author).collect();
        let prev = mine.iter().max_by_key(|f| f.seq);
        let mut floor = prev.map(|f| f.time).unwrap_or_default();
        let mut deps = vec![*scope];
        deps.extend(link.keys.iter().copied());
        for d in &deps {
            if let Some(t) = self.store.fact_time(network, d)? {
                floor = floor.max(t);
            }
        }
        let (epoch, key) = self
            .store
            .write_key(network)?
            .ok_or_else(|| NodeError::NotAllowed("this node holds no key of the network yet".into()))?;
        let proofs = link.proofs.iter().map(|(r, s)| Proof { randomizer: *r, signature: s.clone() }).collect();
        let draft = OpDraft {
            network: *network,
            seq: prev.map_or(1, |f| f.seq + 1),
            prev: prev.map(|f| f.op_id),
            deps: deps.clone(),
            time: secret_time(CoarseTime::from_unix_seconds(self.now()), floor),
            epoch,
            body: body(link.keys.clone(), proofs),
        };
        // The nonce comes from the one-time key, the seq and the body, not from this node's
        // randomness: the op's bytes are the same whichever member's node writes it, and a
        // nonce is never used twice for two bodies.
        let material = [&seed[..], &draft.seq.to_be_bytes(), &draft.body.encode()].concat();
        let nonce: [u8; 24] =
            strike_crypto::derive(ONE_TIME_NONCE_CONTEXT, &material)[..24].try_into().expect("24 of 32 bytes");
        let mut rng = rand::rng();
        let sealed = draft.seal(&signing, &key, nonce).map_err(NodeError::Refused)?;
        let id = sealed.id();
        // Held back from every session and bundle before it is taken in: released after a
        // random delay (but ten minutes before the deadline or close at the latest).
        let now = self.now();
        let latest = CoarseTime(until).unix_seconds().saturating_sub(600).max(now);
        let release_at = (now + rng.random_range(RELEASE_DELAY)).min(latest);
        self.store.hold_back(network, &id, release_at)?;
        let report = self.store.ingest(network, vec![sealed.bytes().to_vec()], crate::unix_now())?;
        if report.applied != 1 {
            return Err(NodeError::NotAllowed(format!("the secret op was not taken: {report:?}")));
        }
        Ok(id)
    }

    /// Pledges (or withdraws) on a secret call as this node's one-time author.
    pub(crate) fn secret_pledge(&mut self, network: &NetworkId, call: &OpId, pledged: bool) -> Result<OpId> {
        self.write_one_time(network, call, |keys, proofs| {
            Body::SecretPledge(SecretPledge { call: *call, keys, proofs, pledged })
        })
    }

    /// Votes (or votes again) on a secret proposal as this node's one-time author.
    pub(crate) fn secret_vote(&mut self, network: &NetworkId, proposal: &OpId, content: BallotContent) -> Result<OpId> {
        self.write_one_time(network, proposal, |keys, proofs| {
            Body::SecretBallot(SecretBallot { proposal: *proposal, keys, proofs, content })
        })
    }

    /// Drops this node's link to its one-time author on a secret call or proposal: nothing on
    /// this device says any more which pledge or ballot is its own, and it can no longer be
    /// withdrawn or changed.
    pub fn forget_secret(&mut self, network: &NetworkId, scope: &OpId) -> Result<()> {
        self.secret_scope(network, scope)?;
        if !self.store.forget_secret_link(network, scope)? {
            return Err(NodeError::NotFound("this node holds no link on it".into()));
        }
        Ok(())
    }

    /// A secret proposal's ballots from its counted one-time authors, and its credentials.
    pub(crate) fn secret_ballots(
        &self,
        network: &NetworkId,
        f: &FactRow,
        p: &Proposal,
    ) -> Result<(Vec<strike_core::votes::tally::BallotIn>, Credentials, Scope)> {
        let scope = Scope {
            op: f.op_id,
            issuers: p.secret.as_ref().map(|s| s.issuers.clone()).unwrap_or_default(),
            eligible: self.electorate(network, f, p)?.into_iter().map(|a| (a, String::new())).collect(),
            until: p.closes,
            kind: Kind::Proposal,
        };
        let creds = self.credentials(network, &scope)?;
        let ballots = self
            .store
            .secret_facts(network, Kind::SecretBallot, &f.op_id)?
            .into_iter()
            .filter(|b| creds.counted.contains_key(&b.author) && !creds.not_counted.contains_key(&b.op_id))
            .filter_map(|b| match b.body {
                Body::SecretBallot(s) => Some(strike_core::votes::tally::BallotIn {
                    op: b.op_id,
                    author: b.author,
                    seq: b.seq,
                    time: b.time,
                    content: s.content,
                }),
                _ => None,
            })
            .collect();
        Ok((ballots, creds, scope))
    }
}

/// After handing its secret ops to one peer or hub, a node waits this long (seconds) before
/// its own sessions carry them, so that others receive them from there first.
pub const RELAY_QUIET: u64 = 3600;

impl Node {
    /// This node's secret ops waiting for release: network, op, when due (unix seconds), and
    /// whether a peer or hub already has it (then only the quiet time is left).
    pub fn held_secret_ops(&self) -> Result<Vec<(NetworkId, OpId, u64, bool)>> {
        Ok(self.store.held_back()?)
    }

    /// This node's secret ops due to be handed to one peer or hub now, by network. Ops whose
    /// quiet time after that is over are released to every session here, on the way.
    pub fn due_secret_ops(&mut self) -> Result<BTreeMap<NetworkId, Vec<OpId>>> {
        let now = self.now();
        let mut out: BTreeMap<NetworkId, Vec<OpId>> = BTreeMap::new();
        let mut alone: BTreeMap<NetworkId, bool> = BTreeMap::new();
        for (network, op, at, relayed) in self.store.held_back()? {
            // With no peer or hub to hand them to (a network that moves by bundles only), due
            // ops go out with this node's next bundle.
            let alone = match alone.get(&network) {
                Some(a) => *a,
                None => *alone.entry(network).or_insert(self.peers(Some(&network))?.is_empty()),
            };
            match (at <= now, relayed || alone) {
                (true, false) => out.entry(network).or_default().push(op),
                (true, true) => self.store.release_held(&network, &[op])?,
                (false, _) => {}
            }
        }
        Ok(out)
    }

    /// Records that a peer or hub now has these secret ops (a release session succeeded):
    /// this node's own sessions carry them after [`RELAY_QUIET`].
    pub fn relayed_secret_ops(&mut self, network: &NetworkId, ops: &[OpId]) -> Result<()> {
        let quiet_until = self.now() + RELAY_QUIET;
        Ok(self.store.mark_relayed(network, ops, quiet_until)?)
    }

    /// This node's link on a secret scope: the one-time key's seed, its request, and the
    /// blindings and credentials.
    pub fn secret_link(&self, network: &NetworkId, scope: &OpId) -> Result<Option<LinkParts>> {
        match self.store.secret_link(network, scope)? {
            Some(row) if !row.forgotten => Ok(Some((row.one_time.to_vec(), row.request, decode_link(&row.link)?))),
            _ => Ok(None),
        }
    }

    /// Replaces this node's link on a secret scope (the unlinkability test gives one member's
    /// node the one-time key another's used, with the unblinding that turns its own answer into
    /// that credential).
    pub fn set_secret_link(&mut self, network: &NetworkId, scope: &OpId, one_time: &[u8], link: &Link) -> Result<()> {
        let mut row = self
            .store
            .secret_link(network, scope)?
            .ok_or_else(|| NodeError::NotFound("this node holds no link on it".into()))?;
        row.one_time = zeroize::Zeroizing::new(one_time.to_vec());
        row.link = zeroize::Zeroizing::new(encode_link(link)?);
        Ok(self.store.put_secret_link(network, scope, &row)?)
    }

    /// Releases every held secret op of a network to every session now, without a relay:
    /// for the demo's nodes, and a member who chooses to send at once. Returns how many.
    pub fn release_held_now(&mut self, network: &NetworkId) -> Result<usize> {
        let ops: Vec<OpId> =
            self.store.held_back()?.into_iter().filter(|(n, ..)| n == network).map(|(_, op, ..)| op).collect();
        self.store.release_held(network, &ops)?;
        Ok(ops.len())
    }
}
