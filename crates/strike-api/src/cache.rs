//! Views computed from the node, kept until anything in the node changes or the minute
//! turns (a call's status and a countdown depend on the time). Every page of a busy network
//! reads the same few views: computing them once per change, not once per request, is what
//! keeps the UI fast with 10,000 members and many open browser tabs.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use strike_node::Generation;

/// Views held at most; past this the cache starts over (each view is one page's data).
const MAX_ENTRIES: usize = 256;

/// When a view was computed: the node's generation and the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub generation: Generation,
    pub minute: u64,
}

type Entry = Arc<dyn Any + Send + Sync>;

#[derive(Debug, Default)]
pub struct Cache {
    inner: Mutex<(Option<Stamp>, HashMap<String, Entry>)>,
}

impl Cache {
    /// The view under `key`, if it was computed at `stamp`.
    pub fn get<T: Any + Send + Sync>(&self, stamp: Stamp, key: &str) -> Option<Arc<T>> {
        let inner = self.inner.lock().ok()?;
        if inner.0 != Some(stamp) {
            return None;
        }
        inner.1.get(key).cloned().and_then(|v| v.downcast::<T>().ok())
    }

    pub fn put<T: Any + Send + Sync>(&self, stamp: Stamp, key: String, value: Arc<T>) {
        let Ok(mut inner) = self.inner.lock() else { return };
        if inner.0 != Some(stamp) || inner.1.len() >= MAX_ENTRIES {
            inner.1.clear();
            inner.0 = Some(stamp);
        }
        inner.1.insert(key, value);
    }
}
