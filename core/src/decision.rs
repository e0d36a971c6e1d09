//! Decisions: where one HTTP request goes.
//!
//! A [`Decision`] borrows from the router and the request; a plain forward
//! allocates nothing. Weighted choice takes the caller's random number.
//!
//! # Listener selection (`apis/v1/gateway_types.go`)
//!
//! - Only programmed listeners of the request's port and protocol serve it. No such
//!   listener: the connection is refused ([`Decision::Reject`]).
//! - **HTTP**: the most specific listener whose hostname matches the `Host` (exact
//!   name, then the wildcard with the longest suffix, then no hostname). None: 404.
//!   A request never falls through to a less specific listener when the chosen
//!   listener's routes do not match (listener isolation): 404.
//! - **HTTPS**: the TLS handshake picks the most specific listener matching the SNI
//!   (without SNI, a listener with no hostname); none: the handshake is refused. Then
//!   the `Host` is compared with every HTTPS listener of the port: none matches →
//!   404; the most specific match is another listener → 421 Misdirected Request
//!   (GEP-3567).
//! - A request target that is not a valid origin-form path answers 400.

use std::borrow::Cow;

use serde::Serialize;

use crate::backend::ServiceBackend;
use crate::filter::cors::Cors;
use crate::filter::redirect::RedirectInput;
use crate::hostname::{self, HostKey};
use crate::path;
use crate::request::{HttpRequest, RequestProtocol, Scheme};
use crate::router::{
    Action, BackendTarget, GatewayRt, Hit, ListenerRt, Mirror, Protocol, Router, RuleFilters,
    RuleRt, Timeouts, TlsMode, WeightedBackend,
};

/// A Gateway named by namespace and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GatewayRef<'a> {
    /// Namespace.
    pub namespace: &'a str,
    /// Name.
    pub name: &'a str,
}

impl<'a> GatewayRef<'a> {
    /// Names a Gateway.
    pub fn new(namespace: &'a str, name: &'a str) -> Self {
        GatewayRef { namespace, name }
    }
}

/// The outcome for one request. No match is a decision, not an error.
#[derive(Debug)]
#[non_exhaustive]
pub enum Decision<'a> {
    /// Send to a backend (after [`Forward::pick`]).
    Forward(Forward<'a>),
    /// Answer with a redirect.
    Redirect(RedirectTo<'a>),
    /// Answer directly: 404 no route, 500 no valid backend, 421 misdirected, 400
    /// bad path, or a CORS preflight.
    Respond(Respond<'a>),
    /// Refuse the connection (no listener, TLS handshake no listener serves, a
    /// TLS/TCP/UDP connection with no route or an invalid backend).
    Reject(Reject<'a>),
}

/// Which listener, route, rule and match decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Matched<'a> {
    /// The listener (sectionName) that accepted the request.
    pub listener: &'a str,
    /// The route's kind (`HTTPRoute`).
    pub route_kind: &'a str,
    /// The route's namespace.
    pub route_namespace: &'a str,
    /// The route's name.
    pub route_name: &'a str,
    /// Index of the rule in the route.
    pub rule: usize,
    /// The rule's `name`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_name: Option<&'a str>,
    /// Index of the match in the rule.
    pub match_index: usize,
}

impl<'a> Matched<'a> {
    /// Attribution of `hit` (of `rule`) on `listener`: the rule carries its
    /// route's names, so the route table is not read.
    #[inline]
    pub(crate) fn of(listener: &'a ListenerRt, rule: &'a RuleRt, hit: Hit) -> Matched<'a> {
        Matched {
            listener: &listener.name,
            route_kind: rule.route_kind,
            route_namespace: &rule.route_namespace,
            route_name: &rule.route_name,
            rule: usize::from(rule.index),
            rule_name: rule.name.as_deref(),
            match_index: usize::from(hit.match_index),
        }
    }
}

/// A forward decision: an HTTP or gRPC request to send on, or a TLS, TCP or UDP
/// stream to splice to a backend.
#[derive(Debug)]
pub struct Forward<'a> {
    /// The listener and the hit: [`Forward::matched`] builds the attribution
    /// from them and the rule when asked (not in every decision).
    listener: &'a ListenerRt,
    hit: Hit,
    protocol: RequestProtocol,
    tls_mode: Option<TlsMode>,
    /// The rule's backends and their total weight are read from its action
    /// (not copied into every decision).
    rule: &'a RuleRt,
    req: HttpRequest<'a>,
    path: Cow<'a, str>,
}

