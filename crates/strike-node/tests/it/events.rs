//! Events and picket shifts across nodes: answers and sign-ups converge, a shift is never
//! overfilled, concurrent last places resolve the same everywhere, removed members drop off,
//! bad input writes nothing, and a member's key cannot set out or call off events.

use strike_core::events::{Answer, Event, EventCancel, EventKind, ShiftInput};
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpDraft, OpId};
use strike_crypto::SigningSecret;
use strike_node::events::EventSpec;
use strike_node::{Node, NodeError};

use crate::calls::{everyone_syncs, workplace};

/// A picket two days out with two shifts: North gate needs `north`, South gate 3.
fn picket(north: u16) -> EventSpec {
    EventSpec {
        kind: "picket".into(),
        title: "Strike day picket".into(),
        start: "2d".into(),
        place: "Dock 4 gates".into(),
        note: "Hi-vis".into(),
        shifts: vec![
            ShiftInput::parse(&format!("North gate, 05:30-09:00, {north}")).unwrap(),
            ShiftInput::parse("South gate, 05:30-09:00, 3").unwrap(),
        ],
    }
}

fn on(n: &Node, net: &NetworkId, event: &OpId, shift: usize) -> Vec<String> {
    n.event(net, event).unwrap().shifts[shift].on.clone()
}

fn name(n: &Node, net: &NetworkId, who: &AuthorId) -> String {
    n.members(net)
        .unwrap()
        .into_iter()
        .find(|m| m.author == *who)
        .map(|m| strike_node::networks::display_name(&m))
        .unwrap()
}

/// Everything `n` has written in `net`: a refused command must leave it unchanged.
fn written(n: &Node, net: &NetworkId) -> (u64, [u8; 32]) {
    let me = n.network(net).unwrap().my_author.unwrap();
    (n.store().last_seq(net, &me).unwrap(), n.state_hash(net).unwrap())
}

