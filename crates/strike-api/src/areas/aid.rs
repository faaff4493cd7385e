//! Mutual aid and crisis response: the queue (live, by urgency, overdue first), a request's page
//! with its history and what a responder can do about it, check-in rounds with their progress,
//! and legal cases with their deadlines counting down. The JSON API does the same.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::{NetworkId, OpId};
use strike_node::aid::cases::{CaseInput, CaseView};
use strike_node::aid::checkins::{CheckinInput, CheckinView};
use strike_node::aid::views::{AidQueueView, AidRequestView, span};
use strike_node::aid::{AskInput, StepInput};
use strike_node::circles::CircleView;
use strike_node::networks::NetworkView;
use strike_node::{Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::areas::circles::visible_to;
use crate::error::{ApiError, ApiResult, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, OpCreated, body, network_id};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, csrf_field, done, layout, minute, network_nav, page_network_id};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/aid", get(page))
        .route("/networks/{net}/aid/ask", post(form_ask))
        .route("/networks/{net}/aid/targets", post(form_targets))
        .route("/networks/{net}/aid/checkins", post(form_checkin))
        .route("/networks/{net}/aid/checkins/answer", post(form_answer))
        .route("/networks/{net}/aid/cases", post(form_case))
        .route("/networks/{net}/aid/cases/step", post(form_case_step))
        .route("/networks/{net}/aid/requests/{request}", get(request_page))
        .route("/networks/{net}/aid/requests/{request}/step", post(form_step))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_aid, post_aid))
        .routes(routes!(get_request))
        .routes(routes!(post_step))
        .routes(routes!(post_targets))
        .routes(routes!(get_checkins, post_checkin))
        .routes(routes!(post_checkin_answer))
        .routes(routes!(get_cases, post_case))
        .routes(routes!(post_case_step))
}

/// Mutual aid in a network as its page shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AidPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub queue: AidQueueView,
    pub checkins: Vec<CheckinView>,
    /// Cases of the legal circles this node is in.
    pub cases: Vec<CaseView>,
    /// Circles a request can be written into (their members read it).
    pub circles: Vec<CircleView>,
}

fn aid_page(node: &Node, network: &NetworkId) -> Result<AidPage> {
    Ok(AidPage {
        network: NetworkView::of(&node.network(network)?),
        me: me(node, network)?,
        queue: node.aid_queue(network, None)?,
        checkins: node.checkins(network)?,
        cases: node.cases(network)?,
        circles: node.circles(network)?,
    })
}

fn request_id(text: &str) -> ApiResult<OpId> {
    text.parse().map_err(|_| ApiError::NotFound("no request has that id (use its full id)".into()))
}

// ---- the pages ----

fn urgency_badge(u: &str) -> Markup {
    html! { span.badge.(format!("urgency-{u}")) { (u) } }
}

fn queue_table(net: &str, rows: &[AidRequestView]) -> Markup {
    html! {
        table.queue {
            thead { tr { th scope="col" { "Urgency" } th scope="col" { "What" } th scope="col" { "Waiting" } th scope="col" { "State" } th scope="col" { "Visible to" } } }
            tbody {
                @for r in rows {
                    tr.overdue[r.overdue] {
                        td { (urgency_badge(&r.urgency)) }
                        td {
                            a href=(format!("/networks/{net}/aid/requests/{}", r.id)) { (r.category) ": " @if r.text.is_empty() { "(no text shared)" } @else { (r.text) } }
                            @if r.mine { " " span.badge { "yours" } }
                        }
                        td { (span(r.age_minutes)) @if r.overdue { " " strong { "overdue" } } }
                        td {
                            (r.state)
                            @if let Some(h) = &r.holder { @if !matches!(r.state.as_str(), "resolved" | "cancelled") { ": " (h) } }
                            @if r.returned { " (back in the queue: its holder went quiet)" }
                        }
                        td { (r.visible_to) }
                    }
                }
            }
        }
    }
}

