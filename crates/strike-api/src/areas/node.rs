//! This node, for a member who never opens a terminal: what it holds and who can see each
//! part of it, a passphrase change, and the panic wipe behind a confirmation (the same wipe
//! as `openstrike wipe`: the key file is destroyed, every session ends, and `serve` shows
//! the first-run page again).

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use strike_node::Node;
use strike_node::joiner::Standing;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ReadRefusals};
use crate::pages::{Ctx, PageResult, csrf_field, done, layout};
use crate::security::Authed;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/node", get(page))
        .route("/node/passphrase", post(change_passphrase))
        .route("/node/wipe", post(wipe))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_holdings))
}

/// One network this node holds, and who can see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Held {
    pub network_id: String,
    /// `None` while this node cannot read the network.
    pub name: Option<String>,
    /// `member`, `waiting` (asked to join), `removed`, or `none` (held for others, sealed).
    pub standing: &'static str,
    pub role: Option<&'static str>,
    pub members: u64,
    pub ops: u64,
    /// Addresses of the hubs this node syncs the network through.
    pub hubs: Vec<String>,
    /// Addresses of the other peers this node syncs it with.
    pub peers: Vec<String>,
    /// Circles of the network this node is in, with who reads what is written in them.
    pub circles: Vec<String>,
}

/// What this node holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Holdings {
    pub data_dir: String,
    pub networks: Vec<Held>,
    /// Networks this node stores for others as a hub (ciphertext it cannot read).
    pub hosted: u64,
    /// Where new invites say this node is reached.
    pub own_addresses: Vec<String>,
}

pub fn holdings(node: &Node) -> strike_node::Result<Holdings> {
    let mut networks = Vec::new();
    for row in node.networks()? {
        let standing = match node.standing(&row.id)? {
            Standing::Member => "member",
            Standing::Waiting => "waiting",
            Standing::Removed => "removed",
            Standing::None => "none",
        };
        let role = node
            .me_in(&row.id)?
            .filter(|m| m.status == strike_core::membership::Status::Member)
            .map(|m| m.role.as_str());
        let peers = node.peers(Some(&row.id))?;
        let circles = match standing {
            "member" => node
                .circles(&row.id)?
                .into_iter()
                .filter(|c| c.i_am_in)
                .map(|c| format!("{} ({} members)", c.name, c.size))
                .collect(),
            _ => Vec::new(),
        };
        networks.push(Held {
            network_id: row.id.to_hex(),
            name: row.name.clone(),
            standing,
            role,
            members: row.n_members,
            ops: row.n_ops,
            hubs: peers.iter().filter(|p| p.hub).map(|p| p.addr.clone()).collect(),
            peers: peers.iter().filter(|p| !p.hub).map(|p| p.addr.clone()).collect(),
            circles,
        });
    }
    Ok(Holdings {
        data_dir: node.data_dir().display().to_string(),
        networks,
        hosted: node.hosted()?.len() as u64,
        own_addresses: node.store().own_addresses()?,
    })
}

fn short(addr: &str) -> &str {
    addr.split_once('@').map_or(addr, |(_, rest)| rest)
}

fn held(n: &Held) -> Markup {
    html! {
        section.card {
            h2 { @match &n.name { Some(name) => { (name) }, None => { "Network " (&n.network_id[..16]) } } }
            ul {
                @match n.standing {
                    "member" => {
                        li { "You are a " (n.role.unwrap_or("member")) ". This node holds its " (n.ops) " operations and the keys to read them." }
                        li { strong { "Its " (n.members) " members" } " read what members read here: the roster, profiles, calls and who pledged, announcements, events." }
                        @if !n.circles.is_empty() {
                            li { "You are in " (n.circles.join(", ")) ": what is written in a circle only its members read, and this node holds its keys." }
                        }
                        li { "Circles you are not in: this node holds what they write as ciphertext, and sees only that they exist, their size and leads." }
                        li { "Anyone holding one of its invite links reads the join requests made with that link, and nothing else." }
                    }
                    "waiting" => {
                        li { "You asked to join and wait for a vouch. This node holds your request and no key of the network." }
                        li { strong { "Its members" } ", and others holding the same invite, read your request: your pseudonym and a key made for this network only." }
                    }
                    "removed" => {
                        li { "You were removed. This node keeps what it had, and reads nothing written after the removal." }
                    }
                    _ => {
                        li { "Held sealed, for others: this node checks the signatures and reads nothing." }
                    }
                }
                @for h in &n.hubs {
                    li { "Hub " code { (short(h)) } " stores the network's operations encrypted: it learns their headers (authors' keys for this network, times, sizes) and this computer's address, never content or names." }
                }
                @if !n.peers.is_empty() {
                    li { "Synced directly with " (n.peers.len()) " peer(s) (" @for (i, p) in n.peers.iter().enumerate() { @if i > 0 { ", " } code { (short(p)) } } "): they see this computer's address." }
                }
            }
        }
    }
}

