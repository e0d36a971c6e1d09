//! Seeded, deterministic Gateway API workloads and the requests to send them.
//!
//! A [`Spec`] (shape, number of HTTPRoutes, number of hostnames, seed) always
//! generates the same [`Workload`]: one GatewayClass, one Gateway `bench/gw` with an
//! `HTTP` listener on port 80 that admits routes from every namespace, the
//! HTTPRoutes (spread over ten namespaces) and their Services. The routes are
//! kept as plain data ([`RouteDef`]) beside the manifests, so other routers
//! (matchit, nginx, haproxy) can be configured with the same rules.
//!
//! # Shapes
//!
//! - [`Shape::Realistic`]: mostly `PathPrefix`, some `Exact`, some header-, query-
//!   and method-qualified matches, a few `RegularExpression`s, some weighted
//!   backends and filters; one route in four hostnames also has a catch-all `/`.
//!   With one hostname it is the "every route on one hostname" worst case.
//! - [`Shape::DeepPrefixes`]: ten-element prefixes sharing long common prefixes.
//! - [`Shape::AllRegex`]: every match a regular expression.
//! - [`Shape::ManyHeaders`]: every route on `PathPrefix /api`, told apart only by
//!   four header matches each.
//! - [`Shape::WeightedFilters`]: the realistic rules, each with three weighted
//!   backends, header modifiers, a host rewrite and a mirror.
//! - [`Shape::PathOnly`]: routes without hostnames, one plain `PathPrefix` or
//!   `Exact` match each: what a path router such as matchit can express.
//!
//! Hostnames: one in five is a wildcard (`*.wN.example.com`), the others exact.
//!
//! # Requests
//!
//! Each rule match gets a *witness*, a request built to hit it. The witnesses
//! are ranked by where their match stands in the listener's precedence-ordered
//! list ([`Oracle::ranked`]), and every request kept is checked against the
//! [`Oracle`] (a witness shadowed by a higher-precedence match is dropped), so
//! [`Request::expect`] is the oracle's answer. See [`Class`] for the sets.

use std::collections::HashMap;
use std::fmt;

use gatewise::oracle::Oracle;
use gatewise::{Compiled, DecisionView, GatewayRef, HttpRequest, Loader, Options, Router};
use serde_json::{Value, json};

/// The Gateway's namespace.
pub const GATEWAY_NAMESPACE: &str = "bench";
/// The Gateway's name.
pub const GATEWAY_NAME: &str = "gw";
/// The listener every route attaches to.
pub const LISTENER: &str = "http";
/// The listener's port.
pub const PORT: u16 = 80;
/// The port of every Service.
pub const SERVICE_PORT: u16 = 8080;
/// Shared Services per namespace (`backend-0` …), beside one Service per
/// route (`svc-N`).
pub const SERVICES_PER_NAMESPACE: usize = 4;
/// Namespaces the routes are spread over (`team-0` …).
pub const NAMESPACES: usize = 10;
/// Requests in the realistic traffic mix ([`Class::Mix`]), at most.
pub const MIX_SIZE: usize = 256;
/// The host of requests to a workload whose routes have no hostnames.
pub const ANY_HOST: &str = "any.example.com";

/// The benchmark Gateway.
pub fn gateway() -> GatewayRef<'static> {
    GatewayRef::new(GATEWAY_NAMESPACE, GATEWAY_NAME)
}

/// What the routes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// The realistic mix (see the module docs).
    Realistic,
    /// Deep prefixes with long shared beginnings.
    DeepPrefixes,
    /// Every match a regular expression.
    AllRegex,
    /// Every route on one path, told apart by header matches.
    ManyHeaders,
    /// Weighted backends and filters on every rule.
    WeightedFilters,
    /// No hostnames; plain `PathPrefix` and `Exact` matches only.
    PathOnly,
}

impl Shape {
    /// Every shape.
    pub const ALL: [Shape; 6] = [
        Shape::Realistic,
        Shape::DeepPrefixes,
        Shape::AllRegex,
        Shape::ManyHeaders,
        Shape::WeightedFilters,
        Shape::PathOnly,
    ];

