//! Lint: problems *between* objects, which no status condition shows.
//!
//! Status reports each object on its own: a route is `Accepted`, a backend does
//! not resolve. [`lint`] reads the compiled router and the status together and
//! reports what only the whole set reveals: a rule that can never win, a route
//! that silently loses to an older one, a hostname no listener serves, a grant
//! nobody uses. Each [`Finding`] names the object and the field (in the API
//! server's notation), says what is wrong in one sentence and, where one exists,
//! carries an [`ExampleRequest`] that, routed with [`Router::route`], shows the
//! problem.
//!
//! ```
//! use gatewise::{Options, Router, lint};
//! # let yaml = include_str!("../../examples/quickstart.yaml");
//! let loaded = gatewise::load_str("routes.yaml", yaml);
//! let compiled = Router::compile(&loaded.resources, &Options::default());
//! let findings = lint::lint(&loaded.resources, &compiled);
//! for f in &findings {
//!     println!("{f}");
//!     if let Some(req) = &f.example_request {
//!         println!("  e.g. {req}: {:?}", req.view(compiled.router()).kind);
//!     }
//! }
//! // Findings serialise to plain data, as the CLI's `-o json` prints them.
//! let json = serde_json::to_string(&findings).expect("findings serialise");
//! # assert!(findings.is_empty(), "{json}");
//! ```
//!
//! # Codes
//!
//! Codes are stable: a code is never reused for another problem.
//!
//! | code | name | severity | what |
//! | --- | --- | --- | --- |
//! | `GW001` | `shadowed-rule` | warning | a rule match that never wins: a higher-precedence match on the same listener and hostname matches every request it matches |
//! | `GW002` | `age-decided-tie` | warning | two routes with the same hostname and match on one listener: the older wins, the newer silently gets nothing |
//! | `GW003` | `unresolved-backend` | error (warning at weight 0) | a backendRef or mirror that names no Service port, or a kind Gatewise does not support |
//! | `GW004` | `unresolved-parent` | error; warning when the Gateway or ListenerSet is not in the input | a parentRef naming no object, or a sectionName or port the parent does not have |
//! | `GW005` | `missing-reference-grant` | error | a cross-namespace backendRef, mirror or certificateRef that no ReferenceGrant permits |
//! | `GW006` | `unused-reference-grant` | warning | a ReferenceGrant that permits no reference in the input |
//! | `GW007` | `unresolved-certificate` | error | an HTTPS or TLS `Terminate` listener whose certificateRefs do not resolve to a valid Secret |
//! | `GW008` | `hostname-matches-no-listener` | error when the route is accepted nowhere, else warning | a route hostname that intersects no hostname of the listeners it attaches to |
//! | `GW009` | `route-not-accepted` | error when the route is accepted nowhere, else warning | a parent that does not accept the route (kind or namespace not allowed, every rule invalid, ...) |
//! | `GW010` | `listener-without-routes` | warning | a programmed listener with no attached route: every request is answered 404, every connection refused |
//! | `GW011` | `http-grpc-hostname-conflict` | error | an HTTPRoute and a GRPCRoute with intersecting hostnames on one listener: the newer loses the listener |
//!
//! Like status, lint looks at the Gateways of GatewayClasses with our
//! `controllerName` and the routes whose parentRefs name them (GW004 and GW006
//! read every route: a parentRef to a Gateway that is not in the input, a grant
//! no object uses).
//!
//! What status already says on its own (a rejected object, a conflicted listener,
//! an unsupported protocol) is left to `gatewise check`; `GW004`, `GW007`,
//! `GW008` and `GW009` repeat a status condition because it is the visible end of
//! a problem between objects.
//!
//! ## Precedence and shadowing
//!
//! `GW001` follows the engine's precedence ([`crate::precedence`]): `Exact` >
//! `RegularExpression` > `PathPrefix`. So a catch-all `PathPrefix /` never
//! shadows a regular-expression rule, while a catch-all regular expression such
//! as `/.*` shadows every `PathPrefix` rule for the same hostname. A match is
//! reported when one higher-ranked match *alone* matches every request it does:
//! its path covers the other's (an `Exact` path it matches, a `PathPrefix` that
//! contains the other's elements, a regular expression `L.*`, `L.+` or
//! `L(/.*)?` whose literal `L` starts every path the other matches, or the same
//! pattern), its method is absent or the same, and each of its header and query
//! conditions is one the other match also has (the same value, or a regular
//! expression that matches the other's exact value). Matches covered only by a
//! union of others are not reported. On a TCP or UDP listener only the oldest
//! route carries traffic, so every other route there is reported (`GW002`, or
//! `GW001` for a route's own later rules).
//!
//! # Examples
//!
//! Each example below adds to these base manifests (and `tests/lint.rs` checks
//! that each gives its code):
//!
//! ```yaml
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
//!   listeners:
//!   - name: http
//!     port: 80
//!     protocol: HTTP
//!     hostname: "*.example.com"
//!     allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {gateway: infra}}}}
//! ---
//! apiVersion: v1
//! kind: Namespace
//! metadata: {name: shop, labels: {gateway: infra}}
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata: {name: web, namespace: shop}
//! spec: {ports: [{port: 8080}]}
//! ```
//!
//! ### GW001 shadowed-rule
//!
//! The regular expression ranks above every `PathPrefix`, and matches all of
//! `/api`: rule 1 never wins.
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web, namespace: shop}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra}]
//!   rules:
//!   - matches: [{path: {type: RegularExpression, value: "/.*"}}]
//!     backendRefs: [{name: web, port: 8080}]
//!   - matches: [{path: {type: PathPrefix, value: /api}}]
//!     backendRefs: [{name: web, port: 8080}]
//! ```
//!
//! `warning GW001 shadowed-rule: HTTPRoute shop/web spec.rules[1].matches[0]:
//! this match (PathPrefix /api) never wins on listener infra/gw/http for hostname
//! *.example.com: HTTPRoute shop/web rule 0 match 0 (RegularExpression /.*)
//! ranks higher and matches every request it matches`, with the example request
//! `GET http://test.example.com/api at infra/gw port 80`.
//!
//! ### GW002 age-decided-tie
//!
//! `web-v2` has the same hostname and match as `web`, which is older: it gets
//! nothing.
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web, namespace: shop, creationTimestamp: "2024-05-01T00:00:00Z"}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra}]
//!   hostnames: [shop.example.com]
//!   rules: [{backendRefs: [{name: web, port: 8080}]}]
//! ---
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web-v2, namespace: shop, creationTimestamp: "2024-06-01T00:00:00Z"}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra}]
//!   hostnames: [shop.example.com]
//!   rules: [{backendRefs: [{name: web, port: 8080}]}]
//! ```
//!
//! ### GW003 unresolved-backend
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web, namespace: shop}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra}]
//!   rules: [{backendRefs: [{name: web-typo, port: 8080}]}]
//! ```
//!
//! The example request is answered 500.
//!
//! ### GW004 unresolved-parent
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web, namespace: shop}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra, sectionName: https}]
//!   rules: [{backendRefs: [{name: web, port: 8080}]}]
//! ```
//!
//! ### GW005 missing-reference-grant
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web, namespace: shop}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra}]
//!   rules: [{backendRefs: [{name: payments, namespace: billing, port: 8080}]}]
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata: {name: payments, namespace: billing}
//! spec: {ports: [{port: 8080}]}
//! ```
//!
//! ### GW006 unused-reference-grant
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1beta1
//! kind: ReferenceGrant
//! metadata: {name: from-shop, namespace: billing}
//! spec:
//!   from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
//!   to: [{group: "", kind: Service}]
//! ```
//!
//! ### GW007 unresolved-certificate
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: Gateway
//! metadata: {name: secure, namespace: infra}
//! spec:
//!   gatewayClassName: gatewise
//!   listeners:
//!   - name: https
//!     port: 443
//!     protocol: HTTPS
//!     tls: {certificateRefs: [{name: shop-cert}]}
//! ```
//!
//! ### GW008 hostname-matches-no-listener
//!
//! The listener serves `*.example.com`; `shop.example.net` is never routed here.
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web, namespace: shop}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra}]
//!   hostnames: [shop.example.com, shop.example.net]
//!   rules: [{backendRefs: [{name: web, port: 8080}]}]
//! ```
//!
//! ### GW009 route-not-accepted
//!
//! The listener admits routes from namespaces labelled `gateway: infra` only.
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web, namespace: blog}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra}]
//!   rules: [{backendRefs: [{name: web, port: 8080}]}]
//! ```
//!
//! ### GW010 listener-without-routes
//!
//! The base manifests alone: listener `http` has no route.
//!
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata: {name: empty}
//! ```
//!
//! ### GW011 http-grpc-hostname-conflict
//!
//! ```yaml
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: web, namespace: shop, creationTimestamp: "2024-05-01T00:00:00Z"}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra}]
//!   hostnames: [api.example.com]
//!   rules: [{backendRefs: [{name: web, port: 8080}]}]
//! ---
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: GRPCRoute
//! metadata: {name: rpc, namespace: shop, creationTimestamp: "2024-06-01T00:00:00Z"}
//! spec:
//!   parentRefs: [{name: gw, namespace: infra}]
//!   hostnames: [api.example.com]
//!   rules: [{backendRefs: [{name: web, port: 8080}]}]
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::Serialize;

