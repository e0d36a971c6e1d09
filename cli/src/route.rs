//! `gatewise route`: the decision for one request.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use gatewise::{DecisionView, GatewayRef, HttpRequest, Options, RequestProtocol, Router};

use crate::input;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Manifest files or folders (*.yaml, *.yml, *.json), or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The Gateway hit, as namespace/name.
    #[arg(long)]
    gateway: String,
    /// Port (default 80 for HTTP and GRPC, 443 for HTTPS and TLS; required for TCP
    /// and UDP).
    #[arg(long)]
    port: Option<u16>,
    /// Protocol: HTTP, HTTPS, GRPC (over TLS when --sni is given), TLS, TCP or UDP.
    #[arg(long, default_value = "HTTP")]
    protocol: RequestProtocol,
    /// Host header (may carry a port).
    #[arg(long, default_value = gatewise_spec::DEFAULT_HOST)]
    host: String,
    /// TLS server name (default for HTTPS and TLS: host without port, none for an IP).
    #[arg(long)]
    sni: Option<String>,
    /// Method (default GET; POST for GRPC).
    #[arg(long)]
    method: Option<String>,
    /// gRPC call as service/method (sets the path to /service/method).
    #[arg(long)]
    grpc: Option<String>,
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
    let Some(port) = args.port.or(args.protocol.default_port()) else {
        eprintln!("gatewise: --port is required for {}", args.protocol);
        return 2;
    };
    let method = args
        .method
        .as_deref()
        .unwrap_or(args.protocol.default_method());
    let target = match &args.grpc {
        Some(call) => match call.trim_start_matches('/').split_once('/') {
            Some((service, m)) if !service.is_empty() && !m.is_empty() => {
                gatewise::grpc_path(service, m)
            }
            _ => {
                eprintln!("gatewise: --grpc must be service/method, found {call:?}");
                return 2;
            }
        },
        None => args.path.clone(),
    };
    let req = HttpRequest::new(method, &args.host, &target)
        .sni(args.sni.as_deref())
        .owned_headers(&headers);
    let gateway = GatewayRef::new(ns, name);
    let router = compiled.router();
    let view = router.route(gateway, port, args.protocol, &req).view();
    let explanation = args
        .explain
        .then(|| router.explain(gateway, port, args.protocol, &req));
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
                    _ if matches!(v.protocol, Some("TLS" | "TCP" | "UDP")) => {
                        let _ = writeln!(
                            out,
                            "refuse the connection, invalid backend ({}) (weight {})",
                            b.reason.as_deref().unwrap_or("unknown"),
                            b.weight
                        );
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
            let _ = write!(
                out,
                "respond {} ({})",
                v.status.unwrap_or_default(),
                v.reason.unwrap_or("")
            );
            if let Some(g) = v.grpc_status {
                let _ = write!(out, ", grpc-status {g}");
            }
            out.push('\n');
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
