//! Compile: GatewayClass → Gateways → listeners → route attachment → rules, giving
//! the immutable [`Router`] and the [`Status`] of every object.
//!
//! # Status policy
//!
//! - **GatewayClass**: `Accepted=True` when `controllerName` is ours; other classes
//!   and their Gateways are passed over.
//! - **Listener**: protocols `HTTP` and `HTTPS` are served; any other protocol gets
//!   `Accepted=False/UnsupportedProtocol` and no supported kinds. Listeners sharing a
//!   port with an incompatible protocol (HTTP with HTTPS/TLS/TCP, ...) all get
//!   `Conflicted=True/ProtocolConflict` and `Accepted=False`; there is no winner.
//!   An HTTPS listener whose `certificateRefs` do not resolve gets
//!   `ResolvedRefs=False` (`InvalidCertificateRef`, or `RefNotPermitted` for a
//!   cross-namespace Secret without a ReferenceGrant) and is not programmed.
//!   `allowedRoutes.kinds` naming a kind the listener cannot serve gives
//!   `ResolvedRefs=False/InvalidRouteKinds`; the supported kinds still attach.
//!   `attachedRoutes` counts routes accepted on the listener, programmed or not.
//! - **Gateway**: `Accepted=True` (reason `ListenersNotValid` when some listeners are
//!   not accepted; `False` when none is); `Programmed=True` when a listener is
//!   programmed. Requested addresses of type `IPAddress` or `Hostname` are reported
//!   as given; any other type gives `Accepted=False/UnsupportedAddress`.
//! - **Route parents**: for each parentRef naming one of our Gateways:
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
use crate::precedence::PrecedenceKey;
use crate::reference_grant::{self, RefEnd};
use crate::resources::{Object, Resources};
use crate::router::{
    Action, BackendFilters, BackendTarget, Certificate, Entry, GatewayRt, Inner, ListenerRt,
    Mirror, Protocol, RouteInfo, Router, RuleFilters, RuleRt, Timeouts, WeightedBackend,
};
use crate::status::{
    AddressStatus, Condition, GatewayClassStatus, GatewayStatus, GroupKind, ListenerStatus,
    ParentRefStatus, RouteParentStatus, RouteStatus, Status,
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
    status: Status,
    generations: HashMap<(String, String, String), i64>,
}

impl Compiled {
    /// The router.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The status of every object, with `now` as `lastTransitionTime` (the core
    /// reads no clock) and `observedGeneration` from each object's generation.
    pub fn status(&self, now: Timestamp) -> Status {
        self.status.stamped(now, |kind, ns, name| {
            self.generations
                .get(&(kind.to_owned(), ns.to_owned(), name.to_owned()))
                .copied()
                .unwrap_or(0)
        })
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
    from: AllowedFrom,
    kinds: Vec<GroupKind>,
    accepted: Result<(), (&'static str, String)>,
    conflicted: Option<&'static str>,
    resolved: Result<(), (&'static str, String)>,
    attached: BTreeSet<u32>,
}

enum AllowedFrom {
    All,
    Same,
    Selector(LabelSelector),
}

struct GatewayBuild<'r> {
    obj: &'r Object<api::GatewaySpec>,
    listeners: Vec<ListenerBuild>,
    addresses: Vec<AddressStatus>,
    address_error: Option<String>,
}

/// One compiled rule, before attachment.
struct RuleBuild {
    matches: Vec<RouteMatch>,
    rule: RuleRt,
}

struct RouteBuild {
    rules: Vec<RuleBuild>,
    dropped: Vec<String>,
    unresolved: Option<InvalidBackend>,
}

struct Compiler<'r> {
    res: &'r Resources,
    opts: &'r Options,
    services: backend::Services<'r>,
}

impl<'r> Compiler<'r> {
    fn new(res: &'r Resources, opts: &'r Options) -> Self {
        Compiler {
            res,
            opts,
            services: backend::Services::new(res),
        }
    }

