//! Events: a network's meetings, pickets, trainings, socials and actions. Pages: the list
//! (with the form organizers set one out with), an event's page (answer going, maybe or no;
//! sign up for a shift or leave it; call it off) and the upcoming events on the dashboard.
//! The JSON API does the same.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::events::{Answer, EventKind, ShiftInput};
use strike_core::{NetworkId, OpId};
use strike_node::events::{EventSpec, EventView};
use strike_node::networks::NetworkView;
use strike_node::{Node, NodeError, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, OpCreated, body, network_id};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, csrf_field, done, layout, network_nav, page_network_id, page_op_id, when};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/events", get(list_page).post(create))
        .route("/networks/{net}/events/{event}", get(event_page))
        .route("/networks/{net}/events/{event}/rsvp", post(rsvp))
        .route("/networks/{net}/events/{event}/shifts/{shift}", post(signup))
        .route("/networks/{net}/events/{event}/cancel", post(cancel))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_events, post_event))
        .routes(routes!(get_event))
        .routes(routes!(post_rsvp))
        .routes(routes!(post_signup))
        .routes(routes!(post_cancel))
}

/// `{event}`: an event's full id.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct EventPath {
    /// The event's full id (64 hex digits).
    #[param(pattern = "^[0-9a-f]{64}$")]
    event: String,
}

/// `{shift}`: a shift's number in its event (1, 2, ...).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct ShiftPath {
    shift: u16,
}

fn event_id(text: &str) -> ApiResult<OpId> {
    text.parse().map_err(|_| ApiError::NotFound("no event has that id (use its full id)".into()))
}

/// A network's events as the list page shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventsPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    /// Soonest first, called-off ones included.
    pub events: Vec<EventView>,
}

fn events_page(node: &Node, network: &NetworkId) -> Result<EventsPage> {
    let row = node.network(network)?;
    Ok(EventsPage { network: NetworkView::of(&row), me: me(node, network)?, events: node.events(network)? })
}

/// One event and the network it is in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub event: EventView,
}

fn event_view(node: &Node, network: &NetworkId, event: &OpId) -> Result<EventPage> {
    let row = node.network(network)?;
    Ok(EventPage { network: NetworkView::of(&row), me: me(node, network)?, event: node.event(network, event)? })
}

// ---- page sections ----

/// Upcoming events as the dashboard lists them: when, what, and the shifts still short.
pub fn upcoming(net: &str, events: &[EventView]) -> Markup {
    html! {
        @if !events.is_empty() {
            h3 { "Upcoming events" }
            ul.events {
                @for e in events {
                    li {
                        a href=(format!("/networks/{net}/events/{}", e.op_id)) { (e.title) }
                        span.meta { " · " (e.kind) " · " (when(e.start)) " UTC" @if !e.place.is_empty() { " · " (e.place) } }
                        @if !e.short_shifts.is_empty() {
                            br; span.meta { "Still short: " (e.short_shifts.join("; ")) }
                        }
                    }
                }
            }
        }
    }
}

/// The form organizers set out an event with; after a mistake it holds what was typed.
fn create_form(csrf: &str, net: &str, typed: &EventForm, error: Option<&str>) -> Markup {
    html! {
        section.card aria-labelledby="new-event-h" {
            h2 #new-event-h { "Set out an event" }
            @if let Some(e) = error { p.flash.error role="alert" #event-error { (e) } }
            form method="post" action=(format!("/networks/{net}/events")) aria-describedby=[error.map(|_| "event-error")] {
                (csrf_field(csrf))
                label for="event-kind" { "Kind" }
                select #event-kind name="kind" {
                    @for k in EventKind::ALL {
                        option value=(k.as_str()) selected[typed.kind == k.as_str()] { (k.as_str()) }
                    }
                }
                label for="event-title" { "Title" }
                input #event-title type="text" name="title" value=(typed.title) required maxlength="80";
                label for="event-start" { "Starts (2026-12-15 18:00 UTC, or 3d from now)" }
                input #event-start type="text" name="start" value=(typed.start) required;
                label for="event-place" { "Where" }
                input #event-place type="text" name="place" value=(typed.place) maxlength="80";
                label for="event-note" { "Note (optional)" }
                input #event-note type="text" name="note" value=(typed.note) maxlength="2000";
                label for="event-shifts" { "Shifts of a picket or an action, one per line: gate, start-end on the event's day, people needed (North gate, 05:30-09:00, 4)" }
                textarea #event-shifts.mono name="shifts" rows="5" { (typed.shifts) }
                button type="submit" { "Set out the event" }
            }
        }
    }
}

