//! The circles area: private scopes inside a network (`docs/protocol.md`, "Circles"). Every
//! network has the organizers' circle; organizers open custom ones (a crisis team,
//! treasurers) whose leads add and remove members. Bodies of the circle layer are sealed
//! under the circle's newest key (see [`Node::author_many`]); a member's node seals a fresh
//! key whenever the circle's members are no longer those its newest key was sealed to.

use std::collections::BTreeSet;

use serde::Serialize;
use strike_core::body::{Circle, CircleLead, CirclePost};
use strike_core::circles::{self, Entry};
use strike_core::membership::Status;
use strike_core::{AuthorId, Body, Kind, NetworkId, OpId, Role, Writer};
use strike_crypto::SymmetricKey;
use strike_store::{CircleKeyRow, MemberRow};

use crate::{Node, NodeError, Result};

/// One person of a circle, as this node sees them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CirclePerson {
    /// Their author key, in full.
    pub id: String,
    pub name: String,
    pub lead: bool,
}

/// A circle as this node sees it: everyone sees its name, purpose, leads and size; its
/// members see who else is in it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CircleView {
    /// "organizers" for the organizers' circle, else the circle's full id: what paths and
    /// commands name it by.
    pub id: String,
    pub name: String,
    pub purpose: String,
    /// The network's organizers' circle (its members are the organizers).
    pub organizers: bool,
    /// Its number of members: the shares of its newest key.
    pub size: usize,
    pub leads: Vec<CirclePerson>,
    /// Who is in it, if this node is (else `None`: it sees only the leads).
    pub members: Option<Vec<CirclePerson>>,
    pub i_am_in: bool,
    pub i_lead: bool,
    /// This node holds a key of the circle to write under.
    pub can_write: bool,
    /// "visible to: Crisis team (3)": what the UI shows beside forms that write into it.
    pub visible_to: String,
}

/// A post in a circle.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CirclePostView {
    pub id: String,
    pub author: String,
    /// Coarse minute.
    pub time: u32,
    pub text: String,
}

/// What circle upkeep wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CircleUpkeep {
    /// Circles given a fresh key.
    pub rotated: usize,
    /// Shares sealed in those keys.
    pub shares: usize,
}

/// The name people see for the organizers' circle.
pub const ORGANIZERS_CIRCLE_NAME: &str = "Organizers";

impl Node {
    /// Every circle of the network: the organizers' first, then custom circles by name.
    pub fn circles(&self, network: &NetworkId) -> Result<Vec<CircleView>> {
        self.network(network)?;
        let people = self.members(network)?;
        let me = self.me_in(network)?.map(|m| m.author);
        let mut out = vec![self.circle_view(network, &circles::organizers_circle(network), None, &people, me)?];
        let mut custom = Vec::new();
        for (id, c) in self.custom_circles(network)? {
            custom.push(self.circle_view(network, &id, Some(c), &people, me)?);
        }
        custom.sort_by_key(|c| c.name.to_lowercase());
        out.extend(custom);
        Ok(out)
    }

    /// One circle.
    pub fn circle(&self, network: &NetworkId, circle: &OpId) -> Result<CircleView> {
        let people = self.members(network)?;
        let me = self.me_in(network)?.map(|m| m.author);
        let custom = if *circle == circles::organizers_circle(network) {
            None
        } else {
            let c = self.custom_circles(network)?.into_iter().find(|(id, _)| id == circle);
            Some(c.ok_or_else(|| NodeError::NotFound("no such circle".into()))?.1)
        };
        self.circle_view(network, circle, custom, &people, me)
    }

    /// A circle by "organizers" ("keepers" in a hub, whose keepers are its organizers), its
    /// exact name (any case) or an id prefix.
    pub fn resolve_circle(&self, network: &NetworkId, query: &str) -> Result<OpId> {
        let q = query.trim();
        if q.eq_ignore_ascii_case("organizers") || q.eq_ignore_ascii_case("organizers' circle") {
            return Ok(circles::organizers_circle(network));
        }
        let hub = self.network(network)?.kind == Some(strike_core::NetworkKind::Hub);
        if hub && (q.eq_ignore_ascii_case("keepers") || q.eq_ignore_ascii_case("keepers' circle")) {
            return Ok(circles::organizers_circle(network));
        }
        let named: Vec<OpId> = self
            .custom_circles(network)?
            .into_iter()
            .filter(|(_, c)| c.name.eq_ignore_ascii_case(q))
            .map(|(id, _)| id)
            .collect();
        match named.as_slice() {
            [one] => return Ok(*one),
            [] => {}
            _ => return Err(NodeError::InvalidInput(format!("several circles are called {q:?}; use the id"))),
        }
        if circles::organizers_circle(network).to_hex().starts_with(&q.to_lowercase()) && q.len() >= 6 {
            return Ok(circles::organizers_circle(network));
        }
        self.resolve_fact(network, Kind::Circle, q)
            .map_err(|_| NodeError::NotFound(format!("no circle matches {q:?} (see `openstrike circle list`)")))
    }

