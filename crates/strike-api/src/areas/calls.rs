//! Strike calls and pledges: a network's calls and the form to open one, a call's page with
//! its rules' progress, pledges over time, and the pledge and withdraw buttons; the same as
//! JSON.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::calls::{CallKind, CallStatus, Tally};
use strike_core::{NetworkId, OpId};
use strike_node::calls::{CallJson, CallSpec, CallView};
use strike_node::networks::NetworkView;
use strike_node::{Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ReadRefusals, Refusals};
use crate::forms::{CallPath, Csrf, NetPath, body, network_id, op_id};
use crate::model::{Me, me};
use crate::pages::{
    Ctx, Empty, PageResult, csrf_field, done, layout, minute, network_nav, page_network_id, page_op_id,
};
use crate::security::Authed;
use crate::{AppState, charts};

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/calls", get(list).post(create))
        .route("/calls/{call}", get(page))
        .route("/calls/{call}/pledge", post(pledge))
        .route("/calls/{call}/withdraw", post(withdraw))
        .route("/calls/{call}/forget", post(forget))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calls, post_call))
        .routes(routes!(get_call))
        .routes(routes!(post_pledge))
        .routes(routes!(post_withdraw))
        .routes(routes!(post_forget))
}

/// A network's calls, every status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallList {
    pub network: NetworkView,
    pub me: Option<Me>,
    #[schema(value_type = Vec<CallJson>)]
    pub calls: Vec<CallView>,
}

/// One call with its pledges over time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    #[schema(value_type = CallJson)]
    pub call: CallView,
    /// `(unix seconds, counted pledges)` after every change.
    pub timeline: Vec<(u64, u64)>,
    /// Offers made on the call, their votes and results, and how it came out.
    pub record: strike_node::votes::concessions::CallRecord,
}

pub fn call_list(node: &Node, network: &NetworkId) -> Result<CallList> {
    let row = node.network(network)?;
    Ok(CallList { network: NetworkView::of(&row), me: me(node, network)?, calls: node.calls(network)? })
}

pub fn call_page(node: &Node, network: &NetworkId, call: &OpId) -> Result<CallPage> {
    let row = node.network(network)?;
    let record = node.call_record(network, call)?;
    let (call, timeline) = node.call_detail(network, call)?;
    Ok(CallPage { network: NetworkView::of(&row), me: me(node, network)?, call, timeline, record })
}

// ---- page parts other areas show ----

pub fn status_badge(status: CallStatus) -> Markup {
    let (class, text) = match status {
        CallStatus::Open => ("badge open", "open"),
        CallStatus::Triggered => ("badge triggered", "TRIGGERED"),
        CallStatus::Expired => ("badge expired", "expired"),
        CallStatus::Started => ("badge started", "STARTED"),
    };
    html! { span class=(class) { (text) } }
}

/// A labelled progress bar: the native element, so screen readers announce it. `unit`
/// names what is counted when it is not pledges ("groups").
pub fn progress(have: u64, need: u64, label: &str, unit: &str) -> Markup {
    let pct = (have.min(need) * 100).checked_div(need).unwrap_or(100);
    html! {
        div.progress {
            label { span.rule { (label) } " " span.count { (have) " of " (need) @if !unit.is_empty() { " " (unit) } " (" (pct) "%)" } }
            progress max=(need.max(1)) value=(have.min(need.max(1))) { (pct) "%" }
        }
    }
}

/// Every rule of every wave with its bar, and the groups still short of a minimum.
pub fn tally_rules(t: &Tally) -> Markup {
    html! {
        @for (i, w) in t.waves.iter().enumerate() {
            div.wave {
                @if t.waves.len() > 1 {
                    h4 { "Wave " (i + 1) @if let Some(at) = w.triggered_at { " - triggered " (minute(at)) " UTC" } }
                }
                @for r in &w.rules {
                    (progress(r.have, r.need, &r.rule, if r.kind == "min_per" { "groups" } else { "" }))
                    @let short: Vec<_> = r.groups.iter().filter(|(_, h, n)| h < n).collect();
                    @if !short.is_empty() {
                        ul.short {
                            @for (g, have, need) in short { li { (g) " needs " (need - have) " more" } }
                        }
                    }
                }
            }
        }
    }
}

// ---- pages ----

