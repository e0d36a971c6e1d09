//! Accepting TCP connections: a bound on open connections, and a back-off when
//! `accept` fails (EMFILE, ENFILE, ENOBUFS), so that a full file table does not
//! spin a core.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use crate::server::Shared;
use crate::snapshot::{SocketKey, SocketKind};
use crate::{http, stream};

/// The first back-off after a failed `accept`; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

pub(crate) async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    key: SocketKey,
    kind: SocketKind,
    stop: CancellationToken,
) {
    let mut backoff = Duration::ZERO;
    loop {
        let permit = tokio::select! {
            p = shared.connections.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
            () = stop.cancelled() => return,
        };
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = stop.cancelled() => return,
        };
        match accepted {
            Ok((tcp, client)) => {
                backoff = Duration::ZERO;
                let _ = tcp.set_nodelay(true);
                let shared2 = shared.clone();
                shared.tracker.spawn(async move {
                    let _permit = permit;
                    match kind {
                        SocketKind::Http => http::serve_plain(shared2, tcp, key, client).await,
                        SocketKind::Tls => stream::serve_tls(shared2, tcp, key, client).await,
                        SocketKind::Tcp => stream::serve_tcp(shared2, tcp, key, client).await,
                        // UDP sockets have no accept loop.
                        SocketKind::Udp => {}
                    }
                });
            }
            Err(e) => {
                drop(permit);
                shared.metrics.accept_errors.fetch_add(1, Ordering::Relaxed);
                backoff = if backoff.is_zero() {
                    FIRST_BACKOFF
                } else {
                    (backoff * 2).min(MAX_BACKOFF)
                };
                warn!(port = key.port, error = %e, backoff_ms = backoff.as_millis(), "accept failed; backing off");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = stop.cancelled() => return,
                }
            }
        }
    }
}
