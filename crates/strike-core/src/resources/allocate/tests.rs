//! The allocation engine against its brute-force reference on random instances, and the
//! rules it states: proportional shares, ties, reserves, first-expiring lots.

use super::reference::{SMALL, check, optimum, random};
use super::*;

fn id(n: u8) -> OpId {
    OpId([n; 32])
}

#[test]
fn plans_are_optimal_against_brute_force_on_2000_random_cases() {
    for case in 0..2000 {
        let p = random(case, SMALL, false);
        let got = check(&p, &plan(&p));
        let want = optimum(&p);
        assert_eq!(got, want, "case {case}: {p:#?}");
    }
}

#[test]
fn the_plan_does_not_depend_on_the_order_of_its_inputs() {
    for case in 0..200 {
        let mut p = random(10_000 + case, SMALL, false);
        let a = plan(&p);
        p.lots.reverse();
        p.requests.reverse();
        p.distances.reverse();
        assert_eq!(plan(&p), a);
    }
}

#[test]
fn shares_are_proportional_and_ties_go_to_the_larger_household() {
    assert_eq!(apportion(10, &[10, 10]), (vec![5, 5], vec![], 0));
    // 6 of 12 asked: exact shares 3, 1.5, 1.5; one unit left for the two tied.
    assert_eq!(apportion(6, &[6, 3, 3]), (vec![3, 1, 1], vec![1, 2], 1));
    // 5 of 7: exact 0.71, 2.14, 2.14 (x5/7): the largest remainder gets the unit for sure.
    assert_eq!(apportion(5, &[1, 3, 3]), (vec![1, 2, 2], vec![], 0));
    assert_eq!(apportion(0, &[5, 5]), (vec![0, 0], vec![], 0));
    assert_eq!(apportion(99, &[3, 4]), (vec![3, 4], vec![], 0), "never more than asked");
    let now = CoarseTime(0);
    let req = |n: u8, qty: u64, household: u16| Request {
        id: id(n),
        spec: id(1),
        qty,
        urgency: Urgency::Normal,
        due: CoarseTime(60),
        household,
        place: "A".into(),
    };
    let p = Problem {
        now,
        lots: vec![Lot { id: id(9), spec: id(1), qty: 5, place: "A".into(), expires: None }],
        requests: vec![req(1, 4, 1), req(2, 4, 5)],
        ..Problem::default()
    };
    let met: BTreeMap<OpId, u64> = plan(&p).met.iter().map(|m| (m.0, m.1)).collect();
    assert_eq!((met[&id(1)], met[&id(2)]), (2, 3), "the household of 5 gets the odd unit");
}

#[test]
fn reserves_go_only_to_critical_requests_and_first_expiring_lots_go_first() {
    let now = CoarseTime(10 * DAY);
    let lot = |n: u8, qty: u64, days: Option<u32>| Lot {
        id: id(n),
        spec: id(1),
        qty,
        place: "Fridge".into(),
        expires: days.map(|d| CoarseTime(now.0 + d * DAY)),
    };
    let req = |n: u8, qty: u64, urgency: Urgency| Request {
        id: id(n),
        spec: id(1),
        qty,
        urgency,
        due: CoarseTime(now.0 + DAY),
        household: 1,
        place: "Fridge".into(),
    };
    // 40 vials, half expiring in 5 weeks; 10 kept for critical requests.
    let p = Problem {
        now,
        lots: vec![lot(1, 20, None), lot(2, 20, Some(35)), lot(3, 5, Some(0))],
        requests: vec![req(20, 3, Urgency::Critical), req(21, 40, Urgency::Normal)],
        reserves: vec![(id(1), 10)],
        distances: vec![],
    };
    let plan = plan(&p);
    let met: BTreeMap<OpId, u64> = plan.met.iter().map(|m| (m.0, m.1)).collect();
    assert_eq!((met[&id(20)], met[&id(21)]), (3, 27), "40 - 3 critical - 10 kept");
    assert!(plan.allocations.iter().all(|a| a.lot != id(3)), "the expired lot is not handed out");
    let from = |l: u8| plan.allocations.iter().filter(|a| a.lot == id(l)).map(|a| a.qty).sum::<u64>();
    assert_eq!((from(2), from(1)), (20, 10), "the expiring lot first");
}
