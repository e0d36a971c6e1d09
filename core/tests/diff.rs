//! Diff on constructed before/after pairs.

use gatewise::diff::{DiffReport, Version, diff, diff_compiled};
use gatewise::{Options, Resources, Router, load_str};

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
  - {name: db, port: 5432, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}
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
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {ports: [{name: main, port: 5432}, {name: replica, port: 5433}]}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: db, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra, sectionName: db}]
  rules: [{backendRefs: [{name: db, port: 5432}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra, sectionName: http}]
  hostnames: [shop.example.com]
  rules:
  - backendRefs: [{name: web, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: x-version, value: "2"}]}]
    backendRefs: [{name: api, port: 8080}]
"#;

fn resources(yaml: &str) -> Resources {
    let loaded = load_str("test.yaml", yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
    loaded.resources
}

fn run(old: &str, new: &str) -> DiffReport {
    diff(&resources(old), &resources(new), &Options::default())
}

#[test]
fn the_same_manifests_change_nothing() {
    let report = run(BASE, BASE);
    assert!(report.is_empty(), "{report}");
    // Two HTTP rules, one TCP rule, two listener probes (the TCP probe is the
    // TCP rule's request).
    assert_eq!(report.requests_checked, 4, "{report}");
    assert!(report.skipped.is_empty(), "{report}");
}

#[test]
fn a_changed_prefix_moves_its_requests_to_the_catch_all() {
    let report = run(BASE, &BASE.replace("value: /api}", "value: /v2/api}"));
    assert!(report.status_changes.is_empty(), "{report}");
    let old_req = report
        .traffic_changes
        .iter()
        .find(|c| c.request.path.as_deref() == Some("/api"))
        .unwrap_or_else(|| panic!("no change for /api: {report}"));
    assert_eq!(
        old_req.request.headers,
        vec![("x-version".to_owned(), "2".to_owned())]
    );
    assert_eq!(old_req.sources[0].version, Version::Old);
    assert_eq!((old_req.old.rule, old_req.new.rule), (Some(1), Some(0)));
    assert!(
        old_req.differs.contains(&"rule".to_owned()),
        "{:?}",
        old_req.differs
    );
    assert!(
        old_req.differs.contains(&"backends".to_owned()),
        "{:?}",
        old_req.differs
    );
    let new_req = report
        .traffic_changes
        .iter()
        .find(|c| c.request.path.as_deref() == Some("/v2/api"))
        .unwrap_or_else(|| panic!("no change for /v2/api: {report}"));
    assert_eq!(new_req.sources[0].version, Version::New);
    assert_eq!((new_req.old.rule, new_req.new.rule), (Some(0), Some(1)));
    assert_eq!(report.traffic_changes.len(), 2, "{report}");
}

#[test]
fn a_deleted_service_changes_status_and_answers_500() {
    let new = BASE.replace(
        "metadata: {name: api, namespace: shop}\nspec: {ports: [{port: 8080}]}",
        "metadata: {name: api-v2, namespace: shop}\nspec: {ports: [{port: 8080}]}",
    );
    let report = run(BASE, &new);
    let status = report
        .status_changes
        .iter()
        .find(|c| c.object.name == "web" && c.condition == "ResolvedRefs")
        .unwrap_or_else(|| panic!("no ResolvedRefs change: {report}"));
    assert_eq!(status.parent.as_ref().map(|p| p.name.as_str()), Some("gw"));
    let old = status.old.as_ref().expect("present before");
    let new_value = status.new.as_ref().expect("present after");
    assert_eq!(
        (old.status.as_str(), new_value.status.as_str()),
        ("True", "False")
    );
    assert_eq!(new_value.reason.as_deref(), Some("BackendNotFound"));
    let change = report
        .traffic_changes
        .iter()
        .find(|c| c.request.path.as_deref() == Some("/api"))
        .unwrap_or_else(|| panic!("no traffic change: {report}"));
    assert_eq!(change.old.kind, "forward");
    assert_eq!((change.new.kind, change.new.status), ("respond", Some(500)));
}

#[test]
fn a_new_route_with_an_existing_match_is_newer_and_loses_the_tie() {
    // The new route comes first in the file: by position it would be the
    // oldest. Applied over OLD it is created last, so it changes no traffic.
    let copy = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web-copy, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra, sectionName: http}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: api, port: 8080}]}]
