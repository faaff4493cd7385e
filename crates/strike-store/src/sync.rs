//! What the sync protocol reads from the store: per-author heads, ranges of a chain, the
//! (time, id) items of every op held, and op bytes by id. The types stay plain so the store
//! does not depend on the sync crate; the node adapts them.

use rusqlite::{OptionalExtension, params};
use strike_core::{AuthorId, NetworkId, OpId, SealedOp};

use crate::{Result, Store, blob32};

/// One author's head: highest seq in the log, that op's id, ops held as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorHead {
    pub author: AuthorId,
    pub seq: u64,
    pub id: OpId,
    pub evidence: u32,
}

impl Store {
    /// Every author's head in a network.
    pub fn author_heads(&self, network: &NetworkId) -> Result<Vec<AuthorHead>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.author, h.seq, o.op_id,
                    (SELECT count(*) FROM evidence e WHERE e.network_id = ?1 AND e.author = h.author)
             FROM (SELECT author, max(seq) AS seq FROM ops WHERE network_id = ?1
                     AND NOT EXISTS (SELECT 1 FROM held_back hb WHERE hb.network_id = ?1 AND hb.op_id = ops.op_id) GROUP BY author) h
             JOIN ops o ON o.network_id = ?1 AND o.author = h.author AND o.seq = h.seq
             ORDER BY h.author",
        )?;
        let rows = stmt.query_map([&network.0[..]], |r| {
            Ok(AuthorHead {
                author: AuthorId(blob32(r.get(0)?)?),
                seq: r.get::<_, i64>(1)? as u64,
                id: OpId(blob32(r.get(2)?)?),
                evidence: r.get::<_, i64>(3)? as u32,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The id of an author's op at a seq, if logged.
    pub fn op_id_at(&self, network: &NetworkId, author: &AuthorId, seq: u64) -> Result<Option<OpId>> {
        let id: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT op_id FROM ops WHERE network_id = ?1 AND author = ?2 AND seq = ?3
                 AND NOT EXISTS (SELECT 1 FROM held_back hb WHERE hb.network_id = ?1 AND hb.op_id = ops.op_id)",
            )?
            .query_row(params![&network.0[..], &author.0[..], seq as i64], |r| r.get(0))
            .optional()?;
        Ok(id.map(blob32).transpose()?.map(OpId))
    }

    /// The logged ops of these authors above these seqs, in log order.
    pub fn ops_after(&self, network: &NetworkId, from: &[(AuthorId, u64)]) -> Result<Vec<Vec<u8>>> {
        let mut found: Vec<(i64, Vec<u8>)> = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT rowid, bytes FROM ops WHERE network_id = ?1 AND author = ?2 AND seq > ?3
                 AND NOT EXISTS (SELECT 1 FROM held_back hb WHERE hb.network_id = ?1 AND hb.op_id = ops.op_id)",
        )?;
        for (author, after) in from {
            let rows =
                stmt.query_map(params![&network.0[..], &author.0[..], *after as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for row in rows {
                found.push(row?);
            }
        }
        found.sort_unstable_by_key(|(rowid, _)| *rowid);
        Ok(found.into_iter().map(|(_, b)| b).collect())
    }

    /// (coarse time, id) of every op held in a network: the log and the evidence.
    pub fn sync_items(&self, network: &NetworkId) -> Result<Vec<(u64, OpId)>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT time, op_id FROM ops WHERE network_id = ?1 AND NOT EXISTS (SELECT 1 FROM held_back hb WHERE hb.network_id = ?1 AND hb.op_id = ops.op_id)",
        )?;
        for row in stmt.query_map([&network.0[..]], |r| Ok((r.get::<_, i64>(0)? as u64, OpId(blob32(r.get(1)?)?))))? {
            out.push(row?);
        }
        let mut stmt = self.conn.prepare_cached("SELECT bytes FROM evidence WHERE network_id = ?1")?;
        for row in stmt.query_map([&network.0[..]], |r| r.get::<_, Vec<u8>>(0))? {
            if let Ok(op) = SealedOp::from_verified_store(row?) {
                out.push((u64::from(op.envelope().time.0), op.id()));
            }
        }
        Ok(out)
    }

    /// The bytes of held ops (log or evidence) by id; unknown ids are skipped.
    pub fn ops_by_id(&self, network: &NetworkId, ids: &[OpId]) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::with_capacity(ids.len());
        let mut log = self.conn.prepare_cached(
            "SELECT bytes FROM ops WHERE op_id = ?1 AND network_id = ?2
             AND NOT EXISTS (SELECT 1 FROM held_back hb WHERE hb.network_id = ?2 AND hb.op_id = ?1)",
        )?;
        let mut evidence =
            self.conn.prepare_cached("SELECT bytes FROM evidence WHERE op_id = ?1 AND network_id = ?2")?;
        for id in ids {
            let p = params![&id.0[..], &network.0[..]];
            if let Some(b) = log.query_row(p, |r| r.get::<_, Vec<u8>>(0)).optional()? {
                out.push(b);
            } else if let Some(b) = evidence.query_row(p, |r| r.get::<_, Vec<u8>>(0)).optional()? {
                out.push(b);
            }
        }
        Ok(out)
    }
}

