//! TLS passthrough by SNI, TLS termination of streams, TCP and UDP forwarding,
//! through the core's TLS, TCP and UDP listeners.

use std::net::SocketAddr;
use std::sync::Arc;

use gatewise::{GatewayRef, Options, Router};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, UdpSocket};

use crate::support::*;

/// Checks that the core programs every listener of `infra/gw` in `manifests`
/// (a precondition: a failure here is the manifests' or the core's, not the
/// proxy's).
fn assert_programmed(manifests: &str, what: &str) {
    let loaded = gatewise::load_str("probe.yaml", manifests);
    assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
    assert!(loaded.skipped.is_empty(), "{what}: {:?}", loaded.skipped);
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let listeners = compiled.router().listeners("infra", "gw");
    assert!(
        !listeners.is_empty() && listeners.iter().all(|l| l.programmed),
        "the core does not program the {what} listeners: {:?}",
        compiled.status(gatewise::Timestamp::DEFAULT_EPOCH).gateways
    );
}

fn gateway(listeners: &str) -> String {
    format!(
        "{CLASS}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: gatewise
  listeners:
{listeners}"
    )
}

/// A Service port and its EndpointSlice at 127.0.0.1:`target`.
fn service_port(name: &str, port: u16, protocol: &str, target: u16) -> String {
    format!(
        "---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: infra}}
spec: {{ports: [{{port: {port}, protocol: {protocol}}}]}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: {name}-1, namespace: infra, labels: {{kubernetes.io/service-name: {name}}}}}
addressType: IPv4
ports: [{{port: {target}, protocol: {protocol}}}]
endpoints: [{{addresses: [127.0.0.1]}}]
"
    )
}

/// A TCP echo server answering each read with `prefix` + the bytes.
async fn tcp_echo(prefix: &'static [u8]) -> u16 {
    let l = must(TcpListener::bind(("127.0.0.1", 0)).await, "bind");
    let port = must(l.local_addr(), "addr").port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = l.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                while let Ok(n) = tcp.read(&mut buf).await {
                    if n == 0 {
                        return;
                    }
                    let mut out = prefix.to_vec();
                    out.extend_from_slice(&buf[..n]);
                    if tcp.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_streams_are_forwarded() {
    let echo = tcp_echo(b"tcp:").await;
    let port = free_port();
    let mut m = gateway(&format!("  - {{name: tcp, port: {port}, protocol: TCP}}\n"));
    m.push_str(
        "---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: tcp, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: svc-tcp, port: 9000}]}]
",
    );
    m.push_str(&service_port("svc-tcp", 9000, "TCP", echo));
    assert_programmed(&m, "TCP");
    let proxy = Proxy::start(&m, |_| {}).await;
    let mut tcp = connect(SocketAddr::from(([127, 0, 0, 1], port))).await;
    must(tcp.write_all(b"hello").await, "write");
    let mut got = [0u8; 9];
    must(within("echo", tcp.read_exact(&mut got)).await, "read");
    assert_eq!(&got, b"tcp:hello");
    drop(tcp);
    let forwarded = proxy
        .metric("gatewise_streams_total{gateway=\"infra/gw\",protocol=\"TCP\",route=\"TCPRoute/infra/tcp\",backend=\"infra/svc-tcp:9000\",result=\"forwarded\"}")
        .await;
    assert_eq!(forwarded, 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_datagrams_are_forwarded_per_client() {
    let echo = must(UdpSocket::bind(("127.0.0.1", 0)).await, "bind");
    let echo_port = must(echo.local_addr(), "addr").port();
    tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = echo.recv_from(&mut buf).await {
            let mut out = b"udp:".to_vec();
            out.extend_from_slice(&buf[..n]);
            let _ = echo.send_to(&out, from).await;
        }
    });
    let port = free_udp_port();
    let mut m = gateway(&format!("  - {{name: udp, port: {port}, protocol: UDP}}\n"));
    m.push_str(
        "---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: UDPRoute
metadata: {name: udp, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: svc-udp, port: 53}]}]
",
    );
    m.push_str(&service_port("svc-udp", 53, "UDP", echo_port));
    assert_programmed(&m, "UDP");
    let _proxy = Proxy::start(&m, |_| {}).await;
    let gateway_addr = SocketAddr::from(([127, 0, 0, 1], port));
    for client in ["one", "two"] {
        let sock = must(UdpSocket::bind(("127.0.0.1", 0)).await, "bind client");
        // Datagrams may be lost: ask until answered (bounded).
        let answer = within("udp answer", async {
            let mut buf = [0u8; 2048];
            loop {
                must(sock.send_to(client.as_bytes(), gateway_addr).await, "send");
                if let Ok(Ok((n, from))) = tokio::time::timeout(
                    std::time::Duration::from_millis(500),
                    sock.recv_from(&mut buf),
                )
                .await
                {
                    assert_eq!(from, gateway_addr, "the answer comes from the gateway");
                    return buf[..n].to_vec();
                }
            }
        })
        .await;
        assert_eq!(answer, format!("udp:{client}").into_bytes());
    }
}

