//! A catalogue of named bad inputs: each test feeds one hostile, malformed or
//! extreme input and asserts the exact outcome: a load error at a location, a
//! rejection naming the object (kind, namespace/name) and the field path, a
//! status condition, or the exact decision (status code, backend, rewritten path
//! or header). None may panic.
//!
//! Sections:
//!
//! 1. Malformed and hostile YAML
//! 2. Size extremes
//! 3. Pathological regular expressions
//! 4. Header names and values
//! 5. Hostnames
//! 6. Weights
//! 7. References
//! 8. Redirect and rewrite edge cases
//! 9. Creation timestamps
//! 10. Request paths
//!
//! The path and host policy these pin is written in the crate docs
//! (`gatewise::policy`).

use gatewise::{
    Compiled, DecisionView, GatewayRef, HttpRequest, Loaded, Loader, Options, RequestProtocol,
    Router, Timestamp, load_str,
};
use serde_json::json;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A GatewayClass, a Gateway `infra/gw` with one HTTP listener on port 80 that
/// admits routes from every namespace, and Services `apps/web`, `apps/other`
/// and `elsewhere/web` (port 80).
const BASE: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise, creationTimestamp: '2024-01-01T00:00:00Z'}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra, creationTimestamp: '2024-01-01T00:00:00Z'}
spec:
  gatewayClassName: gatewise
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: apps}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: elsewhere}
spec: {ports: [{port: 80}]}
";

const GW: GatewayRef<'static> = GatewayRef {
    namespace: "infra",
    name: "gw",
};

/// An HTTPRoute `apps/<name>` on `infra/gw`; `body` is YAML under `spec:`
/// (indented two spaces), after `parentRefs`.
fn http_route(name: &str, body: &str) -> String {
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: apps}}\nspec:\n  parentRefs: [{{name: gw, namespace: infra}}]\n{body}"
    )
}

/// A route `apps/<name>` with one rule: the given matches (a flow list) and a
/// backendRef to `apps/web`.
fn route_with_matches(name: &str, matches: &str) -> String {
    http_route(
        name,
        &format!("  rules:\n  - matches: {matches}\n    backendRefs: [{{name: web, port: 80}}]\n"),
    )
}

/// BASE plus `extra` documents.
fn load(extra: &str) -> Loaded {
    load_str("bad.yaml", &format!("{BASE}---\n{extra}"))
}

/// Loads BASE plus `extra` and asserts nothing was refused.
fn compile_clean(extra: &str) -> Compiled {
    let loaded = load(extra);
    assert!(loaded.errors.is_empty(), "load errors: {:?}", loaded.errors);
    assert!(
        loaded.rejections.is_empty(),
        "rejections: {:?}",
        loaded.rejections
    );
    Router::compile(&loaded.resources, &Options::default())
}

/// Asserts that loading BASE plus `extra` refuses exactly one object, `kind
/// apps/name` (or the namespace given in `object`), with exactly the given field
/// paths; returns the messages joined with `; `.
fn rejected(extra: &str, object: (&str, &str, &str), fields: &[&str]) -> String {
    let loaded = load(extra);
    assert!(loaded.errors.is_empty(), "load errors: {:?}", loaded.errors);
    assert_eq!(loaded.rejections.len(), 1, "{:?}", loaded.rejections);
    let r = &loaded.rejections[0];
    assert_eq!(
        (
            r.object.kind.as_str(),
            r.object.namespace.as_str(),
            r.object.name.as_str()
        ),
        object
    );
    let got: Vec<&str> = r.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(got, fields, "{r}");
    r.errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The decision for `req` on `infra/gw` port 80 over HTTP.
fn decide(compiled: &Compiled, req: &HttpRequest<'_>) -> DecisionView {
    compiled
        .router()
        .route(GW, 80, RequestProtocol::Http, req)
        .view()
}

/// `GET host target` against BASE plus `extra`.
fn get(extra: &str, host: &str, target: &str) -> DecisionView {
    decide(
        &compile_clean(extra),
        &HttpRequest::new("GET", host, target),
    )
}

/// The backend names of a forward, in order.
fn backends(view: &DecisionView) -> Vec<String> {
    view.backends
        .iter()
        .map(|b| {
            format!(
                "{}/{}",
                b.namespace.as_deref().unwrap_or("-"),
                b.name.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

/// (kind, route name, status code or 0) in one string, for short assertions:
/// `forward apps/r -> apps/web`, `respond 404`, `redirect 302 <location>`.
fn summary(view: &DecisionView) -> String {
    match view.kind {
        "forward" => format!(
            "forward {} -> {}",
            view.route
                .as_ref()
                .map(|r| format!("{}/{}", r.namespace, r.name))
                .unwrap_or_default(),
            backends(view).join(",")
        ),
        "redirect" => format!(
            "redirect {} {}",
            view.status.unwrap_or(0),
            view.location.as_deref().unwrap_or("")
        ),
        other => format!(
            "{other} {} {}",
            view.status.unwrap_or(0),
            view.reason.unwrap_or("")
        ),
    }
}

/// The path the backend receives.
fn upstream_path(view: &DecisionView) -> String {
    view.request
        .as_ref()
        .map(|r| r.path.clone())
        .unwrap_or_default()
}

/// `(type, status, reason)` of the conditions of route `apps/<name>`'s first
/// parent.
fn route_conditions(compiled: &Compiled, name: &str) -> Vec<(String, String, String)> {
    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
    let route = status
        .routes
        .iter()
        .find(|r| r.namespace == "apps" && r.name == name)
        .unwrap_or_else(|| panic!("no status for route apps/{name}"));
    route.parents[0]
        .conditions
        .iter()
        .map(|c| (c.type_.to_owned(), c.status.to_owned(), c.reason.to_owned()))
        .collect()
}

fn cond(t: &str, s: &str, r: &str) -> (String, String, String) {
    (t.to_owned(), s.to_owned(), r.to_owned())
}

// ---------------------------------------------------------------------------
// 1. Malformed and hostile YAML
// ---------------------------------------------------------------------------

#[test]
fn yaml_alias_bomb_is_rejected_with_location() {
    // "Billion laughs": nine levels of nine aliases each.
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for level in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        text.push_str(&format!("{level}: &{level} [{refs}]\n"));
        prev = level;
    }
    let loaded = load_str("bomb.yaml", &format!("{BASE}---\n{text}"));
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    let e = &loaded.errors[0];
    assert_eq!(
        (e.location.source.as_str(), e.location.document),
        ("bomb.yaml", 5)
    );
    assert_eq!(
        e.message,
        "invalid yaml: too many nodes: a document may hold at most 250000 (aliases count each time they are expanded)"
    );
    // The good documents still load.
    assert_eq!(loaded.resources.gateways.len(), 1);
}

#[test]
fn yaml_deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let loaded = load_str("deep.yaml", &text);
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    assert_eq!(
        loaded.errors[0].message,
        "invalid yaml: recursion limit exceeded"
    );
}

#[test]
fn yaml_deep_nesting_in_a_spec_field_is_an_error() {
    let depth = 10_000;
    let text = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: a, labels: {}{}}}\n",
        "{a: ".repeat(depth),
        "}".repeat(depth)
    );
    let loaded = load_str("deep.yaml", &text);
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    assert_eq!(
        loaded.errors[0].message,
        "invalid yaml: nested too deeply: a document may nest at most 64 levels"
    );
    assert!(loaded.resources.namespaces.is_empty());
}

