//! A plain forward decision allocates nothing, on a realistic 10k-route
//! workload over 1k hostnames too (core/tests/no_alloc.rs checks the
//! quickstart). Counted by a counting allocator.

use gatewise::{Decision, Pick};
use gatewise_benches::workload::{self, Class, Shape, Spec, Workload};

#[test]
fn plain_forwards_allocate_nothing_at_10k_routes() {
    let w = Workload::generate(Spec::new(Shape::Realistic, 10_000, 1_000));
    let gw = workload::gateway();
    let router = w.router();
    // Forwards of every class: the mix, first/middle/last, long paths, many
    // headers. (Redirects build a Location and are not plain forwards.)
    let requests: Vec<_> = w
        .requests
        .iter()
        .filter(|r| r.expect.kind == "forward")
        .map(|r| (r.class, r.http()))
        .collect();
    assert!(requests.len() > 200, "{}", requests.len());
    for class in [
        Class::First,
        Class::Last,
        Class::LongPath,
        Class::ManyHeaders,
    ] {
        assert!(requests.iter().any(|(c, _)| *c == class), "{class:?}");
    }
    // Warm up once (lazy regex caches are not the decision's cost).
    for (_, req) in &requests {
        std::hint::black_box(router.route_http(gw, workload::PORT, req));
    }
    for (class, req) in &requests {
        let info = allocation_counter::measure(|| {
            let d = router.route_http(gw, workload::PORT, req);
            match &d {
                Decision::Forward(f) => match f.pick(0x9e37_79b9) {
                    Pick::Backend { service, .. } => {
                        std::hint::black_box(service);
                    }
                    Pick::Error { .. } => panic!("unexpected 500 share"),
                },
                other => panic!("expected a forward, got {other:?}"),
            }
            std::hint::black_box(d);
        });
        assert_eq!(
            info.count_total,
            0,
            "{class:?} {} {}{} allocated: {info:?}",
            req.method(),
            req.host(),
            req.target()
        );
    }
    // The counter does see allocations (so the assertion above can fail).
    let seen = allocation_counter::measure(|| {
        std::hint::black_box(String::from("allocates"));
    });
    assert!(seen.count_total > 0);
}
