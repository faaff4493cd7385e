//! Inputs the pages' forms and the API's JSON bodies share: the same fields, turned into
//! the same node commands.

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use strike_core::body::Contact;
use strike_core::{CoverKind, NetworkId, OpId};
use strike_node::cover::CoverView;
use strike_node::networks::{RemoveOutcome, VouchOutcome, display_name};
use strike_node::{Node, NodeError, Result};

/// An input that becomes one op in a network: the page posts it as a form, the API as JSON,
/// and both hand it to the node the same way.
pub trait NetworkCommand: DeserializeOwned + Send + 'static {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId>;
}

/// A signed announcement (organizers).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnounceInput {
    pub text: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    _csrf: IgnoredAny,
}

impl NetworkCommand for AnnounceInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        node.announce(network, &self.text)
    }
}

/// A skill or asset added (or, with `has: false`, removed).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillInput {
    pub skill: String,
    #[serde(default = "yes")]
    pub has: bool,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    _csrf: IgnoredAny,
}

fn yes() -> bool {
    true
}

impl NetworkCommand for SkillInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        node.set_skill(network, &self.skill, self.has)
    }
}

/// Vouches for the pending joiner `who` (pseudonym or id); returns their name too.
pub fn vouch(node: &mut Node, network: &NetworkId, who: &str) -> Result<(String, VouchOutcome)> {
    let m = node.resolve_member(network, who)?;
    Ok((display_name(&m), node.vouch(network, &m.author)?))
}

/// Removes `who` (pseudonym or id), rotating the key; returns their name too.
pub fn remove(node: &mut Node, network: &NetworkId, who: &str) -> Result<(String, RemoveOutcome)> {
    let m = node.resolve_member(network, who)?;
    Ok((display_name(&m), node.remove(network, &m.author)?))
}

fn cover_kind(text: &str) -> Result<CoverKind> {
    CoverKind::parse(text).map_err(NodeError::InvalidInput)
}

/// Days and hours as people write them; blank means any time.
fn slots(when: &str) -> &str {
    if when.trim().is_empty() { "any" } else { when }
}

/// Who can cover this: open offers that match kind, days and hours, and place.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoverQuery {
    pub kind: String,
    pub when: String,
    #[serde(rename = "where")]
    pub place: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    _csrf: IgnoredAny,
}

impl CoverQuery {
    pub fn run(&self, node: &Node, network: &NetworkId) -> Result<Vec<CoverView>> {
        node.find_cover(network, cover_kind(&self.kind)?, slots(&self.when), &self.place)
    }
}

/// An offer of cover, or (`need`) a request for it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoverInput {
    pub need: bool,
    pub kind: String,
    pub when: String,
    #[serde(rename = "where")]
    pub place: String,
    pub note: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    _csrf: IgnoredAny,
}

impl NetworkCommand for CoverInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        node.add_cover(network, self.need, cover_kind(&self.kind)?, slots(&self.when), &self.place, &self.note)
    }
}

/// Profile fields to set; those left out stay as they were.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileInput {
    pub pseudonym: Option<String>,
    pub workplace: Option<String>,
    pub department: Option<String>,
    pub shift: Option<String>,
    pub role: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    _csrf: IgnoredAny,
}

impl NetworkCommand for ProfileInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        node.set_profile(network, |p| {
            for (field, value) in [
                (&mut p.pseudonym, self.pseudonym),
                (&mut p.workplace, self.workplace),
                (&mut p.department, self.department),
                (&mut p.shift, self.shift),
                (&mut p.role, self.role),
                (&mut p.city, self.city),
                (&mut p.country, self.country),
            ] {
                if let Some(v) = value {
                    *field = v.trim().to_owned();
                }
            }
        })
    }
}

/// A co-worker who is not a member yet (organizers).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    pub workplace: String,
    pub department: String,
    pub shift: String,
    pub role: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    _csrf: IgnoredAny,
}

impl NetworkCommand for ContactInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        let t = |s: &str| s.trim().to_owned();
        node.add_contact(
            network,
            Contact {
                name: t(&self.name),
                workplace: t(&self.workplace),
                department: t(&self.department),
                shift: t(&self.shift),
                role: t(&self.role),
            },
        )
    }
}

/// A 1-5 support assessment of a contact (by id or id prefix), with an optional note.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssessInput {
    pub contact: String,
    pub level: u8,
    pub note: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    _csrf: IgnoredAny,
}

impl NetworkCommand for AssessInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        let contact = node.resolve_contact(network, &self.contact)?;
        node.assess(network, &contact, self.level, &self.note)
    }
}

/// A one-on-one note about a contact (by id or id prefix).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoteInput {
    pub contact: String,
    pub text: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    _csrf: IgnoredAny,
}

impl NetworkCommand for NoteInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        let contact = node.resolve_contact(network, &self.contact)?;
        node.note_contact(network, &contact, &self.text)
    }
}

/// What new members read of what came before them (organizers): `all` or `since_admission`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryInput {
    pub mode: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    _csrf: IgnoredAny,
}

impl NetworkCommand for HistoryInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        let mode = strike_core::body::HistoryMode::parse(&self.mode).ok_or_else(|| {
            NodeError::InvalidInput(format!("{:?} is not a history setting (all, since_admission)", self.mode))
        })?;
        node.set_history(network, mode)
    }
}
