//! Frozen vectors for what crosses between nodes besides ops and bodies, printed in
//! `docs/protocol.md` ("More test vectors"): a key share's HPKE blob, a key file, the state
//! hash of the two vector ops, a sync membership proof, a hub access proof and a LAN tag.
//! All inputs are fixed, so another implementation can compute them; `PRINT_VECTORS=1`
//! prints them.

use std::convert::Infallible;

use strike_core::body::{KeyShare, SealedKey};
use strike_core::membership::{KEY_SEAL_INFO, key_seal_aad};
use strike_core::{AuthorId, Body, NetworkId};
use strike_crypto::{AgreementSecret, KdfParams, SigningSecret, SymmetricKey};
use strike_sync::auth::{AUTH_LABEL, Auth, Side, proof_message};

/// The ops of vectors 1 and 2 in `docs/protocol.md` (genesis and an announcement of "Dock 4").
const VECTOR_GENESIS: &str = "01421b93e971ad7e4b277c7e927ec3a65967531d66878a4dfd0274cfd0671cc78bd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a000000000000000100000000000000000000000000000000000000000000000000000000000000000001ba81400000000044444444444444444444444444444444444444444444444400000095bec204ad408750e4f71e2e6d79a4a6c95f6f875e64bd242a2584b338db69226aa3de39b7e9093dfffeb87ebebfdcbf3fc00969f2f34c6a7389f44d4d999f53f00cfd95a94890f76eaf764c6a95e3852213471ae08facea7158633cab0075784274129400c7ba2d6dca7a92352eb4df3e2250d37ad3b871e66091d0db0af0b318363340a53cdb29829336f56876f081f7beee1eb4db200bbc7a1485fa96f28a7a9409ab856cfa01d00a8fdd50e01d67e4c4dc1922d2330cca782f2073d15dd4332b940e9b5e82ee96a6b90d5a5a7da6b09965df560f";
const VECTOR_ANNOUNCEMENT: &str = "01421b93e971ad7e4b277c7e927ec3a65967531d66878a4dfd0274cfd0671cc78bd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a00000000000000022e39407671dedb26bc1abe5b845d741606ff47b5de838b4d3c5c5ee87773efe10001ba8141000000005555555555555555555555555555555555555555555555550000004bd5290282287bbb78e6380d8252fc7ef96feec301caabddfcfd76d74d3d804c8cca5be47bcf7a3b46a931d9b793e18bf50fee4d4353e3712319695c21d9e9229c12cb87196697fdfb8239eb0b8e5198b664099ca28fac1619b362a225a0dbd38899aaaa9f896886db7e2edd58e7f51157acbcafd5950eb411b9bdae34c2958358349a8ce2ac043858055404";
/// RFC 8032 TEST 1 seed: the vectors' author.
const AUTHOR_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const EPOCH_KEY: [u8; 32] = [0x33; 32];
/// Endpoint ids of the initiator and the responder (or hub) in the proofs.
const INITIATOR: [u8; 32] = [0x0a; 32];
const RESPONDER: [u8; 32] = [0x0b; 32];

/// An "RNG" that hands out fixed bytes in order: the vectors' only randomness.
struct Fixed(Vec<u8>);

impl rand::TryRng for Fixed {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unreachable!("only bytes are drawn")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unreachable!("only bytes are drawn")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let n = dst.len();
        dst.copy_from_slice(&self.0[..n]);
        self.0.drain(..n);
        Ok(())
    }
}
impl rand::TryCryptoRng for Fixed {}

fn author() -> SigningSecret {
    SigningSecret::from_seed(&hex::decode(AUTHOR_SEED).unwrap().try_into().unwrap())
}

fn network() -> NetworkId {
    strike_core::membership::network_id(&AuthorId(author().public().0), &[0x11; 16])
}

