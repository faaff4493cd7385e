//! The JSON API's OpenAPI document, generated from the handlers and their types (utoipa):
//! each area describes its own operations beside their code (`areas::*::api`), and this
//! module adds what is the API's as a whole. `openapi.json`, checked in beside this crate,
//! is what [`generated`] returns; a test fails when the two differ (`OPENSTRIKE_BLESS=1`
//! rewrites the file). The running UI serves it with its own address and cookie name.

use serde_json::json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;
use crate::security::Access;

/// The document as checked in.
pub const CHECKED_IN: &str = include_str!("../openapi.json");

/// The cookie name the document names (that of the default port); a running UI serves its
/// own, as it does its own address.
const DEFAULT_COOKIE: &str = "openstrike_session_7475";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Open Strike node API",
        version = "1",
        description = "The JSON API of one Open Strike node, served on loopback by `openstrike serve` and `openstrike demo` under /api/v1. Log in with POST /session, send the session cookie back, and the returned CSRF token as X-CSRF-Token on every POST and DELETE. Requests must name the UI's own host (127.0.0.1:PORT, localhost:PORT) and come from its own origin. Every response is Cache-Control: no-store.",
        license(name = "AGPL-3.0-or-later")
    ),
    servers((url = "http://127.0.0.1:7475/api/v1")),
    security(("session" = [])),
    components(schemas(ErrorBody)),
    modifiers(&SessionCookie)
)]
struct Base;

/// The session cookie every operation but logging in needs.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                DEFAULT_COOKIE,
                "Set by POST /session; the name ends with the UI's port",
            ))),
        );
    }
}

/// What the areas' operations are added to.
pub fn base() -> utoipa::openapi::OpenApi {
    Base::openapi()
}

/// The document the code describes, as `openapi.json` holds it.
#[cfg(test)]
pub fn generated() -> String {
    let (_, doc) = crate::areas::api().split_for_parts();
    let mut text = doc.to_pretty_json().expect("the document serializes");
    text.push('\n');
    text
}

/// The description as this UI serves it: the server address and the session cookie's name
/// are the ones of the port it runs on.
pub fn served(doc: &utoipa::openapi::OpenApi, access: &Access) -> String {
    let mut doc = serde_json::to_value(doc).expect("the document serializes");
    let base = match access.hosts().first() {
        Some(host) => format!("http://{host}/api/v1"),
        None => "/api/v1".to_owned(),
    };
    doc["servers"] = json!([{ "url": base }]);
    if let Some(schemes) = doc["components"]["securitySchemes"].as_object_mut() {
        for scheme in schemes.values_mut().filter(|s| s["in"] == "cookie") {
            scheme["name"] = json!(access.cookie_name);
        }
    }
    doc.to_string()
}

#[cfg(test)]
mod tests {
    /// The checked-in document is what the code generates. Run with `OPENSTRIKE_BLESS=1` to
    /// rewrite it after changing an operation or a type, and read the diff.
    #[test]
    fn the_checked_in_document_is_the_generated_one() {
        let generated = super::generated();
        if std::env::var_os("OPENSTRIKE_BLESS").is_some() {
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"), &generated).unwrap();
            return;
        }
        if generated != super::CHECKED_IN {
            let first = generated.lines().zip(super::CHECKED_IN.lines()).position(|(a, b)| a != b);
            panic!(
                "openapi.json differs from what the code generates (first at line {}); \
                 run `OPENSTRIKE_BLESS=1 cargo test -p strike-api openapi` and review the diff",
                first.map_or("end".into(), |l| (l + 1).to_string())
            );
        }
    }
}
