//! Transports: QUIC endpoints (iroh) with explicit addresses, carrying only bytes that core
//! has signed and encrypted.
//!
//! No vendor infrastructure: relays are disabled, no address lookup service is configured
//! (peers are dialled at the addresses users give), router port mapping is not compiled in.
//! The ALPN is generic. Frames are a u32 big-endian length and that many bytes, bounded.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use iroh::endpoint::{Connection, RecvStream, SendStream, presets};
use iroh::{Endpoint, EndpointAddr, PublicKey, RelayMode, SecretKey, TransportAddr};

pub mod http;
pub mod lan;

/// The application protocol on the wire: deliberately generic.
pub const ALPN: &[u8] = b"sync/1";
/// Largest frame accepted: one sync message and some room.
pub const MAX_FRAME: usize = strike_sync::protocol::MAX_FRAME + 1024;
/// How long to wait for the peer's next frame before giving up on a session.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(30);
/// Default UDP port of `openstrike serve`.
pub const DEFAULT_PORT: u16 = 7474;

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("not a peer address (use ID@HOST:PORT, ID being 64 hex digits): {0}")]
    BadAddress(String),
    #[error("could not bind {0}: {1}")]
    Bind(String, String),
    #[error("could not connect to {0}: {1}")]
    Connect(String, String),
    #[error("connection: {0}")]
    Connection(String),
    #[error("frame of {0} bytes is over the {MAX_FRAME}-byte limit")]
    FrameTooLarge(usize),
    #[error("the peer sent nothing for {} s", FRAME_TIMEOUT.as_secs())]
    Timeout,
    #[error("the peer closed the connection")]
    Closed,
}

/// Where a peer is: its endpoint id (an Ed25519 public key) and either socket addresses
/// (QUIC) or the URL of a hub's HTTP endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct PeerAddr {
    pub id: [u8; 32],
    pub addrs: Vec<SocketAddr>,
    /// `http://HOST:PORT` or `https://HOST[:PORT][/PATH]`: sync over HTTP (hubs only).
    pub url: Option<String>,
}

impl fmt::Debug for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PeerAddr({self})")
    }
}

impl fmt::Display for PeerAddr {
    /// `ID@HOST:PORT[,HOST:PORT...]` or `ID@URL`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(url) = &self.url {
            return write!(f, "{}@{url}", hex::encode(self.id));
        }
        let addrs: Vec<String> = self.addrs.iter().map(|a| a.to_string()).collect();
        write!(f, "{}@{}", hex::encode(self.id), addrs.join(","))
    }
}

impl FromStr for PeerAddr {
    type Err = NetError;

    fn from_str(s: &str) -> Result<PeerAddr, NetError> {
        let bad = || NetError::BadAddress(s.to_owned());
        let (id, addrs) = s.trim().split_once('@').ok_or_else(bad)?;
        let id: [u8; 32] = hex::decode(id).ok().and_then(|b| b.try_into().ok()).ok_or_else(bad)?;
        PublicKey::from_bytes(&id).map_err(|_| bad())?;
        if addrs.starts_with("http://") || addrs.starts_with("https://") {
            let url = addrs.trim_end_matches('/');
            if url.contains(char::is_whitespace) || url.split_once("://").is_none_or(|(_, rest)| rest.is_empty()) {
                return Err(bad());
            }
            return Ok(PeerAddr { id, addrs: Vec::new(), url: Some(url.to_owned()) });
        }
        let addrs =
            addrs.split(',').map(|a| a.parse::<SocketAddr>().map_err(|_| bad())).collect::<Result<Vec<_>, _>>()?;
        if addrs.is_empty() {
            return Err(bad());
        }
        Ok(PeerAddr { id, addrs, url: None })
    }
}

/// A bound QUIC endpoint (and, on hubs, an HTTP endpoint).
#[derive(Debug, Clone)]
pub struct Net {
    endpoint: Endpoint,
    http: http::HttpSide,
}

impl Net {
    /// Binds on `listen` with the node's transport secret key.
    pub async fn bind(secret: [u8; 32], listen: SocketAddr) -> Result<Net, NetError> {
        let bind_err = |e: &dyn fmt::Display| NetError::Bind(listen.to_string(), e.to_string());
        let builder = Endpoint::builder(presets::Minimal)
            .secret_key(SecretKey::from_bytes(&secret))
            .alpns(vec![ALPN.to_vec()])
            .relay_mode(RelayMode::Disabled)
            .clear_address_lookup()
            .bind_addr(listen)
            .map_err(|e| bind_err(&e))?;
        let endpoint = builder.bind().await.map_err(|e| bind_err(&e))?;
        let id = *endpoint.id().as_bytes();
        Ok(Net { endpoint, http: http::HttpSide::new(id) })
    }