/// (name, hex) of every vector, computed from the fixed inputs.
fn computed() -> Vec<(&'static str, String)> {
    let net = network();
    let member = AuthorId(author().public().0);
    let recipient = AgreementSecret::from_bytes([0x22; 32]);
    let aad = key_seal_aad(&net, 0, &member);
    let sealed =
        strike_crypto::seal_to(&recipient.public(), KEY_SEAL_INFO, &aad, &EPOCH_KEY, &mut Fixed(vec![0x66; 32]))
            .unwrap();
    assert_eq!(*strike_crypto::open_sealed(&recipient, KEY_SEAL_INFO, &aad, &sealed).unwrap(), EPOCH_KEY);
    let key_share = Body::KeyShare(KeyShare { member, keys: vec![SealedKey { epoch: 0, sealed: sealed.clone() }] });

    let secrets = strike_node::keyfile::Secrets {
        node_signing: SigningSecret::from_seed(&[0x03; 32]),
        node_agreement: AgreementSecret::from_bytes([0x04; 32]),
        db_key: SymmetricKey::from_bytes([0x05; 32]),
    };
    let mut salt_then_nonce = vec![0x01; 16];
    salt_then_nonce.extend([0x02; 24]);
    let key_file = strike_node::keyfile::seal(
        &secrets,
        b"correct horse battery staple",
        KdfParams::MINIMUM,
        &mut Fixed(salt_then_nonce),
    )
    .unwrap();
    let (opened, params) = strike_node::keyfile::open(&key_file, b"correct horse battery staple").unwrap();
    assert_eq!((opened.db_key.expose(), params), (&[0x05; 32], KdfParams::MINIMUM));

    let tmp = tempfile::tempdir().unwrap();
    let mut node = strike_node::Node::init(&tmp.path().join("n"), b"vectors", KdfParams::MINIMUM).unwrap();
    let ops = [VECTOR_GENESIS, VECTOR_ANNOUNCEMENT].map(|h| hex::decode(h).unwrap()).to_vec();
    assert_eq!(node.ingest(&net, ops).unwrap().sealed, 2);
    node.store_mut().put_epoch_key(&net, 0, &SymmetricKey::from_bytes(EPOCH_KEY)).unwrap();
    assert_eq!(node.announcements(&net, 5).unwrap().len(), 1, "both ops folded");
    let state_hash = node.state_hash(&net).unwrap();

    let proof = proof_message(Side::Initiator, &net.0, &INITIATOR, &RESPONDER);
    let open = Auth::Open { network: net.0, author: member.0, signature: author().sign(AUTH_LABEL, &proof) };
    let access = strike_sync::hub::access_secret(&net, &SymmetricKey::from_bytes(EPOCH_KEY));
    let hub_open = Auth::HubOpen {
        network: net.0,
        epoch: 0,
        signature: access.sign(strike_sync::hub::ACCESS_LABEL, &proof),
        grant: Vec::new(),
        invites: Vec::new(),
    };
    let tag = strike_node::peer::lan_tag(&net, &SymmetricKey::from_bytes(EPOCH_KEY), 500_000);
    // Joining over the network: the invite secret 44 x 32.
    let invite_secret = [0x44; 32];
    let invite_access = strike_node::joining::invite_access(&invite_secret);
    let join_open = Auth::JoinOpen {
        network: net.0,
        invite: strike_core::membership::invite_id(&invite_secret),
        author: member.0,
        invite_signature: invite_access.sign(strike_sync::auth::JOIN_AUTH_LABEL, &proof),
        author_signature: author().sign(strike_sync::auth::JOIN_AUTH_LABEL, &proof),
    };
    let hub_open_with_ticket = Auth::HubOpen {
        network: net.0,
        epoch: 0,
        signature: access.sign(strike_sync::hub::ACCESS_LABEL, &proof),
        grant: Vec::new(),
        invites: vec![strike_sync::hub::InviteTicket {
            invite: strike_core::membership::invite_id(&invite_secret),
            key: invite_access.public().0,
            expires: Some(30_000_000),
            uses: 5,
            removed: vec![[0x0c; 32]],
        }],
    };
    // Circles: the organizers' circle's id, a circle key's epoch and entry key, a circle key
    // sealed to the recipient above (ephemeral 0x77 x 32, list nonce 0x78 x 24) with one
    // earlier key, and an entry sealed to its entry key (ephemeral 0x79 x 32).
    let organizers = strike_core::circles::organizers_circle(&net);
    let circle_key = SymmetricKey::from_bytes([0x55; 32]);
    let mut fixed = vec![0x77; 32];
    fixed.extend([0x78; 24]);
    let circle_key_body = strike_core::circles::seal_circle_key(
        &net,
        &organizers,
        &circle_key,
        &[(member, recipient.public().0)],
        vec![(strike_core::circles::circle_epoch(&EPOCH_KEY), EPOCH_KEY)],
        &mut Fixed(fixed),
    )
    .unwrap();
    let opened = strike_core::circles::open_share(&net, &circle_key_body, &recipient).unwrap();
    assert_eq!(opened.expose(), circle_key.expose());
    let list = strike_core::circles::open_list(&net, &circle_key_body, &circle_key).unwrap();
    assert_eq!((list.members.as_slice(), list.back.len()), (&[member][..], 1));
    let entry = strike_core::circles::Entry { member, added: true, last_seen_seq: 7 };
    let entry_body = entry
        .seal(&net, &organizers, circle_key_body.epoch, &circle_key_body.entry_key, &mut Fixed(vec![0x79; 32]))
        .unwrap();
    assert_eq!(strike_core::circles::Entry::open(&net, &entry_body, &circle_key), Some(entry));
    vec![
        ("organizers circle id", hex::encode(organizers.0)),
        ("circle epoch", format!("{:08x}", circle_key_body.epoch)),
        ("circle entry public key", hex::encode(circle_key_body.entry_key)),
        ("circle key body", hex::encode(Body::CircleKey(circle_key_body.clone()).encode())),
        ("circle entry body", hex::encode(Body::CircleMember(entry_body).encode())),
        ("key share sealed", hex::encode(&sealed)),
        ("key share body", hex::encode(key_share.encode())),
        ("key file", hex::encode(&key_file)),
        ("state hash", hex::encode(state_hash)),
        ("sync proof", hex::encode(open.encode())),
        ("hub access public key", hex::encode(access.public().0)),
        ("hub access proof", hex::encode(hub_open.encode())),
        ("lan tag", hex::encode(tag)),
        ("invite access public key", hex::encode(invite_access.public().0)),
        ("join open", hex::encode(join_open.encode())),
        ("hub open with a ticket", hex::encode(hub_open_with_ticket.encode())),
    ]
}

#[test]
fn protocol_document_carries_the_vectors() {
    let vectors = computed();
    if std::env::var_os("PRINT_VECTORS").is_some() {
        for (name, hex) in &vectors {
            println!("{name}: {hex}");
        }
    }
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
    let squeezed: String = doc.chars().filter(|c| !c.is_whitespace()).collect();
    for (name, hex) in vectors {
        assert!(squeezed.contains(&hex), "docs/protocol.md is missing the {name} vector {hex}");
    }
}
