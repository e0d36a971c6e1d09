//! `gatewise`: check and lint manifests, diff two versions, route a request, run
//! spec fixtures, serve.

mod check;
mod diff;
mod input;
mod lint;
mod route;
mod serve;
mod yaml;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gatewise",
    version,
    about = "Kubernetes Gateway API routing engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run spec fixtures (files, or folders scanned for *.yaml / *.yml).
    Fixtures {
        /// Fixture files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Run only fixtures whose features are all in this list (comma-separated).
        #[arg(long, value_delimiter = ',')]
        features: Option<Vec<String>>,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = FixturesOutput::Text)]
        output: FixturesOutput,
    },
    /// Load manifests and print rejections, warnings and the status of every
    /// handled object; exits 1 when anything is rejected or not accepted.
    Check(check::Args),
    /// Route one request through a Gateway and print the decision.
    Route(route::Args),
    /// Run the gateway: a socket for every programmed listener, backends from
    /// EndpointSlices, hot reload on change or SIGHUP, drain on SIGTERM.
    Serve(serve::Args),
    /// Report problems between objects (shadowed rules, ties decided by age,
    /// unresolved references, unused grants, ...) with example requests; exits 1
    /// when a finding at or above --fail-on (default error) exists.
    Lint(lint::Args),
    /// Compare two versions (files or folders): status changes and requests
    /// whose decision changes; exits 1 when anything changes.
    Diff(diff::Args),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FixturesOutput {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Fixtures {
            paths,
            features,
            output,
        } => {
            let report = gatewise_spec::run_paths(
                &paths,
                &gatewise_spec::RunOptions {
                    features,
                    ..Default::default()
                },
            );
            match output {
                FixturesOutput::Text => crate::emit(&report.to_text()),
                FixturesOutput::Json => crate::emit(&report.to_json_lines()),
            }
            report.exit_code()
        }
        Command::Check(args) => check::run(&args),
        Command::Route(args) => route::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Diff(args) => diff::run(&args),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Writes to stdout; a closed pipe (`gatewise check | head`) is not an error
/// worth a panic, so write errors are dropped.
pub(crate) fn emit(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
