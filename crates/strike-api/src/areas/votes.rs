//! Votes: the network's proposals, a proposal's page with the ballot form for its method, live
//! turnout and quorum bars, the tally (when its results setting shows it) and the rounds of a
//! ranked count as a chart; "Propose" for members and "Close the vote" for organizers. The JSON
//! API does the same.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::{NetworkId, OpId};
use strike_node::networks::NetworkView;
use strike_node::votes::concessions::{CallRecord, ConcessionVoteInput};
use strike_node::votes::{ProposalView, ProposeInput, VoteInput};
use strike_node::{Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ReadRefusals, Refusals};
use crate::forms::{CallPath, Csrf, NetPath, OpCreated, body, network_id};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, csrf_field, done, layout, minute, network_nav, page_network_id};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/votes", get(list_page))
        .route("/networks/{net}/votes/propose", post(form_propose))
        .route("/networks/{net}/votes/{proposal}", get(proposal_page))
        .route("/networks/{net}/votes/{proposal}/ballot", post(form_ballot))
        .route("/networks/{net}/votes/{proposal}/close", post(form_close))
        .route("/calls/{call}/concessions", post(form_concession))
        .route("/calls/{call}/concession-votes", post(form_concession_vote))
        .route("/calls/{call}/outcome", post(form_outcome))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_proposals, post_proposal))
        .routes(routes!(get_proposal))
        .routes(routes!(post_ballot))
        .routes(routes!(post_close))
        .routes(routes!(post_concession))
        .routes(routes!(post_concession_vote))
        .routes(routes!(post_outcome))
}

/// A network's proposals as their page shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalsPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    /// Newest first.
    pub proposals: Vec<ProposalView>,
    /// The winners of the latest closed STV election that names delegates.
    pub delegates: Vec<String>,
    /// The network's own discussion threads (not on a proposal or call).
    pub threads: Vec<strike_node::votes::threads::ThreadView>,
    /// Circles this node can put a vote to (it is in them).
    pub circles: Vec<strike_node::circles::CircleView>,
}

fn proposals_page(node: &Node, network: &NetworkId) -> Result<ProposalsPage> {
    Ok(ProposalsPage {
        network: NetworkView::of(&node.network(network)?),
        me: me(node, network)?,
        proposals: node.proposals(network)?,
        delegates: node.delegates(network)?,
        threads: node.threads(network, None)?.into_iter().filter(|t| t.on.is_none()).collect(),
        circles: node.circles(network)?.into_iter().filter(|c| c.i_am_in && c.can_write).collect(),
    })
}

fn proposal_id(text: &str) -> ApiResult<OpId> {
    text.parse().map_err(|_| ApiError::NotFound("no proposal has that id (use its full id)".into()))
}

// ---- the pages ----

/// Turnout against the electorate, with the quorum marked.
fn turnout_bar(v: &ProposalView) -> Markup {
    const WIDTH: f64 = 480.0;
    let total = v.electorate.max(1) as f64;
    let voted = v.voted as f64 / total * WIDTH;
    let quorum = v.quorum_needed as f64 / total * WIDTH;
    let label = format!("{} of {} voted; the quorum is {}", v.voted, v.electorate, v.quorum_needed);
    html! {
        svg.chart.turnout viewBox=(format!("0 0 {WIDTH} 20")) role="img" aria-label=(label) {
            title { (label) }
            rect.bar-silent x="0" y="0" width=(WIDTH) height="20" {}
            rect.bar-ok x="0" y="0" width=(format!("{voted:.1}")) height="20" {}
            @if v.quorum_needed > 0 { rect.bar-quorum x=(format!("{:.1}", (quorum - 1.0).max(0.0))) y="0" width="2" height="20" {} }
        }
        p.meta { (label) }
    }
}