#[test]
fn yaml_duplicate_keys_are_a_load_error_at_their_line() {
    let text = "apiVersion: v1\nkind: Service\nmetadata: {name: dup, namespace: apps}\nspec: {ports: [{port: 80}]}\nspec: {ports: [{port: 81}]}\n";
    let loaded = load_str("dup.yaml", text);
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    let e = &loaded.errors[0];
    assert_eq!(e.location.line, 5);
    assert_eq!(e.message, "invalid yaml: duplicate mapping key: spec");
    assert!(loaded.resources.services.is_empty());
}

#[test]
fn wrong_type_port_string_is_rejected_naming_the_field() {
    let msg = rejected(
        &http_route(
            "r",
            "  rules: [{backendRefs: [{name: web, port: eighty}]}]\n",
        ),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].backendRefs[0].port"],
    );
    assert_eq!(msg, "invalid type: string \"eighty\", expected i64");
}

#[test]
fn wrong_type_rules_as_mapping_is_rejected_naming_the_field() {
    rejected(
        &http_route("r", "  rules: {backendRefs: []}\n"),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules"],
    );
}

#[test]
fn wrong_type_hostnames_as_string_is_rejected_naming_the_field() {
    rejected(
        &http_route("r", "  hostnames: example.com\n"),
        ("HTTPRoute", "apps", "r"),
        &["spec.hostnames"],
    );
}

#[test]
fn huge_number_port_is_rejected_naming_the_field() {
    let msg = rejected(
        &http_route(
            "r",
            "  rules: [{backendRefs: [{name: web, port: 99999999999999999999999}]}]\n",
        ),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].backendRefs[0].port"],
    );
    assert_eq!(msg, "invalid type: floating point `1e+23`, expected i64");
}

#[test]
fn huge_weight_is_rejected_as_out_of_range() {
    let msg = rejected(
        &http_route(
            "r",
            "  rules: [{backendRefs: [{name: web, port: 80, weight: 4294967296}]}]\n",
        ),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].backendRefs[0].weight"],
    );
    assert_eq!(
        msg,
        "4294967296 is out of range: must be between 0 and 1000000"
    );
}

#[test]
fn negative_listener_port_is_rejected_naming_the_listener() {
    let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: neg, namespace: infra}\nspec:\n  gatewayClassName: gatewise\n  listeners: [{name: http, port: -1, protocol: HTTP}]\n";
    rejected(
        text,
        ("Gateway", "infra", "neg"),
        &["spec.listeners[0].port"],
    );
}

#[test]
fn a_bad_document_among_good_ones_loses_only_itself() {
    let good = route_with_matches("good", "[{path: {value: /}}]");
    let text = format!("{BASE}---\nkind: [unclosed\n---\n{good}");
    let loaded = load_str("mixed.yaml", &text);
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    assert_eq!(loaded.errors[0].location.document, 5);
    assert_eq!(loaded.errors[0].location.line, 28);
    assert!(loaded.rejections.is_empty());
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let view = decide(&compiled, &HttpRequest::new("GET", "a.example", "/"));
    assert_eq!(summary(&view), "forward apps/good -> apps/web");
}

#[test]
fn a_document_that_is_a_list_is_a_load_error() {
    let loaded = load_str("list.yaml", "- a\n- b\n");
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(
        loaded.errors[0].message,
        "expected a kubernetes object (a mapping), found a list"
    );
}

#[test]
fn an_object_without_kind_is_a_load_error() {
    let loaded = load_str("nokind.yaml", "apiVersion: v1\nmetadata: {name: a}\n");
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.errors[0].message, "kind: required field is missing");
}

#[test]
fn a_route_without_spec_is_rejected_naming_spec() {
    let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: apps}\n";
    let msg = rejected(text, ("HTTPRoute", "apps", "r"), &["spec"]);
    assert_eq!(msg, "required value");
}

#[test]
fn an_upper_case_object_name_is_rejected_naming_metadata_name() {
    let text = http_route("Web", "  rules: [{backendRefs: [{name: web, port: 80}]}]\n");
    rejected(&text, ("HTTPRoute", "apps", "Web"), &["metadata.name"]);
}

// ---------------------------------------------------------------------------
// 2. Size extremes
// ---------------------------------------------------------------------------

/// 10 000 routes, each with its own Exact path: every one is reachable and a
/// path none of them names is 404.
#[test]
fn ten_thousand_routes_compile_and_route() {
    let mut loader = Loader::new();
    loader.add_str("base.yaml", BASE);
    for i in 0..10_000 {
        loader.add_value(
            "routes.json",
            json!({
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "HTTPRoute",
                "metadata": {"name": format!("r{i}"), "namespace": "apps"},
                "spec": {
                    "parentRefs": [{"name": "gw", "namespace": "infra"}],
                    "rules": [{
                        "matches": [{"path": {"type": "Exact", "value": format!("/p{i}")}}],
                        "backendRefs": [{"name": "web", "port": 80}],
                    }],
                },
            }),
        );
    }
    let loaded = loader.finish();
    assert!(loaded.errors.is_empty() && loaded.rejections.is_empty());
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
    assert_eq!(status.gateways[0].listeners[0].attached_routes, 10_000);
    for i in [0, 1, 4_999, 9_999] {
        let target = format!("/p{i}");
        let view = decide(&compiled, &HttpRequest::new("GET", "h", &target));
        assert_eq!(summary(&view), format!("forward apps/r{i} -> apps/web"));
    }
    let view = decide(&compiled, &HttpRequest::new("GET", "h", "/p10000"));
    assert_eq!(summary(&view), "respond 404 NoMatchingRoute");
}

