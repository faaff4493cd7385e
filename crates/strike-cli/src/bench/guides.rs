//! `openstrike bench guides`: the knowledge base at a size a federation's library reaches:
//! `guides` guides of a few pages (the starter library's texts, each made different), each
//! with `revisions` revisions. Measures the index: built whole (the first search pays it),
//! brought up to date after one guide's edit (only that guide is indexed again) and after an
//! op that is not a guide's (nothing is); searches by word, prefix and trigram on a warm
//! index; and folding one guide's page (its history, rendered text).

use std::time::Instant;

use serde_json::json;
use strike_core::NetworkKind;
use strike_crypto::KdfParams;
use strike_node::Node;

use crate::output::Output;

pub fn guides(out: Output, guides: usize, revisions: usize, runs: usize) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let mut node = Node::init(&tmp.path().join("n"), b"bench", KdfParams::MINIMUM)?;
    let net = node.create_network("Bench", NetworkKind::Workplace)?;
    let library: Vec<_> = strike_node::library::guides().collect();
    let started = Instant::now();
    let mut ids = Vec::with_capacity(guides);
    for i in 0..guides {
        let g = library[i % library.len()];
        let text = format!("# {} ({i})\n\nGuide number {i}, warehouse{i}.\n\n{}", g.title, g.text);
        let id = node.new_guide(&net, None, &text, None)?;
        for r in 1..revisions {
            node.edit_guide(&net, &id, None, &format!("{text}\n\nRevision {r}: rota{i}x{r}.\n"), "bench")?;
        }
        ids.push(id);
    }
    let written = started.elapsed().as_secs_f64();
    let bytes: usize = library.iter().map(|g| g.text.len()).sum::<usize>() * guides / library.len();
    let t = Instant::now();
    anyhow::ensure!(!node.search_guides(&net, "picket safety", 10)?.is_empty(), "the search found nothing");
    let full = t.elapsed().as_secs_f64();
    let (mut rebuild, mut unrelated) = (Vec::new(), Vec::new());
    let (mut word, mut prefix, mut trigram, mut page) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs.max(1) {
        // A change: the next search indexes that guide again.
        node.edit_guide(
            &net,
            &ids[run % ids.len()],
            None,
            &format!("# Changed {run}\n\nA new text: quokka{run}x.\n"),
            "",
        )?;
        let t = Instant::now();
        let hits = node.search_guides(&net, &format!("quokka{run}x"), 10)?;
        rebuild.push(t.elapsed().as_secs_f64());
        anyhow::ensure!(hits.len() == 1, "the edited guide is found by its new text");
        // An op of another kind: the index is checked, not rebuilt.
        node.announce(&net, &format!("Meeting {run}"))?;
        let t = Instant::now();
        anyhow::ensure!(!node.search_guides(&net, "picket safety", 10)?.is_empty(), "the search found nothing");
        unrelated.push(t.elapsed().as_secs_f64());
        for (times, query) in [(&mut word, "hardship fund"), (&mut prefix, "stockp"), (&mut trigram, "ehouse1")] {
            let t = Instant::now();
            let hits = node.search_guides(&net, query, 10)?;
            times.push(t.elapsed().as_secs_f64());
            anyhow::ensure!(!hits.is_empty(), "{query:?} found nothing");
        }
        let t = Instant::now();
        let view = node.guide(&net, &ids[0])?;
        page.push(t.elapsed().as_secs_f64());
        anyhow::ensure!(view.revisions.len() >= revisions, "the history is whole");
    }
    let m = |v: Vec<f64>| super::median(v);
    let (rebuild, unrelated, word, prefix, trigram, page) =
        (m(rebuild), m(unrelated), m(word), m(prefix), m(trigram), m(page));
    out.emit(
        json!({ "guides": guides, "revisions": revisions, "runs": runs, "text_bytes": bytes, "write_s": written,
                "index_full_s": full, "index_after_edit_s": rebuild, "index_after_other_op_s": unrelated, "search_word_s": word, "search_prefix_s": prefix,
                "search_trigram_s": trigram, "guide_page_s": page }),
        || {
            format!(
                "bench guides (median of {runs}): {guides} guides x {revisions} revisions, {} of text, written in {written:.1} s\n  \
                 index: built whole {full:.3} s; after one guide's edit {:.1} ms ({:.0}x less); after another op {:.1} ms\n  \
                 search, warm: word {:.2} ms, prefix {:.2} ms, trigram {:.2} ms\n  \
                 one guide's page (history of {revisions}, rendered): {:.2} ms\n",
                indicatif::HumanBytes(bytes as u64),
                rebuild * 1e3,
                full / rebuild.max(1e-9),
                unrelated * 1e3,
                word * 1e3,
                prefix * 1e3,
                trigram * 1e3,
                page * 1e3
            )
        },
    );
    Ok(())
}
