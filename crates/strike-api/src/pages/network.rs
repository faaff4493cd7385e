//! A network's page: members and pending joiners (vouch, remove), invites with their QR
//! code, announcements.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::routing::{get, post};
use maud::{PreEscaped, html};
use serde::Deserialize;

use super::{Ctx, PageResult, apply, csrf_field, day, done, layout, network_id, when};
use crate::AppState;
use crate::error::ApiError;
use crate::forms::AnnounceInput;
use crate::model;
use crate::security::Authed;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/networks/{net}", get(page))
        .route("/networks/{net}/announce", post(announce))
        .route("/networks/{net}/invite", post(invite))
        .route("/networks/{net}/vouch", post(vouch))
        .route("/networks/{net}/remove", post(remove))
        .route("/networks/{net}/history", post(history))
        .route("/networks/{net}/recover", post(recover))
        .route("/networks/{net}/only-copy", post(only_copy))
}

async fn history(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<crate::forms::HistoryInput>,
) -> PageResult {
    apply(&state, &authed, &net, form, "", "Saved what new members can read.").await
}

/// Goes on under a new key after this node's key forked.
async fn recover(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    _: Form<super::Empty>,
) -> PageResult {
    let id = network_id(&net)?;
    let result = state.act(move |node| node.recover(&id, strike_node::networks::RecoverWhy::Forked)).await.map(|out| {
        format!(
            "Asked to go on under a new key ({}). Show it to an organizer in person; once they vouch, pledge again.",
            &out.new.to_hex()[..12]
        )
    });
    Ok(done(&state, &authed, "/", result))
}

/// The owner says this data directory is the only copy.
async fn only_copy(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    _: Form<super::Empty>,
) -> PageResult {
    let id = network_id(&net)?;
    let result = state
        .act(move |node| node.confirm_only_copy(&id))
        .await
        .map(|()| "Writing resumes in this network.".to_owned());
    Ok(done(&state, &authed, "/", result))
}

