//! Riverside's crisis team in the demo (Lea, Ivy, Mo and Ray, with Sam who opened it), over the
//! last three days: twelve requests of mixed urgency, insulin that runs out in two days (sealed
//! to the team, supplied from Eastside's fridge), a rent shortfall that became a hardship claim
//! waiting for the treasurers, a ride to a hospital appointment passed to the drivers, a
//! childcare gap matched to Ife's cover offer, one critical request unclaimed for 40 minutes and
//! a housing claim gone stale; a check-in round that six members have not answered; and the
//! legal circle's firing case with its tribunal deadline, and the circle's own vote on going
//! public with it (Lea for, Sam against: two-thirds are needed).

use strike_core::NetworkId;

use super::{Crowd, Diary, at, sync};
use crate::aid::AskInput;
use crate::aid::cases::CaseInput;
use crate::aid::checkins::CheckinInput;
use crate::resources::RequestInput;
use crate::votes::{ProposeInput, VoteInput};
use crate::{Node, Result};

/// Riverside's circles: a crisis team for the nights something goes wrong (who answers the
/// phone, who has a car, who knows a lawyer) and the drivers who run the picket van. Both
/// are small on purpose: what they write is theirs.
pub(super) fn circles(sam: &mut Node, network: &NetworkId) -> Result<()> {
    let crisis = sam.create_circle(
        network,
        "Crisis team",
        "Arrests, a member hurt on the picket, an eviction: who answers the phone at night",
    )?;
    for name in ["Lea", "Ivy", "Mo", "Ray"] {
        let who = sam.resolve_member(network, name)?;
        sam.add_to_circle(network, &crisis, &who.author)?;
    }
    let ivy = sam.resolve_member(network, "Ivy")?;
    sam.set_circle_lead(network, &crisis, &ivy.author, true)?;
    sam.post_in_circle(
        network,
        &crisis,
        "Night phone this week: Ivy Mon-Wed, Ray Thu-Sun. Lea has the lawyer's number (Mill Lane Legal, ask for Ruth).",
    )?;
    sam.post_in_circle(
        network,
        &crisis,
        "If anyone is taken in on the picket: nobody says anything until Ruth is there.",
    )?;
    let drivers = sam.create_circle(network, "Drivers", "The picket van and lifts to the gates on strike day")?;
    for name in ["Gus", "Max", "Dee"] {
        let who = sam.resolve_member(network, name)?;
        sam.add_to_circle(network, &drivers, &who.author)?;
    }
    sam.post_in_circle(network, &drivers, "Van keys at Jun's from 05:00. Fuel card is in the glovebox.")?;
    Ok(())
}

/// Who asks, what, how urgent, sealed to the crisis team or not, what it may be escalated to,
/// and when (hours ago).
struct Ask {
    who: &'static str,
    category: &'static str,
    urgency: &'static str,
    text: &'static str,
    team: bool,
    escalate_to: &'static [&'static str],
    hours_ago: f64,
}

