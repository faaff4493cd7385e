//! The strike fund: its page holds the balance, a chart of money in and out per week (weekly
//! by default, so that a lone payout is not picked out by its time), runway, strike pay per
//! call and, for treasurers, the claims queue with approve, turn down and pay; members get
//! "Ask for strike pay" and "Pledge a contribution"; the ledger downloads as CSV. The JSON
//! API does the same.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::{NetworkId, OpId};
use strike_node::fund::books::{LedgerView, VerifyReport};
use strike_node::fund::views::{FundView, WeekRow};
use strike_node::fund::{ClaimInput, FundInput, ReceiveInput, RuleInput, TransferInput};
use strike_node::networks::NetworkView;
use strike_node::{Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, OpCreated, body, network_id};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, csrf_field, done, layout, network_nav, page_network_id};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/fund", get(page))
        .route("/networks/{net}/fund/ledger.csv", get(journal_csv))
        .route("/networks/{net}/fund/trial-balance.csv", get(trial_csv))
        .route("/networks/{net}/fund/open", post(form_open))
        .route("/networks/{net}/fund/contribute", post(form_contribute))
        .route("/networks/{net}/fund/claim", post(form_claim))
        .route("/networks/{net}/fund/receive", post(form_receive))
        .route("/networks/{net}/fund/rule", post(form_rule))
        .route("/networks/{net}/fund/transfer", post(form_transfer))
        .route("/networks/{net}/fund/answer", post(form_answer))
        .route("/networks/{net}/fund/pay", post(form_pay))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_fund, post_fund))
        .routes(routes!(get_ledger))
        .routes(routes!(get_verify))
        .routes(routes!(post_contribution))
        .routes(routes!(post_receipt))
        .routes(routes!(post_rule))
        .routes(routes!(post_transfer))
        .routes(routes!(post_claim))
        .routes(routes!(post_answer))
        .routes(routes!(post_payout))
}

/// A network's fund as its page shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    /// `None` until an organizer opens the fund.
    pub fund: Option<FundView>,
}

fn fund_page(node: &Node, network: &NetworkId) -> Result<FundPage> {
    Ok(FundPage {
        network: NetworkView::of(&node.network(network)?),
        me: me(node, network)?,
        fund: node.fund(network)?,
    })
}

// ---- the page ----

/// Two bars a week, in (green) and out (red), scaled to the largest week shown.
fn weeks_chart(weeks: &[WeekRow], currency: &str) -> Markup {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 180.0;
    let top = weeks.iter().map(|w| w.income_minor.max(w.payouts_minor)).max().unwrap_or(0).max(1) as f64;
    let slot = (WIDTH - 16.0) / weeks.len().max(1) as f64;
    let bar = (slot / 2.0 - 2.0).max(1.0);
    let label = format!(
        "Money in and out per week ({currency}): {}",
        weeks
            .iter()
            .filter(|w| w.income_minor != 0 || w.payouts_minor != 0)
            .map(|w| format!("week of {} in {} out {}", w.start, w.income, w.payouts))
            .collect::<Vec<_>>()
            .join("; ")
    );
    html! {
        svg.chart.fund viewBox=(format!("0 0 {WIDTH} {}", HEIGHT + 24.0)) role="img" aria-label=(label) {
            title { (label) }
            @for (i, w) in weeks.iter().enumerate() {
                @let x = 8.0 + slot * i as f64;
                @let h_in = HEIGHT * w.income_minor as f64 / top;
                @let h_out = HEIGHT * w.payouts_minor as f64 / top;
                rect.fund-in x=(format!("{x:.1}")) y=(format!("{:.1}", HEIGHT - h_in)) width=(format!("{bar:.1}")) height=(format!("{h_in:.1}")) {}
                rect.fund-out x=(format!("{:.1}", x + bar + 1.0)) y=(format!("{:.1}", HEIGHT - h_out)) width=(format!("{bar:.1}")) height=(format!("{h_out:.1}")) {}
                @if i % 4 == 0 { text.gate-label x=(format!("{x:.1}")) y=(HEIGHT + 18.0) { (&w.start[5..]) } }
            }
        }
        p.meta { span.key-in { "■" } " in · " span.key-out { "■" } " out, by week (Monday to Sunday, UTC)" }
    }
}

