//! `gatewise check`: load, compile, report rejections, warnings and status.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use gatewise::{Condition, Loaded, Options, Router, Status};
use serde_json::json;

use crate::input;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Manifest files or folders (*.yaml, *.yml, *.json), or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Handle GatewayClasses with this controllerName.
    #[arg(long, default_value = gatewise::DEFAULT_CONTROLLER_NAME)]
    controller_name: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Text)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Yaml,
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
    let status = compiled.status(input::now());
    match args.output {
        Output::Text => crate::emit(&text(&loaded, &status)),
        Output::Json | Output::Yaml => {
            let doc = json!({
                "status": status.to_kubernetes(),
                "rejected": loaded.rejections,
                "warnings": loaded.warnings,
                "errors": loaded.errors,
                "skipped": loaded.skipped,
            });
            if args.output == Output::Json {
                match serde_json::to_string_pretty(&doc) {
                    Ok(s) => crate::emit(&format!("{s}\n")),
                    Err(e) => {
                        eprintln!("gatewise: cannot serialise: {e}");
                        return 2;
                    }
                }
            } else {
                crate::emit(&crate::yaml::to_yaml(&doc));
            }
        }
    }
    i32::from(failing(&loaded, &status))
}

/// Whether CI should fail: a document that did not load, a rejected object, or
/// any handled object (class, Gateway, listener, route parent) not accepted.
fn failing(loaded: &Loaded, status: &Status) -> bool {
    !loaded.errors.is_empty() || !loaded.rejections.is_empty() || !status.all_accepted()
}

fn text(loaded: &Loaded, status: &Status) -> String {
    let mut out = String::new();
    for e in &loaded.errors {
        let _ = writeln!(out, "error: {e}");
    }
    for r in &loaded.rejections {
        for e in &r.errors {
            let _ = writeln!(
                out,
                "rejected: {}, {}: {} ({}:{})",
                r.object, e.field, e.message, r.location.source, r.location.line
            );
        }
    }
    for w in &loaded.warnings {
        let _ = writeln!(
            out,
            "warning: {}, {}: {} ({}:{})",
            w.object, w.field, w.message, w.location.source, w.location.line
        );
    }
    let mut rows: Vec<[String; 7]> = vec![[
        "KIND".into(),
        "NAMESPACE".into(),
        "NAME".into(),
        "ACCEPTED".into(),
        "PROGRAMMED/RESOLVED".into(),
        "ATTACHED".into(),
        "REASON".into(),
    ]];
    let cond = |c: &[Condition], t: &str| {
        c.iter()
            .find(|c| c.type_ == t)
            .map_or_else(|| "-".to_owned(), |c| c.status.to_owned())
    };
    let reason = |c: &[Condition]| {
        c.iter()
            .find(|c| c.status != "True" && c.type_ != "Conflicted")
            .or_else(|| {
                c.iter()
                    .find(|c| c.type_ == "Conflicted" && c.status == "True")
            })
            .or_else(|| c.iter().find(|c| c.type_ == "Accepted"))
            .map_or_else(|| "-".to_owned(), |c| c.reason.to_owned())
    };
    for c in &status.gateway_classes {
        rows.push([
            "GatewayClass".into(),
            "-".into(),
            c.name.clone(),
            cond(&c.conditions, "Accepted"),
            "-".into(),
            "-".into(),
            reason(&c.conditions),
        ]);
    }
    for g in &status.gateways {
        rows.push([
            "Gateway".into(),
            g.namespace.clone(),
            g.name.clone(),
            cond(&g.conditions, "Accepted"),
            cond(&g.conditions, "Programmed"),
            "-".into(),
            reason(&g.conditions),
        ]);
        for l in &g.listeners {
            rows.push([
                "  Listener".into(),
                g.namespace.clone(),
                format!("{}/{}", g.name, l.name),
                cond(&l.conditions, "Accepted"),
                cond(&l.conditions, "Programmed"),
                l.attached_routes.to_string(),
                reason(&l.conditions),
            ]);
        }
    }
    for s in &status.listener_sets {
        rows.push([
            "ListenerSet".into(),
            s.namespace.clone(),
            s.name.clone(),
            cond(&s.conditions, "Accepted"),
            cond(&s.conditions, "Programmed"),
            "-".into(),
            reason(&s.conditions),
        ]);
        for l in &s.listeners {
            rows.push([
                "  Listener".into(),
                s.namespace.clone(),
                format!("{}/{}", s.name, l.name),
                cond(&l.conditions, "Accepted"),
                cond(&l.conditions, "Programmed"),
                l.attached_routes.to_string(),
                reason(&l.conditions),
            ]);
        }
    }
    for r in &status.routes {
        if r.parents.is_empty() {
            rows.push([
                r.kind.into(),
                r.namespace.clone(),
                r.name.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ]);
        }
        for p in &r.parents {
            let mut parent = format!("{}/{}", p.parent_ref.namespace, p.parent_ref.name);
            if let Some(s) = &p.parent_ref.section_name {
                let _ = write!(parent, "/{s}");
            }
            if let Some(port) = p.parent_ref.port {
                let _ = write!(parent, ":{port}");
            }
            rows.push([
                r.kind.into(),
                r.namespace.clone(),
                format!("{} -> {parent}", r.name),
                cond(&p.conditions, "Accepted"),
                cond(&p.conditions, "ResolvedRefs"),
                "-".into(),
                reason(&p.conditions),
            ]);
        }
    }
    if rows.len() == 1 {
        out.push_str("no handled objects (is a GatewayClass's controllerName ours?)\n");
        return out;
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}   ", w = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
