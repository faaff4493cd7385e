//! Mutual aid across nodes: a request sealed to a team is unreadable to a member outside it
//! whatever network keys they hold (a canary); an escalation to a hub network carries only the
//! fields its requester allowed and a link the hub cannot resolve; concurrent claims made apart
//! resolve the same on every node; supplies from a hub go through the resource engine and a
//! hardship grant still needs the fund's approvals; check-in answers count from several nodes,
//! only the team sees who is silent, and a removed member's answer stops counting; bad input is
//! refused with the reason and writes nothing.

use strike_core::{AuthorId, Body, NetworkKind};
use strike_node::aid::AskInput;
use strike_node::aid::checkins::CheckinInput;
use strike_node::fund::FundInput;
use strike_node::resources::{RequestInput, SpecInput, StockInput};
use strike_node::{Node, NodeError};

use crate::calls::everyone_syncs;
use crate::circles::{has, readable};
use crate::networks::Net;

/// Sam (organizer) with Ana, Dee, Bo and Cy; Ana and Dee are the "Crisis team" with Sam.
/// Returns the nodes in that order.
fn team() -> (Net, Vec<Node>, Vec<AuthorId>) {
    let (mut net, mut all, ids) = Net::with_members(&["ana", "dee", "bo", "cy"]);
    for (n, name) in all[1..].iter_mut().zip(["ana", "dee", "bo", "cy"]) {
        n.set_profile(&net.id, |p| p.pseudonym = name.into()).unwrap();
    }
    let sam = &mut all[0];
    let crisis = sam.create_circle(&net.id, "Crisis team", "nights").unwrap();
    for id in &ids[1..3] {
        sam.add_to_circle(&net.id, &crisis, id).unwrap();
    }
    everyone_syncs(&mut net, &mut all);
    for n in all.iter_mut() {
        n.upkeep(&net.id).unwrap();
    }
    everyone_syncs(&mut net, &mut all);
    (net, all, ids)
}

fn ask(category: &str, urgency: &str, text: &str, visible_to: &str) -> AskInput {
    AskInput {
        category: category.into(),
        urgency: urgency.into(),
        text: text.into(),
        visible_to: visible_to.into(),
        ..AskInput::default()
    }
}

/// `nodes[from]`'s ops to `nodes[to]` only.
fn ship(net: &mut Net, nodes: &mut [Node], from: usize, to: usize) {
    let (lo, hi) = nodes.split_at_mut(from.max(to));
    let (a, b) = (&mut lo[from.min(to)], &mut hi[0]);
    if from < to { net.ship(a, b) } else { net.ship(b, a) }
}

fn ops(n: &Node, net: &Net) -> u64 {
    n.network(&net.id).unwrap().n_ops
}

#[test]
fn a_request_sealed_to_the_team_is_read_by_the_team_and_its_author_only() {
    let (mut net, mut n, _) = team();
    let input = ask("medical", "critical", "Insulin runs out CANARY-AID-TEXT", "Crisis team");
    let req = n[3].aid_ask(&net.id, &input).unwrap().to_hex();
    everyone_syncs(&mut net, &mut n);
    // The team and the requester read it; Cy, with every key of the network, does not.
    for (i, who) in [(0, "sam"), (1, "ana"), (2, "dee"), (3, "bo")] {
        let q = n[i].aid_queue(&net.id, None).unwrap();
        assert_eq!(q.open.len(), 1, "{who} reads it");
        assert!(q.open[0].text.contains("CANARY-AID-TEXT"));
    }
    let cy = n[4].aid_queue(&net.id, None).unwrap();
    assert_eq!((cy.open.len(), cy.sealed), (0, 1));
    assert!(!has(&readable(&n[4], &n[4], &net.id), "CANARY-AID-TEXT"), "no network key opens the text");
    assert!(matches!(n[4].aid_request(&net.id, &req), Err(NodeError::NotFound(_))));
    // A claim by the team, sealed to the team with a copy to Bo: Bo sees who has it, Cy sees
    // a second sealed note and nothing else.
    n[1].aid_update(&net.id, &req, "claim", "On my way CANARY-AID-NOTE").unwrap();
    everyone_syncs(&mut net, &mut n);
    let mine = n[3].aid_request(&net.id, &req).unwrap();
    assert_eq!((mine.state.as_str(), mine.holder.as_deref()), ("claimed", Some("ana")));
    assert_eq!(n[4].aid_queue(&net.id, None).unwrap().sealed, 2);
    assert!(!has(&readable(&n[4], &n[4], &net.id), "CANARY-AID-NOTE"));
}

