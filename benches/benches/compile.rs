//! Compile time per size: `Router::compile` on the realistic workload at 1, 100,
//! 1k and 10k HTTPRoutes (over 1, 10, 100 and 1k hostnames), from loaded
//! resources (loading and validation not included). Run with
//! `cargo bench -p gatewise-benches --bench compile`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use gatewise::{Options, Router, Timestamp};
use gatewise_benches::workload::{Shape, Spec, Workload};

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10)
        .without_plots()
}

fn compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile/realistic");
    // One compile per iteration at every size: flat sampling keeps the 10k run
    // to a few seconds.
    g.sampling_mode(SamplingMode::Flat);
    for (routes, hosts) in [(1, 1), (100, 10), (1_000, 100), (10_000, 1_000)] {
        let w = Workload::generate(Spec::new(Shape::Realistic, routes, hosts));
        let options = Options::default();
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{routes}r-{hosts}h")),
            &w.loaded.resources,
            |b, resources| {
                // The old router is dropped outside the timing (a reload drops it
                // off the request path too).
                b.iter_with_large_drop(|| Router::compile(black_box(resources), &options))
            },
        );
    }
    g.finish();

    // What `gatewise check` does: compile, then the status of every object
    // (route status strings are written by `status()`, not by compile).
    let mut g = c.benchmark_group("compile+status/realistic");
    g.sampling_mode(SamplingMode::Flat);
    for (routes, hosts) in [(1_000, 100), (10_000, 1_000)] {
        let w = Workload::generate(Spec::new(Shape::Realistic, routes, hosts));
        let options = Options::default();
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{routes}r-{hosts}h")),
            &w.loaded.resources,
            |b, resources| {
                b.iter_with_large_drop(|| {
                    let compiled = Router::compile(black_box(resources), &options);
                    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
                    (compiled, status)
                })
            },
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = compile
}
criterion_main!(benches);