use crate::api::{BackendObjectReference, HttpRouteMatch, ParentReference};
use crate::api::{GrpcRouteSpec, HttpRouteSpec, StreamRouteRule};
use crate::compile::{Compiled, KindConflict, compile_grpc_match, compile_match};
use crate::error::{LoadError, ObjectRef, Rejection};
use crate::example::{ExampleRequest, Site, for_listener, for_match, sites};
use crate::hostname::Hostname;
use crate::load::Loaded;
use crate::matcher::{PathMatch, RouteMatch, ValueMatch, prefix_matches};
use crate::reference_grant::{RefEnd, grant_permits};
use crate::resources::{Meta, Object, Resources};
use crate::router::{Entry, GatewayRt, ListenerRt, Protocol, Router};
use crate::status::{Condition, ListenerStatus, ParentRefStatus, RouteStatus, Status};
use crate::view::DecisionView;
use crate::{GATEWAY_GROUP, Timestamp, backend, path};

/// How serious a finding is. Ordered: `Info` < `Warning` < `Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong with traffic.
    Info,
    /// Probably not what was meant: some traffic does not go where the
    /// manifests suggest.
    Warning,
    /// Broken: requests are answered 500 or refused, or an object takes no part.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    /// `info`, `warning` or `error`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Severity::Info, Severity::Warning, Severity::Error]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity {s:?} (expected info, warning or error)"))
    }
}

/// A lint code (see the [module docs](self) for the table). Serialises as its
/// stable code, e.g. `"GW001"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum Code {
    /// `GW001`: a rule match that never wins.
    #[serde(rename = "GW001")]
    ShadowedRule,
    /// `GW002`: the same hostname and match as an older route.
    #[serde(rename = "GW002")]
    AgeDecidedTie,
    /// `GW003`: a backendRef or mirror that does not resolve.
    #[serde(rename = "GW003")]
    UnresolvedBackend,
    /// `GW004`: a parentRef that does not resolve.
    #[serde(rename = "GW004")]
    UnresolvedParent,
    /// `GW005`: a cross-namespace reference without a ReferenceGrant.
    #[serde(rename = "GW005")]
    MissingReferenceGrant,
    /// `GW006`: a ReferenceGrant that permits nothing in use.
    #[serde(rename = "GW006")]
    UnusedReferenceGrant,
    /// `GW007`: a listener certificate that does not resolve.
    #[serde(rename = "GW007")]
    UnresolvedCertificate,
    /// `GW008`: a route hostname no listener serves.
    #[serde(rename = "GW008")]
    HostnameMatchesNoListener,
    /// `GW009`: a parent that does not accept the route.
    #[serde(rename = "GW009")]
    RouteNotAccepted,
    /// `GW010`: a listener with no routes.
    #[serde(rename = "GW010")]
    ListenerWithoutRoutes,
    /// `GW011`: an HTTPRoute and a GRPCRoute competing for a hostname.
    #[serde(rename = "GW011")]
    HttpGrpcHostnameConflict,
}

impl Code {
    /// Every code, in order.
    pub const ALL: [Code; 11] = [
        Code::ShadowedRule,
        Code::AgeDecidedTie,
        Code::UnresolvedBackend,
        Code::UnresolvedParent,
        Code::MissingReferenceGrant,
        Code::UnusedReferenceGrant,
        Code::UnresolvedCertificate,
        Code::HostnameMatchesNoListener,
        Code::RouteNotAccepted,
        Code::ListenerWithoutRoutes,
        Code::HttpGrpcHostnameConflict,
    ];

    /// The stable code, e.g. `GW001`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::ShadowedRule => "GW001",
            Code::AgeDecidedTie => "GW002",
            Code::UnresolvedBackend => "GW003",
            Code::UnresolvedParent => "GW004",
            Code::MissingReferenceGrant => "GW005",
            Code::UnusedReferenceGrant => "GW006",
            Code::UnresolvedCertificate => "GW007",
            Code::HostnameMatchesNoListener => "GW008",
            Code::RouteNotAccepted => "GW009",
            Code::ListenerWithoutRoutes => "GW010",
            Code::HttpGrpcHostnameConflict => "GW011",
        }
    }

    /// The code's name, e.g. `shadowed-rule`.
    pub fn name(self) -> &'static str {
        match self {
            Code::ShadowedRule => "shadowed-rule",
            Code::AgeDecidedTie => "age-decided-tie",
            Code::UnresolvedBackend => "unresolved-backend",
            Code::UnresolvedParent => "unresolved-parent",
            Code::MissingReferenceGrant => "missing-reference-grant",
            Code::UnusedReferenceGrant => "unused-reference-grant",
            Code::UnresolvedCertificate => "unresolved-certificate",
            Code::HostnameMatchesNoListener => "hostname-matches-no-listener",
            Code::RouteNotAccepted => "route-not-accepted",
            Code::ListenerWithoutRoutes => "listener-without-routes",
            Code::HttpGrpcHostnameConflict => "http-grpc-hostname-conflict",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = String;

    /// A code (`GW001`) or its name (`shadowed-rule`), ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s) || c.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown lint code {s:?}"))
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Finding {
    /// The stable code, e.g. `GW001`.
    pub code: Code,
    /// The code's name, e.g. `shadowed-rule`.
    pub name: &'static str,
    /// How serious.
    pub severity: Severity,
    /// The object at fault.
    pub object: ObjectRef,
    /// The field at fault, in the API server's notation
    /// (`spec.rules[1].matches[0]`).
    pub field: String,
    /// What is wrong, in one sentence (lower case, no trailing period).
    pub message: String,
    /// The other object involved, when there is one (the route that wins, the
    /// route of the other kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<ObjectRef>,
    /// A request that, routed with [`Router::route`], shows the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_request: Option<ExampleRequest>,
}

impl Finding {
    fn new(
        code: Code,
        severity: Severity,
        object: ObjectRef,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code,
            name: code.name(),
            severity,
            object,
            field: field.into(),
            message: message.into(),
            related: None,
            example_request: None,
        }
    }

    fn related(mut self, related: ObjectRef) -> Finding {
        self.related = Some(related);
        self
    }

    fn example(mut self, example: Option<ExampleRequest>) -> Finding {
        self.example_request = example;
        self
    }
}

impl fmt::Display for Finding {
    /// `severity CODE name: Kind namespace/name field: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}: {} {}: {}",
            self.severity, self.code, self.name, self.object, self.field, self.message
        )
    }
}

/// Every finding for a set of resources and their compilation, sorted by
/// object (kind, namespace, name), field and code.
pub fn lint(resources: &Resources, compiled: &Compiled) -> Vec<Finding> {
    let sites = sites(compiled.router());
    let mut by_route: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    for (i, s) in sites.iter().enumerate() {
        by_route
            .entry((s.route.kind, &s.route.namespace, &s.route.name))
            .or_default()
            .push(i);
    }
    let routes = route_specs(resources);
    let route_index = routes
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.kind, r.meta.namespace.as_str(), r.meta.name.as_str()), i))
        .collect();
    let mut ctx = Ctx {
        res: resources,
        router: compiled.router(),
        status: compiled.status(Timestamp::default()),
        conflicts: &compiled.kind_conflicts,
        sites,
        by_route,
        routes,
        route_index,
        out: Vec::new(),
    };
    ctx.shadowing();
    ctx.references();
    ctx.unused_grants();
    ctx.parents();
    ctx.route_hostnames();
    ctx.kind_conflicts();
    ctx.listeners();
    let mut out = ctx.out;
    out.sort_by(|a, b| {
        (&a.object, &a.field, a.code, &a.message).cmp(&(&b.object, &b.field, b.code, &b.message))
    });
    out.dedup();
    out
}

