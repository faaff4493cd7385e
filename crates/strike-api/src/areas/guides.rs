//! The knowledge base. Pages: the guides of a network with search, the starter library to
//! fork from and the form to draft a guide; a guide's page with its text rendered safely,
//! its history, a diff between revisions, "suggest an edit" (for editors: edit), and
//! accepting or turning down suggestions. The JSON API does the same.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, PreEscaped, html};
use serde::{Deserialize, Serialize};
use strike_core::{NetworkId, OpId};
use strike_node::guides::{ForkSource, GuideView, SearchHit};
use strike_node::networks::NetworkView;
use strike_node::{Node, NodeError, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, QueryRefusals, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, OpCreated, body, network_id};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, csrf_field, done, layout, network_nav, page_network_id, page_op_id, when};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/guides", get(list_page).post(create))
        .route("/networks/{net}/guides/fork", post(fork))
        .route("/networks/{net}/guides/{guide}", get(guide_page))
        .route("/networks/{net}/guides/{guide}/edit", post(edit))
        .route("/networks/{net}/guides/{guide}/review", post(review))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_guides, post_guide))
        .routes(routes!(get_search))
        .routes(routes!(post_fork))
        .routes(routes!(get_guide))
        .routes(routes!(get_diff))
        .routes(routes!(post_revision))
        .routes(routes!(post_review))
}

/// `{guide}`: a guide's full id.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct GuidePath {
    /// The guide's full id (64 hex digits).
    #[param(pattern = "^[0-9a-f]{64}$")]
    guide: String,
}

fn guide_id(text: &str) -> ApiResult<OpId> {
    text.parse().map_err(|_| ApiError::NotFound("no guide has that id (use its full id)".into()))
}

/// A starter library guide the network has not forked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryEntry {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

/// A network's guides as the list page shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuidesPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    /// Most recently changed first.
    pub guides: Vec<GuideView>,
    pub library: Vec<LibraryEntry>,
}

fn guides_page(node: &Node, network: &NetworkId) -> Result<GuidesPage> {
    let row = node.network(network)?;
    let guides = node.guides(network)?;
    let forked: Vec<String> = guides.iter().filter_map(|g| g.forked_from.clone()).collect();
    let library = strike_node::library::guides()
        .filter(|g| !forked.contains(&format!("library:{}", g.slug)))
        .map(|g| LibraryEntry {
            slug: g.slug.into(),
            title: g.title.into(),
            summary: strike_core::guides::summary(g.text, 200),
        })
        .collect();
    Ok(GuidesPage { network: NetworkView::of(&row), me: me(node, network)?, guides, library })
}

/// One guide and the network it is in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuidePage {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub guide: GuideView,
}

fn guide_page_data(node: &Node, network: &NetworkId, guide: &OpId) -> Result<GuidePage> {
    let row = node.network(network)?;
    Ok(GuidePage { network: NetworkView::of(&row), me: me(node, network)?, guide: node.guide(network, guide)? })
}

// ---- page sections ----

fn hit_snippet(h: &SearchHit) -> Markup {
    let text = &h.snippet_plain;
    let mut parts = Vec::new();
    let mut at = 0;
    for m in &h.marks {
        if let (Some(before), Some(hit)) = (text.get(at..m.start), text.get(m.start..m.end)) {
            parts.push((before, hit));
            at = m.end;
        }
    }
    let rest = text.get(at..).unwrap_or("");
    html! { @for (before, hit) in parts { (before) mark { (hit) } } (rest) }
}

fn guide_href(net: &str, id: &str) -> String {
    format!("/networks/{net}/guides/{id}")
}

fn text_form(csrf: &str, action: &str, title: &str, text: &str, button: &str, note: bool) -> Markup {
    text_form_with(csrf, action, title, text, button, note, &[])
}