/// The rounds of a ranked count: one row of bars a round, the standing options' votes.
fn rounds_chart(v: &ProposalView) -> Markup {
    const WIDTH: f64 = 480.0;
    const ROW: f64 = 18.0;
    let parse = |x: &Option<String>| x.as_deref().and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    let top = v.rounds.iter().flat_map(|r| r.votes.iter().map(parse)).fold(1.0f64, f64::max);
    let n = v.options.len().max(1) as f64;
    let label = v
        .rounds
        .iter()
        .enumerate()
        .map(|(i, r)| format!("round {}: {} {}", i + 1, r.selection, r.selected.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let height = (v.rounds.len() as f64) * (ROW * n + 8.0);
    html! {
        svg.chart.rounds viewBox=(format!("0 0 {} {height}", WIDTH + 120.0)) role="img" aria-label=(label) {
            title { (label) }
            @for (i, r) in v.rounds.iter().enumerate() {
                @for (j, x) in r.votes.iter().enumerate() {
                    @let y = i as f64 * (ROW * n + 8.0) + j as f64 * ROW;
                    @if x.is_some() {
                        text.gate-label x="0" y=(format!("{:.1}", y + 13.0)) { (v.options[j]) }
                        rect.bar-ok.bar-selected[r.selected.contains(&v.options[j])] x="110" y=(format!("{y:.1}")) width=(format!("{:.1}", parse(x) / top * WIDTH)) height=(ROW - 4.0) {}
                    }
                }
            }
        }
        ol.rounds { @for r in &v.rounds { li {
            (r.votes.iter().zip(&v.options).filter_map(|(x, o)| x.as_ref().map(|x| format!("{o} {x}"))).collect::<Vec<_>>().join(", "))
            " → " (r.selection) " " (r.selected.join(", ")) } } }
    }
}

fn tally(v: &ProposalView) -> Markup {
    html! {
        @if v.results_shown {
            @if !v.positions.is_empty() { p { @for (i, (p, n)) in v.positions.iter().enumerate() { @if i > 0 { " · " } (p) ": " strong { (n) } } } }
            @if !v.per_option.is_empty() { ul.short { @for (o, n) in v.options.iter().zip(&v.per_option) { li { (o) ": " strong { (n) } } } } }
            @if !v.rounds.is_empty() { (rounds_chart(v)) }
            p { "Outcome" @if v.state != "closed" { " as it stands" } ": " strong { (v.outcome) } }
        } @else {
            p { "The tally is hidden " @if v.results == "after-voting" { "until you vote." } @else { "until the close." } }
        }
    }
}

fn ballot_form(csrf: &str, net: &str, v: &ProposalView) -> Markup {
    let action = format!("/networks/{net}/votes/{}/ballot", v.id);
    html! {
        section.card aria-labelledby="ballot-h" {
            h2 #ballot-h { "Your ballot" }
            @if v.secret.is_some() {
                p.meta.notice { "This vote is secret: your ballot is cast under a one-time key, and nobody, organizers included, can tell it is yours. You can change it until the close." }
            } @else {
                p.meta.notice {
                    "Ballots are signed: every member"
                    @if let Some(c) = &v.circle { " of " (c) }
                    " can read who voted what. You can change yours until the close."
                }
            }
            @if let Some(b) = &v.my_ballot { p { "Your ballot now: " strong { (b) } } }
            form method="post" action=(action) {
                (csrf_field(csrf))
                @match v.method.as_str() {
                    "consent" | "yes-no" => {
                        fieldset { legend { "Your position" }
                            @for p in (if v.method == "consent" { strike_core::votes::CONSENT_POSITIONS } else { strike_core::votes::YES_NO_POSITIONS }) {
                                label.choice { input type="radio" name="position" value=(p) required; " " (p) }
                            }
                        }
                    }
                    "choose" => {
                        fieldset { legend { "Choose one" }
                            @for o in &v.options { label.choice { input type="radio" name="choose" value=(o) required; " " (o) } }
                        }
                    }
                    "approval" => {
                        fieldset { legend { "Approve any number" }
                            @for o in &v.options { label.choice { input type="checkbox" name="approve" value=(o); " " (o) } }
                        }
                    }
                    "score" => {
                        fieldset { legend { "Score each from 0 to 5" }
                            @for (i, o) in v.options.iter().enumerate() {
                                label for=(format!("score-{i}")) { (o) }
                                input id=(format!("score-{i}")) type="number" name=(format!("score:{o}")) min="0" max="5" value="0";
                            }
                        }
                    }
                    _ => {
                        fieldset { legend { "Rank them: first choice first (leave the rest blank)" }
                            @for i in 0..v.options.len() {
                                label for=(format!("rank-{i}")) { "Choice " (i + 1) }
                                select id=(format!("rank-{i}")) name="rank" { option value="" { "—" } @for o in &v.options { option value=(o) { (o) } } }
                            }
                        }
                    }
                }
                label for="ballot-reason" { "Why (optional, others read it)" }
                input #ballot-reason type="text" name="reason" maxlength="2000";
                button type="submit" { "Vote" }
            }
        }
    }
}

async fn list_page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    let id = page_network_id(&net)?;
    let data = state.view(format!("votes/{net}"), move |node| proposals_page(node, &id)).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let name = data.network.name.clone().unwrap_or_default();
    Ok(layout(
        &ctx,
        html! {
            h1 { (name) ": votes" }
            (network_nav(&net, Some("votes")))
            div #live-votes data-live data-live-tick {
                @if !data.delegates.is_empty() { p { "Delegates: " strong { (data.delegates.join(", ")) } } }
                @if data.proposals.is_empty() { p { "No proposal yet." } }
                @for v in &data.proposals {
                    section.card {
                        h2 { a href=(format!("/networks/{net}/votes/{}", v.id)) { (v.title) } }
                        p.meta { (v.method) @if let Some(c) = &v.circle { " · in " (c) } @if v.secret.is_some() { " · secret" } " · " (v.state) " · closes " (minute(v.closes)) " UTC · " (v.voted) " of " (v.electorate) " voted" }
                        @if v.results_shown { p { "Outcome" @if v.state != "closed" { " as it stands" } ": " strong { (v.outcome) } } }
                    }
                }
            }
            @if data.me.is_some() {
                (crate::areas::threads::section(&ctx.csrf, &net, &data.threads, None, data.me.as_ref().is_some_and(|m| m.organizer), &format!("/networks/{net}/votes")))
                section.card aria-labelledby="propose-h" {
                    h2 #propose-h { "Propose" }
                    form method="post" action=(format!("/networks/{net}/votes/propose")) {
                        (csrf_field(&ctx.csrf))
                        label for="p-title" { "Title" } input #p-title type="text" name="title" required maxlength="160";
                        label for="p-text" { "What it is about" } textarea #p-text name="text" rows="3" maxlength="4000" {}
                        label for="p-method" { "Method" }
                        select #p-method name="method" { @for m in strike_core::votes::Method::ALL { option value=(m.as_str()) { (m.as_str()) } } }
                        label for="p-options" { "Options, one a line (choose, approval, ranked, stv, score)" }
                        textarea #p-options name="options" rows="3" {}
                        label for="p-seats" { "Seats (stv)" } input #p-seats type="number" name="seats" min="1" max="19" value="1";
                        label for="p-quorum" { "Quorum (share of members: 50%)" } input #p-quorum type="text" name="quorum";
                        label for="p-pass" { "Passes by (yes-no)" }
                        select #p-pass name="pass" { option value="majority" { "majority" } option value="two-thirds" { "two-thirds" } option value="consensus" { "consensus" } }
                        label for="p-closes" { "Closes (3d, or a date)" } input #p-closes type="text" name="closes" value="3d" required;
                        label for="p-results" { "Show the tally" }
                        select #p-results name="results" { option value="always" { "always" } option value="after-voting" { "after voting" } option value="after-close" { "after the close" } }
                        label.choice { input type="checkbox" name="delegates" value="true"; " The winners become our delegates (stv)" }
                        label for="p-circle" { "Who votes" }
                        select #p-circle name="circle" {
                            option value="" { "The whole network" }
                            @for c in &data.circles { option value=(c.id) { "Only " (c.name) " (" (c.size) ")" } }
                        }
                        (crate::areas::circles::visible_to("visible to: the network, or only the circle you choose"))
                        label.choice { input type="checkbox" name="secret" value="true"; " Secret ballots: nobody can tell who voted what (not for a circle's vote)" }
                        button type="submit" { "Propose" }
                    }
                }
            }
        },
    ))
}