const ASKS: [Ask; 12] = [
    Ask {
        who: "Ola",
        category: "housing",
        urgency: "high",
        text: "Rent is 310 short this month after the heat shutdown; the landlord wants it by Friday",
        team: true,
        escalate_to: &[],
        hours_ago: 21.0,
    },
    Ask {
        who: "Cy",
        category: "transport",
        urgency: "normal",
        text: "Car broke down: a lift to the early shift Tuesday and Wednesday",
        team: false,
        escalate_to: &["Drivers"],
        hours_ago: 20.0,
    },
    Ask {
        who: "Liv",
        category: "housing",
        urgency: "high",
        text: "The landlord says an eviction notice is coming; what are my rights?",
        team: true,
        escalate_to: &["Legal"],
        hours_ago: 19.0,
    },
    Ask {
        who: "Pia",
        category: "safety",
        urgency: "high",
        text: "A security guard keeps photographing people at the South gate",
        team: false,
        escalate_to: &[],
        hours_ago: 18.0,
    },
    Ask {
        who: "Nia",
        category: "medical",
        urgency: "normal",
        text: "Someone to pick up my mother's prescription while I am on the picket",
        team: false,
        escalate_to: &[],
        hours_ago: 17.0,
    },
    Ask {
        who: "Hal",
        category: "transport",
        urgency: "normal",
        text: "A ride to St Mary's for my appointment, Thursday 10:00, and back",
        team: false,
        escalate_to: &["Drivers"],
        hours_ago: 16.0,
    },
    Ask {
        who: "Fay",
        category: "childcare",
        urgency: "high",
        text: "Nobody for the kids (6 and 9) Saturday while I picket",
        team: false,
        escalate_to: &[],
        hours_ago: 14.0,
    },
    Ask {
        who: "Eli",
        category: "legal",
        urgency: "normal",
        text: "Got a letter calling me to a disciplinary for 'lateness' on the walkout day",
        team: true,
        escalate_to: &["Legal"],
        hours_ago: 12.0,
    },
    Ask {
        who: "Sol",
        category: "food",
        urgency: "normal",
        text: "Family of five: the food runs out before the next strike pay",
        team: true,
        escalate_to: &[],
        hours_ago: 10.0,
    },
    Ask {
        who: "Tom",
        category: "other",
        urgency: "normal",
        text: "A laptop my daughter can borrow for school work, a few weeks",
        team: false,
        escalate_to: &[],
        hours_ago: 8.0,
    },
    Ask {
        who: "Bea",
        category: "medical",
        urgency: "critical",
        text: "Insulin for my son runs out in two days; the pharmacy cannot refill before Monday",
        team: true,
        escalate_to: &[],
        hours_ago: 5.0,
    },
    Ask {
        who: "Jo",
        category: "safety",
        urgency: "critical",
        text: "A manager followed me to the bus stop after my shift; I do not want to go home alone tonight",
        team: true,
        escalate_to: &[],
        hours_ago: 0.67,
    },
];

/// Check-in: who does not answer the round (six), and who answers that they need help.
const SILENT: [&str; 6] = ["Oz", "Kit", "Abe", "Cas", "Hux", "Jem"];
const NEED_HELP: [(&str, &str); 2] =
    [("Bo", "Fridge is empty after the strike week"), ("Dru", "Back hurts from the picket, cannot drive")];

fn hours(h: f64) -> f64 {
    h / 24.0
}

/// What happens, in time order: every op follows the ops it has seen, so the story is written
/// oldest first.
enum Event {
    Ask(usize),
    /// (who, request's asker, action, note)
    Step(&'static str, &'static str, &'static str, &'static str),
    /// Lea asks the fund for Ola's rent.
    Grant,
    /// Mo passes Hal's ride to the drivers.
    Escalate,
    /// Gus, a driver, takes the drivers' copy.
    DriverClaims,
    /// Sam, a keeper of Eastside, books its insulin for Bea and hands it to Mo.
    Supply,
    CheckinStart,
    /// Lea puts going public with Kai's firing to the legal circle alone, and votes for it.
    LegalVote,
    /// The i-th co-worker answers the round (or stays silent).
    Answer(usize),
    Case,
}

/// The team's steps: (hours ago, who, request's asker, action, note).
const STEPS: [(f64, &str, &str, &str, &str); 14] = [
    (20.8, "Lea", "Ola", "claim", "Calling Ola tonight"),
    (20.5, "Lea", "Ola", "progress", "Asking the fund for the 310; Ola keeps the landlord's letter"),
    (19.8, "Max", "Cy", "claim", "I pass Cy's street at 05:15"),
    (18.5, "Ray", "Liv", "claim", "I will visit Liv tomorrow"),
    (16.8, "Mo", "Nia", "claim", ""),
    (15.8, "Mo", "Hal", "claim", "Passing it to the drivers"),
    (15.5, "Mo", "Nia", "resolve", "Picked up and dropped at Nia's mother's"),
    (15.0, "Pia", "Pia", "cancel", "The guard stopped after the union rep spoke to the site manager"),
    (13.5, "Ray", "Fay", "claim", "Ife offers childcare at weekends: asking her"),
    (13.0, "Ray", "Fay", "resolve", "Ife takes both kids Saturday 06:00-15:00"),
    (9.0, "Max", "Cy", "resolve", "Both mornings done; his car is back"),
    (6.0, "Lea", "Ola", "note", "The grant has one approval; it waits for a second treasurer"),
    (4.9, "Mo", "Bea", "claim", "On it: asking Eastside's keepers"),
    (1.5, "Mo", "Bea", "progress", "Eastside has two vials in the fridge; Sam booked them and I collected them"),
];

