//! Plain HTTP/1.1 upstream connections, pooled per endpoint.
//!
//! Built on `hyper::client::conn::http1` directly: each connection's task is
//! spawned once when it is dialled; the pool keeps, per endpoint authority, a
//! stack of idle `SendRequest`s (the most recently used on top). A request pops
//! one (dropping any whose connection has closed), or dials a new connection;
//! the response body hands the sender back when it reaches its end, so a
//! connection is reused only after its response was read to the end. A body
//! dropped before its end, an upgrade, or a connection the backend closes is
//! never reused. A request that could not be written to a reused connection
//! (the backend closed it meanwhile) is sent again on a new one. At most
//! `max_idle_per_endpoint` idle connections are kept per endpoint (the least
//! recently used go first); a sweeper task drops those idle past the idle
//! timeout, closed ones, and endpoints left with none.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tracing::debug;

use crate::body::{Body, BoxError};
use crate::snapshot::{AddrHasher, Target};

/// Why a request got no response.
#[derive(Debug)]
pub(crate) enum SendError {
    /// No connection to the endpoint.
    Connect(io::Error),
    /// The connection failed during the exchange.
    Http(hyper::Error),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Connect(e) => write!(f, "connect: {e}"),
            SendError::Http(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SendError::Connect(e) => Some(e),
            SendError::Http(e) => Some(e),
        }
    }
}

struct Idle {
    tx: SendRequest<Body>,
    since: Instant,
}

/// Idle senders by endpoint authority (keys from the configuration's
/// endpoints: hashed without SipHash).
type IdleMap = HashMap<Arc<str>, Vec<Idle>, BuildHasherDefault<AddrHasher>>;

/// Idle HTTP/1.1 connections by endpoint authority.
pub(crate) struct H1Pool {
    idle: Mutex<IdleMap>,
    max_idle_per_endpoint: usize,
    idle_timeout: Duration,
    connect_timeout: Duration,
    keepalive: Duration,
}

impl std::fmt::Debug for H1Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H1Pool")
            .field("max_idle_per_endpoint", &self.max_idle_per_endpoint)
            .field("idle_timeout", &self.idle_timeout)
            .finish_non_exhaustive()
    }
}

