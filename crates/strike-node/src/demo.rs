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

fn summarize(node: &Node) -> Result<Vec<(NetworkId, String, NetworkKind, usize)>> {
    let mut out = Vec::new();
    for n in node.networks()? {
        let n_announcements = node.announcements(&n.id, u32::MAX)?.len();
        out.push((n.id, n.name.unwrap_or_default(), n.kind.unwrap_or(NetworkKind::Crew), n_announcements));
    }
    Ok(out)
}
