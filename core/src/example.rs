//! Example requests: one concrete request, derived from a rule's match, that the
//! router sends to that match. [`crate::lint`] findings carry one to demonstrate
//! the problem they describe; [`crate::diff`] routes one per rule through both
//! versions of a configuration.
//!
//! # How a request is derived from a match
//!
//! - **Gateway, port, protocol**: those of the listener the rule is attached to.
//!   An `HTTP` listener gives `HTTP`, `HTTPS` gives `HTTPS`, a GRPCRoute's rule
//!   gives `GRPC` (over TLS, with a server name, on an `HTTPS` listener); `TLS`,
//!   `TCP` and `UDP` listeners give connections of that protocol.
//! - **Host** (and server name): the hostname the rule serves on that listener
//!   (route and listener hostnames intersected). An exact name is used as is; a
//!   wildcard `*.example.com` becomes `test.example.com` (or `a.`, `b.`,
//!   `gatewise.` when a more specific listener or route hostname claims `test.`);
//!   no hostname at all becomes `example.com` (or `gatewise.example`, ...).
//! - **Path**: an `Exact` value as is; a `PathPrefix` value itself (`/` for the
//!   root); a `RegularExpression` as a string generated from the pattern when the
//!   pattern is simple: literals, `.`, classes such as `[0-9]` or `[^/]`, `\d` and
//!   `\w`, groups, alternation (its first branch) and quantifiers (each repeated
//!   its minimum number of times, so `/api/.*` gives `/api/`). A GRPCRoute's
//!   method match gives `/service/method`; one matching every call gives
//!   `/example.Service/Method`.
//! - **Method, headers, query parameters**: the match's own values (regular
//!   expressions as for paths).
//!
//! Every request is checked against the match it was derived from (after path
//! normalisation, as the router sees it); when none can be built, the caller gets
//! a note saying why instead.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::decision::{GatewayRef, most_specific, most_specific_tls};
use crate::explain::Explanation;
use crate::hostname::{HostKey, Hostname};
use crate::matcher::{PathMatch, RouteMatch, ValueMatch};
use crate::precedence::HostnameRank;
use crate::request::{Headers, HttpRequest, RequestProtocol};
use crate::router::{Entry, GatewayRt, ListenerRt, Protocol, RouteInfo, Router, RuleRt};
use crate::{Decision, DecisionView, path};

/// A concrete request: everything [`Router::route`] needs, owned and
/// serialisable. Its serialised shape is that of a request in a spec fixture
/// (`gateway`, `port`, `protocol`, `host`, `sni`, `method`, `path`, `headers` as
/// `{name, value}` pairs), so it can be pasted into one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ExampleRequest {
    /// The Gateway, as `namespace/name`.
    pub gateway: String,
    /// The port.
    pub port: u16,
    /// The protocol.
    pub protocol: RequestProtocol,
    /// The `Host` (HTTP, HTTPS, GRPC) or the server name's host (TLS); empty
    /// for TCP and UDP.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub host: String,
    /// The TLS server name, when it is not the default ([`crate::default_sni`]
    /// of the host): gRPC over TLS sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// The method (HTTP, HTTPS, GRPC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The request target, path and query (HTTP, HTTPS, GRPC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Request headers, in order.
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "ser_headers")]
    pub headers: Vec<(String, String)>,
}

impl ExampleRequest {
    /// The Gateway as a [`GatewayRef`].
    pub fn gateway_ref(&self) -> GatewayRef<'_> {
        let (ns, name) = self.gateway.split_once('/').unwrap_or(("", &self.gateway));
        GatewayRef::new(ns, name)
    }

    /// The request as the router reads it.
    pub fn request(&self) -> HttpRequest<'_> {
        HttpRequest::new(
            self.method
                .as_deref()
                .unwrap_or(self.protocol.default_method()),
            &self.host,
            self.path.as_deref().unwrap_or("/"),
        )
        .sni(self.sni.as_deref())
        .owned_headers(&self.headers)
    }

    /// Routes the request ([`Router::route`]).
    pub fn route<'a>(&'a self, router: &'a Router) -> Decision<'a> {
        router.route(
            self.gateway_ref(),
            self.port,
            self.protocol,
            &self.request(),
        )
    }

    /// The decision as plain data.
    pub fn view(&self, router: &Router) -> DecisionView {
        self.route(router).view()
    }

    /// Routes the request and records why ([`Router::explain`]).
    pub fn explain(&self, router: &Router) -> Explanation {
        router.explain(
            self.gateway_ref(),
            self.port,
            self.protocol,
            &self.request(),
        )
    }
}

