//! The directory: members' profiles and skills. Its page also holds the cover and contacts
//! areas' sections (who can cover, the workplace map, contacts), the way people look for
//! each other; the API reads the whole of it and sets a profile and skills.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::html;
use serde::{Deserialize, Serialize};
use strike_core::{NetworkId, OpId};
use strike_node::circles::CircleView;
use strike_node::contacts::{ContactView, WorkplaceMap};
use strike_node::cover::CoverView;
use strike_node::directory::ProfileView;
use strike_node::networks::NetworkView;
use strike_node::{Node, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::areas::{contacts, cover};
use crate::error::{ApiResult, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, NetworkCommand, OpCreated, network_id, write};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, apply, csrf_field, layout, network_nav, page_network_id};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}/directory", get(page))
        .route("/networks/{net}/profile", post(profile))
        .route("/networks/{net}/skill", post(skill))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_directory)).routes(routes!(post_profile)).routes(routes!(post_skill))
}

/// The directory of a network.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Directory {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub profiles: Vec<ProfileView>,
    pub cover: Vec<CoverView>,
    pub contacts: Vec<ContactView>,
    pub map: WorkplaceMap,
    /// The organizers' circle, which contacts' names, notes and assessments are written into.
    pub organizers_circle: CircleView,
}

pub fn directory(node: &Node, network: &NetworkId) -> Result<Directory> {
    let row = node.network(network)?;
    let mut profiles = node.directory(network)?;
    profiles.sort_by_key(|p| p.pseudonym.to_lowercase());
    Ok(Directory {
        network: NetworkView::of(&row),
        me: me(node, network)?,
        profiles,
        cover: node.covers(network)?,
        contacts: node.contacts(network)?,
        map: node.workplace_map(network)?,
        organizers_circle: node.circle(network, &strike_core::circles::organizers_circle(network))?,
    })
}

/// Profile fields to set; those left out stay as they were.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileInput {
    /// The name others see.
    pub pseudonym: Option<String>,
    pub workplace: Option<String>,
    pub department: Option<String>,
    pub shift: Option<String>,
    /// The job (calls may exempt vital roles).
    pub role: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

impl NetworkCommand for ProfileInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        node.set_profile(network, |p| {
            for (field, value) in [
                (&mut p.pseudonym, self.pseudonym),
                (&mut p.workplace, self.workplace),
                (&mut p.department, self.department),
                (&mut p.shift, self.shift),
                (&mut p.role, self.role),
                (&mut p.city, self.city),
                (&mut p.country, self.country),
            ] {
                if let Some(v) = value {
                    *field = v.trim().to_owned();
                }
            }
        })
    }
}

/// A skill or asset added (or, with `has: false`, removed).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillInput {
    /// car, legal, medical, translation ...
    pub skill: String,
    #[serde(default = "yes")]
    pub has: bool,
    /// A page's form sends its CSRF token along; the guard checked it already.
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

fn yes() -> bool {
    true
}

impl NetworkCommand for SkillInput {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId> {
        node.set_skill(network, &self.skill, self.has)
    }
}

// ---- pages ----

async fn page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    render(&state, &authed, &net, None).await
}

/// The directory page, with what a cover search found if there was one.
pub async fn render(state: &AppState, authed: &Authed, net: &str, search: Option<cover::Search>) -> PageResult {
    let id = page_network_id(net)?;
    let data = state.view(format!("directory/{net}"), move |node| directory(node, &id)).await?;
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
            (network_nav(net, Some("directory")))
            (cover::search_section(&ctx.csrf, net, search.as_ref()))
            div #live-directory data-live {
                (contacts::map_section(&d.map))
                (cover::table_section(&d.cover))
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
                (contacts::section(&ctx.csrf, net, &d.contacts, &d.organizers_circle))
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
                    (cover::offer_form(&ctx.csrf, net))
                }
            }
            @if organizer { (contacts::forms(&ctx.csrf, net, &d.contacts, &d.organizers_circle)) }
        },
    ))
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

// ---- JSON ----

/// Profiles with skills, cover offered and needed, contacts and the workplace map
#[utoipa::path(get, path = "/networks/{net}/directory", params(NetPath), responses((status = 200, description = "OK", body = Directory), ReadRefusals))]
async fn get_directory(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    Ok(Json(&*state.view(format!("directory/{net}"), move |node| directory(node, &id)).await?).into_response())
}

/// Set your profile fields; those left out stay as they were
#[utoipa::path(post, path = "/networks/{net}/profile", params(NetPath, Csrf), request_body = ProfileInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_profile(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<ProfileInput>, JsonRejection>,
) -> ApiResult<Response> {
    write(state, net, b).await
}

/// Add a skill or asset (or remove it with has=false)
#[utoipa::path(post, path = "/networks/{net}/skills", params(NetPath, Csrf), request_body = SkillInput, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_skill(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<SkillInput>, JsonRejection>,
) -> ApiResult<Response> {
    write(state, net, b).await
}
