//! Lint: every code on constructed manifests, and every finding's example
//! request routed to show the problem it describes.

use gatewise::lint::{Code, lint};
use gatewise::{Compiled, Finding, Options, Resources, Router, Severity, load_str};

/// The examples of the lint module docs, as (heading, yaml) pairs; the first is
/// the base the others add to.
fn doc_examples() -> Vec<(String, String)> {
    let src = include_str!("../src/lint.rs");
    let docs: Vec<&str> = src
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let start = docs
        .iter()
        .position(|l| *l == "# Examples")
        .expect("the lint docs have an Examples section");
    let mut out = Vec::new();
    let mut heading = "base".to_owned();
    let mut block: Option<String> = None;
    for line in &docs[start..] {
        match (&mut block, *line) {
            (None, "```yaml") => block = Some(String::new()),
            (Some(b), "```") => {
                out.push((heading.clone(), std::mem::take(b)));
                block = None;
            }
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            (None, l) if l.starts_with("### ") => heading = l[4..].to_owned(),
            (None, _) => {}
        }
    }
    out
}

struct Linted {
    resources: Resources,
    compiled: Compiled,
    findings: Vec<Finding>,
}

fn run(yaml: &str) -> Linted {
    let loaded = load_str("test.yaml", yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let findings = lint(&loaded.resources, &compiled);
    Linted {
        resources: loaded.resources,
        compiled,
        findings,
    }
}

impl Linted {
    fn with(&self, code: Code) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.code == code).collect()
    }

    fn one(&self, code: Code, name: &str, field: &str) -> &Finding {
        let found: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.code == code && f.object.name == name && f.field == field)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{code} on {name} {field}: {:#?}",
            self.findings
        );
        found[0]
    }

    /// Checks that a finding's example request, routed, shows its problem.
    fn demonstrates(&self, f: &Finding) {
        let Some(ex) = &f.example_request else {
            return;
        };
        let router = self.compiled.router();
        let view = ex.view(router);
        let explained = ex.explain(router);
        assert!(explained.consistent, "{f}\n{explained}");
        let own = |v: &gatewise::DecisionView| {
            v.route.as_ref().is_some_and(|r| {
                r.kind == f.object.kind
                    && r.namespace == f.object.namespace
                    && r.name == f.object.name
            })
        };
        let (rule, m) = rule_and_match(&f.field);
        match f.code {
            Code::ShadowedRule | Code::AgeDecidedTie => {
                // The shadowed match matches the request, and loses.
                let route = format!("{}/{}", f.object.namespace, f.object.name);
                let candidate = explained
                    .candidates
                    .iter()
                    .find(|c| c.route == route && c.rule == rule && c.match_index == m)
                    .unwrap_or_else(|| panic!("{f}: no candidate\n{explained}"));
                assert_eq!(candidate.outcome, "lost", "{f}\n{explained}");
                assert!(
                    view.route.is_some()
                        && !(own(&view) && view.rule == Some(rule) && view.match_index == Some(m)),
                    "{f}\n{explained}"
                );
                if f.code == Code::AgeDecidedTie {
                    let related = f.related.as_ref().expect("a tie names the winner");
                    let won = view.route.as_ref().expect("a route decided");
                    assert_eq!(
                        (&won.kind, &won.namespace, &won.name),
                        (&related.kind, &related.namespace, &related.name),
                        "{f}\n{explained}"
                    );
                }
            }
            Code::UnresolvedBackend | Code::MissingReferenceGrant
                if f.field.contains("backendRefs") =>
            {
                assert!(own(&view) && view.rule == Some(rule), "{f}\n{explained}");
                assert!(
                    view.status == Some(500)
                        || view.kind == "reject"
                        || view.backends.iter().any(|b| b.status == Some(500)),
                    "{f}\n{explained}"
                );
            }
            Code::UnresolvedCertificate | Code::MissingReferenceGrant => {
                let listener = self.listener_name(f);
                assert_ne!(
                    view.listener.as_deref(),
                    Some(listener.as_str()),
                    "{f}\n{explained}"
                );
                assert!(
                    !explained
                        .listeners
                        .iter()
                        .any(|l| l.chosen && l.name == listener),
                    "{f}\n{explained}"
                );
            }
            Code::HostnameMatchesNoListener
            | Code::RouteNotAccepted
            | Code::HttpGrpcHostnameConflict => {
                assert!(!own(&view), "{f}\n{explained}");
            }
            Code::ListenerWithoutRoutes => {
                let listener = self.listener_name(f);
                assert!(
                    explained
                        .listeners
                        .iter()
                        .any(|l| l.chosen && l.name == listener),
                    "{f}\n{explained}"
                );
                assert_eq!(view.reason, Some("NoMatchingRoute"), "{f}\n{explained}");
                assert!(
                    view.kind == "reject" || view.status == Some(404),
                    "{f}\n{explained}"
                );
            }
            other => panic!("{other} findings carry no example request: {f}"),
        }
    }

    /// The name of the listener `spec.listeners[k]` of the finding's Gateway or
    /// ListenerSet.
    fn listener_name(&self, f: &Finding) -> String {
        let k: usize = f
            .field
            .strip_prefix("spec.listeners[")
            .and_then(|s| s.split_once(']'))
            .and_then(|(k, _)| k.parse().ok())
            .unwrap_or_else(|| panic!("{f}: not a listener field"));
        let same =
            |m: &gatewise::Meta| m.namespace == f.object.namespace && m.name == f.object.name;
        let listeners = match f.object.kind.as_str() {
            "Gateway" => self
                .resources
                .gateways
                .iter()
                .find(|g| same(&g.meta))
                .and_then(|g| g.spec.listeners.clone()),
            _ => self
                .resources
                .listener_sets
                .iter()
                .find(|g| same(&g.meta))
                .and_then(|g| g.spec.listeners.clone()),
        };
        listeners
            .and_then(|l| l.get(k).and_then(|l| l.name.clone()))
            .unwrap_or_else(|| panic!("{f}: no listener {k}"))
    }

    fn all_demonstrate(&self) {
        for f in &self.findings {
            self.demonstrates(f);
        }
    }
}

