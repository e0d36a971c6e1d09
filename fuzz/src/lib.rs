//! Shared pieces of the fuzz targets: a structured generator of Gateway API
//! manifests and requests driven by `arbitrary`, and the output checks.
//!
//! The generator draws most values from small pools of realistic ones (host names
//! that intersect, paths that share prefixes, regexes, weights, filters), so that
//! routes attach, rules compete and decisions reach deep code; a share of values
//! is raw fuzzer text, which validation or matching must take in its stride.

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Value, json};

pub mod check;

/// The Gateway every scenario defines.
pub const GATEWAY: (&str, &str) = ("infra", "gw");

/// How often a string is raw fuzzer text instead of a pool value.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// Out of 16, in manifests.
    pub raw_in_16: u8,
    /// Out of 16, in requests.
    pub raw_request_in_16: u8,
    /// Also TLS/TCP/UDP listeners and routes, ListenerSets, ReferenceGrants.
    pub extended: bool,
}

impl Mode {
    /// Mostly realistic values: routing reaches deep code.
    pub const ROUTING: Mode = Mode {
        raw_in_16: 0,
        raw_request_in_16: 1,
        extended: false,
    };
    /// More raw values and every kind: for compile and status.
    pub const COMPILE: Mode = Mode {
        raw_in_16: 4,
        raw_request_in_16: 4,
        extended: true,
    };
}

/// Manifests (as parsed objects) and requests to send through them.
#[derive(Debug)]
pub struct Scenario {
    /// Kubernetes objects, in load order.
    pub objects: Vec<Value>,
    /// Requests to route at [`GATEWAY`].
    pub requests: Vec<Request>,
}

/// One request, owning its text.
#[derive(Debug, Clone)]
pub struct Request {
    /// Protocol.
    pub protocol: gatewise::RequestProtocol,
    /// Port.
    pub port: u16,
    /// Method.
    pub method: String,
    /// `Host`.
    pub host: String,
    /// Target (path and query).
    pub target: String,
    /// SNI.
    pub sni: Option<String>,
    /// Headers.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The borrowed view the router reads.
    pub fn http(&self) -> gatewise::HttpRequest<'_> {
        gatewise::HttpRequest::new(&self.method, &self.host, &self.target)
            .sni(self.sni.as_deref())
            .owned_headers(&self.headers)
    }

    /// Whether an HTTP server would accept this request as is: the target is an
    /// origin-form `PathAndQuery`, the `Host`, method and headers are valid. Only for
    /// such requests must every output be valid HTTP too.
    pub fn is_valid_http(&self) -> bool {
        // The `Host` must be a valid authority (RFC 9110 `uri-host [":" port]`);
        // an invalid one is passed through as received. (A `Host` with no
        // character a URL host can hold meets a redirect without `hostname`
        // with a 400 `InvalidHost`, for any request: see check.rs.)
        self.host.parse::<http::uri::Authority>().is_ok()
            && self.target.starts_with('/')
            && self.target.parse::<http::uri::PathAndQuery>().is_ok()
            && http::HeaderValue::from_str(&self.host).is_ok()
            && http::Method::from_bytes(self.method.as_bytes()).is_ok()
            && self.headers.iter().all(|(n, v)| {
                http::HeaderName::from_bytes(n.as_bytes()).is_ok()
                    && http::HeaderValue::from_str(v).is_ok()
            })
    }
}