async fn page(State(state): State<AppState>, authed: Authed) -> PageResult {
    let data = state.view("node".into(), holdings).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    Ok(layout(
        &ctx,
        html! {
            h1 { "What this node holds and who can see it" }
            p { "Everything below is stored in " code { (data.data_dir) } ", encrypted under your passphrase. Without it, a seized computer shows only encrypted files." }
            @for n in &data.networks { (held(n)) }
            @if data.networks.is_empty() { p.meta { "No networks yet." } }
            @if data.hosted > 0 {
                section.card { h2 { "As a hub" } p { "This node stores " (data.hosted) " network(s) for others, encrypted: it reads none of them." } }
            }
            @if !data.own_addresses.is_empty() {
                section.card {
                    h2 { "Where invites say you are" }
                    p { "Invites made here carry these addresses; whoever holds such an invite learns them: " @for (i, a) in data.own_addresses.iter().enumerate() { @if i > 0 { ", " } code { (short(a)) } } }
                }
            }
            section.card aria-labelledby="pass-h" {
                h2 #pass-h { "Change your passphrase" }
                form method="post" action="/node/passphrase" {
                    (csrf_field(&ctx.csrf))
                    label { "Current passphrase " input type="password" name="current" autocomplete="current-password" required; }
                    label { "New passphrase " input type="password" name="new" autocomplete="new-password" required minlength=(crate::setup::MIN_PASSPHRASE_CHARS); }
                    label { "The new one again " input type="password" name="again" autocomplete="new-password" required; }
                    button type="submit" { "Change passphrase" }
                }
            }
            section.card.danger aria-labelledby="wipe-h" {
                h2 #wipe-h { "Panic wipe" }
                p { "Destroys this node's key at once: nothing on this computer can be opened afterwards, by anyone, with any passphrase. Your networks go on without this node; to come back you join again with a new invite." }
                form method="post" action="/node/wipe" {
                    (csrf_field(&ctx.csrf))
                    label { "Type WIPE to confirm " input type="text" name="confirm" autocomplete="off" required pattern="WIPE"; }
                    button.danger type="submit" { "Wipe this node now" }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
struct PassphraseForm {
    current: zeroize::Zeroizing<String>,
    new: zeroize::Zeroizing<String>,
    again: zeroize::Zeroizing<String>,
}

async fn change_passphrase(
    State(state): State<AppState>,
    authed: Authed,
    client: crate::security::ClientIp,
    Form(f): Form<PassphraseForm>,
) -> Response {
    let result = async {
        if *f.new != *f.again {
            return Err(ApiError::BadRequest("the two new passphrases differ; nothing was changed".into()));
        }
        if f.new.chars().count() < crate::setup::MIN_PASSPHRASE_CHARS {
            return Err(ApiError::BadRequest(format!(
                "the new passphrase needs at least {} characters",
                crate::setup::MIN_PASSPHRASE_CHARS
            )));
        }
        // The current one is checked as a login is: rate-limited, counted.
        if !crate::security::check_passphrase(&state, client, f.current).await? {
            return Err(ApiError::WrongPassphrase);
        }
        let new = f.new;
        state.act(move |node| node.change_passphrase(new.as_bytes(), strike_node::KdfParams::DEFAULT)).await?;
        Ok("Passphrase changed. Use the new one from now on.".to_owned())
    }
    .await;
    done(&state, &authed, "/node", result)
}

#[derive(Deserialize)]
struct WipeForm {
    confirm: String,
}

async fn wipe(State(state): State<AppState>, authed: Authed, Form(f): Form<WipeForm>) -> Response {
    if f.confirm.trim() != "WIPE" {
        return done(
            &state,
            &authed,
            "/node",
            Err(ApiError::BadRequest("type WIPE to confirm; nothing was wiped".into())),
        );
    }
    let report = state
        .act(|node| {
            let dir = node.data_dir().to_path_buf();
            Node::wipe(&dir)
        })
        .await;
    state.sessions().end_all();
    state.wiped().cancel();
    match report {
        Ok(r) => {
            tracing::warn!(files = r.files_removed.len(), "wiped from the web UI");
            crate::pages::bare(html! {
                h1 { "Wiped" }
                p { "This node's key is destroyed: nothing of it can be opened any more, with any passphrase. Every session is ended." }
                p { a href="/" { "Start again" } " (set up a new node with a new invite), or close this window." }
            })
            .into_response()
        }
        Err(e) => done(&state, &authed, "/node", Err(e)),
    }
}

// ---- JSON ----

/// What this node holds, and who can see each part of it
#[utoipa::path(get, path = "/node", responses((status = 200, description = "OK", body = Holdings), ReadRefusals))]
async fn get_holdings(State(state): State<AppState>, _: Authed) -> ApiResult<Response> {
    Ok(Json(&*state.view("node".into(), holdings).await?).into_response())
}
