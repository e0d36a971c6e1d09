//! The running gateway: shared state, sockets that follow the configuration,
//! reload, and shutdown.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{Mutex, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{error, info, warn};

use crate::config::Config;
use crate::echo::EchoPool;
use crate::forward::Upstream;
use crate::metrics::Metrics;
use crate::snapshot::{self, ConfigError, Snapshot, SocketKey, SocketKind, Transport};
use crate::{accept, admin, udp, watch};

/// The number of request headers hyper accepts when not told otherwise.
const HYPER_DEFAULT_MAX_HEADERS: usize = 100;

/// State every task shares.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) current: ArcSwap<Snapshot>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) upstream: Upstream,
    pub(crate) http: auto::Builder<TokioExecutor>,
    /// One permit per open client connection.
    pub(crate) connections: Arc<Semaphore>,
    /// One permit per mirrored request in flight.
    pub(crate) mirrors: Arc<Semaphore>,
    /// Cancelled when shutdown begins: stop accepting, close idle connections.
    pub(crate) shutdown: CancellationToken,
    /// Cancelled when the drain time is over: drop every connection.
    pub(crate) abort: CancellationToken,
    /// Every connection and stream task (drain waits for them).
    pub(crate) tracker: TaskTracker,
    sockets: Mutex<HashMap<SocketKey, Running>>,
    reload_lock: Mutex<()>,
    echo: Option<EchoPool>,
    pub(crate) ready: AtomicBool,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Shared {
    /// Shared state for `config`, serving nothing yet.
    pub(crate) fn new(config: Config) -> Arc<Shared> {
        let limits = config.limits.clone();
        let mut http = auto::Builder::new(TokioExecutor::new());
        let mut h1 = http.http1();
        h1.timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .max_buf_size(limits.max_header_bytes.max(8192));
        // hyper's own limit is 100 headers, parsed into arrays on the stack;
        // an explicit limit makes it allocate and fill two vectors of that
        // size for every request head, so it is set only when it differs.
        if limits.max_headers != HYPER_DEFAULT_MAX_HEADERS {
            h1.max_headers(limits.max_headers);
        }
        http.http2()
            .timer(TokioTimer::new())
            // No keep-alive pings: they would keep an idle connection from ever
            // looking idle; the idle timeout closes quiet connections instead.
            .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
        Arc::new(Shared {
            upstream: Upstream::new(&limits),
            http,
            connections: Arc::new(Semaphore::new(limits.max_connections.max(1))),
            mirrors: Arc::new(Semaphore::new(limits.max_mirrors_in_flight)),
            shutdown: CancellationToken::new(),
            abort: CancellationToken::new(),
            tracker: TaskTracker::new(),
            sockets: Mutex::new(HashMap::new()),
            reload_lock: Mutex::new(()),
            echo: config.echo.then(EchoPool::default),
            ready: AtomicBool::new(false),
            current: ArcSwap::from_pointee(Snapshot::empty()),
            metrics: Arc::new(Metrics::default()),
            config,
        })
    }
}

#[derive(Debug)]
struct Running {
    kind: SocketKind,
    stop: CancellationToken,
    local: SocketAddr,
}

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration is refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A socket could not be bound.
    #[error("cannot bind {what} {addr}: {source}")]
    Bind {
        /// `listener` or `admin listener`.
        what: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
    /// The file watcher could not start.
    #[error("cannot watch the input files: {0}")]
    Watch(String),
}

/// What a reload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reloaded {
    /// A new configuration is served, with this generation.
    Swapped(u64),
    /// The inputs did not change; nothing was done.
    Unchanged,
}

/// How shutdown went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Drained {
    /// Whether every connection finished within the drain time.
    pub complete: bool,
}

/// A running gateway.
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    admin_addr: Option<SocketAddr>,
    admin_stop: CancellationToken,
    _watcher: Option<notify::RecommendedWatcher>,
}

