//! Assertions shared by the targets. Each panics (a fuzz crash) with a message
//! that says which promise broke.

use gatewise::{Condition, DecisionView, Status};

/// Status is well formed: Kubernetes-valid conditions (status `True`/`False`/
/// `Unknown`, a reason in the API server's pattern, one condition per type), the
/// conditions every object must carry, and a `to_kubernetes` form with identity.
pub fn status(status: &Status) {
    for c in &status.gateway_classes {
        conditions(
            &format!("GatewayClass {}", c.name),
            &c.conditions,
            &["Accepted"],
        );
    }
    for g in &status.gateways {
        let what = format!("Gateway {}/{}", g.namespace, g.name);
        conditions(&what, &g.conditions, &["Accepted", "Programmed"]);
        for l in &g.listeners {
            let what = format!("{what} listener {}", l.name);
            conditions(
                &what,
                &l.conditions,
                &["Accepted", "Programmed", "ResolvedRefs"],
            );
        }
    }
    for s in &status.listener_sets {
        let what = format!("ListenerSet {}/{}", s.namespace, s.name);
        conditions(&what, &s.conditions, &["Accepted", "Programmed"]);
        for l in &s.listeners {
            let what = format!("{what} listener {}", l.name);
            conditions(
                &what,
                &l.conditions,
                &["Accepted", "Programmed", "ResolvedRefs"],
            );
        }
    }
    for r in &status.routes {
        for p in &r.parents {
            let what = format!(
                "{} {}/{} parent {:?}",
                r.kind, r.namespace, r.name, p.parent_ref
            );
            assert!(!p.controller_name.is_empty(), "{what}: no controllerName");
            conditions(&what, &p.conditions, &["Accepted", "ResolvedRefs"]);
        }
    }
    for object in status.to_kubernetes() {
        for key in ["apiVersion", "kind"] {
            assert!(
                object[key].is_string(),
                "status object without {key}: {object}"
            );
        }
        assert!(
            object["metadata"]["name"].is_string(),
            "status object without name: {object}"
        );
        assert!(
            object["status"].is_object(),
            "status object without status: {object}"
        );
    }
    let json = serde_json::to_string(status).expect("status serialises");
    assert!(!json.is_empty());
}

fn conditions(what: &str, conds: &[Condition], required: &[&str]) {
    for need in required {
        assert!(
            conds.iter().any(|c| c.type_ == *need),
            "{what}: no {need} condition in {conds:?}"
        );
    }
    for (i, c) in conds.iter().enumerate() {
        assert!(
            matches!(c.status, "True" | "False" | "Unknown"),
            "{what}: condition status {:?}",
            c.status
        );
        assert!(reason_is_valid(c.reason), "{what}: reason {:?}", c.reason);
        assert!(!c.type_.is_empty(), "{what}: condition without type");
        assert!(
            conds[..i].iter().all(|d| d.type_ != c.type_),
            "{what}: two {} conditions",
            c.type_
        );
        assert!(
            c.observed_generation >= 0,
            "{what}: negative observedGeneration"
        );
        assert!(
            c.message.len() <= 32_768,
            "{what}: message over 32768 bytes"
        );
    }
}

/// `metav1.Condition.reason`: `^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`, max 1024.
fn reason_is_valid(reason: &str) -> bool {
    let b = reason.as_bytes();
    let (Some(first), Some(last)) = (b.first(), b.last()) else {
        return false;
    };
    b.len() <= 1024
        && first.is_ascii_alphabetic()
        && (last.is_ascii_alphanumeric() || *last == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b',' | b':'))
}

/// No CR, LF or NUL: what would split a header line or a request line.
pub fn no_line_breaks(what: &str, text: &str) {
    assert!(
        !text.contains(['\r', '\n', '\0']),
        "{what} contains CR, LF or NUL: {text:?}"
    );
}

/// RFC 9110 `token`, as a header name.
pub fn header_name(what: &str, name: &str) {
    assert!(
        http::HeaderName::from_bytes(name.as_bytes()).is_ok(),
        "{what}: header name {name:?} is not a token"
    );
}

/// RFC 9110 `field-value` bytes (visible ASCII, space, tab, obs-text).
pub fn header_value(what: &str, value: &str) {
    assert!(
        http::HeaderValue::from_str(value).is_ok(),
        "{what}: header value {value:?} is not a valid field value"
    );
}

/// Every header and URI of a decision. Whatever the request, the `Location`
/// (which the engine composes) never holds CR, LF or NUL. When the request
/// itself is valid HTTP (`valid_input`: what a server would accept; other
/// requests have their own bytes passed through, `Host`, headers and query, and
/// front ends parse HTTP before asking): no output holds CR, LF or NUL, every
/// header name is a token, every value valid field-value bytes, the upstream
/// target an origin-form URI and the `Location` an absolute URI.
pub fn decision_outputs(view: &DecisionView, valid_input: bool, context: &str) {
    let at = |what: &str| format!("{what}, for {context}");
    if let Some(location) = &view.location {
        no_line_breaks(&at("Location"), location);
        // Whatever the request, a `Location` has a host (a request whose `Host`
        // gives none is answered 400 `InvalidHost` instead).
        let host = location.split_once("://").map_or("", |(_, rest)| rest);
        assert!(
            !host.is_empty() && !host.starts_with(['/', ':', '?']),
            "Location {location:?} has no host, for {context}"
        );
        if valid_input {
            header_value(&at("Location"), location);
            let uri: http::Uri = location.parse().unwrap_or_else(|e| {
                panic!("Location {location:?} is not a URI ({e}), for {context}")
            });
            assert!(
                uri.scheme().is_some() && uri.authority().is_some(),
                "Location {location:?} is not absolute, for {context}"
            );
        }
    }
    if !valid_input {
        return;
    }
    let mut headers: Vec<(&str, &str, &str)> = view
        .response_headers
        .iter()
        .map(|(n, v)| ("response", n.as_str(), v.as_str()))
        .collect();
    if let Some(up) = &view.request {
        no_line_breaks(&at("upstream method"), &up.method);
        no_line_breaks(&at("upstream host"), &up.host);
        no_line_breaks(&at("upstream path"), &up.path);
        header_value(&at("upstream host"), &up.host);
        assert!(
            up.path.starts_with('/') && up.path.parse::<http::uri::PathAndQuery>().is_ok(),
            "upstream path {:?} is not a valid request target, for {context}",
            up.path
        );
        headers.extend(
            up.headers
                .iter()
                .map(|(n, v)| ("request", n.as_str(), v.as_str())),
        );
    }
    for (side, name, value) in headers {
        no_line_breaks(&at(&format!("{side} header name")), name);
        no_line_breaks(&at(&format!("{side} header {name} value")), value);
        header_name(&at(side), name);
        header_value(&at(&format!("{side} header {name}")), value);
    }
}
