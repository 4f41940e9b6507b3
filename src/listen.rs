//! Serving a router on a listener with read timeouts: `axum::serve` gives hyper no timer, so a
//! client could hold a connection (and its task) forever by sending its request head a byte at
//! a time. Here hyper's HTTP/1 server gets a timer and a header-read timeout; the body's own
//! deadline is a layer on the routes that read one (`app::read_body_within`).

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::time::Duration;
use tokio::{net::TcpListener, sync::watch};
use tokio_util::sync::CancellationToken;

/// Serves `app` on `listener` until `stop` is cancelled; then stops accepting, lets every
/// connection finish the request it is on, and returns once all have closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    stop: CancellationToken,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    // Each connection task holds a receiver: `true` asks it to finish gracefully, and the sender
    // sees every receiver dropped once the last connection has closed.
    let (closing, watching) = watch::channel(false);
    loop {
        let tcp = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    // Out of file descriptors, usually: wait for some to close.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = http.serve_connection(TokioIo::new(tcp), service);
        let mut watching = watching.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                // A client that was too slow, or went away, is no error of ours.
                ended = connection.as_mut() => {
                    if let Err(e) = ended {
                        tracing::debug!(error = %e, "HTTP connection ended");
                    }
                }
                () = async { drop(watching.wait_for(|closing| *closing).await) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    drop(watching);
    let _ = closing.send(true);
    closing.closed().await;
}
