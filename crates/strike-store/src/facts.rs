//! Reads of the folded network state beyond the basics in `queries`: facts that count,
//! pledges, checkpoints, invite secrets and keys.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use strike_core::calls::{Cut, PledgeEvent};
use strike_core::membership::{self, JOIN_EPOCH_BASE};
use strike_core::{AuthorId, Body, CoarseTime, NetworkId, OpId};
use strike_crypto::SymmetricKey;

use crate::{Result, Store, blob32, ingest, views};

/// One fact that counts (its author's standing covers it).
#[derive(Debug, Clone)]
pub struct FactRow {
    pub op_id: OpId,
    pub author: AuthorId,
    pub seq: u64,
    pub time: CoarseTime,
    pub body: Body,
    /// The author is (now) an organizer.
    pub by_organizer: bool,
}

fn time(v: i64) -> CoarseTime {
    CoarseTime(u32::try_from(v).unwrap_or(0))
}

impl Store {
    /// Facts of one kind that count, oldest first; `subject` narrows to one `ref` (a call, a
    /// contact, a member ...); `organizers_only` keeps those written by organizers.
    pub fn facts(
        &self,
        network: &NetworkId,
        kind: &str,
        subject: Option<&[u8]>,
        organizers_only: bool,
    ) -> Result<Vec<FactRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.op_id, f.author, f.seq, f.time, f.body, m.role = 'organizer' FROM v_facts f
             JOIN v_members m ON m.network_id = f.network_id AND m.author = f.author AND f.seq <= m.count_upto
             WHERE f.network_id = ?1 AND f.kind = ?2 AND (?3 IS NULL OR f.ref = ?3)
               AND (?4 = 0 OR m.role = 'organizer')
             ORDER BY f.time, f.op_id",
        )?;
        let mut rows = stmt.query(params![&network.0[..], kind, subject, organizers_only])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let Ok(body) = Body::decode(&r.get::<_, Vec<u8>>(4)?) else { continue };
            out.push(FactRow {
                op_id: OpId(blob32(r.get(0)?)?),
                author: AuthorId(blob32(r.get(1)?)?),
                seq: r.get::<_, i64>(2)? as u64,
                time: time(r.get(3)?),
                body,
                by_organizer: r.get(5)?,
            });
        }
        Ok(out)
    }

    /// One fact by op id, whether or not it counts (`None` if not held or not decrypted).
    pub fn fact(&self, network: &NetworkId, op: &OpId) -> Result<Option<(AuthorId, Body)>> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT author, body FROM v_facts WHERE network_id = ?1 AND op_id = ?2")?
            .query_row(params![&network.0[..], &op.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(match row {
            Some((author, body)) => Body::decode(&body)
                .ok()
                .map(|b| Ok::<_, rusqlite::Error>((AuthorId(blob32(author)?), b)))
                .transpose()?,
            None => None,
        })
    }

    /// Finds the op ids of facts whose id starts with `prefix` (hex), for short ids on screen.
    pub fn fact_ids_with_prefix(&self, network: &NetworkId, kind: &str, prefix: &str) -> Result<Vec<OpId>> {
        let Ok(lower) = hex::decode(if prefix.len() % 2 == 1 { &prefix[..prefix.len() - 1] } else { prefix }) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT op_id FROM v_facts WHERE network_id = ?1 AND kind = ?2 AND substr(op_id, 1, ?3) = ?4",
        )?;
        let rows =
            stmt.query_map(params![&network.0[..], kind, lower.len() as i64, lower], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for row in rows {
            let id = OpId(blob32(row?)?);
            if id.to_hex().starts_with(&prefix.to_lowercase()) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Pledges and withdrawals to a call whose authors' standing covers them.
    pub fn pledge_events(&self, network: &NetworkId, call: &OpId) -> Result<Vec<PledgeEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.author, p.seq, p.time, p.pledged FROM v_pledges p
             JOIN v_members m ON m.network_id = p.network_id AND m.author = p.author AND p.seq <= m.count_upto
             WHERE p.network_id = ?1 AND p.call = ?2",
        )?;
        let rows = stmt.query_map(params![&network.0[..], &call.0[..]], |r| {
            Ok(PledgeEvent {
                author: AuthorId(blob32(r.get(0)?)?),
                seq: r.get::<_, i64>(1)? as u64,
                time: time(r.get(2)?),
                pledged: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The causal cut a checkpoint recorded: each author's highest seq it had seen.
    pub fn checkpoint_cut(&self, network: &NetworkId, checkpoint: &OpId) -> Result<Cut> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT author, seq FROM v_checkpoint_cuts WHERE network_id = ?1 AND checkpoint = ?2")?;
        let rows = stmt.query_map(params![&network.0[..], &checkpoint.0[..]], |r| {
            Ok((AuthorId(blob32(r.get(0)?)?), r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

    /// The highest seq held of an author in a network (0 if none).
    pub fn last_seq(&self, network: &NetworkId, author: &AuthorId) -> Result<u64> {
        let seq: Option<i64> = self.conn.query_row(
            "SELECT max(seq) FROM ops WHERE network_id = ?1 AND author = ?2",
            params![&network.0[..], &author.0[..]],
            |r| r.get(0),
        )?;
        Ok(seq.unwrap_or(0) as u64)
    }

    /// Every invite secret this node holds, with its network.
    pub fn invite_secrets(&self) -> Result<Vec<(NetworkId, zeroize::Zeroizing<[u8; 32]>)>> {
        let mut stmt = self.conn.prepare("SELECT network_id, secret FROM invite_secrets")?;
        let rows = stmt.query_map([], |r| Ok((blob32(r.get(0)?)?, blob32(r.get(1)?)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (n, s) = row?;
            out.push((NetworkId(n), zeroize::Zeroizing::new(s)));
        }
        Ok(out)
    }

    /// Keeps an invite secret and the join key it yields.
    pub fn put_invite_secret(&mut self, network: &NetworkId, secret: &[u8; 32]) -> Result<()> {
        let invite = membership::invite_id(secret);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR IGNORE INTO invite_secrets (network_id, invite, secret) VALUES (?1, ?2, ?3)",
            params![&network.0[..], &invite[..], &secret[..]],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO epoch_keys (network_id, epoch, key) VALUES (?1, ?2, ?3)",
            params![&network.0[..], i64::from(membership::join_epoch(&invite)), &membership::join_key(secret)[..]],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets up a network this node is joining: its author keys and the invite's join key.
    pub fn begin_join(
        &mut self,
        network: &NetworkId,
        author_seed: &[u8; 32],
        agreement_secret: &[u8; 32],
        now_unix: u64,
    ) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR IGNORE INTO networks (network_id, added_at) VALUES (?1, ?2)",
            params![&network.0[..], now_unix as i64],
        )?;
        tx.execute(
            "INSERT INTO my_authors (network_id, signing_seed, agreement_secret) VALUES (?1, ?2, ?3)",
            params![&network.0[..], &author_seed[..], &agreement_secret[..]],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The epoch this node writes in and its key (see [`crate::AuthorInputs::write_key`]).
    pub fn write_key(&self, network: &NetworkId) -> Result<Option<(u32, SymmetricKey)>> {
        ingest::write_key(&self.conn, network)
    }

    /// Every network epoch key this node holds (not join keys), by epoch.
    pub fn network_keys(&self, network: &NetworkId) -> Result<Vec<(u32, SymmetricKey)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT epoch, key FROM epoch_keys WHERE network_id = ?1 AND epoch < ?2 ORDER BY epoch")?;
        let rows = stmt.query_map(params![&network.0[..], i64::from(JOIN_EPOCH_BASE)], |r| {
            Ok((u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0), SymmetricKey::from_bytes(blob32(r.get(1)?)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Epochs whose key has been shared with `member` (by key shares or key updates held).
    pub fn epochs_shared_with(&self, network: &NetworkId, member: &AuthorId) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM v_facts WHERE network_id = ?1
             AND ((kind = 'key_share' AND ref = ?2) OR kind = 'key_update')",
        )?;
        let mut rows = stmt.query(params![&network.0[..], &member.0[..]])?;
        while let Some(r) = rows.next()? {
            match Body::decode(&r.get::<_, Vec<u8>>(0)?) {
                Ok(Body::KeyShare(k)) => out.extend(k.keys.iter().map(|k| k.epoch)),
                Ok(Body::KeyUpdate(k)) if k.shares.iter().any(|s| s.member == member.0) => out.push(k.epoch),
                _ => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Members an epoch's key was sealed to, over all key updates of that epoch.
    pub fn epoch_recipients(&self, network: &NetworkId, epoch: u32) -> Result<Vec<AuthorId>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM v_facts WHERE network_id = ?1 AND ((kind = 'key_update' AND n = ?2) OR kind = 'key_share')",
        )?;
        let mut rows = stmt.query(params![&network.0[..], i64::from(epoch)])?;
        while let Some(r) = rows.next()? {
            match Body::decode(&r.get::<_, Vec<u8>>(0)?) {
                Ok(Body::KeyUpdate(k)) => out.extend(k.shares.iter().map(|s| AuthorId(s.member))),
                Ok(Body::KeyShare(k)) if k.keys.iter().any(|s| s.epoch == epoch) => out.push(AuthorId(k.member)),
                _ => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The invite a member joined with.
    pub fn invite_of(&self, network: &NetworkId, member: &AuthorId) -> Result<Option<[u8; 16]>> {
        let invite: Option<Option<Vec<u8>>> = self
            .conn
            .query_row(
                "SELECT invite FROM v_members WHERE network_id = ?1 AND author = ?2",
                params![&network.0[..], &member.0[..]],
                |r| r.get(0),
            )
            .optional()?;
        Ok(invite.flatten().and_then(|i| i.try_into().ok()))
    }

    /// How many vouches an invite's joiners need.
    pub fn invite_vouches(&self, network: &NetworkId, invite: &[u8; 16]) -> Result<Option<usize>> {
        let n: Option<i64> = self
            .conn
            .query_row(
                "SELECT vouches FROM v_invites WHERE network_id = ?1 AND invite = ?2",
                params![&network.0[..], &invite[..]],
                |r| r.get(0),
            )
            .optional()?;
        Ok(n.map(|n| n as usize))
    }

    /// Authors flagged for equivocation in a network.
    pub fn equivocators(&self, network: &NetworkId) -> Result<std::collections::HashSet<AuthorId>> {
        let mut stmt = self.conn.prepare_cached("SELECT author FROM equivocators WHERE network_id = ?1")?;
        let rows = stmt.query_map([&network.0[..]], |r| Ok(AuthorId(blob32(r.get(0)?)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Resolves membership again and rewrites its views (after a manual change of keys).
    pub fn refold(&mut self, network: &NetworkId) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        views::rebuild(&tx, network)?;
        tx.commit()?;
        Ok(())
    }
}