/// The same, with a choice of the circle whose leads edit the guide too (a new guide).
fn text_form_with(
    csrf: &str,
    action: &str,
    title: &str,
    text: &str,
    button: &str,
    note: bool,
    circles: &[(String, String)],
) -> Markup {
    html! {
        form method="post" action=(action) {
            (csrf_field(csrf))
            @if !circles.is_empty() {
                label for="guide-editors" { "Who publishes edits" }
                select #guide-editors name="editors" {
                    option value="" { "The organizers" }
                    @for (id, name) in circles { option value=(id) { "The organizers and the leads of " (name) } }
                }
            }
            label for="guide-title" { "Title" }
            input #guide-title type="text" name="title" value=(title) maxlength="120";
            label for="guide-text" { "Text (Markdown: # headings, - lists, | tables |, [links](https://...))" }
            textarea #guide-text.mono name="text" rows="18" required { (text) }
            @if note {
                label for="guide-note" { "What changed, in a line" }
                input #guide-note type="text" name="note" maxlength="2000";
            }
            button type="submit" { (button) }
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
}

async fn list_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let data = state.view(format!("guides/{net}"), move |node| guides_page(node, &id)).await?;
    let q = query.q.trim().to_owned();
    let hits = match q.is_empty() {
        true => None,
        false => {
            let q = q.clone();
            Some(state.act(move |node| node.search_guides(&id, &q, 20)).await?)
        }
    };
    let circles: Vec<(String, String)> = state
        .act(move |node| node.circles(&id))
        .await?
        .into_iter()
        .filter(|c| !c.organizers)
        .map(|c| (c.id, c.name))
        .collect();
    let ctx = Ctx::load(&state, &authed).await?;
    let member = data.me.as_ref().is_some_and(|m| m.status == "member");
    Ok(layout(
        &ctx,
        html! {
            h1 { (data.network.name.clone().unwrap_or_default()) ": guides" }
            (network_nav(&net, Some("guides")))
            section.card aria-labelledby="search-h" {
                h2 #search-h { "Search the guides" }
                form method="get" action=(format!("/networks/{net}/guides")) role="search" {
                    label for="guide-q" { "Words, the start of a word, or a few letters" }
                    input #guide-q type="search" name="q" value=(q);
                    button type="submit" { "Search" }
                }
                @if let Some(hits) = &hits {
                    @if hits.is_empty() { p role="status" { "Nothing matches " (format!("{q:?}")) "." } }
                    @else {
                        ol.hits role="status" {
                            @for h in hits {
                                li {
                                    @if let Some(slug) = h.guide.strip_prefix("library:") {
                                        strong { (h.title) } " " span.badge { "starter library" }
                                        form.inline method="post" action=(format!("/networks/{net}/guides/fork")) {
                                            (csrf_field(&ctx.csrf))
                                            input type="hidden" name="slug" value=(slug);
                                            button type="submit" aria-label=(format!("Fork {}", h.title)) { "Fork into this network" }
                                        }
                                    } @else {
                                        @let full = data.guides.iter().find(|g| g.id == h.guide).map_or(h.guide.clone(), |g| g.op_id.clone());
                                        a href=(guide_href(&net, &full)) { (h.title) }
                                    }
                                    br; small { (hit_snippet(h)) }
                                }
                            }
                        }
                    }
                }
            }
            div #live-guides data-live {
                section.card aria-labelledby="guides-h" {
                    h2 #guides-h { "This network's guides" }
                    @if data.guides.is_empty() { p { "No guides yet: fork one from the starter library below, or write one." } }
                    @else {
                        ul.guides {
                            @for g in &data.guides {
                                li {
                                    a href=(guide_href(&net, &g.op_id)) { (g.title) }
                                    @if g.draft { " " span.badge { "draft" } }
                                    @if g.suggestions > 0 { " " span.badge { (g.suggestions) " suggestion(s)" } }
                                    @if g.heads > 1 { " " span.badge { (g.heads) " heads to merge" } }
                                    br; span.meta { (g.summary) }
                                }
                            }
                        }
                    }
                }
            }
            section.card aria-labelledby="library-h" {
                h2 #library-h { "The starter library" }
                p.meta { "Guides that come with Open Strike. Fork one to make it this network's own: members suggest edits, editors publish them." }
                ul.guides {
                    @for g in &data.library {
                        li {
                            strong { (g.title) }
                            @if member {
                                form.inline method="post" action=(format!("/networks/{net}/guides/fork")) {
                                    (csrf_field(&ctx.csrf))
                                    input type="hidden" name="slug" value=(g.slug);
                                    button type="submit" aria-label=(format!("Fork {}", g.title)) { "Fork" }
                                }
                            }
                            br; span.meta { (g.summary) }
                        }
                    }
                }
            }
            p { a href=(format!("/networks/{net}/leaflet")) { "Print a leaflet" } " of a guide or an invite, with its QR code." }
            @if member {
                section.card aria-labelledby="new-guide-h" {
                    h2 #new-guide-h { "Write a guide" }
                    p.meta { "Any member drafts; the network's organizers publish." }
                    (text_form_with(&ctx.csrf, &format!("/networks/{net}/guides"), "", "", "Save the guide", false, &circles))
                }
            }
        },
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct TextForm {
    title: String,
    text: String,
    note: String,
    editors: String,
}

async fn create(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<TextForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let result = state
        .act(move |node| {
            let editors = match f.editors.trim() {
                "" => None,
                e => Some(e.parse::<OpId>().map_err(|_| NodeError::InvalidInput("no such circle".into()))?),
            };
            node.new_guide(&id, Some(&f.title), &f.text, editors)
        })
        .await;
    Ok(match result {
        Ok(op) => done(&state, &authed, &guide_href(&net, &op.to_hex()), Ok("Guide saved.".into())),
        Err(e) => done(&state, &authed, &format!("/networks/{net}/guides"), Err(e)),
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ForkForm {
    /// A library guide's slug ...
    slug: String,
    /// ... or a guide of another network (full ids).
    from: String,
    guide: String,
}

async fn fork(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<ForkForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let result = state
        .act(move |node| {
            let source = match f.from.trim() {
                "" => ForkSource::Library(f.slug),
                from => {
                    let bad = || NodeError::InvalidInput("fork from: a network and a guide, by their full ids".into());
                    ForkSource::Network(from.parse().map_err(|_| bad())?, f.guide.trim().parse().map_err(|_| bad())?)
                }
            };
            node.fork_guide(&id, &source)
        })
        .await;
    Ok(match result {
        Ok(op) => done(&state, &authed, &guide_href(&net, &op.to_hex()), Ok("Forked into this network.".into())),
        Err(e) => done(&state, &authed, &format!("/networks/{net}/guides"), Err(e)),
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct GuideQuery {
    rev: String,
    a: String,
    b: String,
}

async fn guide_page(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, guide)): Path<(String, String)>,
    Query(query): Query<GuideQuery>,
) -> PageResult {
    let (id, op) = (page_network_id(&net)?, page_op_id(&guide)?);
    let data = state.view(format!("guide/{net}/{guide}"), move |node| guide_page_data(node, &id, &op)).await?;
    // An older revision, or a diff, as asked.
    let shown = match query.rev.trim() {
        "" => None,
        rev => {
            let rev = rev.to_owned();
            Some(
                state
                    .view(format!("guide/{net}/{guide}/rev/{rev}"), move |node| node.guide_text(&id, &op, Some(&rev)))
                    .await?,
            )
        }
    };
    let diff = match (query.a.trim(), query.b.trim()) {
        ("", _) | (_, "") => None,
        (a, b) => {
            let (a, b) = (a.to_owned(), b.to_owned());
            Some(
                state
                    .view(format!("guide/{net}/{guide}/diff/{a}/{b}"), move |node| node.guide_diff(&id, &op, &a, &b))
                    .await?,
            )
        }
    };
    // Other networks this node is a member of: where the guide can be forked to.
    let others: Vec<(String, String)> = state
        .act(move |node| {
            let mut out = Vec::new();
            for n in node.networks()? {
                if n.id != id && node.me_in(&n.id)?.is_some_and(|m| m.status == strike_core::membership::Status::Member)
                {
                    out.push((n.id.to_hex(), n.name.clone().unwrap_or_else(|| n.id.short())));
                }
            }
            Ok(out)
        })
        .await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let g = &data.guide;
    let member = data.me.as_ref().is_some_and(|m| m.status == "member");
    let base = guide_href(&net, &g.op_id);
    let html = match &shown {
        Some(t) => strike_node::guides::render::to_html(&t.1),
        None => g.html.clone(),
    };
    Ok(layout(
        &ctx,
        html! {
            h1 { (g.title) }
            (network_nav(&net, None))
            div #live-guide data-live {
                section.card {
                    p.meta {
                        @if g.draft { span.badge { "draft" } " " }
                        "Editors: " (g.editors)
                        @if let Some(from) = &g.forked_from { " · forked from " (from) }
                        " · changed " (when(g.updated)) " UTC"
                    }
                    @if let Some(rev) = query.rev.trim().parse::<u32>().ok().filter(|_| shown.is_some()) {
                        p.flash role="status" { "Revision " (rev) ", not the current text. " a href=(base) { "Show the current text" } }
                    }
                    @if g.heads > 1 { p.flash.error role="status" { (g.heads) " heads: concurrent edits. An editor's next edit merges them." } }
                    article.guide { (PreEscaped(html)) }
                }
                @if let Some(d) = &diff {
                    section.card aria-labelledby="diff-h" {
                        h2 #diff-h { "Changes from revision " (query.a) " to " (query.b) }
                        pre.diff { (d) }
                    }
                }
                section.card aria-labelledby="history-h" {
                    h2 #history-h { "History" }
                    table {
                        thead { tr { th scope="col" { "Rev" } th scope="col" { "State" } th scope="col" { "By" } th scope="col" { "When (UTC)" } th scope="col" { "Note" } th scope="col" { "" } } }
                        tbody {
                            @for r in &g.revisions {
                                tr {
                                    td { @match r.number { Some(n) => { a href=(format!("{base}?rev={n}")) { (n) } }, None => { "—" } } @if r.head { " " span.badge { "head" } } }
                                    td { (r.state) }
                                    td { (r.by) @if let Some(c) = &r.credit { br; small { "from " (c) } } }
                                    td { (when(r.at)) }
                                    td { (r.note) }
                                    td {
                                        @if let (Some(n), Some(first)) = (r.number, g.revisions.iter().find_map(|x| x.number)) {
                                            @if n > first { a href=(format!("{base}?a={}&b={n}", n - 1)) { "diff with " (n - 1) } }
                                        }
                                        @if r.state == "suggested" && g.i_edit {
                                            form.inline method="post" action=(format!("{base}/review")) {
                                                (csrf_field(&ctx.csrf))
                                                input type="hidden" name="rev" value=(r.op_id);
                                                button type="submit" name="accept" value="true" { "Accept" } " "
                                                button type="submit" name="accept" value="false" { "Turn down" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if member {
                section.card aria-labelledby="edit-h" {
                    h2 #edit-h { @if g.i_edit { "Edit" } @else { "Suggest an edit" } }
                    @if !g.i_edit { p.meta { "Your edit waits as a suggestion until an editor (" (g.editors) ") accepts it." } }
                    (text_form(&ctx.csrf, &format!("{base}/edit"), &g.title, &g.text, if g.i_edit { "Publish the edit" } else { "Suggest the edit" }, true))
                }
            }
            @if !others.is_empty() && !g.draft {
                section.card aria-labelledby="fork-h" {
                    h2 #fork-h { "Fork into another network" }
                    p.meta { "A copy with its published history, credited to this network; the copy is that network's to change." }
                    @for (other, name) in &others {
                        form.inline method="post" action=(format!("/networks/{other}/guides/fork")) {
                            (csrf_field(&ctx.csrf))
                            input type="hidden" name="from" value=(net);
                            input type="hidden" name="guide" value=(g.op_id);
                            button type="submit" aria-label=(format!("Fork into {name}")) { "Fork into " (name) }
                        }
                        " "
                    }
                }
            }
            p {
                a href=(format!("/networks/{net}/guides")) { "All guides" }
                @if !g.draft { " · " a href=(format!("/networks/{net}/leaflet?guide={}", g.op_id)) { "Print a leaflet of this guide" } }
            }
        },
    ))
}

async fn edit(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, guide)): Path<(String, String)>,
    Form(f): Form<TextForm>,
) -> PageResult {
    let (id, op) = (page_network_id(&net)?, page_op_id(&guide)?);
    let result = state
        .act(move |node| {
            let rev = node.edit_guide(&id, &op, Some(&f.title), &f.text, &f.note)?;
            let published =
                node.guide(&id, &op)?.revisions.iter().any(|r| r.op_id == rev.to_hex() && r.state == "published");
            Ok(if published { "Edit published." } else { "Suggestion saved: an editor will accept it or not." })
        })
        .await;
    Ok(done(&state, &authed, &guide_href(&net, &guide), result.map(String::from)))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ReviewForm {
    rev: String,
    accept: String,
}

async fn review(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, guide)): Path<(String, String)>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    let (id, op) = (page_network_id(&net)?, page_op_id(&guide)?);
    let accept = f.accept == "true";
    let result = state
        .act(move |node| {
            let rev = node.resolve_revision(&id, &op, &f.rev)?;
            node.review_guide(&id, &op, &rev, accept)
        })
        .await
        .map(|_| if accept { "Suggestion published.".to_owned() } else { "Suggestion turned down.".to_owned() });
    Ok(done(&state, &authed, &guide_href(&net, &guide), result))
}

// ---- JSON ----

/// A new guide: an editor's is published, another member's is a draft
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuideInput {
    /// [default: the text's first `# ` line]
    #[serde(default)]
    pub title: Option<String>,
    /// Markdown, at most 40 KiB
    pub text: String,
    /// A circle (full id) whose leads edit it too
    #[serde(default)]
    pub editors: Option<String>,
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

/// A new revision
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionInput {
    #[serde(default)]
    pub title: Option<String>,
    pub text: String,
    #[serde(default)]
    pub note: String,
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

/// An editor's review of a suggestion
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// The revision: its number or id (prefix)
    pub rev: String,
    pub accept: bool,
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

/// Where to fork a guide from
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForkInput {
    /// `library`, or another network's full id
    pub from: String,
    /// A library guide's slug, or the guide's title or id there
    pub guide: String,
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SearchQuery {
    /// Words, the start of a word, or a few letters
    pub q: String,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct DiffQuery {
    /// A revision number or id prefix
    pub a: String,
    pub b: String,
}

/// Search results
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
}

/// A diff
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiffView {
    /// Unified diff
    pub diff: String,
}

fn created(op: OpId) -> Response {
    (StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response()
}

/// A network's guides, and the starter library's it has not forked
#[utoipa::path(get, path = "/networks/{net}/guides", params(NetPath), responses((status = 200, description = "OK", body = GuidesPage), ReadRefusals))]
async fn get_guides(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let page = state.view(format!("guides/{net}"), move |node| guides_page(node, &id)).await?;
    Ok(Json(&*page).into_response())
}

/// Draft a guide (an editor's is published at once)
#[utoipa::path(post, path = "/networks/{net}/guides", params(NetPath, Csrf), request_body = GuideInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_guide(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<GuideInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    let editors = input.editors.as_deref().map(guide_id).transpose()?;
    let op = state.act(move |node| node.new_guide(&id, input.title.as_deref(), &input.text, editors)).await?;
    Ok(created(op))
}

/// Full-text search over the network's guides and the starter library
#[utoipa::path(get, path = "/networks/{net}/guide-search", params(NetPath, SearchQuery), responses((status = 200, description = "OK", body = SearchResults), QueryRefusals))]
async fn get_search(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let hits = state.act(move |node| node.search_guides(&id, &q.q, 20)).await?;
    Ok(Json(SearchResults { hits }).into_response())
}

/// Copy a guide with its history from the starter library or another network
#[utoipa::path(post, path = "/networks/{net}/guide-forks", params(NetPath, Csrf), request_body = ForkInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_fork(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<ForkInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    let op = state
        .act(move |node| {
            let source = match input.from.as_str() {
                "library" => ForkSource::Library(input.guide),
                other => {
                    let from: NetworkId = other
                        .parse()
                        .map_err(|_| NodeError::InvalidInput("`from`: library or a network's full id".into()))?;
                    ForkSource::Network(from, node.resolve_guide(&from, &input.guide)?)
                }
            };
            node.fork_guide(&id, &source)
        })
        .await?;
    Ok(created(op))
}

/// One guide: its current text (Markdown and sanitized HTML) and its history
#[utoipa::path(get, path = "/networks/{net}/guides/{guide}", params(NetPath, GuidePath), responses((status = 200, description = "OK", body = GuidePage), ReadRefusals))]
async fn get_guide(
    State(state): State<AppState>,
    _: Authed,
    Path((net, guide)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, op) = (network_id(&net)?, guide_id(&guide)?);
    let page = state.view(format!("guide/{net}/{guide}"), move |node| guide_page_data(node, &id, &op)).await?;
    Ok(Json(&*page).into_response())
}

/// The changes between two revisions, as a unified diff
#[utoipa::path(get, path = "/networks/{net}/guides/{guide}/diff", params(NetPath, GuidePath, DiffQuery), responses((status = 200, description = "OK", body = DiffView), QueryRefusals))]
async fn get_diff(
    State(state): State<AppState>,
    _: Authed,
    Path((net, guide)): Path<(String, String)>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Response> {
    let (id, op) = (network_id(&net)?, guide_id(&guide)?);
    let diff = state
        .view(format!("guide/{net}/{guide}/diff/{}/{}", q.a, q.b), move |node| node.guide_diff(&id, &op, &q.a, &q.b))
        .await?;
    Ok(Json(DiffView { diff: (*diff).clone() }).into_response())
}

/// A new revision: an editor's is published (merging every head), another member's is a suggestion
#[utoipa::path(post, path = "/networks/{net}/guides/{guide}/revisions", params(NetPath, GuidePath, Csrf), request_body = RevisionInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_revision(
    State(state): State<AppState>,
    _: Authed,
    Path((net, guide)): Path<(String, String)>,
    b: std::result::Result<Json<RevisionInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, op, input) = (network_id(&net)?, guide_id(&guide)?, body(b)?);
    let rev =
        state.act(move |node| node.edit_guide(&id, &op, input.title.as_deref(), &input.text, &input.note)).await?;
    Ok(created(rev))
}

/// Publish or turn down a suggested revision (the guide's editors)
#[utoipa::path(post, path = "/networks/{net}/guides/{guide}/reviews", params(NetPath, GuidePath, Csrf), request_body = ReviewInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_review(
    State(state): State<AppState>,
    _: Authed,
    Path((net, guide)): Path<(String, String)>,
    b: std::result::Result<Json<ReviewInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, op, input) = (network_id(&net)?, guide_id(&guide)?, body(b)?);
    let written = state
        .act(move |node| {
            let rev = node.resolve_revision(&id, &op, &input.rev)?;
            node.review_guide(&id, &op, &rev, input.accept)
        })
        .await?;
    Ok(created(written))
}
