//! Secret pledges and ballots in the store (`docs/protocol.md`, "Secret pledges and ballots"):
//! a secret op's credentials are checked at ingest against the keys it names, which must be
//! among its dependencies (so every node holds them when it checks, whatever order ops came
//! in); the facts of a secret scope are read without the membership join, their one-time
//! authors being nobody's members; and what only this node knows: the issuer keys its
//! organizer holds and its own links to one-time authors.

use rusqlite::{Connection, OptionalExtension, params};
use strike_core::secret::{self, CredentialKey};
use strike_core::{AuthorId, Body, Kind, NetworkId, OpId, Reject, SealedOp};
use zeroize::Zeroizing;

use crate::facts::FactRow;
use crate::{Result, Store, blob32};

/// Checks a secret op's credentials: `Ok(Err(reject))` refuses it.
pub(crate) fn check(tx: &Connection, network: &NetworkId, op: &SealedOp, body: &Body) -> Result<Result<(), Reject>> {
    let Some((scope, keys, proofs)) = secret::secret_parts(body) else { return Ok(Ok(())) };
    let predecessors: Vec<OpId> = op.predecessors().collect();
    if !predecessors.contains(scope) || keys.iter().any(|k| !predecessors.contains(k)) {
        return Ok(Err(Reject::BadCredential("it names its call or proposal and its keys among its dependencies")));
    }
    let mut read = tx.prepare_cached("SELECT author, body FROM v_facts WHERE network_id = ?1 AND op_id = ?2")?;
    let mut fact = |id: &OpId| -> Result<Option<(AuthorId, Body)>> {
        let row: Option<(Vec<u8>, Vec<u8>)> =
            read.query_row(params![&network.0[..], &id.0[..]], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        Ok(match row {
            Some((author, bytes)) => {
                Body::decode(&bytes).ok().map(|b| (AuthorId(blob32(author).unwrap_or([0; 32])), b))
            }
            None => None,
        })
    };
    let secrecy = match (fact(scope)?.map(|(_, b)| b), body) {
        (Some(Body::Call(c)), Body::SecretPledge(_)) => c.secret,
        (Some(Body::Proposal(p)), Body::SecretBallot(_)) => p.secret,
        _ => None,
    };
    let Some(secrecy) = secrecy else {
        return Ok(Err(Reject::BadCredential("its call or proposal is not a secret one (or another kind)")));
    };
    let mut named: Vec<(AuthorId, CredentialKey)> = Vec::with_capacity(keys.len());
    for k in keys {
        match fact(k)? {
            Some((author, Body::CredentialKey(key))) => named.push((author, key)),
            _ => return Ok(Err(Reject::BadCredential("a key that is not an issuer key"))),
        }
    }
    let author = op.envelope().author;
    Ok(secret::check_credentials(network, &author, scope, &secrecy.issuers, &named, proofs).map(|_| ()))
}

/// An issuer key this node's organizer holds: its group, the secret key (PKCS#8 DER) and the
/// op that published it.
pub type IssuerKeyRow = (String, Zeroizing<Vec<u8>>, Option<OpId>);

/// A held-back op as a release session offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldOp {
    pub id: OpId,
    pub author: AuthorId,
    pub seq: u64,
    pub time: u64,
    pub bytes: Vec<u8>,
}

/// A secret link as stored: one-time seed, request, link, forgotten.
type LinkColumns = (Vec<u8>, Option<Vec<u8>>, Vec<u8>, bool);