/// A peer to sync a network with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRow {
    pub network: NetworkId,
    pub addr: String,
    pub added_at: u64,
    pub last_sync: Option<u64>,
    /// The peer turned out to be a hub (it let this node in with an access proof).
    pub hub: bool,
    /// Local unix seconds of the last attempt to sync, successful or not.
    pub last_attempt: Option<u64>,
    /// Why the last attempt failed; `None` if it completed (or none was made).
    pub last_error: Option<String>,
}

/// A hub grant held: on a hub, one it serves; on a founder's node, one it issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubGrantRow {
    pub network: NetworkId,
    pub hub: [u8; 32],
    pub issued: u64,
    pub grant: Vec<u8>,
}

/// What a hub holds for one network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayUsage {
    pub network: NetworkId,
    pub ops: u64,
    pub bytes: u64,
    pub authors: u64,
}

impl Store {
    pub fn add_peer(&mut self, network: &NetworkId, addr: &str, now_unix: u64) -> Result<bool> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO peers (network_id, addr, added_at) VALUES (?1, ?2, ?3)",
            params![&network.0[..], addr, now_unix as i64],
        )?;
        Ok(n > 0)
    }

    pub fn peers(&self, network: Option<&NetworkId>) -> Result<Vec<PeerRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT network_id, addr, added_at, last_sync, hub, last_attempt, last_error FROM peers
             WHERE ?1 IS NULL OR network_id = ?1 ORDER BY network_id, added_at",
        )?;
        let rows = stmt.query_map([network.map(|n| n.0.to_vec())], |r| {
            Ok(PeerRow {
                network: NetworkId(blob32(r.get(0)?)?),
                addr: r.get(1)?,
                added_at: r.get::<_, i64>(2)? as u64,
                last_sync: r.get::<_, Option<i64>>(3)?.map(|t| t as u64),
                hub: r.get::<_, i64>(4)? != 0,
                last_attempt: r.get::<_, Option<i64>>(5)?.map(|t| t as u64),
                last_error: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn mark_synced(&mut self, network: &NetworkId, addr: &str, now_unix: u64) -> Result<()> {
        self.conn.execute(
            "UPDATE peers SET last_sync = ?3, last_attempt = ?3, last_error = NULL WHERE network_id = ?1 AND addr = ?2",
            params![&network.0[..], addr, now_unix as i64],
        )?;
        Ok(())
    }

    /// Records a session a peer opened with this node that completed.
    pub fn mark_served(&mut self, network: &NetworkId, now_unix: u64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO served_sync (network_id, last_at, sessions) VALUES (?1, ?2, 1)
             ON CONFLICT (network_id) DO UPDATE SET last_at = excluded.last_at, sessions = sessions + 1",
            params![&network.0[..], now_unix as i64],
        )?;
        Ok(())
    }

    /// Per network: when a peer last synced with this node, and how many sessions peers opened.
    pub fn served(&self) -> Result<Vec<(NetworkId, u64, u64)>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT network_id, last_at, sessions FROM served_sync ORDER BY network_id")?;
        let rows = stmt.query_map([], |r| {
            Ok((NetworkId(blob32(r.get(0)?)?), r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records a failed attempt to sync with a peer (its last successful sync stays).
    pub fn mark_sync_failed(&mut self, network: &NetworkId, addr: &str, now_unix: u64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE peers SET last_attempt = ?3, last_error = ?4 WHERE network_id = ?1 AND addr = ?2",
            params![&network.0[..], addr, now_unix as i64, error],
        )?;
        Ok(())
    }

    pub fn mark_peer_hub(&mut self, network: &NetworkId, addr: &str) -> Result<()> {
        self.conn
            .execute("UPDATE peers SET hub = 1 WHERE network_id = ?1 AND addr = ?2", params![&network.0[..], addr])?;
        Ok(())
    }

    /// Keeps `grant` for (network, hub) if it is newer than the one held; returns whether it was.
    pub fn put_hub_grant(&mut self, network: &NetworkId, hub: &[u8; 32], issued: u64, grant: &[u8]) -> Result<bool> {
        let n = self.conn.execute(
            "INSERT INTO hub_grants (network_id, hub_id, issued, grant_bytes) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (network_id, hub_id) DO UPDATE SET issued = excluded.issued, grant_bytes = excluded.grant_bytes
             WHERE excluded.issued > hub_grants.issued",
            params![&network.0[..], &hub[..], issued as i64, grant],
        )?;
        Ok(n > 0)
    }

    /// Grants held, for one network or all.
    pub fn hub_grants(&self, network: Option<&NetworkId>) -> Result<Vec<HubGrantRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT network_id, hub_id, issued, grant_bytes FROM hub_grants
             WHERE ?1 IS NULL OR network_id = ?1 ORDER BY network_id, hub_id",
        )?;
        let rows = stmt.query_map([network.map(|n| n.0.to_vec())], |r| {
            Ok(HubGrantRow {
                network: NetworkId(blob32(r.get(0)?)?),
                hub: blob32(r.get(1)?)?,
                issued: r.get::<_, i64>(2)? as u64,
                grant: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What a hub holds per network it relays.
    pub fn relay_usage(&self) -> Result<Vec<RelayUsage>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.network_id, u.ops, u.bytes,
                    (SELECT count(DISTINCT author) FROM ops o WHERE o.network_id = u.network_id)
             FROM relay_usage u ORDER BY u.network_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RelayUsage {
                network: NetworkId(blob32(r.get(0)?)?),
                ops: r.get::<_, i64>(1)? as u64,
                bytes: r.get::<_, i64>(2)? as u64,
                authors: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
