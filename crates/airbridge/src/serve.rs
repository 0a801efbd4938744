//! `airbridge serve`: the HTTP server, until Ctrl-C or SIGTERM.

use airbridge_store::AnyStore;
use airbridge_web::{AppState, WebConfig, router};
use anyhow::Context;

pub async fn serve(store: AnyStore, bind: &str, port: u16) -> anyhow::Result<()> {
    let address = format!("{bind}:{port}");
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| {
            format!("cannot listen on {address}: is another server using the port? try --port")
        })?;
    let local = listener.local_addr()?;
    eprintln!("Airbridge is serving on http://{local}/  (Ctrl-C to stop)");
    axum::serve(
        listener,
        router(AppState::new(store.clone(), WebConfig::default())),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .context("server failed")?;
    store.close().await;
    Ok(())
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
