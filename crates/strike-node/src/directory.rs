//! The directory area: a member's profile and skills in a network, and the directory of
//! current members with theirs.

use std::collections::HashMap;

use serde::Serialize;
use strike_core::body::{Profile, Skill};
use strike_core::membership::Status;
use strike_core::{AuthorId, Body, Kind, NetworkId, OpId, Writer};

use crate::{Node, Result};

/// A member's current profile and skills.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub author: String,
    pub pseudonym: String,
    pub profile: Profile,
    pub skills: Vec<String>,
}

impl Node {
    /// Sets this node's profile: fields given replace the old ones, the rest stay.
    pub fn set_profile(&mut self, network: &NetworkId, update: impl FnOnce(&mut Profile)) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let mut profile = self.latest_profiles(network)?.remove(&me.author).unwrap_or_default();
        if profile.pseudonym.is_empty() {
            profile.pseudonym = me.pseudonym.clone();
        }
        update(&mut profile);
        self.author(network, Body::Profile(profile))
    }

    pub fn set_skill(&mut self, network: &NetworkId, skill: &str, has: bool) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        self.author(network, Body::Skill(Skill { skill: skill.trim().to_lowercase(), has }))
    }

    /// Each counted member's latest profile.
    pub fn latest_profiles(&self, network: &NetworkId) -> Result<HashMap<AuthorId, Profile>> {
        self.memoized(
            |m| &mut m.profiles,
            network,
            || {
                let mut out: HashMap<AuthorId, (u64, Profile)> = HashMap::new();
                for f in self.store.facts(network, Kind::Profile, None)? {
                    if let Body::Profile(p) = f.body
                        && out.get(&f.author).is_none_or(|(seq, _)| f.seq > *seq)
                    {
                        out.insert(f.author, (f.seq, p));
                    }
                }
                Ok(out.into_iter().map(|(a, (_, p))| (a, p)).collect())
            },
        )
    }

    /// Each counted member's skills.
    pub fn skills(&self, network: &NetworkId) -> Result<HashMap<AuthorId, Vec<String>>> {
        let mut latest: HashMap<(AuthorId, String), (u64, bool)> = HashMap::new();
        for f in self.store.facts(network, Kind::Skill, None)? {
            if let Body::Skill(s) = f.body {
                let slot = latest.entry((f.author, s.skill)).or_insert((0, false));
                if f.seq > slot.0 {
                    *slot = (f.seq, s.has);
                }
            }
        }
        let mut out: HashMap<AuthorId, Vec<String>> = HashMap::new();
        for ((author, skill), (_, has)) in latest {
            if has {
                out.entry(author).or_default().push(skill);
            }
        }
        for skills in out.values_mut() {
            skills.sort();
        }
        Ok(out)
    }

    /// The directory: current members with their profiles and skills.
    pub fn directory(&self, network: &NetworkId) -> Result<Vec<ProfileView>> {
        let profiles = self.latest_profiles(network)?;
        let mut skills = self.skills(network)?;
        let mut out = Vec::new();
        for m in self.members(network)?.into_iter().filter(|m| m.status == Status::Member) {
            let p = profiles.get(&m.author);
            out.push(ProfileView {
                author: m.author.to_hex(),
                pseudonym: m.name.clone(),
                profile: p.cloned().unwrap_or_default(),
                skills: skills.remove(&m.author).unwrap_or_default(),
            });
        }
        Ok(out)
    }
}
