//! Materialized views: the folded state of each network, and its canonical hash.
//!
//! [`apply`] folds one accepted op; [`rebuild`] drops a network's views and folds its whole
//! log again in rowid order (a topological order). Both go through the same core rules, so a
//! rebuild reproduces the state hash exactly.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use strike_core::membership::{Founding, Member};
use strike_core::state_hash::StateHasher;
use strike_core::{AuthorId, Body, CoarseTime, Membership, NetworkId, NetworkKind, OpId, Role, SealedOp};
use strike_crypto::SymmetricKey;

use crate::{Result, blob32};

/// Folds one accepted op's body into the views.
pub(crate) fn apply(tx: &Connection, op: &SealedOp, body: &Body) -> Result<()> {
    let env = op.envelope();
    let net = &env.network.0[..];
    match body {
        Body::Genesis(g) => {
            tx.prepare_cached(
                "INSERT INTO v_network (network_id, genesis, founder, name, kind, vouches_required, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                net,
                &op.id().0[..],
                &env.author.0[..],
                g.name,
                g.kind.as_str(),
                i64::from(g.vouches_required),
                i64::from(env.time.0)
            ])?;
            tx.prepare_cached(
                "INSERT INTO v_members (network_id, author, role, agreement, admitted_by, since)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                net,
                &env.author.0[..],
                Role::Organizer.as_str(),
                &g.founder_agreement[..],
                &op.id().0[..],
                i64::from(env.time.0)
            ])?;
        }
        Body::Announcement(a) => {
            tx.prepare_cached(
                "INSERT INTO v_announcements (network_id, op_id, author, time, text) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![net, &op.id().0[..], &env.author.0[..], i64::from(env.time.0), a.text])?;
        }
    }
    Ok(())
}

const VIEW_TABLES: [&str; 3] = ["v_network", "v_members", "v_announcements"];

/// Drops the network's views and folds every logged op again. Ops sealed for lack of a key
/// are folded now if the key has since arrived. Ops of an equivocating author from the
/// equivocation on are left out, and so is anything that no longer passes its checks.
pub(crate) fn rebuild(tx: &Connection, network: &NetworkId) -> Result<()> {
    let net = &network.0[..];
    for table in VIEW_TABLES {
        tx.execute(&format!("DELETE FROM {table} WHERE network_id = ?1"), [net])?;
    }
    let mut keys: std::collections::HashMap<i64, Option<SymmetricKey>> = std::collections::HashMap::new();
    let mut membership = Membership::new(*network);
    let mut stmt = tx.prepare(
        "SELECT o.rowid, o.epoch, o.bytes FROM ops o
         LEFT JOIN equivocators e ON e.network_id = o.network_id AND e.author = o.author
         WHERE o.network_id = ?1 AND (e.from_seq IS NULL OR o.seq < e.from_seq)
         ORDER BY o.rowid",
    )?;
    let mut rows = stmt.query([net])?;
    while let Some(row) = rows.next()? {
        let (rowid, epoch, bytes): (i64, i64, Vec<u8>) = (row.get(0)?, row.get(1)?, row.get(2)?);
        if let std::collections::hash_map::Entry::Vacant(slot) = keys.entry(epoch) {
            let key: Option<Vec<u8>> = tx
                .query_row(
                    "SELECT key FROM epoch_keys WHERE network_id = ?1 AND epoch = ?2",
                    params![net, epoch],
                    |r| r.get(0),
                )
                .optional()?;
            slot.insert(key.map(blob32).transpose()?.map(SymmetricKey::from_bytes));
        }
        let Some(key) = keys.get(&epoch).and_then(Option::as_ref) else {
            continue;
        };
        let Ok(op) = SealedOp::from_verified_store(bytes) else {
            continue;
        };
        let Ok(body) = op.open(key) else { continue };
        if membership.check_write(op.envelope(), &body).is_err() {
            continue;
        }
        membership.apply(op.id(), op.envelope(), &body);
        apply(tx, &op, &body)?;
        tx.prepare_cached("UPDATE ops SET applied = 1 WHERE rowid = ?1 AND applied = 0")?.execute([rowid])?;
    }
    Ok(())
}

