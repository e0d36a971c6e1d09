//! Per-decision latency percentiles (p50, p90, p99) over the realistic mix at
//! every size, and the flatness ratio p50(10k routes, 1k hostnames) / p50(1
//! route). Each decision is timed on its own while the mix is cycled through
//! (the timer's own cost, measured the same way, is subtracted), so the figures
//! are a distribution over requests, not a mean. A second table does the same
//! with each request's bytes read just before its decision (a proxy routes a
//! request it has just parsed: its bytes are in cache, the router's data is
//! not). A third repeats each request of the mix on its own (caches warm),
//! which separates what a decision computes from the cache misses of a spread
//! mix. Run with
//! `cargo bench -p gatewise-benches --bench latency`; prints a Markdown table.

use std::hint::black_box;
use std::time::{Duration, Instant};

use gatewise::HttpRequest;
use gatewise::oracle::Oracle;
use gatewise_benches::workload::{self, Class, Shape, Spec, Workload};

/// Timed decisions per row.
const SAMPLES: usize = 400_000;

/// Alternating rounds of the flatness measurement, and decisions per size in
/// each.
const ROUNDS: usize = 15;
const ROUND_SAMPLES: usize = 100_000;

struct Row {
    label: String,
    requests: usize,
    p: [f64; 3],
    mean: f64,
}

fn main() {
    let overhead = timer_overhead();
    // Per size of the realistic mix: cycled, cycled with the request read
    // first, and warm.
    let mut cycled = Vec::new();
    let mut parsed = Vec::new();
    let mut hot = Vec::new();
    for (routes, hosts) in [(1, 1), (100, 10), (1_000, 100), (10_000, 1_000)] {
        let w = Workload::generate(Spec::new(Shape::Realistic, routes, hosts));
        let reqs: Vec<HttpRequest<'_>> = w.class(Class::Mix).map(workload::Request::http).collect();
        let route = |req: &HttpRequest<'_>| {
            black_box(
                w.router()
                    .route_http(workload::gateway(), workload::PORT, req),
            );
        };
        let label = format!("router, {}", w.spec);
        cycled.push(measure_n(
            label.clone(),
            &reqs,
            overhead,
            SAMPLES,
            Cold::All,
            route,
        ));
        parsed.push(measure_n(
            label.clone(),
            &reqs,
            overhead,
            SAMPLES,
            Cold::RouterOnly,
            route,
        ));
        hot.push(measure_hot(label, &reqs, route));
    }
    // The last rule in precedence order at 10k routes: the index against the
    // ordered list.
    let mut others = Vec::new();
    for hosts in [1_000, 1] {
        let w = Workload::generate(Spec::new(Shape::Realistic, 10_000, hosts));
        let oracle = Oracle::new(w.router());
        let reqs: Vec<HttpRequest<'_>> =
            w.class(Class::Last).map(workload::Request::http).collect();
        others.push(measure_n(
            format!("router, {}, last rule", w.spec),
            &reqs,
            overhead,
            SAMPLES,
            Cold::All,
            |req| {
                black_box(
                    w.router()
                        .route_http(workload::gateway(), workload::PORT, req),
                );
            },
        ));
        others.push(measure_n(
            format!("oracle, {}, last rule", w.spec),
            &reqs,
            overhead,
            2_000,
            Cold::All,
            |req| {
                black_box(oracle.route_http(workload::gateway(), workload::PORT, req));
            },
        ));
    }
    let path_only = Workload::generate(Spec::new(Shape::PathOnly, 10_000, 1));
    let reqs: Vec<HttpRequest<'_>> = path_only
        .class(Class::Mix)
        .map(workload::Request::http)
        .collect();
    others.push(measure_n(
        format!("router, {}", path_only.spec),
        &reqs,
        overhead,
        SAMPLES,
        Cold::All,
        |req| {
            black_box(
                path_only
                    .router()
                    .route_http(workload::gateway(), workload::PORT, req),
            );
        },
    ));

    println!(
        "timer overhead subtracted: {:.1} ns per sample\n",
        overhead.as_secs_f64() * 1e9
    );
    print_table(cycled.iter().chain(&others));
    println!(
        "\np50 at 10k routes / 1k hostnames = {:.2} x p50 at 1 route (target <= 1.5)",
        flatness(&cycled)
    );
    // The flatness ratio again, the two sizes measured alternately over
    // several rounds: one run's p50 moves by a timer step (10 ns here) with
    // the machine's load, so the ratio of a single pair does too.
    let one = Workload::generate(Spec::new(Shape::Realistic, 1, 1));
    let big = Workload::generate(Spec::new(Shape::Realistic, 10_000, 1_000));
    let one_reqs: Vec<HttpRequest<'_>> =
        one.class(Class::Mix).map(workload::Request::http).collect();
    let big_reqs: Vec<HttpRequest<'_>> =
        big.class(Class::Mix).map(workload::Request::http).collect();
    let mut ratios = Vec::with_capacity(ROUNDS);
    println!(
        "\nAlternating rounds ({ROUNDS} x {ROUND_SAMPLES} decisions per size), p50 at 1 route / p50 at 10k routes:"
    );
    for _ in 0..ROUNDS {
        let [a, b] = [(&one, &one_reqs), (&big, &big_reqs)].map(|(w, reqs)| {
            let route = |req: &HttpRequest<'_>| {
                black_box(
                    w.router()
                        .route_http(workload::gateway(), workload::PORT, req),
                );
            };
            measure_n(
                String::new(),
                reqs,
                overhead,
                ROUND_SAMPLES,
                Cold::All,
                route,
            )
            .p[0]
        });
        print!(" {}/{}", ns(a), ns(b));
        ratios.push(b / a);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "\nflatness over {ROUNDS} alternating rounds: median {:.2} x (range {:.2}-{:.2}; target <= 1.5)",
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1]
    );
    println!(
        "\nThe mix cycled through as above, each request's bytes read just before its decision (as a proxy has them in cache after parsing the request; the router's data is as cold as above):\n"
    );
    print_table(&parsed);
    println!(
        "\nrequest parsed: p50 at 10k routes / 1k hostnames = {:.2} x p50 at 1 route",
        flatness(&parsed)
    );
    println!(
        "\nEach request of the mix repeated {HOT_REPEAT} times (caches warm); percentiles over the requests' means:\n"
    );
    print_table(&hot);
    println!(
        "\nwarm: p50 at 10k routes / 1k hostnames = {:.2} x p50 at 1 route",
        flatness(&hot)
    );
}

