//! The fold of a hub's resources: stock is the sum of its events in any order, the hash is
//! the same whatever order the ops came in, and concurrent commitments against one lot
//! resolve the same way with the rest marked short.

use proptest::prelude::*;

use super::*;
use crate::resources::{Commitment, Handover, IntentClose, ResourceMinimum, StockEvent, Urgency};

fn id(n: u8) -> OpId {
    OpId([n; 32])
}

fn entry(op: u8, author: u8, time: u32, body: Body) -> Entry {
    Entry { op: id(op), author: AuthorId([author; 32]), seq: u64::from(op), time: CoarseTime(time), body }
}

fn spec(name: &str) -> Body {
    Body::ResourceSpec(ResourceSpec {
        name: name.into(),
        unit: "kg".into(),
        category: "food".into(),
        cold_chain: false,
        shelf_life: None,
    })
}

fn event(action: StockAction, lot: Option<u8>, qty: u64, place: &str, party: &str) -> Body {
    Body::StockEvent(StockEvent {
        action,
        spec: id(1),
        lot: lot.map(id),
        qty,
        place: place.into(),
        expires: None,
        party: party.into(),
        note: String::new(),
    })
}

fn request(qty: u64) -> Body {
    Body::ResourceRequest(ResourceRequest {
        spec: id(1),
        qty,
        urgency: Urgency::Normal,
        due: 10_000,
        household: 2,
        place: String::new(),
        note: String::new(),
    })
}

fn commit(request: u8, lot: u8, qty: u64) -> Body {
    Body::Commitment(Commitment { request: id(request), lot: id(lot), qty })
}

fn keepers() -> HashSet<AuthorId> {
    [AuthorId([1; 32]), AuthorId([2; 32])].into()
}

/// A hub with one specification, a lot of 100 received, and a request for 30.
fn base() -> Vec<Entry> {
    vec![
        entry(1, 1, 10, spec("Rice")),
        entry(2, 1, 20, event(StockAction::Receive, None, 100, "Basement", "Farm co-op")),
        entry(3, 9, 30, request(30)),
    ]
}

#[test]
fn stock_is_received_less_what_left() {
    let mut ops = base();
    ops.push(entry(4, 1, 40, event(StockAction::Consume, Some(2), 10, "", "")));
    ops.push(entry(5, 1, 41, event(StockAction::Move, Some(2), 25, "Depot", "")));
    ops.push(entry(6, 2, 42, event(StockAction::Lower, Some(5), 5, "", "")));
    ops.push(entry(7, 2, 43, event(StockAction::Raise, Some(2), 1, "", "")));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    assert_eq!(hub.lots[&id(2)].stock, 100 - 10 - 25 + 1);
    assert_eq!(hub.lots[&id(5)].stock, 20);
    assert_eq!(hub.lots[&id(5)].place, "Depot");
    assert_eq!(hub.stock_of(&id(1)), 86);
    assert_eq!(hub.usage.len(), 1, "a consume is usage; moves and counts are not");
    assert!(hub.ignored.is_empty());
}

#[test]
fn concurrent_commitments_against_one_lot_mark_the_later_one_short() {
    // Two keepers, offline, each commit from the same 100.
    let mut ops = base();
    ops.push(entry(4, 9, 31, request(80)));
    ops.push(entry(10, 1, 50, commit(4, 2, 60)));
    ops.push(entry(11, 2, 50, commit(3, 2, 30)));
    ops.push(entry(12, 2, 51, commit(4, 2, 20)));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    // (time, op id): 10 then 11 at minute 50, then 12.
    assert_eq!(hub.commitments[&id(10)].state, CommitState::Held);
    assert_eq!(hub.commitments[&id(11)].state, CommitState::Held);
    assert_eq!((hub.commitments[&id(12)].held, hub.commitments[&id(12)].short), (10, 10));
    assert_eq!(hub.commitments[&id(12)].state, CommitState::Short);
    assert_eq!(hub.lots[&id(2)].free(), 0);
    // The request asks for the short units again.
    assert_eq!(hub.wanted(&id(4)), 10);
    assert_eq!(hub.wanted(&id(3)), 0);
    // Every order of arrival folds the same.
    let mut reversed = ops.clone();
    reversed.reverse();
    assert_eq!(fold(&reversed, &keepers(), &BTreeSet::new()), hub);
}

