//! What a local write needs before it is sealed: the author's next sequence number, its
//! predecessors and earliest time, and the keys it is sealed under (the network's write key,
//! or a history key, by the network's history setting).

use rusqlite::{Connection, OptionalExtension, params};
use strike_core::body::HistoryMode;
use strike_core::{CoarseTime, NetworkId, OpId};
use strike_crypto::{SigningSecret, SymmetricKey};
use zeroize::Zeroizing;

use crate::{Result, StoreError, blob32};

/// What a local author needs to write the next op in a network.
#[derive(Debug)]
pub struct AuthorInputs {
    pub signing: SigningSecret,
    pub seq: u64,
    pub prev: Option<OpId>,
    pub deps: Vec<OpId>,
    /// The op may not claim a time before this (the latest of its predecessors).
    pub min_time: CoarseTime,
    /// The epoch to write in and its key: the newest key update by a counted organizer whose
    /// key this node holds, else the genesis epoch. `None` while the node holds no network key
    /// (a joiner before admission).
    pub write_key: Option<(u32, SymmetricKey)>,
    /// What history-layer bodies are sealed under (see [`HistoryKey`]).
    pub history: HistoryKey,
}

/// The key history-layer bodies (announcements, skills, cover, notes, assessments) are
/// sealed under, by the network's history setting.
#[derive(Debug)]
pub enum HistoryKey {
    /// The network shares all history with new members: the network's write key.
    WriteKey,
    /// The network keeps new members out of its past: the newest history key by a counted
    /// organizer that this node holds.
    Key(u32, SymmetricKey),
    /// The network keeps new members out of its past, and this node holds no history key
    /// yet (an organizer's node seals one to it after its admission).
    Missing,
}

pub(crate) fn author_inputs(tx: &Connection, network: &NetworkId) -> Result<AuthorInputs> {
    let seed: Vec<u8> = tx
        .query_row("SELECT signing_seed FROM my_authors WHERE network_id = ?1", [&network.0[..]], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::CannotWrite("this node has no author key in that network"))?;
    let seed = Zeroizing::new(blob32(seed)?);
    let signing = SigningSecret::from_seed(&seed);
    let author = signing.public().0;
    let last: Option<(i64, Vec<u8>, i64)> = tx
        .query_row(
            "SELECT seq, op_id, time FROM ops WHERE network_id = ?1 AND author = ?2 ORDER BY seq DESC LIMIT 1",
            params![&network.0[..], &author[..]],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (seq, prev, min_time) = match last {
        Some((seq, id, time)) => (seq as u64 + 1, Some(OpId(blob32(id)?)), time),
        None => (1, None, 0),
    };
    let mut min_time = CoarseTime(u32::try_from(min_time).unwrap_or(u32::MAX));
    let deps = heads_except(tx, network, prev, &mut min_time)?;
    let write_key = write_key(tx, network)?;
    let history = match history_mode(tx, network)? {
        HistoryMode::All => HistoryKey::WriteKey,
        HistoryMode::SinceAdmission => match newest_key(tx, network, "history_key")? {
            Some((epoch, key)) => HistoryKey::Key(epoch, key),
            None => HistoryKey::Missing,
        },
    };
    Ok(AuthorInputs { signing, seq, prev, deps, min_time, write_key, history })
}

/// The network's history setting: the newest `history` op by a counted organizer, else all.
pub(crate) fn history_mode(tx: &Connection, network: &NetworkId) -> Result<HistoryMode> {
    let since: Option<i64> = tx
        .prepare_cached(
            "SELECT f.n FROM v_facts f
             JOIN v_members m ON m.network_id = f.network_id AND m.author = f.author
             WHERE f.network_id = ?1 AND f.kind = 'history' AND f.seq <= m.count_upto AND m.role = 'organizer'
             ORDER BY f.time DESC, f.author DESC, f.seq DESC, f.op_id DESC LIMIT 1",
        )?
        .query_row([&network.0[..]], |r| r.get(0))
        .optional()?;
    Ok(if since == Some(1) { HistoryMode::SinceAdmission } else { HistoryMode::All })
}

/// The newest key of a counted organizer's `kind` op (`key_update` or `history_key`, the op's
/// `n` being its epoch) whose key this node holds: by claimed time, and within a minute by log
/// order (a topological order, so of one organizer's rotations the later one).
pub(crate) fn newest_key(tx: &Connection, network: &NetworkId, kind: &str) -> Result<Option<(u32, SymmetricKey)>> {
    let row: Option<(i64, Vec<u8>)> = tx
        .prepare_cached(
            "SELECT k.epoch, k.key FROM v_facts f
             JOIN v_members m ON m.network_id = f.network_id AND m.author = f.author
             JOIN epoch_keys k ON k.network_id = f.network_id AND k.epoch = f.n
             WHERE f.network_id = ?1 AND f.kind = ?2 AND f.seq <= m.count_upto AND m.role = 'organizer'
             ORDER BY f.time DESC, f.rowid DESC LIMIT 1",
        )?
        .query_row(params![&network.0[..], kind], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(epoch, key)| Ok((u32::try_from(epoch).unwrap_or(0), SymmetricKey::from_bytes(blob32(key)?)))).transpose()
}

/// See [`AuthorInputs::write_key`].
pub(crate) fn write_key(tx: &Connection, network: &NetworkId) -> Result<Option<(u32, SymmetricKey)>> {
    if let Some(newest) = newest_key(tx, network, "key_update")? {
        return Ok(Some(newest));
    }
    let row: Option<(i64, Vec<u8>)> = tx
        .prepare_cached("SELECT epoch, key FROM epoch_keys WHERE network_id = ?1 AND epoch = 0")?
        .query_row([&network.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(epoch, key)| Ok((u32::try_from(epoch).unwrap_or(0), SymmetricKey::from_bytes(blob32(key)?)))).transpose()
}

/// Up to `MAX_DEPS` current heads of the network other than `prev`, newest first; raises
/// `min_time` to the latest of them.
fn heads_except(
    tx: &Connection,
    network: &NetworkId,
    prev: Option<OpId>,
    min_time: &mut CoarseTime,
) -> Result<Vec<OpId>> {
    let mut deps = Vec::new();
    let mut stmt = tx.prepare_cached(
        "SELECT op_id, time FROM heads WHERE network_id = ?1
               AND NOT EXISTS (SELECT 1 FROM held_back hb WHERE hb.network_id = ?1 AND hb.op_id = heads.op_id)
             ORDER BY time DESC, op_id LIMIT ?2",
    )?;
    let limit = strike_core::envelope::MAX_DEPS as i64 + 1;
    for row in stmt.query_map(params![&network.0[..], limit], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)))? {
        let (id, time) = row?;
        let id = OpId(blob32(id)?);
        if Some(id) != prev && deps.len() < strike_core::envelope::MAX_DEPS {
            deps.push(id);
            *min_time = (*min_time).max(CoarseTime(u32::try_from(time).unwrap_or(u32::MAX)));
        }
    }
    Ok(deps)
}

impl AuthorInputs {
    /// Moves on past this author's op `written` (at `seq`, `time`), just applied: the next op
    /// follows it. Keeps the signing key and epoch key instead of reading them again.
    pub(crate) fn advance(
        &mut self,
        tx: &Connection,
        network: &NetworkId,
        written: OpId,
        seq: u64,
        time: CoarseTime,
    ) -> Result<()> {
        self.seq = seq + 1;
        self.prev = Some(written);
        self.min_time = time;
        self.deps = heads_except(tx, network, self.prev, &mut self.min_time)?;
        Ok(())
    }
}
