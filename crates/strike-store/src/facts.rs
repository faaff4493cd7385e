//! Reads of the folded network state beyond the basics in `queries`: facts that count,
//! pledges, checkpoints, invite secrets and keys.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use strike_core::body::Writer;
use strike_core::calls::{Cut, PledgeEvent};
use strike_core::membership::{self, JOIN_EPOCH_BASE};
use strike_core::{AuthorId, Body, CoarseTime, IdPrefix, Kind, NetworkId, OpId};
use strike_crypto::SymmetricKey;

use crate::{Result, Store, blob32, ingest, local, views};

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

impl FactRow {
    /// Where the op falls in the order every node applies ops in ([`strike_core::op_order`]).
    pub fn order(&self) -> (CoarseTime, AuthorId, u64, OpId) {
        strike_core::op_order(self.time, self.author, self.seq, self.op_id)
    }
}

fn time(v: i64) -> CoarseTime {
    CoarseTime(u32::try_from(v).unwrap_or(0))
}

impl Store {
    /// Facts of one kind that count, oldest first (by time, then author and sequence, so that
    /// of one author's facts in the same minute the later one comes later, as pledges are
    /// replayed): their author's standing covers them and, for kinds organizers write
    /// ([`Kind::writer`]), the author is an organizer. `subject` narrows to facts about one
    /// id (a call, a contact, a member ...). The one place the write rules of every kind are
    /// enforced.
    pub fn facts(&self, network: &NetworkId, kind: Kind, subject: Option<&[u8; 32]>) -> Result<Vec<FactRow>> {
        let organizers_only = kind.writer() == Writer::Organizer;
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.op_id, f.author, f.seq, f.time, f.body, m.role = 'organizer' FROM v_facts f
             JOIN v_members m ON m.network_id = f.network_id AND m.author = f.author AND f.seq <= m.count_upto
             WHERE f.network_id = ?1 AND f.kind = ?2 AND (?3 IS NULL OR f.ref = ?3)
               AND (?4 = 0 OR m.role = 'organizer')
               AND (f.circle IS NULL OR EXISTS (SELECT 1 FROM v_circle_members c WHERE c.network_id = f.network_id
                    AND c.circle = f.circle AND c.author = f.author AND f.seq <= c.count_upto))
             ORDER BY f.time, f.author, f.seq",
        )?;
        let subject = subject.map(|s| s.to_vec());
        let mut rows = stmt.query(params![&network.0[..], kind.as_str(), subject, organizers_only])?;
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