    fn run(self) -> Compiled {
        let mut status = Status::default();
        let mut generations = HashMap::new();
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
                generations.insert(
                    ("GatewayClass".into(), String::new(), c.meta.name.clone()),
                    c.meta.generation,
                );
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

        let mut inner = Inner::default();
        for (route_id, route) in self.res.http_routes.iter().enumerate() {
            let route_id = u32::try_from(route_id).unwrap_or(u32::MAX);
            let mut parents = Vec::new();
            let mut build: Option<RouteBuild> = None;
            // This route's rules go to the end of `inner.rules`, so their ids are known
            // before attachment records entries that point at them.
            let first_rule = u32::try_from(inner.rules.len()).unwrap_or(u32::MAX);
            for pref in &route.spec.parent_refs {
                let group = pref.group.as_deref().unwrap_or(GATEWAY_GROUP);
                let kind = pref.kind.as_deref().unwrap_or("Gateway");
                let ns = pref.namespace.as_deref().unwrap_or(&route.meta.namespace);
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
                let b = build.get_or_insert_with(|| self.route(route, route_id));
                let conditions = attach(self.res, route, route_id, first_rule, pref, gw, b);
                parents.push(RouteParentStatus {
                    parent_ref: ParentRefStatus {
                        group: group.to_owned(),
                        kind: kind.to_owned(),
                        namespace: ns.to_owned(),
                        name: name.to_owned(),
                        section_name: pref.section_name.clone(),
                        port: pref.port.and_then(|p| u16::try_from(p).ok()),
                    },
                    controller_name: self.opts.controller_name.clone(),
                    conditions,
                });
            }
            inner.routes.push(RouteInfo {
                kind: "HTTPRoute",
                namespace: route.meta.namespace.clone(),
                name: route.meta.name.clone(),
            });
            if let Some(b) = build {
                inner.rules.extend(b.rules.into_iter().map(|r| r.rule));
            }
            if !parents.is_empty() {
                generations.insert(
                    (
                        "HTTPRoute".into(),
                        route.meta.namespace.clone(),
                        route.meta.name.clone(),
                    ),
                    route.meta.generation,
                );
                status.routes.push(RouteStatus {
                    kind: "HTTPRoute",
                    namespace: route.meta.namespace.clone(),
                    name: route.meta.name.clone(),
                    parents,
                });
            }
        }

        for g in gateways {
            let (gs, rt) = finish_gateway(g);
            generations.insert(
                ("Gateway".into(), gs.namespace.clone(), gs.name.clone()),
                rt.1,
            );
            inner
                .gateways
                .entry(gs.namespace.clone())
                .or_default()
                .insert(gs.name.clone(), rt.0);
            status.gateways.push(gs);
        }
        Compiled {
            router: Router {
                inner: Arc::new(inner),
            },
            status,
            generations,
        }
    }

