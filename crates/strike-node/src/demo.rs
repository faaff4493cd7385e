//! `openstrike demo`: a demo node with realistic organizing data, in its own data directory.
//!
//! The demo never touches a real identity: it lives in [`crate::default_demo_dir`] (or a
//! directory the user names) and its random passphrase is written beside it in
//! `DEMO-PASSPHRASE.txt`, which is only acceptable because everything in it is made up.

use std::path::{Path, PathBuf};

use strike_core::{NetworkId, NetworkKind};
use strike_crypto::KdfParams;

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
    announcements: &'static [&'static str],
}

const NETWORKS: [DemoNetwork; 4] = [
    DemoNetwork {
        name: "Riverside Fulfilment Centre",
        kind: NetworkKind::Workplace,
        announcements: &[
            "Welcome. This network is for Riverside pickers, packers and drivers only. Invite people you trust, face to face.",
            "One-on-ones this week: aim for three each. Ask about the heat on the mezzanine and the new pick rates.",
            "Meeting Thursday 18:00, back room of the Anchor. Bring a co-worker from another shift.",
            "Reminder: never discuss this network on work phones or work Wi-Fi.",
        ],
    },
    DemoNetwork {
        name: "St Mary's Hospital Staff",
        kind: NetworkKind::Workplace,
        announcements: &[
            "Nurses and ICU staff are exempt from any walkout: patient safety first. They can pledge support.",
            "Porters and cleaners: meeting Tuesday 14:30 in the chapel garden.",
        ],
    },
    DemoNetwork {
        name: "Eastside Solidarity Hub",
        kind: NetworkKind::Hub,
        announcements: &[
            "The church basement hub is open Monday to Saturday, 10:00-20:00.",
            "Insulin is in the fridge behind the kitchen. Ask Ana for the key.",
        ],
    },
    DemoNetwork {
        name: "Logistics Workers Federation",
        kind: NetworkKind::Federation,
        announcements: &["Member networks report counts only: pledges, readiness, runway. Never names."],
    },
];

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
    let mut first = None;
    for demo in &NETWORKS {
        let id = node.create_network(demo.name, demo.kind)?;
        first.get_or_insert(id);
        for text in demo.announcements {
            node.announce(&id, text)?;
        }
    }
    if let Some(id) = first {
        seed_riverside(&mut node, &id)?;
    }
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

/// Co-workers at Riverside: pseudonym, department, shift, skill, pledged.
const COWORKERS: [(&str, &str, &str, &str, bool); 11] = [
    ("Dee", "Picking", "night", "car", true),
    ("Ray", "Picking", "night", "loud-voice", true),
    ("Mo", "Picking", "day", "translation", true),
    ("Jun", "Packing", "night", "snacks", true),
    ("Ife", "Packing", "day", "medical", true),
    ("Tom", "Packing", "night", "", true),
    ("Lea", "Loading", "day", "legal", true),
    ("Oz", "Loading", "night", "car", false),
    ("Kit", "Loading", "day", "", false),
    ("Sol", "Picking", "day", "", false),
    ("Bea", "Packing", "day", "", false),
];

/// Mapped co-workers who are not members: name, department, shift, role, support 1-5.
const CONTACTS: [(&str, &str, &str, &str, u8); 8] = [
    ("Priya", "Picking", "day", "picker", 4),
    ("Marek", "Picking", "night", "picker", 3),
    ("Hana", "Packing", "day", "packer", 5),
    ("Luis", "Packing", "night", "packer", 2),
    ("Femi", "Loading", "day", "driver", 4),
    ("Greta", "Loading", "night", "driver", 1),
    ("Ahmed", "Loading", "day", "driver", 3),
    ("Vic", "Loading", "night", "security", 2),
];

/// Copies every op `from` holds of `network` into `to`.
fn carry(from: &Node, to: &mut Node, network: &NetworkId) -> Result<()> {
    let mut ops = Vec::new();
    from.store()
        .for_each_op(network, |op| {
            ops.push(op.to_vec());
            Ok(())
        })?
        .map_err(io_err("reading ops"))?;
    to.ingest(network, ops)?;
    to.upkeep(network)?;
    Ok(())
}

