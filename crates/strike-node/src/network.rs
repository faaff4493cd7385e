//! Membership commands: invites and their links, joining, vouching, promotion, removal with
//! key rotation, and the upkeep a member's node does after new ops arrive (key shares for
//! newly admitted members, a new key when a removed member still holds the current one,
//! checkpoints closing calls at their deadline).

use std::fmt;
use std::str::FromStr;

use strike_core::body::{
    History, HistoryMode, Invite, JoinRequest, KeyShare, KeyUpdate, MemberShare, Rejoin, Removal, RoleChange,
    SealedKey, Vouch,
};
use strike_core::membership::{self, KEY_SEAL_INFO, Status};
use strike_core::{AuthorId, Body, CoarseTime, NetworkId, OpDraft, OpId, Role};
use strike_crypto::{AgreementPublic, AgreementSecret, SigningSecret, SymmetricKey};
use strike_store::MemberRow;

use crate::{Node, NodeError, Result};

/// Key updates carry at most this many shares each (about 112 bytes apiece): one op stays far
/// below the 64 KiB limit, and a network of 10,000 members rotates in 25 ops.
pub const SHARES_PER_KEY_UPDATE: usize = 400;
/// The URI scheme of invite links.
pub const LINK_PREFIX: &str = "openstrike://join/v1/";

/// What an invite link carries: the network, the invite secret and where to reach the network.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteLink {
    pub network: NetworkId,
    pub secret: [u8; 32],
    pub addresses: Vec<String>,
}

impl fmt::Debug for InviteLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InviteLink").field("network", &self.network).field("addresses", &self.addresses).finish()
    }
}

impl fmt::Display for InviteLink {
    /// `openstrike://join/v1/<network hex>/<secret hex>[?a=<address>&a=...]`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{LINK_PREFIX}{}/{}", self.network.to_hex(), hex::encode(self.secret))?;
        for (i, a) in self.addresses.iter().enumerate() {
            write!(f, "{}a={a}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

impl FromStr for InviteLink {
    type Err = NodeError;

    fn from_str(s: &str) -> Result<InviteLink> {
        let bad = |why: &str| NodeError::InvalidInput(format!("not an invite link ({why}); it starts {LINK_PREFIX}"));
        let rest = s.trim().strip_prefix(LINK_PREFIX).ok_or_else(|| bad("wrong start"))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (network, secret) = path.split_once('/').ok_or_else(|| bad("no secret"))?;
        let network = network.parse::<NetworkId>().map_err(|_| bad("bad network id"))?;
        let secret: [u8; 32] =
            hex::decode(secret).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| bad("bad secret"))?;
        let mut addresses = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("a", addr)) if !addr.is_empty() => addresses.push(addr.to_owned()),
                _ => return Err(bad("unknown part after '?'")),
            }
        }
        Ok(InviteLink { network, secret, addresses })
    }
}

fn check_address(a: &str) -> Result<()> {
    if a.is_empty() || a.len() > 256 || a.chars().any(|c| c.is_whitespace() || c.is_control() || "&?#/".contains(c)) {
        return Err(NodeError::InvalidInput(format!("{a:?} is not an address (host:port or id@host:port)")));
    }
    Ok(())
}

/// What vouching did.
#[derive(Debug, Clone)]
pub struct VouchOutcome {
    pub op: OpId,
    /// The joiner is now admitted.
    pub admitted: bool,
    pub vouches: usize,
    pub needed: usize,
}

/// What removal did.
#[derive(Debug, Clone)]
pub struct RemoveOutcome {
    pub op: OpId,
    pub new_epoch: u32,
    pub n_shares: usize,
}

/// Why a member goes on under a new key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoverWhy {
    /// Their key forked: every node flags it.
    Forked,
    /// A device holding their data directory was seized or copied; no fork is known (yet).
    Compromised,
}

/// What `recover` wrote.
#[derive(Debug, Clone)]
pub struct RecoverOutcome {
    /// The rejoin.
    pub op: OpId,
    pub old: AuthorId,
    pub new: AuthorId,
    /// The old key's ops up to this seq stay counted.
    pub last_good_seq: u64,
}

/// What upkeep wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upkeep {
    pub key_shares: usize,
    pub rotated_to: Option<u32>,
    pub checkpoints: usize,
    /// Hub grants issued again for a new epoch (the founder's node only).
    pub hub_grants: usize,
    /// A fresh history key, sealed after an admission or a removal.
    pub history_rotated_to: Option<u32>,
}

