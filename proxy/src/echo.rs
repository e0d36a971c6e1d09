//! The built-in echo backend (demo mode, `gatewise serve --echo`): one loopback
//! listener per Service port that has no ready endpoint, answering every request
//! with JSON naming the Service and describing what it received.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Mutex;

use gatewise::ServiceBackend;
use http::header::{self, HeaderValue};
use http::{Request, Response};
use http_body_util::{BodyExt as _, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::body::{self, Body};

/// Echo listeners by Service port.
#[derive(Debug, Default)]
pub(crate) struct EchoPool {
    servers: Mutex<HashMap<(String, String, u16), SocketAddr>>,
    stop: CancellationToken,
}

impl EchoPool {
    /// The address of the echo backend standing for `backend`, started if needed.
    pub(crate) async fn ensure(&self, backend: &ServiceBackend) -> std::io::Result<SocketAddr> {
        let key = (
            backend.namespace.clone(),
            backend.name.clone(),
            backend.port,
        );
        if let Some(addr) = self.lock().get(&key) {
            return Ok(*addr);
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let name = format!("{}/{}:{}", backend.namespace, backend.name, backend.port);
        tokio::spawn(serve(listener, name, self.stop.clone()));
        self.lock().insert(key, addr);
        Ok(addr)
    }

    pub(crate) fn stop(&self) {
        self.stop.cancel();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String, u16), SocketAddr>> {
        self.servers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn serve(listener: TcpListener, service: String, stop: CancellationToken) {
    loop {
        let tcp = tokio::select! {
            r = listener.accept() => match r {
                Ok((tcp, _)) => tcp,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stop.cancelled() => return,
        };
        let service = service.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req: Request<Incoming>| {
                let service = service.clone();
                async move { Ok::<_, std::convert::Infallible>(echo(&service, req).await) }
            });
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tcp), svc)
                .await;
        });
    }
}

/// The most request body an echo reads back.
const MAX_ECHO_BODY: usize = 64 * 1024;

async fn echo(service: &str, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_ECHO_BODY).collect().await {
        Ok(c) => String::from_utf8_lossy(&c.to_bytes()).into_owned(),
        Err(_) => String::from("(body not read: too large or broken)"),
    };
    let mut headers = serde_json::Map::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.get_mut(name.as_str()) {
            Some(serde_json::Value::String(s)) => {
                s.push_str(", ");
                s.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), serde_json::Value::String(value));
            }
        }
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    // Fields in a fixed, readable order: service first.
    let field = |v: serde_json::Value| v.to_string();
    let json = format!(
        "{{\"service\":{},\"method\":{},\"host\":{},\"path\":{},\"headers\":{},\"body\":{}}}",
        field(service.into()),
        field(parts.method.as_str().into()),
        field(host.into()),
        field(
            parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .into()
        ),
        field(serde_json::Value::Object(headers)),
        field(body.into()),
    );
    let mut resp = Response::new(body::full(format!("{json}\n")));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}
