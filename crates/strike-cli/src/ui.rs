//! Starting the web UI from the CLI: bind its address, warn when it is not on loopback,
//! serve it in the background of the command's runtime.

use std::net::SocketAddr;

use anyhow::Context;
use strike_node::peer::SharedNode;

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

/// Serves the UI of `node` on `listener` in a background task; returns its address.
pub async fn spawn(node: SharedNode, listener: tokio::net::TcpListener, hosts: &[String]) -> anyhow::Result<String> {
    let bound = listener.local_addr().context("reading the web UI's address")?;
    if !bound.ip().is_loopback() {
        eprintln!(
            "warning: the web UI listens on {bound}, beyond this computer. Anyone who can reach it can try \
             passphrases (5 a minute), and it is plain HTTP: put it behind TLS, or keep it on 127.0.0.1."
        );
    }
    let state = strike_api::AppState::new(node, bound, hosts).await;
    tokio::spawn(async move {
        if let Err(e) = strike_api::serve(listener, state).await {
            tracing::error!(error = %e, "the web UI stopped");
        }
    });
    let host = if bound.ip().is_unspecified() { SocketAddr::new([127, 0, 0, 1].into(), bound.port()) } else { bound };
    Ok(format!("http://{host}/"))
}