const NAMESPACES: &[&str] = &["app", "infra"];
const ROUTE_HOSTS: &[&str] = &[
    "example.org",
    "foo.example.org",
    "*.example.org",
    "bar.foo.example.org",
    "*.foo.example.org",
    "other.net",
    "*.net",
    "Example.org",
];
const LISTENER_HOSTS: &[&str] = &["example.org", "*.example.org", "foo.example.org", "*.net"];
const REQUEST_HOSTS: &[&str] = &[
    "example.org",
    "foo.example.org",
    "FOO.Example.org",
    "foo.example.org.",
    "example.org:80",
    "bar.foo.example.org",
    "x.other.net",
    "other.net:8080",
    "192.0.2.1",
    "[2001:db8::1]:80",
    "a.b.foo.example.org",
    "",
];
const MATCH_PATHS: &[&str] = &[
    "/",
    "/a",
    "/a/",
    "/a/b",
    "/api",
    "/api/",
    "/api/v1",
    "/a%2Fb",
    "/foo.bar",
    "/com.example.Svc/Get",
    "/com.example.Svc",
];
const MATCH_REGEXES: &[&str] = &[
    "/a/[0-9]+",
    "/.*",
    "/api/.*",
    "/a(/.*)?",
    "/[a-z]+",
    "(?i)/API.*",
    "/a|/b",
    "/a/(?=b)",
];
const SEGMENTS: &[&str] = &[
    "",
    "a",
    "b",
    "api",
    "v1",
    ".",
    "..",
    "%2e",
    "%2E%2e",
    "%2F",
    "%2f",
    "%5C",
    "%5c",
    "%41",
    "%c3%a9",
    "é",
    "a;x",
    "..;",
    "foo.bar",
    "com.example.Svc",
    "Get",
    "%",
    "#",
    " ",
    "\\",
    "A",
];
const QUERIES: &[&str] = &[
    "",
    "x=1",
    "a=b&c=d",
    "q=%0d%0a",
    "v=2",
    "x=1\r\nset-cookie: a",
    "é",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "OPTIONS", "HEAD", "DELETE", "get"];
const HEADER_NAMES: &[&str] = &[
    "x-a",
    "X-A",
    "version",
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "host",
    ":authority",
    "content-type",
    "x-b",
];
const HEADER_VALUES: &[&str] = &[
    "1",
    "2",
    "true",
    "https://www.foo.com",
    "https://api.bar.com",
    "GET",
    "a,b",
    " v ",
    "application/grpc",
    "",
];
const MATCH_HEADER_NAMES: &[&str] = &["x-a", "version", "X-B", "content-type"];
const MATCH_HEADER_VALUES: &[&str] = &["1", "2", "true", "a.*", "[0-9]+", "application/grpc"];
const FILTER_HEADER_NAMES: &[&str] = &["x-a", "X-Added", "version", "x-b", "Set-Cookie"];
const FILTER_HEADER_VALUES: &[&str] = &["1", "foo", "a b", "x\r\ny: z", "\0", "\u{1}", "é", "\t"];
const BACKENDS: &[&str] = &["svc-a", "svc-b", "svc-c", "missing"];
const BACKEND_PORTS: &[i64] = &[8080, 9090, 80, 3000, 1];
const WEIGHTS: &[Option<i64>] = &[None, None, Some(0), Some(1), Some(3), Some(1_000_000)];
const REWRITE_PATHS: &[&str] = &["/", "/new", "/new/", "", "/x/y/", "/a/b"];
const TIMESTAMPS: &[&str] = &["2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z"];
const GRPC_SERVICES: &[&str] = &["com.example.Svc", "com.example.Other", "com\\.example\\..*"];
const GRPC_METHODS: &[&str] = &["Get", "List", "G.*"];

/// A value from `pool`, or (`mode.raw_in_16` times in 16) raw fuzzer text.
fn text(u: &mut Unstructured<'_>, mode: Mode, pool: &[&str]) -> Result<String> {
    if chance(u, mode.raw_in_16, 16)? {
        return u.arbitrary::<String>();
    }
    Ok((*u.choose(pool)?).to_owned())
}

/// True `n` times in `d`; false once the fuzzer's bytes are used up (where
/// `Unstructured::ratio` would say true), so short inputs give plain values.
fn chance(u: &mut Unstructured<'_>, n: u8, d: u8) -> Result<bool> {
    if u.is_empty() || n == 0 {
        return Ok(false);
    }
    u.ratio(n, d)
}

fn pick<T: Copy>(u: &mut Unstructured<'_>, pool: &[T]) -> Result<T> {
    u.choose(pool).copied()
}

