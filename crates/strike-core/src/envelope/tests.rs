//! Frozen envelope vectors (also printed in `docs/protocol.md`) and canonical-form checks.

use strike_crypto::{AgreementSecret, SigningSecret, SymmetricKey};

use super::*;
use crate::membership::network_id;
use crate::{Announcement, Genesis, NetworkKind};

/// RFC 8032 TEST 1 seed: a key anyone can reproduce the vectors with.
const AUTHOR_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const EPOCH_KEY: [u8; 32] = [0x33; 32];

const VECTOR_GENESIS_ID: &str = "2e39407671dedb26bc1abe5b845d741606ff47b5de838b4d3c5c5ee87773efe1";
const VECTOR_GENESIS: &str = "01421b93e971ad7e4b277c7e927ec3a65967531d66878a4dfd0274cfd0671cc78bd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a000000000000000100000000000000000000000000000000000000000000000000000000000000000001ba81400000000044444444444444444444444444444444444444444444444400000095bec204ad408750e4f71e2e6d79a4a6c95f6f875e64bd242a2584b338db69226aa3de39b7e9093dfffeb87ebebfdcbf3fc00969f2f34c6a7389f44d4d999f53f00cfd95a94890f76eaf764c6a95e3852213471ae08facea7158633cab0075784274129400c7ba2d6dca7a92352eb4df3e2250d37ad3b871e66091d0db0af0b318363340a53cdb29829336f56876f081f7beee1eb4db200bbc7a1485fa96f28a7a9409ab856cfa01d00a8fdd50e01d67e4c4dc1922d2330cca782f2073d15dd4332b940e9b5e82ee96a6b90d5a5a7da6b09965df560f";
const VECTOR_ANNOUNCEMENT_ID: &str = "89d10206c3dd12534667558ecc73ce918298787edc9f42002baff72352f5ea21";
const VECTOR_ANNOUNCEMENT: &str = "01421b93e971ad7e4b277c7e927ec3a65967531d66878a4dfd0274cfd0671cc78bd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a00000000000000022e39407671dedb26bc1abe5b845d741606ff47b5de838b4d3c5c5ee87773efe10001ba8141000000005555555555555555555555555555555555555555555555550000004bd5290282287bbb78e6380d8252fc7ef96feec301caabddfcfd76d74d3d804c8cca5be47bcf7a3b46a931d9b793e18bf50fee4d4353e3712319695c21d9e9229c12cb87196697fdfb8239eb0b8e5198b664099ca28fac1619b362a225a0dbd38899aaaa9f896886db7e2edd58e7f51157acbcafd5950eb411b9bdae34c2958358349a8ce2ac043858055404";

fn author() -> SigningSecret {
    SigningSecret::from_seed(&hex::decode(AUTHOR_SEED).unwrap().try_into().unwrap())
}

fn vectors() -> (SealedOp, SealedOp) {
    let author = author();
    let salt = [0x11; 16];
    let network = network_id(&AuthorId(author.public().0), &salt);
    let genesis = OpDraft {
        network,
        seq: 1,
        prev: None,
        deps: vec![],
        time: CoarseTime(29_000_000),
        epoch: 0,
        body: Body::Genesis(Genesis {
            name: "Dock 4".into(),
            kind: NetworkKind::Workplace,
            salt,
            founder_agreement: AgreementSecret::from_bytes([0x22; 32]).public().0,
            vouches_required: 1,
        }),
    }
    .seal(&author, &SymmetricKey::from_bytes(EPOCH_KEY), [0x44; 24])
    .unwrap();
    let announcement = OpDraft {
        network,
        seq: 2,
        prev: Some(genesis.id()),
        deps: vec![],
        time: CoarseTime(29_000_001),
        epoch: 0,
        body: Body::Announcement(Announcement { text: "Meeting Thursday 18:00, back room".into() }),
    }
    .seal(&author, &SymmetricKey::from_bytes(EPOCH_KEY), [0x55; 24])
    .unwrap();
    (genesis, announcement)
}