/// Answered ok, needs help, silent: one bar of three parts.
fn checkin_bar(c: &CheckinView) -> Markup {
    const WIDTH: f64 = 480.0;
    let total = c.asked_count.max(1) as f64;
    let (ok, help) = (c.ok as f64 / total * WIDTH, c.need_help.len() as f64 / total * WIDTH);
    let label = format!(
        "{} of {} answered: {} ok, {} need help, {} silent",
        c.ok + c.need_help.len(),
        c.asked_count,
        c.ok,
        c.need_help.len(),
        c.silent.len()
    );
    html! {
        svg.chart.checkin viewBox=(format!("0 0 {WIDTH} 20")) role="img" aria-label=(label) {
            title { (label) }
            rect.bar-silent x="0" y="0" width=(WIDTH) height="20" {}
            rect.bar-ok x="0" y="0" width=(format!("{ok:.1}")) height="20" {}
            rect.bar-help x=(format!("{ok:.1}")) y="0" width=(format!("{help:.1}")) height="20" {}
        }
        p.meta { (label) }
    }
}

/// The rounds as they stand (live): the team's progress bars and names, everyone's own answer.
fn checkins_status(data: &AidPage) -> Markup {
    html! {
        section.card aria-labelledby="checkin-h" {
            h2 #checkin-h { "Check-ins" }
            @if data.checkins.is_empty() { p { "No round yet." } }
            @for c in &data.checkins {
                article.checkin {
                    h3 { (c.question) }
                    p.meta { "Asked of " (c.asked) " by " (c.team) " (" (c.started_by) ", " (minute(c.started)) " UTC) · "
                        @if c.open { "answer by " (minute(c.closes)) " UTC" } @else { "closed" } }
                    @if c.i_am_team {
                        (checkin_bar(c))
                        @if !c.need_help.is_empty() {
                            p { strong { "Needs help: " } @for (i, p) in c.need_help.iter().enumerate() { @if i > 0 { "; " } (p.name) @if !p.note.is_empty() { " (" (p.note) ")" } } }
                        }
                        @if !c.silent.is_empty() { p { strong { "Not answered: " } (c.silent.join(", ")) } }
                    } @else {
                        p.meta { "Only " (c.team) " reads the answers." }
                    }
                    @if let Some(a) = &c.my_answer { p { "You answered: " (a) "." } }
                }
            }
        }
    }
}

/// The forms of check-ins (outside the live part, so a refresh never takes what is typed):
/// answering the open rounds not yet answered, and starting one for a team this node is in.
fn checkin_forms(csrf: &str, net: &str, data: &AidPage) -> Markup {
    let teams: Vec<&CircleView> = data.circles.iter().filter(|c| c.i_am_in && !c.organizers).collect();
    let unanswered: Vec<&CheckinView> = data.checkins.iter().filter(|c| c.open && c.my_answer.is_none()).collect();
    html! {
        @if data.me.is_some() && !unanswered.is_empty() {
            section.card aria-labelledby="answer-h" {
                h2 #answer-h { "Answer the check-in" }
                @for c in &unanswered {
                    form method="post" action=(format!("/networks/{net}/aid/checkins/answer")) {
                        (csrf_field(csrf))
                        input type="hidden" name="round" value=(c.id);
                        p { strong { (c.question) } " (" (c.team) ")" }
                        label for=(format!("ans-note-{}", &c.id[..8])) { "Note (optional)" }
                        input id=(format!("ans-note-{}", &c.id[..8])) type="text" name="note" maxlength="300";
                        (visible_to(&format!("visible to: {}", c.team)))
                        button type="submit" name="status" value="ok" { "I am OK" } " "
                        button type="submit" name="status" value="need-help" { "I need help" }
                    }
                }
            }
        }
        @if !teams.is_empty() {
            details {
                summary { "Start a check-in round" }
                form method="post" action=(format!("/networks/{net}/aid/checkins")) {
                    (csrf_field(csrf))
                    label for="ci-team" { "Your team (it reads the answers)" }
                    select #ci-team name="team" { @for t in &teams { option value=(t.id) { (t.name) } } }
                    label for="ci-asked" { "Who is asked" }
                    select #ci-asked name="asked" { option value="" { "Everyone" } @for c in &data.circles { @if !c.organizers { option value=(c.id) { (c.name) } } } }
                    label for="ci-question" { "Question" }
                    input #ci-question type="text" name="question" value="Are you OK?" required maxlength="160";
                    label for="ci-within" { "Answer within (12h, 2d)" }
                    input #ci-within type="text" name="within" value="12h";
                    button type="submit" { "Start the round" }
                }
            }
        }
    }
}