/// Up to `max` items made by `f`.
fn some<T>(
    u: &mut Unstructured<'_>,
    max: usize,
    mut f: impl FnMut(&mut Unstructured<'_>, usize) -> Result<T>,
) -> Result<Vec<T>> {
    let n = u.int_in_range(0..=max)?;
    (0..n).map(|i| f(u, i)).collect()
}

/// Inserts `key: value` when `value` is `Some`.
fn opt(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v);
    }
}

fn maybe<T>(
    u: &mut Unstructured<'_>,
    f: impl FnOnce(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Option<T>> {
    if u.arbitrary::<bool>()? {
        f(u).map(Some)
    } else {
        Ok(None)
    }
}

impl Scenario {
    /// Manifests, then 1 to 8 requests, from the fuzzer's bytes.
    pub fn generate(u: &mut Unstructured<'_>, mode: Mode) -> Result<Scenario> {
        let mut objects = base_objects();
        let listeners = u.int_in_range(1..=4)?;
        let mut listener_values = Vec::new();
        for i in 0..listeners {
            let (listener, _) = listener(u, mode, &format!("l{i}"))?;
            // Port, protocol and hostname must be unique, or the Gateway is
            // rejected and nothing routes: keep the first of a kind.
            let key = |l: &Value| {
                (
                    l["port"].clone(),
                    l["protocol"].clone(),
                    l["hostname"].clone(),
                )
            };
            if listener_values.iter().any(|l| key(l) == key(&listener)) {
                continue;
            }
            listener_values.push(listener);
        }
        let mut gateway = json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": GATEWAY.1, "namespace": GATEWAY.0},
            "spec": {"gatewayClassName": "gatewise", "listeners": listener_values},
        });
        if mode.extended && u.arbitrary::<bool>()? {
            gateway["spec"]["allowedListeners"] = json!({"namespaces": {"from": "All"}});
            let (l, _) = listener(u, mode, "ls0")?;
            objects.push(json!({
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "ListenerSet",
                "metadata": {"name": "ls", "namespace": pick(u, NAMESPACES)?},
                "spec": {"parentRef": {"name": GATEWAY.1, "namespace": GATEWAY.0}, "listeners": [l]},
            }));
        }
        objects.push(gateway);
        if chance(u, 1, 3)? {
            objects.push(json!({
                "apiVersion": "gateway.networking.k8s.io/v1beta1",
                "kind": "ReferenceGrant",
                "metadata": {"name": "grant", "namespace": pick(u, NAMESPACES)?},
                "spec": {
                    "from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": pick(u, NAMESPACES)?}],
                    "to": [{"group": "", "kind": "Service"}],
                },
            }));
        }
        let routes = u.int_in_range(0..=6)?;
        for i in 0..routes {
            let kind = if mode.extended {
                u.int_in_range(0..=9)?
            } else {
                u.int_in_range(0..=4)?
            };
            let route = match kind {
                0..=3 => http_route(u, mode, i)?,
                4 => grpc_route(u, mode, i)?,
                5 | 6 => stream_route(u, mode, i, "TLSRoute")?,
                7 | 8 => stream_route(u, mode, i, "TCPRoute")?,
                _ => stream_route(u, mode, i, "UDPRoute")?,
            };
            objects.push(route);
        }
        let mut requests = vec![request(u, mode)?];
        requests.extend(some(u, 7, |u, _| request(u, mode))?);
        Ok(Scenario { objects, requests })
    }

    /// Loads and compiles the objects.
    pub fn compile(&self) -> (gatewise::Loaded, gatewise::Compiled) {
        let mut loader = gatewise::Loader::new();
        for object in &self.objects {
            loader.add_value("fuzz", object.clone());
        }
        let loaded = loader.finish();
        let compiled = gatewise::Router::compile(&loaded.resources, &gatewise::Options::default());
        (loaded, compiled)
    }
}

