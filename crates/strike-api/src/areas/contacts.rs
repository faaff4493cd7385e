//! Contacts and assessments: organizers map co-workers who are not members yet, note their
//! one-on-ones and assess support from 1 to 5; the workplace map counts members and
//! contacts by department and shift. Its sections sit on the directory page.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use maud::{Markup, html};
use serde::Deserialize;
use strike_core::contacts::Contact;
use strike_core::{NetworkId, OpId};
use strike_node::circles::CircleView;
use strike_node::contacts::{ContactView, MapCell, WorkplaceMap};
use strike_node::{Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiResult, Refusals};
use crate::forms::{Csrf, NetPath, NetworkCommand, OpCreated, write};
use crate::pages::{PageResult, apply, csrf_field, day};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/contacts", post(add_contact))
        .route("/networks/{net}/contacts/assess", post(assess))
        .route("/networks/{net}/contacts/note", post(note))
        .route("/networks/{net}/contacts/reissue", post(reissue))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_contact))
        .routes(routes!(post_assessment))
        .routes(routes!(post_note))
        .routes(routes!(post_reissue))
}

/// A co-worker who is not a member yet (organizers).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    pub workplace: String,
    pub department: String,
    pub shift: String,
    pub role: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl NetworkCommand for ContactInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        let ContactInput { name, workplace, department, shift, role, .. } = self;
        node.add_contact(network, Contact { name, workplace, department, shift, role })
    }
}

/// A 1-5 support assessment of a contact, with an optional note (organizers).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AssessInput {
    /// The contact's id, a prefix of 6+ hex digits, or their exact name.
    pub contact: String,
    /// 1 (hostile) to 5 (will lead).
    pub level: u8,
    pub note: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl NetworkCommand for AssessInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        let contact = node.resolve_contact(network, &self.contact)?;
        node.assess(network, &contact, self.level, &self.note)
    }
}

/// A one-on-one note about a contact (organizers).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NoteInput {
    /// The contact's id, a prefix of 6+ hex digits, or their exact name.
    pub contact: String,
    pub text: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl NetworkCommand for NoteInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        let contact = node.resolve_contact(network, &self.contact)?;
        node.note_contact(network, &contact, &self.text)
    }
}

/// A contact written before circles, re-issued into the organizers' circle (organizers).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReissueInput {
    /// The old contact's id, a prefix of 6+ hex digits, or their exact name.
    pub contact: String,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl NetworkCommand for ReissueInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        let contact = node.resolve_contact(network, &self.contact)?;
        node.reissue_contact(network, &contact)
    }
}

// ---- page sections ----

/// The day of a coarse minute.
fn day_of(m: u32) -> String {
    day(strike_core::CoarseTime(m).unix_seconds())
}

/// The support class of a map cell: the share of people mapped there who are members or
/// assessed 4-5: "strong" from three quarters (a strike needs most of a shift out), "mixed"
/// from half, "weak" below.
fn support_class(c: &MapCell) -> (&'static str, &'static str) {
    let supporters = c.members + c.by_support[3] + c.by_support[4];
    let total = c.members + c.by_support.iter().sum::<u64>() + c.unassessed;
    match total {
        0 => ("support-none", "nobody mapped"),
        _ if supporters * 4 >= total * 3 => ("support-high", "strong"),
        _ if supporters * 2 >= total => ("support-mid", "mixed"),
        _ => ("support-low", "weak"),
    }
}

