//! The Rust side of `npm run bench`: the cost of one `Router::route` call plus
//! `Decision::view()` (what the Node `route` call does besides converting its
//! argument and its result), on the manifests and request given.
//!
//! `cargo bench -p gatewise-node --bench route -- FILE NAMESPACE/NAME HOST PATH`
//! prints one JSON line: nanoseconds per call (the median of batches), for
//! `route` alone and for `route` + `view`.

use std::hint::black_box;
use std::time::Instant;

use gatewise::{GatewayRef, HttpRequest, Options, RequestProtocol, Router};

const BATCHES: usize = 15;
const PER_BATCH: u32 = 20_000;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [file, gateway, host, path] = args.as_slice() else {
        eprintln!("usage: route FILE NAMESPACE/NAME HOST PATH");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {file}: {e}");
            std::process::exit(2);
        }
    };
    let Some((ns, name)) = gateway.split_once('/') else {
        eprintln!("gateway must be namespace/name");
        std::process::exit(2);
    };
    let loaded = gatewise::load_str(file, &text);
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let router = compiled.router();
    let gw = GatewayRef::new(ns, name);
    let req = HttpRequest::new("GET", host, path);

    let route_only = median(|| {
        black_box(router.route(black_box(gw), 80, RequestProtocol::Http, black_box(&req)));
    });
    let with_view = median(|| {
        black_box(
            router
                .route(black_box(gw), 80, RequestProtocol::Http, black_box(&req))
                .view(),
        );
    });
    let kind = router
        .route(gw, 80, RequestProtocol::Http, &req)
        .view()
        .kind;
    println!(
        "{{\"kind\":\"{kind}\",\"routeNs\":{route_only:.1},\"routeAndViewNs\":{with_view:.1}}}"
    );
}

/// Nanoseconds per call of `f`: the median over batches, after a warm-up.
fn median(mut f: impl FnMut()) -> f64 {
    for _ in 0..PER_BATCH {
        f();
    }
    let mut samples: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..PER_BATCH {
                f();
            }
            start.elapsed().as_secs_f64() * 1e9 / f64::from(PER_BATCH)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[BATCHES / 2]
}