/// GatewayClass, Services and a TLS Secret (PEM labels only: the core checks no more).
fn base_objects() -> Vec<Value> {
    let service = |ns: &str, name: &str, ports: &[i64]| {
        let ports: Vec<Value> = ports
            .iter()
            .map(|p| json!({"name": format!("p{p}"), "port": p}))
            .collect();
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": name, "namespace": ns}, "spec": {"ports": ports}})
    };
    vec![
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
               "metadata": {"name": "gatewise"},
               "spec": {"controllerName": gatewise::DEFAULT_CONTROLLER_NAME}}),
        service("app", "svc-a", &[8080]),
        service("app", "svc-b", &[8080, 9090]),
        service("infra", "svc-c", &[80, 3000]),
        service("infra", "svc-a", &[8080]),
        json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": "cert", "namespace": "infra"},
        "data": {
            "tls.crt": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1BPT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=",
            "tls.key": "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1BPT0KLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=",
        }}),
    ]
}

/// A listener and its protocol.
fn listener(u: &mut Unstructured<'_>, mode: Mode, name: &str) -> Result<(Value, &'static str)> {
    let protocols: &[&'static str] = if mode.extended {
        &["HTTP", "HTTP", "HTTPS", "TLS", "TCP", "UDP"]
    } else {
        &["HTTP", "HTTP", "HTTP", "HTTPS"]
    };
    let protocol = pick(u, protocols)?;
    let port = match protocol {
        "HTTP" => pick(u, &[80, 8080, 80, 443])?,
        "HTTPS" | "TLS" => pick(u, &[443, 8443, 80])?,
        _ => pick(u, &[3000, 53, 80])?,
    };
    let mut l = Map::new();
    l.insert("name".into(), json!(name));
    l.insert("port".into(), json!(port));
    l.insert("protocol".into(), json!(protocol));
    if protocol != "TCP" && protocol != "UDP" && u.arbitrary::<bool>()? {
        l.insert("hostname".into(), json!(text(u, mode, LISTENER_HOSTS)?));
    }
    match protocol {
        "HTTPS" => {
            l.insert(
                "tls".into(),
                json!({"mode": "Terminate", "certificateRefs": [{"name": "cert"}]}),
            );
        }
        "TLS" => {
            let mode = pick(u, &["Passthrough", "Terminate"])?;
            let mut tls = json!({"mode": mode});
            if mode == "Terminate" {
                tls["certificateRefs"] = json!([{"name": "cert"}]);
            }
            l.insert("tls".into(), tls);
        }
        _ => {}
    }
    if !u.is_empty() {
        l.insert(
            "allowedRoutes".into(),
            json!({"namespaces": {"from": pick(u, &["All", "All", "All", "Same"])?}}),
        );
    }
    Ok((Value::Object(l), protocol))
}

fn metadata(u: &mut Unstructured<'_>, i: usize) -> Result<Value> {
    let mut m = Map::new();
    m.insert("name".into(), json!(format!("r{i}")));
    m.insert("namespace".into(), json!(pick(u, NAMESPACES)?));
    if u.arbitrary::<bool>()? {
        m.insert("creationTimestamp".into(), json!(pick(u, TIMESTAMPS)?));
    }
    Ok(Value::Object(m))
}

fn parent_refs(u: &mut Unstructured<'_>) -> Result<Value> {
    let n = u.int_in_range(1..=2)?;
    let mut refs = Vec::new();
    for _ in 0..n {
        let mut r = Map::new();
        r.insert("name".into(), json!(GATEWAY.1));
        r.insert("namespace".into(), json!(GATEWAY.0));
        if chance(u, 1, 4)? {
            r.insert(
                "sectionName".into(),
                json!(pick(u, &["l0", "l1", "l2", "l3", "ls0", "none"])?),
            );
        }
        if chance(u, 1, 6)? {
            r.insert("port".into(), json!(pick(u, &[80, 443, 8080])?));
        }
        refs.push(Value::Object(r));
    }
    Ok(Value::Array(refs))
}

fn hostnames(u: &mut Unstructured<'_>, mode: Mode) -> Result<Value> {
    Ok(json!(some(u, 3, |u, _| text(u, mode, ROUTE_HOSTS))?))
}