async fn proposal_page(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, proposal)): Path<(String, String)>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let op = proposal_id(&proposal)?;
    let data = state
        .view(format!("votes/{net}/{proposal}"), move |node| {
            Ok((node.proposal(&id, &op)?, me(node, &id)?, node.threads(&id, Some(&op))?))
        })
        .await?;
    let (v, me, threads) = &*data;
    let ctx = Ctx::load(&state, &authed).await?;
    let organizer = me.as_ref().is_some_and(|m| m.organizer);
    Ok(layout(
        &ctx,
        html! {
            h1 { (v.title) }
            (network_nav(&net, None))
            div #live-proposal data-live data-live-tick {
                section.card {
                    p.meta { (v.method) @if v.method == "stv" { " for " (v.seats) " seats" } @if let Some(c) = &v.circle { " · put to " (c) " only" } " · proposed by " (v.proposed_by) " · "
                        @match v.state.as_str() { "open" => { "closes " (minute(v.closes)) " UTC" }, "closing" => { "closed at " (minute(v.closes)) " UTC; waiting for an organizer's node to seal the count" }, _ => { "closed" } } }
                    @if !v.text.is_empty() { p { (v.text) } }
                    (turnout_bar(v))
                    (tally(v))
                    @if let Some(s) = &v.secret { (crate::areas::calls::secret_section(s)) }
                }
            }
            @if me.is_some() && v.circle.is_none() { (crate::areas::threads::section(&ctx.csrf, &net, threads, Some(&v.id), organizer, &format!("/networks/{net}/votes/{}", v.id))) }
            @if let Some(c) = &v.circle { p.meta { "Talk it over in " (c) "'s posts: only its members read them." } }
            @if v.i_can_vote && v.secret.as_ref().is_some_and(|s| s.mine == "waiting for credentials") {
                p.meta { "Your device is waiting for its credential: it can vote once the organizers' nodes have answered its request (sync with them)." }
            } @else if v.i_can_vote { (ballot_form(&ctx.csrf, &net, v)) }
            @if organizer && v.state == "closing" {
                form method="post" action=(format!("/networks/{net}/votes/{}/close", v.id)) {
                    (csrf_field(&ctx.csrf))
                    button type="submit" { "Close the vote now" }
                }
            }
            p { a href=(format!("/networks/{net}/votes")) { "All votes" } }
        },
    ))
}

