//! The HTML pages through the router: forms post, redirect and leave a message; bad input
//! keeps what was typed; invites never put their secret in a URL; logs hold no secrets.

use axum::http::StatusCode;

use crate::support::{Fixture, PASSPHRASE};

pub async fn logged_in(f: &Fixture) -> crate::support::Client {
    let mut c = f.client();
    let r = c.form("/login", &[("passphrase", PASSPHRASE)]).await;
    c.cookie = Some(crate::support::session_cookie(&r));
    let page = c.get("/").await;
    let csrf = page.body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    c.csrf = Some(csrf);
    c
}

/// The text of a page, without tags.
pub fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    out.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

#[tokio::test]
async fn a_call_opened_by_form_shows_its_progress_and_pledges_move_it() {
    let f = Fixture::new().await;
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let form = [
        ("kind", "strike"),
        ("title", "One-day strike"),
        ("demands", "Heat safety\nA raise"),
        ("threshold_count", "2"),
        ("threshold_share", ""),
        ("min_per", ""),
        ("deadline", "7d"),
        ("starts", "8d"),
        ("exempt_roles", "nurse, security"),
        ("scope", ""),
    ];
    let r = c.form(&format!("/networks/{net}/calls"), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let call_page = r.location().to_owned();
    assert!(call_page.starts_with("/calls/"));
    let page = c.get(&call_page).await;
    let t = text(&page.body);
    assert!(t.contains("The call is open"), "the flash message: {t}");
    assert!(t.contains("at least 2 pledges 0 of 2 (0%)"), "{t}");
    assert!(t.contains("Exempt (not asked, not counted) nurse, security"));
    assert!(page.body.contains("<progress max=\"2\" value=\"0\">"));
    assert!(page.body.contains("<svg class=\"chart\""), "the pledges chart");
    let r = c.form(&format!("{call_page}/pledge"), &[]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, call_page.as_str()));
    let t = text(&c.get(&call_page).await.body);
    assert!(t.contains("Pledged. 1 pledges counted so far."), "{t}");
    assert!(t.contains("1 of 2 (50%)"));
    assert!(t.contains("You have pledged."));
    let r = c.form(&format!("{call_page}/withdraw"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = text(&c.get(&call_page).await.body);
    assert!(t.contains("Your pledge is withdrawn.") && t.contains("0 of 2 (0%)"), "{t}");
    // The dashboard lists it with its bar.
    let t = text(&c.get("/").await.body);
    assert!(t.contains("One-day strike open") && t.contains("at least 2 pledges 0 of 2"), "{t}");
}

#[tokio::test]
async fn a_bad_call_form_says_why_and_keeps_what_was_typed() {
    let f = Fixture::new().await;
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let r = c
        .form(
            &format!("/networks/{net}/calls"),
            &[
                ("kind", "strike"),
                ("title", "Keep this title"),
                ("threshold_count", "2"),
                ("deadline", "next week"),
                ("starts", "8d"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.body).contains("cannot read the time \"next week\""), "{}", text(&r.body));
    assert!(r.body.contains("value=\"Keep this title\""));
    assert!(r.body.contains("value=\"next week\""));
    let r = c
        .form(&format!("/networks/{net}/calls"), &[("kind", "strike"), ("title", "t"), ("threshold_count", "two")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(f.node.lock().await.calls(&f.network).unwrap().is_empty());
}

#[tokio::test]
async fn members_vouch_and_invites_show_their_qr_code_without_a_redirect() {
    let f = Fixture::new().await;
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let r = c.form(&format!("/networks/{net}/invite"), &[("uses", "2"), ("days", "3")]).await;
    assert_eq!(r.status, StatusCode::OK, "the invite is the response itself, not a redirect");
    assert!(r.headers.get("location").is_none());
    let link = r.body.split("value=\"openstrike://").nth(1).unwrap().split('"').next().unwrap();
    let link: strike_node::networks::InviteLink = format!("openstrike://{link}").parse().unwrap();
    assert!(r.body.contains("<svg"), "the QR code");
    assert_eq!(r.headers.get("cache-control").unwrap(), "no-store");
    // Someone asks with it and shows up as waiting, with a vouch button.
    let mut kim =
        strike_node::Node::init(&f.tmp.path().join("kim"), b"kim", strike_crypto::KdfParams::MINIMUM).unwrap();
    kim.join(&link, "Kim").unwrap();
    strike_node::sync::sync_pair(&mut kim, &mut *f.node.lock().await, f.network).unwrap();
    let page = c.get(&format!("/networks/{net}")).await;
    let t = text(&page.body);
    assert!(t.contains("Waiting to join (1)") && t.contains("Vouch for Kim"), "{t}");
    let dashboard = text(&c.get("/").await.body);
    assert!(dashboard.contains("Kim is waiting for a vouch."), "{dashboard}");
    let kim_id = kim.network(&f.network).unwrap().my_author.unwrap().to_hex();
    let r = c.form(&format!("/networks/{net}/vouch"), &[("member", &kim_id)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = text(&c.get(&format!("/networks/{net}")).await.body);
    assert!(t.contains("Kim is admitted."), "{t}");
    assert!(t.contains("Waiting to join (0)") && t.contains("Members (2)"), "{t}");
    let r = c.form(&format!("/networks/{net}/announce"), &[("text", "Meeting Thursday")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(text(&c.get(&format!("/networks/{net}")).await.body).contains("Meeting Thursday"));
}

#[tokio::test]
async fn the_directory_searches_cover_and_maps_support() {
    let f = Fixture::new().await;
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let r = c
        .form(
            &format!("/networks/{net}/cover"),
            &[("need", "false"), ("kind", "ride"), ("when", "mon-fri 22:00-06:00"), ("where", "North"), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.form(&format!("/networks/{net}/skill"), &[("skill", "car")]).await.status, StatusCode::SEE_OTHER);
    let r = c
        .form(
            &format!("/networks/{net}/cover-search"),
            &[("kind", "ride"), ("when", "tue 23:00-01:00"), ("where", "north")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let t = text(&r.body);
    assert!(t.contains("1 offer(s) match"), "{t}");
    let r = c.form(&format!("/networks/{net}/cover-search"), &[("kind", "childcare"), ("when", "sat")]).await;
    assert!(text(&r.body).contains("Nobody offers that yet."));
    let r = c.form(&format!("/networks/{net}/cover-search"), &[("kind", "ride"), ("when", "someday")]).await;
    assert!(r.body.contains("role=\"alert\""), "a bad time is an error on the page");
    let page = c.get(&format!("/networks/{net}/directory")).await;
    assert!(page.body.contains("class=\"support-high\""), "Sam, a member, makes Packing strong");
    assert!(text(&page.body).contains("car"));
    // An organizer maps two co-workers in Picking: one against, one not assessed yet.
    for name in ["Greta", "Marek"] {
        let r = c
            .form(&format!("/networks/{net}/contacts"), &[("name", name), ("department", "Picking"), ("shift", "")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let greta = f.node.lock().await.contacts(&f.network).unwrap().into_iter().find(|c| c.name == "Greta").unwrap().id;
    let r = c
        .form(
            &format!("/networks/{net}/contacts/assess"),
            &[("contact", &greta), ("level", "1"), ("note", "close to the manager")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    c.form(&format!("/networks/{net}/contacts/note"), &[("contact", &greta), ("text", "Do not share dates")]).await;
    let page = c.get(&format!("/networks/{net}/directory")).await;
    let t = text(&page.body);
    assert!(t.contains("Note saved."), "{t}");
    assert!(t.contains("Greta Picking") && t.contains("1 / 5") && t.contains("Do not share dates"), "{t}");
    assert!(t.contains("Picking weak 0 members 2 contacts: 1×1 1 not assessed"), "the map counts them: {t}");
    assert!(page.body.contains("class=\"support-low\""), "Picking: no members, one hostile, one unknown");
    let bad = c.form(&format!("/networks/{net}/contacts/assess"), &[("contact", &greta), ("level", "7")]).await;
    assert_eq!(bad.status, StatusCode::SEE_OTHER);
    assert!(text(&c.get(&format!("/networks/{net}/directory")).await.body).contains("support is assessed from 1"));
}

#[tokio::test]
async fn logs_hold_no_passphrase_invite_secret_or_member_names() {
    let f = Fixture::new().await;
    let c = f.client();
    c.form("/login", &[("passphrase", "a wrong guess")]).await;
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let invite = c.form(&format!("/networks/{net}/invite"), &[("uses", "1"), ("days", "1")]).await;
    let link =
        invite.body.split("value=\"openstrike://").nth(1).expect(&invite.body).split('"').next().unwrap().to_owned();
    // join/v1/NETWORK/SECRET
    let secret = link.split('/').nth(3).unwrap().split('?').next().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    c.form(&format!("/networks/{net}/announce"), &[("text", "canary announcement")]).await;
    c.get("/").await;
    c.get(&format!("/networks/{net}")).await;
    c.get(&format!("/networks/{net}/nope")).await;
    let logs = crate::support::logs();
    assert!(logs.contains("logged in") && logs.contains("route=\"/networks/{net}\""), "the capture works: {logs}");
    for s in [PASSPHRASE, "a wrong guess", &secret, "canary announcement", "Dock 4", &net] {
        assert!(!logs.contains(s), "{s:?} is in the logs:\n{logs}");
    }
}

#[tokio::test]
async fn the_call_page_shows_expired_and_started() {
    let f = Fixture::new().await;
    let c = logged_in(&f).await;
    let net = f.network.to_hex();
    let open = |title: &'static str, n: &'static str| {
        let c = &c;
        let net = net.clone();
        async move {
            let form =
                [("kind", "sickout"), ("title", title), ("threshold_count", n), ("deadline", "1d"), ("starts", "2d")];
            c.form(&format!("/networks/{net}/calls"), &form).await.location().to_owned()
        }
    };
    let unreached = open("Never enough", "5").await;
    let reached = open("Enough", "1").await;
    assert!(text(&c.get(&unreached).await.body).contains("Pledge It counts"), "an open call offers the pledge button");
    c.form(&format!("{reached}/pledge"), &[]).await;
    let t = text(&c.get(&reached).await.body);
    assert!(t.contains("TRIGGERED") && t.contains("Enough have pledged"), "{t}");
    // Three days on: one call's deadline passed short of its count, the other has started.
    f.node.lock().await.set_clock_offset(3 * 86_400);
    let t = text(&c.get(&unreached).await.body);
    assert!(t.contains("expired") && t.contains("Nobody was exposed"), "{t}");
    assert!(!t.contains("Pledge It counts"), "no pledging after the deadline: {t}");
    let t = text(&c.get(&reached).await.body);
    assert!(t.contains("STARTED") && t.contains("The action is under way."), "{t}");
    let t = text(&c.get("/").await.body);
    assert!(
        t.contains("STARTED: Enough") && !t.contains("Never enough"),
        "the banner, and expired calls leave the dashboard: {t}"
    );
}