fn gateway_with_listeners(n: usize) -> String {
    let mut text = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: many, namespace: infra}\nspec:\n  gatewayClassName: gatewise\n  listeners:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "  - {{name: l{i}, port: {}, protocol: HTTP}}\n",
            8000 + i
        ));
    }
    text
}

#[test]
fn sixty_four_listeners_are_all_programmed() {
    let compiled = compile_clean(&gateway_with_listeners(64));
    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
    let many = status
        .gateways
        .iter()
        .find(|g| g.name == "many")
        .expect("status for infra/many");
    assert_eq!(many.listeners.len(), 64);
    assert!(status.all_accepted());
}

#[test]
fn sixty_five_listeners_are_rejected_naming_listeners() {
    let msg = rejected(
        &gateway_with_listeners(65),
        ("Gateway", "infra", "many"),
        &["spec.listeners"],
    );
    assert_eq!(msg, "too many items: must have at most 64, found 65");
}

fn matches_list(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!("{{path: {{type: Exact, value: /m{i}}}}}"))
        .collect();
    format!("[{}]", items.join(", "))
}

#[test]
fn sixty_four_matches_in_one_rule_all_route() {
    let compiled = compile_clean(&route_with_matches("r", &matches_list(64)));
    for i in [0, 63] {
        let target = format!("/m{i}");
        let view = decide(&compiled, &HttpRequest::new("GET", "h", &target));
        assert_eq!(view.match_index, Some(i));
    }
}

#[test]
fn sixty_five_matches_in_one_rule_are_rejected() {
    let msg = rejected(
        &route_with_matches("r", &matches_list(65)),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].matches"],
    );
    assert_eq!(msg, "too many items: must have at most 64, found 65");
}

#[test]
fn more_than_128_matches_across_rules_are_rejected_on_rules() {
    let rule = format!(
        "  - matches: {}\n    backendRefs: [{{name: web, port: 80}}]\n",
        matches_list(64)
    );
    let text = http_route("r", &format!("  rules:\n{rule}{rule}{rule}"));
    let msg = rejected(&text, ("HTTPRoute", "apps", "r"), &["spec.rules"]);
    assert_eq!(
        msg,
        "too many matches: the rules of a route may hold at most 128 matches in all, found 192"
    );
}

#[test]
fn seventeen_rules_are_rejected() {
    let rule = "  - backendRefs: [{name: web, port: 80}]\n";
    let text = http_route("r", &format!("  rules:\n{}", rule.repeat(17)));
    let msg = rejected(&text, ("HTTPRoute", "apps", "r"), &["spec.rules"]);
    assert_eq!(msg, "too many items: must have at most 16, found 17");
}

// ---------------------------------------------------------------------------
// 3. Pathological regular expressions
// ---------------------------------------------------------------------------

/// A rule whose regex the engine refuses is dropped; with no rule left the route
/// is not accepted.
#[test]
fn regex_over_compile_budget_drops_the_rule_unsupported_value() {
    let text = route_with_matches(
        "r",
        "[{path: {type: RegularExpression, value: '/(\\w{100}){100}'}}]",
    );
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("Accepted", "False", "UnsupportedValue")),
        "{conds:?}"
    );
    let view = decide(&compiled, &HttpRequest::new("GET", "h", "/x"));
    assert_eq!(summary(&view), "respond 404 NoMatchingRoute");
}

#[test]
fn regex_look_ahead_is_unsupported_and_other_rules_still_route() {
    let text = http_route(
        "r",
        "  rules:\n  - matches: [{path: {type: RegularExpression, value: '/(?=a).*'}}]\n    backendRefs: [{name: other, port: 80}]\n  - backendRefs: [{name: web, port: 80}]\n",
    );
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("Accepted", "True", "Accepted")),
        "{conds:?}"
    );
    assert!(
        conds.contains(&cond("PartiallyInvalid", "True", "UnsupportedValue")),
        "{conds:?}"
    );
    let view = decide(&compiled, &HttpRequest::new("GET", "h", "/abc"));
    assert_eq!(summary(&view), "forward apps/r -> apps/web");
    assert_eq!(view.rule, Some(1));
}

#[test]
fn regex_look_behind_in_a_header_match_drops_the_rule() {
    let text = route_with_matches(
        "r",
        "[{headers: [{type: RegularExpression, name: x, value: '(?<=a)b'}]}]",
    );
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("Accepted", "False", "UnsupportedValue")),
        "{conds:?}"
    );
}

#[test]
fn regex_back_reference_drops_the_rule() {
    let text = route_with_matches("r", "[{path: {type: RegularExpression, value: '/(a)\\1'}}]");
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("Accepted", "False", "UnsupportedValue")),
        "{conds:?}"
    );
}

#[test]
fn regex_nested_quantifiers_run_in_linear_time() {
    // Catastrophic for a backtracking engine; the regex crate is linear.
    let text = route_with_matches("r", "[{path: {type: RegularExpression, value: '/(a+)+b'}}]");
    let compiled = compile_clean(&text);
    let target = format!("/{}", "a".repeat(8_000));
    let view = decide(&compiled, &HttpRequest::new("GET", "h", &target));
    assert_eq!(summary(&view), "respond 404 NoMatchingRoute");
    let target = format!("/{}b", "a".repeat(8_000));
    let view = decide(&compiled, &HttpRequest::new("GET", "h", &target));
    assert_eq!(summary(&view), "forward apps/r -> apps/web");
}

#[test]
fn regex_is_anchored_to_the_whole_path() {
    let text = route_with_matches("r", "[{path: {type: RegularExpression, value: '/api'}}]");
    let compiled = compile_clean(&text);
    for (target, want) in [
        ("/api", "forward apps/r -> apps/web"),
        ("/api/x", "respond 404 NoMatchingRoute"),
        ("/x/api", "respond 404 NoMatchingRoute"),
    ] {
        let view = decide(&compiled, &HttpRequest::new("GET", "h", target));
        assert_eq!(summary(&view), want, "{target}");
    }
}

