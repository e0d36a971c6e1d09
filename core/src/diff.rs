//! Diff: what a change to the manifests does to status and to traffic.
//!
//! [`diff`] compiles two versions of a configuration, OLD and NEW, and reports:
//!
//! - **Status changes** ([`StatusChange`]): every condition of every handled
//!   object (GatewayClass, Gateway and its listeners, ListenerSet and its
//!   listeners, each route parent) whose `status` or `reason` differs, appears
//!   or disappears, and every listener whose `attachedRoutes` changes. A
//!   condition whose message alone changes is not a change.
//! - **Traffic changes** ([`TrafficChange`]): for every rule match attached to
//!   a listener in either version, a representative request derived from the
//!   match ([`ExampleRequest`]: its path, method, headers, query parameters and
//!   a host from the route's or listener's hostnames), plus one request per
//!   programmed listener (path `/`), is routed through both versions; each
//!   request whose [`DecisionView`] differs is reported with both decisions and
//!   the names of the fields that differ. A request stands for its match, not
//!   for every request: a change that only some other request would see (a
//!   header value the match does not name, a wider regular expression) is not
//!   found.
//! - **Skipped matches** ([`SkippedMatch`]): matches no request could be derived
//!   from (a regular expression too complex to sample, an unservable listener
//!   protocol), each with a note.
//!
//! ```
//! use gatewise::{Options, diff};
//! let base = include_str!("../../examples/quickstart.yaml");
//! let old = gatewise::load_str("old.yaml", base);
//! let new = gatewise::load_str("new.yaml", &base.replace("value: /api}", "value: /v2/api}"));
//! let report = diff::diff(&old.resources, &new.resources, &Options::default());
//! assert!(!report.traffic_changes.is_empty());
//! // `/api` no longer reaches the API rule in NEW:
//! let change = report
//!     .traffic_changes
//!     .iter()
//!     .find(|c| c.request.path.as_deref() == Some("/api") && c.request.headers.is_empty())
//!     .expect("a change for /api");
//! assert_eq!(change.old.rule, Some(2));
//! assert_eq!(change.new.rule, Some(0));
//! println!("{report}");
//! ```
//!
//! # Creation times
//!
//! Age breaks precedence ties, and objects without `creationTimestamp` get one
//! from their position in the input ([`crate::load`]). Applying NEW to a
//! cluster that holds OLD does not re-create what already exists, so [`diff`]
//! first carries creation times over ([`carry_creation_times`]): an object in
//! both versions (same kind, namespace and name) keeps OLD's; an object only in
//! NEW whose time is not after every OLD object's is moved after them, keeping
//! its order among the new ones. A new route with the same match as an existing
//! one is thus newer, as it would be in the cluster, and loses the tie.
//! [`diff_compiled`] compares two compilations as they are.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

use crate::compile::{Compiled, Options};
use crate::error::{ObjectRef, Rejection};
use crate::example::{ExampleRequest, for_listener, sites};
use crate::load::Loaded;
use crate::resources::{Meta, Resources};
use crate::router::Router;
use crate::status::{Condition, ParentRefStatus, Status};
use crate::time::Timestamp;
use crate::view::DecisionView;

/// What changed between two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiffReport {
    /// Status conditions (and `attachedRoutes`) that differ, by object.
    pub status_changes: Vec<StatusChange>,
    /// Requests whose decision differs.
    pub traffic_changes: Vec<TrafficChange>,
    /// Matches no request could be derived from.
    pub skipped: Vec<SkippedMatch>,
    /// How many distinct requests were routed through both versions.
    pub requests_checked: usize,
}

impl DiffReport {
    /// Whether neither status nor traffic changes (what a CI gate checks).
    pub fn is_empty(&self) -> bool {
        self.status_changes.is_empty() && self.traffic_changes.is_empty()
    }
}

/// One status condition (or `attachedRoutes`) of one object that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StatusChange {
    /// The object.
    pub object: ObjectRef,
    /// For a listener's condition: the listener's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// For a route's condition: the parent it is reported for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<ParentRefStatus>,
    /// The condition type (`Accepted`, `ResolvedRefs`, ...) or `attachedRoutes`.
    pub condition: String,
    /// In OLD (`None`: absent).
    pub old: Option<StatusValue>,
    /// In NEW (`None`: absent).
    pub new: Option<StatusValue>,
}