/// The call form as the browser sends it: lists as lines (or commas).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CallForm {
    kind: String,
    title: String,
    demands: String,
    scope: String,
    threshold_count: String,
    threshold_share: String,
    min_per: String,
    deadline: String,
    starts: String,
    exempt_roles: String,
    secret: bool,
}

impl CallForm {
    fn spec(&self) -> std::result::Result<CallSpec, ApiError> {
        let lines = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
        let items = |s: &str| s.split([',', '\n']).map(str::to_owned).collect::<Vec<_>>();
        let count = match self.threshold_count.trim() {
            "" => None,
            n => Some(n.parse().map_err(|_| ApiError::BadRequest(format!("{n:?} is not a number of pledges")))?),
        };
        Ok(CallSpec {
            kind: self.kind.clone(),
            title: self.title.clone(),
            demands: lines(&self.demands),
            scope: self.scope.clone(),
            threshold_count: count,
            threshold_share: Some(self.threshold_share.clone()),
            min_per: items(&self.min_per),
            deadline: self.deadline.clone(),
            starts: self.starts.clone(),
            exempt_roles: items(&self.exempt_roles),
            waves: Vec::new(),
            secret: self.secret,
        })
    }
}

async fn list(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    render_list(&state, &authed, &net, &CallForm { kind: "strike".into(), ..CallForm::default() }, None).await
}

async fn render_list(
    state: &AppState,
    authed: &Authed,
    net: &str,
    form: &CallForm,
    error: Option<String>,
) -> PageResult {
    let id = page_network_id(net)?;
    let data = state.view(format!("calls/{net}"), move |node| call_list(node, &id)).await?;
    let ctx = Ctx::load(state, authed).await?;
    let organizer = data.me.as_ref().is_some_and(|m| m.organizer);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = layout(
        &ctx,
        html! {
            h1 { (data.network.name.clone().unwrap_or_default()) ": strike calls" }
            (network_nav(net, Some("calls")))
            div #live-calls data-live {
                @if data.calls.is_empty() { p { "No calls yet." } }
                @for c in &data.calls {
                    article.call.card {
                        h2 { a href=(format!("/calls/{}", c.op.to_hex())) { (c.title) } " " (status_badge(c.tally.status)) }
                        p.meta { (c.kind) " · " (c.tally.counted) " pledged · deadline " (minute(c.deadline)) " UTC" @if c.secret.is_some() { " · secret" } @if c.my_pledge { " · you pledged" } }
                        (tally_rules(&c.tally))
                    }
                }
            }
            @if organizer { (call_form(&ctx.csrf, net, form, error.as_deref())) }
        },
    );
    *response.status_mut() = status;
    Ok(response)
}

fn call_form(csrf: &str, net: &str, f: &CallForm, error: Option<&str>) -> Markup {
    html! {
        section.card aria-labelledby="new-call-h" {
            h2 #new-call-h { "Open a strike call" }
            p { "Nobody is exposed alone: a pledge counts only together with the others, and the call triggers on every member's node at once when all its rules hold." }
            @if let Some(e) = error { p.flash.error role="alert" #call-error { (e) } }
            form method="post" action=(format!("/networks/{net}/calls")) aria-describedby=[error.map(|_| "call-error")] {
                (csrf_field(csrf))
                label for="c-kind" { "Kind" }
                select #c-kind name="kind" {
                    @for k in CallKind::ALL { option value=(k.as_str()) selected[f.kind == k.as_str()] { (k.as_str()) } }
                }
                label for="c-title" { "Title" }
                input #c-title type="text" name="title" value=(f.title) required maxlength="400";
                label for="c-demands" { "Demands (one per line)" }
                textarea #c-demands name="demands" rows="3" { (f.demands) }
                fieldset {
                    legend { "Threshold: every rule must hold" }
                    label for="c-count" { "At least this many pledges" }
                    input #c-count type="number" name="threshold_count" min="1" value=(f.threshold_count);
                    label for="c-share" { "At least this share of the mapped workforce (e.g. 60%)" }
                    input #c-share type="text" name="threshold_share" value=(f.threshold_share);
                    label for="c-min" { "Minimums per group (e.g. department=5, shift=3)" }
                    input #c-min type="text" name="min_per" value=(f.min_per);
                }
                label for="c-deadline" { "Deadline: pledges after it do not count (21d, or 2026-12-22T17:00 UTC)" }
                input #c-deadline type="text" name="deadline" value=(f.deadline) required;
                label for="c-starts" { "Starts once triggered (e.g. 2026-12-28T06:00 UTC, or 24d)" }
                input #c-starts type="text" name="starts" value=(f.starts) required;
                label for="c-exempt" { "Exempt roles: not asked, not counted (comma-separated, e.g. nurse, security)" }
                input #c-exempt type="text" name="exempt_roles" value=(f.exempt_roles);
                label for="c-scope" { "Only this workplace counts (empty: the whole network)" }
                input #c-scope type="text" name="scope" value=(f.scope);
                label.choice {
                    input type="checkbox" name="secret" value="true" checked[f.secret];
                    " Secret pledges: nobody, organizers included, can tell who pledged"
                }
                p.meta { "Every member's node asks the organizers' nodes for a credential by itself; pledges are made under one-time keys with it. Each group the minimums count needs at least 5 members." }
                button type="submit" { "Open the call" }
            }
        }
    }
}