impl<'a> Forward<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        listener: &'a ListenerRt,
        hit: Hit,
        protocol: RequestProtocol,
        tls_mode: Option<TlsMode>,
        rule: &'a RuleRt,
        req: HttpRequest<'a>,
        path: Cow<'a, str>,
    ) -> Self {
        Forward {
            listener,
            hit,
            protocol,
            tls_mode,
            rule,
            req,
            path,
        }
    }

    /// The rule's backendRefs and their total weight (compile builds a
    /// `Forward` only for a rule whose action forwards).
    fn weighted(&self) -> (&'a [WeightedBackend], u64) {
        let rule: &'a RuleRt = self.rule;
        match &rule.action {
            Action::Forward { backends, total } => (backends, *total),
            _ => (&[], 0),
        }
    }
}

/// The result of a weighted pick.
#[derive(Debug, Clone, Copy)]
pub enum Pick<'a> {
    /// Send to this Service port; `backend` carries its filters.
    Backend {
        /// The chosen backendRef.
        backend: &'a WeightedBackend,
        /// Its resolved Service port.
        service: &'a ServiceBackend,
    },
    /// The share of an invalid backend: answer with this status (500; for a
    /// TLS/TCP/UDP stream, refuse the connection).
    Error {
        /// The chosen (invalid) backendRef.
        backend: Option<&'a WeightedBackend>,
        /// 500.
        status: u16,
    },
}

/// The request as the backend receives it, after filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpstreamRequest {
    /// Method.
    pub method: String,
    /// `Host` value (with the port the client sent, unless rewritten).
    pub host: String,
    /// Path and query.
    pub path: String,
    /// Headers in order (names as sent or as set by a filter).
    pub headers: Vec<(String, String)>,
}

