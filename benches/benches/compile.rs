//! Compile time per size: `Router::compile` on the realistic workload at 1, 100,
//! 1k and 10k HTTPRoutes (over 1, 10, 100 and 1k hostnames), from loaded
//! resources (loading and validation not included). Run with
//! `cargo bench -p gatewise-benches --bench compile`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use gatewise::{Options, Resources, Router, Timestamp};
use gatewise_benches::workload::{Shape, Spec, Workload};

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10)
        .without_plots()
}

fn compile(c: &mut Criterion) {
    // The old router is dropped outside the timing (a reload drops it off the
    // request path too).
    group(
        c,
        "compile/realistic",
        &[(1, 1), (100, 10), (1_000, 100), (10_000, 1_000)],
        Router::compile,
    );
    // What `gatewise check` does: compile, then the status of every object
    // (route status strings are written by `status()`, not by compile).
    group(
        c,
        "compile+status/realistic",
        &[(1_000, 100), (10_000, 1_000)],
        |resources, options| {
            let compiled = Router::compile(resources, options);
            let status = compiled.status(Timestamp::DEFAULT_EPOCH);
            (compiled, status)
        },
    );
}

/// One benchmark per (routes, hostnames) of the realistic workload, timing `f`.
fn group<T>(
    c: &mut Criterion,
    name: &str,
    sizes: &[(usize, usize)],
    f: impl Fn(&Resources, &Options) -> T,
) {
    let mut g = c.benchmark_group(name);
    // One compile per iteration at every size: flat sampling keeps the 10k run
    // to a few seconds.
    g.sampling_mode(SamplingMode::Flat);
    for &(routes, hosts) in sizes {
        let w = Workload::generate(Spec::new(Shape::Realistic, routes, hosts));
        let options = Options::default();
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{routes}r-{hosts}h")),
            &w.loaded.resources,
            |b, resources| b.iter_with_large_drop(|| f(black_box(resources), &options)),
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
