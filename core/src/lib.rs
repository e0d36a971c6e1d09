//! Gatewise: the Kubernetes Gateway API as a library.
//!
//! Gatewise answers two questions from a set of resources alone, without a
//! cluster: *what status would a conformant implementation report?* and *where does
//! this request go, and why?*
//!
//! ```
//! use gatewise::{Decision, GatewayRef, HttpRequest, Options, Router, Timestamp};
//!
//! let yaml = r#"
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: GatewayClass
//! metadata: {name: gatewise}
//! spec: {controllerName: gatewise.dev/gateway-controller}
//! ---
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: Gateway
//! metadata: {name: gw, namespace: infra}
//! spec:
//!   gatewayClassName: gatewise
//!   listeners: [{name: http, port: 80, protocol: HTTP}]
//! ---
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web, namespace: infra}
//! spec:
//!   parentRefs: [{name: gw}]
//!   rules: [{backendRefs: [{name: web, port: 8080}]}]
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata: {name: web, namespace: infra}
//! spec: {ports: [{port: 8080}]}
//! "#;
//! let loaded = gatewise::load_str("example.yaml", yaml);
//! assert!(loaded.rejections.is_empty());
//! let compiled = Router::compile(&loaded.resources, &Options::default());
//! let status = compiled.status(Timestamp::DEFAULT_EPOCH);
//! assert_eq!(status.gateways[0].listeners[0].attached_routes, 1);
//!
//! let req = HttpRequest::new("GET", "example.com", "/hello?x=1");
//! match compiled.router().route_http(GatewayRef::new("infra", "gw"), 80, &req) {
//!     Decision::Forward(f) => assert_eq!(f.backends().len(), 1),
//!     other => panic!("expected a forward, got {other:?}"),
//! }
//! ```
//!
//! # The pipeline
//!
//! - [`load`]: manifests → [`Resources`] + [`Rejection`]s (schema and CEL rules,
//!   [`validate`]) + [`Warning`]s (pruned fields) + [`LoadError`]s.
//! - [`Router::compile`]: → [`Compiled`]: an immutable [`Router`] and the [`Status`]
//!   of every object ([`compile`] states the status policy).
//! - [`Router::route`]: a borrowed [`HttpRequest`] and its [`RequestProtocol`]
//!   (HTTP, HTTPS, GRPC, TLS, TCP, UDP) → a [`Decision`] (no allocation on a plain
//!   forward; weighted choice takes the caller's random number).
//!   [`Router::route_http`], [`Router::route_tls`], [`Router::route_tcp`] and
//!   [`Router::route_udp`] are the per-protocol forms.
//! - [`Router::explain`]: the same walk, recorded ([`Explanation`]).
//! - [`lint::lint`]: problems between objects that no status condition shows
//!   (shadowed rules, ties decided by age, unresolved references, unused grants,
//!   ...), as [`Finding`]s with stable codes and example requests.
//! - [`diff::diff`]: what a change to the manifests does to status and traffic
//!   ([`DiffReport`]).
//!
//! The core is sans-IO: it opens no file, reads no clock and draws no random
//! number. The same resources in any order give the same router, status and
//! decisions.
//!
//! # Choices the Gateway API leaves to implementations
//!
//! Each is pinned by a fixture in `spec-fixtures/fixtures/`.
//! The path and host policy is stated in full in [`policy`], each point with the
//! test of the catalogue of bad inputs that pins it.
//!
//! - **Hostnames** fold to lower case; a trailing dot and any port in `Host` are
//!   ignored for matching; the `Host` is forwarded unmodified unless rewritten.
//! - **Route hostname precedence** compares the hostname as attached to the
//!   listener (the intersection of route and listener hostnames), see
//!   [`PrecedenceKey`].
//! - **RegularExpression paths** rank after `Exact` and before `PathPrefix`; longer
//!   patterns first. Regular expressions use the `regex` crate (RE2 syntax, linear
//!   time), anchored to the whole value, compiled size limit [`REGEX_SIZE_LIMIT`]; a
//!   pattern it refuses (look-around, back-references, too large) drops the rule
//!   (`PartiallyInvalid`, or `Accepted=False/UnsupportedValue` when no rule is left).
//! - **Request paths** are matched after normalisation ([`path::normalize`]):
//!   percent-encoded unreserved characters decoded, other escapes upper-cased,
//!   dot segments resolved, `%2F` and `%5C` kept encoded and never separators,
//!   duplicate slashes kept. A path that cannot be normalised is answered 400. The
//!   backend receives the normalised path.
//! - **Repeated request headers** are matched as their values joined with `,`;
//!   repeated query parameters by their first value; query values are compared
//!   as sent (not percent-decoded).
//! - **All backend weights zero**, every backend invalid, or no backendRefs without a
//!   redirect: 500.
//! - **Backends with no endpoints** still resolve (endpoints are the proxy's concern).
//! - **CORS preflights** are answered by the gateway with 200 ([`filter::cors`]).
//! - **Redirects** keep the request's query string.
//! - **Unsupported at backendRef level**: `RequestRedirect` and `CORS` filters (the
//!   rule is dropped with `PartiallyInvalid`). `ExtensionRef` filters are never
//!   skipped: their requests are answered 500.
//! - **Listener protocols**: `HTTP`, `HTTPS`, `TLS` (Passthrough and Terminate),
//!   `TCP` and `UDP` are served; any other gets `Accepted=False/UnsupportedProtocol`.
//!   Supported route kinds: HTTP and HTTPS → HTTPRoute, GRPCRoute; TLS → TLSRoute;
//!   TCP → TCPRoute; UDP → UDPRoute (a TCPRoute on a TLS listener is not offered).
//! - **Listener conflicts** (per port): HTTP, HTTPS/TLS and TCP cannot share a port
//!   (`Conflicted=True/ProtocolConflict`); HTTP listeners, and HTTPS/TLS listeners,
//!   are distinct by hostname, TCP and UDP listeners by port alone
//!   (`HostnameConflict`; an HTTPS and a TLS listener with one hostname:
//!   `ProtocolConflict`); UDP never conflicts with the TCP-based protocols. Within
//!   one Gateway there is no winner; a ListenerSet's listener that conflicts with
//!   one merged before it (the Gateway's, an older ListenerSet's) loses.
//! - **HTTPRoute and GRPCRoute** with intersecting hostnames on one listener: the
//!   older route (then `namespace/name`) keeps the listener, settled oldest first
//!   against the routes already kept (a route that lost knocks out nothing); the
//!   other gets
//!   `Accepted=False/NotAllowedByListeners` for that parent (the spec names no
//!   reason) when it is left with no listener.
//! - **GRPCRoute** matches on the request path `/service/method`; a gRPC request
//!   the gateway answers itself carries `grpc_status` (404 → 12 Unimplemented,
//!   500 → 14 Unavailable, [`grpc_status_for`]).
//! - **TLSRoute, TCPRoute, UDPRoute**: a connection with no route, or whose rule
//!   has no valid backend, is refused ([`Decision::Reject`]); with a mix, the
//!   invalid backends' share is refused ([`Pick::Error`]). On a TCP or UDP listener
//!   every attached route is Accepted and the oldest carries the traffic.
//! - **ListenerSet**: a Gateway admits ListenerSets only as `allowedListeners` says
//!   (default none: `Accepted=False/NotAllowed`); `allowedRoutes.namespaces.from:
//!   Same` on a ListenerSet's listener means the ListenerSet's namespace; routes
//!   whose parentRef names a ListenerSet that is not accepted get
//!   `Accepted=False/NotAllowedByListeners`.
//! - **HTTPS**: see [`decision`] on listener selection and 421.
#![forbid(unsafe_code)]

