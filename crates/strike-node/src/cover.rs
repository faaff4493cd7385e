//! The cover area: offers and needs of cover (shifts, childcare, rides, eldercare), who can
//! cover for whom, and how much of each kind of need has a matching offer.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use strike_core::body::{Cover, CoverClose, CoverKind};
use strike_core::cover::{Slots, place_matches};
use strike_core::membership::Status;
use strike_core::{AuthorId, Body, Kind, NetworkId, OpId, Writer};

use crate::{Node, NodeError, Result};

/// An open cover offer or need.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CoverView {
    pub id: String,
    pub author: String,
    pub who: String,
    pub need: bool,
    pub kind: &'static str,
    pub when: String,
    pub place: String,
    pub note: String,
}

impl Node {
    /// Offers (`need == false`) or asks for cover at `when` (cover times as people type them,
    /// blank meaning any time).
    pub fn add_cover(
        &mut self,
        network: &NetworkId,
        need: bool,
        kind: CoverKind,
        when: &str,
        place: &str,
        note: &str,
    ) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        let slots = Slots::parse_input(when).map_err(NodeError::InvalidInput)?;
        let cover = Cover { kind, when: slots.to_string(), place: place.trim().into(), note: note.trim().into() };
        self.author(network, if need { Body::CoverNeed(cover) } else { Body::CoverOffer(cover) })
    }

    pub fn close_cover(&mut self, network: &NetworkId, item: &OpId) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        match self.store.fact(network, item)? {
            Some((author, Body::CoverOffer(_) | Body::CoverNeed(_))) if author == me.author => {}
            Some(_) => return Err(NodeError::NotAllowed("you can only close your own offers and needs".into())),
            None => return Err(NodeError::NotFound("no such cover offer or need".into())),
        }
        self.author(network, Body::CoverClose(CoverClose { item: *item }))
    }

    /// Open cover offers and needs of current members.
    pub fn covers(&self, network: &NetworkId) -> Result<Vec<CoverView>> {
        let members: HashMap<AuthorId, String> = self
            .members(network)?
            .into_iter()
            .filter(|m| m.status == Status::Member)
            .map(|m| (m.author, crate::networks::display_name(&m)))
            .collect();
        let closed: HashSet<(AuthorId, OpId)> = self
            .store
            .facts(network, Kind::CoverClose, None)?
            .into_iter()
            .filter_map(|f| if let Body::CoverClose(c) = f.body { Some((f.author, c.item)) } else { None })
            .collect();
        let mut out = Vec::new();
        for kind in [Kind::CoverOffer, Kind::CoverNeed] {
            for f in self.store.facts(network, kind, None)? {
                let (Body::CoverOffer(c) | Body::CoverNeed(c)) = &f.body else { continue };
                let Some(who) = members.get(&f.author) else { continue };
                if closed.contains(&(f.author, f.op_id)) {
                    continue;
                }
                out.push(CoverView {
                    id: f.op_id.short(),
                    author: f.author.to_hex(),
                    who: who.clone(),
                    need: kind == Kind::CoverNeed,
                    kind: c.kind.as_str(),
                    when: c.when.clone(),
                    place: c.place.clone(),
                    note: c.note.clone(),
                });
            }
        }
        Ok(out)
    }

    /// Who can cover `kind` at `when` (blank: any time) and `place`: open offers that cover it.
    pub fn find_cover(&self, network: &NetworkId, kind: CoverKind, when: &str, place: &str) -> Result<Vec<CoverView>> {
        let need = Slots::parse_input(when).map_err(NodeError::InvalidInput)?;
        Ok(self
            .covers(network)?
            .into_iter()
            .filter(|c| {
                !c.need
                    && c.kind == kind.as_str()
                    && Slots::parse(&c.when).is_ok_and(|s| s.covers(&need))
                    && place_matches(&c.place, place)
            })
            .collect())
    }

    /// (needs covered, open needs, open offers) per kind.
    pub fn cover_coverage(&self, network: &NetworkId) -> Result<Vec<(CoverKind, u64, u64, u64)>> {
        let all = self.covers(network)?;
        let mut out = Vec::new();
        for kind in CoverKind::ALL {
            let offers: Vec<&CoverView> = all.iter().filter(|c| !c.need && c.kind == kind.as_str()).collect();
            let needs: Vec<&CoverView> = all.iter().filter(|c| c.need && c.kind == kind.as_str()).collect();
            let covered = needs
                .iter()
                .filter(|n| {
                    let Ok(want) = Slots::parse(&n.when) else { return false };
                    offers.iter().any(|o| {
                        o.author != n.author
                            && Slots::parse(&o.when).is_ok_and(|s| s.covers(&want))
                            && place_matches(&o.place, &n.place)
                    })
                })
                .count() as u64;
            out.push((kind, covered, needs.len() as u64, offers.len() as u64));
        }
        Ok(out)
    }
}
