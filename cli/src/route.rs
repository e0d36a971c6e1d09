//! `gatewise route`: the decision for one request.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use gatewise::{DecisionView, GatewayRef, HttpRequest, Options, Router, Scheme};

use crate::input;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Manifest files or folders (*.yaml, *.yml, *.json), or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The Gateway hit, as namespace/name.
    #[arg(long)]
    gateway: String,
    /// Port (default 80 for HTTP, 443 for HTTPS).
    #[arg(long)]
    port: Option<u16>,
    /// Protocol.
    #[arg(long, value_enum, default_value_t = Protocol::Http, ignore_case = true)]
    protocol: Protocol,
    /// Host header (may carry a port).
    #[arg(long, default_value = gatewise_spec::DEFAULT_HOST)]
    host: String,
    /// TLS server name (default for HTTPS: host without port, none for an IP).
    #[arg(long)]
    sni: Option<String>,
    /// Method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// A request header, 'Name: value' (repeatable).
    #[arg(long = "header", short = 'H')]
    headers: Vec<String>,
    /// Request target: path and query.
    #[arg(long, default_value = "/")]
    path: String,
    /// Also print why: every candidate and tie-break.
    #[arg(long)]
    explain: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// Handle GatewayClasses with this controllerName.
    #[arg(long, default_value = gatewise::DEFAULT_CONTROLLER_NAME)]
    controller_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Protocol {
    #[value(name = "HTTP")]
    Http,
    #[value(name = "HTTPS")]
    Https,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

pub(crate) fn run(args: &Args) -> i32 {
    let Some((ns, name)) = args
        .gateway
        .split_once('/')
        .filter(|(ns, name)| !ns.is_empty() && !name.is_empty() && !name.contains('/'))
    else {
        eprintln!(
            "gatewise: --gateway must be namespace/name, found {:?}",
            args.gateway
        );
        return 2;
    };
    let mut headers = Vec::new();
    for h in &args.headers {
        let Some((k, v)) = h.split_once(':').filter(|(k, _)| !k.trim().is_empty()) else {
            eprintln!("gatewise: --header must be 'Name: value', found {h:?}");
            return 2;
        };
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let loaded = match input::load_paths(&args.paths) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("gatewise: {e}");
            return 2;
        }
    };
    if !loaded.errors.is_empty() {
        for e in &loaded.errors {
            eprintln!("gatewise: {e}");
        }
        return 2;
    }
    for r in &loaded.rejections {
        eprintln!("warning: {r}");
    }
    let compiled = Router::compile(
        &loaded.resources,
        &Options::with_controller_name(args.controller_name.clone()),
    );
    let (scheme, default_port) = match args.protocol {
        Protocol::Http => (Scheme::Http, 80),
        Protocol::Https => (Scheme::Https, 443),
    };
    let port = args.port.unwrap_or(default_port);
    let sni = match scheme {
        Scheme::Https => args
            .sni
            .clone()
            .or_else(|| gatewise::default_sni(&args.host).map(str::to_owned)),
        Scheme::Http => args.sni.clone(),
    };
    let req = HttpRequest::new(&args.method, &args.host, &args.path)
        .scheme(scheme)
        .sni(sni.as_deref())
        .owned_headers(&headers);
    let gateway = GatewayRef::new(ns, name);
    let router = compiled.router();
    let view = router.route_http(gateway, port, &req).view();
    let explanation = args
        .explain
        .then(|| router.explain_http(gateway, port, &req));
    match args.output {
        Output::Text => {
            let mut text = summary(&view);
            if let Some(e) = &explanation {
                text.push_str(&format!("\n{e}\n"));
            }
            crate::emit(&text);
        }
        Output::Json => {
            let doc = match &explanation {
                Some(e) => serde_json::json!({"decision": view, "explanation": e}),
                None => serde_json::to_value(&view).unwrap_or_default(),
            };
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => crate::emit(&format!("{s}\n")),
                Err(e) => {
                    eprintln!("gatewise: cannot serialise: {e}");
                    return 2;
                }
            }
        }
    }
    0
}

/// A readable summary of a decision.
fn summary(v: &DecisionView) -> String {
    let mut out = String::new();
    match v.kind {
        "forward" => {
            if v.backends.is_empty() {
                out.push_str("forward → no backend\n");
            }
            for b in &v.backends {
                match (&b.namespace, &b.name, b.port) {
                    (Some(ns), Some(name), Some(port)) => {
                        let _ = writeln!(out, "forward → {ns}/{name}:{port} (weight {})", b.weight);
                    }
                    _ => {
                        let _ = writeln!(
                            out,
                            "forward → 500, invalid backend ({}) (weight {})",
                            b.reason.as_deref().unwrap_or("unknown"),
                            b.weight
                        );
                    }
                }
            }
        }
        "redirect" => {
            let _ = writeln!(
                out,
                "redirect {} → {}",
                v.status.unwrap_or_default(),
                v.location.as_deref().unwrap_or("")
            );
        }
        "respond" => {
            let _ = writeln!(
                out,
                "respond {} ({})",
                v.status.unwrap_or_default(),
                v.reason.unwrap_or("")
            );
        }
        other => {
            let _ = writeln!(out, "{other} ({})", v.reason.unwrap_or(""));
        }
    }
    if let Some(l) = &v.listener {
        let _ = writeln!(out, "  listener: {l}");
    }
    if let Some(r) = &v.route {
        let _ = write!(out, "  route:    {} {}/{}", r.kind, r.namespace, r.name);
        if let Some(rule) = v.rule {
            let _ = write!(out, " rule {rule}");
            if let Some(n) = &v.rule_name {
                let _ = write!(out, " ({n})");
            }
        }
        if let Some(m) = v.match_index {
            let _ = write!(out, " match {m}");
        }
        out.push('\n');
    }
    if let Some(r) = &v.request {
        let _ = writeln!(out, "  request:  {} {} {}", r.method, r.host, r.path);
        for (k, val) in &r.headers {
            let _ = writeln!(out, "            {k}: {val}");
        }
    }
    for (k, val) in &v.response_headers {
        let _ = writeln!(out, "  response header: {k}: {val}");
    }
    for m in &v.mirrors {
        let _ = writeln!(
            out,
            "  mirror → {}/{}:{} ({}%)",
            m.namespace, m.name, m.port, m.percent
        );
    }
    out
}