/// What `gatewise lint -o json` prints, and what the Python and Node packages'
/// `lint()` return: the findings, and what loading refused (objects the API
/// server would reject, documents that cannot be read), which take no part in
/// linting. One serialisation for every front end.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LintOutput<'a> {
    /// The findings ([`lint`]), without the allowed codes.
    pub findings: Vec<Finding>,
    /// Objects refused at load ([`Loaded::rejections`]).
    pub rejected: &'a [Rejection],
    /// Documents that could not be read ([`Loaded::errors`]).
    pub errors: &'a [LoadError],
}

impl<'a> LintOutput<'a> {
    /// Lints `loaded` as compiled in `compiled`, leaving out findings whose code
    /// is in `allow`.
    pub fn new(loaded: &'a Loaded, compiled: &Compiled, allow: &[Code]) -> LintOutput<'a> {
        let mut findings = lint(&loaded.resources, compiled);
        findings.retain(|f| !allow.contains(&f.code));
        LintOutput {
            findings,
            rejected: &loaded.rejections,
            errors: &loaded.errors,
        }
    }
}

struct Ctx<'a> {
    res: &'a Resources,
    router: &'a Router,
    status: Status,
    conflicts: &'a [KindConflict],
    sites: Vec<Site<'a>>,
    /// Sites by route (kind, namespace, name), as indices into `sites`.
    by_route: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    /// Every route in the input.
    routes: Vec<RouteSpec<'a>>,
    /// `routes` by (kind, namespace, name).
    route_index: HashMap<(&'static str, &'a str, &'a str), usize>,
    out: Vec<Finding>,
}

/// A route of any kind, as lint reads it.
#[derive(Clone, Copy)]
struct RouteSpec<'a> {
    kind: &'static str,
    meta: &'a Meta,
    parent_refs: &'a [ParentReference],
    hostnames: &'a [String],
    obj: RouteObj<'a>,
}

/// The route object itself, by kind.
#[derive(Clone, Copy)]
enum RouteObj<'a> {
    Http(&'a Object<HttpRouteSpec>),
    Grpc(&'a Object<GrpcRouteSpec>),
    /// TLSRoute, TCPRoute, UDPRoute: their rules.
    Stream(Option<&'a [StreamRouteRule]>),
}

impl RouteSpec<'_> {
    fn object(&self) -> ObjectRef {
        ObjectRef::new(self.kind, &self.meta.namespace, &self.meta.name)
    }
}

/// Every route in the input, of every kind.
fn route_specs(res: &Resources) -> Vec<RouteSpec<'_>> {
    let mut out = Vec::new();
    out.extend(res.http_routes.iter().map(|o| RouteSpec {
        kind: "HTTPRoute",
        meta: &o.meta,
        parent_refs: &o.spec.parent_refs,
        hostnames: &o.spec.hostnames,
        obj: RouteObj::Http(o),
    }));
    out.extend(res.grpc_routes.iter().map(|o| RouteSpec {
        kind: "GRPCRoute",
        meta: &o.meta,
        parent_refs: &o.spec.parent_refs,
        hostnames: &o.spec.hostnames,
        obj: RouteObj::Grpc(o),
    }));
    out.extend(res.tls_routes.iter().map(|o| RouteSpec {
        kind: "TLSRoute",
        meta: &o.meta,
        parent_refs: &o.spec.parent_refs,
        hostnames: &o.spec.hostnames,
        obj: RouteObj::Stream(o.spec.rules.as_deref()),
    }));
    for (kind, list) in [("TCPRoute", &res.tcp_routes), ("UDPRoute", &res.udp_routes)] {
        out.extend(list.iter().map(|o| RouteSpec {
            kind,
            meta: &o.meta,
            parent_refs: &o.spec.parent_refs,
            hostnames: &[],
            obj: RouteObj::Stream(o.spec.rules.as_deref()),
        }));
    }
    out
}

/// Whether a decision was made by a route's rule (and match, when given).
fn decided_by(v: &DecisionView, kind: &str, ns: &str, name: &str, rule: Option<usize>) -> bool {
    v.route
        .as_ref()
        .is_some_and(|r| r.kind == kind && r.namespace == ns && r.name == name)
        && rule.is_none_or(|r| v.rule == Some(r))
}

impl<'a> Ctx<'a> {
    fn push(&mut self, f: Finding) {
        self.out.push(f);
    }

    /// The field of rule `rule`, match `m` of a route, as written (`spec.rules[i]`
    /// when the rule has no `matches`, `spec` when the route has no `rules`).
    fn match_field(&self, kind: &str, ns: &str, name: &str, rule: usize, m: usize) -> String {
        let obj = self
            .route_index
            .get(&(kind, ns, name))
            .and_then(|i| self.routes.get(*i))
            .map(|r| r.obj);
        let has_matches = match obj {
            Some(RouteObj::Http(r)) => {
                let Some(rules) = &r.spec.rules else {
                    return "spec".to_owned();
                };
                rules
                    .get(rule)
                    .and_then(|r| r.matches.as_ref())
                    .is_some_and(|m| !m.is_empty())
            }
            Some(RouteObj::Grpc(r)) => {
                let Some(rules) = &r.spec.rules else {
                    return "spec".to_owned();
                };
                rules.get(rule).is_some_and(|r| !r.matches.is_empty())
            }
            _ => false,
        };
        if has_matches {
            format!("spec.rules[{rule}].matches[{m}]")
        } else {
            format!("spec.rules[{rule}]")
        }
    }

    /// The sites of a route.
    fn route_sites(&self, kind: &str, ns: &str, name: &str) -> Vec<Site<'a>> {
        self.by_route
            .get(&(kind, ns, name))
            .map(|ids| {
                ids.iter()
                    .filter_map(|i| self.sites.get(*i))
                    .copied()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The route and rule of an entry.
    fn entry_owner(&self, e: &Entry) -> Option<(&'a str, &'a str, &'a str, usize)> {
        let rule = self.router.inner.rules.get(e.rule as usize)?;
        let route = self.router.inner.routes.get(rule.route as usize)?;
        Some((
            route.kind,
            &*route.namespace,
            &*route.name,
            usize::from(rule.index),
        ))
    }

    /// GW001 and GW002.
    fn shadowing(&mut self) {
        type Key<'s> = (&'s str, &'s str, &'s str, usize, usize);
        let mut total: BTreeMap<Key<'a>, usize> = BTreeMap::new();
        // For each shadowed match: (its site, the covering entry, identical and
        // from another route).
        let mut shadowed: BTreeMap<Key<'a>, Vec<(Site<'a>, &'a Entry, bool)>> = BTreeMap::new();
        // Entries of each (listener, list, hostname), by position; on TCP and
        // UDP listeners the first entry wins whatever the hostname.
        type Group<'g> = (*const ListenerRt, bool, Option<&'g Hostname>);
        let mut groups: HashMap<Group<'a>, Vec<usize>> = HashMap::new();
        let stream =
            |s: &Site<'_>| matches!(s.listener.protocol, Some(Protocol::Tcp | Protocol::Udp));
        let group_of = |s: &Site<'a>| -> Group<'a> {
            let host = if stream(s) {
                None
            } else {
                s.entry.hostname.as_ref()
            };
            (std::ptr::from_ref(s.listener), s.grpc, host)
        };
        for site in &self.sites {
            groups
                .entry(group_of(site))
                .or_default()
                .push(site.position);
        }
        for site in &self.sites {
            let key = (
                site.route.kind,
                &*site.route.namespace,
                &*site.route.name,
                usize::from(site.rule.index),
                usize::from(site.entry.match_index),
            );
            *total.entry(key).or_default() += 1;
            let list: &'a [Entry] = if site.grpc {
                &site.listener.grpc_entries
            } else {
                &site.listener.entries
            };
            let stream = stream(site);
            let positions = groups.get(&group_of(site)).map_or(&[][..], Vec::as_slice);
            let before = positions.partition_point(|p| *p < site.position);
            let earlier = positions[..before].iter().filter_map(|p| list.get(*p));
            let mut found: Option<(&'a Entry, bool)> = None;
            for a in earlier {
                let same_match = stream || identical(&a.m, &site.entry.m);
                if !same_match && !covers(&a.m, &site.entry.m) {
                    continue;
                }
                let other_route = self
                    .entry_owner(a)
                    .is_some_and(|(k, ns, n, _)| (k, ns, n) != (key.0, key.1, key.2));
                if same_match && other_route {
                    found = Some((a, true));
                    break;
                }
                if found.is_none() {
                    found = Some((a, false));
                }
            }
            if let Some((a, same)) = found {
                shadowed.entry(key).or_default().push((*site, a, same));
            }
        }
        for (key, list) in shadowed {
            let (kind, ns, name, rule, mi) = key;
            let all = total.get(&key).copied().unwrap_or(0);
            // Prefer a shadowed site whose example request shows the problem.
            let mut chosen = None;
            for (site, a, same) in &list {
                let example = site.example().ok().filter(|ex| {
                    let v = ex.view(self.router);
                    v.route.is_some()
                        && !(decided_by(&v, kind, ns, name, Some(rule))
                            && v.match_index == Some(mi))
                });
                if example.is_some() || chosen.is_none() {
                    chosen = Some((*site, *a, *same, example.clone()));
                }
                if example.is_some() {
                    break;
                }
            }
            let Some((site, a, same, example)) = chosen else {
                continue;
            };
            let Some((ak, ans, an, arule)) = self.entry_owner(a) else {
                continue;
            };
            let field = self.match_field(kind, ns, name, rule, mi);
            let what = match kind {
                "TLSRoute" | "TCPRoute" | "UDPRoute" => {
                    format!("this rule ({})", describe(kind, &site.entry.m))
                }
                _ => format!("this match ({})", describe(kind, &site.entry.m)),
            };
            let host = match &site.entry.hostname {
                Some(h) => format!(" for hostname {h}"),
                None if site.listener.protocol == Some(Protocol::Tcp)
                    || site.listener.protocol == Some(Protocol::Udp) =>
                {
                    String::new()
                }
                None => " for any hostname".to_owned(),
            };
            let listener = format!(
                "listener {}/{}/{}",
                site.gateway.0, site.gateway.1, site.listener.name
            );
            let partial = if list.len() < all {
                format!(
                    " (it still wins elsewhere: {} of the {all} listener and hostname pairs it is attached to are shadowed)",
                    list.len()
                )
            } else {
                String::new()
            };
            let other = format!("{ak} {ans}/{an} rule {arule} match {}", a.match_index);
            let l4 = matches!(site.listener.protocol, Some(Protocol::Tcp | Protocol::Udp));
            let (code, message) = if same {
                let (older, newer) = (
                    self.router.precedence_key(a).created,
                    self.router.precedence_key(site.entry).created,
                );
                let why = if older < newer {
                    format!("{ans}/{an} is older")
                } else {
                    format!(
                        "both were created at {older} and {ans}/{an} comes first by namespace/name"
                    )
                };
                let message = if l4 {
                    format!(
                        "only one route on a {} listener carries traffic: {other} is also attached to {listener}, and {why}, so this route never receives a connection{partial}",
                        site.listener.protocol.map_or("", Protocol::as_str)
                    )
                } else {
                    format!(
                        "{what} has the same hostname and match as {other} on {listener}{host}, and {why}, so this route never receives these requests{partial}"
                    )
                };
                (Code::AgeDecidedTie, message)
            } else if l4 {
                (
                    Code::ShadowedRule,
                    format!(
                        "{what} never carries traffic on {listener}: {other} comes first and takes every connection{partial}"
                    ),
                )
            } else {
                (
                    Code::ShadowedRule,
                    format!(
                        "{what} never wins on {listener}{host}: {other} ({}) ranks higher and matches every request it matches{partial}",
                        describe(ak, &a.m)
                    ),
                )
            };
            let f = Finding::new(
                code,
                Severity::Warning,
                ObjectRef::new(kind, ns, name),
                field,
                message,
            )
            .related(ObjectRef::new(ak, ans, an))
            .example(example);
            self.push(f);
        }
    }

