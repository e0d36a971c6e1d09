//! Property tests over generated Gateways, HTTPRoutes and GRPCRoutes
//! (STYLE.md "A naive oracle"; DESIGN.md "Order independence").
//!
//! - [`router_agrees_with_the_oracle`]: the indexed router and the linear-scan
//!   [`Oracle`] give the same decision for every generated request.
//! - [`shuffled_input_gives_the_same_status_and_decisions`]: the order of the
//!   documents changes neither status nor decisions.
//! - [`explanation_names_the_rule_that_decided`]: `Router::explain` gives the
//!   decision `Router::route` gives, and its one winning candidate is the
//!   route, rule and match the decision names.
//! - [`invalid_resources_are_refused_naming_object_and_field`]: a resource broken
//!   in one of many ways never panics load or compile, and is refused naming
//!   its kind, namespace/name and a field path (or, for what the schema admits
//!   but the engine cannot honour, reported in status).
//!
//! Case counts are small so the file runs in seconds in debug; `PROPTEST_CASES`
//! raises them (e.g. `PROPTEST_CASES=20000 cargo test -p gatewise --test
//! properties`).

use gatewise::oracle::Oracle;
use gatewise::{
    Compiled, DecisionView, GatewayRef, HttpRequest, Loaded, Loader, Options, RequestProtocol,
    Router, Timestamp, grpc_path,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

/// `cases` unless `PROPTEST_CASES` is set.
fn config(cases: u32) -> Config {
    let mut config = Config {
        // Next to this file, as `properties.proptest-regressions`.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}

// ---------------------------------------------------------------------------
// The model: what is generated, rendered as Kubernetes objects
// ---------------------------------------------------------------------------

const HOSTNAMES: &[&str] = &[
    "a.example.com",
    "b.example.com",
    "*.example.com",
    "*.a.example.com",
    "example.com",
    "other.org",
    "*.org",
];
const PATHS: &[&str] = &["/", "/a", "/a/", "/a/b", "/api", "/api/v1", "/b"];
const REGEXES: &[&str] = &["/a/[0-9]+", "/api/.*", "/(a|b)/x", "/b.*"];
const SERVICES: &[&str] = &["web", "other", "missing"];
const TIMES: &[&str] = &[
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:01Z",
    "2024-01-01T00:00:02Z",
];
const GRPC_SERVICES: &[&str] = &["pkg.Svc", "pkg.Other"];
const GRPC_METHODS: &[&str] = &["Get", "List"];
const HEADER_NAMES: &[&str] = &["x-env", "X-Canary"];
const HEADER_VALUES: &[&str] = &["a", "b"];

#[derive(Debug, Clone)]
struct ListenerModel {
    port: u16,
    https: bool,
    hostname: Option<&'static str>,
}

#[derive(Debug, Clone)]
enum PathModel {
    Exact(&'static str),
    Prefix(&'static str),
    Regex(&'static str),
}

#[derive(Debug, Clone)]
struct HeaderModel {
    name: &'static str,
    value: &'static str,
    regex: bool,
}

#[derive(Debug, Clone)]
struct HttpMatchModel {
    path: Option<PathModel>,
    headers: Vec<HeaderModel>,
    query: Option<&'static str>,
    method: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct BackendModel {
    service: &'static str,
    weight: Option<u32>,
}

#[derive(Debug, Clone)]
enum FilterModel {
    AddHeader,
    RewriteHost,
    Mirror,
}

#[derive(Debug, Clone)]
struct HttpRuleModel {
    name: Option<String>,
    matches: Option<Vec<HttpMatchModel>>,
    filters: Vec<FilterModel>,
    /// A redirect instead of backends.
    redirect: bool,
    backends: Vec<BackendModel>,
}

#[derive(Debug, Clone)]
struct GrpcMatchModel {
    service: Option<&'static str>,
    method: Option<&'static str>,
    regex: bool,
    headers: Vec<HeaderModel>,
}

#[derive(Debug, Clone)]
struct GrpcRuleModel {
    matches: Vec<GrpcMatchModel>,
    backends: Vec<BackendModel>,
}

#[derive(Debug, Clone)]
enum RulesModel {
    Http(Vec<HttpRuleModel>),
    Grpc(Vec<GrpcRuleModel>),
}

#[derive(Debug, Clone)]
struct RouteModel {
    namespace: &'static str,
    created: &'static str,
    /// Index of the listener named as `sectionName`.
    section: Option<usize>,
    hostnames: Vec<&'static str>,
    rules: RulesModel,
}

#[derive(Debug, Clone)]
struct World {
    listeners: Vec<ListenerModel>,
    routes: Vec<RouteModel>,
}

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(items)
}

fn listener() -> impl Strategy<Value = ListenerModel> {
    (
        prop_oneof![Just(80u16), Just(443u16), Just(8080u16)],
        any::<bool>(),
        proptest::option::weighted(0.6, pick(HOSTNAMES)),
    )
        .prop_map(|(port, https, hostname)| ListenerModel {
            port,
            https,
            hostname,
        })
}

fn header() -> impl Strategy<Value = HeaderModel> {
    (pick(HEADER_NAMES), pick(HEADER_VALUES), any::<bool>()).prop_map(|(name, value, regex)| {
        HeaderModel {
            name,
            // A regex that is not the literal value.
            value: if regex { "a|b" } else { value },
            regex,
        }
    })
}

fn path_model() -> impl Strategy<Value = PathModel> {
    prop_oneof![
        pick(PATHS).prop_map(PathModel::Exact),
        pick(PATHS).prop_map(PathModel::Prefix),
        pick(REGEXES).prop_map(PathModel::Regex),
    ]
}

fn http_match() -> impl Strategy<Value = HttpMatchModel> {
    (
        proptest::option::weighted(0.8, path_model()),
        proptest::collection::vec(header(), 0..=2),
        proptest::option::weighted(0.2, pick(&["1", "2"])),
        proptest::option::weighted(0.2, pick(&["GET", "POST"])),
    )
        .prop_map(|(path, mut headers, query, method)| {
            // Header matches are keyed by name: one per name.
            headers.dedup_by_key(|h| h.name.to_ascii_lowercase());
            HttpMatchModel {
                path,
                headers,
                query,
                method,
            }
        })
}

fn backend() -> impl Strategy<Value = BackendModel> {
    (
        pick(SERVICES),
        proptest::option::of(prop_oneof![Just(0u32), Just(1), Just(5), Just(1_000_000)]),
    )
        .prop_map(|(service, weight)| BackendModel { service, weight })
}

fn http_rule() -> impl Strategy<Value = HttpRuleModel> {
    (
        any::<bool>(),
        proptest::option::weighted(0.85, proptest::collection::vec(http_match(), 1..=3)),
        proptest::collection::vec(
            prop_oneof![
                Just(FilterModel::AddHeader),
                Just(FilterModel::RewriteHost),
                Just(FilterModel::Mirror)
            ],
            0..=2,
        ),
        proptest::bool::weighted(0.1),
        proptest::collection::vec(backend(), 0..=2),
    )
        .prop_map(|(named, matches, mut filters, redirect, backends)| {
            filters.sort_by_key(|f| format!("{f:?}"));
            filters.dedup_by_key(|f| format!("{f:?}"));
            HttpRuleModel {
                name: named.then(String::new),
                matches,
                filters,
                redirect,
                backends,
            }
        })
}

fn grpc_match() -> impl Strategy<Value = GrpcMatchModel> {
    (
        proptest::option::weighted(0.7, pick(GRPC_SERVICES)),
        proptest::option::weighted(0.5, pick(GRPC_METHODS)),
        proptest::bool::weighted(0.2),
        proptest::collection::vec(header(), 0..=1),
    )
        .prop_map(|(service, method, regex, headers)| GrpcMatchModel {
            // At least one of service and method.
            service: if service.is_none() && method.is_none() {
                Some("pkg.Svc")
            } else {
                service
            },
            method,
            regex,
            headers,
        })
}

fn grpc_rule() -> impl Strategy<Value = GrpcRuleModel> {
    (
        proptest::collection::vec(grpc_match(), 0..=2),
        proptest::collection::vec(backend(), 0..=2),
    )
        .prop_map(|(matches, backends)| GrpcRuleModel { matches, backends })
}

fn route_model() -> impl Strategy<Value = RouteModel> {
    (
        pick(&["apps", "infra"]),
        pick(TIMES),
        proptest::option::weighted(0.3, 0usize..4),
        proptest::collection::vec(pick(HOSTNAMES), 0..=2),
        prop_oneof![
            3 => proptest::collection::vec(http_rule(), 1..=3).prop_map(RulesModel::Http),
            1 => proptest::collection::vec(grpc_rule(), 1..=2).prop_map(RulesModel::Grpc),
        ],
    )
        .prop_map(|(namespace, created, section, mut hostnames, rules)| {
            hostnames.sort_unstable();
            hostnames.dedup();
            RouteModel {
                namespace,
                created,
                section,
                hostnames,
                rules,
            }
        })
}

fn world() -> impl Strategy<Value = World> {
    (
        proptest::collection::vec(listener(), 1..=4),
        proptest::collection::vec(route_model(), 1..=6),
    )
        .prop_map(|(mut listeners, routes)| {
            // Listeners must differ in port, protocol or hostname (a CEL rule).
            let mut seen = Vec::new();
            listeners.retain(|l| {
                let key = (l.port, l.https, l.hostname);
                let new = !seen.contains(&key);
                seen.push(key);
                new
            });
            World { listeners, routes }
        })
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

fn meta(name: &str, namespace: &str, created: &str) -> Value {
    json!({"name": name, "namespace": namespace, "creationTimestamp": created})
}

fn backend_refs(backends: &[BackendModel]) -> Value {
    backends
        .iter()
        .map(|b| {
            let mut v = json!({"name": b.service, "port": 80});
            if let Some(w) = b.weight {
                v["weight"] = json!(w);
            }
            v
        })
        .collect()
}

fn header_matches(headers: &[HeaderModel]) -> Value {
    headers
        .iter()
        .map(|h| {
            json!({
                "type": if h.regex { "RegularExpression" } else { "Exact" },
                "name": h.name,
                "value": h.value,
            })
        })
        .collect()
}

fn http_rule_json(i: usize, rule: &HttpRuleModel) -> Value {
    let mut v = json!({});
    if rule.name.is_some() {
        v["name"] = json!(format!("rule-{i}"));
    }
    if let Some(matches) = &rule.matches {
        v["matches"] = matches
            .iter()
            .map(|m| {
                let mut mv = json!({});
                if let Some(p) = &m.path {
                    mv["path"] = match p {
                        PathModel::Exact(p) => json!({"type": "Exact", "value": p}),
                        PathModel::Prefix(p) => json!({"type": "PathPrefix", "value": p}),
                        PathModel::Regex(p) => json!({"type": "RegularExpression", "value": p}),
                    };
                }
                if !m.headers.is_empty() {
                    mv["headers"] = header_matches(&m.headers);
                }
                if let Some(q) = m.query {
                    mv["queryParams"] = json!([{"name": "q", "value": q}]);
                }
                if let Some(method) = m.method {
                    mv["method"] = json!(method);
                }
                mv
            })
            .collect();
    }
    let mut filters: Vec<Value> = rule
        .filters
        .iter()
        .map(|f| match f {
            FilterModel::AddHeader => json!({
                "type": "RequestHeaderModifier",
                "requestHeaderModifier": {"add": [{"name": "x-added", "value": "1"}]},
            }),
            FilterModel::RewriteHost => json!({
                "type": "URLRewrite",
                "urlRewrite": {"hostname": "rewritten.example"},
            }),
            FilterModel::Mirror => json!({
                "type": "RequestMirror",
                "requestMirror": {"backendRef": {"name": "other", "port": 80}},
            }),
        })
        .collect();
    if rule.redirect {
        // A redirect excludes backends and URLRewrite.
        filters.retain(|f| f["type"] != "URLRewrite");
        filters.push(json!({
            "type": "RequestRedirect",
            "requestRedirect": {"hostname": "redirected.example", "statusCode": 301},
        }));
    } else {
        v["backendRefs"] = backend_refs(&rule.backends);
    }
    if !filters.is_empty() {
        v["filters"] = Value::Array(filters);
    }
    v
}

fn grpc_rule_json(rule: &GrpcRuleModel) -> Value {
    let matches: Vec<Value> = rule
        .matches
        .iter()
        .map(|m| {
            let mut method = json!({"type": if m.regex { "RegularExpression" } else { "Exact" }});
            if let Some(s) = m.service {
                method["service"] = json!(if m.regex { "pkg\\..*" } else { s });
            }
            if let Some(name) = m.method {
                method["method"] = json!(name);
            }
            let mut v = json!({"method": method});
            if !m.headers.is_empty() {
                v["headers"] = header_matches(&m.headers);
            }
            v
        })
        .collect();
    json!({"matches": matches, "backendRefs": backend_refs(&rule.backends)})
}

/// Every object of the world, each carrying a creation timestamp (so input
/// order may not matter).
fn documents(world: &World) -> Vec<Value> {
    let t0 = TIMES[0];
    let listeners: Vec<Value> = world
        .listeners
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut v = json!({
                "name": format!("l{i}"),
                "port": l.port,
                "protocol": if l.https { "HTTPS" } else { "HTTP" },
                "allowedRoutes": {"namespaces": {"from": "All"}},
            });
            if let Some(h) = l.hostname {
                v["hostname"] = json!(h);
            }
            if l.https {
                v["tls"] = json!({"certificateRefs": [{"name": "cert"}]});
            }
            v
        })
        .collect();
    let mut docs = vec![
        json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {"name": "gatewise", "creationTimestamp": t0},
            "spec": {"controllerName": "gatewise.dev/gateway-controller"},
        }),
        json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": meta("gw", "infra", t0),
            "spec": {"gatewayClassName": "gatewise", "listeners": listeners},
        }),
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": meta("cert", "infra", t0),
            "type": "kubernetes.io/tls",
            "stringData": {
                "tls.crt": "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n",
                "tls.key": "-----BEGIN PRIVATE KEY-----\nMA==\n-----END PRIVATE KEY-----\n",
            },
        }),
    ];
    for ns in ["apps", "infra"] {
        for svc in ["web", "other"] {
            docs.push(json!({
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": meta(svc, ns, t0),
                "spec": {"ports": [{"port": 80}]},
            }));
        }
    }
    for (i, r) in world.routes.iter().enumerate() {
        let mut parent = json!({"name": "gw", "namespace": "infra"});
        if let Some(s) = r.section {
            parent["sectionName"] = json!(format!("l{s}"));
        }
        let (kind, rules) = match &r.rules {
            RulesModel::Http(rules) => (
                "HTTPRoute",
                rules
                    .iter()
                    .enumerate()
                    .map(|(i, rule)| http_rule_json(i, rule))
                    .collect::<Value>(),
            ),
            RulesModel::Grpc(rules) => ("GRPCRoute", rules.iter().map(grpc_rule_json).collect()),
        };
        docs.push(json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": kind,
            "metadata": meta(&format!("r{i}"), r.namespace, r.created),
            "spec": {"parentRefs": [parent], "hostnames": r.hostnames, "rules": rules},
        }));
    }
    docs
}