impl fmt::Display for ExampleRequest {
    /// One line, e.g. `GET http://shop.example.com/api (x-canary: true) at
    /// infra/gw port 80`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let method = self
            .method
            .as_deref()
            .unwrap_or(self.protocol.default_method());
        let path = self.path.as_deref().unwrap_or("/");
        match self.protocol {
            RequestProtocol::Http => write!(f, "{method} http://{}{path}", self.host)?,
            RequestProtocol::Https => write!(f, "{method} https://{}{path}", self.host)?,
            RequestProtocol::Grpc => {
                write!(f, "gRPC call {path} to {}", self.host)?;
                if self.sni.is_some() {
                    f.write_str(" over TLS")?;
                }
            }
            RequestProtocol::Tls => write!(
                f,
                "TLS connection for server name {}",
                self.sni.as_deref().unwrap_or(&self.host)
            )?,
            RequestProtocol::Tcp => f.write_str("TCP connection")?,
            RequestProtocol::Udp => f.write_str("UDP datagrams")?,
        }
        if !self.headers.is_empty() {
            let h: Vec<String> = self
                .headers
                .iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect();
            write!(f, " ({})", h.join(", "))?;
        }
        write!(f, " at {} port {}", self.gateway, self.port)
    }
}

fn ser_headers<S: Serializer>(headers: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Pair<'a> {
        name: &'a str,
        value: &'a str,
    }
    s.collect_seq(headers.iter().map(|(name, value)| Pair { name, value }))
}

/// One match entry of a compiled router, with everything around it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'r> {
    /// The Gateway's namespace and name.
    pub(crate) gateway: (&'r str, &'r str),
    pub(crate) gw: &'r GatewayRt,
    pub(crate) listener: &'r ListenerRt,
    pub(crate) entry: &'r Entry,
    /// Whether the entry is in the listener's GRPCRoute list.
    pub(crate) grpc: bool,
    /// Position of the entry in its list (precedence order).
    pub(crate) position: usize,
    pub(crate) route: &'r RouteInfo,
    pub(crate) rule: &'r RuleRt,
}

impl Site<'_> {
    /// The request this entry represents.
    pub(crate) fn example(&self) -> Result<ExampleRequest, String> {
        for_match(
            self.gateway,
            self.gw,
            self.listener,
            self.route.kind,
            self.entry.hostname.as_ref(),
            &self.entry.m,
        )
    }
}

/// Every match entry of every listener of every Gateway, Gateways sorted by
/// namespace and name, listeners in order, each list in precedence order.
pub(crate) fn sites(router: &Router) -> Vec<Site<'_>> {
    let mut out = Vec::new();
    for (ns, name) in router.gateways() {
        let Some(gw) = router.gateway(ns, name) else {
            continue;
        };
        for listener in &gw.listeners {
            for (grpc, list) in [(false, &listener.entries), (true, &listener.grpc_entries)] {
                for (position, entry) in list.iter().enumerate() {
                    let Some(rule) = router.inner.rules.get(entry.rule as usize) else {
                        continue;
                    };
                    let Some(route) = router.inner.routes.get(rule.route as usize) else {
                        continue;
                    };
                    out.push(Site {
                        gateway: (ns, name),
                        gw,
                        listener,
                        entry,
                        grpc,
                        position,
                        route,
                        rule,
                    });
                }
            }
        }
    }
    out
}

/// The request a listener receives when nothing more is known: its protocol,
/// a host its hostname matches, path `/`.
pub(crate) fn for_listener(
    gateway: (&str, &str),
    gw: &GatewayRt,
    listener: &ListenerRt,
) -> Result<ExampleRequest, String> {
    let kind = match listener.protocol {
        Some(Protocol::Tls) => "TLSRoute",
        Some(Protocol::Tcp) => "TCPRoute",
        Some(Protocol::Udp) => "UDPRoute",
        _ => "HTTPRoute",
    };
    let any = RouteMatch {
        path: PathMatch::prefix("/"),
        method: None,
        headers: Vec::new(),
        query: Vec::new(),
    };
    for_match(
        gateway,
        gw,
        listener,
        kind,
        listener.hostname.as_ref(),
        &any,
    )
}