    /// Sites of one rule of a route.
    fn rule_sites(&self, kind: &str, ns: &str, name: &str, rule: usize) -> Vec<Site<'a>> {
        let mut v = self.route_sites(kind, ns, name);
        v.retain(|s| usize::from(s.rule.index) == rule);
        v
    }

    /// GW003 and GW005 for backendRefs and mirrors of handled routes; GW005 and
    /// GW007 for listener certificates.
    fn references(&mut self) {
        let handled: BTreeSet<(&str, String, String)> = self
            .status
            .routes
            .iter()
            .map(|r| (r.kind, r.namespace.clone(), r.name.clone()))
            .collect();
        let mut refs: Vec<BackendUse> = Vec::new();
        for route in self.routes.clone() {
            if handled.contains(&(
                route.kind,
                route.meta.namespace.clone(),
                route.meta.name.clone(),
            )) {
                backend_uses(&route, &mut refs);
            }
        }
        let services = backend::Services::new(self.res);
        for u in refs {
            let Err(e) = backend::resolve(
                self.res,
                &services,
                u.kind,
                &u.namespace,
                &u.field,
                &u.target,
            ) else {
                continue;
            };
            let detail = e
                .message
                .strip_prefix(&format!("{}: ", u.field))
                .unwrap_or(&e.message)
                .to_owned();
            let code = if e.reason == "RefNotPermitted" {
                Code::MissingReferenceGrant
            } else {
                Code::UnresolvedBackend
            };
            let stream = matches!(u.kind, "TLSRoute" | "TCPRoute" | "UDPRoute");
            let (severity, consequence) = match (u.mirror, u.weight, stream) {
                (true, _, _) => (Severity::Error, "so no request is mirrored there"),
                (false, 0, _) => (
                    Severity::Warning,
                    "its weight is 0, so it takes no traffic yet",
                ),
                (false, _, true) => (
                    Severity::Error,
                    "so the share of connections this rule sends to it is refused",
                ),
                (false, _, false) => (
                    Severity::Error,
                    "so the share of requests this rule sends to it is answered 500",
                ),
            };
            let example = (!u.mirror && u.weight > 0)
                .then(|| {
                    self.rule_sites(u.kind, &u.namespace, &u.name, u.rule)
                        .into_iter()
                        .filter_map(|s| s.example().ok())
                        .find(|ex| {
                            let v = ex.view(self.router);
                            decided_by(&v, u.kind, &u.namespace, &u.name, Some(u.rule))
                                && (v.status == Some(500)
                                    || v.kind == "reject"
                                    || v.backends.iter().any(|b| b.status == Some(500)))
                        })
                })
                .flatten();
            let f = Finding::new(
                code,
                severity,
                ObjectRef::new(u.kind, &u.namespace, &u.name),
                u.field.clone(),
                format!("{detail}, {consequence}"),
            )
            .example(example);
            self.push(f);
        }
        self.certificates();
    }

    /// GW005 and GW007 for listeners, from their `ResolvedRefs` condition.
    fn certificates(&mut self) {
        let mut found = Vec::new();
        for g in &self.status.gateways {
            let Some(spec) = self
                .res
                .gateways
                .iter()
                .find(|o| o.meta.namespace == g.namespace && o.meta.name == g.name)
            else {
                continue;
            };
            let listeners = spec.spec.listeners.as_deref().unwrap_or(&[]);
            for (k, (ls, l)) in g.listeners.iter().zip(listeners).enumerate() {
                found.push((
                    ObjectRef::new("Gateway", &g.namespace, &g.name),
                    (g.namespace.clone(), g.name.clone()),
                    k,
                    ls.clone(),
                    l.clone(),
                    0,
                ));
            }
        }
        for s in &self.status.listener_sets {
            let Some(spec) = self
                .res
                .listener_sets
                .iter()
                .find(|o| o.meta.namespace == s.namespace && o.meta.name == s.name)
            else {
                continue;
            };
            let Some(gateway) = listener_set_parent(spec) else {
                continue;
            };
            let own = self
                .res
                .gateways
                .iter()
                .find(|g| {
                    (g.meta.namespace.as_str(), g.meta.name.as_str())
                        == (gateway.0.as_str(), gateway.1.as_str())
                })
                .map_or(0, |g| g.spec.listeners.as_deref().map_or(0, <[_]>::len));
            let listeners = spec.spec.listeners.as_deref().unwrap_or(&[]);
            for (k, (ls, l)) in s.listeners.iter().zip(listeners).enumerate() {
                found.push((
                    ObjectRef::new("ListenerSet", &s.namespace, &s.name),
                    gateway.clone(),
                    k,
                    ls.clone(),
                    l.clone(),
                    own,
                ));
            }
        }
        for (object, gateway, k, ls, l, skip) in found {
            let Some(c) = condition(&ls.conditions, "ResolvedRefs").filter(|c| !c.is_true()) else {
                continue;
            };
            let code = match c.reason {
                "InvalidCertificateRef" => Code::UnresolvedCertificate,
                "RefNotPermitted" => Code::MissingReferenceGrant,
                _ => continue,
            };
            let (sub, detail) = match c.message.split_once(": ") {
                Some((field, rest)) if field.starts_with("tls.certificateRefs[") => {
                    (format!(".{field}"), rest.to_owned())
                }
                _ => (".tls".to_owned(), c.message.clone()),
            };
            let name = l.name.clone().unwrap_or_default();
            let example =
                self.listener_rt(&gateway, &name, l.port, skip)
                    .and_then(|(gw, listener)| {
                        for_listener((&gateway.0, &gateway.1), gw, listener)
                            .ok()
                            .filter(|ex| ex.view(self.router).listener.as_deref() != Some(&name))
                    });
            let f = Finding::new(
                code,
                Severity::Error,
                object,
                format!("spec.listeners[{k}]{sub}"),
                format!(
                    "{detail}, so listener {name} is not programmed and TLS connections for its hostname are refused or reach another listener"
                ),
            )
            .example(example);
            self.push(f);
        }
    }

    /// The router's listener `name` on `port` of a Gateway, searching from index
    /// `skip` (a ListenerSet's listeners come after the Gateway's own).
    fn listener_rt(
        &self,
        gateway: &(String, String),
        name: &str,
        port: Option<i64>,
        skip: usize,
    ) -> Option<(&'a GatewayRt, &'a ListenerRt)> {
        let gw = self.router.gateway(&gateway.0, &gateway.1)?;
        let l = gw
            .listeners
            .iter()
            .skip(skip)
            .find(|l| l.name == name && port.is_none_or(|p| i64::from(l.port) == p))?;
        Some((gw, l))
    }

    /// GW006.
    fn unused_grants(&mut self) {
        let mut uses: Vec<(RefEndOwned, RefEndOwned, String)> = Vec::new();
        let mut backends = Vec::new();
        for route in self.routes.clone() {
            backend_uses(&route, &mut backends);
        }
        for b in backends {
            uses.push((
                RefEndOwned {
                    group: GATEWAY_GROUP.to_owned(),
                    kind: b.kind.to_owned(),
                    namespace: b.namespace.clone(),
                },
                RefEndOwned {
                    group: b.target.group.clone().unwrap_or_default(),
                    kind: b
                        .target
                        .kind
                        .clone()
                        .unwrap_or_else(|| "Service".to_owned()),
                    namespace: b.target.namespace.clone().unwrap_or(b.namespace.clone()),
                },
                b.target.name.clone().unwrap_or_default(),
            ));
        }
        let mut owners: Vec<(&str, &Meta, &[crate::api::Listener])> = Vec::new();
        for g in &self.res.gateways {
            owners.push((
                "Gateway",
                &g.meta,
                g.spec.listeners.as_deref().unwrap_or(&[]),
            ));
        }
        for s in &self.res.listener_sets {
            owners.push((
                "ListenerSet",
                &s.meta,
                s.spec.listeners.as_deref().unwrap_or(&[]),
            ));
        }
        for (kind, meta, listeners) in owners {
            for l in listeners {
                for r in l.tls.iter().flat_map(|t| &t.certificate_refs) {
                    uses.push((
                        RefEndOwned {
                            group: GATEWAY_GROUP.to_owned(),
                            kind: kind.to_owned(),
                            namespace: meta.namespace.clone(),
                        },
                        RefEndOwned {
                            group: r.group.clone().unwrap_or_default(),
                            kind: r.kind.clone().unwrap_or_else(|| "Secret".to_owned()),
                            namespace: r.namespace.clone().unwrap_or(meta.namespace.clone()),
                        },
                        r.name.clone().unwrap_or_default(),
                    ));
                }
            }
        }
        for g in &self.res.reference_grants {
            let used = uses
                .iter()
                .any(|(from, to, name)| grant_permits(g, from.as_ref(), to.as_ref(), name));
            if used {
                continue;
            }
            let from: Vec<String> = g
                .spec
                .from
                .iter()
                .flatten()
                .map(|f| {
                    format!(
                        "{} in {}",
                        f.kind.as_deref().unwrap_or(""),
                        f.namespace.as_deref().unwrap_or("")
                    )
                })
                .collect();
            let to: Vec<String> = g
                .spec
                .to
                .iter()
                .flatten()
                .map(|t| match &t.name {
                    Some(n) => format!("{} {n}", t.kind.as_deref().unwrap_or("")),
                    None => format!("any {}", t.kind.as_deref().unwrap_or("")),
                })
                .collect();
            self.push(Finding::new(
                Code::UnusedReferenceGrant,
                Severity::Warning,
                g.object_ref("ReferenceGrant"),
                "spec",
                format!(
                    "no object in the input makes a reference this grant permits ({} to {} in {}), so it grants access nobody uses: remove it, or check the reference it was meant for",
                    from.join(", "),
                    to.join(", "),
                    g.meta.namespace
                ),
            ));
        }
    }

    /// GW004 (missing parents, NoMatchingParent), GW008 (NoMatchingListenerHostname)
    /// and GW009 (other parents that do not accept the route).
    fn parents(&mut self) {
        let statuses: HashMap<(&str, &str, &str), &RouteStatus> = self
            .status
            .routes
            .iter()
            .map(|r| ((r.kind, r.namespace.as_str(), r.name.as_str()), r))
            .collect();
        let mut found = Vec::new();
        for route in self.routes.clone() {
            let status = statuses
                .get(&(
                    route.kind,
                    route.meta.namespace.as_str(),
                    route.meta.name.as_str(),
                ))
                .copied();
            let accepted_somewhere = status.is_some_and(|s| {
                s.parents
                    .iter()
                    .any(|p| condition(&p.conditions, "Accepted").is_some_and(Condition::is_true))
            });
            for (j, pref) in route.parent_refs.iter().enumerate() {
                let group = pref.group.as_deref().unwrap_or(GATEWAY_GROUP);
                let kind = pref.kind.as_deref().unwrap_or("Gateway");
                let ns = pref.namespace.as_deref().unwrap_or(&route.meta.namespace);
                let name = pref.name.as_deref().unwrap_or("");
                if group != GATEWAY_GROUP {
                    continue;
                }
                let exists = match kind {
                    "Gateway" => self
                        .res
                        .gateways
                        .iter()
                        .any(|g| g.meta.namespace == ns && g.meta.name == name),
                    "ListenerSet" => self
                        .res
                        .listener_sets
                        .iter()
                        .any(|g| g.meta.namespace == ns && g.meta.name == name),
                    _ => true,
                };
                if !exists {
                    found.push(
                        Finding::new(
                            Code::UnresolvedParent,
                            Severity::Warning,
                            route.object(),
                            format!("spec.parentRefs[{j}]"),
                            format!(
                                "{kind} {ns}/{name} is not among the resources, so this parentRef attaches the route nowhere"
                            ),
                        ),
                    );
                    continue;
                }
                let Some(p) = status.and_then(|s| {
                    s.parents
                        .iter()
                        .find(|p| same_parent(&p.parent_ref, pref, &route.meta.namespace))
                }) else {
                    continue;
                };
                let Some(c) = condition(&p.conditions, "Accepted").filter(|c| !c.is_true()) else {
                    continue;
                };
                let severity = if accepted_somewhere {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                let (code, field) = match c.reason {
                    "NoMatchingParent" => (
                        Code::UnresolvedParent,
                        format!(
                            "spec.parentRefs[{j}]{}",
                            match (&pref.section_name, pref.port) {
                                (Some(_), _) => ".sectionName",
                                (None, Some(_)) => ".port",
                                _ => "",
                            }
                        ),
                    ),
                    "NoMatchingListenerHostname" => {
                        (Code::HostnameMatchesNoListener, "spec.hostnames".to_owned())
                    }
                    _ => {
                        let lost_to_kind = self.conflicts.iter().any(|k| {
                            k.loser
                                == (
                                    route.kind,
                                    route.meta.namespace.clone(),
                                    route.meta.name.clone(),
                                )
                        });
                        if lost_to_kind {
                            continue; // GW011 says why
                        }
                        (Code::RouteNotAccepted, format!("spec.parentRefs[{j}]"))
                    }
                };
                let severity = if code == Code::UnresolvedParent {
                    Severity::Error
                } else {
                    severity
                };
                let example = if code == Code::UnresolvedParent {
                    None
                } else {
                    self.parent_example(&route, &p.parent_ref)
                };
                found.push(
                    Finding::new(
                        code,
                        severity,
                        route.object(),
                        field,
                        format!(
                            "{} {}/{} does not accept the route ({}: {}), so it takes no traffic through this parent",
                            p.parent_ref.kind,
                            p.parent_ref.namespace,
                            p.parent_ref.name,
                            c.reason,
                            c.message
                        ),
                    )
                    .example(example),
                );
            }
        }
        for f in found {
            self.push(f);
        }
    }

    /// A request for a route's first rule, sent to a listener its parentRef
    /// names, that does not reach the route.
    fn parent_example(&self, route: &RouteSpec<'_>, p: &ParentRefStatus) -> Option<ExampleRequest> {
        let gateway = match p.kind.as_str() {
            "ListenerSet" => self
                .res
                .listener_sets
                .iter()
                .find(|s| s.meta.namespace == p.namespace && s.meta.name == p.name)
                .and_then(listener_set_parent)?,
            _ => (p.namespace.clone(), p.name.clone()),
        };
        let gw = self.router.gateway(&gateway.0, &gateway.1)?;
        let m = self.first_match(route)?;
        let hostname = route.hostnames.first().map(|h| Hostname::parse(h));
        gw.listeners
            .iter()
            .filter(|l| {
                p.section_name.as_ref().is_none_or(|s| *s == l.name)
                    && p.port.is_none_or(|port| port == l.port)
                    && l.protocol.is_some_and(|proto| serves(proto, route.kind))
            })
            .filter_map(|l| {
                for_match(
                    (&gateway.0, &gateway.1),
                    gw,
                    l,
                    route.kind,
                    hostname.as_ref().or(l.hostname.as_ref()),
                    &m,
                )
                .ok()
            })
            .find(|ex| {
                let v = ex.view(self.router);
                !decided_by(
                    &v,
                    route.kind,
                    &route.meta.namespace,
                    &route.meta.name,
                    None,
                )
            })
    }

    /// The first match of a route's first rule, compiled.
    fn first_match(&self, route: &RouteSpec<'_>) -> Option<RouteMatch> {
        match route.obj {
            RouteObj::Http(r) => {
                let first = r
                    .spec
                    .rules
                    .as_deref()
                    .and_then(<[_]>::first)
                    .and_then(|rule| rule.matches.as_deref())
                    .and_then(<[_]>::first)
                    .cloned()
                    .unwrap_or_default();
                compile_match(&first).ok()
            }
            RouteObj::Grpc(r) => {
                let first = r
                    .spec
                    .rules
                    .as_deref()
                    .and_then(<[_]>::first)
                    .and_then(|rule| rule.matches.first())
                    .cloned()
                    .unwrap_or_default();
                compile_grpc_match(&first).ok().map(|(m, _)| m)
            }
            RouteObj::Stream(_) => compile_match(&HttpRouteMatch::default()).ok(),
        }
    }

    /// GW008 for route hostnames that intersect none of the listeners the route
    /// is attached to (while others do).
    fn route_hostnames(&mut self) {
        let mut found = Vec::new();
        for route in self.routes.clone() {
            if route.hostnames.is_empty() {
                continue;
            }
            let attached: Vec<Site<'a>> = self
                .sites
                .iter()
                .filter(|s| {
                    s.route.kind == route.kind
                        && *s.route.namespace == *route.meta.namespace
                        && *s.route.name == *route.meta.name
                })
                .copied()
                .collect();
            let Some(first) = attached.first() else {
                continue;
            };
            for (i, h) in route.hostnames.iter().enumerate() {
                let host = Hostname::parse(h);
                let alive = attached
                    .iter()
                    .any(|s| Hostname::intersect(s.listener.hostname.as_ref(), &host).is_some());
                if alive {
                    continue;
                }
                let mut listeners: Vec<String> = attached
                    .iter()
                    .map(|s| {
                        format!(
                            "{}/{}/{} for {}",
                            s.gateway.0,
                            s.gateway.1,
                            s.listener.name,
                            s.listener
                                .hostname
                                .as_ref()
                                .map_or_else(|| "any hostname".to_owned(), ToString::to_string)
                        )
                    })
                    .collect();
                listeners.dedup();
                let example = for_match(
                    first.gateway,
                    first.gw,
                    first.listener,
                    route.kind,
                    Some(&host),
                    &first.entry.m,
                )
                .ok()
                .filter(|ex| {
                    let v = ex.view(self.router);
                    !decided_by(
                        &v,
                        route.kind,
                        &route.meta.namespace,
                        &route.meta.name,
                        None,
                    )
                });
                found.push(
                    Finding::new(
                        Code::HostnameMatchesNoListener,
                        Severity::Warning,
                        route.object(),
                        format!("spec.hostnames[{i}]"),
                        format!(
                            "{h} intersects none of the listeners the route is attached to ({}), so requests for it never reach this route",
                            listeners.join(", ")
                        ),
                    )
                    .example(example),
                );
            }
        }
        for f in found {
            self.push(f);
        }
    }

    /// GW011.
    fn kind_conflicts(&mut self) {
        let mut seen = BTreeSet::new();
        let mut found = Vec::new();
        for k in self.conflicts {
            if !seen.insert((k.loser.clone(), k.gateway.clone(), k.listener_index)) {
                continue;
            }
            let Some(route) = self
                .route_index
                .get(&(k.loser.0, k.loser.1.as_str(), k.loser.2.as_str()))
                .and_then(|i| self.routes.get(*i))
            else {
                continue;
            };
            let field = if route.hostnames.is_empty() {
                "spec".to_owned()
            } else {
                "spec.hostnames".to_owned()
            };
            let example = self.conflict_example(k, route);
            found.push(
                Finding::new(
                    Code::HttpGrpcHostnameConflict,
                    Severity::Error,
                    route.object(),
                    field,
                    format!(
                        "on listener {}/{}/{}, {} {}/{} is older (or first by namespace/name) and serves an intersecting hostname, so this {} loses the listener: an HTTPRoute and a GRPCRoute cannot share a hostname",
                        k.gateway.0, k.gateway.1, k.listener, k.winner.0, k.winner.1, k.winner.2, k.loser.0
                    ),
                )
                .related(ObjectRef::new(k.winner.0, &k.winner.1, &k.winner.2))
                .example(example),
            );
        }
        for f in found {
            self.push(f);
        }
    }

    /// A request the losing route of a kind conflict would match, for a hostname
    /// it shares with the winner, that does not reach it.
    fn conflict_example(&self, k: &KindConflict, route: &RouteSpec<'_>) -> Option<ExampleRequest> {
        let gw = self.router.gateway(&k.gateway.0, &k.gateway.1)?;
        let listener = gw.listeners.get(k.listener_index)?;
        let m = self.first_match(route)?;
        let winner_hosts: Vec<Option<&Hostname>> = listener
            .entries
            .iter()
            .chain(&listener.grpc_entries)
            .filter(|e| {
                self.entry_owner(e).is_some_and(|(kind, ns, n, _)| {
                    (kind, ns, n) == (k.winner.0, k.winner.1.as_str(), k.winner.2.as_str())
                })
            })
            .map(|e| e.hostname.as_ref())
            .collect();
        k.hostnames
            .iter()
            .filter(|h| {
                winner_hosts.iter().any(|w| match (h, w) {
                    (None, _) | (_, None) => true,
                    (Some(h), Some(w)) => Hostname::intersect(Some(w), h).is_some(),
                })
            })
            .filter_map(|h| {
                for_match(
                    (&k.gateway.0, &k.gateway.1),
                    gw,
                    listener,
                    route.kind,
                    h.as_ref(),
                    &m,
                )
                .ok()
            })
            .find(|ex| {
                let v = ex.view(self.router);
                !decided_by(
                    &v,
                    route.kind,
                    &route.meta.namespace,
                    &route.meta.name,
                    None,
                )
            })
    }

    /// GW010.
    fn listeners(&mut self) {
        let mut found = Vec::new();
        let mut check = |object: ObjectRef,
                         gateway: (String, String),
                         k: usize,
                         ls: &ListenerStatus,
                         port: Option<i64>,
                         skip: usize| {
            let accepted = condition(&ls.conditions, "Accepted").is_some_and(Condition::is_true);
            let programmed =
                condition(&ls.conditions, "Programmed").is_some_and(Condition::is_true);
            if !accepted || !programmed || ls.attached_routes > 0 {
                return;
            }
            let Some((gw, listener)) = self.listener_rt(&gateway, &ls.name, port, skip) else {
                return;
            };
            if !listener.programmed {
                return;
            }
            let stream = !matches!(listener.protocol, Some(Protocol::Http | Protocol::Https));
            let example = for_listener((&gateway.0, &gateway.1), gw, listener)
                .ok()
                .filter(|ex| {
                    let e = ex.explain(self.router);
                    let chosen = e.listeners.iter().any(|l| l.chosen && l.name == ls.name);
                    chosen && e.decision.reason == Some("NoMatchingRoute")
                });
            found.push(
                Finding::new(
                    Code::ListenerWithoutRoutes,
                    Severity::Warning,
                    object,
                    format!("spec.listeners[{k}]"),
                    format!(
                        "listener {} ({} port {}, {}) has no attached route, so {}",
                        ls.name,
                        listener.protocol.map_or("", Protocol::as_str),
                        listener.port,
                        listener
                            .hostname
                            .as_ref()
                            .map_or_else(|| "any hostname".to_owned(), |h| format!("hostname {h}")),
                        if stream {
                            "every connection it receives is refused"
                        } else {
                            "every request it receives is answered 404"
                        }
                    ),
                )
                .example(example),
            );
        };
        for g in &self.status.gateways {
            let spec = self
                .res
                .gateways
                .iter()
                .find(|o| o.meta.namespace == g.namespace && o.meta.name == g.name);
            let specs = spec
                .and_then(|s| s.spec.listeners.as_deref())
                .unwrap_or(&[]);
            for (k, ls) in g.listeners.iter().enumerate() {
                let port = specs.get(k).and_then(|l| l.port);
                check(
                    ObjectRef::new("Gateway", &g.namespace, &g.name),
                    (g.namespace.clone(), g.name.clone()),
                    k,
                    ls,
                    port,
                    0,
                );
            }
        }
        for s in &self.status.listener_sets {
            let Some(spec) = self
                .res
                .listener_sets
                .iter()
                .find(|o| o.meta.namespace == s.namespace && o.meta.name == s.name)
            else {
                continue;
            };
            let Some(gateway) = listener_set_parent(spec) else {
                continue;
            };
            let own = self
                .res
                .gateways
                .iter()
                .find(|g| g.meta.namespace == gateway.0 && g.meta.name == gateway.1)
                .map_or(0, |g| g.spec.listeners.as_deref().map_or(0, <[_]>::len));
            let specs = spec.spec.listeners.as_deref().unwrap_or(&[]);
            for (k, ls) in s.listeners.iter().enumerate() {
                let port = specs.get(k).and_then(|l| l.port);
                check(
                    ObjectRef::new("ListenerSet", &s.namespace, &s.name),
                    gateway.clone(),
                    k,
                    ls,
                    port,
                    own,
                );
            }
        }
        for f in found {
            self.push(f);
        }
    }
}