// ---------------------------------------------------------------------------
// 4. Header names and values
// ---------------------------------------------------------------------------

#[test]
fn header_match_empty_name_is_rejected() {
    let msg = rejected(
        &route_with_matches("r", "[{headers: [{name: '', value: v}]}]"),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].matches[0].headers[0].name"],
    );
    assert_eq!(msg, "must not be empty");
}

#[test]
fn header_match_empty_value_is_rejected() {
    let msg = rejected(
        &route_with_matches("r", "[{headers: [{name: x, value: ''}]}]"),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].matches[0].headers[0].value"],
    );
    assert_eq!(msg, "must not be empty");
}

#[test]
fn header_name_with_crlf_is_rejected() {
    rejected(
        &route_with_matches("r", "[{headers: [{name: \"x\\r\\nevil\", value: v}]}]"),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].matches[0].headers[0].name"],
    );
}

#[test]
fn header_name_with_nul_is_rejected() {
    rejected(
        &route_with_matches("r", "[{headers: [{name: \"x\\0\", value: v}]}]"),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].matches[0].headers[0].name"],
    );
}

#[test]
fn pseudo_header_name_in_a_match_is_rejected() {
    let msg = rejected(
        &route_with_matches("r", "[{headers: [{name: ':authority', value: v}]}]"),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].matches[0].headers[0].name"],
    );
    assert!(
        msg.starts_with("invalid header name \":authority\""),
        "{msg}"
    );
}

#[test]
fn pseudo_header_name_in_a_filter_is_rejected() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: ':path', value: /admin}]}}]\n    backendRefs: [{name: web, port: 80}]\n",
    );
    rejected(
        &text,
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].filters[0].requestHeaderModifier.set[0].name"],
    );
}

#[test]
fn header_name_over_256_characters_is_rejected() {
    let name = "x".repeat(257);
    let msg = rejected(
        &route_with_matches("r", &format!("[{{headers: [{{name: {name}, value: v}}]}}]")),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].matches[0].headers[0].name"],
    );
    assert_eq!(msg, "too long: must be at most 256 characters, found 257");
}

#[test]
fn header_value_over_4096_characters_is_rejected() {
    let value = "v".repeat(4097);
    let msg = rejected(
        &route_with_matches(
            "r",
            &format!("[{{headers: [{{name: x, value: {value}}}]}}]"),
        ),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].matches[0].headers[0].value"],
    );
    assert_eq!(msg, "too long: must be at most 4096 characters, found 4097");
}

#[test]
fn filter_value_with_crlf_and_nul_is_stripped_never_smuggled() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-a, value: \"ok\\r\\nx-evil: 1\\0\"}]}}]\n    backendRefs: [{name: web, port: 80}]\n",
    );
    let view = get(&text, "h", "/");
    let request = view
        .request
        .expect("a forward carries the upstream request");
    assert_eq!(
        request.headers,
        vec![("x-a".to_owned(), "okx-evil: 1".to_owned())]
    );
}

#[test]
fn filter_setting_a_hop_by_hop_header_is_carried_out_as_written() {
    // The spec forbids no header name here; the proxy owns connection-level
    // headers, the decision reports what the route asked for.
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: Connection, value: close}], remove: [Transfer-Encoding]}}]\n    backendRefs: [{name: web, port: 80}]\n",
    );
    let compiled = compile_clean(&text);
    let headers = [("transfer-encoding", "chunked"), ("x", "1")];
    let view = decide(
        &compiled,
        &HttpRequest::new("GET", "h", "/").headers(&headers),
    );
    let request = view.request.expect("forward");
    assert_eq!(
        request.headers,
        vec![
            ("x".to_owned(), "1".to_owned()),
            ("connection".to_owned(), "close".to_owned())
        ]
    );
}

#[test]
fn one_header_named_twice_across_set_and_remove_drops_the_rule() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-A, value: v}], remove: [x-a]}}]\n    backendRefs: [{name: web, port: 80}]\n",
    );
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("Accepted", "False", "UnsupportedValue")),
        "{conds:?}"
    );
}

#[test]
fn request_header_match_is_case_insensitive_on_name_exact_on_value() {
    let compiled = compile_clean(&route_with_matches(
        "r",
        "[{headers: [{name: X-Env, value: Prod}]}]",
    ));
    let yes = [("x-env", "Prod")];
    let no = [("X-ENV", "prod")];
    let view = decide(&compiled, &HttpRequest::new("GET", "h", "/").headers(&yes));
    assert_eq!(summary(&view), "forward apps/r -> apps/web");
    let view = decide(&compiled, &HttpRequest::new("GET", "h", "/").headers(&no));
    assert_eq!(summary(&view), "respond 404 NoMatchingRoute");
}

#[test]
fn request_header_with_crlf_in_its_value_matches_only_literally() {
    let compiled = compile_clean(&route_with_matches(
        "r",
        "[{headers: [{name: x, value: a}]}]",
    ));
    let smuggled = [("x", "a\r\nx: a")];
    let view = decide(
        &compiled,
        &HttpRequest::new("GET", "h", "/").headers(&smuggled),
    );
    assert_eq!(summary(&view), "respond 404 NoMatchingRoute");
}

#[test]
fn repeated_request_headers_match_as_their_comma_join() {
    let compiled = compile_clean(&route_with_matches(
        "r",
        "[{headers: [{name: x, value: 'a,b'}]}]",
    ));
    let headers = [("x", "a"), ("X", "b")];
    let view = decide(
        &compiled,
        &HttpRequest::new("GET", "h", "/").headers(&headers),
    );
    assert_eq!(summary(&view), "forward apps/r -> apps/web");
}

// ---------------------------------------------------------------------------
// 5. Hostnames
// ---------------------------------------------------------------------------

fn route_for_host(hostname: &str) -> String {
    http_route(
        "r",
        &format!(
            "  hostnames: ['{hostname}']\n  rules: [{{backendRefs: [{{name: web, port: 80}}]}}]\n"
        ),
    )
}

#[test]
fn route_hostname_upper_case_is_rejected() {
    let msg = rejected(
        &route_for_host("Example.com"),
        ("HTTPRoute", "apps", "r"),
        &["spec.hostnames[0]"],
    );
    assert!(msg.starts_with("invalid hostname \"Example.com\""), "{msg}");
}

