//! Routes one request set of a workload in a loop and prints the CPU time per
//! decision (time spent waiting for the CPU on a busy machine does not count),
//! for profiling with perf or callgrind:
//!
//! ```sh
//! cargo run --release -p gatewise-benches --example profile_route -- realistic 10000 1000 mix [iterations]
//! ```

use std::hint::black_box;

use gatewise_benches::workload::{self, Class, Shape, Spec, Workload};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
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

/// CPU time of this thread in nanoseconds (`/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