/// `spec.rules[1].matches[0]` → (1, 0); `spec.rules[2]` → (2, 0); else (0, 0).
fn rule_and_match(field: &str) -> (usize, usize) {
    let index = |key: &str| {
        field
            .split_once(key)
            .and_then(|(_, rest)| rest.split_once(']'))
            .and_then(|(n, _)| n.parse().ok())
            .unwrap_or(0)
    };
    (index("rules["), index("matches["))
}

const BASE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {ports: [{port: 8080}]}
"#;

fn with_base(extra: &str) -> String {
    format!("{BASE}\n---\n{extra}")
}

#[test]
fn every_code_has_a_doc_example_that_gives_it() {
    let examples = doc_examples();
    let (_, base) = examples.first().expect("the base manifests");
    let mut seen = Vec::new();
    for (heading, yaml) in &examples[1..] {
        let code: Code = heading
            .split_whitespace()
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("heading {heading:?} names no code"));
        let name = heading.split_whitespace().nth(1).unwrap_or("");
        assert_eq!(code.name(), name, "{heading}");
        let linted = run(&format!("{base}---\n{yaml}"));
        assert!(
            !linted.with(code).is_empty(),
            "the {heading} example does not give {code}: {:#?}",
            linted.findings
        );
        linted.all_demonstrate();
        seen.push(code);
    }
    for code in Code::ALL {
        assert!(
            seen.contains(&code),
            "{code} has no example in the lint docs"
        );
    }
}

#[test]
fn the_quickstart_is_clean() {
    let linted = run(include_str!("../../examples/quickstart.yaml"));
    assert!(linted.findings.is_empty(), "{:#?}", linted.findings);
}

