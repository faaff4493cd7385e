//! The knowledge base: guides written in Markdown, each a graph of revisions. Any member
//! drafts and suggests; a guide's editors publish. The fold here says, the same way on every
//! node, which revisions are published, which wait as suggestions, which were turned down,
//! and which published revisions are heads (two heads: concurrent edits an editor merges).
//!
//! The rules (`docs/protocol.md`, "Guides"):
//! - A guide is its first revision (a `guide` op); later revisions (`guide_rev`) name it and
//!   one or more parent revisions of the same guide.
//! - A revision is published when an editor wrote it, or when the last review an editor gave
//!   it (in fact order: time, author, sequence) accepts it; turned down when that review
//!   rejects it; otherwise it is a suggestion.
//! - Editors are the network's organizers, and the leads of the guide's editors' circle if it
//!   names one. Circle membership is sealed to the circle, so members' nodes could not check
//!   it; a circle's leads are public to the network, so every node can.
//! - A revision whose parents are not all revisions of the same guide held here does not count
//!   (yet). Published revisions are numbered 1, 2, ... in causal order (each after its
//!   parents; otherwise by time, then op id). Heads are published
//!   revisions no published revision names as a parent; the current text is the newest head.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN, MAX_NOTE_LEN};
use crate::text::{check_optional, check_text};
use crate::{AuthorId, CoarseTime, OpId, Reject};

/// Longest Markdown text of one revision, in bytes (a guide of a few pages fits many times).
pub const MAX_GUIDE_TEXT: usize = 40 * 1024;
/// Longest title.
pub const MAX_TITLE_LEN: usize = 120;
/// Most parents of one revision (a merge of that many heads).
pub const MAX_PARENTS: usize = 8;

/// Where a copied revision came from (a fork): who wrote it there, when, and the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// The original author's pseudonym, or the library's name.
    pub by: String,
    /// When it was written there, in coarse minutes.
    pub time: u32,
    /// `library:SLUG` or `network:NETWORK_ID/GUIDE_ID` (hex).
    pub source: String,
}

/// A new guide: its first revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    pub title: String,
    /// Markdown.
    pub text: String,
    /// A circle whose leads also edit this guide (besides the organizers).
    pub editors: Option<OpId>,
    /// Set on a fork's copied revisions.
    pub credit: Option<Credit>,
}

/// A later revision of a guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuideRev {
    pub guide: OpId,
    /// The revisions it edits: one, or several heads it merges.
    pub parents: Vec<OpId>,
    pub title: String,
    pub text: String,
    /// What changed, in a line.
    pub note: String,
    pub credit: Option<Credit>,
}

/// An editor accepts (publishes) or turns down a suggested revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuideReview {
    pub guide: OpId,
    pub rev: OpId,
    pub accept: bool,
}

fn check_credit(credit: &Option<Credit>) -> Result<(), Reject> {
    if let Some(c) = credit {
        check_text("a credit's author", &c.by, MAX_FIELD_LEN)?;
        check_text("a credit's source", &c.source, 200)?;
    }
    Ok(())
}

fn check_guide_text(title: &str, text: &str) -> Result<(), Reject> {
    check_text("a guide's title", title, MAX_TITLE_LEN)?;
    check_text("a guide's text", text, MAX_GUIDE_TEXT)
}

impl Fact for Guide {
    fn check(&self) -> Result<(), Reject> {
        check_guide_text(&self.title, &self.text)?;
        check_credit(&self.credit)
    }
}

impl Fact for GuideRev {
    fn check(&self) -> Result<(), Reject> {
        check_guide_text(&self.title, &self.text)?;
        check_optional("an edit's note", &self.note, MAX_NOTE_LEN)?;
        check_credit(&self.credit)?;
        let unique: HashSet<&OpId> = self.parents.iter().collect();
        if self.parents.is_empty() || self.parents.len() > MAX_PARENTS || unique.len() != self.parents.len() {
            return Err(Reject::InvalidBody(format!("a revision has 1 to {MAX_PARENTS} distinct parents")));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.guide.0)
    }
}

impl Fact for GuideReview {
    fn index(&self) -> FactIndex {
        FactIndex::about(&self.guide.0)
    }
}

/// Where a revision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevState {
    Published,
    Suggested,
    Rejected,
}

impl RevState {
    pub fn as_str(self) -> &'static str {
        match self {
            RevState::Published => "published",
            RevState::Suggested => "suggested",
            RevState::Rejected => "rejected",
        }
    }
}

/// One revision as the fold reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevInput {
    pub id: OpId,
    pub author: AuthorId,
    pub time: CoarseTime,
    pub parents: Vec<OpId>,
}

