//! Serializable views of networks and members: the one JSON shape the CLI's `--json` output
//! and the web API both print.

use serde::Serialize;
use strike_store::{MemberRow, NetworkRow, NetworkStatus};

/// A network as listed.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkView {
    pub network_id: String,
    /// `open`, or `sealed` while this node holds no key to read it.
    pub status: &'static str,
    pub name: Option<String>,
    pub kind: Option<&'static str>,
    pub founder: Option<String>,
    pub my_author: Option<String>,
    pub vouches_required: Option<u8>,
    /// Unix seconds.
    pub created: Option<u64>,
    pub members: u64,
    pub ops: u64,
    pub sealed_ops: u64,
    /// Ops waiting for missing predecessors.
    pub pending_ops: u64,
    /// Whether this node signs in the network now: `ready`; `held` (the data directory looks
    /// restored or copied: it waits for a sync, or the owner's word that it is the only copy);
    /// `forked` (this node's key forked: go on under a new one); `none` (no key here).
    pub writes: &'static str,
    /// What new members read of what was written before them: `all` or `since_admission`.
    pub history: &'static str,
}

impl NetworkView {
    pub fn of(n: &NetworkRow) -> NetworkView {
        NetworkView {
            network_id: n.id.to_hex(),
            status: match n.status {
                NetworkStatus::Open => "open",
                NetworkStatus::Sealed => "sealed",
            },
            name: n.name.clone(),
            kind: n.kind.map(|k| k.as_str()),
            founder: n.founder.map(|a| a.to_hex()),
            my_author: n.my_author.map(|a| a.to_hex()),
            vouches_required: n.vouches_required,
            created: n.created.map(|t| t.unix_seconds()),
            members: n.n_members,
            ops: n.n_ops,
            sealed_ops: n.n_sealed_ops,
            pending_ops: n.n_pending,
            writes: match (n.my_author, n.my_fork_from, n.writes_ready) {
                (None, _, _) => "none",
                (Some(_), Some(_), _) => "forked",
                (Some(_), None, false) => "held",
                (Some(_), None, true) => "ready",
            },
            history: n.history.as_str(),
        }
    }
}

/// A member, pending joiner or removed member.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub author: String,
    pub pseudonym: String,
    /// The name to show: the pseudonym, with a piece of the key where it looks like someone
    /// else's.
    pub name: String,
    /// `member`, `pending` or `removed`.
    pub status: &'static str,
    pub role: &'static str,
    /// Unix seconds.
    pub since: u64,
    /// Authors whose vouches for them count.
    pub vouchers: Vec<String>,
    /// For a new key (a rejoin): the old key it goes on for.
    pub replaces: Option<String>,
}

impl MemberView {
    pub fn of(m: &MemberRow) -> MemberView {
        MemberView {
            author: m.author.to_hex(),
            pseudonym: m.pseudonym.clone(),
            name: m.name.clone(),
            status: m.status.as_str(),
            role: m.role.as_str(),
            since: m.since.unix_seconds(),
            vouchers: m.vouchers.iter().map(|v| v.to_hex()).collect(),
            replaces: m.replaces.map(|a| a.to_hex()),
        }
    }
}