/// A condition's value (or a listener's `attachedRoutes` count as `status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StatusValue {
    /// `True`, `False`, or the count.
    pub status: String,
    /// The condition's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The condition's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Which version a request was derived from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Version {
    /// The configuration before the change.
    Old,
    /// The configuration after the change.
    New,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::Old => "old",
            Version::New => "new",
        })
    }
}

/// What a request was derived from: a rule match, or a listener.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestSource {
    /// The version the rule or listener is in.
    pub version: Version,
    /// The route (for a rule) or the Gateway (for a listener).
    pub object: ObjectRef,
    /// The rule index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<usize>,
    /// The match index within the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_index: Option<usize>,
    /// The listener, as `namespace/gateway/listener`.
    pub listener: String,
}

impl fmt::Display for RequestSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.rule, self.match_index) {
            (Some(r), Some(m)) => write!(
                f,
                "{} rule {r} match {m} on {} ({})",
                self.object, self.listener, self.version
            ),
            _ => write!(f, "listener {} ({})", self.listener, self.version),
        }
    }
}

/// A request whose decision differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TrafficChange {
    /// The request.
    pub request: ExampleRequest,
    /// What it was derived from (one or more rule matches or listeners).
    pub sources: Vec<RequestSource>,
    /// The [`DecisionView`] fields that differ (`kind`, `route`, `backends`, ...).
    pub differs: Vec<String>,
    /// The decision in OLD.
    pub old: DecisionView,
    /// The decision in NEW.
    pub new: DecisionView,
}

/// A match no request could be derived from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SkippedMatch {
    /// Where the match is.
    #[serde(flatten)]
    pub source: RequestSource,
    /// Why no request was derived.
    pub note: String,
}

/// Compares two versions of a configuration: carries creation times from OLD
/// to NEW ([`carry_creation_times`]), compiles both with `options`, and
/// compares them ([`diff_compiled`]).
pub fn diff(old: &Resources, new: &Resources, options: &Options) -> DiffReport {
    let new = {
        let mut carried = new.clone();
        carry_creation_times(old, &mut carried);
        Router::compile(&carried, options)
    };
    diff_compiled(&Router::compile(old, options), &new)
}

/// What `gatewise diff -o json` prints, and what the Python and Node packages'
/// `diff(old, new)` return: the [`DiffReport`]'s fields, and `rejected`, the
/// objects each version's loading refused (they take no part in either).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DiffOutput<'a> {
    /// What changed.
    #[serde(flatten)]
    pub report: DiffReport,
    /// Objects refused at load, in each version.
    pub rejected: Rejected<'a>,
}

/// The objects refused at load in OLD and in NEW.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Rejected<'a> {
    /// In OLD.
    pub old: &'a [Rejection],
    /// In NEW.
    pub new: &'a [Rejection],
}

impl<'a> DiffOutput<'a> {
    /// Compares two loaded versions ([`diff`] of their resources).
    pub fn new(old: &'a Loaded, new: &'a Loaded, options: &Options) -> DiffOutput<'a> {
        DiffOutput {
            report: diff(&old.resources, &new.resources, options),
            rejected: Rejected {
                old: &old.rejections,
                new: &new.rejections,
            },
        }
    }
}

