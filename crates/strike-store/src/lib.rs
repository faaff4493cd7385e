//! The encrypted SQLite store: migrations, the operation log, ingest, views and queries.
//!
//! The database is SQLCipher, keyed with a random raw 256-bit key (no SQLCipher KDF: the key
//! is already uniformly random, wrapped by the node's key file). WAL mode,
//! `synchronous=FULL`, temporary tables in memory so nothing spills to unencrypted temp files.
//! SQL lives only in this crate.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod circles;
mod devices;
mod facts;
mod guides;
mod ingest;
mod joining;
mod local;
mod queries;
mod secret;
mod sync;
mod views;

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use strike_core::{NetworkId, OpId, Reject, SealedOp};
use strike_crypto::SymmetricKey;

pub use circles::{CircleKeyRow, CircleMemberRow};
pub use devices::Binding;
pub use facts::FactRow;
pub use guides::{GuideDoc, GuideHit, MARK_END, MARK_START};
pub use ingest::{IngestReport, Quota};
pub use joining::{EpochOp, HubTicketRow, InviteState, LiveInvite, MAX_HUB_TICKETS};
pub use local::{AuthorInputs, HistoryKey};
pub use queries::{AnnouncementRow, AuditRow, MemberRow, NetworkRow, NetworkStatus};
pub use secret::{HeldOp, IssuerKeyRow, SecretLinkRow};
pub use sync::{AuthorHead, HubGrantRow, PeerRow, RelayUsage};

/// Migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_networks.sql"),
    include_str!("../migrations/0003_peers.sql"),
    include_str!("../migrations/0004_hubs.sql"),
    include_str!("../migrations/0005_sync_status.sql"),
    include_str!("../migrations/0006_devices.sql"),
    include_str!("../migrations/0007_joining.sql"),
    include_str!("../migrations/0008_circles.sql"),
    include_str!("../migrations/0009_guides.sql"),
    include_str!("../migrations/0010_guide_docs.sql"),
    include_str!("../migrations/0011_op_order.sql"),
    include_str!("../migrations/0012_secret.sql"),
];

/// This node's secrets in one network: (Ed25519 seed, X25519 secret).
pub type AuthorSecrets = (zeroize::Zeroizing<[u8; 32]>, zeroize::Zeroizing<[u8; 32]>);

/// Errors a caller of the store can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The key does not open this database (or the file is not a database).
    #[error("the database key does not open this database")]
    WrongKey,
    /// The database was written by a newer version of Open Strike.
    #[error("database schema {found} is newer than this program understands ({known})")]
    TooNew { found: i64, known: i64 },
    /// A locally authored op was refused by the same checks every peer runs.
    #[error("operation refused: {0}")]
    Refused(Reject),
    /// The network is not held by this node.
    #[error("unknown network")]
    UnknownNetwork,
    /// This node has no author key or no current epoch key for the network.
    #[error("this node cannot write to that network: {0}")]
    CannotWrite(&'static str),
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// See [`Store::generation`]. Equal generations mean nothing was written in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Generation {
    data_version: i64,
    changes: u64,
}

/// An open, unlocked store. One writer: callers serialise access (the node holds it in a mutex).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// Threads that verify signatures of a batch in parallel (see [`Store::set_verify_threads`]).
    verify_threads: usize,
}

/// Verification threads by default: the machine's parallelism, at most this many. Beyond a few
/// threads the single SQLite writer is the bottleneck, not signatures.
const MAX_DEFAULT_VERIFY_THREADS: usize = 4;