#[test]
fn a_second_plan_for_the_same_request_is_released_not_given_twice() {
    let mut ops = base();
    ops.push(entry(10, 1, 50, commit(3, 2, 30)));
    ops.push(entry(11, 2, 50, commit(3, 2, 30)));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    assert_eq!(hub.commitments[&id(10)].state, CommitState::Held);
    assert_eq!(hub.commitments[&id(11)].state, CommitState::Released);
    assert_eq!(hub.lots[&id(2)].free(), 70);
}

#[test]
fn handovers_leave_stock_and_fulfil_commitments() {
    let mut ops = base();
    ops.push(entry(10, 1, 50, commit(3, 2, 30)));
    ops.push(entry(20, 1, 60, Body::Handover(Handover { commitment: id(10), qty: 20, note: String::new() })));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    assert_eq!(hub.lots[&id(2)].stock, 80);
    assert_eq!(hub.commitments[&id(10)].held, 10);
    assert_eq!(hub.needs[&id(3)].handed, 20);
    ops.push(entry(21, 2, 61, Body::Handover(Handover { commitment: id(10), qty: 10, note: String::new() })));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    assert_eq!(hub.commitments[&id(10)].state, CommitState::Done);
    assert_eq!(hub.wanted(&id(3)), 0);
    assert_eq!(hub.lots[&id(2)].free(), 70);
}

#[test]
fn a_commitment_to_a_request_this_node_cannot_read_holds_its_lot() {
    let mut ops = base();
    ops.push(entry(10, 1, 50, commit(44, 2, 30)));
    let hub = fold(&ops, &keepers(), &[id(44)].into());
    assert_eq!((hub.commitments[&id(10)].held, hub.lots[&id(2)].free()), (30, 70));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    assert_eq!(hub.commitments[&id(10)].state, CommitState::Released, "a request that does not count");
}

#[test]
fn overdrawn_lots_show_below_zero() {
    let mut ops = base();
    ops.push(entry(4, 1, 40, event(StockAction::Consume, Some(2), 70, "", "")));
    ops.push(entry(5, 2, 40, event(StockAction::Consume, Some(2), 70, "", "")));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    assert_eq!(hub.lots[&id(2)].stock, -40);
    assert_eq!(hub.stock_of(&id(1)), 0);
}

#[test]
fn closes_count_from_the_author_or_a_keeper_only() {
    let mut ops = base();
    ops.push(entry(4, 7, 40, Body::IntentClose(IntentClose { intent: id(3), note: "not mine".into() })));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    assert!(hub.requests[&id(3)].is_open());
    assert_eq!(hub.ignored.len(), 1);
    ops.push(entry(5, 9, 41, Body::IntentClose(IntentClose { intent: id(3), note: "got it".into() })));
    ops.push(entry(10, 1, 50, commit(3, 2, 30)));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    assert_eq!(hub.requests[&id(3)].closed.as_deref(), Some("got it"));
    assert_eq!(hub.commitments[&id(10)].state, CommitState::Released);
}

#[test]
fn unknown_lots_and_specifications_do_not_count() {
    let mut ops = base();
    ops.push(entry(4, 1, 40, event(StockAction::Consume, Some(99), 5, "", "")));
    ops.push(entry(5, 1, 41, Body::ResourceMinimum(ResourceMinimum { spec: id(98), qty: 5 })));
    let mut other = event(StockAction::Consume, Some(2), 5, "", "");
    if let Body::StockEvent(s) = &mut other {
        s.spec = id(97);
    }
    ops.push(entry(6, 1, 42, other));
    let hub = fold(&ops, &keepers(), &BTreeSet::new());
    assert_eq!(hub.lots[&id(2)].stock, 100);
    assert_eq!(hub.ignored.len(), 3);
}

