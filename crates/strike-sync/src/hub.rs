//! Hub grants: what lets an always-on hub store and forward one network's ciphertext, and
//! what lets a member in at the hub (`docs/protocol.md`, "Hubs").
//!
//! A hub holds no keys and cannot read the network's log, so it cannot tell a member from a
//! stranger by itself. It trusts exactly one key per network: the founder's, which the network
//! id commits to (`network_id(founder, salt)`). The founder signs a grant naming the hub's
//! endpoint id and one or more *access keys*; an access key is derived from an epoch key, so
//! every member who holds that epoch key can prove access and nobody else can. After a
//! removal rotates the epoch key, the founder's node re-issues the grant for the new epoch
//! (the previous access key stays valid for a grace period, for members who were offline
//! during the rotation and fetch the key update from the hub).

use serde::{Deserialize, Serialize};
use strike_core::NetworkId;
use strike_crypto::{SigningPublic, SigningSecret, SymmetricKey};

/// Domain-separation label of a grant's signature.
pub const GRANT_LABEL: &[u8] = b"openstrike/hub-grant/v1";
/// Domain-separation label of an access proof (signed with an access key).
pub const ACCESS_LABEL: &[u8] = b"openstrike/hub-access/v1";
/// Key-derivation context of access keys.
pub const ACCESS_CONTEXT: &str = "openstrike 2026 hub access key v1";
/// Grants larger than this are refused unread.
pub const MAX_GRANT_LEN: usize = 2048;
/// A grant lists at most this many access keys.
pub const MAX_ACCESS_KEYS: usize = 4;
/// Prefix of a grant written as text (for `openstrike hub allow`).
pub const GRANT_TEXT_PREFIX: &str = "openstrike-hub-grant:";

/// A ticket lists at most this many removed joiners.
pub const MAX_TICKET_REMOVED: usize = 16;
/// Largest encoded ticket.
pub const MAX_TICKET_LEN: usize = 96 + MAX_TICKET_REMOVED * 35;

/// A member's node tells a hub about one live invite of the network, so that the hub can let
/// the invite's joiners into restricted sessions (`docs/protocol.md`, "Joining over the
/// network"). It carries nothing secret: the invite's public id and the public half of its
/// access key. The hub checks a joiner's proof against `key`, refuses after `expires` and
/// once `uses` distinct joiners came in, and refuses the joiners in `removed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteTicket {
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub invite: [u8; 16],
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub key: [u8; 32],
    /// Coarse minutes (the invite's own expiry).
    pub expires: Option<u32>,
    pub uses: u16,
    /// Joiners of this invite the network turned down or removed.
    #[serde(with = "strike_core::bytes::bytes_array_list")]
    pub removed: Vec<[u8; 32]>,
}

/// One access key: members holding `epoch`'s key derive its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    pub epoch: u32,
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub public: [u8; 32],
    /// Unix seconds after which this key no longer opens the hub; `None`: as long as the grant.
    pub until: Option<u64>,
}

/// What the founder signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantBody {
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub network: [u8; 32],
    /// The founder's author key and the genesis salt: the hub checks the network id from them.
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub founder: [u8; 32],
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub salt: [u8; 16],
    /// The hub's endpoint id: a grant opens one hub only.
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub hub: [u8; 32],
    /// Unix seconds; a hub keeps the grant with the highest `issued` and ignores older ones.
    pub issued: u64,
    /// Unix seconds after which the hub stops serving the network.
    pub expires: u64,
    pub access: Vec<AccessKey>,
}

/// A signed grant: the CBOR of a [`GrantBody`] and the founder's signature over those bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    #[serde(with = "strike_core::bytes::bytes_vec")]
    pub body: Vec<u8>,
    #[serde(with = "strike_core::bytes::bytes_array")]
    pub signature: [u8; 64],
}

/// Why a grant does not open a hub.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("not a hub grant")]
    Malformed,
    #[error("the grant's founder and salt do not give its network id")]
    WrongNetwork,
    #[error("the grant is not signed by the network's founder")]
    BadSignature,
    #[error("the grant is for another hub")]
    OtherHub,
    #[error("the grant has expired")]
    Expired,
}