/// The propose form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ProposeForm {
    title: String,
    text: String,
    method: String,
    options: String,
    seats: Option<u8>,
    quorum: String,
    pass: String,
    closes: String,
    results: String,
    delegates: bool,
    circle: String,
    secret: bool,
}

async fn form_propose(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ProposeForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let input = ProposeInput {
        title: f.title,
        text: f.text,
        method: f.method,
        options: f.options.lines().map(str::to_owned).collect(),
        seats: f.seats,
        quorum: f.quorum,
        pass: f.pass,
        closes: f.closes,
        results: f.results,
        delegates: f.delegates,
        circle: f.circle,
        secret: f.secret,
    };
    let result = s.act(move |n| n.propose(&id, &input)).await;
    let to = match &result {
        Ok(op) => format!("/networks/{net}/votes/{}", op.to_hex()),
        Err(_) => format!("/networks/{net}/votes"),
    };
    Ok(done(&s, &a, &to, result.map(|_| "Proposed.".to_string())))
}

/// A ballot form's fields (a field can repeat: approvals, ranks), read into what the node takes.
fn vote_input(pairs: &[(String, String)]) -> VoteInput {
    let mut v = VoteInput::default();
    for (k, val) in pairs {
        let val = val.trim().to_owned();
        match k.as_str() {
            "position" => v.position = val,
            "choose" => v.choose = val,
            "approve" => v.approve.push(val),
            "rank" if !val.is_empty() => v.rank.push(val),
            "reason" => v.reason = val,
            k if k.starts_with("score:") => v.score.push(format!("{}={val}", &k["score:".len()..])),
            _ => {}
        }
    }
    v
}

