//! Errors, mapped to HTTP once: a JSON body for the API, a page for the browser. Internal
//! errors are logged and shown to clients as an opaque "internal error".

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use strike_node::NodeError;

/// Everything a handler can fail with, one variant per status a client can act on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("log in first")]
    Unauthorized,
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Valid input that the network's rules or the user's standing refuse.
    #[error("{0}")]
    Refused(String),
    #[error("the request body is over {0} bytes")]
    TooLarge(usize),
    /// The request's body did not arrive within the deadline.
    #[error("the request took too long to arrive")]
    Timeout,
    #[error("too many attempts; try again in {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    #[error("busy; try again shortly")]
    Unavailable,
    /// Logged in full, never shown.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized | ApiError::WrongPassphrase => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Refused(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code for the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::WrongPassphrase => "wrong_passphrase",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Refused(_) => "refused",
            ApiError::TooLarge(_) => "too_large",
            ApiError::Timeout => "timeout",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// Logs internal errors (the only place they are logged) and adds `Retry-After`.
    pub(crate) fn finish(&self, mut response: Response) -> Response {
        if let ApiError::Internal(detail) = self {
            tracing::error!(error = %detail, "request failed");
        }
        if let ApiError::TooManyRequests { retry_after } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> Self {
        match e {
            NodeError::InvalidInput(_) | NodeError::AmbiguousNetwork(_) => ApiError::BadRequest(e.to_string()),
            NodeError::UnknownNetwork(_) | NodeError::NotFound(_) => ApiError::NotFound(e.to_string()),
            NodeError::NotAllowed(_) => ApiError::Forbidden(e.to_string()),
            NodeError::Refused(_) => ApiError::Refused(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    /// Never the panic's message: it can quote the request (a slicing panic quotes the text
    /// it sliced). The panic hook has logged where it happened.
    fn from(e: tokio::task::JoinError) -> Self {
        let what = if e.is_panic() { "panicked" } else { "was cancelled" };
        ApiError::Internal(format!("a blocking task {what}"))
    }
}

/// The JSON body of every error: `{"error": {"code", "message"}}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `unauthorized`, `wrong_passphrase`, `forbidden`, `not_found`, `refused`,
    /// `too_large`, `timeout`, `too_many_requests`, `unavailable` or `internal`.
    pub code: &'static str,
    pub message: String,
}

/// The refusals every operation that needs a session can answer, for the OpenAPI document.
#[derive(Debug, utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Refusals {
    #[response(status = 400, description = "Bad input: the message says what is wrong; nothing changed")]
    BadRequest(ErrorBody),
    #[response(status = 401, description = "No session (log in with POST /session)")]
    Unauthorized(ErrorBody),
    #[response(
        status = 403,
        description = "Refused: foreign Host, cross-site Origin, missing or wrong CSRF token, or not allowed by your standing in the network"
    )]
    Forbidden(ErrorBody),
    #[response(status = 404, description = "No such network, call, member, contact or endpoint")]
    NotFound(ErrorBody),
    #[response(status = 408, description = "The request body did not arrive within 10 s")]
    Timeout(ErrorBody),
    #[response(status = 409, description = "Valid, but the network's rules refuse it")]
    Conflict(ErrorBody),
    #[response(status = 413, description = "Request body over 64 KiB")]
    TooLarge(ErrorBody),
}

/// The refusals a read (GET) that needs a session can answer, for the OpenAPI document.
#[derive(Debug, utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ReadRefusals {
    #[response(status = 401, description = "No session (log in with POST /session)")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "Refused: foreign Host or cross-site Origin")]
    Forbidden(ErrorBody),
    #[response(status = 404, description = "No such network, call or endpoint")]
    NotFound(ErrorBody),
}

/// The refusals of a read (GET) whose query can be wrong (a search, a diff), for the OpenAPI
/// document.
#[derive(Debug, utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum QueryRefusals {
    #[response(status = 400, description = "Bad query: the message says what is wrong")]
    BadRequest(ErrorBody),
    #[response(status = 401, description = "No session (log in with POST /session)")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "Refused: foreign Host or cross-site Origin")]
    Forbidden(ErrorBody),
    #[response(status = 404, description = "No such network, guide or revision")]
    NotFound(ErrorBody),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code(), message: self.to_string() } };
        let response = (self.status(), axum::Json(body)).into_response();
        self.finish(response)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_task_is_internal_and_its_message_is_not_kept() {
        let secret = "Close to the shift manager";
        let e = tokio::task::spawn_blocking(move || -> () { panic!("{secret}") }).await.unwrap_err();
        let e = ApiError::from(e);
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let ApiError::Internal(detail) = &e else { panic!("{e:?}") };
        assert!(!detail.contains(secret), "{detail}");
        assert_eq!(e.to_string(), "internal error");
    }
}
