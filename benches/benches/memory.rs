//! Memory per route, counted by a counting allocator (`allocation-counter`):
//! bytes allocated while compiling, and bytes the result keeps (the whole
//! `Compiled`, and the `Router` alone once the status is dropped), for the
//! realistic workload at 1, 100, 1k and 10k HTTPRoutes. Deterministic: no
//! timing. Run with `cargo bench -p gatewise-benches --bench memory`; prints a
//! Markdown table.

use allocation_counter::AllocationInfo;
use gatewise::{Compiled, Options, Router};
use gatewise_benches::workload::{Shape, Spec, Workload};

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    println!(
        "| workload | entries | allocated by compile | allocations | kept (router + status) | kept (router) | router per route | router per entry |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (routes, hosts) in [(1, 1), (100, 10), (1_000, 100), (10_000, 1_000)] {
        let spec = Spec::new(Shape::Realistic, routes, hosts);
        let w = Workload::generate(spec);
        let options = Options::default();
        let mut compiled: Option<Compiled> = None;
        let whole: AllocationInfo = allocation_counter::measure(|| {
            compiled = Some(Router::compile(&w.loaded.resources, &options));
        });
        drop(compiled);
        let mut router: Option<Router> = None;
        let router_only = allocation_counter::measure(|| {
            router = Some(
                Router::compile(&w.loaded.resources, &options)
                    .router()
                    .clone(),
            );
        });
        drop(router);
        let kept = router_only.bytes_current;
        println!(
            "| {spec} | {} | {} | {} | {} | {} | {} | {} |",
            w.entries,
            human(i64::try_from(whole.bytes_total).unwrap_or(i64::MAX)),
            whole.count_total,
            human(whole.bytes_current),
            human(kept),
            human(kept / routes as i64),
            human(kept / w.entries.max(1) as i64),
        );
    }
}

fn human(bytes: i64) -> String {
    if bytes >= 10 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 10 << 10 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}
