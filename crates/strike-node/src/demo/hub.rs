//! Eastside Solidarity Hub in the demo: kept by Ana (the demo's own node) and two others,
//! with rice, lentils, canned food, 2,000 L of water, diesel for the generator, 40 vials of
//! insulin in the fridge (half expiring in five weeks) and baby formula; 30 Riverside
//! households as members, a month of the community kitchen's consumption, an earlier round
//! of requests planned and handed over, and 25 requests open now, one of them critical and
//! sealed to the keepers.

use strike_core::NetworkId;
use strike_crypto::KdfParams;

use super::{Crowd, Diary, HISTORY_DAYS, at, sync, tempfile_dir};
use crate::resources::{OfferInput, RequestInput, SpecInput, StockInput};
use crate::{Node, NodeError, Result};

/// (name, unit, category, cold chain, shelf life).
const SPECS: &[(&str, &str, &str, bool, &str)] = &[
    ("Rice", "kg", "food", false, "365d"),
    ("Lentils", "kg", "food", false, "365d"),
    ("Canned food", "cans", "food", false, ""),
    ("Drinking water", "L", "water", false, ""),
    ("Diesel", "L", "fuel", false, ""),
    ("Insulin", "vials", "medical", true, ""),
    ("Baby formula", "tins", "baby", false, ""),
];

/// (spec, qty, place, expires in days from now, from).
const LOTS: &[(&str, u64, &str, u32, &str)] = &[
    ("Rice", 400, "Church basement", 0, "Farm co-op"),
    ("Lentils", 150, "Church basement", 0, "Farm co-op"),
    ("Canned food", 300, "Church basement", 240, "Food bank"),
    ("Drinking water", 2000, "Depot", 0, "Fire brigade union"),
    ("Diesel", 200, "Generator shed", 0, "Drivers' branch"),
    ("Insulin", 20, "Fridge", 35, "Clinic surplus"),
    ("Insulin", 20, "Fridge", 150, "Pharmacists for the strike"),
    ("Baby formula", 30, "Church basement", 120, "Parents' group"),
];

/// What the community kitchen and the generator use every other day: (spec, qty).
const KITCHEN: &[(&str, u64)] =
    &[("Rice", 9), ("Lentils", 3), ("Canned food", 8), ("Drinking water", 70), ("Diesel", 7)];

/// Riverside households: (name, people).
const HOUSEHOLDS: [(&str, u16); 30] = [
    ("Rosa", 4),
    ("Femi", 3),
    ("Halina", 2),
    ("Jonas", 1),
    ("Kemal", 5),
    ("Lucia", 3),
    ("Marek", 2),
    ("Nadia", 4),
    ("Oskar", 1),
    ("Priya", 3),
    ("Quinn", 2),
    ("Rahim", 6),
    ("Selin", 2),
    ("Tariq", 4),
    ("Ulla", 1),
    ("Vera", 3),
    ("Wim", 2),
    ("Xiu", 4),
    ("Yara", 3),
    ("Zoltan", 2),
    ("Amara", 5),
    ("Bogdan", 3),
    ("Chiara", 2),
    ("Dario", 4),
    ("Elif", 1),
    ("Farah", 3),
    ("Goran", 2),
    ("Hana", 4),
    ("Idris", 3),
    ("Jana", 2),
];

/// The round of requests a fortnight ago, all planned and handed over: (household, spec, qty).
const EARLIER: &[(usize, &str, u64)] = &[
    (1, "Rice", 10),
    (4, "Rice", 15),
    (4, "Lentils", 5),
    (6, "Canned food", 12),
    (9, "Drinking water", 40),
    (11, "Rice", 20),
    (13, "Baby formula", 3),
    (17, "Canned food", 10),
];

