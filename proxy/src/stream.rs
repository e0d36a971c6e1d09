//! TLS sockets (HTTPS termination, TLS passthrough and termination of streams)
//! and TCP streams.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use gatewise::{Decision, GatewayRef, Pick, Protocol, RequestProtocol, TlsMode};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tracing::debug;

use crate::http::{self, ConnCtx, route_label};
use crate::idle::{self, Activity, Tracked};
use crate::metrics::{ConnKind, StreamLabels};
use crate::server::Shared;
use crate::snapshot::{SocketKey, SocketKind, Target};
use crate::tls::{self, Hello, Rewind};

/// A connection on a TLS socket: read the ClientHello's server name, pick the
/// listener, then terminate HTTPS, or route a TLS stream.
pub(crate) async fn serve_tls(
    shared: Arc<Shared>,
    mut tcp: TcpStream,
    socket: SocketKey,
    client: SocketAddr,
) {
    let open = shared.metrics.open(ConnKind::Tls);
    let limits = shared.config.limits.clone();
    let mut hello_bytes = Vec::new();
    let hello = tokio::time::timeout(
        limits.header_read_timeout,
        tls::read_client_hello(&mut tcp, &mut hello_bytes),
    )
    .await;
    let sni: Option<String> = match hello {
        Ok(Ok(Hello::Tls(sni))) => sni,
        _ => {
            shared
                .metrics
                .handshake_failures
                .fetch_add(1, Ordering::Relaxed);
            debug!(%client, "no TLS ClientHello within the header read timeout");
            return;
        }
    };
    let snap = shared.current.load_full();
    let Some(plan) = snap.socket(socket).filter(|p| p.kind == SocketKind::Tls) else {
        return;
    };
    let gateway = GatewayRef::new(&plan.namespace, &plan.gateway);
    let Some(listener) = snap
        .router()
        .tls_listener(gateway, plan.listener_port, sni.as_deref())
    else {
        shared
            .metrics
            .handshake_failures
            .fetch_add(1, Ordering::Relaxed);
        debug!(%client, sni = ?sni, "no listener for this server name: handshake refused");
        return;
    };
    let tls_key = (
        plan.namespace.clone(),
        plan.gateway.clone(),
        listener.name.to_owned(),
    );
    match listener.protocol {
        Some(Protocol::Https) => {
            let Some(config) = snap.tls.get(&tls_key).map(|t| t.https.clone()) else {
                shared
                    .metrics
                    .handshake_failures
                    .fetch_add(1, Ordering::Relaxed);
                return;
            };
            drop(snap);
            let accepted = tokio::time::timeout(
                limits.header_read_timeout,
                TlsAcceptor::from(config).accept(Rewind::new(hello_bytes, tcp)),
            )
            .await;
            let Ok(Ok(stream)) = accepted else {
                shared
                    .metrics
                    .handshake_failures
                    .fetch_add(1, Ordering::Relaxed);
                debug!(%client, "TLS handshake failed");
                return;
            };
            let activity = Activity::new();
            let ctx = ConnCtx {
                shared: shared.clone(),
                socket,
                client,
                tls: Some(sni.map(Arc::from)),
                activity: activity.clone(),
            };
            // The connection counts once, as TLS.
            let _open = open;
            http::serve_http(ctx, Tracked::new(stream, activity)).await;
        }
        Some(Protocol::Tls) => {
            let decision = snap
                .router()
                .route_tls(gateway, plan.listener_port, sni.as_deref());
            let Some(chosen) = choose(
                &shared,
                &snap,
                &decision,
                &plan.namespace,
                &plan.gateway,
                RequestProtocol::Tls,
            ) else {
                return;
            };
            let terminate = matches!(
                &decision,
                Decision::Forward(f) if f.tls_mode() == Some(TlsMode::Terminate)
            );
            let config = snap.tls.get(&tls_key).map(|t| t.stream.clone());
            drop(decision);
            drop(snap);
            let (labels, target) = chosen;
            if terminate {
                let Some(config) = config else {
                    shared
                        .metrics
                        .handshake_failures
                        .fetch_add(1, Ordering::Relaxed);
                    return;
                };
                let accepted = tokio::time::timeout(
                    limits.header_read_timeout,
                    TlsAcceptor::from(config).accept(Rewind::new(hello_bytes, tcp)),
                )
                .await;
                let Ok(Ok(stream)) = accepted else {
                    shared
                        .metrics
                        .handshake_failures
                        .fetch_add(1, Ordering::Relaxed);
                    return;
                };
                proxy_stream(&shared, stream, &target, Vec::new(), labels).await;
            } else {
                proxy_stream(&shared, tcp, &target, hello_bytes, labels).await;
            }
            drop(open);
        }
        _ => {}
    }
}

