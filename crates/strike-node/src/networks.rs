//! The networks and membership area: networks held, invites and their links, joining,
//! vouching, promotion, removal, going on under a new key after a fork, who is who (names
//! that look alike told apart), and the JSON shapes of networks and members that the CLI's
//! `--json` and the web API print.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use strike_core::body::{Genesis, Invite, JoinRequest, NetworkKind, Rejoin, Removal, RoleChange, Vouch};
use strike_core::membership::{self, Status};
use strike_core::{AuthorId, Body, CoarseTime, NetworkId, OpDraft, OpId, Role, Writer};
use strike_crypto::{AgreementSecret, SigningSecret, SymmetricKey};
use strike_store::{MemberRow, NetworkRow, NetworkStatus};

use crate::{Node, NodeError, Result};

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
    if a.is_empty() || a.len() > 256 || a.chars().any(|c| c.is_whitespace() || c.is_control() || "&?#".contains(c)) {
        return Err(NodeError::InvalidInput(format!("{a:?} is not an address (id@host:port or id@http://host:port)")));
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

impl Node {
    /// Founds a network: fresh author and agreement keys for it, a first epoch key, genesis.
    pub fn create_network(&mut self, name: &str, kind: NetworkKind) -> Result<NetworkId> {
        self.create_network_with(name, kind, 1)
    }

    /// Founds a network whose joiners need `vouches_required` vouches.
    pub fn create_network_with(&mut self, name: &str, kind: NetworkKind, vouches_required: u8) -> Result<NetworkId> {
        let name = name.trim();
        let now = self.now();
        let mut rng = rand::rng();
        let author = SigningSecret::generate(&mut rng);
        let agreement = AgreementSecret::generate(&mut rng);
        let epoch_key = SymmetricKey::generate(&mut rng);
        let salt: [u8; 16] = strike_crypto::random_bytes(&mut rng);
        let network = strike_core::membership::network_id(&AuthorId(author.public().0), &salt);
        let body = Body::Genesis(Genesis {
            name: name.to_owned(),
            kind,
            salt,
            founder_agreement: agreement.public().0,
            vouches_required,
        });
        body.check().map_err(NodeError::Refused)?;
        if self.networks()?.iter().any(|n| n.name.as_deref() == Some(name)) {
            return Err(NodeError::InvalidInput(format!("you already hold a network named {name:?}")));
        }
        let draft = OpDraft {
            network,
            seq: 1,
            prev: None,
            deps: vec![],
            time: CoarseTime::from_unix_seconds(now),
            epoch: 0,
            body,
        };
        let genesis =
            draft.seal(&author, &epoch_key, strike_crypto::random_bytes(&mut rng)).map_err(NodeError::Refused)?;
        self.store.found_network(&network, &author.seed(), &agreement.to_bytes(), &epoch_key, genesis, now)?;
        tracing::info!(network = %network.short(), "network created");
        // The organizers' circle's first key, sealed to the founder.
        self.circle_upkeep(&network)?;
        Ok(network)
    }

    /// Resolves a network id, its exact name, a unique id prefix (at least 8 hex digits) or a
    /// unique name prefix (case-insensitive).
    pub fn resolve_network(&self, query: &str) -> Result<NetworkId> {
        let query = query.trim();
        if let Ok(id) = query.parse::<NetworkId>() {
            return Ok(id);
        }
        let networks = self.networks()?;
        let lower = query.to_lowercase();
        let name_is = |n: &&NetworkRow| n.name.as_deref().is_some_and(|name| name.to_lowercase() == lower);
        let id_starts = |n: &&NetworkRow| query.len() >= 8 && n.id.to_hex().starts_with(&lower);
        let name_starts =
            |n: &&NetworkRow| n.name.as_deref().is_some_and(|name| name.to_lowercase().starts_with(&lower));
        // Exact name, else a unique id prefix, else a unique name prefix.
        let mut matches: Vec<_> = networks.iter().filter(name_is).collect();
        if matches.is_empty() {
            matches = networks.iter().filter(id_starts).collect();
        }
        if matches.is_empty() && !lower.is_empty() {
            matches = networks.iter().filter(name_starts).collect();
        }
        match matches.as_slice() {
            [one] => Ok(one.id),
            [] => Err(NodeError::UnknownNetwork(query.to_owned())),
            _ => Err(NodeError::AmbiguousNetwork(query.to_owned())),
        }
    }
    pub fn networks(&self) -> Result<Vec<NetworkRow>> {
        Ok(self.store.networks()?)
    }

    pub fn network(&self, id: &NetworkId) -> Result<NetworkRow> {
        Ok(self.store.network(id)?)
    }

    /// Everyone the network knows, each with the pseudonym of their latest profile (else the
    /// one they joined with) and a name to show that nobody else's looks like: where two
    /// names would look alike ([`strike_core::text::name_key`]), both carry a piece of
    /// their key.
    pub fn members(&self, id: &NetworkId) -> Result<Vec<MemberRow>> {
        self.memoized(
            |m| &mut m.members,
            id,
            || {
                let mut rows = self.store.members(id)?;
                let profiles = self.latest_profiles(id)?;
                for m in rows.iter_mut() {
                    if let Some(p) = profiles.get(&m.author).filter(|p| !p.pseudonym.is_empty()) {
                        m.pseudonym = p.pseudonym.clone();
                    }
                }
                name_people(&mut rows);
                Ok(rows)
            },
        )
    }

    /// This node's row in a network's membership, if it has one.
    pub fn me_in(&self, network: &NetworkId) -> Result<Option<MemberRow>> {
        let Some(me) = self.network(network)?.my_author else { return Ok(None) };
        Ok(self.members(network)?.into_iter().find(|m| m.author == me))
    }

    /// This node's author must be a current member who may write what `writer` says (the
    /// rule core declares for each kind, `Kind::writer`).
    pub(crate) fn require(&self, network: &NetworkId, writer: Writer) -> Result<MemberRow> {
        let me = self
            .me_in(network)?
            .filter(|m| m.status == Status::Member)
            .ok_or_else(|| NodeError::NotAllowed("you are not an admitted member of this network (yet)".into()))?;
        if writer == Writer::Organizer && me.role != Role::Organizer {
            return Err(NodeError::NotAllowed("only organizers can do that".into()));
        }
        Ok(me)
    }

    /// This node's author must be an organizer of the network.
    pub fn require_organizer(&self, network: &NetworkId) -> Result<()> {
        self.require(network, Writer::Organizer).map(|_| ())
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
        self.require(network, Writer::Organizer)?;
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
        // The invite's addresses are where the join request goes, and later the network's peers.
        for a in &link.addresses {
            match a.parse::<strike_net::PeerAddr>() {
                Ok(addr) => {
                    self.store.add_peer(&link.network, &addr.to_string(), now)?;
                    if addr.url.is_some() {
                        self.store.mark_peer_hub(&link.network, &addr.to_string())?;
                    }
                }
                Err(_) => tracing::warn!(address = %a, "an address in the invite is not one this node can dial"),
            }
        }
        tracing::info!(network = %link.network.short(), "join requested");
        Ok(id)
    }

    /// Vouches for a pending joiner. Admission needs the network's number of vouches; the
    /// voucher whose vouch completes it also shares the network keys with the new member.
    pub fn vouch(&mut self, network: &NetworkId, member: &AuthorId) -> Result<VouchOutcome> {
        let me = self.require(network, Writer::Member)?;
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
        let op = self.author(network, Body::Vouch(Vouch { member: *member }))?;
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
        let me = self.require(network, Writer::Member).map_err(|_| {
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
            old: me.author,
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
        self.require(network, Writer::Organizer)?;
        let op = self.author(network, Body::RoleChange(RoleChange { member: *member, role: Role::Organizer }))?;
        // The organizers' circle gets a key its new member holds.
        self.circle_upkeep(network)?;
        Ok(op)
    }

    /// Removes a member or turns down a joiner (organizers), then seals a new network key to
    /// every remaining member: the removed member can read nothing written afterwards.
    pub fn remove(&mut self, network: &NetworkId, member: &AuthorId) -> Result<RemoveOutcome> {
        let me = self.require(network, Writer::Organizer)?;
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
        let op = self.author(network, Body::Removal(Removal { member: *member, last_seen_seq }))?;
        let (new_epoch, n_shares) = self.rotate(network)?;
        if self.store.history_mode(network)? == strike_core::body::HistoryMode::SinceAdmission {
            self.rotate_history(network)?;
        }
        // The removed member is out of every circle: the circles this node rotates get fresh
        // keys now, before anything more is written in them.
        self.circle_upkeep(network)?;
        Ok(RemoveOutcome { op, new_epoch, n_shares })
    }
}

/// Hex digits of the key shown after a name that looks like another one: 48 bits, far too
/// many to find a key that matches someone else's by trying.
const NAME_TAG_DIGITS: usize = 12;

/// Sets every person's `name`: their pseudonym, or the start of their id without one; where
/// names look alike, the pseudonym and a piece of the key (`Abe #3f2a9c1b7d4e`).
fn name_people(rows: &mut [MemberRow]) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for m in rows.iter().filter(|m| !m.pseudonym.is_empty()) {
        *seen.entry(strike_core::text::name_key(&m.pseudonym)).or_default() += 1;
    }
    for m in rows.iter_mut() {
        let alike = !m.pseudonym.is_empty() && seen.get(&strike_core::text::name_key(&m.pseudonym)) > Some(&1);
        m.name = match (m.pseudonym.is_empty(), alike) {
            (true, _) => m.author.short(),
            (false, true) => format!("{} #{}", m.pseudonym, &m.author.to_hex()[..NAME_TAG_DIGITS]),
            (false, false) => m.pseudonym.clone(),
        };
    }
}

/// A person's name on screen: their pseudonym (with a piece of their key where it looks like
/// someone else's), else the start of their id.
pub fn display_name(m: &MemberRow) -> String {
    m.name.clone()
}

/// A network as listed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct NetworkView {
    pub network_id: String,
    /// `open`, or `sealed` while this node holds no key to read it.
    pub status: &'static str,
    pub name: Option<String>,
    pub kind: Option<&'static str>,
    pub founder: Option<String>,
    pub my_author: Option<String>,
    pub vouches_required: Option<u8>,
    /// Unix seconds.
    pub created: Option<u64>,
    pub members: u64,
    pub ops: u64,
    pub sealed_ops: u64,
    /// Ops waiting for missing predecessors.
    pub pending_ops: u64,
    /// Whether this node signs in the network now: `ready`; `held` (the data directory looks
    /// restored or copied: it waits for a sync, or the owner's word that it is the only copy);
    /// `forked` (this node's key forked: go on under a new one); `none` (no key here).
    pub writes: &'static str,
    /// What new members read of what was written before them: `all` or `since_admission`.
    pub history: &'static str,
}

impl NetworkView {
    pub fn of(n: &NetworkRow) -> NetworkView {
        NetworkView {
            network_id: n.id.to_hex(),
            status: match n.status {
                NetworkStatus::Open => "open",
                NetworkStatus::Sealed => "sealed",
            },
            name: n.name.clone(),
            kind: n.kind.map(|k| k.as_str()),
            founder: n.founder.map(|a| a.to_hex()),
            my_author: n.my_author.map(|a| a.to_hex()),
            vouches_required: n.vouches_required,
            created: n.created.map(|t| t.unix_seconds()),
            members: n.n_members,
            ops: n.n_ops,
            sealed_ops: n.n_sealed_ops,
            pending_ops: n.n_pending,
            writes: match (n.my_author, n.my_fork_from, n.writes_ready) {
                (None, _, _) => "none",
                (Some(_), Some(_), _) => "forked",
                (Some(_), None, false) => "held",
                (Some(_), None, true) => "ready",
            },
            history: n.history.as_str(),
        }
    }
}

/// A member, pending joiner or removed member.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub author: String,
    pub pseudonym: String,
    /// The name to show: the pseudonym, with a piece of the key where it looks like someone
    /// else's.
    pub name: String,
    /// `member`, `pending` or `removed`.
    pub status: &'static str,
    pub role: &'static str,
    /// Unix seconds.
    pub since: u64,
    /// Authors whose vouches for them count.
    pub vouchers: Vec<String>,
    /// For a new key (a rejoin): the old key it goes on for.
    pub replaces: Option<String>,
    /// Elected a delegate of the network (its latest delegates' election; see
    /// [`Node::delegate_authors`]).
    pub delegate: bool,
}

impl MemberView {
    pub fn of(m: &MemberRow) -> MemberView {
        MemberView {
            author: m.author.to_hex(),
            pseudonym: m.pseudonym.clone(),
            name: m.name.clone(),
            status: m.status.as_str(),
            role: m.role.as_str(),
            since: m.since.unix_seconds(),
            vouchers: m.vouchers.iter().map(|v| v.to_hex()).collect(),
            replaces: m.replaces.map(|a| a.to_hex()),
            delegate: false,
        }
    }
}

impl Node {
    /// The network's people as shown, with their roles: organizer or member, and delegate.
    pub fn member_views(&self, network: &NetworkId) -> Result<Vec<MemberView>> {
        let delegates = self.delegate_authors(network)?;
        Ok(self
            .members(network)?
            .iter()
            .map(|m| MemberView { delegate: delegates.contains(&m.author), ..MemberView::of(m) })
            .collect())
    }
}