/// The legal cases as they stand (live), their deadlines counting down.
fn cases_status(data: &AidPage) -> Markup {
    html! {
        section.card aria-labelledby="cases-h" {
            h2 #cases-h { "Legal cases" }
            p.meta { "Only the members of a case's circle read it." }
            @if data.cases.is_empty() { p { "No case you can read." } }
            @for c in &data.cases {
                article.case {
                    h3 { (c.kind) " · " (c.circle) @if c.closed { " · closed" } }
                    p { (c.text) }
                    @if let (Some(d), Some(left)) = (c.deadline, c.minutes_left) {
                        p.countdown.overdue[left < 0] { "Deadline " (minute(d)) " UTC: "
                            strong data-deadline=(u64::from(d) * 60) { @if left < 0 { "passed " (span((-left) as u32)) " ago" } @else { (span(left as u32)) " left" } } }
                    }
                    p.meta { "Case " (&c.id[..8]) " · opened by " (c.opened_by) " · " @if let Some(a) = &c.assignee { "with " (a) } @else { "nobody assigned" } }
                    @if !c.history.is_empty() { ul.short { @for h in &c.history { li { (h.by) " " (h.action) @if !h.note.is_empty() { ": " (h.note) } } } } }
                }
            }
        }
    }
}

/// The forms of legal cases: a step on an open case, and opening one in a circle this node is in.
fn case_forms(csrf: &str, net: &str, data: &AidPage) -> Markup {
    let legal: Vec<&CircleView> = data.circles.iter().filter(|c| c.i_am_in && !c.organizers).collect();
    let open: Vec<&CaseView> = data.cases.iter().filter(|c| !c.closed).collect();
    html! {
        @if !open.is_empty() {
            details {
                summary { "A step on a case" }
                form method="post" action=(format!("/networks/{net}/aid/cases/step")) {
                    (csrf_field(csrf))
                    label for="cs-case" { "Case" }
                    select #cs-case name="case" { @for c in &open { option value=(c.id) { (c.kind) ": " (c.text.chars().take(60).collect::<String>()) } } }
                    label for="cs-action" { "Step" }
                    select #cs-action name="action" { option value="note" { "note" } option value="assign" { "assign to" } option value="deadline" { "new deadline" } option value="close" { "close" } }
                    label for="cs-note" { "Note" }
                    input #cs-note type="text" name="note" maxlength="2000";
                    label for="cs-who" { "Who (to assign)" }
                    input #cs-who type="text" name="who";
                    label for="cs-when" { "When (a new deadline: 10d, or a date)" }
                    input #cs-when type="text" name="when";
                    (visible_to("visible to: the case's circle"))
                    button type="submit" { "Record" }
                }
            }
        }
        @if !legal.is_empty() {
            details {
                summary { "Open a case" }
                form method="post" action=(format!("/networks/{net}/aid/cases")) {
                    (csrf_field(csrf))
                    label for="case-circle" { "Legal circle (its members read it)" }
                    select #case-circle name="circle" { @for c in &legal { option value=(c.id) selected[c.name.to_lowercase().contains("legal")] { (c.name) } } }
                    label for="case-kind" { "Kind" }
                    select #case-kind name="kind" { @for k in strike_core::aid::CASE_KINDS { option value=(k) { (k) } } }
                    label for="case-text" { "What happened" }
                    textarea #case-text name="text" required maxlength="1000" rows="3" {}
                    label for="case-deadline" { "Filing or hearing deadline (10d, or a date)" }
                    input #case-deadline type="text" name="deadline";
                    button type="submit" { "Open the case" }
                }
            }
        }
    }
}