/// Riverside as organizing looks a few weeks in: members admitted by invite and vouch, profiles
/// and skills, cover offers and needs, contacts with assessments, a strike call part of the way
/// to its threshold, and a campaign in its second phase. The co-workers are throwaway nodes in
/// a temporary directory; their ops reach the demo node as they would by bundle or sync.
fn seed_riverside(sam: &mut Node, network: &NetworkId) -> Result<()> {
    use strike_core::CoarseTime;
    use strike_core::body::{Contact, CoverKind};
    use strike_core::calls::{Call, CallKind, Dimension, Rule, Wave};
    use strike_core::campaign::{Campaign, Gate, Phase};

    let tmp = tempfile_dir()?;
    sam.set_profile(network, |p| {
        p.pseudonym = "Sam".into();
        p.workplace = "Riverside".into();
        p.department = "Packing".into();
        p.shift = "day".into();
        p.role = "packer".into();
    })?;
    let link = sam.create_invite(network, 20, Some(30 * 86_400), vec![])?;
    let mut coworkers = Vec::new();
    for (name, ..) in COWORKERS {
        let mut n = Node::init(&tmp.join(name), name.as_bytes(), KdfParams::MINIMUM)?;
        n.join(&link, name)?;
        carry(&n, sam, network)?;
        coworkers.push(n);
    }
    for n in &coworkers {
        let me = n.network(network)?.my_author.ok_or_else(|| NodeError::InvalidInput("no author".into()))?;
        sam.vouch(network, &me)?;
    }
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
        sam.assess(network, &c, support, "")?;
    }
    sam.note_contact(
        network,
        &sam.resolve_fact(network, "contact", &first_contact_prefix(sam, network)?)?,
        "Worried about rent if we strike: talk about the hardship fund.",
    )?;
    let now = CoarseTime::from_unix_seconds(sam.now()).0;
    let day = 24 * 60;
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
            deadline: now + 21 * day,
            exempt_roles: vec!["security".into()],
            waves: vec![Wave {
                rules: vec![
                    Rule::Count { n: 12 },
                    Rule::Share { permille: 600 },
                    Rule::MinPer { dimension: Dimension::Department, n: 3 },
                ],
                starts: now + 24 * day,
            }],
        },
    )?;
    sam.pledge(network, &call, true)?;
    for n in coworkers.iter_mut() {
        carry(sam, n, network)?;
    }
    for (n, (name, dept, shift, skill, pledged)) in coworkers.iter_mut().zip(COWORKERS) {
        n.set_profile(network, |p| {
            p.pseudonym = name.into();
            p.workplace = "Riverside".into();
            p.department = dept.into();
            p.shift = shift.into();
            p.role = if dept == "Loading" { "driver" } else { "picker" }.into();
        })?;
        if !skill.is_empty() {
            n.set_skill(network, skill, true)?;
        }
        if pledged {
            n.pledge(network, &call, true)?;
        }
        match name {
            "Dee" => {
                n.add_cover(
                    network,
                    false,
                    CoverKind::Ride,
                    "mon-fri 22:00-07:00",
                    "North estate",
                    "after night shift",
                )?;
            }
            "Ife" => {
                n.add_cover(network, false, CoverKind::Childcare, "sat,sun", "Riverside", "two kids max")?;
            }
            "Tom" => {
                n.add_cover(network, true, CoverKind::Childcare, "sat", "Riverside", "")?;
            }
            "Lea" => {
                n.add_cover(network, true, CoverKind::Childcare, "mon-fri 07:00-16:00", "", "")?;
            }
            _ => {}
        }
        carry(n, sam, network)?;
    }
    let call_id = call.0;
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
                        Gate::Members { n: 15 },
                        Gate::CoverCoverage { kind: CoverKind::Childcare, permille: 800 },
                    ],
                },
                Phase {
                    name: "consolidation".into(),
                    starts: now + 14 * day,
                    objectives: vec!["Hardship fund at two weeks' rent for every member".into()],
                    gates: vec![Gate::PledgeShare { call: call_id, permille: 600 }],
                },
                Phase {
                    name: "strike".into(),
                    starts: now + 24 * day,
                    objectives: vec!["Everyone out at 06:00; picket at both gates".into()],
                    gates: vec![Gate::Pledges { call: call_id, n: 12 }],
                },
            ],
        },
    )?;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn first_contact_prefix(node: &Node, network: &NetworkId) -> Result<String> {
    let contacts = node.contacts(network)?;
    contacts.first().map(|c| c.id.clone()).ok_or_else(|| NodeError::NotFound("no contacts".into()))
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