#[test]
fn an_escalation_to_a_hub_carries_only_the_allowed_fields() {
    let (mut net, mut n, _) = team();
    let hub = n[0].create_network("Eastside", NetworkKind::Hub).unwrap();
    let input = AskInput {
        place: "Flat 3, 12 Mill Lane".into(),
        escalate_to: vec![hub.to_hex()],
        share: vec!["category".into(), "urgency".into()],
        ..ask("food", "high", "Family of five CANARY-ESCALATED", "network")
    };
    let req = n[3].aid_ask(&net.id, &input).unwrap();
    everyone_syncs(&mut net, &mut n);
    // Asking to share more than Bo allowed, or to a circle he did not name, is refused.
    let refused = n[0].aid_escalate(&net.id, &req.to_hex(), &hub.to_hex(), &["text".into()]).unwrap_err();
    assert!(refused.to_string().contains("did not allow sharing \"text\""), "{refused}");
    let refused = n[0].aid_escalate(&net.id, &req.to_hex(), "Crisis team", &[]).unwrap_err();
    assert!(refused.to_string().contains("did not allow escalating"), "{refused}");
    n[0].aid_escalate(&net.id, &req.to_hex(), &hub.to_hex(), &[]).unwrap();
    // In the hub: category and urgency, no text, no place, a link that is not the id.
    let there = n[0].aid_queue(&hub, None).unwrap();
    assert_eq!(there.open.len(), 1);
    let copy = &there.open[0];
    assert_eq!((copy.category.as_str(), copy.urgency.as_str(), copy.text.as_str()), ("food", "high", ""));
    assert!(copy.place.is_empty() && copy.escalated_from_elsewhere);
    let hub_ops = readable(&n[0], &n[0], &hub);
    assert!(!has(&hub_ops, "CANARY-ESCALATED") && !has(&hub_ops, "Mill Lane"));
    let link = hub_ops.iter().find(|o| o.contains("AidRequest")).unwrap();
    assert!(!link.contains(&format!("{:?}", req.0)), "the link is not the request's id");
    // At home the request shows escalated, to Sam now and to Bo once they sync.
    assert_eq!(n[0].aid_request(&net.id, &req.to_hex()).unwrap().state, "escalated");
    everyone_syncs(&mut net, &mut n);
    assert_eq!(n[3].aid_request(&net.id, &req.to_hex()).unwrap().state, "escalated");
}

#[test]
fn claims_made_apart_resolve_the_same_on_every_node() {
    let (mut net, mut n, _) = team();
    let req = n[3].aid_ask(&net.id, &ask("transport", "normal", "A lift Tuesday", "network")).unwrap().to_hex();
    everyone_syncs(&mut net, &mut n);
    // Ana and Dee claim while apart, at the same minute.
    n[1].aid_update(&net.id, &req, "claim", "").unwrap();
    n[2].aid_update(&net.id, &req, "claim", "").unwrap();
    everyone_syncs(&mut net, &mut n);
    let views: Vec<_> = n.iter().map(|node| node.aid_request(&net.id, &req).unwrap()).collect();
    let holder = views[0].holder.clone().unwrap();
    assert!(views.iter().all(|v| v.holder.as_deref() == Some(holder.as_str()) && v.state == "claimed"));
    assert_eq!(views[0].history.iter().filter(|h| h.ignored == "also offered").count(), 1);
    // The other's claim is refused with who has it; a resolve closes it for good.
    let other = if holder == "ana" { 2 } else { 1 };
    let e = n[other].aid_update(&net.id, &req, "claim", "").unwrap_err();
    assert!(e.to_string().contains("also offered"), "{e}");
    let holder_node = 3 - other;
    n[holder_node].aid_update(&net.id, &req, "resolve", "Done").unwrap();
    let before = ops(&n[other], &net);
    ship(&mut net, &mut n, holder_node, other);
    let e = n[other].aid_update(&net.id, &req, "claim", "").unwrap_err();
    assert!(e.to_string().contains("already closed"), "{e}");
    assert_eq!(ops(&n[other], &net), before + 1, "only the shipped resolve, nothing written");
}