pub mod api;
mod backend;
pub mod compile;
pub mod decision;
pub mod diff;
pub mod duration;
pub mod endpoints;
mod error;
mod example;
pub mod explain;
pub mod filter;
mod hostname;
pub mod lint;
pub mod load;
pub mod matcher;
pub mod oracle;
pub mod path;
pub mod policy;
pub mod precedence;
mod reference_grant;
mod request;
mod resources;
mod router;
mod status;
mod stream;
mod time;
pub mod validate;
mod view;

pub use backend::{InvalidBackend, ServiceBackend};
pub use compile::{Compiled, DEFAULT_CONTROLLER_NAME, Options};
pub use decision::{
    Decision, Forward, GatewayRef, Matched, Pick, RedirectTo, Reject, Respond, UpstreamRequest,
    grpc_status_for,
};
pub use diff::DiffReport;
pub use endpoints::Endpoint;
pub use error::{FieldError, LoadError, ObjectRef, Rejection, Skipped, SourceLocation, Warning};
pub use example::ExampleRequest;
pub use explain::Explanation;
pub use hostname::Hostname;
pub use lint::{Finding, Severity};
pub use load::{Loaded, Loader, load_str};
pub use matcher::{Mismatch, PathKind, REGEX_SIZE_LIMIT};
pub use precedence::{HostnameRank, PathRank, PrecedenceKey};
pub use request::{Headers, HttpRequest, RequestProtocol, Scheme, default_sni, grpc_path};
pub use resources::{Meta, Object, Resources};
pub use router::{
    BackendFilters, BackendTarget, Certificate, Filters, ListenerInfo, Mirror, Protocol, Router,
    RuleFilters, Timeouts, TlsMode, WeightedBackend,
};
pub use status::{
    AddressStatus, Condition, GatewayClassStatus, GatewayStatus, GroupKind, ListenerSetStatus,
    ListenerStatus, ParentRefStatus, RouteParentStatus, RouteStatus, Status,
};
pub use time::Timestamp;
pub use view::{BackendView, DecisionView, MirrorView, RouteView};

/// The Gateway API group.
pub const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";
