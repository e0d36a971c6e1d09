//! Test support: echo backends, a proxy started on manifests, HTTP/1.1, HTTP/2
//! and TLS clients, generated certificates. Every wait is bounded generously
//! (the machine running these may be loaded); nothing asserts a tight time.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use gatewise_proxy::{Config, Server};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};

/// The longest any single step may take before a test fails.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// Fails the test with a message (tests avoid `unwrap`, as the workspace lints ask).
#[track_caller]
pub(crate) fn must<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e:?}"),
    }
}

/// Runs `f` within [`PATIENCE`].
pub(crate) async fn within<F: std::future::Future>(what: &str, f: F) -> F::Output {
    match tokio::time::timeout(PATIENCE, f).await {
        Ok(v) => v,
        Err(_) => panic!("{what}: no result within {PATIENCE:?}"),
    }
}

/// A port free on the loopback interface right now.
pub(crate) fn free_port() -> u16 {
    let l = must(
        std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)),
        "bind a free port",
    );
    must(l.local_addr(), "local addr").port()
}

/// A UDP port free on the loopback interface right now.
pub(crate) fn free_udp_port() -> u16 {
    let s = must(
        std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)),
        "bind a free udp port",
    );
    must(s.local_addr(), "local addr").port()
}

/// What an echo backend saw.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// A small HTTP/1.1 + h2c backend answering JSON that describes the request.
///
/// - `/slow/<ms>`: answers after that many milliseconds.
/// - `/status/<code>`: answers with that status.
/// - an `Upgrade` request: answers 101 and echoes the upgraded stream, each read
///   prefixed with `echo:`.
/// - `content-type: application/grpc`: echoes the body, with trailers
///   `grpc-status: 0` and `grpc-message: <name>`.
///
/// Every answer carries `x-backend: <name>`, `x-drop-me: 1` and a hop-by-hop
/// header named in `Connection` (`x-hop: 1`).
#[derive(Debug, Clone)]
pub(crate) struct Backend {
    pub(crate) name: String,
    pub(crate) addr: SocketAddr,
    pub(crate) connections: Arc<AtomicUsize>,
    pub(crate) seen: Arc<Mutex<Vec<Seen>>>,
    /// Every answer waits this long first.
    delay: Duration,
}

impl Backend {
    pub(crate) async fn start(name: &str) -> Backend {
        Backend::start_with(name, Duration::ZERO).await
    }