fn events_table(net: &str, events: &[EventView]) -> Markup {
    html! {
        @if events.is_empty() { p { "No events yet." } } @else {
            table {
                thead { tr { th scope="col" { "When (UTC)" } th scope="col" { "Event" } th scope="col" { "Kind" } th scope="col" { "Where" } th scope="col" { "Going" } th scope="col" { "Shifts" } } }
                tbody {
                    @for e in events {
                        tr {
                            td { (when(e.start)) }
                            td {
                                a href=(format!("/networks/{net}/events/{}", e.op_id)) { (e.title) }
                                @if e.cancelled.is_some() { " " span.badge { "called off" } }
                            }
                            td { (e.kind) }
                            td { (e.place) }
                            td { (e.going) @if e.maybe > 0 { " (+" (e.maybe) " maybe)" } }
                            td {
                                @if e.shifts.is_empty() { "—" } @else {
                                    (e.shifts.iter().map(|s| s.on.len()).sum::<usize>()) " of " (e.shifts.iter().map(|s| usize::from(s.needed)).sum::<usize>())
                                    @if !e.short_shifts.is_empty() { " · " (e.short_shifts.len()) " short:" }
                                    @for short in &e.short_shifts { br; small { (short) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn shifts_section(csrf: &str, net: &str, e: &EventView, member: bool) -> Markup {
    html! {
        section.card aria-labelledby="shifts-h" {
            h2 #shifts-h { "Shifts" }
            @if !e.short_shifts.is_empty() {
                p role="status" { "Still short: " (e.short_shifts.join("; ")) }
            } @else {
                p role="status" { "Every shift is covered." }
            }
            table {
                thead { tr { th scope="col" { "Shift" } th scope="col" { "Filled" } th scope="col" { "On the shift" } th scope="col" { "Standing by" } th scope="col" { "You" } } }
                tbody {
                    @for s in &e.shifts {
                        tr {
                            td { (s.number) ". " (s.label) }
                            td { (s.on.len()) " of " (s.needed) }
                            td { (s.on.join(", ")) }
                            td { (s.standby.join(", ")) }
                            td {
                                @if member && e.cancelled.is_none() {
                                    form.inline method="post" action=(format!("/networks/{net}/events/{}/shifts/{}", e.op_id, s.number)) {
                                        (csrf_field(csrf))
                                        @match s.me {
                                            Some(place) => {
                                                (place) " "
                                                input type="hidden" name="joined" value="false";
                                                button type="submit" aria-label=(format!("Leave {}", s.label)) { "Leave" }
                                            }
                                            None => {
                                                input type="hidden" name="joined" value="true";
                                                button type="submit" aria-label=(format!("Sign up for {}", s.label)) { "Sign up" }
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
}

/// The list's form fields, as typed (shifts one per line).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct EventForm {
    kind: String,
    title: String,
    start: String,
    place: String,
    note: String,
    shifts: String,
}

impl EventForm {
    fn spec(&self) -> Result<EventSpec> {
        Ok(EventSpec {
            kind: self.kind.clone(),
            title: self.title.clone(),
            start: self.start.clone(),
            place: self.place.clone(),
            note: self.note.clone(),
            shifts: ShiftInput::parse_lines(&self.shifts).map_err(NodeError::InvalidInput)?,
        })
    }
}

async fn list_page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    render_list(&state, &authed, &net, None).await
}

async fn render_list(state: &AppState, authed: &Authed, net: &str, failed: Option<(EventForm, String)>) -> PageResult {
    let id = page_network_id(net)?;
    let data = state.view(format!("events/{net}"), move |node| events_page(node, &id)).await?;
    let ctx = Ctx::load(state, authed).await?;
    let organizer = data.me.as_ref().is_some_and(|m| m.organizer);
    let blank = EventForm { kind: "meeting".into(), ..EventForm::default() };
    let mut response = layout(
        &ctx,
        html! {
            h1 { (data.network.name.clone().unwrap_or_default()) ": events" }
            (network_nav(net, Some("events")))
            div #live-events data-live {
                section.card aria-labelledby="events-h" {
                    h2 #events-h { "Meetings, pickets and actions" }
                    (events_table(net, &data.events))
                }
            }
            @if organizer {
                @let (typed, error) = match &failed { Some((f, e)) => (f, Some(e.as_str())), None => (&blank, None) };
                (create_form(&ctx.csrf, net, typed, error))
            }
        },
    );
    if failed.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// Sets out an event; a mistake shows the list again with the form as typed.
async fn create(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<EventForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let typed = form.clone();
    let result = state.act(move |node| node.create_event(&id, &typed.spec()?)).await;
    match result {
        Ok(op) => {
            Ok(done(&state, &authed, &format!("/networks/{net}/events/{}", op.to_hex()), Ok("Event set out.".into())))
        }
        Err(e @ (ApiError::BadRequest(_) | ApiError::Refused(_) | ApiError::Forbidden(_))) => {
            let message = e.to_string();
            render_list(&state, &authed, &net, Some((form, message))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn event_page(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, event)): Path<(String, String)>,
) -> PageResult {
    let (id, op) = (page_network_id(&net)?, page_op_id(&event)?);
    let data = state.view(format!("event/{net}/{event}"), move |node| event_view(node, &id, &op)).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let e = &data.event;
    let member = data.me.as_ref().is_some_and(|m| m.status == "member");
    let organizer = data.me.as_ref().is_some_and(|m| m.organizer);
    let base = format!("/networks/{net}/events/{}", e.op_id);
    Ok(layout(
        &ctx,
        html! {
            h1 { (e.title) }
            (network_nav(&net, None))
            div #live-event data-live {
                section.card {
                    p.meta {
                        (e.kind) " · " (when(e.start)) " UTC"
                        @if !e.place.is_empty() { " · " (e.place) }
                        " · set out by " (e.by)
                    }
                    @if let Some(reason) = &e.cancelled {
                        p.flash.error role="status" { "Called off" @if !reason.is_empty() { ": " (reason) } }
                    }
                    @if !e.note.is_empty() { p { (e.note) } }
                    p { strong { (e.going) } " going · " (e.maybe) " maybe · " (e.no) " not going"
                        @if let Some(a) = e.my_answer { " · you: " strong { (a) } } }
                    @if member && e.cancelled.is_none() {
                        form.inline method="post" action=(format!("{base}/rsvp")) {
                            (csrf_field(&ctx.csrf))
                            @for a in Answer::ALL {
                                button type="submit" name="answer" value=(a.as_str()) aria-pressed=(if e.my_answer == Some(a.as_str()) { "true" } else { "false" }) { (a.as_str()) }
                                " "
                            }
                        }
                    }
                }
                @if !e.shifts.is_empty() { (shifts_section(&ctx.csrf, &net, e, member)) }
            }
            @if organizer && e.cancelled.is_none() {
                section.card aria-labelledby="cancel-h" {
                    h2 #cancel-h { "Call it off" }
                    form method="post" action=(format!("{base}/cancel")) {
                        (csrf_field(&ctx.csrf))
                        label for="cancel-reason" { "Reason, for everyone signed up (optional)" }
                        input #cancel-reason type="text" name="reason" maxlength="2000";
                        button.danger type="submit" { "Call off the event" }
                    }
                }
            }
            p { a href=(format!("/networks/{net}/events")) { "All events" } }
        },
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RsvpInput {
    /// going, maybe or no
    pub answer: String,
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupInput {
    /// true signs up, false leaves
    pub joined: bool,
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CancelInput {
    /// Why, for everyone signed up (optional)
    pub reason: String,
    #[serde(rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

fn answer(text: &str) -> Result<Answer> {
    Answer::parse(text).map_err(NodeError::InvalidInput)
}

/// Runs one event command from a page and goes back to the event's page with its message.
async fn on_event(
    state: &AppState,
    authed: &Authed,
    net: &str,
    event: &str,
    ok: &'static str,
    command: impl FnOnce(&mut Node, &NetworkId, &OpId) -> Result<OpId> + Send + 'static,
) -> PageResult {
    let (id, op) = (page_network_id(net)?, page_op_id(event)?);
    let result = state.act(move |node| command(node, &id, &op)).await.map(|_| ok.to_owned());
    Ok(done(state, authed, &format!("/networks/{net}/events/{event}"), result))
}

async fn rsvp(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, event)): Path<(String, String)>,
    Form(f): Form<RsvpInput>,
) -> PageResult {
    on_event(&state, &authed, &net, &event, "Your answer is recorded.", move |node, id, op| {
        node.rsvp(id, op, answer(&f.answer)?)
    })
    .await
}

async fn signup(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, event, shift)): Path<(String, String, u16)>,
    Form(f): Form<SignupInput>,
) -> PageResult {
    let ok = if f.joined { "You are signed up." } else { "You left the shift." };
    on_event(&state, &authed, &net, &event, ok, move |node, id, op| node.shift_signup(id, op, shift, f.joined)).await
}

async fn cancel(
    State(state): State<AppState>,
    authed: Authed,
    Path((net, event)): Path<(String, String)>,
    Form(f): Form<CancelInput>,
) -> PageResult {
    on_event(&state, &authed, &net, &event, "The event is called off.", move |node, id, op| {
        node.cancel_event(id, op, &f.reason)
    })
    .await
}

// ---- JSON ----

/// A network's events, soonest first (called-off ones included)
#[utoipa::path(get, path = "/networks/{net}/events", params(NetPath), responses((status = 200, description = "OK", body = EventsPage), ReadRefusals))]
async fn get_events(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let page = state.view(format!("events/{net}"), move |node| events_page(node, &id)).await?;
    Ok(Json(&*page).into_response())
}

/// Set out an event (organizers): a meeting, a picket with shifts, a training ...
#[utoipa::path(post, path = "/networks/{net}/events", params(NetPath, Csrf), request_body = EventSpec, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_event(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<EventSpec>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, spec) = (network_id(&net)?, body(b)?);
    let op = state.act(move |node| node.create_event(&id, &spec)).await?;
    Ok(created(op))
}

fn created(op: OpId) -> Response {
    (StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response()
}

/// One event: answers, shifts with who is on them and who stands by
#[utoipa::path(get, path = "/networks/{net}/events/{event}", params(NetPath, EventPath), responses((status = 200, description = "OK", body = EventPage), ReadRefusals))]
async fn get_event(
    State(state): State<AppState>,
    _: Authed,
    Path((net, event)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, op) = (network_id(&net)?, event_id(&event)?);
    let page = state.view(format!("event/{net}/{event}"), move |node| event_view(node, &id, &op)).await?;
    Ok(Json(&*page).into_response())
}

/// Answer an event: going, maybe or no (the last answer stands)
#[utoipa::path(post, path = "/networks/{net}/events/{event}/rsvp", params(NetPath, EventPath, Csrf), request_body = RsvpInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_rsvp(
    State(state): State<AppState>,
    _: Authed,
    Path((net, event)): Path<(String, String)>,
    b: std::result::Result<Json<RsvpInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, op, input) = (network_id(&net)?, event_id(&event)?, body(b)?);
    let written = state.act(move |node| node.rsvp(&id, &op, answer(&input.answer)?)).await?;
    Ok(created(written))
}

/// Sign up for a shift (joined=true) or leave it; a full or past shift is refused
#[utoipa::path(post, path = "/networks/{net}/events/{event}/shifts/{shift}", params(NetPath, EventPath, ShiftPath, Csrf), request_body = SignupInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_signup(
    State(state): State<AppState>,
    _: Authed,
    Path((net, event, shift)): Path<(String, String, u16)>,
    b: std::result::Result<Json<SignupInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, op, input) = (network_id(&net)?, event_id(&event)?, body(b)?);
    let written = state.act(move |node| node.shift_signup(&id, &op, shift, input.joined)).await?;
    Ok(created(written))
}

/// Call an event off (organizers)
#[utoipa::path(post, path = "/networks/{net}/events/{event}/cancel", params(NetPath, EventPath, Csrf), request_body = CancelInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_cancel(
    State(state): State<AppState>,
    _: Authed,
    Path((net, event)): Path<(String, String)>,
    b: std::result::Result<Json<CancelInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, op, input) = (network_id(&net)?, event_id(&event)?, body(b)?);
    let written = state.act(move |node| node.cancel_event(&id, &op, &input.reason)).await?;
    Ok(created(written))
}