impl Server {
    /// Loads the configuration, binds every listener and the admin listener, and
    /// starts serving (and watching the inputs when `config.watch`).
    pub async fn start(config: Config) -> Result<Server, StartError> {
        let shared = Shared::new(config);
        reload(&shared, true, true).await?;
        let admin_stop = CancellationToken::new();
        let admin_addr = match shared.config.admin {
            Some(addr) => {
                let listener =
                    TcpListener::bind(addr)
                        .await
                        .map_err(|source| StartError::Bind {
                            what: "admin listener",
                            addr,
                            source,
                        })?;
                let local = listener.local_addr().unwrap_or(addr);
                tokio::spawn(admin::serve(shared.clone(), listener, admin_stop.clone()));
                info!(address = %local, "admin listener");
                Some(local)
            }
            None => None,
        };
        let watcher = if shared.config.watch {
            Some(watch::start(shared.clone()).map_err(StartError::Watch)?)
        } else {
            None
        };
        shared.ready.store(true, Ordering::Relaxed);
        Ok(Server {
            shared,
            admin_addr,
            admin_stop,
            _watcher: watcher,
        })
    }

    /// The admin listener's address.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// The generation of the configuration being served (1 for the first).
    pub fn generation(&self) -> u64 {
        self.shared.current.load().generation
    }

    /// Every bound listener socket.
    pub async fn local_addrs(&self) -> Vec<(Transport, SocketAddr)> {
        let sockets = self.shared.sockets.lock().await;
        let mut out: Vec<_> = sockets
            .iter()
            .map(|(k, r)| (k.transport, r.local))
            .collect();
        out.sort();
        out
    }

    /// Reads the inputs again and serves them if they changed (as SIGHUP does).
    /// A refused configuration leaves the current one serving.
    pub async fn reload(&self) -> Result<Reloaded, ConfigError> {
        reload(&self.shared, false, false)
            .await
            .map_err(ConfigError::from)
    }

    /// Stops accepting, lets in-flight requests and streams finish within the
    /// drain time, then drops what is left.
    pub async fn shutdown(self) -> Drained {
        let shared = &self.shared;
        shared.ready.store(false, Ordering::Relaxed);
        info!("shutting down: no new connections, draining");
        shared.shutdown.cancel();
        {
            let mut sockets = shared.sockets.lock().await;
            for (_, r) in sockets.drain() {
                r.stop.cancel();
            }
        }
        shared.tracker.close();
        let complete =
            tokio::time::timeout(shared.config.limits.drain_timeout, shared.tracker.wait())
                .await
                .is_ok();
        if !complete {
            warn!(
                open = shared.tracker.len(),
                "drain time over: closing the connections left"
            );
            shared.abort.cancel();
            // The connection tasks end at once when aborted.
            let _ = tokio::time::timeout(Duration::from_secs(5), shared.tracker.wait()).await;
        }
        self.admin_stop.cancel();
        if let Some(echo) = &shared.echo {
            echo.stop();
        }
        info!(complete, "stopped");
        Drained { complete }
    }
}

/// Reloads the configuration: read and compile off the request path, swap, then
/// open and close sockets to match. `force` reloads unchanged inputs; `first`
/// makes a socket that cannot be bound an error.
pub(crate) async fn reload(
    shared: &Arc<Shared>,
    force: bool,
    first: bool,
) -> Result<Reloaded, StartError> {
    let _one_at_a_time = shared.reload_lock.lock().await;
    let current = shared.current.load_full();
    let config = shared.config.clone();
    let generation = current.generation + 1;
    let previous = current.fingerprint;
    drop(current);
    let built = tokio::task::spawn_blocking(move || {
        let inputs = snapshot::read_inputs(&config.paths)?;
        if !force && snapshot::fingerprint(&inputs) == previous {
            return Ok(None);
        }
        snapshot::build(&config, &inputs, generation).map(Some)
    })
    .await
    .unwrap_or_else(|e| {
        Err(ConfigError {
            problems: vec![format!("loading panicked: {e}")],
        })
    });
    let mut snapshot = match built {
        Ok(Some(s)) => s,
        Ok(None) => return Ok(Reloaded::Unchanged),
        Err(e) => {
            shared
                .metrics
                .reload_failure
                .fetch_add(1, Ordering::Relaxed);
            // The first load's failure is the caller's to report (nothing serves yet).
            if !first {
                error!(problems = ?e.problems, "configuration refused; the last good one keeps serving");
            }
            return Err(e.into());
        }
    };
    if let Some(echo) = &shared.echo {
        for backend in snapshot.endpoints.missing_tcp() {
            match echo.ensure(&backend).await {
                Ok(addr) => snapshot.endpoints.set_local(&backend, addr),
                Err(e) => {
                    warn!(service = %format!("{}/{}:{}", backend.namespace, backend.name, backend.port), error = %e, "cannot start an echo backend")
                }
            }
        }
    }
    for w in &snapshot.warnings {
        warn!("{w}");
    }
    let snapshot = Arc::new(snapshot);
    shared.current.store(snapshot.clone());
    shared
        .metrics
        .config_generation
        .store(generation, Ordering::Relaxed);
    shared
        .metrics
        .reload_success
        .fetch_add(1, Ordering::Relaxed);
    info!(
        generation,
        sockets = snapshot.sockets.len(),
        "configuration loaded"
    );
    reconcile(shared, &snapshot, first).await?;
    Ok(Reloaded::Swapped(generation))
}

