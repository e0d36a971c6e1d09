//! Discovery, loading and running of fixture files.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use gatewise::oracle::Oracle;
use gatewise::{Loader, Options, Router, Timestamp};

use crate::compare;
use crate::format::Fixture;
use crate::report::{CaseKind, CaseResult, Malformed, Outcome, Report};

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// When set, only fixtures whose `features` are all in this set run; the
    /// cases of the others count as skipped.
    pub features: Option<Vec<String>>,
    /// When set, every request case is also routed by the naive oracle
    /// ([`gatewise::oracle::Oracle`]: a linear scan with its own listener
    /// choice), and the case fails where the two decisions differ. `TLS`, `TCP`
    /// and `UDP` cases, which the oracle does not model, are not compared.
    pub oracle: bool,
}

/// Runs every fixture found under `paths` (files, or folders scanned
/// recursively for `*.yaml` / `*.yml`).
pub fn run_paths<P: AsRef<Path>>(paths: &[P], options: &RunOptions) -> Report {
    let mut report = Report::default();
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    for path in paths {
        let path = path.as_ref();
        let (files, explicit) = match discover(path) {
            Ok(found) => found,
            Err(message) => {
                report.malformed.push(Malformed {
                    file: path.to_owned(),
                    line: None,
                    message,
                });
                continue;
            }
        };
        for file in files {
            match parse_file(&file, explicit) {
                Parsed::Fixture(fixture) => {
                    if let Some(first) = names.get(&fixture.name) {
                        if first != &file {
                            report.malformed.push(Malformed {
                                file: file.clone(),
                                line: None,
                                message: format!(
                                    "fixture name {:?} is also used by {}",
                                    fixture.name,
                                    first.display()
                                ),
                            });
                        }
                        continue;
                    }
                    names.insert(fixture.name.clone(), file.clone());
                    run_fixture(&file, &fixture, options, &mut report);
                }
                Parsed::NotAFixture => {}
                Parsed::Malformed { line, message } => report.malformed.push(Malformed {
                    file: file.clone(),
                    line,
                    message,
                }),
            }
        }
    }
    report
}

/// The YAML files under `path`, sorted; and whether `path` named a file.
fn discover(path: &Path) -> Result<(Vec<PathBuf>, bool), String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.is_file() {
        return Ok((vec![path.to_owned()], true));
    }
    let mut out = Vec::new();
    walk(path, &mut out)?;
    out.sort();
    Ok((out, false))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml")
        {
            out.push(path);
        }
    }
    Ok(())
}

enum Parsed {
    Fixture(Box<Fixture>),
    NotAFixture,
    Malformed {
        line: Option<usize>,
        message: String,
    },
}

/// Reads one file. A file found by scanning a folder that is not shaped like a
/// fixture (a mapping with `name` and one of `requests`, `status`, `rejected`)
/// is a manifest and is passed over; a file named explicitly must be a fixture.
fn parse_file(file: &Path, explicit: bool) -> Parsed {
    let text = match fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            return Parsed::Malformed {
                line: None,
                message: format!("cannot read {}: {e}", file.display()),
            };
        }
    };
    let looks_like_fixture = match serde_saphyr::from_str_with_options::<serde_json::Value>(
        &text,
        gatewise::load::yaml_options(),
    ) {
        Ok(serde_json::Value::Object(map)) => {
            map.contains_key("name")
                && ["requests", "status", "rejected"]
                    .iter()
                    .any(|k| map.contains_key(*k))
        }
        Ok(_) => false,
        // Unparseable as one document: a multi-document manifest, or a fixture
        // with a syntax error. Judge by its top-level keys.
        Err(_) => top_level_keys_look_like_fixture(&text),
    };
    if !looks_like_fixture {
        if explicit {
            return Parsed::Malformed {
                line: Some(1),
                message: "not a fixture: the top level must be a mapping with `name` and at \
                          least one of `requests`, `status`, `rejected`"
                    .into(),
            };
        }
        return Parsed::NotAFixture;
    }
    match serde_saphyr::from_str_with_options::<Fixture>(&text, gatewise::load::yaml_options()) {
        Ok(f) => Parsed::Fixture(Box::new(f)),
        Err(err) => {
            let line = err
                .location()
                .and_then(|l| usize::try_from(l.line()).ok())
                .filter(|l| *l > 0);
            let full = err.to_string();
            let first = full.lines().next().unwrap_or(&full);
            let first = first.strip_prefix("error: ").unwrap_or(first);
            let message = match first.split_once(": ") {
                Some((head, rest)) if head.starts_with("line ") => rest,
                _ => first,
            };
            Parsed::Malformed {
                line,
                message: message.to_owned(),
            }
        }
    }
}