fn ask_form(csrf: &str, net: &str, data: &AidPage) -> Markup {
    html! {
        section.card aria-labelledby="ask-h" {
            h2 #ask-h { "Ask for help" }
            form method="post" action=(format!("/networks/{net}/aid/ask")) {
                (csrf_field(csrf))
                label for="aid-category" { "What about" }
                select #aid-category name="category" { @for c in strike_core::aid::CATEGORIES { option value=(c) { (c) } } }
                label for="aid-urgency" { "Urgency" }
                select #aid-urgency name="urgency" { option value="normal" { "normal (3 days)" } option value="high" { "high (12 hours)" } option value="critical" { "critical (1 hour)" } }
                label for="aid-text" { "What you need" }
                textarea #aid-text name="text" required maxlength="1000" rows="3" {}
                label for="aid-where" { "Where (an area, not an address)" }
                input #aid-where type="text" name="place" maxlength="80";
                label for="aid-by" { "Needed by (2d, or a date; optional)" }
                input #aid-by type="text" name="by";
                label for="aid-visible" { "Who reads it" }
                select #aid-visible name="visible_to" {
                    option value="network" { "Every member of the network" }
                    @for c in data.circles.iter().filter(|c| !c.organizers) { option value=(c.id) { "Only " (c.name) " (" (c.size) ") and you" } }
                }
                (visible_to("visible to: the network, or only the circle you choose, and you"))
                label for="aid-escalate" { "It may be passed on to (optional)" }
                select #aid-escalate name="escalate_to" { option value="" { "nobody else" } @for c in data.circles.iter().filter(|c| !c.organizers) { option value=(c.id) { (c.name) } } }
                button type="submit" { "Ask" }
            }
        }
    }
}

async fn page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    let id = page_network_id(&net)?;
    let data = state.view(format!("aid/{net}"), move |node| aid_page(node, &id)).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let name = data.network.name.clone().unwrap_or_default();
    let q = &data.queue;
    let organizer = data.me.as_ref().is_some_and(|m| m.organizer);
    Ok(layout(
        &ctx,
        html! {
            h1 { (name) ": mutual aid" }
            (network_nav(&net, Some("aid")))
            div #live-aid data-live data-live-tick {
                section.card aria-labelledby="queue-h" {
                    h2 #queue-h { "The queue" }
                    p { strong { (q.summary) } @if q.overdue > 0 { " · " strong.overdue { (q.overdue) " overdue" } } }
                    p.meta { "Response targets: critical " (span(q.targets[0])) ", high " (span(q.targets[1])) ", normal " (span(q.targets[2]))
                        ". A claim with nothing from its holder for longer goes back to the queue." }
                    @if q.open.is_empty() { p { "Nothing open." } } @else { (queue_table(&net, &q.open)) }
                    @if q.sealed > 0 { p.meta { (q.sealed) " notes are sealed to circles you are not in." } }
                    @if !q.closed.is_empty() { details { summary { "Resolved and cancelled (" (q.closed.len()) ")" } (queue_table(&net, &q.closed)) } }
                }
                (checkins_status(&data))
                (cases_status(&data))
            }
            (checkin_forms(&ctx.csrf, &net, &data))
            (case_forms(&ctx.csrf, &net, &data))
            @if data.me.is_some() { (ask_form(&ctx.csrf, &net, &data)) }
            @if organizer {
                details {
                    summary { "Response targets" }
                    form method="post" action=(format!("/networks/{net}/aid/targets")) {
                        (csrf_field(&ctx.csrf))
                        label for="t-critical" { "Critical" } input #t-critical type="text" name="critical" value=(span(q.targets[0]).replace(' ', "").replace("min", "m"));
                        label for="t-high" { "High" } input #t-high type="text" name="high" value=(span(q.targets[1]).replace(' ', ""));
                        label for="t-normal" { "Normal" } input #t-normal type="text" name="normal" value=(span(q.targets[2]).replace(' ', ""));
                        button type="submit" { "Set the targets" }
                    }
                }
            }
        },
    ))
}

