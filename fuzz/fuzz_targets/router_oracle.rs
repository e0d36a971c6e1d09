//! Structured resources and arbitrary requests: the indexed router's decision
//! equals the naive oracle's (a linear scan in precedence order) for every HTTP,
//! HTTPS and gRPC request; the explanation reports the same decision and says it
//! is consistent. And the path and host policy: a request whose path is replaced
//! by its normal form gets the same decision; on HTTP, a `Host` in upper case,
//! with a trailing dot or with a port picks the same listener, route and rule.
#![no_main]

use arbitrary::Unstructured;
use gatewise::oracle::Oracle;
use gatewise::{DecisionView, GatewayRef, RequestProtocol};
use gatewise_fuzz::{GATEWAY, Mode, Request, Scenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(scenario) = Scenario::generate(&mut u, Mode::ROUTING) else {
        return;
    };
    let (loaded, compiled) = scenario.compile();
    // GATEWISE_FUZZ_STATS=1: print what the generator reaches (rejections,
    // decision kinds), to check that it still reaches deep code.
    let stats = std::env::var_os("GATEWISE_FUZZ_STATS").is_some();
    if stats {
        eprintln!("rejections {}", loaded.rejections.len());
        for r in &loaded.rejections {
            eprintln!("rejection {r}");
        }
    }
    let router = compiled.router();
    let oracle = Oracle::new(router);
    let gw = GatewayRef::new(GATEWAY.0, GATEWAY.1);
    let route = |r: &Request| router.route(gw, r.port, r.protocol, &r.http()).view();
    for r in &scenario.requests {
        let req = r.http();
        let fast = route(r);
        if stats {
            eprintln!("decision {} {:?} {:?}", fast.kind, fast.status, fast.reason);
        }
        if let Some(naive) = oracle.route(gw, r.port, r.protocol, &req) {
            assert_eq!(fast, naive.view(), "router and oracle differ on {r:?}");
        }
        let explanation = router.explain(gw, r.port, r.protocol, &req);
        assert!(explanation.consistent, "explanation not consistent: {r:?}");
        assert_eq!(
            explanation.decision, fast,
            "explain and route differ: {r:?}"
        );

        if r.protocol == RequestProtocol::Udp || r.protocol == RequestProtocol::Tcp {
            continue;
        }
        // Paths are matched after normalisation: the normal form routes alike.
        let (path, query) = gatewise::path::split_query(&r.target);
        if let Some(normal) = gatewise::path::normalize(path)
            && normal != path
        {
            let mut target = normal.into_owned();
            if let Some(q) = query {
                target.push('?');
                target.push_str(q);
            }
            let normalised = Request {
                target,
                ..r.clone()
            };
            assert_eq!(
                route(&normalised),
                fast,
                "normal form routes differently: {r:?}"
            );
        }
        // Host names fold to lower case; a trailing dot and a port are ignored.
        if r.protocol == RequestProtocol::Http && !r.host.contains([':', '[']) {
            let bare = r.host.strip_suffix('.').unwrap_or(&r.host);
            for host in [
                r.host.to_ascii_uppercase(),
                format!("{bare}."),
                format!("{}:{}", r.host, r.port),
            ] {
                let other = Request { host, ..r.clone() };
                assert_eq!(
                    routing(&route(&other)),
                    routing(&fast),
                    "host {:?} routes differently from {r:?}",
                    other.host
                );
            }
        }
    }
});

/// What the host policy promises to keep: the outcome and who decided it (the
/// forwarded `Host` and a redirect's `Location` carry the host as received).
fn routing(v: &DecisionView) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        v.kind,
        v.status,
        v.reason,
        &v.listener,
        &v.route,
        v.rule,
        v.match_index,
        &v.backends,
    )
}