/// The request a match of a route of `kind` serves on `listener` for
/// `hostname` (`None`: any), with a host no more specific hostname of the
/// listener's routes of that kind claims when there is one.
pub(crate) fn for_match(
    gateway: (&str, &str),
    gw: &GatewayRt,
    listener: &ListenerRt,
    kind: &str,
    hostname: Option<&Hostname>,
    m: &RouteMatch,
) -> Result<ExampleRequest, String> {
    let grpc = kind == "GRPCRoute";
    let protocol = match listener.protocol {
        Some(Protocol::Http) if grpc => RequestProtocol::Grpc,
        Some(Protocol::Http) => RequestProtocol::Http,
        Some(Protocol::Https) if grpc => RequestProtocol::Grpc,
        Some(Protocol::Https) => RequestProtocol::Https,
        Some(Protocol::Tls) => RequestProtocol::Tls,
        Some(Protocol::Tcp) => RequestProtocol::Tcp,
        Some(Protocol::Udp) => RequestProtocol::Udp,
        None => {
            return Err(format!(
                "listener {} has a protocol Gatewise does not serve",
                listener.name
            ));
        }
    };
    let mut ex = ExampleRequest {
        gateway: format!("{}/{}", gateway.0, gateway.1),
        port: listener.port,
        protocol,
        host: String::new(),
        sni: None,
        method: None,
        path: None,
        headers: Vec::new(),
    };
    if matches!(protocol, RequestProtocol::Tcp | RequestProtocol::Udp) {
        return Ok(ex);
    }
    ex.host = pick_host(gw, listener, hostname, grpc);
    if protocol == RequestProtocol::Tls
        || (protocol == RequestProtocol::Grpc && listener.protocol == Some(Protocol::Https))
    {
        ex.sni = Some(ex.host.clone());
    }
    if protocol == RequestProtocol::Tls {
        return Ok(ex);
    }
    let path = match &m.path {
        PathMatch::Exact(p) => p.to_string(),
        PathMatch::PathPrefix(p) if p.is_empty() && grpc => "/example.Service/Method".to_owned(),
        PathMatch::PathPrefix(p) if p.is_empty() => "/".to_owned(),
        PathMatch::PathPrefix(p) => p.to_string(),
        PathMatch::RegularExpression(_, src) => sample(src).ok_or_else(|| {
            format!("the regular expression {src:?} is too complex to derive a path from")
        })?,
    };
    let method = m
        .method
        .as_deref()
        .unwrap_or(protocol.default_method())
        .to_owned();
    for h in &m.headers {
        let value = value_sample(&h.value)
            .ok_or_else(|| format!("no value derived for header {}", h.name))?;
        ex.headers.push((h.name.to_string(), value));
    }
    let mut target = path;
    for (i, q) in m.query.iter().enumerate() {
        let value = value_sample(&q.value)
            .filter(|v| !v.contains(['&', '#', ' ']))
            .ok_or_else(|| format!("no value derived for query parameter {}", q.name))?;
        target.push(if i == 0 { '?' } else { '&' });
        target.push_str(&q.name);
        target.push('=');
        target.push_str(&value);
    }
    // The request must satisfy the match as the router sees it.
    let (p, query) = path::split_query(&target);
    let Some(normalized) = path::normalize(p) else {
        return Err(format!("{p:?} is not a valid request path"));
    };
    if let Some(miss) = m.mismatch(&normalized, &method, Headers::Owned(&ex.headers), query) {
        return Err(format!(
            "the request derived from the match does not satisfy it ({miss:?} differs)"
        ));
    }
    if let Some(h) = hostname
        && !h.matches(HostKey::new(&ex.host).as_str())
    {
        return Err(format!("no host derived for hostname {h}"));
    }
    ex.method = Some(method);
    ex.path = Some(target);
    Ok(ex)
}

