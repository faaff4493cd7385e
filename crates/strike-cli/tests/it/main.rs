//! End-to-end tests of the `openstrike` binary: the interface contract in the README.

mod support;

mod at_rest;
mod crash;
mod flows;
mod fund;
mod joining;
mod knowledge;
mod net;
mod organizing;
mod resources;
mod shutdown;
mod tidy;
