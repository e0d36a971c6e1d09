//! What a run produced, and its text and JSON renderings.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

/// Which list of a fixture a case comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    /// A `requests` entry.
    Request,
    /// A `status` entry.
    Status,
    /// A `rejected` entry.
    Rejected,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The engine answered as the fixture says.
    Passed,
    /// It did not (or the fixture's resources did not load).
    Failed,
    /// Not run: the fixture needs features outside `--features`.
    Skipped,
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The fixture file.
    pub file: PathBuf,
    /// The fixture's `name`.
    pub fixture: String,
    /// The case's name (`requests[].name`, or a name made from the object).
    pub case: String,
    /// Which list it comes from.
    pub kind: CaseKind,
    /// How it ended.
    pub outcome: Outcome,
    /// Expected vs. got on failure; why on skip; empty on success.
    pub message: String,
}

impl CaseResult {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }
}

/// A fixture file that could not be read as a fixture.
#[derive(Debug, Clone)]
pub struct Malformed {
    /// The file.
    pub file: PathBuf,
    /// The line (from 1) when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// Everything a run produced.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every case, in file order.
    pub cases: Vec<CaseResult>,
    /// Malformed fixture files (and unreadable paths).
    pub malformed: Vec<Malformed>,
}

impl Report {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.count(Outcome::Passed)
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.count(Outcome::Failed)
    }

    /// Cases skipped by `--features`.
    pub fn skipped(&self) -> usize {
        self.count(Outcome::Skipped)
    }

    fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }

    /// 2 if any file is malformed, else 1 if any case failed, else 0.
    pub fn exit_code(&self) -> i32 {
        if !self.malformed.is_empty() {
            2
        } else if self.failed() > 0 {
            1
        } else {
            0
        }
    }

    /// The closing line: `N passed, N failed, N skipped`.
    pub fn summary(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )
    }

    /// One line per malformed file and per failed case, then the summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for m in &self.malformed {
            match m.line {
                Some(line) => {
                    let _ = writeln!(out, "{}:{line}: malformed: {}", m.file.display(), m.message);
                }
                None => {
                    let _ = writeln!(out, "{}: malformed: {}", m.file.display(), m.message);
                }
            }
        }
        for c in self.cases.iter().filter(|c| c.outcome == Outcome::Failed) {
            let _ = writeln!(
                out,
                "FAIL {}: {} / {}: {}",
                c.file.display(),
                c.fixture,
                c.case,
                c.message
            );
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// One JSON object per line per case (malformed files as
    /// `{"file","line","malformed"}`), then `{"passed","failed","skipped"}`.
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for m in &self.malformed {
            let v = serde_json::json!({
                "file": m.file.display().to_string(),
                "line": m.line,
                "malformed": m.message,
            });
            let _ = writeln!(out, "{v}");
        }
        for c in &self.cases {
            let mut v = serde_json::json!({
                "file": c.file.display().to_string(),
                "fixture": c.fixture,
                "case": c.case,
                "kind": c.kind,
                "passed": c.passed(),
                "message": c.message,
            });
            if c.outcome == Outcome::Skipped
                && let Some(map) = v.as_object_mut()
            {
                map.insert("skipped".into(), serde_json::Value::Bool(true));
            }
            let _ = writeln!(out, "{v}");
        }
        let v = serde_json::json!({
            "passed": self.passed(),
            "failed": self.failed(),
            "skipped": self.skipped(),
        });
        let _ = writeln!(out, "{v}");
        out
    }
}
