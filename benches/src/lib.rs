//! Benchmarks for Gatewise: the workload generator the benches, tests and fuzz
//! targets share, and helpers to configure other routers with the same rules.
//!
//! - [`workload`]: seeded, deterministic Gateway API workloads (manifests, the
//!   compiled router, and request sets that hit the first, middle and last rule
//!   in precedence order, miss, or carry long paths and many headers).
//! - [`proxy`]: the same host and path rules as gatewise, nginx and haproxy
//!   configurations, for the proxy comparison in `benches/proxy/`.
//!
//! The criterion benches live in `benches/benches/` (`cargo bench -p
//! gatewise-benches`); `BENCHMARKS.md` at the repository root has the figures.

pub mod proxy;
pub mod workload;
