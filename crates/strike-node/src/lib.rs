//! The composition root: a [`Node`] owns the unlocked store and the node's keys, and offers
//! the commands and queries the CLI (and later the API) call. No argv, no HTTP, no SQL here.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod aid;
pub mod announcements;
pub mod bundles;
pub mod calls;
pub mod campaign;
pub mod circles;
pub mod contacts;
pub mod cover;
pub mod demo;
pub mod directory;
pub mod events;
pub mod fund;
pub mod guides;
pub mod hub;
pub mod joiner;
pub mod joining;
pub mod keyfile;
pub mod kit;
pub mod leaflet;
pub mod library;
pub mod networks;
mod paths;
pub mod peer;
pub mod qr;
pub mod resources;
pub mod secret;
pub mod sync;
pub mod upkeep;
pub mod votes;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpDraft, OpId, Reject};
pub use strike_crypto::KdfParams;
use strike_crypto::SymmetricKey;
use strike_store::{AuditRow, Store, StoreError};

pub use bundles::{BundleSummary, ImportProgress, ImportReport};
pub use paths::{DataDir, default_data_dir, default_demo_dir};
pub use strike_store::{AnnouncementRow, Generation, IngestReport, MemberRow, NetworkRow, NetworkStatus, PeerRow};

/// Errors a user of the node can act on. Messages are one line, lowercase, no final period.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("no identity in {0}: run `openstrike init` first")]
    NotInitialized(PathBuf),
    #[error("an identity already exists in {0}")]
    AlreadyInitialized(PathBuf),
    /// The passphrase does not open the key file. A key file damaged in its salt, parameters,
    /// nonce or ciphertext gives this error too: the AEAD cannot tell the two apart.
    #[error("wrong passphrase (or the key file's encrypted part is damaged)")]
    WrongPassphrase,
    /// Not a key file of this version at all: wrong size, magic or version, or parameters
    /// below the floor. Found before any key derivation.
    #[error("key file is damaged: {0}")]
    CorruptKeyFile(String),
    /// The key file opened, but the database does not open with its key.
    #[error("the database does not open with this key file (it is damaged, or belongs to another identity)")]
    DatabaseUnreadable,
    #[error("no network matches {0:?}")]
    UnknownNetwork(String),
    #[error("{0:?} matches more than one network; use its id")]
    AmbiguousNetwork(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    NotFound(String),
    #[error("network: {0}")]
    Network(String),
    #[error("refused: {0}")]
    Refused(Reject),
    #[error(transparent)]
    Bundle(#[from] strike_sync::bundle::BundleError),
    #[error(transparent)]
    Store(StoreError),
    #[error("key derivation: {0}")]
    Crypto(#[from] strike_crypto::CryptoError),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
}

impl From<StoreError> for NodeError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(reject) => NodeError::Refused(reject),
            StoreError::UnknownNetwork => NodeError::NotFound("this node holds no such network".into()),
            // Only reached after the key file opened: the passphrase was right.
            StoreError::WrongKey => NodeError::DatabaseUnreadable,
            other => NodeError::Store(other),
        }
    }
}

pub type Result<T, E = NodeError> = std::result::Result<T, E>;