/// The access key members derive from an epoch key.
pub fn access_secret(network: &NetworkId, epoch_key: &SymmetricKey) -> SigningSecret {
    let mut material = zeroize::Zeroizing::new([0u8; 64]);
    material[..32].copy_from_slice(&network.0);
    material[32..].copy_from_slice(epoch_key.expose());
    let seed = zeroize::Zeroizing::new(strike_crypto::derive(ACCESS_CONTEXT, &material[..]));
    SigningSecret::from_seed(&seed)
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("writing CBOR into a Vec cannot fail");
    out
}

impl Grant {
    /// Signs `body` with the founder's author key.
    pub fn sign(body: &GrantBody, founder: &SigningSecret) -> Grant {
        let body = encode(body);
        let signature = founder.sign(GRANT_LABEL, &body);
        Grant { body, signature }
    }

    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Grant, GrantError> {
        if bytes.len() > MAX_GRANT_LEN {
            return Err(GrantError::Malformed);
        }
        ciborium::de::from_reader_with_recursion_limit(bytes, 4).map_err(|_| GrantError::Malformed)
    }

    /// `openstrike-hub-grant:HEX`
    pub fn to_text(&self) -> String {
        format!("{GRANT_TEXT_PREFIX}{}", hex::encode(self.encode()))
    }

    pub fn from_text(text: &str) -> Result<Grant, GrantError> {
        let hex_part = text.trim().strip_prefix(GRANT_TEXT_PREFIX).ok_or(GrantError::Malformed)?;
        Grant::decode(&hex::decode(hex_part).map_err(|_| GrantError::Malformed)?)
    }

    /// Checks everything a hub can check without the network's keys, and returns the body:
    /// the network id follows from the founder and salt, the founder signed it, it names
    /// `hub`, and it has not expired at `now`.
    pub fn verify(&self, hub: &[u8; 32], now: u64) -> Result<GrantBody, GrantError> {
        let body: GrantBody =
            ciborium::de::from_reader_with_recursion_limit(&self.body[..], 4).map_err(|_| GrantError::Malformed)?;
        if body.access.len() > MAX_ACCESS_KEYS {
            return Err(GrantError::Malformed);
        }
        let founder = strike_core::AuthorId(body.founder);
        if strike_core::membership::network_id(&founder, &body.salt).0 != body.network {
            return Err(GrantError::WrongNetwork);
        }
        SigningPublic(body.founder)
            .verify(GRANT_LABEL, &self.body, &self.signature)
            .map_err(|_| GrantError::BadSignature)?;
        if &body.hub != hub {
            return Err(GrantError::OtherHub);
        }
        if now >= body.expires {
            return Err(GrantError::Expired);
        }
        Ok(body)
    }
}

