//! The Rust side of `bindings-python/bench/route_bench.py`: the cost of one
//! `Router::route` + `view()` on the same manifests (`examples/`) and the same
//! request as the Python benchmark, so the two figures sit side by side.
//!
//! ```sh
//! cargo run --release --locked -p gatewise-python --example route_bench
//! ```
//!
//! Prints one line per measurement: the best and the median of several rounds,
//! in nanoseconds per call.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use gatewise::{GatewayRef, HttpRequest, Loader, Options, RequestProtocol, Router};

const ROUNDS: usize = 7;
const CALLS: u32 = 200_000;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut loader = Loader::new();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        loader.add_str(&file.display().to_string(), &text);
    }
    let loaded = loader.finish();
    assert!(loaded.errors.is_empty() && loaded.rejections.is_empty());
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let router = compiled.router();
    let gateway = GatewayRef::new("infra", "gateway");
    let headers: Vec<(String, String)> = Vec::new();
    let req = HttpRequest::new("GET", "shop.example.com", "/api/v2/cart").owned_headers(&headers);

    let view = router
        .route(gateway, 80, RequestProtocol::Http, &req)
        .view();
    assert_eq!(
        view.kind, "forward",
        "the benchmark request must be forwarded"
    );
    let backends: Vec<String> = view
        .backends
        .iter()
        .map(|b| {
            format!(
                "{}/{}:{}",
                b.namespace.as_deref().unwrap_or_default(),
                b.name.as_deref().unwrap_or_default(),
                b.port.unwrap_or_default()
            )
        })
        .collect();
    println!(
        "request: GET shop.example.com /api/v2/cart at infra/gateway:80 -> {} to {}",
        view.kind,
        backends.join(", ")
    );

    measure("Router::route + view()", || {
        black_box(
            router
                .route(
                    black_box(gateway),
                    80,
                    RequestProtocol::Http,
                    black_box(&req),
                )
                .view(),
        );
    });
    measure("Router::route + view() + serde_json::to_value", || {
        let view = router
            .route(
                black_box(gateway),
                80,
                RequestProtocol::Http,
                black_box(&req),
            )
            .view();
        black_box(serde_json::to_value(&view).ok());
    });
    measure("Router::route (decision only)", || {
        black_box(router.route(
            black_box(gateway),
            80,
            RequestProtocol::Http,
            black_box(&req),
        ));
    });
}

fn measure(what: &str, mut f: impl FnMut()) {
    let mut per_call: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..CALLS {
                f();
            }
            start.elapsed().as_secs_f64() * 1e9 / f64::from(CALLS)
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    println!(
        "{what}: best {:.0} ns, median {:.0} ns per call ({ROUNDS} rounds of {CALLS})",
        per_call[0],
        per_call[ROUNDS / 2]
    );
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}
