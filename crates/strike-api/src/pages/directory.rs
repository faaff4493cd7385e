//! The directory: profiles and skills, cover offers and needs with the "who can cover"
//! search, organizers' contacts and assessments, and the workplace map by support level.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::routing::{get, post};
use maud::{Markup, html};
use strike_core::CoverKind;
use strike_node::contacts::{MapCell, WorkplaceMap};
use strike_node::cover::CoverView;

use super::{Ctx, PageResult, apply, csrf_field, layout, network_id};

/// The day of a coarse minute.
fn day_of(m: u32) -> String {
    super::day(strike_core::CoarseTime(m).unix_seconds())
}
use crate::AppState;
use crate::forms::{AssessInput, ContactInput, CoverInput, CoverQuery, NoteInput, ProfileInput, SkillInput};
use crate::model::{self, Directory};
use crate::security::Authed;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/directory", get(page))
        .route("/networks/{net}/cover-search", post(search))
        .route("/networks/{net}/profile", post(profile))
        .route("/networks/{net}/skill", post(skill))
        .route("/networks/{net}/cover", post(cover))
        .route("/networks/{net}/contacts", post(add_contact))
        .route("/networks/{net}/contacts/assess", post(assess))
        .route("/networks/{net}/contacts/note", post(note))
}

async fn page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    render(&state, &authed, &net, None).await
}

async fn search(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<CoverQuery>,
) -> PageResult {
    let id = network_id(&net)?;
    let query = form.clone();
    let found = state.act(move |node| query.run(node, &id)).await;
    render(&state, &authed, &net, Some((form, found))).await
}

/// A search and what it found, shown on the page (a POST, so what someone looked for stays
/// out of the address bar and history).
type Search = (CoverQuery, Result<Vec<CoverView>, crate::error::ApiError>);

async fn render(state: &AppState, authed: &Authed, net: &str, search: Option<Search>) -> PageResult {
    let id = network_id(net)?;
    let data = state.view(format!("directory/{net}"), move |node| model::directory(node, &id)).await?;
    let ctx = Ctx::load(state, authed).await?;
    let d = &*data;
    let name = d.network.name.clone().unwrap_or_default();
    let mine = d.me.as_ref().and_then(|m| d.profiles.iter().find(|p| p.author == m.author));
    let organizer = d.me.as_ref().is_some_and(|m| m.organizer);
    let member = d.me.as_ref().is_some_and(|m| m.status == "member");
    Ok(layout(
        &ctx,
        html! {
            h1 { (name) ": directory" }
            nav.sub aria-label="Network" {
                a href=(format!("/networks/{net}")) { "Members & invites" }
                a href=(format!("/networks/{net}/calls")) { "Strike calls" }
            }
            section.card aria-labelledby="find-h" {
                h2 #find-h { "Who can cover?" }
                form method="post" action=(format!("/networks/{net}/cover-search")) {
                    (csrf_field(&ctx.csrf))
                    (kind_select("find-kind", search.as_ref().map(|s| s.0.kind.as_str())))
                    label for="find-when" { "When (e.g. sat, mon-fri 22:00-06:00, any)" }
                    input #find-when type="text" name="when" value=(search.as_ref().map_or("", |s| s.0.when.as_str()));
                    label for="find-where" { "Where (optional)" }
                    input #find-where type="text" name="where" value=(search.as_ref().map_or("", |s| s.0.place.as_str()));
                    button type="submit" { "Search" }
                }
                @if let Some((_, found)) = &search {
                    @match found {
                        Ok(list) if list.is_empty() => { p role="status" { "Nobody offers that yet." } }
                        Ok(list) => { p role="status" { (list.len()) " offer(s) match:" } (cover_table(list)) }
                        Err(e) => { p.flash.error role="alert" { (e.to_string()) } }
                    }
                }
            }
            div #live-directory data-live {
                section.card aria-labelledby="map-h" {
                    h2 #map-h { "Workplace map" }
                    (map_table(&d.map))
                }
                section.card aria-labelledby="cover-h" {
                    h2 #cover-h { "Cover offered and needed" }
                    (cover_table(&d.cover))
                }
                section.card aria-labelledby="people-h" {
                    h2 #people-h { "Profiles (" (d.profiles.len()) ")" }
                    table {
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Department" } th scope="col" { "Shift" } th scope="col" { "Role" } th scope="col" { "Skills" } } }
                        tbody {
                            @for p in &d.profiles {
                                tr { td { (p.pseudonym) } td { (p.profile.department) } td { (p.profile.shift) } td { (p.profile.role) } td { (p.skills.join(", ")) } }
                            }
                        }
                    }
                }
                (contacts(d))
            }
            @if member {
                section.card aria-labelledby="me-h" {
                    h2 #me-h { "Your profile here" }
                    form method="post" action=(format!("/networks/{net}/profile")) {
                        (csrf_field(&ctx.csrf))
                        @for (field, label, value) in [
                            ("pseudonym", "Name others see", mine.map(|p| p.profile.pseudonym.as_str())),
                            ("department", "Department", mine.map(|p| p.profile.department.as_str())),
                            ("shift", "Shift", mine.map(|p| p.profile.shift.as_str())),
                            ("role", "Job (calls may exempt vital roles)", mine.map(|p| p.profile.role.as_str())),
                            ("workplace", "Workplace", mine.map(|p| p.profile.workplace.as_str())),
                        ] {
                            label for=(format!("p-{field}")) { (label) }
                            input id=(format!("p-{field}")) type="text" name=(field) value=(value.unwrap_or("")) maxlength="200";
                        }
                        button type="submit" { "Save profile" }
                    }
                    form method="post" action=(format!("/networks/{net}/skill")) {
                        (csrf_field(&ctx.csrf))
                        label for="skill" { "Add a skill or asset (car, legal, medical, translation, loud-voice, snacks ...)" }
                        input #skill type="text" name="skill" required maxlength="100";
                        button type="submit" { "Add" }
                    }
                    h3 { "Offer or ask for cover" }
                    form method="post" action=(format!("/networks/{net}/cover")) {
                        (csrf_field(&ctx.csrf))
                        fieldset {
                            legend { "I want to" }
                            label.choice { input type="radio" name="need" value="false" checked; " offer cover" }
                            label.choice { input type="radio" name="need" value="true"; " ask for cover" }
                        }
                        (kind_select("cover-kind", None))
                        label for="cover-when" { "When (e.g. mon-fri 22:00-06:00, weekends, any)" }
                        input #cover-when type="text" name="when" value="any" required;
                        label for="cover-where" { "Where (optional)" }
                        input #cover-where type="text" name="where";
                        label for="cover-note" { "Note (optional)" }
                        input #cover-note type="text" name="note" maxlength="500";
                        button type="submit" { "Save" }
                    }
                }
            }
            @if organizer { (contact_forms(&ctx.csrf, net, d)) }
        },
    ))
}