#[test]
fn a_stale_claim_returns_to_the_queue() {
    let (mut net, mut n, _) = team();
    let req = n[3].aid_ask(&net.id, &ask("safety", "critical", "Followed home", "Crisis team")).unwrap().to_hex();
    everyone_syncs(&mut net, &mut n);
    n[1].aid_update(&net.id, &req, "claim", "").unwrap();
    everyone_syncs(&mut net, &mut n);
    // Two hours on, with nothing from Ana: back in the queue on every node, and Dee takes it.
    for node in n.iter_mut() {
        node.set_clock_offset(2 * 3600);
    }
    for node in &n[..4] {
        let v = node.aid_request(&net.id, &req).unwrap();
        assert_eq!((v.state.as_str(), v.returned, v.overdue), ("open", true, true));
    }
    n[2].aid_update(&net.id, &req, "claim", "I'm near").unwrap();
    everyone_syncs(&mut net, &mut n);
    assert_eq!(n[3].aid_request(&net.id, &req).unwrap().holder.as_deref(), Some("dee"));
}

#[test]
fn a_supply_goes_through_the_hub_and_a_grant_waits_for_approvals() {
    let (mut net, mut n, ids) = team();
    // Sam keeps a hub with 10 vials of insulin.
    let hub = n[0].create_network("Eastside", NetworkKind::Hub).unwrap();
    let spec =
        SpecInput { name: "Insulin".into(), unit: "vials".into(), category: "medical".into(), ..Default::default() };
    n[0].add_spec(&hub, &spec).unwrap();
    let stock = StockInput {
        action: "receive".into(),
        spec: "Insulin".into(),
        qty: "10".into(),
        place: "Fridge".into(),
        ..Default::default()
    };
    n[0].record_stock(&hub, &stock).unwrap();
    let req = n[3].aid_ask(&net.id, &ask("medical", "critical", "Insulin", "Crisis team")).unwrap().to_hex();
    everyone_syncs(&mut net, &mut n);
    let input = RequestInput { spec: "Insulin".into(), qty: "2".into(), ..RequestInput::default() };
    let supplied = n[0].aid_supply(&net.id, &req, &hub, &input).unwrap();
    assert_eq!(supplied.commitments.len(), 1, "the plan commits the keeper's own stock");
    let insulin = |node: &Node| node.resources(&hub).unwrap().specs.into_iter().find(|s| s.name == "Insulin").unwrap();
    assert_eq!((insulin(&n[0]).stock, insulin(&n[0]).free), (10, 8));
    n[0].handover(&hub, &supplied.commitments[0].to_hex(), None, "").unwrap();
    assert_eq!(insulin(&n[0]).stock, 8);
    assert_eq!(n[0].aid_request(&net.id, &req).unwrap().state, "in progress");

    // A fund whose treasurers (Ana and Dee) must both approve.
    let circle = n[0].create_circle(&net.id, "Treasurers", "books").unwrap();
    for id in &ids[1..3] {
        n[0].set_circle_lead(&net.id, &circle, id, true).unwrap();
    }
    n[0].create_fund(&net.id, &FundInput { currency: "EUR".into(), approvals: Some(2), circle: "Treasurers".into() })
        .unwrap();
    everyone_syncs(&mut net, &mut n);
    for node in n.iter_mut() {
        node.upkeep(&net.id).unwrap();
    }
    everyone_syncs(&mut net, &mut n);
    n[1].aid_grant(&net.id, &req, "120.00", "").unwrap();
    everyone_syncs(&mut net, &mut n);
    let id = net.id;
    let claim = |node: &Node| node.fund(&id).unwrap().unwrap().claims.into_iter().next().unwrap();
    let c = claim(&n[2]);
    assert_eq!((c.claimant.as_str(), c.amount.as_str(), c.status.as_str()), ("bo", "120.00", "waiting"));
    assert_eq!(claim(&n[3]).claimant, "you", "the copy is sealed to Bo, whom the payout commits to");
    n[1].fund_answer(&net.id, &c.id, true, "").unwrap();
    everyone_syncs(&mut net, &mut n);
    assert_eq!(claim(&n[2]).status, "waiting", "one approval of two pays nothing");
    n[2].fund_answer(&net.id, &c.id, true, "").unwrap();
    everyone_syncs(&mut net, &mut n);
    assert_eq!(claim(&n[1]).status, "approved");
}

