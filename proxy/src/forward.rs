//! Sending a request on: the upstream connection pools, the request as the
//! backend receives it, timeouts, mirrors and upgrades.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use gatewise::{Forward, Scheme, ServiceBackend, WeightedBackend};
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::upgrade::OnUpgrade;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::sync::mpsc;
use tracing::{debug, warn};

use crate::body::{self, Body, MirrorBody, Tee};
use crate::config::Limits;
use crate::headers::{self, HopByHop};
use crate::pool::{H1Pool, SendError};
use crate::server::Shared;
use crate::snapshot::{Snapshot, Target};

/// Upstream connections: plain HTTP/1.1 (and upgrades) through the gateway's
/// own pool; HTTP/2 with prior knowledge (for gRPC and Service ports with
/// `appProtocol: kubernetes.io/h2c`) through hyper-util's pooled client.
#[derive(Debug, Clone)]
pub(crate) struct Upstream {
    h1: Arc<H1Pool>,
    h2: Client<HttpConnector, Body>,
}

/// Why an upstream request got no response.
#[derive(Debug)]
pub(crate) enum UpstreamError {
    H1(SendError),
    H2(hyper_util::client::legacy::Error),
}

impl UpstreamError {
    fn is_connect(&self) -> bool {
        match self {
            UpstreamError::H1(e) => matches!(e, SendError::Connect(_)),
            UpstreamError::H2(e) => e.is_connect(),
        }
    }
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpstreamError::H1(e) => e.fmt(f),
            UpstreamError::H2(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for UpstreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UpstreamError::H1(e) => e.source(),
            UpstreamError::H2(e) => e.source(),
        }
    }
}

impl Upstream {
    pub(crate) fn new(limits: &Limits) -> Self {
        let keepalive = Duration::from_secs(60);
        let idle = Duration::from_secs(90);
        let h1 = H1Pool::new(limits.connect_timeout, idle, 1024, keepalive);
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(limits.connect_timeout));
        connector.set_keepalive(Some(keepalive));
        let h2 = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(idle)
            .http2_only(true)
            .build(connector);
        Upstream { h1, h2 }
    }

    /// Sends a request to `target`: `path` is the origin-form target, `headers`
    /// carry `Host`.
    async fn send(
        &self,
        target: &Target,
        h2: bool,
        head: (Method, &str, HeaderMap),
        body: Body,
    ) -> Result<Result<Response<Body>, UpstreamError>, String> {
        let (method, path, headers) = head;
        let mut request = Request::new(body);
        *request.method_mut() = method;
        *request.headers_mut() = headers;
        if h2 {
            let mut uri = String::with_capacity(7 + target.authority.len() + path.len());
            uri.push_str("http://");
            uri.push_str(&target.authority);
            uri.push_str(path);
            *request.uri_mut() =
                Uri::try_from(uri).map_err(|e| format!("bad upstream URI: {e}"))?;
            *request.version_mut() = Version::HTTP_2;
            Ok(self
                .h2
                .request(request)
                .await
                .map(|r| r.map(|b| b.map_err(hyper_error).boxed()))
                .map_err(UpstreamError::H2))
        } else {
            *request.uri_mut() =
                Uri::try_from(path).map_err(|e| format!("bad upstream URI: {e}"))?;
            *request.version_mut() = Version::HTTP_11;
            Ok(self
                .h1
                .send(target, request)
                .await
                .map_err(UpstreamError::H1))
        }
    }
}

/// Everything one forward needs.
pub(crate) struct Call<'a> {
    pub(crate) shared: &'a Arc<Shared>,
    pub(crate) snap: &'a Arc<Snapshot>,
    pub(crate) forward: &'a Forward<'a>,
    pub(crate) backend: &'a WeightedBackend,
    pub(crate) service: &'a ServiceBackend,
    pub(crate) method: Method,
    pub(crate) hop: &'a HopByHop,
    /// The client's headers, hop-by-hop ones removed.
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: Incoming,
    pub(crate) on_upgrade: Option<OnUpgrade>,
    pub(crate) client: SocketAddr,
    pub(crate) scheme: Scheme,
    pub(crate) host: &'a str,
    pub(crate) grpc: bool,
}

/// How a forward ended.
pub(crate) enum Outcome {
    /// The backend's response, filters applied.
    Response(Response<Body>),
    /// The gateway answers: 502 (backend failed), 503 (no ready endpoint), 504
    /// (timeout).
    Failed(StatusCode, String),
}