async fn form_ballot(
    State(s): State<AppState>,
    a: Authed,
    Path((net, proposal)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let op = proposal_id(&proposal)?;
    let input = vote_input(&pairs);
    let result = s.act(move |n| n.vote(&id, &op, &input)).await.map(|_| "Voted.".to_string());
    Ok(done(&s, &a, &format!("/networks/{net}/votes/{proposal}"), result))
}

async fn form_close(State(s): State<AppState>, a: Authed, Path((net, proposal)): Path<(String, String)>) -> PageResult {
    let id = page_network_id(&net)?;
    let op = proposal_id(&proposal)?;
    let result = s.act(move |n| n.close_proposal(&id, &op)).await.map(|_| "The vote is closed.".to_string());
    Ok(done(&s, &a, &format!("/networks/{net}/votes/{proposal}"), result))
}

// ---- concessions, on the call's page ----

/// A call's offers with their votes and results, and how it came out.
pub fn call_record(r: &CallRecord, net: &str) -> Markup {
    html! {
        @if !r.concessions.is_empty() || r.outcome.is_some() {
            h2 { "Offers and outcome" }
            @for c in &r.concessions {
                p { "Offer from " (c.from) " (" (minute(c.recorded)) " UTC): " (c.text) br;
                    strong { @match &c.vote { Some(v) => { a href=(format!("/networks/{net}/votes/{v}")) { (c.result) } }, None => { (c.result) } } } }
            }
            @if let Some(o) = &r.outcome { p { "Outcome: " strong { (o.outcome) } @if !o.text.is_empty() { ": " (o.text) } } }
        }
    }
}

/// An organizer's forms on a call: record an offer, put it to a vote, record the outcome.
pub fn concession_forms(csrf: &str, call: &str, r: &CallRecord) -> Markup {
    html! {
        details {
            summary { "Offers and outcome (organizers)" }
            form method="post" action=(format!("/calls/{call}/concessions")) {
                (csrf_field(csrf))
                label for="c-from" { "Offered by" } input #c-from type="text" name="from" value="employer" required maxlength="80";
                label for="c-text" { "The offer" } input #c-text type="text" name="text" required maxlength="2000";
                button type="submit" { "Record the offer" }
            }
            @if r.concessions.iter().any(|c| c.vote.is_none()) {
                form method="post" action=(format!("/calls/{call}/concession-votes")) {
                    (csrf_field(csrf))
                    label for="cv-closes" { "Members vote until (2d, or a date)" } input #cv-closes type="text" name="closes" value="2d" required;
                    label for="cv-quorum" { "Quorum" } input #cv-quorum type="text" name="quorum" value="50%";
                    button type="submit" { "Put the latest offer to a vote" }
                }
            }
            form method="post" action=(format!("/calls/{call}/outcome")) {
                (csrf_field(csrf))
                label for="o-outcome" { "The call came out" }
                select #o-outcome name="outcome" { @for o in strike_core::votes::OUTCOMES { option value=(o) { (o) } } }
                label for="o-text" { "Note" } input #o-text type="text" name="text" maxlength="2000";
                button type="submit" { "Record the outcome" }
            }
        }
    }
}

/// The call-side forms as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct CallForm {
    from: String,
    text: String,
    closes: String,
    quorum: String,
    outcome: String,
}

async fn on_call(
    s: &AppState,
    a: &Authed,
    call: String,
    ok: &'static str,
    f: impl FnOnce(&mut Node, &NetworkId, &OpId) -> Result<OpId> + Send + 'static,
) -> PageResult {
    let op = crate::pages::page_op_id(&call)?;
    let result = s
        .act(move |n| {
            let (net, op) = n.find_call(&op.to_hex())?;
            f(n, &net, &op)
        })
        .await
        .map(|_| ok.to_string());
    Ok(done(s, a, &format!("/calls/{call}"), result))
}

async fn form_concession(
    State(s): State<AppState>,
    a: Authed,
    Path(call): Path<String>,
    Form(f): Form<CallForm>,
) -> PageResult {
    on_call(&s, &a, call, "Offer recorded.", move |n, net, op| n.record_concession(net, op, &f.from, &f.text)).await
}

async fn form_concession_vote(
    State(s): State<AppState>,
    a: Authed,
    Path(call): Path<String>,
    Form(f): Form<CallForm>,
) -> PageResult {
    let input = ConcessionVoteInput { closes: f.closes, quorum: f.quorum, pass: String::new() };
    on_call(&s, &a, call, "The offer is put to the members.", move |n, net, op| n.concession_vote(net, op, &input))
        .await
}

async fn form_outcome(
    State(s): State<AppState>,
    a: Authed,
    Path(call): Path<String>,
    Form(f): Form<CallForm>,
) -> PageResult {
    on_call(&s, &a, call, "Outcome recorded.", move |n, net, op| n.set_call_outcome(net, op, &f.outcome, &f.text)).await
}

// ---- JSON ----

fn created(op: OpId) -> Response {
    (StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response()
}

/// `{proposal}`: a proposal's full id.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct ProposalPath {
    /// The proposal's full id (64 hex digits).
    #[param(pattern = "^[0-9a-f]{64}$")]
    proposal: String,
}

/// The network's proposals, newest first, with their tallies as their results settings allow
#[utoipa::path(get, path = "/networks/{net}/proposals", params(NetPath), responses((status = 200, description = "OK", body = ProposalsPage), ReadRefusals))]
async fn get_proposals(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(Json(state.view(format!("votes/{net}"), move |n| proposals_page(n, &id)).await?).into_response())
}

