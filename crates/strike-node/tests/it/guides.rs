//! The knowledge base across nodes: revisions converge, members' edits wait for an editor,
//! concurrent edits give two heads an editor merges, forks keep their history, and search
//! finds by word, prefix and trigram while its index holds no plaintext on disk.

use strike_node::NodeError;
use strike_node::guides::{ForkSource, GuideView};

use crate::calls::{everyone_syncs, workplace};
use crate::hubs::{contains, files_under};

/// What a guide looks like, without what differs by reader (their own right to edit).
fn shape(g: &GuideView) -> Vec<(Option<u32>, &'static str, String, bool)> {
    g.revisions.iter().map(|r| (r.number, r.state, r.op_id.clone(), r.head)).collect()
}

#[test]
fn revisions_from_several_nodes_converge_and_members_edits_wait_for_an_editor() {
    let (mut net, mut nodes, _) = workplace();
    let id = net.id;
    let guide = nodes[0].new_guide(&id, None, "# Picket rota\n\nTwo per gate.\n", None).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    // Dee, a member, suggests; Sam, an organizer, edits at the same time.
    let suggestion = nodes[1].edit_guide(&id, &guide, None, "# Picket rota\n\nTwo per gate, always.\n", "").unwrap();
    nodes[0].edit_guide(&id, &guide, None, "# Picket rota\n\nTwo per gate. Four hours at most.\n", "hours").unwrap();
    let d = nodes[1].guide(&id, &guide).unwrap();
    assert_eq!(d.text, "# Picket rota\n\nTwo per gate.\n", "a suggestion does not change the text");
    assert!(!d.i_edit);
    assert!(
        matches!(nodes[1].review_guide(&id, &guide, &suggestion, true), Err(NodeError::NotAllowed(m)) if m.contains("editors")),
        "a member cannot publish"
    );
    everyone_syncs(&mut net, &mut nodes);
    let views: Vec<GuideView> = nodes.iter().map(|n| n.guide(&id, &guide).unwrap()).collect();
    for v in &views[1..] {
        assert_eq!(shape(v), shape(&views[0]));
        assert_eq!(v.text, views[0].text);
    }
    assert_eq!(views[0].suggestions, 1);
    assert!(views[0].text.contains("Four hours"));

    // Sam accepts the suggestion: it is published beside his edit, two heads.
    nodes[0].review_guide(&id, &guide, &suggestion, true).unwrap();
    let g = nodes[0].guide(&id, &guide).unwrap();
    assert_eq!((g.heads, g.suggestions), (2, 0));
    // His next edit merges both heads.
    let merged = nodes[0]
        .edit_guide(&id, &guide, None, "# Picket rota\n\nTwo per gate, always. Four hours at most.\n", "merge")
        .unwrap();
    everyone_syncs(&mut net, &mut nodes);
    let hashes: Vec<[u8; 32]> = nodes.iter().map(|n| n.state_hash(&id).unwrap()).collect();
    assert!(hashes.windows(2).all(|w| w[0] == w[1]), "one state everywhere");
    for n in &nodes {
        let g = n.guide(&id, &guide).unwrap();
        assert_eq!(g.heads, 1);
        let last = g.revisions.last().unwrap();
        assert_eq!((last.op_id.as_str(), last.number, last.parents.len()), (merged.to_hex().as_str(), Some(4), 2));
    }
    // Diffs between numbered revisions, and the text of an old one.
    let diff = nodes[2].guide_diff(&id, &guide, "1", "4").unwrap();
    assert!(diff.contains("-Two per gate.") && diff.contains("+Two per gate, always. Four hours at most."), "{diff}");
    assert_eq!(nodes[2].guide_text(&id, &guide, Some("1")).unwrap().1, "# Picket rota\n\nTwo per gate.\n");
    assert!(matches!(nodes[2].guide_text(&id, &guide, Some("9")), Err(NodeError::NotFound(_))));
    // A member's new guide is a draft until an editor publishes it.
    let draft = nodes[3].new_guide(&id, Some("Night bus times"), "Last bus 01:10.", None).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    assert!(nodes[0].guide(&id, &draft).unwrap().draft);
    nodes[0].review_guide(&id, &draft, &draft, true).unwrap();
    assert!(!nodes[0].guide(&id, &draft).unwrap().draft);
}

