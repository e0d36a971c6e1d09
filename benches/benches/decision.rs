//! Decision latency: the indexed router beside the naive oracle and matchit, on
//! generated workloads (`gatewise_benches::workload`).
//!
//! Every bench routes one request per iteration; a set of several requests is
//! cycled through, so the time is the mean over the set. Run with
//! `cargo bench -p gatewise-benches --bench decision`; criterion's flags follow
//! `--` (e.g. `-- route/realistic` to filter, `--measurement-time 5`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gatewise::oracle::Oracle;
use gatewise::{HttpRequest, Router};
use gatewise_benches::workload::{self, Class, PathDef, Shape, Spec, Workload};

/// Short, bounded runs: the whole file takes a few minutes.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1200))
        .sample_size(30)
        .without_plots()
}

/// The realistic sizes: routes over hostnames.
const SIZES: [(usize, usize); 4] = [(1, 1), (100, 10), (1_000, 100), (10_000, 1_000)];

fn requests(w: &Workload, class: Class) -> Vec<HttpRequest<'_>> {
    w.class(class).map(workload::Request::http).collect()
}

/// Routes the requests in turn, one per iteration.
fn bench_router(b: &mut criterion::Bencher<'_>, router: &Router, reqs: &[HttpRequest<'_>]) {
    let gw = workload::gateway();
    let mut i = 0;
    b.iter(|| {
        let req = &reqs[i % reqs.len()];
        i += 1;
        black_box(router.route_http(gw, workload::PORT, black_box(req)));
    });
}

fn bench_oracle(b: &mut criterion::Bencher<'_>, oracle: &Oracle, reqs: &[HttpRequest<'_>]) {
    let gw = workload::gateway();
    let mut i = 0;
    b.iter(|| {
        let req = &reqs[i % reqs.len()];
        i += 1;
        black_box(oracle.route_http(gw, workload::PORT, black_box(req)));
    });
}

/// The realistic mix and every request class, per size: the flat curve.
fn realistic(c: &mut Criterion) {
    let mut g = c.benchmark_group("route/realistic");
    for (routes, hosts) in SIZES {
        let w = Workload::generate(Spec::new(Shape::Realistic, routes, hosts));
        for class in Class::ALL {
            let reqs = requests(&w, class);
            if reqs.is_empty() {
                continue;
            }
            g.bench_with_input(
                BenchmarkId::new(class.name(), format!("{routes}r-{hosts}h")),
                &reqs,
                |b, reqs| bench_router(b, w.router(), reqs),
            );
        }
    }
    g.finish();
}

/// Router and oracle side by side on the first and last rule in precedence
/// order, and on the mix: the ordered-list curve the index avoids.
fn versus_oracle(c: &mut Criterion) {
    let mut g = c.benchmark_group("router-vs-oracle");
    let specs = [
        Spec::new(Shape::Realistic, 100, 10),
        Spec::new(Shape::Realistic, 1_000, 100),
        Spec::new(Shape::Realistic, 10_000, 1_000),
        Spec::new(Shape::Realistic, 10_000, 1),
    ];
    for spec in specs {
        let w = Workload::generate(spec);
        let oracle = Oracle::new(w.router());
        let label = format!("{}r-{}h", spec.routes, spec.hostnames);
        for class in [Class::First, Class::Last, Class::Mix] {
            let reqs = requests(&w, class);
            if reqs.is_empty() {
                continue;
            }
            g.bench_with_input(
                BenchmarkId::new(format!("router/{}", class.name()), &label),
                &reqs,
                |b, reqs| bench_router(b, w.router(), reqs),
            );
            g.bench_with_input(
                BenchmarkId::new(format!("oracle/{}", class.name()), &label),
                &reqs,
                |b, reqs| bench_oracle(b, &oracle, reqs),
            );
        }
    }
    g.finish();
}

