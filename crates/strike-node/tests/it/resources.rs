//! The resource network across nodes: stock, requests, plans, commitments and handovers
//! fold the same on every node; two keepers offline committing the same lot resolve the same
//! way with the rest short; a request sealed to the keepers is unreadable to any other
//! member whatever network keys they hold; a removed member's requests stop counting; bad
//! input is refused with a clear error and writes nothing.

use strike_core::{AuthorId, NetworkKind};
use strike_node::resources::{OfferInput, RequestInput, SpecInput, StockInput};
use strike_node::{Node, NodeError};

use crate::circles::{has, readable};
use crate::networks::Net;

/// A hub founded by Sam (a keeper), with Tom made a second keeper, and Dee and Nia members.
/// Rice (kg) and Insulin (vials) are described and 100 kg of rice and 10 vials received.
struct Hub {
    net: Net,
    sam: Node,
    tom: Node,
    dee: Node,
    nia: Node,
    ids: Vec<AuthorId>,
}

fn spec(name: &str, unit: &str, category: &str) -> SpecInput {
    SpecInput { name: name.into(), unit: unit.into(), category: category.into(), ..SpecInput::default() }
}

fn receive(spec: &str, qty: &str, place: &str) -> StockInput {
    StockInput {
        action: "receive".into(),
        spec: spec.into(),
        qty: qty.into(),
        place: place.into(),
        ..Default::default()
    }
}

fn request(spec: &str, qty: &str) -> RequestInput {
    RequestInput { spec: spec.into(), qty: qty.into(), household: Some(3), ..RequestInput::default() }
}

fn hub() -> Hub {
    let (mut net, mut sam) = Net::found_kind(1, NetworkKind::Hub);
    let link = sam.create_invite(&net.id, 10, None, vec![]).unwrap();
    let mut nodes = Vec::new();
    let mut ids = Vec::new();
    for name in ["tom", "dee", "nia"] {
        let (n, id) = net.join(&link, name, &mut sam);
        sam.vouch(&net.id, &id).unwrap();
        nodes.push(n);
        ids.push(id);
    }
    sam.promote(&net.id, &ids[0]).unwrap();
    sam.add_spec(&net.id, &spec("Rice", "kg", "food")).unwrap();
    sam.add_spec(&net.id, &SpecInput { cold_chain: true, ..spec("Insulin", "vials", "medical") }).unwrap();
    sam.record_stock(&net.id, &receive("Rice", "100", "Basement")).unwrap();
    sam.record_stock(&net.id, &receive("Insulin", "10 vials", "Fridge")).unwrap();
    sam.upkeep(&net.id).unwrap();
    for n in nodes.iter_mut() {
        net.ship(&sam, n);
        n.upkeep(&net.id).unwrap();
    }
    let nia = nodes.pop().unwrap();
    let dee = nodes.pop().unwrap();
    let tom = nodes.pop().unwrap();
    Hub { net, sam, tom, dee, nia, ids }
}

impl Hub {
    /// Everyone's ops to Sam, then Sam's to everyone.
    fn sync(&mut self) {
        for n in [&self.tom, &self.dee, &self.nia] {
            self.net.ship(n, &mut self.sam);
        }
        for n in [&mut self.tom, &mut self.dee, &mut self.nia] {
            self.net.ship(&self.sam, n);
        }
    }
}

fn ops(n: &Node, h: &Net) -> u64 {
    n.network(&h.id).unwrap().n_ops
}

#[test]
fn requests_are_planned_committed_and_handed_over_the_same_on_every_node() {
    let mut h = hub();
    let id = h.net.id;
    h.dee.request_supplies(&id, &request("Rice", "30")).unwrap();
    h.nia.request_supplies(&id, &RequestInput { urgency: "high".into(), ..request("Rice", "90") }).unwrap();
    h.sync();
    let plan = h.sam.plan(&id).unwrap();
    // 100 kg for 120 asked: a high-urgency request due the same day is served first.
    assert_eq!((plan.allotted, plan.demand), (100, 120));
    let committed = h.sam.commit_plan(&id, Some(&plan.digest)).unwrap();
    assert_eq!(committed.len(), 2);
    h.sam.handover(&id, &committed[0].to_hex(), Some("5"), "").unwrap();
    h.sync();
    let views: Vec<_> = [&h.sam, &h.tom, &h.dee, &h.nia].iter().map(|n| n.resources(&id).unwrap()).collect();
    for v in &views[1..] {
        assert_eq!(v.hash, views[0].hash, "every node folds the hub the same");
    }
    let rice = views[0].specs.iter().find(|s| s.name == "Rice").unwrap();
    assert_eq!((rice.stock, rice.free), (95, 0), "5 handed over, the rest promised");
    assert_eq!(views[0].commitments.len(), 2);
    assert!(!views[2].keeper && views[0].keeper && views[1].keeper, "Sam and Tom keep the hub");
}