#[test]
fn frozen_vectors_match_byte_for_byte() {
    let (genesis, announcement) = vectors();
    if std::env::var_os("PRINT_VECTORS").is_some() {
        println!("genesis id {}\ngenesis {}", genesis.id(), hex::encode(genesis.bytes()));
        println!("announcement id {}\nannouncement {}", announcement.id(), hex::encode(announcement.bytes()));
    }
    assert_eq!(hex::encode(genesis.bytes()), VECTOR_GENESIS);
    assert_eq!(genesis.id().to_hex(), VECTOR_GENESIS_ID);
    assert_eq!(hex::encode(announcement.bytes()), VECTOR_ANNOUNCEMENT);
    assert_eq!(announcement.id().to_hex(), VECTOR_ANNOUNCEMENT_ID);
}

/// The decrypted bodies of the two vectors, as canonical CBOR.
const VECTOR_GENESIS_BODY: &str = "a664747970656767656e65736973646e616d6566446f636b2034646b696e6469776f726b706c6163656473616c74501111111111111111111111111111111171666f756e6465725f61677265656d656e7458200faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f2070766f75636865735f726571756972656401";
const VECTOR_ANNOUNCEMENT_BODY: &str = "a264747970656c616e6e6f756e63656d656e74647465787478214d656574696e672054687572736461792031383a30302c206261636b20726f6f6d";

#[test]
fn frozen_vector_bodies_match() {
    let key = SymmetricKey::from_bytes(EPOCH_KEY);
    let (genesis, announcement) = vectors();
    let (g, a) = (genesis.open(&key).unwrap().encode(), announcement.open(&key).unwrap().encode());
    if std::env::var_os("PRINT_VECTORS").is_some() {
        println!("genesis body {}\nannouncement body {}", hex::encode(&g), hex::encode(&a));
    }
    assert_eq!(hex::encode(g), VECTOR_GENESIS_BODY);
    assert_eq!(hex::encode(a), VECTOR_ANNOUNCEMENT_BODY);
}

#[test]
fn frozen_vectors_decode_and_open() {
    let genesis = SealedOp::verify(hex::decode(VECTOR_GENESIS).unwrap()).unwrap();
    let announcement = SealedOp::verify(hex::decode(VECTOR_ANNOUNCEMENT).unwrap()).unwrap();
    assert_eq!(genesis.id().to_hex(), VECTOR_GENESIS_ID);
    assert_eq!(announcement.envelope().prev, Some(genesis.id()));
    assert_eq!(announcement.envelope().seq, 2);
    assert_eq!(announcement.envelope().time, CoarseTime(29_000_001));
    let key = SymmetricKey::from_bytes(EPOCH_KEY);
    assert!(matches!(genesis.open(&key).unwrap(), Body::Genesis(g) if g.name == "Dock 4"));
    assert_eq!(
        announcement.open(&key).unwrap(),
        Body::Announcement(Announcement { text: "Meeting Thursday 18:00, back room".into() })
    );
    assert_eq!(encode(announcement.envelope()), announcement.bytes());
}

#[test]
fn every_single_bit_flip_is_rejected() {
    let (_, announcement) = vectors();
    let bytes = announcement.bytes().to_vec();
    for bit in 0..bytes.len() * 8 {
        let mut bad = bytes.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(SealedOp::verify(bad).is_err(), "bit {bit} flipped and still verified");
    }
}