#[test]
fn answers_and_signups_from_several_nodes_converge() {
    let (mut net, mut nodes, _) = workplace();
    let picket = nodes[0].create_event(&net.id, &picket(2)).unwrap();
    let meeting = nodes[0]
        .create_event(
            &net.id,
            &EventSpec { kind: "meeting".into(), title: "Briefing".into(), start: "1d".into(), ..EventSpec::default() },
        )
        .unwrap();
    everyone_syncs(&mut net, &mut nodes);
    let answers = [Answer::Going, Answer::Maybe, Answer::No, Answer::Going];
    for (n, a) in nodes.iter_mut().zip(answers) {
        n.rsvp(&net.id, &meeting, a).unwrap();
    }
    // Dee changes her mind: the last answer stands.
    nodes[1].rsvp(&net.id, &meeting, Answer::Going).unwrap();
    nodes[1].shift_signup(&net.id, &picket, 2, true).unwrap();
    nodes[2].shift_signup(&net.id, &picket, 2, true).unwrap();
    nodes[3].shift_signup(&net.id, &picket, 1, true).unwrap();
    nodes[3].shift_signup(&net.id, &picket, 1, false).unwrap();
    nodes[3].shift_signup(&net.id, &picket, 1, true).unwrap();
    everyone_syncs(&mut net, &mut nodes);

    let expected = nodes[0].state_hash(&net.id).unwrap();
    let view = nodes[0].event(&net.id, &meeting).unwrap();
    assert_eq!((view.going, view.maybe, view.no), (3, 0, 1));
    let fill = nodes[0].event(&net.id, &picket).unwrap();
    assert_eq!(fill.shifts[0].fill, "North gate 05:30-09:00: 1 of 2");
    assert_eq!(fill.shifts[1].fill, "South gate 05:30-09:00: 2 of 3");
    assert_eq!(fill.short_shifts.len(), 2);
    for n in &nodes {
        assert_eq!(n.state_hash(&net.id).unwrap(), expected, "every node holds the same state");
        let v = n.event(&net.id, &picket).unwrap();
        assert_eq!(
            v.shifts.iter().map(|s| (&s.on, &s.standby)).collect::<Vec<_>>(),
            fill.shifts.iter().map(|s| (&s.on, &s.standby)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_full_shift_refuses_and_concurrent_last_places_resolve_the_same_everywhere() {
    let (mut net, mut nodes, ids) = workplace();
    let event = nodes[0].create_event(&net.id, &picket(2)).unwrap();
    nodes[0].shift_signup(&net.id, &event, 1, true).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    // Dee and Ana both see one place left and take it, each offline.
    nodes[1].shift_signup(&net.id, &event, 1, true).unwrap();
    nodes[2].shift_signup(&net.id, &event, 1, true).unwrap();
    everyone_syncs(&mut net, &mut nodes);

    // The documented rule: standing sign-ups rank by (time, author, seq); the first `needed`
    // are on, the rest stand by.
    let facts = nodes[0].store().facts(&net.id, Kind::ShiftSignup, Some(&event.0)).unwrap();
    let key = |who: &AuthorId| facts.iter().find(|f| f.author == *who).map(|f| (f.time, f.author, f.seq)).unwrap();
    let mut ranked = ids[..3].to_vec();
    ranked.sort_by_key(key);
    for n in &nodes {
        let s = &n.event(&net.id, &event).unwrap().shifts[0];
        assert_eq!(s.on.len(), 2, "never more than needed on a shift");
        let names = |who: &[AuthorId]| who.iter().map(|a| name(n, &net.id, a)).collect::<Vec<_>>();
        assert_eq!(s.on, names(&ranked[..2]));
        assert_eq!(s.standby, names(&ranked[2..]));
    }
    // The one standing by sees it, and moves up when someone ahead leaves.
    let standby = ids.iter().position(|a| *a == ranked[2]).unwrap();
    let ahead = ids.iter().position(|a| *a == ranked[0]).unwrap();
    assert_eq!(nodes[standby].event(&net.id, &event).unwrap().shifts[0].me, Some("standby"));
    nodes[ahead].shift_signup(&net.id, &event, 1, false).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    assert_eq!(nodes[standby].event(&net.id, &event).unwrap().shifts[0].me, Some("on"));

    // Now full, as every node knows: Nia's sign-up is refused and writes nothing.
    let before = written(&nodes[3], &net.id);
    let err = nodes[3].shift_signup(&net.id, &event, 1, true).unwrap_err();
    assert!(matches!(err, NodeError::NotAllowed(_)), "{err}");
    assert!(err.to_string().contains("is full (2 of 2)"), "{err}");
    assert_eq!(written(&nodes[3], &net.id), before);
}

#[test]
fn a_removed_members_signups_stop_counting() {
    let (mut net, mut nodes, ids) = workplace();
    let event = nodes[0].create_event(&net.id, &picket(1)).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    nodes[1].shift_signup(&net.id, &event, 1, true).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    assert_eq!(on(&nodes[2], &net.id, &event, 0), vec![name(&nodes[2], &net.id, &ids[1])]);
    assert!(matches!(nodes[2].shift_signup(&net.id, &event, 1, true), Err(NodeError::NotAllowed(_))));

    nodes[0].remove(&net.id, &ids[1]).unwrap();
    // Dee holds nothing after her removal; the others go on syncing without her.
    let dee = nodes.remove(1);
    everyone_syncs(&mut net, &mut nodes);
    for n in &nodes {
        let v = n.event(&net.id, &event).unwrap();
        assert_eq!(v.shifts[0].fill, "North gate 05:30-09:00: 0 of 1", "Dee's place is free again");
    }
    nodes[1].shift_signup(&net.id, &event, 1, true).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    assert_eq!(on(&nodes[0], &net.id, &event, 0), vec![name(&nodes[0], &net.id, &ids[2])]);
    drop(dee);
}

#[test]
fn bad_input_is_refused_with_a_clear_error_and_writes_nothing() {
    let (net, mut nodes, _) = workplace();
    let sam = &mut nodes[0];
    let before = written(sam, &net.id);
    let cases: Vec<(EventSpec, &str)> = vec![
        (EventSpec { shifts: vec![ShiftInput::parse("North gate, 09:00-05:30, 4").unwrap()], ..picket(2) }, "ends ("),
        (EventSpec { shifts: vec![ShiftInput::parse("North gate, 05:30-09:00, 0").unwrap()], ..picket(2) }, "not 0"),
        (EventSpec { kind: "rally".into(), ..picket(2) }, "rally"),
        (EventSpec { start: "2020-01-01T10:00".into(), ..picket(2) }, "in the past"),
        (EventSpec { kind: "meeting".into(), ..picket(2) }, "has no shifts"),
        (EventSpec { title: "  ".into(), ..picket(2) }, "title"),
    ];
    for (spec, message) in cases {
        let err = sam.create_event(&net.id, &spec).unwrap_err();
        assert!(matches!(err, NodeError::InvalidInput(_)), "{err}");
        assert!(err.to_string().contains(message), "{message:?} not in {err}");
    }
    assert!(ShiftInput::parse("North gate 05:30-09:00").is_err());
    assert!(ShiftInput::parse("North gate, 05:30-09:00, four").is_err());

    let unknown = OpId([9; 32]);
    assert!(matches!(sam.rsvp(&net.id, &unknown, Answer::Going), Err(NodeError::NotFound(_))));
    assert!(matches!(sam.shift_signup(&net.id, &unknown, 1, true), Err(NodeError::NotFound(_))));
    assert!(matches!(sam.cancel_event(&net.id, &unknown, ""), Err(NodeError::NotFound(_))));
    assert!(matches!(sam.find_event("abcdef"), Err(NodeError::NotFound(_))));

    let event = sam.create_event(&net.id, &picket(2)).unwrap();
    let before = (before.0 + 1, sam.state_hash(&net.id).unwrap());
    let err = sam.shift_signup(&net.id, &event, 3, true).unwrap_err();
    assert!(err.to_string().contains("shifts 1 to 2, not 3"), "{err}");
    assert!(matches!(sam.shift_signup(&net.id, &event, 0, true), Err(NodeError::NotFound(_))));
    assert!(sam.shift_signup(&net.id, &event, 1, false).unwrap_err().to_string().contains("not signed up"));
    assert_eq!(written(sam, &net.id), before);

    sam.cancel_event(&net.id, &event, "the gates are closed").unwrap();
    let v = sam.event(&net.id, &event).unwrap();
    assert_eq!(v.cancelled.as_deref(), Some("the gates are closed"));
    assert!(sam.upcoming_events(&net.id, 10).unwrap().is_empty());
    let before = written(sam, &net.id);
    assert!(matches!(sam.shift_signup(&net.id, &event, 1, true), Err(NodeError::NotAllowed(_))));
    assert!(matches!(sam.rsvp(&net.id, &event, Answer::Going), Err(NodeError::NotAllowed(_))));
    assert_eq!(written(sam, &net.id), before);
}

/// Seals `body` as the author of `seed` with explicit chain fields: what an informant with a
/// member's key (or a patched client) can put on the wire.
fn forge(n: &Node, net: &NetworkId, body: Body) -> Vec<u8> {
    let (seed, _) = n.store().my_author(net).unwrap().unwrap();
    let me = n.network(net).unwrap().my_author.unwrap();
    let seq = n.store().last_seq(net, &me).unwrap();
    let mut prev = None;
    n.store()
        .for_each_op(net, |b| {
            let op = strike_core::SealedOp::from_verified_store(b.to_vec()).unwrap();
            if op.envelope().author == me && op.envelope().seq == seq {
                prev = Some(op.id());
            }
            Ok(())
        })
        .unwrap()
        .unwrap();
    let (epoch, key) = n.store().write_key(net).unwrap().unwrap();
    let time = CoarseTime::from_unix_seconds(n.now());
    let draft = OpDraft { network: *net, seq: seq + 1, prev, deps: vec![], time, epoch, body };
    draft.seal(&SigningSecret::from_seed(&seed), &key, [seq as u8 + 1; 24]).unwrap().into_bytes()
}

#[test]
fn a_members_key_cannot_set_out_or_call_off_events() {
    let (mut net, mut nodes, _) = workplace();
    let event = nodes[0].create_event(&net.id, &picket(2)).unwrap();
    everyone_syncs(&mut net, &mut nodes);

    // The node refuses, and writes nothing.
    let before = written(&nodes[1], &net.id);
    assert!(matches!(nodes[1].create_event(&net.id, &picket(2)), Err(NodeError::NotAllowed(_))));
    assert!(matches!(nodes[1].cancel_event(&net.id, &event, "fake"), Err(NodeError::NotAllowed(_))));
    assert_eq!(written(&nodes[1], &net.id), before);

    // An informant forges the ops anyway: a fake picket to send people to the wrong gate, and
    // a cancellation of the real one. Both are logged, neither counts.
    let now = CoarseTime::from_unix_seconds(nodes[1].now()).0;
    let fake = Event {
        kind: EventKind::Picket,
        title: "Picket moved to the back lot".into(),
        start: now + 24 * 60,
        place: "Back lot".into(),
        note: String::new(),
        shifts: vec![],
    };
    let op = forge(&nodes[1], &net.id, Body::Event(fake));
    nodes[0].ingest(&net.id, vec![op]).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    let op = forge(&nodes[1], &net.id, Body::EventCancel(EventCancel { event, reason: "fake".into() }));
    nodes[0].ingest(&net.id, vec![op]).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    for n in &nodes {
        let events = n.events(&net.id).unwrap();
        assert_eq!(events.len(), 1, "only the organizer's event counts");
        assert_eq!(events[0].cancelled, None, "a member's cancellation does not count");
    }
}
