//! The campaign: a countdown in phases with objectives and readiness gates, shown on the
//! dashboard and the network's page, set by organizers on its own page (the same JSON the
//! CLI's campaign file holds); readiness as JSON.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_core::campaign::Countdown;
use strike_node::campaign::{CampaignSpec, Readiness};
use strike_node::networks::NetworkView;
use strike_node::{Node, NodeError};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ReadRefusals, Refusals};
use crate::forms::{Csrf, NetPath, OpCreated, body, network_id};
use crate::model::{Me, me};
use crate::pages::{Ctx, PageResult, csrf_field, done, layout, minute, network_nav, page_network_id};
use crate::security::Authed;
use crate::{AppState, charts};

pub fn pages() -> Router<AppState> {
    Router::new().route("/networks/{net}/campaign", get(page).post(set))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_readiness)).routes(routes!(get_campaign, post_campaign))
}

/// The campaign: phases, the one under way, and its gates as a chart.
pub fn countdown(c: &Countdown) -> Markup {
    let days = |m: u32| m / (24 * 60);
    html! {
        div.campaign {
            h3 { "Campaign: " (c.title) }
            p {
                @match c.current {
                    Some(i) => { "Phase " (i + 1) " of " (c.phases.len()) ": " strong { (c.phases[i].name) } }
                    None => { "Not started yet" }
                }
                @if let Some(m) = c.next_in_minutes { " · next phase in " (days(m)) " days" }
                @if let Some(m) = c.final_in_minutes { " · " strong { (days(m)) " days" } " to " (c.phases.last().map_or("", |p| p.name.as_str())) }
            }
            ol.phases {
                @for p in &c.phases {
                    li.current[p.current] {
                        (p.name) " (from " (minute(p.starts)) ")"
                        @if !p.objectives.is_empty() { ul { @for o in &p.objectives { li { (o) } } } }
                    }
                }
            }
            @if let Some(i) = c.current && !c.phases[i].gates.is_empty() {
                h4 { "Readiness gates of this phase" }
                (charts::gates(&c.phases[i].gates, "Readiness by gate"))
                @let missed: Vec<_> = c.phases[i].gates.iter().filter(|g| !g.met).collect();
                @if !missed.is_empty() {
                    p { "Missed: " @for (k, g) in missed.iter().enumerate() { @if k > 0 { "; " } (g.gate) " (" (g.have) ")" } }
                }
            }
        }
    }
}

/// A network's campaign as its page shows it, and as it is written (to edit).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignPage {
    pub network: NetworkView,
    pub me: Option<Me>,
    pub countdown: Option<Countdown>,
    pub spec: Option<CampaignSpec>,
}

fn campaign_page(node: &Node, network: &strike_core::NetworkId) -> strike_node::Result<CampaignPage> {
    let row = node.network(network)?;
    Ok(CampaignPage {
        network: NetworkView::of(&row),
        me: me(node, network)?,
        countdown: node.readiness(network)?.campaign,
        spec: node.campaign(network)?.as_ref().map(CampaignSpec::of),
    })
}

/// What a campaign file looks like, for an empty form.
const EXAMPLE: &str = r#"{
  "title": "Contract 2027",
  "phases": [
    { "name": "Map the workplace", "starts": "0d", "objectives": ["a contact in every department"],
      "gates": [{ "members": 20 }] },
    { "name": "Strike", "starts": "30d", "gates": [{ "cover": { "kind": "childcare", "percent": 80 } }] }
  ]
}"#;

#[derive(Debug, Deserialize)]
struct CampaignForm {
    spec: String,
}

async fn page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    render(&state, &authed, &net, None).await
}

