//! "Print a leaflet": a form (a guide, an invite, the paper), and the leaflet itself as the
//! standalone page `openstrike leaflet` writes, served with a policy that allows its one
//! inline stylesheet and nothing else (no script at all). The JSON API makes the same page.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use maud::html;
use serde::Deserialize;
use strike_core::{NetworkId, parse_duration};
use strike_node::leaflet::{Leaflet, LeafletInvite, Paper};
use strike_node::{Node, NodeError, Result};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Refusals};
use crate::forms::{Csrf, NetPath, body, network_id};
use crate::model::me;
use crate::pages::{Ctx, PageResult, csrf_field, layout, network_nav, page_network_id};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new().route("/networks/{net}/leaflet", get(form_page).post(print))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(post_leaflet))
}

/// What a leaflet is made of
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeafletInput {
    /// A guide of the network (title or id), or `library:SLUG`
    #[serde(default)]
    pub guide: Option<String>,
    /// Put a new invite on it (organizers)
    #[serde(default)]
    pub invite: bool,
    /// Joiners the invite admits [default: 50]
    #[serde(default)]
    pub uses: Option<u16>,
    /// How long the invite is valid, e.g. `30d` [default: 30d]
    #[serde(default)]
    pub expires: Option<String>,
    /// `a5` or `a4` [default: a5]
    #[serde(default)]
    pub paper: Option<String>,
    #[serde(default, rename = "csrf")]
    #[schema(ignore)]
    _csrf: serde::de::IgnoredAny,
}

fn make(node: &mut Node, id: &NetworkId, input: &LeafletInput, back: Option<(String, String)>) -> Result<Leaflet> {
    let paper = Paper::parse(input.paper.as_deref().unwrap_or("a5"))?;
    let guide = input.guide.as_deref().map(str::trim).filter(|g| !g.is_empty());
    let invite = match input.invite {
        true => {
            let expires = input.expires.as_deref().unwrap_or("30d");
            let secs = parse_duration(expires)
                .ok_or_else(|| NodeError::InvalidInput(format!("expires {expires:?}: use 30d, 12h ...")))?;
            Some(LeafletInvite {
                uses: input.uses.unwrap_or(50),
                valid_for_secs: Some(secs),
                addresses: node.default_invite_addresses(id)?,
            })
        }
        false => None,
    };
    node.leaflet(id, guide, invite.as_ref(), paper, back)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FormQuery {
    guide: String,
}

async fn form_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Query(query): Query<FormQuery>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let (row, guides, me) = state.act(move |node| Ok((node.network(&id)?, node.guides(&id)?, me(node, &id)?))).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let organizer = me.as_ref().is_some_and(|m| m.organizer);
    let chosen = query.guide;
    Ok(layout(
        &ctx,
        html! {
            h1 { (row.name.clone().unwrap_or_default()) ": print a leaflet" }
            (network_nav(&net, None))
            section.card aria-labelledby="leaflet-h" {
                h2 #leaflet-h { "Print a leaflet" }
                p.meta { "One page with a QR code, for a notice board or to hand out. It opens as a page of its own: print it at 100% (no \"fit to page\"), then photocopy it." }
                form method="post" action=(format!("/networks/{net}/leaflet")) {
                    (csrf_field(&ctx.csrf))
                    label for="leaflet-guide" { "Guide" }
                    select #leaflet-guide name="guide" {
                        option value="" { "None: an invite only" }
                        optgroup label="This network's guides" {
                            @for g in guides.iter().filter(|g| !g.draft) {
                                option value=(g.op_id) selected[chosen == g.op_id] { (g.title) }
                            }
                        }
                        optgroup label="The starter library" {
                            @for g in strike_node::library::guides() {
                                @let v = format!("library:{}", g.slug);
                                option value=(v) selected[chosen == v] { (g.title) }
                            }
                        }
                    }
                    @if organizer {
                        fieldset {
                            legend { "Invite" }
                            input #leaflet-invite type="checkbox" name="invite" value="true";
                            label.inline for="leaflet-invite" { "Put a new invite on it: the QR code holds its link" }
                            label for="leaflet-uses" { "Joiners it admits (each still needs members' vouches)" }
                            input #leaflet-uses type="number" name="uses" value="50" min="1" max="65535";
                            label for="leaflet-expires" { "Valid for" }
                            select #leaflet-expires name="expires" {
                                option value="7d" { "7 days" }
                                option value="14d" { "14 days" }
                                option value="30d" selected { "30 days" }
                            }
                        }
                    } @else {
                        p.meta { "Organizers can put an invite on a leaflet. Without one, the QR code holds the guide's opening as text, which any phone shows." }
                    }
                    fieldset {
                        legend { "Paper" }
                        input #paper-a5 type="radio" name="paper" value="a5" checked; label.inline for="paper-a5" { "A5" } " "
                        input #paper-a4 type="radio" name="paper" value="a4"; label.inline for="paper-a4" { "A4" }
                    }
                    button type="submit" { "Make the leaflet" }
                }
            }
        },
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct PrintForm {
    guide: String,
    invite: String,
    uses: String,
    expires: String,
    paper: String,
}

/// The leaflet as a response: its own page, with a policy for its one stylesheet.
fn leaflet_response(l: &Leaflet) -> Response {
    let mut response =
        (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], l.html.clone()).into_response();
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{}'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
        l.style_sha256
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

async fn print(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    Form(f): Form<PrintForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let uses = match f.uses.trim() {
        "" => None,
        u => Some(u.parse::<u16>().map_err(|_| ApiError::BadRequest("joiners: a number from 1 to 65535".into()))?),
    };
    let input = LeafletInput {
        guide: Some(f.guide),
        invite: f.invite == "true",
        uses,
        expires: Some(f.expires).filter(|e| !e.is_empty()),
        paper: Some(f.paper).filter(|p| !p.is_empty()),
        ..LeafletInput::default()
    };
    let back = Some((format!("/networks/{net}/leaflet"), "Back to Open Strike".to_owned()));
    let l = state.act(move |node| make(node, &id, &input, back)).await?;
    Ok(leaflet_response(&l))
}

/// Make a printable leaflet: a guide's opening, a new invite (organizers), or both, with its QR code
#[utoipa::path(post, path = "/networks/{net}/leaflets", params(NetPath, Csrf), request_body = LeafletInput, responses((status = 201, description = "Created", body = Leaflet), Refusals))]
async fn post_leaflet(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: std::result::Result<Json<LeafletInput>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    let l = state.act(move |node| make(node, &id, &input, None)).await?;
    Ok((StatusCode::CREATED, Json(l)).into_response())
}