#[test]
fn a_catch_all_regex_shadows_prefix_rules_but_a_catch_all_prefix_never_shadows_a_regex() {
    let linted = run(&with_base(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: catch-all, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: RegularExpression, value: "/api/.*"}}]
    backendRefs: [{name: api, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: web, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /api/v1}, method: GET}]
    backendRefs: [{name: web, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: web, port: 8080}]
  - matches: [{path: {type: Exact, value: /api/health}}]
    backendRefs: [{name: web, port: 8080}]
"#,
    ));
    let f = linted.one(Code::ShadowedRule, "web", "spec.rules[1].matches[0]");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.related.as_ref().map(|r| r.name.as_str()),
        Some("catch-all")
    );
    assert!(f.message.contains("RegularExpression /api/.*"), "{f}");
    let ex = f.example_request.as_ref().expect("an example");
    assert_eq!(ex.host, "shop.example.com");
    assert_eq!(ex.path.as_deref(), Some("/api/v1"));
    assert_eq!(ex.method.as_deref(), Some("GET"));
    // `/api` itself is not matched by `/api/.*`, the Exact path ranks above the
    // regex, and the catch-all prefix ranks below it.
    assert_eq!(
        linted.with(Code::ShadowedRule).len(),
        1,
        "{:#?}",
        linted.findings
    );
    linted.all_demonstrate();
}

#[test]
fn duplicate_and_covered_matches_in_one_route_are_shadowed() {
    let linted = run(&with_base(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /a}
      headers: [{name: x-version, type: RegularExpression, value: "v[0-9]+"}]
    backendRefs: [{name: web, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /a/b}
    - path: {type: PathPrefix, value: /a}
      headers: [{name: x-version, value: v2}, {name: x-user, value: bob}]
      queryParams: [{name: debug, value: "1"}]
    backendRefs: [{name: api, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /a/b}}]
    backendRefs: [{name: api, port: 8080}]
"#,
    ));
    // Rule 1 match 1 (/a with two headers and a query parameter) ranks above
    // rule 0 (/a with one header) but does not cover it: its exact x-version
    // value does not imply rule 0's regular expression. Neither is reported.
    assert!(
        linted
            .findings
            .iter()
            .all(|f| f.field != "spec.rules[1].matches[1]"),
        "{:#?}",
        linted.findings
    );
    // Rule 2 repeats rule 1's first match: list order decides within a route.
    let f = linted.one(Code::ShadowedRule, "web", "spec.rules[2].matches[0]");
    assert!(
        f.message.contains("HTTPRoute shop/web rule 1 match 0"),
        "{f}"
    );
    assert_eq!(linted.findings.len(), 1, "{:#?}", linted.findings);
    linted.all_demonstrate();
}

