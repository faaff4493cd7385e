//! The dashboard: every network at a glance, with its open calls, countdown, announcements,
//! and how this node stands with its peers.

use axum::extract::State;
use maud::{Markup, html};
use strike_core::campaign::Countdown;

use super::{Ctx, PageResult, csrf_field, layout, minute, status_badge, tally_rules, when};
use crate::model::{self, NetworkSummary, SyncStatus};
use crate::security::Authed;
use crate::{AppState, charts};

pub async fn page(State(state): State<AppState>, authed: Authed) -> PageResult {
    let data = state.view("dashboard".into(), model::dashboard).await?;
    let ctx = Ctx::with_alerts(&state, &authed, data.alerts.clone());
    Ok(layout(
        &ctx,
        html! {
            h1 { "Dashboard" }
            div #live-dashboard data-live {
                @if data.networks.is_empty() {
                    p { "This node holds no network yet. Join one with an invite link (openstrike join LINK), or found one (openstrike network create)." }
                }
                @for n in &data.networks { (network_card(n, &ctx.csrf)) }
                (sync_panel(&data.sync, ctx.now))
            }
        },
    ))
}

/// Why this node signs nothing in a network, and what to do about it.
fn writes_notice(n: &NetworkSummary, csrf: &str) -> Markup {
    let id = &n.network.network_id;
    html! {
        @match n.network.writes {
            "held" => {
                div.notice role="status" {
                    p {
                        strong { "Writing waits. " }
                        "This data directory looks restored from a backup or copied from another device, so signing now could repeat a step your other copy already took, and every node would stop counting your key. "
                        "It writes again once it has synced with a peer or hub of this network."
                    }
                    form.inline method="post" action=(format!("/networks/{id}/only-copy")) {
                        (csrf_field(csrf))
                        button type="submit" { "This is the only copy: write now" }
                    }
                }
            }
            "forked" => {
                div.notice.error role="alert" {
                    p {
                        strong { "Your key here forked. " }
                        "Two devices signed with it, so nothing it signs counts any more, pledges included. Go on under a new key: an organizer checks it with you in person and vouches for it."
                    }
                    form.inline method="post" action=(format!("/networks/{id}/recover")) {
                        (csrf_field(csrf))
                        button type="submit" { "Go on under a new key" }
                    }
                }
            }
            _ => {}
        }
    }
}

fn network_card(n: &NetworkSummary, csrf: &str) -> Markup {
    let id = &n.network.network_id;
    html! {
        section.card aria-labelledby=(format!("net-{id}")) {
            @match &n.network.name {
                Some(name) => {
                    h2 #(format!("net-{id}")) { a href=(format!("/networks/{id}")) { (name) } }
                    p.meta {
                        (n.network.kind.unwrap_or("network")) " · "
                        strong { (n.members) } " members · "
                        strong { (n.pending) } " waiting to join"
                        @if let Some(me) = &n.me { " · you: " (me.pseudonym) " (" (me.role) ")" }
                    }
                    (writes_notice(n, csrf))
                    nav.sub aria-label="Network" {
                        a href=(format!("/networks/{id}")) { "Members & invites" }
                        a href=(format!("/networks/{id}/directory")) { "Directory & cover" }
                        a href=(format!("/networks/{id}/calls")) { "Strike calls" }
                    }
                    @for c in &n.calls {
                        article.call {
                            h3 { a href=(format!("/calls/{}", c.op.to_hex())) { (c.title) } " " (status_badge(c.tally.status)) }
                            p.meta {
                                (c.kind) " · " (c.tally.counted) " pledged of a mapped workforce of " (c.tally.workforce)
                                " · deadline " (minute(c.deadline)) " UTC"
                                @if c.my_pledge { " · " strong { "you pledged" } }
                            }
                            (tally_rules(&c.tally))
                        }
                    }
                    @if let Some(c) = &n.campaign { (countdown(c)) }
                    @if !n.announcements.is_empty() {
                        h3 { "Latest announcements" }
                        ul.announcements {
                            @for a in &n.announcements {
                                li { span.meta { (when(a.time)) " · " (a.author_name) } br; (a.text) }
                            }
                        }
                    }
                }
                None => {
                    h2 #(format!("net-{id}")) { "Network " (&id[..16]) }
                    @if n.me.is_some() {
                        p { "You asked to join. Until a member vouches for you and their node sends the network's key, this node can read nothing of it." }
                    } @else {
                        p { "Held sealed: " (n.network.ops) " encrypted operations this node has no key for. It learns nothing from them." }
                    }
                }
            }
        }
    }
}

/// The campaign: phases, the one under way, and its gates as a chart.
pub fn countdown(c: &Countdown) -> Markup {
    let days = |m: u32| m / (24 * 60);
    html! {
        div.campaign {
            h3 { "Campaign: " (c.title) }
            p {
                @match c.current {
                    Some(i) => { "Phase " (i + 1) " of " (c.phases.len()) ": " strong { (c.phases[i].name) } }
                    None => { "Not started yet" }
                }
                @if let Some(m) = c.next_in_minutes { " · next phase in " (days(m)) " days" }
                @if let Some(m) = c.final_in_minutes { " · " strong { (days(m)) " days" } " to " (c.phases.last().map_or("", |p| p.name.as_str())) }
            }
            ol.phases {
                @for p in &c.phases {
                    li.current[p.current] {
                        (p.name) " (from " (minute(p.starts)) ")"
                        @if !p.objectives.is_empty() { ul { @for o in &p.objectives { li { (o) } } } }
                    }
                }
            }
            @if let Some(i) = c.current && !c.phases[i].gates.is_empty() {
                h4 { "Readiness gates of this phase" }
                (charts::gates(&c.phases[i].gates, "Readiness by gate"))
                @let missed: Vec<_> = c.phases[i].gates.iter().filter(|g| !g.met).collect();
                @if !missed.is_empty() {
                    p { "Missed: " @for (k, g) in missed.iter().enumerate() { @if k > 0 { "; " } (g.gate) " (" (g.have) ")" } }
                }
            }
        }
    }
}

fn sync_panel(s: &SyncStatus, now: u64) -> Markup {
    let ago = |t: u64| {
        let m = now.saturating_sub(t) / 60;
        match m {
            0 => "just now".to_string(),
            1..=59 => format!("{m} min ago"),
            _ => format!("{} h ago", m / 60),
        }
    };
    html! {
        section.card aria-labelledby="sync-h" {
            h2 #sync-h { "Sync" }
            p {
                (s.peers.len()) " peer(s) added"
                " · last sync: " @match s.last_sync { Some(t) => { (ago(t)) }, None => { "never" } }
                " · sessions peers opened with this node: " (s.served_sessions)
                " · ops waiting for missing predecessors: " (s.ops_waiting)
                " · held sealed (no key yet): " (s.ops_sealed)
            }
            @if s.peers.is_empty() {
                p.meta { "No peers yet: add one with openstrike peer add NETWORK ID@HOST:PORT, or carry a bundle on a USB stick." }
            } @else {
                table {
                    thead { tr { th scope="col" { "Peer" } th scope="col" { "Last sync" } th scope="col" { "Status" } } }
                    tbody {
                        @for p in &s.peers {
                            tr {
                                td { code { (&p.addr[..p.addr.len().min(16)]) "…" } @if p.hub { " (hub)" } }
                                td { @match p.last_sync { Some(t) => { (ago(t)) }, None => { "never" } } }
                                td { @match &p.last_error { Some(e) => { span.error { "failed: " (e) } }, None => { "ok" } } }
                            }
                        }
                    }
                }
            }
        }
    }
}