impl<'a> Forward<'a> {
    /// Which listener, route, rule and match decided (built from the
    /// listener and rule the decision refers to).
    pub fn matched(&self) -> Matched<'a> {
        Matched::of(self.listener, self.rule, self.hit)
    }

    /// What is forwarded: an `HTTP`/`HTTPS` or `GRPC` request (filters apply), or
    /// a `TLS`, `TCP` or `UDP` stream (no filters; an invalid backend's share of
    /// connections is refused, see [`Pick::Error`]).
    pub fn protocol(&self) -> RequestProtocol {
        self.protocol
    }

    /// For a TLS stream: whether the gateway passes it through or terminates it.
    pub fn tls_mode(&self) -> Option<TlsMode> {
        self.tls_mode
    }

    /// Whether a request (not a stream) is forwarded, so that filters and
    /// [`upstream_request`](Self::upstream_request) apply.
    pub fn is_request(&self) -> bool {
        matches!(
            self.protocol,
            RequestProtocol::Http | RequestProtocol::Https | RequestProtocol::Grpc
        )
    }

    /// The rule's backendRefs, resolved or not, with weights.
    pub fn backends(&self) -> &'a [WeightedBackend] {
        self.weighted().0
    }

    /// The rule-level filters.
    pub fn filters(&self) -> &'a RuleFilters {
        &self.rule.filters
    }

    /// The rule's timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.rule.filters.timeouts
    }

    /// The normalised request path (no query).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Chooses a backendRef by weight with the caller's random number.
    pub fn pick(&self, random: u64) -> Pick<'a> {
        let (backends, total) = self.weighted();
        let mut point = if total == 0 { 0 } else { random % total };
        let mut last = None;
        for b in backends {
            if b.weight == 0 {
                continue;
            }
            last = Some(b);
            if point < u64::from(b.weight) {
                break;
            }
            point -= u64::from(b.weight);
        }
        // Compile builds a Forward only with a valid backend of non-zero weight.
        match last.map(|b| (b, &b.target)) {
            Some((backend, BackendTarget::Service(service))) => Pick::Backend { backend, service },
            Some((backend, BackendTarget::Invalid(_))) => Pick::Error {
                backend: Some(backend),
                status: 500,
            },
            None => Pick::Error {
                backend: None,
                status: 500,
            },
        }
    }

    /// The only backendRef with non-zero weight, if exactly one.
    pub fn single_backend(&self) -> Option<&'a WeightedBackend> {
        let mut it = self.backends().iter().filter(|b| b.weight > 0);
        let first = it.next()?;
        it.next().is_none().then_some(first)
    }

    /// The request as `backend` receives it: rule filters, then the backend's.
    pub fn upstream_request(&self, backend: Option<&WeightedBackend>) -> UpstreamRequest {
        let mut headers: Vec<(String, String)> = self
            .req
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("host") && !n.starts_with(':'))
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let bf = backend.map(|b| &b.filters);
        for modifier in [
            self.rule.filters.request_headers.as_ref(),
            bf.and_then(|f| f.request_headers.as_ref()),
        ]
        .into_iter()
        .flatten()
        {
            modifier.apply(&mut headers);
        }
        let (host, path) = self.upstream_target(backend);
        UpstreamRequest {
            method: self.req.method.to_owned(),
            host,
            path,
            headers,
        }
    }

    /// Whether a RequestHeaderModifier (the rule's or `backend`'s) changes the
    /// headers `backend` receives. When not, they are the client's (less `Host`):
    /// a proxy can pass its own header map on instead of
    /// [`upstream_request`](Self::upstream_request)'s copy.
    pub fn modifies_request_headers(&self, backend: Option<&WeightedBackend>) -> bool {
        self.rule.filters.request_headers.is_some()
            || backend.is_some_and(|b| b.filters.request_headers.is_some())
    }

    /// The `Host` and the path and query `backend` receives (URL rewrites
    /// applied): [`upstream_request`](Self::upstream_request)'s `host` and
    /// `path`, without copying the headers.
    pub fn upstream_target(&self, backend: Option<&WeightedBackend>) -> (String, String) {
        let mut host = self.req.host.to_owned();
        let mut path = self.path.to_string();
        let bf = backend.map(|b| &b.filters);
        let rule = &self.rule.filters;
        for rewrite in [rule.rewrite.as_ref(), bf.and_then(|f| f.rewrite.as_ref())]
            .into_iter()
            .flatten()
        {
            if let Some(h) = &rewrite.hostname {
                host.clone_from(h);
            }
            if let Some(m) = &rewrite.path {
                path = m.apply(&path, &self.rule.matched_prefix);
            }
        }
        if let Some(q) = self.req.query() {
            path.push('?');
            path.push_str(q);
        }
        (host, path)
    }

    /// The response headers the client receives: the backend's, after the rule's and
    /// the backend's ResponseHeaderModifier, plus CORS headers for an allowed origin.
    pub fn response_headers(
        &self,
        backend: Option<&WeightedBackend>,
        from_backend: &[(String, String)],
    ) -> Vec<(String, String)> {
        let mut headers = from_backend.to_vec();
        let rule = &self.rule.filters;
        let bf = backend.map(|b| &b.filters);
        for modifier in [
            rule.response_headers.as_ref(),
            bf.and_then(|f| f.response_headers.as_ref()),
        ]
        .into_iter()
        .flatten()
        {
            modifier.apply(&mut headers);
        }
        if let (Some(cors), Some(origin)) = (&rule.cors, self.req.headers.get("origin")) {
            for (n, v) in cors.response_headers(origin) {
                headers.retain(|(h, _)| !h.eq_ignore_ascii_case(&n));
                headers.push((n, v));
            }
        }
        headers
    }

    /// Mirrors for a request sent to `backend`: the rule's, then the backend's.
    pub fn mirrors(
        &self,
        backend: Option<&'a WeightedBackend>,
    ) -> impl Iterator<Item = &'a Mirror> + 'a {
        let rule: &'a RuleRt = self.rule;
        rule.filters
            .mirrors
            .iter()
            .chain(backend.into_iter().flat_map(|b| b.filters.mirrors.iter()))
    }
}

