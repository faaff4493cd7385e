//! Joining over the network: what a member's node checks before it lets a joiner into a
//! restricted session (the invite's state, who asked with it), what it serves there (the ops
//! of the invite's join epoch), what a hub keeps to do the same without keys (tickets), the
//! joiner's side (key shares that arrived before the chains they sit in), and this node's own
//! addresses for new invites.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use strike_core::membership::JOIN_EPOCH_BASE;
use strike_core::{AuthorId, Body, NetworkId, OpId, SealedOp};

use crate::{Result, Store, blob32, views};

/// Tickets a hub keeps per network (the newest).
pub const MAX_HUB_TICKETS: i64 = 256;

/// An invite as its network's log has it.
#[derive(Debug, Clone)]
pub struct InviteState {
    pub uses: u16,
    /// Coarse minutes.
    pub expires: Option<u32>,
    /// Written by a counted organizer.
    pub counted: bool,
    /// The authors of its first `uses` join requests, by (time, op id): the ones it may admit.
    pub first: Vec<AuthorId>,
    /// Join requests made with it in all.
    pub requests: u32,
}

/// A live invite, for the tickets a member's node gives hubs.
#[derive(Debug, Clone)]
pub struct LiveInvite {
    pub secret: zeroize::Zeroizing<[u8; 32]>,
    pub uses: u16,
    pub expires: Option<u32>,
    /// Its joiners the network turned down or removed.
    pub removed: Vec<AuthorId>,
}

/// An op of one epoch, as a restricted session sees it.
#[derive(Debug, Clone)]
pub struct EpochOp {
    pub time: u64,
    pub id: OpId,
    pub author: AuthorId,
    pub seq: u64,
    pub bytes: Vec<u8>,
}

/// A ticket a hub keeps for one invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubTicketRow {
    pub invite: [u8; 16],
    pub key: [u8; 32],
    pub expires: Option<u32>,
    pub uses: u16,
    pub removed: Vec<[u8; 32]>,
}

/// (invite, secret, uses, expires) as the database has them.
type InviteRow = (Vec<u8>, Vec<u8>, i64, Option<i64>);
/// (access key, expires, uses, removed) as the database has them.
type TicketColumns = (Vec<u8>, Option<i64>, i64, Vec<u8>);