fn kind_select(id: &str, selected: Option<&str>) -> Markup {
    html! {
        label for=(id) { "Kind of cover" }
        select id=(id) name="kind" {
            @for k in CoverKind::ALL {
                option value=(k.as_str()) selected[selected == Some(k.as_str())] { (k.as_str()) }
            }
        }
    }
}

fn cover_table(list: &[CoverView]) -> Markup {
    html! {
        @if list.is_empty() { p.meta { "Nothing yet." } } @else {
            table {
                thead { tr { th scope="col" { "Who" } th scope="col" { "Offers / needs" } th scope="col" { "Kind" } th scope="col" { "When" } th scope="col" { "Where" } th scope="col" { "Note" } } }
                tbody {
                    @for c in list {
                        tr { td { (c.who) } td { @if c.need { "needs" } @else { "offers" } } td { (c.kind) } td { (c.when) } td { (c.place) } td { (c.note) } }
                    }
                }
            }
        }
    }
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

fn map_table(m: &WorkplaceMap) -> Markup {
    html! {
        @if m.departments.is_empty() { p.meta { "Nobody mapped yet: members fill in their department and shift; organizers add contacts." } } @else {
            table.map {
                caption { "Each cell: members, then contacts by support (5 = will lead, 1 = hostile). Strong: three quarters are members or 4-5s; mixed: half; weak: less." }
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

fn contacts(d: &Directory) -> Markup {
    html! {
        section.card aria-labelledby="contacts-h" {
            h2 #contacts-h { "Contacts and assessments (" (d.contacts.len()) ")" }
            p.meta { "Co-workers organizers talk to who are not members yet. Every member can read these notes." }
            @if !d.contacts.is_empty() {
                table {
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Department" } th scope="col" { "Shift" } th scope="col" { "Support" } th scope="col" { "History" } } }
                    tbody {
                        @for c in &d.contacts {
                            tr {
                                td { (c.name) }
                                td { (c.department) }
                                td { (c.shift) }
                                td { @match c.support { Some(l) => { span class=(format!("level l{l}")) { (l) " / 5" } }, None => { "not assessed" } } }
                                td {
                                    @for (t, level, note) in &c.assessments { span.meta { (day_of(*t)) } " assessed " (level) @if !note.is_empty() { ": " (note) } br; }
                                    @for (t, text) in &c.notes { span.meta { (day_of(*t)) } " note: " (text) br; }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Organizers: map a co-worker, record a one-on-one, assess support.
fn contact_forms(csrf: &str, net: &str, d: &Directory) -> Markup {
    let pick = |id: &str| {
        html! {
            label for=(id) { "Contact" }
            select id=(id) name="contact" required {
                @for c in &d.contacts {
                    @let place: Vec<&str> = [c.department.as_str(), c.shift.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
                    option value=(c.id) { (c.name) @if !place.is_empty() { " (" (place.join(", ")) ")" } }
                }
            }
        }
    };
    html! {
        section.card aria-labelledby="organize-h" {
            h2 #organize-h { "Organizers: map the workplace" }
            form method="post" action=(format!("/networks/{net}/contacts")) {
                (csrf_field(csrf))
                h3 { "Add a co-worker who is not a member yet" }
                @for (field, label, required) in [("name", "Name", true), ("department", "Department", false), ("shift", "Shift", false), ("role", "Job", false), ("workplace", "Workplace", false)] {
                    label for=(format!("c-{field}")) { (label) }
                    input id=(format!("c-{field}")) type="text" name=(field) maxlength="200" required[required];
                }
                button type="submit" { "Add contact" }
            }
            @if !d.contacts.is_empty() {
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
                }
                form method="post" action=(format!("/networks/{net}/contacts/note")) {
                    (csrf_field(csrf))
                    h3 { "Note a one-on-one" }
                    (pick("n-contact"))
                    label for="n-text" { "What you talked about (every member can read it)" }
                    textarea #n-text name="text" rows="3" maxlength="4000" required {}
                    button type="submit" { "Save note" }
                }
            }
        }
    }
}

async fn profile(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<ProfileInput>,
) -> PageResult {
    apply(&state, &authed, &net, f, "/directory", "Profile saved.").await
}

async fn skill(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<SkillInput>,
) -> PageResult {
    let done = format!("Added {}.", f.skill.trim());
    apply(&state, &authed, &net, f, "/directory", done).await
}

async fn cover(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<CoverInput>,
) -> PageResult {
    let done = if f.need { "Your need is recorded." } else { "Your offer is recorded." };
    apply(&state, &authed, &net, f, "/directory", done).await
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