/// One review as the fold reads it, in fact order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewInput {
    pub author: AuthorId,
    pub rev: OpId,
    pub accept: bool,
}

/// One revision's standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevStanding {
    pub id: OpId,
    pub state: RevState,
    /// 1, 2, ... among published revisions; none for the others.
    pub number: Option<u32>,
}

/// A guide's revisions resolved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolved {
    /// Every revision that counts, each after its parents, otherwise by (time, op id).
    pub revisions: Vec<RevStanding>,
    /// Published revisions no published revision builds on, newest first.
    pub heads: Vec<OpId>,
}

impl Resolved {
    /// The current text's revision: the newest head.
    pub fn current(&self) -> Option<OpId> {
        self.heads.first().copied()
    }

    pub fn state(&self, id: &OpId) -> Option<RevState> {
        self.revisions.iter().find(|r| &r.id == id).map(|r| r.state)
    }
}

/// Resolves a guide: `root` is its first revision (no parents), `revs` the later ones in any
/// order, `reviews` in fact order; `is_editor` says who may publish.
pub fn resolve(
    root: &RevInput,
    revs: &[RevInput],
    reviews: &[ReviewInput],
    is_editor: impl Fn(&AuthorId) -> bool,
) -> Resolved {
    let mut all: BTreeMap<(CoarseTime, OpId), &RevInput> = BTreeMap::new();
    all.insert((root.time, root.id), root);
    let known: HashSet<OpId> = revs.iter().map(|r| r.id).chain([root.id]).collect();
    for r in revs.iter().filter(|r| r.id != root.id) {
        // Parents must be revisions of this guide; the graph is acyclic because an op can
        // only name ops that existed when it was written (ids are hashes).
        if !r.parents.is_empty() && r.parents.iter().all(|p| known.contains(p) && *p != r.id) {
            all.insert((r.time, r.id), r);
        }
    }
    // A revision counts only once its parents count (a parent dropped above drops its heirs).
    let mut counts: HashSet<OpId> = HashSet::new();
    let mut changed = true;
    while changed {
        changed = false;
        for r in all.values() {
            if !counts.contains(&r.id) && r.parents.iter().all(|p| counts.contains(p)) {
                counts.insert(r.id);
                changed = true;
            }
        }
    }
    let mut last_review: HashMap<OpId, bool> = HashMap::new();
    for review in reviews.iter().filter(|v| is_editor(&v.author)) {
        last_review.insert(review.rev, review.accept);
    }
    let mut out = Resolved::default();
    let mut number = 0;
    let mut published: Vec<(CoarseTime, OpId, &[OpId])> = Vec::new();
    for r in causal_order(&all, &counts) {
        let (time, id) = (&r.time, &r.id);
        let state = match (is_editor(&r.author), last_review.get(id)) {
            (true, _) | (false, Some(true)) => RevState::Published,
            (false, Some(false)) => RevState::Rejected,
            (false, None) => RevState::Suggested,
        };
        let n = (state == RevState::Published).then(|| {
            number += 1;
            number
        });
        if state == RevState::Published {
            published.push((*time, *id, &r.parents));
        }
        out.revisions.push(RevStanding { id: *id, state, number: n });
    }
    let built_on: HashSet<OpId> = published.iter().flat_map(|(_, _, ps)| ps.iter().copied()).collect();
    out.heads = published.iter().rev().filter(|(_, id, _)| !built_on.contains(id)).map(|(_, id, _)| *id).collect();
    out
}

/// The counted revisions, each after its parents, and otherwise by (time, op id): a clock set
/// wrong cannot put an edit before the text it edits.
fn causal_order<'a>(all: &BTreeMap<(CoarseTime, OpId), &'a RevInput>, counts: &HashSet<OpId>) -> Vec<&'a RevInput> {
    use std::cmp::Reverse;
    let mut waiting: HashMap<OpId, usize> = HashMap::new();
    let mut children: HashMap<OpId, Vec<&RevInput>> = HashMap::new();
    let mut ready = std::collections::BinaryHeap::new();
    for r in all.values().filter(|r| counts.contains(&r.id)) {
        let parents: HashSet<&OpId> = r.parents.iter().collect();
        waiting.insert(r.id, parents.len());
        for p in parents {
            children.entry(*p).or_default().push(r);
        }
        if r.parents.is_empty() {
            ready.push(Reverse((r.time, r.id)));
        }
    }
    let by_id: HashMap<OpId, &RevInput> = all.values().map(|r| (r.id, *r)).collect();
    let mut out = Vec::with_capacity(waiting.len());
    while let Some(Reverse((_, id))) = ready.pop() {
        out.push(by_id[&id]);
        for child in children.get(&id).into_iter().flatten() {
            let left = waiting.get_mut(&child.id).expect("every counted revision waits");
            *left -= 1;
            if *left == 0 {
                ready.push(Reverse((child.time, child.id)));
            }
        }
    }
    out
}