/// One backendRef or mirror of a route.
struct BackendUse {
    kind: &'static str,
    namespace: String,
    name: String,
    rule: usize,
    field: String,
    target: BackendObjectReference,
    weight: i64,
    mirror: bool,
}

/// Every backendRef and mirror backendRef of a route.
fn backend_uses(route: &RouteSpec<'_>, out: &mut Vec<BackendUse>) {
    let ns = &route.meta.namespace;
    let name = &route.meta.name;
    let mut push = |rule: usize,
                    field: String,
                    target: BackendObjectReference,
                    weight: Option<i64>,
                    mirror: bool| {
        out.push(BackendUse {
            kind: route.kind,
            namespace: ns.clone(),
            name: name.clone(),
            rule,
            field,
            target,
            weight: weight.unwrap_or(1),
            mirror,
        });
    };
    let mirror_of = |f: &crate::api::HttpRouteFilter| {
        (f.type_.as_deref() == Some("RequestMirror"))
            .then(|| {
                f.request_mirror
                    .as_ref()
                    .and_then(|m| m.backend_ref.clone())
            })
            .flatten()
    };
    match route.obj {
        RouteObj::Http(r) => {
            for (i, rule) in r.spec.rules.iter().flatten().enumerate() {
                for (k, f) in rule.filters.iter().enumerate() {
                    if let Some(t) = mirror_of(f) {
                        push(
                            i,
                            format!("spec.rules[{i}].filters[{k}].requestMirror.backendRef"),
                            t,
                            None,
                            true,
                        );
                    }
                }
                for (j, b) in rule.backend_refs.iter().enumerate() {
                    let field = format!("spec.rules[{i}].backendRefs[{j}]");
                    for (k, f) in b.filters.iter().enumerate() {
                        if let Some(t) = mirror_of(f) {
                            push(
                                i,
                                format!("{field}.filters[{k}].requestMirror.backendRef"),
                                t,
                                None,
                                true,
                            );
                        }
                    }
                    push(i, field, b.object_ref(), b.weight, false);
                }
            }
        }
        RouteObj::Grpc(r) => {
            for (i, rule) in r.spec.rules.iter().flatten().enumerate() {
                for (k, f) in rule.filters.iter().enumerate() {
                    if let Some(t) = mirror_of(&f.to_http()) {
                        push(
                            i,
                            format!("spec.rules[{i}].filters[{k}].requestMirror.backendRef"),
                            t,
                            None,
                            true,
                        );
                    }
                }
                for (j, b) in rule.backend_refs.iter().enumerate() {
                    let field = format!("spec.rules[{i}].backendRefs[{j}]");
                    for (k, f) in b.filters.iter().enumerate() {
                        if let Some(t) = mirror_of(&f.to_http()) {
                            push(
                                i,
                                format!("{field}.filters[{k}].requestMirror.backendRef"),
                                t,
                                None,
                                true,
                            );
                        }
                    }
                    let target = BackendObjectReference {
                        group: b.group.clone(),
                        kind: b.kind.clone(),
                        name: b.name.clone(),
                        namespace: b.namespace.clone(),
                        port: b.port,
                    };
                    push(i, field, target, b.weight, false);
                }
            }
        }
        RouteObj::Stream(rules) => {
            for (i, rule) in rules.unwrap_or(&[]).iter().enumerate() {
                for (j, b) in rule.backend_refs.iter().enumerate() {
                    let target = BackendObjectReference {
                        group: b.group.clone(),
                        kind: b.kind.clone(),
                        name: b.name.clone(),
                        namespace: b.namespace.clone(),
                        port: b.port,
                    };
                    push(
                        i,
                        format!("spec.rules[{i}].backendRefs[{j}]"),
                        target,
                        b.weight,
                        false,
                    );
                }
            }
        }
    }
}

