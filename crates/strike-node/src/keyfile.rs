//! The key file: the node's root keys and the database key, wrapped under a passphrase.
//!
//! ```text
//! "OSKEYFIL" | version u8 = 1 | m_cost u32 | t_cost u32 | p_cost u32 | salt 16 | nonce 24
//! | ct_len u32 | XChaCha20-Poly1305(argon2id(passphrase, salt), aad = all bytes before nonce,
//!                                    node signing seed 32 | node agreement secret 32 | database key 32)
//! ```
//! The Argon2id parameters are authenticated as associated data, so nobody without the
//! passphrase can lower them. Destroying this file (`wipe`) makes the database unreadable.

use std::fs;
use std::io::Write;
use std::path::Path;

use strike_crypto::{AgreementSecret, KdfParams, NONCE_LEN, SigningSecret, SymmetricKey, derive_passphrase_key};
use zeroize::Zeroizing;

use crate::NodeError;

const MAGIC: &[u8; 8] = b"OSKEYFIL";
const VERSION: u8 = 1;
const SECRET_LEN: usize = 96;
const AAD_LEN: usize = 8 + 1 + 12 + 16;
/// Size of every key file this version writes: header, nonce, length, ciphertext with tag.
pub const KEYFILE_LEN: usize = AAD_LEN + NONCE_LEN + 4 + SECRET_LEN + strike_crypto::TAG_LEN;

/// The secrets a key file protects.
pub struct Secrets {
    pub node_signing: SigningSecret,
    pub node_agreement: AgreementSecret,
    pub db_key: SymmetricKey,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets([redacted])")
    }
}

impl Secrets {
    pub fn generate<R: rand::CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Secrets {
            node_signing: SigningSecret::generate(rng),
            node_agreement: AgreementSecret::generate(rng),
            db_key: SymmetricKey::generate(rng),
        }
    }
}

/// Wraps `secrets` under `passphrase` with fresh salt and nonce.
pub fn seal<R: rand::CryptoRng + ?Sized>(
    secrets: &Secrets,
    passphrase: &[u8],
    params: KdfParams,
    rng: &mut R,
) -> Result<Vec<u8>, NodeError> {
    let salt: [u8; 16] = strike_crypto::random_bytes(rng);
    let nonce: [u8; NONCE_LEN] = strike_crypto::random_bytes(rng);
    let key = derive_passphrase_key(passphrase, &salt, params)?;
    let mut out = Vec::with_capacity(KEYFILE_LEN);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    for v in [params.m_cost_kib, params.t_cost, params.p_cost] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&salt);
    let mut plain = Zeroizing::new(Vec::with_capacity(SECRET_LEN));
    plain.extend_from_slice(&*secrets.node_signing.seed());
    plain.extend_from_slice(&*secrets.node_agreement.to_bytes());
    plain.extend_from_slice(secrets.db_key.expose());
    let ct = key.seal(&nonce, &out, &plain);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&(ct.len() as u32).to_be_bytes());
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Unwraps a key file; also returns the parameters it was wrapped with. A wrong passphrase
/// and an altered ciphertext, salt or parameter are the same error (the AEAD cannot tell
/// them apart); a file that is not a key file at all, is cut short or claims parameters below
/// the floor is reported as damaged.
pub fn open(bytes: &[u8], passphrase: &[u8]) -> Result<(Secrets, KdfParams), NodeError> {
    let corrupt = |why: &str| NodeError::CorruptKeyFile(why.to_owned());
    if bytes.len() != KEYFILE_LEN || &bytes[..8] != MAGIC {
        return Err(corrupt("not an Open Strike key file"));
    }
    if bytes[8] != VERSION {
        return Err(corrupt("unsupported key file version"));
    }
    let word = |i: usize| u32::from_be_bytes(bytes[9 + 4 * i..13 + 4 * i].try_into().expect("4 bytes"));
    let params = KdfParams { m_cost_kib: word(0), t_cost: word(1), p_cost: word(2) };
    if !params.meets_minimum() {
        return Err(corrupt("key-derivation parameters below the minimum"));
    }
    let ct_len = u32::from_be_bytes(bytes[AAD_LEN + NONCE_LEN..AAD_LEN + NONCE_LEN + 4].try_into().expect("4 bytes"));
    if ct_len as usize != SECRET_LEN + strike_crypto::TAG_LEN {
        return Err(corrupt("wrong ciphertext length"));
    }
    let salt: [u8; 16] = bytes[21..37].try_into().expect("16 bytes");
    let nonce: [u8; NONCE_LEN] = bytes[AAD_LEN..AAD_LEN + NONCE_LEN].try_into().expect("24 bytes");
    let ct = &bytes[AAD_LEN + NONCE_LEN + 4..];
    let key = derive_passphrase_key(passphrase, &salt, params)?;
    let plain = Zeroizing::new(key.open(&nonce, &bytes[..AAD_LEN], ct).map_err(|_| NodeError::WrongPassphrase)?);
    let part = |i: usize| -> [u8; 32] { plain[32 * i..32 * (i + 1)].try_into().expect("32 bytes") };
    let secrets = Secrets {
        node_signing: SigningSecret::from_seed(&part(0)),
        node_agreement: AgreementSecret::from_bytes(part(1)),
        db_key: SymmetricKey::from_bytes(part(2)),
    };
    Ok((secrets, params))
}

