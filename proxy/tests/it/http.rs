//! HTTP/1.1 and h2c over real sockets: routing by host, path and header; each
//! filter; weights; the gateway's own answers; forwarding and hop-by-hop headers;
//! pooling; upgrades.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::support::*;

/// Backends and a proxy for the routing tests.
pub(crate) struct Fixture {
    pub(crate) proxy: Proxy,
    pub(crate) addr: SocketAddr,
    pub(crate) a: Backend,
    pub(crate) b: Backend,
    pub(crate) mirror: Backend,
}

pub(crate) fn manifests(
    http: u16,
    a: &Backend,
    b: &Backend,
    b2: &Backend,
    canary: &Backend,
    mirror: &Backend,
) -> String {
    let down = free_port();
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
kind: HTTPRoute
metadata: {{name: hosts, namespace: app}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [a.example.com]
  rules: [{{backendRefs: [{{name: svc-a, port: 80}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: paths, namespace: app}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [b.example.com]
  rules:
  - matches: [{{path: {{type: PathPrefix, value: /v2}}}}]
    backendRefs: [{{name: svc-b2, port: 80}}]
  - matches: [{{path: {{type: Exact, value: /exact}}}}]
    backendRefs: [{{name: svc-b2, port: 80}}]
  - matches: [{{headers: [{{name: x-version, value: canary}}]}}]
    backendRefs: [{{name: svc-canary, port: 80}}]
  - backendRefs: [{{name: svc-b, port: 80}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: filters, namespace: app}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [f.example.com]
  rules:
  - matches: [{{path: {{type: PathPrefix, value: /headers}}}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        add: [{{name: x-added, value: 'yes'}}]
        set: [{{name: x-set, value: set}}]
        remove: [x-remove]
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        add: [{{name: x-resp, value: added}}]
        remove: [x-drop-me]
    backendRefs: [{{name: svc-a, port: 80}}]
  - matches: [{{path: {{type: PathPrefix, value: /hop-filter}}}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        - {{name: Connection, value: x-named}}
        - {{name: Keep-Alive, value: timeout=5}}
        - {{name: Transfer-Encoding, value: chunked}}
        - {{name: Upgrade, value: h2c}}
        - {{name: x-named, value: dropped}}
        - {{name: x-plain, value: kept}}
    backendRefs: [{{name: svc-a, port: 80}}]
  - matches: [{{path: {{type: PathPrefix, value: /rewrite}}}}]
    filters:
    - type: URLRewrite
      urlRewrite:
        hostname: rewritten.example.com
        path: {{type: ReplacePrefixMatch, replacePrefixMatch: /new}}
    backendRefs: [{{name: svc-a, port: 80}}]
  - matches: [{{path: {{type: PathPrefix, value: /redirect}}}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {{scheme: https, hostname: elsewhere.example.com, statusCode: 302}}
  - matches: [{{path: {{type: PathPrefix, value: /mirror}}}}]
    filters:
    - type: RequestMirror
      requestMirror: {{backendRef: {{name: svc-mirror, port: 80}}}}
    backendRefs: [{{name: svc-a, port: 80}}]
  - matches: [{{path: {{type: PathPrefix, value: /cors}}}}]
    filters:
    - type: CORS
      cors:
        allowOrigins: ['https://app.example.com']
        allowMethods: [GET, POST]
        allowHeaders: [x-custom]
        maxAge: 600
    backendRefs: [{{name: svc-a, port: 80}}]
  - matches: [{{path: {{type: PathPrefix, value: /timeout}}}}]
    timeouts: {{request: 300ms}}
    backendRefs: [{{name: svc-a, port: 80}}]
  - matches: [{{path: {{type: PathPrefix, value: /backend-timeout}}}}]
    timeouts: {{request: 60s, backendRequest: 300ms}}
    backendRefs: [{{name: svc-a, port: 80}}]
  - matches: [{{path: {{type: PathPrefix, value: /per-backend}}}}]
    backendRefs:
    - name: svc-a
      port: 80
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier: {{add: [{{name: x-backend-filter, value: 'on'}}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: weights, namespace: app}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [w.example.com]
  rules:
  - backendRefs:
    - {{name: svc-a, port: 80, weight: 3}}
    - {{name: svc-b, port: 80, weight: 1}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: errors, namespace: app}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [e.example.com]
  rules:
  - matches: [{{path: {{type: PathPrefix, value: /none}}}}]
    backendRefs: [{{name: svc-empty, port: 80}}]
  - matches: [{{path: {{type: PathPrefix, value: /invalid}}}}]
    backendRefs: [{{name: svc-missing, port: 80}}]
  - matches: [{{path: {{type: PathPrefix, value: /down}}}}]
    backendRefs: [{{name: svc-down, port: 80}}]
---
apiVersion: v1
kind: Service
metadata: {{name: svc-down, namespace: app}}
spec: {{ports: [{{port: 80}}]}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: svc-down-1, namespace: app, labels: {{kubernetes.io/service-name: svc-down}}}}
addressType: IPv4
ports: [{{port: {down}}}]
endpoints: [{{addresses: [127.0.0.1]}}]
"
    );
    for (name, b) in [
        ("svc-a", Some(a)),
        ("svc-b", Some(b)),
        ("svc-b2", Some(b2)),
        ("svc-canary", Some(canary)),
        ("svc-mirror", Some(mirror)),
        ("svc-empty", None),
    ] {
        m.push_str(&service("app", name, 80, b));
    }
    m
}

pub(crate) async fn fixture() -> Fixture {
    fixture_with_mirror_delay(Duration::ZERO, |_| {}).await
}

async fn fixture_with_mirror_delay(
    delay: Duration,
    tweak: impl FnOnce(&mut gatewise_proxy::Config),
) -> Fixture {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let b2 = Backend::start("b2").await;
    let canary = Backend::start("canary").await;
    let mirror = Backend::start_with("mirror", delay).await;
    let http = free_port();
    let proxy = Proxy::start(&manifests(http, &a, &b, &b2, &canary, &mirror), tweak).await;
    Fixture {
        proxy,
        addr: SocketAddr::from(([127, 0, 0, 1], http)),
        a,
        b,
        mirror,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_routes_by_host_path_and_header() {
    let f = fixture().await;
    assert_eq!(
        get(f.addr, "a.example.com", "/anything").await.backend(),
        "a"
    );
    assert_eq!(
        get(f.addr, "b.example.com", "/v2/items").await.backend(),
        "b2"
    );
    assert_eq!(get(f.addr, "b.example.com", "/exact").await.backend(), "b2");
    assert_eq!(
        get(f.addr, "b.example.com", "/exact/more").await.backend(),
        "b"
    );
    assert_eq!(
        get(f.addr, "B.Example.COM:80", "/other").await.backend(),
        "b"
    );
    let canary = request("GET", "b.example.com", "/x", &[("x-version", "canary")], "");
    let answer = must(h1_on(connect(f.addr).await, canary).await, "canary");
    assert_eq!(answer.backend(), "canary");
    // The backend receives the path and query as sent, and the Host unchanged.
    let seen = get(f.addr, "a.example.com", "/p/q?x=1&y=2").await.json();
    assert_eq!(seen["path"], "/p/q?x=1&y=2");
    assert_eq!(seen["host"], "a.example.com");
    assert_eq!(seen["version"], "HTTP/1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_prior_knowledge_routes_like_http1() {
    let f = fixture().await;
    for (host, path, want) in [
        ("a.example.com", "/x", "a"),
        ("b.example.com", "/v2", "b2"),
        ("b.example.com", "/", "b"),
    ] {
        let req = h2_request("GET", "http", host, path, &[], body(Bytes::new()));
        let answer = must(h2_on(connect(f.addr).await, req).await, "h2c request");
        assert_eq!(answer.version, http::Version::HTTP_2);
        assert_eq!(answer.backend(), want, "{host}{path}");
        // An HTTP/1.1 backend gets HTTP/1.1 with the :authority as Host.
        assert_eq!(answer.json()["host"], host);
        assert_eq!(answer.json()["version"], "HTTP/1.1");
    }
    // Several streams on one connection.
    let tcp = connect(f.addr).await;
    let (sender, conn) = must(
        hyper::client::conn::http2::handshake(
            hyper_util::rt::TokioExecutor::new(),
            hyper_util::rt::TokioIo::new(tcp),
        )
        .await,
        "h2 handshake",
    );
    tokio::spawn(conn);
    let mut calls = Vec::new();
    for i in 0..10 {
        let mut s = sender.clone();
        calls.push(tokio::spawn(async move {
            let req = h2_request(
                "GET",
                "http",
                "a.example.com",
                &format!("/s{i}"),
                &[],
                body(Bytes::new()),
            );
            let resp = must(within("stream", s.send_request(req)).await, "stream");
            resp.status()
        }));
    }
    for c in calls {
        assert_eq!(must(c.await, "join"), http::StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_filters_change_request_and_response() {
    let f = fixture().await;
    let req = request(
        "GET",
        "f.example.com",
        "/headers",
        &[
            ("x-set", "client"),
            ("x-remove", "gone"),
            ("x-keep", "kept"),
        ],
        "",
    );
    let answer = must(h1_on(connect(f.addr).await, req).await, "headers");
    assert_eq!(answer.seen_header("x-added").as_deref(), Some("yes"));
    assert_eq!(answer.seen_header("x-set").as_deref(), Some("set"));
    assert_eq!(answer.seen_header("x-remove"), None);
    assert_eq!(answer.seen_header("x-keep").as_deref(), Some("kept"));
    assert_eq!(answer.header("x-resp").as_deref(), Some("added"));
    assert_eq!(answer.header("x-drop-me"), None);
    assert_eq!(answer.header("x-backend").as_deref(), Some("a"));
    // Hop-by-hop headers a filter sets describe the proxy's own connections:
    // they (and the names `Connection` lists) do not reach the backend.
    let answer = get(f.addr, "f.example.com", "/hop-filter").await;
    assert_eq!(answer.seen_header("x-plain").as_deref(), Some("kept"));
    for name in [
        "connection",
        "keep-alive",
        "transfer-encoding",
        "upgrade",
        "x-named",
    ] {
        assert_eq!(answer.seen_header(name), None, "{name} reached the backend");
    }
    // A backendRef's own filter.
    let answer = get(f.addr, "f.example.com", "/per-backend").await;
    assert_eq!(
        answer.seen_header("x-backend-filter").as_deref(),
        Some("on")
    );
    // Without a response filter, the backend's headers pass untouched.
    assert_eq!(
        get(f.addr, "a.example.com", "/")
            .await
            .header("x-drop-me")
            .as_deref(),
        Some("1")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_rewrite_changes_host_and_path() {
    let f = fixture().await;
    let seen = get(f.addr, "f.example.com", "/rewrite/deep/er?q=1")
        .await
        .json();
    assert_eq!(seen["path"], "/new/deep/er?q=1");
    assert_eq!(seen["host"], "rewritten.example.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_is_answered_by_the_gateway() {
    let f = fixture().await;
    let answer = get(f.addr, "f.example.com", "/redirect/x?y=1").await;
    assert_eq!(answer.status, 302);
    assert_eq!(
        answer.header("location").as_deref(),
        Some("https://elsewhere.example.com/redirect/x?y=1")
    );
    assert!(f.a.seen().is_empty(), "a redirect reaches no backend");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirror_gets_a_copy_with_the_body() {
    let f = fixture().await;
    let req = request(
        "POST",
        "f.example.com",
        "/mirror/x",
        &[("content-type", "text/plain")],
        "payload",
    );
    let answer = must(h1_on(connect(f.addr).await, req).await, "mirror");
    assert_eq!(answer.backend(), "a");
    assert_eq!(answer.json()["body"], "payload");
    // The copy arrives on its own time: wait for it.
    let seen = within("mirror copy", async {
        loop {
            if let Some(s) = f.mirror.seen().into_iter().next() {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/mirror/x");
    assert_eq!(seen.body, Bytes::from_static(b"payload"));
    assert_eq!(
        seen.headers.get("host").map(|h| h.as_bytes()),
        Some(&b"f.example.com"[..])
    );
    let sent = f.proxy.metric("gatewise_mirrors_sent_total").await;
    assert!(sent >= 1.0, "mirrors sent: {sent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_mirror_never_delays_the_primary() {
    // The mirror backend takes 30 s to answer anything; three primaries, one with
    // a body far larger than the mirror's copy buffer, must not wait for it.
    let f = fixture_with_mirror_delay(Duration::from_secs(30), |_| {}).await;
    let started = std::time::Instant::now();
    let big = "x".repeat(4 << 20);
    for body_text in ["", "small", big.as_str()] {
        let req = request("POST", "f.example.com", "/mirror/p", &[], body_text);
        let answer = must(h1_on(connect(f.addr).await, req).await, "primary");
        assert_eq!(answer.status, 200);
        assert_eq!(answer.backend(), "a");
        assert_eq!(
            answer.json()["body"].as_str().map(str::len),
            Some(body_text.len())
        );
    }
    // Waiting for the mirror would take 90 s; even a loaded machine does this in far less.
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_and_actual_request() {
    let f = fixture().await;
    let preflight = request(
        "OPTIONS",
        "f.example.com",
        "/cors",
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "x-custom"),
        ],
        "",
    );
    let answer = must(h1_on(connect(f.addr).await, preflight).await, "preflight");
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    assert_eq!(
        answer.header("access-control-max-age").as_deref(),
        Some("600")
    );
    assert!(
        f.a.seen().is_empty(),
        "the gateway answers preflights itself"
    );
    let actual = request(
        "GET",
        "f.example.com",
        "/cors",
        &[("origin", "https://app.example.com")],
        "",
    );
    let answer = must(h1_on(connect(f.addr).await, actual).await, "actual");
    assert_eq!(answer.backend(), "a");
    assert_eq!(
        answer.header("access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    let other = request(
        "GET",
        "f.example.com",
        "/cors",
        &[("origin", "https://evil.example")],
        "",
    );
    let answer = must(h1_on(connect(f.addr).await, other).await, "other origin");
    assert_eq!(answer.header("access-control-allow-origin"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_and_backend_timeouts_answer_504() {
    let f = fixture().await;
    assert_eq!(
        get(f.addr, "f.example.com", "/timeout/slow/10000")
            .await
            .status,
        504
    );
    assert_eq!(
        get(f.addr, "f.example.com", "/backend-timeout/slow/10000")
            .await
            .status,
        504
    );
    // Within the time, the answer comes through.
    assert_eq!(
        get(f.addr, "f.example.com", "/timeout/fast").await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weighted_backends_share_by_weight() {
    let f = fixture().await;
    let mut names = Vec::new();
    for _ in 0..200 {
        names.push(get(f.addr, "w.example.com", "/").await.backend());
    }
    let t = tally(names);
    let (a, b) = (
        t.get("a").copied().unwrap_or(0),
        t.get("b").copied().unwrap_or(0),
    );
    assert_eq!(a + b, 200, "{t:?}");
    // Weights 3:1 → about 150:50; the bounds are wide enough never to flake
    // (a fair coin would fail them only with negligible probability).
    assert!((110..=185).contains(&a), "{t:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_answers_404_500_502_503() {
    let f = fixture().await;
    let unknown = get(f.addr, "nobody.example.com", "/").await;
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.text().contains("NoMatchingRoute"),
        "{}",
        unknown.text()
    );
    assert_eq!(get(f.addr, "e.example.com", "/invalid").await.status, 500);
    assert_eq!(get(f.addr, "e.example.com", "/none").await.status, 503);
    assert_eq!(get(f.addr, "e.example.com", "/down").await.status, 502);
    // A request with no Host is malformed.
    let mut tcp = connect(f.addr).await;
    must(tcp.write_all(b"GET / HTTP/1.1\r\n\r\n").await, "write");
    let mut buf = vec![0u8; 1024];
    let n = must(within("read", tcp.read(&mut buf)).await, "read");
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_headers_are_set_and_hop_by_hop_headers_stripped() {
    let f = fixture().await;
    let req = request(
        "GET",
        "a.example.com",
        "/",
        &[
            ("x-forwarded-for", "203.0.113.7"),
            ("connection", "keep-alive, x-secret"),
            ("x-secret", "do not forward"),
            ("keep-alive", "timeout=5"),
            ("proxy-authorization", "Basic eA=="),
            ("te", "gzip"),
        ],
        "",
    );
    let answer = must(h1_on(connect(f.addr).await, req).await, "request");
    assert_eq!(
        answer.seen_header("x-forwarded-for").as_deref(),
        Some("203.0.113.7, 127.0.0.1")
    );
    assert_eq!(
        answer.seen_header("x-forwarded-proto").as_deref(),
        Some("http")
    );
    assert_eq!(
        answer.seen_header("forwarded").as_deref(),
        Some("for=127.0.0.1;proto=http;host=\"a.example.com\"")
    );
    for gone in ["x-secret", "keep-alive", "proxy-authorization", "te"] {
        assert_eq!(answer.seen_header(gone), None, "{gone} reached the backend");
    }
    // The backend's hop-by-hop header (named in its Connection) stops at the gateway.
    assert_eq!(answer.header("x-hop"), None);
    assert_eq!(answer.header("x-backend").as_deref(), Some("a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_connections_are_pooled() {
    let f = fixture().await;
    for i in 0..20 {
        let answer = get(f.addr, "b.example.com", &format!("/n{i}")).await;
        assert_eq!(answer.backend(), "b");
    }
    // Twenty client connections, sequential: without pooling the backend would
    // see twenty; with it, one (a few more if a request arrives before the
    // previous connection is back in the pool on a loaded machine).
    let n = f.b.connections.load(std::sync::atomic::Ordering::SeqCst);
    assert!((1..10).contains(&n), "backend connections: {n}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_is_tunnelled_only_after_101() {
    let f = fixture().await;
    let mut tcp = connect(f.addr).await;
    must(
        tcp.write_all(
            b"GET /ws HTTP/1.1\r\nHost: a.example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        )
        .await,
        "write",
    );
    let mut head = Vec::new();
    let mut buf = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = must(within("read head", tcp.read(&mut buf)).await, "read");
        assert!(n > 0, "closed before the 101");
        head.push(buf[0]);
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(head.contains("upgrade: websocket"), "{head}");
    must(tcp.write_all(b"ping").await, "write");
    let mut got = [0u8; 9];
    must(within("read echo", tcp.read_exact(&mut got)).await, "read");
    assert_eq!(&got, b"echo:ping");
    // Without Connection: upgrade the Upgrade header is hop-by-hop noise: a
    // plain request and answer.
    let plain = request(
        "GET",
        "a.example.com",
        "/ws",
        &[("upgrade", "websocket")],
        "",
    );
    let answer = must(h1_on(connect(f.addr).await, plain).await, "plain");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.seen_header("upgrade"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirrors_in_flight_are_bounded() {
    // One mirror at a time, and the mirror backend is slow: the second copy is
    // dropped and counted, the primaries are unaffected.
    let f = fixture_with_mirror_delay(Duration::from_secs(30), |c| {
        c.limits.max_mirrors_in_flight = 1;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            get(f.addr, "f.example.com", "/mirror/x").await.backend(),
            "a"
        );
    }
    assert_eq!(f.proxy.metric("gatewise_mirrors_dropped_total").await, 2.0);
    // The one copy let through is sent from its own task: wait for it.
    within("the first copy is sent", async {
        while f.proxy.metric("gatewise_mirrors_sent_total").await != 1.0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fqdn_endpoints_resolve_by_dns() {
    let a = Backend::start("dns").await;
    let http = free_port();
    let m = format!(
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
  rules: [{{backendRefs: [{{name: web, port: 80}}]}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: infra}}
spec: {{ports: [{{name: http, port: 80}}]}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: web-dns, namespace: infra, labels: {{kubernetes.io/service-name: web}}}}
addressType: FQDN
ports: [{{name: http, port: {port}}}]
endpoints: [{{addresses: [localhost]}}]
",
        port = a.port()
    );
    let _proxy = Proxy::start(&m, |_| {}).await;
    let answer = get(
        SocketAddr::from(([127, 0, 0, 1], http)),
        "x.example.com",
        "/",
    )
    .await;
    assert_eq!(answer.backend(), "dns");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listenerset_listeners_get_their_own_sockets() {
    let a = Backend::start("set").await;
    let (gw_port, set_port) = (free_port(), free_port());
    let mut m = format!(
        "{CLASS}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: gatewise
  allowedListeners: {{namespaces: {{from: Same}}}}
  listeners: [{{name: http, port: {gw_port}, protocol: HTTP}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {{name: extra, namespace: infra}}
spec:
  parentRef: {{name: gw}}
  listeners: [{{name: more, port: {set_port}, protocol: HTTP, hostname: set.example.com}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: via-set, namespace: infra}}
spec:
  parentRefs: [{{kind: ListenerSet, name: extra}}]
  rules: [{{backendRefs: [{{name: svc-set, port: 80}}]}}]
"
    );
    m.push_str(&service("infra", "svc-set", 80, Some(&a)));
    let _proxy = Proxy::start(&m, |_| {}).await;
    let answer = get(
        SocketAddr::from(([127, 0, 0, 1], set_port)),
        "set.example.com",
        "/",
    )
    .await;
    assert_eq!(answer.backend(), "set");
    // The route attached to the ListenerSet only: the Gateway's own listener has none.
    let answer = get(
        SocketAddr::from(([127, 0, 0, 1], gw_port)),
        "set.example.com",
        "/",
    )
    .await;
    assert_eq!(answer.status, 404);
}
