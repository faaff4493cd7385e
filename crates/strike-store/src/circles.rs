//! Circles in the store: which circle an epoch's key belongs to, the keys a node learns from
//! circle key ops (its own share, then the earlier keys in each opened list), the membership
//! entries it can open, and each circle's resolved membership (`v_circle_members`), from which
//! circle facts count. All of it is a function of the ops and the keys held, refreshed at the
//! end of every batch and fold (`docs/protocol.md`, "Circles").

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use strike_core::circles::{self, Entry, EntryEvent, LeadEvent, Standing};
use strike_core::membership::{Role, Status};
use strike_core::{AuthorId, Body, CoarseTime, NetworkId, OpId, Reject, SealedOp};
use strike_crypto::SymmetricKey;

use crate::{Result, Store, blob32};

/// The circle whose key `epoch` is, if this node holds that key.
pub(crate) fn circle_of_epoch(tx: &Connection, network: &NetworkId, epoch: u32) -> Result<Option<OpId>> {
    let circle: Option<Vec<u8>> = tx
        .prepare_cached("SELECT circle FROM circle_epochs WHERE network_id = ?1 AND epoch = ?2")?
        .query_row(params![&network.0[..], i64::from(epoch)], |r| r.get(0))
        .optional()?;
    Ok(circle.map(blob32).transpose()?.map(OpId))
}

/// Where an op opened under `epoch` may stand: a circle-layer body must be sealed under a
/// key of the circle it names (contacts' notes and assessments written before circles, under
/// network keys, excepted); no other body may be sealed under a circle key. Returns the circle.
pub(crate) fn check_scope(
    tx: &Connection,
    network: &NetworkId,
    epoch: u32,
    body: &Body,
) -> Result<std::result::Result<Option<OpId>, Reject>> {
    let sealed_in = circle_of_epoch(tx, network, epoch)?;
    Ok(match (body.circle(network), sealed_in) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(Reject::NoRightToWrite("only circle bodies are sealed under a circle's key")),
        (Some(named), Some(sealed)) if named == sealed => Ok(Some(sealed)),
        (Some(_), Some(_)) => Err(Reject::NoRightToWrite("sealed in another circle than the one it names")),
        (Some(_), None) if matches!(body, Body::ContactNote(_) | Body::Assessment(_)) => Ok(None),
        (Some(_), None) => Err(Reject::NoRightToWrite("a circle body must be sealed under its circle's key")),
    })
}

/// Whether an op of `author` at `seq` sealed in `circle` counts there: they are in the circle
/// (or left it after `seq`), and within their network standing.
pub(crate) fn counts_in(
    tx: &Connection,
    network: &NetworkId,
    circle: &OpId,
    author: &AuthorId,
    seq: u64,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM v_circle_members WHERE network_id = ?1 AND circle = ?2 AND author = ?3 AND count_upto >= ?4",
        )?
        .exists(params![&network.0[..], &circle.0[..], &author.0[..], i64::try_from(seq).unwrap_or(i64::MAX)])?)
}

fn adopt(tx: &Connection, network: &NetworkId, circle: &OpId, epoch: u32, key: &[u8; 32]) -> Result<bool> {
    let net = &network.0[..];
    let added = tx
        .prepare_cached("INSERT OR IGNORE INTO epoch_keys (network_id, epoch, key) VALUES (?1, ?2, ?3)")?
        .execute(params![net, i64::from(epoch), &key[..]])?;
    tx.prepare_cached("INSERT OR IGNORE INTO circle_epochs (network_id, epoch, circle) VALUES (?1, ?2, ?3)")?
        .execute(params![net, i64::from(epoch), &circle.0[..]])?;
    Ok(added > 0)
}

fn held_key(tx: &Connection, network: &NetworkId, epoch: i64) -> Result<Option<SymmetricKey>> {
    let key: Option<Vec<u8>> = tx
        .prepare_cached("SELECT key FROM epoch_keys WHERE network_id = ?1 AND epoch = ?2")?
        .query_row(params![&network.0[..], epoch], |r| r.get(0))
        .optional()?;
    Ok(key.map(blob32).transpose()?.map(SymmetricKey::from_bytes))
}

fn circle_key_body(bytes: &[u8]) -> Option<strike_core::body::CircleKey> {
    match Body::decode(bytes) {
        Ok(Body::CircleKey(k)) => Some(k),
        _ => None,
    }
}

