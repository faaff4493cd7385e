//! Which device the store is on, and which networks this node may write in: a restored
//! backup or a copy on a second device must not sign at a sequence number the original
//! already used (every node would flag the author for equivocation). See
//! `migrations/0006_devices.sql` and `docs/protocol.md`, "Restored and cloned devices".

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use strike_core::NetworkId;

use crate::{Result, Store};

/// A fingerprint of where the database file is: computed by the node, compared here.
pub type Binding = [u8; 32];

pub(crate) fn mark_ready(tx: &Connection, network: &NetworkId, how: &str, now_unix: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO write_ready (network_id, at, how) VALUES (?1, ?2, ?3)
         ON CONFLICT (network_id) DO UPDATE SET at = excluded.at, how = excluded.how",
    )?
    .execute(params![&network.0[..], now_unix as i64, how])?;
    Ok(())
}

impl Store {
    /// Records that the store is on the device `binding` describes. If it was last on
    /// another one (or the store predates bindings), no network is write-ready any more:
    /// returns `true` then.
    pub fn bind_device(&mut self, binding: &Binding) -> Result<bool> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known: Option<Vec<u8>> =
            tx.query_row("SELECT binding FROM device WHERE id = 1", [], |r| r.get(0)).optional()?;
        let moved = known.as_deref() != Some(&binding[..]);
        if moved {
            tx.execute("DELETE FROM write_ready", [])?;
            tx.execute(
                "INSERT INTO device (id, binding) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET binding = excluded.binding",
                [&binding[..]],
            )?;
        }
        tx.commit()?;
        Ok(moved)
    }

    /// Whether this node may write in `network`: it created or joined the network in this
    /// store, or confirmed since the store last moved that its chain there is fresh.
    pub fn writes_ready(&self, network: &NetworkId) -> Result<bool> {
        Ok(self.conn.prepare_cached("SELECT 1 FROM write_ready WHERE network_id = ?1")?.exists([&network.0[..]])?)
    }

    /// Marks `network` write-ready: a sync session with a peer or hub completed (`synced`),
    /// or the owner said this is the only copy (`owner`).
    pub fn confirm_writes(&mut self, network: &NetworkId, how: &str, now_unix: u64) -> Result<()> {
        Store::require_network(&self.conn, network)?;
        mark_ready(&self.conn, network, how, now_unix)
    }
}