async fn request_page(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, request)): Path<(String, String)>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let op = request_id(&request)?;
    let data = state
        .view(format!("aid/{net}/{request}"), move |node| {
            let r = node.aid_request(&id, &op.to_hex())?;
            let hubs: Vec<(String, String)> = node
                .networks()?
                .into_iter()
                .filter(|n| n.id != id && n.kind == Some(strike_core::NetworkKind::Hub))
                .map(|n| (n.id.to_hex(), n.name.unwrap_or_default()))
                .collect();
            Ok((r, hubs))
        })
        .await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let (r, hubs) = &*data;
    let base = format!("/networks/{net}/aid/requests/{}", r.id);
    let closed = matches!(r.state.as_str(), "resolved" | "cancelled");
    Ok(layout(
        &ctx,
        html! {
            h1 { "Request: " (r.category) }
            (network_nav(&net, None))
            div #live-request data-live data-live-tick {
                section.card {
                    p { (urgency_badge(&r.urgency)) " " strong { (r.state) @if let Some(h) = &r.holder { @if !closed { ": " (h) " has it" } } }
                        @if r.overdue { " " strong.overdue { "overdue" } } }
                    p { @if r.text.is_empty() { "(its text was not shared)" } @else { (r.text) } }
                    p.meta { "Asked by " (r.requester) " " (span(r.age_minutes)) " ago"
                        @if !r.place.is_empty() { " · " (r.place) }
                        @if let Some(d) = r.due { " · needed by " (minute(d)) " UTC" }
                        " · visible to: " (r.visible_to)
                        @if r.escalated_from_elsewhere { " · passed on from another network (only what its requester allowed)" } }
                    @if !r.escalate_to.is_empty() { p.meta { "May be passed to: " (r.escalate_to.join(", ")) } }
                    @if !r.cover_offers.is_empty() {
                        p { strong { "Cover offers that may fit: " } (r.cover_offers.join("; ")) }
                    }
                }
                section.card aria-labelledby="hist-h" {
                    h2 #hist-h { "History" }
                    ol { @for h in &r.history { li.ignored[!h.ignored.is_empty()] {
                        (minute(h.at)) " " (h.by) ": " (h.action) @if !h.note.is_empty() { ": " (h.note) }
                        @if !h.ignored.is_empty() { " (does not count: " (h.ignored) ")" } } } }
                }
            }
            @if !closed {
                section.card aria-labelledby="act-h" {
                    h2 #act-h { "Respond" }
                    form method="post" action=(format!("{base}/step")) {
                        (csrf_field(&ctx.csrf))
                        label for="step-note" { "Note" }
                        input #step-note type="text" name="note" maxlength="2000";
                        (visible_to(&format!("visible to: {}", if r.visible_to == "network" { "the network" } else { &r.visible_to })))
                        button type="submit" name="action" value="claim" { "I have it" } " "
                        button type="submit" name="action" value="progress" { "Progress" } " "
                        button type="submit" name="action" value="note" { "Note" } " "
                        button type="submit" name="action" value="release" { "Give it back" } " "
                        button type="submit" name="action" value="resolve" { "Resolved" } " "
                        button type="submit" name="action" value="cancel" { "Cancel it" }
                    }
                    @if !r.escalate_to.is_empty() {
                        form method="post" action=(format!("{base}/step")) {
                            (csrf_field(&ctx.csrf))
                            input type="hidden" name="action" value="escalate";
                            label for="esc-to" { "Pass it to" }
                            select #esc-to name="to" { @for t in &r.escalate_to { option value=(t) { (t) } } }
                            p.meta { "Another network receives only: " (r.share.join(", ")) "." }
                            button type="submit" { "Pass it on" }
                        }
                    }
                    @if !hubs.is_empty() {
                        form method="post" action=(format!("{base}/step")) {
                            (csrf_field(&ctx.csrf))
                            input type="hidden" name="action" value="supply";
                            label for="sup-hub" { "Supply from a hub" }
                            select #sup-hub name="hub" { @for (id, name) in hubs.iter() { option value=(id) { (name) } } }
                            label for="sup-spec" { "What (the hub's name for it)" }
                            input #sup-spec type="text" name="spec" required;
                            label for="sup-qty" { "How many" }
                            input #sup-qty type="text" name="qty" required inputmode="numeric";
                            button type="submit" { "Ask the hub" }
                        }
                    }
                    form method="post" action=(format!("{base}/step")) {
                        (csrf_field(&ctx.csrf))
                        input type="hidden" name="action" value="grant";
                        label for="grant-amount" { "Ask the fund for a hardship grant of" }
                        input #grant-amount type="text" name="amount" required inputmode="decimal";
                        p.meta { "Sealed to the treasurers; it still needs their approvals; the payout goes to " (r.requester) "." }
                        button type="submit" { "Ask the fund" }
                    }
                }
            }
            p { a href=(format!("/networks/{net}/aid")) { "Back to the queue" } }
        },
    ))
}