/// A host `hostname` (or, when `None`, any name) matches, preferring one that the
/// listener selection gives to `listener` and that no route hostname more
/// specific than `hostname` claims (in the listener's GRPCRoute index when
/// `grpc`, else its HTTPRoute one).
fn pick_host(
    gw: &GatewayRt,
    listener: &ListenerRt,
    hostname: Option<&Hostname>,
    grpc: bool,
) -> String {
    let candidates: Vec<String> = match hostname.or(listener.hostname.as_ref()) {
        Some(Hostname::Exact(h)) => vec![h.to_string()],
        Some(Hostname::Wildcard(s)) => ["test", "a", "b", "gatewise"]
            .iter()
            .map(|p| format!("{p}{s}"))
            .collect(),
        None => ["example.com", "gatewise.example", "a.example", "b.example"]
            .iter()
            .map(|h| (*h).to_owned())
            .collect(),
    };
    let selects = |c: &str| -> bool {
        let this = |l: Option<&ListenerRt>| l.is_some_and(|l| std::ptr::eq(l, listener));
        let port = listener.port;
        match listener.protocol {
            Some(Protocol::Http) => this(most_specific(gw, port, Protocol::Http, Some(c))),
            Some(Protocol::Https) => {
                this(most_specific_tls(gw, port, Some(c)))
                    && this(most_specific(gw, port, Protocol::Https, Some(c)))
            }
            Some(Protocol::Tls) => this(most_specific_tls(gw, port, Some(c))),
            _ => true,
        }
    };
    let rank = HostnameRank::of(hostname);
    let exact = |c: &str| {
        if grpc {
            listener.grpc_index.exact.contains_key(c)
        } else {
            listener.index.exact.contains_key(c.as_bytes())
        }
    };
    let wildcard = |s: &str| {
        if grpc {
            listener.grpc_index.wildcard.contains_key(s)
        } else {
            listener.index.wildcard.contains_key(s.as_bytes())
        }
    };
    // The hostname groups a host falls in, from the most specific: its exact
    // name, then each wildcard suffix from the longest (as the router looks).
    let unclaimed = |c: &str| {
        let own_exact = matches!(hostname, Some(Hostname::Exact(h)) if **h == *c);
        if exact(c) && !own_exact {
            return false;
        }
        !c.match_indices('.').filter(|(i, _)| *i > 0).any(|(i, _)| {
            let suffix = &c[i..];
            let theirs = HostnameRank {
                exact_chars: 0,
                chars: suffix.len() + 1,
            };
            wildcard(suffix) && theirs < rank
        })
    };
    candidates
        .iter()
        .find(|c| selects(c) && unclaimed(c))
        .or_else(|| candidates.iter().find(|c| selects(c)))
        .or(candidates.first())
        .cloned()
        .unwrap_or_default()
}

/// A value a header or query condition accepts.
fn value_sample(v: &ValueMatch) -> Option<String> {
    match v {
        ValueMatch::Exact(s) => Some(s.to_string()),
        ValueMatch::RegularExpression(re) => {
            // `compile_regex` anchors the pattern as `^(?:...)$`.
            let src = re.as_str();
            let inner = src
                .strip_prefix("^(?:")
                .and_then(|s| s.strip_suffix(")$"))
                .unwrap_or(src);
            sample(inner).filter(|s| v.matches(s))
        }
    }
}

/// A string the regular expression `pattern` may match, for simple patterns
/// (see the module docs); `None` for constructs it does not handle. Callers
/// check the result against the compiled expression.
pub(crate) fn sample(pattern: &str) -> Option<String> {
    let mut g = Sampler {
        chars: pattern.chars().collect(),
        pos: 0,
    };
    let out = g.alternation()?;
    (g.pos == g.chars.len()).then_some(out)
}

struct Sampler {
    chars: Vec<char>,
    pos: usize,
}

impl Sampler {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `a|b|c`: the first branch (the others must still parse).
    fn alternation(&mut self) -> Option<String> {
        let first = self.concat()?;
        while self.eat('|') {
            self.concat()?;
        }
        Some(first)
    }