#[test]
fn check_in_answers_count_from_several_nodes_and_a_removed_members_stop() {
    let (mut net, mut n, ids) = team();
    let round = CheckinInput {
        team: "Crisis team".into(),
        asked: String::new(),
        question: "Are you OK?".into(),
        within: "12h".into(),
    };
    // Only a member of the team starts a round.
    assert!(matches!(n[3].checkin_start(&net.id, &round), Err(NodeError::NotAllowed(_))));
    n[1].checkin_start(&net.id, &round).unwrap();
    everyone_syncs(&mut net, &mut n);
    n[3].checkin_answer(&net.id, "", "need-help", "No food CANARY-CHECKIN").unwrap();
    n[4].checkin_answer(&net.id, "", "ok", "").unwrap();
    n[2].checkin_answer(&net.id, "", "ok", "").unwrap();
    everyone_syncs(&mut net, &mut n);
    let team_view = &n[1].checkins(&net.id).unwrap()[0];
    assert_eq!((team_view.asked_count, team_view.ok, team_view.need_help.len()), (5, 2, 1));
    let mut silent = team_view.silent.clone();
    silent.sort();
    assert_eq!(silent.len(), 2, "Sam and Ana have not answered: {silent:?}");
    // Outside the team: only your own answer, no counts, no names, no notes.
    let cy_view = &n[4].checkins(&net.id).unwrap()[0];
    assert_eq!((cy_view.i_am_team, cy_view.my_answer.as_deref(), cy_view.silent.len()), (false, Some("ok"), 0));
    assert!(!has(&readable(&n[4], &n[4], &net.id), "CANARY-CHECKIN"));
    // Cy is removed: his answer stops counting, and he is not asked any more.
    n[0].remove(&net.id, &ids[4]).unwrap();
    for to in 1..4 {
        ship(&mut net, &mut n, 0, to);
    }
    let after = &n[1].checkins(&net.id).unwrap()[0];
    assert_eq!((after.asked_count, after.ok, after.need_help.len()), (4, 1, 1));
}