async fn create(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<CallForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let spec = match form.spec() {
        Ok(spec) => spec,
        Err(e) => return render_list(&state, &authed, &net, &form, Some(e.to_string())).await,
    };
    let made = state
        .act(move |node| {
            let call = spec.build(node.now())?;
            node.create_call(&id, call)
        })
        .await;
    match made {
        Ok(op) => {
            state.sessions().set_flash(
                &authed.id,
                crate::security::Flash { ok: true, text: "The call is open. Members can pledge now.".into() },
            );
            Ok(Redirect::to(&format!("/calls/{}", op.to_hex())).into_response())
        }
        Err(e @ (ApiError::BadRequest(_) | ApiError::Refused(_) | ApiError::Forbidden(_))) => {
            render_list(&state, &authed, &net, &form, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The count a call's chart aims at: its first wave's count rule, else what its share rule
/// needs.
fn chart_need(c: &strike_node::calls::CallView) -> u64 {
    let rules = c.tally.waves.first().map(|w| w.rules.as_slice()).unwrap_or(&[]);
    rules.iter().filter(|r| r.kind != "min_per").map(|r| r.need).max().unwrap_or(1)
}

async fn page(State(state): State<AppState>, authed: Authed, Path(call): Path<String>) -> PageResult {
    let op = page_op_id(&call)?;
    let data = state
        .view(format!("call/{call}"), move |node| {
            let (net, op) = node.find_call(&op.to_hex())?;
            call_page(node, &net, &op)
        })
        .await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let c = &data.call;
    let net = &data.network.network_id;
    let member = data.me.as_ref().is_some_and(|m| m.status == "member");
    let open = c.tally.status == CallStatus::Open;
    let withdrawable = open && c.my_pledge;
    Ok(layout(
        &ctx,
        html! {
            p { a href=(format!("/networks/{net}/calls")) { "← " (data.network.name.clone().unwrap_or_default()) ": all calls" } }
            h1 { (c.title) }
            div #live-call data-live {
                p.status-line { (status_badge(c.tally.status)) " " (c.kind) }
                @match c.tally.status {
                    CallStatus::Triggered => { p.banner-inline role="status" { "Enough have pledged: this call has triggered on every member's node. It starts " (minute(c.tally.waves[0].starts)) " UTC." } }
                    CallStatus::Started => { p.banner-inline role="status" { "The action is under way." } }
                    CallStatus::Expired => { p role="status" { "The deadline passed before enough pledged. Nobody was exposed: the pledges stay within the network." } }
                    CallStatus::Open => {}
                }
                p {
                    strong { (c.tally.counted) } " pledges counted of a mapped workforce of " (c.tally.workforce)
                    @if c.tally.support > 0 { " · " (c.tally.support) " support pledges from exempt roles" }
                    @if c.tally.late > 0 { " · " (c.tally.late) " late" }
                }
                (tally_rules(&c.tally))
                @if let Some(s) = &c.secret { (secret_section(s)) }
                @if member {
                    @if c.my_pledge { p { strong { "You have pledged." } @if c.secret.is_some() { " Only your own device knows. It sends your pledge after 1 to 30 minutes, through a hub chosen at random." } } } @else if open { p { "You have not pledged." } }
                }
                h2 { "Pledges over time" }
                (charts::pledges_over_time(&data.timeline, chart_need(c), ctx.now, "Pledges over time"))
                (crate::areas::votes::call_record(&data.record, net))
            }
            @if data.me.as_ref().is_some_and(|m| m.organizer) { (crate::areas::votes::concession_forms(&ctx.csrf, &c.op.to_hex(), &data.record)) }
            @if member && open && !c.my_pledge {
                @if c.secret.as_ref().is_some_and(|s| s.mine != "ready") {
                    p.meta { "Your device is " (c.secret.as_ref().map(|s| s.mine.as_str()).unwrap_or("")) ": it pledges once the organizers' nodes have answered its request for a credential (sync with them)." }
                } @else {
                    form method="post" action=(format!("/calls/{}/pledge", c.op.to_hex())) {
                        (csrf_field(&ctx.csrf))
                        button.primary type="submit" { "Pledge" }
                        span.meta { " It counts only together with the others: nobody is exposed alone." }
                    }
                }
            }
            @if member && c.secret.as_ref().is_some_and(|s| s.mine == "pledged" || s.mine == "ready") {
                details {
                    summary { "Forget which pledge is mine" }
                    form method="post" action=(format!("/calls/{}/forget", c.op.to_hex())) {
                        (csrf_field(&ctx.csrf))
                        p { "Your device keeps the key your secret pledge was made with, so that you can withdraw it. Forgetting wipes it: if this device is taken, nothing on it says which pledge is yours. You can then no longer withdraw." }
                        button.danger type="submit" { "Forget" }
                    }
                }
            }
            @if member && withdrawable {
                form method="post" action=(format!("/calls/{}/withdraw", c.op.to_hex())) {
                    (csrf_field(&ctx.csrf))
                    button type="submit" { "Withdraw my pledge" }
                    span.meta { " Possible until the call triggers." }
                }
            }
            section.card {
                h2 { "The call" }
                @if !c.demands.is_empty() { h3 { "Demands" } ul { @for d in &c.demands { li { (d) } } } }
                dl {
                    dt { "Deadline" } dd { (minute(c.deadline)) " UTC: pledges after it do not count" }
                    @for (i, w) in c.tally.waves.iter().enumerate() { dt { "Starts" @if c.tally.waves.len() > 1 { " (wave " (i + 1) ")" } } dd { (minute(w.starts)) " UTC, once triggered" } }
                    @if !c.scope.is_empty() { dt { "Scope" } dd { (c.scope) } }
                    @if !c.exempt_roles.is_empty() { dt { "Exempt (not asked, not counted)" } dd { (c.exempt_roles.join(", ")) } }
                    @if let Some(cp) = &c.closed_by { dt { "Count closed by" } dd { "checkpoint " (cp) } }
                }
                p.meta { "Who pledged is visible to this network's members only: every pledge is a signed operation in its encrypted log." }
            }
        },
    ))
}

async fn pledge(State(state): State<AppState>, authed: Authed, Path(call): Path<String>, _: Form<Empty>) -> PageResult {
    pledge_or_withdraw(state, authed, call, true).await
}

async fn withdraw(
    State(state): State<AppState>,
    authed: Authed,
    Path(call): Path<String>,
    _: Form<Empty>,
) -> PageResult {
    pledge_or_withdraw(state, authed, call, false).await
}

async fn forget(State(state): State<AppState>, authed: Authed, Path(call): Path<String>, _: Form<Empty>) -> PageResult {
    let op = page_op_id(&call)?;
    let result = state
        .act(move |node| {
            let (net, op) = node.find_call(&op.to_hex())?;
            node.forget_secret(&net, &op)?;
            Ok("Forgotten: this device no longer knows which pledge is yours.".to_string())
        })
        .await;
    Ok(done(&state, &authed, &format!("/calls/{call}"), result))
}

/// A secret call's or vote's credentials, and what trust remains, as its page shows them.
pub fn secret_section(s: &strike_node::secret::SecretView) -> Markup {
    html! {
        section.card aria-labelledby="secret-h" {
            h2 #secret-h { "Secret" }
            p { "Nobody, organizers included, can tell who took part: each did so under a one-time key with a credential the organizers' nodes signed without seeing it." }
            p {
                "Credentials: " strong { (s.issued) } " issued of " (s.eligible) " eligible members (" (s.requested) " asked) · "
                (s.one_time_authors) " used · issued by " (s.issuers.join(", "))
            }
            @for f in &s.flags { p.notice role="alert" { "Warning: " (f) } }
            p.meta { "The trust that remains: the issuers together could sign credentials outside the log. Extras beyond the eligible members are flagged and never count, but they could take the place of members who stay out. Each pledge shows its group (at least 5 people) and its hour." }
        }
    }
}

async fn pledge_or_withdraw(state: AppState, authed: Authed, call: String, pledged: bool) -> PageResult {
    let op = page_op_id(&call)?;
    let result = state
        .act(move |node| {
            let (net, op) = node.find_call(&op.to_hex())?;
            let (_, view) = node.pledge(&net, &op, pledged)?;
            Ok(match (pledged, view.tally.status) {
                (true, CallStatus::Triggered | CallStatus::Started) => {
                    "Pledged, and that did it: the call has triggered.".to_string()
                }
                (true, _) => format!("Pledged. {} pledges counted so far.", view.tally.counted),
                (false, _) => "Your pledge is withdrawn.".to_string(),
            })
        })
        .await;
    Ok(done(&state, &authed, &format!("/calls/{call}"), result))
}

// ---- JSON ----

/// The network's calls, every status
#[utoipa::path(get, path = "/networks/{net}/calls", params(NetPath), responses((status = 200, description = "OK", body = CallList), ReadRefusals))]
async fn list_calls(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(Json(&*state.view(format!("calls/{net}"), move |node| call_list(node, &id)).await?).into_response())
}

#[derive(Serialize, ToSchema)]
struct CallCreated {
    call_id: String,
}

/// Open a strike call (organizers)
#[utoipa::path(post, path = "/networks/{net}/calls", params(NetPath, Csrf), request_body = CallSpec, responses((status = 201, description = "Created", body = CallCreated), Refusals))]
async fn post_call(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<CallSpec>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, spec) = (network_id(&net)?, body(b)?);
    let op = state
        .act(move |node| {
            let call = spec.build(node.now())?;
            node.create_call(&id, call)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(CallCreated { call_id: op.to_hex() })).into_response())
}

/// A call with its tally and pledges over time
#[utoipa::path(get, path = "/calls/{call}", params(CallPath), responses((status = 200, description = "OK", body = CallPage), ReadRefusals))]
async fn get_call(State(state): State<AppState>, _: Authed, Path(call): Path<String>) -> ApiResult<Response> {
    let op = op_id(&call)?;
    let page = state
        .view(format!("call/{call}"), move |node| {
            let (net, op) = node.find_call(&op.to_hex())?;
            call_page(node, &net, &op)
        })
        .await?;
    Ok(Json(&*page).into_response())
}

#[derive(Serialize, ToSchema)]
struct Pledged {
    op_id: String,
    #[schema(value_type = CallJson)]
    call: CallView,
}

/// Pledge to a call: it counts only together with the others
#[utoipa::path(post, path = "/calls/{call}/pledge", params(CallPath, Csrf), responses((status = 200, description = "OK", body = Pledged), Refusals))]
async fn post_pledge(State(state): State<AppState>, _: Authed, Path(call): Path<String>) -> ApiResult<Json<Pledged>> {
    pledge_json(state, call, true).await
}

/// Withdraw your pledge (until the call triggers)
#[utoipa::path(post, path = "/calls/{call}/withdraw", params(CallPath, Csrf), responses((status = 200, description = "OK", body = Pledged), Refusals))]
async fn post_withdraw(State(state): State<AppState>, _: Authed, Path(call): Path<String>) -> ApiResult<Json<Pledged>> {
    pledge_json(state, call, false).await
}

/// On a secret call, forget which pledge is yours: your device wipes its one-time key and can no
/// longer withdraw
#[utoipa::path(post, path = "/calls/{call}/forget", params(CallPath, Csrf), responses((status = 200, description = "OK", body = CallJson), Refusals))]
async fn post_forget(State(state): State<AppState>, _: Authed, Path(call): Path<String>) -> ApiResult<Response> {
    let op = op_id(&call)?;
    let view = state
        .act(move |node| {
            let (net, call) = node.find_call(&op.to_hex())?;
            node.forget_secret(&net, &call)?;
            node.call(&net, &call)
        })
        .await?;
    Ok(Json(view).into_response())
}

async fn pledge_json(state: AppState, call: String, pledged: bool) -> ApiResult<Json<Pledged>> {
    let op = op_id(&call)?;
    let (op, call) = state
        .act(move |node| {
            let (net, call) = node.find_call(&op.to_hex())?;
            node.pledge(&net, &call, pledged)
        })
        .await?;
    Ok(Json(Pledged { op_id: op.to_hex(), call }))
}
