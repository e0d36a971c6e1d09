//! TLS plumbing: certificates from listeners into rustls (ring provider), the
//! ClientHello's server name read without terminating, and a stream that replays
//! the bytes read.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use gatewise::{Certificate, ListenerInfo, Router};
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

use crate::snapshot::{SocketKey, SocketKind, SocketPlan};

/// The rustls configurations of one listener.
#[derive(Debug, Clone)]
pub(crate) struct ListenerTls {
    /// For HTTPS: ALPN `h2` and `http/1.1`.
    pub(crate) https: Arc<ServerConfig>,
    /// For TLS Terminate streams: no ALPN.
    pub(crate) stream: Arc<ServerConfig>,
}

/// Identifies a TLS-serving listener within a snapshot: Gateway namespace and
/// name, port and hostname. (Names may repeat between a Gateway's own listeners
/// and its ListenerSets'; programmed HTTPS and TLS listeners of one port never
/// share a hostname.)
pub(crate) type ListenerKey = (String, String, u16, Option<String>);

/// The key of `listener` of Gateway `namespace/gateway`.
pub(crate) fn listener_key(
    namespace: &str,
    gateway: &str,
    listener: &ListenerInfo<'_>,
) -> ListenerKey {
    (
        namespace.to_owned(),
        gateway.to_owned(),
        listener.port,
        listener.hostname.map(ToString::to_string),
    )
}

/// The ring provider every configuration uses.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Configurations for every listener with certificates on the TLS sockets.
pub(crate) fn build_all(
    router: &Router,
    sockets: &BTreeMap<SocketKey, SocketPlan>,
    warnings: &mut Vec<String>,
) -> HashMap<ListenerKey, ListenerTls> {
    let provider = provider();
    let mut out = HashMap::new();
    for plan in sockets.values().filter(|p| p.kind == SocketKind::Tls) {
        for l in router.listeners(&plan.namespace, &plan.gateway) {
            if !l.programmed || l.port != plan.listener_port || l.certificates.is_empty() {
                continue;
            }
            let key = listener_key(&plan.namespace, &plan.gateway, &l);
            if out.contains_key(&key) {
                continue;
            }
            match listener_tls(&provider, l.certificates) {
                Ok(t) => {
                    out.insert(key, t);
                }
                Err(e) => warnings.push(format!(
                    "listener {} of Gateway {}/{}: {e}; its TLS handshakes are refused",
                    l.name, plan.namespace, plan.gateway
                )),
            }
        }
    }
    out
}

/// rustls configurations for a listener's certificates.
pub(crate) fn listener_tls(
    provider: &Arc<CryptoProvider>,
    certificates: &[Certificate],
) -> Result<ListenerTls, String> {
    let mut keys = Vec::new();
    for c in certificates {
        keys.push(Arc::new(certified_key(provider, c)?));
    }
    let resolver = Arc::new(CertChoice(keys));
    let config = |alpn: Vec<Vec<u8>>| -> Result<Arc<ServerConfig>, String> {
        let mut config = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_cert_resolver(resolver.clone());
        config.alpn_protocols = alpn;
        Ok(Arc::new(config))
    };
    Ok(ListenerTls {
        https: config(vec![b"h2".to_vec(), b"http/1.1".to_vec()])?,
        stream: config(Vec::new())?,
    })
}

fn certified_key(provider: &CryptoProvider, c: &Certificate) -> Result<CertifiedKey, String> {
    let name = format!("Secret {}/{}", c.namespace, c.name);
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&c.cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{name}: tls.crt: {e}"))?;
    if chain.is_empty() {
        return Err(format!("{name}: tls.crt holds no certificate"));
    }
    let key =
        PrivateKeyDer::from_pem_slice(&c.key_pem).map_err(|e| format!("{name}: tls.key: {e}"))?;
    CertifiedKey::from_der(chain, key, provider).map_err(|e| format!("{name}: {e}"))
}

