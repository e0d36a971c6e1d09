//! HTTPS: TLS terminated with generated certificates, chosen by SNI (the most
//! specific listener hostname), ALPN h2 and http/1.1, 421 for a request whose
//! Host belongs to another listener, refused handshakes.

use std::net::SocketAddr;

use bytes::Bytes;

use crate::support::*;

pub(crate) struct Fixture {
    _proxy: Proxy,
    addr: SocketAddr,
    ca: Ca,
    wild: Leaf,
    secure: Leaf,
}

async fn fixture() -> Fixture {
    let a = Backend::start("a").await;
    let s = Backend::start("secure").await;
    let ca = Ca::new();
    let wild = ca.leaf(&["*.example.com"]);
    let secure = ca.leaf(&["secure.example.com"]);
    let https = free_port();
    let mut m = format!(
        "{CLASS}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: gatewise
  listeners:
  - name: wild
    port: {https}
    protocol: HTTPS
    hostname: '*.example.com'
    tls: {{certificateRefs: [{{name: wild}}]}}
    allowedRoutes: {{namespaces: {{from: All}}}}
  - name: secure
    port: {https}
    protocol: HTTPS
    hostname: secure.example.com
    tls: {{certificateRefs: [{{name: secure}}]}}
    allowedRoutes: {{namespaces: {{from: All}}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: www, namespace: app}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [www.example.com]
  rules: [{{backendRefs: [{{name: svc-a, port: 80}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: secure, namespace: app}}
spec:
  parentRefs: [{{name: gw, namespace: infra, sectionName: secure}}]
  rules: [{{backendRefs: [{{name: svc-secure, port: 80}}]}}]
"
    );
    m.push_str(&secret("infra", "wild", &wild));
    m.push_str(&secret("infra", "secure", &secure));
    m.push_str(&service("app", "svc-a", 80, Some(&a)));
    m.push_str(&service("app", "svc-secure", 80, Some(&s)));
    let proxy = Proxy::start(&m, |_| {}).await;
    Fixture {
        _proxy: proxy,
        addr: SocketAddr::from(([127, 0, 0, 1], https)),
        ca,
        wild,
        secure,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_terminates_with_the_certificate_chosen_by_sni() {
    let f = fixture().await;
    let client = f.ca.client(&[b"http/1.1"]);
    // The exact hostname wins over the wildcard.
    let tls = must(
        tls_connect(f.addr, client.clone(), "secure.example.com").await,
        "tls secure",
    );
    assert_eq!(peer_cert(&tls), f.secure.der);
    let answer = must(
        h1_on(tls, request("GET", "secure.example.com", "/", &[], "")).await,
        "request",
    );
    assert_eq!(answer.backend(), "secure");
    assert_eq!(
        answer.seen_header("x-forwarded-proto").as_deref(),
        Some("https")
    );
    // Any other name under example.com gets the wildcard certificate.
    let tls = must(
        tls_connect(f.addr, client, "www.example.com").await,
        "tls www",
    );
    assert_eq!(peer_cert(&tls), f.wild.der);
    assert_eq!(alpn(&tls).as_deref(), Some(&b"http/1.1"[..]));
    let answer = must(
        h1_on(tls, request("GET", "www.example.com", "/x", &[], "")).await,
        "request",
    );
    assert_eq!(answer.backend(), "a");
    assert_eq!(answer.json()["path"], "/x");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alpn_h2_serves_http2_over_tls() {
    let f = fixture().await;
    let tls = must(
        tls_connect(
            f.addr,
            f.ca.client(&[b"h2", b"http/1.1"]),
            "www.example.com",
        )
        .await,
        "tls",
    );
    assert_eq!(alpn(&tls).as_deref(), Some(&b"h2"[..]));
    let req = h2_request(
        "GET",
        "https",
        "www.example.com",
        "/h2",
        &[],
        body(Bytes::new()),
    );
    let answer = must(h2_on(tls, req).await, "h2 request");
    assert_eq!(answer.version, http::Version::HTTP_2);
    assert_eq!(answer.backend(), "a");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_of_another_listener_is_misdirected_421() {
    let f = fixture().await;
    let tls = must(
        tls_connect(f.addr, f.ca.client(&[b"http/1.1"]), "www.example.com").await,
        "tls",
    );
    // Connected through the wildcard listener, asking for the exact one's host.
    let answer = must(
        h1_on(tls, request("GET", "secure.example.com", "/", &[], "")).await,
        "request",
    );
    assert_eq!(answer.status, 421);
    // A host the listener takes but no route serves: 404.
    let tls = must(
        tls_connect(f.addr, f.ca.client(&[b"http/1.1"]), "nothing.example.com").await,
        "tls",
    );
    let answer = must(
        h1_on(tls, request("GET", "nothing.example.com", "/", &[], "")).await,
        "request",
    );
    assert_eq!(answer.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_name_no_listener_takes_is_refused() {
    let f = fixture().await;
    let refused = tls_connect(f.addr, f.ca.client(&[]), "other.test").await;
    assert!(refused.is_err(), "handshake for other.test should fail");
    // Plain HTTP on the TLS port is not answered either.
    let answer = h1_on(
        connect(f.addr).await,
        request("GET", "www.example.com", "/", &[], ""),
    )
    .await;
    assert!(answer.is_err(), "{answer:?}");
}
