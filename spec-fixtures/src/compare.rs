//! Running one case and comparing the engine's answer with the fixture's.
//!
//! Every function returns `Err(message)` naming what was expected and what the
//! engine gave, so a failing line reads on its own.

use gatewise::{
    BackendView, Condition, DecisionView, GATEWAY_GROUP, GatewayRef, HttpRequest, ListenerStatus,
    Rejection, RouteParentStatus, Router, Status,
};

use gatewise::oracle::Oracle;

use crate::format::{
    ConditionExpect, KindExpect, ListenerExpect, ParentExpect, RejectedCase, RequestCase, Scalar,
    StatusCase, StatusExpect,
};

/// The address a client that knows no name sends as `Host`.
pub const DEFAULT_HOST: &str = "192.0.2.1";

/// Runs a `requests` case; with an `oracle`, its decision must equal the router's.
pub(crate) fn request(
    router: &Router,
    oracle: Option<&Oracle>,
    case: &RequestCase,
) -> Result<(), String> {
    let Some((ns, name)) = case.gateway.split_once('/') else {
        return Err(format!(
            "gateway must be namespace/name, found {:?}",
            case.gateway
        ));
    };
    let Some(port) = case.port.or(case.protocol.default_port()) else {
        return Err(format!("protocol {} needs a port", case.protocol));
    };
    let method = case
        .method
        .as_deref()
        .unwrap_or(case.protocol.default_method());
    let host = case.host.as_deref().unwrap_or(DEFAULT_HOST);
    let grpc_target = case
        .grpc
        .as_ref()
        .map(|g| gatewise::grpc_path(&g.service, &g.method));
    let target = grpc_target
        .as_deref()
        .or(case.path.as_deref())
        .unwrap_or("/");
    let headers: Vec<(String, String)> = case
        .headers
        .iter()
        .map(|h| (h.name.clone(), h.value.0.clone()))
        .collect();
    let backend_response: Vec<(String, String)> = case
        .backend_response
        .iter()
        .flat_map(|r| r.headers.iter().map(|(k, v)| (k.clone(), v.0.clone())))
        .collect();
    // `Router::route` applies the protocol's defaults (the SNI of HTTPS and TLS).
    let req = HttpRequest::new(method, host, target)
        .sni(case.sni.as_deref())
        .owned_headers(&headers);
    let gateway = GatewayRef::new(ns, name);
    let view = router
        .route(gateway, port, case.protocol, &req)
        .view_with_response(&backend_response);
    if let Some(naive) = oracle
        .and_then(|o| o.route(gateway, port, case.protocol, &req))
        .map(|d| d.view_with_response(&backend_response))
        .filter(|naive| *naive != view)
    {
        let json = |v: &DecisionView| serde_json::to_string(v).unwrap_or_default();
        return Err(format!(
            "the oracle (a linear scan) decides {} where the router decides {}",
            json(&naive),
            json(&view)
        ));
    }
    check_view(case, &view)
}