impl Store {
    /// The secret of an invite of the network, if this node can read it.
    pub fn invite_secret(
        &self,
        network: &NetworkId,
        invite: &[u8; 16],
    ) -> Result<Option<zeroize::Zeroizing<[u8; 32]>>> {
        let row: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT secret FROM invite_secrets WHERE network_id = ?1 AND invite = ?2",
                params![&network.0[..], &invite[..]],
                |r| r.get(0),
            )
            .optional()?;
        row.map(|s| Ok(zeroize::Zeroizing::new(blob32(s)?))).transpose()
    }

    /// An invite's state from the log, if the node holds the invite op.
    pub fn invite_state(&self, network: &NetworkId, invite: &[u8; 16]) -> Result<Option<InviteState>> {
        let row: Option<(i64, Option<i64>, i64, i64)> = self
            .conn
            .query_row(
                "SELECT uses, expires, counted, requests FROM v_invites WHERE network_id = ?1 AND invite = ?2",
                params![&network.0[..], &invite[..]],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((uses, expires, counted, requests)) = row else { return Ok(None) };
        let mut stmt = self.conn.prepare_cached(
            "SELECT author FROM v_facts WHERE network_id = ?1 AND kind = 'join_request' AND ref = ?2 AND seq = 1
             ORDER BY time, author, seq, op_id LIMIT ?3",
        )?;
        let first = stmt
            .query_map(params![&network.0[..], &invite[..], uses], |r| Ok(AuthorId(blob32(r.get(0)?)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(InviteState {
            uses: u16::try_from(uses).unwrap_or(u16::MAX),
            expires: expires.and_then(|e| u32::try_from(e).ok()),
            counted: counted != 0,
            first,
            requests: u32::try_from(requests).unwrap_or(u32::MAX),
        }))
    }

    /// The network's invites written by counted organizers that are not past their expiry
    /// (`now` in coarse minutes) and not used up, with their removed joiners.
    pub fn live_invites(&self, network: &NetworkId, now: u32) -> Result<Vec<LiveInvite>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.invite, s.secret, i.uses, i.expires FROM v_invites i
             JOIN invite_secrets s ON s.network_id = i.network_id AND s.invite = i.invite
             WHERE i.network_id = ?1 AND i.counted = 1 AND i.requests < i.uses
               AND (i.expires IS NULL OR i.expires >= ?2)
             ORDER BY i.rowid DESC",
        )?;
        let rows: Vec<InviteRow> = stmt
            .query_map(params![&network.0[..], i64::from(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut removed = self.conn.prepare_cached(
            "SELECT author FROM v_members WHERE network_id = ?1 AND invite = ?2 AND status = 'removed' ORDER BY author",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (invite, secret, uses, expires) in rows {
            let gone = removed
                .query_map(params![&network.0[..], &invite[..]], |r| Ok(AuthorId(blob32(r.get(0)?)?)))?
                .collect::<rusqlite::Result<_>>()?;
            out.push(LiveInvite {
                secret: zeroize::Zeroizing::new(blob32(secret)?),
                uses: u16::try_from(uses).unwrap_or(u16::MAX),
                expires: expires.and_then(|e| u32::try_from(e).ok()),
                removed: gone,
            });
        }
        Ok(out)
    }

    /// Every logged op of the network sealed under one epoch (a join epoch: the join requests
    /// of an invite, and key shares for its joiners).
    pub fn epoch_ops(&self, network: &NetworkId, epoch: u32) -> Result<Vec<EpochOp>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT time, op_id, author, seq, bytes FROM ops WHERE network_id = ?1 AND epoch = ?2 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![&network.0[..], i64::from(epoch)], |r| {
            Ok(EpochOp {
                time: r.get::<_, i64>(0)? as u64,
                id: OpId(blob32(r.get(1)?)?),
                author: AuthorId(blob32(r.get(2)?)?),
                seq: r.get::<_, i64>(3)? as u64,
                bytes: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// On a joiner's node: key shares sealed to it that arrived in a restricted session wait
    /// for the voucher's earlier ops (which a joiner is never sent). Opens them with the join
    /// key and keeps the epoch keys sealed to this node's author, so it can prove access at a
    /// hub and read the network once its chains arrive. Returns how many keys it took.
    pub fn adopt_parked_key_shares(&mut self, network: &NetworkId) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(me) = views::me(&tx, network)? else { return Ok(0) };
        let mut adopted = 0;
        for (_, share) in parked_key_shares(&tx, network, &me.author)? {
            for sealed in &share.keys {
                if views::adopt_key(&tx, network, sealed.epoch, &sealed.sealed, &me)? {
                    adopted += 1;
                }
            }
        }
        if adopted > 0 {
            views::rebuild(&tx, network)?;
        }
        tx.commit()?;
        Ok(adopted)
    }

    /// The epoch and key this node proves access with at hubs. Once the log holds a key update
    /// it is the key this node writes under; before that, on a joiner whose key share arrived
    /// ahead of its chain, the key the voucher wrote under (the last in the newest share, as
    /// `docs/protocol.md` says), if this node holds it; else epoch 0's.
    pub fn access_key(&self, network: &NetworkId) -> Result<Option<(u32, strike_crypto::SymmetricKey)>> {
        if let Some(newest) = crate::local::newest_key(&self.conn, network, "key_update")? {
            return Ok(Some(newest));
        }
        if let Some(me) = views::me(&self.conn, network)? {
            let shares = parked_key_shares(&self.conn, network, &me.author)?;
            let newest = shares.iter().max_by_key(|(time, _)| *time).and_then(|(_, s)| s.keys.last());
            if let Some(epoch) = newest.map(|k| k.epoch).filter(|e| *e != 0)
                && let Some(key) = self.epoch_key(network, epoch)?
            {
                return Ok(Some((epoch, key)));
            }
        }
        self.write_key(network)
    }

    /// On a hub: keeps a member's ticket for an invite (the newest word wins).
    pub fn put_hub_ticket(&mut self, network: &NetworkId, t: &HubTicketRow, now_unix: u64) -> Result<()> {
        let removed: Vec<u8> = t.removed.iter().flatten().copied().collect();
        self.conn.execute(
            "INSERT INTO hub_invites (network_id, invite, access_key, expires, uses, removed, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (network_id, invite) DO UPDATE SET access_key = ?3, expires = ?4, uses = ?5,
               removed = ?6, updated = ?7",
            params![
                &network.0[..],
                &t.invite[..],
                &t.key[..],
                t.expires.map(i64::from),
                i64::from(t.uses),
                removed,
                now_unix as i64
            ],
        )?;
        // A member cannot grow the hub's table without end: the newest tickets stay.
        self.conn.execute(
            "DELETE FROM hub_invites WHERE network_id = ?1 AND rowid NOT IN
               (SELECT rowid FROM hub_invites WHERE network_id = ?1 ORDER BY updated DESC, rowid DESC LIMIT ?2)",
            params![&network.0[..], MAX_HUB_TICKETS],
        )?;
        Ok(())
    }

    /// On a hub: the ticket of an invite, and the joiners let in under it so far.
    pub fn hub_ticket(&self, network: &NetworkId, invite: &[u8; 16]) -> Result<Option<(HubTicketRow, Vec<AuthorId>)>> {
        let row: Option<TicketColumns> = self
            .conn
            .query_row(
                "SELECT access_key, expires, uses, removed FROM hub_invites WHERE network_id = ?1 AND invite = ?2",
                params![&network.0[..], &invite[..]],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((key, expires, uses, removed)) = row else { return Ok(None) };
        let ticket = HubTicketRow {
            invite: *invite,
            key: blob32(key)?,
            expires: expires.and_then(|e| u32::try_from(e).ok()),
            uses: u16::try_from(uses).unwrap_or(u16::MAX),
            removed: removed.chunks_exact(32).map(|c| c.try_into().expect("32-byte chunks")).collect(),
        };
        let joiners = self
            .conn
            .prepare_cached("SELECT author FROM hub_joiners WHERE network_id = ?1 AND invite = ?2")?
            .query_map(params![&network.0[..], &invite[..]], |r| Ok(AuthorId(blob32(r.get(0)?)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some((ticket, joiners)))
    }

    /// On a hub: records a joiner let in under an invite.
    pub fn add_hub_joiner(&mut self, network: &NetworkId, invite: &[u8; 16], author: &AuthorId) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO hub_joiners (network_id, invite, author) VALUES (?1, ?2, ?3)",
            params![&network.0[..], &invite[..], &author.0[..]],
        )?;
        Ok(())
    }

    /// Replaces this node's own addresses of one source (`public` or `lan`).
    pub fn set_own_addresses(&mut self, source: &str, addrs: &[String], now_unix: u64) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM own_addresses WHERE source = ?1", [source])?;
        for a in addrs {
            tx.execute(
                "INSERT OR REPLACE INTO own_addresses (addr, source, at) VALUES (?1, ?2, ?3)",
                params![a, source, now_unix as i64],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// This node's own addresses: the public ones first.
    pub fn own_addresses(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT addr FROM own_addresses ORDER BY source = 'lan', rowid")?;
        Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
    }
}

/// The key shares sealed to `me` that wait in the pending queue for their chains, opened with
/// the invite's join key, each with its envelope time.
fn parked_key_shares(
    tx: &rusqlite::Connection,
    network: &NetworkId,
    me: &AuthorId,
) -> Result<Vec<(strike_core::CoarseTime, strike_core::networks::KeyShare)>> {
    let parked: Vec<Vec<u8>> = tx
        .prepare_cached("SELECT bytes FROM pending WHERE network_id = ?1")?
        .query_map([&network.0[..]], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut shares = Vec::new();
    for bytes in parked {
        let Ok(op) = SealedOp::from_verified_store(bytes) else { continue };
        let epoch = op.envelope().epoch;
        if epoch < JOIN_EPOCH_BASE {
            continue;
        }
        let key: Option<Vec<u8>> = tx
            .query_row(
                "SELECT key FROM epoch_keys WHERE network_id = ?1 AND epoch = ?2",
                params![&network.0[..], i64::from(epoch)],
                |r| r.get(0),
            )
            .optional()?;
        let Some(key) = key else { continue };
        let key = strike_crypto::SymmetricKey::from_bytes(blob32(key)?);
        if let Ok(Body::KeyShare(share)) = op.open(&key)
            && share.member == *me
        {
            shares.push((op.envelope().time, share));
        }
    }
    Ok(shares)
}