/// Audits an issuer's answers that go beyond the eligible members' first requests, as far as
/// this node can tell when the op arrives: a request from someone who is not a member now, or a
/// member's second request. The op is kept (whether an answer counts is the credentials fold's,
/// the same on every node whatever order ops came in); this is the local audit record.
pub(crate) fn audit_issue(tx: &Connection, network: &NetworkId, body: &Body) -> Result<Option<Reject>> {
    let Body::CredentialIssue(issue) = body else { return Ok(None) };
    let mut request = tx.prepare_cached(
        "SELECT f.author, f.seq, m.status FROM v_facts f
         LEFT JOIN v_members m ON m.network_id = f.network_id AND m.author = f.author
         WHERE f.network_id = ?1 AND f.op_id = ?2 AND f.kind = 'credential_request'",
    )?;
    let mut earlier = tx.prepare_cached(
        "SELECT 1 FROM v_facts WHERE network_id = ?1 AND kind = 'credential_request' AND ref = ?2 AND author = ?3
           AND seq < ?4",
    )?;
    for grant in &issue.grants {
        let row: Option<(Vec<u8>, i64, Option<String>)> = request
            .query_row(params![&network.0[..], &grant.request.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((author, seq, status)) = row else { continue };
        let second = earlier.exists(params![&network.0[..], &issue.scope.0[..], author, seq])?;
        if second || status.as_deref() != Some("member") {
            return Ok(Some(Reject::BadCredential("a credential issued beyond the eligible members' first requests")));
        }
    }
    Ok(None)
}

/// This node's link to its one-time author on a secret call or proposal.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretLinkRow {
    /// The one-time signing seed (empty once forgotten).
    pub one_time: Zeroizing<Vec<u8>>,
    pub request: Option<OpId>,
    /// The node's own encoding of the blindings and credentials.
    pub link: Zeroizing<Vec<u8>>,
    pub forgotten: bool,
}

impl std::fmt::Debug for SecretLinkRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretLinkRow").field("request", &self.request).field("forgotten", &self.forgotten).finish()
    }
}

