//! Materialized views: the folded state of each network, and its canonical hash.
//!
//! [`apply`] records one decrypted op as a fact (whoever wrote it); [`resolve_membership`]
//! recomputes who counts from the membership facts with the pure core rules; queries join
//! facts to `v_members` so an op counts only if its author's standing says so. Facts are a
//! function of the op set, and so is membership, so the state is the same in any order.
//! [`rebuild`] drops a network's views and folds its whole log again.

use std::collections::{HashMap, HashSet};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use strike_core::membership::{self, Event, JOIN_EPOCH_BASE, KEY_SEAL_INFO};
use strike_core::state_hash::StateHasher;
use strike_core::{AuthorId, Body, CoarseTime, NetworkId, OpId, SealedOp};
use strike_crypto::{AgreementSecret, SymmetricKey};

use crate::{Result, blob32};

/// This node's author in a network: what it needs to open key shares sealed to it.
pub(crate) struct Me {
    pub author: AuthorId,
    pub agreement: AgreementSecret,
}

pub(crate) fn me(tx: &Connection, network: &NetworkId) -> Result<Option<Me>> {
    let row: Option<(Vec<u8>, Vec<u8>)> = tx
        .prepare_cached("SELECT signing_seed, agreement_secret FROM my_authors WHERE network_id = ?1")?
        .query_row([&network.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((seed, agreement)) = row else { return Ok(None) };
    let seed = zeroize::Zeroizing::new(blob32(seed)?);
    let agreement = zeroize::Zeroizing::new(blob32(agreement)?);
    Ok(Some(Me {
        author: AuthorId(strike_crypto::SigningSecret::from_seed(&seed).public().0),
        agreement: AgreementSecret::from_bytes(*agreement),
    }))
}

/// What applying an op changed beyond its own rows.
#[derive(Debug, Default, Clone)]
pub(crate) struct Effects {
    /// A membership op: membership must be resolved again.
    pub membership: bool,
    /// Epochs whose key this node just learned: ops sealed under them can now be folded.
    pub new_epochs: Vec<u32>,
    /// A circle op: circles must be refreshed (`circles::refresh`).
    pub circles: bool,
}

pub(crate) fn is_founded(tx: &Connection, network: &NetworkId) -> Result<bool> {
    Ok(tx.prepare_cached("SELECT 1 FROM v_network WHERE network_id = ?1")?.exists([&network.0[..]])?)
}

/// Records one accepted, decrypted op: its fact row, indexed as its area says
/// ([`Body::index`]), and what some kinds keep beside it (announcements and pledges in tables
/// of their own, the network's genesis row, invite secrets, keys sealed to this node,
/// checkpoints' cuts).
pub(crate) fn apply(
    tx: &Connection,
    op: &SealedOp,
    body: &Body,
    circle: Option<OpId>,
    me: Option<&Me>,
) -> Result<Effects> {
    let env = op.envelope();
    let net = &env.network.0[..];
    let (id, author, seq, time) = (&op.id().0[..], &env.author.0[..], env.seq as i64, i64::from(env.time.0));
    let mut effects = Effects { membership: membership::is_membership(body), ..Effects::default() };
    match body {
        Body::Announcement(a) => {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO v_announcements (network_id, op_id, author, seq, time, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![net, id, author, seq, time, a.text])?;
            return Ok(effects);
        }
        Body::Pledge(p) => {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO v_pledges (network_id, call, author, seq, time, pledged, op_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![net, &p.call.0[..], author, seq, time, p.pledged, id])?;
            return Ok(effects);
        }
        Body::Genesis(g) => {
            tx.prepare_cached(
                "INSERT INTO v_network (network_id, genesis, founder, name, kind, vouches_required, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                net,
                id,
                author,
                g.name,
                g.kind.as_str(),
                i64::from(g.vouches_required),
                time
            ])?;
        }
        Body::Invite(i) => {
            let invite = membership::invite_id(&i.secret);
            let epoch = membership::join_epoch(&invite);
            tx.prepare_cached("INSERT OR IGNORE INTO invite_secrets (network_id, invite, secret) VALUES (?1, ?2, ?3)")?
                .execute(params![net, &invite[..], &i.secret[..]])?;
            let added = tx
                .prepare_cached("INSERT OR IGNORE INTO epoch_keys (network_id, epoch, key) VALUES (?1, ?2, ?3)")?
                .execute(params![net, i64::from(epoch), &membership::join_key(&i.secret)[..]])?;
            if added > 0 {
                effects.new_epochs.push(epoch);
            }
        }
        Body::KeyShare(k) => {
            if let Some(me) = me
                && k.member == me.author
            {
                for sealed in &k.keys {
                    if adopt_key(tx, &env.network, sealed.epoch, &sealed.sealed, me)? {
                        effects.new_epochs.push(sealed.epoch);
                    }
                }
            }
        }
        Body::KeyUpdate(k) | Body::HistoryKey(k) => {
            if let Some(me) = me
                && let Some(share) = k.shares.iter().find(|s| s.member == me.author)
                && adopt_key(tx, &env.network, k.epoch, &share.sealed, me)?
            {
                effects.new_epochs.push(k.epoch);
            }
        }
        // A call's or a vote's close counts what it had seen; a proposal, who could vote on it.
        Body::Checkpoint(_) | Body::ProposalClose(_) | Body::Proposal(_) => record_checkpoint_cut(tx, op)?,
        Body::CircleKey(k) => {
            let learned = crate::circles::take_key(tx, &env.network, op, k, me)?;
            effects.new_epochs.extend(learned.then_some(k.epoch));
        }
        _ => {}
    }
    effects.circles = matches!(
        body,
        Body::Circle(_) | Body::CircleKey(_) | Body::CircleMember(_) | Body::CircleLead(_) | Body::RoleChange(_)
    );
    let index = body.index();
    tx.prepare_cached(
        "INSERT OR IGNORE INTO v_facts (network_id, op_id, author, seq, time, kind, ref, n, body, circle)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        net,
        id,
        author,
        seq,
        time,
        body.kind().as_str(),
        index.subject,
        index.number,
        body.encode(),
        circle.map(|c| c.0.to_vec())
    ])?;
    Ok(effects)
}

