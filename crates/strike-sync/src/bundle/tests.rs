//! Tests of bundle files: sealing, chunk hashes, damage and truncation.

use strike_crypto::AgreementSecret;

use super::*;

fn ops(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("op number {i} with some padding to look like a real op").into_bytes()).collect()
}

fn write(seal: Seal<'_>, ops: &[Vec<u8>]) -> Vec<u8> {
    let mut w = BundleWriter::new(Vec::new(), seal, &NetworkId([7; 32]), 1_800_000_000).unwrap();
    for op in ops {
        w.push(op).unwrap();
    }
    let (bytes, n) = w.finish().unwrap();
    assert_eq!(n, ops.len() as u64);
    bytes
}

fn read_all(bytes: &[u8], unseal: &Unseal) -> Result<Vec<Vec<u8>>, BundleError> {
    let mut reader = open(bytes, unseal)?;
    assert_eq!(reader.network(), NetworkId([7; 32]));
    let mut out = Vec::new();
    while let Some(chunk) = reader.next_chunk()? {
        out.extend(chunk);
    }
    Ok(out)
}

fn member() -> (AgreementSecret, Unseal) {
    let secret = AgreementSecret::from_bytes([42; 32]);
    let unseal = Unseal { identities: vec![secret.to_bytes()], passphrase: None };
    (secret, unseal)
}

#[test]
fn round_trip_to_recipients_across_chunks() {
    let (secret, unseal) = member();
    let input = ops(OPS_PER_CHUNK as usize * 2 + 17);
    let bytes = write(Seal::Recipients(&[secret.public().0]), &input);
    assert_eq!(read_all(&bytes, &unseal).unwrap(), input);
    // Not a member: cannot open it.
    let stranger = Unseal { identities: vec![AgreementSecret::from_bytes([1; 32]).to_bytes()], passphrase: None };
    assert!(matches!(read_all(&bytes, &stranger), Err(BundleError::NoMatchingKey(_))));
}

#[test]
fn round_trip_with_passphrase() {
    let input = ops(10);
    let bytes = write(Seal::Passphrase("courier passphrase"), &input);
    let right = Unseal { identities: vec![], passphrase: Some(zeroize::Zeroizing::new("courier passphrase".into())) };
    assert_eq!(read_all(&bytes, &right).unwrap(), input);
    let wrong = Unseal { identities: vec![], passphrase: Some(zeroize::Zeroizing::new("wrong".into())) };
    assert!(matches!(read_all(&bytes, &wrong), Err(BundleError::WrongPassphrase)));
    assert!(matches!(read_all(&bytes, &Unseal::default()), Err(BundleError::NoMatchingKey(_))));
}

#[test]
fn empty_bundle_round_trips() {
    let (secret, unseal) = member();
    let bytes = write(Seal::Recipients(&[secret.public().0]), &[]);
    assert!(read_all(&bytes, &unseal).unwrap().is_empty());
}

#[test]
fn corruption_names_the_first_bad_chunk() {
    let (secret, unseal) = member();
    let input = ops(OPS_PER_CHUNK as usize * 3);
    let bytes = write(Seal::Recipients(&[secret.public().0]), &input);
    // Flip a byte near the end: the first two chunks still verify, a later one must not.
    let mut bad = bytes.clone();
    let at = bad.len() - 200;
    bad[at] ^= 0x20;
    let mut reader = open(&bad[..], &unseal).unwrap();
    let mut good_chunks = 0;
    let err = loop {
        match reader.next_chunk() {
            Ok(Some(_)) => good_chunks += 1,
            Ok(None) => panic!("a corrupted bundle verified"),
            Err(e) => break e,
        }
    };
    assert!(good_chunks >= 1, "corruption near the end should not fail chunk 0");
    let message = err.to_string();
    assert!(message.contains(&format!("chunk {good_chunks}")), "{message}");
}

#[test]
fn every_truncation_is_refused() {
    let (secret, unseal) = member();
    let input = ops(OPS_PER_CHUNK as usize + 5);
    let bytes = write(Seal::Recipients(&[secret.public().0]), &input);
    let step = (bytes.len() / 97).max(1);
    for len in (0..bytes.len()).step_by(step).chain([bytes.len() - 1]) {
        let result = read_all(&bytes[..len], &unseal);
        assert!(result.is_err(), "truncated to {len} of {} and still read", bytes.len());
    }
}

#[test]
fn plaintext_layer_checks_hashes_and_order() {
    // The inner format alone, without age, so single records can be altered precisely.
    let mut plain = Vec::new();
    plain.extend_from_slice(MAGIC);
    plain.push(VERSION);
    plain.extend_from_slice(&[7; 32]);
    plain.extend_from_slice(&0u64.to_be_bytes());
    let payload = [&3u32.to_be_bytes()[..], b"abc"].concat();
    let head = chunk_head(0, 1, payload.len() as u32);
    let hash = chunk_hash(&head, &payload);
    let chunk = [&[CHUNK_TAG][..], &head, &payload, &hash].concat();
    let end_digest = {
        let mut h = blake3::Hasher::new_derive_key(END_CONTEXT);
        h.update(&hash);
        *h.finalize().as_bytes()
    };
    let end = [&[END_TAG][..], &1u32.to_be_bytes(), &1u64.to_be_bytes(), &end_digest].concat();
    let good = [&plain[..], &chunk, &end].concat();
    let mut reader = BundleReader::new(&good[..]).unwrap();
    assert_eq!(reader.next_chunk().unwrap().unwrap(), vec![b"abc".to_vec()]);
    assert!(reader.next_chunk().unwrap().is_none());

    let mut altered = good.clone();
    altered[plain.len() + 1 + 12 + 4] ^= 1; // a payload byte
    let err = BundleReader::new(&altered[..]).unwrap().next_chunk().unwrap_err();
    assert!(matches!(err, BundleError::BadChunk { index: 0, .. }), "{err}");

    let missing_end = [&plain[..], &chunk].concat();
    let mut reader = BundleReader::new(&missing_end[..]).unwrap();
    reader.next_chunk().unwrap();
    assert!(matches!(reader.next_chunk(), Err(BundleError::Truncated { index: 1 })));

    let dropped_chunk = [&plain[..], &end].concat();
    assert!(matches!(BundleReader::new(&dropped_chunk[..]).unwrap().next_chunk(), Err(BundleError::BadEnd(_))));
}

