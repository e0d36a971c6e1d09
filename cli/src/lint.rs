//! `gatewise lint`: problems between objects, with example requests.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use gatewise::lint::{Code, LintOutput};
use gatewise::{ExampleRequest, Finding, Loaded, Options, Router, Severity};

use crate::input;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Manifest files or folders (*.yaml, *.yml, *.json), or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Exit 1 when a finding of this severity or above exists: info, warning or
    /// error. Rejected objects and unreadable documents count as errors.
    #[arg(long, default_value = "error")]
    fail_on: Severity,
    /// Leave out findings with these codes or names (comma-separated), e.g.
    /// `--allow GW010,unused-reference-grant`.
    #[arg(long, value_delimiter = ',')]
    allow: Vec<Code>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// Handle GatewayClasses with this controllerName.
    #[arg(long, default_value = gatewise::DEFAULT_CONTROLLER_NAME)]
    controller_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

pub(crate) fn run(args: &Args) -> i32 {
    let loaded = match input::load_paths(&args.paths) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("gatewise: {e}");
            return 2;
        }
    };
    let compiled = Router::compile(
        &loaded.resources,
        &Options::with_controller_name(args.controller_name.clone()),
    );
    let output = LintOutput::new(&loaded, &compiled, &args.allow);
    let findings = &output.findings;
    match args.output {
        Output::Text => crate::emit(&text(args, &loaded, findings)),
        Output::Json => match serde_json::to_string_pretty(&output) {
            Ok(s) => crate::emit(&format!("{s}\n")),
            Err(e) => {
                eprintln!("gatewise: cannot serialise: {e}");
                return 2;
            }
        },
    }
    let unreadable = !loaded.errors.is_empty() || !loaded.rejections.is_empty();
    let failing = (unreadable && args.fail_on <= Severity::Error)
        || findings.iter().any(|f| f.severity >= args.fail_on);
    i32::from(failing)
}

fn text(args: &Args, loaded: &Loaded, findings: &[Finding]) -> String {
    let mut out = String::new();
    for e in &loaded.errors {
        let _ = writeln!(out, "error: {e}");
    }
    for r in &loaded.rejections {
        let _ = writeln!(out, "error: {r}");
    }
    let paths: Vec<String> = args
        .paths
        .iter()
        .map(|p| quote(&p.display().to_string()))
        .collect();
    for f in findings {
        let _ = writeln!(
            out,
            "{} {} {}: {} {}",
            f.severity, f.code, f.name, f.object, f.field
        );
        let _ = writeln!(out, "  {}", f.message);
        if let Some(ex) = &f.example_request {
            let _ = writeln!(out, "  example: {ex}");
            let _ = writeln!(
                out,
                "    gatewise route {} {}",
                paths.join(" "),
                route_args(ex)
            );
        }
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("1 {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    if findings.is_empty() {
        out.push_str("no findings\n");
    } else {
        let _ = writeln!(
            out,
            "{}: {}, {}, {} info",
            plural(findings.len(), "finding"),
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            count(Severity::Info)
        );
    }
    out
}

/// The `gatewise route` arguments that send `ex` (with `--explain`).
fn route_args(ex: &ExampleRequest) -> String {
    let mut a = vec![
        "--gateway".to_owned(),
        quote(&ex.gateway),
        "--protocol".to_owned(),
        ex.protocol.as_str().to_owned(),
        "--port".to_owned(),
        ex.port.to_string(),
    ];
    if !ex.host.is_empty() {
        a.extend(["--host".to_owned(), quote(&ex.host)]);
    }
    if let Some(sni) = &ex.sni {
        a.extend(["--sni".to_owned(), quote(sni)]);
    }
    if let Some(m) = ex
        .method
        .as_deref()
        .filter(|m| *m != ex.protocol.default_method())
    {
        a.extend(["--method".to_owned(), quote(m)]);
    }
    if let Some(p) = ex.path.as_deref().filter(|p| *p != "/") {
        a.extend(["--path".to_owned(), quote(p)]);
    }
    for (n, v) in &ex.headers {
        a.extend(["-H".to_owned(), quote(&format!("{n}: {v}"))]);
    }
    a.push("--explain".to_owned());
    a.join(" ")
}

/// `s` as one shell word: as is when it holds only safe characters, else in
/// single quotes.
pub(crate) fn quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%".contains(&b));
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