/// A listener's certificates: the first whose key can sign with a scheme the
/// client offers (so an RSA and an ECDSA certificate can sit side by side).
struct CertChoice(Vec<Arc<CertifiedKey>>);

impl fmt::Debug for CertChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertChoice({} certificates)", self.0.len())
    }
}

impl ResolvesServerCert for CertChoice {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let schemes = hello.signature_schemes();
        self.0
            .iter()
            .find(|c| c.key.choose_scheme(schemes).is_some())
            .or_else(|| self.0.first())
            .cloned()
    }
}

/// What the first bytes of a connection say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hello {
    /// A TLS ClientHello, with its server name if any.
    Tls(Option<String>),
    /// Not a TLS ClientHello.
    NotTls,
}

/// The largest ClientHello read (many records are allowed; 64 KiB is far above
/// any real one).
const MAX_HELLO: usize = 64 * 1024;

/// Reads from `stream` into `buf` until the ClientHello is complete, and returns
/// its server name. `buf` keeps every byte read, to be replayed.
pub(crate) async fn read_client_hello<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
) -> io::Result<Hello> {
    loop {
        match parse_client_hello(buf) {
            Parse::Complete(h) => return Ok(h),
            Parse::Incomplete if buf.len() >= MAX_HELLO => return Ok(Hello::NotTls),
            Parse::Incomplete => {}
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed during the TLS ClientHello",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Parse {
    Complete(Hello),
    Incomplete,
}

/// Parses TLS records holding a ClientHello (RFC 8446 §4.1.2, RFC 6066 §3).
fn parse_client_hello(buf: &[u8]) -> Parse {
    // Gather the handshake bytes from consecutive handshake records.
    let mut handshake = Vec::new();
    let mut at = 0;
    while let Some(header) = buf.get(at..at + 5) {
        if header[0] != 22 || header[1] != 3 {
            return Parse::Complete(Hello::NotTls);
        }
        let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        let Some(body) = buf.get(at + 5..at + 5 + len) else {
            break;
        };
        handshake.extend_from_slice(body);
        at += 5 + len;
        if handshake.len() >= 4 {
            let need = 4
                + (usize::from(handshake[1]) << 16
                    | usize::from(handshake[2]) << 8
                    | usize::from(handshake[3]));
            if handshake.len() >= need {
                break;
            }
        }
    }
    if buf.first().is_some_and(|b| *b != 22) {
        return Parse::Complete(Hello::NotTls);
    }
    if handshake.len() < 4 {
        return Parse::Incomplete;
    }
    if handshake[0] != 1 {
        return Parse::Complete(Hello::NotTls);
    }
    let len = usize::from(handshake[1]) << 16
        | usize::from(handshake[2]) << 8
        | usize::from(handshake[3]);
    let Some(body) = handshake.get(4..4 + len) else {
        return Parse::Incomplete;
    };
    match server_name(body) {
        Some(sni) => Parse::Complete(Hello::Tls(sni)),
        None => Parse::Complete(Hello::NotTls),
    }
}

/// The server name of a ClientHello body; `Some(None)` when it has none, `None`
/// when the body is malformed.
fn server_name(body: &[u8]) -> Option<Option<String>> {
    let mut r = Reader(body);
    r.take(2 + 32)?; // legacy_version, random
    let n = usize::from(r.u8()?);
    r.take(n)?; // legacy_session_id
    let n = usize::from(r.u16()?);
    r.take(n)?; // cipher_suites
    let n = usize::from(r.u8()?);
    r.take(n)?; // legacy_compression_methods
    if r.0.is_empty() {
        return Some(None);
    }
    let n = usize::from(r.u16()?);
    let mut exts = Reader(r.take(n)?);
    while !exts.0.is_empty() {
        let kind = exts.u16()?;
        let n = usize::from(exts.u16()?);
        let data = exts.take(n)?;
        if kind != 0 {
            continue;
        }
        let mut list = Reader(data);
        let n = usize::from(list.u16()?);
        let mut names = Reader(list.take(n)?);
        while !names.0.is_empty() {
            let name_type = names.u8()?;
            let n = usize::from(names.u16()?);
            let name = names.take(n)?;
            if name_type == 0 {
                let name = std::str::from_utf8(name).ok()?;
                return Some(Some(name.to_ascii_lowercase()));
            }
        }
        return Some(None);
    }
    Some(None)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
}

/// A stream that first yields bytes already read from it.
#[derive(Debug)]
pub(crate) struct Rewind<S> {
    prefix: Vec<u8>,
    at: usize,
    inner: S,
}

impl<S> Rewind<S> {
    pub(crate) fn new(prefix: Vec<u8>, inner: S) -> Self {
        Rewind {
            prefix,
            at: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewind<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.at < self.prefix.len() {
            let rest = &self.prefix[self.at..];
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            self.at += n;
            if self.at == self.prefix.len() {
                self.prefix = Vec::new();
                self.at = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewind<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real ClientHello, produced by rustls for `name`.
    fn client_hello(name: &str) -> Vec<u8> {
        let mut roots = rustls::RootCertStore::empty();
        roots.roots.clear();
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map(|b| b.with_root_certificates(roots).with_no_client_auth());
        let Ok(config) = config else {
            panic!("client config");
        };
        let server = rustls::pki_types::ServerName::try_from(name.to_owned());
        let Ok(server) = server else {
            panic!("server name");
        };
        let Ok(mut conn) = rustls::ClientConnection::new(Arc::new(config), server) else {
            panic!("client connection");
        };
        let mut out = Vec::new();
        while conn.wants_write() {
            if conn.write_tls(&mut out).is_err() {
                panic!("write_tls");
            }
        }
        out
    }

    #[test]
    fn server_name_is_read_from_a_real_client_hello() {
        let hello = client_hello("Shop.Example.com");
        assert_eq!(
            parse_client_hello(&hello),
            Parse::Complete(Hello::Tls(Some("shop.example.com".into())))
        );
        // Every strict prefix is incomplete.
        for cut in [0, 3, 5, 40, hello.len() - 1] {
            assert_eq!(
                parse_client_hello(&hello[..cut]),
                Parse::Incomplete,
                "{cut}"
            );
        }
        // An IP address sends no server name.
        let hello = client_hello("192.0.2.1");
        assert_eq!(
            parse_client_hello(&hello),
            Parse::Complete(Hello::Tls(None))
        );
    }

    #[test]
    fn a_client_hello_split_over_records_is_reassembled() {
        let hello = client_hello("a.example.com");
        let body = &hello[5..];
        let (one, two) = body.split_at(50);
        let mut split = Vec::new();
        for part in [one, two] {
            split.extend_from_slice(&[22, 3, 1]);
            split.extend_from_slice(&u16::try_from(part.len()).unwrap_or(0).to_be_bytes());
            split.extend_from_slice(part);
        }
        assert_eq!(
            parse_client_hello(&split),
            Parse::Complete(Hello::Tls(Some("a.example.com".into())))
        );
    }

    #[test]
    fn plain_http_is_not_tls() {
        assert_eq!(
            parse_client_hello(b"GET / HTTP/1.1\r\n"),
            Parse::Complete(Hello::NotTls)
        );
        assert_eq!(
            parse_client_hello(&[22, 3, 1, 0, 4, 2, 0, 0, 0]),
            Parse::Complete(Hello::NotTls)
        );
    }

    #[tokio::test]
    async fn rewind_replays_then_reads_on() {
        let (mut a, b) = tokio::io::duplex(64);
        tokio::io::AsyncWriteExt::write_all(&mut a, b" world")
            .await
            .ok();
        drop(a);
        let mut r = Rewind::new(b"hello".to_vec(), b);
        let mut out = String::new();
        r.read_to_string(&mut out).await.ok();
        assert_eq!(out, "hello world");
    }
}