---
"#;
    let new = format!("{copy}{BASE}");
    let report = run(BASE, &new);
    assert!(report.traffic_changes.is_empty(), "{report}");
    let attached = report
        .status_changes
        .iter()
        .find(|c| c.listener.as_deref() == Some("http") && c.condition == "attachedRoutes")
        .unwrap_or_else(|| panic!("no attachedRoutes change: {report}"));
    assert_eq!(attached.old.as_ref().map(|v| v.status.as_str()), Some("1"));
    assert_eq!(attached.new.as_ref().map(|v| v.status.as_str()), Some("2"));
    assert!(
        report
            .status_changes
            .iter()
            .any(|c| c.object.name == "web-copy" && c.old.is_none() && c.condition == "Accepted"),
        "{report}"
    );
    // Compared as loaded, without carrying creation times, the copy would be
    // the oldest route and take the traffic.
    let as_loaded = diff_compiled(
        &Router::compile(&resources(BASE), &Options::default()),
        &Router::compile(&resources(&new), &Options::default()),
    );
    let moved = as_loaded
        .traffic_changes
        .iter()
        .find(|c| c.request.path.as_deref() == Some("/"))
        .unwrap_or_else(|| panic!("no change for /: {as_loaded}"));
    assert_eq!(
        moved.new.route.as_ref().map(|r| r.name.as_str()),
        Some("web-copy")
    );
}

#[test]
fn a_removed_listener_refuses_its_connections_and_leaves_the_route_unattached() {
    let new = BASE.replace(
        "  - {name: db, port: 5432, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}\n",
        "",
    );
    let report = run(BASE, &new);
    let tcp = report
        .traffic_changes
        .iter()
        .find(|c| c.request.protocol == gatewise::RequestProtocol::Tcp)
        .unwrap_or_else(|| panic!("no TCP change: {report}"));
    assert_eq!(tcp.old.kind, "forward");
    assert_eq!(
        (tcp.new.kind, tcp.new.reason),
        ("reject", Some("NoListener"))
    );
    assert!(
        report
            .status_changes
            .iter()
            .any(|c| c.listener.as_deref() == Some("db") && c.new.is_none()),
        "{report}"
    );
    let route = report
        .status_changes
        .iter()
        .find(|c| c.object.kind == "TCPRoute" && c.condition == "Accepted")
        .unwrap_or_else(|| panic!("no TCPRoute change: {report}"));
    assert_eq!(
        route.new.as_ref().and_then(|v| v.reason.as_deref()),
        Some("NoMatchingParent")
    );
}

#[test]
fn a_stream_backend_change_is_a_traffic_change() {
    let report = run(BASE, &BASE.replace("port: 5432}]}]", "port: 5433}]}]"));
    assert!(report.status_changes.is_empty(), "{report}");
    let tcp = report
        .traffic_changes
        .iter()
        .find(|c| c.request.protocol == gatewise::RequestProtocol::Tcp)
        .unwrap_or_else(|| panic!("no TCP change: {report}"));
    assert_eq!(tcp.old.backends[0].port, Some(5432));
    assert_eq!(tcp.new.backends[0].port, Some(5433));
    assert_eq!(tcp.differs, vec!["backends".to_owned()]);
}

