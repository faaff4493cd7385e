//! The operation envelope and its one canonical encoding (`docs/protocol.md`, "Envelope").
//!
//! ```text
//! version u8 | network 32 | author 32 | seq u64 | prev 32 | n_deps u8 | deps 32*n
//! | time u32 | epoch u32 | nonce 24 | ct_len u32 | ciphertext ct_len | signature 64
//! ```
//! Integers are big-endian. The AEAD associated data is everything before the nonce; the
//! signature covers everything before itself, framed as `"openstrike/op/v1" || 0x00 || bytes`;
//! the op id is BLAKE3 of the whole encoding, signature included.

use strike_crypto::{NONCE_LEN, PreparedPublic, SIGNATURE_LEN, SigningSecret, SymmetricKey, TAG_LEN};

use crate::{AuthorId, Body, CoarseTime, NetworkId, OpId, Reject};

/// The only envelope version this code writes or reads.
pub const VERSION: u8 = 1;
/// At most this many causal dependencies besides `prev`: enough to join the few concurrent
/// branches a network has, small enough that an envelope stays a few hundred bytes.
pub const MAX_DEPS: usize = 8;
/// No encoded operation may be larger: a long announcement plus envelope fits with room.
pub const MAX_OP_LEN: usize = 64 * 1024;
/// Domain-separation label for operation signatures.
pub const SIGNATURE_LABEL: &[u8] = b"openstrike/op/v1";

const FIXED_HEAD: usize = 1 + 32 + 32 + 8 + 32 + 1;
const FIXED_TAIL: usize = 4 + 4 + NONCE_LEN + 4;

/// A decoded envelope: every field of the wire format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub network: NetworkId,
    pub author: AuthorId,
    /// Per-author sequence number, starting at 1 in each network.
    pub seq: u64,
    /// The author's previous op in this network; `None` exactly when `seq == 1`.
    pub prev: Option<OpId>,
    /// Other ops this one causally follows, sorted and distinct, never `prev`.
    pub deps: Vec<OpId>,
    pub time: CoarseTime,
    pub epoch: u32,
    pub nonce: [u8; NONCE_LEN],
    pub ciphertext: Vec<u8>,
    pub signature: [u8; SIGNATURE_LEN],
}

/// An operation whose encoding is canonical and whose signature verified.
///
/// Invariant: `bytes` is the canonical encoding of `envelope`, `id` is BLAKE3 of `bytes`,
/// and the signature verified under `envelope.author`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedOp {
    id: OpId,
    envelope: Envelope,
    bytes: Vec<u8>,
    aad_len: usize,
}

impl SealedOp {
    /// Decodes canonical bytes and verifies the signature: every check that needs no state.
    pub fn verify(bytes: Vec<u8>) -> Result<SealedOp, Reject> {
        Self::verify_with(bytes, &mut KeyCache::default())
    }

    /// As [`SealedOp::verify`], reusing author keys parsed for earlier ops of the batch.
    pub fn verify_with(bytes: Vec<u8>, keys: &mut KeyCache) -> Result<SealedOp, Reject> {
        let (envelope, aad_len) = decode(&bytes)?;
        let signed_len = bytes.len() - SIGNATURE_LEN;
        keys.get(&envelope.author)?
            .verify(SIGNATURE_LABEL, &bytes[..signed_len], &envelope.signature)
            .map_err(|_| Reject::BadSignature)?;
        let id = OpId(strike_crypto::hash(&bytes));
        Ok(SealedOp { id, envelope, bytes, aad_len })
    }

    /// Decodes bytes this node itself stored after [`SealedOp::verify`] accepted them (its log,
    /// its parked ops). The store is authenticated (SQLCipher checks an HMAC on every page), so
    /// checking the signature again would only repeat the most expensive step of ingest.
    pub fn from_verified_store(bytes: Vec<u8>) -> Result<SealedOp, Reject> {
        let (envelope, aad_len) = decode(&bytes)?;
        let id = OpId(strike_crypto::hash(&bytes));
        Ok(SealedOp { id, envelope, bytes, aad_len })
    }

