use gatewise::{Decision, GatewayRef, HttpRequest, Options, Router, Timestamp, load_str};

#[test]
fn quickstart_routes_and_reports_status() {
    let loaded = load_str(
        "quickstart.yaml",
        include_str!("../../examples/quickstart.yaml"),
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
    let json = serde_json::to_string_pretty(&status.to_kubernetes()).expect("serialises");
    assert!(json.contains("\"attachedRoutes\": 1"), "{json}");
    let gw = GatewayRef::new("infra", "gateway");
    let router = compiled.router();
    let h = [("x-canary", "true")];
    let cases: Vec<(HttpRequest<'_>, &str)> = vec![
        (
            HttpRequest::new("GET", "shop.example.com", "/api/v2/cart"),
            "api",
        ),
        (
            HttpRequest::new("GET", "shop.example.com:8080", "/api"),
            "api",
        ),
        (
            HttpRequest::new("GET", "shop.example.com", "/api/x").headers(&h),
            "api-canary",
        ),
        (
            HttpRequest::new("GET", "shop.example.com", "/apix"),
            "store-v1",
        ),
    ];
    for (req, want) in cases {
        let d = router.route_http(gw, 80, &req);
        let v = d.view();
        let got = serde_json::to_string(&v).expect("serialises");
        match d {
            Decision::Forward(f) => {
                let names: Vec<_> = f
                    .backends()
                    .iter()
                    .map(|b| format!("{:?}", b.target))
                    .collect();
                assert!(
                    names[0].contains(&format!("name: \"{want}\"")),
                    "{req:?} -> {got}"
                );
            }
            _ => panic!("{req:?} -> {got}"),
        }
    }
    match router.route_http(
        gw,
        80,
        &HttpRequest::new("GET", "shop.example.com", "/old-cart?x=1"),
    ) {
        Decision::Redirect(r) => assert_eq!(
            (r.status, r.location.as_str()),
            (301, "http://shop.example.com/cart?x=1")
        ),
        d => panic!("{d:?}"),
    }
    match router.route_http(gw, 80, &HttpRequest::new("GET", "other.example.org", "/")) {
        Decision::Respond(r) => assert_eq!(r.status, 404),
        d => panic!("{d:?}"),
    }
    assert!(matches!(
        router.route_http(gw, 81, &HttpRequest::new("GET", "x", "/")),
        Decision::Reject(_)
    ));
}

#[test]
fn explanation_names_the_rule_the_router_chose() {
    let loaded = load_str(
        "quickstart.yaml",
        include_str!("../../examples/quickstart.yaml"),
    );
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let gw = GatewayRef::new("infra", "gateway");
    let h = [("x-canary", "true")];
    for req in [
        HttpRequest::new("GET", "shop.example.com", "/api/v2/cart"),
        HttpRequest::new("GET", "shop.example.com", "/api/x").headers(&h),
        HttpRequest::new("GET", "shop.example.com", "/old-cart"),
        HttpRequest::new("GET", "nope.example.com", "/"),
    ] {
        let ex = compiled.router().explain_http(gw, 80, &req);
        assert!(ex.consistent, "{ex}");
        let winners: Vec<_> = ex
            .candidates
            .iter()
            .filter(|c| c.outcome == "won")
            .collect();
        match &ex.decision.route {
            Some(route) => {
                assert_eq!(winners.len(), 1, "{ex}");
                assert_eq!(
                    winners[0].route,
                    format!("{}/{}", route.namespace, route.name)
                );
                assert_eq!(Some(winners[0].rule), ex.decision.rule);
            }
            None => assert!(winners.is_empty(), "{ex}"),
        }
    }
    let ex = compiled.router().explain_http(
        gw,
        80,
        &HttpRequest::new("GET", "shop.example.com", "/api/v2/cart"),
    );
    let text = ex.to_string();
    assert!(
        text.contains("WON") && text.contains("no match (headers)"),
        "{text}"
    );
}

#[test]
fn all_accepted_fails_on_a_route_parent_not_accepted() {
    let text = include_str!("../../examples/quickstart.yaml");
    let ok = load_str("quickstart.yaml", text);
    assert!(
        Router::compile(&ok.resources, &Options::default())
            .status(Timestamp::DEFAULT_EPOCH)
            .all_accepted()
    );
    let bad = format!(
        "{text}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: stray, namespace: shop}}\nspec:\n  parentRefs: [{{name: gateway, namespace: infra, sectionName: nope}}]\n"
    );
    let loaded = load_str("bad.yaml", &bad);
    let status =
        Router::compile(&loaded.resources, &Options::default()).status(Timestamp::DEFAULT_EPOCH);
    assert!(!status.all_accepted());
}

#[test]
fn attached_routes_are_what_attached_routes_counts() {
    let loaded = load_str(
        "quickstart.yaml",
        include_str!("../../examples/quickstart.yaml"),
    );
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
    let router = compiled.router();
    let mut seen = 0;
    for g in &status.gateways {
        for l in &g.listeners {
            let routes = router.attached_routes(&g.namespace, &g.name, &l.name);
            assert_eq!(
                routes.len(),
                l.attached_routes as usize,
                "{}/{}",
                g.name,
                l.name
            );
            seen += routes.len();
        }
    }
    assert!(seen > 0);
    let routes = router.attached_routes("infra", "gateway", "http");
    assert_eq!(
        routes
            .iter()
            .map(|r| format!("{} {}/{}", r.kind, r.namespace, r.name))
            .collect::<Vec<_>>(),
        ["HTTPRoute shop/store"]
    );
    assert!(
        router
            .attached_routes("infra", "gateway", "nope")
            .is_empty()
    );
    assert!(router.attached_routes("infra", "nope", "http").is_empty());
}
