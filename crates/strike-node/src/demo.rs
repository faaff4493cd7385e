//! `openstrike demo`: a demo node with realistic organizing data, in its own data directory.
//!
//! The demo never touches a real identity: it lives in [`crate::default_demo_dir`] (or a
//! directory the user names) and its random passphrase is written beside it in
//! `DEMO-PASSPHRASE.txt`, which is only acceptable because everything in it is made up.

use std::path::{Path, PathBuf};

use strike_core::events::{Answer, ShiftInput};
use strike_core::{NetworkId, NetworkKind};
use strike_crypto::KdfParams;

mod aid;
mod fund;
mod hub;
mod votes;

use crate::events::EventSpec;
use crate::{Node, NodeError, Result, io_err};

/// File beside the demo node that holds its passphrase.
pub const PASSPHRASE_FILE: &str = "DEMO-PASSPHRASE.txt";

/// Words for demo passphrases: six of 64 give 36 bits, plenty for made-up data.
const WORDS: [&str; 64] = [
    "anchor", "badge", "banner", "bread", "bridge", "candle", "canteen", "cargo", "chorus", "clock", "copper", "crane",
    "dock", "drum", "ember", "engine", "ferry", "field", "forge", "garden", "gate", "harbor", "hammer", "harvest",
    "honey", "iron", "kettle", "ladder", "lantern", "lever", "linen", "loom", "market", "meadow", "mill", "morning",
    "needle", "orchard", "paper", "pepper", "picket", "pine", "plank", "pulley", "quarry", "rail", "ribbon", "river",
    "rivet", "saddle", "shovel", "signal", "spindle", "spring", "steam", "stone", "thread", "timber", "tower", "union",
    "valve", "wagon", "whistle", "yard",
];

struct DemoNetwork {
    name: &'static str,
    kind: NetworkKind,
    /// (days ago, text), oldest first.
    announcements: &'static [(f64, &'static str)],
}

const NETWORKS: [DemoNetwork; 4] = [
    DemoNetwork {
        name: "Riverside Fulfilment Centre",
        kind: NetworkKind::Workplace,
        announcements: &[
            (
                29.0,
                "Welcome. This network is for Riverside pickers, packers and drivers only. Invite people you trust, face to face.",
            ),
            (
                22.0,
                "One-on-ones this week: aim for three each. Ask about the heat on the mezzanine and the new pick rates.",
            ),
            (
                13.0,
                "The strike call is open: pledge when you are ready. It only counts once enough of us have, so nobody stands out alone.",
            ),
            (4.0, "Meeting Thursday 18:00, back room of the Anchor. Bring a co-worker from another shift."),
            (0.3, "Reminder: never discuss this network on work phones or work Wi-Fi."),
        ],
    },
    DemoNetwork {
        name: "St Mary's Hospital Staff",
        kind: NetworkKind::Workplace,
        announcements: &[
            (7.5, "Nurses and ICU staff are exempt from any walkout: patient safety first. They can pledge support."),
            (2.0, "Porters and cleaners: meeting Tuesday 14:30 in the chapel garden."),
        ],
    },
    DemoNetwork {
        name: "Eastside Solidarity Hub",
        kind: NetworkKind::Hub,
        announcements: &[
            (20.0, "The church basement hub is open Monday to Saturday, 10:00-20:00."),
            (3.0, "Insulin is in the fridge behind the kitchen. Ask Ana for the key."),
        ],
    },
    DemoNetwork {
        name: "Logistics Workers Federation",
        kind: NetworkKind::Federation,
        announcements: &[(9.0, "Member networks report counts only: pledges, readiness, runway. Never names.")],
    },
];

/// A network's announcements, posted as the seeding's clock passes their day.
struct Diary {
    items: &'static [(f64, &'static str)],
    posted: usize,
}

impl Diary {
    /// Posts every announcement due by `days_ago` (each at its own time), then sets the
    /// clock to `days_ago`.
    fn advance(&mut self, node: &mut Node, network: &NetworkId, days_ago: f64) -> Result<()> {
        while let Some((day, text)) = self.items.get(self.posted).filter(|(day, _)| *day >= days_ago) {
            at(node, *day);
            node.announce(network, text)?;
            self.posted += 1;
        }
        at(node, days_ago);
        Ok(())
    }
}