/// Put a proposal to the network
#[utoipa::path(post, path = "/networks/{net}/proposals", params(NetPath, Csrf), request_body = ProposeInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_proposal(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<ProposeInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |n| n.propose(&id, &input)).await?))
}

/// One proposal: turnout, quorum, the tally (or hidden), the rounds of a ranked count, the outcome
#[utoipa::path(get, path = "/networks/{net}/proposals/{proposal}", params(NetPath, ProposalPath), responses((status = 200, description = "OK", body = ProposalView), ReadRefusals))]
async fn get_proposal(
    State(state): State<AppState>,
    _: Authed,
    Path((net, proposal)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, op) = (network_id(&net)?, proposal_id(&proposal)?);
    Ok(Json(state.view(format!("votes/{net}/{proposal}"), move |n| n.proposal(&id, &op)).await?).into_response())
}

/// Vote, or change the vote, until the close (ballots are signed: members read who voted what)
#[utoipa::path(post, path = "/networks/{net}/proposals/{proposal}/ballots", params(NetPath, ProposalPath, Csrf), request_body = VoteInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_ballot(
    State(state): State<AppState>,
    _: Authed,
    Path((net, proposal)): Path<(String, String)>,
    b: std::result::Result<Json<VoteInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, op) = (network_id(&net)?, proposal_id(&proposal)?);
    let vote = body(b)?;
    Ok(created(state.act(move |n| n.vote(&id, &op, &vote)).await?))
}

/// Which vote to close.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    pub proposal: String,
}

/// Close a vote whose time has passed (organizers)
#[utoipa::path(post, path = "/networks/{net}/proposal-closes", params(NetPath, Csrf), request_body = CloseInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_close(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<CloseInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    let op = proposal_id(&input.proposal)?;
    Ok(created(state.act(move |n| n.close_proposal(&id, &op)).await?))
}

/// An offer on a call.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcessionInput {
    /// employer, management ...
    pub from: String,
    pub text: String,
}

async fn call_act(
    state: &AppState,
    call: String,
    f: impl FnOnce(&mut Node, &NetworkId, &OpId) -> Result<OpId> + Send + 'static,
) -> ApiResult<Response> {
    let op = crate::forms::op_id(&call)?;
    let created_op = state
        .act(move |n| {
            let (net, op) = n.find_call(&op.to_hex())?;
            f(n, &net, &op)
        })
        .await?;
    Ok(created(created_op))
}

/// Record an offer made on a strike call (organizers)
#[utoipa::path(post, path = "/calls/{call}/concessions", params(CallPath, Csrf), request_body = ConcessionInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_concession(
    State(state): State<AppState>,
    _: Authed,
    Path(call): Path<String>,
    b: std::result::Result<Json<ConcessionInput>, JsonRejection>,
) -> ApiResult<Response> {
    let input = body(b)?;
    call_act(&state, call, move |n, net, op| n.record_concession(net, op, &input.from, &input.text)).await
}

/// Put a call's latest offer to the members as a yes / no vote (organizers)
#[utoipa::path(post, path = "/calls/{call}/concession-votes", params(CallPath, Csrf), request_body = ConcessionVoteInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_concession_vote(
    State(state): State<AppState>,
    _: Authed,
    Path(call): Path<String>,
    b: std::result::Result<Json<ConcessionVoteInput>, JsonRejection>,
) -> ApiResult<Response> {
    let input = body(b)?;
    call_act(&state, call, move |n, net, op| n.concession_vote(net, op, &input)).await
}

/// How a call came out.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// won, partial, lost or ended
    pub outcome: String,
    #[serde(default)]
    pub text: String,
}

/// Record how a strike call came out (organizers)
#[utoipa::path(post, path = "/calls/{call}/outcome", params(CallPath, Csrf), request_body = OutcomeInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_outcome(
    State(state): State<AppState>,
    _: Authed,
    Path(call): Path<String>,
    b: std::result::Result<Json<OutcomeInput>, JsonRejection>,
) -> ApiResult<Response> {
    let input = body(b)?;
    call_act(&state, call, move |n, net, op| n.set_call_outcome(net, op, &input.outcome, &input.text)).await
}
