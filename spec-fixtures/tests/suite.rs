//! The project's own fixtures: the real gate. Every case must pass.

use std::path::Path;

use gatewise_spec::{RunOptions, run_paths};

/// Every case passes, and the naive oracle decides every request case as the
/// router does (its own listener choice and linear scan against the indexes).
#[test]
fn every_fixture_in_the_suite_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let options = RunOptions {
        oracle: true,
        ..RunOptions::default()
    };
    let report = run_paths(&[&dir], &options);
    let text = report.to_text();
    assert!(report.malformed.is_empty(), "malformed fixtures:\n{text}");
    assert_eq!(report.failed(), 0, "failing cases:\n{text}");
    assert!(
        report.passed() > 0,
        "no fixture cases found in {}",
        dir.display()
    );
}