/// Gives objects of NEW the creation times they would have once applied over
/// OLD (see the [module docs](self)).
pub fn carry_creation_times(old: &Resources, new: &mut Resources) {
    let mut before: HashMap<(&'static str, String, String), Timestamp> = HashMap::new();
    let mut latest: Option<Timestamp> = None;
    for (kind, meta) in metas(old) {
        before.insert(
            (kind, meta.namespace.clone(), meta.name.clone()),
            meta.created,
        );
        latest = latest.max(Some(meta.created));
    }
    let mut fresh: Vec<&mut Meta> = Vec::new();
    for (kind, meta) in metas_mut(new) {
        match before.get(&(kind, meta.namespace.clone(), meta.name.clone())) {
            Some(t) => meta.created = *t,
            None if latest.is_some_and(|l| meta.created <= l) => fresh.push(meta),
            None => {}
        }
    }
    let Some(latest) = latest else {
        return;
    };
    fresh.sort_by_key(|m| m.created);
    for (i, meta) in fresh.into_iter().enumerate() {
        meta.created = latest.plus_secs(i64::try_from(i).unwrap_or(i64::MAX).saturating_add(1));
    }
}

fn metas(r: &Resources) -> Vec<(&'static str, &Meta)> {
    let mut v: Vec<(&'static str, &Meta)> = Vec::new();
    v.extend(r.gateway_classes.iter().map(|o| ("GatewayClass", &o.meta)));
    v.extend(r.gateways.iter().map(|o| ("Gateway", &o.meta)));
    v.extend(r.http_routes.iter().map(|o| ("HTTPRoute", &o.meta)));
    v.extend(r.grpc_routes.iter().map(|o| ("GRPCRoute", &o.meta)));
    v.extend(r.tls_routes.iter().map(|o| ("TLSRoute", &o.meta)));
    v.extend(r.tcp_routes.iter().map(|o| ("TCPRoute", &o.meta)));
    v.extend(r.udp_routes.iter().map(|o| ("UDPRoute", &o.meta)));
    v.extend(r.listener_sets.iter().map(|o| ("ListenerSet", &o.meta)));
    v.extend(
        r.reference_grants
            .iter()
            .map(|o| ("ReferenceGrant", &o.meta)),
    );
    v.extend(r.namespaces.iter().map(|o| ("Namespace", &o.meta)));
    v.extend(r.services.iter().map(|o| ("Service", &o.meta)));
    v.extend(r.secrets.iter().map(|o| ("Secret", &o.meta)));
    v
}

fn metas_mut(r: &mut Resources) -> Vec<(&'static str, &mut Meta)> {
    let mut v: Vec<(&'static str, &mut Meta)> = Vec::new();
    v.extend(
        r.gateway_classes
            .iter_mut()
            .map(|o| ("GatewayClass", &mut o.meta)),
    );
    v.extend(r.gateways.iter_mut().map(|o| ("Gateway", &mut o.meta)));
    v.extend(r.http_routes.iter_mut().map(|o| ("HTTPRoute", &mut o.meta)));
    v.extend(r.grpc_routes.iter_mut().map(|o| ("GRPCRoute", &mut o.meta)));
    v.extend(r.tls_routes.iter_mut().map(|o| ("TLSRoute", &mut o.meta)));
    v.extend(r.tcp_routes.iter_mut().map(|o| ("TCPRoute", &mut o.meta)));
    v.extend(r.udp_routes.iter_mut().map(|o| ("UDPRoute", &mut o.meta)));
    v.extend(
        r.listener_sets
            .iter_mut()
            .map(|o| ("ListenerSet", &mut o.meta)),
    );
    v.extend(
        r.reference_grants
            .iter_mut()
            .map(|o| ("ReferenceGrant", &mut o.meta)),
    );
    v.extend(r.namespaces.iter_mut().map(|o| ("Namespace", &mut o.meta)));
    v.extend(r.services.iter_mut().map(|o| ("Service", &mut o.meta)));
    v.extend(r.secrets.iter_mut().map(|o| ("Secret", &mut o.meta)));
    v
}

/// Compares two compilations as they are (no creation times carried over).
pub fn diff_compiled(old: &Compiled, new: &Compiled) -> DiffReport {
    let status_changes = status_changes(
        &old.status(Timestamp::default()),
        &new.status(Timestamp::default()),
    );
    let mut requests: BTreeMap<String, (ExampleRequest, Vec<RequestSource>)> = BTreeMap::new();
    let mut skipped: Vec<SkippedMatch> = Vec::new();
    for (version, compiled) in [(Version::Old, old), (Version::New, new)] {
        let router = compiled.router();
        for site in sites(router) {
            let source = RequestSource {
                version,
                object: ObjectRef::new(site.route.kind, &*site.route.namespace, &*site.route.name),
                rule: Some(usize::from(site.rule.index)),
                match_index: Some(usize::from(site.entry.match_index)),
                listener: format!(
                    "{}/{}/{}",
                    site.gateway.0, site.gateway.1, site.listener.name
                ),
            };
            match site.example() {
                Ok(ex) => add(&mut requests, ex, source),
                Err(note) => skipped.push(SkippedMatch { source, note }),
            }
        }
        for (ns, name) in router.gateways() {
            let Some(gw) = router.gateway(ns, name) else {
                continue;
            };
            for l in gw.listeners.iter().filter(|l| l.programmed) {
                let source = RequestSource {
                    version,
                    object: ObjectRef::new("Gateway", ns, name),
                    rule: None,
                    match_index: None,
                    listener: format!("{ns}/{name}/{}", l.name),
                };
                match for_listener((ns, name), gw, l) {
                    Ok(ex) => add(&mut requests, ex, source),
                    Err(note) => skipped.push(SkippedMatch { source, note }),
                }
            }
        }
    }
    skipped.sort();
    skipped.dedup();
    let requests_checked = requests.len();
    let mut traffic_changes = Vec::new();
    for (_, (request, sources)) in requests {
        let a = request.view(old.router());
        let b = request.view(new.router());
        if a == b {
            continue;
        }
        traffic_changes.push(TrafficChange {
            differs: differing_fields(&a, &b),
            request,
            sources,
            old: a,
            new: b,
        });
    }
    DiffReport {
        status_changes,
        traffic_changes,
        skipped,
        requests_checked,
    }
}

fn add(
    requests: &mut BTreeMap<String, (ExampleRequest, Vec<RequestSource>)>,
    ex: ExampleRequest,
    source: RequestSource,
) {
    let key = serde_json::to_string(&ex).unwrap_or_default();
    let slot = requests.entry(key).or_insert_with(|| (ex, Vec::new()));
    if !slot.1.contains(&source) {
        slot.1.push(source);
    }
}

/// The top-level fields of two views that differ, in the view's field order.
fn differing_fields(a: &DecisionView, b: &DecisionView) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// One status entry, keyed for comparison.
type StatusEntry = (
    ObjectRef,
    Option<String>,
    Option<ParentRefStatus>,
    String,
    StatusValue,
);

fn flatten(status: &Status) -> BTreeMap<String, StatusEntry> {
    let mut out = BTreeMap::new();
    let mut put = |object: &ObjectRef,
                   listener: Option<&str>,
                   parent: Option<&ParentRefStatus>,
                   condition: &str,
                   value: StatusValue| {
        let parent_key = parent.map_or_else(String::new, |p| {
            format!(
                "{}/{}/{}/{}/{}/{}",
                p.group,
                p.kind,
                p.namespace,
                p.name,
                p.section_name.as_deref().unwrap_or(""),
                p.port.map_or_else(String::new, |p| p.to_string())
            )
        });
        let key = format!(
            "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{parent_key}\u{0}{condition}",
            object.kind,
            object.namespace,
            object.name,
            listener.unwrap_or("")
        );
        out.insert(
            key,
            (
                object.clone(),
                listener.map(str::to_owned),
                parent.cloned(),
                condition.to_owned(),
                value,
            ),
        );
    };
    let cond = |c: &Condition| StatusValue {
        status: c.status.to_owned(),
        reason: Some(c.reason.to_owned()),
        message: Some(c.message.clone()),
    };
    let count = |n: u32| StatusValue {
        status: n.to_string(),
        reason: None,
        message: None,
    };
    for c in &status.gateway_classes {
        let o = ObjectRef::new("GatewayClass", "", &c.name);
        for x in &c.conditions {
            put(&o, None, None, x.type_, cond(x));
        }
    }
    for g in &status.gateways {
        let o = ObjectRef::new("Gateway", &g.namespace, &g.name);
        for x in &g.conditions {
            put(&o, None, None, x.type_, cond(x));
        }
        for l in &g.listeners {
            for x in &l.conditions {
                put(&o, Some(&l.name), None, x.type_, cond(x));
            }
            put(
                &o,
                Some(&l.name),
                None,
                "attachedRoutes",
                count(l.attached_routes),
            );
        }
    }
    for s in &status.listener_sets {
        let o = ObjectRef::new("ListenerSet", &s.namespace, &s.name);
        for x in &s.conditions {
            put(&o, None, None, x.type_, cond(x));
        }
        for l in &s.listeners {
            for x in &l.conditions {
                put(&o, Some(&l.name), None, x.type_, cond(x));
            }
            put(
                &o,
                Some(&l.name),
                None,
                "attachedRoutes",
                count(l.attached_routes),
            );
        }
    }
    for r in &status.routes {
        let o = ObjectRef::new(r.kind, &r.namespace, &r.name);
        for p in &r.parents {
            for x in &p.conditions {
                put(&o, None, Some(&p.parent_ref), x.type_, cond(x));
            }
        }
    }
    out
}

fn status_changes(old: &Status, new: &Status) -> Vec<StatusChange> {
    let mut a = flatten(old);
    let b = flatten(new);
    let mut out = Vec::new();
    for (key, (object, listener, parent, condition, value)) in b {
        let before = a.remove(&key).map(|x| x.4);
        let same = before
            .as_ref()
            .is_some_and(|o| o.status == value.status && o.reason == value.reason);
        if !same {
            out.push((
                key,
                StatusChange {
                    object,
                    listener,
                    parent,
                    condition,
                    old: before,
                    new: Some(value),
                },
            ));
        }
    }
    for (key, (object, listener, parent, condition, value)) in a {
        out.push((
            key,
            StatusChange {
                object,
                listener,
                parent,
                condition,
                old: Some(value),
                new: None,
            },
        ));
    }
    out.sort_by(|x, y| x.0.cmp(&y.0));
    out.into_iter().map(|(_, c)| c).collect()
}

/// A decision in one line: `forward to shop/api:8080 (weight 1) by HTTPRoute
/// shop/web rule 2`.
fn decision_line(v: &DecisionView) -> String {
    let by = v.route.as_ref().map_or_else(String::new, |r| {
        format!(
            " by {} {}/{} rule {}",
            r.kind,
            r.namespace,
            r.name,
            v.rule.unwrap_or_default()
        )
    });
    match v.kind {
        "forward" => {
            let targets: Vec<String> = v
                .backends
                .iter()
                .map(|b| match (&b.namespace, &b.name, b.port) {
                    (Some(ns), Some(n), Some(p)) => format!("{ns}/{n}:{p} (weight {})", b.weight),
                    _ => format!(
                        "an invalid backend (weight {}, {})",
                        b.weight,
                        b.reason.as_deref().unwrap_or("invalid")
                    ),
                })
                .collect();
            format!("forward to {}{by}", targets.join(", "))
        }
        "redirect" => format!(
            "redirect {} to {}{by}",
            v.status.unwrap_or_default(),
            v.location.as_deref().unwrap_or("")
        ),
        "respond" => format!(
            "respond {} ({}){by}",
            v.status.unwrap_or_default(),
            v.reason.unwrap_or("")
        ),
        other => format!("{other} ({}){by}", v.reason.unwrap_or("")),
    }
}

fn value_text(v: Option<&StatusValue>) -> String {
    match v {
        None => "(absent)".to_owned(),
        Some(v) => match &v.reason {
            Some(r) => format!("{}/{r}", v.status),
            None => v.status.clone(),
        },
    }
}

impl fmt::Display for StatusChange {
    /// `HTTPRoute shop/web parent Gateway infra/gw: Accepted True/Accepted ->
    /// False/NotAllowedByListeners (message)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.object)?;
        if let Some(l) = &self.listener {
            write!(f, " listener {l}")?;
        }
        if let Some(p) = &self.parent {
            write!(f, " parent {} {}/{}", p.kind, p.namespace, p.name)?;
            if let Some(s) = &p.section_name {
                write!(f, "/{s}")?;
            }
            if let Some(port) = p.port {
                write!(f, ":{port}")?;
            }
        }
        write!(
            f,
            ": {} {} -> {}",
            self.condition,
            value_text(self.old.as_ref()),
            value_text(self.new.as_ref())
        )?;
        if let Some(m) = self.new.as_ref().and_then(|v| v.message.as_deref()) {
            write!(f, " ({m})")?;
        }
        Ok(())
    }
}

impl fmt::Display for DiffReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.status_changes.is_empty() {
            writeln!(f, "status changes ({}):", self.status_changes.len())?;
            for c in &self.status_changes {
                writeln!(f, "  {c}")?;
            }
        }
        if !self.traffic_changes.is_empty() {
            writeln!(f, "traffic changes ({}):", self.traffic_changes.len())?;
            for c in &self.traffic_changes {
                writeln!(f, "  {}", c.request)?;
                for s in &c.sources {
                    writeln!(f, "    from {s}")?;
                }
                writeln!(f, "    old: {}", decision_line(&c.old))?;
                writeln!(f, "    new: {}", decision_line(&c.new))?;
                writeln!(f, "    differs in: {}", c.differs.join(", "))?;
            }
        }
        if !self.skipped.is_empty() {
            writeln!(f, "skipped ({}):", self.skipped.len())?;
            for s in &self.skipped {
                writeln!(f, "  {}: {}", s.source, s.note)?;
            }
        }
        write!(
            f,
            "{} requests checked: {} with a different decision; {} status changes",
            self.requests_checked,
            self.traffic_changes.len(),
            self.status_changes.len()
        )
    }
}
