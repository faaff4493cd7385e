//! Finding peers on the local network by mDNS (`openstrike serve --lan`; off by default).
//!
//! A node advertises a service of the generic type `_sync._udp.local.` with its endpoint id,
//! its QUIC port and a few short *tags*: one per network it holds, computed from the network's
//! current key and the hour (by the node, see `strike_node::lan`), so only members of the same
//! network recognise each other and a bystander sees opaque values that change every hour.
//! What a bystander does learn: that a node with this endpoint id listens at this address.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent, ServiceInfo};

use crate::{NetError, PeerAddr};

/// The service type: deliberately generic.
pub const SERVICE_TYPE: &str = "_sync._udp.local.";
/// The standard mDNS port.
pub const MDNS_PORT: u16 = 5353;
/// Tags in one advertisement at most (a TXT string holds 255 bytes).
pub const MAX_TAGS: usize = 14;
/// A peer not heard from for this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

/// A tag: 8 bytes a member derives for a network and an hour.
pub type Tag = [u8; 8];

/// Peers heard from, by endpoint id, with when.
type Found = Arc<Mutex<HashMap<[u8; 32], (LanPeer, Instant)>>>;

/// A peer found on the LAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanPeer {
    pub addr: PeerAddr,
    pub tags: Vec<Tag>,
}

/// Advertising and browsing, until dropped.
pub struct Lan {
    daemon: ServiceDaemon,
    id: [u8; 32],
    port: u16,
    fullname: Mutex<Option<String>>,
    found: Found,
}

impl std::fmt::Debug for Lan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lan").field("port", &self.port).finish()
    }
}

fn err(e: impl std::fmt::Display) -> NetError {
    NetError::Connection(format!("mDNS: {e}"))
}

fn parse(s: &mdns_sd::ResolvedService) -> Option<LanPeer> {
    let id: [u8; 32] = hex::decode(s.txt_properties.get_property_val_str("id")?).ok()?.try_into().ok()?;
    let tags = s
        .txt_properties
        .get_property_val_str("t")
        .unwrap_or("")
        .split('.')
        .filter_map(|t| hex::decode(t).ok().and_then(|b| Tag::try_from(b).ok()))
        .take(MAX_TAGS)
        .collect();
    let mut addrs: Vec<SocketAddr> = s
        .addresses
        .iter()
        .map(|a| a.to_ip_addr())
        .filter(IpAddr::is_ipv4)
        .map(|ip| SocketAddr::new(ip, s.port))
        .collect();
    addrs.sort();
    if addrs.is_empty() {
        return None;
    }
    Some(LanPeer { addr: PeerAddr { id, addrs, url: None }, tags })
}

impl Lan {
    /// Starts mDNS on `mdns_port` (normally [`MDNS_PORT`]) for the node `id` whose QUIC
    /// endpoint listens on `port`. `loopback_only` keeps it to the loopback interface (tests).
    pub fn start(mdns_port: u16, id: [u8; 32], port: u16, loopback_only: bool) -> Result<Lan, NetError> {
        let daemon = ServiceDaemon::new_with_port(mdns_port).map_err(err)?;
        if loopback_only {
            // Tests: loopback only, so nothing leaves the machine and no LAN is needed.
            daemon.disable_interface(IfKind::All).map_err(err)?;
            daemon.enable_interface(IfKind::LoopbackV4).map_err(err)?;
        } else {
            daemon.disable_interface(IfKind::LoopbackV4).map_err(err)?;
        }
        daemon.disable_interface(IfKind::IPv6).map_err(err)?;
        let events = daemon.browse(SERVICE_TYPE).map_err(err)?;
        let found: Found = Arc::default();
        let seen = found.clone();
        std::thread::Builder::new()
            .name("mdns-browse".into())
            .spawn(move || {
                while let Ok(event) = events.recv() {
                    if let ServiceEvent::ServiceResolved(service) = event
                        && let Some(peer) = parse(&service)
                        && peer.addr.id != id
                        && let Ok(mut seen) = seen.lock()
                    {
                        tracing::debug!(peer = %hex::encode(&peer.addr.id[..8]), "found a peer on the LAN");
                        seen.insert(peer.addr.id, (peer, Instant::now()));
                    }
                }
            })
            .map_err(err)?;
        Ok(Lan { daemon, id, port, fullname: Mutex::new(None), found })
    }

    /// Advertises this node with `tags` (replacing the previous advertisement).
    pub fn advertise(&self, tags: &[Tag]) -> Result<(), NetError> {
        let tags: Vec<String> = tags.iter().take(MAX_TAGS).map(hex::encode).collect();
        let instance = hex::encode(&self.id[..12]);
        let props = [("id", hex::encode(self.id)), ("t", tags.join("."))];
        let info = ServiceInfo::new(SERVICE_TYPE, &instance, &format!("{instance}.local."), (), self.port, &props[..])
            .map_err(err)?
            .enable_addr_auto();
        let mut current = self.fullname.lock().map_err(err)?;
        if let Some(old) = current.take() {
            let _ = self.daemon.unregister(&old);
        }
        *current = Some(info.get_fullname().to_owned());
        self.daemon.register(info).map_err(err)
    }

    /// Peers heard from recently.
    pub fn peers(&self) -> Vec<LanPeer> {
        let Ok(mut found) = self.found.lock() else { return Vec::new() };
        found.retain(|_, (_, at)| at.elapsed() < FORGET_AFTER);
        found.values().map(|(p, _)| p.clone()).collect()
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        if let Ok(mut current) = self.fullname.lock()
            && let Some(name) = current.take()
        {
            let _ = self.daemon.unregister(&name);
        }
        let _ = self.daemon.shutdown();
    }
}

/// This machine's private IPv4 addresses (10/8, 172.16/12, 192.168/16): where members on the
/// same LAN reach it. Loopback and public addresses are left out.
pub fn private_addresses() -> Vec<std::net::IpAddr> {
    let mut out: Vec<std::net::IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| match i.ip() {
            std::net::IpAddr::V4(v4) if v4.is_private() => Some(std::net::IpAddr::V4(v4)),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two nodes on one machine find each other (on a private mDNS port, over loopback).
    #[test]
    fn two_nodes_find_each_other_with_their_tags() {
        let port = 20_000 + (std::process::id() % 20_000) as u16;
        let a = Lan::start(port, [1; 32], 7001, true).unwrap();
        let b = Lan::start(port, [2; 32], 7002, true).unwrap();
        a.advertise(&[[0xaa; 8], [0xbb; 8]]).unwrap();
        b.advertise(&[[0xcc; 8]]).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let (mut seen_by_a, mut seen_by_b) = (vec![], vec![]);
        while Instant::now() < deadline && (seen_by_a.is_empty() || seen_by_b.is_empty()) {
            std::thread::sleep(Duration::from_millis(100));
            seen_by_a = a.peers();
            seen_by_b = b.peers();
        }
        assert_eq!(seen_by_a.len(), 1, "a found b");
        assert_eq!(seen_by_a[0].addr.id, [2; 32]);
        assert_eq!(seen_by_a[0].tags, vec![[0xcc; 8]]);
        assert!(seen_by_a[0].addr.addrs.iter().all(|s| s.port() == 7002));
        assert_eq!(seen_by_b[0].tags, vec![[0xaa; 8], [0xbb; 8]]);
    }
}
