//! `gatewise diff`: what a change to the manifests does to status and traffic.

use std::path::PathBuf;

use clap::ValueEnum;
use gatewise::diff::DiffOutput;
use gatewise::{Loaded, Options};

use crate::input;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The manifests before the change: a file or folder (*.yaml, *.yml, *.json).
    old: PathBuf,
    /// The manifests after the change: a file or folder.
    new: PathBuf,
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

fn load(label: &str, path: &PathBuf) -> Result<Loaded, String> {
    let loaded = input::load_paths(std::slice::from_ref(path))?;
    if let Some(e) = loaded.errors.first() {
        return Err(format!("{label}: {e}"));
    }
    for r in &loaded.rejections {
        eprintln!("warning: {label}: {r}");
    }
    Ok(loaded)
}

pub(crate) fn run(args: &Args) -> i32 {
    let (old, new) = match (load("OLD", &args.old), load("NEW", &args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("gatewise: {e}");
            return 2;
        }
    };
    let output = DiffOutput::new(
        &old,
        &new,
        &Options::with_controller_name(args.controller_name.clone()),
    );
    let report = &output.report;
    match args.output {
        Output::Text => {
            let mut text = format!("{report}\n");
            if !new.rejections.is_empty() {
                text.push_str(&format!(
                    "NEW has {} rejected object(s): see the warnings above\n",
                    new.rejections.len()
                ));
            }
            crate::emit(&text);
        }
        Output::Json => match serde_json::to_string_pretty(&output) {
            Ok(s) => crate::emit(&format!("{s}\n")),
            Err(e) => {
                eprintln!("gatewise: cannot serialise: {e}");
                return 2;
            }
        },
    }
    i32::from(!report.is_empty() || !new.rejections.is_empty())
}