async fn render(state: &AppState, authed: &Authed, net: &str, failed: Option<(String, String)>) -> PageResult {
    let id = page_network_id(net)?;
    let data = state.view(format!("campaign/{net}"), move |node| campaign_page(node, &id)).await?;
    let ctx = Ctx::load(state, authed).await?;
    let organizer = data.me.as_ref().is_some_and(|m| m.organizer);
    let text = match &failed {
        Some((text, _)) => text.clone(),
        None => data.spec.as_ref().and_then(|s| serde_json::to_string_pretty(s).ok()).unwrap_or(EXAMPLE.into()),
    };
    let mut response = layout(
        &ctx,
        html! {
            h1 { (data.network.name.clone().unwrap_or_default()) ": campaign" }
            (network_nav(net, Some("campaign")))
            div #live-campaign data-live {
                section.card {
                    @match &data.countdown {
                        Some(c) => { (countdown(c)) }
                        None => { p { "No campaign yet: organizers set one in phases, each with its objectives and the readiness gates to meet before the next." } }
                    }
                }
            }
            @if organizer {
                section.card aria-labelledby="set-campaign-h" {
                    h2 #set-campaign-h { "Set the campaign" }
                    @if let Some((_, e)) = &failed { p.flash.error role="alert" #campaign-error { (e) } }
                    form method="post" action=(format!("/networks/{net}/campaign")) aria-describedby=[failed.as_ref().map(|_| "campaign-error")] {
                        (csrf_field(&ctx.csrf))
                        label for="spec" { "Phases with start times (2026-12-15T06:00 UTC, or 21d from now) and gates: members, pledges to a call, a call's pledge share, cover of a kind (the same JSON as openstrike campaign set)" }
                        textarea #spec.mono name="spec" rows="16" required { (text) }
                        button type="submit" { "Save the campaign" }
                    }
                }
            }
        },
    );
    if failed.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// Sets the campaign; a mistake shows the page again with the text as typed.
async fn set(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<CampaignForm>,
) -> PageResult {
    let id = page_network_id(&net)?;
    let text = form.spec.clone();
    let result = state
        .act(move |node| {
            let spec = CampaignSpec::parse(&text)?;
            node.set_campaign_spec(&id, &spec)
        })
        .await;
    match result {
        Ok(_) => Ok(done(&state, &authed, &format!("/networks/{net}/campaign"), Ok("Campaign saved.".into()))),
        Err(e @ (ApiError::BadRequest(_) | ApiError::Refused(_) | ApiError::Forbidden(_))) => {
            render(&state, &authed, &net, Some((form.spec, e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- JSON ----

#[derive(Serialize, ToSchema)]
struct ReadinessBody {
    readiness: Readiness,
}

/// Members, pledges per call, cover per kind and the campaign's gates
#[utoipa::path(get, path = "/networks/{net}/readiness", params(NetPath), responses((status = 200, description = "OK", body = ReadinessBody), ReadRefusals))]
async fn get_readiness(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
) -> ApiResult<Json<ReadinessBody>> {
    let id = network_id(&net)?;
    let readiness = state.act(move |node| node.readiness(&id)).await?;
    Ok(Json(ReadinessBody { readiness }))
}

/// The campaign's countdown and the campaign as written (404 if there is none)
#[utoipa::path(get, path = "/networks/{net}/campaign", params(NetPath), responses((status = 200, description = "OK", body = CampaignPage), ReadRefusals))]
async fn get_campaign(State(state): State<AppState>, _: Authed, Path(net): Path<String>) -> ApiResult<Response> {
    let id = network_id(&net)?;
    let page = state.view(format!("campaign/{net}"), move |node| campaign_page(node, &id)).await?;
    if page.countdown.is_none() {
        return Err(NodeError::NotFound("this network has no campaign yet".into()).into());
    }
    Ok(Json(&*page).into_response())
}

/// Set the campaign (organizers): phases, objectives and readiness gates
#[utoipa::path(post, path = "/networks/{net}/campaign", params(NetPath, Csrf), request_body = CampaignSpec, responses((status = 201, description = "Created", body = OpCreated), Refusals))]
async fn post_campaign(
    State(state): State<AppState>,
    _: Authed,
    Path(net): Path<String>,
    b: Result<Json<CampaignSpec>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, spec) = (network_id(&net)?, body(b)?);
    let op = state.act(move |node| node.set_campaign_spec(&id, &spec)).await?;
    Ok((StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response())
}
