//! Compiles one realistic workload in a loop and prints the mean CPU time per
//! compile (time spent waiting for the CPU on a busy machine does not count)
//! and the wall time, for profiling with perf or callgrind:
//!
//! ```sh
//! cargo run --release -p gatewise-benches --example profile_compile -- 10000 [reps] [status] [cold]
//! ```
//!
//! With `status`, each compile is followed by `Compiled::status` (what
//! `gatewise check` does: route status strings are written there).
//!
//! With `cold`, a 64 MiB buffer (twice the L3 cache here) is written, one
//! byte per cache line, before each compile (outside the timing): each compile
//! then starts with none of the workload's resources in the caches. An extra
//! view, for a compile after the process did other work; the hot loop
//! (without `cold`) is the figure the compile target is judged on.

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
    let flags: Vec<String> = std::env::args().skip(3).collect();
    let with_status = flags.iter().any(|f| f == "status");
    let cold = flags.iter().any(|f| f == "cold");
    let mut evict = if cold {
        vec![0u8; 64 << 20]
    } else {
        Vec::new()
    };
    let w = Workload::generate(Spec::new(Shape::Realistic, n, (n / 10).max(1)));
    let mut times = Vec::with_capacity(reps);
    let mut cpu = 0;
    for rep in 0..reps {
        for byte in evict.iter_mut().step_by(64) {
            *byte = byte.wrapping_add(rep as u8 | 1);
        }
        std::hint::black_box(&mut evict);
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
        "{n} routes{}: {:.2} ms CPU per compile (mean); wall min {:.2} ms, median {:.2} ms ({reps} compiles)",
        if cold { " (cold)" } else { "" },
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