    fn concat(&mut self) -> Option<String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let min = self.quantifier()?;
            for _ in 0..min {
                out.push_str(&atom);
            }
        }
        Some(out)
    }

    /// The minimum repetition of an optional quantifier (1 when there is none).
    fn quantifier(&mut self) -> Option<usize> {
        let min = match self.peek() {
            Some('*' | '?') => {
                self.pos += 1;
                0
            }
            Some('+') => {
                self.pos += 1;
                1
            }
            Some('{') => {
                self.pos += 1;
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                let n: usize = self.chars[start..self.pos]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .ok()?;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == ',') {
                    self.pos += 1;
                }
                if !self.eat('}') || n > 64 {
                    return None;
                }
                n
            }
            _ => return Some(1),
        };
        // Lazy or possessive suffix.
        let _ = self.eat('?') || self.eat('+');
        Some(min)
    }

    fn atom(&mut self) -> Option<String> {
        let c = self.peek()?;
        self.pos += 1;
        match c {
            '(' => {
                if self.eat('?') {
                    if self.eat(':') {
                    } else if self.eat('P') || self.peek() == Some('<') {
                        // Named group: skip `<name>`.
                        if !self.eat('<') {
                            return None;
                        }
                        while self.peek().is_some_and(|c| c != '>') {
                            self.pos += 1;
                        }
                        if !self.eat('>') {
                            return None;
                        }
                    } else {
                        // Flags: `(?i)` or `(?i:...)`; a sample keeps its case.
                        while self
                            .peek()
                            .is_some_and(|c| c.is_ascii_alphabetic() || c == '-')
                        {
                            self.pos += 1;
                        }
                        if self.eat(')') {
                            return Some(String::new());
                        }
                        if !self.eat(':') {
                            return None;
                        }
                    }
                }
                let inner = self.alternation()?;
                self.eat(')').then_some(inner)
            }
            '[' => self.class().map(String::from),
            '.' => Some("a".to_owned()),
            '^' | '$' => Some(String::new()),
            '\\' => {
                let e = self.peek()?;
                self.pos += 1;
                match e {
                    'd' => Some("0".into()),
                    'w' | 'D' | 'S' => Some("a".into()),
                    'W' => Some("-".into()),
                    's' => Some(" ".into()),
                    c if c.is_ascii_alphanumeric() => None,
                    c => Some(c.to_string()),
                }
            }
            '*' | '+' | '?' | '{' | ')' | '|' => None,
            c => Some(c.to_string()),
        }
    }

    /// A character class, after its `[`: a character it contains.
    fn class(&mut self) -> Option<char> {
        let negated = self.eat('^');
        // (low, high) ranges; escapes \d \w taken as their ASCII ranges.
        let mut items: Vec<(char, char)> = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                ']' if !first => break,
                '[' => return None, // nested classes, [:alpha:]
                '\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        'd' => items.push(('0', '9')),
                        'w' => {
                            items.extend([('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]);
                        }
                        c if c.is_ascii_alphanumeric() => return None,
                        c => items.push((c, c)),
                    }
                }
                c => {
                    if self.peek() == Some('-') && self.chars.get(self.pos + 1) != Some(&']') {
                        self.pos += 1;
                        let hi = self.peek()?;
                        self.pos += 1;
                        if hi == '\\' || hi == '[' {
                            return None;
                        }
                        items.push((c, hi));
                    } else {
                        items.push((c, c));
                    }
                }
            }
            first = false;
        }
        if negated {
            ['a', 'x', '0', 'A', '-', '_', '~']
                .into_iter()
                .find(|c| !items.iter().any(|(lo, hi)| lo <= c && c <= hi))
        } else {
            items.first().map(|(lo, _)| *lo)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sample;

    #[test]
    fn samples_of_simple_patterns_match_them() {
        for (pattern, want) in [
            ("/api/.*", "/api/"),
            ("/v[0-9]+/users", "/v0/users"),
            ("/(foo|bar)/[^/]+", "/foo/a"),
            ("/a(?:/.*)?", "/a"),
            (r"/files/\d{3}\.txt", "/files/000.txt"),
            ("(?i)/Shop", "/Shop"),
            ("/x{2,5}", "/xx"),
        ] {
            let got = sample(pattern);
            assert_eq!(got.as_deref(), Some(want), "{pattern}");
            let re = crate::matcher::compile_regex(pattern).expect("valid");
            assert!(re.is_match(want), "{pattern} does not match {want}");
        }
    }

    #[test]
    fn patterns_it_cannot_sample_give_none() {
        for pattern in [r"\p{Greek}+", "[[:alpha:]]", r"/\bx", "/(unclosed"] {
            assert_eq!(sample(pattern), None, "{pattern}");
        }
    }
}
