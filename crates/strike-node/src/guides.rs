//! The knowledge base: guides and their revisions, drafts and suggestions, reviews by the
//! guide's editors, forks from another network or the starter library with their history,
//! diffs, safe rendering, and search. Which revisions are published, and the heads, come
//! from the core's one fold ([`strike_core::guides::resolve`]), so every node shows the
//! same guide.

pub mod render;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use strike_core::guides::{self, Credit, Guide, GuideRev, GuideReview, RevInput, RevState, ReviewInput};
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkId, OpId, Role, Writer};
use strike_store::{GuideDoc, GuideHit};

use crate::{Node, NodeError, Result, library};

fn invalid(message: impl Into<String>) -> NodeError {
    NodeError::InvalidInput(message.into())
}

/// One revision as shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RevisionView {
    /// Short id.
    pub id: String,
    pub op_id: String,
    /// 1, 2, ... among published revisions (what `--rev` takes).
    pub number: Option<u32>,
    /// published, suggested or rejected
    pub state: &'static str,
    pub by: String,
    /// Unix seconds.
    pub at: u64,
    pub title: String,
    pub note: String,
    /// Short ids of the revisions it edits.
    pub parents: Vec<String>,
    /// For a fork's copies: who wrote it where, and when (unix seconds).
    pub credit: Option<String>,
    /// This revision is a head (published, nothing published builds on it).
    pub head: bool,
}

/// A guide as shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct GuideView {
    /// Short id (what commands take).
    pub id: String,
    pub op_id: String,
    pub title: String,
    /// The first paragraph of the current text.
    pub summary: String,
    /// The current text (Markdown): the newest head, or for a draft its newest revision.
    pub text: String,
    /// The same, rendered and sanitized.
    pub html: String,
    /// No editor has published it yet.
    pub draft: bool,
    /// How many heads: more than one means concurrent edits an editor merges.
    pub heads: usize,
    pub revisions: Vec<RevisionView>,
    /// Suggestions waiting for an editor.
    pub suggestions: usize,
    /// "Organizers", or "Organizers and the leads of Crisis team".
    pub editors: String,
    /// This node's member may publish here.
    pub i_edit: bool,
    /// `library:SLUG` or `network:...`: where it was forked from.
    pub forked_from: Option<String>,
    /// Unix seconds of the newest revision.
    pub updated: u64,
}

/// A guide found by search.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// A guide's short id, or `library:SLUG` for a library guide not forked here.
    pub guide: String,
    pub title: String,
    /// Text around the match, the matched parts between `[` and `]`.
    pub snippet: String,
    /// The same text unmarked; `marks` are the matched parts as (start, end) byte offsets.
    pub snippet_plain: String,
    pub marks: Vec<Mark>,
    /// words or trigrams
    pub by: &'static str,
}

/// A matched part of a snippet: byte offsets into `snippet_plain`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
}

/// Where `guide fork` copies from.
#[derive(Debug, Clone)]
pub enum ForkSource {
    Library(String),
    Network(NetworkId, OpId),
    /// Revisions carried here another way (a kit), oldest first.
    History(Vec<ForkedRevision>),
}

/// One published revision as a fork copies it.
#[derive(Debug, Clone)]
pub struct ForkedRevision {
    pub title: String,
    pub text: String,
    pub note: String,
    pub credit: Credit,
}

/// Everything read of one guide: its revisions' bodies and the fold.
struct Loaded {
    root: (OpId, AuthorId, CoarseTime, Guide),
    revs: HashMap<OpId, (AuthorId, CoarseTime, GuideRev)>,
    resolved: guides::Resolved,
    editors_circle: Option<OpId>,
}

impl Loaded {
    fn title_text(&self, id: &OpId) -> (&str, &str) {
        match self.revs.get(id) {
            Some((_, _, r)) => (&r.title, &r.text),
            None => (&self.root.3.title, &self.root.3.text),
        }
    }

