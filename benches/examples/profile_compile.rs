//! Compiles one realistic workload in a loop and prints the mean CPU time per
//! compile (time spent waiting for the CPU on a busy machine does not count)
//! and the wall time, for profiling with perf or callgrind:
//!
//! ```sh
//! cargo run --release -p gatewise-benches --example profile_compile -- 10000 [reps] [status]
//! ```
//!
//! With `status`, each compile is followed by `Compiled::status` (what
//! `gatewise check` does: route status strings are written there).

use gatewise::{Options, Router, Timestamp};
use gatewise_benches::workload::{Shape, Spec, Workload};

fn main() {
    let arg = |i: usize| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse::<usize>().ok())
    };
    let n = arg(1).unwrap_or(10_000);
    let reps = arg(2).unwrap_or((200_000 / n.max(1)).max(1));
    let with_status = std::env::args().nth(3).as_deref() == Some("status");
    let w = Workload::generate(Spec::new(Shape::Realistic, n, (n / 10).max(1)));
    let mut times = Vec::with_capacity(reps);
    let mut cpu = 0;
    for _ in 0..reps {
        let (t, c) = (std::time::Instant::now(), thread_cpu_ns());
        let compiled = Router::compile(&w.loaded.resources, &Options::default());
        let status = with_status.then(|| compiled.status(Timestamp::DEFAULT_EPOCH));
        cpu += thread_cpu_ns() - c;
        times.push(t.elapsed());
        // Dropped outside the timing: the figure is compile time only.
        drop(std::hint::black_box((compiled, status)));
    }
    times.sort();
    println!(
        "{n} routes: {:.2} ms CPU per compile (mean); wall min {:.2} ms, median {:.2} ms ({reps} compiles)",
        cpu as f64 / 1e6 / reps as f64,
        times[0].as_secs_f64() * 1e3,
        times[reps / 2].as_secs_f64() * 1e3,
    );
}

/// CPU time of this thread in nanoseconds (`/proc/thread-self/schedstat`,
/// updated at scheduler ticks and switches: exact in sum over many runs), so
/// that time spent waiting for the CPU on a busy machine does not count.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
