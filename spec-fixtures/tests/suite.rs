//! The project's own fixtures: the real gate. Every case must pass.

use std::path::Path;

use gatewise_spec::{RunOptions, run_paths};

#[test]
fn every_fixture_in_the_suite_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let report = run_paths(&[&dir], &RunOptions::default());
    let text = report.to_text();
    assert!(report.malformed.is_empty(), "malformed fixtures:\n{text}");
    assert_eq!(report.failed(), 0, "failing cases:\n{text}");
    assert!(
        report.passed() > 0,
        "no fixture cases found in {}",
        dir.display()
    );
}