    /// A backend that waits `delay` before every answer.
    pub(crate) async fn start_with(name: &str, delay: Duration) -> Backend {
        let listener = must(
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await,
            "bind backend",
        );
        let addr = must(listener.local_addr(), "backend addr");
        let backend = Backend {
            name: name.to_owned(),
            addr,
            connections: Arc::new(AtomicUsize::new(0)),
            seen: Arc::new(Mutex::new(Vec::new())),
            delay,
        };
        let b = backend.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                b.connections.fetch_add(1, Ordering::SeqCst);
                let b = b.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| {
                        let b = b.clone();
                        async move { Ok::<_, std::convert::Infallible>(b.answer(req).await) }
                    });
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection_with_upgrades(TokioIo::new(tcp), svc)
                        .await;
                });
            }
        });
        backend
    }

    pub(crate) fn port(&self) -> u16 {
        self.addr.port()
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    async fn answer(&self, mut req: Request<Incoming>) -> Response<BoxBody> {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let upgrade = req.headers().get(http::header::UPGRADE).cloned();
        if let Some(proto) = upgrade {
            let on = hyper::upgrade::on(&mut req);
            tokio::spawn(async move {
                if let Ok(up) = on.await {
                    let mut io = TokioIo::new(up);
                    let mut buf = [0u8; 1024];
                    loop {
                        let n = match tokio::io::AsyncReadExt::read(&mut io, &mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        let mut out = b"echo:".to_vec();
                        out.extend_from_slice(&buf[..n]);
                        if tokio::io::AsyncWriteExt::write_all(&mut io, &out)
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            });
            let mut resp = Response::new(body(Bytes::new()));
            *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
            resp.headers_mut().insert(http::header::UPGRADE, proto);
            resp.headers_mut().insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("upgrade"),
            );
            return resp;
        }
        let grpc = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
        let (parts, incoming) = req.into_parts();
        let collected = incoming.collect().await.ok();
        let trailers_in = collected.as_ref().and_then(|c| c.trailers().cloned());
        let bytes = collected.map(|c| c.to_bytes()).unwrap_or_default();
        let path = parts
            .uri
            .path_and_query()
            .map_or("/".to_owned(), |p| p.as_str().to_owned());
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Seen {
                method: parts.method.to_string(),
                path: path.clone(),
                headers: parts.headers.clone(),
                body: bytes.clone(),
            });
        if grpc {
            let mut trailers = HeaderMap::new();
            trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
            trailers.insert(
                "grpc-message",
                must(http::HeaderValue::from_str(&self.name), "header value"),
            );
            if let Some(t) = trailers_in.as_ref().and_then(|t| t.get("x-client-trailer")) {
                trailers.insert("x-client-trailer-seen", t.clone());
            }
            let frames = vec![
                Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(bytes)),
                Ok(hyper::body::Frame::trailers(trailers)),
            ];
            let stream = StreamOf(frames.into_iter());
            let mut resp = Response::new(stream.boxed_unsync());
            resp.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/grpc"),
            );
            resp.headers_mut().insert(
                "x-backend",
                must(http::HeaderValue::from_str(&self.name), "header value"),
            );
            return resp;
        }
        if let Some(i) = path.find("/slow/") {
            let ms = &path[i + "/slow/".len()..];
            let ms: u64 = ms
                .split(['?', '/'])
                .next()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let status = path
            .find("/status/")
            .and_then(|i| path[i + "/status/".len()..].parse::<u16>().ok())
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::OK);
        let mut headers = serde_json::Map::new();
        for (n, v) in &parts.headers {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            match headers.get_mut(n.as_str()) {
                Some(serde_json::Value::String(s)) => {
                    s.push_str(", ");
                    s.push_str(&v);
                }
                _ => {
                    headers.insert(n.as_str().to_owned(), v.into());
                }
            }
        }
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .or_else(|| parts.uri.authority().map(ToString::to_string))
            .unwrap_or_default();
        let json = serde_json::json!({
            "backend": self.name,
            "method": parts.method.as_str(),
            "path": path,
            "host": host,
            "version": format!("{:?}", parts.version),
            "headers": headers,
            "body": String::from_utf8_lossy(&bytes),
        });
        let mut resp = Response::new(body(Bytes::from(json.to_string())));
        *resp.status_mut() = status;
        let h = resp.headers_mut();
        h.insert(
            "content-type",
            http::HeaderValue::from_static("application/json"),
        );
        h.insert(
            "x-backend",
            must(http::HeaderValue::from_str(&self.name), "header value"),
        );
        h.insert("x-drop-me", http::HeaderValue::from_static("1"));
        h.insert("x-hop", http::HeaderValue::from_static("1"));
        h.insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("x-hop"),
        );
        resp
    }
}

/// A body of the given frames.
pub(crate) struct StreamOf<I>(pub(crate) I);

impl<I> hyper::body::Body for StreamOf<I>
where
    I: Iterator<Item = Result<hyper::body::Frame<Bytes>, std::convert::Infallible>> + Unpin,
{
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.0.next())
    }
}

pub(crate) type BoxBody =
    http_body_util::combinators::UnsyncBoxBody<Bytes, std::convert::Infallible>;

pub(crate) fn body(b: impl Into<Bytes>) -> BoxBody {
    Full::new(b.into()).boxed_unsync()
}

/// The common head of test manifests: our GatewayClass.
pub(crate) const CLASS: &str = "apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
";

/// A Service `ns/name` with one port and an EndpointSlice for it pointing at
/// `backend` (or with no endpoint when `None`).
pub(crate) fn service(ns: &str, name: &str, port: u16, backend: Option<&Backend>) -> String {
    let endpoints = match backend {
        Some(b) => format!(
            "[{{addresses: ['127.0.0.1']}}]\nports: [{{name: '', port: {}}}]",
            b.port()
        ),
        None => "[]".to_owned(),
    };
    format!(
        "---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec: {{ports: [{{port: {port}}}]}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: {name}-x1, namespace: {ns}, labels: {{kubernetes.io/service-name: {name}}}}}
addressType: IPv4
endpoints: {endpoints}
"
    )
}