#[test]
fn two_keepers_offline_committing_one_lot_resolve_the_same_with_the_rest_short() {
    let mut h = hub();
    let id = h.net.id;
    h.dee.request_supplies(&id, &request("Rice", "70")).unwrap();
    h.sync();
    // Sam and Tom each plan offline: Dee's 70 from the 100, and Nia's 60 only Tom has seen.
    h.nia.request_supplies(&id, &request("Rice", "60")).unwrap();
    h.net.ship(&h.nia, &mut h.tom);
    h.sam.commit_plan(&id, None).unwrap();
    h.tom.commit_plan(&id, None).unwrap();
    h.sync();
    let (a, b) = (h.sam.resources(&id).unwrap(), h.tom.resources(&id).unwrap());
    assert_eq!(a.hash, b.hash);
    let short: u64 = a.commitments.iter().map(|c| c.short).sum();
    let held: u64 = a.commitments.iter().map(|c| c.held).sum();
    assert_eq!(held, 100, "the lot holds no more than it has");
    assert!(short > 0, "what it cannot hold is short: needs a new plan");
    assert!(a.alerts.iter().any(|al| al.text.contains("needs a new plan")), "{:?}", a.alerts);
    assert_eq!(
        b.commitments.iter().map(|c| (c.id.clone(), c.state)).collect::<Vec<_>>(),
        a.commitments.iter().map(|c| (c.id.clone(), c.state)).collect::<Vec<_>>()
    );
    // No request is lost: 130 asked, 100 held, the rest asked for again.
    let wanted: u64 = a.requests.iter().map(|r| r.wanted).sum();
    assert_eq!(wanted, 30);
}

#[test]
fn a_request_sealed_to_the_keepers_is_unreadable_to_other_members() {
    let mut h = hub();
    let id = h.net.id;
    let canary = "CANARY-insulin-for-flat-9";
    let sealed = RequestInput {
        urgency: "critical".into(),
        note: canary.into(),
        circle: "keepers".into(),
        ..request("Insulin", "3")
    };
    h.dee.request_supplies(&id, &sealed).unwrap();
    h.sync();
    // The keepers read it and plan for it; Dee sees her own.
    for keeper in [&h.sam, &h.tom] {
        let v = keeper.resources(&id).unwrap();
        assert!(v.requests.iter().any(|r| r.note == canary && r.sealed), "a keeper reads it");
    }
    assert!(h.dee.resources(&id).unwrap().requests.iter().any(|r| r.note == canary && r.mine));
    // Nia, a member holding every key of the network, reads nothing of it.
    let v = h.nia.resources(&id).unwrap();
    assert!(v.requests.is_empty());
    assert_eq!(v.sealed_unreadable, 1);
    assert!(!has(&readable(&h.nia, &h.nia, &id), canary), "no op Nia can open holds the canary");
    // Commitments to it hold its lot on every node alike.
    h.sam.commit_plan(&id, None).unwrap();
    h.sync();
    let insulin = |n: &Node| n.resources(&id).unwrap().specs.into_iter().find(|s| s.name == "Insulin").unwrap().free;
    assert_eq!((insulin(&h.sam), insulin(&h.nia)), (7, 7));
}

#[test]
fn a_removed_members_requests_stop_counting() {
    let mut h = hub();
    let id = h.net.id;
    h.dee.request_supplies(&id, &request("Rice", "30")).unwrap();
    h.nia.request_supplies(&id, &request("Rice", "20")).unwrap();
    h.sync();
    assert_eq!(h.sam.plan(&id).unwrap().demand, 50);
    h.sam.remove(&id, &h.ids[1]).unwrap();
    assert_eq!(h.sam.plan(&id).unwrap().demand, 20, "only Nia's request is left");
    assert_eq!(h.sam.resources(&id).unwrap().requests.len(), 1);
}

