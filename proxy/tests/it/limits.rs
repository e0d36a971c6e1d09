//! Bad and greedy clients: header size and count limits (431), slowloris and
//! silent connections, idle connections, the connection bound, malformed
//! requests (400).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use gatewise_proxy::Config;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::*;

async fn fixture(tweak: impl FnOnce(&mut Config)) -> (Proxy, SocketAddr, Backend) {
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
  rules: [{{backendRefs: [{{name: svc-a, port: 80}}]}}]
"
    );
    m.push_str(&service("infra", "svc-a", 80, Some(&a)));
    let proxy = Proxy::start(&m, tweak).await;
    (proxy, SocketAddr::from(([127, 0, 0, 1], http)), a)
}

/// Writes raw bytes and reads until the server closes (or `PATIENCE`).
async fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut tcp = connect(addr).await;
    // The server may answer and close before all bytes are written.
    let _ = tcp.write_all(bytes).await;
    let mut out = Vec::new();
    let _ = within("read answer", tcp.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Waits until the server closes `tcp`; returns whether it did within PATIENCE.
async fn closed_by_server(tcp: &mut TcpStream) -> bool {
    let mut buf = [0u8; 256];
    let waited = tokio::time::timeout(PATIENCE, async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    waited.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_or_too_many_headers_get_431() {
    let (_p, addr, backend) = fixture(|c| {
        c.limits.max_header_bytes = 8192;
        c.limits.max_headers = 20;
    })
    .await;
    let big = format!(
        "GET / HTTP/1.1\r\nHost: a.example.com\r\nx-big: {}\r\n\r\n",
        "v".repeat(16 * 1024)
    );
    let answer = raw(addr, big.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let mut many = String::from("GET / HTTP/1.1\r\nHost: a.example.com\r\n");
    for i in 0..40 {
        many.push_str(&format!("x-h{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let answer = raw(addr, many.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    // HTTP/2: a header list over SETTINGS_MAX_HEADER_LIST_SIZE.
    let big = "v".repeat(16 * 1024);
    let req = h2_request(
        "GET",
        "http",
        "a.example.com",
        "/",
        &[("x-big", big.as_str())],
        body(Bytes::new()),
    );
    let answer = must(h2_on(connect(addr).await, req).await, "h2 request");
    assert_eq!(answer.status, 431);
    assert!(backend.seen().is_empty(), "nothing reached the backend");
    // Within the limits, fine.
    assert_eq!(get(addr, "a.example.com", "/").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_and_silent_clients_are_cut_off() {
    let (_p, addr, backend) =
        fixture(|c| c.limits.header_read_timeout = Duration::from_secs(1)).await;
    // A head trickled a byte at a time never completes: the gateway closes.
    let mut tcp = connect(addr).await;
    must(
        tcp.write_all(b"GET / HTTP/1.1\r\nHost: a.example.com\r\n")
            .await,
        "write",
    );
    let started = Instant::now();
    let trickle = async {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if tcp.write_all(b"x").await.is_err() {
                return;
            }
        }
    };
    let cut = tokio::time::timeout(PATIENCE, trickle).await;
    assert!(cut.is_ok(), "still writing after {PATIENCE:?}");
    // One second allowed; anything under the 30 s patience proves the cut-off.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // A connection that sends nothing is closed too.
    let mut silent = connect(addr).await;
    assert!(closed_by_server(&mut silent).await);
    // And a TLS-less, header-less client did not reach the backend.
    assert!(backend.seen().is_empty());
    assert_eq!(get(addr, "a.example.com", "/").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed() {
    let (_p, addr, _b) = fixture(|c| {
        c.limits.idle_timeout = Duration::from_secs(1);
        c.limits.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    // HTTP/1.1 keep-alive: after its answer, the connection waits for a next
    // request only so long.
    let mut tcp = connect(addr).await;
    must(
        tcp.write_all(b"GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n")
            .await,
        "write",
    );
    assert!(closed_by_server(&mut tcp).await);
    // HTTP/2: the connection ends once idle.
    let tcp = connect(addr).await;
    let (mut sender, conn) = must(
        hyper::client::conn::http2::handshake(
            hyper_util::rt::TokioExecutor::new(),
            hyper_util::rt::TokioIo::new(tcp),
        )
        .await,
        "h2 handshake",
    );
    let conn = tokio::spawn(conn);
    let req = h2_request("GET", "http", "a.example.com", "/", &[], body(Bytes::new()));
    let resp = must(within("h2", sender.send_request(req)).await, "h2 request");
    assert_eq!(resp.status(), 200);
    drop(resp);
    let ended = within("h2 connection closed by the gateway", conn).await;
    assert!(ended.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_bound_wait_their_turn() {
    let (_p, addr, _b) = fixture(|c| c.limits.max_connections = 2).await;
    // Two connections held open, each having been served.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut tcp = connect(addr).await;
        must(
            tcp.write_all(b"GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n")
                .await,
            "write",
        );
        let mut buf = vec![0u8; 4096];
        let n = must(within("answer", tcp.read(&mut buf)).await, "read");
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        held.push(tcp);
    }
    // A third is not served while they are open...
    let mut third = connect(addr).await;
    must(
        third
            .write_all(b"GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n")
            .await,
        "write",
    );
    let mut buf = vec![0u8; 4096];
    let early = tokio::time::timeout(Duration::from_millis(800), third.read(&mut buf)).await;
    assert!(early.is_err(), "served beyond the bound: {early:?}");
    // ...and is once one closes.
    held.pop();
    let n = must(within("third answer", third.read(&mut buf)).await, "read");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_400() {
    // (A 400 the router gives keeps the connection open: a short header read
    // timeout ends it sooner.)
    let (_p, addr, backend) =
        fixture(|c| c.limits.header_read_timeout = Duration::from_secs(2)).await;
    for bad in [
        &b"NOT HTTP AT ALL\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: a.example.com\r\nbad header line\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a.example.com\r\nContent-Length: x\r\n\r\n",
        b"GET /%zz HTTP/1.1\r\nHost: a.example.com\r\n\r\n",
    ] {
        let answer = raw(addr, bad).await;
        assert!(
            answer.starts_with("HTTP/1.1 400"),
            "{:?} -> {answer:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert!(backend.seen().is_empty());
    // The gateway is unharmed.
    assert_eq!(get(addr, "a.example.com", "/").await.status, 200);
}