/// Random ops on two specifications: receives, moves, consumes, counts, requests,
/// commitments and handovers, with ids, authors and times drawn from small ranges so that
/// ties and chains happen.
fn random_ops() -> impl Strategy<Value = Vec<Entry>> {
    let op = (0u8..8, 1u64..40, 0u8..6, 0u8..3, 0u32..20);
    proptest::collection::vec(op, 1..40).prop_map(|picks| {
        let mut ops = vec![entry(1, 1, 0, spec("Rice")), entry(2, 1, 0, spec("Oil"))];
        let mut lots = vec![];
        let mut requests = vec![];
        let mut commits = vec![];
        for (i, (what, qty, pick, author, time)) in picks.into_iter().enumerate() {
            let n = 10 + i as u8;
            let nth = |v: &Vec<u8>| (!v.is_empty()).then(|| v[usize::from(pick) % v.len()]);
            let body = match what {
                0 => {
                    lots.push(n);
                    let mut b = event(StockAction::Receive, None, qty, "Basement", "");
                    if let Body::StockEvent(s) = &mut b {
                        s.spec = id(1 + pick % 2);
                    }
                    b
                }
                1 if nth(&lots).is_some() => {
                    let b = event(StockAction::Move, nth(&lots), qty, "Depot", "");
                    lots.push(n);
                    b
                }
                2 if nth(&lots).is_some() => event(StockAction::Consume, nth(&lots), qty, "", ""),
                3 if nth(&lots).is_some() => event(StockAction::Raise, nth(&lots), qty, "", ""),
                4 => {
                    requests.push(n);
                    request(qty)
                }
                5 if nth(&lots).is_some() && nth(&requests).is_some() => {
                    commits.push(n);
                    commit(nth(&requests).unwrap(), nth(&lots).unwrap(), qty)
                }
                6 if nth(&commits).is_some() => {
                    Body::Handover(Handover { commitment: id(nth(&commits).unwrap()), qty, note: String::new() })
                }
                _ => event(StockAction::Lower, nth(&lots).or(Some(99)), qty, "", ""),
            };
            ops.push(entry(n, author, time, body));
        }
        ops
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_fold_and_its_hash_do_not_depend_on_the_order_ops_arrive_in(ops in random_ops(), seed in any::<u64>()) {
        let network = NetworkId([3; 32]);
        let hub = fold(&ops, &keepers(), &BTreeSet::new());
        let mut shuffled = ops.clone();
        // A Fisher-Yates shuffle driven by the seed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let again = fold(&shuffled, &keepers(), &BTreeSet::new());
        prop_assert_eq!(hub.digest(&network), again.digest(&network));
        prop_assert_eq!(&hub, &again);
        // Each lot's stock is the sum of its events, counted here directly.
        for (lot, state) in &hub.lots {
            let mut sum: i64 = 0;
            for e in &ops {
                match &e.body {
                    Body::StockEvent(s) if e.op == *lot => sum += s.qty as i64,
                    Body::StockEvent(s) if s.lot == Some(*lot) && hub.ignored.iter().all(|(i, _)| *i != e.op) => {
                        sum += if s.action == StockAction::Raise { s.qty as i64 } else { -(s.qty as i64) };
                    }
                    Body::Handover(h) if hub.commitments.get(&h.commitment).is_some_and(|c| c.lot == *lot) => {
                        sum -= h.qty as i64;
                    }
                    _ => {}
                }
            }
            prop_assert_eq!(state.stock, sum, "lot {}", lot.short());
            prop_assert!(state.held <= u64::try_from(state.stock).unwrap_or(0));
        }
        // No request is given more than it asked.
        for (rid, r) in &hub.requests {
            let need = hub.needs.get(rid).copied().unwrap_or_default();
            prop_assert!(need.held <= r.intent.qty.saturating_sub(need.handed));
        }
    }
}

#[test]
fn a_sealed_request_opens_with_the_circles_key_or_its_authors_secret_only() {
    use crate::resources::SealedRequest;
    use strike_crypto::AgreementSecret;
    let network = NetworkId([3; 32]);
    let circle = id(40);
    let key = [41u8; 32];
    let entry = crate::circles::entry_secret(&key).public().0;
    let author = AgreementSecret::from_bytes([42; 32]);
    let Body::ResourceRequest(request) = request(3) else { unreachable!() };
    let mut rng = rand::rng();
    let sealed = SealedRequest::seal(&network, &circle, 7, &entry, &author.public(), &request, &mut rng).unwrap();
    assert_eq!(sealed.open(&network, &key).as_ref(), Some(&request));
    assert_eq!(sealed.open_copy(&network, &author).as_ref(), Some(&request));
    // Another circle's key, another member's secret, or the blob moved to another network or
    // circle opens nothing.
    assert!(sealed.open(&network, &[43; 32]).is_none());
    assert!(sealed.open_copy(&network, &AgreementSecret::from_bytes([44; 32])).is_none());
    assert!(sealed.open(&NetworkId([4; 32]), &key).is_none());
    assert!(SealedRequest { circle: id(45), ..sealed.clone() }.open(&network, &key).is_none());
    let plain = Body::ResourceRequest(request).encode();
    assert!(!sealed.sealed.windows(plain.len().min(16)).any(|w| w == &plain[..16]), "no plaintext in the blob");
}
