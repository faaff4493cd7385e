//! Bundle files: every op of one network, age-encrypted, in hashed chunks.
//!
//! ```text
//! age( "OSBUNDLE" | version u8 = 1 | network 32 | created u64
//!      | chunk*  where chunk = 'C' | index u32 | n_ops u32 | len u32 | payload len | hash 32
//!                      payload = (op_len u32 | op)*,  hash = BLAKE3-derive(CHUNK_CONTEXT, index | n_ops | len | payload)
//!      | 'E' | n_chunks u32 | n_ops u64 | digest 32 )  digest = BLAKE3-derive(END_CONTEXT, chunk hashes...)
//! ```
//! A reader verifies each chunk before handing out its ops; importers read the whole bundle
//! once to verify it and only then apply it, so nothing from a damaged bundle is applied.

use std::io::{self, Read, Write};

use age::secrecy::SecretString;
use strike_core::NetworkId;
use strike_core::envelope::MAX_OP_LEN;

const MAGIC: &[u8; 8] = b"OSBUNDLE";
const VERSION: u8 = 1;
const CHUNK_TAG: u8 = b'C';
const END_TAG: u8 = b'E';
const CHUNK_CONTEXT: &str = "openstrike 2026-11 bundle chunk v1";
const END_CONTEXT: &str = "openstrike 2026-11 bundle end v1";
/// Ops per chunk the writer emits: about 200 KiB of typical ops, small enough that a damaged
/// stick loses little context in the error, large enough that hashing overhead is nil.
pub const OPS_PER_CHUNK: u32 = 1024;
/// Largest chunk payload a reader accepts (a full chunk of maximum-size ops would be 64 MiB;
/// writers never get near it because they cut chunks by count and by this size).
pub const MAX_CHUNK_PAYLOAD: usize = 16 * 1024 * 1024;
/// age parses one header stanza per recipient; beyond this the header costs more than it is
/// worth and a passphrase is the better seal.
pub const MAX_RECIPIENTS: usize = 64;

/// What is wrong with a bundle. The first damaged chunk is named.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("bundle does not decrypt with any key on this node{0}")]
    NoMatchingKey(&'static str),
    #[error("wrong bundle passphrase")]
    WrongPassphrase,
    #[error("not an Open Strike bundle (or its header is damaged): {0}")]
    BadHeader(String),
    #[error("bundle chunk {index} is damaged: {reason}")]
    BadChunk { index: u32, reason: String },
    #[error("bundle is truncated: it ends inside or before chunk {index}")]
    Truncated { index: u32 },
    #[error("bundle end record does not match its chunks: {0}")]
    BadEnd(String),
    #[error("too many recipients ({0}); the limit is {MAX_RECIPIENTS}: seal the bundle with a passphrase instead")]
    TooManyRecipients(usize),
    #[error("a bundle needs at least one recipient or a passphrase")]
    NoRecipients,
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

/// How a bundle is sealed.
#[derive(Debug)]
pub enum Seal<'a> {
    /// To X25519 public keys (network members' agreement keys).
    Recipients(&'a [[u8; 32]]),
    /// To a passphrase (age's scrypt recipient).
    Passphrase(&'a str),
}

/// What an importer can open bundles with.
#[derive(Debug, Default)]
pub struct Unseal {
    /// X25519 secrets this node holds.
    pub identities: Vec<zeroize::Zeroizing<[u8; 32]>>,
    pub passphrase: Option<zeroize::Zeroizing<String>>,
}

/// Writes a bundle. Call [`BundleWriter::push`] per op, then [`BundleWriter::finish`].
pub struct BundleWriter<W: Write> {
    out: age::stream::StreamWriter<W>,
    index: u32,
    n_ops_total: u64,
    chunk: Vec<u8>,
    n_in_chunk: u32,
    end: blake3::Hasher,
}

impl<W: Write> std::fmt::Debug for BundleWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleWriter").field("index", &self.index).field("n_ops", &self.n_ops_total).finish()
    }
}