    /// A short name for tables and bench ids.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Realistic => "realistic",
            Shape::DeepPrefixes => "deep-prefixes",
            Shape::AllRegex => "all-regex",
            Shape::ManyHeaders => "many-headers",
            Shape::WeightedFilters => "weighted-filters",
            Shape::PathOnly => "path-only",
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Spec {
    /// The shape.
    pub shape: Shape,
    /// Number of HTTPRoutes (at least one is generated).
    pub routes: usize,
    /// Number of hostnames the routes are spread over (at least one; ignored by
    /// [`Shape::PathOnly`]).
    pub hostnames: usize,
    /// The seed.
    pub seed: u64,
}

impl Spec {
    /// The default seed.
    pub const SEED: u64 = 0x6761_7465_7769_7365;

    /// A spec with the default seed.
    pub fn new(shape: Shape, routes: usize, hostnames: usize) -> Spec {
        Spec {
            shape,
            routes,
            hostnames,
            seed: Spec::SEED,
        }
    }

    /// The same spec with another seed.
    pub fn with_seed(self, seed: u64) -> Spec {
        Spec { seed, ..self }
    }
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shape == Shape::PathOnly {
            write!(f, "{}/{}r", self.shape.name(), self.routes)
        } else {
            write!(
                f,
                "{}/{}r/{}h",
                self.shape.name(),
                self.routes,
                self.hostnames
            )
        }
    }
}

/// A generated HTTPRoute, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDef {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.hostnames` (empty: any).
    pub hostnames: Vec<String>,
    /// `spec.rules`.
    pub rules: Vec<RuleDef>,
}

/// A generated rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDef {
    /// `matches`.
    pub matches: Vec<MatchDef>,
    /// `backendRefs` as (Service name, weight).
    pub backends: Vec<(String, u32)>,
    /// `filters`, as written in the manifest.
    pub filters: Vec<Value>,
}

/// A generated match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchDef {
    /// The path condition.
    pub path: PathDef,
    /// `method`.
    pub method: Option<String>,
    /// `headers` (exact values).
    pub headers: Vec<(String, String)>,
    /// `queryParams` (exact values).
    pub query: Vec<(String, String)>,
}

/// A path condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathDef {
    /// `Exact`.
    Exact(String),
    /// `PathPrefix`.
    PathPrefix(String),
    /// `RegularExpression`, with a path it matches.
    RegularExpression {
        /// The pattern.
        pattern: String,
        /// A path the pattern matches.
        example: String,
    },
}

impl MatchDef {
    fn path(path: PathDef) -> MatchDef {
        MatchDef {
            path,
            method: None,
            headers: Vec::new(),
            query: Vec::new(),
        }
    }

    /// Whether the match is a plain path condition (no method, header or query).
    pub fn is_path_only(&self) -> bool {
        self.method.is_none() && self.headers.is_empty() && self.query.is_empty()
    }
}

/// Which request set a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// The realistic traffic mix: up to [`MIX_SIZE`] witnesses drawn uniformly
    /// from every rule match.
    Mix,
    /// Hits the match that comes first in precedence order (the fewest entries
    /// an ordered-list router tries).
    First,
    /// Hits the match in the middle of the precedence order.
    Middle,
    /// Hits the match that comes last in precedence order (an ordered-list
    /// router tries every entry before it).
    Last,
    /// A known hostname, a path no route matches.
    Miss,
    /// A hostname no route names.
    UnknownHost,
    /// A hit with a long path (60 extra elements) and a long query.
    LongPath,
    /// A hit carrying 40 more headers than it needs.
    ManyHeaders,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 8] = [
        Class::Mix,
        Class::First,
        Class::Middle,
        Class::Last,
        Class::Miss,
        Class::UnknownHost,
        Class::LongPath,
        Class::ManyHeaders,
    ];

    /// A short name for tables and bench ids.
    pub fn name(self) -> &'static str {
        match self {
            Class::Mix => "mix",
            Class::First => "first",
            Class::Middle => "middle",
            Class::Last => "last",
            Class::Miss => "miss",
            Class::UnknownHost => "unknown-host",
            Class::LongPath => "long-path",
            Class::ManyHeaders => "many-headers",
        }
    }
}

/// One request, owned.
#[derive(Debug, Clone)]
pub struct Request {
    /// The set it belongs to.
    pub class: Class,
    /// Method.
    pub method: String,
    /// `Host`.
    pub host: String,
    /// Path and query.
    pub target: String,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The oracle's decision.
    pub expect: DecisionView,
    /// Where the winning match stands in precedence order
    /// ([`Oracle::position`]), `None` without a winner.
    pub position: Option<usize>,
}

