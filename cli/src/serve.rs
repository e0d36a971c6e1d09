//! `gatewise serve`: run the gateway (the `gatewise-proxy` crate) on manifests.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use gatewise_proxy::{Config, LogFormat};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Manifest files or folders (*.yaml, *.yml, *.json), watched for changes.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Address every listener socket binds.
    #[arg(long, default_value = "0.0.0.0")]
    bind: IpAddr,
    /// Added to every listener port (e.g. 8000: a listener on 80 serves on 8080).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    port_offset: i32,
    /// Admin listener (/healthz, /readyz, /metrics, /status), or `off`.
    #[arg(long, default_value = "127.0.0.1:9901")]
    admin: String,
    /// Serve only this Gateway (namespace/name); repeat for several. Default: every
    /// Gateway of our GatewayClasses.
    #[arg(long = "gateway")]
    gateways: Vec<String>,
    /// GatewayClasses with this controllerName are served.
    #[arg(long, default_value = gatewise::DEFAULT_CONTROLLER_NAME)]
    controller_name: String,
    /// Demo mode: Service ports with no ready endpoint are served by a built-in
    /// echo backend that answers with JSON naming the Service.
    #[arg(long)]
    echo: bool,
    /// Do not watch the input files (SIGHUP still reloads).
    #[arg(long)]
    no_watch: bool,
    /// Log format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    log_format: Format,
    /// Log filter when RUST_LOG is unset (e.g. `info`, `debug`,
    /// `info,gatewise::access=off`).
    #[arg(long, default_value = "info")]
    log: String,
    /// Most client connections open at once.
    #[arg(long)]
    max_connections: Option<usize>,
    /// Largest request head in bytes (more: 431).
    #[arg(long)]
    max_header_bytes: Option<usize>,
    /// Most request headers (more: 431).
    #[arg(long)]
    max_headers: Option<usize>,
    /// Time a client has to send a request head (e.g. `10s`).
    #[arg(long, value_parser = duration)]
    header_read_timeout: Option<Duration>,
    /// Idle HTTP connections close after this (e.g. `60s`).
    #[arg(long, value_parser = duration)]
    idle_timeout: Option<Duration>,
    /// TCP and TLS streams with no bytes moving close after this (e.g. `1h`).
    #[arg(long, value_parser = duration)]
    stream_idle_timeout: Option<Duration>,
    /// On SIGTERM, in-flight requests get this long to finish (e.g. `30s`).
    #[arg(long, value_parser = duration)]
    drain_timeout: Option<Duration>,
    /// Worker threads. 1 runs everything on one thread (tokio's current-thread
    /// runtime: no cross-thread wake-ups); more runs a work-stealing runtime.
    /// Default: one per CPU (or `TOKIO_WORKER_THREADS`).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    workers: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn duration(s: &str) -> Result<Duration, String> {
    gatewise::duration::parse(s)
        .ok_or_else(|| format!("invalid duration {s:?} (like 500ms, 10s, 1m30s)"))
}

fn config(args: &Args) -> Result<Config, String> {
    let mut config = Config::new(args.paths.clone());
    config.bind = args.bind;
    config.port_offset = args.port_offset;
    config.admin = match args.admin.as_str() {
        "off" | "none" | "" => None,
        a => Some(
            a.parse::<SocketAddr>()
                .map_err(|e| format!("--admin {a:?}: {e} (expected ADDRESS:PORT or off)"))?,
        ),
    };
    for g in &args.gateways {
        let Some((ns, name)) = g.split_once('/') else {
            return Err(format!("--gateway {g:?}: expected namespace/name"));
        };
        config.gateways.push((ns.to_owned(), name.to_owned()));
    }
    config.controller_name.clone_from(&args.controller_name);
    config.echo = args.echo;
    config.watch = !args.no_watch;
    let l = &mut config.limits;
    if let Some(v) = args.max_connections {
        l.max_connections = v;
    }
    if let Some(v) = args.max_header_bytes {
        l.max_header_bytes = v;
    }
    if let Some(v) = args.max_headers {
        l.max_headers = v;
    }
    if let Some(v) = args.header_read_timeout {
        l.header_read_timeout = v;
    }
    if let Some(v) = args.idle_timeout {
        l.idle_timeout = v;
    }
    if let Some(v) = args.stream_idle_timeout {
        l.stream_idle_timeout = v;
    }
    if let Some(v) = args.drain_timeout {
        l.drain_timeout = v;
    }
    Ok(config)
}

/// The runtime for `--workers`: current-thread for 1, multi-thread otherwise
/// (tokio's default size when unset).
fn runtime(workers: Option<u16>) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = match workers {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(usize::from(n));
            b
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    builder.enable_all().build()
}

pub(crate) fn run(args: &Args) -> i32 {
    let config = match config(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gatewise serve: {e}");
            return 2;
        }
    };
    let format = match args.log_format {
        Format::Text => LogFormat::Text,
        Format::Json => LogFormat::Json,
    };
    if let Err(e) = gatewise_proxy::init_logging(format, &args.log) {
        eprintln!("gatewise serve: cannot set up logging: {e}");
        return 2;
    }
    let runtime = match runtime(args.workers) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gatewise serve: cannot start the runtime: {e}");
            return 1;
        }
    };
    match runtime.block_on(gatewise_proxy::run(config)) {
        Ok(drained) if drained.complete => 0,
        Ok(_) => {
            eprintln!("gatewise serve: stopped before every connection finished");
            0
        }
        Err(e) => {
            eprintln!("gatewise serve: {e}");
            1
        }
    }
}
