//! The UI's own accept loop, with a deadline on every stage of a connection: its request
//! headers, its request body, and the idle time between requests. A client that stops
//! sending holds a connection only until a deadline, never a handler or a slot of the
//! requests in flight, so stalled clients cannot starve the others.
//!
//! Bodies are read whole here, before anything else runs, within [`BODY_DEADLINE`] and
//! [`crate::security::MAX_BODY_BYTES`]; form bodies must be UTF-8 once percent-decoded.
//!
//! On shutdown the loop stops accepting, every connection finishes the request it is
//! answering and closes (idle ones at once), and the loop returns once all are closed or
//! [`SHUTDOWN_GRACE`] has passed.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::error::ApiError;

/// A client must send a request's headers within this long. hyper starts this clock as soon
/// as a connection waits for a request, so it also closes kept-alive connections that stay
/// idle this long (browsers open a new one when they need it).
pub const HEADER_DEADLINE: Duration = Duration::from_secs(10);
/// A request's body (at most 64 KiB) must arrive whole within this long after its headers.
pub const BODY_DEADLINE: Duration = Duration::from_secs(10);
/// Connections served at once; more wait in the listen backlog. Every stalled connection is
/// cut off at a deadline, so this bounds tasks and file descriptors, not waiting.
const MAX_CONNECTIONS: usize = 1024;
/// How long shutting down waits for connections to finish the requests they are answering:
/// longer than a request may take to arrive ([`HEADER_DEADLINE`] + [`BODY_DEADLINE`]).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(25);
/// After an accept error that is not about one connection (no file descriptors left), wait
/// this long before accepting again instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(500);

/// Accepts connections on `listener` and serves `app` on each, until `shutdown`; then lets
/// the connections finish (see the module's comment).
pub async fn accept_loop(listener: TcpListener, app: Router, shutdown: CancellationToken) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = shutdown.cancelled() => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "accepting a UI connection failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let (app, shutdown) = (app.clone(), shutdown.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                tower::Service::call(&mut app.clone(), req.map(Body::new))
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_DEADLINE)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            let served = tokio::select! {
                served = conn.as_mut() => served,
                () = shutdown.cancelled() => {
                    // Finish the request being answered, then close.
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = served {
                tracing::debug!(error = %e, "a UI connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    let all = u32::try_from(MAX_CONNECTIONS).expect("a small number");
    if tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all)).await.is_err() {
        tracing::warn!("some UI connections were still open after the shutdown grace period");
    }
    Ok(())
}

fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

/// Reads the request's body whole within [`BODY_DEADLINE`] (408 and the connection closed
/// if it does not arrive, 413 past [`crate::security::body_limit`]), checks that a form is UTF-8 (400),
/// and hands the buffered body on.
pub async fn read_body(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let limit = crate::security::body_limit(parts.uri.path());
    let bytes = match tokio::time::timeout(BODY_DEADLINE, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return refusal(&parts.uri, &parts.method, ApiError::TooLarge(limit)),
        Err(_) => {
            tracing::info!("a request body did not arrive in time");
            let mut r = refusal(&parts.uri, &parts.method, ApiError::Timeout);
            r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
    };
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if is_form && !form_is_utf8(&bytes) {
        return refusal(&parts.uri, &parts.method, ApiError::BadRequest("the form is not valid UTF-8".into()));
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// A panic in a handler becomes an opaque 500 for this request alone. What is logged is only
/// where it happened (the panic hook, [`strike_node::log_panics_by_location`]), never the
/// request or the panic's message.
pub async fn catch_panics(req: Request, next: Next) -> Response {
    use futures_util::FutureExt;
    let (uri, method) = (req.uri().clone(), req.method().clone());
    match std::panic::AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => refusal(&uri, &method, ApiError::Internal("a request handler panicked".into())),
    }
}

fn refusal(uri: &axum::http::Uri, method: &Method, error: ApiError) -> Response {
    crate::security::refuse(uri.path(), method, error)
}

/// Whether every name and value of a URL-encoded form is UTF-8 once percent-decoded (the
/// standard decoder would replace bad bytes with U+FFFD and store that).
pub fn form_is_utf8(body: &[u8]) -> bool {
    if std::str::from_utf8(body).is_err() {
        return false;
    }
    body.split(|b| matches!(b, b'&' | b'=')).all(|part| std::str::from_utf8(&percent_decode(part)).is_ok())
}

fn percent_decode(part: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        let escaped =
            (part[i] == b'%' && i + 2 < part.len()).then(|| Some(hex(part[i + 1])? << 4 | hex(part[i + 2])?)).flatten();
        match (escaped, part[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_must_be_utf8_once_decoded() {
        assert!(form_is_utf8(b"csrf=ab&text=caf%C3%A9+au+lait"));
        assert!(form_is_utf8(b"a=%&b=%4"), "a stray percent sign is text");
        assert!(form_is_utf8(b""));
        assert!(!form_is_utf8(b"text=caf%E9"), "Latin-1 e-acute");
        assert!(!form_is_utf8(b"te%FFxt=1"), "in a name");
        assert!(!form_is_utf8(b"text=\xff"), "raw, not encoded");
        assert_eq!(percent_decode(b"a%20b+c%zz%4"), b"a b c%zz%4");
    }
}