impl Request {
    /// The request as the router reads it.
    pub fn http(&self) -> HttpRequest<'_> {
        HttpRequest::new(&self.method, &self.host, &self.target).owned_headers(&self.headers)
    }
}

/// A generated workload: manifests, compiled router, requests.
#[derive(Debug)]
pub struct Workload {
    /// What was generated.
    pub spec: Spec,
    /// The routes as plain data.
    pub routes: Vec<RouteDef>,
    /// Every manifest (GatewayClass, Gateway, Namespaces, Services, HTTPRoutes).
    pub objects: Vec<Value>,
    /// The loaded resources (nothing rejected).
    pub loaded: gatewise::Loaded,
    /// The compiled router and status.
    pub compiled: Compiled,
    /// Entries in the listener (one per attached hostname, rule and match).
    pub entries: usize,
    /// The requests, by class.
    pub requests: Vec<Request>,
}

impl Workload {
    /// Generates, loads and compiles a workload, and builds its requests.
    ///
    /// # Panics
    ///
    /// When the generated manifests fail to load or are rejected, which is a bug
    /// in this generator.
    pub fn generate(spec: Spec) -> Workload {
        let mut rng = Rng::new(spec.seed ^ (spec.routes as u64).rotate_left(17));
        let hostnames = hostnames(spec);
        let routes: Vec<RouteDef> = (0..spec.routes.max(1))
            .map(|r| route(spec, r, &hostnames, &mut rng))
            .collect();
        let objects = manifests(&routes);
        let loaded = load(&objects);
        let compiled = Router::compile(&loaded.resources, &Options::default());
        let oracle = Oracle::new(compiled.router());
        let ranked = oracle.ranked(gateway(), LISTENER);
        let entries = ranked.len();
        let rank: HashMap<(&str, &str, usize, usize, String), usize> = ranked
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let m = &r.matched;
                let host = r.hostname.map(ToString::to_string).unwrap_or_default();
                (
                    (m.route_namespace, m.route_name, m.rule, m.match_index, host),
                    i,
                )
            })
            .collect();
        let mut witnesses: Vec<(usize, Witness)> = Vec::new();
        for route in &routes {
            for (ri, rule) in route.rules.iter().enumerate() {
                for mi in 0..rule.matches.len() {
                    for host in hostnames_or_any(route) {
                        let key = (
                            route.namespace.as_str(),
                            route.name.as_str(),
                            ri,
                            mi,
                            host.to_owned(),
                        );
                        if let Some(&pos) = rank.get(&key) {
                            witnesses.push((pos, witness(route, ri, mi, host, &mut rng)));
                        }
                    }
                }
            }
        }
        witnesses.sort_by_key(|(pos, _)| *pos);
        let requests = requests(&oracle, &witnesses, &hostnames, &mut rng);
        Workload {
            spec,
            routes,
            objects,
            loaded,
            compiled,
            entries,
            requests,
        }
    }

    /// The compiled router.
    pub fn router(&self) -> &Router {
        self.compiled.router()
    }

    /// The requests of one class.
    pub fn class(&self, class: Class) -> impl Iterator<Item = &Request> {
        self.requests.iter().filter(move |r| r.class == class)
    }

    /// The first request of a class, if the workload has one.
    pub fn one(&self, class: Class) -> Option<&Request> {
        self.class(class).next()
    }

    /// The manifests as YAML text (JSON documents are YAML 1.2), separated by
    /// `---`: what `gatewise check` or `gatewise serve` read.
    pub fn yaml(&self) -> String {
        to_yaml(&self.objects)
    }
}

/// Manifests as YAML text: one JSON document each, separated by `---`.
pub fn to_yaml(objects: &[Value]) -> String {
    let mut out = String::new();
    for o in objects {
        out.push_str("---\n");
        out.push_str(&o.to_string());
        out.push('\n');
    }
    out
}

/// A request built to hit one match.
#[derive(Debug, Clone)]
struct Witness {
    method: String,
    host: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    /// `namespace/name`, rule, match: what it should hit.
    aim: (String, usize, usize),
    /// Whether longer paths still hit the same match.
    prefix: bool,
}

