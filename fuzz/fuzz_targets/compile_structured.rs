//! Structured arbitrary resources of every kind (Gateway with HTTP/HTTPS/TLS/TCP/
//! UDP listeners, ListenerSet, ReferenceGrant, HTTPRoute, GRPCRoute, TLSRoute,
//! TCPRoute, UDPRoute; realistic values with raw fuzzer text mixed in): load,
//! compile, status, lint and routing never panic; status is well formed and the
//! same when compiled twice; the explanation agrees with the decision.
#![no_main]

use arbitrary::Unstructured;
use gatewise::{GatewayRef, Timestamp};
use gatewise_fuzz::{GATEWAY, Mode, Scenario, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(scenario) = Scenario::generate(&mut u, Mode::COMPILE) else {
        return;
    };
    let (loaded, compiled) = scenario.compile();
    for r in &loaded.rejections {
        assert!(!r.errors.is_empty(), "rejection without a field error: {r}");
    }
    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
    check::status(&status);
    let (_, again) = scenario.compile();
    assert_eq!(
        again.status(Timestamp::DEFAULT_EPOCH),
        status,
        "two compiles of one input differ"
    );
    let _ = gatewise::lint::lint(&loaded.resources, &compiled);
    let gw = GatewayRef::new(GATEWAY.0, GATEWAY.1);
    for r in &scenario.requests {
        let req = r.http();
        let view = compiled.router().route(gw, r.port, r.protocol, &req).view();
        let explanation = compiled.router().explain(gw, r.port, r.protocol, &req);
        assert_eq!(
            explanation.decision, view,
            "explain and route differ: {r:?}"
        );
        let _ = explanation.to_string();
    }
});