pub(crate) fn io_err(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> NodeError {
    let context = context.into();
    move |source| NodeError::Io { context, source }
}

/// Replaces the default panic message, which can quote the data being handled (a slicing
/// panic quotes the text it slices: a contact's name, a note), with a log line naming only
/// where it happened. The process installs it once, before anything else runs.
pub fn log_panics_by_location() {
    std::panic::set_hook(Box::new(|info| {
        let at =
            info.location().map_or_else(|| "an unknown place".to_owned(), |l| format!("{}:{}", l.file(), l.line()));
        tracing::error!(at, "a bug: something panicked (its message is not logged: it may quote members' data)");
    }));
}

/// Seconds since the Unix epoch, from the system clock.
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// An unlocked node.
#[derive(Debug)]
pub struct Node {
    dir: DataDir,
    store: Store,
    secrets: keyfile::Secrets,
    /// What the key file is wrapped with now: a new passphrase is never wrapped with less.
    kdf: KdfParams,
    /// Seconds added to the system clock: for tests and demos that need to be "later".
    clock_offset: i64,
    /// What this node, as a hub, lets each network and author store.
    relay_quota: strike_store::Quota,
    /// Rate limits of restricted (joiners') sessions.
    join_limits: joining::JoinLimits,
    /// Reads that depend only on what the store holds, kept until it changes.
    memo: std::cell::RefCell<Memo>,
}

/// Invariant: every entry was computed at `generation`; a read at another generation
/// empties the memo first.
#[derive(Debug, Default)]
struct Memo {
    generation: Option<strike_store::Generation>,
    members: std::collections::HashMap<NetworkId, Vec<MemberRow>>,
    profiles: std::collections::HashMap<NetworkId, std::collections::HashMap<AuthorId, strike_core::body::Profile>>,
    hubs: std::collections::HashMap<NetworkId, std::sync::Arc<strike_core::resources::stock::Hub>>,
    funds: std::collections::HashMap<NetworkId, Option<std::sync::Arc<fund::FundData>>>,
    aid: std::collections::HashMap<NetworkId, std::sync::Arc<aid::AidData>>,
}

impl Node {
    /// `compute`'s value for `network`, or the one kept since the store last changed. The
    /// memo is not borrowed while `compute` runs, so computations may read other memos.
    fn memoized<T: Clone>(
        &self,
        slot: fn(&mut Memo) -> &mut std::collections::HashMap<NetworkId, T>,
        network: &NetworkId,
        compute: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let generation = Some(self.store.generation()?);
        {
            let mut memo = self.memo.borrow_mut();
            if memo.generation != generation {
                *memo = Memo { generation, ..Memo::default() };
            }
            if let Some(v) = slot(&mut memo).get(network) {
                return Ok(v.clone());
            }
        }
        let value = compute()?;
        let mut memo = self.memo.borrow_mut();
        if memo.generation == generation {
            slot(&mut memo).insert(*network, value.clone());
        }
        Ok(value)
    }
}

/// Checks passphrases against a node's key file without holding the node: for logins to the
/// web UI, which must not block the node for the key derivation (about half a second).
#[derive(Debug, Clone)]
pub struct PassphraseCheck {
    key_file: PathBuf,
    node_id: [u8; 32],
}

impl PassphraseCheck {
    /// Whether `passphrase` unlocks this node's key file now (after a `passphrase change`, the
    /// new one). Runs Argon2id: call it off the async threads, a few at a time at most.
    pub fn check(&self, passphrase: &[u8]) -> Result<bool> {
        let bytes = std::fs::read(&self.key_file).map_err(io_err("reading the key file"))?;
        match keyfile::open(&bytes, passphrase) {
            // The same identity: a key file replaced by another one does not let anyone in.
            Ok((secrets, _)) => Ok(secrets.node_signing.public().0 == self.node_id),
            Err(NodeError::WrongPassphrase) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// What `wipe` destroyed.
#[derive(Debug, Clone)]
pub struct WipeReport {
    pub key_file_destroyed: bool,
    pub files_removed: Vec<PathBuf>,
    pub elapsed: std::time::Duration,
}

impl Node {
    /// Creates a new identity and an empty encrypted store in `dir`.
    pub fn init(dir: &Path, passphrase: &[u8], params: KdfParams) -> Result<Node> {
        let dir = DataDir::new(dir);
        if dir.key_file().exists() {
            return Err(NodeError::AlreadyInitialized(dir.root().to_path_buf()));
        }
        if passphrase.is_empty() {
            return Err(NodeError::InvalidInput("the passphrase must not be empty".into()));
        }
        if !params.meets_minimum() {
            return Err(NodeError::InvalidInput("key-derivation parameters below the minimum".into()));
        }
        dir.create().map_err(io_err(format!("creating {}", dir.root().display())))?;
        // A database without its key file is unreadable noise: clear any left by a wipe.
        dir.remove_database_files().map_err(io_err("removing an old database"))?;
        let mut rng = rand::rng();
        let secrets = keyfile::Secrets::generate(&mut rng);
        let sealed = keyfile::seal(&secrets, passphrase, params, &mut rng)?;
        let mut store = Store::open(&dir.database(), &secrets.db_key)?;
        store.bind_device(&paths::device_fingerprint(&dir.database()).map_err(io_err("reading the database file"))?)?;
        keyfile::write_atomic(&dir.key_file(), &sealed).map_err(io_err("writing the key file"))?;
        Ok(Node::unlocked(dir, store, secrets, params))
    }

    /// Unlocks an existing node. A wrong passphrase changes nothing on disk.
    pub fn open(dir: &Path, passphrase: &[u8]) -> Result<Node> {
        let dir = DataDir::new(dir);
        let bytes = match std::fs::read(dir.key_file()) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(NodeError::NotInitialized(dir.root().to_path_buf()));
            }
            Err(e) => return Err(io_err("reading the key file")(e)),
        };
        let (secrets, kdf) = keyfile::open(&bytes, passphrase)?;
        let mut store = Store::open(&dir.database(), &secrets.db_key)?;
        let binding = paths::device_fingerprint(&dir.database()).map_err(io_err("reading the database file"))?;
        if store.bind_device(&binding)? {
            // A restored backup, or a copy on another device: signing now could reuse a
            // sequence number. Each network waits for a sync (or the owner's word).
            tracing::warn!("this data directory was restored or copied: writes wait until each network syncs");
        }
        let mut node = Node::unlocked(dir, store, secrets, kdf);
        if kdf.at_least(KdfParams::DEFAULT) != kdf {
            // Written when unlocking cost less: raise it now, while the passphrase is here.
            node.rewrap(passphrase, KdfParams::DEFAULT)?;
            tracing::info!("raised the key file's key-derivation cost");
        }
        Ok(node)
    }

    fn unlocked(dir: DataDir, store: Store, secrets: keyfile::Secrets, kdf: KdfParams) -> Node {
        Node {
            dir,
            store,
            secrets,
            kdf,
            clock_offset: 0,
            relay_quota: strike_store::Quota::default(),
            join_limits: joining::JoinLimits::default(),
            memo: Default::default(),
        }
    }

    /// Whether `dir` holds an identity.
    pub fn exists(dir: &Path) -> bool {
        DataDir::new(dir).key_file().exists()
    }

    /// Rewraps the same database key under a new passphrase: no re-encryption needed. The
    /// key file keeps at least the cost it has (`params` can raise it, never lower it).
    pub fn change_passphrase(&mut self, new_passphrase: &[u8], params: KdfParams) -> Result<()> {
        if new_passphrase.is_empty() {
            return Err(NodeError::InvalidInput("the passphrase must not be empty".into()));
        }
        self.rewrap(new_passphrase, params)
    }

    /// Wraps the node's secrets under `passphrase` with the larger of the current and the
    /// given parameters, and replaces the key file atomically.
    fn rewrap(&mut self, passphrase: &[u8], params: KdfParams) -> Result<()> {
        let params = self.kdf.at_least(params);
        let sealed = keyfile::seal(&self.secrets, passphrase, params, &mut rand::rng())?;
        keyfile::write_atomic(&self.dir.key_file(), &sealed).map_err(io_err("writing the key file"))?;
        self.kdf = params;
        Ok(())
    }

    /// The key-derivation parameters the key file is wrapped with.
    pub fn kdf_params(&self) -> KdfParams {
        self.kdf
    }

    /// Panic button: overwrites and deletes the key file, then deletes the database files.
    /// Needs no passphrase and does no key derivation, so it takes milliseconds.
    pub fn wipe(dir: &Path) -> Result<WipeReport> {
        paths::wipe(&DataDir::new(dir))
    }

    /// The node's clock: unix seconds.
    pub fn now(&self) -> u64 {
        unix_now().saturating_add_signed(self.clock_offset)
    }

    /// Moves this node's clock (tests and demos).
    pub fn set_clock_offset(&mut self, seconds: i64) {
        self.clock_offset = seconds;
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.root()
    }

    /// The node's public signing key: its identity towards peers (never used as an author key).
    pub fn node_id(&self) -> [u8; 32] {
        self.secrets.node_signing.public().0
    }

    /// Changes whenever anything this node holds changes, by this process or another one on
    /// the same data directory: what the web UI caches its views under.
    pub fn generation(&self) -> Result<strike_store::Generation> {
        Ok(self.store.generation()?)
    }

    pub fn passphrase_check(&self) -> PassphraseCheck {
        PassphraseCheck { key_file: self.dir.key_file(), node_id: self.node_id() }
    }

    /// The store, for tests and benchmarks that need to look underneath the commands.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Authors `body` in `network` as this node's author there. Returns once it is committed.
    pub fn author(&mut self, network: &NetworkId, body: Body) -> Result<OpId> {
        let ids = self.author_many(network, vec![body])?;
        Ok(ids[0])
    }

    /// Authors several ops in one transaction (one commit, one fsync): for seeding and imports.
    pub fn author_many(&mut self, network: &NetworkId, bodies: Vec<Body>) -> Result<Vec<OpId>> {
        self.author_many_with_key(network, bodies, None)
    }

    /// Authors one op under a given epoch and key instead of the network's write key (key
    /// shares go under a joiner's join key).
    pub(crate) fn author_with_key(
        &mut self,
        network: &NetworkId,
        body: Body,
        key: Option<(u32, SymmetricKey)>,
    ) -> Result<OpId> {
        Ok(self.author_many_with_key(network, vec![body], key)?[0])
    }

    fn author_many_with_key(
        &mut self,
        network: &NetworkId,
        bodies: Vec<Body>,
        key: Option<(u32, SymmetricKey)>,
    ) -> Result<Vec<OpId>> {
        self.author_linked(network, bodies, key, |_, _| {})
    }

    /// Authors several ops in one transaction where later ones name earlier ones: `link` is
    /// given each body, just before it is sealed, with the ids of the ops authored before it
    /// in the batch (it must not change the body's kind or circle).
    pub(crate) fn author_linked(
        &mut self,
        network: &NetworkId,
        bodies: Vec<Body>,
        key: Option<(u32, SymmetricKey)>,
        mut link: impl FnMut(&mut Body, &[OpId]),
    ) -> Result<Vec<OpId>> {
        self.write_gate(network)?;
        if bodies.iter().any(|b| b.circle(network).is_some()) {
            // Someone left a circle since its newest key: seal a fresh one first if this node
            // is one who does (a lead's), so nothing is written under a key they hold.
            self.circle_upkeep(network)?;
        }
        for body in &bodies {
            // What this node is asked to write is the user's input: say what is wrong with it.
            body.check().map_err(|reject| match reject {
                Reject::InvalidBody(why) => NodeError::InvalidInput(why),
                other => NodeError::Refused(other),
            })?;
        }
        // Bodies of the circle layer go under their circle's newest key this node holds.
        let mut circle_keys = Vec::with_capacity(bodies.len());
        for body in &bodies {
            circle_keys.push(match body.circle(network) {
                Some(circle) => Some(self.circle_write_key(network, &circle)?),
                None => None,
            });
        }
        let now = self.now();
        let n_ops = bodies.len();
        let mut bodies = bodies.into_iter().zip(circle_keys);
        let mut rng = rand::rng();
        let built = self.store.append_local(network, now, n_ops, |_, inputs, before| {
            let (mut body, circle_key) = bodies.next().expect("called once per body");
            link(&mut body, before);
            let time = CoarseTime::from_unix_seconds(now).max(inputs.min_time);
            let sealed_under = match (&key, body.layer(), &inputs.history) {
                (Some((epoch, key)), _, _) => Some((epoch, key)),
                // A body that names a circle (every circle-layer kind; a circle's vote) goes
                // under the circle's key.
                (None, _, _) if circle_key.is_some() => circle_key.as_ref().map(|(epoch, key)| (epoch, key)),
                (None, strike_core::body::Layer::Circle, _) => None,
                (None, strike_core::body::Layer::History, strike_store::HistoryKey::Key(epoch, key)) => {
                    Some((epoch, key))
                }
                (None, strike_core::body::Layer::History, strike_store::HistoryKey::Missing) => {
                    return Err(Reject::NoRightToWrite(
                        "this network keeps new members out of its earlier history, and this node has no history key \
                         yet: an organizer's node seals one to you after your admission (sync, then try again)",
                    ));
                }
                _ => inputs.write_key.as_ref().map(|(epoch, key)| (epoch, key)),
            };
            let Some((epoch, key)) = sealed_under else {
                return Err(Reject::NoRightToWrite("this node holds no key of the network yet"));
            };
            let draft = OpDraft {
                network: *network,
                seq: inputs.seq,
                prev: inputs.prev,
                deps: inputs.deps.clone(),
                time,
                epoch: *epoch,
                body,
            };
            draft.seal(&inputs.signing, key, strike_crypto::random_bytes(&mut rng))
        })?;
        built.map_err(|reject| match reject {
            Reject::NoRightToWrite(why) => NodeError::NotAllowed(why.into()),
            other => NodeError::Refused(other),
        })
    }

    /// The key this node writes into `circle` under: its newest, if this node's author is a
    /// current member of the circle.
    fn circle_write_key(&self, network: &NetworkId, circle: &OpId) -> Result<(u32, SymmetricKey)> {
        let me = self.me_in(network)?.map(|m| m.author);
        let rows = self.store.circle_members(network, circle)?;
        let in_it = me.is_some_and(|me| rows.iter().any(|r| r.author == me && r.current));
        let name = || self.circle(network, circle).map_or_else(|_| "that circle".to_string(), |c| c.name);
        if !in_it {
            return Err(NodeError::NotAllowed(format!(
                "this is written into the circle {:?}, and you are not in it (or your node has not synced since you \
                 were added)",
                name()
            )));
        }
        let key = self.store.circle_write_key(network, circle)?.ok_or_else(|| {
            NodeError::NotAllowed(format!(
                "your node holds no key of the circle {:?} yet: a member's node seals one to you on its next sync",
                name()
            ))
        })?;
        if self.circle_key_exposed(network, circle, key.0)? {
            return Err(NodeError::NotAllowed(format!(
                "someone left the circle {:?} and still holds its newest key: a lead's node seals a fresh one on its \
                 next sync, then write again",
                name()
            )));
        }
        Ok(key)
    }

    /// `Ok` if this node may sign its next op in `network`: it knows its chain there is fresh
    /// (it created or joined the network in this store, or synced it since the store was
    /// restored or copied, or its owner said this is the only copy), and its key has not
    /// forked (a fork flags every later op of the key on every node).
    pub fn write_gate(&self, network: &NetworkId) -> Result<()> {
        self.store.network(network)?;
        if !self.store.writes_ready(network)? {
            return Err(NodeError::NotAllowed(
                "this data directory looks restored from a backup or copied from another device, so this node \
                 could sign at a sequence number it already used: sync this network with a peer or hub first \
                 (`openstrike sync`), or, if this is the only copy, run `openstrike admin only-copy NETWORK`"
                    .into(),
            ));
        }
        if let Some(me) = self.network(network)?.my_author
            && self.store.equivocators(network)?.contains(&me)
        {
            return Err(NodeError::NotAllowed(
                "your key in this network forked (two devices signed with it), so nothing it signs counts: \
                 go on under a new key with `openstrike recover NETWORK`"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The owner says this data directory is the only copy: writes in `network` resume.
    pub fn confirm_only_copy(&mut self, network: &NetworkId) -> Result<()> {
        let now = self.now();
        Ok(self.store.confirm_writes(network, "owner", now)?)
    }

    pub fn state_hash(&self, id: &NetworkId) -> Result<[u8; 32]> {
        self.store.network(id)?;
        Ok(self.store.state_hash(id)?)
    }

    /// Drops and rebuilds every view from the log. Returns the number of networks rebuilt.
    pub fn rebuild(&mut self) -> Result<usize> {
        Ok(self.store.rebuild_views()?)
    }

    pub fn audit(&self, limit: u32) -> Result<Vec<AuditRow>> {
        Ok(self.store.audit(limit)?)
    }

    /// Ingests ops received for `network` from any carrier, in one transaction.
    pub fn ingest(&mut self, network: &NetworkId, ops: Vec<Vec<u8>>) -> Result<IngestReport> {
        Ok(self.store.ingest(network, ops, unix_now())?)
    }
}

impl Node {
    /// Resolves an op of `kind` by its id or a unique prefix of at least 6 hex digits.
    pub fn resolve_fact(&self, network: &NetworkId, kind: Kind, query: &str) -> Result<OpId> {
        let prefix = id_prefix(kind, query)?;
        self.network(network)?;
        match self.store.fact_ids_with_prefix(network, kind, &prefix)?.as_slice() {
            [one] => Ok(*one),
            [] => Err(NodeError::NotFound(format!("no {} matches {query:?}", kind.as_str()))),
            _ => Err(NodeError::InvalidInput(format!("{query:?} matches more than one {}", kind.as_str()))),
        }
    }

    /// Finds a fact of `kind` (`what` to people) by id prefix in any network this node is in.
    pub fn find_fact(&self, kind: Kind, what: &str, query: &str) -> Result<(NetworkId, OpId)> {
        let prefix = id_prefix(kind, query)?;
        let mut hits = Vec::new();
        for n in self.networks()? {
            for id in self.store.fact_ids_with_prefix(&n.id, kind, &prefix)? {
                hits.push((n.id, id));
            }
        }
        match hits.as_slice() {
            [one] => Ok(*one),
            [] => Err(NodeError::NotFound(format!("no {what} matches {query:?}"))),
            _ => Err(NodeError::InvalidInput(format!("{query:?} matches more than one {what}"))),
        }
    }
}

/// Ids people type: at least 6 hex digits of an op id.
pub(crate) fn id_prefix(kind: Kind, query: &str) -> Result<strike_core::IdPrefix> {
    strike_core::IdPrefix::parse(query, 6).map_err(|e| NodeError::InvalidInput(format!("{e} ({} ids)", kind.as_str())))
}