#[test]
fn a_header_regex_and_an_absent_method_cover_narrower_matches() {
    let linted = run(&with_base(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - matches:
    - path: {type: Exact, value: /login}
      headers: [{name: x-env, type: RegularExpression, value: "prod|staging"}]
    backendRefs: [{name: web, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: late, namespace: shop, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - matches:
    - path: {type: Exact, value: /login}
      headers: [{name: x-env, value: staging}]
    backendRefs: [{name: api, port: 8080}]
"#,
    ));
    let f = linted.one(Code::ShadowedRule, "late", "spec.rules[0].matches[0]");
    let ex = f.example_request.as_ref().expect("an example");
    assert_eq!(ex.headers, vec![("x-env".to_owned(), "staging".to_owned())]);
    linted.all_demonstrate();
}

#[test]
fn the_newer_of_two_identical_routes_loses_by_age_or_by_name() {
    let routes = |t1: &str, t2: &str| {
        with_base(&format!(
            r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: b-old, namespace: shop, creationTimestamp: "{t1}"}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [shop.example.com]
  rules: [{{matches: [{{path: {{type: PathPrefix, value: /cart}}}}], backendRefs: [{{name: web, port: 8080}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: a-new, namespace: shop, creationTimestamp: "{t2}"}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [shop.example.com]
  rules: [{{matches: [{{path: {{type: PathPrefix, value: /cart/}}}}], backendRefs: [{{name: api, port: 8080}}]}}]
"#
        ))
    };
    let linted = run(&routes("2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z"));
    let f = linted.one(Code::AgeDecidedTie, "a-new", "spec.rules[0].matches[0]");
    assert_eq!(f.related.as_ref().map(|r| r.name.as_str()), Some("b-old"));
    assert!(f.message.contains("shop/b-old is older"), "{f}");
    linted.all_demonstrate();
    // Same age: namespace/name decides, and b-old loses.
    let linted = run(&routes("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"));
    let f = linted.one(Code::AgeDecidedTie, "b-old", "spec.rules[0].matches[0]");
    assert!(f.message.contains("comes first by namespace/name"), "{f}");
    linted.all_demonstrate();
}

#[test]
fn only_the_oldest_route_on_a_tcp_listener_carries_traffic() {
    let linted = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners: [{name: db, port: 5432, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: infra}
spec: {ports: [{port: 5432}]}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: db, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: db, port: 5432}]}, {backendRefs: [{name: db, port: 5432}]}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: db-replica, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: db, port: 5432}]}]
"#);
    let tie = linted.one(Code::AgeDecidedTie, "db-replica", "spec.rules[0]");
    assert!(tie.message.starts_with("only one route on a TCP listener carries traffic: TCPRoute infra/db rule 0 match 0 is also attached to listener infra/gw/db, and infra/db is older"), "{tie}");
    let ex = tie.example_request.as_ref().expect("an example");
    assert_eq!(
        (ex.protocol, ex.port),
        (gatewise::RequestProtocol::Tcp, 5432)
    );
    let second = linted.one(Code::ShadowedRule, "db", "spec.rules[1]");
    assert!(
        second
            .message
            .contains("comes first and takes every connection"),
        "{second}"
    );
    linted.all_demonstrate();
}

#[test]
fn grpc_rules_shadowed_by_a_wider_method_regex() {
    let linted = run(&with_base(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: users, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {type: RegularExpression, service: users.Users, method: "Get.*"}}]
    backendRefs: [{name: api, port: 8080}]
  - matches: [{method: {service: users.Users, method: Get}}]
    backendRefs: [{name: web, port: 8080}]
"#,
    ));
    let f = linted.one(Code::ShadowedRule, "users", "spec.rules[1].matches[0]");
    let ex = f.example_request.as_ref().expect("an example");
    assert_eq!(ex.protocol, gatewise::RequestProtocol::Grpc);
    assert_eq!(ex.path.as_deref(), Some("/users.Users/Get"));
    linted.all_demonstrate();
}

#[test]
fn unresolved_backends_and_mirrors_by_reason_and_weight() {
    let linted = run(&with_base(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: shadow, port: 8080}}
    backendRefs:
    - {name: web, port: 8080}
    - {name: web, port: 9999}
    - {name: canary, port: 8080, weight: 0}
    - {name: payments, namespace: billing, port: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: payments, namespace: billing}
spec: {ports: [{port: 8080}]}
"#,
    ));
    let port = linted.one(
        Code::UnresolvedBackend,
        "web",
        "spec.rules[0].backendRefs[1]",
    );
    assert_eq!(port.severity, Severity::Error);
    assert!(port.message.contains("has no port 9999"), "{port}");
    assert!(port.example_request.is_some());
    let zero = linted.one(
        Code::UnresolvedBackend,
        "web",
        "spec.rules[0].backendRefs[2]",
    );
    assert_eq!(zero.severity, Severity::Warning);
    assert!(zero.example_request.is_none());
    let grant = linted.one(
        Code::MissingReferenceGrant,
        "web",
        "spec.rules[0].backendRefs[3]",
    );
    assert!(grant.example_request.is_some());
    let mirror = linted.one(
        Code::UnresolvedBackend,
        "web",
        "spec.rules[0].filters[0].requestMirror.backendRef",
    );
    assert!(mirror.message.contains("mirrored"), "{mirror}");
    linted.all_demonstrate();
}

