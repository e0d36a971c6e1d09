//! Structured routes with filters (RequestHeaderModifier, ResponseHeaderModifier,
//! RequestRedirect, URLRewrite, RequestMirror, CORS; header values from the
//! fuzzer, CR/LF/NUL and control characters included) and arbitrary requests:
//! whatever the request, the `Location` the engine composes holds no CR, LF or
//! NUL; for a request that is itself valid HTTP (the rest pass the request's own
//! bytes through), no header name or value, upstream `Host`, method or target
//! holds one either, every header name is a token, every value valid
//! field-value bytes, the upstream target an origin-form URI and the `Location`
//! an absolute URI.
#![no_main]

use arbitrary::Unstructured;
use gatewise::{Decision, GatewayRef, Pick};
use gatewise_fuzz::{GATEWAY, Mode, Scenario, check};
use libfuzzer_sys::fuzz_target;

/// What the backend answers, so response filters have something to change.
fn backend_response() -> Vec<(String, String)> {
    vec![
        ("content-type".to_owned(), "text/plain".to_owned()),
        ("x-a".to_owned(), "backend".to_owned()),
        ("set-cookie".to_owned(), "a=1".to_owned()),
    ]
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mode = Mode {
        raw_in_16: 3,
        raw_request_in_16: 3,
        extended: false,
    };
    let Ok(scenario) = Scenario::generate(&mut u, mode) else {
        return;
    };
    let (_, compiled) = scenario.compile();
    let gw = GatewayRef::new(GATEWAY.0, GATEWAY.1);
    let from_backend = backend_response();
    for r in &scenario.requests {
        let valid = r.is_valid_http();
        let decision = compiled.router().route(gw, r.port, r.protocol, &r.http());
        let context = format!("{r:?}");
        check::decision_outputs(&decision.view_with_response(&from_backend), valid, &context);
        // Every backend of a weighted rule, not only the single one the view shows.
        if let Decision::Forward(f) = &decision
            && f.is_request()
        {
            for b in f.backends() {
                let mut v = decision.view();
                v.request = Some(f.upstream_request(Some(b)));
                v.response_headers = f.response_headers(Some(b), &from_backend);
                check::decision_outputs(&v, valid, &context);
            }
            if let Pick::Backend { backend, .. } = f.pick(u64::from(r.port)) {
                let _ = f.mirrors(Some(backend)).count();
            }
        }
    }
});
