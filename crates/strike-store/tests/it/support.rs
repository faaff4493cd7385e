//! A test author that writes ops with known keys, and in-memory stores.

use std::path::Path;

use strike_core::envelope::{Envelope, SIGNATURE_LABEL};
use strike_core::{Announcement, AuthorId, Body, CoarseTime, Genesis, NetworkId, NetworkKind, OpDraft, OpId, SealedOp};
use strike_crypto::{AgreementSecret, SigningSecret, SymmetricKey};
use strike_store::Store;

pub const NOW: u64 = 1_800_000_000;

pub fn store_at(path: &Path) -> Store {
    Store::open(path, &SymmetricKey::from_bytes([0x5a; 32])).unwrap()
}

pub fn memory_store() -> Store {
    store_at(Path::new(":memory:"))
}

/// One author's view of a network: keys, and its own chain.
pub struct Author {
    pub signing: SigningSecret,
    pub agreement: AgreementSecret,
    pub network: NetworkId,
    pub key: SymmetricKey,
    pub seq: u64,
    pub prev: Option<OpId>,
    pub time: u32,
}

impl Author {
    /// A founder with deterministic keys from `seed`.
    pub fn founder(seed: u8) -> (Author, SealedOp) {
        let signing = SigningSecret::from_seed(&[seed; 32]);
        let agreement = AgreementSecret::from_bytes([seed.wrapping_add(100); 32]);
        let salt = [seed; 16];
        let network = strike_core::membership::network_id(&AuthorId(signing.public().0), &salt);
        let mut author = Author {
            signing,
            agreement,
            network,
            key: SymmetricKey::from_bytes([seed; 32]),
            seq: 0,
            prev: None,
            time: 29_000_000,
        };
        let genesis = author.write(
            Body::Genesis(Genesis {
                name: format!("Network {seed}"),
                kind: NetworkKind::Workplace,
                salt,
                founder_agreement: author.agreement.public().0,
                vouches_required: 1,
            }),
            vec![],
        );
        (author, genesis)
    }

    /// Another author in the same network (not admitted by anything: it has no rights).
    pub fn stranger(&self, seed: u8) -> Author {
        Author {
            signing: SigningSecret::from_seed(&[seed; 32]),
            agreement: AgreementSecret::from_bytes([seed; 32]),
            network: self.network,
            key: self.key.clone(),
            seq: 0,
            prev: None,
            time: self.time,
        }
    }

    pub fn id(&self) -> AuthorId {
        AuthorId(self.signing.public().0)
    }

    /// Writes the next op of this author's chain.
    pub fn write(&mut self, body: Body, deps: Vec<OpId>) -> SealedOp {
        self.time += 1;
        let op = self.draft(self.seq + 1, self.prev, body, deps);
        self.seq += 1;
        self.prev = Some(op.id());
        op
    }

    /// An op at an explicit position, without advancing the chain (for forks).
    pub fn draft(&self, seq: u64, prev: Option<OpId>, body: Body, deps: Vec<OpId>) -> SealedOp {
        let nonce =
            strike_crypto::hash(&[&seq.to_be_bytes()[..], &self.time.to_be_bytes(), body.encode().as_slice()].concat());
        OpDraft { network: self.network, seq, prev, deps, time: CoarseTime(self.time), epoch: 0, body }
            .seal(&self.signing, &self.key, nonce[..24].try_into().unwrap())
            .unwrap()
    }

    pub fn announce(&mut self, text: &str) -> SealedOp {
        self.write(Body::Announcement(Announcement { text: text.into() }), vec![])
    }

    /// Re-signs a hand-edited envelope, so only canonical-form rules can refuse it.
    pub fn resign(&self, mut envelope: Envelope) -> Vec<u8> {
        envelope.signature = [0; 64];
        let unsigned = strike_core::envelope::encode(&envelope);
        let signed_len = unsigned.len() - 64;
        let signature = self.signing.sign(SIGNATURE_LABEL, &unsigned[..signed_len]);
        let mut bytes = unsigned[..signed_len].to_vec();
        bytes.extend_from_slice(&signature);
        bytes
    }

    /// Puts this network's founding keys into `store`, as the founder's own node holds them.
    pub fn install(&self, store: &mut Store) {
        store.ensure_network(&self.network, NOW).unwrap();
        store.put_epoch_key(&self.network, 0, &self.key).unwrap();
    }
}