#[test]
fn stream_routes_with_missing_backends_are_refused() {
    let linted = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners: [{name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: {name: db, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  hostnames: [db.example.com]
  rules: [{backendRefs: [{name: db, port: 5432}]}]
"#);
    let f = linted.one(
        Code::UnresolvedBackend,
        "db",
        "spec.rules[0].backendRefs[0]",
    );
    assert!(f.message.contains("refused"), "{f}");
    let ex = f.example_request.as_ref().expect("an example");
    assert_eq!(ex.protocol, gatewise::RequestProtocol::Tls);
    assert_eq!(ex.sni.as_deref(), Some("db.example.com"));
    linted.all_demonstrate();
}

#[test]
fn certificates_missing_or_not_granted() {
    let linted = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners:
  - name: shop
    port: 443
    protocol: HTTPS
    hostname: shop.example.com
    tls: {certificateRefs: [{name: shop-cert, namespace: certs}]}
  - name: blog
    port: 443
    protocol: HTTPS
    hostname: blog.example.com
    tls: {certificateRefs: [{name: blog-cert}]}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-cert, namespace: certs}
type: kubernetes.io/tls
stringData:
  tls.crt: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
  tls.key: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
"#);
    let grant = linted.one(
        Code::MissingReferenceGrant,
        "gw",
        "spec.listeners[0].tls.certificateRefs[0]",
    );
    assert!(grant.example_request.is_some());
    let missing = linted.one(
        Code::UnresolvedCertificate,
        "gw",
        "spec.listeners[1].tls.certificateRefs[0]",
    );
    assert!(
        missing.message.contains("Secret infra/blog-cert not found"),
        "{missing}"
    );
    let ex = missing.example_request.as_ref().expect("an example");
    assert_eq!(ex.host, "blog.example.com");
    linted.all_demonstrate();
}

#[test]
fn grants_used_and_unused() {
    let linted = run(&with_base(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{backendRefs: [{name: payments, namespace: billing, port: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: payments, namespace: billing}
spec: {ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: used, namespace: billing}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service, name: payments}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: stale, namespace: billing}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: blog}]
  to: [{group: "", kind: Service}]
"#,
    ));
    let f = linted.one(Code::UnusedReferenceGrant, "stale", "spec");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.example_request.is_none());
    assert_eq!(linted.findings.len(), 1, "{:#?}", linted.findings);
}

#[test]
fn parents_missing_or_without_the_named_listener() {
    let linted = run(&with_base(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs:
  - {name: gw, namespace: infra, sectionName: http}
  - {name: gw, namespace: infra, sectionName: https}
  - {name: gateway, namespace: infra}
  rules: [{backendRefs: [{name: web, port: 8080}]}]
"#,
    ));
    let section = linted.one(
        Code::UnresolvedParent,
        "web",
        "spec.parentRefs[1].sectionName",
    );
    assert_eq!(section.severity, Severity::Error);
    let missing = linted.one(Code::UnresolvedParent, "web", "spec.parentRefs[2]");
    assert_eq!(missing.severity, Severity::Warning);
    assert!(
        missing
            .message
            .contains("Gateway infra/gateway is not among the resources")
    );
    assert!(missing.example_request.is_none());
    assert_eq!(linted.findings.len(), 2, "{:#?}", linted.findings);
}