/// The requests open now, the last few days: (household, spec, qty, urgency, due in days,
/// sealed to the keepers, note). The last is critical: insulin that runs out in two days.
const OPEN: &[(usize, &str, &str, &str, &str, bool, &str)] = &[
    (1, "Rice", "10", "normal", "4d", false, ""),
    (4, "Canned food", "8", "normal", "4d", false, ""),
    (6, "Drinking water", "30", "normal", "3d", false, ""),
    (9, "Lentils", "5", "normal", "5d", false, ""),
    (17, "Rice", "6", "normal", "5d", false, ""),
    (2, "Rice", "8", "normal", "5d", false, ""),
    (3, "Canned food", "6", "normal", "4d", false, ""),
    (5, "Lentils", "4", "normal", "6d", false, ""),
    (7, "Baby formula", "4", "high", "2d", false, "Twins, 4 months"),
    (8, "Rice", "5", "normal", "7d", false, ""),
    (10, "Drinking water", "60", "high", "1d", false, "The building's water is off"),
    (11, "Lentils", "6", "normal", "5d", false, ""),
    (12, "Canned food", "10", "normal", "6d", false, ""),
    (13, "Rice", "12", "normal", "4d", false, ""),
    (14, "Canned food", "4", "normal", "7d", false, ""),
    (15, "Rice", "10", "normal", "3d", false, ""),
    (16, "Drinking water", "40", "normal", "3d", false, ""),
    (18, "Rice", "14", "normal", "5d", false, ""),
    (19, "Lentils", "5", "normal", "6d", false, ""),
    (20, "Rice", "20", "high", "2d", false, "Six of us since my sister moved in"),
    (21, "Canned food", "12", "normal", "4d", false, ""),
    (22, "Rice", "8", "normal", "6d", false, ""),
    (23, "Drinking water", "50", "normal", "4d", false, ""),
    (24, "Canned food", "6", "normal", "5d", false, ""),
    (25, "Rice", "12", "normal", "7d", false, ""),
    (26, "Lentils", "4", "normal", "5d", false, ""),
    (27, "Baby formula", "2", "normal", "6d", false, ""),
    (28, "Rice", "12", "normal", "4d", false, ""),
    (29, "Canned food", "8", "normal", "6d", false, ""),
    (0, "Insulin", "3", "critical", "2d", true, "Type 1, my son; his pens run out on Thursday"),
];

fn author(n: &Node, network: &NetworkId) -> Result<strike_core::AuthorId> {
    n.network(network)?.my_author.ok_or_else(|| NodeError::InvalidInput("no author".into()))
}

fn stock(action: &str, lot: &str, qty: u64) -> StockInput {
    StockInput { action: action.into(), lot: lot.into(), qty: qty.to_string(), ..StockInput::default() }
}

/// The first lot of `spec` with free stock, first-expiring first.
fn lot_of(ana: &Node, hub: &NetworkId, spec: &str) -> Result<String> {
    let view = ana.resources(hub)?;
    let s = view.specs.iter().find(|s| s.name == spec).ok_or_else(|| NodeError::NotFound(spec.into()))?;
    let lot = s.lots.iter().find(|l| l.free > 0).ok_or_else(|| NodeError::NotFound(format!("no {spec} left")))?;
    Ok(lot.op_id.clone())
}

/// The community kitchen's consumption every other day from `day` down to `until` days ago.
fn kitchen(ana: &mut Node, hub: &NetworkId, diary: &mut Diary, day: &mut f64, until: f64) -> Result<()> {
    while *day > until {
        diary.advance(ana, hub, *day)?;
        for (spec, qty) in KITCHEN {
            let lot = lot_of(ana, hub, spec)?;
            ana.record_stock(hub, &StockInput { note: "community kitchen".into(), ..stock("consume", &lot, *qty) })?;
        }
        *day -= 2.0;
    }
    Ok(())
}

