//! Bodies: the one boxed body type, and the tee that copies a request body to
//! mirrors without ever waiting for them.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Empty, Full};
use tokio::sync::mpsc;

/// Any error a body or a backend call can end with.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body type on both sides of the proxy.
pub(crate) type Body = BoxBody<Bytes, BoxError>;

/// A body holding `bytes`.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// An empty body.
pub(crate) fn empty() -> Body {
    Empty::<Bytes>::new()
        .map_err(|never| match never {})
        .boxed()
}

/// Frames a tee hands to a mirror.
#[derive(Debug)]
pub(crate) enum Copy {
    Data(Bytes),
    Trailers(HeaderMap),
    End,
}

/// Frames copied per mirror before the copy is given up (the primary request
/// never waits for a mirror).
pub(crate) const MIRROR_BUFFER: usize = 64;

/// Passes `inner` through and copies each frame to every mirror with room;
/// a mirror that falls behind loses its copy (its request is aborted).
pub(crate) struct Tee<B> {
    inner: B,
    copies: Vec<mpsc::Sender<Copy>>,
    on_drop_copy: Box<dyn Fn() + Send + Sync>,
}

impl<B> std::fmt::Debug for Tee<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tee")
            .field("copies", &self.copies.len())
            .finish()
    }
}

impl<B> Tee<B> {
    /// Tees `inner` to `copies`; `on_drop_copy` runs when a copy is given up.
    pub(crate) fn new(
        inner: B,
        copies: Vec<mpsc::Sender<Copy>>,
        on_drop_copy: Box<dyn Fn() + Send + Sync>,
    ) -> Self {
        Tee {
            inner,
            copies,
            on_drop_copy,
        }
    }

    fn send(&mut self, make: impl Fn() -> Copy) {
        let before = self.copies.len();
        self.copies.retain(|tx| tx.try_send(make()).is_ok());
        for _ in self.copies.len()..before {
            (self.on_drop_copy)();
        }
    }
}

impl<B> HttpBody for Tee<B>
where
    B: HttpBody<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(frame))) => {
                if !this.copies.is_empty() {
                    if let Some(data) = frame.data_ref() {
                        let data = data.clone();
                        this.send(|| Copy::Data(data.clone()));
                    } else if let Some(trailers) = frame.trailers_ref() {
                        let trailers = trailers.clone();
                        this.send(|| Copy::Trailers(trailers.clone()));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.copies.clear();
                Poll::Ready(Some(Err(e.into())))
            }
            Poll::Ready(None) => {
                this.send(|| Copy::End);
                this.copies.clear();
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A mirror's copy of a request body; fails if the copy was given up before the end.
#[derive(Debug)]
pub(crate) struct MirrorBody {
    rx: mpsc::Receiver<Copy>,
    done: bool,
}

impl MirrorBody {
    pub(crate) fn new(rx: mpsc::Receiver<Copy>) -> Self {
        MirrorBody { rx, done: false }
    }
}

impl HttpBody for MirrorBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Copy::Data(b))) => Poll::Ready(Some(Ok(Frame::data(b)))),
            Poll::Ready(Some(Copy::Trailers(t))) => Poll::Ready(Some(Ok(Frame::trailers(t)))),
            Poll::Ready(Some(Copy::End)) => {
                self.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(None) => {
                self.done = true;
                Poll::Ready(Some(Err(
                    "the mirror's copy of the request body was given up".into(),
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn tee_copies_every_frame_and_ends_the_copy() {
        let (tx, rx) = mpsc::channel(MIRROR_BUFFER);
        let tee = Tee::new(full("hello"), vec![tx], Box::new(|| {}));
        let primary = tee.collect().await.map(|c| c.to_bytes()).ok();
        assert_eq!(primary.as_deref(), Some(&b"hello"[..]));
        let copy = MirrorBody::new(rx)
            .collect()
            .await
            .map(|c| c.to_bytes())
            .ok();
        assert_eq!(copy.as_deref(), Some(&b"hello"[..]));
    }

    /// A body of several data frames.
    struct Chunks(std::vec::IntoIter<Bytes>);

    impl HttpBody for Chunks {
        type Data = Bytes;
        type Error = BoxError;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
            Poll::Ready(self.0.next().map(|b| Ok(Frame::data(b))))
        }
    }

    #[tokio::test]
    async fn a_full_copy_is_given_up_without_delaying_the_primary() {
        let (tx, rx) = mpsc::channel(1);
        let dropped = Arc::new(AtomicUsize::new(0));
        let d = dropped.clone();
        let chunks: Vec<Bytes> = (0..4).map(|i| Bytes::from(format!("{i}"))).collect();
        let tee = Tee::new(
            Chunks(chunks.into_iter()),
            vec![tx],
            Box::new(move || {
                d.fetch_add(1, Ordering::Relaxed);
            }),
        );
        let primary = tee.collect().await.map(|c| c.to_bytes()).ok();
        assert_eq!(primary.as_deref(), Some(&b"0123"[..]));
        assert_eq!(dropped.load(Ordering::Relaxed), 1);
        assert!(MirrorBody::new(rx).collect().await.is_err());
    }
}
