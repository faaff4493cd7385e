//! File checksums and their signature in formats that standard tools check: SHA-256 as
//! `sha256sum` prints it, and OpenSSH's SSHSIG (`PROTOCOL.sshsig`) over Ed25519, which
//! `ssh-keygen -Y verify` checks. A kit on a USB stick can then be checked on any machine
//! without trusting the program it carries.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha512};

use crate::{CryptoError, SIGNATURE_LEN, SigningPublic, SigningSecret};

const MAGIC: &[u8] = b"SSHSIG";
const VERSION: u32 = 1;
const KEY_TYPE: &str = "ssh-ed25519";
const HASH: &str = "sha512";
const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const END: &str = "-----END SSH SIGNATURE-----";

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 of `bytes` in standard base64 (a Content-Security-Policy `'sha256-...'` source).
pub fn sha256_base64(bytes: &[u8]) -> String {
    STANDARD.encode(sha256(bytes))
}

/// SHA-256 of a file, read in pieces (a kit's binary is tens of megabytes).
pub fn sha256_reader(mut reader: impl std::io::Read) -> std::io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buf[..n]);
    }
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn key_blob(public: &SigningPublic) -> Vec<u8> {
    let mut blob = Vec::with_capacity(51);
    put_string(&mut blob, KEY_TYPE.as_bytes());
    put_string(&mut blob, &public.0);
    blob
}

/// The key as a line of OpenSSH's `allowed_signers` or `authorized_keys`: `ssh-ed25519 AAAA...`.
pub fn public_line(public: &SigningPublic) -> String {
    format!("{KEY_TYPE} {}", STANDARD.encode(key_blob(public)))
}

/// The key's fingerprint as `ssh-keygen -l` prints it: `SHA256:` and unpadded base64.
pub fn fingerprint(public: &SigningPublic) -> String {
    format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(sha256(&key_blob(public))))
}

/// Reads `ssh-ed25519 AAAA... [comment]` back into the key.
pub fn parse_public_line(line: &str) -> Result<SigningPublic, CryptoError> {
    let mut words = line.split_whitespace();
    let (Some(KEY_TYPE), Some(b64)) = (words.next(), words.next()) else {
        return Err(CryptoError::BadPublicKey);
    };
    let blob = STANDARD.decode(b64).map_err(|_| CryptoError::BadPublicKey)?;
    let mut r = Reader(&blob);
    if r.string()? != KEY_TYPE.as_bytes() {
        return Err(CryptoError::BadPublicKey);
    }
    let key: [u8; 32] = r.string()?.try_into().map_err(|_| CryptoError::BadPublicKey)?;
    r.end()?;
    let public = SigningPublic(key);
    public.prepare()?;
    Ok(public)
}

/// What is signed: the SSHSIG frame around the namespace and the message's SHA-512.
fn signed_data(namespace: &str, message: &[u8]) -> Vec<u8> {
    let mut data = MAGIC.to_vec();
    put_string(&mut data, namespace.as_bytes());
    put_string(&mut data, b"");
    put_string(&mut data, HASH.as_bytes());
    put_string(&mut data, &Sha512::digest(message));
    data
}

