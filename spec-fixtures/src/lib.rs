//! The spec fixture format (`shared/spec/fixture-format.md`, v1) and its runner.
//!
//! [`run_paths`] finds fixture files (a folder is scanned recursively for
//! `*.yaml` / `*.yml`; YAML files there that are not fixtures are manifests and
//! are passed over), loads each fixture's resources through one
//! [`gatewise::Loader`] (includes first, then inline `resources`), compiles them
//! and checks every case. The [`Report`] renders as the text or JSON lines the
//! `gatewise fixtures` command prints.

mod compare;
pub mod format;
mod report;
mod run;

pub use compare::{DEFAULT_HOST, describe, field_within};
pub use report::{CaseKind, CaseResult, Malformed, Outcome, Report};
pub use run::{RunOptions, run_paths};
