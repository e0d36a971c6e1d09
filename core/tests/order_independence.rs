//! Shuffling input resources that carry creation timestamps changes neither
//! status nor decisions (DESIGN.md "Order independence").

use gatewise::{GatewayRef, HttpRequest, Options, Router, Timestamp, load_str};

const DOCS: &[&str] = &[
    "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gatewise, creationTimestamp: '2024-01-01T00:00:00Z'}\nspec: {controllerName: gatewise.dev/gateway-controller}",
    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: infra, creationTimestamp: '2024-01-01T00:00:00Z'}\nspec:\n  gatewayClassName: gatewise\n  listeners:\n  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}\n  - {name: wild, port: 80, protocol: HTTP, hostname: '*.example.com', allowedRoutes: {namespaces: {from: All}}}",
    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: a, namespace: x, creationTimestamp: '2024-01-01T00:00:05Z'}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n  rules:\n  - matches: [{path: {type: PathPrefix, value: /shared}}]\n    backendRefs: [{name: svc-a, port: 80}]",
    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: b, namespace: x, creationTimestamp: '2024-01-01T00:00:05Z'}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n  rules:\n  - matches: [{path: {type: PathPrefix, value: /shared}}]\n    backendRefs: [{name: svc-b, port: 80}]",
    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: c, namespace: other, creationTimestamp: '2024-01-01T00:00:01Z'}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n  hostnames: ['a.example.com']\n  rules:\n  - matches: [{path: {type: Exact, value: /shared}}]\n    backendRefs: [{name: svc-c, port: 80, namespace: x}]",
    "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: allow-y, namespace: x, creationTimestamp: '2024-01-01T00:00:00Z'}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: other}]\n  to: [{group: '', kind: Service}]",
    "apiVersion: v1\nkind: Service\nmetadata: {name: svc-a, namespace: x, creationTimestamp: '2024-01-01T00:00:00Z'}\nspec: {ports: [{port: 80}]}",
    "apiVersion: v1\nkind: Service\nmetadata: {name: svc-b, namespace: x, creationTimestamp: '2024-01-01T00:00:00Z'}\nspec: {ports: [{port: 80}]}",
    "apiVersion: v1\nkind: Service\nmetadata: {name: svc-c, namespace: x, creationTimestamp: '2024-01-01T00:00:00Z'}\nspec: {ports: [{port: 80}]}",
];

fn outcome(order: &[usize]) -> (String, Vec<String>) {
    let text: Vec<&str> = order.iter().map(|&i| DOCS[i]).collect();
    let loaded = load_str("shuffled.yaml", &text.join("\n---\n"));
    assert!(
        loaded.rejections.is_empty() && loaded.errors.is_empty(),
        "{:?} {:?}",
        loaded.rejections,
        loaded.errors
    );
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let status =
        serde_json::to_string(&compiled.status(Timestamp::DEFAULT_EPOCH)).expect("serialises");
    let gw = GatewayRef::new("infra", "gw");
    let decisions = ["a.example.com", "b.example.com", "other.org"]
        .iter()
        .flat_map(|h| ["/shared", "/shared/x", "/"].map(move |p| (*h, p)))
        .map(|(h, p)| {
            serde_json::to_string(
                &compiled
                    .router()
                    .route_http(gw, 80, &HttpRequest::new("GET", h, p))
                    .view(),
            )
            .expect("serialises")
        })
        .collect();
    (status, decisions)
}

#[test]
fn shuffled_resources_give_the_same_status_and_decisions() {
    let forward: Vec<usize> = (0..DOCS.len()).collect();
    let expected = outcome(&forward);
    // Equal timestamps: x/a wins over x/b by namespace/name, whatever the order.
    assert!(expected.1[3].contains("svc-a"), "{}", expected.1[3]);
    let mut order = forward.clone();
    // A fixed set of permutations (deterministic; no randomness in tests).
    for step in [1usize, 2, 3, 4, 5, 7] {
        order.rotate_left(step);
        order.swap(0, DOCS.len() - 1);
        assert_eq!(outcome(&order), expected, "order {order:?}");
    }
    let reversed: Vec<usize> = forward.iter().rev().copied().collect();
    assert_eq!(outcome(&reversed), expected);
}