    /// The time a fact held claims, whether or not it counts (`None` if not held or not
    /// decrypted).
    pub fn fact_time(&self, network: &NetworkId, op: &OpId) -> Result<Option<CoarseTime>> {
        let t: Option<i64> = self
            .conn
            .prepare_cached("SELECT time FROM v_facts WHERE network_id = ?1 AND op_id = ?2")?
            .query_row(params![&network.0[..], &op.0[..]], |r| r.get(0))
            .optional()?;
        Ok(t.map(time))
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

    /// Finds the op ids of facts whose id starts with `prefix`, for short ids on screen.
    pub fn fact_ids_with_prefix(&self, network: &NetworkId, kind: Kind, prefix: &IdPrefix) -> Result<Vec<OpId>> {
        let whole = prefix.whole_bytes();
        let mut stmt = self.conn.prepare_cached(
            "SELECT op_id FROM v_facts WHERE network_id = ?1 AND kind = ?2 AND substr(op_id, 1, ?3) = ?4",
        )?;
        let rows = stmt
            .query_map(params![&network.0[..], kind.as_str(), whole.len() as i64, whole], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for row in rows {
            let id = OpId(blob32(row?)?);
            if prefix.matches(&id.0) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Pledges and withdrawals to a call whose authors' standing covers them.
    pub fn pledge_events(&self, network: &NetworkId, call: &OpId) -> Result<Vec<PledgeEvent>> {
        self.pledge_events_with(network, call, &self.standing(network)?)
    }

    /// Each author's standing: their ops up to this seq count.
    pub fn standing(&self, network: &NetworkId) -> Result<HashMap<AuthorId, u64>> {
        let mut stmt = self.conn.prepare_cached("SELECT author, count_upto FROM v_members WHERE network_id = ?1")?;
        let rows =
            stmt.query_map([&network.0[..]], |r| Ok((AuthorId(blob32(r.get(0)?)?), r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// As [`Store::pledge_events`], with the standing read once for many calls.
    pub fn pledge_events_with(
        &self,
        network: &NetworkId,
        call: &OpId,
        standing: &HashMap<AuthorId, u64>,
    ) -> Result<Vec<PledgeEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT author, seq, time, pledged FROM v_pledges WHERE network_id = ?1 AND call = ?2")?;
        let mut rows = stmt.query(params![&network.0[..], &call.0[..]])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let author = AuthorId(blob32(r.get(0)?)?);
            let seq = r.get::<_, i64>(1)? as u64;
            if standing.get(&author).is_some_and(|upto| seq <= *upto) {
                out.push(PledgeEvent { author, seq, time: time(r.get(2)?), pledged: r.get(3)? });
            }
        }
        Ok(out)
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
        crate::devices::mark_ready(&tx, network, "joined", now_unix)?;
        tx.commit()?;
        Ok(())
    }

    /// Goes on in `network` under a new author key: replaces this node's author keys and
    /// applies the new key's first op (a rejoin, already sealed and signed by the new key) in
    /// one transaction. The new key is fresh, so the network is write-ready for it.
    pub fn begin_rejoin(
        &mut self,
        network: &NetworkId,
        author_seed: &[u8; 32],
        agreement_secret: &[u8; 32],
        rejoin: strike_core::SealedOp,
        now_unix: u64,
    ) -> Result<OpId> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE my_authors SET signing_seed = ?2, agreement_secret = ?3 WHERE network_id = ?1",
            params![&network.0[..], &author_seed[..], &agreement_secret[..]],
        )?;
        crate::devices::mark_ready(&tx, network, "recovered", now_unix)?;
        let id = ingest::ingest_local(&tx, network, rejoin, now_unix)?;
        tx.commit()?;
        Ok(id)
    }

    /// The epoch this node writes in and its key (see [`crate::AuthorInputs::write_key`]).
    pub fn write_key(&self, network: &NetworkId) -> Result<Option<(u32, SymmetricKey)>> {
        local::write_key(&self.conn, network)
    }

    /// The network's history setting.
    pub fn history_mode(&self, network: &NetworkId) -> Result<strike_core::body::HistoryMode> {
        local::history_mode(&self.conn, network)
    }

    /// The newest history key by a counted organizer that this node holds.
    pub fn history_key(&self, network: &NetworkId) -> Result<Option<(u32, SymmetricKey)>> {
        local::newest_key(&self.conn, network, "history_key")
    }

    /// Every network epoch key this node holds, by epoch: not join keys, not history keys
    /// (those reach a member only in the history-key ops sealed to them) and not circle keys
    /// (only in circle key ops, to the circle's members).
    pub fn network_keys(&self, network: &NetworkId) -> Result<Vec<(u32, SymmetricKey)>> {
        let mut stmt = self.conn.prepare(
            "SELECT epoch, key FROM epoch_keys WHERE network_id = ?1 AND epoch < ?2
               AND epoch NOT IN (SELECT n FROM v_facts WHERE network_id = ?1 AND kind = 'history_key')
               AND epoch NOT IN (SELECT epoch FROM circle_epochs WHERE network_id = ?1)
             ORDER BY epoch",
        )?;
        let rows = stmt.query_map(params![&network.0[..], i64::from(JOIN_EPOCH_BASE)], |r| {
            Ok((u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0), SymmetricKey::from_bytes(blob32(r.get(1)?)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every key this node holds for the network, by epoch: network, history and join keys.
    /// For audits and tests that must show what a node can and cannot open.
    pub fn all_epoch_keys(&self, network: &NetworkId) -> Result<Vec<(u32, SymmetricKey)>> {
        let mut stmt = self.conn.prepare("SELECT epoch, key FROM epoch_keys WHERE network_id = ?1 ORDER BY epoch")?;
        let rows = stmt.query_map([&network.0[..]], |r| {
            Ok((u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0), SymmetricKey::from_bytes(blob32(r.get(1)?)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For every member, the epochs whose key has been shared with them (by key shares or key
    /// updates held), read in one pass over those facts.
    pub fn shared_epochs(&self, network: &NetworkId) -> Result<HashMap<AuthorId, Vec<u32>>> {
        let mut out: HashMap<AuthorId, Vec<u32>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM v_facts WHERE network_id = ?1 AND kind IN ('key_share', 'key_update', 'history_key')",
        )?;
        let mut rows = stmt.query([&network.0[..]])?;
        while let Some(r) = rows.next()? {
            match Body::decode(&r.get::<_, Vec<u8>>(0)?) {
                Ok(Body::KeyShare(k)) => out.entry(k.member).or_default().extend(k.keys.iter().map(|k| k.epoch)),
                Ok(Body::KeyUpdate(k) | Body::HistoryKey(k)) => {
                    for share in &k.shares {
                        out.entry(share.member).or_default().push(k.epoch);
                    }
                }
                _ => {}
            }
        }
        for epochs in out.values_mut() {
            epochs.sort_unstable();
            epochs.dedup();
        }
        Ok(out)
    }

    /// The latest counted profile of one author, if any.
    pub fn latest_profile_of(&self, network: &NetworkId, author: &AuthorId) -> Result<Option<Body>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT f.body FROM v_facts f
                 JOIN v_members m ON m.network_id = f.network_id AND m.author = f.author AND f.seq <= m.count_upto
                 WHERE f.network_id = ?1 AND f.author = ?2 AND f.kind = 'profile'
                 ORDER BY f.seq DESC LIMIT 1",
            )?
            .query_row(params![&network.0[..], &author.0[..]], |r| r.get(0))
            .optional()?;
        Ok(body.and_then(|b| Body::decode(&b).ok()))
    }

    /// Members an epoch's key was sealed to, over all key updates of that epoch.
    pub fn epoch_recipients(&self, network: &NetworkId, epoch: u32) -> Result<Vec<AuthorId>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM v_facts WHERE network_id = ?1
               AND ((kind IN ('key_update', 'history_key') AND n = ?2) OR kind = 'key_share')",
        )?;
        let mut rows = stmt.query(params![&network.0[..], i64::from(epoch)])?;
        while let Some(r) = rows.next()? {
            match Body::decode(&r.get::<_, Vec<u8>>(0)?) {
                Ok(Body::KeyUpdate(k) | Body::HistoryKey(k)) => out.extend(k.shares.iter().map(|s| s.member)),
                Ok(Body::KeyShare(k)) if k.keys.iter().any(|s| s.epoch == epoch) => out.push(k.member),
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

    /// Benchmark fixture: writes members, calls and pledge rows straight into the views of a
    /// network (no ops, no signatures), to measure the read path of tallies at a scale that
    /// would take minutes to author. Never used outside `openstrike bench`.
    pub fn fill_tally_benchmark(
        &mut self,
        network: &NetworkId,
        members: &[AuthorId],
        profiles: &[Vec<u8>],
        calls: &[(OpId, Vec<u8>)],
        pledges: &[(usize, usize, u64, u32, bool)],
    ) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let net = &network.0[..];
        {
            let mut member = tx.prepare(
                "INSERT INTO v_members (network_id, author, status, role, agreement, pseudonym, invite, first_op, since, count_upto)
                 VALUES (?1, ?2, 'member', 'organizer', zeroblob(32), '', NULL, zeroblob(32), 0, 9223372036854775807)",
            )?;
            for m in members {
                member.execute(params![net, &m.0[..]])?;
            }
            let mut profile = tx.prepare(
                "INSERT INTO v_facts (network_id, op_id, author, seq, time, kind, ref, n, body)
                 VALUES (?1, ?2, ?3, 1, 0, 'profile', NULL, NULL, ?4)",
            )?;
            for (m, body) in members.iter().zip(profiles) {
                profile.execute(params![net, &strike_crypto::hash(&m.0)[..], &m.0[..], body])?;
            }
            let mut call = tx.prepare(
                "INSERT INTO v_facts (network_id, op_id, author, seq, time, kind, ref, n, body)
                 VALUES (?1, ?2, ?3, 1, 0, 'call', NULL, NULL, ?4)",
            )?;
            for (id, body) in calls {
                call.execute(params![net, &id.0[..], &members[0].0[..], body])?;
            }
            let mut pledge = tx.prepare(
                "INSERT INTO v_pledges (network_id, call, author, seq, time, pledged, op_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (i, (c, m, seq, time, pledged)) in pledges.iter().enumerate() {
                let op = strike_crypto::hash(&(i as u64).to_be_bytes());
                pledge.execute(params![
                    net,
                    &calls[*c].0.0[..],
                    &members[*m].0[..],
                    *seq as i64,
                    i64::from(*time),
                    pledged,
                    &op[..]
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Resolves membership again and rewrites its views (after a manual change of keys).
    pub fn refold(&mut self, network: &NetworkId) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        views::rebuild(&tx, network)?;
        tx.commit()?;
        Ok(())
    }
}
