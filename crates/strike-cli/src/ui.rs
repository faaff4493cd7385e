//! Starting the web UI from the CLI: bind its address, warn when it is not on loopback,
//! serve it as one of the loops of a [`Serving`] actor, which stops it.

use std::net::SocketAddr;

use anyhow::Context;

use crate::output::Output;
use crate::serving::Serving;

/// The default address of the web UI (`serve --ui-listen`, `demo --ui-listen`).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7475";

/// Binds `listen`, or (`any_port_if_taken`) a free port on the same address if it is in use.
pub async fn bind(listen: SocketAddr, any_port_if_taken: bool) -> anyhow::Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => Ok(l),
        Err(e) if any_port_if_taken && e.kind() == std::io::ErrorKind::AddrInUse => {
            let any = SocketAddr::new(listen.ip(), 0);
            tokio::net::TcpListener::bind(any).await.with_context(|| format!("binding the web UI to {any}"))
        }
        Err(e) => {
            Err(e).with_context(|| format!("binding the web UI to {listen} (another node running? pass --ui-listen)"))
        }
    }
}

/// The web UI running in the background.
#[derive(Debug)]
pub struct Ui {
    /// Where to open it, `http://HOST:PORT/`.
    pub url: String,
    state: strike_api::AppState,
}

impl Ui {
    /// Cancelled once the node was wiped from the UI.
    pub fn wiped(&self) -> tokio_util::sync::CancellationToken {
        self.state.wiped()
    }

    /// A one-time login link for this terminal (it logs in once, without the passphrase); once
    /// it is used, `announce` gets the next one. Someone guessing passphrases on the same
    /// computer can lock the passphrase form for a minute, never these links.
    pub fn login_link(&self, announce: impl Fn(&str) + Send + Sync + 'static) -> String {
        let base = self.url.trim_end_matches('/').to_owned();
        let next_base = base.clone();
        let path = self.state.login_link(move |next| announce(&format!("{next_base}{next}")));
        format!("{base}{path}")
    }
}

/// Prints a one-time login link where the owner reads it: a line on stdout, or a JSON object
/// with `--json`.
pub fn print_login_link(out: Output, link: &str) {
    out.event(serde_json::json!({ "login_link": link }), || {
        format!("one-time login link (opens the UI once, without the passphrase): {link}")
    });
}

/// Serves the UI of the serving node on `listener`, as a loop of `serving`.
pub async fn start(serving: &mut Serving, listener: tokio::net::TcpListener, hosts: &[String]) -> anyhow::Result<Ui> {
    let bound = listener.local_addr().context("reading the web UI's address")?;
    if !bound.ip().is_loopback() {
        eprintln!(
            "warning: the web UI listens on {bound}, beyond this computer. Anyone who can reach it can try \
             passphrases (5 a minute), and it is plain HTTP: put it behind TLS, or keep it on 127.0.0.1."
        );
    }
    let state = strike_api::AppState::new(serving.node().clone(), bound, hosts).await;
    let (app, token) = (state.clone(), serving.token());
    serving.spawn(async move {
        strike_api::serve(listener, app, token).await.context("the web UI stopped")?;
        Ok(())
    });
    let host = if bound.ip().is_unspecified() { SocketAddr::new([127, 0, 0, 1].into(), bound.port()) } else { bound };
    Ok(Ui { url: format!("http://{host}/"), state })
}
