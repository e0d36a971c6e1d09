//! `observedGeneration` in status: every condition carries its own object's
//! `metadata.generation` (compile keeps the generations in the order of the
//! status lists, and ListenerSets are sorted by name after they are merged
//! oldest first).

use gatewise::{Options, Router, Timestamp, load_str};

const MANIFESTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise, generation: 2}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: b-gateway, namespace: infra, generation: 3}
spec:
  gatewayClassName: gatewise
  allowedListeners: {namespaces: {from: Same}}
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: a-gateway, namespace: infra, generation: 4}
spec:
  gatewayClassName: gatewise
  listeners:
  - {name: http, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: z-set, namespace: infra, generation: 7, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRef: {name: b-gateway}
  listeners:
  - {name: z, port: 81, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: a-set, namespace: infra, generation: 8, creationTimestamp: "2025-01-01T00:00:00Z"}
spec:
  parentRef: {name: b-gateway}
  listeners:
  - {name: a, port: 82, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps, generation: 5}
spec:
  parentRefs: [{name: b-gateway, namespace: infra}, {name: a-gateway, namespace: infra}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: rpc, namespace: apps, generation: 6}
spec:
  parentRefs: [{name: a-gateway, namespace: infra}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 80}]}
"#;

#[test]
fn every_condition_carries_its_objects_generation() {
    let loaded = load_str("generations.yaml", MANIFESTS);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
    let status =
        Router::compile(&loaded.resources, &Options::default()).status(Timestamp::DEFAULT_EPOCH);
    let mut seen = Vec::new();
    let mut check = |what: String, generations: Vec<i64>, want: i64| {
        assert!(!generations.is_empty(), "{what}: no condition");
        assert!(
            generations.iter().all(|&g| g == want),
            "{what}: {generations:?}, want {want}"
        );
        seen.push(what);
    };
    for c in &status.gateway_classes {
        let g = c.conditions.iter().map(|c| c.observed_generation).collect();
        check(format!("GatewayClass {}", c.name), g, 2);
    }
    for gw in &status.gateways {
        let want = if gw.name == "b-gateway" { 3 } else { 4 };
        let g = gw
            .conditions
            .iter()
            .chain(gw.listeners.iter().flat_map(|l| &l.conditions))
            .map(|c| c.observed_generation)
            .collect();
        check(format!("Gateway {}", gw.name), g, want);
    }
    for s in &status.listener_sets {
        let want = if s.name == "z-set" { 7 } else { 8 };
        let g = s
            .conditions
            .iter()
            .chain(s.listeners.iter().flat_map(|l| &l.conditions))
            .map(|c| c.observed_generation)
            .collect();
        check(format!("ListenerSet {}", s.name), g, want);
    }
    for r in &status.routes {
        let want = if r.kind == "HTTPRoute" { 5 } else { 6 };
        let g = r
            .parents
            .iter()
            .flat_map(|p| &p.conditions)
            .map(|c| c.observed_generation)
            .collect();
        check(format!("{} {}", r.kind, r.name), g, want);
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "GRPCRoute rpc",
            "Gateway a-gateway",
            "Gateway b-gateway",
            "GatewayClass gatewise",
            "HTTPRoute web",
            "ListenerSet a-set",
            "ListenerSet z-set",
        ]
    );
    // Sorted by name though a-set merged after z-set (it is younger).
    let names: Vec<&str> = status
        .listener_sets
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["a-set", "z-set"]);
}
