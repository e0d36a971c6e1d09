//! Compile: GatewayClass → Gateways → listeners → route attachment → rules, giving
//! the immutable [`Router`] and the [`Status`] of every object.
//!
//! # Status policy
//!
//! - **GatewayClass**: `Accepted=True` when `controllerName` is ours; other classes
//!   and their Gateways are passed over.
//! - **Listener**: protocols `HTTP`, `HTTPS`, `TLS`, `TCP` and `UDP` are served; any
//!   other protocol gets `Accepted=False/UnsupportedProtocol` and no supported
//!   kinds. Listeners sharing a port with an incompatible protocol (HTTP with
//!   HTTPS/TLS/TCP, ...) get `Conflicted=True/ProtocolConflict`, listeners not
//!   distinct by hostname (or, for TCP and UDP, by port) `HostnameConflict`, with
//!   `Accepted=False`; within one Gateway there is no winner. ListenerSets merge
//!   after their Gateway's listeners, oldest first: their conflicting listeners
//!   lose. An HTTPS or TLS `Terminate` listener whose `certificateRefs` do not
//!   resolve gets
//!   `ResolvedRefs=False` (`InvalidCertificateRef`, or `RefNotPermitted` for a
//!   cross-namespace Secret without a ReferenceGrant) and is not programmed.
//!   `allowedRoutes.kinds` naming a kind the listener cannot serve gives
//!   `ResolvedRefs=False/InvalidRouteKinds`; the supported kinds still attach.
//!   `attachedRoutes` counts routes accepted on the listener, programmed or not.
//! - **Gateway**: `Accepted=True` (reason `ListenersNotValid` when some listeners are
//!   not accepted; `False` when none is); `Programmed=True` when a listener is
//!   programmed. Requested addresses of type `IPAddress` or `Hostname` are reported
//!   as given; any other type gives `Accepted=False/UnsupportedAddress`. A
//!   `spec.infrastructure.parametersRef` gives `Accepted=False/InvalidParameters`
//!   (Gatewise knows no parameters kind) and the Gateway serves nothing.
//! - **ListenerSet**: `Accepted=False/NotAllowed` when the parent's
//!   `allowedListeners` does not admit it, `ParentNotAccepted` when the parent is
//!   not accepted, `ListenersNotValid` (False when no listener is valid, True when
//!   some are not); the Gateway counts accepted ones in `attachedListenerSets`.
//! - **Route parents**: for each parentRef naming one of our Gateways or their
//!   ListenerSets (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute alike):
//!   `NoMatchingParent` (no listener with that sectionName/port),
//!   `NotAllowedByListeners` (no selected listener allows the kind and namespace),
//!   `NoMatchingListenerHostname` (no hostname intersects), `UnsupportedValue` (every
//!   rule invalid), else `Accepted=True`. `ResolvedRefs` reports the first backend,
//!   mirror or extension reference that does not resolve. Rules that cannot be
//!   implemented (a regular expression the engine refuses, a backendRef-level filter
//!   it does not support) are dropped, with `PartiallyInvalid=True` and a message
//!   starting `Dropped Rule`.
//! - A rule whose `ExtensionRef` filter names anything (Gatewise knows no
//!   extensions) is not skipped: its requests are answered 500, and the route gets
//!   `ResolvedRefs=False/InvalidKind`.
//! - **All weights zero**, or every backend invalid, or no backendRefs: 500.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use base64::Engine as _;

use crate::api::{
    HttpRouteFilter, HttpRouteMatch, HttpRouteRule, LabelSelector, Listener, ParentReference,
};
use crate::backend::{self, InvalidBackend};
use crate::filter::cors::Cors;
use crate::filter::header::HeaderModifier;
use crate::filter::redirect::Redirect;
use crate::filter::rewrite::UrlRewrite;
use crate::hostname::Hostname;
use crate::matcher::{HeaderMatch, PathMatch, QueryMatch, RouteMatch, ValueMatch, compile_regex};
use crate::precedence::EntryKey;
use crate::reference_grant::{self, RefEnd};
use crate::resources::{Object, Resources};
use crate::router::{
    Action, BackendFilters, BackendTarget, Certificate, Entry, Filters, GatewayRt, Inner,
    ListenerRt, Mirror, Protocol, RouteInfo, Router, RuleFilters, RuleRt, Timeouts, TlsMode,
    WeightedBackend,
};
use crate::status::{
    AddressStatus, Condition, GatewayClassStatus, GatewayStatus, Generations, GroupKind,
    ListenerSetStatus, ListenerStatus, ParentRefStatus, RouteParentStatus, RouteStatus, Status,
};
use crate::time::Timestamp;
use crate::{GATEWAY_GROUP, api};

/// The controller name Gatewise answers to unless told otherwise.
pub const DEFAULT_CONTROLLER_NAME: &str = "gatewise.dev/gateway-controller";

/// Compile options.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// GatewayClasses with this `spec.controllerName` are ours.
    pub controller_name: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            controller_name: DEFAULT_CONTROLLER_NAME.to_owned(),
        }
    }
}

impl Options {
    /// Options with another controller name.
    pub fn with_controller_name(name: impl Into<String>) -> Self {
        Options {
            controller_name: name.into(),
        }
    }
}

/// The result of compiling: the router and the status of every object.
#[derive(Debug, Clone)]
pub struct Compiled {
    router: Router,
    /// The status of GatewayClasses, Gateways and ListenerSets; routes' are in
    /// `routes`.
    status: Status,
    /// Each route's status as compile records it, turned into the public
    /// [`RouteStatus`] by [`Compiled::status`]: its strings (the parent's
    /// names, the controller name, the messages) are written there, not at
    /// every compile (at 10k routes they were a fifth of compile's allocations).
    routes: Vec<RouteStatusRec>,
    controller_name: String,
    /// `metadata.generation` of each object with status, in the order of the
    /// status's lists (one vector per list: no key is copied to find them).
    generations: Generations,
    /// Listeners an HTTPRoute or GRPCRoute lost to a route of the other kind
    /// (for [`crate::lint`]; status shows them only when no listener is left).
    pub(crate) kind_conflicts: Vec<KindConflict>,
}

/// A route that lost a listener to a route of the other kind (HTTPRoute vs
/// GRPCRoute) with intersecting hostnames.
#[derive(Debug, Clone)]
pub(crate) struct KindConflict {
    /// The route that lost the listener: (kind, namespace, name).
    pub(crate) loser: (&'static str, String, String),
    /// The route that kept it.
    pub(crate) winner: (&'static str, String, String),
    /// The Gateway (namespace, name) whose listener it is.
    pub(crate) gateway: (String, String),
    /// The listener's name.
    pub(crate) listener: String,
    /// The listener's index among the Gateway's listeners in the router.
    pub(crate) listener_index: usize,
    /// The hostnames the loser would have served there (`None`: any).
    pub(crate) hostnames: Vec<Option<Hostname>>,
}

impl Compiled {
    /// The router.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The status of every object, with `now` as `lastTransitionTime` (the core
    /// reads no clock) and `observedGeneration` from each object's generation.
    pub fn status(&self, now: Timestamp) -> Status {
        let mut status = self.status.clone();
        let route_table = &self.router.inner.routes;
        status.routes = self
            .routes
            .iter()
            .map(|r| {
                let info = &route_table[r.route as usize];
                RouteStatus {
                    kind: info.kind,
                    namespace: info.namespace.to_string(),
                    name: info.name.to_string(),
                    parents: r
                        .parents
                        .iter()
                        .map(|p| p.to_status(&self.controller_name))
                        .collect(),
                }
            })
            .collect();
        status.stamp(now, &self.generations);
        status
    }
}

impl Router {
    /// Compiles validated resources. Never fails: what cannot be honoured becomes
    /// status. The result does not depend on the order of the input.
    pub fn compile(resources: &Resources, options: &Options) -> Compiled {
        Compiler::new(resources, options).run()
    }
}

struct ListenerBuild {
    rt: ListenerRt,
    /// Who declared the listener: the Gateway, or a ListenerSet (index into
    /// `GatewayBuild::sets`).
    owner: Owner,
    /// The owner's namespace (`allowedRoutes.namespaces.from: Same`).
    owner_ns: String,
    from: AllowedFrom,
    kinds: Vec<GroupKind>,
    accepted: Result<(), (&'static str, String)>,
    conflicted: Option<&'static str>,
    resolved: Result<(), (&'static str, String)>,
    attached: BTreeSet<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Gateway,
    ListenerSet(usize),
}

enum AllowedFrom {
    All,
    Same,
    Selector(LabelSelector),
}

struct GatewayBuild<'r> {
    obj: &'r Object<api::GatewaySpec>,
    /// The Gateway's own listeners, then those of its accepted ListenerSets.
    listeners: Vec<ListenerBuild>,
    addresses: Vec<AddressStatus>,
    address_error: Option<String>,
    /// `spec.infrastructure.parametersRef` set: Gatewise knows no parameter kind.
    parameters_error: Option<String>,
    sets: Vec<SetBuild<'r>>,
}

/// A ListenerSet whose parent is this Gateway.
struct SetBuild<'r> {
    obj: &'r Object<api::ListenerSetSpec>,
    /// `Err((reason, message))`: not accepted (its listeners are not merged).
    allowed: Result<(), (&'static str, String)>,
}

/// The route kinds, in the order their status is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RouteKind {
    Http,
    Grpc,
    Tls,
    Tcp,
    Udp,
}

impl RouteKind {
    fn name(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTPRoute",
            RouteKind::Grpc => "GRPCRoute",
            RouteKind::Tls => "TLSRoute",
            RouteKind::Tcp => "TCPRoute",
            RouteKind::Udp => "UDPRoute",
        }
    }
}

/// The kinds a listener protocol can serve (`supportedKinds` when
/// `allowedRoutes.kinds` is empty).
fn supported_kinds(protocol: Protocol) -> &'static [&'static str] {
    match protocol {
        Protocol::Http | Protocol::Https => &["HTTPRoute", "GRPCRoute"],
        Protocol::Tls => &["TLSRoute"],
        Protocol::Tcp => &["TCPRoute"],
        Protocol::Udp => &["UDPRoute"],
    }
}

