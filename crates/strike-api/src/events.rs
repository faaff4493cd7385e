//! Live updates: a server-sent event stream that says "something changed" (a counter, no
//! content), after which the page's script fetches the page again and swaps the parts
//! marked live. Without the script, pages still work; they just need a reload.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::security::Authed;

pub async fn stream(
    State(state): State<AppState>,
    _: Authed,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let permit = state.inner.event_streams.clone().try_acquire_owned().map_err(|_| ApiError::Unavailable)?;
    let mut changes = state.inner.changes.subscribe();
    changes.mark_unchanged();
    let stopping = state.inner.stopping.clone();
    let events = futures_util::stream::unfold((changes, permit), move |(mut changes, permit)| {
        let stopping = stopping.clone();
        async move {
            // The stream ends when serving stops, so that shutting down does not wait on it.
            tokio::select! {
                changed = changes.changed() => changed.ok()?,
                () = stopping.cancelled() => return None,
            }
            let n = *changes.borrow_and_update();
            Some((Ok(Event::default().event("change").data(n.to_string())), (changes, permit)))
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
