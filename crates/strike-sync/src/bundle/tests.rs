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
