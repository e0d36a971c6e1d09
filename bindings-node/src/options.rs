//! Argument and result objects in TypeScript's idiom, and their conversion into
//! the core's types. Everything here is generated into `index.d.ts`.

use napi::JsDate;
use napi::bindgen_prelude::Either;
use napi::{Error, Result, Status};
use napi_derive::napi;

/// How a request reaches the Gateway: which listener protocol it can reach and
/// how it is matched (the fixture format's `protocol`).
#[napi(string_enum = "UPPERCASE")]
#[derive(Debug, PartialEq, Eq)]
pub enum Protocol {
    /// HTTP/1.1 or h2c on an `HTTP` listener.
    Http,
    /// HTTP over TLS on an `HTTPS` listener (the SNI defaults to the host).
    Https,
    /// gRPC (`POST /service/method`); over TLS on an `HTTPS` listener when an
    /// SNI is given.
    Grpc,
    /// A TLS connection on a `TLS` listener, matched by its server name.
    Tls,
    /// A TCP connection on a `TCP` listener.
    Tcp,
    /// UDP datagrams on a `UDP` listener.
    Udp,
}

impl From<Protocol> for gatewise::RequestProtocol {
    fn from(p: Protocol) -> Self {
        match p {
            Protocol::Http => gatewise::RequestProtocol::Http,
            Protocol::Https => gatewise::RequestProtocol::Https,
            Protocol::Grpc => gatewise::RequestProtocol::Grpc,
            Protocol::Tls => gatewise::RequestProtocol::Tls,
            Protocol::Tcp => gatewise::RequestProtocol::Tcp,
            Protocol::Udp => gatewise::RequestProtocol::Udp,
        }
    }
}

/// Options of every `load*` function.
#[napi(object)]
pub struct LoadOptions<'env> {
    /// GatewayClasses with this `spec.controllerName` are ours; Gateways of other
    /// classes are passed over. Default `gatewise.dev/gateway-controller`.
    pub controller_name: Option<String>,
    /// The `lastTransitionTime` of every status condition (the engine reads no
    /// clock): a `Date` or milliseconds since the epoch. Default: the time of
    /// loading.
    pub now: Option<Either<JsDate<'env>, f64>>,
    /// Also throw `GatewiseLoadError` for objects the API server would refuse
    /// (schema or CEL rules), instead of listing them in `rejected()`.
    /// Default `false`.
    pub strict: Option<bool>,
    /// The name `loadText` and `loadObjects` give their input in locations and
    /// messages. Default `<text>` and `<objects>`.
    pub source: Option<String>,
}

impl std::fmt::Debug for LoadOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions")
            .field("controller_name", &self.controller_name)
            .field("now", &self.now.as_ref().map(|_| ".."))
            .field("strict", &self.strict)
            .field("source", &self.source)
            .finish()
    }
}

/// A gRPC call: the request path becomes `/service/method`.
#[napi(object)]
#[derive(Debug)]
pub struct GrpcCall {
    /// The fully qualified service, e.g. `com.example.User`.
    pub service: String,
    /// The method, e.g. `Login`.
    pub method: String,
}

/// Options of `Router.lint`.
#[napi(object)]
#[derive(Debug)]
pub struct LintOptions {
    /// Codes (`GW010`) or names (`listener-without-routes`) to leave out, as
    /// `gatewise lint --allow` does. An unknown code throws.
    pub allow: Option<Vec<String>>,
}

/// What the backend answers, so that a decision's `responseHeaders` show what
/// the client receives after the route's response filters.
#[napi(object)]
#[derive(Debug)]
pub struct BackendResponse {
    /// The backend's response headers.
    #[napi(ts_type = "HeaderInput")]
    pub headers: Option<HeaderInput>,
}

/// Headers as a list of `[name, value]` pairs (names may repeat) or a record
/// (a list of values for a repeated name).
pub(crate) type HeaderInput =
    Either<Vec<(String, String)>, indexmap::IndexMap<String, Either<String, Vec<String>>>>;

/// One request at a Gateway. Only `gateway` is required.
#[napi(object)]
#[derive(Debug)]
pub struct RouteRequest {
    /// The Gateway hit, as `namespace/name`.
    pub gateway: String,
    /// The port the request arrives on. Default 80 for HTTP and GRPC, 443 for
    /// HTTPS and TLS; required for TCP and UDP.
    pub port: Option<u32>,
    /// Default `HTTP`.
    pub protocol: Option<Protocol>,
    /// The `Host` header (or `:authority`); may carry a port. Default
    /// `192.0.2.1` (the gateway's address, as sent by a client that knows no name).
    pub host: Option<String>,
    /// The TLS server name. Default for HTTPS and TLS: the host without its port
    /// (none for an IP address). On GRPC, giving one means gRPC over TLS.
    pub sni: Option<String>,
    /// Default `GET` (`POST` for GRPC).
    pub method: Option<String>,
    /// The request target: path and query. Default `/`.
    pub path: Option<String>,
    /// Request headers; names are case-insensitive.
    #[napi(ts_type = "HeaderInput")]
    pub headers: Option<HeaderInput>,
    /// A gRPC call; sets the path to `/service/method`.
    pub grpc: Option<GrpcCall>,
    /// What the backend answers (for `responseHeaders`).
    pub backend_response: Option<BackendResponse>,
}

/// A listener protocol Gatewise serves.
#[napi(string_enum = "UPPERCASE")]
#[derive(Debug, PartialEq, Eq)]
pub enum ListenerProtocol {
    /// `HTTP`.
    Http,
    /// `HTTPS`.
    Https,
    /// `TLS`.
    Tls,
    /// `TCP`.
    Tcp,
    /// `UDP`.
    Udp,
}