/// An owned [`RefEnd`].
struct RefEndOwned {
    group: String,
    kind: String,
    namespace: String,
}

impl RefEndOwned {
    fn as_ref(&self) -> RefEnd<'_> {
        RefEnd {
            group: &self.group,
            kind: &self.kind,
            namespace: &self.namespace,
        }
    }
}

/// The Gateway (namespace, name) a ListenerSet names as its parent.
fn listener_set_parent(
    s: &crate::resources::Object<crate::api::ListenerSetSpec>,
) -> Option<(String, String)> {
    let p = s.spec.parent_ref.as_ref()?;
    Some((
        p.namespace
            .clone()
            .unwrap_or_else(|| s.meta.namespace.clone()),
        p.name.clone().unwrap_or_default(),
    ))
}

fn condition<'c>(conditions: &'c [Condition], type_: &str) -> Option<&'c Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Whether a status parentRef is the spec parentRef `p` of a route in `ns`.
fn same_parent(s: &ParentRefStatus, p: &ParentReference, ns: &str) -> bool {
    s.group == p.group.as_deref().unwrap_or(GATEWAY_GROUP)
        && s.kind == p.kind.as_deref().unwrap_or("Gateway")
        && s.namespace == p.namespace.as_deref().unwrap_or(ns)
        && s.name == p.name.as_deref().unwrap_or("")
        && s.section_name == p.section_name
        && s.port == p.port.and_then(|p| u16::try_from(p).ok())
}