/// What the demo made.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub dir: PathBuf,
    pub passphrase: String,
    /// Whether this run seeded the data (false when an existing demo was reopened).
    pub seeded: bool,
    pub networks: Vec<(NetworkId, String, NetworkKind, usize)>,
    /// A bundle of the first network, sealed with the demo passphrase.
    pub bundle: Option<PathBuf>,
}

fn random_passphrase() -> String {
    let mut rng = rand::rng();
    (0..6).map(|_| WORDS[usize::from(rand::Rng::next_u32(&mut rng) as u8 & 63)]).collect::<Vec<_>>().join("-")
}

/// Opens the demo node in `dir`, seeding it first if it is new or `reset` is set.
pub fn run(dir: &Path, reset: bool) -> Result<(Node, DemoSummary)> {
    let passphrase_file = dir.join(PASSPHRASE_FILE);
    if reset {
        Node::wipe(dir)?;
        let _ = std::fs::remove_file(&passphrase_file);
        let _ = std::fs::remove_file(dir.join("riverside.osb"));
    }
    if Node::exists(dir) {
        let passphrase = std::fs::read_to_string(&passphrase_file)
            .map_err(|_| {
                NodeError::InvalidInput(format!(
                    "{} holds a node that is not a demo; pass --reset only if you mean to destroy it",
                    dir.display()
                ))
            })?
            .trim()
            .to_owned();
        let node = Node::open(dir, passphrase.as_bytes())?;
        let networks = summarize(&node)?;
        let bundle = Some(dir.join("riverside.osb")).filter(|p| p.exists());
        return Ok((node, DemoSummary { dir: dir.to_path_buf(), passphrase, seeded: false, networks, bundle }));
    }
    let passphrase = random_passphrase();
    let mut node = Node::init(dir, passphrase.as_bytes(), KdfParams::DEFAULT)?;
    crate::keyfile::write_atomic(&passphrase_file, format!("{passphrase}\n").as_bytes())
        .map_err(io_err("writing the demo passphrase"))?;
    // The demo tells a month of organizing: its ops are written on a clock that starts a
    // month ago and moves forward (ops never claim a time before the ops they follow).
    at(&mut node, HISTORY_DAYS);
    let mut first = None;
    let mut ids = Vec::new();
    for demo in &NETWORKS {
        ids.push(node.create_network(demo.name, demo.kind)?);
        first.get_or_insert(ids[ids.len() - 1]);
    }
    let mut diaries: Vec<Diary> = NETWORKS.iter().map(|n| Diary { items: n.announcements, posted: 0 }).collect();
    if let ([riverside, st_marys, hub, federation], [d_riverside, d_st_marys, d_hub, d_federation]) =
        (&ids[..], &mut diaries[..])
    {
        // The hub first: Riverside's crisis team draws on its stock.
        at(&mut node, HISTORY_DAYS - 1.0);
        node.set_profile(hub, |p| p.pseudonym = "Ana".into())?;
        node.set_profile(federation, |p| p.pseudonym = "Riverside delegate".into())?;
        hub::seed(&mut node, hub, d_hub)?;
        at(&mut node, HISTORY_DAYS);
        seed_riverside(&mut node, riverside, hub, d_riverside)?;
        seed_st_marys(&mut node, st_marys, d_st_marys)?;
        d_federation.advance(&mut node, federation, 0.0)?;
    }
    node.set_clock_offset(0);
    let bundle = match first {
        Some(id) => {
            let path = dir.join("riverside.osb");
            node.export_bundle(&id, &path, Some(&passphrase))?;
            Some(path)
        }
        None => None,
    };
    let networks = summarize(&node)?;
    Ok((node, DemoSummary { dir: dir.to_path_buf(), passphrase, seeded: true, networks, bundle }))
}

/// Days of organizing the demo's history spans.
const HISTORY_DAYS: f64 = 30.0;

/// Sets `node`'s clock to `days_ago` days before now.
fn at(node: &mut Node, days_ago: f64) {
    node.set_clock_offset(-((days_ago * 86_400.0) as i64));
}

/// A co-worker in a demo network: who they are, what they bring, whether they pledge.
struct Person {
    name: &'static str,
    department: &'static str,
    shift: &'static str,
    role: &'static str,
    skill: &'static str,
    pledges: bool,
}

