//! The canonical digest of a network's folded state.
//!
//! The store walks its views in a documented order and feeds each row here; two nodes agree
//! on a state hash exactly when their folded state is identical. The framing (a domain label,
//! then per table its name and row count, then per field a tag and a length) makes the digest
//! unambiguous: no two different states can produce the same byte stream.

use crate::NetworkId;

/// Key-derivation context for state hashes.
pub const STATE_HASH_CONTEXT: &str = "openstrike 2026-11 state hash v1";
/// Key-derivation context for the hash of a network's history layer.
pub const HISTORY_HASH_CONTEXT: &str = "openstrike 2026-12 history hash v1";
/// Key-derivation context for the hash of one circle.
pub const CIRCLE_HASH_CONTEXT: &str = "openstrike 2026-12 circle hash v1";

/// Builds a state hash.
#[derive(Debug)]
pub struct StateHasher(blake3::Hasher);

impl StateHasher {
    pub fn new(network: &NetworkId) -> Self {
        StateHasher::with_context(STATE_HASH_CONTEXT, network)
    }

    /// A hash of the same framing under another context (the history layer's).
    pub fn with_context(context: &str, network: &NetworkId) -> Self {
        let mut h = blake3::Hasher::new_derive_key(context);
        h.update(&network.0);
        StateHasher(h)
    }

    /// Starts a table of `n_rows` rows.
    pub fn table(&mut self, name: &str, n_rows: u64) {
        self.bytes_field(b'T', name.as_bytes());
        self.0.update(&n_rows.to_be_bytes());
    }

    pub fn bytes(&mut self, value: &[u8]) {
        self.bytes_field(b'B', value);
    }

    pub fn text(&mut self, value: &str) {
        self.bytes_field(b'S', value.as_bytes());
    }

    pub fn int(&mut self, value: i64) {
        self.0.update(b"I");
        self.0.update(&value.to_be_bytes());
    }

    fn bytes_field(&mut self, tag: u8, value: &[u8]) {
        self.0.update(&[tag]);
        self.0.update(&(value.len() as u64).to_be_bytes());
        self.0.update(value);
    }

    pub fn finish(self) -> [u8; 32] {
        *self.0.finalize().as_bytes()
    }
}