#[test]
fn truncations_and_extensions_are_rejected() {
    let (genesis, _) = vectors();
    let bytes = genesis.bytes();
    for len in 0..bytes.len() {
        assert!(SealedOp::verify(bytes[..len].to_vec()).is_err(), "truncated to {len}");
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert_eq!(SealedOp::verify(longer), Err(Reject::NonCanonical("trailing bytes")));
}

/// Re-signs a hand-built envelope, so only canonical-form rules can refuse it.
fn resigned(mut e: Envelope) -> Vec<u8> {
    let mut bytes = encode_unsigned(&e);
    e.signature = author().sign(SIGNATURE_LABEL, &bytes);
    bytes.extend_from_slice(&e.signature);
    bytes
}

#[test]
fn non_canonical_re_encodings_are_rejected_even_when_signed() {
    let (_, announcement) = vectors();
    let base = announcement.envelope().clone();
    assert!(SealedOp::verify(resigned(base.clone())).is_ok());

    let mut unsorted = base.clone();
    unsorted.deps = vec![OpId([9; 32]), OpId([8; 32])];
    assert_eq!(SealedOp::verify(resigned(unsorted)), Err(Reject::NonCanonical("deps not strictly ascending")));

    let mut duplicated = base.clone();
    duplicated.deps = vec![OpId([8; 32]), OpId([8; 32])];
    assert_eq!(SealedOp::verify(resigned(duplicated)), Err(Reject::NonCanonical("deps not strictly ascending")));

    let mut prev_again = base.clone();
    prev_again.deps = vec![base.prev.unwrap()];
    assert_eq!(SealedOp::verify(resigned(prev_again)), Err(Reject::NonCanonical("prev repeated in deps")));

    let mut first_with_prev = base.clone();
    first_with_prev.seq = 1;
    assert!(matches!(SealedOp::verify(resigned(first_with_prev)), Err(Reject::NonCanonical(_))));

    let mut zero_seq = base.clone();
    zero_seq.seq = 0;
    assert!(matches!(SealedOp::verify(resigned(zero_seq)), Err(Reject::NonCanonical(_))));

    let mut no_prev = base.clone();
    no_prev.prev = None;
    assert_eq!(SealedOp::verify(resigned(no_prev)), Err(Reject::NonCanonical("missing prev")));

    let mut nine = base.clone();
    nine.deps = (1..=9u8).map(|i| OpId([i; 32])).collect();
    assert_eq!(SealedOp::verify(resigned(nine)).map_err(|e| e.code()), Err("non_canonical"), "nine deps");

    let mut short = base.clone();
    short.ciphertext = vec![0; 15];
    assert_eq!(SealedOp::verify(resigned(short)).map_err(|e| e.code()), Err("malformed"), "shorter than a tag");

    // An author key that is not a valid point (or of small order) cannot sign anything.
    let mut bad_key = base;
    bad_key.author = AuthorId([0; 32]);
    assert_eq!(SealedOp::verify(resigned(bad_key)).map_err(|e| e.code()), Err("bad_signature"));
}

#[test]
fn oversized_ops_are_rejected_before_parsing() {
    assert_eq!(SealedOp::verify(vec![1; MAX_OP_LEN + 1]), Err(Reject::TooLarge { limit: MAX_OP_LEN }));
}

#[test]
fn wrong_key_does_not_open() {
    let (genesis, _) = vectors();
    assert_eq!(genesis.open(&SymmetricKey::from_bytes([0; 32])), Err(Reject::DecryptFailed));
}

#[test]
fn protocol_document_carries_the_same_vectors() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
    let squeezed: String = doc.chars().filter(|c| !c.is_whitespace()).collect();
    for vector in [
        VECTOR_GENESIS,
        VECTOR_GENESIS_ID,
        VECTOR_ANNOUNCEMENT,
        VECTOR_ANNOUNCEMENT_ID,
        VECTOR_GENESIS_BODY,
        VECTOR_ANNOUNCEMENT_BODY,
    ] {
        assert!(squeezed.contains(vector), "docs/protocol.md is missing vector {}...", &vector[..16]);
    }
    assert!(doc.contains(std::str::from_utf8(SIGNATURE_LABEL).unwrap()));
    assert!(doc.contains(crate::membership::NETWORK_ID_CONTEXT));
    assert!(doc.contains(crate::state_hash::STATE_HASH_CONTEXT));
}

mod arbitrary_input {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever a peer sends, decoding refuses it cleanly or accepts a canonical op.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = Body::decode(&bytes);
            if let Ok(op) = SealedOp::verify(bytes.clone()) {
                prop_assert_eq!(encode(op.envelope()), bytes);
            }
        }

        /// Mutations of a valid op (a byte changed, inserted or removed) never verify.
        #[test]
        fn mutated_vectors_never_verify(at in 0usize..281, byte in any::<u8>(), kind in 0u8..3) {
            let mut bytes = hex::decode(VECTOR_ANNOUNCEMENT).unwrap();
            let at = at % bytes.len();
            match kind {
                0 if bytes[at] != byte => bytes[at] = byte,
                0 => bytes[at] ^= 1,
                1 => bytes.insert(at, byte),
                _ => { bytes.remove(at); }
            }
            prop_assert!(SealedOp::verify(bytes).is_err());
        }
    }
}
