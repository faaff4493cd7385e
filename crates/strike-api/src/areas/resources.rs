//! The resource network: a hub's page holds its alerts, a chart of days of stock left per
//! category, stock by specification with its lots (expiry coloured) and minimums, the
//! request queue, offers, the allocation plan to review and commit, and the handovers to
//! check off. Members get "Ask for supplies" and "Offer supplies"; keepers record stock.
//! The JSON API does the same.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::resources::{CATEGORIES, StockAction, Urgency};
use strike_core::{NetworkId, OpId};
use strike_node::networks::NetworkView;
use strike_node::resources::views::{CategoryView, PlanView, ResourcesView};
use strike_node::resources::{OfferInput, RequestInput, SpecInput, StockInput};
use strike_node::{Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, OpCreated, body, network_id};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, csrf_field, day, done, layout, network_nav, page_network_id};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/resources", get(page))
        .route("/networks/{net}/resources/specs", post(form_spec))
        .route("/networks/{net}/resources/stock", post(form_stock))
        .route("/networks/{net}/resources/minimum", post(form_minimum))
        .route("/networks/{net}/resources/requests", post(form_request))
        .route("/networks/{net}/resources/offers", post(form_offer))
        .route("/networks/{net}/resources/commit", post(form_commit))
        .route("/networks/{net}/resources/handovers", post(form_handover))
        .route("/networks/{net}/resources/close", post(form_close))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_resources))
        .routes(routes!(get_plan))
        .routes(routes!(post_spec))
        .routes(routes!(post_stock))
        .routes(routes!(post_minimum))
        .routes(routes!(post_request))
        .routes(routes!(post_offer))
        .routes(routes!(post_commit))
        .routes(routes!(post_handover))
        .routes(routes!(post_close))
        .routes(routes!(post_distance))
}

/// A hub's resources, and the plan keepers review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourcesPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub resources: ResourcesView,
    /// Keepers only: the plan for the open requests as it stands.
    pub plan: Option<PlanView>,
}

fn resources_page(node: &Node, network: &NetworkId) -> Result<ResourcesPage> {
    let resources = node.resources(network)?;
    let plan = if resources.keeper { Some(node.plan(network)?) } else { None };
    Ok(ResourcesPage { network: NetworkView::of(&node.network(network)?), me: me(node, network)?, resources, plan })
}

// ---- the page ----

const DAYS_SCALE: u64 = 60;

/// One bar per category: days of stock left at the last four weeks' rate (60 days fills it).
fn days_chart(categories: &[CategoryView]) -> Markup {
    const ROW: f64 = 44.0;
    const WIDTH: f64 = 420.0;
    let shown: Vec<&CategoryView> = categories.iter().filter(|c| c.days_left.is_some()).collect();
    let height = ROW * shown.len().max(1) as f64 + 8.0;
    let bar = WIDTH - 16.0;
    let label = format!(
        "Days of stock left: {}",
        shown.iter().map(|c| format!("{} {}", c.category, c.days_left.unwrap_or(0))).collect::<Vec<_>>().join(", ")
    );
    html! {
        @if shown.is_empty() { p.meta { "No consumption recorded in the last four weeks: no rate to reckon days from." } } @else {
            svg.chart.gates viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-label=(label) {
                title { (label) }
                @for (i, c) in shown.iter().enumerate() {
                    @let top = 8.0 + ROW * i as f64;
                    @let days = c.days_left.unwrap_or(0);
                    @let low = days < strike_node::resources::views::DAYS_LEFT_ALERT;
                    text.gate-label x="8" y=(top + 14.0) { (c.category) ": " (days) " days (" (c.limiting) " first)" }
                    rect.gate-track x="8" y=(top + 21.0) width=(bar) height="14" rx="3" {}
                    rect class=(if low { "gate-fill" } else { "gate-fill met" })
                        x="8" y=(top + 21.0) width=(format!("{:.1}", bar * days.min(DAYS_SCALE) as f64 / DAYS_SCALE as f64)) height="14" rx="3" {}
                }
            }
        }
    }
}

