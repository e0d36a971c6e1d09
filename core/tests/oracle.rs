//! The naive oracle (a linear scan in precedence order) and the indexed router
//! give the same decision (DESIGN.md: "indexes only narrow candidates and must
//! give exactly what a linear scan in precedence order gives").

use gatewise::oracle::Oracle;
use gatewise::{GatewayRef, HttpRequest, Options, RequestProtocol, Router, load_str};

fn quickstart() -> Router {
    let loaded = load_str(
        "quickstart.yaml",
        include_str!("../../examples/quickstart.yaml"),
    );
    assert!(loaded.errors.is_empty() && loaded.rejections.is_empty());
    Router::compile(&loaded.resources, &Options::default())
        .router()
        .clone()
}

#[test]
fn oracle_agrees_with_the_router_on_the_quickstart() {
    let router = quickstart();
    let oracle = Oracle::new(&router);
    let hosts = [
        "shop.example.com",
        "SHOP.example.com.:8080",
        "other.example.com",
        "example.com",
        "192.0.2.1",
        "",
    ];
    let targets = [
        "/",
        "/api",
        "/api/",
        "/api/v2/cart?id=7",
        "/apix",
        "/old-cart",
        "/old-cart?x=1",
        "/old-cart/",
        "/a/../api/x",
        "/%61pi",
        "no-slash",
        "/bad%zz",
    ];
    let canary = [("x-canary", "true")];
    let not_canary = [("X-Canary", "false")];
    let header_sets: [&[(&str, &str)]; 3] = [&[], &canary, &not_canary];
    let gateways = [
        GatewayRef::new("infra", "gateway"),
        GatewayRef::new("infra", "nope"),
    ];
    let mut compared = 0;
    let mut forwards = 0;
    for gw in gateways {
        for protocol in [
            RequestProtocol::Http,
            RequestProtocol::Https,
            RequestProtocol::Grpc,
        ] {
            for port in [80, 443] {
                for host in hosts {
                    for target in targets {
                        for headers in header_sets {
                            for method in ["GET", "POST"] {
                                let req = HttpRequest::new(method, host, target).headers(headers);
                                let fast = router.route(gw, port, protocol, &req).view();
                                let naive =
                                    oracle.route(gw, port, protocol, &req).map(|d| d.view());
                                assert_eq!(
                                    naive.as_ref(),
                                    Some(&fast),
                                    "{gw:?} {port} {protocol} {method} {host:?} {target:?} {headers:?}"
                                );
                                compared += 1;
                                forwards += usize::from(fast.kind == "forward");
                            }
                        }
                    }
                }
            }
        }
    }
    // The comparison covered real routing, not only refusals.
    assert!(compared > 1000 && forwards > 50, "{compared} {forwards}");
}

#[test]
fn oracle_position_counts_entries_tried_in_precedence_order() {
    let router = quickstart();
    let oracle = Oracle::new(&router);
    let gw = GatewayRef::new("infra", "gateway");
    // The quickstart's entries in precedence order: Exact /old-cart, PathPrefix
    // /api with a header, PathPrefix /api, PathPrefix /.
    let at = |target: &str, headers: &'static [(&'static str, &'static str)]| {
        let req = HttpRequest::new("GET", "shop.example.com", target).headers(headers);
        oracle.position(gw, 80, &req)
    };
    assert_eq!(at("/old-cart", &[]), Some(0));
    assert_eq!(at("/api/x", &[("x-canary", "true")]), Some(1));
    assert_eq!(at("/api/x", &[]), Some(2));
    assert_eq!(at("/elsewhere", &[]), Some(3));
    let ranked: Vec<(usize, usize)> = oracle
        .ranked(gw, "http")
        .iter()
        .map(|r| (r.matched.rule, r.matched.match_index))
        .collect();
    assert_eq!(ranked, [(3, 0), (1, 0), (2, 0), (0, 0)]);
    assert!(oracle.ranked(gw, "nope").is_empty());
    // Another hostname: no route; no listener; not a path.
    let req = HttpRequest::new("GET", "other.example.com", "/");
    assert_eq!(oracle.position(gw, 80, &req), None);
    let req = HttpRequest::new("GET", "shop.example.com", "/");
    assert_eq!(oracle.position(gw, 81, &req), None);
    let req = HttpRequest::new("GET", "shop.example.com", "x");
    assert_eq!(oracle.position(gw, 80, &req), None);
}

#[test]
fn oracle_does_not_model_streams() {
    let router = quickstart();
    let oracle = Oracle::new(&router);
    let req = HttpRequest::new("GET", "shop.example.com", "/");
    let gw = GatewayRef::new("infra", "gateway");
    for protocol in [
        RequestProtocol::Tls,
        RequestProtocol::Tcp,
        RequestProtocol::Udp,
    ] {
        assert!(oracle.route(gw, 80, protocol, &req).is_none(), "{protocol}");
    }
}

/// Many regular expressions on one hostname are searched in sets of a few
/// hundred: a request matching one in any set, several, or none gets what the
/// scan in precedence order gives.
#[test]
fn oracle_agrees_with_the_router_across_regex_sets() {
    let mut yaml = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gatewise}\nspec: {controllerName: gatewise.dev/gateway-controller}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: infra}\nspec:\n  gatewayClassName: gatewise\n  listeners: [{name: http, port: 80, protocol: HTTP}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: infra}\nspec: {ports: [{port: 8080}]}\n",
    );
    // 300 patterns (three sets), two of which also match `/r7x/...`.
    for i in 0..300 {
        yaml.push_str(&format!(
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r{i}, namespace: infra}}\nspec:\n  parentRefs: [{{name: gw}}]\n  rules:\n  - matches: [{{path: {{type: RegularExpression, value: '/r{i}/[0-9]+'}}}}]\n    backendRefs: [{{name: web, port: 8080}}]\n"
        ));
    }
    yaml.push_str("---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: any-x, namespace: infra}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - matches: [{path: {type: RegularExpression, value: '/r[0-9]+x/.*'}}]\n    backendRefs: [{name: web, port: 8080}]\n  - matches: [{path: {type: PathPrefix, value: /}}]\n    backendRefs: [{name: web, port: 8080}]\n");
    let loaded = load_str("regex.yaml", &yaml);
    assert!(loaded.errors.is_empty() && loaded.rejections.is_empty());
    let router = Router::compile(&loaded.resources, &Options::default())
        .router()
        .clone();
    let oracle = Oracle::new(&router);
    let gw = GatewayRef::new("infra", "gw");
    let mut routes = std::collections::BTreeSet::new();
    for target in [
        "/r0/1", "/r127/1", "/r128/22", "/r255/3", "/r256/4", "/r299/5", "/r7x/9", "/r300/1",
        "/r5/x", "/nothing",
    ] {
        let req = HttpRequest::new("GET", "example.com", target);
        let fast = router.route_http(gw, 80, &req).view();
        let naive = oracle.route_http(gw, 80, &req).view();
        assert_eq!(fast, naive, "{target}");
        routes.insert(fast.route.map(|r| r.name).unwrap_or_default());
    }
    // Hits in each set; the shared pattern and the catch-all (one route).
    let want = ["any-x", "r0", "r127", "r128", "r255", "r256", "r299"];
    assert_eq!(routes.iter().map(String::as_str).collect::<Vec<_>>(), want);
}