impl Witness {
    fn request(&self, class: Class, oracle: &Oracle) -> Request {
        let target = match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        };
        request(
            class,
            oracle,
            &self.method,
            &self.host,
            &target,
            self.headers.clone(),
        )
    }

    /// Whether the oracle sends it where it aims.
    fn lands(&self, r: &Request) -> bool {
        let v = &r.expect;
        v.route
            .as_ref()
            .is_some_and(|route| format!("{}/{}", route.namespace, route.name) == self.aim.0)
            && v.rule == Some(self.aim.1)
            && v.match_index == Some(self.aim.2)
    }
}

fn request(
    class: Class,
    oracle: &Oracle,
    method: &str,
    host: &str,
    target: &str,
    headers: Vec<(String, String)>,
) -> Request {
    let req = HttpRequest::new(method, host, target).owned_headers(&headers);
    let expect = oracle.route_http(gateway(), PORT, &req).view();
    let position = oracle.position(gateway(), PORT, &req);
    Request {
        class,
        method: method.to_owned(),
        host: host.to_owned(),
        target: target.to_owned(),
        headers: headers.clone(),
        expect,
        position,
    }
}

/// Builds every request set from witnesses sorted by precedence position.
fn requests(
    oracle: &Oracle,
    witnesses: &[(usize, Witness)],
    hostnames: &[String],
    rng: &mut Rng,
) -> Vec<Request> {
    let mut out = Vec::new();
    let landed = |w: &Witness, class: Class| {
        let r = w.request(class, oracle);
        w.lands(&r).then_some(r)
    };
    // First, middle, last: the nearest witness that is not shadowed.
    let n = witnesses.len();
    if let Some(r) = witnesses.iter().find_map(|(_, w)| landed(w, Class::First)) {
        out.push(r);
    }
    let mid = n / 2;
    if let Some(r) = witnesses[mid..]
        .iter()
        .chain(witnesses[..mid].iter().rev())
        .find_map(|(_, w)| landed(w, Class::Middle))
    {
        out.push(r);
    }
    if let Some(r) = witnesses
        .iter()
        .rev()
        .find_map(|(_, w)| landed(w, Class::Last))
    {
        out.push(r);
    }
    // The mix: a uniform draw over every match, with repetition.
    let mix: Vec<&Witness> = if n == 0 {
        Vec::new()
    } else {
        (0..MIX_SIZE).map(|_| &witnesses[rng.below(n)].1).collect()
    };
    let mut hits: Vec<Request> = mix.iter().filter_map(|w| landed(w, Class::Mix)).collect();
    // Long paths and many headers: from hits on prefixes (long path) and on
    // any match (headers).
    let mut long = Vec::new();
    let mut heavy = Vec::new();
    for w in mix.iter().take(64) {
        if w.prefix && long.len() < 8 {
            let mut lw = (*w).clone();
            lw.path = long_path(&lw.path, rng);
            lw.query = Some(long_query(lw.query.as_deref()));
            if let Some(r) = landed(&lw, Class::LongPath) {
                long.push(r);
            }
        }
        if heavy.len() < 8 {
            let mut hw = (*w).clone();
            let mut headers = browser_headers(rng);
            headers.append(&mut hw.headers);
            hw.headers = headers;
            if let Some(r) = landed(&hw, Class::ManyHeaders) {
                heavy.push(r);
            }
        }
    }
    out.append(&mut hits);
    out.append(&mut long);
    out.append(&mut heavy);
    // Misses: known hostnames, a path no route matches. Hostnames with a
    // catch-all route are passed over while others remain.
    let mut misses = Vec::new();
    let mut caught = Vec::new();
    for i in 0..64 {
        if misses.len() == 8 {
            break;
        }
        let host = match hostnames.get(rng.below(hostnames.len().max(1))) {
            Some(h) => concrete_host(h, rng),
            None => ANY_HOST.to_owned(),
        };
        let target = format!("/no-such-route-{i}/{}", word(rng.next_u64()));
        let r = request(Class::Miss, oracle, "GET", &host, &target, Vec::new());
        if r.expect.kind == "respond" {
            misses.push(r);
        } else if caught.len() < 8 {
            caught.push(r);
        }
    }
    if misses.is_empty() {
        misses = caught;
    }
    out.append(&mut misses);
    // Hostnames no route names, with paths that hit elsewhere.
    for i in 0..8 {
        let host = format!("unknown-{i}.nowhere.test");
        let target = match mix.get(i) {
            Some(w) => w.path.clone(),
            None => "/".to_owned(),
        };
        out.push(request(
            Class::UnknownHost,
            oracle,
            "GET",
            &host,
            &target,
            Vec::new(),
        ));
    }
    out
}