impl Store {
    /// Opens (creating if needed) the database at `path` with `key`, and runs migrations.
    pub fn open(path: &Path, key: &SymmetricKey) -> Result<Store> {
        let conn = Connection::open(path)?;
        // The raw-key form skips SQLCipher's own PBKDF: the key is random, not a passphrase.
        let mut pragma = zeroize::Zeroizing::new(format!("x'{}'", hex::encode(key.expose())));
        conn.pragma_update(None, "key", pragma.as_str())?;
        zeroize::Zeroize::zeroize(&mut *pragma);
        // The first read decrypts page 1: a wrong key fails here and nothing is written.
        let readable: rusqlite::Result<i64> = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
        if readable.is_err() {
            return Err(StoreError::WrongKey);
        }
        // 64 MiB of decrypted pages: every page read from disk costs a decryption and an HMAC
        // check, so a cache the size of a busy network's working set pays for itself.
        conn.pragma_update(None, "cache_size", -64 * 1024)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let verify_threads =
            std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_DEFAULT_VERIFY_THREADS);
        let mut store = Store { conn, verify_threads };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        let known = MIGRATIONS.len() as i64;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > known {
            return Err(StoreError::TooNew { found, known });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        // A migration that changes how views are folded asks for them to be folded again.
        let stale: Vec<Vec<u8>> = {
            let mut stmt = tx.prepare("SELECT network_id FROM rebuild_needed")?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        for network in stale {
            if let Some(network) = NetworkId::from_slice(&network) {
                views::rebuild(&tx, &network)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every value of every table, decrypted, as bytes: for audits and tests that must show
    /// what a store does *not* hold (a hub's store holds no plaintext, names or keys).
    pub fn raw_dump(&self) -> Result<Vec<u8>> {
        let tables: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        let mut out = Vec::new();
        for table in tables {
            let mut stmt = self.conn.prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                for i in 0..n {
                    match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => {}
                        rusqlite::types::ValueRef::Integer(v) => out.extend_from_slice(v.to_string().as_bytes()),
                        rusqlite::types::ValueRef::Real(v) => out.extend_from_slice(v.to_string().as_bytes()),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            out.extend_from_slice(t)
                        }
                    }
                    out.push(0);
                }
            }
        }
        Ok(out)
    }

    /// `PRAGMA integrity_check` and `PRAGMA cipher_integrity_check`: every problem found, empty if sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let row = row?;
            if row != "ok" {
                problems.push(row);
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA cipher_integrity_check")?;
        for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
            problems.push(row?);
        }
        Ok(problems)
    }

