//! Activity tracking for idle timeouts: an IO wrapper that stamps every read and
//! write, and a count of requests in flight on the connection.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// When a connection last moved bytes, and how many requests it has in flight.
///
/// Moving bytes only raises a flag (no clock read per read or write: that was
/// two to four `clock_gettime` per proxied request); the periodic check turns
/// the flag into a time. So the time of the last activity is known to the
/// check's interval ([`check_interval`]: a quarter of the limit), and an idle
/// connection closes up to one interval after its limit.
#[derive(Debug)]
pub(crate) struct Activity {
    last_ms: AtomicU64,
    moved: AtomicBool,
    in_flight: AtomicUsize,
}

impl Activity {
    pub(crate) fn new() -> Arc<Activity> {
        Arc::new(Activity {
            last_ms: AtomicU64::new(now_ms()),
            moved: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
        })
    }

    pub(crate) fn touch(&self) {
        self.moved.store(true, Ordering::Relaxed);
    }

    /// Whether nothing moved for `limit` and no request is in flight. Called
    /// periodically: activity since the last call counts as activity now.
    pub(crate) fn idle_for(&self, limit: Duration) -> bool {
        let now = now_ms();
        if self.moved.swap(false, Ordering::Relaxed) {
            self.last_ms.store(now, Ordering::Relaxed);
            return false;
        }
        let idle = now.saturating_sub(self.last_ms.load(Ordering::Relaxed));
        self.in_flight.load(Ordering::Relaxed) == 0 && u128::from(idle) >= limit.as_millis()
    }

    /// Marks a request in flight until the guard drops.
    pub(crate) fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }
}

/// A request in flight.
#[derive(Debug)]
pub(crate) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// An IO stream that stamps `activity` whenever bytes move.
#[derive(Debug)]
pub(crate) struct Tracked<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> Tracked<S> {
    pub(crate) fn new(inner: S, activity: Arc<Activity>) -> Self {
        Tracked { inner, activity }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(res, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        res
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        res
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        res
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// How often an idle timeout is checked: a quarter of it, within 50 ms .. 5 s.
pub(crate) fn check_interval(limit: Duration) -> Duration {
    (limit / 4).clamp(Duration::from_millis(50), Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_since_the_last_check_counts_as_now() {
        let limit = Duration::from_millis(40);
        let a = Activity::new();
        assert!(!a.idle_for(limit), "new: not idle yet");
        std::thread::sleep(Duration::from_millis(60));
        a.touch();
        // Quiet for longer than the limit since creation, but bytes moved since
        // the last check: not idle, and the clock restarts now.
        assert!(!a.idle_for(limit));
        assert!(!a.idle_for(limit), "the restarted clock has not run out");
        std::thread::sleep(Duration::from_millis(60));
        assert!(a.idle_for(limit));
        // A request in flight keeps it from idling, however long.
        let guard = a.begin();
        let _ = a.idle_for(limit);
        std::thread::sleep(Duration::from_millis(60));
        assert!(!a.idle_for(limit));
        drop(guard);
        assert!(!a.idle_for(limit), "the request's end is activity");
        std::thread::sleep(Duration::from_millis(60));
        assert!(a.idle_for(limit));
    }
}