/// Opens the sockets the snapshot needs and closes the others.
async fn reconcile(shared: &Arc<Shared>, snap: &Snapshot, first: bool) -> Result<(), StartError> {
    if shared.shutdown.is_cancelled() {
        return Ok(());
    }
    let mut sockets = shared.sockets.lock().await;
    sockets.retain(|key, running| {
        let keep = snap
            .sockets
            .get(key)
            .is_some_and(|p| p.kind == running.kind);
        if !keep {
            info!(port = key.port, "closing listener socket");
            running.stop.cancel();
        }
        keep
    });
    for (key, plan) in &snap.sockets {
        if sockets.contains_key(key) {
            continue;
        }
        let addr = SocketAddr::new(shared.config.bind, key.port);
        let stop = shared.shutdown.child_token();
        let bound = match key.transport {
            Transport::Tcp => match TcpListener::bind(addr).await {
                Ok(l) => {
                    let local = l.local_addr().unwrap_or(addr);
                    tokio::spawn(accept::accept_loop(
                        shared.clone(),
                        l,
                        *key,
                        plan.kind,
                        stop.clone(),
                    ));
                    Ok(local)
                }
                Err(e) => Err(e),
            },
            Transport::Udp => match UdpSocket::bind(addr).await {
                Ok(s) => {
                    let local = s.local_addr().unwrap_or(addr);
                    tokio::spawn(udp::serve(shared.clone(), Arc::new(s), *key, stop.clone()));
                    Ok(local)
                }
                Err(e) => Err(e),
            },
        };
        match bound {
            Ok(local) => {
                info!(address = %local, kind = ?plan.kind, gateway = %format!("{}/{}", plan.namespace, plan.gateway), "listening");
                sockets.insert(
                    *key,
                    Running {
                        kind: plan.kind,
                        stop,
                        local,
                    },
                );
            }
            Err(source) => {
                shared.metrics.bind_errors.fetch_add(1, Ordering::Relaxed);
                error!(address = %addr, error = %source, "cannot bind listener socket");
                if first {
                    return Err(StartError::Bind {
                        what: "listener",
                        addr,
                        source,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Serves until SIGTERM or SIGINT (then drains and returns), reloading on SIGHUP.
pub async fn run(config: Config) -> Result<Drained, StartError> {
    let server = Server::start(config).await?;
    wait_for_signals(&server).await;
    Ok(server.shutdown().await)
}

#[cfg(unix)]
async fn wait_for_signals(server: &Server) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        error!("cannot install signal handlers; stopping");
        return;
    };
    loop {
        tokio::select! {
            _ = term.recv() => { info!("SIGTERM"); return; }
            _ = int.recv() => { info!("SIGINT"); return; }
            _ = hup.recv() => {
                info!("SIGHUP: reloading");
                // A refused configuration is logged and counted by reload itself.
                let _ = server.reload().await;
            }
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signals(_server: &Server) {
    let _ = tokio::signal::ctrl_c().await;
}

impl From<StartError> for ConfigError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Config(c) => c,
            other => ConfigError {
                problems: vec![other.to_string()],
            },
        }
    }
}