fn summary(v: &FundView) -> Markup {
    html! {
        section.card aria-labelledby="fund-h" {
            h2 #fund-h { "The fund holds " (v.balance) " " (v.currency) }
            p {
                (v.income) " in · " (v.payouts) " paid out to " strong { (v.recipients) } " recipients · runway "
                strong { (v.runway) }
                @if v.runway_tenths.is_some() { " at " (v.weekly_projection) " of strike pay a week" }
                @if v.open_payouts != "0.00" && v.open_payouts != "0" { " (" (v.open_payouts) " claimed and being approved, not yet paid)" }
            }
            p.meta {
                "Treasurers (" (v.circle) "): " (v.treasurers.join(", ")) " · " (v.approvals) " must approve each payout. "
                "Members see every amount, its category and week, and a commitment to the person; only the treasurers see who."
            }
            (weeks_chart(&v.weeks, &v.currency))
            @if !v.rules.is_empty() {
                h3 { "Strike pay" }
                ul { @for r in &v.rules { li { (r.title) ": " (r.per_day) " a day, " (r.per_dependant) " a dependant a day, up to " (r.max_days) " days · " (r.pledged) " pledged" } } }
            }
            @if !v.review.is_empty() {
                h3 { "Needs review" }
                ul { @for r in &v.review { li.alert-high { (r) } } }
            }
            p { a href="fund/ledger.csv" download { "Journal (CSV)" } " · " a href="fund/trial-balance.csv" download { "Trial balance (CSV)" } }
        }
    }
}