#[test]
fn route_hostname_trailing_dot_is_rejected() {
    rejected(
        &route_for_host("example.com."),
        ("HTTPRoute", "apps", "r"),
        &["spec.hostnames[0]"],
    );
}

#[test]
fn route_hostname_with_port_is_rejected() {
    rejected(
        &route_for_host("example.com:80"),
        ("HTTPRoute", "apps", "r"),
        &["spec.hostnames[0]"],
    );
}

#[test]
fn route_hostname_ipv6_literal_is_rejected() {
    rejected(
        &route_for_host("[2001:db8::1]"),
        ("HTTPRoute", "apps", "r"),
        &["spec.hostnames[0]"],
    );
}

#[test]
fn route_hostname_over_253_characters_is_rejected() {
    let long = format!("{}.com", "a.".repeat(125));
    assert_eq!(long.len(), 254);
    let msg = rejected(
        &route_for_host(&long),
        ("HTTPRoute", "apps", "r"),
        &["spec.hostnames[0]"],
    );
    assert_eq!(msg, "too long: must be at most 253 characters, found 254");
}

#[test]
fn route_hostname_label_over_63_characters_is_admitted_as_the_crd_admits_it() {
    // The CRD's Hostname pattern bounds the whole name (253) but not a label.
    let host = format!("{}.example.com", "a".repeat(64));
    let view = get(&route_for_host(&host), &host, "/");
    assert_eq!(summary(&view), "forward apps/r -> apps/web");
}

#[test]
fn route_hostname_unicode_is_rejected_punycode_is_admitted() {
    rejected(
        &route_for_host("bücher.example"),
        ("HTTPRoute", "apps", "r"),
        &["spec.hostnames[0]"],
    );
    let compiled = compile_clean(&route_for_host("xn--bcher-kva.example"));
    let view = decide(
        &compiled,
        &HttpRequest::new("GET", "xn--bcher-kva.example", "/"),
    );
    assert_eq!(summary(&view), "forward apps/r -> apps/web");
    // The Unicode form of the same name is another name: no IDNA mapping.
    let view = decide(&compiled, &HttpRequest::new("GET", "bücher.example", "/"));
    assert_eq!(summary(&view), "respond 404 NoMatchingRoute");
}

#[test]
fn wildcard_not_in_first_label_is_rejected() {
    for bad in [
        "f*.example.com",
        "*oo.example.com",
        "a.*.example.com",
        "*.*.example.com",
        "*",
    ] {
        rejected(
            &route_for_host(bad),
            ("HTTPRoute", "apps", "r"),
            &["spec.hostnames[0]"],
        );
    }
}

#[test]
fn request_host_upper_case_matches_lower_case_route() {
    let view = get(&route_for_host("example.com"), "EXAMPLE.Com", "/");
    assert_eq!(summary(&view), "forward apps/r -> apps/web");
}

#[test]
fn request_host_trailing_dot_and_port_are_ignored() {
    let compiled = compile_clean(&route_for_host("example.com"));
    for host in ["example.com.", "example.com:8080", "example.com.:80"] {
        let view = decide(&compiled, &HttpRequest::new("GET", host, "/"));
        assert_eq!(summary(&view), "forward apps/r -> apps/web", "{host}");
        // The Host is forwarded unmodified.
        assert_eq!(view.request.expect("forward").host, host);
    }
}

#[test]
fn request_host_with_two_trailing_dots_does_not_match() {
    let view = get(&route_for_host("example.com"), "example.com..", "/");
    assert_eq!(summary(&view), "respond 404 NoMatchingRoute");
}

#[test]
fn request_host_ipv6_literal_matches_only_routes_without_hostnames() {
    let text = format!(
        "{}---\n{}",
        route_for_host("example.com"),
        route_with_matches("any", "[{path: {value: /}}]")
    );
    let compiled = compile_clean(&text);
    for host in ["[2001:db8::1]", "[2001:db8::1]:80"] {
        let view = decide(&compiled, &HttpRequest::new("GET", host, "/"));
        assert_eq!(summary(&view), "forward apps/any -> apps/web", "{host}");
    }
}

#[test]
fn request_host_over_255_bytes_matches_only_routes_without_hostnames() {
    let long = format!("{}example.com", "a.".repeat(130));
    let text = format!(
        "{}---\n{}",
        route_for_host("*.example.com"),
        route_with_matches("any", "[{path: {value: /}}]")
    );
    let view = decide(&compile_clean(&text), &HttpRequest::new("GET", &long, "/"));
    assert_eq!(summary(&view), "forward apps/any -> apps/web");
}

#[test]
fn wildcard_matches_one_or_more_labels_never_the_bare_suffix() {
    let compiled = compile_clean(&route_for_host("*.example.com"));
    for (host, want) in [
        ("a.example.com", "forward apps/r -> apps/web"),
        ("a.b.example.com", "forward apps/r -> apps/web"),
        ("example.com", "respond 404 NoMatchingRoute"),
        (".example.com", "respond 404 NoMatchingRoute"),
        ("aexample.com", "respond 404 NoMatchingRoute"),
    ] {
        let view = decide(&compiled, &HttpRequest::new("GET", host, "/"));
        assert_eq!(summary(&view), want, "{host}");
    }
}

#[test]
fn request_host_empty_matches_only_routes_without_hostnames() {
    let view = get(&route_for_host("example.com"), "", "/");
    assert_eq!(summary(&view), "respond 404 NoMatchingRoute");
}

// ---------------------------------------------------------------------------
// 6. Weights
// ---------------------------------------------------------------------------

#[test]
fn all_zero_weights_answer_500() {
    let text = http_route(
        "r",
        "  rules: [{backendRefs: [{name: web, port: 80, weight: 0}, {name: other, port: 80, weight: 0}]}]\n",
    );
    let view = get(&text, "h", "/");
    assert_eq!(summary(&view), "respond 500 InvalidBackend");
}

#[test]
fn a_zero_weight_backend_receives_nothing() {
    let text = http_route(
        "r",
        "  rules: [{backendRefs: [{name: web, port: 80, weight: 0}, {name: other, port: 80, weight: 3}]}]\n",
    );
    let view = get(&text, "h", "/");
    assert_eq!(summary(&view), "forward apps/r -> apps/other");
}

