//! The announcements area: organizers post signed announcements; everyone reads them.

use strike_core::{Announcement, Body, NetworkId, OpId};

use crate::{AnnouncementRow, Node, Result};

impl Node {
    /// Posts an announcement.
    pub fn announce(&mut self, network: &NetworkId, text: &str) -> Result<OpId> {
        self.author(network, Body::Announcement(Announcement { text: text.trim().to_owned() }))
    }

    pub fn announcements(&self, id: &NetworkId, limit: u32) -> Result<Vec<AnnouncementRow>> {
        Ok(self.store.announcements(id, limit)?)
    }
}