#[test]
fn too_many_recipients_is_refused() {
    let keys = vec![[9u8; 32]; MAX_RECIPIENTS + 1];
    assert!(matches!(
        BundleWriter::new(Vec::new(), Seal::Recipients(&keys), &NetworkId([0; 32]), 0),
        Err(BundleError::TooManyRecipients(_))
    ));
}

mod arbitrary_input {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// A hostile bundle plaintext (past the age layer) is refused without a panic and
        /// without allocating more than the chunk limit.
        #[test]
        fn random_plaintext_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut plain = Vec::new();
            plain.extend_from_slice(MAGIC);
            plain.push(VERSION);
            plain.extend_from_slice(&[7; 32]);
            plain.extend_from_slice(&0u64.to_be_bytes());
            plain.extend_from_slice(&tail);
            let mut reader = BundleReader::new(&plain[..]).unwrap();
            for _ in 0..8 {
                match reader.next_chunk() {
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
        }

        /// Arbitrary bytes as an age file are refused cleanly.
        #[test]
        fn random_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let unseal = Unseal { identities: vec![AgreementSecret::from_bytes([3; 32]).to_bytes()], passphrase: None };
            prop_assert!(read_all(&bytes, &unseal).is_err());
        }
    }
}

/// The plaintext inside the age layer of a bundle holding the two vector ops of
/// `docs/protocol.md` (vectors 1 and 2), created at 1,800,000,000: frozen there.
#[test]
fn the_plaintext_of_a_small_bundle_is_frozen() {
    const GENESIS: &str = "01421b93e971ad7e4b277c7e927ec3a65967531d66878a4dfd0274cfd0671cc78bd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a000000000000000100000000000000000000000000000000000000000000000000000000000000000001ba81400000000044444444444444444444444444444444444444444444444400000095bec204ad408750e4f71e2e6d79a4a6c95f6f875e64bd242a2584b338db69226aa3de39b7e9093dfffeb87ebebfdcbf3fc00969f2f34c6a7389f44d4d999f53f00cfd95a94890f76eaf764c6a95e3852213471ae08facea7158633cab0075784274129400c7ba2d6dca7a92352eb4df3e2250d37ad3b871e66091d0db0af0b318363340a53cdb29829336f56876f081f7beee1eb4db200bbc7a1485fa96f28a7a9409ab856cfa01d00a8fdd50e01d67e4c4dc1922d2330cca782f2073d15dd4332b940e9b5e82ee96a6b90d5a5a7da6b09965df560f";
    const ANNOUNCEMENT: &str = "01421b93e971ad7e4b277c7e927ec3a65967531d66878a4dfd0274cfd0671cc78bd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a00000000000000022e39407671dedb26bc1abe5b845d741606ff47b5de838b4d3c5c5ee87773efe10001ba8141000000005555555555555555555555555555555555555555555555550000004bd5290282287bbb78e6380d8252fc7ef96feec301caabddfcfd76d74d3d804c8cca5be47bcf7a3b46a931d9b793e18bf50fee4d4353e3712319695c21d9e9229c12cb87196697fdfb8239eb0b8e5198b664099ca28fac1619b362a225a0dbd38899aaaa9f896886db7e2edd58e7f51157acbcafd5950eb411b9bdae34c2958358349a8ce2ac043858055404";
    let ops: Vec<Vec<u8>> = [GENESIS, ANNOUNCEMENT].iter().map(|h| hex::decode(h).unwrap()).collect();
    let network: NetworkId = "421b93e971ad7e4b277c7e927ec3a65967531d66878a4dfd0274cfd0671cc78b".parse().unwrap();
    let mut w = BundleWriter::new(Vec::new(), Seal::Passphrase("courier"), &network, 1_800_000_000).unwrap();
    for op in &ops {
        w.push(op).unwrap();
    }
    let (sealed, _) = w.finish().unwrap();
    let decryptor = age::Decryptor::new(&sealed[..]).unwrap();
    let id = age::scrypt::Identity::new(SecretString::from("courier".to_owned()));
    let mut plaintext = Vec::new();
    decryptor.decrypt(std::iter::once(&id as &dyn age::Identity)).unwrap().read_to_end(&mut plaintext).unwrap();
    if std::env::var_os("PRINT_VECTORS").is_some() {
        println!("bundle plaintext: {}", hex::encode(&plaintext));
    }
    // The plaintext alone reads back as the bundle.
    let mut reader = BundleReader::new(&plaintext[..]).unwrap();
    assert_eq!((reader.network(), reader.next_chunk().unwrap()), (network, Some(ops)));
    assert!(reader.next_chunk().unwrap().is_none());
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/protocol.md")).unwrap();
    let squeezed: String = doc.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(squeezed.contains(&hex::encode(&plaintext)), "docs/protocol.md is missing the bundle plaintext vector");
}
