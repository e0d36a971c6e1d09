//! One configuration: manifests read, loaded, compiled, with everything the
//! request path needs precomputed (endpoints, sockets, TLS configurations).
//!
//! A snapshot is built off the request path (in a blocking task) and swapped in
//! whole; every request and connection reads exactly one.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasherDefault;
use std::hash::{Hash as _, Hasher as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use gatewise::{Compiled, Loader, Matched, Options, Protocol, Router, ServiceBackend};

use crate::config::Config;
use crate::metrics::{Metrics, Series, SeriesLabels};
use crate::tls::{self, ListenerTls};

/// A configuration that cannot be served: every problem, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// What is wrong, each naming the file or object.
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration refused: {}", self.problems.join("; "))
    }
}

impl std::error::Error for ConfigError {}

/// Whether a socket is TCP or UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    /// A TCP socket (HTTP, HTTPS, TLS, TCP listeners).
    Tcp,
    /// A UDP socket (UDP listeners).
    Udp,
}

/// A socket the gateway binds: transport and (shifted) port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct SocketKey {
    pub(crate) transport: Transport,
    pub(crate) port: u16,
}

/// What a socket serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SocketKind {
    /// Plain HTTP/1.1 and h2c.
    Http,
    /// TLS: HTTPS listeners (terminated, then HTTP) and TLS listeners
    /// (passthrough or terminated streams), told apart by server name.
    Tls,
    /// TCP streams.
    Tcp,
    /// UDP datagrams.
    Udp,
}

/// Who a socket belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SocketPlan {
    pub(crate) kind: SocketKind,
    pub(crate) namespace: String,
    pub(crate) gateway: String,
    /// `namespace/gateway`, the metrics and access-log label (built once here,
    /// not per request).
    pub(crate) label: String,
    /// The listener port (unshifted) the router is asked about.
    pub(crate) listener_port: u16,
}

/// A backend endpoint as the proxy dials it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// `host:port` for a URI (`[v6]:port` for IPv6).
    pub(crate) authority: Arc<str>,
    /// The socket address, when the endpoint is an IP address (FQDN endpoints
    /// are resolved when dialled).
    pub(crate) addr: Option<SocketAddr>,
}

type FastHash = BuildHasherDefault<AddrHasher>;

/// Ready endpoints of every Service port, resolved once per snapshot.
#[derive(Debug, Default)]
pub(crate) struct Endpoints {
    /// By namespace and name (hashed without SipHash: two lookups per request,
    /// keys from the configuration).
    map: HashMap<String, HashMap<String, Vec<PortEndpoints>, FastHash>, FastHash>,
}

#[derive(Debug)]
struct PortEndpoints {
    port: u16,
    udp: bool,
    targets: Arc<[Target]>,
}

impl Endpoints {
    fn build(resources: &gatewise::Resources) -> Endpoints {
        let mut out = Endpoints::default();
        for service in &resources.services {
            for p in &service.spec.ports {
                let Some(port) = p.port.and_then(|p| u16::try_from(p).ok()) else {
                    continue;
                };
                let protocol = p.protocol.as_deref().unwrap_or("TCP");
                if !matches!(protocol, "TCP" | "UDP") {
                    continue;
                }
                let backend = ServiceBackend {
                    namespace: service.meta.namespace.clone(),
                    name: service.meta.name.clone(),
                    port,
                    app_protocol: None,
                };
                let targets: Vec<Target> = resources
                    .ready_endpoints(&backend, protocol)
                    .into_iter()
                    .map(|e| target(&e.address, e.port))
                    .collect();
                out.insert(&backend, protocol == "UDP", targets.into());
            }
        }
        out
    }

    fn insert(&mut self, backend: &ServiceBackend, udp: bool, targets: Arc<[Target]>) {
        let ports = self
            .map
            .entry(backend.namespace.clone())
            .or_default()
            .entry(backend.name.clone())
            .or_default();
        ports.retain(|p| !(p.port == backend.port && p.udp == udp));
        ports.push(PortEndpoints {
            port: backend.port,
            udp,
            targets,
        });
    }

    /// The ready endpoints of a Service port.
    pub(crate) fn get(&self, backend: &ServiceBackend, udp: bool) -> &[Target] {
        self.map
            .get(&backend.namespace)
            .and_then(|m| m.get(&backend.name))
            .and_then(|ports| {
                ports
                    .iter()
                    .find(|p| p.port == backend.port && p.udp == udp)
            })
            .map_or(&[], |p| &p.targets)
    }

    /// One ready endpoint, chosen at random.
    pub(crate) fn pick(&self, backend: &ServiceBackend, udp: bool) -> Option<&Target> {
        let targets = self.get(backend, udp);
        if targets.is_empty() {
            None
        } else {
            targets.get(fastrand::usize(..targets.len()))
        }
    }