/// Notes a circle key op as it is applied, for [`refresh`]: its shares are tried, and its
/// list opened, only once its author counts in the circle, so a member outside a circle cannot
/// hand this node a key of their own making for it. Where the author already counts (as the
/// circle was last resolved), the share is tried at once, so the ops after it in the same
/// batch open without a fold; returns whether that gave this node a new key.
pub(crate) fn take_key(
    tx: &Connection,
    network: &NetworkId,
    op: &SealedOp,
    k: &strike_core::body::CircleKey,
    me: Option<&crate::views::Me>,
) -> Result<bool> {
    let env = op.envelope();
    let seq = i64::try_from(env.seq).unwrap_or(i64::MAX);
    let counted = counts_in(tx, network, &k.circle, &env.author, env.seq)?;
    let mut learned = false;
    let tried = match me {
        Some(me) if counted => {
            if held_key(tx, network, i64::from(k.epoch))?.is_none()
                && let Some(key) = circles::open_share(network, k, &me.agreement)
            {
                learned = adopt(tx, network, &k.circle, k.epoch, key.expose())?;
            }
            true
        }
        _ => false,
    };
    tx.prepare_cached(
        "INSERT OR IGNORE INTO v_circle_lists (network_id, op_id, circle, epoch, author, seq, tried)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        &network.0[..],
        &op.id().0[..],
        &k.circle.0[..],
        i64::from(k.epoch),
        &env.author.0[..],
        seq,
        tried
    ])?;
    Ok(learned)
}

/// A circle key op still to look at: (op id, shares tried, body).
type PendingKey = (Vec<u8>, bool, Vec<u8>);