/// Whether a listener protocol serves a route kind.
fn serves(p: Protocol, kind: &str) -> bool {
    match p {
        Protocol::Http | Protocol::Https => matches!(kind, "HTTPRoute" | "GRPCRoute"),
        Protocol::Tls => kind == "TLSRoute",
        Protocol::Tcp => kind == "TCPRoute",
        Protocol::Udp => kind == "UDPRoute",
    }
}

/// A match in words, e.g. `PathPrefix /api, method GET`.
fn describe(kind: &str, m: &RouteMatch) -> String {
    match kind {
        "TLSRoute" => "the route's server names".to_owned(),
        "TCPRoute" | "UDPRoute" => "every connection".to_owned(),
        _ => {
            let e = Entry {
                rule: 0,
                match_index: 0,
                hostname: None,
                m: m.clone(),
                key: crate::precedence::EntryKey::new(m, 0, 0, 0),
            };
            let mut s = crate::explain::summary(&e);
            if kind == "GRPCRoute" {
                s = match &m.path {
                    PathMatch::PathPrefix(_) => "any gRPC service and method".to_owned(),
                    PathMatch::Exact(p) => format!("gRPC method {p}"),
                    PathMatch::RegularExpression(_, p) => format!("gRPC methods matching {p}"),
                } + &s
                    .split_once(',')
                    .map(|(_, rest)| format!(",{rest}"))
                    .unwrap_or_default();
            }
            s
        }
    }
}