impl<W: Write> BundleWriter<W> {
    pub fn new(output: W, seal: Seal<'_>, network: &NetworkId, created_unix: u64) -> Result<Self, BundleError> {
        let encryptor = match seal {
            Seal::Passphrase(p) => {
                let mut recipient = age::scrypt::Recipient::new(SecretString::from(p.to_owned()));
                recipient.set_work_factor(SCRYPT_LOG_N);
                age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                    .expect("one scrypt recipient is a valid recipient set")
            }
            Seal::Recipients(keys) => {
                if keys.is_empty() {
                    return Err(BundleError::NoRecipients);
                }
                if keys.len() > MAX_RECIPIENTS {
                    return Err(BundleError::TooManyRecipients(keys.len()));
                }
                let recipients = keys.iter().map(recipient).collect::<Result<Vec<_>, _>>()?;
                age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                    .map_err(|e| BundleError::BadHeader(e.to_string()))?
            }
        };
        let mut out = encryptor.wrap_output(output)?;
        out.write_all(MAGIC)?;
        out.write_all(&[VERSION])?;
        out.write_all(&network.0)?;
        out.write_all(&created_unix.to_be_bytes())?;
        Ok(BundleWriter {
            out,
            index: 0,
            n_ops_total: 0,
            chunk: Vec::with_capacity(256 * 1024),
            n_in_chunk: 0,
            end: blake3::Hasher::new_derive_key(END_CONTEXT),
        })
    }

    /// Appends one encoded op.
    pub fn push(&mut self, op: &[u8]) -> io::Result<()> {
        if op.len() > MAX_OP_LEN {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "op larger than the protocol limit"));
        }
        if self.n_in_chunk == OPS_PER_CHUNK || self.chunk.len() + 4 + op.len() > MAX_CHUNK_PAYLOAD {
            self.flush_chunk()?;
        }
        self.chunk.extend_from_slice(&(op.len() as u32).to_be_bytes());
        self.chunk.extend_from_slice(op);
        self.n_in_chunk += 1;
        self.n_ops_total += 1;
        Ok(())
    }

    fn flush_chunk(&mut self) -> io::Result<()> {
        if self.n_in_chunk == 0 {
            return Ok(());
        }
        let head = chunk_head(self.index, self.n_in_chunk, self.chunk.len() as u32);
        let hash = chunk_hash(&head, &self.chunk);
        self.out.write_all(&[CHUNK_TAG])?;
        self.out.write_all(&head)?;
        self.out.write_all(&self.chunk)?;
        self.out.write_all(&hash)?;
        self.end.update(&hash);
        self.index += 1;
        self.chunk.clear();
        self.n_in_chunk = 0;
        Ok(())
    }

    /// Writes the last chunk and the end record, and finishes the age stream.
    pub fn finish(mut self) -> io::Result<(W, u64)> {
        self.flush_chunk()?;
        self.out.write_all(&[END_TAG])?;
        self.out.write_all(&self.index.to_be_bytes())?;
        self.out.write_all(&self.n_ops_total.to_be_bytes())?;
        self.out.write_all(self.end.finalize().as_bytes())?;
        Ok((self.out.finish()?, self.n_ops_total))
    }
}

fn chunk_head(index: u32, n_ops: u32, len: u32) -> [u8; 12] {
    let mut head = [0u8; 12];
    head[..4].copy_from_slice(&index.to_be_bytes());
    head[4..8].copy_from_slice(&n_ops.to_be_bytes());
    head[8..].copy_from_slice(&len.to_be_bytes());
    head
}

fn chunk_hash(head: &[u8; 12], payload: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key(CHUNK_CONTEXT);
    h.update(head);
    h.update(payload);
    *h.finalize().as_bytes()
}

fn recipient(key: &[u8; 32]) -> Result<age::x25519::Recipient, BundleError> {
    let hrp = bech32::Hrp::parse("age").map_err(|e| BundleError::BadHeader(e.to_string()))?;
    let text = bech32::encode_lower::<bech32::Bech32>(hrp, key).map_err(|e| BundleError::BadHeader(e.to_string()))?;
    text.parse().map_err(|e: &str| BundleError::BadHeader(e.to_owned()))
}