/// The worst cases, at 1k and 10k routes on one hostname (weighted backends and
/// filters on 1k hostnames, like the realistic mix).
fn worst_cases(c: &mut Criterion) {
    let mut g = c.benchmark_group("route/worst");
    for shape in [
        Shape::DeepPrefixes,
        Shape::AllRegex,
        Shape::ManyHeaders,
        Shape::WeightedFilters,
    ] {
        for routes in [1_000, 10_000] {
            let hosts = if shape == Shape::WeightedFilters {
                routes / 10
            } else {
                1
            };
            let w = Workload::generate(Spec::new(shape, routes, hosts));
            for class in [Class::Mix, Class::Last] {
                let reqs = requests(&w, class);
                if reqs.is_empty() {
                    continue;
                }
                g.bench_with_input(
                    BenchmarkId::new(
                        format!("{}/{}", shape.name(), class.name()),
                        format!("{routes}r-{hosts}h"),
                    ),
                    &reqs,
                    |b, reqs| bench_router(b, w.router(), reqs),
                );
            }
        }
    }
    g.finish();
}

/// matchit, the router and the oracle on a path-only workload matchit can
/// express: `Exact p` is the route `p`; `PathPrefix p` the routes `p`, `p/`
/// and `p/{*rest}`.
fn versus_matchit(c: &mut Criterion) {
    let mut g = c.benchmark_group("path-only");
    for routes in [100, 1_000, 10_000] {
        let w = Workload::generate(Spec::new(Shape::PathOnly, routes, 1));
        let m = matchit_router(&w);
        let oracle = Oracle::new(w.router());
        let reqs = requests(&w, Class::Mix);
        let paths: Vec<&str> = w
            .class(Class::Mix)
            .map(|r| r.target.split('?').next().unwrap_or(&r.target))
            .collect();
        let label = format!("{routes}r");
        g.bench_with_input(BenchmarkId::new("matchit", &label), &paths, |b, paths| {
            let mut i = 0;
            b.iter(|| {
                let p = paths[i % paths.len()];
                i += 1;
                black_box(m.at(black_box(p)).map(|m| *m.value).ok());
            });
        });
        g.bench_with_input(BenchmarkId::new("router", &label), &reqs, |b, reqs| {
            bench_router(b, w.router(), reqs);
        });
        g.bench_with_input(BenchmarkId::new("oracle", &label), &reqs, |b, reqs| {
            bench_oracle(b, &oracle, reqs);
        });
    }
    g.finish();
}

/// matchit configured with a path-only workload's routes; the value is the
/// route's position in `w.routes`.
fn matchit_router(w: &Workload) -> matchit::Router<usize> {
    let mut m = matchit::Router::new();
    for (i, route) in w.routes.iter().enumerate() {
        for rule in &route.rules {
            for mat in &rule.matches {
                let paths = match &mat.path {
                    PathDef::Exact(p) => vec![p.clone()],
                    PathDef::PathPrefix(p) => {
                        vec![p.clone(), format!("{p}/"), format!("{p}/{{*rest}}")]
                    }
                    PathDef::RegularExpression { .. } => Vec::new(),
                };
                for p in paths {
                    if let Err(e) = m.insert(p.clone(), i) {
                        panic!("matchit refuses {p}: {e}");
                    }
                }
            }
        }
    }
    m
}

/// The cost of an explanation beside the decision it explains.
fn explain(c: &mut Criterion) {
    let mut g = c.benchmark_group("explain");
    for (routes, hosts) in SIZES {
        let w = Workload::generate(Spec::new(Shape::Realistic, routes, hosts));
        let reqs = requests(&w, Class::Mix);
        let label = format!("{routes}r-{hosts}h");
        g.bench_with_input(BenchmarkId::new("route", &label), &reqs, |b, reqs| {
            bench_router(b, w.router(), reqs);
        });
        g.bench_with_input(BenchmarkId::new("explain", &label), &reqs, |b, reqs| {
            let gw = workload::gateway();
            let mut i = 0;
            b.iter(|| {
                let req = &reqs[i % reqs.len()];
                i += 1;
                black_box(w.router().explain_http(gw, workload::PORT, black_box(req)));
            });
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = realistic, versus_oracle, versus_matchit, worst_cases, explain
}
criterion_main!(benches);