#[test]
fn a_forked_guide_keeps_its_history() {
    let (mut net, mut nodes, _) = workplace();
    let id = net.id;
    // From the starter library: one revision, credited.
    let lib = nodes[0].fork_guide(&id, &ForkSource::Library("picket-safety".into())).unwrap();
    let g = nodes[0].guide(&id, &lib).unwrap();
    assert_eq!(g.title, "Picket safety and rotas");
    assert_eq!(g.forked_from.as_deref(), Some("library:picket-safety"));
    assert!(g.revisions[0].credit.as_deref().unwrap().starts_with("Open Strike starter library"));
    // A guide with three revisions by two people, forked into Sam's other network.
    let guide = nodes[0].new_guide(&id, None, "# Rides\n\nAsk in the drivers' circle.\n", None).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    let s = nodes[1]
        .edit_guide(&id, &guide, None, "# Rides\n\nAsk in the drivers' circle. Gus has a van.\n", "van")
        .unwrap();
    everyone_syncs(&mut net, &mut nodes);
    nodes[0].review_guide(&id, &guide, &s, true).unwrap();
    nodes[0]
        .edit_guide(&id, &guide, None, "# Rides\n\nAsk in the drivers' circle. Gus and Max have vans.\n", "Max")
        .unwrap();
    let other = nodes[0].create_network("Dock 5", strike_core::NetworkKind::Workplace).unwrap();
    let fork = nodes[0].fork_guide(&other, &ForkSource::Network(id, guide)).unwrap();
    let (a, b) = (nodes[0].guide(&id, &guide).unwrap(), nodes[0].guide(&other, &fork).unwrap());
    assert_eq!(b.text, a.text, "{:#?}", b.revisions);
    assert_eq!(b.revisions.len(), 3);
    let credits: Vec<&str> = b.revisions.iter().map(|r| r.credit.as_deref().unwrap()).collect();
    assert!(credits[1].starts_with(&a.revisions[1].by), "the suggestion's author is credited: {credits:?}");
    assert!(credits.iter().all(|c| c.contains(&format!("network:{}/{}", id.to_hex(), guide.to_hex()))));
    assert_eq!(b.revisions.iter().map(|r| r.note.as_str()).collect::<Vec<_>>(), vec!["", "van", "Max"]);
    assert!(nodes[0].guide_diff(&other, &fork, "1", "3").unwrap().contains("+Ask in the drivers' circle. Gus and Max"));
}

#[test]
fn search_finds_by_word_prefix_and_trigram_and_its_index_holds_no_plaintext_on_disk() {
    let (net, mut nodes, _) = workplace();
    let id = net.id;
    let canary = "Xylophonequartz";
    nodes[0]
        .new_guide(&id, Some("Gate codes"), &format!("# Gate codes\n\nThe {canary} rota for the north gate.\n"), None)
        .unwrap();
    let sam = &mut nodes[0];
    let by_word = sam.search_guides(&id, "north gate", 10).unwrap();
    assert_eq!(by_word[0].title, "Gate codes");
    let by_prefix = sam.search_guides(&id, "xylophoneq", 10).unwrap();
    assert_eq!((by_prefix[0].title.as_str(), by_prefix[0].by), ("Gate codes", "words"));
    assert!(by_prefix[0].snippet.contains(&format!("[{canary}]")), "{:?}", by_prefix[0].snippet);
    let by_trigram = sam.search_guides(&id, "honequa", 10).unwrap();
    assert_eq!((by_trigram[0].title.as_str(), by_trigram[0].by), ("Gate codes", "trigrams"));
    // The starter library is searched too, until the network forks it.
    let hits = sam.search_guides(&id, "picket safety", 5).unwrap();
    assert_eq!(hits[0].guide, "library:picket-safety");
    sam.fork_guide(&id, &ForkSource::Library("picket-safety".into())).unwrap();
    let hits = sam.search_guides(&id, "picket safety", 5).unwrap();
    assert_eq!(hits[0].title, "Picket safety and rotas");
    assert!(!hits[0].guide.starts_with("library:"));
    assert!(hits.iter().all(|h| h.guide != "library:picket-safety"));
    // On disk: no trace of the guide's text, in the index or anywhere else.
    let dir = net.tmp.path().join("sam");
    drop(nodes);
    let bytes = files_under(&dir);
    assert!(bytes.len() > 10_000);
    for needle in [canary, "xylophonequartz", "honequa"] {
        assert!(!contains(&bytes, needle.as_bytes()), "{needle} is on disk in plaintext");
    }
}

/// The index follows what readers see: an edit replaces the old text, a suggestion is not
/// searchable until published, and editor status is as of now: once Dee is promoted, her
/// earlier suggestion counts as published, in the guide and in search alike.
#[test]
fn the_search_index_follows_edits_suggestions_and_who_edits_now() {
    let (mut net, mut nodes, ids) = workplace();
    let id = net.id;
    let find = |n: &mut strike_node::Node, q: &str| n.search_guides(&id, q, 5).unwrap().len();
    let guide = nodes[0].new_guide(&id, None, "# Crossing\n\nMeet at the zebra crossing.\n", None).unwrap();
    assert_eq!(find(&mut nodes[0], "zebra"), 1);
    nodes[0].edit_guide(&id, &guide, None, "# Crossing\n\nMeet at the giraffe statue.\n", "moved").unwrap();
    assert_eq!((find(&mut nodes[0], "zebra"), find(&mut nodes[0], "giraffe")), (0, 1));
    everyone_syncs(&mut net, &mut nodes);
    nodes[1].edit_guide(&id, &guide, None, "# Crossing\n\nMeet at the okapi mural.\n", "").unwrap();
    everyone_syncs(&mut net, &mut nodes);
    assert_eq!(find(&mut nodes[2], "okapi"), 0, "a suggestion is not the guide's text");
    // An unrelated op leaves the index as it is, and it still answers.
    nodes[0].announce(&id, "Meeting at six").unwrap();
    assert_eq!(find(&mut nodes[0], "giraffe"), 1);
    nodes[0].promote(&id, &ids[1]).unwrap();
    everyone_syncs(&mut net, &mut nodes);
    for n in nodes.iter_mut() {
        let g = n.guide(&id, &guide).unwrap();
        assert!(g.text.contains("okapi"), "Dee edits now: her revision is published");
        assert_eq!((find(n, "okapi"), find(n, "giraffe")), (1, 0));
    }
}