fn top_level_keys_look_like_fixture(text: &str) -> bool {
    if text.lines().any(|l| l.trim_end() == "---") {
        return false;
    }
    let key = |l: &str, k: &str| l.strip_prefix(k).is_some_and(|r| r.starts_with(':'));
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().any(|l| key(l, "name"))
        && lines
            .iter()
            .any(|l| key(l, "requests") || key(l, "status") || key(l, "rejected"))
}

fn run_fixture(file: &Path, fixture: &Fixture, options: &RunOptions, report: &mut Report) {
    let mut push = |case: String, kind: CaseKind, result: Result<(), String>| {
        let (outcome, message) = match result {
            Ok(()) => (Outcome::Passed, String::new()),
            Err(m) => (Outcome::Failed, m),
        };
        report.cases.push(CaseResult {
            file: file.to_owned(),
            fixture: fixture.name.clone(),
            case,
            kind,
            outcome,
            message,
        });
    };
    let names = case_names(fixture);

    if let Some(enabled) = &options.features {
        let missing: Vec<&str> = fixture
            .features
            .iter()
            .filter(|f| !enabled.contains(f))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let message = format!("skipped: needs features {}", missing.join(","));
            for (case, kind) in names {
                report.cases.push(CaseResult {
                    file: file.to_owned(),
                    fixture: fixture.name.clone(),
                    case,
                    kind,
                    outcome: Outcome::Skipped,
                    message: message.clone(),
                });
            }
            return;
        }
    }

    let loaded = match load(file, fixture) {
        Ok(l) => l,
        Err(message) => {
            for (case, kind) in names {
                push(case, kind, Err(message.clone()));
            }
            return;
        }
    };
    let controller = fixture
        .controller_name
        .clone()
        .unwrap_or_else(|| gatewise::DEFAULT_CONTROLLER_NAME.to_owned());
    let compiled = Router::compile(
        &loaded.resources,
        &Options::with_controller_name(controller),
    );
    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
    let oracle = options.oracle.then(|| Oracle::new(compiled.router()));

    let results = fixture
        .requests
        .iter()
        .map(|case| compare::request(compiled.router(), oracle.as_ref(), case))
        .chain(
            fixture
                .status
                .iter()
                .map(|case| compare::status(&status, case)),
        )
        .chain(
            fixture
                .rejected
                .iter()
                .map(|case| compare::rejected(&loaded.rejections, case)),
        );
    for ((case, kind), result) in names.into_iter().zip(results) {
        push(case, kind, result);
    }
}

/// Names of every case, in order: requests, status, rejected.
fn case_names(fixture: &Fixture) -> Vec<(String, CaseKind)> {
    let object = |kind: &str, ns: Option<&str>, name: &str| match ns {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    };
    let mut out: Vec<(String, CaseKind)> = fixture
        .requests
        .iter()
        .map(|r| (r.name.clone(), CaseKind::Request))
        .collect();
    out.extend(fixture.status.iter().map(|s| {
        (
            format!(
                "status of {}",
                object(&s.kind, s.namespace.as_deref(), &s.name)
            ),
            CaseKind::Status,
        )
    }));
    out.extend(fixture.rejected.iter().map(|r| {
        (
            format!(
                "rejects {}",
                object(&r.kind, r.namespace.as_deref(), &r.name)
            ),
            CaseKind::Rejected,
        )
    }));
    out
}

/// Loads the includes (relative to the fixture file), then the inline
/// resources, through one [`Loader`] so default creation times follow the
/// order of appearance.
fn load(file: &Path, fixture: &Fixture) -> Result<gatewise::Loaded, String> {
    let mut loader = Loader::new();
    let dir = file.parent().unwrap_or_else(|| Path::new("."));
    for include in &fixture.include {
        let path = dir.join(include);
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("resources failed to load: include {}: {e}", path.display()))?;
        loader.add_str(&path.display().to_string(), &text);
    }
    let source = file.display().to_string();
    for value in &fixture.resources {
        loader.add_value(&source, value.clone());
    }
    let loaded = loader.finish();
    if let Some(first) = loaded.errors.first() {
        let more = loaded.errors.len() - 1;
        let more = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        return Err(format!("resources failed to load: {first}{more}"));
    }
    Ok(loaded)
}