const WORDS: [&str; 24] = [
    "orders",
    "cart",
    "users",
    "catalog",
    "search",
    "billing",
    "auth",
    "media",
    "inventory",
    "reviews",
    "shipping",
    "payments",
    "profile",
    "admin",
    "reports",
    "feeds",
    "export",
    "static",
    "graph",
    "events",
    "accounts",
    "tickets",
    "notify",
    "pricing",
];

fn word(i: u64) -> &'static str {
    WORDS[usize::try_from(i % WORDS.len() as u64).unwrap_or(0)]
}

/// The hostnames routes are spread over: every fifth a wildcard.
fn hostnames(spec: Spec) -> Vec<String> {
    if spec.shape == Shape::PathOnly {
        return Vec::new();
    }
    (0..spec.hostnames.max(1))
        .map(|h| {
            if h % 5 == 4 {
                format!("*.w{h}.example.com")
            } else {
                format!("{}-{h}.example.com", word(h as u64))
            }
        })
        .collect()
}

fn hostnames_or_any(route: &RouteDef) -> Vec<&str> {
    if route.hostnames.is_empty() {
        vec![""]
    } else {
        route.hostnames.iter().map(String::as_str).collect()
    }
}

/// A name a request can carry for a route hostname (`*.x` → `aN.x`).
fn concrete_host(hostname: &str, rng: &mut Rng) -> String {
    match hostname.strip_prefix('*') {
        Some(suffix) => format!("a{}{suffix}", rng.below(1000)),
        None => hostname.to_owned(),
    }
}

fn route(spec: Spec, r: usize, hostnames: &[String], rng: &mut Rng) -> RouteDef {
    let namespace = format!("team-{}", r % NAMESPACES);
    let name = format!("{}-{r}", word(r as u64 / 7));
    let host_index = r % hostnames.len().max(1);
    let hostnames_of = hostnames.get(host_index).cloned().into_iter().collect();
    // Every route has a Service of its own, as on a cluster; secondary rules,
    // splits and mirrors also use the namespace's shared `backend-N`.
    let own = format!("svc-{r}");
    let backend = |k: usize| format!("backend-{}", k % SERVICES_PER_NAMESPACE);
    let rules = match spec.shape {
        Shape::Realistic | Shape::WeightedFilters => {
            let base = if r.is_multiple_of(2) {
                format!("/api/{}-{r}", word(r as u64))
            } else {
                format!("/{}-{r}", word(r as u64))
            };
            let mut rules = vec![RuleDef {
                matches: vec![MatchDef::path(PathDef::PathPrefix(base.clone()))],
                backends: vec![(own.clone(), 1)],
                filters: Vec::new(),
            }];
            let extra = rng.below(3);
            for j in 0..extra {
                rules.push(realistic_rule(&base, r, j + 1, rng));
            }
            // One route in four hostnames also catches everything else.
            if r < hostnames.len() && host_index.is_multiple_of(4) {
                rules.push(RuleDef {
                    matches: vec![MatchDef::path(PathDef::PathPrefix("/".into()))],
                    backends: vec![(backend(r + 1), 1)],
                    filters: Vec::new(),
                });
            }
            if spec.shape == Shape::WeightedFilters {
                for rule in &mut rules {
                    decorate(rule, r);
                }
            } else {
                for rule in &mut rules {
                    realistic_backends(rule, r, rng);
                }
            }
            rules
        }
        Shape::DeepPrefixes => {
            let mut path = String::new();
            for i in 0..9 {
                path.push_str(&format!("/d{}", (r >> (2 * i)) % 4));
            }
            path.push_str(&format!("/r{r}"));
            vec![
                RuleDef {
                    matches: vec![MatchDef::path(PathDef::PathPrefix(path.clone()))],
                    backends: vec![(own.clone(), 1)],
                    filters: Vec::new(),
                },
                RuleDef {
                    matches: vec![MatchDef::path(PathDef::Exact(format!("{path}/leaf")))],
                    backends: vec![(backend(r + 1), 1)],
                    filters: Vec::new(),
                },
            ]
        }
        Shape::AllRegex => {
            let w = word(r as u64);
            vec![RuleDef {
                matches: vec![MatchDef::path(PathDef::RegularExpression {
                    pattern: format!("/{w}-{r}/[a-z]+/[0-9]{{1,4}}(/.*)?"),
                    example: format!("/{w}-{r}/item/{}", r % 9999),
                })],
                backends: vec![(own.clone(), 1)],
                filters: Vec::new(),
            }]
        }
        Shape::ManyHeaders => {
            let headers = vec![
                ("x-tenant".to_owned(), format!("t{r}")),
                ("x-region".to_owned(), format!("r{}", r % 7)),
                ("x-plan".to_owned(), format!("p{}", r % 3)),
                ("x-env".to_owned(), format!("e{}", r % 2)),
            ];
            vec![RuleDef {
                matches: vec![MatchDef {
                    headers,
                    ..MatchDef::path(PathDef::PathPrefix("/api".into()))
                }],
                backends: vec![(own.clone(), 1)],
                filters: Vec::new(),
            }]
        }
        Shape::PathOnly => {
            let path = format!(
                "/{}/v{}/{}-{r}",
                word(r as u64 % 5),
                (r / 5) % 3,
                word(r as u64 / 15)
            );
            let path = if r % 4 == 3 {
                PathDef::Exact(path)
            } else {
                PathDef::PathPrefix(path)
            };
            vec![RuleDef {
                matches: vec![MatchDef::path(path)],
                backends: vec![(own.clone(), 1)],
                filters: Vec::new(),
            }]
        }
    };
    RouteDef {
        namespace,
        name,
        hostnames: if spec.shape == Shape::PathOnly {
            Vec::new()
        } else {
            hostnames_of
        },
        rules,
    }
}