async fn page(State(state): State<AppState>, authed: Authed, Path(net): Path<String>) -> PageResult {
    let id = network_id(&net)?;
    let data = state.view(format!("network/{net}"), move |node| model::network_page(node, &id)).await?;
    let ctx = Ctx::load(&state, &authed).await?;
    let n = &data.summary;
    let organizer = n.me.as_ref().is_some_and(|m| m.organizer);
    let member = n.me.as_ref().is_some_and(|m| m.status == "member");
    let names: HashMap<&str, &str> = data.people.iter().map(|p| (p.author.as_str(), p.name.as_str())).collect();
    let vouched_by = |vouchers: &[String]| -> String {
        vouchers.iter().map(|v| names.get(v.as_str()).copied().unwrap_or(&v[..8])).collect::<Vec<_>>().join(", ")
    };
    let name = n.network.name.clone().unwrap_or_else(|| "a sealed network".into());
    let pending: Vec<_> = data.people.iter().filter(|p| p.status == "pending").collect();
    let members: Vec<_> = data.people.iter().filter(|p| p.status == "member").collect();
    let removed = data.people.iter().filter(|p| p.status == "removed").count();
    let me = n.me.as_ref().map(|m| m.author.as_str()).unwrap_or("");
    Ok(layout(
        &ctx,
        html! {
            h1 { (name) }
            nav.sub aria-label="Network" {
                a href=(format!("/networks/{net}/directory")) { "Directory & cover" }
                a href=(format!("/networks/{net}/calls")) { "Strike calls" }
            }
            div #live-people data-live {
                section.card aria-labelledby="pending-h" {
                    h2 #pending-h { "Waiting to join (" (pending.len()) ")" }
                    @if pending.is_empty() { p.meta { "Nobody is waiting for a vouch." } }
                    ul.people {
                        @for p in &pending {
                            li {
                                strong { (p.name) } " asked " (when(p.since))
                                @if let Some(old) = &p.replaces {
                                    " to go on under a new key for "
                                    strong { (names.get(old.as_str()).copied().unwrap_or(&old[..12])) }
                                    " (a device of theirs was restored or copied). Check in person that this key, "
                                    code { (&p.author[..12]) } ", is on their device: an organizer's vouch replaces the old key."
                                }
                                @if !p.vouchers.is_empty() { " · vouched by " (vouched_by(&p.vouchers)) }
                                @if member && !p.vouchers.iter().any(|v| v == me) && (organizer || p.replaces.is_none()) {
                                    form.inline method="post" action=(format!("/networks/{net}/vouch")) {
                                        (csrf_field(&ctx.csrf))
                                        input type="hidden" name="member" value=(p.author);
                                        button type="submit" { "Vouch for " (p.name) }
                                    }
                                }
                            }
                        }
                    }
                    p.meta { "Vouch only for people you know face to face: a vouch lets them read everything members read." }
                }
                section.card aria-labelledby="members-h" {
                    h2 #members-h { "Members (" (members.len()) ")" }
                    table {
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Role" } th.wide scope="col" { "Since" } th.wide scope="col" { "Vouched by" } @if organizer { th scope="col" { span.visually-hidden { "Actions" } } } } }
                        tbody {
                            @for p in &members {
                                tr {
                                    td { (p.name) @if p.author == me { " (you)" } }
                                    td { (p.role) }
                                    td.wide { (day(p.since)) }
                                    td.wide { (vouched_by(&p.vouchers)) }
                                    @if organizer {
                                        td {
                                            @if p.author != me && Some(&p.author) != n.network.founder.as_ref() {
                                                details {
                                                    summary { "Remove…" }
                                                    form method="post" action=(format!("/networks/{net}/remove")) {
                                                        (csrf_field(&ctx.csrf))
                                                        input type="hidden" name="member" value=(p.author);
                                                        p { "Removing " (p.name) " rotates the network's key: they read nothing written afterwards." }
                                                        button.danger type="submit" { "Remove " (p.name) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if removed > 0 { p.meta { (removed) " removed" } }
                }
            }
            section.card aria-labelledby="history-h" {
                h2 #history-h { "What new members can read" }
                @if n.network.history == "since_admission" {
                    p { "Members admitted from now on read who is in the network, profiles, the map's counts, strike calls and every pledge (each node needs them to count the same way), and, of announcements, cover offers, skills, notes and assessments, only what is written after their admission. Every admission and removal seals a fresh key for those." }
                } @else {
                    p { "Everything: a new member reads all that was written before they came, announcements, cover offers and notes included." }
                }
                @if organizer {
                    form method="post" action=(format!("/networks/{net}/history")) {
                        (csrf_field(&ctx.csrf))
                        fieldset {
                            legend { "New members read" }
                            label { input type="radio" name="mode" value="all" checked[n.network.history == "all"]; " everything written before them" }
                            label { input type="radio" name="mode" value="since_admission" checked[n.network.history == "since_admission"]; " only what is written after their admission (announcements, cover, skills, notes)" }
                        }
                        button type="submit" { "Save" }
                    }
                    p.meta { "The setting holds for what is written after it: what new members already could read stays readable to those who join later." }
                }
            }
            @if organizer {
                section.card aria-labelledby="invite-h" {
                    h2 #invite-h { "Invite someone" }
                    p { "An invite link (and its QR code) lets people ask to join. Show it in person: anyone holding it can ask, and can read other requests made with it." }
                    form method="post" action=(format!("/networks/{net}/invite")) {
                        (csrf_field(&ctx.csrf))
                        label for="uses" { "How many people may join with it" }
                        input #uses type="number" name="uses" min="1" max="1000" value="1" required;
                        label for="days" { "Valid for (days)" }
                        input #days type="number" name="days" min="1" max="365" value="7" required;
                        button type="submit" { "Create invite" }
                    }
                }
                section.card aria-labelledby="announce-h" {
                    h2 #announce-h { "Post an announcement" }
                    form method="post" action=(format!("/networks/{net}/announce")) {
                        (csrf_field(&ctx.csrf))
                        label for="text" { "Announcement (signed by you, read by every member)" }
                        textarea #text name="text" rows="3" maxlength="4000" required {}
                        button type="submit" { "Post" }
                    }
                }
            }
            section.card aria-labelledby="ann-h" {
                h2 #ann-h { "Announcements" }
                @if data.summary.announcements.is_empty() { p.meta { "None yet." } }
                ul.announcements {
                    @for a in &data.summary.announcements { li { span.meta { (when(a.time)) " · " (a.author_name) } br; (a.text) } }
                }
            }
        },
    ))
}

async fn announce(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(f): Form<AnnounceInput>,
) -> PageResult {
    apply(&state, &authed, &net, f, "", "Announcement posted.").await
}

#[derive(Debug, Deserialize)]
struct InviteForm {
    uses: u16,
    days: u64,
}

/// Shows the new invite directly (never through a redirect: the link's secret must not end
/// up in a URL or the browser's history).
async fn invite(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<InviteForm>,
) -> PageResult {
    let id = network_id(&net)?;
    let days = form.days.clamp(1, 365);
    let made = state.act(move |node| node.create_invite(&id, form.uses, Some(days * 86_400), vec![])).await;
    let link = match made {
        Ok(link) => link.to_string(),
        Err(e) => return Ok(done(&state, &authed, &format!("/networks/{net}"), Err(e))),
    };
    let qr = strike_node::qr::svg(&link).map_err(ApiError::from)?;
    let ctx = Ctx::load(&state, &authed).await?;
    Ok(layout(
        &ctx,
        html! {
            h1 { "Are you in?" }
            section.card {
                p { "Show this code to the person you are inviting, or give them the link. It is good for " (form.uses) " joiner(s) for " (days) " days." }
                figure.qr {
                    (PreEscaped(qr))
                    figcaption { "QR code of the invite link" }
                }
                label for="link" { "Invite link" }
                input #link.mono type="text" readonly value=(link);
                button type="button" data-copy="link" { "Copy the link" }
                p { "They run " code { "openstrike join LINK --pseudonym NAME" } " and send you the request; once a member vouches, they are in." }
                p { a href=(format!("/networks/{net}")) { "Back to the network" } }
            }
        },
    ))
}

#[derive(Debug, Deserialize)]
struct MemberForm {
    member: String,
}

async fn vouch(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<MemberForm>,
) -> PageResult {
    let id = network_id(&net)?;
    let result = state.act(move |node| crate::forms::vouch(node, &id, &form.member)).await.map(|(name, out)| {
        if out.admitted {
            format!("{name} is admitted. Sync (or send a bundle) so their node gets the network's key.")
        } else {
            format!("You vouched for {name} ({} of {} vouches).", out.vouches, out.needed)
        }
    });
    Ok(done(&state, &authed, &format!("/networks/{net}"), result))
}

async fn remove(
    State(state): State<AppState>,
    authed: Authed,
    Path(net): Path<String>,
    Form(form): Form<MemberForm>,
) -> PageResult {
    let id = network_id(&net)?;
    let result = state.act(move |node| crate::forms::remove(node, &id, &form.member)).await.map(|(name, out)| {
        format!("{name} removed. The network key was rotated and sealed to the {} remaining members.", out.n_shares)
    });
    Ok(done(&state, &authed, &format!("/networks/{net}"), result))
}
