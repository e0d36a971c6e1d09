//! Routes one request set of a workload in a loop and prints the CPU time per
//! decision (time spent waiting for the CPU on a busy machine does not count),
//! for profiling with perf or callgrind:
//!
//! ```sh
//! cargo run --release -p gatewise-benches --example profile_route -- realistic 10000 1000 mix [iterations]
//! ```
//!
//! `versus-matchit ROUTES [rounds]` times the path-only workload's mix through
//! the router and through matchit (as `--bench decision -- path-only` does)
//! in alternating rounds of 2,000,000 decisions each, and prints each round and
//! the median ratio: on a shared machine, a disturbance then lands in one
//! round rather than in one side of the comparison. A round lasts 80 ms or
//! more: the thread's CPU time (`/proc/thread-self/schedstat`) can advance
//! only at the scheduler tick (4 ms on the reference VM), which made rounds
//! of 200,000 (8-20 ms) read as whole ticks.

use std::hint::black_box;

use gatewise_benches::workload::{self, Class, PathDef, Shape, Spec, Workload};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("versus-matchit") {
        let number =
            |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
        versus_matchit(number(1, 100), number(2, 15));
        return;
    }
    let shape = args
        .first()
        .and_then(|s| Shape::ALL.into_iter().find(|x| x.name() == s))
        .unwrap_or(Shape::Realistic);
    let number =
        |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (routes, hosts) = (number(1, 10_000), number(2, 1_000));
    let class = args
        .get(3)
        .and_then(|s| Class::ALL.into_iter().find(|c| c.name() == s))
        .unwrap_or(Class::Mix);
    let iterations = number(4, 5_000_000);
    let w = Workload::generate(Spec::new(shape, routes, hosts));
    let reqs: Vec<_> = w.class(class).map(workload::Request::http).collect();
    let gw = workload::gateway();
    let router = w.router();
    let before = thread_cpu_ns();
    for i in 0..iterations {
        let req = &reqs[i % reqs.len()];
        black_box(router.route_http(gw, workload::PORT, black_box(req)));
    }
    let cpu = thread_cpu_ns() - before;
    println!(
        "{}: {} {} requests: {:.1} ns CPU per decision",
        w.spec,
        class.name(),
        reqs.len(),
        cpu as f64 / iterations as f64
    );
}

/// Alternating rounds of the router and matchit on the path-only mix.
fn versus_matchit(routes: usize, rounds: usize) {
    const PER_ROUND: usize = 2_000_000;
    let w = Workload::generate(Spec::new(Shape::PathOnly, routes, 1));
    let reqs: Vec<_> = w.class(Class::Mix).map(workload::Request::http).collect();
    let paths: Vec<&str> = w
        .class(Class::Mix)
        .map(|r| r.target.split('?').next().unwrap_or(&r.target))
        .collect();
    let mut m = matchit::Router::new();
    for (i, route) in w.routes.iter().enumerate() {
        for mat in route.rules.iter().flat_map(|r| &r.matches) {
            let patterns = match &mat.path {
                PathDef::Exact(p) => vec![p.clone()],
                PathDef::PathPrefix(p) => {
                    vec![p.clone(), format!("{p}/"), format!("{p}/{{*rest}}")]
                }
                PathDef::RegularExpression { .. } => Vec::new(),
            };
            for p in patterns {
                if let Err(e) = m.insert(p.clone(), i) {
                    panic!("matchit refuses {p}: {e}");
                }
            }
        }
    }
    let (gw, router) = (workload::gateway(), w.router());
    let mut ratios = Vec::new();
    for round in 0..rounds.max(1) {
        let before = thread_cpu_ns();
        for i in 0..PER_ROUND {
            let req = &reqs[i % reqs.len()];
            black_box(router.route_http(gw, workload::PORT, black_box(req)));
        }
        let ours = (thread_cpu_ns() - before) as f64 / PER_ROUND as f64;
        let before = thread_cpu_ns();
        for i in 0..PER_ROUND {
            let p = paths[i % paths.len()];
            black_box(m.at(black_box(p)).map(|m| *m.value).ok());
        }
        let theirs = (thread_cpu_ns() - before) as f64 / PER_ROUND as f64;
        println!(
            "round {round}: router {ours:.1} ns, matchit {theirs:.1} ns, {:.2}x",
            ours / theirs
        );
        ratios.push(ours / theirs);
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios.get(ratios.len() / 2).copied().unwrap_or(0.0);
    let (lo, hi) = (
        ratios.first().copied().unwrap_or(0.0),
        ratios.last().copied().unwrap_or(0.0),
    );
    println!(
        "{}: router / matchit median {median:.2}x (range {lo:.2}-{hi:.2}) over {} rounds",
        w.spec,
        ratios.len()
    );
}

/// CPU time of this thread in nanoseconds (`/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