fn load_docs<'a>(docs: impl IntoIterator<Item = &'a Value>) -> Loaded {
    let mut loader = Loader::new();
    for doc in docs {
        loader.add_value("generated.json", doc.clone());
    }
    loader.finish()
}

fn compile(docs: &[Value]) -> Compiled {
    let loaded = load_docs(docs);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
    Router::compile(&loaded.resources, &Options::default())
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// An owned request: protocol, port and the parts of an `HttpRequest`.
#[derive(Debug, Clone)]
struct Req {
    protocol: RequestProtocol,
    port: u16,
    method: String,
    host: String,
    sni: Option<String>,
    target: String,
    headers: Vec<(String, String)>,
}

impl Req {
    fn view(&self) -> HttpRequest<'_> {
        HttpRequest::new(&self.method, &self.host, &self.target)
            .sni(self.sni.as_deref())
            .owned_headers(&self.headers)
    }
}

/// A concrete host for a hostname (a wildcard gets one or two labels).
fn concrete(hostname: &str, deep: bool) -> String {
    match hostname.strip_prefix("*.") {
        Some(rest) if deep => format!("x.y.{rest}"),
        Some(rest) => format!("x.{rest}"),
        None => hostname.to_owned(),
    }
}

/// Requests aimed at what the world configures, plus random ones. The choices
/// are drawn from a seed vector so the strategy can depend on the world.
fn requests(world: &World) -> impl Strategy<Value = Vec<Req>> + use<> {
    let mut hosts: Vec<String> = vec![
        String::new(),
        "A.EXAMPLE.COM.:80".into(),
        "unknown.net".into(),
        "[2001:db8::1]:80".into(),
    ];
    let mut paths: Vec<String> = vec!["/x".into(), "/a/%2e%2e/b".into(), "/a%2Fb".into()];
    let mut ports: Vec<u16> = vec![9999];
    for l in &world.listeners {
        ports.push(l.port);
        if let Some(h) = l.hostname {
            hosts.push(concrete(h, false));
            hosts.push(concrete(h, true));
        }
    }
    for r in &world.routes {
        for h in &r.hostnames {
            hosts.push(concrete(h, false));
            hosts.push(concrete(h, true).to_ascii_uppercase());
        }
        match &r.rules {
            RulesModel::Http(rules) => {
                for m in rules.iter().flat_map(|r| r.matches.iter().flatten()) {
                    let p = match &m.path {
                        Some(PathModel::Exact(p) | PathModel::Prefix(p)) => (*p).to_owned(),
                        Some(PathModel::Regex(_)) => "/a/42".to_owned(),
                        None => continue,
                    };
                    paths.push(format!("{}/z", p.trim_end_matches('/')));
                    paths.push(format!("{p}z"));
                    paths.push(p);
                }
            }
            RulesModel::Grpc(rules) => {
                for m in rules.iter().flat_map(|r| &r.matches) {
                    paths.push(grpc_path(
                        m.service.unwrap_or("pkg.Any"),
                        m.method.unwrap_or("Get"),
                    ));
                }
            }
        }
    }
    paths.push(grpc_path("pkg.Svc", "List"));
    let request = (
        proptest::sample::select(RequestProtocol::ALL[..3].to_vec()),
        proptest::sample::select(ports),
        pick(&["GET", "POST", "PUT"]),
        proptest::sample::select(hosts.clone()),
        proptest::option::weighted(0.3, proptest::sample::select(hosts)),
        prop_oneof![
            4 => proptest::sample::select(paths),
            1 => "/[a-z/%.0-9]{0,8}",
        ],
        proptest::option::weighted(0.3, pick(&["1", "2"])),
        proptest::collection::vec((pick(HEADER_NAMES), pick(&["a", "b", "c"])), 0..=2),
    )
        .prop_map(
            |(protocol, port, method, host, sni, path, query, headers)| Req {
                protocol,
                port,
                method: method.to_owned(),
                host,
                sni,
                target: match query {
                    Some(q) => format!("{path}?q={q}"),
                    None => path,
                },
                headers: headers
                    .into_iter()
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect(),
            },
        );
    proptest::collection::vec(request, 1..=24)
}