/// One extra rule of the realistic mix.
fn realistic_rule(base: &str, r: usize, j: usize, rng: &mut Rng) -> RuleDef {
    let pick = rng.below(100);
    let m = if pick < 35 {
        MatchDef::path(PathDef::PathPrefix(format!("{base}/v{j}")))
    } else if pick < 55 {
        let leaf = ["health", "login", "status", "metrics"][rng.below(4)];
        MatchDef::path(PathDef::Exact(format!("{base}/{leaf}")))
    } else if pick < 67 {
        MatchDef {
            headers: vec![("x-version".into(), format!("v{j}"))],
            ..MatchDef::path(PathDef::PathPrefix(base.to_owned()))
        }
    } else if pick < 75 {
        MatchDef {
            method: Some("POST".into()),
            ..MatchDef::path(PathDef::PathPrefix(base.to_owned()))
        }
    } else if pick < 82 {
        MatchDef {
            query: vec![("debug".into(), "1".into())],
            ..MatchDef::path(PathDef::PathPrefix(base.to_owned()))
        }
    } else if pick < 90 {
        MatchDef::path(PathDef::RegularExpression {
            pattern: format!("{base}/items/[0-9]+"),
            example: format!("{base}/items/{}", r % 997),
        })
    } else {
        // Two matches in one rule.
        return RuleDef {
            matches: vec![
                MatchDef::path(PathDef::PathPrefix(format!("{base}/beta{j}"))),
                MatchDef {
                    headers: vec![("x-beta".into(), "on".into())],
                    ..MatchDef::path(PathDef::Exact(format!("{base}/beta")))
                },
            ],
            backends: vec![(format!("backend-{}", (r + j) % SERVICES_PER_NAMESPACE), 1)],
            filters: Vec::new(),
        };
    };
    RuleDef {
        matches: vec![m],
        backends: vec![(format!("backend-{}", (r + j) % SERVICES_PER_NAMESPACE), 1)],
        filters: Vec::new(),
    }
}

/// Realistic backends and filters: mostly one backend; some weighted splits,
/// header modifiers and prefix rewrites.
fn realistic_backends(rule: &mut RuleDef, r: usize, rng: &mut Rng) {
    let pick = rng.below(100);
    if pick < 10 {
        rule.backends = vec![
            (format!("svc-{r}"), 90),
            (format!("backend-{}", (r + 1) % SERVICES_PER_NAMESPACE), 10),
        ];
    } else if pick < 15 {
        rule.backends = (0..3)
            .map(|k| {
                (
                    format!("backend-{}", (r + k) % SERVICES_PER_NAMESPACE),
                    u32::try_from(k + 1).unwrap_or(1),
                )
            })
            .collect();
    }
    let pick = rng.below(100);
    if pick < 10 {
        rule.filters.push(json!({
            "type": "RequestHeaderModifier",
            "requestHeaderModifier": {"add": [{"name": "x-route", "value": format!("r{r}")}]}
        }));
    } else if pick < 15
        && let [only] = rule.matches.as_slice()
        && let PathDef::PathPrefix(p) = &only.path
        && p != "/"
    {
        rule.filters.push(json!({
            "type": "URLRewrite",
            "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}
        }));
    }
}