/// One route of any kind, as attachment sees it.
struct RouteSrc<'r> {
    kind: RouteKind,
    obj: &'r crate::resources::Meta,
    parent_refs: &'r [ParentReference],
    hostnames: &'r [String],
}

/// One compiled rule, before attachment.
struct RuleBuild {
    matches: Vec<RouteMatch>,
    /// For GRPCRoute matches: characters of the service and method matched.
    grpc: Vec<(usize, usize)>,
    /// The rule's index in the route.
    index: u16,
    /// The runtime rule, moved into the router once built.
    rule: Option<RuleRt>,
}

struct RouteBuild {
    rules: Vec<RuleBuild>,
    dropped: Vec<String>,
    unresolved: Option<InvalidBackend>,
}

impl RouteBuild {
    /// The `ResolvedRefs` condition of the route's parents.
    fn resolved_condition(&self) -> Condition {
        resolved_condition(self.unresolved.as_ref())
    }
}

/// A route's status before [`Compiled::status`] writes it out.
#[derive(Debug, Clone)]
struct RouteStatusRec {
    /// The route's index in the route table (kind, namespace, name).
    route: u32,
    parents: Vec<ParentRec>,
}

/// One `status.parents` entry before it is written out: the parent is always
/// one of our Gateways or their ListenerSets (group `gateway.networking.k8s.io`).
#[derive(Debug, Clone)]
struct ParentRec {
    /// `Gateway` or `ListenerSet`.
    kind: &'static str,
    /// The parent's namespace and name, shared by every route naming it.
    namespace: Arc<str>,
    name: Arc<str>,
    section_name: Option<String>,
    port: Option<u16>,
    conditions: ParentConditions,
}

#[derive(Debug, Clone)]
enum ParentConditions {
    /// `Accepted=True`, `ResolvedRefs` (true unless a reference is
    /// unresolved), and `PartiallyInvalid=True` with this message when rules
    /// were dropped.
    Attached {
        unresolved: Option<InvalidBackend>,
        partially_invalid: Option<String>,
    },
    /// Not attached: the conditions as written.
    Refused(Vec<Condition>),
}

impl ParentRec {
    fn to_status(&self, controller_name: &str) -> RouteParentStatus {
        let conditions = match &self.conditions {
            ParentConditions::Attached {
                unresolved,
                partially_invalid,
            } => {
                let mut c = Vec::with_capacity(2 + usize::from(partially_invalid.is_some()));
                c.push(Condition::new("Accepted", true, "Accepted", "accepted"));
                c.push(resolved_condition(unresolved.as_ref()));
                if let Some(message) = partially_invalid {
                    c.push(Condition::new(
                        "PartiallyInvalid",
                        true,
                        "UnsupportedValue",
                        message.as_str(),
                    ));
                }
                c
            }
            ParentConditions::Refused(c) => c.clone(),
        };
        RouteParentStatus {
            parent_ref: ParentRefStatus {
                group: GATEWAY_GROUP.to_owned(),
                kind: self.kind.to_owned(),
                namespace: self.namespace.to_string(),
                name: self.name.to_string(),
                section_name: self.section_name.clone(),
                port: self.port,
            },
            controller_name: controller_name.to_owned(),
            conditions,
        }
    }
}

/// The `ResolvedRefs` condition of a route's parents.
fn resolved_condition(unresolved: Option<&InvalidBackend>) -> Condition {
    match unresolved {
        None => Condition::new(
            "ResolvedRefs",
            true,
            "ResolvedRefs",
            "all references resolved",
        ),
        Some(e) => Condition::new("ResolvedRefs", false, e.reason, e.message.clone()),
    }
}

/// A listener (index in `GatewayBuild::listeners`) a route attaches to, with the
/// hostnames it serves there (`None`: any).
type Attached = (usize, Vec<Option<Hostname>>);

/// Where one parentRef of a route attaches, before HTTPRoute/GRPCRoute conflicts
/// are settled.
struct Pending {
    route: usize,
    parent: usize,
    gateway: usize,
    first_rule: u32,
    outcome: Result<Vec<Attached>, Vec<Condition>>,
}

struct Compiler<'r> {
    res: &'r Resources,
    opts: &'r Options,
    services: backend::Services<'r>,
    /// The rules' route names until their route's are set: one shared empty
    /// name (an `Arc::from("")` per rule was two allocations each).
    no_name: Arc<str>,
    /// `/`, the matched prefix of most rules.
    root_prefix: Arc<str>,
}

impl<'r> Compiler<'r> {
    fn new(res: &'r Resources, opts: &'r Options) -> Self {
        Compiler {
            res,
            opts,
            services: backend::Services::new(res),
            no_name: Arc::from(""),
            root_prefix: Arc::from("/"),
        }
    }

