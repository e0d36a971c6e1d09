//! Operations: the admin listener and graceful shutdown.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::support::*;

async fn fixture(drain: Duration) -> (Proxy, SocketAddr, Backend) {
    let a = Backend::start("a").await;
    let http = free_port();
    let mut m = format!(
        "{CLASS}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: gatewise
  listeners: [{{name: http, port: {http}, protocol: HTTP}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: infra}}
spec:
  parentRefs: [{{name: gw}}]
  hostnames: [web.example.com]
  rules: [{{backendRefs: [{{name: svc-a, port: 80}}]}}]
"
    );
    m.push_str(&service("infra", "svc-a", 80, Some(&a)));
    let proxy = Proxy::start(&m, |c| c.limits.drain_timeout = drain).await;
    (proxy, SocketAddr::from(([127, 0, 0, 1], http)), a)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_serves_health_readiness_metrics_and_status() {
    let (proxy, addr, _a) = fixture(Duration::from_secs(5)).await;
    assert_eq!(proxy.admin("/healthz").await.status, 200);
    assert_eq!(proxy.admin("/readyz").await.status, 200);
    assert_eq!(proxy.admin("/nope").await.status, 404);
    assert_eq!(get(addr, "web.example.com", "/").await.status, 200);
    assert_eq!(get(addr, "web.example.com", "/").await.status, 200);
    assert_eq!(get(addr, "other.example.com", "/").await.status, 404);
    let metrics = proxy.admin("/metrics").await;
    assert!(
        metrics
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/plain; version=0.0.4"))
    );
    let text = metrics.text();
    for line in [
        "gatewise_requests_total{gateway=\"infra/gw\",route=\"HTTPRoute/infra/web\",backend=\"infra/svc-a:80\",code=\"200\"} 2",
        "gatewise_requests_total{gateway=\"infra/gw\",route=\"\",backend=\"\",code=\"404\"} 1",
        "gatewise_request_duration_seconds_count{gateway=\"infra/gw\",route=\"HTTPRoute/infra/web\"} 2",
        "gatewise_reloads_total{result=\"success\"} 1",
        "gatewise_reloads_total{result=\"failure\"} 0",
        "gatewise_config_generation 1",
        "# TYPE gatewise_open_connections gauge",
        "# TYPE gatewise_request_duration_seconds histogram",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    // An open connection shows in the gauge.
    let mut tcp = connect(addr).await;
    must(
        tcp.write_all(b"GET / HTTP/1.1\r\nHost: web.example.com\r\n\r\n")
            .await,
        "write",
    );
    let mut buf = [0u8; 512];
    let _ = must(within("answer", tcp.read(&mut buf)).await, "read");
    // (Connections of the earlier requests end on their own time: wait for them.)
    within("gauge shows the one open connection", async {
        while proxy
            .metric("gatewise_open_connections{kind=\"http\"}")
            .await
            != 1.0
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    drop(tcp);
    within("gauge back to zero", async {
        while proxy
            .metric("gatewise_open_connections{kind=\"http\"}")
            .await
            != 0.0
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    // The Kubernetes-shaped status.
    let status = proxy.admin("/status").await.json();
    assert_eq!(status["kind"], "List");
    let items = status["items"].as_array().cloned().unwrap_or_default();
    let gateway = items
        .iter()
        .find(|o| o["kind"] == "Gateway")
        .cloned()
        .unwrap_or_default();
    assert_eq!(gateway["metadata"]["name"], "gw");
    let programmed = gateway["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Programmed" && c["status"] == "True");
    assert!(programmed, "{gateway}");
    assert!(
        items
            .iter()
            .any(|o| o["kind"] == "HTTPRoute" && o["metadata"]["name"] == "web")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_accepting_and_drains_in_flight_requests() {
    let (mut proxy, addr, a) = fixture(Duration::from_secs(20)).await;
    let in_flight = tokio::spawn(async move { get(addr, "web.example.com", "/slow/1500").await });
    within("request reaches the backend", async {
        while a.seen().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let server = proxy.server.take().unwrap_or_else(|| panic!("server"));
    let admin = proxy.admin;
    let shutdown = tokio::spawn(server.shutdown());
    // Not ready while draining, and the listener is closed.
    within("not ready", async {
        loop {
            if get(admin, "admin", "/readyz").await.status == 503 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    within("listener closed", async {
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    // The request in flight finishes with its answer.
    let answer = must(within("in-flight request", in_flight).await, "join");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.backend(), "a");
    let drained = must(within("shutdown", shutdown).await, "join");
    assert!(drained.complete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_gives_up_after_the_drain_time() {
    let (mut proxy, addr, a) = fixture(Duration::from_millis(500)).await;
    let mut tcp = connect(addr).await;
    must(
        tcp.write_all(b"GET /slow/60000 HTTP/1.1\r\nHost: web.example.com\r\n\r\n")
            .await,
        "write",
    );
    within("request reaches the backend", async {
        while a.seen().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let server = proxy.server.take().unwrap_or_else(|| panic!("server"));
    let started = Instant::now();
    let drained = within("shutdown", server.shutdown()).await;
    assert!(!drained.complete);
    // 0.5 s of drain, then the connection is dropped: far less than the minute
    // the backend would take.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let mut buf = Vec::new();
    let read = within("connection dropped", tcp.read_to_end(&mut buf)).await;
    assert!(
        read.is_err() || buf.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&buf)
    );
}