fn http_route(u: &mut Unstructured<'_>, mode: Mode, i: usize) -> Result<Value> {
    let rules = u.int_in_range(1..=3)?;
    let rules: Vec<Value> = (0..rules)
        .map(|i| http_rule(u, mode, i))
        .collect::<Result<_>>()?;
    Ok(json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": metadata(u, i)?,
        "spec": {"parentRefs": parent_refs(u)?, "hostnames": hostnames(u, mode)?, "rules": rules},
    }))
}

fn http_rule(u: &mut Unstructured<'_>, mode: Mode, i: usize) -> Result<Value> {
    let mut rule = Map::new();
    rule.insert(
        "matches".into(),
        json!(some(u, 3, |u, _| http_match(u, mode))?),
    );
    let filters = some(u, 2, |u, _| filter(u, mode, 5))?;
    if !filters.is_empty() {
        rule.insert("filters".into(), json!(filters));
    }
    let mut backends = vec![backend_ref(u, mode, true)?];
    backends.extend(some(u, 2, |u, _| backend_ref(u, mode, true))?);
    // A rule either redirects or forwards (CEL): a redirect drops the backends.
    if chance(u, 1, 8)? || filters.iter().any(|f| f["type"] == "RequestRedirect") {
        backends.clear();
    }
    rule.insert("backendRefs".into(), json!(backends));
    if chance(u, 1, 4)? {
        rule.insert("name".into(), json!(format!("rule-{i}")));
    }
    Ok(Value::Object(rule))
}

fn http_match(u: &mut Unstructured<'_>, mode: Mode) -> Result<Value> {
    let mut m = Map::new();
    if chance(u, 3, 4)? {
        let kind = pick(
            u,
            &["Exact", "PathPrefix", "PathPrefix", "RegularExpression"],
        )?;
        let value = if kind == "RegularExpression" {
            text(u, mode, MATCH_REGEXES)?
        } else {
            text(u, mode, MATCH_PATHS)?
        };
        m.insert("path".into(), json!({"type": kind, "value": value}));
    }
    if chance(u, 1, 4)? {
        m.insert(
            "method".into(),
            json!(pick(u, &["GET", "POST", "OPTIONS"])?),
        );
    }
    let headers = some(u, 2, |u, _| header_match(u, mode))?;
    if !headers.is_empty() {
        m.insert("headers".into(), json!(headers));
    }
    if chance(u, 1, 5)? {
        m.insert(
            "queryParams".into(),
            json!([{"name": pick(u, &["x", "a", "q"])?, "value": pick(u, &["1", "b", "[0-9]"])?,
                    "type": pick(u, &["Exact", "RegularExpression"])?}]),
        );
    }
    Ok(Value::Object(m))
}

fn header_match(u: &mut Unstructured<'_>, mode: Mode) -> Result<Value> {
    Ok(json!({
        "name": text(u, mode, MATCH_HEADER_NAMES)?,
        "value": text(u, mode, MATCH_HEADER_VALUES)?,
        "type": pick(u, &["Exact", "Exact", "RegularExpression"])?,
    }))
}

fn header_filter(u: &mut Unstructured<'_>, mode: Mode) -> Result<Value> {
    let header = |u: &mut Unstructured<'_>, _| -> Result<Value> {
        Ok(json!({"name": text(u, mode, FILTER_HEADER_NAMES)?,
                  "value": text(u, mode, FILTER_HEADER_VALUES)?}))
    };
    Ok(json!({
        "set": some(u, 2, header)?,
        "add": some(u, 2, header)?,
        "remove": some(u, 1, |u, _| text(u, mode, FILTER_HEADER_NAMES))?,
    }))
}

fn path_modifier(u: &mut Unstructured<'_>, mode: Mode) -> Result<Value> {
    let value = text(u, mode, REWRITE_PATHS)?;
    Ok(if u.arbitrary::<bool>()? {
        json!({"type": "ReplaceFullPath", "replaceFullPath": value})
    } else {
        json!({"type": "ReplacePrefixMatch", "replacePrefixMatch": value})
    })
}