/// A running proxy on manifests written to a temporary folder.
pub(crate) struct Proxy {
    pub(crate) server: Option<Server>,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) admin: SocketAddr,
}

impl Proxy {
    /// Starts a proxy on `manifests` (file `gateway.yaml`), bound to 127.0.0.1,
    /// not watching files unless `tweak` says so.
    pub(crate) async fn start(manifests: &str, tweak: impl FnOnce(&mut Config)) -> Proxy {
        let dir = must(tempfile::tempdir(), "temp dir");
        must(
            std::fs::write(dir.path().join("gateway.yaml"), manifests),
            "write manifests",
        );
        let mut config = Config::new(vec![dir.path().to_path_buf()]);
        config.bind = Ipv4Addr::LOCALHOST.into();
        config.admin = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        config.watch = false;
        tweak(&mut config);
        let server = must(
            within("start proxy", Server::start(config)).await,
            "start proxy",
        );
        let admin = server
            .admin_addr()
            .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        Proxy {
            server: Some(server),
            dir,
            admin,
        }
    }

    pub(crate) fn server(&self) -> &Server {
        match &self.server {
            Some(s) => s,
            None => panic!("the proxy was shut down"),
        }
    }

    /// Replaces the manifests atomically (write, then rename, as the kubelet
    /// swaps a ConfigMap volume).
    pub(crate) fn write(&self, manifests: &str) {
        let tmp = self.dir.path().join(".gateway.yaml.tmp");
        must(std::fs::write(&tmp, manifests), "write manifests");
        must(
            std::fs::rename(&tmp, self.dir.path().join("gateway.yaml")),
            "rename manifests",
        );
    }

    /// The admin listener's answer to GET `path`.
    pub(crate) async fn admin(&self, path: &str) -> Answer {
        get(self.admin, "admin", path).await
    }

    /// The value of a metric line `name{labels}` (labels as printed), or 0.
    pub(crate) async fn metric(&self, line_prefix: &str) -> f64 {
        let text = self.admin("/metrics").await.text();
        text.lines()
            .find_map(|l| {
                l.strip_prefix(line_prefix)
                    .and_then(|r| r.trim().parse().ok())
            })
            .unwrap_or(0.0)
    }
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) trailers: Option<HeaderMap>,
    pub(crate) version: http::Version,
}

impl Answer {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        match serde_json::from_slice(&self.body) {
            Ok(v) => v,
            Err(e) => panic!("not JSON ({e}): {} {}", self.status, self.text()),
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// The backend that answered (`backend` field of the echo JSON).
    pub(crate) fn backend(&self) -> String {
        self.json()["backend"].as_str().unwrap_or("").to_owned()
    }

    /// A header the backend received.
    pub(crate) fn seen_header(&self, name: &str) -> Option<String> {
        self.json()["headers"][name].as_str().map(str::to_owned)
    }
}

async fn read(resp: Response<Incoming>) -> Answer {
    let (parts, body) = resp.into_parts();
    let collected = must(within("read body", body.collect()).await, "read body");
    Answer {
        status: parts.status,
        headers: parts.headers,
        trailers: collected.trailers().cloned(),
        body: collected.to_bytes(),
        version: parts.version,
    }
}

/// Sends `req` over a new HTTP/1.1 connection on `io`.
pub(crate) async fn h1_on<I>(io: I, req: Request<BoxBody>) -> Result<Answer, hyper::Error>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io)).await?;
    tokio::spawn(conn);
    let resp = within("h1 request", sender.send_request(req)).await?;
    Ok(read(resp).await)
}

/// Sends `req` over a new HTTP/2 connection on `io` (prior knowledge, or after
/// ALPN).
pub(crate) async fn h2_on<I>(io: I, req: Request<BoxBody>) -> Result<Answer, hyper::Error>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(io)).await?;
    tokio::spawn(conn);
    let resp = within("h2 request", sender.send_request(req)).await?;
    Ok(read(resp).await)
}

