//! Integration tests of the web UI and the JSON API: through the router without a socket,
//! and end to end in headless Chromium against a node on a loopback port.

mod support;
mod webdriver;

mod aid;
mod api;
mod browser;
mod circles;
mod events;
mod first_run;
mod fund;
mod guides;
mod hardening;
mod openapi;
mod pages;
mod resources;
mod secret;
mod votes;