/// The time a forward may take: the smaller of `timeouts.request` and
/// `timeouts.backendRequest`; zero disables either, unset sets none.
fn deadline(forward: &Forward<'_>) -> Option<Duration> {
    let t = forward.timeouts();
    [t.request, t.backend_request]
        .into_iter()
        .flatten()
        .filter(|d| !d.is_zero())
        .min()
}

pub(crate) async fn forward(call: Call<'_>) -> Outcome {
    let Call {
        shared,
        snap,
        forward,
        backend,
        service,
        method,
        hop,
        headers: client_headers,
        body,
        on_upgrade,
        client,
        scheme,
        host,
        grpc,
    } = call;
    let Some(target) = snap.endpoints.pick(service, false) else {
        return Outcome::Failed(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "no ready endpoint for Service {}/{} port {}",
                service.namespace, service.name, service.port
            ),
        );
    };
    let upgrade = on_upgrade.is_some();
    let h2 = !upgrade && (grpc || service.app_protocol.as_deref() == Some("kubernetes.io/h2c"));
    // Without a header filter the backend gets the client's headers: the map is
    // cloned (its names and values are shared, not copied) instead of going
    // through the core's owned copy. A value the core's view skips (not visible
    // ASCII) takes the general path, so both paths send the same headers.
    let fast = !forward.modifies_request_headers(Some(backend))
        && client_headers.values().all(|v| v.to_str().is_ok());
    // Whether the client's one `Host` header is passed on as it is (no host
    // rewrite): then it is not removed and built again.
    let mut host_kept = false;
    let (mut headers, up_host, up_path) = if fast {
        let (h, p) = forward.upstream_target(Some(backend));
        let mut map = client_headers.clone();
        let mut hosts = map.get_all(header::HOST).iter();
        host_kept =
            hosts.next().is_some_and(|v| v.as_bytes() == h.as_bytes()) && hosts.next().is_none();
        if !host_kept {
            map.remove(header::HOST);
        }
        (map, h, p)
    } else {
        let up = forward.upstream_request(Some(backend));
        let mut map = headers::to_map(&up.headers);
        // A header filter may name a hop-by-hop header (`Connection`,
        // `Transfer-Encoding`, `Upgrade`, ...): those describe this proxy's
        // own connections, so they are dropped like the client's were; the
        // ones this hop needs are set below.
        headers::strip_hop_by_hop(&mut map);
        (map, up.host, up.path)
    };
    headers::add_forwarding(&mut headers, client.ip(), scheme.as_str(), host);
    if !host_kept && let Ok(h) = HeaderValue::from_str(&up_host) {
        headers.insert(header::HOST, h);
    }
    if grpc || hop.te_trailers {
        headers.insert(header::TE, HeaderValue::from_static("trailers"));
    }
    if let (true, Some(u)) = (upgrade, &hop.upgrade) {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, u.clone());
    }
    // Mirrors: sampled, bounded, each fed by a tee that never waits.
    let mut copies = Vec::new();
    if !upgrade {
        for m in forward.mirrors(Some(backend)) {
            if !m.sampled(fastrand::u64(..)) {
                continue;
            }
            let Ok(permit) = shared.mirrors.clone().try_acquire_owned() else {
                shared
                    .metrics
                    .mirrors_dropped
                    .fetch_add(1, Ordering::Relaxed);
                continue;
            };
            let mirror_body = if http_body::Body::is_end_stream(&body) {
                body::empty()
            } else {
                let (tx, rx) = mpsc::channel(body::MIRROR_BUFFER);
                copies.push(tx);
                MirrorBody::new(rx).boxed()
            };
            let mirror_h2 = m.backend.app_protocol.as_deref() == Some("kubernetes.io/h2c") || grpc;
            let head = MirrorHead {
                method: method.clone(),
                path: up_path.clone(),
                headers: headers.clone(),
            };
            tokio::spawn(mirror(
                shared.clone(),
                snap.clone(),
                m.backend.clone(),
                mirror_h2,
                head,
                mirror_body,
                permit,
            ));
        }
    }
    let body: Body = if copies.is_empty() {
        body.map_err(hyper_error).boxed()
    } else {
        let metrics = shared.metrics.clone();
        Tee::new(
            body,
            copies,
            Box::new(move || {
                metrics.mirrors_dropped.fetch_add(1, Ordering::Relaxed);
            }),
        )
        .boxed()
    };
    let sent = shared
        .upstream
        .send(target, h2, (method, &up_path, headers), body);
    let started = Instant::now();
    let result = match deadline(forward) {
        Some(limit) => match tokio::time::timeout(limit, sent).await {
            Ok(r) => r,
            Err(_) => {
                return Outcome::Failed(
                    StatusCode::GATEWAY_TIMEOUT,
                    format!("backend did not answer within {} ms", limit.as_millis()),
                );
            }
        },
        None => sent.await,
    };
    let result = match result {
        Ok(r) => r,
        Err(why) => return Outcome::Failed(StatusCode::BAD_GATEWAY, why),
    };
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            warn!(upstream = %target.authority, error = %e, error_source = ?std::error::Error::source(&e), "backend request failed");
            let why = if e.is_connect() {
                format!("cannot connect to {}", target.authority)
            } else {
                "backend request failed".to_owned()
            };
            return Outcome::Failed(StatusCode::BAD_GATEWAY, why);
        }
    };
    debug!(upstream = %target.authority, status = resp.status().as_u16(), ms = started.elapsed().as_millis(), "backend answered");
    if resp.status() == StatusCode::SWITCHING_PROTOCOLS {
        if let Some(client_side) = on_upgrade {
            let upstream_side = hyper::upgrade::on(&mut resp);
            let abort = shared.abort.clone();
            shared.tracker.spawn(async move {
                let (Ok(c), Ok(u)) = (client_side.await, upstream_side.await) else {
                    debug!("upgrade failed on one side");
                    return;
                };
                let (mut c, mut u) = (TokioIo::new(c), TokioIo::new(u));
                tokio::select! {
                    r = tokio::io::copy_bidirectional(&mut c, &mut u) => {
                        debug!(result = ?r, "upgraded connection closed");
                    }
                    () = abort.cancelled() => {}
                }
            });
            let (parts, _) = resp.into_parts();
            return Outcome::Response(Response::from_parts(parts, body::empty()));
        }
        return Outcome::Failed(
            StatusCode::BAD_GATEWAY,
            "backend switched protocols without being asked".into(),
        );
    }
    let (mut parts, body) = resp.into_parts();
    headers::strip_hop_by_hop(&mut parts.headers);
    let filters = forward.filters();
    let filtered = filters.response_headers.is_some()
        || backend.filters.response_headers.is_some()
        || filters.cors.is_some();
    if filtered {
        let pairs = headers::to_pairs(&parts.headers);
        parts.headers = headers::to_map(&forward.response_headers(Some(backend), &pairs));
    }
    Outcome::Response(Response::from_parts(parts, body))
}

