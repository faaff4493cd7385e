//! The knowledge base: guides with their revisions, suggestions and reviews, diffs, forks
//! from another network or the starter library, and search.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;
use strike_core::NetworkId;
use strike_node::Node;
use strike_node::guides::{ForkSource, GuideView};

use crate::config::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The knowledge base: guides any member drafts and a guide's editors publish
    #[command(subcommand)]
    Guide(GuideCommand),
}

#[derive(Debug, Subcommand)]
pub enum GuideCommand {
    /// The network's guides, and the starter library's
    List { network: String },
    /// A guide's current text (Markdown), or an older revision's
    Show {
        network: String,
        /// The guide's title (or its start) or id prefix
        guide: String,
        /// A revision number (1, 2, ...) or id prefix
        #[arg(long)]
        rev: Option<String>,
    },
    /// A guide's revisions: published, suggested and turned down, with the heads
    History { network: String, guide: String },
    /// The changes between two revisions (numbers or id prefixes)
    Diff { network: String, guide: String, a: String, b: String },
    /// Draft a guide from a Markdown file (an editor's is published at once)
    New {
        network: String,
        /// The title [default: the file's first `# ` line]
        #[arg(long)]
        title: Option<String>,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// A circle whose leads edit it too (besides the organizers)
        #[arg(long)]
        editors: Option<String>,
    },
    /// A new revision from a Markdown file: an editor's is published (merging every head),
    /// another member's is a suggestion
    Edit {
        network: String,
        guide: String,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        #[arg(long)]
        title: Option<String>,
        /// What changed, in a line
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Publish a suggested revision (editors)
    Accept { network: String, guide: String, rev: String },
    /// Turn a suggested revision down (editors)
    Reject { network: String, guide: String, rev: String },
    /// Copy a guide, with its history, from another network you are in or the starter library
    Fork {
        network: String,
        /// The guide there: a title or id prefix (or a library guide's name)
        guide: String,
        /// `library`, or the other network
        #[arg(long)]
        from: String,
    },
    /// Full-text search: words, the start of a word, or any few letters
    Search {
        network: String,
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Command::Guide(cmd) = self;
        let mut node = ctx.unlock()?;
        guide(ctx, &mut node, cmd)
    }
}

fn read(file: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))
}

fn summary_line(g: &GuideView) -> String {
    let mut flags = Vec::new();
    if g.draft {
        flags.push("draft".to_owned());
    }
    if g.heads > 1 {
        flags.push(format!("{} heads to merge", g.heads));
    }
    if g.suggestions > 0 {
        flags.push(format!("{} suggestion(s)", g.suggestions));
    }
    let published = g.revisions.iter().filter(|r| r.number.is_some()).count();
    let flags = if flags.is_empty() { String::new() } else { format!("  [{}]", flags.join(", ")) };
    format!("{}  {:<40} {published} revision(s){flags}\n", g.id, g.title)
}

