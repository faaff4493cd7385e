//! Discussion before a vote: threads on the network, a proposal or a call, replies in order,
//! and organizers' locks.

use std::collections::BTreeMap;

use serde::Serialize;
use strike_core::body::{Reply, Thread, ThreadLock};
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId, Writer};

use crate::{Node, NodeError, Result};

/// A reply as shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ReplyView {
    pub by: String,
    /// Coarse minute.
    pub at: u32,
    pub text: String,
}

/// A thread with its replies in order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ThreadView {
    pub id: String,
    /// The proposal or call it is about (none: the network).
    pub on: Option<String>,
    pub title: String,
    pub text: String,
    pub by: String,
    pub at: u32,
    pub locked: bool,
    pub replies: Vec<ReplyView>,
}

/// A reply (author and text) or a lock (`locked`), at its place in op order.
type Event = ((CoarseTime, AuthorId, u64, OpId), Option<(AuthorId, String)>, bool);

impl Node {
    /// A proposal or call of the network, by id prefix: what a thread is on.
    pub fn resolve_thread_subject(&self, network: &NetworkId, query: &str) -> Result<OpId> {
        self.resolve_fact(network, Kind::Proposal, query)
            .or_else(|_| self.resolve_fact(network, Kind::Call, query))
            .map_err(|_| NodeError::NotFound(format!("no proposal or call of this network matches {query:?}")))
    }

    /// Starts a thread on the network, or on a proposal or call of it (members).
    pub fn start_thread(&mut self, network: &NetworkId, on: Option<OpId>, title: &str, text: &str) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        if let Some(on) = &on {
            self.resolve_thread_subject(network, &on.to_hex())?;
            // Threads are read by the whole network: a circle's vote is talked over in the circle.
            if self.proposal(network, on).is_ok_and(|p| p.circle.is_some()) {
                return Err(NodeError::NotAllowed(
                    "a circle's vote is discussed in the circle (its posts), not in a thread the whole network reads"
                        .into(),
                ));
            }
        }
        let body = Thread { on, title: title.trim().into(), text: text.trim().into() };
        strike_core::body::Fact::check(&body).map_err(NodeError::Refused)?;
        self.author(network, Body::Thread(body))
    }

    /// Replies in a thread (members), unless it is locked.
    pub fn reply(&mut self, network: &NetworkId, thread: &OpId, text: &str) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        let t = self.thread(network, thread)?;
        if t.locked {
            return Err(NodeError::NotAllowed("an organizer locked this thread".into()));
        }
        let body = Reply { thread: *thread, text: text.trim().into() };
        strike_core::body::Fact::check(&body).map_err(NodeError::Refused)?;
        self.author(network, Body::Reply(body))
    }

    /// Locks a thread, or opens it again (organizers).
    pub fn lock_thread(&mut self, network: &NetworkId, thread: &OpId, locked: bool) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        self.thread(network, thread)?;
        self.author(network, Body::ThreadLock(ThreadLock { thread: *thread, locked }))
    }

    /// One thread.
    pub fn thread(&self, network: &NetworkId, thread: &OpId) -> Result<ThreadView> {
        self.threads(network, None)?
            .into_iter()
            .find(|t| t.id == thread.to_hex())
            .ok_or_else(|| NodeError::NotFound("no such thread".into()))
    }

    /// Finds the network holding a thread with this id (prefix).
    pub fn find_thread(&self, query: &str) -> Result<(NetworkId, OpId)> {
        self.find_fact(Kind::Thread, "thread", query)
    }

    /// The network's threads (only those on `on`, if given), oldest first, each with its replies
    /// in op order ([`strike_core::op_order`]) up to its lock.
    pub fn threads(&self, network: &NetworkId, on: Option<&OpId>) -> Result<Vec<ThreadView>> {
        self.network(network)?;
        let names: BTreeMap<AuthorId, String> =
            self.members(network)?.iter().map(|m| (m.author, crate::networks::display_name(m))).collect();
        let name = |a: &AuthorId| names.get(a).cloned().unwrap_or_else(|| a.short());
        // Each thread's events in order: replies and locks.
        let mut events: BTreeMap<OpId, Vec<Event>> = BTreeMap::new();
        for f in self.store.facts(network, Kind::Reply, None)? {
            if let Body::Reply(r) = f.body {
                let order = strike_core::op_order(f.time, f.author, f.seq, f.op_id);
                events.entry(r.thread).or_default().push((order, Some((f.author, r.text)), false));
            }
        }
        for f in self.store.facts(network, Kind::ThreadLock, None)? {
            if let Body::ThreadLock(l) = f.body {
                let order = strike_core::op_order(f.time, f.author, f.seq, f.op_id);
                events.entry(l.thread).or_default().push((order, None, l.locked));
            }
        }
        let mut out = Vec::new();
        let mut facts = self.store.facts(network, Kind::Thread, None)?;
        facts.sort_by_key(|f| f.order());
        for f in facts {
            let Body::Thread(t) = f.body else { continue };
            if on.is_some() && t.on.as_ref() != on {
                continue;
            }
            let mut list = events.remove(&f.op_id).unwrap_or_default();
            list.sort_by_key(|e| e.0);
            let (mut locked, mut replies) = (false, Vec::new());
            for ((time, ..), reply, lock) in list {
                match reply {
                    Some((author, text)) if !locked => replies.push(ReplyView { by: name(&author), at: time.0, text }),
                    Some(_) => {}
                    None => locked = lock,
                }
            }
            out.push(ThreadView {
                id: f.op_id.to_hex(),
                on: t.on.map(|o| o.to_hex()),
                title: t.title,
                text: t.text,
                by: name(&f.author),
                at: f.time.0,
                locked,
                replies,
            });
        }
        Ok(out)
    }
}