/// The membership as the views hold it.
pub(crate) fn load_membership(tx: &Connection, network: &NetworkId) -> Result<Membership> {
    let net = &network.0[..];
    let mut membership = Membership::new(*network);
    membership.founding = tx
        .query_row(
            "SELECT genesis, founder, name, kind, vouches_required, created FROM v_network WHERE network_id = ?1",
            [net],
            |r| {
                Ok(Founding {
                    genesis: OpId(blob32(r.get(0)?)?),
                    founder: AuthorId(blob32(r.get(1)?)?),
                    name: r.get(2)?,
                    kind: NetworkKind::parse(&r.get::<_, String>(3)?).unwrap_or(NetworkKind::Crew),
                    vouches_required: u8::try_from(r.get::<_, i64>(4)?).unwrap_or(1),
                    created: CoarseTime(u32::try_from(r.get::<_, i64>(5)?).unwrap_or(0)),
                })
            },
        )
        .optional()?;
    let mut stmt =
        tx.prepare_cached("SELECT author, role, agreement, admitted_by, since FROM v_members WHERE network_id = ?1")?;
    for row in stmt.query_map([net], |r| {
        Ok((
            AuthorId(blob32(r.get(0)?)?),
            Member {
                role: Role::parse(&r.get::<_, String>(1)?).unwrap_or(Role::Member),
                agreement: blob32(r.get(2)?)?,
                admitted_by: OpId(blob32(r.get(3)?)?),
                since: CoarseTime(u32::try_from(r.get::<_, i64>(4)?).unwrap_or(0)),
            },
        ))
    })? {
        let (author, member) = row?;
        membership.members.insert(author, member);
    }
    Ok(membership)
}

/// The canonical state hash. Tables and their row order, as documented in `docs/protocol.md`:
/// network (one row or none), members by author, announcements by op id, equivocating members by author.
pub(crate) fn state_hash(conn: &Connection, network: &NetworkId) -> Result<[u8; 32]> {
    let net = &network.0[..];
    let mut h = StateHasher::new(network);
    hash_table(
        conn,
        &mut h,
        "network",
        "SELECT genesis, founder, name, kind, vouches_required, created FROM v_network WHERE network_id = ?1",
        net,
    )?;
    hash_table(
        conn,
        &mut h,
        "members",
        "SELECT author, role, agreement, admitted_by, since FROM v_members WHERE network_id = ?1 ORDER BY author",
        net,
    )?;
    hash_table(
        conn,
        &mut h,
        "announcements",
        "SELECT op_id, author, time, text FROM v_announcements WHERE network_id = ?1 ORDER BY op_id",
        net,
    )?;
    hash_table(
        conn,
        &mut h,
        "equivocators",
        "SELECT author, from_seq FROM equivocators WHERE network_id = ?1 ORDER BY author",
        net,
    )?;
    Ok(h.finish())
}

fn hash_table(conn: &Connection, h: &mut StateHasher, name: &str, sql: &str, net: &[u8]) -> Result<()> {
    // The count comes first in the framing; counting in SQL lets the rows stream afterwards.
    let n_rows: i64 = conn.query_row(&format!("SELECT count(*) FROM ({sql})"), [net], |r| r.get(0))?;
    h.table(name, n_rows as u64);
    let mut stmt = conn.prepare(sql)?;
    let n_cols = stmt.column_count();
    let mut rows = stmt.query([net])?;
    while let Some(row) = rows.next()? {
        for i in 0..n_cols {
            match row.get_ref(i)? {
                ValueRef::Blob(b) => h.bytes(b),
                ValueRef::Text(t) => h.text(std::str::from_utf8(t).map_err(|e| rusqlite::Error::Utf8Error(i, e))?),
                ValueRef::Integer(v) => h.int(v),
                ValueRef::Null => h.bytes(&[]),
                ValueRef::Real(r) => h.int(r.to_bits() as i64),
            }
        }
    }
    Ok(())
}