/// Opens an epoch key sealed to this node's author and keeps it. A rotated epoch's number is
/// derived from its key, so a key that does not match its number is ignored.
pub(crate) fn adopt_key(tx: &Connection, network: &NetworkId, epoch: u32, sealed: &[u8], me: &Me) -> Result<bool> {
    let aad = membership::key_seal_aad(network, epoch, &me.author);
    let Ok(plain) = strike_crypto::open_sealed(&me.agreement, KEY_SEAL_INFO, &aad, sealed) else {
        tracing::warn!(network = %network.short(), epoch, "a key sealed to this node does not open");
        return Ok(false);
    };
    let Ok(key) = <[u8; 32]>::try_from(plain.as_slice()) else { return Ok(false) };
    if epoch >= JOIN_EPOCH_BASE || (epoch != 0 && membership::rotated_epoch(&key) != epoch) {
        return Ok(false);
    }
    let added = tx
        .prepare_cached("INSERT OR IGNORE INTO epoch_keys (network_id, epoch, key) VALUES (?1, ?2, ?3)")?
        .execute(params![&network.0[..], i64::from(epoch), &key[..]])?;
    Ok(added > 0)
}

/// Records, for a checkpoint op, the highest seq of every author in its causal past: the
/// pledges it closes the count on.
fn record_checkpoint_cut(tx: &Connection, checkpoint: &SealedOp) -> Result<()> {
    let net = &checkpoint.envelope().network.0[..];
    let mut highest: HashMap<[u8; 32], i64> = HashMap::new();
    let mut seen: HashSet<OpId> = HashSet::new();
    let mut stack: Vec<OpId> = checkpoint.predecessors().collect();
    let mut stmt = tx.prepare_cached("SELECT author, seq, bytes FROM ops WHERE op_id = ?1")?;
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let row: Option<(Vec<u8>, i64, Vec<u8>)> =
            stmt.query_row([&id.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?;
        // Predecessors are present (ingest parks ops until they are); evidence rows are not
        // in `ops` and their pasts are cut anyway.
        let Some((author, seq, bytes)) = row else { continue };
        let best = highest.entry(blob32(author)?).or_default();
        *best = (*best).max(seq);
        if let Ok(op) = SealedOp::from_verified_store(bytes) {
            stack.extend(op.predecessors().filter(|p| !seen.contains(p)));
        }
    }
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO v_checkpoint_cuts (network_id, checkpoint, author, seq) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (author, seq) in highest {
        insert.execute(params![net, &checkpoint.id().0[..], &author[..], seq])?;
    }
    Ok(())
}

const MEMBERSHIP_KINDS: &str = "'genesis', 'invite', 'join_request', 'vouch', 'role_change', 'removal', 'rejoin'";

/// Resolves membership from the membership facts and writes `v_members`, `v_vouches` and
/// `v_invites`.
pub(crate) fn resolve_membership(tx: &Connection, network: &NetworkId) -> Result<membership::Membership> {
    let net = &network.0[..];
    let mut events = Vec::new();
    {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT op_id, author, seq, time, body FROM v_facts WHERE network_id = ?1 AND kind IN ({MEMBERSHIP_KINDS})"
        ))?;
        let mut rows = stmt.query([net])?;
        while let Some(r) = rows.next()? {
            let body: Vec<u8> = r.get(4)?;
            // Bodies were validated before they were stored.
            let Ok(body) = Body::decode(&body) else { continue };
            events.push(Event {
                op: OpId(blob32(r.get(0)?)?),
                author: AuthorId(blob32(r.get(1)?)?),
                seq: r.get::<_, i64>(2)? as u64,
                time: CoarseTime(u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0)),
                body,
            });
        }
    }
    let m = membership::resolve(&events);
    for table in ["v_members", "v_vouches", "v_invites"] {
        tx.execute(&format!("DELETE FROM {table} WHERE network_id = ?1"), [net])?;
    }
    let mut member = tx.prepare_cached(
        "INSERT INTO v_members (network_id, author, status, role, agreement, pseudonym, invite, first_op, since, count_upto)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut vouch = tx.prepare_cached("INSERT INTO v_vouches (network_id, member, voucher) VALUES (?1, ?2, ?3)")?;
    for (author, p) in &m.people {
        member.execute(params![
            net,
            &author.0[..],
            p.status.as_str(),
            p.role.as_str(),
            &p.agreement[..],
            p.pseudonym,
            p.invite.map(|i| i.to_vec()),
            &p.first_op.0[..],
            i64::from(p.since.0),
            i64::try_from(p.count_upto).unwrap_or(i64::MAX)
        ])?;
        for v in &p.vouchers {
            vouch.execute(params![net, &author.0[..], &v.0[..]])?;
        }
    }
    let mut invite = tx.prepare_cached(
        "INSERT INTO v_invites (network_id, invite, op_id, author, uses, vouches, expires, requests, counted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (id, i) in &m.invites {
        invite.execute(params![
            net,
            &id[..],
            &i.op.0[..],
            &i.author.0[..],
            i64::from(i.uses),
            i64::from(i.vouches),
            i.expires.map(i64::from),
            i64::from(i.requests),
            i.counted
        ])?;
    }
    Ok(m)
}