fn hyper_error(e: hyper::Error) -> crate::body::BoxError {
    Box::new(e)
}

struct MirrorHead {
    method: Method,
    path: String,
    headers: HeaderMap,
}

/// Sends a mirror copy and discards the answer.
async fn mirror(
    shared: Arc<Shared>,
    snap: Arc<Snapshot>,
    backend: ServiceBackend,
    h2: bool,
    head: MirrorHead,
    body: Body,
    _permit: tokio::sync::OwnedSemaphorePermit,
) {
    let metrics = &shared.metrics;
    let Some(target) = snap.endpoints.pick(&backend, false) else {
        metrics.mirrors_failed.fetch_add(1, Ordering::Relaxed);
        debug!(service = %backend.name, "mirror has no ready endpoint");
        return;
    };
    let target = target.clone();
    drop(snap);
    metrics.mirrors_sent.fetch_add(1, Ordering::Relaxed);
    let call = async {
        let resp = shared
            .upstream
            .send(&target, h2, (head.method, &head.path, head.headers), body)
            .await??;
        // Read the answer to its end so the connection goes back to the pool.
        resp.into_body().collect().await?;
        Ok::<(), crate::body::BoxError>(())
    };
    match tokio::time::timeout(shared.config.limits.mirror_timeout, call).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            metrics.mirrors_failed.fetch_add(1, Ordering::Relaxed);
            debug!(error = %e, "mirror failed");
        }
        Err(_) => {
            metrics.mirrors_failed.fetch_add(1, Ordering::Relaxed);
            debug!("mirror timed out");
        }
    }
}