#[test]
fn maximum_weights_do_not_overflow() {
    let text = http_route(
        "r",
        "  rules: [{backendRefs: [{name: web, port: 80, weight: 1000000}, {name: other, port: 80, weight: 1000000}]}]\n",
    );
    let compiled = compile_clean(&text);
    let req = HttpRequest::new("GET", "h", "/");
    let decision = compiled.router().route(GW, 80, RequestProtocol::Http, &req);
    let gatewise::Decision::Forward(f) = decision else {
        panic!("expected a forward, got {decision:?}");
    };
    // The random number is taken modulo the total weight (2 000 000).
    let names: Vec<String> = [0, 999_999, 1_000_000, 1_999_999, 2_000_000, u64::MAX]
        .into_iter()
        .map(|r| match f.pick(r) {
            gatewise::Pick::Backend { service, .. } => service.name.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(names, ["web", "web", "other", "other", "web", "other"]);
}

#[test]
fn weight_over_maximum_is_rejected() {
    let msg = rejected(
        &http_route(
            "r",
            "  rules: [{backendRefs: [{name: web, port: 80, weight: 1000001}]}]\n",
        ),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].backendRefs[0].weight"],
    );
    assert_eq!(
        msg,
        "1000001 is out of range: must be between 0 and 1000000"
    );
}

#[test]
fn negative_weight_is_rejected() {
    rejected(
        &http_route(
            "r",
            "  rules: [{backendRefs: [{name: web, port: 80, weight: -1}]}]\n",
        ),
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].backendRefs[0].weight"],
    );
}

// ---------------------------------------------------------------------------
// 7. References
// ---------------------------------------------------------------------------

#[test]
fn missing_service_answers_500_with_backend_not_found() {
    let text = http_route("r", "  rules: [{backendRefs: [{name: nope, port: 80}]}]\n");
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("ResolvedRefs", "False", "BackendNotFound")),
        "{conds:?}"
    );
    let view = decide(&compiled, &HttpRequest::new("GET", "h", "/"));
    assert_eq!(summary(&view), "respond 500 InvalidBackend");
}

#[test]
fn cross_namespace_backend_without_grant_is_ref_not_permitted() {
    let text = http_route(
        "r",
        "  rules: [{backendRefs: [{name: web, namespace: elsewhere, port: 80}]}]\n",
    );
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("ResolvedRefs", "False", "RefNotPermitted")),
        "{conds:?}"
    );
    let view = decide(&compiled, &HttpRequest::new("GET", "h", "/"));
    assert_eq!(summary(&view), "respond 500 InvalidBackend");
}

#[test]
fn cross_namespace_backend_with_grant_resolves() {
    let text = format!(
        "{}---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {{name: g, namespace: elsewhere}}\nspec:\n  from: [{{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}}]\n  to: [{{group: '', kind: Service}}]\n",
        http_route(
            "r",
            "  rules: [{backendRefs: [{name: web, namespace: elsewhere, port: 80}]}]\n"
        )
    );
    let view = get(&text, "h", "/");
    assert_eq!(summary(&view), "forward apps/r -> elsewhere/web");
}

#[test]
fn grant_in_the_wrong_namespace_does_not_permit() {
    let text = format!(
        "{}---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {{name: g, namespace: apps}}\nspec:\n  from: [{{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}}]\n  to: [{{group: '', kind: Service}}]\n",
        http_route(
            "r",
            "  rules: [{backendRefs: [{name: web, namespace: elsewhere, port: 80}]}]\n"
        )
    );
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("ResolvedRefs", "False", "RefNotPermitted")),
        "{conds:?}"
    );
}

#[test]
fn parent_ref_to_a_missing_gateway_gets_no_status() {
    let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: apps}\nspec:\n  parentRefs: [{name: nope, namespace: infra}]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n";
    let compiled = compile_clean(text);
    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
    let route = status.routes.iter().find(|r| r.name == "r");
    assert!(route.is_none_or(|r| r.parents.is_empty()), "{route:?}");
    assert_eq!(status.gateways[0].listeners[0].attached_routes, 0);
}

#[test]
fn backend_of_unknown_kind_is_invalid_kind() {
    let text = http_route(
        "r",
        "  rules: [{backendRefs: [{group: example.com, kind: Bucket, name: b, port: 80}]}]\n",
    );
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("ResolvedRefs", "False", "InvalidKind")),
        "{conds:?}"
    );
}

#[test]
fn mirror_to_the_primary_backend_itself_is_mirrored_once() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: web, port: 80}}}]\n    backendRefs: [{name: web, port: 80}]\n",
    );
    let view = get(&text, "h", "/");
    assert_eq!(summary(&view), "forward apps/r -> apps/web");
    let mirrors: Vec<(String, u16, f64)> = view
        .mirrors
        .iter()
        .map(|m| (format!("{}/{}", m.namespace, m.name), m.port, m.percent))
        .collect();
    assert_eq!(mirrors, vec![("apps/web".to_owned(), 80, 100.0)]);
}

#[test]
fn mirror_to_a_missing_service_is_dropped_and_reported() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: nope, port: 80}}}]\n    backendRefs: [{name: web, port: 80}]\n",
    );
    let compiled = compile_clean(&text);
    let conds = route_conditions(&compiled, "r");
    assert!(
        conds.contains(&cond("ResolvedRefs", "False", "BackendNotFound")),
        "{conds:?}"
    );
    let view = decide(&compiled, &HttpRequest::new("GET", "h", "/"));
    assert_eq!(summary(&view), "forward apps/r -> apps/web");
    assert!(view.mirrors.is_empty());
}

// ---------------------------------------------------------------------------
// 8. Redirect and rewrite edge cases
// ---------------------------------------------------------------------------

fn rewrite_route(prefix: &str, replace: &str) -> String {
    http_route(
        "r",
        &format!(
            "  rules:\n  - matches: [{{path: {{type: PathPrefix, value: '{prefix}'}}}}]\n    filters: [{{type: URLRewrite, urlRewrite: {{path: {{type: ReplacePrefixMatch, replacePrefixMatch: '{replace}'}}}}}}]\n    backendRefs: [{{name: web, port: 80}}]\n"
        ),
    )
}

#[test]
fn rewrite_prefix_to_empty_strips_the_prefix() {
    let compiled = compile_clean(&rewrite_route("/foo", ""));
    for (target, want) in [("/foo/bar", "/bar"), ("/foo/", "/"), ("/foo", "/")] {
        let view = decide(&compiled, &HttpRequest::new("GET", "h", target));
        assert_eq!(upstream_path(&view), want, "{target}");
    }
}