    fn gateway(&self, g: &'r Object<api::GatewaySpec>) -> GatewayBuild<'r> {
        let listeners_spec: &[Listener] = g.spec.listeners.as_deref().unwrap_or(&[]);
        let mut listeners: Vec<ListenerBuild> =
            listeners_spec.iter().map(|l| self.listener(g, l)).collect();
        detect_conflicts(&mut listeners);
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
        GatewayBuild {
            obj: g,
            listeners,
            addresses,
            address_error,
        }
    }

    fn listener(&self, g: &Object<api::GatewaySpec>, l: &Listener) -> ListenerBuild {
        let name = l.name.clone().unwrap_or_default();
        let port = l.port.and_then(|p| u16::try_from(p).ok()).unwrap_or(0);
        let protocol_text = l.protocol.as_deref().unwrap_or("");
        let protocol = match protocol_text {
            "HTTP" => Some(Protocol::Http),
            "HTTPS" => Some(Protocol::Https),
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
        if protocol.is_none() {
            accepted = Err((
                "UnsupportedProtocol",
                format!("protocol {protocol_text} is not supported"),
            ));
        } else {
            let requested: &[api::RouteGroupKind] = l
                .allowed_routes
                .as_ref()
                .map_or(&[], |a| a.kinds.as_slice());
            if requested.is_empty() {
                kinds.push(GroupKind {
                    group: GATEWAY_GROUP.into(),
                    kind: "HTTPRoute".into(),
                });
            } else {
                let mut invalid = Vec::new();
                for k in requested {
                    let group = k.group.as_deref().unwrap_or(GATEWAY_GROUP);
                    let kind = k.kind.as_deref().unwrap_or("");
                    if group == GATEWAY_GROUP && kind == "HTTPRoute" {
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
                            "route kinds not supported on {protocol_text}: {}",
                            invalid.join(", ")
                        ),
                    ));
                }
            }
        }
        let mut certificates = Vec::new();
        if protocol == Some(Protocol::Https) && resolved.is_ok() {
            match self.certificates(g, l) {
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
                tls_mode: None,
                certificates,
                entries: Vec::new(),
                index: Default::default(),
            },
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
        g: &Object<api::GatewaySpec>,
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
            let ns = r.namespace.as_deref().unwrap_or(&g.meta.namespace);
            let name = r.name.as_deref().unwrap_or("");
            if !group.is_empty() || kind != "Secret" {
                return Err((
                    "InvalidCertificateRef",
                    format!("{field}: unsupported kind {group}/{kind} (only core Secret)"),
                ));
            }
            let from = RefEnd {
                group: GATEWAY_GROUP,
                kind: "Gateway",
                namespace: &g.meta.namespace,
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
            rules: Vec::new(),
            dropped: Vec::new(),
            unresolved: None,
        };
        for (i, rule) in rules.iter().enumerate() {
            match self.rule(route, route_id, i, rule, &mut build.unresolved) {
                Ok(r) => build.rules.push(r),
                Err(msg) => build.dropped.push(format!("spec.rules[{i}]: {msg}")),
            }
        }
        build
    }

    fn rule(
        &self,
        route: &Object<api::HttpRouteSpec>,
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
        let mut matches = Vec::new();
        for (j, m) in wire_matches.iter().enumerate() {
            matches.push(compile_match(m).map_err(|e| format!("matches[{j}]: {e}"))?);
        }
        let matched_prefix = match matches.as_slice() {
            [only] if matches!(only.path, PathMatch::PathPrefix(_)) => only.path.value().to_owned(),
            _ => "/".to_owned(),
        };
        let ns = &route.meta.namespace;
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
            let field = format!("spec.rules[{i}].filters[{fi}]");
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
                    if let Some(m) = self.mirror(f, ns, &field, &mut note) {
                        filters.mirrors.push(m);
                    }
                }
                Some("ExtensionRef") => {
                    extension = true;
                    let e = f.extension_ref.clone().unwrap_or_default();
                    note(InvalidBackend {
                        reason: "InvalidKind",
                        message: format!(
                            "{field}.extensionRef: extension {}/{} {} is not supported by gatewise",
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
        let mut backends = Vec::new();
        for (bi, b) in rule.backend_refs.iter().enumerate() {
            let field = format!("spec.rules[{i}].backendRefs[{bi}]");
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
                        if let Some(m) =
                            self.mirror(f, ns, &format!("{field}.filters[{fi}]"), &mut note)
                        {
                            bf.mirrors.push(m);
                        }
                    }
                    Some("ExtensionRef") => {
                        invalid_filter = Some(InvalidBackend {
                            reason: "InvalidKind",
                            message: format!(
                                "{field}.filters[{fi}].extensionRef: extensions are not supported by gatewise"
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
                None => backend::resolve(
                    self.res,
                    &self.services,
                    "HTTPRoute",
                    ns,
                    &field,
                    &b.object_ref(),
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
                filters: bf,
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
            rule: RuleRt {
                route: route_id,
                index: u16::try_from(i).unwrap_or(u16::MAX),
                name: rule.name.clone(),
                matched_prefix,
                action,
                filters,
            },
        })
    }

    fn mirror(
        &self,
        f: &HttpRouteFilter,
        ns: &str,
        field: &str,
        note: &mut impl FnMut(InvalidBackend),
    ) -> Option<Mirror> {
        let m = f.request_mirror.as_ref()?;
        let r = m.backend_ref.clone().unwrap_or_default();
        match backend::resolve(
            self.res,
            &self.services,
            "HTTPRoute",
            ns,
            &format!("{field}.requestMirror.backendRef"),
            &r,
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

fn compile_match(m: &HttpRouteMatch) -> Result<RouteMatch, String> {
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

/// Attaches a route to one parent Gateway and returns the parent's conditions.
fn attach(
    res: &Resources,
    route: &Object<api::HttpRouteSpec>,
    route_id: u32,
    first_rule: u32,
    pref: &ParentReference,
    gw: &mut GatewayBuild<'_>,
    build: &RouteBuild,
) -> Vec<Condition> {
    let section = pref.section_name.as_deref();
    let port = pref.port.and_then(|p| u16::try_from(p).ok());
    let selected: Vec<usize> = gw
        .listeners
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            section.is_none_or(|s| s == l.rt.name) && port.is_none_or(|p| p == l.rt.port)
        })
        .map(|(i, _)| i)
        .collect();
    let mut conditions = Vec::new();
    let resolved = match &build.unresolved {
        None => Condition::new(
            "ResolvedRefs",
            true,
            "ResolvedRefs",
            "all references resolved",
        ),
        Some(e) => Condition::new("ResolvedRefs", false, e.reason, e.message.clone()),
    };
    let what = match (section, port) {
        (Some(s), Some(p)) => format!("listener {s} on port {p}"),
        (Some(s), None) => format!("listener {s}"),
        (None, Some(p)) => format!("listeners on port {p}"),
        (None, None) => "listeners".to_owned(),
    };
    let gw_name = format!("{}/{}", gw.obj.meta.namespace, gw.obj.meta.name);
    if selected.is_empty() {
        conditions.push(Condition::new(
            "Accepted",
            false,
            "NoMatchingParent",
            format!("Gateway {gw_name} has no {what}"),
        ));
        conditions.push(resolved);
        return conditions;
    }
    let route_ns_labels = res.namespace_labels(&route.meta.namespace);
    let allowed: Vec<usize> = selected
        .into_iter()
        .filter(|&i| {
            let l = &gw.listeners[i];
            let kind_ok = l
                .kinds
                .iter()
                .any(|k| k.group == GATEWAY_GROUP && k.kind == "HTTPRoute");
            let ns_ok = match &l.from {
                AllowedFrom::All => true,
                AllowedFrom::Same => route.meta.namespace == gw.obj.meta.namespace,
                AllowedFrom::Selector(sel) => selector_matches(sel, &route_ns_labels),
            };
            kind_ok && ns_ok
        })
        .collect();
    if allowed.is_empty() {
        conditions.push(Condition::new(
            "Accepted",
            false,
            "NotAllowedByListeners",
            format!(
                "no {what} of Gateway {gw_name} allows HTTPRoute from namespace {}",
                route.meta.namespace
            ),
        ));
        conditions.push(resolved);
        return conditions;
    }
    let route_hosts: Vec<Hostname> = route
        .spec
        .hostnames
        .iter()
        .map(|h| Hostname::parse(h))
        .collect();
    let mut attached: Vec<(usize, Vec<Option<Hostname>>)> = Vec::new();
    for i in allowed {
        let lh = gw.listeners[i].rt.hostname.as_ref();
        let effective: Vec<Option<Hostname>> = if route_hosts.is_empty() {
            vec![lh.cloned()]
        } else {
            let mut v: Vec<Option<Hostname>> = route_hosts
                .iter()
                .filter_map(|h| Hostname::intersect(lh, h))
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
    if attached.is_empty() {
        conditions.push(Condition::new(
            "Accepted",
            false,
            "NoMatchingListenerHostname",
            format!("no hostname of the route intersects the hostname of the {what} of Gateway {gw_name}"),
        ));
        conditions.push(resolved);
        return conditions;
    }
    if build.rules.is_empty() {
        conditions.push(Condition::new(
            "Accepted",
            false,
            "UnsupportedValue",
            format!("every rule is invalid: {}", build.dropped.join("; ")),
        ));
        conditions.push(resolved);
        return conditions;
    }
    for (i, hosts) in attached {
        let l = &mut gw.listeners[i];
        if !l.attached.insert(route_id) {
            continue; // already attached through another parentRef
        }
        for (ri, rb) in build.rules.iter().enumerate() {
            for (mi, m) in rb.matches.iter().enumerate() {
                let key = PrecedenceKey::new(
                    m,
                    route.meta.created,
                    &route.meta.namespace,
                    &route.meta.name,
                    usize::from(rb.rule.index),
                    mi,
                );
                for h in &hosts {
                    l.rt.entries.push(Entry {
                        rule: first_rule + u32::try_from(ri).unwrap_or(0),
                        match_index: u16::try_from(mi).unwrap_or(u16::MAX),
                        hostname: h.clone(),
                        m: m.clone(),
                        key: key.clone(),
                    });
                }
            }
        }
    }
    conditions.push(Condition::new("Accepted", true, "Accepted", "accepted"));
    conditions.push(resolved);
    if !build.dropped.is_empty() {
        conditions.push(Condition::new(
            "PartiallyInvalid",
            true,
            "UnsupportedValue",
            format!("Dropped Rule(s): {}", build.dropped.join("; ")),
        ));
    }
    conditions
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

/// Transport families that cannot share a port with one another.
fn family(protocol: &str) -> Option<&'static str> {
    match protocol {
        "HTTP" => Some("http"),
        "HTTPS" | "TLS" => Some("tls"),
        "TCP" => Some("tcp"),
        _ => None,
    }
}

fn detect_conflicts(listeners: &mut [ListenerBuild]) {
    let proto = |l: &ListenerBuild| match l.rt.protocol {
        Some(p) => p.as_str(),
        None => "",
    };
    let mut by_port: BTreeMap<u16, BTreeSet<&'static str>> = BTreeMap::new();
    for l in listeners.iter() {
        if let Some(f) = family(proto(l)) {
            by_port.entry(l.rt.port).or_default().insert(f);
        }
    }
    for l in listeners.iter_mut() {
        if family(proto(l)).is_some() && by_port.get(&l.rt.port).is_some_and(|f| f.len() > 1) {
            l.conflicted = Some("ProtocolConflict");
        }
    }
}

/// Sorts a listener's entries by precedence. The positions are sorted, then the
/// entries moved once: moving the large entries at every step of the sort costs
/// more than the comparisons at thousands of routes. Stable, like `sort_by`.
fn sort_entries(entries: &mut Vec<Entry>) {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].key.cmp(&entries[b].key));
    let mut slots: Vec<Option<Entry>> = std::mem::take(entries).into_iter().map(Some).collect();
    entries.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

fn finish_gateway(mut g: GatewayBuild<'_>) -> (GatewayStatus, (GatewayRt, i64)) {
    let mut statuses = Vec::new();
    let mut any_accepted = false;
    let mut all_accepted = true;
    let mut any_programmed = false;
    for l in &mut g.listeners {
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
                "another listener on this port uses an incompatible protocol",
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
        // listener serves, with no routes of those kinds: 404).
        let refs_block = matches!(&l.resolved, Err((r, _)) if *r != "InvalidRouteKinds");
        let programmed = accepted_ok && !refs_block;
        conds.push(if programmed {
            Condition::new("Programmed", true, "Programmed", "programmed")
        } else {
            Condition::new("Programmed", false, "Invalid", "listener is not valid")
        });
        any_accepted |= accepted_ok;
        all_accepted &= accepted_ok;
        any_programmed |= programmed;
        l.rt.programmed = programmed;
        statuses.push(ListenerStatus {
            name: l.rt.name.clone(),
            supported_kinds: l.kinds.clone(),
            attached_routes: u32::try_from(l.attached.len()).unwrap_or(u32::MAX),
            conditions: conds,
        });
    }
    let mut conditions = Vec::new();
    if let Some(msg) = &g.address_error {
        conditions.push(Condition::new(
            "Accepted",
            false,
            "UnsupportedAddress",
            msg.clone(),
        ));
    } else if all_accepted && !g.listeners.is_empty() {
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
    let programmed = any_programmed && g.address_error.is_none();
    conditions.push(if programmed {
        Condition::new("Programmed", true, "Programmed", "programmed")
    } else {
        Condition::new("Programmed", false, "Invalid", "no listener is programmed")
    });
    let mut rt = GatewayRt::default();
    for mut l in g.listeners {
        if !programmed {
            l.rt.programmed = false;
        }
        sort_entries(&mut l.rt.entries);
        l.rt.build_index();
        rt.listeners.push(l.rt);
    }
    let status = GatewayStatus {
        namespace: g.obj.meta.namespace.clone(),
        name: g.obj.meta.name.clone(),
        addresses: g.addresses,
        conditions,
        listeners: statuses,
    };
    (status, (rt, g.obj.meta.generation))
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