/// A redirect decision.
#[derive(Debug, Clone)]
pub struct RedirectTo<'a> {
    /// Which listener, route and rule decided.
    pub matched: Matched<'a>,
    /// 301, 302, 303, 307 or 308.
    pub status: u16,
    /// The `Location` header value.
    pub location: String,
}

/// A direct answer.
#[derive(Debug, Clone)]
pub struct Respond<'a> {
    /// The rule that decided, when one did (a 500 or a CORS preflight).
    pub matched: Option<Matched<'a>>,
    /// 400, 404, 421, 500, or the CORS preflight status.
    pub status: u16,
    /// Why, in a word: `NoMatchingRoute`, `NoMatchingListener`, `Misdirected`,
    /// `InvalidBackend`, `NoBackends`, `UnsupportedExtension`, `BadPath`, `CorsPreflight`,
    /// `InvalidHost` (a redirect without `hostname` for a request whose `Host`
    /// gives no URL host).
    pub reason: &'static str,
    /// Headers of the answer (CORS preflight), empty otherwise.
    pub headers: Vec<(String, String)>,
    /// For gRPC: the status code a proxy sends in `grpc-status` (12 Unimplemented
    /// for 404, 14 Unavailable for 500), else `None`.
    pub grpc_status: Option<u8>,
}

/// The gRPC status code for a gateway's own HTTP answer (the gRPC project's
/// HTTP-to-gRPC mapping; 500 is `UNAVAILABLE` as GRPCRoute asks).
pub fn grpc_status_for(status: u16) -> u8 {
    match status {
        400 => 13,
        401 => 16,
        403 => 7,
        404 => 12,
        429 | 500 | 502 | 503 | 504 | 421 => 14,
        _ => 2,
    }
}

/// A refused connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reject<'a> {
    /// `NoGateway`, `NoListener`, `NoTlsListener`, `NoMatchingRoute`,
    /// `InvalidBackend`, `NoBackends`.
    pub reason: &'static str,
    /// The rule that decided, when one did (a stream whose backends are invalid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<Matched<'a>>,
}

pub(crate) fn reject<'a>(reason: &'static str) -> Decision<'a> {
    Decision::Reject(Reject {
        reason,
        matched: None,
    })
}