    /// Registers a network (sealed until its keys arrive) if it is not held yet.
    pub fn ensure_network(&mut self, network: &NetworkId, now_unix: u64) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO networks (network_id, added_at) VALUES (?1, ?2)",
            rusqlite::params![&network.0[..], now_unix as i64],
        )?;
        Ok(())
    }

    /// Stores this node's author keys and first epoch key for a network it founds, then
    /// ingests the genesis op, all in one transaction.
    pub fn found_network(
        &mut self,
        network: &NetworkId,
        author_seed: &[u8; 32],
        agreement_secret: &[u8; 32],
        epoch_key: &SymmetricKey,
        genesis: SealedOp,
        now_unix: u64,
    ) -> Result<OpId> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO networks (network_id, added_at) VALUES (?1, ?2)",
            rusqlite::params![&network.0[..], now_unix as i64],
        )?;
        tx.execute(
            "INSERT INTO my_authors (network_id, signing_seed, agreement_secret) VALUES (?1, ?2, ?3)",
            rusqlite::params![&network.0[..], &author_seed[..], &agreement_secret[..]],
        )?;
        tx.execute(
            "INSERT INTO epoch_keys (network_id, epoch, key) VALUES (?1, 0, ?2)",
            rusqlite::params![&network.0[..], &epoch_key.expose()[..]],
        )?;
        devices::mark_ready(&tx, network, "created", now_unix)?;
        let id = ingest::ingest_local(&tx, network, genesis, now_unix)?;
        tx.commit()?;
        Ok(id)
    }

    /// This node's author keys for `network`: (Ed25519 seed, X25519 secret), if it has any.
    pub fn my_author(&self, network: &NetworkId) -> Result<Option<AuthorSecrets>> {
        let row = self
            .conn
            .query_row(
                "SELECT signing_seed, agreement_secret FROM my_authors WHERE network_id = ?1",
                [&network.0[..]],
                |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(s, a)| {
            Some((zeroize::Zeroizing::new(s.try_into().ok()?), zeroize::Zeroizing::new(a.try_into().ok()?)))
        }))
    }

    /// Every X25519 secret this node holds for any network (to open bundles sealed to members).
    pub fn my_agreement_secrets(&self) -> Result<Vec<zeroize::Zeroizing<[u8; 32]>>> {
        let mut stmt = self.conn.prepare("SELECT agreement_secret FROM my_authors")?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for row in rows {
            if let Ok(bytes) = <[u8; 32]>::try_from(row?) {
                out.push(zeroize::Zeroizing::new(bytes));
            }
        }
        Ok(out)
    }

    /// Authors local ops in one IMMEDIATE transaction: for each, reads this node's author state
    /// for the network, lets `build` sign and seal the op, and ingests it through the same
    /// pipeline as ops from peers. A sequence number cannot be taken twice, even by two
    /// processes, because the write lock is held from the read to the commit. `build` is
    /// given the ids of the ops built before (later ops of a batch may name earlier ones).
    pub fn append_local<E>(
        &mut self,
        network: &NetworkId,
        now_unix: u64,
        n_ops: usize,
        mut build: impl FnMut(usize, &AuthorInputs, &[OpId]) -> std::result::Result<SealedOp, E>,
    ) -> Result<std::result::Result<Vec<OpId>, E>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        Store::require_network(&tx, network)?;
        let mut inputs = local::author_inputs(&tx, network)?;
        let mut batch = ingest::LocalBatch::new(&tx, network, now_unix)?;
        let mut ids = Vec::with_capacity(n_ops);
        for i in 0..n_ops {
            let op = match build(i, &inputs, &ids) {
                Ok(op) => op,
                Err(e) => return Ok(Err(e)),
            };
            let (seq, time) = (op.envelope().seq, op.envelope().time);
            let id = batch.apply(op)?;
            ids.push(id);
            if i + 1 < n_ops {
                inputs.advance(&tx, network, id, seq, time)?;
            }
        }
        batch.finish()?;
        tx.commit()?;
        Ok(Ok(ids))
    }

    /// Stores an epoch key for a network (from a key update, or a member's other device), then
    /// folds any ops that were sealed waiting for it.
    pub fn put_epoch_key(&mut self, network: &NetworkId, epoch: u32, key: &SymmetricKey) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR REPLACE INTO epoch_keys (network_id, epoch, key) VALUES (?1, ?2, ?3)",
            rusqlite::params![&network.0[..], i64::from(epoch), &key.expose()[..]],
        )?;
        let sealed: bool =
            tx.prepare("SELECT 1 FROM ops WHERE network_id = ?1 AND applied = 0 LIMIT 1")?.exists([&network.0[..]])?;
        if sealed {
            views::rebuild(&tx, network)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Grows the database by about `mib` MiB of random filler in a table of its own, so
    /// benchmarks (`openstrike bench wipe`) can measure work on a database of a given size.
    pub fn fill_for_benchmark(&mut self, mib: u64) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS bench_filler (b BLOB NOT NULL) STRICT")?;
        let mut stmt = tx.prepare("INSERT INTO bench_filler (b) VALUES (randomblob(1048576))")?;
        for _ in 0..mib {
            stmt.execute([])?;
        }
        drop(stmt);
        tx.commit()?;
        Ok(())
    }

    /// A network's epoch key, if this node holds it.
    pub fn epoch_key(&self, network: &NetworkId, epoch: u32) -> Result<Option<SymmetricKey>> {
        let key: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT key FROM epoch_keys WHERE network_id = ?1 AND epoch = ?2",
                rusqlite::params![&network.0[..], i64::from(epoch)],
                |r| r.get(0),
            )
            .optional()?;
        Ok(key.map(blob32).transpose()?.map(SymmetricKey::from_bytes))
    }

    /// How many threads verify the signatures of one batch (at least 1). Everything after
    /// signature verification stays on the calling thread, in order.
    pub fn set_verify_threads(&mut self, threads: usize) {
        self.verify_threads = threads.max(1);
    }

    /// Ingests a batch of ops received for `network`, in one transaction. A network this node
    /// did not hold yet is registered (sealed until its keys arrive) only if the batch left
    /// something of it here: a batch refused whole stores nothing, not even the network's row.
    pub fn ingest(&mut self, network: &NetworkId, ops: Vec<Vec<u8>>, now_unix: u64) -> Result<IngestReport> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let added = tx.execute(
            "INSERT OR IGNORE INTO networks (network_id, added_at) VALUES (?1, ?2)",
            rusqlite::params![&network.0[..], now_unix as i64],
        )? == 1;
        let report = ingest::ingest_batch(&tx, network, ops, now_unix, self.verify_threads)?;
        if added && !holds_ops(&tx, network)? {
            tx.execute("DELETE FROM networks WHERE network_id = ?1", [&network.0[..]])?;
        }
        tx.commit()?;
        Ok(report)
    }

    /// Ingests ops this node relays without reading them (a hub): every check that needs no
    /// key runs, nothing decrypts (a hub holds no keys), and `quota` bounds what the network
    /// and each author may store.
    pub fn ingest_relay(
        &mut self,
        network: &NetworkId,
        ops: Vec<Vec<u8>>,
        now_unix: u64,
        quota: Quota,
    ) -> Result<IngestReport> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let report = ingest::ingest_relay(&tx, network, ops, now_unix, self.verify_threads, quota)?;
        tx.commit()?;
        Ok(report)
    }

    /// Drops every view and folds them again from the op log. State hashes must not change.
    pub fn rebuild_views(&mut self) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let networks: Vec<Vec<u8>> = {
            let mut stmt = tx.prepare("SELECT network_id FROM networks ORDER BY network_id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for network in &networks {
            if let Some(network) = NetworkId::from_slice(network) {
                views::rebuild(&tx, &network)?;
            }
        }
        tx.commit()?;
        Ok(networks.len())
    }

    /// A value that changes whenever anything in the database changes: a commit by this
    /// connection (SQLite's total change count) or by another one, such as a second `openstrike`
    /// process on the same data directory (`PRAGMA data_version`). Readers cache what they
    /// computed from the store under it.
    pub fn generation(&self) -> Result<Generation> {
        let data_version: i64 = self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(Generation { data_version, changes: self.conn.total_changes() })
    }

    /// The canonical hash of a network's folded state (see [`strike_core::state_hash`]),
    /// its history layer left out.
    pub fn state_hash(&self, network: &NetworkId) -> Result<[u8; 32]> {
        views::state_hash(&self.conn, network)
    }

    /// The hash of the history layer this node reads (ops sealed under history keys): equal
    /// on nodes that hold the same history keys and ops.
    pub fn history_hash(&self, network: &NetworkId) -> Result<[u8; 32]> {
        views::history_hash(&self.conn, network)
    }
}

/// Whether any op of the network is held: logged, waiting for predecessors, or kept as evidence.
fn holds_ops(conn: &Connection, network: &NetworkId) -> Result<bool> {
    let held: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM ops WHERE network_id = ?1) OR EXISTS (SELECT 1 FROM pending WHERE network_id = ?1)
             OR EXISTS (SELECT 1 FROM evidence WHERE network_id = ?1)",
        [&network.0[..]],
        |r| r.get(0),
    )?;
    Ok(held)
}

fn blob32(v: Vec<u8>) -> rusqlite::Result<[u8; 32]> {
    v.try_into().map_err(|v: Vec<u8>| {
        rusqlite::Error::FromSqlConversionFailure(v.len(), rusqlite::types::Type::Blob, "expected 32 bytes".into())
    })
}