/// The crisis team's requests and steps, the check-in round and the legal case, written in time
/// order over the last day; `names` are the crowd's nodes in order. Announcements due meanwhile
/// are posted on time.
pub(super) fn seed(
    sam: &mut Node,
    crowd: &mut Crowd,
    names: &[&str],
    network: &NetworkId,
    hub: &NetworkId,
    diary: &mut Diary,
) -> Result<()> {
    let node = |name: &str| names.iter().position(|n| *n == name).expect("a Riverside co-worker");
    diary.advance(sam, network, hours(22.0))?;
    let legal = sam.create_circle(network, "Legal", "Firings, discipline and arrests: cases, deadlines, the lawyer")?;
    let lea = sam.resolve_member(network, "Lea")?;
    sam.add_to_circle(network, &legal, &lea.author)?;
    let crisis = sam.resolve_circle(network, "Crisis team")?.to_hex();
    let mut events: Vec<(f64, Event)> = ASKS.iter().enumerate().map(|(i, a)| (a.hours_ago, Event::Ask(i))).collect();
    events.extend(STEPS.iter().map(|(h, who, req, action, note)| (*h, Event::Step(who, req, action, note))));
    events.extend([
        (20.4, Event::Grant),
        (15.7, Event::Escalate),
        (15.2, Event::DriverClaims),
        (1.6, Event::Supply),
        (12.0, Event::CheckinStart),
        (3.0, Event::Case),
        (2.5, Event::LegalVote),
        (0.4, Event::Step("Mo", "Bea", "note", "Bea picks them up from me at 18:00")),
    ]);
    // All but six answer the round, from 11.5 hours ago to 2 hours ago.
    let answering: Vec<usize> = (0..names.len()).filter(|i| !SILENT.contains(&names[*i])).collect();
    for (k, i) in answering.iter().enumerate() {
        events.push((11.5 - 9.5 * k as f64 / answering.len() as f64, Event::Answer(*i)));
    }
    events.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut ids: Vec<String> = vec![String::new(); ASKS.len()];
    let mut legal_vote = None;
    let id = |ids: &[String], who: &str| ids[ASKS.iter().position(|a| a.who == who).expect("an ask")].clone();
    for (h, event) in events {
        diary.advance(sam, network, hours(h))?;
        let actor = match &event {
            Event::Ask(i) => Some(node(ASKS[*i].who)),
            Event::Step(who, ..) => Some(node(who)),
            Event::Grant => Some(node("Lea")),
            Event::Escalate => Some(node("Mo")),
            Event::DriverClaims => Some(node("Gus")),
            Event::CheckinStart => Some(node("Mo")),
            Event::LegalVote => Some(node("Lea")),
            Event::Answer(i) => Some(*i),
            Event::Supply | Event::Case => None,
        };
        let Some(a) = actor else {
            match event {
                Event::Supply => {
                    // Sam keeps Eastside: the insulin is asked of it and committed from the fridge.
                    let input = RequestInput { spec: "Insulin".into(), qty: "2".into(), ..RequestInput::default() };
                    let supplied = sam.aid_supply(network, &id(&ids, "Bea"), hub, &input)?;
                    // Mo collects them for Bea: the keeper hands them over, and the fridge's
                    // stock goes down by two.
                    for c in supplied.commitments {
                        sam.handover(hub, &c.to_hex(), None, "Collected by Mo for a crisis request")?;
                    }
                }
                _ => {
                    let case = sam.case_open(
                        network,
                        &CaseInput {
                            circle: "Legal".into(),
                            kind: "firing".into(),
                            text: "Kai dismissed for 'timekeeping' two days after the walkout; an unfair dismissal \
                                   claim must be filed"
                                .into(),
                            deadline: "9d".into(),
                        },
                    )?;
                    let case = case.to_hex();
                    sam.case_update(network, &case, "assign", "Ruth at Mill Lane Legal has the papers", "Lea", "")?;
                    sam.case_update(network, &case, "note", "Witnesses: Gus and Mo saw the clock-in screen", "", "")?;
                }
            }
            continue;
        };
        let n = &mut crowd.nodes[a];
        sync(sam, n, network)?;
        at(n, hours(h));
        match event {
            Event::Ask(i) => {
                let ask = &ASKS[i];
                let input = AskInput {
                    category: ask.category.into(),
                    urgency: ask.urgency.into(),
                    text: ask.text.into(),
                    visible_to: if ask.team { crisis.clone() } else { "network".into() },
                    place: "Riverside".into(),
                    by: if ask.urgency == "critical" { "2d".into() } else { String::new() },
                    escalate_to: ask.escalate_to.iter().map(|s| (*s).to_owned()).collect(),
                    share: Vec::new(),
                };
                ids[i] = n.aid_ask(network, &input)?.to_hex();
            }
            Event::Step(_, req, action, note) => {
                n.aid_update(network, &id(&ids, req), action, note)?;
            }
            Event::Grant => {
                n.aid_grant(network, &id(&ids, "Ola"), "310.00", "")?;
            }
            Event::Escalate => {
                n.aid_escalate(network, &id(&ids, "Hal"), "Drivers", &[])?;
            }
            Event::DriverClaims => {
                let copy = n.aid_queue(network, Some("Drivers"))?.open.first().map(|r| r.id.clone());
                if let Some(copy) = copy {
                    n.aid_update(network, &copy, "claim", "Thursday 09:15 from Hal's, back by 13:00")?;
                }
            }
            Event::CheckinStart => {
                let input = CheckinInput {
                    team: "Crisis team".into(),
                    asked: String::new(),
                    question: "Strike week check-in: are you OK?".into(),
                    within: "1d".into(),
                };
                n.checkin_start(network, &input)?;
            }
            Event::LegalVote => {
                let input = ProposeInput {
                    title: "Go public with Kai's firing before the hearing?".into(),
                    text: "A leaflet at the gate and the local paper. Ruth says it may help or may harden them.".into(),
                    method: "yes-no".into(),
                    pass: "two-thirds".into(),
                    closes: "2d".into(),
                    circle: "Legal".into(),
                    ..ProposeInput::default()
                };
                let p = n.propose(network, &input)?;
                let vote = VoteInput {
                    position: "yes".into(),
                    reason: "Silence is what they count on".into(),
                    ..VoteInput::default()
                };
                n.vote(network, &p, &vote)?;
                legal_vote = Some(p);
            }
            Event::Answer(i) => {
                if n.me_in(network)?.is_none() {
                    continue;
                }
                let help = NEED_HELP.iter().find(|(who, _)| *who == names[i]);
                let (status, note) = help.map_or(("ok", ""), |(_, note)| ("need-help", *note));
                n.checkin_answer(network, "", status, note)?;
            }
            Event::Supply | Event::Case => unreachable!("written by Sam above"),
        }
        sync(n, sam, network)?;
    }
    sam.checkin_answer(network, "", "ok", "")?;
    if let Some(p) = legal_vote {
        let vote = VoteInput {
            position: "no".into(),
            reason: "Not before Ruth files the claim".into(),
            ..VoteInput::default()
        };
        sam.vote(network, &p, &vote)?;
    }
    for n in &mut crowd.nodes {
        at(n, 0.0);
    }
    diary.advance(sam, network, 0.0)
}
