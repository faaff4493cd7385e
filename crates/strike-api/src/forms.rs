//! What the areas share for inputs: an input that becomes one op in a network
//! ([`NetworkCommand`]), posted as a form by a page and as JSON by the API and handed to the
//! node the same way; the JSON body reader; and the path parameters the OpenAPI document
//! describes.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use strike_core::{NetworkId, OpId};
use strike_node::{Node, Result};

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// An input that becomes one op in a network: the page posts it as a form, the API as JSON,
/// and both hand it to the node the same way.
pub trait NetworkCommand: DeserializeOwned + Send + 'static {
    fn apply(self, node: &mut Node, network: &NetworkId) -> Result<OpId>;
}

/// What a write answers: 201 and the id of the op it wrote.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpCreated {
    pub op_id: String,
}

/// A JSON body, or a 400 that says what is wrong with it.
pub fn body<T>(b: std::result::Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    b.map(|Json(v)| v).map_err(|e| ApiError::BadRequest(e.body_text()))
}

/// A network id in a path; anything else is "no such network".
pub fn network_id(text: &str) -> ApiResult<NetworkId> {
    text.parse().map_err(|_| ApiError::NotFound("no network has that id (use its full id)".into()))
}

/// A call id in a path; anything else is "no such call".
pub fn op_id(text: &str) -> ApiResult<OpId> {
    text.parse().map_err(|_| ApiError::NotFound("no strike call has that id (use its full id)".into()))
}

/// The JSON handlers' one way to run a [`NetworkCommand`]: 201 with the op's id.
pub async fn write<C: NetworkCommand>(
    state: AppState,
    net: String,
    b: std::result::Result<Json<C>, JsonRejection>,
) -> ApiResult<Response> {
    let (id, input) = (network_id(&net)?, body(b)?);
    let op = state.act(move |node| input.apply(node, &id)).await?;
    Ok((StatusCode::CREATED, Json(OpCreated { op_id: op.to_hex() })).into_response())
}

/// `{net}`: a network's full id.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct NetPath {
    /// The network's full id (64 hex digits).
    #[param(pattern = "^[0-9a-f]{64}$")]
    net: String,
}

/// `{call}`: a strike call's full id.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct CallPath {
    /// The call's full id (64 hex digits).
    #[param(pattern = "^[0-9a-f]{64}$")]
    call: String,
}

/// The CSRF token every state-changing request carries.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct Csrf {
    /// The token `POST /session` returned.
    #[param(rename = "X-CSRF-Token")]
    csrf: String,
}