    fn run(self) -> Compiled {
        let mut status = Status::default();
        let mut generations = Generations::default();
        let ours: BTreeSet<&str> = self
            .res
            .gateway_classes
            .iter()
            .filter(|c| {
                c.spec.controller_name.as_deref() == Some(self.opts.controller_name.as_str())
            })
            .map(|c| c.meta.name.as_str())
            .collect();
        for c in &self.res.gateway_classes {
            if ours.contains(c.meta.name.as_str()) {
                generations.gateway_classes.push(c.meta.generation);
                status.gateway_classes.push(GatewayClassStatus {
                    name: c.meta.name.clone(),
                    conditions: vec![Condition::new(
                        "Accepted",
                        true,
                        "Accepted",
                        "handled by gatewise",
                    )],
                });
            }
        }
        let mut gateways: Vec<GatewayBuild<'r>> = self
            .res
            .gateways
            .iter()
            .filter(|g| {
                g.spec
                    .gateway_class_name
                    .as_deref()
                    .is_some_and(|c| ours.contains(c))
            })
            .map(|g| self.gateway(g))
            .collect();
        self.listener_sets(&mut gateways);

        let mut sources: Vec<RouteSrc<'r>> = Vec::new();
        let r = self.res;
        sources.extend(r.http_routes.iter().map(|o| RouteSrc {
            kind: RouteKind::Http,
            obj: &o.meta,
            parent_refs: &o.spec.parent_refs,
            hostnames: &o.spec.hostnames,
        }));
        sources.extend(r.grpc_routes.iter().map(|o| RouteSrc {
            kind: RouteKind::Grpc,
            obj: &o.meta,
            parent_refs: &o.spec.parent_refs,
            hostnames: &o.spec.hostnames,
        }));
        sources.extend(r.tls_routes.iter().map(|o| RouteSrc {
            kind: RouteKind::Tls,
            obj: &o.meta,
            parent_refs: &o.spec.parent_refs,
            hostnames: &o.spec.hostnames,
        }));
        for (kind, list) in [
            (RouteKind::Tcp, &r.tcp_routes),
            (RouteKind::Udp, &r.udp_routes),
        ] {
            sources.extend(list.iter().map(|o| RouteSrc {
                kind,
                obj: &o.meta,
                parent_refs: &o.spec.parent_refs,
                hostnames: &[],
            }));
        }
        let (mut http_i, mut grpc_i, mut tls_i, mut tcp_i, mut udp_i) = (0, 0, 0, 0, 0);
        let ranks = route_ranks(&sources);

        let mut inner = Inner::default();
        // Sized once: these grow by one (or a few) per route, and at 10k routes
        // doubling them costs more than the router keeps.
        inner.routes.reserve_exact(sources.len());
        inner.rules.reserve_exact(
            r.http_routes
                .iter()
                .map(|o| o.spec.rules.as_ref().map_or(1, Vec::len))
                .chain(
                    r.grpc_routes
                        .iter()
                        .map(|o| o.spec.rules.as_ref().map_or(1, Vec::len)),
                )
                .sum(),
        );
        let mut builds: Vec<Option<RouteBuild>> = Vec::with_capacity(sources.len());
        let mut parents_of: Vec<Vec<ParentRec>> = Vec::with_capacity(sources.len());
        // The parents' names, shared by the status of every route naming them.
        type Names = (Arc<str>, Arc<str>);
        let parent_names: Vec<(Names, Vec<Names>)> = gateways
            .iter()
            .map(|g| {
                let names = |m: &crate::resources::Meta| {
                    (Arc::from(m.namespace.as_str()), Arc::from(m.name.as_str()))
                };
                (
                    names(&g.obj.meta),
                    g.sets.iter().map(|s| names(&s.obj.meta)).collect(),
                )
            })
            .collect();
        let mut pending: Vec<Pending> = Vec::with_capacity(sources.len());
        let mut last_namespace: Option<Arc<str>> = None;
        for (route_id, src) in sources.iter().enumerate() {
            let rid = u32::try_from(route_id).unwrap_or(u32::MAX);
            let mut parents = Vec::with_capacity(src.parent_refs.len());
            let mut build: Option<RouteBuild> = None;
            // This route's rules go to the end of `inner.rules`, so their ids are known
            // before attachment records entries that point at them.
            let first_rule = u32::try_from(inner.rules.len()).unwrap_or(u32::MAX);
            for pref in src.parent_refs {
                let group = pref.group.as_deref().unwrap_or(GATEWAY_GROUP);
                let kind = pref.kind.as_deref().unwrap_or("Gateway");
                let ns = pref.namespace.as_deref().unwrap_or(&src.obj.namespace);
                let name = pref.name.as_deref().unwrap_or("");
                if group != GATEWAY_GROUP {
                    continue;
                }
                let parent = match kind {
                    "Gateway" => gateways
                        .iter()
                        .position(|g| g.obj.meta.namespace == ns && g.obj.meta.name == name)
                        .map(|gi| (gi, Owner::Gateway)),
                    "ListenerSet" => gateways.iter().enumerate().find_map(|(gi, g)| {
                        g.sets
                            .iter()
                            .position(|s| s.obj.meta.namespace == ns && s.obj.meta.name == name)
                            .map(|si| (gi, Owner::ListenerSet(si)))
                    }),
                    _ => None,
                };
                let Some((gi, owner)) = parent else {
                    continue;
                };
                let b = build.get_or_insert_with(|| match src.kind {
                    RouteKind::Http => self.route(&r.http_routes[http_i], rid),
                    RouteKind::Grpc => self.grpc_route(&r.grpc_routes[grpc_i], rid),
                    RouteKind::Tls => {
                        let o = &r.tls_routes[tls_i];
                        self.stream_route(
                            "TLSRoute",
                            &o.meta.namespace,
                            o.spec.rules.as_deref(),
                            rid,
                        )
                    }
                    RouteKind::Tcp => {
                        let o = &r.tcp_routes[tcp_i];
                        self.stream_route(
                            "TCPRoute",
                            &o.meta.namespace,
                            o.spec.rules.as_deref(),
                            rid,
                        )
                    }
                    RouteKind::Udp => {
                        let o = &r.udp_routes[udp_i];
                        self.stream_route(
                            "UDPRoute",
                            &o.meta.namespace,
                            o.spec.rules.as_deref(),
                            rid,
                        )
                    }
                });
                let outcome = attach(self.res, src, pref, &gateways[gi], owner, b);
                pending.push(Pending {
                    route: route_id,
                    parent: parents.len(),
                    gateway: gi,
                    first_rule,
                    outcome,
                });
                let (parent_kind, (namespace, name)) = match owner {
                    Owner::Gateway => ("Gateway", &parent_names[gi].0),
                    Owner::ListenerSet(si) => ("ListenerSet", &parent_names[gi].1[si]),
                };
                parents.push(ParentRec {
                    kind: parent_kind,
                    namespace: Arc::clone(namespace),
                    name: Arc::clone(name),
                    section_name: pref.section_name.clone(),
                    port: pref.port.and_then(|p| u16::try_from(p).ok()),
                    conditions: ParentConditions::Refused(Vec::new()),
                });
            }
            match src.kind {
                RouteKind::Http => http_i += 1,
                RouteKind::Grpc => grpc_i += 1,
                RouteKind::Tls => tls_i += 1,
                RouteKind::Tcp => tcp_i += 1,
                RouteKind::Udp => udp_i += 1,
            }
            // Routes of one namespace mostly come together: they share its name.
            let namespace: Arc<str> = match &last_namespace {
                Some(ns) if **ns == *src.obj.namespace => Arc::clone(ns),
                _ => src.obj.namespace.as_str().into(),
            };
            last_namespace = Some(Arc::clone(&namespace));
            let name: Arc<str> = src.obj.name.as_str().into();
            inner.routes.push(RouteInfo {
                kind: src.kind.name(),
                namespace: Arc::clone(&namespace),
                name: Arc::clone(&name),
                created: src.obj.created,
            });
            if let Some(b) = &mut build {
                for rule in b.rules.iter_mut().filter_map(|r| r.rule.as_mut()) {
                    rule.route_kind = src.kind.name();
                    rule.route_namespace = Arc::clone(&namespace);
                    rule.route_name = Arc::clone(&name);
                }
                inner
                    .rules
                    .extend(b.rules.iter_mut().filter_map(|rb| rb.rule.take()));
            }
            builds.push(build);
            parents_of.push(parents);
        }

        let kind_conflicts =
            settle_kind_conflicts(&sources, &ranks, &builds, &mut pending, &gateways);

        // Each listener's entries, counted to size its vectors once (they hold
        // every attached match of thousands of routes; grown one push at a time
        // they would be copied a dozen times). A route attached twice to one
        // listener is counted twice: a little spare room, rarely.
        let mut counts: Vec<Vec<[usize; 2]>> = gateways
            .iter()
            .map(|g| vec![[0; 2]; g.listeners.len()])
            .collect();
        for p in &pending {
            let (Ok(list), Some(b)) = (&p.outcome, &builds[p.route]) else {
                continue;
            };
            let matches: usize = b.rules.iter().map(|r| r.matches.len()).sum();
            let grpc = usize::from(sources[p.route].kind == RouteKind::Grpc);
            for (li, hosts) in list {
                counts[p.gateway][*li][grpc] += matches * hosts.len();
            }
        }
        for (g, counts) in gateways.iter_mut().zip(counts) {
            for (l, [http, grpc]) in g.listeners.iter_mut().zip(counts) {
                l.rt.entries.reserve_exact(http);
                l.rt.grpc_entries.reserve_exact(grpc);
            }
        }
        // The last attachment of each route moves its matches into the entries
        // it records instead of cloning them (a clone copies every string and
        // gives each regular expression a new cache pool). `pending` lists each
        // route's parentRefs together.
        let mut last_use = vec![false; pending.len()];
        let mut marked = None;
        for (k, p) in pending.iter().enumerate().rev() {
            if p.outcome.is_ok() && marked != Some(p.route) {
                last_use[k] = true;
                marked = Some(p.route);
            }
        }
        for (p, last) in pending.into_iter().zip(last_use) {
            let src = &sources[p.route];
            let conditions = match (p.outcome, &mut builds[p.route]) {
                (Err(conditions), _) => ParentConditions::Refused(conditions),
                (Ok(listeners), Some(b)) => finish_attach(
                    src,
                    u32::try_from(p.route).unwrap_or(u32::MAX),
                    ranks[p.route],
                    p.first_rule,
                    &mut gateways[p.gateway],
                    listeners,
                    b,
                    last,
                ),
                (Ok(_), None) => ParentConditions::Refused(Vec::new()),
            };
            if last {
                // Its last use: freed now, while its memory is still in the cache
                // (freeing every build at the end was 7% of the samples of a 10k compile).
                builds[p.route] = None;
            }
            parents_of[p.route][p.parent].conditions = conditions;
        }
        let mut routes = Vec::with_capacity(sources.len());
        for (route, (src, parents)) in sources.iter().zip(parents_of).enumerate() {
            if parents.is_empty() {
                continue;
            }
            generations.routes.push(src.obj.generation);
            routes.push(RouteStatusRec {
                route: u32::try_from(route).unwrap_or(u32::MAX),
                parents,
            });
        }

        for g in gateways {
            let (gs, sets, rt) = finish_gateway(g);
            generations.gateways.push(rt.1);
            for (s, generation) in sets {
                generations.listener_sets.push(generation);
                status.listener_sets.push(s);
            }
            inner
                .gateways
                .insert(gs.namespace.clone(), gs.name.clone(), rt.0);
            status.gateways.push(gs);
        }
        // Sorted with their generations.
        let mut sets: Vec<(ListenerSetStatus, i64)> = std::mem::take(&mut status.listener_sets)
            .into_iter()
            .zip(std::mem::take(&mut generations.listener_sets))
            .collect();
        sets.sort_by(|(a, _), (b, _)| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        (status.listener_sets, generations.listener_sets) = sets.into_iter().unzip();
        Compiled {
            router: Router {
                inner: Arc::new(inner),
            },
            status,
            routes,
            controller_name: self.opts.controller_name.clone(),
            generations,
            kind_conflicts,
        }
    }

    fn gateway(&self, g: &'r Object<api::GatewaySpec>) -> GatewayBuild<'r> {
        let listeners_spec: &[Listener] = g.spec.listeners.as_deref().unwrap_or(&[]);
        let mut listeners: Vec<ListenerBuild> = listeners_spec
            .iter()
            .map(|l| self.listener("Gateway", &g.meta.namespace, Owner::Gateway, l))
            .collect();
        detect_conflicts(&mut listeners, 0);
        let mut addresses = Vec::new();
        let mut address_error = None;
        for a in &g.spec.addresses {
            let t = a.type_.as_deref().unwrap_or("IPAddress");
            match t {
                "IPAddress" | "Hostname" => {
                    addresses.push(AddressStatus {
                        type_: t.to_owned(),
                        value: a.value.clone().unwrap_or_default(),
                    });
                }
                other => address_error = Some(format!("address type {other} is not supported")),
            }
        }
        let parameters_error = g
            .spec
            .infrastructure
            .as_ref()
            .and_then(|i| i.parameters_ref.as_ref())
            .map(|r| {
                format!(
                    "spec.infrastructure.parametersRef: {}/{} {} is not a parameters kind gatewise supports",
                    r.group.as_deref().unwrap_or(""),
                    r.kind.as_deref().unwrap_or(""),
                    r.name.as_deref().unwrap_or("")
                )
            });
        GatewayBuild {
            obj: g,
            listeners,
            addresses,
            address_error,
            parameters_error,
            sets: Vec::new(),
        }
    }

    /// Merges the listeners of accepted ListenerSets into their Gateways: oldest
    /// ListenerSet first, then by namespace/name; a listener that conflicts with
    /// one merged before it loses.
    fn listener_sets(&self, gateways: &mut [GatewayBuild<'r>]) {
        let mut sets: Vec<&'r Object<api::ListenerSetSpec>> =
            self.res.listener_sets.iter().collect();
        sets.sort_by(|a, b| {
            (a.meta.created, &a.meta.namespace, &a.meta.name).cmp(&(
                b.meta.created,
                &b.meta.namespace,
                &b.meta.name,
            ))
        });
        for set in sets {
            let Some(pref) = &set.spec.parent_ref else {
                continue;
            };
            let group = pref.group.as_deref().unwrap_or(GATEWAY_GROUP);
            let kind = pref.kind.as_deref().unwrap_or("Gateway");
            let ns = pref.namespace.as_deref().unwrap_or(&set.meta.namespace);
            let name = pref.name.as_deref().unwrap_or("");
            if group != GATEWAY_GROUP || kind != "Gateway" {
                continue;
            }
            let Some(gw) = gateways
                .iter_mut()
                .find(|g| g.obj.meta.namespace == ns && g.obj.meta.name == name)
            else {
                continue;
            };
            let from = gw
                .obj
                .spec
                .allowed_listeners
                .as_ref()
                .and_then(|a| a.namespaces.as_ref());
            let allowed = match from.and_then(|f| f.from.as_deref()).unwrap_or("None") {
                "All" => true,
                "Same" => set.meta.namespace == gw.obj.meta.namespace,
                "Selector" => from.and_then(|f| f.selector.as_ref()).is_some_and(|sel| {
                    selector_matches(sel, &self.res.namespace_labels(&set.meta.namespace))
                }),
                _ => false,
            };
            let index = gw.sets.len();
            if !allowed {
                gw.sets.push(SetBuild {
                    obj: set,
                    allowed: Err((
                        "NotAllowed",
                        format!(
                            "Gateway {ns}/{name} does not allow ListenerSets from namespace {} \
                             (spec.allowedListeners)",
                            set.meta.namespace
                        ),
                    )),
                });
                continue;
            }
            gw.sets.push(SetBuild {
                obj: set,
                allowed: Ok(()),
            });
            let first = gw.listeners.len();
            for l in set.spec.listeners.as_deref().unwrap_or(&[]) {
                gw.listeners.push(self.listener(
                    "ListenerSet",
                    &set.meta.namespace,
                    Owner::ListenerSet(index),
                    l,
                ));
            }
            detect_conflicts(&mut gw.listeners, first);
        }
    }

    fn listener(
        &self,
        owner_kind: &'static str,
        owner_ns: &str,
        owner: Owner,
        l: &Listener,
    ) -> ListenerBuild {
        let name = l.name.clone().unwrap_or_default();
        let port = l.port.and_then(|p| u16::try_from(p).ok()).unwrap_or(0);
        let protocol_text = l.protocol.as_deref().unwrap_or("");
        let protocol = match protocol_text {
            "HTTP" => Some(Protocol::Http),
            "HTTPS" => Some(Protocol::Https),
            "TLS" => Some(Protocol::Tls),
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            _ => None,
        };
        let tls_mode = match (protocol, l.tls.as_ref().and_then(|t| t.mode.as_deref())) {
            (Some(Protocol::Tls), Some("Passthrough")) => Some(TlsMode::Passthrough),
            (Some(Protocol::Tls), _) => Some(TlsMode::Terminate),
            _ => None,
        };
        let from = match l
            .allowed_routes
            .as_ref()
            .and_then(|a| a.namespaces.as_ref())
        {
            None => AllowedFrom::Same,
            Some(ns) => match ns.from.as_deref() {
                Some("All") => AllowedFrom::All,
                Some("Selector") => AllowedFrom::Selector(ns.selector.clone().unwrap_or_default()),
                _ => AllowedFrom::Same,
            },
        };
        let mut accepted = Ok(());
        let mut resolved = Ok(());
        let mut kinds = Vec::new();
        match protocol {
            None => {
                accepted = Err((
                    "UnsupportedProtocol",
                    format!("protocol {protocol_text} is not supported"),
                ));
            }
            Some(p) => {
                let supported = supported_kinds(p);
                let requested: &[api::RouteGroupKind] = l
                    .allowed_routes
                    .as_ref()
                    .map_or(&[], |a| a.kinds.as_slice());
                if requested.is_empty() {
                    kinds.extend(supported.iter().map(|k| GroupKind {
                        group: GATEWAY_GROUP.into(),
                        kind: (*k).into(),
                    }));
                } else {
                    let mut invalid = Vec::new();
                    for k in requested {
                        let group = k.group.as_deref().unwrap_or(GATEWAY_GROUP);
                        let kind = k.kind.as_deref().unwrap_or("");
                        if group == GATEWAY_GROUP && supported.contains(&kind) {
                            let gk = GroupKind {
                                group: group.into(),
                                kind: kind.into(),
                            };
                            if !kinds.contains(&gk) {
                                kinds.push(gk);
                            }
                        } else {
                            invalid.push(format!("{group}/{kind}"));
                        }
                    }
                    if !invalid.is_empty() {
                        resolved = Err((
                            "InvalidRouteKinds",
                            format!(
                                "route kinds not supported on {protocol_text}{}: {}",
                                tls_mode.map_or(String::new(), |m| format!(" ({})", m.as_str())),
                                invalid.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        let mut certificates = Vec::new();
        let terminates = protocol == Some(Protocol::Https) || tls_mode == Some(TlsMode::Terminate);
        if terminates && resolved.is_ok() {
            match self.certificates(owner_kind, owner_ns, l) {
                Ok(c) => certificates = c,
                Err(e) => resolved = Err(e),
            }
        }
        ListenerBuild {
            rt: ListenerRt {
                name,
                port,
                protocol,
                hostname: l.hostname.as_deref().map(Hostname::parse),
                programmed: false,
                tls_mode,
                certificates,
                entries: Vec::new(),
                grpc_entries: Vec::new(),
                index: Default::default(),
                paths: Default::default(),
                grpc_index: Default::default(),
            },
            owner,
            owner_ns: owner_ns.to_owned(),
            from,
            kinds,
            accepted,
            conflicted: None,
            resolved,
            attached: BTreeSet::new(),
        }
    }

    fn certificates(
        &self,
        owner_kind: &'static str,
        owner_ns: &str,
        l: &Listener,
    ) -> Result<Vec<Certificate>, (&'static str, String)> {
        let refs: &[api::SecretObjectReference] = l
            .tls
            .as_ref()
            .map_or(&[], |t| t.certificate_refs.as_slice());
        if refs.is_empty() {
            return Err((
                "InvalidCertificateRef",
                "no certificateRefs: gatewise needs a certificate to terminate TLS".into(),
            ));
        }
        let mut out = Vec::new();
        for (i, r) in refs.iter().enumerate() {
            let field = format!("tls.certificateRefs[{i}]");
            let group = r.group.as_deref().unwrap_or("");
            let kind = r.kind.as_deref().unwrap_or("Secret");
            let ns = r.namespace.as_deref().unwrap_or(owner_ns);
            let name = r.name.as_deref().unwrap_or("");
            if !group.is_empty() || kind != "Secret" {
                return Err((
                    "InvalidCertificateRef",
                    format!("{field}: unsupported kind {group}/{kind} (only core Secret)"),
                ));
            }
            let from = RefEnd {
                group: GATEWAY_GROUP,
                kind: owner_kind,
                namespace: owner_ns,
            };
            let to = RefEnd {
                group: "",
                kind: "Secret",
                namespace: ns,
            };
            if !reference_grant::permits(self.res, from, to, name) {
                return Err((
                    "RefNotPermitted",
                    format!(
                        "{field}: reference to Secret {ns}/{name} is not permitted by any ReferenceGrant in {ns}"
                    ),
                ));
            }
            let Some(secret) = self
                .res
                .secrets
                .iter()
                .find(|s| s.meta.namespace == ns && s.meta.name == name)
            else {
                return Err((
                    "InvalidCertificateRef",
                    format!("{field}: Secret {ns}/{name} not found"),
                ));
            };
            let cert = secret_value(&secret.spec, "tls.crt");
            let key = secret_value(&secret.spec, "tls.key");
            match (cert, key) {
                (Some(cert), Some(key))
                    if pem_has(&cert, "CERTIFICATE") && pem_has(&key, "PRIVATE KEY") =>
                {
                    out.push(Certificate {
                        namespace: ns.to_owned(),
                        name: name.to_owned(),
                        cert_pem: cert,
                        key_pem: key,
                    });
                }
                _ => {
                    return Err((
                        "InvalidCertificateRef",
                        format!("{field}: Secret {ns}/{name} has no valid PEM tls.crt and tls.key"),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn route(&self, route: &Object<api::HttpRouteSpec>, route_id: u32) -> RouteBuild {
        let default_rule = [HttpRouteRule::default()];
        let rules: &[HttpRouteRule] = route.spec.rules.as_deref().unwrap_or(&default_rule);
        let mut build = RouteBuild {
            rules: Vec::with_capacity(rules.len()),
            dropped: Vec::new(),
            unresolved: None,
        };
        for (i, rule) in rules.iter().enumerate() {
            match self.rule(
                "HTTPRoute",
                &route.meta.namespace,
                route_id,
                i,
                rule,
                &mut build.unresolved,
            ) {
                Ok(r) => build.rules.push(r),
                Err(msg) => build.dropped.push(format!("spec.rules[{i}]: {msg}")),
            }
        }
        build
    }

    /// A GRPCRoute: its filters and backends in HTTPRoute's shape (a subset), its
    /// matches as gRPC method and header matches.
    fn grpc_route(&self, route: &Object<api::GrpcRouteSpec>, route_id: u32) -> RouteBuild {
        let default_rule = [api::GrpcRouteRule::default()];
        let rules: &[api::GrpcRouteRule] = route.spec.rules.as_deref().unwrap_or(&default_rule);
        let mut build = RouteBuild {
            rules: Vec::with_capacity(rules.len()),
            dropped: Vec::new(),
            unresolved: None,
        };
        for (i, rule) in rules.iter().enumerate() {
            let http = HttpRouteRule {
                name: rule.name.clone(),
                matches: None,
                filters: rule
                    .filters
                    .iter()
                    .map(api::GrpcRouteFilter::to_http)
                    .collect(),
                backend_refs: rule
                    .backend_refs
                    .iter()
                    .map(api::GrpcBackendRef::to_http)
                    .collect(),
                timeouts: None,
            };
            let compiled = self
                .rule(
                    "GRPCRoute",
                    &route.meta.namespace,
                    route_id,
                    i,
                    &http,
                    &mut build.unresolved,
                )
                .and_then(|mut rb| {
                    let default_match = [api::GrpcRouteMatch::default()];
                    let wire: &[api::GrpcRouteMatch] = if rule.matches.is_empty() {
                        &default_match
                    } else {
                        &rule.matches
                    };
                    rb.matches.clear();
                    for (j, m) in wire.iter().enumerate() {
                        let (m, lens) =
                            compile_grpc_match(m).map_err(|e| format!("matches[{j}]: {e}"))?;
                        rb.matches.push(m);
                        rb.grpc.push(lens);
                    }
                    Ok(rb)
                });
            match compiled {
                Ok(r) => build.rules.push(r),
                Err(msg) => build.dropped.push(format!("spec.rules[{i}]: {msg}")),
            }
        }
        build
    }

    /// A TLSRoute, TCPRoute or UDPRoute: rules of weighted backends only.
    fn stream_route(
        &self,
        kind: &'static str,
        ns: &str,
        rules: Option<&[api::StreamRouteRule]>,
        route_id: u32,
    ) -> RouteBuild {
        let mut build = RouteBuild {
            rules: Vec::with_capacity(rules.map_or(0, <[_]>::len)),
            dropped: Vec::new(),
            unresolved: None,
        };
        for (i, rule) in rules.unwrap_or(&[]).iter().enumerate() {
            let http = HttpRouteRule {
                name: rule.name.clone(),
                backend_refs: rule
                    .backend_refs
                    .iter()
                    .map(api::BackendRef::to_http)
                    .collect(),
                ..HttpRouteRule::default()
            };
            match self.rule(kind, ns, route_id, i, &http, &mut build.unresolved) {
                Ok(r) => build.rules.push(r),
                Err(msg) => build.dropped.push(format!("spec.rules[{i}]: {msg}")),
            }
        }
        build
    }

    fn rule(
        &self,
        kind: &'static str,
        ns: &str,
        route_id: u32,
        i: usize,
        rule: &HttpRouteRule,
        unresolved: &mut Option<InvalidBackend>,
    ) -> Result<RuleBuild, String> {
        let default_match = [HttpRouteMatch::default()];
        let wire_matches: &[HttpRouteMatch] = match rule.matches.as_deref() {
            Some(m) if !m.is_empty() => m,
            _ => &default_match,
        };
        let mut matches = Vec::with_capacity(wire_matches.len());
        for (j, m) in wire_matches.iter().enumerate() {
            matches.push(compile_match(m).map_err(|e| format!("matches[{j}]: {e}"))?);
        }
        let matched_prefix = match matches.as_slice() {
            [only] if matches!(only.path, PathMatch::PathPrefix(_)) && only.path.value() != "/" => {
                Arc::from(only.path.value())
            }
            _ => Arc::clone(&self.root_prefix),
        };
        let mut note = |e: InvalidBackend| {
            if unresolved.is_none() {
                *unresolved = Some(e);
            }
        };
        for (fi, f) in rule.filters.iter().enumerate() {
            for h in [&f.request_header_modifier, &f.response_header_modifier]
                .into_iter()
                .flatten()
            {
                if let Some(name) = repeated_header(h) {
                    return Err(format!(
                        "filters[{fi}]: header {name:?} has more than one action (set, add, remove)"
                    ));
                }
            }
        }
        let mut filters = RuleFilters::default();
        let mut redirect = None;
        let mut extension = false;
        for (fi, f) in rule.filters.iter().enumerate() {
            let field = || format!("spec.rules[{i}].filters[{fi}]");
            match f.type_.as_deref() {
                Some("RequestHeaderModifier") => {
                    filters.request_headers = f
                        .request_header_modifier
                        .as_ref()
                        .map(HeaderModifier::from_wire)
                }
                Some("ResponseHeaderModifier") => {
                    filters.response_headers = f
                        .response_header_modifier
                        .as_ref()
                        .map(HeaderModifier::from_wire)
                }
                Some("URLRewrite") => {
                    filters.rewrite = f.url_rewrite.as_ref().map(UrlRewrite::from_wire)
                }
                Some("RequestRedirect") => {
                    redirect = f.request_redirect.as_ref().map(Redirect::from_wire)
                }
                Some("CORS") => filters.cors = f.cors.as_ref().map(Cors::from_wire),
                Some("RequestMirror") => {
                    if let Some(m) = self.mirror(kind, f, ns, field, &mut note) {
                        filters.mirrors.push(m);
                    }
                }
                Some("ExtensionRef") => {
                    extension = true;
                    let e = f.extension_ref.clone().unwrap_or_default();
                    note(InvalidBackend {
                        reason: "InvalidKind",
                        message: format!(
                            "{}.extensionRef: extension {}/{} {} is not supported by gatewise",
                            field(),
                            e.group.unwrap_or_default(),
                            e.kind.unwrap_or_default(),
                            e.name.unwrap_or_default()
                        ),
                    });
                }
                other => {
                    return Err(format!(
                        "filters[{fi}]: unsupported filter type {}",
                        other.unwrap_or("")
                    ));
                }
            }
        }
        if let Some(t) = &rule.timeouts {
            filters.timeouts = Timeouts {
                request: t.request.as_deref().and_then(crate::duration::parse),
                backend_request: t
                    .backend_request
                    .as_deref()
                    .and_then(crate::duration::parse),
            };
        }
        let mut backends = Vec::with_capacity(rule.backend_refs.len());
        for (bi, b) in rule.backend_refs.iter().enumerate() {
            // The field path, for messages: built only when one is written.
            let field = || format!("spec.rules[{i}].backendRefs[{bi}]");
            let mut bf = BackendFilters::default();
            let mut invalid_filter = None;
            for (fi, f) in b.filters.iter().enumerate() {
                match f.type_.as_deref() {
                    Some("RequestHeaderModifier") => {
                        bf.request_headers = f
                            .request_header_modifier
                            .as_ref()
                            .map(HeaderModifier::from_wire)
                    }
                    Some("ResponseHeaderModifier") => {
                        bf.response_headers = f
                            .response_header_modifier
                            .as_ref()
                            .map(HeaderModifier::from_wire)
                    }
                    Some("URLRewrite") => {
                        bf.rewrite = f.url_rewrite.as_ref().map(UrlRewrite::from_wire)
                    }
                    Some("RequestMirror") => {
                        if let Some(m) = self.mirror(
                            kind,
                            f,
                            ns,
                            || format!("{}.filters[{fi}]", field()),
                            &mut note,
                        ) {
                            bf.mirrors.push(m);
                        }
                    }
                    Some("ExtensionRef") => {
                        invalid_filter = Some(InvalidBackend {
                            reason: "InvalidKind",
                            message: format!(
                                "{}.filters[{fi}].extensionRef: extensions are not supported by gatewise",
                                field()
                            ),
                        });
                    }
                    other => {
                        return Err(format!(
                            "backendRefs[{bi}].filters[{fi}]: filter type {} is not supported on a backendRef",
                            other.unwrap_or("")
                        ));
                    }
                }
            }
            let target = match invalid_filter {
                Some(e) => Err(e),
                None => backend::resolve_ref(
                    self.res,
                    &self.services,
                    kind,
                    ns,
                    || format!("spec.rules[{i}].backendRefs[{bi}]"),
                    b.into(),
                ),
            };
            let target = match target {
                Ok(s) => BackendTarget::Service(s),
                Err(e) => {
                    note(e.clone());
                    BackendTarget::Invalid(e)
                }
            };
            let weight = u32::try_from(b.weight.unwrap_or(1).clamp(0, 1_000_000)).unwrap_or(0);
            backends.push(WeightedBackend {
                weight,
                target,
                filters: Filters::<BackendFilters>::new(bf),
            });
        }
        let action = if let Some(r) = redirect {
            Action::Redirect(r)
        } else if extension {
            Action::Respond {
                status: 500,
                reason: "UnsupportedExtension",
            }
        } else if backends.is_empty() {
            Action::Respond {
                status: 500,
                reason: "NoBackends",
            }
        } else {
            let total: u64 = backends.iter().map(|b| u64::from(b.weight)).sum();
            let valid: u64 = backends
                .iter()
                .filter(|b| matches!(b.target, BackendTarget::Service(_)))
                .map(|b| u64::from(b.weight))
                .sum();
            if valid == 0 {
                Action::Respond {
                    status: 500,
                    reason: "InvalidBackend",
                }
            } else {
                Action::Forward { backends, total }
            }
        };
        Ok(RuleBuild {
            matches,
            grpc: Vec::new(),
            index: u16::try_from(i).unwrap_or(u16::MAX),
            rule: Some(RuleRt {
                route: route_id,
                index: u16::try_from(i).unwrap_or(u16::MAX),
                // Set with the route's entry in the route table.
                route_kind: "",
                route_namespace: Arc::clone(&self.no_name),
                route_name: Arc::clone(&self.no_name),
                name: rule.name.clone(),
                has_cors: filters.cors.is_some(),
                matched_prefix,
                action,
                filters: Filters::<RuleFilters>::new(filters),
            }),
        })
    }

    fn mirror(
        &self,
        kind: &'static str,
        f: &HttpRouteFilter,
        ns: &str,
        field: impl Fn() -> String,
        note: &mut impl FnMut(InvalidBackend),
    ) -> Option<Mirror> {
        let m = f.request_mirror.as_ref()?;
        match backend::resolve_ref(
            self.res,
            &self.services,
            kind,
            ns,
            || format!("{}.requestMirror.backendRef", field()),
            m.backend_ref.as_ref().map(Into::into).unwrap_or_default(),
        ) {
            Ok(backend) => {
                let (numerator, denominator) = match (&m.percent, &m.fraction) {
                    (Some(p), _) => (*p, 100),
                    (None, Some(fr)) => (fr.numerator.unwrap_or(0), fr.denominator.unwrap_or(100)),
                    (None, None) => (100, 100),
                };
                Some(Mirror {
                    backend,
                    numerator: u32::try_from(numerator.max(0)).unwrap_or(0),
                    denominator: u32::try_from(denominator.max(1)).unwrap_or(1),
                })
            }
            Err(e) => {
                note(e);
                None
            }
        }
    }
}

pub(crate) fn compile_match(m: &HttpRouteMatch) -> Result<RouteMatch, String> {
    let (t, v) = match &m.path {
        Some(p) => (
            p.type_.as_deref().unwrap_or("PathPrefix"),
            p.value.as_deref().unwrap_or("/"),
        ),
        None => ("PathPrefix", "/"),
    };
    let path = match t {
        "Exact" => PathMatch::exact(v),
        "RegularExpression" => PathMatch::regex(v).map_err(|e| format!("path.value: {e}"))?,
        _ => PathMatch::prefix(v),
    };
    let mut headers: Vec<HeaderMatch> = Vec::new();
    for (k, h) in m.headers.iter().enumerate() {
        let name = h.name.as_deref().unwrap_or("").to_ascii_lowercase();
        if headers.iter().any(|x| *x.name == *name) {
            continue; // only the first entry for a name counts
        }
        let value = value_match(h.type_.as_deref(), h.value.as_deref().unwrap_or(""))
            .map_err(|e| format!("headers[{k}].value: {e}"))?;
        headers.push(HeaderMatch {
            name: name.into(),
            value,
        });
    }
    let mut query: Vec<QueryMatch> = Vec::new();
    for (k, q) in m.query_params.iter().enumerate() {
        let name = q.name.as_deref().unwrap_or("");
        if query.iter().any(|x| &*x.name == name) {
            continue;
        }
        let value = value_match(q.type_.as_deref(), q.value.as_deref().unwrap_or(""))
            .map_err(|e| format!("queryParams[{k}].value: {e}"))?;
        query.push(QueryMatch {
            name: name.into(),
            value,
        });
    }
    Ok(RouteMatch {
        path,
        method: m.method.as_deref().map(Into::into),
        headers,
        query,
    })
}

/// A header named (without case) by more than one action of one header filter.
fn repeated_header(h: &api::HttpHeaderFilter) -> Option<String> {
    let names: Vec<String> = h
        .set
        .iter()
        .chain(&h.add)
        .filter_map(|x| x.name.as_deref())
        .chain(h.remove.iter().map(String::as_str))
        .map(str::to_ascii_lowercase)
        .collect();
    names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
        .map(|(_, n)| n.clone())
}

fn value_match(t: Option<&str>, v: &str) -> Result<ValueMatch, String> {
    match t {
        Some("RegularExpression") => Ok(ValueMatch::RegularExpression(compile_regex(v)?)),
        _ => Ok(ValueMatch::Exact(v.into())),
    }
}

/// A `GRPCRouteMatch` as a route match on the request path `/service/method`
/// and headers, with the characters of service and method it names (precedence).
pub(crate) fn compile_grpc_match(
    m: &api::GrpcRouteMatch,
) -> Result<(RouteMatch, (usize, usize)), String> {
    let method = m.method.clone().unwrap_or_default();
    let service = method.service.as_deref().filter(|s| !s.is_empty());
    let name = method.method.as_deref().filter(|s| !s.is_empty());
    let lens = (service.map_or(0, str::len), name.map_or(0, str::len));
    let path = match (method.type_.as_deref().unwrap_or("Exact"), service, name) {
        (_, None, None) => PathMatch::prefix("/"),
        ("Exact", Some(s), Some(n)) => PathMatch::exact(&format!("/{s}/{n}")),
        ("Exact", s, n) => {
            let s = s.map_or_else(|| "[^/]+".to_owned(), regex::escape);
            let n = n.map_or_else(|| "[^/]+".to_owned(), regex::escape);
            PathMatch::regex(&format!("/{s}/{n}")).map_err(|e| format!("method: {e}"))?
        }
        (_, s, n) => {
            let s = s.map_or_else(|| "[^/]+".to_owned(), |s| format!("(?:{s})"));
            let n = n.map_or_else(|| "[^/]+".to_owned(), |n| format!("(?:{n})"));
            PathMatch::regex(&format!("/{s}/{n}")).map_err(|e| format!("method: {e}"))?
        }
    };
    let http = HttpRouteMatch {
        headers: m.headers.clone(),
        ..HttpRouteMatch::default()
    };
    let mut compiled = compile_match(&http)?;
    compiled.path = path;
    Ok((compiled, lens))
}

/// Which listeners of one parent a route attaches to (with the hostnames it serves
/// on each), or the parent's conditions when it attaches to none.
fn attach(
    res: &Resources,
    route: &RouteSrc<'_>,
    pref: &ParentReference,
    gw: &GatewayBuild<'_>,
    owner: Owner,
    build: &RouteBuild,
) -> Result<Vec<Attached>, Vec<Condition>> {
    let kind_name = route.kind.name();
    let section = pref.section_name.as_deref();
    let port = pref.port.and_then(|p| u16::try_from(p).ok());
    let (parent_kind, parent_ns, parent_name) = match owner {
        Owner::Gateway => ("Gateway", &gw.obj.meta.namespace, &gw.obj.meta.name),
        Owner::ListenerSet(i) => (
            "ListenerSet",
            &gw.sets[i].obj.meta.namespace,
            &gw.sets[i].obj.meta.name,
        ),
    };
    // The messages' parts, built only when the parentRef does not attach.
    let parent = || format!("{parent_kind} {parent_ns}/{parent_name}");
    let fail = |reason: &'static str, message: String| {
        Err(vec![
            Condition::new("Accepted", false, reason, message),
            build.resolved_condition(),
        ])
    };
    if let Owner::ListenerSet(i) = owner
        && let Err((_, msg)) = &gw.sets[i].allowed
    {
        return fail(
            "NotAllowedByListeners",
            format!("{} is not accepted: {msg}", parent()),
        );
    }
    let what = || match (section, port) {
        (Some(s), Some(p)) => format!("listener {s} on port {p}"),
        (Some(s), None) => format!("listener {s}"),
        (None, Some(p)) => format!("listeners on port {p}"),
        (None, None) => "listeners".to_owned(),
    };
    // One pass over the listeners: whether the parentRef selects any, whether
    // any of those allows the route, and the hostnames the route has on each
    // that does (computing them for a parentRef refused later costs nothing
    // but time: they are only read once every check passed). Only a Selector
    // needs the route's namespace labels (a copy): built once, if asked.
    let route_ns_labels = std::cell::OnceCell::new();
    let (mut selected_any, mut allowed_any) = (false, false);
    let mut attached: Vec<Attached> = Vec::new();
    for (i, l) in gw.listeners.iter().enumerate() {
        if !(l.owner == owner
            && section.is_none_or(|s| s == l.rt.name)
            && port.is_none_or(|p| p == l.rt.port))
        {
            continue;
        }
        selected_any = true;
        let kind_ok = l
            .kinds
            .iter()
            .any(|k| k.group == GATEWAY_GROUP && k.kind == kind_name);
        let ns_ok = match &l.from {
            AllowedFrom::All => true,
            AllowedFrom::Same => route.obj.namespace == l.owner_ns,
            AllowedFrom::Selector(sel) => selector_matches(
                sel,
                route_ns_labels.get_or_init(|| res.namespace_labels(&route.obj.namespace)),
            ),
        };
        if !(kind_ok && ns_ok) {
            continue;
        }
        allowed_any = true;
        let lh = l.rt.hostname.as_ref();
        let effective: Vec<Option<Hostname>> = if route.hostnames.is_empty() {
            vec![lh.cloned()]
        } else {
            // Parsed for each listener and moved into the intersection when
            // it is the route's hostname (no list of parsed hostnames to
            // clone from).
            let mut v: Vec<Option<Hostname>> = route
                .hostnames
                .iter()
                .filter_map(|h| intersect_owned(lh, Hostname::parse(h)))
                .map(Some)
                .collect();
            v.sort();
            v.dedup();
            v
        };
        if !effective.is_empty() {
            attached.push((i, effective));
        }
    }
    if !selected_any {
        return fail(
            "NoMatchingParent",
            format!("{} has no {}", parent(), what()),
        );
    }
    if !allowed_any {
        return fail(
            "NotAllowedByListeners",
            format!(
                "no {} of {} allows {kind_name} from namespace {}",
                what(),
                parent(),
                route.obj.namespace
            ),
        );
    }
    if attached.is_empty() {
        return fail(
            "NoMatchingListenerHostname",
            format!(
                "no hostname of the route intersects the hostname of the {} of {}",
                what(),
                parent()
            ),
        );
    }
    if build.rules.is_empty() {
        return fail(
            "UnsupportedValue",
            format!("every rule is invalid: {}", build.dropped.join("; ")),
        );
    }
    Ok(attached)
}

/// [`Hostname::intersect`] taking the route's hostname: returned itself
/// (not a copy) when the intersection is the route's hostname.
fn intersect_owned(listener: Option<&Hostname>, route: Hostname) -> Option<Hostname> {
    match (listener, &route) {
        (None, _) => Some(route),
        (Some(Hostname::Exact(l)), Hostname::Exact(r)) => (l == r).then_some(route),
        (Some(l @ Hostname::Wildcard(_)), Hostname::Exact(r)) => l.matches(r).then_some(route),
        (Some(Hostname::Wildcard(l)), Hostname::Wildcard(r)) if r.ends_with(&**l) => Some(route),
        (Some(_), _) => Hostname::intersect(listener, &route),
    }
}

/// Whether two sets of attached hostnames (`None`: any) share a name.
fn hosts_intersect(a: &[Option<Hostname>], b: &[Option<Hostname>]) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| match (x, y) {
            (None, _) | (_, None) => true,
            (Some(x), Some(y)) => Hostname::intersect(Some(x), y).is_some(),
        })
    })
}

/// An HTTPRoute and a GRPCRoute on one listener with intersecting hostnames: the
/// older route (then `namespace/name`) keeps the listener, the other loses it
/// (`grpcroute_types.go`, GRPCRouteSpec.Hostnames). A parentRef left with no
/// listener gets `Accepted=False/NotAllowedByListeners`. Returns every listener
/// lost, for lint.
fn settle_kind_conflicts(
    sources: &[RouteSrc<'_>],
    ranks: &[u32],
    builds: &[Option<RouteBuild>],
    pending: &mut [Pending],
    gateways: &[GatewayBuild<'_>],
) -> Vec<KindConflict> {
    // Every (parentRef, listener) attachment of an HTTPRoute or GRPCRoute, oldest
    // route first (then namespace/name): an attachment is kept unless it shares
    // a hostname with a kept attachment of the other kind on that listener.
    let mut claims: Vec<(usize, usize, usize)> = Vec::new(); // (pending, listener, slot)
    for (pi, p) in pending.iter().enumerate() {
        if let (RouteKind::Http | RouteKind::Grpc, Ok(list)) = (sources[p.route].kind, &p.outcome) {
            claims.extend((0..list.len()).map(|slot| (pi, list[slot].0, slot)));
        }
    }
    // By the routes' ranks (equal for equal keys; the sort is stable), not
    // through each route's metadata: that read it at random for every comparison.
    claims.sort_by_key(|&(pi, _, _)| ranks[pending[pi].route]);
    let hosts_of = |pi: usize, slot: usize| match &pending[pi].outcome {
        Ok(list) => list[slot].1.as_slice(),
        Err(_) => &[],
    };
    // Kept attachments by gateway and listener, HTTPRoutes' and GRPCRoutes' apart
    // (in claim order): a claim is checked against the other kind's on its own
    // listener only, not against every attachment kept so far (that was
    // quadratic: 10k HTTPRoutes alone cost 150 ms).
    // (gateway, listener) -> [HTTPRoute, GRPCRoute] attachments kept, as (pending, slot).
    type Kept = [Vec<(usize, usize)>; 2];
    let mut kept: HashMap<(usize, usize), Kept> = HashMap::new();
    let kind_slot = |k: RouteKind| usize::from(k == RouteKind::Grpc);
    let mut losses: Vec<(usize, usize, String)> = Vec::new();
    let mut conflicts = Vec::new();
    for &(pi, li, slot) in &claims {
        let p = &pending[pi];
        let kind = sources[p.route].kind;
        let hosts = hosts_of(pi, slot);
        let on_listener = kept.entry((p.gateway, li)).or_default();
        let winner = on_listener[1 - kind_slot(kind)]
            .iter()
            .find(|&&(wi, wslot)| hosts_intersect(hosts, hosts_of(wi, wslot)));
        let Some(&(wi, _)) = winner else {
            on_listener[kind_slot(kind)].push((pi, slot));
            continue;
        };
        let w_src = &sources[pending[wi].route];
        let lost = &sources[p.route];
        let listener = &gateways[p.gateway].listeners[li].rt.name;
        let gw = &gateways[p.gateway].obj.meta;
        conflicts.push(KindConflict {
            loser: (
                lost.kind.name(),
                lost.obj.namespace.clone(),
                lost.obj.name.clone(),
            ),
            winner: (
                w_src.kind.name(),
                w_src.obj.namespace.clone(),
                w_src.obj.name.clone(),
            ),
            gateway: (gw.namespace.clone(), gw.name.clone()),
            listener: listener.clone(),
            listener_index: li,
            hostnames: hosts.to_vec(),
        });
        losses.push((
            pi,
            li,
            format!(
                "{} {}/{} is older (or first by namespace/name) and has intersecting hostnames on listener {listener}: an HTTPRoute and a GRPCRoute cannot share a hostname",
                w_src.kind.name(),
                w_src.obj.namespace,
                w_src.obj.name
            ),
        ));
    }
    for (pi, listener, message) in losses {
        let p = &mut pending[pi];
        let Ok(list) = &mut p.outcome else {
            continue;
        };
        list.retain(|(l, _)| *l != listener);
        if list.is_empty() {
            let mut conditions = vec![Condition::new(
                "Accepted",
                false,
                "NotAllowedByListeners",
                message,
            )];
            conditions.extend(
                builds
                    .get(p.route)
                    .and_then(Option::as_ref)
                    .map(RouteBuild::resolved_condition),
            );
            p.outcome = Err(conditions);
        }
    }
    conflicts
}

/// Each route's rank by creation timestamp, then `namespace/name`: the part of
/// the precedence key that [`EntryKey`] stores instead of the timestamp and the
/// two strings. Routes that tie on all three share a rank, so their entries are
/// ordered by rule and match, then input order, as the full key orders them.
fn route_ranks(sources: &[RouteSrc<'_>]) -> Vec<u32> {
    let age = |i: u32| {
        let o = sources[i as usize].obj;
        (o.created, o.namespace.as_str(), o.name.as_str())
    };
    // The creation times are copied out in one pass in input order and sorted
    // with the route's index: sorting indices through `sources` read a route's
    // metadata at random for every comparison (10 ms at 10k routes against
    // 0.05 ms at 1k: cache and TLB misses). Names are read only on a tie.
    let mut order: Vec<(Timestamp, u32)> = sources
        .iter()
        .zip(0..)
        .map(|(s, i)| (s.obj.created, i))
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| age(a.1).cmp(&age(b.1))));
    let mut ranks = vec![0; sources.len()];
    let mut rank = 0;
    for (pos, &(created, i)) in order.iter().enumerate() {
        if pos > 0 {
            let (before_created, before) = order[pos - 1];
            if before_created != created || age(before) != age(i) {
                rank = u32::try_from(pos).unwrap_or(u32::MAX);
            }
        }
        ranks[i as usize] = rank;
    }
    ranks
}

/// Records a route's entries on the listeners it attached to, and returns the
/// parent's conditions. `last`: no later parentRef of the route attaches, so
/// the entries of the last listener take the route's matches instead of copies.
#[allow(clippy::too_many_arguments)]
fn finish_attach(
    route: &RouteSrc<'_>,
    route_id: u32,
    route_rank: u32,
    first_rule: u32,
    gw: &mut GatewayBuild<'_>,
    listeners: Vec<Attached>,
    build: &mut RouteBuild,
    last: bool,
) -> ParentConditions {
    let n_listeners = listeners.len();
    for (li, (i, mut hosts)) in listeners.into_iter().enumerate() {
        let l = &mut gw.listeners[i];
        if !l.attached.insert(route_id) {
            continue; // already attached through another parentRef
        }
        let final_listener = last && li + 1 == n_listeners;
        let n_rules = build.rules.len();
        for (ri, rb) in build.rules.iter_mut().enumerate() {
            let rule = first_rule + u32::try_from(ri).unwrap_or(0);
            let n_matches = rb.matches.len();
            for (mi, m) in rb.matches.iter_mut().enumerate() {
                // The listener's last match takes the hostnames, its last
                // hostname the match (when no other listener needs them).
                let final_match = ri + 1 == n_rules && mi + 1 == n_matches;
                let match_index = u16::try_from(mi).unwrap_or(u16::MAX);
                let key = match rb.grpc.get(mi) {
                    Some(&lens) => {
                        EntryKey::grpc(lens, m.headers.len(), route_rank, rb.index, match_index)
                    }
                    None => EntryKey::new(m, route_rank, rb.index, match_index),
                };
                let n_hosts = hosts.len();
                for (hi, h) in hosts.iter_mut().enumerate() {
                    let entry = Entry {
                        rule,
                        match_index,
                        hostname: if final_match { h.take() } else { h.clone() },
                        m: if final_listener && hi + 1 == n_hosts {
                            std::mem::replace(m, RouteMatch::taken())
                        } else {
                            m.clone()
                        },
                        key,
                    };
                    if route.kind == RouteKind::Grpc {
                        l.rt.grpc_entries.push(entry);
                    } else {
                        l.rt.entries.push(entry);
                    }
                }
            }
        }
    }
    ParentConditions::Attached {
        unresolved: build.unresolved.clone(),
        partially_invalid: (!build.dropped.is_empty())
            .then(|| format!("Dropped Rule(s): {}", build.dropped.join("; "))),
    }
}

fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    sel.match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
        && sel.match_expressions.iter().all(|e| {
            let key = e.key.as_deref().unwrap_or("");
            let value = labels.get(key);
            match e.operator.as_deref() {
                Some("In") => value.is_some_and(|v| e.values.contains(v)),
                Some("NotIn") => value.is_none_or(|v| !e.values.contains(v)),
                Some("Exists") => value.is_some(),
                Some("DoesNotExist") => value.is_none(),
                _ => false,
            }
        })
}

/// Why two listeners on one port cannot both serve (`gateway_types.go`, "Distinct
/// Listeners"): HTTP, HTTPS/TLS and TCP share the TCP transport and cannot share a
/// port with one another (`ProtocolConflict`); within HTTP, and within HTTPS/TLS,
/// listeners are distinct by hostname; TCP and UDP listeners by port alone
/// (`HostnameConflict` otherwise). UDP never conflicts with a TCP-based protocol.
fn conflict(a: &ListenerBuild, b: &ListenerBuild) -> Option<&'static str> {
    let (Some(pa), Some(pb)) = (a.rt.protocol, b.rt.protocol) else {
        return None;
    };
    if a.rt.port != b.rt.port {
        return None;
    }
    let family = |p: Protocol| match p {
        Protocol::Http => 0,
        Protocol::Https | Protocol::Tls => 1,
        Protocol::Tcp => 2,
        Protocol::Udp => 3,
    };
    let (fa, fb) = (family(pa), family(pb));
    if fa != fb {
        return (fa != 3 && fb != 3).then_some("ProtocolConflict");
    }
    match fa {
        2 | 3 => Some("HostnameConflict"),
        _ if a.rt.hostname != b.rt.hostname => None,
        // HTTPS and TLS with one hostname: not distinct, by protocol.
        _ if pa != pb => Some("ProtocolConflict"),
        _ => Some("HostnameConflict"),
    }
}

/// Marks conflicting listeners. Listeners before `first` were settled earlier
/// (the Gateway's, earlier ListenerSets'): a listener from `first` on that
/// conflicts with one of them loses. Among the listeners from `first` on (one
/// Gateway or one ListenerSet), there is no winner: all conflicting ones lose.
fn detect_conflicts(listeners: &mut [ListenerBuild], first: usize) {
    let mut lost: Vec<(usize, &'static str)> = Vec::new();
    for i in first..listeners.len() {
        if let Some(reason) = listeners[..first]
            .iter()
            .filter(|e| e.conflicted.is_none() && e.accepted.is_ok())
            .find_map(|e| conflict(&listeners[i], e))
        {
            lost.push((i, reason));
        }
    }
    for &(i, reason) in &lost {
        listeners[i].conflicted = Some(reason);
    }
    // Among the rest of this group, no winner.
    let mut marks: Vec<(usize, &'static str)> = Vec::new();
    for i in first..listeners.len() {
        if listeners[i].conflicted.is_some() {
            continue;
        }
        if let Some(reason) = (first..listeners.len())
            .filter(|&j| j != i && listeners[j].conflicted.is_none())
            .find_map(|j| conflict(&listeners[i], &listeners[j]))
        {
            marks.push((i, reason));
        }
    }
    for (i, reason) in marks {
        listeners[i].conflicted = Some(reason);
    }
}

/// Sorts a listener's entries by precedence. The positions are sorted, then
/// the entries moved into place by following the permutation's cycles: moving
/// the large entries at every step of the sort costs more than the comparisons
/// at thousands of routes, and a second vector of them doubles the memory
/// touched. Stable, like `sort_by`.
fn sort_entries(entries: &mut [Entry]) {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].key.cmp(&entries[b].key));
    // `order[pos]` is where the entry that belongs at `pos` is now. Each swap
    // puts one entry in its place; `order[pos] = pos` marks it done.
    for start in 0..order.len() {
        let mut pos = start;
        loop {
            let from = order[pos];
            order[pos] = pos;
            if from == start || from == pos {
                break;
            }
            entries.swap(pos, from);
            pos = from;
        }
    }
}

/// The status of one listener, and whether it is accepted and programmed.
fn listener_status(l: &mut ListenerBuild) -> (ListenerStatus, bool, bool) {
    let mut conds = Vec::new();
    let accepted_ok = l.accepted.is_ok() && l.conflicted.is_none();
    match (&l.accepted, l.conflicted) {
        (Err((reason, msg)), _) => {
            conds.push(Condition::new("Accepted", false, reason, msg.clone()))
        }
        (Ok(()), Some(reason)) => conds.push(Condition::new(
            "Accepted",
            false,
            reason,
            "listener conflicts with another listener on its port",
        )),
        (Ok(()), None) => conds.push(Condition::new("Accepted", true, "Accepted", "accepted")),
    }
    match l.conflicted {
        Some(reason) => conds.push(Condition::new(
            "Conflicted",
            true,
            reason,
            if reason == "ProtocolConflict" {
                "another listener on this port uses an incompatible protocol"
            } else {
                "another listener on this port has the same protocol and hostname"
            },
        )),
        None => conds.push(Condition::new(
            "Conflicted",
            false,
            "NoConflicts",
            "no conflicts",
        )),
    }
    match &l.resolved {
        Ok(()) => conds.push(Condition::new(
            "ResolvedRefs",
            true,
            "ResolvedRefs",
            "all references resolved",
        )),
        Err((reason, msg)) => {
            conds.push(Condition::new("ResolvedRefs", false, reason, msg.clone()))
        }
    }
    // Unresolved certificates block serving; unsupported route kinds do not (the
    // listener serves, with no routes of those kinds).
    let refs_block = matches!(&l.resolved, Err((r, _)) if *r != "InvalidRouteKinds");
    let programmed = accepted_ok && !refs_block;
    conds.push(match (programmed, l.owner, l.conflicted) {
        (true, _, _) => Condition::new("Programmed", true, "Programmed", "programmed"),
        // ListenerSet conformance reports the conflict as the reason here too.
        (false, Owner::ListenerSet(_), Some(reason)) => Condition::new(
            "Programmed",
            false,
            reason,
            "listener conflicts with another",
        ),
        (false, _, _) => Condition::new("Programmed", false, "Invalid", "listener is not valid"),
    });
    l.rt.programmed = programmed;
    (
        ListenerStatus {
            name: l.rt.name.clone(),
            supported_kinds: l.kinds.clone(),
            attached_routes: u32::try_from(l.attached.len()).unwrap_or(u32::MAX),
            conditions: conds,
        },
        accepted_ok,
        programmed,
    )
}

type FinishedGateway = (
    GatewayStatus,
    Vec<(ListenerSetStatus, i64)>,
    (GatewayRt, i64),
);

fn finish_gateway(mut g: GatewayBuild<'_>) -> FinishedGateway {
    let mut statuses = Vec::new();
    let mut set_listeners: Vec<Vec<(ListenerStatus, bool, bool)>> =
        g.sets.iter().map(|_| Vec::new()).collect();
    let mut any_accepted = false;
    let mut all_accepted = true;
    let mut any_programmed = false;
    let mut own = 0;
    for l in &mut g.listeners {
        let (status, accepted, programmed) = listener_status(l);
        match l.owner {
            Owner::Gateway => {
                own += 1;
                any_accepted |= accepted;
                all_accepted &= accepted;
                any_programmed |= programmed;
                statuses.push(status);
            }
            Owner::ListenerSet(i) => {
                if let Some(v) = set_listeners.get_mut(i) {
                    v.push((status, accepted, programmed));
                }
            }
        }
    }
    let mut conditions = Vec::new();
    if let Some(msg) = &g.parameters_error {
        conditions.push(Condition::new(
            "Accepted",
            false,
            "InvalidParameters",
            msg.clone(),
        ));
    } else if let Some(msg) = &g.address_error {
        conditions.push(Condition::new(
            "Accepted",
            false,
            "UnsupportedAddress",
            msg.clone(),
        ));
    } else if all_accepted && own > 0 {
        conditions.push(Condition::new("Accepted", true, "Accepted", "accepted"));
    } else if any_accepted {
        conditions.push(Condition::new(
            "Accepted",
            true,
            "ListenersNotValid",
            "some listeners are not valid",
        ));
    } else {
        conditions.push(Condition::new(
            "Accepted",
            false,
            "ListenersNotValid",
            "no listener is valid",
        ));
    }
    let gateway_accepted =
        g.address_error.is_none() && g.parameters_error.is_none() && any_accepted;
    let programmed = any_programmed && gateway_accepted;
    conditions.push(if programmed {
        Condition::new("Programmed", true, "Programmed", "programmed")
    } else {
        Condition::new("Programmed", false, "Invalid", "no listener is programmed")
    });

    let mut sets = Vec::new();
    let mut set_programmed: Vec<bool> = Vec::new();
    let mut attached_sets = 0u32;
    for (set, listeners) in g.sets.iter().zip(set_listeners) {
        let mut conds = Vec::new();
        // A ListenerSet's listener is valid when it can be programmed (accepted,
        // not conflicted, references resolved).
        let any_ok = listeners.iter().any(|(_, _, p)| *p);
        let all_ok = !listeners.is_empty() && listeners.iter().all(|(_, _, p)| *p);
        let any_prog = any_ok;
        let accepted = match &set.allowed {
            Err((reason, msg)) => {
                conds.push(Condition::new("Accepted", false, reason, msg.clone()));
                false
            }
            Ok(()) if !gateway_accepted => {
                conds.push(Condition::new(
                    "Accepted",
                    false,
                    "ParentNotAccepted",
                    "the parent Gateway is not accepted",
                ));
                false
            }
            Ok(()) if all_ok => {
                conds.push(Condition::new("Accepted", true, "Accepted", "accepted"));
                true
            }
            Ok(()) if any_ok => {
                conds.push(Condition::new(
                    "Accepted",
                    true,
                    "ListenersNotValid",
                    "some listeners are not valid",
                ));
                true
            }
            Ok(()) => {
                conds.push(Condition::new(
                    "Accepted",
                    false,
                    "ListenersNotValid",
                    "no listener is valid",
                ));
                false
            }
        };
        let prog = accepted && any_prog && programmed;
        conds.push(if prog {
            Condition::new("Programmed", true, "Programmed", "programmed")
        } else if let Err((reason, msg)) = &set.allowed {
            Condition::new("Programmed", false, reason, msg.clone())
        } else if !gateway_accepted {
            Condition::new(
                "Programmed",
                false,
                "ParentNotAccepted",
                "the parent Gateway is not accepted",
            )
        } else if accepted && !programmed {
            Condition::new(
                "Programmed",
                false,
                "ParentNotProgrammed",
                "the parent Gateway is not programmed",
            )
        } else {
            Condition::new(
                "Programmed",
                false,
                "ListenersNotValid",
                "no listener is programmed",
            )
        });
        attached_sets += u32::from(accepted);
        set_programmed.push(prog);
        sets.push((
            ListenerSetStatus {
                namespace: set.obj.meta.namespace.clone(),
                name: set.obj.meta.name.clone(),
                conditions: conds,
                listeners: listeners.into_iter().map(|(s, _, _)| s).collect(),
            },
            set.obj.meta.generation,
        ));
    }

    let mut rt = GatewayRt::default();
    for mut l in g.listeners {
        let serves = match l.owner {
            Owner::Gateway => programmed,
            Owner::ListenerSet(i) => set_programmed.get(i).copied().unwrap_or(false),
        };
        if !serves {
            l.rt.programmed = false;
        }
        sort_entries(&mut l.rt.entries);
        sort_entries(&mut l.rt.grpc_entries);
        l.rt.build_index();
        rt.listeners.push(l.rt);
    }
    let status = GatewayStatus {
        namespace: g.obj.meta.namespace.clone(),
        name: g.obj.meta.name.clone(),
        addresses: g.addresses,
        conditions,
        listeners: statuses,
        attached_listener_sets: attached_sets,
    };
    (status, sets, (rt, g.obj.meta.generation))
}

fn secret_value(s: &api::SecretSpec, key: &str) -> Option<Vec<u8>> {
    if let Some(v) = s.string_data.get(key) {
        return Some(v.clone().into_bytes());
    }
    let data = s.data.get(key)?;
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .ok()
}

fn pem_has(pem: &[u8], label: &str) -> bool {
    let text = String::from_utf8_lossy(pem);
    text.contains("-----BEGIN ") && text.contains(label) && text.contains("-----END ")
}

#[cfg(test)]
mod attach_tests {
    use super::*;

    #[test]
    fn intersect_owned_is_intersect() {
        let names = [
            "a.example.com",
            "b.example.com",
            "*.example.com",
            "*.a.example.com",
            "*.com",
            "example.com",
            "*.other.org",
        ];
        let hosts: Vec<Hostname> = names.iter().map(|n| Hostname::parse(n)).collect();
        for l in std::iter::once(None).chain(hosts.iter().map(Some)) {
            for r in &hosts {
                assert_eq!(
                    intersect_owned(l, r.clone()),
                    Hostname::intersect(l, r),
                    "{l:?} and {r:?}"
                );
            }
        }
    }
}