fn world_and_requests() -> impl Strategy<Value = (World, Vec<Req>)> {
    world().prop_flat_map(|w| {
        let reqs = requests(&w);
        (Just(w), reqs)
    })
}

const GW: GatewayRef<'static> = GatewayRef {
    namespace: "infra",
    name: "gw",
};

fn route(compiled: &Compiled, req: &Req) -> DecisionView {
    compiled
        .router()
        .route(GW, req.port, req.protocol, &req.view())
        .view()
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(96))]

    /// (a) The indexed router and the naive oracle agree.
    #[test]
    fn router_agrees_with_the_oracle((world, reqs) in world_and_requests()) {
        let compiled = compile(&documents(&world));
        let oracle = Oracle::new(compiled.router());
        for req in &reqs {
            let fast = route(&compiled, req);
            let naive = oracle.route(GW, req.port, req.protocol, &req.view()).map(|d| d.view());
            prop_assert_eq!(naive.as_ref(), Some(&fast), "{:?}", req);
        }
    }

    /// (c) The explanation gives the decision and names the rule behind it.
    #[test]
    fn explanation_names_the_rule_that_decided((world, reqs) in world_and_requests()) {
        let compiled = compile(&documents(&world));
        for req in &reqs {
            let view = route(&compiled, req);
            let explanation = compiled.router().explain(GW, req.port, req.protocol, &req.view());
            prop_assert!(explanation.consistent, "{:?}", req);
            prop_assert_eq!(&explanation.decision, &view, "{:?}", req);
            let won: Vec<_> = explanation.candidates.iter().filter(|c| c.outcome == "won").collect();
            match &view.route {
                Some(route) => {
                    prop_assert_eq!(won.len(), 1, "{:?} {:?}", req, explanation.candidates);
                    let c = won[0];
                    prop_assert_eq!(&c.route, &format!("{}/{}", route.namespace, route.name));
                    prop_assert_eq!(Some(c.rule), view.rule);
                    prop_assert_eq!(Some(c.match_index), view.match_index);
                    // The rule name, when the rule has one, is the generated one.
                    if let Some(name) = &view.rule_name {
                        prop_assert_eq!(name, &format!("rule-{}", c.rule));
                    }
                }
                None => prop_assert!(won.is_empty(), "{:?} {:?}", req, won),
            }
        }
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// (b) Shuffling the documents changes neither status nor decisions.
    #[test]
    fn shuffled_input_gives_the_same_status_and_decisions(
        ((world, reqs), order) in world_and_requests().prop_flat_map(|(w, r)| {
            let n = documents(&w).len();
            ((Just(w), Just(r)), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        })
    ) {
        let docs = documents(&world);
        let outcome = |docs: Vec<&Value>| {
            let loaded = load_docs(docs);
            let compiled = Router::compile(&loaded.resources, &Options::default());
            let status = serde_json::to_string(&compiled.status(Timestamp::DEFAULT_EPOCH))
                .expect("status serialises");
            let decisions: Vec<String> = reqs
                .iter()
                .map(|r| serde_json::to_string(&route(&compiled, r)).expect("view serialises"))
                .collect();
            (status, decisions)
        };
        let in_order = outcome(docs.iter().collect());
        let shuffled = outcome(order.iter().map(|&i| &docs[i]).collect());
        prop_assert_eq!(in_order, shuffled, "order {:?}", order);
    }
}

// ---------------------------------------------------------------------------
// (d) Resources that violate validation
// ---------------------------------------------------------------------------

/// One way to break a valid route: where, what, and the field path the
/// refusal must name (a prefix of it), or `None` when the schema admits the
/// value and the engine reports it in status instead.
#[derive(Debug, Clone)]
enum Breakage {
    /// Replace the value at `pointer` (a JSON pointer under the route).
    Set(&'static str, Value, Option<&'static str>),
    /// Remove the value at `pointer`.
    Remove(&'static str, &'static str),
    /// Replace `spec.rules[0].matches` with `n` matches.
    ManyMatches(usize),
}

fn breakage() -> impl Strategy<Value = Breakage> {
    use Breakage::{ManyMatches, Remove, Set};
    let junk = prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!(-1)),
        Just(json!(1e300)),
        Just(json!("")),
        Just(json!("Not Valid!")),
        Just(json!([])),
        Just(json!({"x": 1})),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    prop_oneof![
        // Bad enum values.
        Just(Set(
            "/spec/rules/0/matches/0/path/type",
            json!("Prefix"),
            Some("spec.rules[0].matches[0].path.type")
        )),
        Just(Set(
            "/spec/rules/0/matches/0/method",
            json!("get"),
            Some("spec.rules[0].matches[0].method")
        )),
        Just(Set(
            "/spec/rules/0/filters",
            json!([{"type": "Rewrite"}]),
            Some("spec.rules[0].filters[0].type")
        )),
        // Invalid hostnames.
        Just(Set(
            "/spec/hostnames",
            json!(["Example.com"]),
            Some("spec.hostnames[0]")
        )),
        Just(Set(
            "/spec/hostnames",
            json!(["*.*.example.com"]),
            Some("spec.hostnames[0]")
        )),
        Just(Set(
            "/spec/hostnames",
            json!(["example.com."]),
            Some("spec.hostnames[0]")
        )),
        Just(Set(
            "/spec/hostnames",
            json!(["10.0.0.1:80"]),
            Some("spec.hostnames[0]")
        )),
        // Bad paths and names.
        Just(Set(
            "/spec/rules/0/matches/0/path/value",
            json!("/a//b"),
            Some("spec.rules[0].matches[0].path.value")
        )),
        Just(Set(
            "/spec/rules/0/matches/0/path/value",
            json!("no-slash"),
            Some("spec.rules[0].matches[0].path.value")
        )),
        Just(Set(
            "/spec/rules/0/matches/0/headers",
            json!([{"name": "bad name", "value": "v"}]),
            Some("spec.rules[0].matches[0].headers[0].name")
        )),
        Just(Set(
            "/metadata/name",
            json!("Bad_Name"),
            Some("metadata.name")
        )),
        Just(Set(
            "/spec/rules/0/backendRefs/0/port",
            json!(70000),
            Some("spec.rules[0].backendRefs[0].port")
        )),
        Just(Set(
            "/spec/rules/0/backendRefs/0/weight",
            json!(-5),
            Some("spec.rules[0].backendRefs[0].weight")
        )),
        // Regexes the schema admits but the engine refuses: status, not refusal.
        Just(Set(
            "/spec/rules/0/matches/0/path",
            json!({"type": "RegularExpression", "value": "/(?!x)"}),
            None
        )),
        Just(Set(
            "/spec/rules/0/matches/0/path",
            json!({"type": "RegularExpression", "value": "/(unclosed"}),
            None
        )),
        Just(Set(
            "/spec/rules/0/matches/0/path",
            json!({"type": "RegularExpression", "value": "/(\\w{200}){200}"}),
            None
        )),
        // Missing required fields.
        Just(Remove(
            "/spec/rules/0/backendRefs/0/name",
            "spec.rules[0].backendRefs[0].name"
        )),
        Just(Remove(
            "/spec/rules/0/backendRefs/0/port",
            "spec.rules[0].backendRefs[0]"
        )),
        Just(Remove("/spec", "spec")),
        // Too many matches.
        (65usize..=130).prop_map(ManyMatches),
        // Wrong types anywhere along the rule.
        junk.clone()
            .prop_map(|v| Set("/spec/rules", v, Some("spec.rules"))),
        junk.clone()
            .prop_map(|v| Set("/spec/rules/0", v, Some("spec.rules[0]"))),
        junk.clone().prop_map(|v| Set(
            "/spec/rules/0/matches/0/path",
            v,
            Some("spec.rules[0].matches[0].path")
        )),
        junk.clone().prop_map(|v| Set(
            "/spec/rules/0/matches/0/path/value",
            v,
            Some("spec.rules[0].matches[0].path.value")
        )),
        // A null port is an absent one: the CEL rule on the backendRef.
        junk.clone().prop_map(|v| Set(
            "/spec/rules/0/backendRefs/0/port",
            v,
            Some("spec.rules[0].backendRefs[0]")
        )),
        junk.prop_map(|v| Set(
            "/spec/parentRefs/0/name",
            v,
            Some("spec.parentRefs[0].name")
        )),
    ]
}