/// The first paragraph of a guide's Markdown that is not a heading: its summary, for lists
/// and leaflets (at most `max` characters, cut at a word).
pub fn summary(text: &str, max: usize) -> String {
    let para = text
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#') && !p.starts_with("```"))
        .unwrap_or("");
    let flat: String = para.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max + 1).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a).to_owned();
    format!("{cut} ...")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(n: u8, author: u8, time: u32, parents: &[u8]) -> RevInput {
        RevInput {
            id: OpId([n; 32]),
            author: AuthorId([author; 32]),
            time: CoarseTime(time),
            parents: parents.iter().map(|p| OpId([*p; 32])).collect(),
        }
    }

    #[test]
    fn editors_publish_members_suggest_and_concurrent_edits_give_two_heads() {
        let editor = |a: &AuthorId| a.0[0] == 1;
        let root = rev(10, 1, 100, &[]);
        // An editor's edit, a member's suggestion, and a second editor edit concurrent to the
        // first: two heads.
        let revs = [rev(11, 1, 110, &[10]), rev(12, 2, 111, &[10]), rev(13, 1, 112, &[10])];
        let r = resolve(&root, &revs, &[], editor);
        assert_eq!(r.heads, vec![OpId([13; 32]), OpId([11; 32])]);
        assert_eq!(r.state(&OpId([12; 32])), Some(RevState::Suggested));
        // The editor merges both heads and accepts the suggestion, then a non-editor's
        // "review" of it changes nothing.
        let mut revs = revs.to_vec();
        revs.push(rev(14, 1, 120, &[11, 13]));
        let reviews = [
            ReviewInput { author: AuthorId([1; 32]), rev: OpId([12; 32]), accept: true },
            ReviewInput { author: AuthorId([2; 32]), rev: OpId([12; 32]), accept: false },
        ];
        let r = resolve(&root, &revs, &reviews, editor);
        assert_eq!(r.state(&OpId([12; 32])), Some(RevState::Published));
        assert_eq!(r.heads, vec![OpId([14; 32]), OpId([12; 32])]);
        let numbers: Vec<Option<u32>> = r.revisions.iter().map(|s| s.number).collect();
        assert_eq!(numbers, vec![Some(1), Some(2), Some(3), Some(4), Some(5)]);
        // The editor's last word decides: turned down.
        let reviews = [
            ReviewInput { author: AuthorId([1; 32]), rev: OpId([12; 32]), accept: true },
            ReviewInput { author: AuthorId([1; 32]), rev: OpId([12; 32]), accept: false },
        ];
        let r = resolve(&root, &revs, &reviews, editor);
        assert_eq!(r.state(&OpId([12; 32])), Some(RevState::Rejected));
        assert_eq!(r.current(), Some(OpId([14; 32])));
    }

    #[test]
    fn a_revision_naming_a_parent_from_elsewhere_does_not_count_nor_do_its_heirs() {
        let root = rev(10, 1, 100, &[]);
        let revs = [rev(11, 1, 110, &[99]), rev(12, 1, 111, &[11]), rev(13, 1, 112, &[10])];
        let r = resolve(&root, &revs, &[], |_| true);
        let ids: Vec<OpId> = r.revisions.iter().map(|s| s.id).collect();
        assert_eq!(ids, vec![OpId([10; 32]), OpId([13; 32])]);
        assert_eq!(r.heads, vec![OpId([13; 32])]);
    }

    #[test]
    fn an_edit_with_an_earlier_clock_still_comes_after_the_text_it_edits() {
        let root = rev(10, 1, 100, &[]);
        let revs = [rev(11, 2, 50, &[10]), rev(12, 1, 60, &[11])];
        let r = resolve(&root, &revs, &[], |_| true);
        let ids: Vec<u8> = r.revisions.iter().map(|s| s.id.0[0]).collect();
        assert_eq!(ids, vec![10, 11, 12]);
        assert_eq!(r.heads, vec![OpId([12; 32])]);
    }

    #[test]
    fn the_summary_is_the_first_paragraph_cut_at_a_word() {
        let text = "# Picket safety\n\nStand together, keep the gate clear\nand never block traffic alone.\n\nMore.";
        assert_eq!(summary(text, 200), "Stand together, keep the gate clear and never block traffic alone.");
        assert_eq!(summary(text, 20), "Stand together, keep ...");
    }
}
