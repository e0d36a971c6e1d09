//! The spec fixture format and runner.