fn claims(csrf: &str, net: &str, v: &FundView) -> Markup {
    html! {
        section.card aria-labelledby="claims-h" {
            h2 #claims-h { @if v.i_am_treasurer { "Claims" } @else { "Your claims" } }
            @if v.claims.is_empty() { p { "None." } } @else {
                table {
                    thead { tr { th scope="col" { "Claim" } th scope="col" { "Who" } th scope="col" { "For" } th scope="col" { "Amount" } th scope="col" { "Status" } th scope="col" { "Action" } } }
                    tbody {
                        @for c in &v.claims {
                            tr {
                                td { code { (c.id) } }
                                td { (c.claimant) }
                                td { (c.kind) ": " (c.what) }
                                td { (c.amount) }
                                td {
                                    (c.status) " (" (c.approvals) " of " (c.needed) ")"
                                    @if c.self_answered { " " span.badge.expired { "self-answered" } }
                                    @for a in &c.answers { br; span.meta { (a) } }
                                }
                                td {
                                    @if c.can_answer {
                                        form.inline method="post" action=(format!("/networks/{net}/fund/answer")) {
                                            (csrf_field(csrf))
                                            input type="hidden" name="claim" value=(c.id);
                                            input type="hidden" name="approve" value="true";
                                            button type="submit" { "Approve" }
                                        }
                                        form.inline method="post" action=(format!("/networks/{net}/fund/answer")) {
                                            (csrf_field(csrf))
                                            input type="hidden" name="claim" value=(c.id);
                                            label for=(format!("why-{}", c.id)) { "Why not" }
                                            input #(format!("why-{}", c.id)) type="text" name="why" maxlength="2000";
                                            button type="submit" { "Turn down" }
                                        }
                                    }
                                    @if c.can_pay {
                                        form.inline method="post" action=(format!("/networks/{net}/fund/pay")) {
                                            (csrf_field(csrf))
                                            input type="hidden" name="claim" value=(c.id);
                                            label for=(format!("method-{}", c.id)) { "Paid by" }
                                            select #(format!("method-{}", c.id)) name="method" { option { "cash" } option { "bank" } option { "mobile" } }
                                            button type="submit" { "Record paid" }
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

fn member_forms(csrf: &str, net: &str, v: &FundView) -> Markup {
    html! {
        section.card aria-labelledby="ask-pay-h" {
            h2 #ask-pay-h { "Ask for strike pay" }
            p.meta { "Sealed to the treasurers: other members see only that a note went to them, not that it is a claim. The payout will show its amount and week, never your name." }
            form method="post" action=(format!("/networks/{net}/fund/claim")) {
                (csrf_field(csrf))
                label for="claim-call" { "Strike pay for" }
                select #claim-call name="call" {
                    @for r in &v.rules { option value=(r.call) { (r.title) " (" (r.per_day) " a day)" } }
                    option value="" { "— a hardship grant instead —" }
                }
                label for="claim-days" { "Days on strike" }
                input #claim-days type="number" name="days" min="1" max="366" value="5";
                label for="claim-dependants" { "Dependants" }
                input #claim-dependants type="number" name="dependants" min="0" max="20" value="0";
                label for="claim-hardship" { "Hardship: what for (only the treasurers read it)" }
                input #claim-hardship type="text" name="hardship" maxlength="280";
                label for="claim-amount" { "Hardship: how much (" (v.currency) ")" }
                input #claim-amount type="text" name="amount" inputmode="decimal";
                button type="submit" { "Ask" }
            }
        }
        section.card aria-labelledby="pledge-h" {
            h2 #pledge-h { "Pledge a contribution" }
            @if let Some(m) = &v.my_contribution { p { "Your pledge: " strong { (m) } } }
            form method="post" action=(format!("/networks/{net}/fund/contribute")) {
                (csrf_field(csrf))
                label for="pledge-amount" { "Amount (" (v.currency) ")" }
                input #pledge-amount type="text" name="amount" required inputmode="decimal";
                label.choice { input type="checkbox" name="monthly" value="true" checked; " Every month" }
                button type="submit" { "Pledge" }
            }
        }
    }
}

fn treasurer_forms(csrf: &str, net: &str, v: &FundView) -> Markup {
    html! {
        section.card aria-labelledby="receive-h" {
            h2 #receive-h { "Record money received" }
            @if let Some(p) = &v.pledges { p.meta { (p.members) " members pledge " (p.monthly) " a month." } }
            form method="post" action=(format!("/networks/{net}/fund/receive")) {
                (csrf_field(csrf))
                label for="rec-amount" { "Amount (" (v.currency) ")" }
                input #rec-amount type="text" name="amount" required inputmode="decimal";
                label for="rec-from" { "From" }
                select #rec-from name="from" { option { "member" } option { "donor" } option { "event" } }
                label for="rec-member" { "Which member (only treasurers see it)" }
                input #rec-member type="text" name="member" maxlength="80";
                label for="rec-method" { "Into" }
                select #rec-method name="method" { option value="cash" { "cash I hold" } option value="bank" { "the bank" } }
                label for="rec-note" { "Public note (no names)" }
                input #rec-note type="text" name="note" maxlength="2000";
                button type="submit" { "Record" }
            }
        }
        section.card aria-labelledby="transfer-h" {
            h2 #transfer-h { "Hand money on" }
            form method="post" action=(format!("/networks/{net}/fund/transfer")) {
                (csrf_field(csrf))
                label for="tr-amount" { "Amount (" (v.currency) ")" }
                input #tr-amount type="text" name="amount" required inputmode="decimal";
                label for="tr-from" { "From" }
                select #tr-from name="from" { option value="cash" { "cash I hold" } option value="bank" { "the bank" } }
                label for="tr-to" { "To (bank, or a treasurer)" }
                input #tr-to type="text" name="to" required value="bank" maxlength="80";
                label for="tr-note" { "Public note" }
                input #tr-note type="text" name="note" maxlength="2000";
                button type="submit" { "Hand on" }
            }
        }
        section.card aria-labelledby="rule-h" {
            h2 #rule-h { "Set strike pay for a call" }
            form method="post" action=(format!("/networks/{net}/fund/rule")) {
                (csrf_field(csrf))
                label for="rule-call" { "Call (id)" }
                input #rule-call type="text" name="call" required;
                label for="rule-day" { "A day" }
                input #rule-day type="text" name="per_day" required inputmode="decimal";
                label for="rule-dep" { "A dependant a day" }
                input #rule-dep type="text" name="per_dependant" inputmode="decimal";
                label for="rule-max" { "At most, days" }
                input #rule-max type="number" name="max_days" min="1" max="366" value="30";
                button type="submit" { "Set" }
            }
        }
    }
}

fn open_form(csrf: &str, net: &str) -> Markup {
    html! {
        section.card aria-labelledby="open-h" {
            h2 #open-h { "Open the fund" }
            form method="post" action=(format!("/networks/{net}/fund/open")) {
                (csrf_field(csrf))
                label for="open-currency" { "Currency (ISO code)" }
                input #open-currency type="text" name="currency" required value="EUR" maxlength="3";
                label for="open-circle" { "Treasurers' circle (its leads; empty: the organizers)" }
                input #open-circle type="text" name="circle" maxlength="80";
                label for="open-approvals" { "Approvals per payout" }
                input #open-approvals type="number" name="approvals" min="1" max="9" value="2";
                button type="submit" { "Open" }
            }
        }
    }
}

async fn page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    let id = page_network_id(&net)?;
    let data = state.view(format!("fund/{net}"), move |node| fund_page(node, &id)).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let name = data.network.name.clone().unwrap_or_default();
    let organizer = data.me.as_ref().is_some_and(|m| m.organizer);
    Ok(layout(
        &ctx,
        html! {
            h1 { (name) ": strike fund" }
            (network_nav(&net, Some("fund")))
            @match &data.fund {
                None => {
                    p { "This network has no fund yet." }
                    @if organizer { (open_form(&ctx.csrf, &net)) }
                }
                Some(v) => {
                    div #live-fund data-live {
                        (summary(v))
                        (claims(&ctx.csrf, &net, v))
                    }
                    @if data.me.is_some() { (member_forms(&ctx.csrf, &net, v)) }
                    @if v.i_am_treasurer { (treasurer_forms(&ctx.csrf, &net, v)) }
                }
            }
        },
    ))
}

/// Every form of the page, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FundForm {
    currency: String,
    circle: String,
    approvals: Option<u8>,
    amount: String,
    monthly: bool,
    call: String,
    days: Option<u16>,
    dependants: Option<u16>,
    hardship: String,
    from: String,
    member: String,
    method: String,
    note: String,
    per_day: String,
    per_dependant: String,
    max_days: Option<u16>,
    claim: String,
    approve: bool,
    why: String,
    to: String,
}

async fn on_form(
    state: &AppState,
    authed: &Authed,
    net: &str,
    ok: &'static str,
    f: impl FnOnce(&mut Node, &NetworkId) -> Result<OpId> + Send + 'static,
) -> PageResult {
    let id = page_network_id(net)?;
    let result = state.act(move |node| f(node, &id)).await.map(|_| ok.to_string());
    Ok(done(state, authed, &format!("/networks/{net}/fund"), result))
}

async fn form_open(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<FundForm>,
) -> PageResult {
    let input = FundInput { currency: f.currency, approvals: f.approvals, circle: f.circle };
    on_form(&s, &a, &net, "The fund is open.", move |n, id| n.create_fund(id, &input)).await
}

async fn form_contribute(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<FundForm>,
) -> PageResult {
    on_form(&s, &a, &net, "Pledged: sealed to the treasurers.", move |n, id| {
        n.fund_contribute(id, &f.amount, f.monthly)
    })
    .await
}

async fn form_claim(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<FundForm>,
) -> PageResult {
    let hardship = f.call.is_empty();
    let input = ClaimInput {
        call: f.call,
        days: if hardship { None } else { f.days },
        dependants: if hardship { None } else { f.dependants },
        amount: f.amount,
        hardship: f.hardship,
    };
    on_form(&s, &a, &net, "Asked: only the treasurers can read your claim.", move |n, id| n.fund_claim(id, &input))
        .await
}

async fn form_receive(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<FundForm>,
) -> PageResult {
    let input = ReceiveInput { amount: f.amount, from: f.from, method: f.method, member: f.member, note: f.note };
    on_form(&s, &a, &net, "Recorded.", move |n, id| n.fund_receive(id, &input)).await
}

async fn form_transfer(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<FundForm>,
) -> PageResult {
    let input = TransferInput { amount: f.amount, to: f.to, from: f.from, note: f.note };
    on_form(&s, &a, &net, "Handed on.", move |n, id| n.fund_transfer(id, &input)).await
}

async fn form_rule(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<FundForm>,
) -> PageResult {
    let input = RuleInput { call: f.call, per_day: f.per_day, per_dependant: f.per_dependant, max_days: f.max_days };
    on_form(&s, &a, &net, "Strike pay set.", move |n, id| n.fund_rule(id, &input)).await
}

async fn form_answer(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<FundForm>,
) -> PageResult {
    let ok = if f.approve { "Approved." } else { "Turned down." };
    on_form(&s, &a, &net, ok, move |n, id| n.fund_answer(id, &f.claim, f.approve, &f.why)).await
}

async fn form_pay(
    State(s): State<AppState>,
    a: Authed,
    Path(net): Path<String>,
    Form(f): Form<FundForm>,
) -> PageResult {
    on_form(&s, &a, &net, "Recorded as paid.", move |n, id| n.fund_pay(id, &f.claim, &f.method)).await
}

fn csv(name: &str, text: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)], text)
        .into_response()
}

async fn journal_csv(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> PageResult {
    let id = page_network_id(&net)?;
    let l = state.view(format!("fund-ledger/{net}"), move |node| node.fund_ledger(&id)).await?;
    Ok(csv("fund-journal.csv", l.journal_csv()))
}

async fn trial_csv(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> PageResult {
    let id = page_network_id(&net)?;
    let l = state.view(format!("fund-ledger/{net}"), move |node| node.fund_ledger(&id)).await?;
    Ok(csv("fund-trial-balance.csv", l.trial_csv()))
}

// ---- JSON ----

fn created(op: OpId) -> Response {
    (StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response()
}

/// The network's fund: balance, weekly totals, runway, strike pay, what needs review, and
/// the claims this node reads (every one for treasurers, their own for members)
#[utoipa::path(get, path = "/networks/{net}/fund", params(NetPath), responses((status = 200, description = "OK", body = FundPage), ReadRefusals))]
async fn get_fund(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let page = state.view(format!("fund/{net}"), move |node| fund_page(node, &id)).await?;
    Ok(Json(page).into_response())
}

/// Open the fund (organizers), or change its approvals and treasurers' circle
#[utoipa::path(post, path = "/networks/{net}/fund", params(NetPath, Csrf), request_body = FundInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_fund(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<FundInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.create_fund(&id, &input)).await?))
}

/// The journal and trial balance: names for treasurers, commitments and weeks for members
#[utoipa::path(get, path = "/networks/{net}/fund/ledger", params(NetPath), responses((status = 200, description = "OK", body = LedgerView), ReadRefusals))]
async fn get_ledger(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(Json(state.view(format!("fund-ledger/{net}"), move |node| node.fund_ledger(&id)).await?).into_response())
}

/// Re-add the public totals and find this member's payouts in them
#[utoipa::path(get, path = "/networks/{net}/fund/verify", params(NetPath), responses((status = 200, description = "OK", body = VerifyReport), ReadRefusals))]
async fn get_verify(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(Json(state.view(format!("fund-verify/{net}"), move |node| node.fund_verify(&id)).await?).into_response())
}

/// A standing contribution pledge.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContributionInput {
    /// `20.00`
    pub amount: String,
    #[serde(default)]
    pub monthly: bool,
}

/// Pledge a contribution (members): sealed to the treasurers
#[utoipa::path(post, path = "/networks/{net}/fund/contributions", params(NetPath, Csrf), request_body = ContributionInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_contribution(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<ContributionInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.fund_contribute(&id, &input.amount, input.monthly)).await?))
}

/// Record money received (treasurers)
#[utoipa::path(post, path = "/networks/{net}/fund/receipts", params(NetPath, Csrf), request_body = ReceiveInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_receipt(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<ReceiveInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.fund_receive(&id, &input)).await?))
}

/// Hand money on (treasurers): cash to another treasurer or the bank, bank money to cash
#[utoipa::path(post, path = "/networks/{net}/fund/transfers", params(NetPath, Csrf), request_body = TransferInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_transfer(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<TransferInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.fund_transfer(&id, &input)).await?))
}

/// Set strike pay for a call (treasurers)
#[utoipa::path(post, path = "/networks/{net}/fund/rules", params(NetPath, Csrf), request_body = RuleInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_rule(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<RuleInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.fund_rule(&id, &input)).await?))
}

/// Claim strike pay or a hardship grant (members): sealed to the treasurers
#[utoipa::path(post, path = "/networks/{net}/fund/claims", params(NetPath, Csrf), request_body = ClaimInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_claim(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<ClaimInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.fund_claim(&id, &input)).await?))
}

/// A treasurer's answer to a claim.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// The claim's id (a prefix)
    pub claim: String,
    pub approve: bool,
    /// Why not (required to turn one down)
    #[serde(default)]
    pub why: String,
}

/// Approve or turn down a claim (treasurers; never their own)
#[utoipa::path(post, path = "/networks/{net}/fund/answers", params(NetPath, Csrf), request_body = AnswerInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_answer(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<AnswerInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.fund_answer(&id, &input.claim, input.approve, &input.why)).await?))
}

/// A claim paid.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayInput {
    pub claim: String,
    /// cash, bank or mobile
    #[serde(default)]
    pub method: String,
}

/// Record an approved claim paid (treasurers)
#[utoipa::path(post, path = "/networks/{net}/fund/payouts", params(NetPath, Csrf), request_body = PayInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_payout(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<PayInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    Ok(created(state.act(move |node| node.fund_pay(&id, &input.claim, &input.method)).await?))
}
