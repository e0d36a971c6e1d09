//! gRPC over h2c, routed by GRPCRoute: trailers intact both ways, and the
//! gateway's own answers as trailers-only responses with a gRPC status.

use std::net::SocketAddr;

use bytes::Bytes;
use http::HeaderMap;
use http_body_util::BodyExt as _;

use crate::support::*;

async fn fixture() -> (Proxy, SocketAddr, Backend) {
    let grpc = Backend::start("grpc").await;
    let http = free_port();
    let mut m = format!(
        "{CLASS}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: gatewise
  listeners:
  - {{name: http, port: {http}, protocol: HTTP, allowedRoutes: {{namespaces: {{from: All}}}}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {{name: grpc, namespace: app}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [g.example.com]
  rules:
  - matches: [{{method: {{service: echo.Echo}}}}]
    backendRefs: [{{name: svc-grpc, port: 8080}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {{name: grpc-empty, namespace: app}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [empty.example.com]
  rules: [{{backendRefs: [{{name: svc-empty, port: 8080}}]}}]
"
    );
    m.push_str(&service("app", "svc-grpc", 8080, Some(&grpc)));
    m.push_str(&service("app", "svc-empty", 8080, None));
    let proxy = Proxy::start(&m, |_| {}).await;
    (proxy, SocketAddr::from(([127, 0, 0, 1], http)), grpc)
}

/// A gRPC message frame: no compression, length, payload.
fn frame(payload: &[u8]) -> Bytes {
    let mut out = vec![0u8];
    out.extend_from_slice(&u32::try_from(payload.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(payload);
    Bytes::from(out)
}

fn grpc_call(host: &str, body_b: BoxBody) -> http::Request<BoxBody> {
    h2_request(
        "POST",
        "http",
        host,
        "/echo.Echo/Say",
        &[("content-type", "application/grpc"), ("te", "trailers")],
        body_b,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_call_keeps_trailers_both_ways() {
    let (_proxy, addr, backend) = fixture().await;
    let mut client_trailers = HeaderMap::new();
    client_trailers.insert("x-client-trailer", http::HeaderValue::from_static("sent"));
    let frames = vec![
        Ok(hyper::body::Frame::data(frame(b"hello"))),
        Ok(hyper::body::Frame::trailers(client_trailers)),
    ];
    let req = grpc_call("g.example.com", StreamOf(frames.into_iter()).boxed_unsync());
    let answer = must(h2_on(connect(addr).await, req).await, "grpc call");
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("application/grpc")
    );
    assert_eq!(answer.header("x-backend").as_deref(), Some("grpc"));
    assert_eq!(answer.body, frame(b"hello"));
    let trailers = answer.trailers.unwrap_or_default();
    assert_eq!(
        trailers.get("grpc-status").map(|v| v.as_bytes()),
        Some(&b"0"[..])
    );
    assert_eq!(
        trailers.get("grpc-message").map(|v| v.as_bytes()),
        Some(&b"grpc"[..])
    );
    // The client's trailers reached the backend.
    assert_eq!(
        trailers.get("x-client-trailer-seen").map(|v| v.as_bytes()),
        Some(&b"sent"[..])
    );
    // Upstream it went as HTTP/2 (h2c) with `te: trailers`.
    let seen = backend.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/echo.Echo/Say");
    assert_eq!(
        seen[0].headers.get("te").map(|v| v.as_bytes()),
        Some(&b"trailers"[..])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_answers_grpc_with_trailers_only_status() {
    let (_proxy, addr, _backend) = fixture().await;
    // No route: 404 → Unimplemented (12).
    let req = grpc_call("nobody.example.com", body(frame(b"x")));
    let answer = must(h2_on(connect(addr).await, req).await, "no route");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("grpc-status").as_deref(), Some("12"));
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("application/grpc")
    );
    assert!(answer.body.is_empty());
    // A method no GRPCRoute rule matches: Unimplemented too.
    let req = h2_request(
        "POST",
        "http",
        "g.example.com",
        "/other.Service/Call",
        &[("content-type", "application/grpc"), ("te", "trailers")],
        body(frame(b"x")),
    );
    let answer = must(h2_on(connect(addr).await, req).await, "other method");
    assert_eq!(answer.header("grpc-status").as_deref(), Some("12"));
    // No ready endpoint: 503 → Unavailable (14).
    let req = grpc_call("empty.example.com", body(frame(b"x")));
    let answer = must(h2_on(connect(addr).await, req).await, "no endpoint");
    assert_eq!(answer.header("grpc-status").as_deref(), Some("14"));
    assert!(
        answer
            .header("grpc-message")
            .is_some_and(|m| m.starts_with("503"))
    );
}
