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
    let tls_key = tls::listener_key(&plan.namespace, &plan.gateway, &listener);
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
                terminate_stream(
                    &shared,
                    Rewind::new(hello_bytes, tcp),
                    config,
                    &target,
                    labels,
                )
                .await;
            } else {
                proxy_stream(&shared, tcp, &target, hello_bytes, labels).await;
            }
            drop(open);
        }
        _ => {}
    }
}

/// Terminates TLS on `io` (whose ClientHello is replayed by [`Rewind`]) with a
/// listener's stream configuration, then forwards the plaintext to `target`.
pub(crate) async fn terminate_stream<S>(
    shared: &Arc<Shared>,
    io: S,
    config: Arc<rustls::ServerConfig>,
    target: &Target,
    labels: StreamLabels,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let accepted = tokio::time::timeout(
        shared.config.limits.header_read_timeout,
        TlsAcceptor::from(config).accept(io),
    )
    .await;
    let Ok(Ok(stream)) = accepted else {
        shared
            .metrics
            .handshake_failures
            .fetch_add(1, Ordering::Relaxed);
        return;
    };
    proxy_stream(shared, stream, target, Vec::new(), labels).await;
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
            None => TcpStream::connect(&*target.authority).await,
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
pub(crate) async fn proxy_stream<S>(
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
    let idle_limit = limits.stream_idle_timeout;
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

#[cfg(test)]
mod tests {
    //! The stream mechanics without the router (whose TLS, TCP and UDP listeners
    //! are tested end to end in `tests/it/streams.rs` once the core serves them):
    //! a passthrough replays the ClientHello to a backend that terminates TLS
    //! itself; a terminated stream forwards plaintext; an idle stream closes.

    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::time::Duration;

    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;
    use crate::config::Config;

    const PATIENCE: Duration = Duration::from_secs(30);

    #[track_caller]
    fn must<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
        match r {
            Ok(v) => v,
            Err(e) => panic!("{what}: {e:?}"),
        }
    }

    struct Pki {
        ca: rcgen::Certificate,
        cert_pem: String,
        key_pem: String,
    }

    fn pki(name: &str) -> Pki {
        let ca_key = must(rcgen::KeyPair::generate(), "key");
        let mut params = must(
            rcgen::CertificateParams::new(Vec::<String>::new()),
            "params",
        );
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = must(params.self_signed(&ca_key), "ca");
        let key = must(rcgen::KeyPair::generate(), "key");
        let leaf = must(
            must(
                rcgen::CertificateParams::new(vec![name.to_owned()]),
                "params",
            )
            .signed_by(&key, &ca, &ca_key),
            "leaf",
        );
        Pki {
            ca,
            cert_pem: leaf.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    fn client_config(pki: &Pki) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        must(roots.add(pki.ca.der().clone()), "root");
        Arc::new(
            must(
                rustls::ClientConfig::builder_with_provider(crate::tls::provider())
                    .with_safe_default_protocol_versions(),
                "versions",
            )
            .with_root_certificates(roots)
            .with_no_client_auth(),
        )
    }

    fn labels() -> StreamLabels {
        StreamLabels {
            gateway: "infra/gw".into(),
            protocol: "TLS",
            route: "TLSRoute/infra/r".into(),
            backend: "infra/b:443".into(),
            result: "forwarded",
        }
    }

    fn target(addr: SocketAddr) -> Target {
        Target {
            authority: addr.to_string().into(),
            addr: Some(addr),
        }
    }

    /// A backend that answers each read with `prefix` + the bytes, over TLS when
    /// `tls` is given.
    async fn echo_backend(
        prefix: &'static [u8],
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> SocketAddr {
        let l = must(TcpListener::bind("127.0.0.1:0").await, "bind");
        let addr = must(l.local_addr(), "addr");
        tokio::spawn(async move {
            while let Ok((tcp, _)) = l.accept().await {
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(c) => {
                            if let Ok(s) = TlsAcceptor::from(c).accept(tcp).await {
                                echo(s, prefix).await;
                            }
                        }
                        None => echo(tcp, prefix).await,
                    }
                });
            }
        });
        addr
    }

    async fn echo<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, prefix: &[u8]) {
        let mut buf = [0u8; 256];
        while let Ok(n) = s.read(&mut buf).await {
            if n == 0 {
                return;
            }
            let mut out = prefix.to_vec();
            out.extend_from_slice(&buf[..n]);
            if s.write_all(&out).await.is_err() || s.flush().await.is_err() {
                return;
            }
        }
    }

    /// A front socket that reads the ClientHello, then hands the connection to `then`.
    async fn front<F, Fut>(then: F) -> SocketAddr
    where
        F: Fn(TcpStream, Vec<u8>, Option<String>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let l = must(TcpListener::bind("127.0.0.1:0").await, "bind");
        let addr = must(l.local_addr(), "addr");
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = l.accept().await {
                let mut hello = Vec::new();
                let sni = match crate::tls::read_client_hello(&mut tcp, &mut hello).await {
                    Ok(Hello::Tls(sni)) => sni,
                    _ => continue,
                };
                then(tcp, hello, sni).await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn passthrough_replays_the_client_hello_to_a_tls_backend() {
        let pki = pki("pass.test");
        let backend_config = {
            let certs = must(
                CertificateDer::pem_slice_iter(pki.cert_pem.as_bytes())
                    .collect::<Result<Vec<_>, _>>(),
                "certs",
            );
            let key = must(PrivateKeyDer::from_pem_slice(pki.key_pem.as_bytes()), "key");
            Arc::new(must(
                must(
                    rustls::ServerConfig::builder_with_provider(crate::tls::provider())
                        .with_safe_default_protocol_versions(),
                    "versions",
                )
                .with_no_client_auth()
                .with_single_cert(certs, key),
                "config",
            ))
        };
        let backend = echo_backend(b"pass:", Some(backend_config)).await;
        let shared = Shared::new(Config::new(Vec::new()));
        let (tx, mut rx) = tokio::sync::mpsc::channel(1);
        let gateway = front(move |tcp, hello, sni| {
            let shared = shared.clone();
            let tx = tx.clone();
            async move {
                let _ = tx.send(sni).await;
                tokio::spawn(async move {
                    proxy_stream(&shared, tcp, &target(backend), hello, labels()).await;
                });
            }
        })
        .await;
        let tcp = must(TcpStream::connect(gateway).await, "connect");
        let name = must(ServerName::try_from("pass.test"), "name");
        let connect = tokio_rustls::TlsConnector::from(client_config(&pki)).connect(name, tcp);
        let mut tls = must(
            must(tokio::time::timeout(PATIENCE, connect).await, "time"),
            "handshake",
        );
        assert_eq!(rx.recv().await.flatten().as_deref(), Some("pass.test"));
        must(tls.write_all(b"hi").await, "write");
        let mut got = [0u8; 7];
        must(
            must(
                tokio::time::timeout(PATIENCE, tls.read_exact(&mut got)).await,
                "time",
            ),
            "read",
        );
        assert_eq!(&got, b"pass:hi");
    }

    #[tokio::test]
    async fn terminated_stream_forwards_plaintext() {
        let pki = pki("term.test");
        let cert = gatewise::Certificate {
            namespace: "infra".into(),
            name: "term".into(),
            cert_pem: pki.cert_pem.clone().into_bytes(),
            key_pem: pki.key_pem.clone().into_bytes(),
        };
        let listener = must(
            crate::tls::listener_tls(&crate::tls::provider(), &[cert]),
            "listener tls",
        );
        let backend = echo_backend(b"plain:", None).await;
        let shared = Shared::new(Config::new(Vec::new()));
        let gateway = front(move |tcp, hello, _| {
            let shared = shared.clone();
            let config = listener.stream.clone();
            async move {
                tokio::spawn(async move {
                    terminate_stream(
                        &shared,
                        Rewind::new(hello, tcp),
                        config,
                        &target(backend),
                        labels(),
                    )
                    .await;
                });
            }
        })
        .await;
        let tcp = must(TcpStream::connect(gateway).await, "connect");
        let name = must(ServerName::try_from("term.test"), "name");
        let connect = tokio_rustls::TlsConnector::from(client_config(&pki)).connect(name, tcp);
        let mut tls = must(
            must(tokio::time::timeout(PATIENCE, connect).await, "time"),
            "handshake",
        );
        must(tls.write_all(b"hey").await, "write");
        let mut got = [0u8; 9];
        must(
            must(
                tokio::time::timeout(PATIENCE, tls.read_exact(&mut got)).await,
                "time",
            ),
            "read",
        );
        assert_eq!(&got, b"plain:hey");
    }

    #[tokio::test]
    async fn an_idle_stream_is_closed() {
        let backend = echo_backend(b"", None).await;
        let mut config = Config::new(Vec::new());
        config.limits.stream_idle_timeout = Duration::from_millis(200);
        let shared = Shared::new(config);
        let l = must(TcpListener::bind("127.0.0.1:0").await, "bind");
        let gateway = must(l.local_addr(), "addr");
        tokio::spawn(async move {
            if let Ok((tcp, _)) = l.accept().await {
                proxy_stream(&shared, tcp, &target(backend), b"first".to_vec(), labels()).await;
            }
        });
        let mut tcp = must(TcpStream::connect(gateway).await, "connect");
        // The replayed first bytes arrive first, echoed.
        let mut got = [0u8; 5];
        must(
            must(
                tokio::time::timeout(PATIENCE, tcp.read_exact(&mut got)).await,
                "time",
            ),
            "read",
        );
        assert_eq!(&got, b"first");
        // Then nothing moves: the gateway closes the stream.
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(PATIENCE, tcp.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "idle stream still open after {PATIENCE:?}");
    }
}
