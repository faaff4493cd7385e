//! Every feature area's routes, registered once: its pages, and its part of the JSON API
//! with its part of the OpenAPI document. A new area is one module here and one line in
//! each of [`pages`] and [`api`] (ARCHITECTURE.md, "Adding a feature area").

pub mod aid;
pub mod announcements;
pub mod calls;
pub mod campaign;
pub mod circles;
pub mod contacts;
pub mod cover;
pub mod dashboard;
pub mod directory;
pub mod events;
pub mod fund;
pub mod guides;
pub mod joining;
pub mod leaflets;
pub mod networks;
pub mod node;
pub mod resources;
pub mod session;
pub mod threads;
pub mod votes;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// Every area's pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .merge(session::pages())
        .merge(dashboard::pages())
        .merge(networks::pages())
        .merge(announcements::pages())
        .merge(directory::pages())
        .merge(cover::pages())
        .merge(contacts::pages())
        .merge(calls::pages())
        .merge(campaign::pages())
        .merge(circles::pages())
        .merge(events::pages())
        .merge(guides::pages())
        .merge(resources::pages())
        .merge(fund::pages())
        .merge(aid::pages())
        .merge(votes::pages())
        .merge(threads::pages())
        .merge(leaflets::pages())
        .merge(joining::pages())
        .merge(node::pages())
}

/// Every area's JSON operations (under `/api/v1`), each with its description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .merge(session::api())
        .merge(dashboard::api())
        .merge(networks::api())
        .merge(announcements::api())
        .merge(directory::api())
        .merge(cover::api())
        .merge(contacts::api())
        .merge(calls::api())
        .merge(campaign::api())
        .merge(circles::api())
        .merge(events::api())
        .merge(guides::api())
        .merge(resources::api())
        .merge(fund::api())
        .merge(aid::api())
        .merge(votes::api())
        .merge(threads::api())
        .merge(leaflets::api())
        .merge(joining::api())
        .merge(node::api())
}