const fn p(
    name: &'static str,
    department: &'static str,
    shift: &'static str,
    role: &'static str,
    skill: &'static str,
    pledges: bool,
) -> Person {
    Person { name, department, shift, role, skill, pledges }
}

/// Riverside: 39 co-workers besides Sam across Picking, Packing and Loading on two shifts.
/// 20 of them pledge (21 with Sam: 70% of the 30 the call asks for); Loading is short.
const RIVERSIDE: [Person; 39] = [
    p("Dee", "Picking", "night", "picker", "car", true),
    p("Ray", "Picking", "night", "picker", "loud-voice", true),
    p("Mo", "Picking", "day", "picker", "translation", true),
    p("Sol", "Picking", "day", "picker", "", false),
    p("Ada", "Picking", "night", "picker", "", true),
    p("Cy", "Picking", "day", "picker", "snacks", true),
    p("Eli", "Picking", "night", "picker", "", true),
    p("Fay", "Picking", "day", "picker", "", false),
    p("Gus", "Picking", "night", "picker", "car", true),
    p("Hal", "Picking", "day", "picker", "", false),
    p("Ivy", "Picking", "night", "picker", "medical", true),
    p("Jo", "Picking", "day", "picker", "", false),
    p("Kai", "Picking", "night", "picker", "", true),
    p("Liv", "Picking", "day", "team lead", "", false),
    p("Jun", "Packing", "night", "packer", "snacks", true),
    p("Ife", "Packing", "day", "packer", "medical", true),
    p("Tom", "Packing", "night", "packer", "", true),
    p("Bea", "Packing", "day", "packer", "", false),
    p("Max", "Packing", "night", "packer", "car", true),
    p("Nia", "Packing", "day", "packer", "translation", true),
    p("Ola", "Packing", "night", "packer", "", false),
    p("Pia", "Packing", "day", "packer", "", true),
    p("Quin", "Packing", "night", "packer", "", false),
    p("Rex", "Packing", "day", "packer", "loud-voice", true),
    p("Sia", "Packing", "night", "packer", "", false),
    p("Ty", "Packing", "day", "packer", "", false),
    p("Lea", "Loading", "day", "driver", "legal", true),
    p("Oz", "Loading", "night", "driver", "car", false),
    p("Kit", "Loading", "day", "driver", "", false),
    p("Abe", "Loading", "night", "driver", "", true),
    p("Bo", "Loading", "day", "driver", "car", false),
    p("Cas", "Loading", "night", "driver", "", false),
    p("Dru", "Loading", "day", "loader", "", true),
    p("Em", "Loading", "night", "loader", "", true),
    p("Fox", "Loading", "day", "loader", "", false),
    p("Gil", "Loading", "night", "loader", "snacks", false),
    p("Hux", "Loading", "day", "loader", "", false),
    p("Isa", "Loading", "night", "loader", "", false),
    p("Jem", "Loading", "day", "loader", "", false),
];

/// Asked to join Riverside, waiting for a vouch.
const RIVERSIDE_PENDING: [&str; 2] = ["Nadia", "Pete"];

/// Mapped Riverside co-workers who are not members: name, department, shift, role, support
/// 1-5 (0: not assessed yet). Picking leans in, Packing is mixed, Loading's night shift is
/// where the work is.
const CONTACTS: [(&str, &str, &str, &str, u8); 30] = [
    ("Priya", "Picking", "day", "picker", 4),
    ("Marek", "Picking", "night", "picker", 3),
    ("Anya", "Picking", "day", "picker", 5),
    ("Bram", "Picking", "night", "picker", 4),
    ("Chen", "Picking", "day", "picker", 0),
    ("Dario", "Picking", "night", "picker", 2),
    ("Hana", "Packing", "day", "packer", 5),
    ("Luis", "Packing", "night", "packer", 2),
    ("Esme", "Packing", "day", "packer", 3),
    ("Farid", "Packing", "night", "packer", 3),
    ("Gosia", "Packing", "day", "packer", 1),
    ("Hugo", "Packing", "night", "packer", 4),
    ("Inez", "Packing", "day", "packer", 0),
    ("Jonas", "Packing", "night", "packer", 2),
    ("Femi", "Loading", "day", "driver", 4),
    ("Greta", "Loading", "night", "driver", 1),
    ("Ahmed", "Loading", "day", "driver", 3),
    ("Vic", "Loading", "night", "security", 2),
    ("Kofi", "Loading", "night", "driver", 2),
    ("Lars", "Loading", "night", "loader", 1),
    ("Mina", "Loading", "night", "loader", 3),
    ("Noor", "Loading", "night", "loader", 0),
    ("Otto", "Loading", "night", "loader", 2),
    ("Paz", "Loading", "night", "driver", 1),
    ("Rosa", "Loading", "day", "loader", 3),
    ("Sven", "Loading", "day", "loader", 2),
    ("Tariq", "Loading", "day", "driver", 4),
    ("Uma", "Loading", "night", "loader", 0),
    ("Wes", "Loading", "night", "security", 1),
    ("Yara", "Loading", "day", "loader", 3),
];