/// Every form of the pages, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct AidForm {
    category: String,
    urgency: String,
    text: String,
    place: String,
    by: String,
    visible_to: String,
    escalate_to: String,
    action: String,
    note: String,
    to: String,
    hub: String,
    spec: String,
    qty: String,
    amount: String,
    critical: String,
    high: String,
    normal: String,
    team: String,
    asked: String,
    question: String,
    within: String,
    round: String,
    status: String,
    circle: String,
    kind: String,
    deadline: String,
    case: String,
    who: String,
    when: String,
}

async fn on_form(
    state: &AppState,
    authed: &Authed,
    to: String,
    ok: &'static str,
    net: &str,
    f: impl FnOnce(&mut Node, &NetworkId) -> Result<OpId> + Send + 'static,
) -> PageResult {
    let id = page_network_id(net)?;
    let result = state.act(move |node| f(node, &id)).await.map(|_| ok.to_string());
    Ok(done(state, authed, &to, result))
}

async fn form_ask(State(s): State<AppState>, a: Authed, Path(net): Path<String>, Form(f): Form<AidForm>) -> PageResult {
    let input = AskInput {
        category: f.category,
        urgency: f.urgency,
        text: f.text,
        visible_to: f.visible_to,
        place: f.place,
        by: f.by,
        escalate_to: f.escalate_to.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        share: Vec::new(),
    };
    let to = format!("/networks/{net}/aid");
    on_form(&s, &a, to, "Asked. It shows in the queue.", &net, move |n, id| n.aid_ask(id, &input)).await
}

async fn form_step(
    State(s): State<AppState>,
    a: Authed,
    Path((net, request)): Path<(String, String)>,
    Form(f): Form<AidForm>,
) -> PageResult {
    let to = format!("/networks/{net}/aid/requests/{request}");
    let input = StepInput {
        request,
        action: f.action,
        note: f.note,
        to: f.to,
        share: Vec::new(),
        hub: f.hub,
        spec: f.spec,
        qty: f.qty,
        amount: f.amount,
    };
    on_form(&s, &a, to, "Recorded.", &net, move |n, id| n.aid_act(id, &input)).await
}

async fn form_targets(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<AidForm>,
) -> PageResult {
    let to = format!("/networks/{net}/aid");
    on_form(&s, &a, to, "Targets set.", &net, move |n, id| n.aid_set_targets(id, &f.critical, &f.high, &f.normal)).await
}

async fn form_checkin(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<AidForm>,
) -> PageResult {
    let input = CheckinInput { team: f.team, asked: f.asked, question: f.question, within: f.within };
    let to = format!("/networks/{net}/aid");
    on_form(&s, &a, to, "Round started.", &net, move |n, id| n.checkin_start(id, &input)).await
}

async fn form_answer(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<AidForm>,
) -> PageResult {
    let to = format!("/networks/{net}/aid");
    on_form(&s, &a, to, "Answered: only the team reads it.", &net, move |n, id| {
        n.checkin_answer(id, &f.round, &f.status, &f.note)
    })
    .await
}

async fn form_case(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<AidForm>,
) -> PageResult {
    let input = CaseInput { circle: f.circle, kind: f.kind, text: f.text, deadline: f.deadline };
    let to = format!("/networks/{net}/aid");
    on_form(&s, &a, to, "Case opened.", &net, move |n, id| n.case_open(id, &input)).await
}

async fn form_case_step(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<AidForm>,
) -> PageResult {
    let to = format!("/networks/{net}/aid");
    on_form(&s, &a, to, "Recorded.", &net, move |n, id| n.case_update(id, &f.case, &f.action, &f.note, &f.who, &f.when))
        .await
}

// ---- JSON ----

fn created(op: OpId) -> Response {
    (StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response()
}

/// `{request}`: a request's full id.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct RequestPath {
    /// The request's full id (64 hex digits).
    #[param(pattern = "^[0-9a-f]{64}$")]
    request: String,
}

/// The queue (every request this node reads, overdue first), check-in rounds and legal cases
#[utoipa::path(get, path = "/networks/{net}/aid", params(NetPath), responses((status = 200, description = "OK", body = AidPage), ReadRefusals))]
async fn get_aid(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(Json(state.view(format!("aid/{net}"), move |node| aid_page(node, &id)).await?).into_response())
}