    /// This endpoint's id.
    pub fn id(&self) -> [u8; 32] {
        *self.endpoint.id().as_bytes()
    }

    /// The address peers can dial: the bound sockets (an unspecified address becomes
    /// loopback; give peers your LAN or public address with the same port).
    pub fn addr(&self) -> PeerAddr {
        let addrs = self
            .endpoint
            .bound_sockets()
            .into_iter()
            .map(|mut a| {
                if a.ip().is_unspecified() {
                    a.set_ip(if a.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
                }
                a
            })
            .filter(|a| a.is_ipv4())
            .collect();
        PeerAddr { id: self.id(), addrs, url: None }
    }

    /// Also answers sync sessions over HTTP on `listen` (TCP): for hubs, for members whose
    /// networks block UDP. Returns the bound address.
    pub async fn serve_http(&self, listen: SocketAddr) -> Result<SocketAddr, NetError> {
        self.http.serve(listen).await
    }

    /// Connects to a peer and opens the session stream.
    pub async fn connect(&self, peer: &PeerAddr) -> Result<Channel, NetError> {
        if let Some(url) = &peer.url {
            return self.http.connect(url, peer.id).await;
        }
        let err = |e: &dyn fmt::Display| NetError::Connect(peer.to_string(), e.to_string());
        let id = PublicKey::from_bytes(&peer.id).map_err(|e| err(&e))?;
        let addr = EndpointAddr::from_parts(id, peer.addrs.iter().map(|a| TransportAddr::Ip(*a)));
        let conn = tokio::time::timeout(FRAME_TIMEOUT, self.endpoint.connect(addr, ALPN))
            .await
            .map_err(|_| NetError::Timeout)?
            .map_err(|e| err(&e))?;
        let (send, recv) = conn.open_bi().await.map_err(|e| err(&e))?;
        Ok(Channel { remote: peer.id, local: self.id(), peer_ip: None, inner: Inner::Quic { conn, send, recv } })
    }

    /// Waits for the next peer to try to connect. `None` once closed. The handshake and the
    /// session stream are awaited by [`Accepting::channel`], so a slow peer does not hold up
    /// the accept loop.
    pub async fn accept(&self) -> Option<Accepting> {
        tokio::select! {
            incoming = self.endpoint.accept() => {
                incoming.map(|incoming| Accepting(Attempt::Quic { incoming: Box::new(incoming), local: self.id() }))
            }
            Some(ch) = self.http.next() => Some(Accepting(Attempt::Ready(Box::new(ch)))),
        }
    }

    pub async fn close(&self) {
        self.http.close();
        self.endpoint.close().await;
    }
}

/// A connection attempt, not yet handshaken.
#[derive(Debug)]
pub struct Accepting(Attempt);

#[derive(Debug)]
enum Attempt {
    Quic {
        incoming: Box<iroh::endpoint::Incoming>,
        local: [u8; 32],
    },
    /// An HTTP session: the handshake is the HTTP request that opened it.
    Ready(Box<Channel>),
}

impl Accepting {
    /// Completes the handshake and waits for the peer's session stream.
    pub async fn channel(self) -> Result<Channel, NetError> {
        let (incoming, local) = match self.0 {
            Attempt::Ready(ch) => return Ok(*ch),
            Attempt::Quic { incoming, local } => (incoming, local),
        };
        let peer_ip = match incoming.remote_addr() {
            iroh::endpoint::IncomingAddr::Ip(a) => Some(a.ip()),
            _ => None,
        };
        tokio::time::timeout(FRAME_TIMEOUT, async {
            let conn = (*incoming).await.map_err(|e| NetError::Connection(e.to_string()))?;
            let remote = *conn.remote_id().as_bytes();
            let (send, recv) = conn.accept_bi().await.map_err(|e| NetError::Connection(e.to_string()))?;
            Ok(Channel { remote, local, peer_ip, inner: Inner::Quic { conn, send, recv } })
        })
        .await
        .map_err(|_| NetError::Timeout)?
    }