impl Router {
    /// Decides where a request of any protocol arriving at `port` of a Gateway
    /// goes: the one entry point every front end uses.
    ///
    /// - `HTTP`, `HTTPS`: [`route_http`](Self::route_http) with that scheme; for
    ///   HTTPS without a server name, [`default_sni`](crate::default_sni) of the `Host`.
    /// - `GRPC`: a gRPC request (`req` marked [`grpc`](HttpRequest::grpc)) over
    ///   HTTPS when `req` carries a server name, else over h2c.
    /// - `TLS`: [`route_tls`](Self::route_tls) with the server name (default: as
    ///   for HTTPS).
    /// - `TCP`, `UDP`: [`route_tcp`](Self::route_tcp), [`route_udp`](Self::route_udp).
    pub fn route<'a>(
        &'a self,
        gateway: GatewayRef<'_>,
        port: u16,
        protocol: RequestProtocol,
        req: &HttpRequest<'a>,
    ) -> Decision<'a> {
        if let Some(http) = protocol.http_request(req) {
            return self.route_http(gateway, port, &http);
        }
        match protocol {
            RequestProtocol::Tcp => self.route_tcp(gateway, port),
            RequestProtocol::Udp => self.route_udp(gateway, port),
            _ => self.route_tls(gateway, port, req.with_default_sni().sni),
        }
    }

    /// Decides where an HTTP or HTTPS request arriving at `port` of a Gateway goes.
    /// A request marked [`grpc`](HttpRequest::grpc) is matched against GRPCRoutes
    /// and the gateway's own answers carry a gRPC status.
    pub fn route_http<'a>(
        &'a self,
        gateway: GatewayRef<'_>,
        port: u16,
        req: &HttpRequest<'a>,
    ) -> Decision<'a> {
        if !req.grpc {
            // Returned as it is: no copy of the decision.
            return self.route_http_inner(gateway, port, req);
        }
        let mut decision = self.route_http_inner(gateway, port, req);
        if let Decision::Respond(r) = &mut decision {
            r.grpc_status = Some(grpc_status_for(r.status));
        }
        decision
    }

    fn route_http_inner<'a>(
        &'a self,
        gateway: GatewayRef<'_>,
        port: u16,
        req: &HttpRequest<'a>,
    ) -> Decision<'a> {
        let Some(gw) = self.gateway(gateway.namespace, gateway.name) else {
            return reject("NoGateway");
        };
        // The `Host` is folded only when something reads it: a listener's
        // hostname or a route's (a port served by listeners without hostnames,
        // for routes without hostnames, never reads it).
        let any_host = gw.any_host_listener(port, req.scheme);
        let mut buf = None;
        let host = if any_host.is_none_or(ListenerRt::reads_host) {
            hostname::fold(req.host, &mut buf)
        } else {
            ""
        };
        let listener = match any_host {
            Some(l) => l,
            None => match select_listener(gw, port, req, host) {
                Selected::Listener(l) => l,
                Selected::Reject(reason) => return reject(reason),
                Selected::Respond(status, reason) => return respond(None, status, reason),
            },
        };
        let (path, query) = path::normalize_target(req.target);
        let Some(path) = path else {
            return respond(None, 400, "BadPath");
        };
        // An HTTPRoute and a GRPCRoute never share a hostname on one listener
        // (compile accepts only one of them), so at most one kind has entries
        // for this host; a gRPC request looks at GRPCRoutes first.
        // One call of `lookup` (inlined once).
        let grpc = |listener: &'a ListenerRt| listener.grpc_lookup(host, &path, req).map(Hit::from);
        let found = req
            .grpc
            .then(|| grpc(listener))
            .flatten()
            .or_else(|| listener.lookup(host, &path, query, req))
            .or_else(|| (!req.grpc).then(|| grpc(listener)).flatten());
        match found {
            Some(hit) => self.decide(listener, hit, req, path),
            None => respond(None, 404, "NoMatchingRoute"),
        }
    }

    #[inline(always)]
    pub(crate) fn decide<'a>(
        &'a self,
        listener: &'a ListenerRt,
        hit: Hit,
        req: &HttpRequest<'a>,
        path: Cow<'a, str>,
    ) -> Decision<'a> {
        let Some(rule) = self.inner.rules.get(hit.rule as usize) else {
            return respond(None, 500, "NoBackends");
        };
        // From the rule already read (not a second look-up of the rule
        // table), and only for the decisions that carry it (a forward keeps
        // the listener and the hit instead).
        let matched = || Matched::of(listener, rule, hit);
        if rule.has_cors
            && let Some(cors) = &rule.filters.cors
        {
            let origin = req.headers.get("origin");
            if Cors::is_preflight(
                req.method,
                origin,
                req.headers.get("access-control-request-method"),
            ) {
                let headers = cors.preflight_headers(
                    origin.unwrap_or(""),
                    req.headers
                        .get("access-control-request-method")
                        .unwrap_or(""),
                    req.headers.get("access-control-request-headers"),
                );
                return Decision::Respond(Respond {
                    matched: Some(matched()),
                    status: Cors::PREFLIGHT_STATUS,
                    reason: "CorsPreflight",
                    headers,
                    grpc_status: None,
                });
            }
        }
        match &rule.action {
            Action::Forward { .. } => Decision::Forward(Forward {
                listener,
                hit,
                protocol: if req.grpc {
                    RequestProtocol::Grpc
                } else {
                    match req.scheme {
                        Scheme::Http => RequestProtocol::Http,
                        Scheme::Https => RequestProtocol::Https,
                    }
                },
                tls_mode: None,
                rule,
                req: *req,
                path,
            }),
            Action::Redirect(r) => {
                let input = RedirectInput {
                    scheme: req.scheme.as_str(),
                    host: req.host,
                    listener_port: listener.port,
                    path: &path,
                    query: req.query(),
                    matched_prefix: &rule.matched_prefix,
                };
                match r.try_location(&input) {
                    Some(location) => Decision::Redirect(RedirectTo {
                        matched: matched(),
                        status: r.status,
                        location,
                    }),
                    None => respond(Some(matched()), 400, "InvalidHost"),
                }
            }
            Action::Respond { status, reason } => respond(Some(matched()), *status, reason),
        }
    }
}

