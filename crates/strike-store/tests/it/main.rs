//! Integration tests for the store: ingest, order independence, forgery, equivocation.

mod support;

mod forgery;
mod order;