/// A valid HTTPRoute `apps/victim` with one match, one header match and one
/// backend, to break.
fn victim() -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "victim", "namespace": "apps", "creationTimestamp": TIMES[0]},
        "spec": {
            "parentRefs": [{"name": "gw", "namespace": "infra"}],
            "hostnames": ["a.example.com"],
            "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": "/v"}, "headers": [{"name": "x", "value": "1"}]}],
                "backendRefs": [{"name": "web", "port": 80}],
            }],
        },
    })
}

/// Sets `value` at a JSON pointer, creating nothing: the parent must exist.
fn set_at(root: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer has a parent");
    let parent = root
        .pointer_mut(parent)
        .expect("parent exists in the victim");
    match parent {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(items) => {
            let i: usize = key.parse().expect("array index");
            items[i] = value;
        }
        other => panic!("cannot set {pointer} in {other}"),
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// (d) Broken resources never panic load or compile; the schema's refusals
    /// name the object and the field.
    #[test]
    fn invalid_resources_are_refused_naming_object_and_field(
        (world, broken) in (world(), breakage())
    ) {
        let mut route = victim();
        let expected_field = match &broken {
            Breakage::Set(pointer, value, field) => {
                set_at(&mut route, pointer, value.clone());
                *field
            }
            Breakage::Remove(pointer, field) => {
                let (parent, key) = pointer.rsplit_once('/').expect("pointer has a parent");
                route
                    .pointer_mut(parent)
                    .and_then(Value::as_object_mut)
                    .expect("parent is an object")
                    .remove(key);
                Some(*field)
            }
            Breakage::ManyMatches(n) => {
                let matches: Vec<Value> = (0..*n)
                    .map(|i| json!({"path": {"type": "Exact", "value": format!("/m{i}")}}))
                    .collect();
                set_at(&mut route, "/spec/rules/0/matches", Value::Array(matches));
                Some("spec.rules")
            }
        };
        // What the schema admits is judged in status, on a Gateway with one
        // plain listener where nothing else can keep the victim out.
        let world = if expected_field.is_some() {
            world
        } else {
            World {
                listeners: vec![ListenerModel { port: 80, https: false, hostname: None }],
                routes: vec![],
            }
        };
        let mut docs = documents(&world);
        docs.push(route);
        let loaded = load_docs(&docs);
        prop_assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        // Whatever happened, compiling and routing do not panic.
        let compiled = Router::compile(&loaded.resources, &Options::default());
        let req = HttpRequest::new("GET", "a.example.com", "/v");
        let _ = compiled.router().route(GW, 80, RequestProtocol::Http, &req).view();
        let status = compiled.status(Timestamp::DEFAULT_EPOCH);
        let victims: Vec<_> = loaded
            .rejections
            .iter()
            .filter(|r| r.object.name == "victim" || r.object.name == "Bad_Name")
            .collect();
        // Nothing else is refused.
        prop_assert_eq!(loaded.rejections.len(), victims.len(), "{:?}", loaded.rejections);
        match expected_field {
            Some(field) => {
                // A `junk` value can be valid by chance (a string path value that
                // is a path, an object whose unknown fields are pruned, ...); the
                // victim then loads.
                let Some(rejection) = victims.first() else {
                    let valid_by_chance = matches!(&broken, Breakage::Set(_, Value::String(_) | Value::Null | Value::Array(_) | Value::Object(_), _));
                    prop_assert!(valid_by_chance, "not refused: {:?}", broken);
                    // Loaded (a parentRef name has only length bounds, so it
                    // may name no Gateway and get no status).
                    prop_assert!(loaded.resources.http_routes.iter().any(|r| r.meta.name == "victim"));
                    return Ok(());
                };
                prop_assert_eq!(victims.len(), 1);
                prop_assert_eq!(rejection.object.kind.as_str(), "HTTPRoute");
                prop_assert_eq!(rejection.object.namespace.as_str(), "apps");
                prop_assert!(!rejection.errors.is_empty());
                for e in &rejection.errors {
                    prop_assert!(!e.message.is_empty() && !e.message.ends_with('.'), "{}", e);
                }
                prop_assert!(
                    rejection.errors.iter().any(|e| e.field.starts_with(field)),
                    "want {} in {}", field, rejection
                );
                prop_assert!(!status.routes.iter().any(|r| r.name == "victim"));
            }
            None => {
                prop_assert!(victims.is_empty(), "{:?}", victims);
                let victim = status
                    .routes
                    .iter()
                    .find(|r| r.namespace == "apps" && r.name == "victim")
                    .expect("the victim gets status");
                let conditions = &victim.parents[0].conditions;
                prop_assert!(
                    conditions.iter().any(|c| c.type_ == "Accepted" && c.status == "False" && c.reason == "UnsupportedValue"),
                    "{:?}", conditions
                );
                let message = &conditions.iter().find(|c| c.type_ == "Accepted").expect("Accepted").message;
                prop_assert!(message.contains("spec.rules[0]") || message.contains("rules[0]") || message.contains("Rule"), "{}", message);
            }
        }
    }
}

/// The generator reaches what the properties need: HTTPS listeners that serve
/// (the stand-in certificate is accepted), forwards, redirects and gRPC.
#[test]
fn generated_worlds_route_over_https_and_grpc() {
    let world = World {
        listeners: vec![
            ListenerModel {
                port: 443,
                https: true,
                hostname: Some("*.example.com"),
            },
            ListenerModel {
                port: 80,
                https: false,
                hostname: None,
            },
        ],
        routes: vec![
            RouteModel {
                namespace: "apps",
                created: TIMES[0],
                section: Some(0),
                hostnames: vec![],
                rules: RulesModel::Http(vec![HttpRuleModel {
                    name: None,
                    matches: None,
                    filters: vec![],
                    redirect: false,
                    backends: vec![BackendModel {
                        service: "web",
                        weight: None,
                    }],
                }]),
            },
            RouteModel {
                namespace: "apps",
                created: TIMES[0],
                section: Some(1),
                hostnames: vec![],
                rules: RulesModel::Grpc(vec![GrpcRuleModel {
                    matches: vec![GrpcMatchModel {
                        service: Some("pkg.Svc"),
                        method: None,
                        regex: false,
                        headers: vec![],
                    }],
                    backends: vec![BackendModel {
                        service: "other",
                        weight: None,
                    }],
                }]),
            },
        ],
    };
    let compiled = compile(&documents(&world));
    assert!(
        compiled.status(Timestamp::DEFAULT_EPOCH).all_accepted(),
        "{:?}",
        compiled.status(Timestamp::DEFAULT_EPOCH)
    );
    let req = |protocol, port, target: &str| Req {
        protocol,
        port,
        method: protocol.default_method().to_owned(),
        host: "a.example.com".into(),
        sni: None,
        target: target.to_owned(),
        headers: vec![],
    };
    let https = route(&compiled, &req(RequestProtocol::Https, 443, "/x"));
    assert_eq!(
        (https.kind, https.listener.as_deref()),
        ("forward", Some("l0"))
    );
    let grpc = route(
        &compiled,
        &req(RequestProtocol::Grpc, 80, &grpc_path("pkg.Svc", "Get")),
    );
    assert_eq!(grpc.route.map(|r| r.name), Some("r1".to_owned()));
}