#[test]
fn rewrite_prefix_with_trailing_slashes_follows_the_spec_table() {
    for (prefix, replace) in [("/foo", "/xyz/"), ("/foo/", "/xyz"), ("/foo/", "/xyz/")] {
        let compiled = compile_clean(&rewrite_route(prefix, replace));
        let view = decide(&compiled, &HttpRequest::new("GET", "h", "/foo/bar"));
        assert_eq!(upstream_path(&view), "/xyz/bar", "{prefix} {replace}");
    }
    let compiled = compile_clean(&rewrite_route("/foo", "/xyz"));
    let view = decide(&compiled, &HttpRequest::new("GET", "h", "/foo/"));
    assert_eq!(upstream_path(&view), "/xyz/");
}

#[test]
fn rewrite_of_prefix_slash_prepends_the_replacement() {
    let compiled = compile_clean(&rewrite_route("/", "/xyz"));
    for (target, want) in [("/foo", "/xyz/foo"), ("/foo/", "/xyz/foo/"), ("/", "/xyz/")] {
        let view = decide(&compiled, &HttpRequest::new("GET", "h", target));
        assert_eq!(upstream_path(&view), want, "{target}");
    }
}

/// The CRD sets no minimum length on `replaceFullPath`; an empty one sends
/// `/` (an empty path is not a request path), and the query is kept.
#[test]
fn rewrite_full_path_to_empty_sends_the_root() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: ''}}}]\n    backendRefs: [{name: web, port: 80}]\n",
    );
    let view = get(&text, "h", "/a/b?q");
    assert_eq!(upstream_path(&view), "/?q");
}

#[test]
fn replace_prefix_match_without_a_path_prefix_match_is_rejected_on_the_rule() {
    let text = http_route(
        "r",
        "  rules:\n  - matches: [{path: {type: Exact, value: /foo}}]\n    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /x}}}]\n    backendRefs: [{name: web, port: 80}]\n",
    );
    rejected(&text, ("HTTPRoute", "apps", "r"), &["spec.rules[0]"]);
}

#[test]
fn redirect_together_with_backend_refs_is_rejected_on_the_rule() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org}}]\n    backendRefs: [{name: web, port: 80}]\n",
    );
    rejected(&text, ("HTTPRoute", "apps", "r"), &["spec.rules[0]"]);
}

#[test]
fn redirect_keeps_the_query_and_uses_the_listener_port() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org, statusCode: 301}}]\n",
    );
    let view = get(&text, "h", "/a/b?x=1&y=%2F");
    assert_eq!(
        summary(&view),
        "redirect 301 http://example.org/a/b?x=1&y=%2F"
    );
}

#[test]
fn redirect_prefix_to_slash_keeps_the_rest_of_the_path() {
    let text = http_route(
        "r",
        "  rules:\n  - matches: [{path: {type: PathPrefix, value: /old/}}]\n    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]\n",
    );
    let compiled = compile_clean(&text);
    for (target, want) in [
        ("/old/a/b", "redirect 302 http://h/a/b"),
        ("/old", "redirect 302 http://h/"),
        ("/old/", "redirect 302 http://h/"),
    ] {
        let view = decide(&compiled, &HttpRequest::new("GET", "h", target));
        assert_eq!(summary(&view), want, "{target}");
    }
}

#[test]
fn redirect_hostname_with_crlf_is_rejected() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestRedirect, requestRedirect: {hostname: \"a.example\\r\\nx: y\"}}]\n",
    );
    rejected(
        &text,
        ("HTTPRoute", "apps", "r"),
        &["spec.rules[0].filters[0].requestRedirect.hostname"],
    );
}

#[test]
fn redirect_of_a_path_with_crlf_escapes_is_kept_encoded() {
    let text = http_route(
        "r",
        "  rules:\n  - filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org}}]\n",
    );
    let view = get(&text, "h", "/a%0D%0ALocation:%20evil");
    assert_eq!(
        summary(&view),
        "redirect 302 http://example.org/a%0D%0ALocation:%20evil"
    );
}

// ---------------------------------------------------------------------------
// 9. Creation timestamps
// ---------------------------------------------------------------------------

fn timed_route(name: &str, created: &str, backend: &str) -> String {
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: apps, creationTimestamp: '{created}'}}\nspec:\n  parentRefs: [{{name: gw, namespace: infra}}]\n  rules: [{{matches: [{{path: {{value: /same}}}}], backendRefs: [{{name: {backend}, port: 80}}]}}]\n"
    )
}

#[test]
fn equal_creation_timestamps_fall_back_to_namespace_name() {
    // `b` comes first in the input; `a` wins by name.
    let text = format!(
        "{}---\n{}",
        timed_route("b", "2024-05-01T00:00:00Z", "other"),
        timed_route("a", "2024-05-01T00:00:00Z", "web")
    );
    let view = get(&text, "h", "/same");
    assert_eq!(summary(&view), "forward apps/a -> apps/web");
}

#[test]
fn older_route_wins_over_name_order() {
    let text = format!(
        "{}---\n{}",
        timed_route("b", "2024-05-01T00:00:00Z", "other"),
        timed_route("a", "2024-05-01T00:00:01Z", "web")
    );
    let view = get(&text, "h", "/same");
    assert_eq!(summary(&view), "forward apps/b -> apps/other");
}

#[test]
fn invalid_creation_timestamp_is_rejected_naming_the_field() {
    let msg = rejected(
        &timed_route("a", "yesterday", "web"),
        ("HTTPRoute", "apps", "a"),
        &["metadata.creationTimestamp"],
    );
    assert_eq!(msg, "invalid RFC 3339 timestamp \"yesterday\"");
}

// ---------------------------------------------------------------------------
// 10. Request paths
// ---------------------------------------------------------------------------

/// Routes: Exact `/a/b` → web; PathPrefix `/admin` → other; nothing else.
fn path_routes() -> Compiled {
    let text = http_route(
        "r",
        "  rules:\n  - matches: [{path: {type: Exact, value: /a/b}}]\n    backendRefs: [{name: web, port: 80}]\n  - matches: [{path: {type: PathPrefix, value: /admin}}]\n    backendRefs: [{name: other, port: 80}]\n",
    );
    compile_clean(&text)
}