impl Node {
    /// This node's row in a network's membership, if it has one.
    pub fn me_in(&self, network: &NetworkId) -> Result<Option<MemberRow>> {
        let Some(me) = self.network(network)?.my_author else { return Ok(None) };
        Ok(self.members(network)?.into_iter().find(|m| m.author == me))
    }

    /// This node's author must be a current member (an organizer if `organizer`).
    pub(crate) fn require_member(&self, network: &NetworkId, organizer: bool) -> Result<MemberRow> {
        let me = self
            .me_in(network)?
            .filter(|m| m.status == Status::Member)
            .ok_or_else(|| NodeError::NotAllowed("you are not an admitted member of this network (yet)".into()))?;
        if organizer && me.role != Role::Organizer {
            return Err(NodeError::NotAllowed("only organizers can do that".into()));
        }
        Ok(me)
    }

    /// This node's author must be an organizer of the network.
    pub fn require_organizer(&self, network: &NetworkId) -> Result<()> {
        self.require_member(network, true).map(|_| ())
    }

    /// Finds a member by author id, id prefix (at least 4 hex digits) or pseudonym.
    pub fn resolve_member(&self, network: &NetworkId, query: &str) -> Result<MemberRow> {
        let q = query.trim().to_lowercase();
        let people = self.members(network)?;
        let mut hits: Vec<&MemberRow> = people.iter().filter(|m| m.pseudonym.to_lowercase() == q).collect();
        if hits.is_empty()
            && let Ok(prefix) = strike_core::IdPrefix::parse(&q, 4)
        {
            hits = people.iter().filter(|m| prefix.matches(&m.author.0)).collect();
        }
        match hits.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(NodeError::NotFound(format!("nobody in this network matches {query:?}"))),
            _ => Err(NodeError::InvalidInput(format!("{query:?} matches more than one person; use their id"))),
        }
    }

    /// Creates an invite (organizers): `uses` joiners, valid for `valid_for_secs` if given.
    pub fn create_invite(
        &mut self,
        network: &NetworkId,
        uses: u16,
        valid_for_secs: Option<u64>,
        addresses: Vec<String>,
    ) -> Result<InviteLink> {
        self.require_member(network, true)?;
        if uses == 0 {
            return Err(NodeError::InvalidInput("an invite needs at least one use".into()));
        }
        for a in &addresses {
            check_address(a)?;
        }
        let secret: [u8; 32] = strike_crypto::random_bytes(&mut rand::rng());
        let expires = valid_for_secs.map(|s| CoarseTime::from_unix_seconds(self.now() + s).0);
        // The network's setting, or every member's vouch while the network is smaller.
        let members = self.members(network)?.iter().filter(|m| m.status == Status::Member).count();
        let required = self.network(network)?.vouches_required.unwrap_or(1);
        let vouches = required.min(u8::try_from(members).unwrap_or(u8::MAX)).max(1);
        self.author(network, Body::Invite(Invite { secret, uses, vouches, expires, addresses: addresses.clone() }))?;
        Ok(InviteLink { network: *network, secret, addresses })
    }

    /// Asks to join the network an invite link names. The request is this node's first op in
    /// the network, sealed under the invite's join key: only members and holders of the same
    /// link can read it. Until admitted, this node can read nothing else of the network.
    pub fn join(&mut self, link: &InviteLink, pseudonym: &str) -> Result<OpId> {
        let pseudonym = pseudonym.trim();
        if self.store.my_author(&link.network)?.is_some() {
            return Err(NodeError::InvalidInput("this node is already in that network (or has asked to join)".into()));
        }
        let body = Body::JoinRequest(JoinRequest {
            invite: membership::invite_id(&link.secret),
            agreement: [0; 32],
            pseudonym: pseudonym.to_owned(),
        });
        body.check().map_err(NodeError::Refused)?;
        let mut rng = rand::rng();
        let author = SigningSecret::generate(&mut rng);
        let agreement = AgreementSecret::generate(&mut rng);
        let Body::JoinRequest(mut request) = body else { unreachable!("built above") };
        request.agreement = agreement.public().0;
        let now = self.now();
        self.store.begin_join(&link.network, &author.seed(), &agreement.to_bytes(), now)?;
        self.store.put_invite_secret(&link.network, &link.secret)?;
        let epoch = membership::join_epoch(&request.invite);
        let key = SymmetricKey::from_bytes(membership::join_key(&link.secret));
        let draft = OpDraft {
            network: link.network,
            seq: 1,
            prev: None,
            deps: vec![],
            time: CoarseTime::from_unix_seconds(now),
            epoch,
            body: Body::JoinRequest(request),
        };
        let op = draft.seal(&author, &key, strike_crypto::random_bytes(&mut rng)).map_err(NodeError::Refused)?;
        let id = op.id();
        let report = self.store.ingest(&link.network, vec![op.into_bytes()], now)?;
        if report.applied != 1 {
            return Err(NodeError::InvalidInput("the join request could not be stored".into()));
        }
        tracing::info!(network = %link.network.short(), "join requested");
        Ok(id)
    }

    /// Vouches for a pending joiner. Admission needs the network's number of vouches; the
    /// voucher whose vouch completes it also shares the network keys with the new member.
    pub fn vouch(&mut self, network: &NetworkId, member: &AuthorId) -> Result<VouchOutcome> {
        let me = self.require_member(network, false)?;
        let target = self.members(network)?.into_iter().find(|m| m.author == *member);
        match target {
            None => return Err(NodeError::NotFound("nobody in this network has that id".into())),
            Some(t) if t.status != Status::Pending => {
                return Err(NodeError::InvalidInput(format!("{} is not waiting to join", display_name(&t))));
            }
            Some(t) if t.vouchers.contains(&me.author) => {
                return Err(NodeError::InvalidInput(format!("you already vouched for {}", display_name(&t))));
            }
            Some(t) if t.replaces.is_some() && me.role != Role::Organizer => {
                return Err(NodeError::NotAllowed(format!(
                    "{} asks to go on under a new key: only an organizer's vouch lets them in (check with them in person first)",
                    display_name(&t)
                )));
            }
            Some(_) => {}
        }
        let op = self.author(network, Body::Vouch(Vouch { member: member.0 }))?;
        self.upkeep(network)?;
        let needed = match self.store.invite_of(network, member)? {
            Some(invite) => self.store.invite_vouches(network, &invite)?.unwrap_or(1),
            None => 1,
        };
        let t = self.members(network)?.into_iter().find(|m| m.author == *member);
        let (admitted, vouches) = t.map_or((false, 0), |t| (t.status == Status::Member, t.vouchers.len()));
        Ok(VouchOutcome { op, admitted, vouches, needed })
    }

    /// Goes on in `network` under a new author key, after the old one forked (a restored or
    /// cloned device signed with it) or its device is no longer the owner's alone: writes a
    /// rejoin, the new key's first op, signed also by the old key. An organizer vouches the
    /// new key in; then the old key is removed everywhere (its ops after the last good one
    /// never count, the network key rotates away from it) and the new one takes its role.
    /// Until then this node reads as before and signs nothing.
    pub fn recover(&mut self, network: &NetworkId, why: RecoverWhy) -> Result<RecoverOutcome> {
        self.network(network)?;
        let me = self.require_member(network, false).map_err(|_| {
            NodeError::NotAllowed(
                "only an admitted member goes on under a new key (a joiner asks to join again)".into(),
            )
        })?;
        let forked = self.store.equivocator_from(network, &me.author)?.is_some();
        if !forked && why == RecoverWhy::Forked {
            return Err(NodeError::InvalidInput(
                "your key here has not forked; if a device holding this data directory was seized or copied, \
                 say so (--compromised) and go on under a new key anyway"
                    .into(),
            ));
        }
        let (old_seed, _) = self
            .store
            .my_author(network)?
            .ok_or_else(|| NodeError::NotAllowed("this node holds no key in that network".into()))?;
        let old = SigningSecret::from_seed(&old_seed);
        // Every node agrees on the chain below a fork; without one, this node's whole chain is
        // its owner's.
        let last_good_seq = match self.store.equivocator_from(network, &me.author)? {
            Some(from) => from.saturating_sub(1),
            None => self.store.last_seq(network, &me.author)?,
        };
        let Some((epoch, key)) = self.store.write_key(network)? else {
            return Err(NodeError::NotAllowed("this node holds no key of the network".into()));
        };
        let mut rng = rand::rng();
        let author = SigningSecret::generate(&mut rng);
        let agreement = AgreementSecret::generate(&mut rng);
        let new = AuthorId(author.public().0);
        let proof = old.sign(membership::REJOIN_LABEL, &membership::rejoin_message(network, &new));
        let body = Body::Rejoin(Rejoin {
            old: me.author.0,
            agreement: agreement.public().0,
            pseudonym: me.pseudonym.clone(),
            last_good_seq,
            proof,
        });
        body.check().map_err(NodeError::Refused)?;
        let now = self.now();
        let draft = OpDraft {
            network: *network,
            seq: 1,
            prev: None,
            deps: vec![],
            time: CoarseTime::from_unix_seconds(now),
            epoch,
            body,
        };
        let op = draft.seal(&author, &key, strike_crypto::random_bytes(&mut rng)).map_err(NodeError::Refused)?;
        let id = self.store.begin_rejoin(network, &author.seed(), &agreement.to_bytes(), op, now)?;
        tracing::info!(network = %network.short(), "asked to go on under a new key");
        Ok(RecoverOutcome { op: id, old: me.author, new, last_good_seq })
    }

    /// Makes a member an organizer (organizers).
    pub fn promote(&mut self, network: &NetworkId, member: &AuthorId) -> Result<OpId> {
        self.require_member(network, true)?;
        self.author(network, Body::RoleChange(RoleChange { member: member.0, role: Role::Organizer }))
    }

    /// Removes a member or turns down a joiner (organizers), then seals a new network key to
    /// every remaining member: the removed member can read nothing written afterwards.
    pub fn remove(&mut self, network: &NetworkId, member: &AuthorId) -> Result<RemoveOutcome> {
        let me = self.require_member(network, true)?;
        let founder = self.network(network)?.founder;
        if Some(*member) == founder {
            return Err(NodeError::NotAllowed("the founder cannot be removed".into()));
        }
        if *member == me.author {
            return Err(NodeError::InvalidInput("you cannot remove yourself".into()));
        }
        let target = self.members(network)?.into_iter().find(|m| m.author == *member);
        match target {
            None => return Err(NodeError::NotFound("nobody in this network has that id".into())),
            Some(t) if t.status == Status::Removed => {
                return Err(NodeError::InvalidInput(format!("{} is already removed", display_name(&t))));
            }
            Some(_) => {}
        }
        let last_seen_seq = self.store.last_seq(network, member)?;
        let op = self.author(network, Body::Removal(Removal { member: member.0, last_seen_seq }))?;
        let (new_epoch, n_shares) = self.rotate(network)?;
        if self.store.history_mode(network)? == HistoryMode::SinceAdmission {
            self.rotate_history(network)?;
        }
        Ok(RemoveOutcome { op, new_epoch, n_shares })
    }

    /// Seals a fresh epoch key to every current member (this node included) in key updates
    /// written under the current epoch. Returns the new epoch and the number of shares.
    fn rotate(&mut self, network: &NetworkId) -> Result<(u32, usize)> {
        let (epoch, n) = self.seal_fresh_key(network, Body::KeyUpdate)?;
        tracing::info!(network = %network.short(), epoch, recipients = n, "network key rotated");
        // Hubs this node granted learn the new access key on the next sync; the old one
        // stops opening them after the grace period.
        self.regrant_hubs(network)?;
        Ok((epoch, n))
    }

    /// Seals a fresh history key to every current member: what history-layer bodies are
    /// written under from now on, in a network that keeps new members out of its past.
    fn rotate_history(&mut self, network: &NetworkId) -> Result<u32> {
        let (epoch, n) = self.seal_fresh_key(network, Body::HistoryKey)?;
        tracing::info!(network = %network.short(), epoch, recipients = n, "history key rotated");
        Ok(epoch)
    }

    /// A fresh key sealed (HPKE) to every current member, in ops made by `wrap` (key updates
    /// or history keys) of at most [`SHARES_PER_KEY_UPDATE`] shares, all in one batch under
    /// the current epoch, so each member can read the op that holds their share.
    fn seal_fresh_key(&mut self, network: &NetworkId, wrap: fn(KeyUpdate) -> Body) -> Result<(u32, usize)> {
        let mut rng = rand::rng();
        let key = SymmetricKey::generate(&mut rng);
        let epoch = membership::rotated_epoch(key.expose());
        let mut recipients: Vec<MemberRow> =
            self.members(network)?.into_iter().filter(|m| m.status == Status::Member).collect();
        recipients.sort_by_key(|m| m.author);
        let mut bodies = Vec::new();
        for chunk in recipients.chunks(SHARES_PER_KEY_UPDATE) {
            let mut shares = Vec::with_capacity(chunk.len());
            for m in chunk {
                let aad = membership::key_seal_aad(network, epoch, &m.author);
                let sealed =
                    strike_crypto::seal_to(&AgreementPublic(m.agreement), KEY_SEAL_INFO, &aad, key.expose(), &mut rng)?;
                shares.push(MemberShare { member: m.author.0, sealed });
            }
            bodies.push(wrap(KeyUpdate { epoch, shares }));
        }
        self.author_many(network, bodies)?;
        Ok((epoch, recipients.len()))
    }

    /// Sets what new members may read of what was written before their admission
    /// (organizers). Keeping them out starts a history key at once; from then on, every
    /// admission and removal gives the history layer a fresh key.
    pub fn set_history(&mut self, network: &NetworkId, mode: HistoryMode) -> Result<OpId> {
        self.require_member(network, true)?;
        let op = self.author(network, Body::History(History { mode }))?;
        if mode == HistoryMode::SinceAdmission && self.store.history_key(network)?.is_none() {
            self.rotate_history(network)?;
        }
        Ok(op)
    }

    /// What a member's node writes after new ops arrived. Idempotent: run it as often as you like.
    pub fn upkeep(&mut self, network: &NetworkId) -> Result<Upkeep> {
        let mut done = Upkeep::default();
        let Ok(me) = self.require_member(network, false) else { return Ok(done) };
        if self.write_gate(network).is_err() {
            // Nothing is signed until the chain is known to be fresh (or under a new key).
            return Ok(done);
        }
        let people = self.members(network)?;
        // Key shares for admitted members who lack keys this node holds: written by organizers
        // and by the member's vouchers, under the member's invite's join key.
        let held = self.store.network_keys(network)?;
        let mut shared_epochs = self.store.shared_epochs(network)?;
        for m in people.iter().filter(|m| m.status == Status::Member && m.author != me.author) {
            if me.role != Role::Organizer && !m.vouchers.contains(&me.author) {
                continue;
            }
            let shared = shared_epochs.remove(&m.author).unwrap_or_default();
            let missing: Vec<&(u32, SymmetricKey)> = held.iter().filter(|(e, _)| !shared.contains(e)).collect();
            if missing.is_empty() {
                continue;
            }
            let Some(invite) = self.store.invite_of(network, &m.author)? else { continue };
            let join_epoch = membership::join_epoch(&invite);
            let Some(join_key) = self.store.epoch_key(network, join_epoch)? else { continue };
            let mut rng = rand::rng();
            let mut keys = Vec::new();
            for (epoch, key) in missing {
                let aad = membership::key_seal_aad(network, *epoch, &m.author);
                let sealed =
                    strike_crypto::seal_to(&AgreementPublic(m.agreement), KEY_SEAL_INFO, &aad, key.expose(), &mut rng)?;
                keys.push(SealedKey { epoch: *epoch, sealed });
            }
            let body = Body::KeyShare(KeyShare { member: m.author.0, keys });
            self.author_with_key(network, body, Some((join_epoch, join_key)))?;
            done.key_shares += 1;
        }
        if me.role == Role::Organizer {
            // A removed member must not hold the key members write under.
            if let Some((epoch, _)) = self.store.write_key(network)? {
                let recipients = self.store.epoch_recipients(network, epoch)?;
                let exposed = people.iter().any(|p| {
                    p.status == Status::Removed && (epoch == 0 && p.count_upto > 0 || recipients.contains(&p.author))
                });
                if exposed {
                    done.rotated_to = Some(self.rotate(network)?.0);
                }
            }
            if self.history_key_is_due(network)? {
                done.history_rotated_to = Some(self.rotate_history(network)?);
            }
            done.checkpoints = self.close_due_calls(network)?;
            done.hub_grants = self.regrant_hubs(network)?;
        }
        Ok(done)
    }
}

impl Node {
    /// In a network that keeps new members out of its past: whether the history layer needs a
    /// fresh key because there is none, a member was admitted since the current one (they
    /// must not read what was written under it), or a removed member holds it.
    fn history_key_is_due(&self, network: &NetworkId) -> Result<bool> {
        if self.store.history_mode(network)? != HistoryMode::SinceAdmission {
            return Ok(false);
        }
        let Some((epoch, _)) = self.store.history_key(network)? else { return Ok(true) };
        let recipients = self.store.epoch_recipients(network, epoch)?;
        Ok(self.members(network)?.iter().any(|p| match p.status {
            Status::Member => !recipients.contains(&p.author),
            Status::Removed => recipients.contains(&p.author),
            Status::Pending => false,
        }))
    }
}

/// A person's name on screen: their pseudonym (with a piece of their key where it looks like
/// someone else's), else the start of their id.
pub fn display_name(m: &MemberRow) -> String {
    m.name.clone()
}