    /// Opens a custom circle (organizers), led by this node's author, with its first key.
    pub fn create_circle(&mut self, network: &NetworkId, name: &str, purpose: &str) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let name = name.trim();
        if name.eq_ignore_ascii_case(ORGANIZERS_CIRCLE_NAME)
            || self.custom_circles(network)?.iter().any(|(_, c)| c.name.eq_ignore_ascii_case(name))
        {
            return Err(NodeError::InvalidInput(format!("the network already has a circle called {name:?}")));
        }
        let id = self.author(network, Body::Circle(Circle { name: name.into(), purpose: purpose.trim().into() }))?;
        self.circle_upkeep(network)?;
        Ok(id)
    }

    /// Adds a member of the network to a custom circle (organizers, or the circle's leads).
    /// The circle's members' nodes then seal it a fresh key that includes them.
    pub fn add_to_circle(&mut self, network: &NetworkId, circle: &OpId, member: &AuthorId) -> Result<OpId> {
        Ok(self.write_entries(network, circle, &[*member], true)?[0])
    }

    /// Adds several members at once (one transaction, one fresh key after).
    pub fn add_many_to_circle(
        &mut self,
        network: &NetworkId,
        circle: &OpId,
        members: &[AuthorId],
    ) -> Result<Vec<OpId>> {
        self.write_entries(network, circle, members, true)
    }

    /// Takes someone out of a custom circle (organizers, or its leads for members who do not
    /// lead it). A fresh key is sealed to the rest: they read nothing written afterwards.
    pub fn remove_from_circle(&mut self, network: &NetworkId, circle: &OpId, member: &AuthorId) -> Result<OpId> {
        Ok(*self.write_entries(network, circle, &[*member], false)?.last().expect("one entry"))
    }

    fn write_entries(
        &mut self,
        network: &NetworkId,
        circle: &OpId,
        members: &[AuthorId],
        added: bool,
    ) -> Result<Vec<OpId>> {
        let me = self.require(network, Writer::Member)?;
        let view = self.circle(network, circle)?;
        if view.organizers {
            return Err(NodeError::InvalidInput(
                "the organizers' circle holds exactly the network's organizers: promote a member to add them".into(),
            ));
        }
        let organizer = me.role == Role::Organizer;
        if !organizer && !view.i_lead {
            return Err(NodeError::NotAllowed(format!(
                "only organizers and the leads of {} add and remove its members",
                view.name
            )));
        }
        let Some(key) = self.newest_circle_key(network, circle)? else {
            return Err(NodeError::NotAllowed(format!("{} has no key yet: sync, then try again", view.name)));
        };
        let people = self.members(network)?;
        let mut bodies = Vec::new();
        let mut rng = rand::rng();
        for member in members {
            let target = people.iter().find(|m| m.author == *member);
            let Some(target) = target.filter(|m| m.status == Status::Member) else {
                return Err(NodeError::InvalidInput("only current members of the network can be in a circle".into()));
            };
            let is_lead = view.leads.iter().any(|l| l.id == target.author.to_hex());
            if !added && is_lead && !organizer {
                return Err(NodeError::NotAllowed("only organizers take a lead out of a circle".into()));
            }
            let entry = Entry { member: *member, added, last_seen_seq: self.store.last_seq(network, member)? };
            let body = entry.seal(network, circle, key.epoch, &key.entry_key, &mut rng).map_err(NodeError::Refused)?;
            if !added && is_lead {
                bodies.push(Body::CircleLead(CircleLead { circle: *circle, member: *member, lead: false }));
            }
            bodies.push(Body::CircleMember(body));
        }
        let ids = self.author_many(network, bodies)?;
        self.circle_upkeep(network)?;
        Ok(ids)
    }

    /// Makes a member of the network one of a custom circle's leads, or no longer one
    /// (organizers). A new lead joins the circle.
    pub fn set_circle_lead(
        &mut self,
        network: &NetworkId,
        circle: &OpId,
        member: &AuthorId,
        lead: bool,
    ) -> Result<OpId> {
        self.require(network, Writer::Organizer)?;
        let view = self.circle(network, circle)?;
        if view.organizers {
            return Err(NodeError::InvalidInput(
                "the organizers' circle has no leads: its members are the organizers".into(),
            ));
        }
        let current = self.members(network)?.iter().any(|m| m.author == *member && m.status == Status::Member);
        if !current {
            return Err(NodeError::InvalidInput("only current members of the network can lead a circle".into()));
        }
        let id = self.author(network, Body::CircleLead(CircleLead { circle: *circle, member: *member, lead }))?;
        self.circle_upkeep(network)?;
        Ok(id)
    }

    /// Writes a post into a circle this node is in.
    pub fn post_in_circle(&mut self, network: &NetworkId, circle: &OpId, text: &str) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        self.author(network, Body::CirclePost(CirclePost { circle: *circle, text: text.trim().into() }))
    }

    /// The posts of a circle this node reads, oldest first (none for a circle it is not in).
    pub fn circle_posts(&self, network: &NetworkId, circle: &OpId) -> Result<Vec<CirclePostView>> {
        let people = self.members(network)?;
        let mut out = Vec::new();
        for f in self.store.facts(network, Kind::CirclePost, Some(&circle.0))? {
            if let Body::CirclePost(p) = f.body {
                let author = people
                    .iter()
                    .find(|m| m.author == f.author)
                    .map_or_else(|| f.author.short(), crate::networks::display_name);
                out.push(CirclePostView { id: f.op_id.short(), author, time: f.time.0, text: p.text });
            }
        }
        Ok(out)
    }

    /// The state hash of every circle this node is in and holds a key of, by circle name.
    pub fn circle_hashes(&self, network: &NetworkId) -> Result<Vec<(String, String, [u8; 32])>> {
        let mut out = Vec::new();
        for c in self.circles(network)? {
            if c.i_am_in && c.can_write {
                let id = self.resolve_circle(network, &c.id)?;
                out.push((c.name, id.to_hex(), self.store.circle_hash(network, &id)?));
            }
        }
        Ok(out)
    }

    /// The sentence a form writing a body into `circle` shows beside its button.
    pub fn visible_to(&self, network: &NetworkId, circle: &OpId) -> Result<String> {
        Ok(self.circle(network, circle)?.visible_to)
    }

    /// Seals a fresh key to every circle whose members are not those its newest key was
    /// sealed to (someone joined, left, or was removed from the network), where this node
    /// is one who rotates it: a current member holding the newest key, and a lead where the
    /// circle has current leads (every organizer in the organizers' circle). Idempotent.
    pub fn circle_upkeep(&mut self, network: &NetworkId) -> Result<CircleUpkeep> {
        let mut done = CircleUpkeep::default();
        let Ok(me) = self.require(network, Writer::Member) else { return Ok(done) };
        if self.write_gate(network).is_err() {
            return Ok(done);
        }
        let people = self.members(network)?;
        let mut ids = vec![circles::organizers_circle(network)];
        ids.extend(self.custom_circles(network)?.into_iter().map(|(id, _)| id));
        for circle in ids {
            let rows = self.store.circle_members(network, &circle)?;
            let current: BTreeSet<AuthorId> = rows.iter().filter(|r| r.current).map(|r| r.author).collect();
            if !current.contains(&me.author) {
                continue;
            }
            let leads: Vec<AuthorId> = rows.iter().filter(|r| r.current && r.lead).map(|r| r.author).collect();
            if !leads.is_empty() && !leads.contains(&me.author) {
                continue;
            }
            let newest = self.newest_circle_key(network, &circle)?;
            let due = match &newest {
                None => true,
                // Not holding the newest key yet: its writer's node has it in hand.
                Some(k) => match &k.members {
                    None => false,
                    Some(sealed_to) => sealed_to.iter().copied().collect::<BTreeSet<_>>() != current,
                },
            };
            if due {
                done.shares += self.rotate_circle(network, &circle, &current, &people)?;
                done.rotated += 1;
            }
        }
        Ok(done)
    }

    /// Seals a fresh key of `circle` to `members`, with every earlier key this node holds.
    fn rotate_circle(
        &mut self,
        network: &NetworkId,
        circle: &OpId,
        members: &BTreeSet<AuthorId>,
        people: &[MemberRow],
    ) -> Result<usize> {
        let recipients: Vec<(AuthorId, [u8; 32])> =
            people.iter().filter(|p| members.contains(&p.author)).map(|p| (p.author, p.agreement)).collect();
        let mut rng = rand::rng();
        let key = SymmetricKey::generate(&mut rng);
        let back = self.store.circle_held_keys(network, circle)?;
        let body =
            circles::seal_circle_key(network, circle, &key, &recipients, back, &mut rng).map_err(NodeError::Refused)?;
        let epoch = body.epoch;
        self.author(network, Body::CircleKey(body))?;
        tracing::info!(network = %network.short(), circle = %circle.short(), epoch, recipients = recipients.len(), "circle key sealed");
        Ok(recipients.len())
    }

    /// Whether the circle key of `epoch` was sealed to someone who is no longer in the circle.
    pub(crate) fn circle_key_exposed(&self, network: &NetworkId, circle: &OpId, epoch: u32) -> Result<bool> {
        let rows = self.store.circle_members(network, circle)?;
        let current: BTreeSet<AuthorId> = rows.iter().filter(|r| r.current).map(|r| r.author).collect();
        let keys = self.store.circle_keys(network, circle)?;
        Ok(keys
            .iter()
            .filter(|k| k.epoch == epoch)
            .filter_map(|k| k.members.as_ref())
            .any(|sealed_to| sealed_to.iter().any(|a| !current.contains(a))))
    }

    /// The newest key op of a circle whose author counts in it, as far as this node sees its
    /// members (the leads of a circle it is not in).
    pub fn newest_circle_key(&self, network: &NetworkId, circle: &OpId) -> Result<Option<CircleKeyRow>> {
        let rows = self.store.circle_members(network, circle)?;
        let counted = |a: &AuthorId| rows.iter().any(|r| r.author == *a);
        Ok(self.store.circle_keys(network, circle)?.into_iter().rev().find(|k| counted(&k.author)))
    }

    /// Custom circles whose creation counts, by id.
    fn custom_circles(&self, network: &NetworkId) -> Result<Vec<(OpId, Circle)>> {
        Ok(self
            .store
            .facts(network, Kind::Circle, None)?
            .into_iter()
            .filter_map(|f| match f.body {
                Body::Circle(c) => Some((f.op_id, c)),
                _ => None,
            })
            .collect())
    }

    fn circle_view(
        &self,
        network: &NetworkId,
        circle: &OpId,
        custom: Option<Circle>,
        people: &[MemberRow],
        me: Option<AuthorId>,
    ) -> Result<CircleView> {
        let rows = self.store.circle_members(network, circle)?;
        let name_of = |a: &AuthorId| {
            people.iter().find(|p| p.author == *a).map_or_else(|| a.short(), crate::networks::display_name)
        };
        let person = |a: &AuthorId, lead: bool| CirclePerson { id: a.to_hex(), name: name_of(a), lead };
        let organizers = custom.is_none();
        let current: Vec<_> = rows.iter().filter(|r| r.current).collect();
        let i_am_in = me.is_some_and(|me| current.iter().any(|r| r.author == me));
        let leads: Vec<CirclePerson> = if organizers {
            Vec::new()
        } else {
            current.iter().filter(|r| r.lead).map(|r| person(&r.author, true)).collect()
        };
        let i_lead = !organizers && me.is_some_and(|me| current.iter().any(|r| r.author == me && r.lead));
        let size = if organizers || i_am_in {
            current.len()
        } else {
            self.newest_circle_key(network, circle)?.map_or(leads.len(), |k| k.shares)
        };
        let members = (organizers || i_am_in).then(|| {
            let mut m: Vec<CirclePerson> = current.iter().map(|r| person(&r.author, r.lead && !organizers)).collect();
            m.sort_by(|a, b| b.lead.cmp(&a.lead).then(a.name.to_lowercase().cmp(&b.name.to_lowercase())));
            m
        });
        let can_write = i_am_in && self.store.circle_write_key(network, circle)?.is_some();
        let (name, purpose) = match custom {
            Some(c) => (c.name, c.purpose),
            None => (
                ORGANIZERS_CIRCLE_NAME.to_string(),
                "The network's organizers: contacts, one-on-one notes and assessments".to_string(),
            ),
        };
        let visible_to = format!("visible to: {name} ({size})");
        Ok(CircleView {
            id: if organizers { "organizers".into() } else { circle.to_hex() },
            name,
            purpose,
            organizers,
            size,
            leads,
            members,
            i_am_in,
            i_lead,
            can_write,
            visible_to,
        })
    }
}