impl GrantBody {
    /// Whether `signature` proves the access key for `epoch` over `proof` at `now`.
    pub fn admits(&self, epoch: u32, proof: &[u8], signature: &[u8; 64], now: u64) -> bool {
        self.access.iter().any(|k| {
            k.epoch == epoch
                && k.until.is_none_or(|until| now < until)
                && SigningPublic(k.public).verify(ACCESS_LABEL, proof, signature).is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn founder() -> (SigningSecret, [u8; 16], NetworkId) {
        let secret = SigningSecret::from_seed(&[7; 32]);
        let salt = [3; 16];
        let network = strike_core::membership::network_id(&strike_core::AuthorId(secret.public().0), &salt);
        (secret, salt, network)
    }

    fn body(network: NetworkId, founder: &SigningSecret, salt: [u8; 16], key: &SymmetricKey) -> GrantBody {
        GrantBody {
            network: network.0,
            founder: founder.public().0,
            salt,
            hub: [9; 32],
            issued: 100,
            expires: 1_000,
            access: vec![AccessKey { epoch: 0, public: access_secret(&network, key).public().0, until: None }],
        }
    }

    #[test]
    fn a_founders_grant_verifies_and_admits_holders_of_the_epoch_key() {
        let (secret, salt, network) = founder();
        let key = SymmetricKey::from_bytes([5; 32]);
        let grant = Grant::sign(&body(network, &secret, salt, &key), &secret);
        let decoded = Grant::from_text(&grant.to_text()).unwrap();
        let body = decoded.verify(&[9; 32], 500).unwrap();
        let proof = b"proof";
        let sig = access_secret(&network, &key).sign(ACCESS_LABEL, proof);
        assert!(body.admits(0, proof, &sig, 500));
        assert!(!body.admits(1, proof, &sig, 500), "another epoch");
        let other = access_secret(&network, &SymmetricKey::from_bytes([6; 32])).sign(ACCESS_LABEL, proof);
        assert!(!body.admits(0, proof, &other, 500), "another key");
        assert_eq!(decoded.verify(&[8; 32], 500), Err(GrantError::OtherHub));
        assert_eq!(decoded.verify(&[9; 32], 1_000), Err(GrantError::Expired));
    }

    #[test]
    fn anyone_but_the_founder_cannot_grant() {
        let (secret, salt, network) = founder();
        let key = SymmetricKey::from_bytes([5; 32]);
        let mallory = SigningSecret::from_seed(&[8; 32]);
        // Signed by someone else over the founder's claim.
        let forged = Grant::sign(&body(network, &secret, salt, &key), &mallory);
        assert_eq!(forged.verify(&[9; 32], 500), Err(GrantError::BadSignature));
        // Mallory as "founder" of the real network id: the derivation does not match.
        let mut claim = body(network, &secret, salt, &key);
        claim.founder = mallory.public().0;
        assert_eq!(Grant::sign(&claim, &mallory).verify(&[9; 32], 500), Err(GrantError::WrongNetwork));
        // A tampered body.
        let mut grant = Grant::sign(&body(network, &secret, salt, &key), &secret);
        let last = grant.body.len() - 1;
        grant.body[last] ^= 1;
        assert!(grant.verify(&[9; 32], 500).is_err());
        assert!(Grant::decode(&[0xff; 10]).is_err());
        assert!(Grant::from_text("openstrike-hub-grant:zz").is_err());
    }

    #[test]
    fn an_access_key_expires() {
        let (secret, salt, network) = founder();
        let key = SymmetricKey::from_bytes([5; 32]);
        let mut b = body(network, &secret, salt, &key);
        b.access[0].until = Some(200);
        let sig = access_secret(&network, &key).sign(ACCESS_LABEL, b"p");
        assert!(b.admits(0, b"p", &sig, 199));
        assert!(!b.admits(0, b"p", &sig, 200));
    }
}

#[cfg(test)]
mod vectors {
    use super::*;

    /// The grant of `docs/protocol.md` ("Hubs"): founder seed 07*32, salt 03*16, hub 09*32,
    /// issued 1,800,000,000, expires 1,900,000,000, one access key from epoch key 05*32.
    pub(super) fn frozen() -> (Grant, SigningSecret) {
        let founder = SigningSecret::from_seed(&[7; 32]);
        let salt = [3; 16];
        let network = strike_core::membership::network_id(&strike_core::AuthorId(founder.public().0), &salt);
        let access = access_secret(&network, &SymmetricKey::from_bytes([5; 32]));
        let body = GrantBody {
            network: network.0,
            founder: founder.public().0,
            salt,
            hub: [9; 32],
            issued: 1_800_000_000,
            expires: 1_900_000_000,
            access: vec![AccessKey { epoch: 0, public: access.public().0, until: None }],
        };
        (Grant::sign(&body, &founder), access)
    }

    const GRANT_HEX: &str = include_str!("hub_grant_vector.hex");

    #[test]
    fn the_grant_encoding_is_frozen_and_documented() {
        let (grant, access) = frozen();
        let hex = hex::encode(grant.encode());
        if std::env::var_os("PRINT_VECTORS").is_some() {
            println!("grant {hex}\naccess public {}", hex::encode(access.public().0));
        }
        assert_eq!(hex, GRANT_HEX.trim(), "the grant encoding changed: a protocol change");
        assert!(grant.verify(&[9; 32], 1_850_000_000).is_ok());
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
        let squeezed: String = doc.split_whitespace().collect();
        assert!(squeezed.contains(GRANT_HEX.trim()), "docs/protocol.md is missing the grant vector");
        assert!(doc.contains(&hex::encode(access.public().0)), "docs/protocol.md is missing the access key");
        assert!(doc.contains(ACCESS_CONTEXT) && doc.contains("openstrike/hub-grant/v1"));
    }
}