    pub fn id(&self) -> OpId {
        self.id
    }

    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Decrypts the body with the epoch key and decodes it canonically.
    pub fn open(&self, epoch_key: &SymmetricKey) -> Result<Body, Reject> {
        let plaintext = epoch_key
            .open(&self.envelope.nonce, &self.bytes[..self.aad_len], &self.envelope.ciphertext)
            .map_err(|_| Reject::DecryptFailed)?;
        Body::decode(&plaintext)
    }

    /// Every op this one names as a predecessor: `prev` and then `deps`.
    pub fn predecessors(&self) -> impl Iterator<Item = OpId> + '_ {
        self.envelope.prev.iter().copied().chain(self.envelope.deps.iter().copied())
    }
}

/// Author keys already decompressed and checked, reused across the ops of a batch.
#[derive(Debug, Default)]
pub struct KeyCache {
    keys: std::collections::HashMap<AuthorId, PreparedPublic>,
}

impl KeyCache {
    /// Most networks have far fewer active authors; past this the cache starts over, which
    /// bounds its memory whatever a peer sends.
    const MAX_KEYS: usize = 4096;

    fn get(&mut self, author: &AuthorId) -> Result<&PreparedPublic, Reject> {
        if !self.keys.contains_key(author) {
            let prepared = author.signing_public().prepare().map_err(|_| Reject::BadSignature)?;
            if self.keys.len() >= Self::MAX_KEYS {
                self.keys.clear();
            }
            self.keys.insert(*author, prepared);
        }
        Ok(self.keys.get(author).expect("inserted above"))
    }
}

/// Everything needed to author an operation, before encryption and signing.
#[derive(Debug, Clone)]
pub struct OpDraft {
    pub network: NetworkId,
    pub seq: u64,
    pub prev: Option<OpId>,
    /// Any order, may contain duplicates or `prev`: [`OpDraft::seal`] canonicalises them.
    pub deps: Vec<OpId>,
    pub time: CoarseTime,
    pub epoch: u32,
    pub body: Body,
}

impl OpDraft {
    /// Encrypts the body under `epoch_key` with `nonce`, signs with `author`, and encodes.
    pub fn seal(
        &self,
        author: &SigningSecret,
        epoch_key: &SymmetricKey,
        nonce: [u8; NONCE_LEN],
    ) -> Result<SealedOp, Reject> {
        let mut deps = self.deps.clone();
        deps.sort();
        deps.dedup();
        deps.retain(|d| Some(*d) != self.prev);
        deps.truncate(MAX_DEPS);
        let plaintext = self.body.encode();
        let mut envelope = Envelope {
            network: self.network,
            author: AuthorId(author.public().0),
            seq: self.seq,
            prev: self.prev,
            deps,
            time: self.time,
            epoch: self.epoch,
            nonce,
            ciphertext: Vec::new(),
            signature: [0; SIGNATURE_LEN],
        };
        let aad = encode_aad(&envelope);
        envelope.ciphertext = epoch_key.seal(&nonce, &aad, &plaintext);
        let mut bytes = encode_unsigned(&envelope);
        envelope.signature = author.sign(SIGNATURE_LABEL, &bytes);
        bytes.extend_from_slice(&envelope.signature);
        // Run the same checks a receiver runs, so nothing invalid is ever stored locally.
        let mut keys = KeyCache::default();
        keys.keys.insert(envelope.author, author.prepared_public());
        SealedOp::verify_with(bytes, &mut keys)
    }
}

fn encode_aad(e: &Envelope) -> Vec<u8> {
    let mut out = Vec::with_capacity(FIXED_HEAD + 32 * e.deps.len() + 8);
    out.push(VERSION);
    out.extend_from_slice(&e.network.0);
    out.extend_from_slice(&e.author.0);
    out.extend_from_slice(&e.seq.to_be_bytes());
    out.extend_from_slice(&e.prev.map(|p| p.0).unwrap_or([0; 32]));
    out.push(u8::try_from(e.deps.len()).expect("deps are truncated to MAX_DEPS"));
    for dep in &e.deps {
        out.extend_from_slice(&dep.0);
    }
    out.extend_from_slice(&e.time.0.to_be_bytes());
    out.extend_from_slice(&e.epoch.to_be_bytes());
    out
}