    /// Service ports (TCP) with no ready endpoint.
    pub(crate) fn missing_tcp(&self) -> Vec<ServiceBackend> {
        let mut out = Vec::new();
        for (ns, names) in &self.map {
            for (name, ports) in names {
                for p in ports.iter().filter(|p| !p.udp && p.targets.is_empty()) {
                    out.push(ServiceBackend {
                        namespace: ns.clone(),
                        name: name.clone(),
                        port: p.port,
                        app_protocol: None,
                    });
                }
            }
        }
        out.sort_by(|a, b| (&a.namespace, &a.name, a.port).cmp(&(&b.namespace, &b.name, b.port)));
        out
    }

    /// Serves a Service port from `addr` (echo mode).
    pub(crate) fn set_local(&mut self, backend: &ServiceBackend, addr: SocketAddr) {
        self.insert(
            backend,
            false,
            Arc::from(vec![Target {
                authority: addr.to_string().into(),
                addr: Some(addr),
            }]),
        );
    }
}

fn target(address: &str, port: u16) -> Target {
    match address.parse::<std::net::IpAddr>() {
        Ok(ip) => {
            let addr = SocketAddr::new(ip, port);
            Target {
                authority: addr.to_string().into(),
                addr: Some(addr),
            }
        }
        Err(_) => Target {
            authority: format!("{address}:{port}").into(),
            addr: None,
        },
    }
}

/// One served configuration.
pub(crate) struct Snapshot {
    /// Counts successful loads from 1.
    pub(crate) generation: u64,
    pub(crate) compiled: Compiled,
    pub(crate) endpoints: Endpoints,
    pub(crate) sockets: BTreeMap<SocketKey, SocketPlan>,
    /// TLS configurations by listener.
    pub(crate) tls: HashMap<tls::ListenerKey, ListenerTls>,
    /// Problems that do not refuse the configuration (a port two Gateways claim,
    /// a certificate rustls cannot use), logged when it is swapped in.
    pub(crate) warnings: Vec<String>,
    /// A hash of the input files, to skip reloads that change nothing.
    pub(crate) fingerprint: u64,
    /// Request metric series resolved in this configuration (see
    /// [`Snapshot::series`]).
    series: Mutex<HashMap<SeriesKey, Arc<Series>, FastHash>>,
}

/// A series' labels by the addresses and lengths of the strings they are made
/// of (the Gateway label in a [`SocketPlan`], the route's kind, namespace and
/// name in the router) and the address of the Service backend (in the router).
/// All of them stay where they are, unchanged, while the snapshot lives, so
/// equal keys mean equal labels; a key costs no string hashing or comparing.
type SeriesKey = [usize; 9];

/// Hashes a word at a time, without SipHash's protection: for keys that come
/// from this process's configuration, not from clients (a [`SeriesKey`], an
/// endpoint's address).
#[derive(Default)]
pub(crate) struct AddrHasher(u64);

impl std::hash::Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_ne_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

fn addr_len(s: &str) -> [usize; 2] {
    [s.as_ptr() as usize, s.len()]
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("generation", &self.generation)
            .field("sockets", &self.sockets)
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    /// An empty configuration (before the first load): serves nothing.
    pub(crate) fn empty() -> Snapshot {
        let loaded = Loader::new().finish();
        Snapshot {
            generation: 0,
            compiled: Router::compile(&loaded.resources, &Options::default()),
            endpoints: Endpoints::default(),
            sockets: BTreeMap::new(),
            tls: HashMap::new(),
            warnings: Vec::new(),
            fingerprint: 0,
            series: Mutex::default(),
        }
    }

    /// The metric series of requests answered for `gateway` (a
    /// [`SocketPlan::label`] of this snapshot) by the route `route` (from this
    /// snapshot's router; `None`: the gateway answered without one) and sent to
    /// `service` (from this snapshot's router), resolved in the metrics once per
    /// configuration and combination.
    pub(crate) fn series(
        &self,
        metrics: &Metrics,
        gateway: &str,
        route: Option<&Matched<'_>>,
        service: Option<&ServiceBackend>,
    ) -> Arc<Series> {
        let (kind, namespace, name) = route.map_or(("", "", ""), |m| {
            (m.route_kind, m.route_namespace, m.route_name)
        });
        let [g0, g1] = addr_len(gateway);
        let [k0, k1] = addr_len(kind);
        let [n0, n1] = addr_len(namespace);
        let [r0, r1] = addr_len(name);
        let b = service.map_or(0, |s| std::ptr::from_ref(s) as usize);
        let key: SeriesKey = [g0, g1, k0, k1, n0, n1, r0, r1, b];
        let mut cache = self
            .series
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = cache.get(&key) {
            return s.clone();
        }
        let route_label = if route.is_some() {
            crate::http::route_label(kind, namespace, name)
        } else {
            String::new()
        };
        let backend_label = service.map(crate::http::backend_label).unwrap_or_default();
        let series = metrics.series(SeriesLabels {
            gateway,
            route: &route_label,
            backend: &backend_label,
        });
        cache.insert(key, series.clone());
        series
    }

    pub(crate) fn router(&self) -> &Router {
        self.compiled.router()
    }

    /// The socket `key`'s owner.
    pub(crate) fn socket(&self, key: SocketKey) -> Option<&SocketPlan> {
        self.sockets.get(&key)
    }
}