fn print_table<'r>(rows: impl IntoIterator<Item = &'r Row>) {
    println!("| decisions | requests | p50 | p90 | p99 | mean |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.label,
            r.requests,
            ns(r.p[0]),
            ns(r.p[1]),
            ns(r.p[2]),
            ns(r.mean)
        );
    }
}

/// p50 of the last size (10k routes) over p50 of the first (one route).
fn flatness(sizes: &[Row]) -> f64 {
    match (sizes.first(), sizes.last()) {
        (Some(one), Some(big)) => big.p[0] / one.p[0],
        _ => f64::NAN,
    }
}

/// What is cold when a decision is timed.
#[derive(Clone, Copy)]
enum Cold {
    /// The router's data and the request's own bytes (as the mix evicts them).
    All,
    /// The router's data only: each request's bytes (method, host, target,
    /// headers) are read just before its decision, outside the timing, as a
    /// proxy routes a request it has just parsed.
    RouterOnly,
}

/// Times `samples` decisions one by one, cycling through `reqs` after a warm-up
/// round.
fn measure_n(
    label: String,
    reqs: &[HttpRequest<'_>],
    overhead: Duration,
    samples: usize,
    cold: Cold,
    mut route: impl FnMut(&HttpRequest<'_>),
) -> Row {
    for req in reqs.iter().cycle().take(reqs.len().max(1000)) {
        route(req);
    }
    let mut times: Vec<f64> = Vec::with_capacity(samples);
    for req in reqs.iter().cycle().take(samples) {
        if let Cold::RouterOnly = cold {
            black_box(read_request(req));
        }
        let t = Instant::now();
        route(black_box(req));
        let d = t.elapsed().saturating_sub(overhead);
        times.push(d.as_secs_f64() * 1e9);
    }
    row(label, reqs.len(), times)
}

/// Percentiles and mean of `times` (ns).
fn row(label: String, requests: usize, mut times: Vec<f64>) -> Row {
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    Row {
        label,
        requests,
        p: [at(0.50), at(0.90), at(0.99)],
        mean,
    }
}

/// Reads every byte of a request, as parsing it would.
fn read_request(req: &HttpRequest<'_>) -> u64 {
    let sum = |s: &str| s.bytes().map(u64::from).sum::<u64>();
    let headers: u64 = req.headers_of().iter().map(|(n, v)| sum(n) + sum(v)).sum();
    sum(req.method()) + sum(req.host()) + sum(req.target()) + headers
}

/// Repetitions of each request in the warm measurement.
const HOT_REPEAT: u32 = 1_000;

/// Times each request on its own, repeated (after a warm-up of the same
/// request), and takes percentiles over the requests' mean times.
fn measure_hot(
    label: String,
    reqs: &[HttpRequest<'_>],
    mut route: impl FnMut(&HttpRequest<'_>),
) -> Row {
    let times: Vec<f64> = reqs
        .iter()
        .map(|req| {
            for _ in 0..100 {
                route(req);
            }
            let t = Instant::now();
            for _ in 0..HOT_REPEAT {
                route(black_box(req));
            }
            t.elapsed().as_secs_f64() * 1e9 / f64::from(HOT_REPEAT)
        })
        .collect();
    row(label, reqs.len(), times)
}

/// The median cost of one `Instant::now()` / `elapsed()` pair around nothing.
fn timer_overhead() -> Duration {
    let mut times: Vec<Duration> = (0..100_000)
        .map(|_| {
            let t = Instant::now();
            black_box(());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ns(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.1} µs", v / 1000.0)
    } else {
        format!("{v:.0} ns")
    }
}