/// Three weighted backends, header modifiers, a host rewrite and a mirror.
fn decorate(rule: &mut RuleDef, r: usize) {
    rule.backends = vec![
        (format!("svc-{r}"), 10),
        (format!("backend-{}", r % SERVICES_PER_NAMESPACE), 20),
        (format!("backend-{}", (r + 1) % SERVICES_PER_NAMESPACE), 30),
    ];
    rule.filters = vec![
        json!({"type": "RequestHeaderModifier", "requestHeaderModifier": {
            "set": [{"name": "x-route", "value": format!("r{r}")}, {"name": "x-team", "value": "bench"}],
            "add": [{"name": "x-trace", "value": "1"}],
            "remove": ["x-debug"]}}),
        json!({"type": "ResponseHeaderModifier", "responseHeaderModifier": {
            "set": [{"name": "x-served-by", "value": "gatewise"}]}}),
        json!({"type": "URLRewrite", "urlRewrite": {"hostname": format!("internal-{r}.svc")}}),
        json!({"type": "RequestMirror", "requestMirror": {
            "backendRef": {"name": format!("backend-{}", (r + 3) % SERVICES_PER_NAMESPACE), "port": SERVICE_PORT},
            "percent": 10}}),
    ];
}

fn witness(route: &RouteDef, ri: usize, mi: usize, hostname: &str, rng: &mut Rng) -> Witness {
    let m = &route.rules[ri].matches[mi];
    let host = if hostname.is_empty() {
        ANY_HOST.to_owned()
    } else {
        concrete_host(hostname, rng)
    };
    let (path, prefix) = match &m.path {
        PathDef::Exact(p) => (p.clone(), false),
        PathDef::PathPrefix(p) if p == "/" => (format!("/{}", word(rng.next_u64())), true),
        PathDef::PathPrefix(p) => match rng.below(3) {
            0 => (p.clone(), true),
            _ => (
                format!("{p}/{}/{}", word(rng.next_u64()), rng.below(100)),
                true,
            ),
        },
        // A pattern open at the end takes longer paths too.
        PathDef::RegularExpression { pattern, example } => {
            (example.clone(), pattern.ends_with("(/.*)?"))
        }
    };
    let query = (!m.query.is_empty()).then(|| {
        m.query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    });
    let aim = (format!("{}/{}", route.namespace, route.name), ri, mi);
    Witness {
        method: m.method.clone().unwrap_or_else(|| "GET".into()),
        host,
        path,
        query,
        headers: m.headers.clone(),
        aim,
        prefix,
    }
}

fn long_path(path: &str, rng: &mut Rng) -> String {
    let mut p = path.trim_end_matches('/').to_owned();
    for _ in 0..60 {
        p.push('/');
        p.push_str(word(rng.next_u64()));
        p.push_str(&rng.below(10_000).to_string());
    }
    p
}

fn long_query(query: Option<&str>) -> String {
    let mut q = query.unwrap_or("").to_owned();
    for i in 0..20 {
        if !q.is_empty() {
            q.push('&');
        }
        q.push_str(&format!("utm_param{i}=value-{i}-abcdefgh"));
    }
    q
}

