//! `gatewise-proxy`: the Gatewise gateway on tokio, hyper and rustls.
//!
//! A thin adapter around the core's [`Router`](gatewise::Router): it opens a
//! socket for every programmed listener of the served Gateways, turns each
//! request or connection into the core's request view, asks the router, and
//! carries out the [`Decision`](gatewise::Decision). It holds no Gateway API
//! logic of its own.
//!
//! ```no_run
//! # async fn demo() -> Result<(), gatewise_proxy::StartError> {
//! let mut config = gatewise_proxy::Config::new(vec!["examples".into()]);
//! config.port_offset = 8000; // a Gateway listening on 80 serves on 8080
//! let server = gatewise_proxy::Server::start(config).await?;
//! // ... later: stop accepting, drain, stop.
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # What it does with a decision
//!
//! - **Forward** (HTTP, gRPC): one backendRef is picked by weight per request;
//!   the Service port's ready endpoints come from the manifests' EndpointSlices
//!   ([`gatewise::Resources::ready_endpoints`]), one chosen at random; none: 503.
//!   The request goes out as the core's
//!   [`upstream_request`](gatewise::Forward::upstream_request) describes it
//!   (header filters, URL rewrites), with hop-by-hop headers removed (also those
//!   the client names in `Connection`), `x-forwarded-for`, `x-forwarded-proto`
//!   and `forwarded` added. Upstream connections are pooled: HTTP/1.1 (the
//!   gateway's own pool on hyper's connection API, `pool.rs`), or HTTP/2 with
//!   prior knowledge for gRPC and for Service ports with `appProtocol:
//!   kubernetes.io/h2c`. Response header filters and CORS headers apply to the
//!   answer. `timeouts.request` and `timeouts.backendRequest` bound the time to
//!   the response head (the smaller wins; `0s` disables one): past it, 504. A
//!   backend that cannot be reached: 502. An `Upgrade` request (WebSocket) is
//!   tunnelled only once the backend answers 101.
//! - **Mirrors**: a sampled copy goes to the mirror Service, fire-and-forget: at
//!   most [`Limits::max_mirrors_in_flight`] at once, its body copied frame by
//!   frame without ever making the primary request wait (a copy that falls
//!   behind is dropped and counted).
//! - **Redirect** and **Respond**: answered by the gateway; for gRPC, a
//!   trailers-only response with the decision's `grpc-status`.
//! - **Reject**: the connection is closed (HTTP/2: the stream is reset).
//! - **TLS**: the ClientHello's server name picks the listener
//!   ([`Router::tls_listener`](gatewise::Router::tls_listener)): an HTTPS
//!   listener terminates with its certificates (ALPN `h2`, `http/1.1`); a TLS
//!   listener's connection goes through
//!   [`route_tls`](gatewise::Router::route_tls), spliced encrypted
//!   (Passthrough) or terminated with the listener's certificate (Terminate).
//!   TCP and UDP listeners forward streams and datagrams (a UDP session per
//!   client address).
//!
//! # Reload
//!
//! The inputs are read and compiled off the request path, then swapped in whole
//! ([`arc_swap`]): each request and connection uses exactly one configuration,
//! and in-flight ones finish on the one they started with. A configuration with
//! a document that cannot be read or an object the API server would refuse is
//! refused whole, logged and counted; the last good one keeps serving. Sockets
//! follow the configuration (new listeners open, removed ones close).
#![forbid(unsafe_code)]

mod accept;
mod admin;
mod body;
mod config;
mod echo;
mod forward;
mod headers;
mod http;
mod idle;
mod logging;
mod metrics;
mod pool;
mod server;
mod snapshot;
mod stream;
mod tls;
mod udp;
mod watch;

pub use config::{Config, Limits};
pub use logging::{LogFormat, init_logging};
pub use server::{Drained, Reloaded, Server, StartError, run};
pub use snapshot::{ConfigError, Transport};
