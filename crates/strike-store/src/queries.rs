//! Read-only queries used by the node's commands.

use rusqlite::{OptionalExtension, params};
use strike_core::membership::Status;
use strike_core::{AuthorId, CoarseTime, NetworkId, NetworkKind, OpId, Role};

use crate::{Result, Store, StoreError, blob32};

/// Whether this node can read a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkStatus {
    /// Genesis is applied: the node holds keys and folded state.
    Open,
    /// The node holds verified ciphertext but no key to read it.
    Sealed,
}

/// A network as listed.
#[derive(Debug, Clone)]
pub struct NetworkRow {
    pub id: NetworkId,
    pub status: NetworkStatus,
    /// From genesis; `None` while sealed.
    pub name: Option<String>,
    pub kind: Option<NetworkKind>,
    pub founder: Option<AuthorId>,
    pub vouches_required: Option<u8>,
    pub created: Option<CoarseTime>,
    pub n_members: u64,
    pub n_ops: u64,
    pub n_sealed_ops: u64,
    pub n_pending: u64,
    /// This node's author key in the network, if it has one.
    pub my_author: Option<AuthorId>,
    /// Whether this node may sign in the network now (see [`Store::writes_ready`]).
    pub writes_ready: bool,
    /// This node's key forked: every node flags it, from this seq on.
    pub my_fork_from: Option<u64>,
    /// What new members read of what came before them.
    pub history: strike_core::body::HistoryMode,
}

/// A member, pending joiner or removed member as listed.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub author: AuthorId,
    pub status: Status,
    pub role: Role,
    pub agreement: [u8; 32],
    pub pseudonym: String,
    /// The name to show: the pseudonym (or the start of the id where there is none). The node
    /// adds a piece of the key where two people's names look alike.
    pub name: String,
    pub since: CoarseTime,
    /// Admitted members whose vouches for them count.
    pub vouchers: Vec<AuthorId>,
    /// Their ops up to this seq count.
    pub count_upto: u64,
    /// The old key this one goes on for (a rejoin), if it is one.
    pub replaces: Option<AuthorId>,
}

/// An announcement as listed.
#[derive(Debug, Clone)]
pub struct AnnouncementRow {
    pub op_id: OpId,
    pub author: AuthorId,
    pub time: CoarseTime,
    pub text: String,
}

/// One audit record.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub at_unix: u64,
    pub network: Option<NetworkId>,
    pub op_id: OpId,
    pub author: Option<AuthorId>,
    pub reason: String,
    pub detail: String,
}