/// 40 headers a browser or a mesh might add.
fn browser_headers(rng: &mut Rng) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = [
        (
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        ),
        (
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        ),
        ("accept-language", "en-GB,en;q=0.7,fr;q=0.3"),
        ("accept-encoding", "gzip, deflate, br, zstd"),
        (
            "cookie",
            "session=3f9a8c7d6e5b4a39281706f5e4d3c2b1; theme=dark; consent=yes",
        ),
        ("x-request-id", "0b6f3c4e-8a9d-4f5e-9c2b-1a2b3c4d5e6f"),
        (
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ),
        ("x-forwarded-for", "203.0.113.7, 198.51.100.23"),
        ("x-forwarded-proto", "https"),
        ("cache-control", "no-cache"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    for i in h.len()..40 {
        h.push((
            format!("x-custom-{i}"),
            format!("value-{}", rng.below(1 << 20)),
        ));
    }
    h
}

/// Every manifest for `routes`.
fn manifests(routes: &[RouteDef]) -> Vec<Value> {
    let mut objects = vec![
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
               "metadata": {"name": "gatewise"},
               "spec": {"controllerName": gatewise::DEFAULT_CONTROLLER_NAME}}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": GATEWAY_NAMESPACE}}),
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
               "metadata": {"name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE},
               "spec": {"gatewayClassName": "gatewise", "listeners": [
                   {"name": LISTENER, "port": PORT, "protocol": "HTTP",
                    "allowedRoutes": {"namespaces": {"from": "All"}}}]}}),
    ];
    for ns in 0..NAMESPACES {
        let namespace = format!("team-{ns}");
        objects.push(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}),
        );
        for k in 0..SERVICES_PER_NAMESPACE {
            objects.push(json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": format!("backend-{k}"), "namespace": namespace},
                "spec": {"ports": [{"port": SERVICE_PORT}]}}));
        }
    }
    for route in routes {
        let mut own: Vec<&str> = route
            .rules
            .iter()
            .flat_map(|rule| &rule.backends)
            .map(|(name, _)| name.as_str())
            .filter(|name| name.starts_with("svc-"))
            .collect();
        own.sort_unstable();
        own.dedup();
        for name in own {
            objects.push(json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": name, "namespace": route.namespace},
                "spec": {"ports": [{"port": SERVICE_PORT}]}}));
        }
    }
    objects.extend(routes.iter().map(route_manifest));
    objects
}

/// One HTTPRoute manifest.
pub fn route_manifest(route: &RouteDef) -> Value {
    let rules: Vec<Value> = route
        .rules
        .iter()
        .map(|rule| {
            let matches: Vec<Value> = rule.matches.iter().map(match_manifest).collect();
            let backends: Vec<Value> = rule
                .backends
                .iter()
                .map(|(name, weight)| json!({"name": name, "port": SERVICE_PORT, "weight": weight}))
                .collect();
            let mut v = json!({"matches": matches, "backendRefs": backends});
            if !rule.filters.is_empty() {
                v["filters"] = Value::Array(rule.filters.clone());
            }
            v
        })
        .collect();
    let mut spec = json!({
        "parentRefs": [{"name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE}],
        "rules": rules,
    });
    if !route.hostnames.is_empty() {
        spec["hostnames"] = json!(route.hostnames);
    }
    json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
           "metadata": {"name": route.name, "namespace": route.namespace},
           "spec": spec})
}

fn match_manifest(m: &MatchDef) -> Value {
    let path = match &m.path {
        PathDef::Exact(p) => json!({"type": "Exact", "value": p}),
        PathDef::PathPrefix(p) => json!({"type": "PathPrefix", "value": p}),
        PathDef::RegularExpression { pattern, .. } => {
            json!({"type": "RegularExpression", "value": pattern})
        }
    };
    let mut v = json!({"path": path});
    if let Some(method) = &m.method {
        v["method"] = json!(method);
    }
    if !m.headers.is_empty() {
        v["headers"] = m
            .headers
            .iter()
            .map(|(n, val)| json!({"name": n, "value": val}))
            .collect();
    }
    if !m.query.is_empty() {
        v["queryParams"] = m
            .query
            .iter()
            .map(|(n, val)| json!({"name": n, "value": val}))
            .collect();
    }
    v
}

/// Loads manifests as one `List` (one loader call, default creation times in
/// order).
fn load(objects: &[Value]) -> gatewise::Loaded {
    let mut loader = Loader::new();
    loader.add_value(
        "workload",
        json!({"apiVersion": "v1", "kind": "List", "items": objects}),
    );
    let loaded = loader.finish();
    assert!(
        loaded.errors.is_empty() && loaded.rejections.is_empty(),
        "the generator wrote invalid manifests: {:?} {:?}",
        loaded.errors.first(),
        loaded.rejections.first()
    );
    loaded
}

/// SplitMix64: small, seeded, the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % n as u64).unwrap_or(0)
    }
}
