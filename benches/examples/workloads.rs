//! Prints the benchmark workloads as a Markdown table (routes, hostnames,
//! entries, requests per class and where the first/middle/last hits stand in
//! precedence order), or one workload's manifests as YAML:
//!
//! ```sh
//! cargo run --release -p gatewise-benches --example workloads
//! cargo run --release -p gatewise-benches --example workloads -- yaml realistic 100 10
//! ```

use gatewise_benches::workload::{Class, Shape, Spec, Workload};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("yaml") {
        let shape = args
            .get(1)
            .and_then(|s| Shape::ALL.into_iter().find(|x| x.name() == s))
            .unwrap_or(Shape::Realistic);
        let number =
            |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
        let w = Workload::generate(Spec::new(shape, number(2, 100), number(3, 10)));
        print!("{}", w.yaml());
        return;
    }
    println!(
        "| workload | HTTPRoutes | entries | requests | first / middle / last position | misses that 404 |"
    );
    println!("|---|---:|---:|---:|---|---:|");
    let specs = [
        Spec::new(Shape::Realistic, 1, 1),
        Spec::new(Shape::Realistic, 100, 10),
        Spec::new(Shape::Realistic, 1_000, 100),
        Spec::new(Shape::Realistic, 10_000, 1_000),
        Spec::new(Shape::Realistic, 10_000, 1),
        Spec::new(Shape::DeepPrefixes, 10_000, 1),
        Spec::new(Shape::AllRegex, 10_000, 1),
        Spec::new(Shape::ManyHeaders, 10_000, 1),
        Spec::new(Shape::WeightedFilters, 10_000, 1_000),
        Spec::new(Shape::PathOnly, 10_000, 1),
    ];
    for spec in specs {
        let w = Workload::generate(spec);
        let pos = |c: Class| {
            w.one(c)
                .and_then(|r| r.position)
                .map_or_else(|| "-".to_owned(), |p| p.to_string())
        };
        let misses = w
            .class(Class::Miss)
            .filter(|r| r.expect.status == Some(404))
            .count();
        println!(
            "| {spec} | {} | {} | {} | {} / {} / {} | {misses} of {} |",
            w.routes.len(),
            w.entries,
            w.requests.len(),
            pos(Class::First),
            pos(Class::Middle),
            pos(Class::Last),
            w.class(Class::Miss).count(),
        );
    }
}