/// Signs `message` for `namespace` (`ssh-keygen -Y sign -n NAMESPACE`), armored as
/// `ssh-keygen` writes a `.sig` file. Ed25519 is deterministic: the same key and message
/// always give the same signature.
pub fn sign(secret: &SigningSecret, namespace: &str, message: &[u8]) -> String {
    let signature = secret.sign_unframed(&signed_data(namespace, message));
    let mut sig_blob = Vec::with_capacity(83);
    put_string(&mut sig_blob, KEY_TYPE.as_bytes());
    put_string(&mut sig_blob, &signature);
    let mut blob = MAGIC.to_vec();
    blob.extend_from_slice(&VERSION.to_be_bytes());
    put_string(&mut blob, &key_blob(&secret.public()));
    put_string(&mut blob, namespace.as_bytes());
    put_string(&mut blob, b"");
    put_string(&mut blob, HASH.as_bytes());
    put_string(&mut blob, &sig_blob);
    let b64 = STANDARD.encode(blob);
    let mut out = format!("{BEGIN}\n");
    for line in b64.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// Checks an armored SSHSIG over `message` for `namespace`; returns the key that signed it
/// (the caller decides whether it trusts that key).
pub fn verify(armored: &str, namespace: &str, message: &[u8]) -> Result<SigningPublic, CryptoError> {
    let inner =
        armored.trim().strip_prefix(BEGIN).and_then(|s| s.strip_suffix(END)).ok_or(CryptoError::BadSignature)?;
    let b64: String = inner.chars().filter(|c| !c.is_whitespace()).collect();
    let blob = STANDARD.decode(b64).map_err(|_| CryptoError::BadSignature)?;
    let mut r = Reader(&blob);
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != VERSION {
        return Err(CryptoError::BadSignature);
    }
    let mut key = Reader(r.string()?);
    if key.string()? != KEY_TYPE.as_bytes() {
        return Err(CryptoError::BadPublicKey);
    }
    let public = SigningPublic(key.string()?.try_into().map_err(|_| CryptoError::BadPublicKey)?);
    key.end()?;
    if r.string()? != namespace.as_bytes() {
        return Err(CryptoError::BadSignature);
    }
    let _reserved = r.string()?;
    if r.string()? != HASH.as_bytes() {
        return Err(CryptoError::BadSignature);
    }
    let mut sig = Reader(r.string()?);
    if sig.string()? != KEY_TYPE.as_bytes() {
        return Err(CryptoError::BadSignature);
    }
    let signature: [u8; SIGNATURE_LEN] = sig.string()?.try_into().map_err(|_| CryptoError::BadSignature)?;
    sig.end()?;
    r.end()?;
    public.verify_unframed(&signed_data(namespace, message), &signature)?;
    Ok(public)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CryptoError> {
        if self.0.len() < n {
            return Err(CryptoError::BadSignature);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, CryptoError> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| CryptoError::BadSignature)?;
        Ok(u32::from_be_bytes(b))
    }

    fn string(&mut self) -> Result<&'a [u8], CryptoError> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    fn end(&self) -> Result<(), CryptoError> {
        if self.0.is_empty() { Ok(()) } else { Err(CryptoError::BadSignature) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_answer() {
        assert_eq!(hex::encode(sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha256_reader(&b"abc"[..]).unwrap(), sha256(b"abc"));
    }

    #[test]
    fn a_signature_verifies_and_nothing_altered_does() {
        let secret = SigningSecret::from_seed(&[7; 32]);
        let sums = b"ba78...  openstrike\n";
        let armored = sign(&secret, "openstrike-kit", sums);
        assert!(armored.starts_with(BEGIN) && armored.trim_end().ends_with(END));
        assert!(armored.lines().all(|l| l.len() <= 70));
        assert_eq!(verify(&armored, "openstrike-kit", sums).unwrap(), secret.public());
        assert_eq!(sign(&secret, "openstrike-kit", sums), armored, "deterministic");
        // Another message, another namespace, a flipped character: refused.
        assert!(verify(&armored, "openstrike-kit", b"ba79...  openstrike\n").is_err());
        assert!(verify(&armored, "file", sums).is_err());
        let mut bytes = armored.clone().into_bytes();
        bytes[60] = if bytes[60] == b'A' { b'B' } else { b'A' };
        assert!(verify(std::str::from_utf8(&bytes).unwrap(), "openstrike-kit", sums).is_err());
        let line = public_line(&secret.public());
        assert!(line.starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"));
        assert_eq!(parse_public_line(&format!("{line} kit")).unwrap(), secret.public());
        assert!(parse_public_line("ssh-rsa AAAA").is_err());
    }
}

#[cfg(test)]
mod vector {
    use super::*;

    /// The kit signature vector of `docs/protocol.md` ("Kits"): the RFC 8032 TEST 1 key signs
    /// a one-line `SHA256SUMS`.
    #[test]
    fn the_kit_signature_vector_is_the_documented_one() {
        let seed: [u8; 32] = hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
            .unwrap()
            .try_into()
            .unwrap();
        let secret = SigningSecret::from_seed(&seed);
        let sums = format!("{}  abc.txt\n", hex::encode(sha256(b"abc")));
        let armored = sign(&secret, "openstrike-kit", sums.as_bytes());
        let fp = fingerprint(&secret.public());
        if std::env::var_os("PRINT_VECTORS").is_some() {
            println!("{}\n{armored}{fp}", public_line(&secret.public()));
        }
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
        assert!(doc.contains(&armored), "docs/protocol.md is missing the kit signature vector");
        assert!(doc.contains(&fp) && doc.contains(&public_line(&secret.public())));
    }
}