fn identity(secret: &[u8; 32]) -> Result<age::x25519::Identity, BundleError> {
    let hrp = bech32::Hrp::parse("AGE-SECRET-KEY-").map_err(|e| BundleError::BadHeader(e.to_string()))?;
    let text = zeroize::Zeroizing::new(
        bech32::encode_upper::<bech32::Bech32>(hrp, secret).map_err(|e| BundleError::BadHeader(e.to_string()))?,
    );
    text.parse().map_err(|e: &str| BundleError::BadHeader(e.to_owned()))
}

/// age's messages can span lines and suggest upgrades; keep the first line only.
fn one_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or("").trim_end_matches('.').to_owned()
}

/// Reads and verifies a bundle chunk by chunk.
pub struct BundleReader<R: Read> {
    input: R,
    network: NetworkId,
    created_unix: u64,
    index: u32,
    n_ops: u64,
    end: blake3::Hasher,
    done: bool,
}

impl<R: Read> std::fmt::Debug for BundleReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleReader").field("network", &self.network).field("index", &self.index).finish()
    }
}

/// The scrypt work factor a passphrase-sealed bundle is written with: N = 2^18 (256 MiB,
/// about half a second), the same on every device, instead of one measured at the time.
pub const SCRYPT_LOG_N: u8 = 18;
/// The most scrypt work a bundle may ask of its reader (N = 2^20, 1 GiB): bundles written
/// by earlier versions with a measured factor open, a hostile file cannot ask for hours.
pub const SCRYPT_MAX_LOG_N: u8 = 20;

/// Opens an age-encrypted bundle and reads its header.
pub fn open<R: Read>(input: R, unseal: &Unseal) -> Result<BundleReader<age::stream::StreamReader<R>>, BundleError> {
    let decryptor = age::Decryptor::new(input).map_err(|e| match e {
        age::DecryptError::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => BundleError::Truncated { index: 0 },
        other => BundleError::BadHeader(one_line(&other)),
    })?;
    let stream = if decryptor.is_scrypt() {
        let passphrase = unseal
            .passphrase
            .as_ref()
            .ok_or(BundleError::NoMatchingKey(": it is sealed with a passphrase (pass --passphrase)"))?;
        let mut id = age::scrypt::Identity::new(SecretString::from(passphrase.as_str().to_owned()));
        // A fixed bound, not one measured now: a node busy with other work must still open
        // the bundles it wrote, and a file asking for more work than this is refused.
        id.set_max_work_factor(SCRYPT_MAX_LOG_N);
        decryptor.decrypt(std::iter::once(&id as &dyn age::Identity)).map_err(|e| match e {
            age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed => BundleError::WrongPassphrase,
            other => BundleError::BadHeader(one_line(&other)),
        })?
    } else {
        let ids = unseal.identities.iter().map(|s| identity(s)).collect::<Result<Vec<_>, _>>()?;
        decryptor.decrypt(ids.iter().map(|i| i as &dyn age::Identity)).map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => BundleError::NoMatchingKey(""),
            other => BundleError::BadHeader(one_line(&other)),
        })?
    };
    BundleReader::new(stream)
}

