//! HTTP/1.1 and HTTP/2 connections, and each request: build the core's request
//! view, ask the router, carry out the decision.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use gatewise::{Decision, GatewayRef, HttpRequest, Pick, Scheme};
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tracing::{debug, info};

use crate::body::{self, Body};
use crate::forward::{self, Outcome};
use crate::headers;
use crate::idle::{self, Activity, Tracked};
use crate::metrics::{ConnKind, Series};
use crate::server::Shared;
use crate::snapshot::{SocketKey, SocketKind};

/// What a request knows about its connection.
#[derive(Debug, Clone)]
pub(crate) struct ConnCtx {
    pub(crate) shared: Arc<Shared>,
    pub(crate) socket: SocketKey,
    pub(crate) client: SocketAddr,
    /// For TLS connections: the server name the client sent (lower case).
    pub(crate) tls: Option<Option<Arc<str>>>,
    pub(crate) activity: Arc<Activity>,
}

/// A plain-text connection: HTTP/1.1, or HTTP/2 with prior knowledge (h2c).
pub(crate) async fn serve_plain(
    shared: Arc<Shared>,
    tcp: TcpStream,
    socket: SocketKey,
    client: SocketAddr,
) {
    let _open = shared.metrics.open(ConnKind::Http);
    // A client that connects and sends nothing is dropped after the header read
    // timeout (hyper's own timer starts once it reads a request head).
    let mut first = [0u8; 1];
    let limit = shared.config.limits.header_read_timeout;
    match tokio::time::timeout(limit, tcp.peek(&mut first)).await {
        Ok(Ok(n)) if n > 0 => {}
        _ => return,
    }
    let activity = Activity::new();
    let ctx = ConnCtx {
        shared: shared.clone(),
        socket,
        client,
        tls: None,
        activity: activity.clone(),
    };
    serve_http(ctx, Tracked::new(tcp, activity)).await;
}

/// Serves HTTP on a connection until it closes, goes idle, or shutdown asks.
pub(crate) async fn serve_http<I>(ctx: ConnCtx, io: I)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let shared = ctx.shared.clone();
    let activity = ctx.activity.clone();
    let service = service_fn(move |req: Request<Incoming>| {
        let ctx = ctx.clone();
        async move { handle(ctx, req).await }
    });
    let conn = shared
        .http
        .serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(conn);
    let idle_limit = shared.config.limits.idle_timeout;
    let mut tick = tokio::time::interval(idle::check_interval(idle_limit));
    let mut closing = false;
    loop {
        tokio::select! {
            res = conn.as_mut() => {
                if let Err(e) = res {
                    debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            () = shared.shutdown.cancelled(), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            _ = tick.tick(), if !closing => {
                if activity.idle_for(idle_limit) {
                    debug!("idle connection closed");
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
            () = shared.abort.cancelled() => return,
        }
    }
}

/// A request the gateway refuses by closing the connection (HTTP/2: resetting
/// the stream).
#[derive(Debug)]
pub(crate) struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Whether a request is gRPC: HTTP/2 with `content-type: application/grpc`
/// (optionally `+proto` and the like; not gRPC-Web).
fn is_grpc(req: &Request<Incoming>) -> bool {
    req.version() == http::Version::HTTP_2
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct.trim();
                ct == "application/grpc"
                    || ct.starts_with("application/grpc+")
                    || ct.starts_with("application/grpc;")
            })
}

/// Where a request's host comes from: an absolute-form target's (or HTTP/2's
/// `:authority`) authority, or the `Host` header.
enum HostSource {
    Authority(http::uri::Authority),
    Header(HeaderValue),
}

impl HostSource {
    /// The host; a `Host` value that is not visible ASCII counts as none.
    fn as_str(&self) -> &str {
        match self {
            HostSource::Authority(a) => a.as_str(),
            HostSource::Header(v) => v.to_str().unwrap_or(""),
        }
    }
}

/// One request, start to response head.
async fn handle(ctx: ConnCtx, mut req: Request<Incoming>) -> Result<Response<Body>, Refused> {
    let started = Instant::now();
    let _in_flight = ctx.activity.begin();
    let shared = &ctx.shared;
    let snap = shared.current.load_full();
    let Some(plan) = snap
        .socket(ctx.socket)
        .filter(|p| matches!(p.kind, SocketKind::Http | SocketKind::Tls))
    else {
        return Err(Refused("this socket is no longer configured".into()));
    };
    let gateway = GatewayRef::new(&plan.namespace, &plan.gateway);
    let gateway_label = plan.label.as_str();
    let grpc = is_grpc(&req);
    // HTTP/2 carries the host in :authority; HTTP/1.1 in Host (an absolute-form
    // target's authority wins, RFC 9112 §3.2.2).
    // The host is kept as the parsed value itself (its bytes are shared with
    // the request, not copied), so the request can still be taken apart.
    let host_source = match req.uri().authority() {
        Some(a) => Some(HostSource::Authority(a.clone())),
        None => req
            .headers()
            .get(header::HOST)
            .cloned()
            .map(HostSource::Header),
    };
    let host = host_source.as_ref().map_or("", HostSource::as_str);
    if host.is_empty() || req.method() == http::Method::CONNECT {
        let why = if host.is_empty() {
            "missing Host header"
        } else {
            "CONNECT is not served"
        };
        let resp = answer(StatusCode::BAD_REQUEST, why, grpc.then_some(13));
        record(
            &snap.series(&shared.metrics, gateway_label, None, None),
            &resp,
            started,
        );
        return Ok(resp);
    }
    let on_upgrade =
        (req.version() == http::Version::HTTP_11).then(|| hyper::upgrade::on(&mut req));
    let (mut parts, body) = req.into_parts();
    let hop = headers::strip_hop_by_hop(&mut parts.headers);
    let on_upgrade = on_upgrade.filter(|_| hop.upgrade.is_some());
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let (scheme, sni) = match &ctx.tls {
        Some(sni) => (Scheme::Https, sni.as_deref()),
        None => (Scheme::Http, None),
    };
    let view = HttpRequest::new(parts.method.as_str(), host, target)
        .header_map(&parts.headers)
        .scheme(scheme)
        .sni(sni)
        .grpc(grpc);
    let decision = snap.router().route_http(gateway, plan.listener_port, &view);
    // Counts an answered request and writes its access log line.
    let finish = |series: &Series, resp: Response<Body>| {
        record(series, &resp, started);
        access_log(
            gateway_label,
            &parts.method,
            host,
            target,
            &resp,
            series,
            started,
        );
        resp
    };
    match decision {
        Decision::Forward(f) if f.is_request() => match f.pick(fastrand::u64(..)) {
            Pick::Error { status, .. } => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let resp = answer(
                    status,
                    "invalid backend",
                    grpc.then(|| gatewise::grpc_status_for(status.as_u16())),
                );
                let series = snap.series(&shared.metrics, gateway_label, Some(&f.matched()), None);
                record(&series, &resp, started);
                Ok(resp)
            }
            Pick::Backend { backend, service } => {
                let outcome = forward::forward(forward::Call {
                    shared,
                    snap: &snap,
                    forward: &f,
                    backend,
                    service,
                    method: parts.method.clone(),
                    hop: &hop,
                    headers: &parts.headers,
                    body,
                    on_upgrade,
                    client: ctx.client,
                    scheme,
                    host,
                    grpc,
                })
                .await;
                let resp = match outcome {
                    Outcome::Response(r) => r,
                    Outcome::Failed(status, why) => answer(
                        status,
                        &why,
                        grpc.then(|| gatewise::grpc_status_for(status.as_u16())),
                    ),
                };
                let series = snap.series(
                    &shared.metrics,
                    gateway_label,
                    Some(&f.matched()),
                    Some(service),
                );
                Ok(finish(&series, resp))
            }
        },
        Decision::Forward(_) => Err(Refused("a stream decision for an HTTP request".into())),
        Decision::Redirect(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::FOUND);
            let mut resp = Response::new(body::empty());
            *resp.status_mut() = status;
            if let Ok(v) = HeaderValue::from_str(&r.location) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            let series = snap.series(&shared.metrics, gateway_label, Some(&r.matched), None);
            Ok(finish(&series, resp))
        }
        Decision::Respond(r) => {
            let status =
                StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut resp = if r.reason == "CorsPreflight" {
                let mut resp = Response::new(body::empty());
                *resp.status_mut() = status;
                resp
            } else {
                answer(status, r.reason, r.grpc_status)
            };
            for (n, v) in headers::to_map(&r.headers) {
                if let Some(n) = n {
                    resp.headers_mut().append(n, v);
                }
            }
            let series = snap.series(&shared.metrics, gateway_label, r.matched.as_ref(), None);
            Ok(finish(&series, resp))
        }
        Decision::Reject(r) => {
            debug!(reason = r.reason, "request refused: closing the connection");
            Err(Refused(format!("refused: {}", r.reason)))
        }
        _ => Err(Refused("an unknown decision".into())),
    }
}