/// Whether two matches are the same conditions.
fn identical(a: &RouteMatch, b: &RouteMatch) -> bool {
    let path = match (&a.path, &b.path) {
        (PathMatch::Exact(x), PathMatch::Exact(y))
        | (PathMatch::PathPrefix(x), PathMatch::PathPrefix(y))
        | (PathMatch::RegularExpression(_, x), PathMatch::RegularExpression(_, y)) => x == y,
        _ => false,
    };
    path && a.method == b.method
        && a.headers.len() == b.headers.len()
        && a.headers.iter().all(|x| {
            b.headers
                .iter()
                .any(|y| x.name == y.name && value_eq(&x.value, &y.value))
        })
        && a.query.len() == b.query.len()
        && a.query.iter().all(|x| {
            b.query
                .iter()
                .any(|y| x.name == y.name && value_eq(&x.value, &y.value))
        })
}

fn value_eq(a: &ValueMatch, b: &ValueMatch) -> bool {
    match (a, b) {
        (ValueMatch::Exact(x), ValueMatch::Exact(y)) => x == y,
        (ValueMatch::RegularExpression(x), ValueMatch::RegularExpression(y)) => {
            x.as_str() == y.as_str()
        }
        _ => false,
    }
}

/// Whether `a` matches every request `b` matches (sound, not complete: see the
/// module docs).
fn covers(a: &RouteMatch, b: &RouteMatch) -> bool {
    // Header and query names are unique within a compiled match, so `a` covers
    // `b` only with no more conditions than `b` has; the path test comes last.
    a.headers.len() <= b.headers.len()
        && a.query.len() <= b.query.len()
        && a.method
            .as_ref()
            .is_none_or(|m| b.method.as_ref() == Some(m))
        && path_covers(&a.path, &b.path)
        && a.headers.iter().all(|x| {
            b.headers
                .iter()
                .any(|y| x.name == y.name && value_covers(&x.value, &y.value))
        })
        && a.query.iter().all(|x| {
            b.query
                .iter()
                .any(|y| x.name == y.name && value_covers(&x.value, &y.value))
        })
}

fn value_covers(a: &ValueMatch, b: &ValueMatch) -> bool {
    match (a, b) {
        (ValueMatch::Exact(x), ValueMatch::Exact(y)) => x == y,
        (ValueMatch::RegularExpression(re), ValueMatch::Exact(y)) => re.is_match(y),
        (ValueMatch::RegularExpression(x), ValueMatch::RegularExpression(y)) => {
            let (x, y) = (inner(x.as_str()), inner(y.as_str()));
            x == y || regex_covers_regex(x, y)
        }
        (ValueMatch::Exact(_), ValueMatch::RegularExpression(_)) => false,
    }
}

/// The pattern inside `compile_regex`'s `^(?:...)$`.
fn inner(src: &str) -> &str {
    src.strip_prefix("^(?:")
        .and_then(|s| s.strip_suffix(")$"))
        .unwrap_or(src)
}

fn path_covers(a: &PathMatch, b: &PathMatch) -> bool {
    match (a, b) {
        // An exact path that is not normal never matches a request; leave it to
        // other tools rather than call it shadowed.
        (_, PathMatch::Exact(v)) => path::normalize(v).is_some_and(|n| n == **v) && a.matches(v),
        (PathMatch::PathPrefix(p), PathMatch::PathPrefix(q)) => prefix_matches(p, q),
        (PathMatch::RegularExpression(_, ra), PathMatch::PathPrefix(q)) => {
            let Some((lit, tail)) = catch_all(ra) else {
                return false;
            };
            let q = if q.is_empty() { "/" } else { q };
            match tail {
                Tail::Any => q.starts_with(&lit),
                Tail::Some => q.starts_with(&lit) && q.len() > lit.len(),
                Tail::Sub => !lit.ends_with('/') && prefix_matches(&lit, q),
            }
        }
        (PathMatch::PathPrefix(p), PathMatch::RegularExpression(_, rb)) => {
            p.is_empty() || literal_prefix(rb).starts_with(&format!("{p}/"))
        }
        (PathMatch::RegularExpression(_, ra), PathMatch::RegularExpression(_, rb)) => {
            ra == rb || regex_covers_regex(ra, rb)
        }
        (PathMatch::Exact(_), _) => false,
    }
}

/// How a catch-all pattern ends after its literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// `.*`: anything.
    Any,
    /// `.+`: at least one more character.
    Some,
    /// `(/.*)?`: nothing, or `/` and anything.
    Sub,
}

/// A pattern of the form literal + `.*`, `.+` or `(/.*)?` (groups and
/// non-capturing groups around the tail, `^` and `$` allowed).
fn catch_all(src: &str) -> Option<(String, Tail)> {
    let src = src.strip_prefix('^').unwrap_or(src);
    let src = match src.strip_suffix('$') {
        Some(s) if !s.ends_with('\\') => s,
        _ => src,
    };
    // Most patterns are not catch-alls: say so before allocating.
    if ![".*", ".+", ".*)", ".+)", ".*)?"]
        .iter()
        .any(|t| src.ends_with(t))
    {
        return None;
    }
    let (lit, rest) = literal_run(src);
    let tail = match rest {
        ".*" | "(.*)" | "(?:.*)" => Tail::Any,
        ".+" | "(.+)" | "(?:.+)" => Tail::Some,
        "(/.*)?" | "(?:/.*)?" => Tail::Sub,
        _ => return None,
    };
    Some((lit, tail))
}

/// A literal that starts every string `src` matches (possibly empty).
fn literal_prefix(src: &str) -> String {
    if src.contains('|') {
        return String::new();
    }
    let src = src.strip_prefix('^').unwrap_or(src);
    let (mut lit, rest) = literal_run(src);
    if rest.starts_with(['*', '?', '{']) {
        lit.pop();
    }
    lit
}

/// The leading run of literal characters (escaped punctuation included) and
/// the rest of the pattern.
fn literal_run(src: &str) -> (String, &str) {
    let mut lit = String::new();
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&(_, e)) if e.is_ascii_punctuation() => {
                    lit.push(e);
                    chars.next();
                }
                _ => return (lit, &src[i..]),
            },
            '.' | '^' | '$' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' => {
                return (lit, &src[i..]);
            }
            c => lit.push(c),
        }
    }
    (lit, "")
}

/// Whether the catch-all `a` matches every string `b` matches.
fn regex_covers_regex(a: &str, b: &str) -> bool {
    let Some((lit, tail)) = catch_all(a) else {
        return false;
    };
    let lb = literal_prefix(b);
    match tail {
        Tail::Any => lb.starts_with(&lit),
        Tail::Some => lb.starts_with(&lit) && lb.len() > lit.len(),
        Tail::Sub => !lit.ends_with('/') && lb.starts_with(&format!("{lit}/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> PathMatch {
        PathMatch::regex(p).expect("valid")
    }

    #[test]
    fn catch_all_regex_covers_prefixes_under_its_literal() {
        assert!(path_covers(&re("/.*"), &PathMatch::prefix("/api")));
        assert!(path_covers(&re("/.*"), &PathMatch::prefix("/")));
        assert!(path_covers(&re(".*"), &PathMatch::prefix("/")));
        assert!(path_covers(&re("/api/.*"), &PathMatch::prefix("/api/v1")));
        assert!(!path_covers(&re("/api/.*"), &PathMatch::prefix("/api")));
        assert!(path_covers(&re("/api(/.*)?"), &PathMatch::prefix("/api")));
        assert!(!path_covers(&re("/api(/.*)?"), &PathMatch::prefix("/apix")));
        assert!(!path_covers(&re("/v[0-9]+/.*"), &PathMatch::prefix("/v1")));
        assert!(!path_covers(&re("(?i)/.*"), &PathMatch::prefix("/a")));
    }

    #[test]
    fn regex_covers_regex_by_literal_prefix() {
        assert!(path_covers(&re("/api/.*"), &re("/api/v[0-9]+")));
        assert!(!path_covers(&re("/api/.*"), &re("/api|/other")));
        assert!(!path_covers(&re("/api/.*"), &re("/api/?x")));
        assert!(path_covers(&re("/v[0-9]+"), &re("/v[0-9]+")));
    }

    #[test]
    fn prefix_and_exact_cover_by_elements() {
        assert!(path_covers(
            &PathMatch::prefix("/a"),
            &PathMatch::prefix("/a/b")
        ));
        assert!(!path_covers(
            &PathMatch::prefix("/a"),
            &PathMatch::prefix("/ab")
        ));
        assert!(path_covers(
            &PathMatch::prefix("/a"),
            &PathMatch::exact("/a/x")
        ));
        assert!(!path_covers(
            &PathMatch::exact("/a"),
            &PathMatch::prefix("/a")
        ));
        assert!(path_covers(&re("/a.*"), &PathMatch::exact("/abc")));
    }
}