pub(crate) async fn connect(addr: SocketAddr) -> TcpStream {
    must(within("connect", TcpStream::connect(addr)).await, "connect")
}

/// GET `path` with `Host: host` over HTTP/1.1.
pub(crate) async fn get(addr: SocketAddr, host: &str, path: &str) -> Answer {
    let req = request("GET", host, path, &[], "");
    must(h1_on(connect(addr).await, req).await, "GET")
}

/// A request with `Host` (HTTP/1.1 style: origin-form target).
pub(crate) fn request(
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body_text: &str,
) -> Request<BoxBody> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", host);
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    must(
        b.body(body(Bytes::from(body_text.to_owned()))),
        "build request",
    )
}

/// An HTTP/2 request: the host goes in `:authority`.
pub(crate) fn h2_request(
    method: &str,
    scheme: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body_b: BoxBody,
) -> Request<BoxBody> {
    let mut b = Request::builder()
        .method(method)
        .uri(format!("{scheme}://{host}{path}"))
        .version(http::Version::HTTP_2);
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    must(b.body(body_b), "build request")
}

/// A certificate authority and leaf certificates it signs.
pub(crate) struct Ca {
    cert: rcgen::Certificate,
    key: rcgen::KeyPair,
}

/// A leaf certificate and key, PEM (and the certificate's DER).
pub(crate) struct Leaf {
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
    pub(crate) der: Vec<u8>,
}

impl Ca {
    pub(crate) fn new() -> Ca {
        let key = must(rcgen::KeyPair::generate(), "ca key");
        let mut params = must(
            rcgen::CertificateParams::new(Vec::<String>::new()),
            "ca params",
        );
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "gatewise test ca");
        let cert = must(params.self_signed(&key), "ca cert");
        Ca { cert, key }
    }

    pub(crate) fn leaf(&self, names: &[&str]) -> Leaf {
        let key = must(rcgen::KeyPair::generate(), "leaf key");
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = must(rcgen::CertificateParams::new(names.clone()), "leaf params");
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        let cert = must(params.signed_by(&key, &self.cert, &self.key), "leaf cert");
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().to_vec(),
        }
    }

    /// A client configuration trusting this CA, with the given ALPN protocols.
    pub(crate) fn client(&self, alpn: &[&[u8]]) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        must(roots.add(self.cert.der().clone()), "add root");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = must(
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions(),
            "client versions",
        )
        .with_root_certificates(roots)
        .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    }
}

/// A kubernetes.io/tls Secret holding `leaf`.
pub(crate) fn secret(ns: &str, name: &str, leaf: &Leaf) -> String {
    let indent = |pem: &str| {
        pem.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "---
apiVersion: v1
kind: Secret
metadata: {{name: {name}, namespace: {ns}}}
type: kubernetes.io/tls
stringData:
  tls.crt: |
{}
  tls.key: |
{}
",
        indent(&leaf.cert_pem),
        indent(&leaf.key_pem)
    )
}

/// Connects with TLS to `addr`, sending `sni` (none for an IP address).
pub(crate) async fn tls_connect(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    sni: &str,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let name = rustls::pki_types::ServerName::try_from(sni.to_owned())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let tcp = TcpStream::connect(addr).await?;
    within(
        "tls handshake",
        tokio_rustls::TlsConnector::from(config).connect(name, tcp),
    )
    .await
}

/// The DER of the certificate the server presented.
pub(crate) fn peer_cert<S>(stream: &tokio_rustls::client::TlsStream<S>) -> Vec<u8> {
    let (_, conn) = stream.get_ref();
    conn.peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.as_ref().to_vec())
        .unwrap_or_default()
}

/// The ALPN protocol the server chose.
pub(crate) fn alpn<S>(stream: &tokio_rustls::client::TlsStream<S>) -> Option<Vec<u8>> {
    stream.get_ref().1.alpn_protocol().map(<[u8]>::to_vec)
}

/// Counts answers by backend name.
pub(crate) fn tally(names: impl IntoIterator<Item = String>) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for n in names {
        *out.entry(n).or_insert(0) += 1;
    }
    out
}