/// `Kind/namespace/name` (one allocation, no formatting machinery: this runs
/// for every request).
pub(crate) fn route_label(kind: &str, namespace: &str, name: &str) -> String {
    let mut s = String::with_capacity(kind.len() + namespace.len() + name.len() + 2);
    s.push_str(kind);
    s.push('/');
    s.push_str(namespace);
    s.push('/');
    s.push_str(name);
    s
}

/// `namespace/name:port` of a Service.
pub(crate) fn backend_label(service: &gatewise::ServiceBackend) -> String {
    let mut s = String::with_capacity(service.namespace.len() + service.name.len() + 7);
    s.push_str(&service.namespace);
    s.push('/');
    s.push_str(&service.name);
    s.push(':');
    push_u16(&mut s, service.port);
    s
}

/// Appends a number in decimal.
pub(crate) fn push_u16(s: &mut String, n: u16) {
    let mut digits = [0u8; 5];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        s.push(char::from(d));
    }
}

/// The gateway's own answer: plain text, or for gRPC a trailers-only response
/// (HTTP 200 whose only headers frame carries `grpc-status`).
pub(crate) fn answer(status: StatusCode, why: &str, grpc_status: Option<u8>) -> Response<Body> {
    let mut resp = match grpc_status {
        Some(code) => {
            let mut r = Response::new(body::empty());
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/grpc"),
            );
            r.headers_mut()
                .insert("grpc-status", HeaderValue::from(u16::from(code)));
            if let Ok(v) =
                HeaderValue::from_str(&percent_encode(&format!("{} {why}", status.as_u16())))
            {
                r.headers_mut().insert("grpc-message", v);
            }
            return r;
        }
        None => Response::new(body::full(Bytes::from(format!(
            "{} {}: {why}\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )))),
    };
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// gRPC's `grpc-message` encoding: percent-encode bytes outside printable ASCII
/// and `%` itself.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn record(series: &Series, resp: &Response<Body>, started: Instant) {
    series.record(resp.status().as_u16(), started.elapsed());
}

fn access_log(
    gateway: &str,
    method: &http::Method,
    host: &str,
    target: &str,
    resp: &Response<Body>,
    series: &Series,
    started: Instant,
) {
    let route = series.route.as_str();
    let backend = series.backend.as_str();
    info!(
        target: "gatewise::access",
        gateway,
        method = %method,
        host,
        path = target,
        status = resp.status().as_u16(),
        route,
        backend,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
    );
}
