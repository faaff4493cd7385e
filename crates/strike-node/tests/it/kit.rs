//! The kit and leaflets: a kit carries the program, the guides with their history and
//! leaflets, its signed checksums verify and catch a flipped byte, an added file or a forged
//! signature, and another node imports its guides with no network at all. A leaflet's QR
//! code decodes back to what it holds.

use std::fs;

use strike_crypto::KdfParams;
use strike_node::kit::{self, ExportOptions};
use strike_node::leaflet::{LeafletInvite, Paper};
use strike_node::{Node, NodeError};

use crate::calls::{everyone_syncs, workplace};
use strike_core::NetworkKind;

fn err_text(r: Result<impl std::fmt::Debug, NodeError>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn a_kit_verifies_catches_tampering_and_relaunches_guides_offline() {
    let (mut net, mut nodes, _) = workplace();
    let id = net.id;
    let picket = nodes[0].fork_guide(&id, &strike_node::guides::ForkSource::Library("picket-safety".into())).unwrap();
    let (_, text) = nodes[0].guide_text(&id, &picket, None).unwrap();
    nodes[0].edit_guide(&id, &picket, None, &format!("{text}\nAt Dock 4, meet at gate B.\n"), "our gates").unwrap();
    // A draft stays out of the kit.
    nodes[1].new_guide(&id, None, "# Dee's draft\n\nNot yet.\n", None).unwrap();
    everyone_syncs(&mut net, &mut nodes);

    let binary = net.tmp.path().join("openstrike-binary");
    fs::write(&binary, b"\x7fELF not really a program, but bytes to carry").unwrap();
    let dir = net.tmp.path().join("usb").join("kit");
    let mut steps = Vec::new();
    let opts = ExportOptions {
        network: Some(id),
        invite: Some(LeafletInvite { uses: 20, valid_for_secs: Some(30 * 86_400), addresses: vec![] }),
        binary: binary.clone(),
    };
    let report = nodes[0].export_kit(&dir, &opts, |s| steps.push(s.to_owned())).unwrap();
    assert_eq!(steps, ["the program", "guides", "leaflets", "checksums"]);
    assert!(report.invite.as_deref().unwrap().starts_with("openstrike://join/v1/"));
    assert_eq!(report.signed_as, "your member key in Dock 4");
    assert_eq!(fs::read(dir.join("openstrike")).unwrap(), fs::read(&binary).unwrap());
    let page = fs::read_to_string(dir.join("guides/network/picket-safety-and-rotas.html")).unwrap();
    assert!(page.contains("meet at gate B") && page.contains("by Dock 4"), "credited to the network, not to Sam");
    assert!(!page.contains("<script"));
    let manifest = fs::read_to_string(dir.join("kit.json")).unwrap();
    assert!(manifest.contains("\"by\": \"Dock 4\"") && !manifest.contains("\"by\": \"sam\""), "no member named");
    assert!(!dir.join("guides/network/dee-s-draft.md").exists());
    assert!(dir.join("guides/library/strike-pay.md").exists() && dir.join("leaflets/invite.html").exists());
    assert!(fs::read_to_string(dir.join("README.txt")).unwrap().contains(&report.fingerprint));
    // Exporting again over it is refused: nothing is overwritten.
    assert!(err_text(nodes[0].export_kit(&dir, &opts, |_| {})).contains("not empty"));
    // An invite needs an organizer.
    let member_opts = ExportOptions { network: Some(id), ..opts.clone() };
    assert!(nodes[1].export_kit(&net.tmp.path().join("kit2"), &member_opts, |_| {}).is_err());
    assert!(!net.tmp.path().join("kit2").exists() && !net.tmp.path().join(".kit2.partial").exists());

    let check = kit::verify(&dir, |_| {}).unwrap();
    assert_eq!(check.files, report.files - 2);
    assert_eq!(check.fingerprint, report.fingerprint);
    // The node knows who signed: Sam, an organizer of Dock 4.
    let who = nodes[2].kit_signer(&check.signer_key).unwrap().unwrap();
    assert!(who.ends_with(" in Dock 4, an organizer"), "{who}");

    // A node in another network, with no link to this one, imports the guides offline.
    let tmp = tempfile::tempdir().unwrap();
    let mut ana = Node::init(&tmp.path().join("ana"), b"ana", KdfParams::MINIMUM).unwrap();
    let other = ana.create_network("Eastside", NetworkKind::Workplace).unwrap();
    assert_eq!(ana.kit_signer(&check.signer_key).unwrap(), None, "a key it has never seen");
    let (_, ids) = ana.import_kit(&dir, &other, |_| {}).unwrap();
    assert_eq!(ids.len(), 1);
    let g = ana.guide(&other, &ids[0]).unwrap();
    assert!(g.text.contains("meet at gate B"));
    let credits: Vec<String> = g.revisions.iter().map(|r| r.credit.clone().unwrap()).collect();
    assert_eq!(credits.len(), 2, "the history came with it: {credits:?}");
    assert!(credits[0].starts_with("Open Strike starter library") && credits[1].starts_with("Dock 4"), "{credits:?}");

    // One flipped byte in any file is found, and named.
    let target = dir.join("guides/network/picket-safety-and-rotas.md");
    let mut bytes = fs::read(&target).unwrap();
    bytes[10] ^= 0x01;
    fs::write(&target, &bytes).unwrap();
    let e = err_text(kit::verify(&dir, |_| {}));
    assert!(e.contains("guides/network/picket-safety-and-rotas.md does not match its checksum"), "{e}");
    assert!(err_text(ana.import_kit(&dir, &other, |_| {})).contains("does not match"), "import refuses it too");
    bytes[10] ^= 0x01;
    fs::write(&target, &bytes).unwrap();
    kit::verify(&dir, |_| {}).unwrap();
    // The program itself, flipped.
    let mut prog = fs::read(dir.join("openstrike")).unwrap();
    prog[0] ^= 0x80;
    fs::write(dir.join("openstrike"), &prog).unwrap();
    assert!(err_text(kit::verify(&dir, |_| {})).starts_with("openstrike does not match"));
    prog[0] ^= 0x80;
    fs::write(dir.join("openstrike"), &prog).unwrap();
    // A file slipped in, a checksum line rewritten to match a changed file, a missing file.
    fs::write(dir.join("leaflets/extra.html"), "<script>x</script>").unwrap();
    assert!(err_text(kit::verify(&dir, |_| {})).contains("leaflets/extra.html"));
    fs::remove_file(dir.join("leaflets/extra.html")).unwrap();
    let sums = fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    fs::write(dir.join("SHA256SUMS"), sums.replacen('a', "b", 1)).unwrap();
    assert!(err_text(kit::verify(&dir, |_| {})).contains("SHA256SUMS.sig does not verify"));
    fs::write(dir.join("SHA256SUMS"), &sums).unwrap();
    fs::remove_file(dir.join("invite.txt")).unwrap();
    assert!(err_text(kit::verify(&dir, |_| {})).contains("invite.txt is missing"));
}

/// The drawing of `text`'s code, as the page embeds it.
fn code_of(text: &str) -> String {
    let svg = strike_node::qr::svg(text).unwrap();
    let start = svg.find("<path").or_else(|| svg.find("<rect")).unwrap();
    svg[start..].split_once("/>").unwrap().0.to_owned()
}

fn decode(net: &crate::networks::Net, text: &str) -> String {
    let path = net.tmp.path().join("code.png");
    strike_node::qr::write_png(text, &path).unwrap();
    strike_node::qr::decode_text(&fs::read(&path).unwrap()).unwrap()
}

#[test]
fn a_leaflet_carries_an_invite_or_a_guide_and_its_code_decodes() {
    let (net, mut nodes, _) = workplace();
    let id = net.id;
    let invite = LeafletInvite { uses: 50, valid_for_secs: Some(14 * 86_400), addresses: vec![] };
    let l = nodes[0].leaflet(&id, Some("library:are-you-in"), Some(&invite), Paper::A5, None).unwrap();
    assert!(l.invite && l.html.contains("Are you in?") && l.html.contains("vouch"));
    // The page's code is the code of its text, and that decodes back (the browser test
    // decodes a screenshot of the printed page).
    assert!(l.html.contains(&code_of(&l.qr_text)));
    assert!(l.module_mm >= strike_node::leaflet::MIN_MODULE_MM);
    assert_eq!(decode(&net, &l.qr_text), l.qr_text);
    assert!(l.qr_text.parse::<strike_node::networks::InviteLink>().is_ok());
    // A member prints a guide but not an invite.
    assert!(matches!(nodes[1].leaflet(&id, None, Some(&invite), Paper::A5, None), Err(NodeError::NotAllowed(_))));
    let g = nodes[1].leaflet(&id, Some("library:picket-safety"), None, Paper::A4, None).unwrap();
    assert!(!g.invite && g.qr_text.starts_with("Picket safety and rotas"));
    assert!(g.html.contains(&code_of(&g.qr_text)));
    assert_eq!(decode(&net, &g.qr_text), g.qr_text);
    // A draft does not go on paper.
    let draft = nodes[1].new_guide(&id, None, "# Dee's draft\n\nNot yet.\n", None).unwrap();
    assert!(err_text(nodes[1].leaflet(&id, Some(&draft.to_hex()), None, Paper::A5, None)).contains("draft"));
}