impl From<gatewise::Protocol> for ListenerProtocol {
    fn from(p: gatewise::Protocol) -> Self {
        match p {
            gatewise::Protocol::Http => ListenerProtocol::Http,
            gatewise::Protocol::Https => ListenerProtocol::Https,
            gatewise::Protocol::Tls => ListenerProtocol::Tls,
            gatewise::Protocol::Tcp => ListenerProtocol::Tcp,
            gatewise::Protocol::Udp => ListenerProtocol::Udp,
        }
    }
}

/// One listener of a Gateway, as the router sees it.
#[napi(object, use_nullable = true)]
#[derive(Debug)]
pub struct ListenerInfo {
    /// The listener's `name` (a route's `sectionName`).
    pub name: String,
    /// Its port.
    pub port: u32,
    /// Its protocol; `null` when Gatewise does not serve it.
    pub protocol: Option<ListenerProtocol>,
    /// Its hostname; `null` for any. A wildcard is written `*.example.com`.
    pub hostname: Option<String>,
    /// Whether it serves traffic (accepted, resolved, not conflicted).
    pub programmed: bool,
    /// For a `TLS` listener: `Passthrough` or `Terminate`.
    #[napi(ts_type = "'Passthrough' | 'Terminate'")]
    pub tls_mode: Option<String>,
    /// The routes attached to it (those its status's `attachedRoutes`
    /// counts), sorted by kind, namespace and name.
    pub routes: Vec<RouteRef>,
}

/// A route, as decisions and listeners name it.
#[napi(object)]
#[derive(Debug)]
pub struct RouteRef {
    /// `HTTPRoute`, `GRPCRoute`, `TLSRoute`, `TCPRoute` or `UDPRoute`.
    pub kind: String,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl From<gatewise::RouteView> for RouteRef {
    fn from(r: gatewise::RouteView) -> Self {
        RouteRef {
            kind: r.kind,
            namespace: r.namespace,
            name: r.name,
        }
    }
}

impl ListenerInfo {
    /// A listener of the Gateway `namespace/name`, with its routes.
    pub(crate) fn new(
        router: &gatewise::Router,
        namespace: &str,
        name: &str,
        l: gatewise::ListenerInfo<'_>,
    ) -> Self {
        ListenerInfo {
            routes: router
                .attached_routes(namespace, name, l.name)
                .into_iter()
                .map(RouteRef::from)
                .collect(),
            name: l.name.to_owned(),
            port: u32::from(l.port),
            protocol: l.protocol.map(ListenerProtocol::from),
            hostname: l.hostname.map(ToString::to_string),
            programmed: l.programmed,
            tls_mode: l.tls_mode.map(|m| m.as_str().to_owned()),
        }
    }
}

/// A request's owned parts, with the defaults of its protocol applied; borrowed
/// by the core's `HttpRequest`.
pub(crate) struct Request {
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) port: u16,
    pub(crate) protocol: gatewise::RequestProtocol,
    pub(crate) method: String,
    pub(crate) host: String,
    pub(crate) sni: Option<String>,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) backend_response: Vec<(String, String)>,
}

impl Request {
    /// Checks and completes a request object. A malformed one (no
    /// `namespace/name`, a port out of range, none for TCP/UDP) is a bad
    /// argument, not a routing outcome.
    pub(crate) fn new(r: RouteRequest) -> Result<Request> {
        let Some((namespace, name)) = r
            .gateway
            .split_once('/')
            .filter(|(ns, name)| !ns.is_empty() && !name.is_empty() && !name.contains('/'))
        else {
            return Err(invalid(format!(
                "gateway must be namespace/name, found {:?}",
                r.gateway
            )));
        };
        let protocol: gatewise::RequestProtocol = r.protocol.unwrap_or(Protocol::Http).into();
        let port = match r.port {
            Some(p) => u16::try_from(p)
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| invalid(format!("port must be 1-65535, found {p}")))?,
            None => protocol
                .default_port()
                .ok_or_else(|| invalid(format!("port is required for {protocol} requests")))?,
        };
        let target = match r.grpc {
            Some(g) => gatewise::grpc_path(&g.service, &g.method),
            None => r.path.unwrap_or_else(|| "/".to_owned()),
        };
        Ok(Request {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            port,
            protocol,
            method: r
                .method
                .unwrap_or_else(|| protocol.default_method().to_owned()),
            host: r
                .host
                .unwrap_or_else(|| gatewise_spec::DEFAULT_HOST.to_owned()),
            sni: r.sni,
            target,
            headers: r.headers.map(header_pairs).unwrap_or_default(),
            backend_response: r
                .backend_response
                .and_then(|b| b.headers)
                .map(header_pairs)
                .unwrap_or_default(),
        })
    }

    /// The core's borrowed request view.
    pub(crate) fn view(&self) -> gatewise::HttpRequest<'_> {
        gatewise::HttpRequest::new(&self.method, &self.host, &self.target)
            .sni(self.sni.as_deref())
            .owned_headers(&self.headers)
    }

    /// The Gateway hit.
    pub(crate) fn gateway(&self) -> gatewise::GatewayRef<'_> {
        gatewise::GatewayRef::new(&self.namespace, &self.name)
    }
}

/// Headers in order: pairs as given, a record's names in insertion order with
/// each of a list's values.
fn header_pairs(h: HeaderInput) -> Vec<(String, String)> {
    match h {
        Either::A(pairs) => pairs,
        Either::B(record) => record
            .into_iter()
            .flat_map(|(name, values)| {
                let values = match values {
                    Either::A(v) => vec![v],
                    Either::B(list) => list,
                };
                values.into_iter().map(move |v| (name.clone(), v))
            })
            .collect(),
    }
}

/// A bad argument (thrown as a JS `Error` with `code: 'InvalidArg'`).
pub(crate) fn invalid(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}