#[test]
fn hostnames_no_listener_serves() {
    let gateway = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  gatewayClassName: gatewise
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 8080}]}
---
"#;
    let linted = run(&format!(
        r#"{gateway}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: partly, namespace: shop}}
spec:
  parentRefs: [{{name: gw}}]
  hostnames: [shop.example.com, shop.example.org]
  rules: [{{backendRefs: [{{name: web, port: 8080}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: nowhere, namespace: shop}}
spec:
  parentRefs: [{{name: gw}}]
  hostnames: [example.org]
  rules: [{{backendRefs: [{{name: web, port: 8080}}]}}]
"#
    ));
    let partly = linted.one(
        Code::HostnameMatchesNoListener,
        "partly",
        "spec.hostnames[1]",
    );
    assert_eq!(partly.severity, Severity::Warning);
    assert_eq!(
        partly.example_request.as_ref().map(|e| e.host.as_str()),
        Some("shop.example.org")
    );
    let nowhere = linted.one(Code::HostnameMatchesNoListener, "nowhere", "spec.hostnames");
    assert_eq!(nowhere.severity, Severity::Error);
    assert!(nowhere.example_request.is_some());
    assert_eq!(linted.findings.len(), 2, "{:#?}", linted.findings);
    linted.all_demonstrate();
}

#[test]
fn routes_not_accepted_anywhere_are_errors_elsewhere_warnings() {
    let linted = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: internal, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}, {name: internal, namespace: infra}]
  rules: [{backendRefs: [{name: web, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: only-internal, namespace: shop}
spec:
  parentRefs: [{name: internal, namespace: infra}]
  rules: [{backendRefs: [{name: web, port: 8080}]}]
"#);
    let both = linted.one(Code::RouteNotAccepted, "both", "spec.parentRefs[1]");
    assert_eq!(both.severity, Severity::Warning);
    assert!(both.message.contains("NotAllowedByListeners"), "{both}");
    let only = linted.one(
        Code::RouteNotAccepted,
        "only-internal",
        "spec.parentRefs[0]",
    );
    assert_eq!(only.severity, Severity::Error);
    assert!(only.example_request.is_some());
    // The internal Gateway's listener has no route either.
    linted.one(Code::ListenerWithoutRoutes, "internal", "spec.listeners[0]");
    linted.all_demonstrate();
}

#[test]
fn listeners_without_routes_of_every_protocol() {
    let linted = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}
  - {name: tls, port: 443, protocol: TLS, hostname: db.example.com, tls: {mode: Passthrough}}
  - {name: tcp, port: 5432, protocol: TCP}
  - {name: udp, port: 53, protocol: UDP}
"#);
    for (k, protocol) in ["HTTP", "TLS", "TCP", "UDP"].iter().enumerate() {
        let f = linted.one(
            Code::ListenerWithoutRoutes,
            "gw",
            &format!("spec.listeners[{k}]"),
        );
        let ex = f.example_request.as_ref().expect("an example");
        assert_eq!(ex.protocol.as_str(), *protocol);
    }
    assert_eq!(linted.findings.len(), 4, "{:#?}", linted.findings);
    linted.all_demonstrate();
}

#[test]
fn the_older_grpc_route_takes_the_listener_from_an_http_route() {
    let linted = run(&with_base(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: rpc, namespace: shop, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: ["*.example.com"]
  rules: [{backendRefs: [{name: api, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [api.example.com]
  rules: [{matches: [{path: {type: PathPrefix, value: /v1}}], backendRefs: [{name: web, port: 8080}]}]
"#,
    ));
    let f = linted.one(Code::HttpGrpcHostnameConflict, "web", "spec.hostnames");
    assert_eq!(f.related.as_ref().map(|r| r.name.as_str()), Some("rpc"));
    let ex = f.example_request.as_ref().expect("an example");
    assert_eq!(
        (ex.host.as_str(), ex.path.as_deref()),
        ("api.example.com", Some("/v1"))
    );
    // The route lost its only listener: status says so, lint says why, once.
    assert!(
        linted.with(Code::RouteNotAccepted).is_empty(),
        "{:#?}",
        linted.findings
    );
    linted.all_demonstrate();
}

#[test]
fn findings_serialise_with_stable_codes_and_fixture_shaped_requests() {
    let linted = run(&with_base(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}, headers: [{name: x-a, value: "1"}]}]
    backendRefs: [{name: missing, port: 8080}]
"#,
    ));
    let json = serde_json::to_value(&linted.findings).expect("serialises");
    let f = &json[0];
    assert_eq!(f["code"], "GW003");
    assert_eq!(f["name"], "unresolved-backend");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["object"]["kind"], "HTTPRoute");
    assert_eq!(f["field"], "spec.rules[0].backendRefs[0]");
    let ex = &f["exampleRequest"];
    assert_eq!(ex["gateway"], "infra/gw");
    assert_eq!(ex["port"], 80);
    assert_eq!(ex["protocol"], "HTTP");
    assert_eq!(ex["headers"][0]["name"], "x-a");
    assert_eq!(ex["headers"][0]["value"], "1");
}

#[test]
fn the_gw001_finding_shown_in_the_docs_is_the_one_lint_gives() {
    let src = include_str!("../src/lint.rs");
    let docs: String = src
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let shown = docs
        .split_once("`warning GW001")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(text, _)| format!("warning GW001{text}"))
        .expect("the docs show a GW001 finding");
    let examples = doc_examples();
    let (_, base) = &examples[0];
    let (_, gw001) = examples
        .iter()
        .find(|(h, _)| h.starts_with("GW001"))
        .expect("a GW001 example");
    let linted = run(&format!("{base}---\n{gw001}"));
    let f = linted.with(Code::ShadowedRule)[0];
    assert_eq!(f.to_string(), shown);
    let shown_request = docs
        .split_once("with the example request `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(text, _)| text.to_owned())
        .expect("the docs show the example request");
    assert_eq!(
        f.example_request.as_ref().map(ToString::to_string),
        Some(shown_request)
    );
}

#[test]
fn a_listener_set_listener_without_routes_is_reported_on_the_listener_set() {
    let linted = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  allowedListeners: {namespaces: {from: All}}
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: www.example.com}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: shop}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: shop.example.com}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: infra}
spec: {ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: www, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 8080}]}]
"#);
    let f = linted.one(Code::ListenerWithoutRoutes, "team", "spec.listeners[0]");
    assert_eq!(f.object.kind, "ListenerSet");
    let ex = f.example_request.as_ref().expect("an example");
    assert_eq!(ex.host, "shop.example.com");
    assert_eq!(linted.findings.len(), 1, "{:#?}", linted.findings);
    linted.all_demonstrate();
}

/// `testdata/lint/` holds the doc examples as files (`base.yaml` and
/// `codes/GWnnn-name.yaml`), which the Python and Node packages' tests lint and
/// route; they must stay the manifests this file checks.
#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "the test reads the testdata files; the core itself opens none"
)]
fn testdata_lint_holds_the_doc_examples() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/lint");
    let read = |p: std::path::PathBuf| {
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let examples = doc_examples();
    let (_, base) = examples.first().expect("the base manifests");
    assert_eq!(
        &read(dir.join("base.yaml")),
        base,
        "testdata/lint/base.yaml"
    );
    let mut want: Vec<(String, String)> = examples[1..]
        .iter()
        .map(|(heading, yaml)| (format!("{}.yaml", heading.replace(' ', "-")), yaml.clone()))
        .collect();
    want.sort();
    let mut have: Vec<(String, String)> = std::fs::read_dir(dir.join("codes"))
        .expect("testdata/lint/codes is readable")
        .map(|e| {
            let path = e.expect("a directory entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("UTF-8 file names")
                .to_owned();
            (name, read(path))
        })
        .collect();
    have.sort();
    assert_eq!(
        have, want,
        "testdata/lint/codes differs from the lint docs' examples"
    );
}