#[test]
fn bad_input_is_refused_with_a_clear_error_and_writes_nothing() {
    let mut h = hub();
    let id = h.net.id;
    let before = ops(&h.sam, &h.net);
    let lot = h.sam.resources(&id).unwrap().specs.iter().find(|s| s.name == "Rice").unwrap().lots[0].op_id.clone();
    let refused = |r: Result<strike_core::OpId, NodeError>, says: &str| {
        let e = r.expect_err(says).to_string();
        assert!(e.contains(says), "{e:?} should say {says:?}");
    };
    refused(h.sam.record_stock(&id, &receive("Rice", "0", "Basement")), "at least 1 kg");
    refused(h.sam.record_stock(&id, &receive("Rice", "-5", "Basement")), "at least 1 kg");
    refused(h.sam.record_stock(&id, &receive("Rice", "5 L", "Basement")), "counted in kg, not L");
    refused(h.sam.record_stock(&id, &receive("Beans", "5", "Basement")), "no specification \"Beans\"");
    refused(
        h.sam.record_stock(&id, &StockInput { expires: "2020-01-01".into(), ..receive("Rice", "5", "Basement") }),
        "in the past",
    );
    let consume = |lot: &str, qty: &str| StockInput {
        action: "consume".into(),
        lot: lot.into(),
        qty: qty.into(),
        ..StockInput::default()
    };
    refused(h.sam.record_stock(&id, &consume("abcdef12", "5")), "no lot");
    refused(h.sam.record_stock(&id, &consume(&lot, "101")), "101 is more");
    refused(h.dee.record_stock(&id, &consume(&lot, "1")), "keepers");
    refused(h.dee.request_supplies(&id, &request("Rice", "two")), "cannot read the quantity");
    refused(
        h.dee.offer_supplies(&id, &OfferInput { spec: "Rice".into(), qty: "0".into(), ..Default::default() }),
        "at least 1",
    );
    h.dee.request_supplies(&id, &request("Rice", "10")).unwrap();
    h.net.ship(&h.dee, &mut h.sam);
    let c = h.sam.commit_plan(&id, None).unwrap();
    let before_handover = ops(&h.sam, &h.net);
    refused(h.sam.handover(&id, &c[0].to_hex(), Some("11"), ""), "holds 10 kg still to hand over, not 11");
    assert_eq!(ops(&h.sam, &h.net), before_handover, "nothing written");
    // Only the request, the ops Dee's ship brought and the commitment were written.
    assert_eq!(ops(&h.sam, &h.net), before + 2);
    // A workplace network keeps no stock.
    let (_n2, mut sam2) = Net::found(1);
    let work = sam2.networks().unwrap()[0].id;
    refused(sam2.add_spec(&work, &spec("Rice", "kg", "food")), "hub network");
}

#[test]
fn a_key_an_informant_posts_for_the_keepers_circle_is_never_sealed_to() {
    let mut h = hub();
    let id = h.net.id;
    // Nia, a member and no keeper, writes a key of her own for the organizers' circle.
    let circle = strike_core::circles::organizers_circle(&id);
    let nia = h.nia.me_in(&id).unwrap().unwrap();
    let key = strike_crypto::SymmetricKey::from_bytes([77; 32]);
    let mut rng = rand::rng();
    let fake =
        strike_core::circles::seal_circle_key(&id, &circle, &key, &[(nia.author, nia.agreement)], vec![], &mut rng)
            .unwrap();
    h.nia.author(&id, strike_core::Body::CircleKey(fake)).unwrap();
    h.sync();
    let canary = "CANARY-pens-run-out-thursday";
    let sealed = RequestInput { note: canary.into(), circle: "keepers".into(), ..request("Insulin", "2") };
    h.dee.request_supplies(&id, &sealed).unwrap();
    h.sync();
    assert!(h.sam.resources(&id).unwrap().requests.iter().any(|r| r.note == canary), "the keepers read it");
    let v = h.nia.resources(&id).unwrap();
    assert!(v.requests.iter().all(|r| r.note != canary), "the informant does not");
    assert_eq!(v.sealed_unreadable, 1);
}