fn guide(ctx: &Ctx, node: &mut Node, cmd: GuideCommand) -> anyhow::Result<()> {
    let net = |node: &Node, n: &str| node.resolve_network(n);
    match cmd {
        GuideCommand::List { network } => {
            let id = net(node, &network)?;
            let list = node.guides(&id)?;
            let forked: Vec<String> = list.iter().filter_map(|g| g.forked_from.clone()).collect();
            let library: Vec<_> = strike_node::library::guides()
                .filter(|g| !forked.contains(&format!("library:{}", g.slug)))
                .map(|g| json!({ "slug": g.slug, "title": g.title }))
                .collect();
            ctx.out.emit(json!({ "guides": list, "library": library }), || {
                let mut out: String = list.iter().map(summary_line).collect();
                if list.is_empty() {
                    out.push_str("no guides in this network yet\n");
                }
                out.push_str("\nstarter library (fork one with `openstrike guide fork NET SLUG --from library`):\n");
                for g in &library {
                    out.push_str(&format!(
                        "  {:<24} {}\n",
                        g["slug"].as_str().unwrap_or(""),
                        g["title"].as_str().unwrap_or("")
                    ));
                }
                out
            });
        }
        GuideCommand::Show { network, guide, rev } => {
            let id = net(node, &network)?;
            let g = node.resolve_guide(&id, &guide)?;
            let (title, text) = node.guide_text(&id, &g, rev.as_deref())?;
            let view = node.guide(&id, &g)?;
            ctx.out.emit(json!({ "guide": view.op_id, "title": title, "text": text, "editors": view.editors }), || {
                text.clone()
            });
        }
        GuideCommand::History { network, guide } => {
            let id = net(node, &network)?;
            let g = node.resolve_guide(&id, &guide)?;
            let view = node.guide(&id, &g)?;
            ctx.out.emit(json!({ "guide": view }), || {
                let mut out = format!("{}  (editors: {})\n", view.title, view.editors);
                for r in &view.revisions {
                    let n = r.number.map_or("  -".to_owned(), |n| format!("{n:>3}"));
                    let head = if r.head { "  head" } else { "" };
                    let note = if r.note.is_empty() { String::new() } else { format!("  \"{}\"", r.note) };
                    let credit = r.credit.as_ref().map_or(String::new(), |c| format!("  from {c}"));
                    out.push_str(&format!(
                        "{n}  {}  {:<9}  {}  {}{note}{credit}{head}\n",
                        r.id,
                        r.state,
                        strike_core::CoarseTime::from_unix_seconds(r.at),
                        r.by
                    ));
                }
                if view.heads > 1 {
                    out.push_str(&format!(
                        "{} heads: concurrent edits; an editor's next `guide edit` merges them\n",
                        view.heads
                    ));
                }
                out
            });
        }
        GuideCommand::Diff { network, guide, a, b } => {
            let id = net(node, &network)?;
            let g = node.resolve_guide(&id, &guide)?;
            let diff = node.guide_diff(&id, &g, &a, &b)?;
            ctx.out.emit(json!({ "diff": diff }), || diff.clone());
        }
        GuideCommand::New { network, title, file, editors } => {
            let id = net(node, &network)?;
            let editors = editors.map(|c| node.resolve_circle(&id, &c)).transpose()?;
            let op = node.new_guide(&id, title.as_deref(), &read(&file)?, editors)?;
            let view = node.guide(&id, &op)?;
            ctx.out.emit(json!({ "guide": view.op_id, "draft": view.draft }), || {
                if view.draft {
                    format!("drafted {:?} ({}): it is published once an editor accepts it", view.title, view.id)
                } else {
                    format!("published {:?} ({})", view.title, view.id)
                }
            });
        }
        GuideCommand::Edit { network, guide, file, title, note } => {
            let id = net(node, &network)?;
            let g = node.resolve_guide(&id, &guide)?;
            let op = node.edit_guide(&id, &g, title.as_deref(), &read(&file)?, &note)?;
            let view = node.guide(&id, &g)?;
            let state = view.revisions.iter().find(|r| r.op_id == op.to_hex()).map_or("suggested", |r| r.state);
            ctx.out.emit(json!({ "rev": op.to_hex(), "state": state }), || match state {
                "published" => format!("revision {} published", op.short()),
                _ => {
                    format!("suggested revision {}: an editor ({}) accepts or turns it down", op.short(), view.editors)
                }
            });
        }
        GuideCommand::Accept { network, guide, rev } => review(ctx, node, &network, &guide, &rev, true)?,
        GuideCommand::Reject { network, guide, rev } => review(ctx, node, &network, &guide, &rev, false)?,
        GuideCommand::Fork { network, guide, from } => {
            let id = net(node, &network)?;
            let source = if from.eq_ignore_ascii_case("library") {
                ForkSource::Library(guide)
            } else {
                let other: NetworkId = net(node, &from)?;
                ForkSource::Network(other, node.resolve_guide(&other, &guide)?)
            };
            let op = node.fork_guide(&id, &source)?;
            let view = node.guide(&id, &op)?;
            ctx.out.emit(json!({ "guide": view.op_id, "revisions": view.revisions.len() }), || {
                format!("forked {:?} ({}) with {} revision(s) of history", view.title, view.id, view.revisions.len())
            });
        }
        GuideCommand::Search { network, query, limit } => {
            let id = net(node, &network)?;
            let hits = node.search_guides(&id, &query, limit)?;
            ctx.out.emit(json!({ "hits": hits }), || {
                if hits.is_empty() {
                    return format!("nothing matches {query:?}\n");
                }
                hits.iter().map(|h| format!("{}  {}\n    {}\n", h.guide, h.title, h.snippet)).collect()
            });
        }
    }
    Ok(())
}

fn review(ctx: &Ctx, node: &mut Node, network: &str, guide: &str, rev: &str, accept: bool) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let g = node.resolve_guide(&id, guide)?;
    let rev = node.resolve_revision(&id, &g, rev)?;
    let op = node.review_guide(&id, &g, &rev, accept)?;
    ctx.out.emit(json!({ "op_id": op.to_hex(), "accepted": accept }), || {
        if accept {
            format!("revision {} published", rev.short())
        } else {
            format!("revision {} turned down", rev.short())
        }
    });
    Ok(())
}