impl Store {
    /// Every network this node holds, open ones by name first.
    pub fn networks(&self) -> Result<Vec<NetworkRow>> {
        let ids: Vec<Vec<u8>> = {
            let mut stmt = self.conn.prepare("SELECT network_id FROM networks ORDER BY added_at, rowid")?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.network(&NetworkId(blob32(id)?))?);
        }
        Ok(out)
    }

    /// `Err(UnknownNetwork)` unless this node holds the network: every read or write about one
    /// network starts here, so an unknown id is "not found", never an empty answer.
    pub(crate) fn require_network(conn: &rusqlite::Connection, id: &NetworkId) -> Result<()> {
        match conn.prepare_cached("SELECT 1 FROM networks WHERE network_id = ?1")?.exists([&id.0[..]])? {
            true => Ok(()),
            false => Err(StoreError::UnknownNetwork),
        }
    }

    /// One network.
    pub fn network(&self, id: &NetworkId) -> Result<NetworkRow> {
        let net = &id.0[..];
        Store::require_network(&self.conn, id)?;
        let genesis: Option<(String, String, Vec<u8>, i64, i64)> = self
            .conn
            .query_row(
                "SELECT name, kind, founder, vouches_required, created FROM v_network WHERE network_id = ?1",
                [net],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let count = |sql: &str| -> Result<u64> { Ok(self.conn.query_row(sql, [net], |r| r.get::<_, i64>(0))? as u64) };
        let my_author =
            self.my_author(id)?.map(|(seed, _)| AuthorId(strike_crypto::SigningSecret::from_seed(&seed).public().0));
        let my_fork_from = match my_author {
            Some(me) => self.equivocator_from(id, &me)?,
            None => None,
        };
        let (name, kind, founder, vouches, created) = match genesis {
            Some((name, kind, founder, vouches, created)) => (
                Some(name),
                NetworkKind::parse(&kind),
                Some(AuthorId(blob32(founder)?)),
                u8::try_from(vouches).ok(),
                u32::try_from(created).ok().map(CoarseTime),
            ),
            None => (None, None, None, None, None),
        };
        Ok(NetworkRow {
            id: *id,
            status: if name.is_some() { NetworkStatus::Open } else { NetworkStatus::Sealed },
            name,
            kind,
            founder,
            vouches_required: vouches,
            created,
            n_members: count("SELECT count(*) FROM v_members WHERE network_id = ?1 AND status = 'member'")?,
            n_ops: count("SELECT count(*) FROM ops WHERE network_id = ?1")?,
            n_sealed_ops: count("SELECT count(*) FROM ops WHERE network_id = ?1 AND applied = 0")?,
            n_pending: count("SELECT count(*) FROM pending WHERE network_id = ?1")?,
            my_author,
            writes_ready: self.writes_ready(id)?,
            my_fork_from,
            history: self.history_mode(id)?,
        })
    }

    /// The seq from which an author is flagged for equivocation, if they are.
    pub fn equivocator_from(&self, network: &NetworkId, author: &AuthorId) -> Result<Option<u64>> {
        let from: Option<i64> = self
            .conn
            .prepare_cached("SELECT from_seq FROM equivocators WHERE network_id = ?1 AND author = ?2")?
            .query_row(params![&network.0[..], &author.0[..]], |r| r.get(0))
            .optional()?;
        Ok(from.map(|f| f as u64))
    }

    /// Every rejoin held, counted or not: (new key, the old key it replaces).
    pub fn rejoins(&self, network: &NetworkId) -> Result<Vec<(AuthorId, AuthorId)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT author, ref FROM v_facts WHERE network_id = ?1 AND kind = 'rejoin' AND seq = 1")?;
        let rows =
            stmt.query_map([&network.0[..]], |r| Ok((AuthorId(blob32(r.get(0)?)?), AuthorId(blob32(r.get(1)?)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Everyone a network knows: members (organizers first), then pending joiners, then
    /// removed members, each by when they joined.
    pub fn members(&self, id: &NetworkId) -> Result<Vec<MemberRow>> {
        Store::require_network(&self.conn, id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT author, status, role, agreement, pseudonym, since, count_upto FROM v_members WHERE network_id = ?1
             ORDER BY CASE status WHEN 'member' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, role = 'member', since, author",
        )?;
        let rows = stmt.query_map([&id.0[..]], |r| {
            let author = AuthorId(blob32(r.get(0)?)?);
            let pseudonym: String = r.get(4)?;
            Ok(MemberRow {
                author,
                name: if pseudonym.is_empty() { author.short() } else { pseudonym.clone() },
                pseudonym,
                status: match r.get::<_, String>(1)?.as_str() {
                    "member" => Status::Member,
                    "pending" => Status::Pending,
                    _ => Status::Removed,
                },
                role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::Member),
                agreement: blob32(r.get(3)?)?,
                since: CoarseTime(u32::try_from(r.get::<_, i64>(5)?).unwrap_or(0)),
                vouchers: Vec::new(),
                count_upto: r.get::<_, i64>(6)? as u64,
                replaces: None,
            })
        })?;
        let mut members: Vec<MemberRow> = rows.collect::<rusqlite::Result<_>>()?;
        let mut vouch =
            self.conn.prepare_cached("SELECT voucher FROM v_vouches WHERE network_id = ?1 AND member = ?2")?;
        let rejoins: std::collections::HashMap<AuthorId, AuthorId> = self.rejoins(id)?.into_iter().collect();
        for m in &mut members {
            m.replaces = rejoins.get(&m.author).copied();
            m.vouchers = vouch
                .query_map(params![&id.0[..], &m.author.0[..]], |r| Ok(AuthorId(blob32(r.get(0)?)?)))?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(members)
    }

    /// The newest `limit` announcements, newest first.
    pub fn announcements(&self, id: &NetworkId, limit: u32) -> Result<Vec<AnnouncementRow>> {
        Store::require_network(&self.conn, id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.op_id, a.author, a.time, a.text FROM v_announcements a
             JOIN v_members m ON m.network_id = a.network_id AND m.author = a.author
             WHERE a.network_id = ?1 AND a.seq <= m.count_upto AND m.role = 'organizer'
             ORDER BY a.time DESC, a.op_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![&id.0[..], i64::from(limit)], |r| {
            Ok(AnnouncementRow {
                op_id: OpId(blob32(r.get(0)?)?),
                author: AuthorId(blob32(r.get(1)?)?),
                time: CoarseTime(u32::try_from(r.get::<_, i64>(2)?).unwrap_or(0)),
                text: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many heads (ops nothing held depends on) the network's log has.
    pub fn head_count(&self, network: &NetworkId) -> Result<usize> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM heads WHERE network_id = ?1
                   AND NOT EXISTS (SELECT 1 FROM held_back hb WHERE hb.network_id = ?1 AND hb.op_id = heads.op_id)",
            [&network.0[..]],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The newest `limit` audit records, newest first.
    pub fn audit(&self, limit: u32) -> Result<Vec<AuditRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, network_id, op_id, author, reason, detail FROM audit ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::from(limit)], |r| {
            Ok(AuditRow {
                at_unix: r.get::<_, i64>(0)? as u64,
                network: r.get::<_, Option<Vec<u8>>>(1)?.map(blob32).transpose()?.map(NetworkId),
                op_id: OpId(blob32(r.get(2)?)?),
                author: r.get::<_, Option<Vec<u8>>>(3)?.map(blob32).transpose()?.map(AuthorId),
                reason: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Number of audit records.
    pub fn audit_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM audit", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Whether the log holds this op.
    pub fn has_op(&self, id: &OpId) -> Result<bool> {
        Ok(self.conn.prepare_cached("SELECT 1 FROM ops WHERE op_id = ?1")?.exists([&id.0[..]])?)
    }

    /// Number of ops in the log across all networks.
    pub fn op_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM ops", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Calls `each` with every op of a network in log order (a topological order), then the
    /// network's equivocation evidence. Streams: nothing is collected in memory.
    pub fn for_each_op(
        &self,
        id: &NetworkId,
        mut each: impl FnMut(&[u8]) -> std::io::Result<()>,
    ) -> Result<Result<u64, std::io::Error>> {
        let mut n = 0u64;
        for sql in [
            "SELECT bytes FROM ops WHERE network_id = ?1 AND NOT EXISTS (SELECT 1 FROM held_back hb WHERE hb.network_id = ?1 AND hb.op_id = ops.op_id) ORDER BY rowid",
            "SELECT bytes FROM evidence WHERE network_id = ?1 ORDER BY op_id",
        ] {
            let mut stmt = self.conn.prepare(sql)?;
            let mut rows = stmt.query([&id.0[..]])?;
            while let Some(row) = rows.next()? {
                let bytes = row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
                if let Err(e) = each(bytes) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        }
        Ok(Ok(n))
    }
}