fn object_ref(u: &mut Unstructured<'_>) -> Result<Value> {
    let mut r = Map::new();
    r.insert("name".into(), json!(pick(u, BACKENDS)?));
    if chance(u, 1, 4)? {
        r.insert("namespace".into(), json!(pick(u, NAMESPACES)?));
    }
    r.insert("port".into(), json!(pick(u, BACKEND_PORTS)?));
    Ok(Value::Object(r))
}

/// One filter of the first `max + 1` kinds: header modifiers, mirror (gRPC
/// stops here), URLRewrite (backendRefs stop here), RequestRedirect, CORS.
fn filter(u: &mut Unstructured<'_>, mode: Mode, max: u8) -> Result<Value> {
    Ok(match u.int_in_range(0..=max)? {
        0 => {
            json!({"type": "RequestHeaderModifier", "requestHeaderModifier": header_filter(u, mode)?})
        }
        1 => {
            json!({"type": "ResponseHeaderModifier", "responseHeaderModifier": header_filter(u, mode)?})
        }
        2 => {
            let mut m = Map::new();
            m.insert("backendRef".into(), object_ref(u)?);
            opt(
                &mut m,
                "percent",
                maybe(u, |u| pick(u, &[0, 50, 100]).map(Value::from))?,
            );
            json!({"type": "RequestMirror", "requestMirror": m})
        }
        3 => {
            let mut m = Map::new();
            opt(
                &mut m,
                "hostname",
                maybe(u, |u| {
                    text(u, mode, ROUTE_HOSTS[..3].as_ref()).map(Value::from)
                })?,
            );
            opt(&mut m, "path", maybe(u, |u| path_modifier(u, mode))?);
            json!({"type": "URLRewrite", "urlRewrite": m})
        }
        4 => {
            let mut m = Map::new();
            opt(
                &mut m,
                "scheme",
                maybe(u, |u| pick(u, &["http", "https"]).map(Value::from))?,
            );
            opt(
                &mut m,
                "hostname",
                maybe(u, |u| {
                    text(u, mode, &["example.org", "redirect.example.org"]).map(Value::from)
                })?,
            );
            opt(
                &mut m,
                "port",
                maybe(u, |u| pick(u, &[80, 443, 8080]).map(Value::from))?,
            );
            opt(
                &mut m,
                "statusCode",
                maybe(u, |u| pick(u, &[301, 302, 303, 307, 308]).map(Value::from))?,
            );
            opt(&mut m, "path", maybe(u, |u| path_modifier(u, mode))?);
            json!({"type": "RequestRedirect", "requestRedirect": m})
        }
        _ => json!({"type": "CORS", "cors": {
            "allowOrigins": some(u, 2, |u, _| text(u, mode, &["https://www.foo.com", "*", "https://*.bar.com"]))?,
            "allowMethods": some(u, 2, |u, _| text(u, mode, &["GET", "POST", "*"]))?,
            "allowHeaders": some(u, 2, |u, _| text(u, mode, &["x-a", "*"]))?,
            "exposeHeaders": some(u, 1, |u, _| text(u, mode, &["x-b"]))?,
            "allowCredentials": u.arbitrary::<bool>()?,
            "maxAge": pick(u, &[1, 3600])?,
        }}),
    })
}

fn backend_ref(u: &mut Unstructured<'_>, mode: Mode, filters: bool) -> Result<Value> {
    let mut r = object_ref(u)?;
    if let Some(w) = pick(u, WEIGHTS)? {
        r["weight"] = json!(w);
    }
    if filters && chance(u, 1, 4)? {
        r["filters"] = json!([filter(u, mode, 3)?]);
    }
    Ok(r)
}