fn pending_keys(tx: &Connection, network: &NetworkId) -> Result<Vec<PendingKey>> {
    let rows = tx
        .prepare_cached(
            "SELECT l.op_id, l.tried, f.body FROM v_circle_lists l
             JOIN v_facts f ON f.network_id = l.network_id AND f.op_id = l.op_id
             JOIN v_circle_members c ON c.network_id = l.network_id AND c.circle = l.circle AND c.author = l.author
               AND l.seq <= c.count_upto
             WHERE l.network_id = ?1 AND l.members IS NULL
               AND (l.tried = 0 OR EXISTS (SELECT 1 FROM epoch_keys k WHERE k.network_id = l.network_id
                    AND k.epoch = l.epoch))",
        )?
        .query_map([&network.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Learns what the circle ops held give this node (its shares of keys written by counted
/// members of their circles, the earlier keys in the lists it can open, the entries it can
/// open) and resolves every circle's membership, after the network's, until nothing new is
/// learned. Returns the epochs whose keys it just learned.
pub(crate) fn refresh(tx: &Connection, network: &NetworkId) -> Result<Vec<u32>> {
    let net = &network.0[..];
    let me = crate::views::me(tx, network)?;
    let mut learned = Vec::new();
    loop {
        resolve(tx, network)?;
        let mut changed = false;
        for (op, tried, body) in pending_keys(tx, network)? {
            let Some(k) = circle_key_body(&body) else { continue };
            if !tried {
                let Some(me) = &me else { continue };
                if held_key(tx, network, i64::from(k.epoch))?.is_none()
                    && let Some(key) = circles::open_share(network, &k, &me.agreement)
                    && adopt(tx, network, &k.circle, k.epoch, key.expose())?
                {
                    learned.push(k.epoch);
                    changed = true;
                }
                tx.prepare_cached("UPDATE v_circle_lists SET tried = 1 WHERE network_id = ?1 AND op_id = ?2")?
                    .execute(params![net, op])?;
            }
            let Some(key) = held_key(tx, network, i64::from(k.epoch))? else { continue };
            // The key came from a share or another list; either way it is this circle's.
            adopt(tx, network, &k.circle, k.epoch, key.expose())?;
            let list = circles::open_list(network, &k, &key).unwrap_or_default();
            for (e, back) in &list.back {
                if adopt(tx, network, &k.circle, *e, back)? {
                    learned.push(*e);
                }
            }
            let members: Vec<u8> = list.members.iter().flat_map(|m| m.0).collect();
            tx.prepare_cached("UPDATE v_circle_lists SET members = ?3 WHERE network_id = ?1 AND op_id = ?2")?
                .execute(params![net, op, members])?;
            changed = true;
        }
        changed |= open_entries(tx, network)?;
        if !changed {
            return Ok(learned);
        }
    }
}

/// Opens the entries sealed to an epoch of their circle whose key is held. Returns whether
/// any opened.
fn open_entries(tx: &Connection, network: &NetworkId) -> Result<bool> {
    let net = &network.0[..];
    // (op id, writer, time, body, key)
    type Sealed = (Vec<u8>, Vec<u8>, i64, Vec<u8>, Vec<u8>);
    let entries: Vec<Sealed> = tx
        .prepare_cached(
            "SELECT f.op_id, f.author, f.time, f.body, k.key FROM v_facts f
             JOIN circle_epochs c ON c.network_id = f.network_id AND c.epoch = f.n AND c.circle = f.ref
             JOIN epoch_keys k ON k.network_id = f.network_id AND k.epoch = f.n
             WHERE f.network_id = ?1 AND f.kind = 'circle_member'
               AND NOT EXISTS (SELECT 1 FROM v_circle_entries e WHERE e.network_id = f.network_id AND e.op_id = f.op_id)",
        )?
        .query_map([net], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut opened = false;
    for (op, writer, time, body, key) in entries {
        let Ok(Body::CircleMember(m)) = Body::decode(&body) else { continue };
        let key = SymmetricKey::from_bytes(blob32(key)?);
        let Some(entry) = Entry::open(network, &m, &key) else { continue };
        tx.prepare_cached(
            "INSERT INTO v_circle_entries (network_id, op_id, circle, writer, time, member, added, last_seen_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            net,
            op,
            &m.circle.0[..],
            writer,
            time,
            &entry.member.0[..],
            entry.added,
            i64::try_from(entry.last_seen_seq).unwrap_or(i64::MAX)
        ])?;
        opened = true;
    }
    Ok(opened)
}

/// A person as circles need them: their network standing.
struct Person {
    status: Status,
    role: Role,
    count_upto: u64,
}

fn people(tx: &Connection, network: &NetworkId) -> Result<BTreeMap<AuthorId, Person>> {
    let mut out = BTreeMap::new();
    let mut stmt = tx.prepare_cached("SELECT author, status, role, count_upto FROM v_members WHERE network_id = ?1")?;
    let mut rows = stmt.query([&network.0[..]])?;
    while let Some(r) = rows.next()? {
        let status = match r.get::<_, String>(1)?.as_str() {
            "member" => Status::Member,
            "pending" => Status::Pending,
            _ => Status::Removed,
        };
        let role = if r.get::<_, String>(2)? == "organizer" { Role::Organizer } else { Role::Member };
        out.insert(
            AuthorId(blob32(r.get(0)?)?),
            Person { status, role, count_upto: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0) },
        );
    }
    Ok(out)
}

/// Writes `v_circle_members` for every circle: the organizers' circle holds the organizers;
/// custom circles are resolved by [`circles::resolve`] from their counted creation, lead
/// appointments by counted organizers and the entries this node opened.
fn resolve(tx: &Connection, network: &NetworkId) -> Result<()> {
    let net = &network.0[..];
    let people = people(tx, network)?;
    tx.execute("DELETE FROM v_circle_members WHERE network_id = ?1", [net])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO v_circle_members (network_id, circle, author, lead, current, count_upto)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let organizers = circles::organizers_circle(network);
    for (author, p) in &people {
        if p.role == Role::Organizer && p.count_upto > 0 {
            let current = p.status == Status::Member;
            insert.execute(params![
                net,
                &organizers.0[..],
                &author.0[..],
                current,
                current,
                i64::try_from(p.count_upto).unwrap_or(i64::MAX)
            ])?;
        }
    }
    let counted = |author: &AuthorId, seq: u64| people.get(author).is_some_and(|p| seq <= p.count_upto);
    let is_organizer =
        |a: &AuthorId| people.get(a).is_some_and(|p| p.role == Role::Organizer && p.status == Status::Member);
    let is_member = |a: &AuthorId| people.get(a).is_some_and(|p| p.status == Status::Member);
    for (circle, creator) in created_circles(tx, network)? {
        if people.get(&creator).is_none_or(|p| p.role != Role::Organizer) {
            continue;
        }
        let mut leads = Vec::new();
        let mut stmt = tx.prepare_cached(
            "SELECT op_id, author, seq, time, body FROM v_facts WHERE network_id = ?1 AND kind = 'circle_lead' AND ref = ?2",
        )?;
        let mut rows = stmt.query(params![net, &circle.0[..]])?;
        while let Some(r) = rows.next()? {
            let author = AuthorId(blob32(r.get(1)?)?);
            let seq = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
            let Ok(Body::CircleLead(l)) = Body::decode(&r.get::<_, Vec<u8>>(4)?) else { continue };
            if counted(&author, seq) && people.get(&author).is_some_and(|p| p.role == Role::Organizer) {
                leads.push(LeadEvent {
                    time: CoarseTime(u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0)),
                    op: OpId(blob32(r.get(0)?)?),
                    writer: author,
                    seq,
                    member: l.member,
                    lead: l.lead,
                });
            }
        }
        let mut entries = Vec::new();
        let mut stmt = tx.prepare_cached(
            "SELECT e.op_id, e.writer, f.seq, e.time, e.member, e.added, e.last_seen_seq FROM v_circle_entries e
             JOIN v_facts f ON f.network_id = e.network_id AND f.op_id = e.op_id
             WHERE e.network_id = ?1 AND e.circle = ?2",
        )?;
        let mut rows = stmt.query(params![net, &circle.0[..]])?;
        while let Some(r) = rows.next()? {
            let writer = AuthorId(blob32(r.get(1)?)?);
            let seq = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
            if !counted(&writer, seq) {
                continue;
            }
            entries.push(EntryEvent {
                time: CoarseTime(u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0)),
                op: OpId(blob32(r.get(0)?)?),
                writer,
                seq,
                entry: Entry {
                    member: AuthorId(blob32(r.get(4)?)?),
                    added: r.get(5)?,
                    last_seen_seq: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
                },
            });
        }
        for (author, Standing { current, lead, count_upto }) in
            circles::resolve(creator, &leads, &entries, is_organizer, is_member)
        {
            // Circle ops count within the network standing too.
            let upto = count_upto.min(people.get(&author).map_or(0, |p| p.count_upto));
            insert.execute(params![
                net,
                &circle.0[..],
                &author.0[..],
                lead,
                current,
                i64::try_from(upto).unwrap_or(i64::MAX)
            ])?;
        }
    }
    Ok(())
}

/// Custom circles whose creation counts (its author within their standing), with creators.
fn created_circles(tx: &Connection, network: &NetworkId) -> Result<Vec<(OpId, AuthorId)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT f.op_id, f.author FROM v_facts f
         JOIN v_members m ON m.network_id = f.network_id AND m.author = f.author AND f.seq <= m.count_upto
         WHERE f.network_id = ?1 AND f.kind = 'circle' ORDER BY f.time, f.author, f.seq, f.op_id",
    )?;
    let rows = stmt.query_map([&network.0[..]], |r| Ok((OpId(blob32(r.get(0)?)?), AuthorId(blob32(r.get(1)?)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One person in a circle, as this node resolved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircleMemberRow {
    pub author: AuthorId,
    pub lead: bool,
    pub current: bool,
}

/// A circle key op of a circle, as far as this node can read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircleKeyRow {
    pub op_id: OpId,
    pub author: AuthorId,
    pub epoch: u32,
    pub time: CoarseTime,
    pub shares: usize,
    pub entry_key: [u8; 32],
    /// Who it was sealed to, if this node holds the key.
    pub members: Option<Vec<AuthorId>>,
}

impl Store {
    /// Who is in a circle as this node resolved it (the leads of a circle it is not in; every
    /// member of one it is in), by author.
    pub fn circle_members(&self, network: &NetworkId, circle: &OpId) -> Result<Vec<CircleMemberRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT author, lead, current FROM v_circle_members WHERE network_id = ?1 AND circle = ?2 ORDER BY author",
        )?;
        let rows = stmt.query_map(params![&network.0[..], &circle.0[..]], |r| {
            Ok(CircleMemberRow { author: AuthorId(blob32(r.get(0)?)?), lead: r.get(1)?, current: r.get(2)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every time someone was put into a circle, as (member, writer, writer's seq): the
    /// entries this node opened that add them, and the organizers' lead appointments. With the
    /// creator, whether someone was in the circle at a causal cut (a proposal's snapshot).
    pub fn circle_additions(&self, network: &NetworkId, circle: &OpId) -> Result<Vec<(AuthorId, AuthorId, u64)>> {
        let net = &network.0[..];
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.member, e.writer, f.seq FROM v_circle_entries e
             JOIN v_facts f ON f.network_id = e.network_id AND f.op_id = e.op_id
             WHERE e.network_id = ?1 AND e.circle = ?2 AND e.added = 1",
        )?;
        let mut rows = stmt.query(params![net, &circle.0[..]])?;
        while let Some(r) = rows.next()? {
            let seq = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
            out.push((AuthorId(blob32(r.get(0)?)?), AuthorId(blob32(r.get(1)?)?), seq));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT author, seq, body FROM v_facts WHERE network_id = ?1 AND kind = 'circle_lead' AND ref = ?2",
        )?;
        let mut rows = stmt.query(params![net, &circle.0[..]])?;
        while let Some(r) = rows.next()? {
            if let Ok(Body::CircleLead(l)) = Body::decode(&r.get::<_, Vec<u8>>(2)?)
                && l.lead
            {
                let seq = u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0);
                out.push((l.member, AuthorId(blob32(r.get(0)?)?), seq));
            }
        }
        Ok(out)
    }

    /// Every key op of a circle, oldest first (by claimed time, then log order).
    pub fn circle_keys(&self, network: &NetworkId, circle: &OpId) -> Result<Vec<CircleKeyRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.op_id, f.author, f.time, f.body, l.members FROM v_facts f
             JOIN v_members m ON m.network_id = f.network_id AND m.author = f.author AND f.seq <= m.count_upto
             LEFT JOIN v_circle_lists l ON l.network_id = f.network_id AND l.op_id = f.op_id
             WHERE f.network_id = ?1 AND f.kind = 'circle_key' AND f.ref = ?2 ORDER BY f.time, f.rowid",
        )?;
        let mut rows = stmt.query(params![&network.0[..], &circle.0[..]])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let Some(k) = circle_key_body(&r.get::<_, Vec<u8>>(3)?) else { continue };
            let members: Option<Vec<u8>> = r.get(4)?;
            out.push(CircleKeyRow {
                op_id: OpId(blob32(r.get(0)?)?),
                author: AuthorId(blob32(r.get(1)?)?),
                epoch: k.epoch,
                time: CoarseTime(u32::try_from(r.get::<_, i64>(2)?).unwrap_or(0)),
                shares: k.shares.len(),
                entry_key: k.entry_key,
                members: members
                    .map(|m| m.chunks_exact(32).map(|c| AuthorId(c.try_into().expect("32-byte chunks"))).collect()),
            });
        }
        Ok(out)
    }

    /// The newest key of a circle written by one of its counted members that this node holds:
    /// what it writes into the circle under.
    pub fn circle_write_key(&self, network: &NetworkId, circle: &OpId) -> Result<Option<(u32, SymmetricKey)>> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT k.epoch, k.key FROM v_facts f
                 JOIN v_circle_members c ON c.network_id = f.network_id AND c.circle = f.ref AND c.author = f.author
                   AND f.seq <= c.count_upto
                 JOIN epoch_keys k ON k.network_id = f.network_id AND k.epoch = f.n
                 WHERE f.network_id = ?1 AND f.kind = 'circle_key' AND f.ref = ?2
                 ORDER BY f.time DESC, f.rowid DESC LIMIT 1",
            )?
            .query_row(params![&network.0[..], &circle.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(epoch, key)| Ok((u32::try_from(epoch).unwrap_or(0), SymmetricKey::from_bytes(blob32(key)?))))
            .transpose()
    }

    /// Every key of a circle this node holds, by epoch.
    pub fn circle_held_keys(&self, network: &NetworkId, circle: &OpId) -> Result<Vec<(u32, [u8; 32])>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT k.epoch, k.key FROM circle_epochs c JOIN epoch_keys k ON k.network_id = c.network_id AND k.epoch = c.epoch
             WHERE c.network_id = ?1 AND c.circle = ?2 ORDER BY k.epoch",
        )?;
        let rows = stmt.query_map(params![&network.0[..], &circle.0[..]], |r| {
            Ok((u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0), blob32(r.get(1)?)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The state hash of one circle this node reads: its members and the facts sealed in it
    /// that count, framed as the network's state hash is (`docs/protocol.md`, "Circles").
    pub fn circle_hash(&self, network: &NetworkId, circle: &OpId) -> Result<[u8; 32]> {
        crate::views::circle_hash(&self.conn, network, circle)
    }

    /// An op this node holds, decrypted if it can: for tests and audits of who reads what.
    pub fn op_bytes(&self, network: &NetworkId) -> Result<Vec<(u32, SealedOp)>> {
        let mut stmt = self.conn.prepare("SELECT epoch, bytes FROM ops WHERE network_id = ?1 ORDER BY rowid")?;
        let mut rows = stmt.query([&network.0[..]])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            if let Ok(op) = SealedOp::from_verified_store(r.get(1)?) {
                out.push((u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0), op));
            }
        }
        Ok(out)
    }
}