fn path_outcome(target: &str) -> (String, String) {
    let view = decide(&path_routes(), &HttpRequest::new("GET", "h", target));
    (summary(&view), upstream_path(&view))
}

const NOT_FOUND: &str = "respond 404 NoMatchingRoute";

#[test]
fn path_encoded_slash_is_not_a_separator() {
    assert_eq!(
        path_outcome("/a%2Fb"),
        (NOT_FOUND.to_owned(), String::new())
    );
    assert_eq!(
        path_outcome("/a%2fb"),
        (NOT_FOUND.to_owned(), String::new())
    );
}

#[test]
fn path_encoded_backslash_is_not_a_separator() {
    assert_eq!(
        path_outcome("/a%5Cb"),
        (NOT_FOUND.to_owned(), String::new())
    );
    assert_eq!(path_outcome("/a\\b"), (NOT_FOUND.to_owned(), String::new()));
}

#[test]
fn path_encoded_dot_dot_is_resolved_before_matching() {
    assert_eq!(
        path_outcome("/x/%2e%2e/a/b"),
        ("forward apps/r -> apps/web".to_owned(), "/a/b".to_owned())
    );
    assert_eq!(
        path_outcome("/public/%2E%2E/admin/x"),
        (
            "forward apps/r -> apps/other".to_owned(),
            "/admin/x".to_owned()
        )
    );
}

#[test]
fn path_dot_dot_cannot_climb_above_the_root() {
    assert_eq!(
        path_outcome("/../../a/b"),
        ("forward apps/r -> apps/web".to_owned(), "/a/b".to_owned())
    );
}

#[test]
fn path_double_encoding_is_decoded_once_only() {
    // `%252e%252e` is `%2e%2e` after one decoding: not a dot segment.
    assert_eq!(
        path_outcome("/admin/%252e%252e/a/b"),
        (
            "forward apps/r -> apps/other".to_owned(),
            "/admin/%252e%252e/a/b".to_owned()
        )
    );
    assert_eq!(
        path_outcome("/a%252Fb"),
        (NOT_FOUND.to_owned(), String::new())
    );
}

#[test]
fn path_semicolon_parameters_are_literal() {
    assert_eq!(
        path_outcome("/a/b;x=1"),
        (NOT_FOUND.to_owned(), String::new())
    );
    // `..;` is not a dot segment.
    assert_eq!(
        path_outcome("/admin/..;/a/b"),
        (
            "forward apps/r -> apps/other".to_owned(),
            "/admin/..;/a/b".to_owned()
        )
    );
}

#[test]
fn path_duplicate_slashes_are_kept() {
    assert_eq!(path_outcome("/a//b"), (NOT_FOUND.to_owned(), String::new()));
    assert_eq!(path_outcome("//a/b"), (NOT_FOUND.to_owned(), String::new()));
    assert_eq!(
        path_outcome("/admin//x"),
        (
            "forward apps/r -> apps/other".to_owned(),
            "/admin//x".to_owned()
        )
    );
}

#[test]
fn path_with_fragment_is_answered_400() {
    assert_eq!(path_outcome("/a/b#frag").0, "respond 400 BadPath");
}

#[test]
fn path_with_control_characters_is_answered_400() {
    for target in ["/a/b\r\n", "/a\0/b", "/a b", "/a/b\x7f"] {
        assert_eq!(path_outcome(target).0, "respond 400 BadPath", "{target:?}");
    }
}

#[test]
fn path_with_malformed_escape_is_answered_400() {
    for target in ["/a%zz", "/a%2", "/a%"] {
        assert_eq!(path_outcome(target).0, "respond 400 BadPath", "{target:?}");
    }
}

#[test]
fn path_without_leading_slash_is_answered_400() {
    for target in ["a/b", "*", "http://h/a/b", ""] {
        assert_eq!(path_outcome(target).0, "respond 400 BadPath", "{target:?}");
    }
}

#[test]
fn path_non_utf8_escapes_stay_encoded_and_raw_utf8_is_encoded() {
    // `%FF` is not UTF-8 once decoded; it stays an escape.
    assert_eq!(
        path_outcome("/admin/%ff"),
        (
            "forward apps/r -> apps/other".to_owned(),
            "/admin/%FF".to_owned()
        )
    );
    assert_eq!(
        path_outcome("/admin/é"),
        (
            "forward apps/r -> apps/other".to_owned(),
            "/admin/%C3%A9".to_owned()
        )
    );
}

#[test]
fn path_encoded_unreserved_characters_are_decoded() {
    assert_eq!(
        path_outcome("/%61/%62"),
        ("forward apps/r -> apps/web".to_owned(), "/a/b".to_owned())
    );
    assert_eq!(
        path_outcome("/%41dmin"),
        (NOT_FOUND.to_owned(), String::new()),
        "paths are case-sensitive: %41 is `A`"
    );
}

#[test]
fn path_of_8_kilobytes_routes() {
    let target = format!("/admin/{}", "x".repeat(8 * 1024));
    let (decision, path) = path_outcome(&target);
    assert_eq!(decision, "forward apps/r -> apps/other");
    assert_eq!(path, target);
    let dots = format!("/admin/{}", "./".repeat(4 * 1024));
    assert_eq!(
        path_outcome(&dots),
        (
            "forward apps/r -> apps/other".to_owned(),
            "/admin/".to_owned()
        )
    );
}

#[test]
fn query_string_is_not_part_of_the_path() {
    assert_eq!(
        path_outcome("/a/b?/admin"),
        (
            "forward apps/r -> apps/web".to_owned(),
            "/a/b?/admin".to_owned()
        )
    );
}

// ---------------------------------------------------------------------------
// The policy docs name these tests
// ---------------------------------------------------------------------------

/// Every test the path and host policy (`core/src/policy.rs`) names exists
/// here, so the docs cannot cite a test that was renamed or removed.
#[test]
fn policy_docs_name_only_tests_of_this_catalogue() {
    let docs = include_str!("../src/policy.rs");
    let catalogue = include_str!("bad_inputs.rs");
    let named: Vec<&str> = docs
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.matches('_').count() >= 3
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
        .collect();
    assert!(named.len() >= 50, "{named:?}");
    for name in named {
        assert!(
            catalogue.contains(&format!("fn {name}()")),
            "policy.rs names `{name}`, which is not a test of bad_inputs.rs"
        );
    }
}