fn stock_section(v: &ResourcesView) -> Markup {
    html! {
        section.card aria-labelledby="stock-h" {
            h2 #stock-h { "Stock" }
            @if v.specs.is_empty() { p { "No specifications yet." } } @else {
                table {
                    thead { tr { th scope="col" { "What" } th scope="col" { "In stock" } th scope="col" { "Free" } th scope="col" { "Minimum" } th scope="col" { "Days left" } th scope="col" { "Lots (first-expiring first)" } } }
                    tbody {
                        @for s in &v.specs {
                            tr.below-minimum[s.below_minimum] {
                                td { (s.name) " " span.meta { "(" (s.category) @if s.cold_chain { ", cold chain" } ")" } }
                                td { (s.stock) " " (s.unit) @if s.below_minimum { " " span.badge.expired { "below minimum" } } }
                                td { (s.free) }
                                td { @if s.minimum > 0 { (s.minimum) } @else { "—" } }
                                td { @match s.days_left { Some(d) => { (d) }, None => { "—" } } }
                                td {
                                    @for l in &s.lots {
                                        span class=(format!("lot expiry-{}", l.expiry)) {
                                            code { (l.id) } " " (l.qty) " at " (l.place)
                                            @if let Some(e) = l.expires { ", expires " (day(e)) }
                                            @if l.overdrawn { " " strong { "overdrawn" } }
                                        }
                                        br;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn queue_section(csrf: &str, net: &str, v: &ResourcesView) -> Markup {
    html! {
        section.card aria-labelledby="queue-h" {
            h2 #queue-h { "Requests" }
            @if v.requests.is_empty() { p { "No open requests." } } @else {
                table {
                    thead { tr { th scope="col" { "Urgency" } th scope="col" { "What" } th scope="col" { "Still wanted" } th scope="col" { "For" } th scope="col" { "Due" } th scope="col" { "" } } }
                    tbody {
                        @for r in &v.requests {
                            tr class=(format!("urgency-{}", r.urgency)) {
                                td { (r.urgency) @if r.sealed { " " span.badge.open { "sealed to keepers" } } }
                                td { (r.spec) @if !r.note.is_empty() { br; small { (r.note) } } }
                                td { (r.wanted) " of " (r.qty) " " (r.unit) @if r.held > 0 { br; small { (r.held) " promised" } } }
                                td { (r.by) " (household of " (r.household) ")" }
                                td { (day(r.due)) @if r.overdue { " " strong { "overdue" } } }
                                td {
                                    @if r.mine || v.keeper {
                                        form.inline method="post" action=(format!("/networks/{net}/resources/close")) {
                                            (csrf_field(csrf))
                                            input type="hidden" name="id" value=(r.op_id);
                                            button type="submit" aria-label=(format!("Close the request {}", r.id)) { @if r.mine { "Withdraw" } @else { "Close" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if v.sealed_unreadable > 0 { p.meta { (v.sealed_unreadable) " more sealed to the keepers (only they read them)." } }
            @if !v.offers.is_empty() {
                h3 { "Offered" }
                ul {
                    @for o in &v.offers {
                        li { (o.qty) " " (o.unit) " " (o.spec) " from " (o.by) @if !o.place.is_empty() { " at " (o.place) } @if !o.note.is_empty() { " · " (o.note) } }
                    }
                }
            }
        }
    }
}

fn plan_section(csrf: &str, net: &str, plan: &PlanView) -> Markup {
    html! {
        section.card aria-labelledby="plan-h" {
            h2 #plan-h { "Allocation plan" }
            p role="status" { (plan.allotted) " of " (plan.demand) " units asked can be given now (" (plan.percent_met) ")." }
            @if !plan.allocations.is_empty() {
                table {
                    thead { tr { th scope="col" { "Give" } th scope="col" { "From lot" } th scope="col" { "To" } th scope="col" { "Urgency" } } }
                    tbody {
                        @for a in &plan.allocations {
                            tr { td { (a.qty) " " (a.unit) " " (a.spec) } td { code { (a.lot) } " at " (a.from_place) @if let Some(e) = a.expires { ", expires " (day(e)) } } td { (a.to) } td { (a.urgency) } }
                        }
                    }
                }
                form method="post" action=(format!("/networks/{net}/resources/commit")) {
                    (csrf_field(csrf))
                    input type="hidden" name="reviewed" value=(plan.digest);
                    button type="submit" { "Commit this plan" }
                }
            }
            @for (r, spec, got, asked) in &plan.unmet {
                p.meta { "Short: request " code { (r) } " (" (spec) ") gets " (got) " of " (asked) "." }
            }
        }
    }
}

fn handover_section(csrf: &str, net: &str, v: &ResourcesView) -> Markup {
    html! {
        section.card aria-labelledby="handover-h" {
            h2 #handover-h { "Handovers" }
            @if v.commitments.is_empty() { p { "Nothing committed waits to be handed over." } } @else {
                table {
                    thead { tr { th scope="col" { "Hand over" } th scope="col" { "From" } th scope="col" { "To" } th scope="col" { "" } } }
                    tbody {
                        @for c in &v.commitments {
                            tr {
                                td { (c.held) " " (c.unit) " " (c.spec) @if c.short > 0 { br; strong { "short " (c.short) ": needs a new plan" } } }
                                td { code { (c.lot) } " at " (c.place) }
                                td { (c.to) }
                                td {
                                    @if v.keeper && c.held > 0 {
                                        form.inline method="post" action=(format!("/networks/{net}/resources/handovers")) {
                                            (csrf_field(csrf))
                                            input type="hidden" name="commitment" value=(c.op_id);
                                            button type="submit" aria-label=(format!("Handed over {}", c.id)) { "Handed over" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn spec_options(v: &ResourcesView) -> Markup {
    html! { @for s in &v.specs { option value=(s.name) { (s.name) " (" (s.unit) ")" } } }
}

fn member_forms(csrf: &str, net: &str, v: &ResourcesView) -> Markup {
    html! {
        section.card aria-labelledby="ask-h" {
            h2 #ask-h { "Ask for supplies" }
            form method="post" action=(format!("/networks/{net}/resources/requests")) {
                (csrf_field(csrf))
                label for="ask-spec" { "What" }
                select #ask-spec name="spec" { (spec_options(v)) }
                label for="ask-qty" { "How many (in its unit)" }
                input #ask-qty type="text" name="qty" required inputmode="numeric";
                label for="ask-urgency" { "Urgency" }
                select #ask-urgency name="urgency" { @for u in Urgency::ALL { option value=(u.as_str()) selected[*u == Urgency::Normal] { (u.as_str()) } } }
                label for="ask-by" { "Needed by (3d, or 2026-12-20)" }
                input #ask-by type="text" name="by" value="7d";
                label for="ask-household" { "People in your household" }
                input #ask-household type="number" name="household" min="1" max="50" value="1";
                label for="ask-note" { "Note (optional)" }
                input #ask-note type="text" name="note" maxlength="2000";
                label.choice { input type="checkbox" name="sealed" value="true"; " Only the keepers may read this (medicine, anything sensitive)" }
                button type="submit" { "Ask" }
            }
        }
        section.card aria-labelledby="give-h" {
            h2 #give-h { "Offer supplies" }
            form method="post" action=(format!("/networks/{net}/resources/offers")) {
                (csrf_field(csrf))
                label for="give-spec" { "What" }
                select #give-spec name="spec" { (spec_options(v)) }
                label for="give-qty" { "How many" }
                input #give-qty type="text" name="qty" required inputmode="numeric";
                label for="give-where" { "Where it can be picked up (optional)" }
                input #give-where type="text" name="place" maxlength="80";
                button type="submit" { "Offer" }
            }
        }
    }
}

fn keeper_forms(csrf: &str, net: &str, v: &ResourcesView) -> Markup {
    html! {
        section.card aria-labelledby="record-h" {
            h2 #record-h { "Record stock" }
            form method="post" action=(format!("/networks/{net}/resources/stock")) {
                (csrf_field(csrf))
                label for="stock-action" { "What happened" }
                select #stock-action name="action" { @for a in StockAction::ALL { option value=(a.as_str()) { (a.as_str()) } } }
                label for="stock-spec" { "What (for a receive)" }
                select #stock-spec name="spec" { (spec_options(v)) }
                label for="stock-lot" { "Lot id (for anything but a receive)" }
                input #stock-lot type="text" name="lot";
                label for="stock-qty" { "How many" }
                input #stock-qty type="text" name="qty" required;
                label for="stock-place" { "Where (receive: kept at; move: to)" }
                input #stock-place type="text" name="place" maxlength="80";
                label for="stock-expires" { "Expires (receive: 2027-06-01 or 30d)" }
                input #stock-expires type="text" name="expires";
                label for="stock-party" { "From (receive) or to whom (transfer)" }
                input #stock-party type="text" name="party" maxlength="80";
                button type="submit" { "Record" }
            }
        }
        section.card aria-labelledby="spec-h" {
            h2 #spec-h { "New specification" }
            form method="post" action=(format!("/networks/{net}/resources/specs")) {
                (csrf_field(csrf))
                label for="spec-name" { "Name" }
                input #spec-name type="text" name="name" required maxlength="80";
                label for="spec-unit" { "Unit (kg, vials, L ...)" }
                input #spec-unit type="text" name="unit" required maxlength="16";
                label for="spec-category" { "Category" }
                select #spec-category name="category" { @for c in CATEGORIES { option value=(c) { (c) } } }
                label.choice { input type="checkbox" name="cold_chain" value="true"; " Kept cold" }
                label for="spec-shelf" { "Shelf life (365d; optional)" }
                input #spec-shelf type="text" name="shelf_life";
                button type="submit" { "Add" }
            }
            h3 { "Minimum kept for critical requests" }
            form method="post" action=(format!("/networks/{net}/resources/minimum")) {
                (csrf_field(csrf))
                label for="min-spec" { "What" }
                select #min-spec name="spec" { (spec_options(v)) }
                label for="min-qty" { "Minimum" }
                input #min-qty type="text" name="qty" required;
                button type="submit" { "Set" }
            }
        }
    }
}

async fn page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    let id = page_network_id(&net)?;
    let data = state.view(format!("resources/{net}"), move |node| resources_page(node, &id)).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let v = &data.resources;
    let member = data.me.is_some();
    Ok(layout(
        &ctx,
        html! {
            h1 { (v.name) ": resources" }
            (network_nav(&net, Some("resources")))
            div #live-resources data-live {
                @if !v.alerts.is_empty() {
                    section.card aria-labelledby="alerts-h" {
                        h2 #alerts-h { "Alerts" }
                        ul { @for a in &v.alerts { li class=(format!("alert-{}", a.level)) { (a.text) } } }
                    }
                }
                section.card aria-labelledby="days-h" {
                    h2 #days-h { "Days of stock left" }
                    (days_chart(&v.categories))
                    p.meta { "At the rate of the last four weeks' consumption and handovers, for the " (v.households) " households the hub serves." }
                }
                (stock_section(v))
                (queue_section(&ctx.csrf, &net, v))
                @if let Some(plan) = &data.plan { (plan_section(&ctx.csrf, &net, plan)) }
                (handover_section(&ctx.csrf, &net, v))
            }
            @if member { (member_forms(&ctx.csrf, &net, v)) }
            @if v.keeper { (keeper_forms(&ctx.csrf, &net, v)) }
        },
    ))
}

/// Every form of the page, as typed (each posts the fields it has).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ResForm {
    action: String,
    spec: String,
    lot: String,
    qty: String,
    place: String,
    expires: String,
    party: String,
    note: String,
    name: String,
    unit: String,
    category: String,
    cold_chain: bool,
    shelf_life: String,
    urgency: String,
    by: String,
    household: Option<u16>,
    sealed: bool,
    reviewed: String,
    commitment: String,
    id: String,
}

/// Runs a form's action on the node and comes back to the hub's page with its outcome.
async fn on_form(
    state: &AppState,
    authed: &Authed,
    net: &str,
    ok: &'static str,
    f: impl FnOnce(&mut Node, &NetworkId) -> Result<String> + Send + 'static,
) -> PageResult {
    let id = page_network_id(net)?;
    let result = state.act(move |node| f(node, &id)).await.map(|extra| format!("{ok}{extra}"));
    Ok(done(state, authed, &format!("/networks/{net}/resources"), result))
}

async fn form_spec(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ResForm>,
) -> PageResult {
    let input = SpecInput {
        name: f.name,
        unit: f.unit,
        category: f.category,
        cold_chain: f.cold_chain,
        shelf_life: f.shelf_life,
    };
    on_form(&s, &a, &net, "Specification added.", move |n, id| n.add_spec(id, &input).map(|_| String::new())).await
}

async fn form_stock(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ResForm>,
) -> PageResult {
    let input = StockInput {
        action: f.action,
        spec: f.spec,
        lot: f.lot,
        qty: f.qty,
        place: f.place,
        expires: f.expires,
        party: f.party,
        note: f.note,
    };
    on_form(&s, &a, &net, "Recorded.", move |n, id| {
        n.record_stock(id, &input).map(|op| format!(" (lot {})", op.short()))
    })
    .await
}

async fn form_minimum(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ResForm>,
) -> PageResult {
    on_form(&s, &a, &net, "Minimum set.", move |n, id| n.set_minimum(id, &f.spec, &f.qty).map(|_| String::new())).await
}

async fn form_request(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ResForm>,
) -> PageResult {
    let input = RequestInput {
        spec: f.spec,
        qty: f.qty,
        urgency: f.urgency,
        by: f.by,
        household: f.household,
        place: f.place,
        note: f.note,
        circle: if f.sealed { "keepers".into() } else { String::new() },
    };
    let ok = if f.sealed { "Asked: only the keepers can read it." } else { "Asked: the keepers see your request." };
    on_form(&s, &a, &net, ok, move |n, id| n.request_supplies(id, &input).map(|_| String::new())).await
}

async fn form_offer(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ResForm>,
) -> PageResult {
    let input = OfferInput { spec: f.spec, qty: f.qty, place: f.place, note: f.note };
    on_form(&s, &a, &net, "Offered: thank you.", move |n, id| n.offer_supplies(id, &input).map(|_| String::new())).await
}

async fn form_commit(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ResForm>,
) -> PageResult {
    on_form(&s, &a, &net, "Plan committed", move |n, id| {
        n.commit_plan(id, Some(&f.reviewed)).map(|ops| format!(": {} commitments to hand over.", ops.len()))
    })
    .await
}

async fn form_handover(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ResForm>,
) -> PageResult {
    on_form(&s, &a, &net, "Handed over.", move |n, id| {
        n.handover(id, &f.commitment, Some(&f.qty), &f.note).map(|_| String::new())
    })
    .await
}

async fn form_close(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<ResForm>,
) -> PageResult {
    on_form(&s, &a, &net, "Closed.", move |n, id| n.close_intent(id, &f.id, &f.note).map(|_| String::new())).await
}

// ---- JSON ----

fn created(op: OpId) -> Response {
    (StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response()
}

/// A hub's resources: stock by specification with lots, days left per category, open
/// requests, offers, commitments to hand over, alerts; and for keepers the plan
#[utoipa::path(get, path = "/networks/{net}/resources", params(NetPath), responses((status = 200, description = "OK", body = ResourcesPage), ReadRefusals))]
async fn get_resources(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let page = state.view(format!("resources/{net}"), move |node| resources_page(node, &id)).await?;
    Ok(Json(&*page).into_response())
}

/// The allocation plan for the open requests from the free stock, as the engine makes it
#[utoipa::path(get, path = "/networks/{net}/resources/plan", params(NetPath), responses((status = 200, description = "OK", body = PlanView), ReadRefusals))]
async fn get_plan(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let plan = state.act(move |node| node.plan(&id)).await?;
    Ok(Json(plan).into_response())
}

/// Describe a kind of resource (keepers)
#[utoipa::path(post, path = "/networks/{net}/resources/specs", params(NetPath, Csrf), request_body = SpecInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_spec(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<SpecInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.add_spec(&id, &input)).await?))
}

/// Record a stock event (keepers): receive, transfer, move, consume, raise, lower
#[utoipa::path(post, path = "/networks/{net}/resources/stock", params(NetPath, Csrf), request_body = StockInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_stock(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<StockInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.record_stock(&id, &input)).await?))
}

/// A specification's minimum.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinimumInput {
    pub spec: String,
    /// 0 removes it
    pub qty: String,
}

/// Set the reserve of a specification, kept for critical requests (keepers)
#[utoipa::path(post, path = "/networks/{net}/resources/minimum", params(NetPath, Csrf), request_body = MinimumInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_minimum(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<MinimumInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.set_minimum(&id, &input.spec, &input.qty)).await?))
}

/// Ask for supplies (members); `circle: "keepers"` seals it to the keepers
#[utoipa::path(post, path = "/networks/{net}/resources/requests", params(NetPath, Csrf), request_body = RequestInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_request(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<RequestInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.request_supplies(&id, &input)).await?))
}

/// Offer supplies to the hub (members)
#[utoipa::path(post, path = "/networks/{net}/resources/offers", params(NetPath, Csrf), request_body = OfferInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_offer(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<OfferInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.offer_supplies(&id, &input)).await?))
}

/// The plan a keeper reviewed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitInput {
    /// The plan's digest as reviewed; a plan that changed since is refused
    #[serde(default)]
    pub reviewed: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Committed {
    pub commitments: Vec<String>,
}

/// Commit the plan as it stands as commitments (keepers)
#[utoipa::path(post, path = "/networks/{net}/resources/commit", params(NetPath, Csrf), request_body = CommitInput, responses((status = 201, description = "Created", body = Committed), Refusals))]
async fn post_commit(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<CommitInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    let ops = state.act(move |node| node.commit_plan(&id, Some(&input.reviewed))).await?;
    Ok((StatusCode::CREATED, Json(Committed { commitments: ops.iter().map(|o| o.to_hex()).collect() })).into_response())
}

/// A handover of a commitment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverInput {
    pub commitment: String,
    /// Blank: all that is left of it
    #[serde(default)]
    pub qty: String,
    #[serde(default)]
    pub note: String,
}

/// Record units of a commitment handed over (keepers)
#[utoipa::path(post, path = "/networks/{net}/resources/handovers", params(NetPath, Csrf), request_body = HandoverInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_handover(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<HandoverInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.handover(&id, &input.commitment, Some(&input.qty), &input.note)).await?))
}

/// A request or offer to close.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    pub id: String,
    #[serde(default)]
    pub note: String,
}

/// Withdraw one's request or offer, or (keepers) mark one done
#[utoipa::path(post, path = "/networks/{net}/resources/close", params(NetPath, Csrf), request_body = CloseInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_close(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<CloseInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.close_intent(&id, &input.id, &input.note)).await?))
}

/// How far apart two places are.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistanceInput {
    pub a: String,
    pub b: String,
    pub distance: u32,
}

/// Set how far apart two places are, for the plan's last preference (keepers)
#[utoipa::path(post, path = "/networks/{net}/resources/distances", params(NetPath, Csrf), request_body = DistanceInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_distance(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<DistanceInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.set_distance(&id, &input.a, &input.b, input.distance)).await?))
}
