//! Which credentials were issued and which one-time authors count, on a secret call or
//! proposal: a pure function of its key, request, issuing and secret ops (any order), its
//! issuers and its eligible members. Each secret op's credentials were checked when it was
//! ingested; this decides the rest.

use std::collections::{BTreeMap, BTreeSet};

use crate::{AuthorId, CoarseTime, OpId, op_order};

/// Where an op falls in op order.
pub type Order = (CoarseTime, AuthorId, u64, OpId);

/// An op as the fold reads it: its place in op order and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct In<T> {
    pub op: OpId,
    pub author: AuthorId,
    pub seq: u64,
    pub time: CoarseTime,
    pub what: T,
}

impl<T> In<T> {
    fn order(&self) -> Order {
        op_order(self.time, self.author, self.seq, self.op)
    }
}

/// A key's group; a request's or a secret op's keys; an issuing op's key and the requests it
/// answers.
pub type KeyIn = In<String>;
pub type RequestIn = In<Vec<OpId>>;
pub type IssueIn = In<(OpId, Vec<OpId>)>;
pub type SecretIn = In<Vec<OpId>>;

/// What the fold finds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// Each group's counted keys: the first key of each issuer for it, in issuer order.
    pub keys: BTreeMap<String, Vec<Option<OpId>>>,
    /// Eligible members whose first request every issuer answered, per group.
    pub issued: BTreeMap<String, usize>,
    /// Eligible members who asked (their first request, under counted keys).
    pub requested: usize,
    /// The counted request of each eligible member who asked, with its group.
    pub requests: BTreeMap<AuthorId, (OpId, String)>,
    /// One-time authors that count, with the group their credentials prove.
    pub counted: BTreeMap<AuthorId, String>,
    /// Secret ops that do not count, and why.
    pub not_counted: BTreeMap<OpId, &'static str>,
    /// What every node flags on the scope: grants beyond the eligible members, and more
    /// one-time authors than credentials issued (an issuer signed outside the log).
    pub flags: Vec<String>,
}

/// The fold (`docs/protocol.md`, "Secret pledges and ballots").
pub fn credentials(
    issuers: &[AuthorId],
    eligible: &BTreeSet<AuthorId>,
    keys: &[KeyIn],
    requests: &[RequestIn],
    issues: &[IssueIn],
    secret: &[SecretIn],
) -> Credentials {
    let mut out = Credentials::default();
    let mut sorted: Vec<&KeyIn> = keys.iter().collect();
    sorted.sort_by_key(|k| k.order());
    for k in sorted {
        let Some(i) = issuers.iter().position(|a| *a == k.author) else { continue };
        let slot = &mut out.keys.entry(k.what.clone()).or_insert_with(|| vec![None; issuers.len()])[i];
        slot.get_or_insert(k.op);
    }
    let group_of = |named: &[OpId]| -> Option<String> {
        out.keys
            .iter()
            .find(|(_, counted)| counted.len() == named.len() && counted.iter().zip(named).all(|(c, n)| *c == Some(*n)))
            .map(|(g, _)| g.clone())
    };
    // Requests: each eligible member's first, under a group's counted keys.
    let mut sorted: Vec<&RequestIn> = requests.iter().collect();
    sorted.sort_by_key(|r| r.order());
    let mut refused: BTreeMap<OpId, &'static str> = BTreeMap::new();
    for r in sorted {
        let why = if !eligible.contains(&r.author) {
            Some("not an eligible member")
        } else if out.requests.contains_key(&r.author) {
            Some("a second request")
        } else {
            None
        };
        match (why, group_of(&r.what)) {
            (None, Some(g)) => {
                out.requests.insert(r.author, (r.op, g));
            }
            (None, None) => {
                refused.insert(r.op, "under keys that are not the issuers' counted keys");
            }
            (Some(why), _) => {
                refused.insert(r.op, why);
            }
        }
    }
    out.requested = out.requests.len();
    let by_op: BTreeMap<OpId, &String> = out.requests.values().map(|(op, g)| (*op, g)).collect();
    // Grants: each issuer answers each counted request once, under its counted key of the
    // request's group.
    let mut sorted: Vec<&IssueIn> = issues.iter().collect();
    sorted.sort_by_key(|i| i.order());
    let mut granted: BTreeMap<OpId, BTreeSet<usize>> = BTreeMap::new();
    let mut beyond = 0usize;
    for issue in sorted {
        let Some(i) = issuers.iter().position(|a| *a == issue.author) else { continue };
        let (key, answered) = &issue.what;
        for request in answered {
            let fits = by_op.get(request).is_some_and(|g| out.keys.get(*g).and_then(|k| k[i]) == Some(*key));
            if fits && granted.entry(*request).or_default().insert(i) {
                continue;
            }
            if !fits || refused.contains_key(request) {
                beyond += 1;
            }
        }
    }
    if beyond > 0 {
        out.flags.push(format!(
            "{beyond} credential(s) issued beyond the eligible members' first requests: they count for nothing, and \
             an issuer issued them"
        ));
    }
    for (op, g) in &by_op {
        if granted.get(op).is_some_and(|s| s.len() == issuers.len()) {
            *out.issued.entry((*g).clone()).or_default() += 1;
        }
    }
    // One-time authors: their ops under a group's counted keys; in each group, no more than
    // the credentials issued there, the earliest first.
    let mut by_author: BTreeMap<AuthorId, Vec<&SecretIn>> = BTreeMap::new();
    for s in secret {
        by_author.entry(s.author).or_default().push(s);
    }
    let mut firsts: Vec<(Order, AuthorId, String)> = Vec::new();
    for (author, mut ops) in by_author {
        ops.sort_by_key(|o| o.order());
        let Some(g) = group_of(&ops[0].what) else {
            for o in ops {
                out.not_counted.insert(o.op, "under a key that is not its issuer's counted key");
            }
            continue;
        };
        for o in &ops[1..] {
            if o.what != ops[0].what {
                out.not_counted.insert(o.op, "under other keys than the one-time author's first op");
            }
        }
        firsts.push((ops[0].order(), author, g));
    }
    firsts.sort();
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let mut over: BTreeMap<String, usize> = BTreeMap::new();
    for (_, author, g) in firsts {
        let n = used.entry(g.clone()).or_default();
        if *n < out.issued.get(&g).copied().unwrap_or(0) {
            *n += 1;
            out.counted.insert(author, g);
        } else {
            *over.entry(g).or_default() += 1;
            for s in secret.iter().filter(|s| s.author == author) {
                out.not_counted.insert(s.op, "beyond the credentials issued");
            }
        }
    }
    for (g, n) in over {
        let group = if g.is_empty() { "everyone".to_owned() } else { g };
        out.flags.push(format!(
            "{n} one-time author(s) in {group} beyond the credentials issued there: an issuer signed outside the log; \
             they count for nothing"
        ));
    }
    out
}

#[cfg(test)]
mod tests;