/// Ask for help: in the network, or sealed to a circle only it (and you) read
#[utoipa::path(post, path = "/networks/{net}/aid", params(NetPath, Csrf), request_body = AskInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_aid(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<AskInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.aid_ask(&id, &input)).await?))
}

/// One request with its history
#[utoipa::path(get, path = "/networks/{net}/aid/{request}", params(NetPath, RequestPath), responses((status = 200, description = "OK", body = AidRequestView), ReadRefusals))]
async fn get_request(
    State(state): State<AppState>,
    _: Authed,
    Path((net, request)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, op) = (network_id(&net)?, request_id(&request)?);
    let view = state.view(format!("aid/{net}/{request}"), move |node| node.aid_request(&id, &op.to_hex())).await?;
    Ok(Json(view).into_response())
}

/// Claim, work on, pass on, supply, ask a grant for, resolve or cancel a request
#[utoipa::path(post, path = "/networks/{net}/aid-steps", params(NetPath, Csrf), request_body = StepInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_step(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<StepInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, s) = (network_id(&net)?, body(b)?);
    let op = state.act(move |n| n.aid_act(&id, &s)).await?;
    Ok(created(op))
}

/// Response targets per urgency.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsInput {
    /// `1h` (unchanged when empty)
    #[serde(default)]
    pub critical: String,
    #[serde(default)]
    pub high: String,
    #[serde(default)]
    pub normal: String,
}

/// Set the response targets per urgency (organizers)
#[utoipa::path(post, path = "/networks/{net}/aid-targets", params(NetPath, Csrf), request_body = TargetsInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_targets(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<TargetsInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, t) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |n| n.aid_set_targets(&id, &t.critical, &t.high, &t.normal)).await?))
}

/// Check-in rounds: the team sees who answered, who needs help and who is silent
#[utoipa::path(get, path = "/networks/{net}/checkins", params(NetPath), responses((status = 200, description = "OK", body = Vec<CheckinView>), ReadRefusals))]
async fn get_checkins(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(Json(state.view(format!("checkins/{net}"), move |n| n.checkins(&id)).await?).into_response())
}

/// Start a check-in round (a member of the team that reads the answers)
#[utoipa::path(post, path = "/networks/{net}/checkins", params(NetPath, Csrf), request_body = CheckinInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_checkin(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<CheckinInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |n| n.checkin_start(&id, &input)).await?))
}

/// An answer to a round.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinAnswerInput {
    /// ok or need-help
    pub status: String,
    #[serde(default)]
    pub note: String,
    /// The round (default the newest open one)
    #[serde(default)]
    pub round: String,
}

/// Answer a check-in round: sealed to its team
#[utoipa::path(post, path = "/networks/{net}/checkin-answers", params(NetPath, Csrf), request_body = CheckinAnswerInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_checkin_answer(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<CheckinAnswerInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, a) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |n| n.checkin_answer(&id, &a.round, &a.status, &a.note)).await?))
}

/// Legal cases of the circles this node is in, open ones first by deadline
#[utoipa::path(get, path = "/networks/{net}/cases", params(NetPath), responses((status = 200, description = "OK", body = Vec<CaseView>), ReadRefusals))]
async fn get_cases(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(Json(state.view(format!("cases/{net}"), move |n| n.cases(&id)).await?).into_response())
}

/// Open a legal case in a circle you are in
#[utoipa::path(post, path = "/networks/{net}/cases", params(NetPath, Csrf), request_body = CaseInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_case(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<CaseInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |n| n.case_open(&id, &input)).await?))
}

/// A step on a legal case.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseStepInput {
    pub case: String,
    /// note, assign, deadline or close
    pub action: String,
    #[serde(default)]
    pub note: String,
    /// assign: who
    #[serde(default)]
    pub who: String,
    /// deadline: when (10d, or a date)
    #[serde(default)]
    pub when: String,
}

/// Note, assign, move the deadline of, or close a legal case
#[utoipa::path(post, path = "/networks/{net}/case-steps", params(NetPath, Csrf), request_body = CaseStepInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_case_step(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<CaseStepInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, s) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |n| n.case_update(&id, &s.case, &s.action, &s.note, &s.who, &s.when)).await?))
}