impl<R: Read> BundleReader<R> {
    /// Reads the plaintext header.
    pub fn new(mut input: R) -> Result<Self, BundleError> {
        let mut head = [0u8; 8 + 1 + 32 + 8];
        input.read_exact(&mut head).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => BundleError::Truncated { index: 0 },
            _ => BundleError::BadHeader(e.to_string()),
        })?;
        if &head[..8] != MAGIC {
            return Err(BundleError::BadHeader("bad magic".into()));
        }
        if head[8] != VERSION {
            return Err(BundleError::BadHeader(format!("unsupported version {}", head[8])));
        }
        let network = NetworkId(head[9..41].try_into().expect("slice of 32"));
        let created_unix = u64::from_be_bytes(head[41..49].try_into().expect("slice of 8"));
        Ok(BundleReader {
            input,
            network,
            created_unix,
            index: 0,
            n_ops: 0,
            end: blake3::Hasher::new_derive_key(END_CONTEXT),
            done: false,
        })
    }

    pub fn network(&self) -> NetworkId {
        self.network
    }

    pub fn created_unix(&self) -> u64 {
        self.created_unix
    }

    /// Ops read so far.
    pub fn n_ops(&self) -> u64 {
        self.n_ops
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<(), BundleError> {
        let index = self.index;
        self.input.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => BundleError::Truncated { index },
            // age authenticates every 64 KiB segment: an altered or cut-off segment fails here.
            _ => BundleError::BadChunk { index, reason: format!("does not decrypt ({e})") },
        })
    }

    /// The next verified chunk's ops, or `None` after the end record verified.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<Vec<u8>>>, BundleError> {
        if self.done {
            return Ok(None);
        }
        let mut tag = [0u8; 1];
        self.read(&mut tag)?;
        match tag[0] {
            CHUNK_TAG => self.read_chunk().map(Some),
            END_TAG => {
                self.read_end()?;
                Ok(None)
            }
            other => {
                Err(BundleError::BadChunk { index: self.index, reason: format!("unknown record tag {other:#04x}") })
            }
        }
    }

    fn read_chunk(&mut self) -> Result<Vec<Vec<u8>>, BundleError> {
        let index = self.index;
        let bad = |reason: &str| BundleError::BadChunk { index, reason: reason.to_owned() };
        let mut head = [0u8; 12];
        self.read(&mut head)?;
        let stated_index = u32::from_be_bytes(head[..4].try_into().expect("4"));
        let n_ops = u32::from_be_bytes(head[4..8].try_into().expect("4"));
        let len = u32::from_be_bytes(head[8..].try_into().expect("4")) as usize;
        if stated_index != index {
            return Err(bad("out of order"));
        }
        if len > MAX_CHUNK_PAYLOAD {
            return Err(bad("larger than the chunk limit"));
        }
        let mut payload = vec![0u8; len];
        self.read(&mut payload)?;
        let mut hash = [0u8; 32];
        self.read(&mut hash)?;
        if chunk_hash(&head, &payload) != hash {
            return Err(bad("hash mismatch"));
        }
        let mut ops = Vec::with_capacity(n_ops as usize);
        let mut at = 0usize;
        for _ in 0..n_ops {
            let op_len = payload
                .get(at..at + 4)
                .map(|b| u32::from_be_bytes(b.try_into().expect("4")) as usize)
                .ok_or_else(|| bad("op length past the end"))?;
            at += 4;
            if op_len > MAX_OP_LEN {
                return Err(bad("op larger than the protocol limit"));
            }
            let op = payload.get(at..at + op_len).ok_or_else(|| bad("op past the end"))?;
            ops.push(op.to_vec());
            at += op_len;
        }
        if at != payload.len() {
            return Err(bad("bytes after the last op"));
        }
        self.end.update(&hash);
        self.index += 1;
        self.n_ops += u64::from(n_ops);
        Ok(ops)
    }

    fn read_end(&mut self) -> Result<(), BundleError> {
        let mut end = [0u8; 4 + 8 + 32];
        self.read(&mut end)?;
        let n_chunks = u32::from_be_bytes(end[..4].try_into().expect("4"));
        let n_ops = u64::from_be_bytes(end[4..12].try_into().expect("8"));
        if n_chunks != self.index || n_ops != self.n_ops {
            return Err(BundleError::BadEnd(format!(
                "it lists {n_chunks} chunks and {n_ops} ops, the file has {} and {}",
                self.index, self.n_ops
            )));
        }
        if end[12..] != *self.end.finalize().as_bytes() {
            return Err(BundleError::BadEnd("digest mismatch".into()));
        }
        let mut extra = [0u8; 1];
        match self.input.read(&mut extra) {
            Ok(0) => {}
            Ok(_) => return Err(BundleError::BadEnd("data after the end record".into())),
            Err(e) => {
                return Err(BundleError::BadEnd(format!("does not decrypt after the end record ({e})")));
            }
        }
        self.done = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