/// The input files of `paths`, sorted, with their text.
pub(crate) fn read_inputs(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, ConfigError> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut files, &mut problems),
            Ok(_) => files.push(path.clone()),
            Err(e) => problems.push(format!("cannot read {}: {e}", path.display())),
        }
    }
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => out.push((file, text)),
            Err(e) => problems.push(format!("cannot read {}: {e}", file.display())),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ConfigError { problems })
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(format!("cannot read {}: {e}", dir.display()));
            return;
        }
    };
    for entry in entries {
        let path = match entry {
            Ok(e) => e.path(),
            Err(e) => {
                problems.push(format!("cannot read {}: {e}", dir.display()));
                continue;
            }
        };
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out, problems);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(path);
        }
    }
}

/// A hash of the inputs (names and text).
pub(crate) fn fingerprint(inputs: &[(PathBuf, String)]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    inputs.hash(&mut h);
    h.finish()
}

/// Loads and compiles `inputs`. A configuration with a document that cannot be
/// read or an object the API server would refuse is refused whole: the gateway
/// keeps serving the last good one rather than a part of the new one.
pub(crate) fn build(
    config: &Config,
    inputs: &[(PathBuf, String)],
    generation: u64,
) -> Result<Snapshot, ConfigError> {
    let mut loader = Loader::new();
    for (path, text) in inputs {
        loader.add_str(&path.display().to_string(), text);
    }
    let loaded = loader.finish();
    let mut problems: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    problems.extend(loaded.rejections.iter().map(ToString::to_string));
    if !problems.is_empty() {
        return Err(ConfigError { problems });
    }
    let options = Options::with_controller_name(config.controller_name.clone());
    let compiled = Router::compile(&loaded.resources, &options);
    let mut warnings: Vec<String> = loaded
        .warnings
        .iter()
        .map(|w| format!("{} ({}): {}: {}", w.object, w.location, w.field, w.message))
        .collect();
    let sockets = plan(config, compiled.router(), &mut warnings);
    let tls = tls::build_all(compiled.router(), &sockets, &mut warnings);
    Ok(Snapshot {
        generation,
        endpoints: Endpoints::build(&loaded.resources),
        compiled,
        sockets,
        tls,
        warnings,
        fingerprint: fingerprint(inputs),
        series: Mutex::default(),
    })
}

/// The sockets the served Gateways' programmed listeners need.
fn plan(
    config: &Config,
    router: &Router,
    warnings: &mut Vec<String>,
) -> BTreeMap<SocketKey, SocketPlan> {
    let mut sockets: BTreeMap<SocketKey, SocketPlan> = BTreeMap::new();
    for (ns, name) in router.gateways() {
        let wanted =
            config.gateways.is_empty() || config.gateways.iter().any(|(n, g)| n == ns && g == name);
        if !wanted {
            continue;
        }
        for l in router.listeners(ns, name) {
            let Some(protocol) = l.protocol.filter(|_| l.programmed) else {
                warnings.push(format!(
                    "listener {} of Gateway {ns}/{name} is not programmed (see its status): not served",
                    l.name
                ));
                continue;
            };
            let (transport, kind) = match protocol {
                Protocol::Http => (Transport::Tcp, SocketKind::Http),
                Protocol::Https | Protocol::Tls => (Transport::Tcp, SocketKind::Tls),
                Protocol::Tcp => (Transport::Tcp, SocketKind::Tcp),
                Protocol::Udp => (Transport::Udp, SocketKind::Udp),
            };
            let Some(port) = config.socket_port(l.port) else {
                warnings.push(format!(
                    "listener {} of Gateway {ns}/{name}: port {} shifted by {} is out of range; not served",
                    l.name, l.port, config.port_offset
                ));
                continue;
            };
            let key = SocketKey { transport, port };
            match sockets.get(&key) {
                None => {
                    sockets.insert(
                        key,
                        SocketPlan {
                            kind,
                            namespace: ns.to_owned(),
                            gateway: name.to_owned(),
                            label: format!("{ns}/{name}"),
                            listener_port: l.port,
                        },
                    );
                }
                Some(owner) if owner.namespace == ns && owner.gateway == name => {
                    if owner.kind != kind {
                        warnings.push(format!(
                            "listener {} of Gateway {ns}/{name}: port {} already serves another protocol; not served",
                            l.name, l.port
                        ));
                    }
                }
                Some(owner) => warnings.push(format!(
                    "listener {} of Gateway {ns}/{name}: port {port} is already served by Gateway {}/{}; not served",
                    l.name, owner.namespace, owner.gateway
                )),
            }
        }
    }
    if sockets.is_empty() {
        warnings.push(format!(
            "no programmed listener of a Gateway of controller {}: nothing to serve",
            config.controller_name
        ));
    }
    sockets
}