fn grpc_route(u: &mut Unstructured<'_>, mode: Mode, i: usize) -> Result<Value> {
    let rules = u.int_in_range(1..=3)?;
    let mut out = Vec::new();
    for _ in 0..rules {
        let matches = some(u, 2, |u, _| {
            let mut m = Map::new();
            if chance(u, 3, 4)? {
                let mut method = Map::new();
                method.insert(
                    "type".into(),
                    json!(pick(u, &["Exact", "RegularExpression"])?),
                );
                opt(
                    &mut method,
                    "service",
                    maybe(u, |u| text(u, mode, GRPC_SERVICES).map(Value::from))?,
                );
                opt(
                    &mut method,
                    "method",
                    maybe(u, |u| text(u, mode, GRPC_METHODS).map(Value::from))?,
                );
                if !method.contains_key("method") {
                    method.insert("service".into(), json!(text(u, mode, GRPC_SERVICES)?));
                }
                m.insert("method".into(), Value::Object(method));
            }
            let headers = some(u, 1, |u, _| header_match(u, mode))?;
            if !headers.is_empty() {
                m.insert("headers".into(), json!(headers));
            }
            Ok(Value::Object(m))
        })?;
        let filters = some(u, 2, |u, _| filter(u, mode, 2))?;
        let backends = some(u, 2, |u, _| backend_ref(u, mode, false))?;
        out.push(json!({"matches": matches, "filters": filters, "backendRefs": backends}));
    }
    Ok(json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GRPCRoute",
        "metadata": metadata(u, i)?,
        "spec": {"parentRefs": parent_refs(u)?, "hostnames": hostnames(u, mode)?, "rules": out},
    }))
}

fn stream_route(u: &mut Unstructured<'_>, mode: Mode, i: usize, kind: &str) -> Result<Value> {
    let backends = some(u, 2, |u, _| backend_ref(u, mode, false))?;
    let mut spec = json!({"parentRefs": parent_refs(u)?, "rules": [{"backendRefs": backends}]});
    let version = if kind == "TLSRoute" {
        spec["hostnames"] = hostnames(u, mode)?;
        "gateway.networking.k8s.io/v1"
    } else {
        "gateway.networking.k8s.io/v1alpha2"
    };
    Ok(json!({
        "apiVersion": version,
        "kind": kind,
        "metadata": metadata(u, i)?,
        "spec": spec,
    }))
}

/// A request: pool hosts, paths built from tricky segments, headers that
/// filters and matches look at, and now and then raw text.
pub fn request(u: &mut Unstructured<'_>, mode: Mode) -> Result<Request> {
    use gatewise::RequestProtocol as P;
    let protocols: &[P] = if mode.extended {
        &[P::Http, P::Http, P::Https, P::Grpc, P::Tls, P::Tcp, P::Udp]
    } else {
        &[P::Http, P::Http, P::Http, P::Https, P::Grpc]
    };
    let protocol = pick(u, protocols)?;
    let port = match protocol {
        P::Https | P::Tls => pick(u, &[443, 443, 8443, 80])?,
        _ => pick(u, &[80, 80, 80, 8080, 443, 3000, 53])?,
    };
    // Requests take raw text at their own rate.
    let mode = Mode {
        raw_in_16: mode.raw_request_in_16,
        ..mode
    };
    let method = text(u, mode, METHODS)?;
    let host = text(u, mode, REQUEST_HOSTS)?;
    let target = if chance(u, mode.raw_in_16, 16)? {
        u.arbitrary::<String>()?
    } else {
        let mut t = String::new();
        let n = u.int_in_range(0..=5)?;
        for _ in 0..n {
            t.push('/');
            t.push_str(pick(u, SEGMENTS)?);
        }
        if t.is_empty() {
            t.push('/');
        }
        if chance(u, 1, 4)? {
            t.push('?');
            t.push_str(pick(u, QUERIES)?);
        }
        t
    };
    let sni = if chance(u, 1, 4)? {
        Some(text(u, mode, REQUEST_HOSTS)?)
    } else {
        None
    };
    let headers = some(u, 4, |u, _| {
        Ok((text(u, mode, HEADER_NAMES)?, text(u, mode, HEADER_VALUES)?))
    })?;
    Ok(Request {
        protocol,
        port,
        method,
        host,
        target,
        sni,
        headers,
    })
}