#[test]
fn a_grpc_route_that_takes_a_hostname_from_an_http_route_is_seen() {
    // The GRPCRoute is older than the HTTPRoute; in NEW its hostnames widen to
    // intersect the HTTPRoute's.
    let grpc = |hostname: &str| {
        format!(
            r#"
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {{name: rpc, namespace: shop, creationTimestamp: "2020-01-01T00:00:00Z"}}
spec:
  parentRefs: [{{name: gw, namespace: infra, sectionName: http}}]
  hostnames: ["{hostname}"]
  rules: [{{backendRefs: [{{name: api, port: 8080}}]}}]
"#
        )
    };
    let report = run(
        &format!("{BASE}{}", grpc("rpc.example.org")),
        &format!("{BASE}{}", grpc("*.example.com")),
    );
    let lost = report
        .status_changes
        .iter()
        .find(|c| c.object.name == "web" && c.condition == "Accepted")
        .unwrap_or_else(|| panic!("web keeps its status: {report}"));
    assert_eq!(
        lost.new.as_ref().and_then(|v| v.reason.as_deref()),
        Some("NotAllowedByListeners")
    );
    let moved = report
        .traffic_changes
        .iter()
        .find(|c| c.request.host == "shop.example.com" && c.request.path.as_deref() == Some("/"))
        .unwrap_or_else(|| panic!("no change for shop.example.com/: {report}"));
    assert_eq!(
        moved.new.route.as_ref().map(|r| r.kind.as_str()),
        Some("GRPCRoute")
    );
}

#[test]
fn matches_no_request_can_be_derived_from_are_skipped_with_a_note() {
    let new = BASE.replace(
        "matches: [{path: {type: PathPrefix, value: /api}",
        r#"matches: [{path: {type: RegularExpression, value: "/\\p{N}+"}"#,
    );
    let report = run(BASE, &new);
    let skipped = report
        .skipped
        .iter()
        .find(|s| s.source.version == Version::New)
        .unwrap_or_else(|| panic!("nothing skipped: {report}"));
    assert_eq!(skipped.source.rule, Some(1));
    assert!(skipped.note.contains("too complex"), "{}", skipped.note);
    // The old rule's request still shows that /api no longer reaches rule 1.
    assert!(
        report
            .traffic_changes
            .iter()
            .any(|c| c.request.path.as_deref() == Some("/api") && c.new.rule == Some(0)),
        "{report}"
    );
}

#[test]
fn the_report_serialises_in_camel_case_with_both_decisions() {
    let report = run(BASE, &BASE.replace("value: \"2\"", "value: \"3\""));
    let json = serde_json::to_value(&report).expect("serialises");
    assert!(
        json["statusChanges"].as_array().is_some_and(Vec::is_empty),
        "{json}"
    );
    let changes = json["trafficChanges"].as_array().expect("a list");
    assert_eq!(changes.len(), 2, "{json}");
    let c = &changes[0];
    assert_eq!(c["request"]["gateway"], "infra/gw");
    assert_eq!(c["sources"][0]["object"]["kind"], "HTTPRoute");
    assert!(
        c["old"]["kind"].is_string() && c["new"]["kind"].is_string(),
        "{c}"
    );
    assert!(
        json["requestsChecked"].as_u64().is_some_and(|n| n >= 4),
        "{json}"
    );
}

#[test]
fn creation_times_carry_over_and_new_objects_come_after_old_ones() {
    let old = resources(BASE);
    let extra = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: first-in-file, namespace: shop}
spec: {parentRefs: [{name: gw, namespace: infra}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: future, namespace: shop, creationTimestamp: "2030-01-01T00:00:00Z"}
spec: {parentRefs: [{name: gw, namespace: infra}]}
---
"#;
    let mut new = resources(&format!("{extra}{BASE}"));
    let created = |r: &Resources, name: &str| {
        r.http_routes
            .iter()
            .find(|o| o.meta.name == name)
            .map(|o| o.meta.created)
            .unwrap_or_else(|| panic!("no route {name}"))
    };
    let latest = old
        .http_routes
        .iter()
        .map(|o| o.meta.created)
        .chain(old.services.iter().map(|o| o.meta.created))
        .chain(old.tcp_routes.iter().map(|o| o.meta.created))
        .max()
        .expect("old objects");
    // Loaded alone, the first route in the file is the oldest object.
    assert!(created(&new, "first-in-file") < created(&new, "web"));
    gatewise::diff::carry_creation_times(&old, &mut new);
    assert_eq!(created(&new, "web"), created(&old, "web"));
    assert_eq!(created(&new, "first-in-file"), latest.plus_secs(1));
    assert_eq!(
        created(&new, "future"),
        gatewise::Timestamp::parse("2030-01-01T00:00:00Z").expect("valid")
    );
}