impl Store {
    /// The facts of a secret scope's one-time authors (`secret_pledge` or `secret_ballot`),
    /// whoever wrote them: each was checked at ingest; the fold decides what counts.
    pub fn secret_facts(&self, network: &NetworkId, kind: Kind, scope: &OpId) -> Result<Vec<FactRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT op_id, author, seq, time, body FROM v_facts WHERE network_id = ?1 AND kind = ?2 AND ref = ?3
             ORDER BY time, author, seq",
        )?;
        let mut rows = stmt.query(params![&network.0[..], kind.as_str(), &scope.0[..]])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let Ok(body) = Body::decode(&r.get::<_, Vec<u8>>(4)?) else { continue };
            out.push(FactRow {
                op_id: OpId(blob32(r.get(0)?)?),
                author: AuthorId(blob32(r.get(1)?)?),
                seq: r.get::<_, i64>(2)? as u64,
                time: strike_core::CoarseTime(u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0)),
                body,
                by_organizer: false,
            });
        }
        Ok(out)
    }

    /// Keeps an issuer key of this node's organizer for a group of a secret scope.
    pub fn put_issuer_key(&mut self, network: &NetworkId, scope: &OpId, group: &str, secret: &[u8]) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO issuer_keys (network_id, scope, grp, secret) VALUES (?1, ?2, ?3, ?4)",
            params![&network.0[..], &scope.0[..], group, secret],
        )?;
        Ok(())
    }

    /// Records the op that published an issuer key.
    pub fn set_issuer_key_op(&mut self, network: &NetworkId, scope: &OpId, group: &str, op: &OpId) -> Result<()> {
        self.conn.execute(
            "UPDATE issuer_keys SET key_op = ?4 WHERE network_id = ?1 AND scope = ?2 AND grp = ?3",
            params![&network.0[..], &scope.0[..], group, &op.0[..]],
        )?;
        Ok(())
    }

    /// This node's issuer keys for a secret scope: (group, secret key, its published op).
    pub fn issuer_keys(&self, network: &NetworkId, scope: &OpId) -> Result<Vec<IssuerKeyRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT grp, secret, key_op FROM issuer_keys WHERE network_id = ?1 AND scope = ?2 ORDER BY grp",
        )?;
        let mut rows = stmt.query(params![&network.0[..], &scope.0[..]])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let op: Option<Vec<u8>> = r.get(2)?;
            out.push((r.get(0)?, Zeroizing::new(r.get(1)?), op.map(blob32).transpose()?.map(OpId)));
        }
        Ok(out)
    }

    /// This node's link on a secret scope, if it made one.
    pub fn secret_link(&self, network: &NetworkId, scope: &OpId) -> Result<Option<SecretLinkRow>> {
        let row: Option<LinkColumns> = self
            .conn
            .prepare_cached(
                "SELECT one_time, request, link, forgotten FROM secret_links WHERE network_id = ?1 AND scope = ?2",
            )?
            .query_row(params![&network.0[..], &scope.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        row.map(|(one_time, request, link, forgotten)| {
            Ok(SecretLinkRow {
                one_time: Zeroizing::new(one_time),
                request: request.map(blob32).transpose()?.map(OpId),
                link: Zeroizing::new(link),
                forgotten,
            })
        })
        .transpose()
    }

    /// Writes this node's link on a secret scope.
    pub fn put_secret_link(&mut self, network: &NetworkId, scope: &OpId, row: &SecretLinkRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO secret_links (network_id, scope, one_time, request, link, forgotten) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (network_id, scope) DO UPDATE SET one_time = excluded.one_time, request = excluded.request,
               link = excluded.link, forgotten = excluded.forgotten",
            params![
                &network.0[..],
                &scope.0[..],
                &row.one_time[..],
                row.request.map(|r| r.0.to_vec()),
                &row.link[..],
                row.forgotten
            ],
        )?;
        Ok(())
    }

    /// Holds one of this node's secret ops back from every sync session, bundle and
    /// dependency list until `release_at` (unix seconds). Written before the op is taken in,
    /// so that no session can see it in between.
    pub fn hold_back(&mut self, network: &NetworkId, op: &OpId, release_at: u64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO held_back (network_id, op_id, release_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (network_id, op_id) DO UPDATE SET release_at = excluded.release_at",
            params![&network.0[..], &op.0[..], i64::try_from(release_at).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// This node's held-back ops: network, op, when due (unix seconds), and whether a peer or
    /// hub already has it (then only the quiet time is left).
    pub fn held_back(&self) -> Result<Vec<(NetworkId, OpId, u64, bool)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT network_id, op_id, release_at, relayed FROM held_back ORDER BY release_at")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let at = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
            out.push((NetworkId(blob32(r.get(0)?)?), OpId(blob32(r.get(1)?)?), at, r.get(3)?));
        }
        Ok(out)
    }

    /// Marks held-back ops as handed to a peer or hub: this node's own sessions carry them
    /// from `quiet_until` (unix seconds).
    pub fn mark_relayed(&mut self, network: &NetworkId, ops: &[OpId], quiet_until: u64) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE held_back SET relayed = 1, release_at = ?3 WHERE network_id = ?1 AND op_id = ?2")?;
        for op in ops {
            stmt.execute(params![&network.0[..], &op.0[..], i64::try_from(quiet_until).unwrap_or(i64::MAX)])?;
        }
        Ok(())
    }

    /// Held-back ops as a release session shows them: id, author, seq, time, bytes.
    pub fn held_ops(&self, network: &NetworkId, ops: &[OpId]) -> Result<Vec<HeldOp>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT author, seq, time, bytes FROM ops WHERE network_id = ?1 AND op_id = ?2")?;
        let mut out = Vec::new();
        for op in ops {
            let row = stmt
                .query_row(params![&network.0[..], &op.0[..]], |r| {
                    Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, Vec<u8>>(3)?))
                })
                .optional()?;
            if let Some((author, seq, time, bytes)) = row {
                out.push(HeldOp {
                    id: *op,
                    author: AuthorId(blob32(author)?),
                    seq: seq as u64,
                    time: time as u64,
                    bytes,
                });
            }
        }
        Ok(out)
    }

    /// Releases held-back ops: from now on sessions and bundles carry them.
    pub fn release_held(&mut self, network: &NetworkId, ops: &[OpId]) -> Result<()> {
        let mut stmt = self.conn.prepare_cached("DELETE FROM held_back WHERE network_id = ?1 AND op_id = ?2")?;
        for op in ops {
            stmt.execute(params![&network.0[..], &op.0[..]])?;
        }
        Ok(())
    }

    /// Forgets the link on a secret scope: the one-time key and credentials are overwritten
    /// (with `secure_delete` on, so the freed space is zeroed, and the write-ahead log is
    /// checkpointed and truncated, so no older copy stays in it); only that it was forgotten
    /// stays.
    pub fn forget_secret_link(&mut self, network: &NetworkId, scope: &OpId) -> Result<bool> {
        self.conn.pragma_update(None, "secure_delete", true)?;
        let n = self.conn.execute(
            "UPDATE secret_links SET one_time = x'', link = x'', forgotten = 1 WHERE network_id = ?1 AND scope = ?2",
            params![&network.0[..], &scope.0[..]],
        )?;
        self.conn.pragma_update(None, "secure_delete", false)?;
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(n > 0)
    }
}