impl H1Pool {
    pub(crate) fn new(
        connect_timeout: Duration,
        idle_timeout: Duration,
        max_idle_per_endpoint: usize,
        keepalive: Duration,
    ) -> Arc<H1Pool> {
        let pool = Arc::new(H1Pool {
            idle: Mutex::default(),
            max_idle_per_endpoint,
            idle_timeout,
            connect_timeout,
            keepalive,
        });
        // Connections idle too long, closed ones, and endpoints no longer used
        // are swept off the request path; the sweeper ends with the pool.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let weak = Arc::downgrade(&pool);
            let every = (idle_timeout / 2).max(Duration::from_secs(1));
            rt.spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.tick().await;
                loop {
                    tick.tick().await;
                    let Some(pool) = weak.upgrade() else {
                        return;
                    };
                    pool.sweep(Instant::now());
                }
            });
        }
        pool
    }

    /// Drops idle connections older than the idle timeout or closed, and
    /// endpoints left with none.
    fn sweep(&self, now: Instant) {
        let mut idle = self.lock();
        idle.retain(|_, stack| {
            stack.retain(|i| now.duration_since(i.since) < self.idle_timeout && !i.tx.is_closed());
            !stack.is_empty()
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, IdleMap> {
        // The map holds senders only: still consistent after a panic elsewhere.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An idle sender for `authority` that can take a request now.
    fn checkout(&self, authority: &str) -> Option<SendRequest<Body>> {
        let mut idle = self.lock();
        let stack = idle.get_mut(authority)?;
        while let Some(i) = stack.pop() {
            // Not ready means closed (a checked-in sender is ready): drop it.
            if i.tx.is_ready() {
                return Some(i.tx);
            }
        }
        None
    }

    /// Puts a sender whose exchange is over back on its endpoint's stack.
    fn checkin(self: &Arc<Self>, authority: &Arc<str>, tx: SendRequest<Body>) {
        if tx.is_closed() {
            return;
        }
        if !tx.is_ready() {
            // The connection's task has not yet turned to the next request:
            // wait for it off the request path (rare).
            let pool = self.clone();
            let authority = authority.clone();
            tokio::spawn(async move {
                let mut tx = tx;
                if tx.ready().await.is_ok() {
                    pool.put(&authority, tx);
                }
            });
            return;
        }
        self.put(authority, tx);
    }

    fn put(&self, authority: &Arc<str>, tx: SendRequest<Body>) {
        let now = Instant::now();
        let mut idle = self.lock();
        let stack = match idle.get_mut(&**authority) {
            Some(s) => s,
            None => idle.entry(authority.clone()).or_default(),
        };
        // The oldest are at the bottom: drop those idle too long, and keep the
        // stack bounded (the least recently used go first).
        let expired = stack
            .iter()
            .take_while(|i| now.duration_since(i.since) >= self.idle_timeout || i.tx.is_closed())
            .count();
        let over = (stack.len() - expired + 1).saturating_sub(self.max_idle_per_endpoint);
        if expired + over > 0 {
            stack.drain(..(expired + over).min(stack.len()));
        }
        if self.max_idle_per_endpoint > 0 {
            stack.push(Idle { tx, since: now });
        }
    }

    /// Idle connections kept for `authority` now.
    #[cfg(test)]
    fn idle_count(&self, authority: &str) -> usize {
        self.lock().get(authority).map_or(0, Vec::len)
    }

    async fn connect(&self, target: &Target) -> Result<SendRequest<Body>, SendError> {
        let dial = async {
            match target.addr {
                Some(addr) => TcpStream::connect(addr).await,
                None => TcpStream::connect(&*target.authority).await,
            }
        };
        let tcp = match tokio::time::timeout(self.connect_timeout, dial).await {
            Ok(r) => r.map_err(SendError::Connect)?,
            Err(_) => {
                return Err(SendError::Connect(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "no connection within {} ms",
                        self.connect_timeout.as_millis()
                    ),
                )));
            }
        };
        tcp.set_nodelay(true).map_err(SendError::Connect)?;
        let keepalive = socket2::TcpKeepalive::new().with_time(self.keepalive);
        if let Err(e) = socket2::SockRef::from(&tcp).set_tcp_keepalive(&keepalive) {
            debug!(error = %e, "cannot set TCP keep-alive on an upstream connection");
        }
        let (tx, conn) = http1::Builder::new()
            .handshake(TokioIo::new(tcp))
            .await
            .map_err(SendError::Http)?;
        tokio::spawn(async move {
            if let Err(e) = conn.with_upgrades().await {
                debug!(error = %e, "upstream connection ended with an error");
            }
        });
        Ok(tx)
    }

    /// Sends `req` (origin-form URI, `Host` set) to `target`. The response
    /// body returns the connection to the pool once read to its end.
    pub(crate) async fn send(
        self: &Arc<Self>,
        target: &Target,
        mut req: Request<Body>,
    ) -> Result<Response<Body>, SendError> {
        let upgrade = req.headers().contains_key(http::header::UPGRADE);
        loop {
            let (mut tx, reused) = match self.checkout(&target.authority) {
                Some(tx) => (tx, true),
                None => (self.connect(target).await?, false),
            };
            match tx.try_send_request(req).await {
                Ok(resp) => {
                    let reusable = !upgrade && resp.status() != StatusCode::SWITCHING_PROTOCOLS;
                    let back = reusable.then(|| Checkin {
                        pool: self.clone(),
                        authority: target.authority.clone(),
                        tx,
                    });
                    let (parts, body) = resp.into_parts();
                    return Ok(Response::from_parts(
                        parts,
                        PooledBody { inner: body, back }.boxed(),
                    ));
                }
                Err(mut e) => match e.take_message() {
                    // Never written: the reused connection had closed. Again,
                    // on the next idle one or a new one.
                    Some(r) if reused => {
                        debug!(error = %e.error(), "reused upstream connection was closed; sending again");
                        req = r;
                    }
                    _ => return Err(SendError::Http(e.into_error())),
                },
            }
        }
    }
}

struct Checkin {
    pool: Arc<H1Pool>,
    authority: Arc<str>,
    tx: SendRequest<Body>,
}

/// A response body that gives its connection back when it ends.
struct PooledBody {
    inner: Incoming,
    back: Option<Checkin>,
}

impl PooledBody {
    fn give_back(&mut self) {
        if let Some(c) = self.back.take() {
            c.pool.checkin(&c.authority, c.tx);
        }
    }
}

impl HttpBody for PooledBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if this.inner.is_end_stream() {
                    this.give_back();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(None) => {
                this.give_back();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                // The connection is broken: never reused.
                this.back = None;
                Poll::Ready(Some(Err(Box::new(e))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for PooledBody {
    fn drop(&mut self) {
        // A body dropped before its end leaves its connection to close.
        if self.inner.is_end_stream() {
            self.give_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    /// A backend that answers every request on a connection with `ok`, and
    /// counts connections.
    async fn backend() -> (Target, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let conns = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = conns.clone();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    loop {
                        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            buf.drain(..end + 4);
                            let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                            if tcp.write_all(answer).await.is_err() {
                                return;
                            }
                        }
                        match tcp.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                });
            }
        });
        (target_at(addr), conns)
    }

    fn target_at(addr: std::net::SocketAddr) -> Target {
        Target {
            authority: addr.to_string().into(),
            addr: Some(addr),
        }
    }

    /// A pool with a 2 s connect timeout, 90 s idle limit and 60 s
    /// keep-alive, keeping at most `max_idle` connections per endpoint.
    fn pool(max_idle: usize) -> Arc<H1Pool> {
        H1Pool::new(
            Duration::from_secs(2),
            Duration::from_secs(90),
            max_idle,
            Duration::from_secs(60),
        )
    }

    fn get(target: &Target) -> Request<Body> {
        let mut req = Request::new(crate::body::empty());
        *req.uri_mut() = "/x".parse().expect("uri");
        req.headers_mut().insert(
            http::header::HOST,
            http::HeaderValue::from_str(&target.authority).expect("host"),
        );
        req
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_connection_is_reused_after_its_body_is_read() {
        let (target, conns) = backend().await;
        let pool = pool(8);
        for _ in 0..5 {
            let resp = pool.send(&target, get(&target)).await.expect("response");
            let body = resp.into_body().collect().await.expect("body").to_bytes();
            assert_eq!(&body[..], b"ok");
        }
        assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(pool.idle_count(&target.authority), 1);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_body_dropped_unread_is_not_reused_and_the_pool_is_bounded() {
        let (target, conns) = backend().await;
        let pool = pool(2);
        // Two responses held open at once: two connections.
        let a = pool.send(&target, get(&target)).await.expect("a");
        let b = pool.send(&target, get(&target)).await.expect("b");
        let c = pool.send(&target, get(&target)).await.expect("c");
        assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 3);
        // `a` is dropped unread (its content-length is not consumed): closed,
        // not pooled. `b` and `c` are read: pooled, up to the bound of two.
        drop(a);
        b.into_body().collect().await.expect("b body");
        c.into_body().collect().await.expect("c body");
        assert_eq!(pool.idle_count(&target.authority), 2);
        let d = pool.send(&target, get(&target)).await.expect("d");
        d.into_body().collect().await.expect("d body");
        assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn idle_connections_past_the_timeout_are_swept() {
        let (target, _conns) = backend().await;
        let pool = pool(8);
        let resp = pool.send(&target, get(&target)).await.expect("response");
        resp.into_body().collect().await.expect("body");
        assert_eq!(pool.idle_count(&target.authority), 1);
        pool.sweep(Instant::now());
        assert_eq!(pool.idle_count(&target.authority), 1);
        pool.sweep(Instant::now() + Duration::from_secs(91));
        assert_eq!(pool.idle_count(&target.authority), 0);
        assert!(pool.lock().is_empty());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_connection_the_backend_closed_is_replaced() {
        // A backend that answers once per connection, then closes it.
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = tcp.read(&mut buf).await;
                let _ = tcp
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                    .await;
                drop(tcp);
            }
        });
        let target = target_at(addr);
        let pool = pool(8);
        for _ in 0..3 {
            let resp = pool.send(&target, get(&target)).await.expect("response");
            assert_eq!(resp.status(), StatusCode::OK);
            resp.into_body().collect().await.expect("body");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_refused_connection_is_a_connect_error() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let target = target_at(addr);
        let pool = pool(8);
        let err = pool.send(&target, get(&target)).await.expect_err("refused");
        assert!(matches!(err, SendError::Connect(_)), "{err}");
    }
}