    /// Turns the attempt away without a handshake (the node is at its session limit).
    pub fn refuse(self) {
        match self.0 {
            Attempt::Quic { incoming, .. } => incoming.refuse(),
            Attempt::Ready(ch) => drop(ch),
        }
    }
}

/// One session's stream to one peer. `remote` and `local` are what membership proofs bind:
/// over QUIC the endpoint ids TLS authenticated; over HTTP the hub's id (pinned in the
/// address) and the session token the hub issued (single use).
#[derive(Debug)]
pub struct Channel {
    pub remote: [u8; 32],
    pub local: [u8; 32],
    /// On the answering side: the IP address the peer connects from (for rate limits). Behind
    /// a reverse proxy, the proxy's.
    pub peer_ip: Option<std::net::IpAddr>,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Quic { conn: Connection, send: SendStream, recv: RecvStream },
    HttpClient(http::ClientSession),
    HttpServer(http::ServerSession),
}

impl Channel {
    pub async fn send(&mut self, frame: &[u8]) -> Result<(), NetError> {
        if frame.len() > MAX_FRAME {
            return Err(NetError::FrameTooLarge(frame.len()));
        }
        match &mut self.inner {
            Inner::Quic { send, .. } => {
                let len = u32::try_from(frame.len()).map_err(|_| NetError::FrameTooLarge(frame.len()))?;
                send.write_all(&len.to_be_bytes()).await.map_err(|e| NetError::Connection(e.to_string()))?;
                send.write_all(frame).await.map_err(|e| NetError::Connection(e.to_string()))?;
                Ok(())
            }
            Inner::HttpClient(c) => c.send(frame),
            Inner::HttpServer(s) => s.send(frame),
        }
    }

    /// The next frame; refuses oversized frames before reading them.
    pub async fn recv(&mut self) -> Result<Vec<u8>, NetError> {
        match &mut self.inner {
            Inner::Quic { recv, .. } => tokio::time::timeout(FRAME_TIMEOUT, async {
                let mut len = [0u8; 4];
                recv.read_exact(&mut len).await.map_err(|_| NetError::Closed)?;
                let len = u32::from_be_bytes(len) as usize;
                if len > MAX_FRAME {
                    return Err(NetError::FrameTooLarge(len));
                }
                let mut frame = vec![0u8; len];
                recv.read_exact(&mut frame).await.map_err(|_| NetError::Closed)?;
                Ok(frame)
            })
            .await
            .map_err(|_| NetError::Timeout)?,
            Inner::HttpClient(c) => c.recv().await,
            Inner::HttpServer(s) => s.recv().await,
        }
    }

    /// Finishes the stream and waits (briefly) for the peer to read it.
    pub async fn finish(self) {
        match self.inner {
            Inner::Quic { conn, mut send, .. } => {
                let _ = send.finish();
                let _ = tokio::time::timeout(Duration::from_secs(5), send.stopped()).await;
                conn.close(0u32.into(), b"done");
            }
            Inner::HttpClient(c) => c.finish().await,
            Inner::HttpServer(s) => s.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_and_print() {
        let id = hex::encode(SecretKey::from_bytes(&[1; 32]).public().as_bytes());
        let quic: PeerAddr = format!("{id}@127.0.0.1:7474,10.0.0.2:7474").parse().unwrap();
        assert_eq!(quic.addrs.len(), 2);
        assert_eq!(quic.to_string(), format!("{id}@127.0.0.1:7474,10.0.0.2:7474"));
        let http: PeerAddr = format!("{id}@https://hub.example.org/sync/").parse().unwrap();
        assert_eq!(http.url.as_deref(), Some("https://hub.example.org/sync"));
        assert_eq!(http.to_string(), format!("{id}@https://hub.example.org/sync"));
        for bad in ["", "abc@127.0.0.1:1", &format!("{id}@"), &format!("{id}@http://"), &format!("{id}@nonsense")] {
            assert!(bad.parse::<PeerAddr>().is_err(), "{bad}");
        }
    }

    /// A frame header announcing a gigabyte is refused before anything is allocated for it,
    /// and the endpoint goes on accepting.
    #[tokio::test]
    async fn an_oversized_frame_is_refused_unread() {
        let server = Net::bind([1; 32], "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let client = Net::bind([2; 32], "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = server.addr();
        let accept = {
            let server = server.clone();
            tokio::spawn(async move {
                let mut ch = server.accept().await.unwrap().channel().await.unwrap();
                let first = ch.recv().await;
                let mut ch = server.accept().await.unwrap().channel().await.unwrap();
                let second = ch.recv().await.unwrap();
                (first, second)
            })
        };
        let mut ch = client.connect(&addr).await.unwrap();
        let Inner::Quic { send, .. } = &mut ch.inner else { unreachable!() };
        send.write_all(&(1u32 << 30).to_be_bytes()).await.unwrap();
        send.write_all(b"not really a gigabyte").await.unwrap();
        assert!(ch.send(&vec![0; MAX_FRAME + 1]).await.is_err(), "nor will a sender send one");
        let mut again = client.connect(&addr).await.unwrap();
        again.send(b"fine").await.unwrap();
        let (first, second) = accept.await.unwrap();
        assert!(matches!(first, Err(NetError::FrameTooLarge(n)) if n == 1 << 30));
        assert_eq!(second, b"fine");
        client.close().await;
        server.close().await;
    }
}