pub(crate) fn respond<'a>(
    matched: Option<Matched<'a>>,
    status: u16,
    reason: &'static str,
) -> Decision<'a> {
    Decision::Respond(Respond {
        matched,
        status,
        reason,
        headers: Vec::new(),
        grpc_status: None,
    })
}

pub(crate) enum Selected<'r> {
    Listener(&'r ListenerRt),
    Reject(&'static str),
    Respond(u16, &'static str),
}

/// The most specific programmed listener of `protocol` on `port` whose hostname
/// matches `host` (`None` host: only a listener without hostname).
pub(crate) fn most_specific<'r>(
    gw: &'r GatewayRt,
    port: u16,
    protocol: Protocol,
    host: Option<&str>,
) -> Option<&'r ListenerRt> {
    gw.most_specific(gw.port(port, protocol)?, host)
}

/// The listener a TLS handshake with server name `sni` reaches on `port`: the most
/// specific programmed `HTTPS` or `TLS` listener whose hostname matches.
pub(crate) fn most_specific_tls<'r>(
    gw: &'r GatewayRt,
    port: u16,
    sni: Option<&str>,
) -> Option<&'r ListenerRt> {
    [Protocol::Https, Protocol::Tls]
        .into_iter()
        .filter_map(|p| most_specific(gw, port, p, sni))
        .max_by_key(|l| l.hostname.as_ref().map(|h| h.specificity()))
}

pub(crate) fn select_listener<'r>(
    gw: &'r GatewayRt,
    port: u16,
    req: &HttpRequest<'_>,
    host: &str,
) -> Selected<'r> {
    let protocol = match req.scheme {
        Scheme::Http => Protocol::Http,
        Scheme::Https => Protocol::Https,
    };
    let Some(serving) = gw.port(port, protocol) else {
        return Selected::Reject("NoListener");
    };
    let host = Some(host).filter(|h| !h.is_empty());
    match protocol {
        Protocol::Http => match gw.most_specific(serving, host) {
            Some(l) => Selected::Listener(l),
            None => Selected::Respond(404, "NoMatchingListener"),
        },
        _ => {
            let sni = req.sni.map(HostKey::new);
            let sni = sni.as_ref().map(HostKey::as_str).filter(|s| !s.is_empty());
            // HTTPS and TLS listeners share a port by hostname: the server name
            // picks among both; a TLS listener's connections are not HTTP.
            let Some(by_sni) =
                most_specific_tls(gw, port, sni).filter(|l| l.protocol == Some(Protocol::Https))
            else {
                return Selected::Reject("NoTlsListener");
            };
            match gw.most_specific(serving, host) {
                None => Selected::Respond(404, "NoMatchingListener"),
                Some(by_host) if !std::ptr::eq(by_host, by_sni) => {
                    Selected::Respond(421, "Misdirected")
                }
                Some(_) => Selected::Listener(by_sni),
            }
        }
    }
}