/// Seeds the hub on Ana's node (the demo's own), with the keepers and households as
/// throwaway nodes whose ops reach it by sync.
pub(super) fn seed(ana: &mut Node, hub: &NetworkId, diary: &mut Diary) -> Result<()> {
    let mut crowd = Crowd { dir: tempfile_dir()?, nodes: Vec::new() };
    at(ana, HISTORY_DAYS - 1.0);
    let link = ana.create_invite(hub, 2 + HOUSEHOLDS.len() as u16, None, vec![])?;
    // Two keepers, made organizers: the hub's keepers are its organizers.
    for (i, name) in ["Tomas", "Grace"].iter().enumerate() {
        let mut n = Node::init(&crowd.dir.join(name), name.as_bytes(), KdfParams::MINIMUM)?;
        at(&mut n, HISTORY_DAYS - 1.0 + 0.1 * i as f64);
        n.join(&link, name)?;
        sync(&mut n, ana, hub)?;
        let who = author(&n, hub)?;
        ana.vouch(hub, &who)?;
        ana.promote(hub, &who)?;
        sync(ana, &mut n, hub)?;
        crowd.nodes.push(n);
    }
    at(ana, HISTORY_DAYS - 2.0);
    for (name, unit, category, cold_chain, shelf_life) in SPECS {
        let input = SpecInput {
            name: (*name).into(),
            unit: (*unit).into(),
            category: (*category).into(),
            cold_chain: *cold_chain,
            shelf_life: (*shelf_life).into(),
        };
        ana.add_spec(hub, &input)?;
    }
    for (spec, qty, place, expires, from) in LOTS {
        // The expiry is counted from the real now: "half of them expire in five weeks".
        let expires = if *expires == 0 {
            String::new()
        } else {
            let at = crate::unix_now() + u64::from(*expires) * 86_400;
            strike_core::CoarseTime::from_unix_seconds(at).to_string()
        };
        let input = StockInput {
            action: "receive".into(),
            spec: (*spec).into(),
            qty: qty.to_string(),
            place: (*place).into(),
            expires,
            party: (*from).into(),
            ..StockInput::default()
        };
        ana.record_stock(hub, &input)?;
    }
    for (spec, qty) in [("Rice", "60"), ("Insulin", "6"), ("Drinking water", "400"), ("Diesel", "40")] {
        ana.set_minimum(hub, spec, qty)?;
    }
    for (a, b, d) in
        [("Church basement", "Depot", 2), ("Church basement", "Generator shed", 1), ("Depot", "Generator shed", 2)]
    {
        ana.set_distance(hub, a, b, d)?;
    }
    // The households join over the first weeks.
    let mut households = Vec::new();
    for (i, (name, _)) in HOUSEHOLDS.iter().enumerate() {
        let day = HISTORY_DAYS - 3.0 - 20.0 * i as f64 / HOUSEHOLDS.len() as f64;
        let mut n = Node::init(&crowd.dir.join(name), name.as_bytes(), KdfParams::MINIMUM)?;
        at(&mut n, day);
        n.join(&link, name)?;
        diary.advance(ana, hub, day - 0.05)?;
        sync(&mut n, ana, hub)?;
        ana.vouch(hub, &author(&n, hub)?)?;
        households.push(n);
    }
    // A month of the community kitchen, every other day.
    let mut day = HISTORY_DAYS - 2.5;
    kitchen(ana, hub, diary, &mut day, 15.0)?;
    // A fortnight ago: a first round of requests, planned, committed and handed over.
    for (i, spec, qty) in EARLIER {
        let n = &mut households[*i];
        at(n, 14.5);
        sync(ana, n, hub)?;
        let input = RequestInput {
            spec: (*spec).into(),
            qty: qty.to_string(),
            household: Some(HOUSEHOLDS[*i].1),
            by: "3d".into(),
            ..RequestInput::default()
        };
        n.request_supplies(hub, &input)?;
        sync(n, ana, hub)?;
    }
    diary.advance(ana, hub, 14.0)?;
    for c in ana.commit_plan(hub, None)? {
        ana.handover(hub, &c.to_hex(), None, "")?;
    }
    let mut grace = crowd.nodes.pop().expect("two keepers");
    at(&mut grace, 12.0);
    sync(ana, &mut grace, hub)?;
    let offer = OfferInput {
        spec: "Canned food".into(),
        qty: "24".into(),
        place: "Corner shop on Mill Lane".into(),
        note: "Left over from the bakery drive".into(),
    };
    at(&mut households[3], 12.0);
    sync(ana, &mut households[3], hub)?;
    households[3].offer_supplies(hub, &offer)?;
    sync(&mut households[3], ana, hub)?;
    kitchen(ana, hub, diary, &mut day, 3.0)?;
    // The last few days: 30 requests, one of them critical and sealed to the keepers. Grace
    // planned and committed the first fifteen yesterday and handed a third of it over; 25
    // stay open: ten committed, waiting to be handed over, and the rest the plan Ana reviews.
    for (k, (i, spec, qty, urgency, by, sealed, note)) in OPEN.iter().enumerate() {
        if k == 15 {
            at(&mut grace, 1.6);
            sync(ana, &mut grace, hub)?;
            let committed = grace.commit_plan(hub, None)?;
            for c in committed.iter().take(committed.len() / 3) {
                grace.handover(hub, &c.to_hex(), None, "")?;
            }
            sync(&mut grace, ana, hub)?;
        }
        let n = &mut households[*i];
        at(n, 3.0 - 2.5 * k as f64 / OPEN.len() as f64);
        sync(ana, n, hub)?;
        let input = RequestInput {
            spec: (*spec).into(),
            qty: (*qty).into(),
            urgency: (*urgency).into(),
            by: (*by).into(),
            household: Some(HOUSEHOLDS[*i].1),
            note: (*note).into(),
            circle: if *sealed { "keepers".into() } else { String::new() },
            ..RequestInput::default()
        };
        n.request_supplies(hub, &input)?;
        sync(n, ana, hub)?;
    }
    // New stock came in since: what is still asked for is the plan Ana reviews.
    diary.advance(ana, hub, 0.1)?;
    ana.record_stock(
        hub,
        &StockInput {
            action: "receive".into(),
            spec: "Rice".into(),
            qty: "25".into(),
            place: "Church basement".into(),
            party: "Bakers' union".into(),
            ..StockInput::default()
        },
    )?;
    diary.advance(ana, hub, 0.0)?;
    crowd.nodes.push(grace);
    crowd.nodes.extend(households);
    Ok(())
}