fn encode_unsigned(e: &Envelope) -> Vec<u8> {
    let mut out = encode_aad(e);
    out.extend_from_slice(&e.nonce);
    let ct_len = u32::try_from(e.ciphertext.len()).expect("ciphertext is bounded by MAX_OP_LEN");
    out.extend_from_slice(&ct_len.to_be_bytes());
    out.extend_from_slice(&e.ciphertext);
    out
}

/// Encodes an envelope (signature included). Exposed for tests and other implementations'
/// vectors: a canonical envelope re-encodes to exactly the bytes it was decoded from.
pub fn encode(e: &Envelope) -> Vec<u8> {
    let mut out = encode_unsigned(e);
    out.extend_from_slice(&e.signature);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Reject> {
        let end = self.at.checked_add(n).ok_or(Reject::Malformed("length overflow"))?;
        let slice = self.bytes.get(self.at..end).ok_or(Reject::Malformed("truncated"))?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Reject> {
        Ok(self.take(N)?.try_into().expect("take returned N bytes"))
    }

    fn u8(&mut self) -> Result<u8, Reject> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, Reject> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, Reject> {
        Ok(u64::from_be_bytes(self.array()?))
    }
}

/// Decodes and checks canonical form; returns the envelope and the length of the AEAD
/// associated data. Does not verify the signature.
pub fn decode(bytes: &[u8]) -> Result<(Envelope, usize), Reject> {
    if bytes.len() > MAX_OP_LEN {
        return Err(Reject::TooLarge { limit: MAX_OP_LEN });
    }
    let mut r = Reader { bytes, at: 0 };
    let version = r.u8()?;
    if version != VERSION {
        return Err(Reject::UnsupportedVersion(version));
    }
    let network = NetworkId(r.array()?);
    let author = AuthorId(r.array()?);
    let seq = r.u64()?;
    let prev_bytes: [u8; 32] = r.array()?;
    let n_deps = usize::from(r.u8()?);
    if seq == 0 {
        return Err(Reject::NonCanonical("sequence numbers start at 1"));
    }
    let prev = match (seq, prev_bytes == [0; 32]) {
        (1, true) => None,
        (1, false) => {
            return Err(Reject::NonCanonical("the first op of an author has no prev"));
        }
        (_, true) => return Err(Reject::NonCanonical("missing prev")),
        (_, false) => Some(OpId(prev_bytes)),
    };
    if n_deps > MAX_DEPS {
        return Err(Reject::NonCanonical("too many deps"));
    }
    let mut deps = Vec::with_capacity(n_deps);
    for _ in 0..n_deps {
        let dep = OpId(r.array()?);
        if deps.last().is_some_and(|last| *last >= dep) {
            return Err(Reject::NonCanonical("deps not strictly ascending"));
        }
        if Some(dep) == prev {
            return Err(Reject::NonCanonical("prev repeated in deps"));
        }
        deps.push(dep);
    }
    let time = CoarseTime(r.u32()?);
    let epoch = r.u32()?;
    let aad_len = r.at;
    let nonce = r.array()?;
    let ct_len = usize::try_from(r.u32()?).map_err(|_| Reject::Malformed("length overflow"))?;
    if ct_len < TAG_LEN {
        return Err(Reject::Malformed("ciphertext shorter than its tag"));
    }
    let ciphertext = r.take(ct_len)?.to_vec();
    let signature = r.array()?;
    if r.at != bytes.len() {
        return Err(Reject::NonCanonical("trailing bytes"));
    }
    debug_assert_eq!(aad_len, FIXED_HEAD + 32 * n_deps + 8);
    debug_assert_eq!(bytes.len(), aad_len + FIXED_TAIL - 8 + ct_len + SIGNATURE_LEN);
    Ok((Envelope { network, author, seq, prev, deps, time, epoch, nonce, ciphertext, signature }, aad_len))
}

#[cfg(test)]
mod tests;