fn check_view(case: &RequestCase, view: &DecisionView) -> Result<(), String> {
    let expect = &case.expect;
    let outcomes = usize::from(expect.backend.is_some())
        + usize::from(expect.backends.is_some())
        + usize::from(expect.status.is_some())
        + usize::from(expect.redirect.is_some());
    if outcomes != 1 {
        return Err(format!(
            "expect must hold exactly one of backend, backends, status, redirect (found {outcomes})"
        ));
    }
    let got = describe(view);
    let route_ns = view.route.as_ref().map_or("", |r| r.namespace.as_str());
    let mut problems = Vec::new();

    if let Some(b) = &expect.backend {
        let ns = b.namespace.as_deref().unwrap_or(route_ns);
        let ok = view.kind == "forward"
            && view.backends.len() == 1
            && view.backends[0].status.is_none()
            && view.backends[0].namespace.as_deref() == Some(ns)
            && view.backends[0].name.as_deref() == Some(b.name.as_str())
            && view.backends[0].port == Some(b.port);
        if !ok {
            problems.push(format!(
                "expected forward to {ns}/{}:{}, got {got}",
                b.name, b.port
            ));
        }
    }
    if let Some(list) = &expect.backends {
        let mut want: Vec<Share> = Vec::new();
        let mut invalid = 0u64;
        for e in list {
            let weight = e.weight.unwrap_or(1);
            match (e.status, &e.name, e.port) {
                (Some(_), _, _) => invalid += u64::from(weight),
                (None, Some(name), Some(port)) => {
                    if weight > 0 {
                        want.push(Share::Service(
                            e.namespace.as_deref().unwrap_or(route_ns).to_owned(),
                            name.clone(),
                            port,
                            u64::from(weight),
                        ));
                    }
                }
                _ => {
                    problems.push("a backends entry needs name and port, or status: 500".to_owned())
                }
            }
        }
        if invalid > 0 {
            want.push(Share::Invalid(invalid));
        }
        want.sort();
        let have = shares(&view.backends);
        if view.kind != "forward" || want != have {
            problems.push(format!(
                "expected forward to [{}], got {got}",
                want.iter()
                    .map(Share::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Some(s) = &expect.status {
        let ok = match s {
            StatusExpect::Reject => view.kind == "reject",
            StatusExpect::Code(c) => {
                (view.kind == "respond" && view.status == Some(*c))
                    // A forward whose every share is invalid answers 500.
                    || (*c == 500
                        && view.kind == "forward"
                        && view.backends.iter().all(|b| b.status.is_some()))
            }
        };
        if !ok {
            problems.push(format!("expected {s}, got {got}"));
        }
    }
    if let Some(r) = &expect.redirect {
        let ok = view.kind == "redirect"
            && view.status == Some(r.status)
            && view.location.as_deref() == Some(r.location.as_str());
        if !ok {
            problems.push(format!(
                "expected redirect {} to {}, got {got}",
                r.status, r.location
            ));
        }
    }
    if let Some(r) = &expect.request {
        match &view.request {
            None => problems.push(format!("expected an upstream request, got {got}")),
            Some(up) => {
                if let Some(h) = &r.host
                    && &up.host != h
                {
                    problems.push(format!("request host: expected {h:?}, got {:?}", up.host));
                }
                if let Some(p) = &r.path
                    && &up.path != p
                {
                    problems.push(format!("request path: expected {p:?}, got {:?}", up.path));
                }
                check_headers(
                    "request",
                    &up.headers,
                    &r.headers,
                    &r.absent_headers,
                    &mut problems,
                );
            }
        }
    }
    if let Some(r) = &expect.response {
        check_headers(
            "response",
            &view.response_headers,
            &r.headers,
            &r.absent_headers,
            &mut problems,
        );
    }
    if let Some(list) = &expect.mirrors {
        let mut want: Vec<(String, String, u16, f64)> = list
            .iter()
            .map(|m| {
                (
                    m.namespace.as_deref().unwrap_or(route_ns).to_owned(),
                    m.name.clone(),
                    m.port,
                    m.percent.unwrap_or(100.0),
                )
            })
            .collect();
        let mut have: Vec<(String, String, u16, f64)> = view
            .mirrors
            .iter()
            .map(|m| (m.namespace.clone(), m.name.clone(), m.port, m.percent))
            .collect();
        let key = |a: &(String, String, u16, f64), b: &(String, String, u16, f64)| {
            (&a.0, &a.1, a.2)
                .cmp(&(&b.0, &b.1, b.2))
                .then(a.3.total_cmp(&b.3))
        };
        want.sort_by(key);
        have.sort_by(key);
        let same = want.len() == have.len()
            && want
                .iter()
                .zip(&have)
                .all(|(w, h)| w.0 == h.0 && w.1 == h.1 && w.2 == h.2 && (w.3 - h.3).abs() < 1e-9);
        if !same {
            let show = |v: &[(String, String, u16, f64)]| {
                v.iter()
                    .map(|m| {
                        if (m.3 - 100.0).abs() < 1e-9 {
                            format!("{}/{}:{}", m.0, m.1, m.2)
                        } else {
                            format!("{}/{}:{} ({}%)", m.0, m.1, m.2, m.3)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            problems.push(format!(
                "mirrors: expected [{}], got [{}]",
                show(&want),
                show(&have)
            ));
        }
    }
    if let Some(l) = &expect.listener
        && view.listener.as_deref() != Some(l.as_str())
    {
        problems.push(format!(
            "listener: expected {l}, got {}",
            view.listener.as_deref().unwrap_or("none")
        ));
    }
    if let Some(r) = &expect.route {
        let have = view
            .route
            .as_ref()
            .map(|r| format!("{}/{}", r.namespace, r.name));
        if have.as_deref() != Some(r.as_str()) {
            problems.push(format!(
                "route: expected {r}, got {}",
                have.as_deref().unwrap_or("none")
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// One weighted share, for order-insensitive comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Share {
    Service(String, String, u16, u64),
    Invalid(u64),
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Share::Service(ns, name, port, w) => write!(f, "{ns}/{name}:{port} (weight {w})"),
            Share::Invalid(w) => write!(f, "status 500 (weight {w})"),
        }
    }
}

/// The engine's shares: zero weights dropped, invalid backends summed into one.
fn shares(backends: &[BackendView]) -> Vec<Share> {
    let mut out = Vec::new();
    let mut invalid = 0u64;
    for b in backends.iter().filter(|b| b.weight > 0) {
        match (&b.namespace, &b.name, b.port, b.status) {
            (Some(ns), Some(name), Some(port), None) => out.push(Share::Service(
                ns.clone(),
                name.clone(),
                port,
                u64::from(b.weight),
            )),
            _ => invalid += u64::from(b.weight),
        }
    }
    if invalid > 0 {
        out.push(Share::Invalid(invalid));
    }
    out.sort();
    out
}

/// A decision in a few words, for "got ..." messages.
pub fn describe(view: &DecisionView) -> String {
    let mut s = match view.kind {
        "forward" => {
            let list = shares(&view.backends);
            if list.is_empty() {
                "forward to no backend".to_owned()
            } else {
                format!(
                    "forward to {}",
                    list.iter()
                        .map(Share::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
        "redirect" => format!(
            "redirect {} to {}",
            view.status.unwrap_or_default(),
            view.location.as_deref().unwrap_or("")
        ),
        "respond" => format!(
            "status {} ({})",
            view.status.unwrap_or_default(),
            view.reason.unwrap_or("")
        ),
        "reject" => format!("reject ({})", view.reason.unwrap_or("")),
        other => other.to_owned(),
    };
    if let Some(r) = &view.route {
        s.push_str(&format!(" by {}/{}", r.namespace, r.name));
    }
    s
}

fn check_headers(
    what: &str,
    have: &[(String, String)],
    want: &std::collections::BTreeMap<String, Scalar>,
    absent: &[String],
    problems: &mut Vec<String>,
) {
    let values = |name: &str| -> Option<String> {
        let v: Vec<&str> = have
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!v.is_empty()).then(|| v.join(","))
    };
    for (name, value) in want {
        match values(name) {
            None => problems.push(format!(
                "{what} header {name}: expected {:?}, got none",
                value.0
            )),
            Some(v) if v != value.0 => problems.push(format!(
                "{what} header {name}: expected {:?}, got {v:?}",
                value.0
            )),
            Some(_) => {}
        }
    }
    for name in absent {
        if let Some(v) = values(name) {
            problems.push(format!("{what} header {name}: expected absent, got {v:?}"));
        }
    }
}

/// Runs a `status` case.
pub(crate) fn status(status: &Status, case: &StatusCase) -> Result<(), String> {
    let mut problems = Vec::new();
    let not_for = |field: &str, problems: &mut Vec<String>| {
        problems.push(format!("{field} does not apply to kind {}", case.kind));
    };
    match case.kind.as_str() {
        "GatewayClass" => {
            let Some(c) = status.gateway_classes.iter().find(|c| c.name == case.name) else {
                return Err(format!(
                    "no status for GatewayClass {} (not handled: is its controllerName ours?)",
                    case.name
                ));
            };
            check_conditions("", &c.conditions, &case.conditions, &mut problems);
            if !case.listeners.is_empty() {
                not_for("listeners", &mut problems);
            }
            if !case.parents.is_empty() {
                not_for("parents", &mut problems);
            }
        }
        "Gateway" => {
            let ns = case.namespace.as_deref().unwrap_or("default");
            let Some(g) = status
                .gateways
                .iter()
                .find(|g| g.namespace == ns && g.name == case.name)
            else {
                return Err(format!(
                    "no status for Gateway {ns}/{} (not handled: is its GatewayClass ours?)",
                    case.name
                ));
            };
            check_conditions("", &g.conditions, &case.conditions, &mut problems);
            for l in &case.listeners {
                check_listener(&g.listeners, l, &mut problems);
            }
            if let Some(n) = case.attached_listener_sets
                && n != g.attached_listener_sets
            {
                problems.push(format!(
                    "attachedListenerSets: expected {n}, got {}",
                    g.attached_listener_sets
                ));
            }
            if !case.parents.is_empty() {
                not_for("parents", &mut problems);
            }
        }
        "ListenerSet" => {
            let ns = case.namespace.as_deref().unwrap_or("default");
            let Some(s) = status
                .listener_sets
                .iter()
                .find(|s| s.namespace == ns && s.name == case.name)
            else {
                return Err(format!(
                    "no status for ListenerSet {ns}/{} (its parentRef names no handled Gateway)",
                    case.name
                ));
            };
            check_conditions("", &s.conditions, &case.conditions, &mut problems);
            for l in &case.listeners {
                check_listener(&s.listeners, l, &mut problems);
            }
            if case.attached_listener_sets.is_some() {
                not_for("attachedListenerSets", &mut problems);
            }
            if !case.parents.is_empty() {
                not_for("parents", &mut problems);
            }
        }
        kind @ ("HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute") => {
            let ns = case.namespace.as_deref().unwrap_or("default");
            let Some(r) = status
                .routes
                .iter()
                .find(|r| r.kind == kind && r.namespace == ns && r.name == case.name)
            else {
                return Err(format!(
                    "no status for {kind} {ns}/{} (no parentRef names a handled Gateway)",
                    case.name
                ));
            };
            for p in &case.parents {
                check_parent(ns, &r.parents, p, &mut problems);
            }
            if !case.conditions.is_empty() {
                not_for("conditions", &mut problems);
            }
            if !case.listeners.is_empty() {
                not_for("listeners", &mut problems);
            }
        }
        other => return Err(format!("kind {other} is not supported yet")),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

fn check_conditions(
    prefix: &str,
    have: &[Condition],
    want: &[ConditionExpect],
    problems: &mut Vec<String>,
) {
    let show = |c: &Condition| format!("{}={}/{}", c.type_, c.status, c.reason);
    for w in want {
        let Some(c) = have.iter().find(|c| c.type_ == w.type_) else {
            problems.push(format!(
                "{prefix}condition {} missing (got {})",
                w.type_,
                have.iter().map(show).collect::<Vec<_>>().join(", ")
            ));
            continue;
        };
        let reason_ok = w.reason.as_deref().is_none_or(|r| r == c.reason);
        if c.status != w.status.0 || !reason_ok {
            problems.push(format!(
                "{prefix}condition {}: expected {}{}, got {}/{}",
                w.type_,
                w.status,
                w.reason
                    .as_deref()
                    .map(|r| format!("/{r}"))
                    .unwrap_or_default(),
                c.status,
                c.reason
            ));
        }
    }
}

fn check_listener(have: &[ListenerStatus], want: &ListenerExpect, problems: &mut Vec<String>) {
    let Some(l) = have.iter().find(|l| l.name == want.name) else {
        problems.push(format!(
            "listener {} missing from status (got {})",
            want.name,
            have.iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return;
    };
    if let Some(n) = want.attached_routes
        && n != l.attached_routes
    {
        problems.push(format!(
            "listener {} attachedRoutes: expected {n}, got {}",
            want.name, l.attached_routes
        ));
    }
    if let Some(kinds) = &want.supported_kinds {
        let show = || {
            l.supported_kinds
                .iter()
                .map(|k| k.kind.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if kinds.is_empty() && !l.supported_kinds.is_empty() {
            problems.push(format!(
                "listener {} supportedKinds: expected none, got [{}]",
                want.name,
                show()
            ));
        }
        for k in kinds {
            let (group, kind) = match k {
                KindExpect::Kind(kind) => (GATEWAY_GROUP, kind.as_str()),
                KindExpect::GroupKind { group, kind } => {
                    (group.as_deref().unwrap_or(GATEWAY_GROUP), kind.as_str())
                }
            };
            if !l
                .supported_kinds
                .iter()
                .any(|s| s.kind == kind && s.group == group)
            {
                problems.push(format!(
                    "listener {} supportedKinds: expected {kind}, got [{}]",
                    want.name,
                    show()
                ));
            }
        }
    }
    check_conditions(
        &format!("listener {} ", want.name),
        &l.conditions,
        &want.conditions,
        problems,
    );
}

fn check_parent(
    route_ns: &str,
    have: &[RouteParentStatus],
    want: &ParentExpect,
    problems: &mut Vec<String>,
) {
    let r = &want.parent_ref;
    let group = r.group.as_deref().unwrap_or(GATEWAY_GROUP);
    let kind = r.kind.as_deref().unwrap_or("Gateway");
    let ns = r.namespace.as_deref().unwrap_or(route_ns);
    let mut label = format!("parent {kind} {ns}/{}", r.name);
    if let Some(s) = &r.section_name {
        label.push_str(&format!(" section {s}"));
    }
    if let Some(p) = r.port {
        label.push_str(&format!(" port {p}"));
    }
    let found = have.iter().find(|p| {
        let s = &p.parent_ref;
        s.group == group
            && s.kind == kind
            && s.namespace == ns
            && s.name == r.name
            && s.section_name == r.section_name
            && s.port == r.port
    });
    let Some(p) = found else {
        problems.push(format!("no status for {label}"));
        return;
    };
    check_conditions(
        &format!("{label}: "),
        &p.conditions,
        &want.conditions,
        problems,
    );
}

/// Runs a `rejected` case.
pub(crate) fn rejected(rejections: &[Rejection], case: &RejectedCase) -> Result<(), String> {
    let ns = if matches!(case.kind.as_str(), "GatewayClass" | "Namespace") {
        case.namespace.clone().unwrap_or_default()
    } else {
        case.namespace.clone().unwrap_or_else(|| "default".into())
    };
    let Some(r) = rejections.iter().find(|r| {
        r.object.kind == case.kind && r.object.namespace == ns && r.object.name == case.name
    }) else {
        return Err(format!(
            "expected {} {}{} to be rejected, but it was not",
            case.kind,
            if ns.is_empty() {
                String::new()
            } else {
                format!("{ns}/")
            },
            case.name
        ));
    };
    if let Some(field) = &case.field
        && !r.errors.iter().any(|e| field_within(&e.field, field))
    {
        return Err(format!(
            "expected a rejection at {field}, got {}",
            r.errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    Ok(())
}

/// Whether `reported` equals `wanted` or lies beneath it at a path boundary
/// (`spec.rules[0]` covers `spec.rules[0].filters[1].type`, not `spec.rules[01]`).
pub fn field_within(reported: &str, wanted: &str) -> bool {
    match reported.strip_prefix(wanted) {
        Some("") => true,
        Some(rest) => rest.starts_with('.') || rest.starts_with('['),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_prefix_stops_at_path_boundaries() {
        assert!(field_within("spec.rules[0]", "spec.rules[0]"));
        assert!(field_within(
            "spec.rules[0].filters[1].type",
            "spec.rules[0]"
        ));
        assert!(field_within("spec.rules[0]", "spec.rules"));
        assert!(!field_within("spec.rules[01]", "spec.rules[0"));
        assert!(!field_within("spec.rulesX", "spec.rules"));
        assert!(!field_within("spec", "spec.rules"));
    }
}
