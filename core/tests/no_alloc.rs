//! A plain forward decision allocates nothing: the decision borrows from the
//! router and the request (issue: "allocates nothing on a plain forward").

use gatewise::{Decision, GatewayRef, HttpRequest, Options, Pick, Router, load_str};

#[test]
fn plain_forward_decision_allocates_nothing() {
    let loaded = load_str(
        "quickstart.yaml",
        include_str!("../../examples/quickstart.yaml"),
    );
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let router = compiled.router();
    let gw = GatewayRef::new("infra", "gateway");
    let headers = [("user-agent", "test"), ("accept", "*/*")];
    let req = HttpRequest::new("GET", "Shop.Example.com:80", "/api/v2/cart?id=7").headers(&headers);
    // Warm up once (lazy regex caches and the like are not the decision's cost).
    let _ = router.route_http(gw, 80, &req);
    let info = allocation_counter::measure(|| {
        let d = router.route_http(gw, 80, &req);
        match &d {
            Decision::Forward(f) => match f.pick(12_345) {
                Pick::Backend { service, .. } => assert_eq!(service.name, "api"),
                Pick::Error { .. } => panic!("unexpected 500 share"),
            },
            other => panic!("expected forward, got {other:?}"),
        }
        std::hint::black_box(d);
    });
    assert_eq!(info.count_total, 0, "a plain forward allocated: {info:?}");
    // The counter does see allocations (so the assertion above can fail).
    let seen = allocation_counter::measure(|| {
        std::hint::black_box(String::from("allocates"));
    });
    assert!(seen.count_total > 0);
}