/// The workplace map: departments by shifts, each cell's members and contacts by support.
pub fn map_section(m: &WorkplaceMap) -> Markup {
    html! {
        section.card aria-labelledby="map-h" {
            h2 #map-h { "Workplace map" }
            @if m.departments.is_empty() { p.meta { "Nobody mapped yet: members fill in their department and shift; organizers add contacts." } } @else if !m.full {
                table.map {
                    caption { "Each cell: members, and co-workers organizers are talking to. How each contact leans stays with the organizers: in a small cell, a count would name someone." }
                    thead { tr { th scope="col" { "Department" } @for s in &m.shifts { th scope="col" { (s) } } } }
                    tbody {
                        @for (d, row) in m.departments.iter().zip(&m.cells) {
                            tr {
                                th scope="row" { (d) }
                                @for c in row { td { (c.members) " members" @if c.contacts > 0 { br; (c.contacts) " contacts" } } }
                            }
                        }
                    }
                }
            } @else {
                table.map {
                    caption { "Each cell: members, then contacts by support (5 = will lead, 1 = hostile). Strong: three quarters are members or 4-5s; mixed: half; weak: less. Support levels: " (crate::areas::circles::visible_to("visible to: Organizers")) "." }
                    thead { tr { th scope="col" { "Department" } @for s in &m.shifts { th scope="col" { (s) } } } }
                    tbody {
                        @for (d, row) in m.departments.iter().zip(&m.cells) {
                            tr {
                                th scope="row" { (d) }
                                @for c in row {
                                    @let (class, word) = support_class(c);
                                    td class=(class) {
                                        strong { (word) } br;
                                        (c.members) " members"
                                        @let contacts: u64 = c.by_support.iter().sum::<u64>() + c.unassessed;
                                        @if contacts > 0 {
                                            br; (contacts) " contacts: "
                                            @for (i, n) in c.by_support.iter().enumerate().rev() { @if *n > 0 { (n) "×" (i + 1) " " } }
                                            @if c.unassessed > 0 { (c.unassessed) " not assessed" }
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

/// Every contact with their assessments and notes, as far as this node reads them: the
/// organizers' circle sees all; other members see contacts written before circles only.
pub fn section(csrf: &str, net: &str, contacts: &[ContactView], circle: &CircleView) -> Markup {
    let readable: Vec<&ContactView> = contacts.iter().filter(|c| !c.name.is_empty()).collect();
    let sealed = contacts.len() - readable.len();
    let old = readable.iter().filter(|c| c.legacy).count();
    html! {
        section.card aria-labelledby="contacts-h" {
            h2 #contacts-h { "Contacts and assessments (" (contacts.len()) ")" }
            @if circle.i_am_in {
                p.meta { "Co-workers organizers talk to who are not members yet. Names, notes and assessments: " (visible_to_label(circle)) "; where they work: every member (calls count contacts)." }
            } @else {
                p.meta { "Co-workers organizers talk to who are not members yet. Their names, notes and assessments are kept in the organizers' circle (" (circle.size) " organizers): you see how many there are per department and shift on the map." }
            }
            @if old > 0 {
                p.flash.error role="note" { (old) " contacts were written before circles: every member can read their names, notes and assessments. An organizer can re-issue each into the organizers' circle; the old entries stay in every copy of the log." }
            }
            @if !readable.is_empty() {
                table {
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Department" } th scope="col" { "Shift" } th scope="col" { "Support" } th scope="col" { "History" } th scope="col" { "Who reads it" } } }
                    tbody {
                        @for c in &readable {
                            tr {
                                td { (c.name) }
                                td { (c.department) }
                                td { (c.shift) }
                                td { @match c.support { Some(l) => { span class=(format!("level l{l}")) { (l) " / 5" } }, None => { "not assessed" } } }
                                td {
                                    @for (t, level, note) in &c.assessments { span.meta { (day_of(*t)) } " assessed " (level) @if !note.is_empty() { ": " (note) } br; }
                                    @for (t, text) in &c.notes { span.meta { (day_of(*t)) } " note: " (text) br; }
                                }
                                td {
                                    @if c.legacy {
                                        "every member (written before circles)"
                                        @if circle.i_am_in {
                                            form.inline method="post" action=(format!("/networks/{net}/contacts/reissue")) {
                                                (csrf_field(csrf))
                                                input type="hidden" name="contact" value=(c.full_id);
                                                button type="submit" aria-label=(format!("Re-issue {} into the organizers' circle", c.name)) { "Re-issue into the circle" }
                                                " " (visible_to_label(circle))
                                            }
                                        }
                                    } @else { (visible_to_label(circle)) }
                                }
                            }
                        }
                    }
                }
            }
            @if sealed > 0 && !circle.i_am_in { p { (sealed) " contacts in the organizers' circle." } }
        }
    }
}

fn visible_to_label(circle: &CircleView) -> Markup {
    crate::areas::circles::visible_to(&circle.visible_to)
}

/// Organizers: map a co-worker, record a one-on-one, assess support. Each form says who
/// will read what it writes.
pub fn forms(csrf: &str, net: &str, contacts: &[ContactView], circle: &CircleView) -> Markup {
    let contacts: Vec<&ContactView> = contacts.iter().filter(|c| !c.name.is_empty()).collect();
    let pick = |id: &str| {
        html! {
            label for=(id) { "Contact" }
            select id=(id) name="contact" required {
                @for c in &contacts {
                    @let place: Vec<&str> = [c.department.as_str(), c.shift.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
                    option value=(c.full_id) { (c.name) @if !place.is_empty() { " (" (place.join(", ")) ")" } }
                }
            }
        }
    };
    html! {
        section.card aria-labelledby="organize-h" {
            h2 #organize-h { "Organizers: map the workplace" }
            @if !circle.can_write {
                p.flash.error role="alert" { "Your node holds no key of the organizers' circle yet, so it cannot write contacts, notes or assessments: it receives one on its next sync with another organizer." }
            }
            form method="post" action=(format!("/networks/{net}/contacts")) {
                (csrf_field(csrf))
                h3 { "Add a co-worker who is not a member yet" }
                @for (field, label, required) in [("name", "Name", true), ("department", "Department", false), ("shift", "Shift", false), ("role", "Job", false), ("workplace", "Workplace", false)] {
                    label for=(format!("c-{field}")) { (label) }
                    input id=(format!("c-{field}")) type="text" name=(field) maxlength="200" required[required];
                }
                button type="submit" { "Add contact" }
                " " (visible_to_label(circle)) span.meta { " (the name; where they work: every member)" }
            }
            @if !contacts.is_empty() {
                form method="post" action=(format!("/networks/{net}/contacts/assess")) {
                    (csrf_field(csrf))
                    h3 { "Assess support" }
                    (pick("a-contact"))
                    label for="a-level" { "Support, 1 (hostile) to 5 (will lead)" }
                    select #a-level name="level" {
                        @for l in (1..=5).rev() { option value=(l) { (l) } }
                    }
                    label for="a-note" { "Why (optional)" }
                    input #a-note type="text" name="note" maxlength="4000";
                    button type="submit" { "Save assessment" }
                    " " (visible_to_label(circle))
                }
                form method="post" action=(format!("/networks/{net}/contacts/note")) {
                    (csrf_field(csrf))
                    h3 { "Note a one-on-one" }
                    (pick("n-contact"))
                    label for="n-text" { "What you talked about" }
                    textarea #n-text name="text" rows="3" maxlength="4000" required {}
                    button type="submit" { "Save note" }
                    " " (visible_to_label(circle))
                }
            }
        }
    }
}

async fn add_contact(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<ContactInput>,
) -> PageResult {
    let done = format!("{} is on the map.", f.name.trim());
    apply(&state, &authed, &net, f, "/directory", done).await
}

async fn assess(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<AssessInput>,
) -> PageResult {
    apply(&state, &authed, &net, f, "/directory", "Assessment saved.").await
}

async fn note(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<NoteInput>,
) -> PageResult {
    apply(&state, &authed, &net, f, "/directory", "Note saved.").await
}

async fn reissue(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<ReissueInput>,
) -> PageResult {
    let ok = "Re-issued into the organizers' circle; the old entry is retracted (its ciphertext stays in the log).";
    apply(&state, &authed, &net, f, "/directory", ok).await
}

// ---- JSON ----

/// Map a co-worker who is not a member yet (organizers)
#[utoipa::path(post, path = "/networks/{net}/contacts", params(NetPath, Csrf), request_body = ContactInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_contact(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<ContactInput>, JsonRejection>,
) -> ApiResult<Response> {
    write(state, net, b).await
}

/// Assess a contact's support from 1 (hostile) to 5 (will lead) (organizers)
#[utoipa::path(post, path = "/networks/{net}/assessments", params(NetPath, Csrf), request_body = AssessInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_assessment(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<AssessInput>, JsonRejection>,
) -> ApiResult<Response> {
    write(state, net, b).await
}

/// Note a one-on-one with a contact (organizers)
#[utoipa::path(post, path = "/networks/{net}/notes", params(NetPath, Csrf), request_body = NoteInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_note(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<NoteInput>, JsonRejection>,
) -> ApiResult<Response> {
    write(state, net, b).await
}

/// Re-issue a contact written before circles into the organizers' circle, and retract the old one (organizers)
#[utoipa::path(post, path = "/networks/{net}/contacts/reissue", params(NetPath, Csrf), request_body = ReissueInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_reissue(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<ReissueInput>, JsonRejection>,
) -> ApiResult<Response> {
    write(state, net, b).await
}