const VIEW_TABLES: [&str; 12] = [
    "v_network",
    "v_members",
    "v_vouches",
    "v_invites",
    "v_announcements",
    "v_facts",
    "v_pledges",
    "v_checkpoint_cuts",
    "rebuild_needed",
    "v_circle_lists",
    "v_circle_entries",
    "v_circle_members",
];

/// Drops the network's views and folds every logged op again. Ops sealed for lack of a key
/// are folded now if the key has since arrived (keys learned from key shares during the fold
/// open further ops: the fold repeats until no new key appears). Ops of an equivocating author
/// from the equivocation on are left out.
pub(crate) fn rebuild(tx: &Connection, network: &NetworkId) -> Result<()> {
    let net = &network.0[..];
    for table in VIEW_TABLES {
        tx.execute(&format!("DELETE FROM {table} WHERE network_id = ?1"), [net])?;
    }
    let me = me(tx, network)?;
    let mut folded: HashSet<i64> = HashSet::new();
    let mut founded = false;
    loop {
        let mut keys: HashMap<i64, Option<SymmetricKey>> = HashMap::new();
        let mut learned = false;
        let mut stmt = tx.prepare(
            "SELECT o.rowid, o.epoch, o.bytes FROM ops o
             LEFT JOIN equivocators e ON e.network_id = o.network_id AND e.author = o.author
             WHERE o.network_id = ?1 AND (e.from_seq IS NULL OR o.seq < e.from_seq)
             ORDER BY o.rowid",
        )?;
        let mut rows = stmt.query([net])?;
        while let Some(row) = rows.next()? {
            let (rowid, epoch, bytes): (i64, i64, Vec<u8>) = (row.get(0)?, row.get(1)?, row.get(2)?);
            if folded.contains(&rowid) {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = keys.entry(epoch) {
                let key: Option<Vec<u8>> = tx
                    .prepare_cached("SELECT key FROM epoch_keys WHERE network_id = ?1 AND epoch = ?2")?
                    .query_row(params![net, epoch], |r| r.get(0))
                    .optional()?;
                slot.insert(key.map(blob32).transpose()?.map(SymmetricKey::from_bytes));
            }
            let Some(key) = keys.get(&epoch).and_then(Option::as_ref) else {
                continue;
            };
            let Ok(op) = SealedOp::from_verified_store(bytes) else {
                continue;
            };
            folded.insert(rowid);
            let Ok(body) = op.open(key) else { continue };
            if membership::check_standing(op.envelope(), &body, founded).is_err() {
                continue;
            }
            let Ok(circle) = crate::circles::check_scope(tx, network, op.envelope().epoch, &body)? else { continue };
            founded |= matches!(body, Body::Genesis(_));
            let effects = apply(tx, &op, &body, circle, me.as_ref())?;
            if !effects.new_epochs.is_empty() {
                learned = true;
                keys.clear();
            }
            tx.prepare_cached("UPDATE ops SET applied = 1 WHERE rowid = ?1 AND applied = 0")?.execute([rowid])?;
        }
        drop(rows);
        drop(stmt);
        // Circle keys in the lists of keys just learned open further ops.
        resolve_membership(tx, network)?;
        if !crate::circles::refresh(tx, network)?.is_empty() {
            learned = true;
        }
        if !learned {
            break;
        }
    }
    Ok(())
}

/// The canonical state hash. Tables and their row order, as documented in `docs/protocol.md`
/// ("State hash"). Only what counts is hashed: facts, announcements and pledges of authors
/// within their standing (`seq <= count_upto`).
pub(crate) fn state_hash(conn: &Connection, network: &NetworkId) -> Result<[u8; 32]> {
    let net = &network.0[..];
    let mut h = StateHasher::new(network);
    let counted = counted_in("NOT IN");
    let [announcements, facts] = layer_tables(&counted);
    let tables: [(&str, String); 9] = [
        (
            "network",
            "SELECT genesis, founder, name, kind, vouches_required, created FROM v_network WHERE network_id = ?1"
                .into(),
        ),
        (
            "members",
            "SELECT author, status, role, agreement, pseudonym, invite, first_op, since, count_upto
             FROM v_members WHERE network_id = ?1 ORDER BY author"
                .into(),
        ),
        ("vouches", "SELECT member, voucher FROM v_vouches WHERE network_id = ?1 ORDER BY member, voucher".into()),
        (
            "invites",
            "SELECT invite, op_id, author, uses, vouches, expires, requests, counted FROM v_invites
             WHERE network_id = ?1 ORDER BY invite"
                .into(),
        ),
        announcements,
        facts,
        (
            "pledges",
            format!(
                "SELECT x.call, x.author, x.seq, x.time, x.pledged FROM v_pledges x {counted}
                 WHERE x.network_id = ?1 ORDER BY x.call, x.author, x.seq"
            ),
        ),
        (
            "checkpoint_cuts",
            "SELECT c.checkpoint, c.author, c.seq FROM v_checkpoint_cuts c
             JOIN v_facts x ON x.network_id = c.network_id AND x.op_id = c.checkpoint
             JOIN v_members m ON m.network_id = x.network_id AND m.author = x.author AND x.seq <= m.count_upto
             WHERE c.network_id = ?1 ORDER BY c.checkpoint, c.author"
                .into(),
        ),
        ("equivocators", "SELECT author, from_seq FROM equivocators WHERE network_id = ?1 ORDER BY author".into()),
    ];
    for (name, sql) in tables {
        hash_table(conn, &mut h, name, &sql, net)?;
    }
    Ok(h.finish())
}

/// Ops of the network sealed under a history key: the history layer, which members admitted
/// at different times hold different parts of. The state hash leaves them out.
const HISTORY_OPS: &str = "SELECT o.op_id FROM ops o WHERE o.network_id = ?1
     AND o.epoch IN (SELECT k.n FROM v_facts k WHERE k.network_id = ?1 AND k.kind = 'history_key')";

/// Ops of the network sealed in a circle: only the circle's members read them. The state
/// hash and the history hash leave them out; each circle has a hash of its own.
const CIRCLE_OPS: &str = "SELECT c.op_id FROM v_facts c WHERE c.network_id = ?1 AND c.circle IS NOT NULL";

/// The join that keeps rows whose author's standing covers them, and whose op is (`IN`) or
/// is not (`NOT IN`) in the history layer; never ops sealed in a circle.
fn counted_in(history: &str) -> String {
    format!(
        "JOIN v_members m ON m.network_id = x.network_id AND m.author = x.author AND x.seq <= m.count_upto
         AND x.op_id {history} ({HISTORY_OPS}) AND x.op_id NOT IN ({CIRCLE_OPS})"
    )
}

/// The `announcements` and `facts` tables of a hash, rows selected by `counted`.
fn layer_tables(counted: &str) -> [(&'static str, String); 2] {
    [
        (
            "announcements",
            format!(
                "SELECT x.op_id, x.author, x.time, x.text FROM v_announcements x {counted}
                 WHERE x.network_id = ?1 AND m.role = 'organizer' ORDER BY x.op_id"
            ),
        ),
        (
            "facts",
            format!(
                "SELECT x.op_id, x.author, x.seq, x.time, x.kind, x.body FROM v_facts x {counted}
                 WHERE x.network_id = ?1 ORDER BY x.op_id"
            ),
        ),
    ]
}

/// The hash of the history layer this node reads: the announcements and other facts that
/// count, of ops sealed under history keys, framed as the state hash is.
pub(crate) fn history_hash(conn: &Connection, network: &NetworkId) -> Result<[u8; 32]> {
    let net = &network.0[..];
    let mut h = StateHasher::with_context(strike_core::state_hash::HISTORY_HASH_CONTEXT, network);
    for (name, sql) in layer_tables(&counted_in("IN")) {
        hash_table(conn, &mut h, name, &sql, net)?;
    }
    Ok(h.finish())
}

/// The hash of one circle as this node reads it: the circle's id, its members (current and
/// past, with the seq up to which their circle ops count) and the facts sealed in it that
/// count, framed as the state hash is.
pub(crate) fn circle_hash(conn: &Connection, network: &NetworkId, circle: &OpId) -> Result<[u8; 32]> {
    let net = &network.0[..];
    let c = hex::encode(circle.0);
    let mut h = StateHasher::with_context(strike_core::state_hash::CIRCLE_HASH_CONTEXT, network);
    let tables = [
        ("circle", format!("SELECT X'{c}' WHERE ?1 IS NOT NULL")),
        (
            "members",
            format!(
                "SELECT author, lead, current, count_upto FROM v_circle_members
                 WHERE network_id = ?1 AND circle = X'{c}' ORDER BY author"
            ),
        ),
        (
            "facts",
            format!(
                "SELECT x.op_id, x.author, x.seq, x.time, x.kind, x.body FROM v_facts x
                 JOIN v_members m ON m.network_id = x.network_id AND m.author = x.author AND x.seq <= m.count_upto
                 JOIN v_circle_members cm ON cm.network_id = x.network_id AND cm.circle = x.circle
                   AND cm.author = x.author AND x.seq <= cm.count_upto
                 WHERE x.network_id = ?1 AND x.circle = X'{c}' ORDER BY x.op_id"
            ),
        ),
    ];
    for (name, sql) in tables {
        hash_table(conn, &mut h, name, &sql, net)?;
    }
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