    /// The revision shown as the guide's text: the newest head, or a draft's newest revision.
    fn shown(&self) -> OpId {
        self.resolved.current().or_else(|| self.resolved.revisions.last().map(|r| r.id)).unwrap_or(self.root.0)
    }

    fn credit(&self, id: &OpId) -> Option<&Credit> {
        match self.revs.get(id) {
            Some((_, _, r)) => r.credit.as_ref(),
            None => self.root.3.credit.as_ref(),
        }
    }
}

/// Markdown as people bring it: line ends made `\n`, trailing space trimmed.
fn normalize(text: &str) -> String {
    let t = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = t.trim_end().to_owned();
    out.push('\n');
    out
}

/// The title of a text: `title` if given, else its first `# ` line.
fn title_of(title: Option<&str>, text: &str) -> Result<String> {
    let t = title.map(str::trim).filter(|t| !t.is_empty()).or_else(|| text.lines().find_map(|l| l.strip_prefix("# ")));
    t.map(|t| t.trim().to_owned()).ok_or_else(|| invalid("give the guide a title (--title, or a first line `# Title`)"))
}

impl Node {
    /// Drafts a new guide (any member); an editor's is published at once.
    pub fn new_guide(
        &mut self,
        network: &NetworkId,
        title: Option<&str>,
        text: &str,
        editors: Option<OpId>,
    ) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        if let Some(c) = &editors {
            self.circle(network, c)?;
        }
        let text = normalize(text);
        let title = title_of(title, &text)?;
        self.author(network, Body::Guide(Guide { title, text, editors, credit: None }))
    }

    /// A new revision of a guide: by an editor, published (merging every head when there are
    /// several); by another member, a suggestion on the current text.
    pub fn edit_guide(
        &mut self,
        network: &NetworkId,
        guide: &OpId,
        title: Option<&str>,
        text: &str,
        note: &str,
    ) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let loaded = self.load_guide(network, guide)?;
        let text = normalize(text);
        let (old_title, old_text) = loaded.title_text(&loaded.shown());
        let title = match title {
            Some(t) if !t.trim().is_empty() => t.trim().to_owned(),
            _ => old_title.to_owned(),
        };
        if title == old_title && text == old_text {
            return Err(invalid("nothing changed: the text is the same as the current revision's"));
        }
        let parents = match self.is_guide_editor(network, &loaded, &me.author)? {
            true if !loaded.resolved.heads.is_empty() => loaded.resolved.heads.clone(),
            _ => vec![loaded.shown()],
        };
        let body = GuideRev { guide: *guide, parents, title, text, note: note.trim().into(), credit: None };
        self.author(network, Body::GuideRev(body))
    }

    /// An editor publishes (`accept`) or turns down a suggested revision.
    pub fn review_guide(&mut self, network: &NetworkId, guide: &OpId, rev: &OpId, accept: bool) -> Result<OpId> {
        let me = self.require(network, Writer::Member)?;
        let loaded = self.load_guide(network, guide)?;
        if !self.is_guide_editor(network, &loaded, &me.author)? {
            return Err(NodeError::NotAllowed(format!(
                "only this guide's editors review suggestions ({})",
                self.editors_label(network, &loaded)?
            )));
        }
        match loaded.resolved.state(rev) {
            None => return Err(NodeError::NotFound("that is not a revision of this guide".into())),
            Some(RevState::Published) if accept => return Err(invalid("that revision is published already")),
            _ => {}
        }
        self.author(network, Body::GuideReview(GuideReview { guide: *guide, rev: *rev, accept }))
    }

    /// The published history a fork copies, oldest first, each revision with its credit.
    pub fn fork_history(&self, from: &ForkSource) -> Result<Vec<ForkedRevision>> {
        Ok(match from {
            ForkSource::Library(slug) => {
                let g = library::find(slug)
                    .ok_or_else(|| NodeError::NotFound(format!("the starter library has no guide {slug:?}")))?;
                let credit = Credit { by: library::CREDIT.into(), time: 0, source: format!("library:{}", g.slug) };
                vec![ForkedRevision { title: g.title.into(), text: g.text.into(), note: String::new(), credit }]
            }
            ForkSource::Network(source, guide) => {
                let view = self.guide(source, guide)?;
                let loaded = self.load_guide(source, guide)?;
                let source_tag = format!("network:{}/{}", source.to_hex(), guide.to_hex());
                let mut out = Vec::new();
                for r in view.revisions.iter().filter(|r| r.state == "published") {
                    let id = r.op_id.parse::<OpId>().map_err(|e| invalid(e.to_string()))?;
                    let (title, text) = loaded.title_text(&id);
                    // A copy of a copy keeps the first credit.
                    let credit = loaded.credit(&id).cloned().unwrap_or_else(|| Credit {
                        by: r.by.clone(),
                        time: CoarseTime::from_unix_seconds(r.at).0,
                        source: source_tag.clone(),
                    });
                    out.push(ForkedRevision {
                        title: title.to_owned(),
                        text: text.to_owned(),
                        note: r.note.clone(),
                        credit,
                    });
                }
                out
            }
            ForkSource::History(revs) => revs.clone(),
        })
    }

    /// Copies a guide into `network` with its published history, each copy credited to where
    /// it came from (`docs/protocol.md`, "Guides"). Returns the new guide's id.
    pub fn fork_guide(&mut self, network: &NetworkId, from: &ForkSource) -> Result<OpId> {
        self.require(network, Writer::Member)?;
        if matches!(from, ForkSource::Network(source, _) if source == network) {
            return Err(invalid("that guide is in this network already"));
        }
        let history = self.fork_history(from)?;
        let mut ids: Vec<OpId> = Vec::new();
        for ForkedRevision { title, text, note, credit } in history {
            let body = match ids.last() {
                None => Body::Guide(Guide { title, text, editors: None, credit: Some(credit) }),
                Some(prev) => Body::GuideRev(GuideRev {
                    guide: ids[0],
                    parents: vec![*prev],
                    title,
                    text,
                    note,
                    credit: Some(credit),
                }),
            };
            ids.push(self.author(network, body)?);
        }
        ids.first().copied().ok_or_else(|| NodeError::NotFound("that guide has no published revision".into()))
    }

    /// Every guide of the network, most recently changed first.
    pub fn guides(&self, network: &NetworkId) -> Result<Vec<GuideView>> {
        let mut out = Vec::new();
        for f in self.store.facts(network, Kind::Guide, None)? {
            out.push(self.guide(network, &f.op_id)?);
        }
        out.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.title.cmp(&b.title)));
        Ok(out)
    }

    /// Finds a guide by id prefix, or by its title (case ignored; a unique start will do).
    pub fn resolve_guide(&self, network: &NetworkId, query: &str) -> Result<OpId> {
        if let Ok(id) = self.resolve_fact(network, Kind::Guide, query) {
            return Ok(id);
        }
        let q = query.trim().to_lowercase();
        let all = self.guides(network)?;
        let exact: Vec<&GuideView> = all.iter().filter(|g| g.title.to_lowercase() == q).collect();
        let starts: Vec<&GuideView> = all.iter().filter(|g| g.title.to_lowercase().starts_with(&q)).collect();
        match (exact.as_slice(), starts.as_slice()) {
            ([one], _) | ([], [one]) => one.op_id.parse::<OpId>().map_err(|e| invalid(e.to_string())),
            ([], []) => Err(NodeError::NotFound(format!("no guide matches {query:?}"))),
            _ => Err(invalid(format!("{query:?} matches more than one guide; use its id"))),
        }
    }

    /// A guide with its history.
    pub fn guide(&self, network: &NetworkId, guide: &OpId) -> Result<GuideView> {
        let loaded = self.load_guide(network, guide)?;
        let names: HashMap<AuthorId, String> =
            self.members(network)?.into_iter().map(|m| (m.author, crate::networks::display_name(&m))).collect();
        let me = self.network(network)?.my_author;
        let heads: HashSet<OpId> = loaded.resolved.heads.iter().copied().collect();
        let mut revisions = Vec::new();
        for s in &loaded.resolved.revisions {
            let (author, time, parents, note) = match loaded.revs.get(&s.id) {
                Some((a, t, r)) => (*a, *t, r.parents.clone(), r.note.clone()),
                None => (loaded.root.1, loaded.root.2, vec![], String::new()),
            };
            let (title, _) = loaded.title_text(&s.id);
            let credit = loaded.credit(&s.id).map(|c| match c.time {
                0 => format!("{} ({})", c.by, c.source),
                t => format!("{} at {} ({})", c.by, CoarseTime(t), c.source),
            });
            revisions.push(RevisionView {
                id: s.id.short(),
                op_id: s.id.to_hex(),
                number: s.number,
                state: s.state.as_str(),
                by: names.get(&author).cloned().unwrap_or_else(|| author.short()),
                at: time.unix_seconds(),
                title: title.to_owned(),
                note,
                parents: parents.iter().map(OpId::short).collect(),
                credit,
                head: heads.contains(&s.id),
            });
        }
        let shown = loaded.shown();
        let (title, text) = loaded.title_text(&shown);
        let i_edit = match me {
            Some(me) => self.is_guide_editor(network, &loaded, &me)?,
            None => false,
        };
        Ok(GuideView {
            id: guide.short(),
            op_id: guide.to_hex(),
            title: title.to_owned(),
            summary: guides::summary(text, 280),
            text: text.to_owned(),
            html: render::to_html(text),
            draft: loaded.resolved.heads.is_empty(),
            heads: loaded.resolved.heads.len(),
            suggestions: revisions.iter().filter(|r| r.state == "suggested").count(),
            editors: self.editors_label(network, &loaded)?,
            i_edit,
            forked_from: loaded.root.3.credit.as_ref().map(|c| c.source.clone()),
            updated: revisions.iter().map(|r| r.at).max().unwrap_or(0),
            revisions,
        })
    }

    /// The Markdown of revision `rev` (a number, or a revision id prefix; the current text
    /// if `None`), with its title.
    pub fn guide_text(&self, network: &NetworkId, guide: &OpId, rev: Option<&str>) -> Result<(String, String)> {
        let loaded = self.load_guide(network, guide)?;
        let id = match rev {
            None => loaded.shown(),
            Some(r) => self.revision_id(&loaded, r)?,
        };
        let (title, text) = loaded.title_text(&id);
        Ok((title.to_owned(), text.to_owned()))
    }

    /// A unified diff between two revisions (numbers or id prefixes).
    pub fn guide_diff(&self, network: &NetworkId, guide: &OpId, a: &str, b: &str) -> Result<String> {
        let loaded = self.load_guide(network, guide)?;
        let (ia, ib) = (self.revision_id(&loaded, a)?, self.revision_id(&loaded, b)?);
        let (_, ta) = loaded.title_text(&ia);
        let (_, tb) = loaded.title_text(&ib);
        Ok(render::diff(ta, tb, &format!("revision {a}"), &format!("revision {b}")))
    }

    /// Full-text search over the network's guides and the starter library (what the network
    /// has not forked): by words, by prefix, and by any three characters in a row.
    pub fn search_guides(&mut self, network: &NetworkId, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        self.require(network, Writer::Member)?;
        if query.trim().is_empty() {
            return Err(invalid("search for something: a word, the start of one, or a few letters"));
        }
        self.refresh_guide_index(network)?;
        let hits = self.store.search_guides(network, query, limit)?;
        Ok(hits.into_iter().map(search_hit).collect())
    }

    /// Rebuilds the network's search index if its guides (or the library) changed.
    /// Brings the network's search index up to date, guide by guide: a guide is indexed
    /// again only when its ops (guide, revisions, reviews that count) or its editors changed.
    fn refresh_guide_index(&mut self, network: &NetworkId) -> Result<()> {
        // Who edits: the organizers, and each circle's leads (a guide may name a circle).
        let mut editors: Vec<[u8; 32]> = self.editor_set(network, None)?.into_iter().map(|a| a.0).collect();
        for c in self.circles(network)? {
            editors.extend(c.leads.iter().filter_map(|l| l.id.parse::<AuthorId>().ok()).map(|a| a.0));
        }
        editors.sort_unstable();
        let mut editors_bytes = b"editors".to_vec();
        for e in &editors {
            editors_bytes.extend_from_slice(e);
        }
        let editors_hash = strike_crypto::hash(&editors_bytes);
        // One stamp per guide: its ops and the editors.
        let mut wanted: Vec<(String, OpId, String)> = Vec::new();
        let ops = self.store.guide_op_ids(network)?;
        for group in ops.chunk_by(|a, b| a.0 == b.0) {
            let mut bytes = editors_hash.to_vec();
            for (_, op) in group {
                bytes.extend_from_slice(op);
            }
            let guide = OpId(group[0].0);
            // Revisions or reviews whose guide is not held make no document.
            if group.iter().any(|(_, op)| op == &guide.0) {
                wanted.push((guide.short(), guide, hex::encode(&strike_crypto::hash(&bytes)[..12])));
            }
        }
        let digest = library::digest();
        let mut all = digest.clone().into_bytes();
        for (key, _, stamp) in &wanted {
            all.extend_from_slice(key.as_bytes());
            all.extend_from_slice(stamp.as_bytes());
        }
        let stamp = hex::encode(&strike_crypto::hash(&all)[..12]);
        if self.store.guide_index_stamp(network)?.as_deref() == Some(stamp.as_str()) {
            return Ok(());
        }
        let held = self.store.guide_doc_stamps(network)?;
        // Library guides the network forked are searched as the network's.
        let forked: HashSet<String> = self
            .store
            .facts(network, Kind::Guide, None)?
            .into_iter()
            .filter_map(|f| match f.body {
                Body::Guide(g) => g.credit.map(|c| c.source),
                _ => None,
            })
            .collect();
        let mut upsert = Vec::new();
        for (key, guide, doc_stamp) in &wanted {
            if held.get(key) == Some(doc_stamp) {
                continue;
            }
            let loaded = self.load_guide(network, guide)?;
            let (title, text) = loaded.title_text(&loaded.shown());
            upsert.push((GuideDoc { guide: key.clone(), title: title.into(), body: text.into() }, doc_stamp.clone()));
        }
        let mut keep: HashSet<String> = wanted.iter().map(|(k, _, _)| k.clone()).collect();
        for g in library::guides().filter(|g| !forked.contains(&format!("library:{}", g.slug))) {
            let key = format!("library:{}", g.slug);
            keep.insert(key.clone());
            if held.get(&key) != Some(&digest) {
                upsert.push((GuideDoc { guide: key, title: g.title.into(), body: g.text.into() }, digest.clone()));
            }
        }
        let remove: Vec<String> = held.keys().filter(|k| !keep.contains(*k)).cloned().collect();
        self.store.update_guide_index(network, &stamp, &upsert, &remove)?;
        Ok(())
    }

    /// A revision of a guide by number (1, 2, ...) or id prefix (at least 6 hex digits).
    pub fn resolve_revision(&self, network: &NetworkId, guide: &OpId, rev: &str) -> Result<OpId> {
        let loaded = self.load_guide(network, guide)?;
        self.revision_id(&loaded, rev)
    }

    fn revision_id(&self, loaded: &Loaded, rev: &str) -> Result<OpId> {
        let r = rev.trim();
        if let Ok(n) = r.parse::<u32>() {
            return loaded.resolved.revisions.iter().find(|s| s.number == Some(n)).map(|s| s.id).ok_or_else(|| {
                let last = loaded.resolved.revisions.iter().filter_map(|s| s.number).max().unwrap_or(0);
                NodeError::NotFound(format!("this guide has published revisions 1 to {last}, not {n}"))
            });
        }
        let prefix = r.to_lowercase();
        let hits: Vec<OpId> =
            loaded.resolved.revisions.iter().map(|s| s.id).filter(|id| id.to_hex().starts_with(&prefix)).collect();
        match hits.as_slice() {
            [one] if prefix.len() >= 6 => Ok(*one),
            [] => Err(NodeError::NotFound(format!("no revision of this guide matches {rev:?}"))),
            _ => Err(invalid(format!("give a revision number or at least 6 hex digits of its id, not {rev:?}"))),
        }
    }

    fn load_guide(&self, network: &NetworkId, guide: &OpId) -> Result<Loaded> {
        let root = self
            .store
            .facts(network, Kind::Guide, None)?
            .into_iter()
            .find(|f| &f.op_id == guide)
            .ok_or_else(|| NodeError::NotFound("no such guide in this network".into()))?;
        let Body::Guide(root_body) = root.body else { unreachable!("guide facts hold guides") };
        let mut revs = HashMap::new();
        for f in self.store.facts(network, Kind::GuideRev, Some(&guide.0))? {
            if let Body::GuideRev(r) = f.body {
                revs.insert(f.op_id, (f.author, f.time, r));
            }
        }
        let reviews: Vec<ReviewInput> = self
            .store
            .facts(network, Kind::GuideReview, Some(&guide.0))?
            .into_iter()
            .filter_map(|f| match f.body {
                Body::GuideReview(r) if &r.guide == guide => {
                    Some(ReviewInput { author: f.author, rev: r.rev, accept: r.accept })
                }
                _ => None,
            })
            .collect();
        let editors = self.editor_set(network, root_body.editors.as_ref())?;
        let root_in = RevInput { id: root.op_id, author: root.author, time: root.time, parents: vec![] };
        let inputs: Vec<RevInput> = revs
            .iter()
            .map(|(id, (a, t, r))| RevInput { id: *id, author: *a, time: *t, parents: r.parents.clone() })
            .collect();
        let resolved = guides::resolve(&root_in, &inputs, &reviews, |a| editors.contains(a));
        Ok(Loaded {
            editors_circle: root_body.editors,
            root: (root.op_id, root.author, root.time, root_body),
            revs,
            resolved,
        })
    }

    /// The guide's editors: counted organizers, and the current leads of its editors' circle.
    fn editor_set(&self, network: &NetworkId, circle: Option<&OpId>) -> Result<HashSet<AuthorId>> {
        let mut set: HashSet<AuthorId> = self
            .members(network)?
            .into_iter()
            .filter(|m| m.role == Role::Organizer && m.status == strike_core::membership::Status::Member)
            .map(|m| m.author)
            .collect();
        if let Some(c) = circle
            && let Ok(view) = self.circle(network, c)
        {
            set.extend(view.leads.iter().filter_map(|l| l.id.parse::<AuthorId>().ok()));
        }
        Ok(set)
    }

    fn is_guide_editor(&self, network: &NetworkId, loaded: &Loaded, who: &AuthorId) -> Result<bool> {
        Ok(self.editor_set(network, loaded.editors_circle.as_ref())?.contains(who))
    }

    fn editors_label(&self, network: &NetworkId, loaded: &Loaded) -> Result<String> {
        Ok(match &loaded.editors_circle {
            Some(c) => match self.circle(network, c) {
                Ok(view) => format!("Organizers and the leads of {}", view.name),
                Err(_) => "Organizers".into(),
            },
            None => "Organizers".into(),
        })
    }
}

fn search_hit(h: GuideHit) -> SearchHit {
    let mut plain = String::new();
    let mut marks = Vec::new();
    let mut open = None;
    // One line: runs of white space (line ends included) become one space.
    let flat = h.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    for c in flat.chars() {
        match c {
            strike_store::MARK_START => open = Some(plain.len()),
            strike_store::MARK_END => {
                if let Some(s) = open.take() {
                    marks.push(Mark { start: s, end: plain.len() });
                }
            }
            c => plain.push(c),
        }
    }
    SearchHit {
        guide: h.guide,
        title: h.title,
        snippet: flat.replace(strike_store::MARK_START, "[").replace(strike_store::MARK_END, "]"),
        snippet_plain: plain,
        marks,
        by: h.by,
    }
}