/// A connection on a TCP socket.
pub(crate) async fn serve_tcp(
    shared: Arc<Shared>,
    tcp: TcpStream,
    socket: SocketKey,
    _client: SocketAddr,
) {
    let _open = shared.metrics.open(ConnKind::Tcp);
    let snap = shared.current.load_full();
    let Some(plan) = snap.socket(socket).filter(|p| p.kind == SocketKind::Tcp) else {
        return;
    };
    let decision = snap.router().route_tcp(
        GatewayRef::new(&plan.namespace, &plan.gateway),
        plan.listener_port,
    );
    let Some((labels, target)) = choose(
        &shared,
        &snap,
        &decision,
        &plan.namespace,
        &plan.gateway,
        RequestProtocol::Tcp,
    ) else {
        return;
    };
    drop(decision);
    drop(snap);
    proxy_stream(&shared, tcp, &target, Vec::new(), labels).await;
}

/// The endpoint a stream decision sends to, or `None` (after counting why) when
/// the connection is refused.
pub(crate) fn choose(
    shared: &Shared,
    snap: &crate::snapshot::Snapshot,
    decision: &Decision<'_>,
    namespace: &str,
    gateway: &str,
    protocol: RequestProtocol,
) -> Option<(StreamLabels, Target)> {
    let mut labels = StreamLabels {
        gateway: format!("{namespace}/{gateway}"),
        protocol: protocol.as_str(),
        route: String::new(),
        backend: String::new(),
        result: "rejected",
    };
    let f = match decision {
        Decision::Forward(f) if !f.is_request() => f,
        Decision::Reject(r) => {
            if let Some(m) = &r.matched {
                labels.route = route_label(m.route_kind, m.route_namespace, m.route_name);
            }
            debug!(
                reason = r.reason,
                protocol = protocol.as_str(),
                "stream refused"
            );
            shared.metrics.stream(labels);
            return None;
        }
        _ => {
            shared.metrics.stream(labels);
            return None;
        }
    };
    let m = f.matched();
    labels.route = route_label(m.route_kind, m.route_namespace, m.route_name);
    let Pick::Backend { service, .. } = f.pick(fastrand::u64(..)) else {
        shared.metrics.stream(labels);
        return None;
    };
    labels.backend = format!("{}/{}:{}", service.namespace, service.name, service.port);
    let udp = protocol == RequestProtocol::Udp;
    let Some(target) = snap.endpoints.pick(service, udp) else {
        labels.result = "no_endpoints";
        shared.metrics.stream(labels);
        return None;
    };
    labels.result = "forwarded";
    Some((labels, target.clone()))
}

/// Connects to `target`.
pub(crate) async fn dial(target: &Target, limit: Duration) -> io::Result<TcpStream> {
    let connect = async {
        match target.addr {
            Some(addr) => TcpStream::connect(addr).await,
            None => TcpStream::connect(target.authority.as_str()).await,
        }
    };
    let tcp = tokio::time::timeout(limit, connect)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??;
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}

/// Connects to `target`, writes `first`, and copies both ways until either side
/// closes, the stream goes idle, or the drain time is over.
async fn proxy_stream<S>(
    shared: &Arc<Shared>,
    client: S,
    target: &Target,
    first: Vec<u8>,
    mut labels: StreamLabels,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limits = &shared.config.limits;
    let mut upstream = match dial(target, limits.connect_timeout).await {
        Ok(u) => u,
        Err(e) => {
            debug!(upstream = %target.authority, error = %e, "cannot connect");
            labels.result = "connect_failed";
            shared.metrics.stream(labels);
            return;
        }
    };
    shared.metrics.stream(labels);
    if !first.is_empty() && upstream.write_all(&first).await.is_err() {
        return;
    }
    let activity = Activity::new();
    let mut a = Tracked::new(client, activity.clone());
    let mut b = Tracked::new(upstream, activity.clone());
    let idle_limit = limits.idle_timeout;
    let mut tick = tokio::time::interval(idle::check_interval(idle_limit));
    let copy = tokio::io::copy_bidirectional(&mut a, &mut b);
    tokio::pin!(copy);
    loop {
        tokio::select! {
            r = &mut copy => {
                debug!(result = ?r, "stream closed");
                return;
            }
            _ = tick.tick() => {
                if activity.idle_for(idle_limit) {
                    debug!("idle stream closed");
                    return;
                }
            }
            () = shared.abort.cancelled() => return,
        }
    }
}