/// The strike day's picket shifts at Riverside's two gates.
const PICKET_SHIFTS: [&str; 5] = [
    "North gate, 05:30-09:00, 6",
    "South gate, 05:30-09:00, 4",
    "North gate, 09:00-13:00, 4",
    "South gate, 09:00-13:00, 3",
    "North gate, 13:00-17:00, 4",
];

/// Riverside's answers to the briefing and its picket sign-ups (with Sam on the first
/// shift: about half the places filled a week and a half out).
const RIVERSIDE_TURNOUT: [(&str, Answer, u16); 20] = {
    use Answer::{Going, Maybe, No};
    [
        ("Dee", Going, 1),
        ("Ray", Going, 1),
        ("Gus", Going, 1),
        ("Mo", Going, 2),
        ("Ivy", Going, 2),
        ("Jun", Maybe, 2),
        ("Kai", Going, 3),
        ("Ife", Going, 3),
        ("Lea", Going, 4),
        ("Max", Going, 4),
        ("Ada", Going, 0),
        ("Cy", Maybe, 0),
        ("Tom", Going, 0),
        ("Nia", Maybe, 0),
        ("Rex", Going, 0),
        ("Sol", No, 0),
        ("Abe", Maybe, 0),
        ("Em", Going, 0),
        ("Fay", No, 0),
        ("Pia", Going, 0),
    ]
};

/// One-on-one notes organizers kept: contact, note.
const NOTES: [(&str, &str); 4] = [
    ("Luis", "Worried about rent if we strike: talk about the hardship fund."),
    ("Marek", "Angry about the heat on the mezzanine; wants to see numbers before he commits."),
    ("Greta", "Close to the shift manager. Do not share dates with her."),
    ("Kofi", "Knows everyone on Loading nights; if he comes in, the shift follows."),
];

/// St Mary's: porters, cleaners, catering, and nurses who are exempt (they pledge support).
const ST_MARYS: [Person; 11] = [
    p("Amir", "Portering", "day", "porter", "loud-voice", true),
    p("Bet", "Portering", "night", "porter", "", true),
    p("Cole", "Portering", "day", "porter", "car", false),
    p("Dana", "Cleaning", "night", "cleaner", "translation", true),
    p("Eve", "Cleaning", "day", "cleaner", "", true),
    p("Finn", "Cleaning", "night", "cleaner", "", false),
    p("Gwen", "Catering", "day", "cook", "snacks", false),
    p("Hope", "Wards", "night", "nurse", "medical", true),
    p("Iris", "Wards", "day", "nurse", "medical", true),
    p("Jude", "ICU", "night", "icu-nurse", "medical", false),
    p("Kaya", "Wards", "day", "nurse", "", false),
];

/// Cover offered (`false`) and needed (`true`): name, need, kind, when, where, note.
const RIVERSIDE_COVER: [(&str, bool, strike_core::body::CoverKind, &str, &str, &str); 7] = {
    use strike_core::body::CoverKind::{Childcare, Eldercare, Ride, Shift};
    [
        ("Dee", false, Ride, "mon-fri 22:00-07:00", "North estate", "after night shift"),
        ("Max", false, Ride, "mon-fri 05:00-07:00", "Riverside", "early lifts"),
        ("Ife", false, Childcare, "sat,sun", "Riverside", "two kids max"),
        ("Tom", true, Childcare, "sat", "Riverside", ""),
        ("Lea", true, Childcare, "mon-fri 07:00-16:00", "", ""),
        ("Nia", false, Eldercare, "weekends", "East", "can sit with an older neighbour"),
        ("Rex", false, Shift, "mon-fri 06:00-14:00", "Riverside", "will swap a shift before the strike"),
    ]
};

