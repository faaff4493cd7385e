//! The credentials fold on hand-built cases, and the same result in any order.

use proptest::prelude::*;

use super::*;

fn a(n: u8) -> AuthorId {
    AuthorId([n; 32])
}

fn op(n: u8) -> OpId {
    OpId([n; 32])
}

fn at<T>(n: u8, author: u8, seq: u64, time: u32, what: T) -> In<T> {
    In { op: op(n), author: a(author), seq, time: CoarseTime(time), what }
}

/// Issuers 1 and 2; members 10 to 16 eligible (17 is not); keys for "" by both, and a second
/// key by issuer 1 that does not count.
fn world() -> (Vec<AuthorId>, BTreeSet<AuthorId>, Vec<KeyIn>) {
    let issuers = vec![a(1), a(2)];
    let eligible = (10..=16).map(a).collect();
    let keys = vec![at(1, 1, 1, 10, String::new()), at(2, 2, 1, 11, String::new()), at(3, 1, 2, 12, String::new())];
    (issuers, eligible, keys)
}

#[test]
fn issued_credentials_cap_the_one_time_authors_and_extras_are_flagged() {
    let (issuers, eligible, keys) = world();
    let requests = vec![
        at(20, 10, 1, 20, vec![op(1), op(2)]),
        at(21, 11, 1, 20, vec![op(1), op(2)]),
        at(22, 11, 2, 21, vec![op(1), op(2)]), // a second request
        at(23, 17, 1, 20, vec![op(1), op(2)]), // not eligible
        at(24, 12, 1, 20, vec![op(3), op(2)]), // under a key that does not count
    ];
    let issues = vec![
        at(30, 1, 3, 30, (op(1), vec![op(20), op(21), op(22), op(23)])),
        at(31, 2, 2, 30, (op(2), vec![op(20), op(21)])),
    ];
    let secret = vec![
        at(40, 100, 1, 40, vec![op(1), op(2)]),
        at(41, 101, 1, 41, vec![op(1), op(2)]),
        at(42, 102, 1, 42, vec![op(1), op(2)]), // a third, with two issued
        at(43, 100, 2, 43, vec![op(1), op(2)]),
        at(44, 103, 1, 40, vec![op(3), op(2)]), // the key that does not count
    ];
    let c = credentials(&issuers, &eligible, &keys, &requests, &issues, &secret);
    assert_eq!((c.requested, c.issued.get("").copied()), (2, Some(2)));
    assert_eq!(c.counted.keys().copied().collect::<Vec<_>>(), vec![a(100), a(101)]);
    assert_eq!(c.not_counted.get(&op(42)), Some(&"beyond the credentials issued"));
    assert_eq!(c.not_counted.get(&op(44)), Some(&"under a key that is not its issuer's counted key"));
    assert!(!c.not_counted.contains_key(&op(43)), "a one-time author's later op counts with the first");
    assert_eq!(c.flags.len(), 2, "{:?}", c.flags);
    assert!(c.flags[0].starts_with("2 credential(s) issued beyond"), "{:?}", c.flags);
    assert!(c.flags[1].starts_with("1 one-time author(s) in everyone beyond"), "{:?}", c.flags);
}

#[test]
fn without_every_issuers_grant_nothing_is_issued() {
    let (issuers, eligible, keys) = world();
    let requests = vec![at(20, 10, 1, 20, vec![op(1), op(2)])];
    let issues = vec![at(30, 1, 3, 30, (op(1), vec![op(20)]))];
    let secret = vec![at(40, 100, 1, 40, vec![op(1), op(2)])];
    let c = credentials(&issuers, &eligible, &keys, &requests, &issues, &secret);
    assert_eq!((c.issued.get("").copied().unwrap_or(0), c.counted.len()), (0, 0));
}

proptest! {
    /// Any order of the same ops gives the same result.
    #[test]
    fn the_order_ops_arrive_in_changes_nothing(seed in any::<u64>()) {
        let (issuers, eligible, mut keys) = world();
        let mut requests: Vec<RequestIn> = (10..=16).map(|m| at(m + 10, m, 1, 20, vec![op(1), op(2)])).collect();
        requests.push(at(40, 12, 2, 20, vec![op(1), op(2)]));
        let asked: Vec<OpId> = requests.iter().map(|r| r.op).collect();
        let mut issues = vec![at(50, 1, 3, 30, (op(1), asked.clone())), at(51, 2, 2, 30, (op(2), asked))];
        let mut secret: Vec<SecretIn> =
            (0..9u8).map(|i| at(60 + i, 100 + i, 1, 40 + u32::from(i % 3), vec![op(1), op(2)])).collect();
        let expected = credentials(&issuers, &eligible, &keys, &requests, &issues, &secret);
        let mut rng = seed;
        let mut shuffle = |n: usize| { rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1); (rng >> 33) as usize % n };
        for i in (1..keys.len()).rev() { let j = shuffle(i + 1); keys.swap(i, j); }
        for i in (1..requests.len()).rev() { let j = shuffle(i + 1); requests.swap(i, j); }
        for i in (1..issues.len()).rev() { let j = shuffle(i + 1); issues.swap(i, j); }
        for i in (1..secret.len()).rev() { let j = shuffle(i + 1); secret.swap(i, j); }
        prop_assert_eq!(credentials(&issuers, &eligible, &keys, &requests, &issues, &secret), expected);
    }
}
