//! Integration tests for the store: ingest, order independence, forgery, equivocation.

mod support;

mod forgery;
mod generation;
mod order;
mod tickets;