/// One demo workplace: the demo user's own profile there, the co-workers, who waits to
/// join, the cover they offer and need.
struct Workplace {
    me: Person,
    people: &'static [Person],
    pending: &'static [&'static str],
    cover: &'static [(&'static str, bool, strike_core::body::CoverKind, &'static str, &'static str, &'static str)],
    /// Who answers the events set out with the call: name, answer to the events without
    /// shifts, and the shift (1, 2, ...; 0 for none) they take on the events with shifts.
    turnout: &'static [(&'static str, Answer, u16)],
    /// Co-workers who suggest an edit to a guide: name, the guide's title, a paragraph they
    /// add, their note.
    suggestions: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

/// The co-workers' throwaway nodes, in a temporary directory removed when the seeding ends.
struct Crowd {
    dir: PathBuf,
    nodes: Vec<Node>,
}

impl Drop for Crowd {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn sync(a: &mut Node, b: &mut Node, network: &NetworkId) -> Result<()> {
    crate::sync::sync_pair(a, b, *network)?;
    a.upkeep(network)?;
    b.upkeep(network)?;
    Ok(())
}

fn set_profile(node: &mut Node, network: &NetworkId, who: &Person, workplace: &str) -> Result<()> {
    node.set_profile(network, |p| {
        p.pseudonym = who.name.into();
        p.workplace = workplace.into();
        p.department = who.department.into();
        p.shift = who.shift.into();
        p.role = who.role.into();
    })?;
    if !who.skill.is_empty() {
        node.set_skill(network, who.skill, true)?;
    }
    Ok(())
}

/// Organizing as it looks a few weeks in: members admitted by invite and vouch over the
/// first weeks, profiles and skills, cover offers and needs, joiners still waiting. The
/// co-workers are throwaway nodes; their ops reach the demo node by sync, as they would
/// over the network. `open_call` runs `call_days_ago` and returns the call and the events
/// set out with it; after it the co-workers act one by one until yesterday, answering the
/// events and pledging if they do.
#[allow(clippy::too_many_arguments)] // the story's parts, each used once per workplace
fn seed_workplace(
    me: &mut Node,
    network: &NetworkId,
    place: &str,
    w: &Workplace,
    diary: &mut Diary,
    call_days_ago: f64,
    open_call: impl FnOnce(&mut Node) -> Result<(strike_core::OpId, Vec<strike_core::OpId>)>,
    each: &mut dyn FnMut(&mut Node, &mut Node, usize) -> Result<()>,
) -> Result<(strike_core::OpId, Crowd)> {
    at(me, HISTORY_DAYS - 0.5);
    set_profile(me, network, &w.me, place)?;
    let link = me.create_invite(network, (w.people.len() + w.pending.len()) as u16, None, vec![])?;
    let mut crowd = Crowd { dir: tempfile_dir()?, nodes: Vec::new() };
    // Joins over the weeks before the call; the pending ones asked in the last two days.
    let join_span = HISTORY_DAYS - 1.0 - call_days_ago;
    for (i, name) in w.people.iter().map(|p| p.name).enumerate() {
        let day = HISTORY_DAYS - 1.0 - join_span * i as f64 / w.people.len() as f64;
        let mut n = Node::init(&crowd.dir.join(name), name.as_bytes(), KdfParams::MINIMUM)?;
        at(&mut n, day);
        n.join(&link, name)?;
        diary.advance(me, network, day - 0.05)?;
        sync(&mut n, me, network)?;
        let author = n.network(network)?.my_author.ok_or_else(|| NodeError::InvalidInput("no author".into()))?;
        me.vouch(network, &author)?;
        crowd.nodes.push(n);
    }
    diary.advance(me, network, call_days_ago)?;
    let (call, events) = open_call(me)?;
    if w.me.pledges {
        me.pledge(network, &call, true)?;
    }
    for (i, (n, who)) in crowd.nodes.iter_mut().zip(w.people).enumerate() {
        let day = call_days_ago - 0.2 - (call_days_ago - 1.0) * i as f64 / w.people.len() as f64;
        at(n, day);
        diary.advance(me, network, day)?;
        sync(me, n, network)?;
        set_profile(n, network, who, place)?;
        for (_, need, kind, when, where_, note) in w.cover.iter().filter(|c| c.0 == who.name) {
            n.add_cover(network, *need, *kind, when, where_, note)?;
        }
        for (_, answer, shift) in w.turnout.iter().filter(|t| t.0 == who.name) {
            for event in &events {
                match n.event(network, event)?.shifts.is_empty() {
                    true => n.rsvp(network, event, *answer)?,
                    false if *shift > 0 => n.shift_signup(network, event, *shift, true)?,
                    false => continue,
                };
            }
        }
        if who.pledges {
            n.pledge(network, &call, true)?;
        }
        for (_, title, paragraph, note) in w.suggestions.iter().filter(|s| s.0 == who.name) {
            let guide = n.resolve_guide(network, title)?;
            let (_, text) = n.guide_text(network, &guide, None)?;
            n.edit_guide(network, &guide, None, &format!("{}\n\n{paragraph}\n", text.trim_end()), note)?;
        }
        each(me, n, i)?;
        sync(n, me, network)?;
    }
    for (i, name) in w.pending.iter().enumerate() {
        let mut n = Node::init(&crowd.dir.join(name), name.as_bytes(), KdfParams::MINIMUM)?;
        at(&mut n, 2.0 - i as f64);
        n.join(&link, name)?;
        diary.advance(me, network, 1.9 - i as f64)?;
        sync(&mut n, me, network)?;
    }
    // The last day is the caller's to tell: announcements due in it wait for `diary.advance`.
    diary.advance(me, network, 0.95)?;
    Ok((call, crowd))
}

/// Riverside a few weeks in: 40 members on two shifts in three departments, two joiners
/// waiting, contacts with assessments, a strike call at 70% of its count, a campaign in its
/// second phase (its next gates: Eastside's food for 30 households, no critical request
/// left open).
fn seed_riverside(sam: &mut Node, network: &NetworkId, hub: &NetworkId, diary: &mut Diary) -> Result<()> {
    use strike_core::CoarseTime;
    use strike_core::body::{Contact, CoverKind};
    use strike_core::calls::{Call, CallKind, Dimension, Rule, Wave};
    use strike_core::campaign::{Campaign, Gate, Phase};

    // Deadlines and phases are measured from the real now, not the demo's moving clock.
    let now = CoarseTime::from_unix_seconds(crate::unix_now()).0;
    let day = 24 * 60;
    let w = Workplace {
        me: p("Sam", "Packing", "day", "packer", "", true),
        people: &RIVERSIDE,
        pending: &RIVERSIDE_PENDING,
        cover: &RIVERSIDE_COVER,
        turnout: &RIVERSIDE_TURNOUT,
        suggestions: &RIVERSIDE_SUGGESTIONS,
    };
    let mut each = |sam: &mut Node, n: &mut Node, i: usize| {
        fund::contribute(sam, n, network, i)?;
        votes::ballot(n, network, i)
    };
    let (call, mut crowd) = seed_workplace(
        sam,
        network,
        "Riverside",
        &w,
        diary,
        14.0,
        |sam| {
            // The week the call opens, Sam maps the co-workers who are not members yet.
            for (name, dept, shift, role, support) in CONTACTS {
                let c = sam.add_contact(
                    network,
                    Contact {
                        name: name.into(),
                        workplace: "Riverside".into(),
                        department: dept.into(),
                        shift: shift.into(),
                        role: role.into(),
                    },
                )?;
                if support > 0 {
                    sam.assess(network, &c, support, "")?;
                }
                if let Some((_, note)) = NOTES.iter().find(|(who, _)| *who == name) {
                    sam.note_contact(network, &c, note)?;
                }
            }
            let call = sam.create_call(
                network,
                Call {
                    kind: CallKind::Strike,
                    title: "One-day strike for heat safety".into(),
                    demands: vec![
                        "Cooling on the mezzanine and breaks above 28 C".into(),
                        "Pick rates frozen until the heat plan is agreed".into(),
                    ],
                    scope: String::new(),
                    deadline: now + 7 * day,
                    exempt_roles: vec!["security".into()],
                    waves: vec![Wave {
                        rules: vec![
                            Rule::Count { n: 30 },
                            Rule::Share { permille: 600 },
                            Rule::MinPer { dimension: Dimension::Department, n: 5 },
                        ],
                        starts: now + 10 * day,
                    }],
                    secret: None,
                },
            )?;
            // With the call, the briefing before the strike and the picket on its first day.
            let today = now - now % day;
            let spec = |kind: &str, title: &str, start: u32, place: &str, note: &str, shifts: &[&str]| EventSpec {
                kind: kind.into(),
                title: title.into(),
                start: CoarseTime(start).to_string(),
                place: place.into(),
                note: note.into(),
                shifts: shifts.iter().map(|s| ShiftInput::parse(s).expect("the demo's shifts read")).collect(),
            };
            let briefing = sam.create_event(
                network,
                &spec(
                    "meeting",
                    "Strike-day briefing",
                    today + 2 * day + 18 * 60,
                    "Mill Lane community hall",
                    "Who stands where, what to say to agency staff, the hardship fund.",
                    &[],
                ),
            )?;
            let picket = sam.create_event(
                network,
                &spec(
                    "picket",
                    "Picket: one-day strike",
                    today + 10 * day + 5 * 60 + 30,
                    "Riverside gates",
                    "Hi-vis and flasks. Nobody talks to managers alone.",
                    &PICKET_SHIFTS,
                ),
            )?;
            sam.rsvp(network, &briefing, Answer::Going)?;
            sam.shift_signup(network, &picket, 1, true)?;
            seed_guides(sam, network)?;
            fund::open(sam, network, &call)?;
            votes::open(sam, network, &call)?;
            Ok((call, vec![briefing, picket]))
        },
        &mut each,
    )?;
    let names: Vec<&str> = RIVERSIDE.iter().map(|p| p.name).collect();
    // The last day: the circles, then the crisis team's day (announcements due meanwhile are
    // posted on time), then today's fund business.
    aid::circles(sam, network)?;
    aid::seed(sam, &mut crowd, &names, network, hub, diary)?;
    fund::claims(sam, &mut crowd, &names, network, &call)?;
    votes::secret_vote(sam, &mut crowd, network)?;
    drop(crowd);
    // Today: a second one-on-one moved Luis up, Lea becomes an organizer, the campaign's
    // latest plan is set.
    let luis = sam.contacts(network)?.into_iter().find(|c| c.name == "Luis");
    if let Some(luis) = luis {
        let id = sam.resolve_contact(network, &luis.full_id)?;
        sam.assess(network, &id, 3, "after the second one-on-one: will pledge if Packing nights do")?;
    }
    let lea = sam.resolve_member(network, "Lea")?;
    sam.promote(network, &lea.author)?;
    let call_id = call;
    sam.set_campaign(
        network,
        Campaign {
            title: "Cool Riverside".into(),
            phases: vec![
                Phase {
                    name: "seed".into(),
                    starts: now - 30 * day,
                    objectives: vec!["One-on-ones with every picker on both shifts".into()],
                    gates: vec![Gate::Members { n: 10 }],
                },
                Phase {
                    name: "scaling".into(),
                    starts: now - 5 * day,
                    objectives: vec!["A member in every department and shift".into(), "Map the whole workforce".into()],
                    gates: vec![
                        Gate::Members { n: 45 },
                        Gate::CoverCoverage { kind: CoverKind::Childcare, permille: 800 },
                        Gate::Pledges { call: call_id, n: 15 },
                    ],
                },
                Phase {
                    name: "consolidation".into(),
                    starts: now + 4 * day,
                    objectives: vec!["Hardship fund at two weeks' rent for every member".into()],
                    gates: vec![
                        Gate::PledgeShare { call: call_id, permille: 600 },
                        Gate::HubFood { hub: *hub, days: 21, households: 30 },
                        Gate::CriticalOpen { hub: *hub, hours: 12 },
                        Gate::FundWeeks { weeks: 2 },
                    ],
                },
                Phase {
                    name: "strike".into(),
                    starts: now + 10 * day,
                    objectives: vec!["Everyone out at 06:00; picket at both gates".into()],
                    gates: vec![Gate::Pledges { call: call_id, n: 30 }],
                },
            ],
        },
    )?;
    Ok(())
}

/// Riverside's guides: three forked from the starter library, the picket guide made
/// Riverside's own (Gus suggests a paragraph about the van, waiting for an editor).
fn seed_guides(sam: &mut Node, network: &NetworkId) -> Result<()> {
    use crate::guides::ForkSource;
    for slug in ["picket-safety", "stockpiling", "security-culture"] {
        sam.fork_guide(network, &ForkSource::Library(slug.into()))?;
    }
    let picket = sam.resolve_guide(network, "Picket safety and rotas")?;
    let (_, text) = sam.guide_text(network, &picket, None)?;
    let ours = text.replace(
        "## Before the first day",
        "## At Riverside\n\n- North gate (lorries) and South gate (staff car park), from 05:30.\n\
         - Picket captains: Sam on days, Lea on nights. The crisis team's night phone is in its circle.\n\n\
         ## Before the first day",
    );
    sam.edit_guide(network, &picket, None, &ours, "Riverside's gates and captains")?;
    Ok(())
}

/// Gus's suggestion to the picket guide (an editor accepts it or not).
const RIVERSIDE_SUGGESTIONS: [(&str, &str, &str, &str); 1] = [(
    "Gus",
    "Picket safety and rotas",
    "## The van\n\nThe drivers' van brings flasks and chairs to both gates at 05:15 and 09:00. Ask in the Drivers circle for a lift.",
    "the van's runs",
)];

/// St Mary's: a sickout that exempts nurses, who pledge support and are not counted; new
/// members read only the announcements and cover written after their admission.
fn seed_st_marys(robin: &mut Node, network: &NetworkId, diary: &mut Diary) -> Result<()> {
    use strike_core::CoarseTime;
    use strike_core::calls::{Call, CallKind, Dimension, Rule, Wave};

    let now = CoarseTime::from_unix_seconds(crate::unix_now()).0;
    let day = 24 * 60;
    let w = Workplace {
        me: p("Robin", "Portering", "night", "porter", "", true),
        people: &ST_MARYS,
        pending: &[],
        cover: &[],
        turnout: &[],
        suggestions: &[],
    };
    // The hospital keeps new members out of its past: they read the roster, the calls and
    // pledges, and only the announcements and cover written after they came.
    at(robin, HISTORY_DAYS - 0.5);
    robin.set_history(network, strike_core::body::HistoryMode::SinceAdmission)?;
    seed_workplace(
        robin,
        network,
        "St Mary's",
        &w,
        diary,
        8.0,
        |robin| {
            robin
                .create_call(
                    network,
                    Call {
                        kind: CallKind::Sickout,
                        title: "Two-day sickout for safe staffing".into(),
                        demands: vec!["Agency porters and cleaners on permanent contracts".into()],
                        scope: String::new(),
                        deadline: now + 5 * day,
                        exempt_roles: vec!["nurse".into(), "icu-nurse".into()],
                        waves: vec![Wave {
                            rules: vec![Rule::Count { n: 6 }, Rule::MinPer { dimension: Dimension::Department, n: 2 }],
                            starts: now + 7 * day,
                        }],
                        secret: None,
                    },
                )
                .map(|call| (call, Vec::new()))
        },
        &mut |_, _, _| Ok(()),
    )?;
    diary.advance(robin, network, 0.0)
}

/// A fresh private directory for the demo's throwaway co-worker nodes.
fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("openstrike-demo-{}", hex::encode(rand::random::<[u8; 8]>())));
    std::fs::create_dir_all(&dir).map_err(io_err(format!("creating {}", dir.display())))?;
    Ok(dir)
}

fn summarize(node: &Node) -> Result<Vec<(NetworkId, String, NetworkKind, usize)>> {
    let mut out = Vec::new();
    for n in node.networks()? {
        let n_announcements = node.announcements(&n.id, u32::MAX)?.len();
        out.push((n.id, n.name.unwrap_or_default(), n.kind.unwrap_or(NetworkKind::Crew), n_announcements));
    }
    Ok(out)
}
