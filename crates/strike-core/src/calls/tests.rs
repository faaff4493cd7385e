//! Tests of calls: rules, waves, the trigger and the pledge timeline.

use super::*;

fn who(i: u32) -> AuthorId {
    let mut a = [0; 32];
    a[..4].copy_from_slice(&i.to_be_bytes());
    AuthorId(a)
}

fn person(dept: &str, role: &str) -> Option<Person> {
    Some(Person { workplace: "Dock 4".into(), department: dept.into(), shift: "night".into(), role: role.into() })
}

fn call(rules: Vec<Rule>) -> Call {
    Call {
        kind: CallKind::Strike,
        title: "One-day strike".into(),
        demands: vec!["Heat in the packing hall".into()],
        scope: String::new(),
        deadline: 1000,
        exempt_roles: vec!["nurse".into()],
        waves: vec![Wave { rules, starts: 2000 }],
        secret: None,
    }
}

/// 10 members: 6 in packing, 3 in picking, 1 nurse; plus 5 contacts in picking.
fn roster() -> Roster {
    let mut r = Roster::default();
    for i in 0..6 {
        r.members.insert(who(i), person("packing", "picker"));
    }
    for i in 6..9 {
        r.members.insert(who(i), person("picking", "picker"));
    }
    r.members.insert(who(9), person("clinic", "nurse"));
    r.members.insert(who(10), None);
    r.contacts = (0..5).map(|_| person("picking", "picker").unwrap()).collect();
    r
}

fn pledge(i: u32, seq: u64, time: u32, pledged: bool) -> PledgeEvent {
    PledgeEvent { author: who(i), seq, time: CoarseTime(time), pledged }
}

#[test]
fn rules_combine_with_and_and_exempt_roles_stay_out() {
    let c = call(vec![
        Rule::Count { n: 5 },
        Rule::Share { permille: 400 },
        Rule::MinPer { dimension: Dimension::Department, n: 2 },
    ]);
    let r = roster();
    // Workforce: 9 non-exempt members with profiles + 5 contacts = 14; the nurse is left out.
    let mut events: Vec<PledgeEvent> = (0..5).map(|i| pledge(i, 2, 10 + i, true)).collect();
    events.push(pledge(9, 2, 11, true)); // the nurse: support only
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(500));
    assert_eq!((t.workforce, t.counted, t.support), (14, 5, 1));
    assert_eq!(t.status, CallStatus::Open, "no picking pledges yet, 5/14 < 40%");
    let min_per = &t.waves[0].rules[2];
    assert_eq!(min_per.groups[0], ("picking".to_string(), 0, 2), "the group short of its minimum comes first");
    events.push(pledge(6, 2, 20, true));
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(500));
    assert_eq!(t.status, CallStatus::Open, "6/14 = 42.8% but picking has 1");
    events.push(pledge(7, 2, 21, true));
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(500));
    assert_eq!(t.status, CallStatus::Triggered);
    assert_eq!(t.waves[0].triggered_at, Some(21));
    assert_eq!(evaluate(&c, &r, &mut events, None, CoarseTime(2000)).status, CallStatus::Started);
}

#[test]
fn withdrawals_late_pledges_and_expiry() {
    let c = call(vec![Rule::Count { n: 3 }]);
    let r = roster();
    let mut events = vec![pledge(0, 2, 10, true), pledge(1, 2, 11, true), pledge(1, 3, 12, false)];
    events.push(pledge(2, 2, 13, true));
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(500));
    assert_eq!((t.status, t.counted), (CallStatus::Open, 2), "a withdrawn pledge does not count");
    // A pledge at the deadline is late.
    events.push(pledge(3, 2, 1000, true));
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(1001));
    assert_eq!((t.status, t.counted, t.late), (CallStatus::Expired, 2, 1));
    // Re-pledging before the deadline triggers; a withdrawal after the trigger is held to.
    events.push(pledge(1, 4, 14, true));
    events.push(pledge(0, 3, 15, false));
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(1001));
    assert_eq!((t.status, t.counted), (CallStatus::Triggered, 3));
    // A checkpoint cut: pledges its author had not seen do not count.
    let cut: Cut = [(who(0), 2), (who(1), 3), (who(2), 1)].into_iter().collect();
    let t = evaluate(&c, &r, &mut events, Some(&cut), CoarseTime(1001));
    assert_eq!((t.status, t.counted), (CallStatus::Expired, 1));
}

#[test]
fn non_members_never_count_and_duplicates_count_once() {
    let c = call(vec![Rule::Count { n: 2 }]);
    let r = roster();
    let mut events =
        vec![pledge(0, 2, 10, true), pledge(0, 3, 11, true), pledge(0, 4, 12, true), pledge(77, 2, 13, true)];
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(500));
    assert_eq!((t.status, t.counted), (CallStatus::Open, 1));
}

#[test]
fn escalation_waves_trigger_in_order() {
    let mut c = call(vec![Rule::Count { n: 2 }]);
    c.waves.push(Wave { rules: vec![Rule::Count { n: 4 }], starts: 3000 });
    let r = roster();
    let mut events: Vec<PledgeEvent> = (0..3).map(|i| pledge(i, 2, 10 + i, true)).collect();
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(500));
    assert_eq!(t.waves[0].triggered_at, Some(11));
    assert_eq!(t.waves[1].triggered_at, None);
    events.push(pledge(3, 2, 20, true));
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(2500));
    assert_eq!((t.status, t.waves[1].triggered_at), (CallStatus::Started, Some(20)));
}

#[test]
fn scope_limits_who_counts() {
    let mut c = call(vec![Rule::Share { permille: 500 }]);
    c.scope = "Dock 4".into();
    let mut r = roster();
    r.members.insert(who(20), Some(Person { workplace: "Dock 7".into(), ..Person::default() }));
    let mut events = vec![pledge(20, 2, 10, true), pledge(10, 2, 10, true)];
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(500));
    assert_eq!((t.counted, t.support, t.workforce), (0, 2, 14));
}

#[test]
fn timeline_follows_the_count_and_ends_at_the_tally() {
    let c = call(vec![Rule::Count { n: 3 }]);
    let r = roster();
    // Arrival order differs from time order; the nurse (exempt), a stranger and a late pledge
    // never move the line; a withdrawal before the trigger steps it down.
    let mut events = vec![
        pledge(2, 2, 30, true),
        pledge(0, 2, 10, true),
        pledge(1, 2, 20, true),
        pledge(1, 3, 25, false),
        pledge(9, 2, 26, true),
        pledge(77, 2, 27, true),
        pledge(3, 2, 1200, true),
    ];
    let points = timeline(&c, &r, &mut events.clone(), None);
    assert_eq!(points, vec![(10, 1), (20, 2), (25, 1), (30, 2)]);
    let t = evaluate(&c, &r, &mut events, None, CoarseTime(500));
    assert_eq!(points.last().map(|p| p.1), Some(t.counted));
}