/// A backend that terminates TLS with `leaf` and answers `pass:` + what it reads.
async fn tls_echo_backend(leaf: &Leaf) -> u16 {
    use rustls::pki_types::pem::PemObject as _;
    let backend = must(TcpListener::bind(("127.0.0.1", 0)).await, "bind");
    let port = must(backend.local_addr(), "addr").port();
    let certs = must(
        rustls::pki_types::CertificateDer::pem_slice_iter(leaf.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>(),
        "certs",
    );
    let key = must(
        rustls::pki_types::PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()),
        "key",
    );
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_config = Arc::new(must(
        must(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions(),
            "versions",
        )
        .with_no_client_auth()
        .with_single_cert(certs, key),
        "server config",
    ));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = backend.accept().await {
            let acceptor = tokio_rustls::TlsAcceptor::from(server_config.clone());
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut buf = [0u8; 64];
                    if let Ok(n) = tls.read(&mut buf).await {
                        let mut out = b"pass:".to_vec();
                        out.extend_from_slice(&buf[..n]);
                        let _ = tls.write_all(&out).await;
                        let _ = tls.flush().await;
                    }
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_passthrough_splices_by_sni_without_terminating() {
    // The backend terminates TLS itself, with its own certificate.
    let ca = Ca::new();
    let backend_leaf = ca.leaf(&["pass.example.com"]);
    let backend_port = tls_echo_backend(&backend_leaf).await;
    let port = free_port();
    let mut m = gateway(&format!(
        "  - {{name: tls, port: {port}, protocol: TLS, hostname: '*.example.com', tls: {{mode: Passthrough}}}}\n"
    ));
    m.push_str(
        "---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: {name: pass, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  hostnames: [pass.example.com]
  rules: [{backendRefs: [{name: svc-pass, port: 443}]}]
",
    );
    m.push_str(&service_port("svc-pass", 443, "TCP", backend_port));
    assert_programmed(&m, "TLS (Passthrough)");
    let _proxy = Proxy::start(&m, |_| {}).await;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut tls = must(
        tls_connect(addr, ca.client(&[]), "pass.example.com").await,
        "tls",
    );
    // The certificate is the backend's: the gateway did not terminate.
    assert_eq!(peer_cert(&tls), backend_leaf.der);
    must(tls.write_all(b"hi").await, "write");
    let mut got = [0u8; 7];
    must(within("echo", tls.read_exact(&mut got)).await, "read");
    assert_eq!(&got, b"pass:hi");
    // A name under the listener but with no TLSRoute: refused.
    assert!(
        tls_connect(addr, ca.client(&[]), "other.example.com")
            .await
            .is_err()
    );
    let router_check = {
        let loaded = gatewise::load_str("m.yaml", &m);
        let compiled = Router::compile(&loaded.resources, &Options::default());
        matches!(
            compiled.router().route_tls(
                GatewayRef::new("infra", "gw"),
                port,
                Some("other.example.com")
            ),
            gatewise::Decision::Reject(_)
        )
    };
    assert!(router_check, "the core refuses other.example.com too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_terminate_listener_forwards_plaintext() {
    let echo = tcp_echo(b"plain:").await;
    let ca = Ca::new();
    let leaf = ca.leaf(&["term.example.com"]);
    let port = free_port();
    let mut m = gateway(&format!(
        "  - {{name: tls, port: {port}, protocol: TLS, hostname: term.example.com, tls: {{mode: Terminate, certificateRefs: [{{name: term}}]}}}}\n"
    ));
    m.push_str(
        "---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: {name: term, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  hostnames: [term.example.com]
  rules: [{backendRefs: [{name: svc-term, port: 9000}]}]
",
    );
    m.push_str(&secret("infra", "term", &leaf));
    m.push_str(&service_port("svc-term", 9000, "TCP", echo));
    assert_programmed(&m, "TLS (Terminate)");
    let _proxy = Proxy::start(&m, |_| {}).await;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut tls = must(
        tls_connect(addr, ca.client(&[]), "term.example.com").await,
        "tls",
    );
    assert_eq!(peer_cert(&tls), leaf.der);
    must(tls.write_all(b"hey").await, "write");
    let mut got = [0u8; 9];
    must(within("echo", tls.read_exact(&mut got)).await, "read");
    assert_eq!(&got, b"plain:hey");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_and_tls_passthrough_share_a_port_by_server_name() {
    let ca = Ca::new();
    let pass_leaf = ca.leaf(&["pass.example.com"]);
    let pass_port = tls_echo_backend(&pass_leaf).await;
    let web = Backend::start("web").await;
    let gateway_leaf = ca.leaf(&["www.example.com"]);
    let port = free_port();
    let mut m = gateway(&format!(
        "  - {{name: web, port: {port}, protocol: HTTPS, hostname: www.example.com, tls: {{certificateRefs: [{{name: web}}]}}}}
  - {{name: pass, port: {port}, protocol: TLS, hostname: pass.example.com, tls: {{mode: Passthrough}}}}
"
    ));
    m.push_str(
        "---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: {name: pass, namespace: infra}
spec:
  parentRefs: [{name: gw, sectionName: pass}]
  hostnames: [pass.example.com]
  rules: [{backendRefs: [{name: svc-pass, port: 443}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: infra}
spec:
  parentRefs: [{name: gw, sectionName: web}]
  rules: [{backendRefs: [{name: svc-web, port: 80}]}]
",
    );
    m.push_str(&secret("infra", "web", &gateway_leaf));
    m.push_str(&service_port("svc-pass", 443, "TCP", pass_port));
    m.push_str(&service_port("svc-web", 80, "TCP", web.port()));
    assert_programmed(&m, "HTTPS and TLS");
    let _proxy = Proxy::start(&m, |_| {}).await;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    // www: terminated by the gateway, HTTP inside.
    let tls = must(
        tls_connect(addr, ca.client(&[b"http/1.1"]), "www.example.com").await,
        "www",
    );
    assert_eq!(peer_cert(&tls), gateway_leaf.der);
    let answer = must(
        h1_on(tls, request("GET", "www.example.com", "/", &[], "")).await,
        "request",
    );
    assert_eq!(answer.backend(), "web");
    // pass: the backend's own certificate.
    let mut tls = must(
        tls_connect(addr, ca.client(&[]), "pass.example.com").await,
        "pass",
    );
    assert_eq!(peer_cert(&tls), pass_leaf.der);
    must(tls.write_all(b"yo").await, "write");
    let mut got = [0u8; 7];
    must(within("echo", tls.read_exact(&mut got)).await, "read");
    assert_eq!(&got, b"pass:yo");
}