#[test]
fn bad_input_is_refused_with_the_reason_and_writes_nothing() {
    let (mut net, mut n, _) = team();
    let before = ops(&n[3], &net);
    let e = n[3].aid_ask(&net.id, &ask("weapons", "high", "x", "network")).unwrap_err();
    assert!(e.to_string().contains("a category is one of"), "{e}");
    let e = n[3].aid_ask(&net.id, &ask("food", "high", &"x".repeat(1001), "network")).unwrap_err();
    assert!(e.to_string().contains("text"), "{e}");
    let e = n[3].aid_ask(&net.id, &ask("food", "whenever", "Rice", "network")).unwrap_err();
    assert!(e.to_string().contains("not an urgency"), "{e}");
    let e = n[3].aid_ask(&net.id, &ask("food", "high", "Rice", "Nobody's circle")).unwrap_err();
    assert!(matches!(e, NodeError::NotFound(_)), "{e}");
    let e = n[3]
        .aid_ask(&net.id, &AskInput { share: vec!["name".into()], ..ask("food", "high", "Rice", "network") })
        .unwrap_err();
    assert!(e.to_string().contains("shared fields"), "{e}");
    assert_eq!(ops(&n[3], &net), before, "nothing written");
    let req = n[3].aid_ask(&net.id, &ask("food", "high", "Rice", "network")).unwrap().to_hex();
    let e = n[3].aid_escalate(&net.id, &req, "Crisis team", &[]).unwrap_err();
    assert!(e.to_string().contains("did not allow"), "{e}");
    let e = n[3].aid_update(&net.id, &req, "shout", "").unwrap_err();
    assert!(e.to_string().contains("a step is claim"), "{e}");
    n[3].aid_update(&net.id, &req, "resolve", "Sorted").unwrap();
    everyone_syncs(&mut net, &mut n);
    let before = ops(&n[1], &net);
    let e = n[1].aid_update(&net.id, &req, "claim", "").unwrap_err();
    assert!(e.to_string().contains("already closed") && e.to_string().contains("resolved"), "{e}");
    assert_eq!(ops(&n[1], &net), before, "nothing written");
    // A request body that breaks its rules is refused by every node that reads it.
    let bad = strike_core::aid::AidRequest {
        category: "food".into(),
        urgency: strike_core::resources::Urgency::High,
        text: String::new(),
        place: String::new(),
        due: 0,
        circles: vec![],
        networks: vec![],
        share: vec![],
        link: vec![],
    };
    assert!(Body::decode(&Body::AidRequest(bad).encode()).is_err());
}

#[test]
fn a_childcare_request_shows_the_cover_offered_for_it() {
    let (mut net, mut n, _) = team();
    n[4].add_cover(&net.id, false, strike_core::body::CoverKind::Childcare, "sat", "Riverside", "two kids max")
        .unwrap();
    n[2].add_cover(&net.id, false, strike_core::body::CoverKind::Ride, "mon", "", "").unwrap();
    let req = n[3].aid_ask(&net.id, &ask("childcare", "high", "Nobody for the kids Saturday", "network")).unwrap();
    everyone_syncs(&mut net, &mut n);
    let v = n[1].aid_request(&net.id, &req.to_hex()).unwrap();
    assert_eq!(v.cover_offers, vec!["cy: sat, Riverside (two kids max)".to_string()], "childcare, not rides");
}

/// Cy, outside the crisis team, knows a sealed request's id from the log and seals a claim and
/// a "resolve" to the team's entry key (anyone in the network can write to it). The team's
/// nodes do not count either: the request stays open and overdue for the team to see.
#[test]
fn an_informant_outside_the_team_cannot_claim_or_close_its_requests() {
    let (mut net, mut n, _) = team();
    let req = n[3].aid_ask(&net.id, &ask("safety", "critical", "Followed home", "Crisis team")).unwrap();
    everyone_syncs(&mut net, &mut n);
    let circle = n[4].resolve_circle(&net.id, "Crisis team").unwrap();
    let circles = n[4].circles(&net.id).unwrap();
    assert!(circles.iter().any(|c| c.name == "Crisis team" && !c.i_am_in), "Cy is not in the team");
    let bo = n[4].members(&net.id).unwrap().into_iter().find(|m| m.name == "bo").unwrap();
    for action in [strike_core::aid::Action::Claim, strike_core::aid::Action::Resolve] {
        let entry = n[4].newest_circle_key(&net.id, &circle).unwrap().unwrap();
        let update = strike_core::aid::AidUpdate { request: req, action, note: String::new(), target: vec![] };
        let note = strike_core::aid::AidNote::seal(
            &net.id,
            &circle,
            entry.epoch,
            &entry.entry_key,
            &strike_crypto::AgreementPublic(bo.agreement),
            &strike_core::aid::AidSealed::Update(update),
            &mut rand::rng(),
        )
        .unwrap();
        n[4].author(&net.id, Body::AidNote(note)).unwrap();
    }
    everyone_syncs(&mut net, &mut n);
    for (i, node) in n[..3].iter().enumerate() {
        let v = node.aid_request(&net.id, &req.to_hex()).unwrap();
        assert_eq!((v.state.as_str(), v.holder.as_deref()), ("open", None), "node {i}");
        assert!(v.history.iter().all(|h| h.ignored == "not a responder"), "{:?}", v.history);
    }
}