/// Writes `bytes` to `path` atomically: temp file, fsync, rename, fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = path.with_extension("tmp");
    {
        let mut f = fs::OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
        restrict_permissions(&f)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    fs::File::open(dir)?.sync_all()
}

#[cfg(unix)]
fn restrict_permissions(f: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_permissions(_f: &fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_wrong_passphrase() {
        let mut rng = rand::rng();
        let secrets = Secrets::generate(&mut rng);
        let bytes = seal(&secrets, b"right", KdfParams::MINIMUM, &mut rng).unwrap();
        assert_eq!(bytes.len(), KEYFILE_LEN);
        let (opened, params) = open(&bytes, b"right").unwrap();
        assert_eq!(params, KdfParams::MINIMUM);
        assert_eq!(opened.db_key.expose(), secrets.db_key.expose());
        assert_eq!(opened.node_signing.public(), secrets.node_signing.public());
        assert!(matches!(open(&bytes, b"wrong"), Err(NodeError::WrongPassphrase)));
    }

    #[test]
    fn layout_matches_the_protocol_document() {
        assert_eq!(KEYFILE_LEN, 177);
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
        assert!(doc.contains(&format!("{KEYFILE_LEN} bytes")), "docs/protocol.md states the key file size");
        assert!(doc.contains(&format!("ct_len u32 (={})", SECRET_LEN + strike_crypto::TAG_LEN)));
    }

    #[test]
    fn parameters_cannot_be_lowered() {
        let mut rng = rand::rng();
        let secrets = Secrets::generate(&mut rng);
        let mut bytes = seal(&secrets, b"pw", KdfParams::MINIMUM, &mut rng).unwrap();
        // Raising t_cost by one changes the associated data: the file no longer opens.
        bytes[9 + 4 + 3] += 1;
        assert!(matches!(open(&bytes, b"pw"), Err(NodeError::WrongPassphrase)));
        // A length that is not the one length is damage, found before any work.
        let mut bad_len = seal(&secrets, b"pw", KdfParams::MINIMUM, &mut rng).unwrap();
        bad_len[AAD_LEN + NONCE_LEN + 3] ^= 1;
        assert!(matches!(open(&bad_len, b"pw"), Err(NodeError::CorruptKeyFile(_))));
        // Lowering memory below the floor is refused before any work is done.
        bytes[9..13].copy_from_slice(&1024u32.to_be_bytes());
        assert!(matches!(open(&bytes, b"pw"), Err(NodeError::CorruptKeyFile(_))));
    }
}
