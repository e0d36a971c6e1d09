//! What `gatewise serve` is told: inputs, addresses and limits.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// How the gateway runs. Build with [`Config::new`] and adjust the fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Manifest files and folders (folders are read recursively for `*.yaml`,
    /// `*.yml` and `*.json`, skipping entries whose name starts with `.`, such as a
    /// ConfigMap volume's `..data`).
    pub paths: Vec<PathBuf>,
    /// The address every listener socket binds (default: all IPv4 interfaces).
    pub bind: IpAddr,
    /// Added to every listener port to get the socket's port, so that a user
    /// without privileges can serve a Gateway listening on 80 and 443.
    pub port_offset: i32,
    /// The admin listener (`/healthz`, `/readyz`, `/metrics`, `/status`); `None`
    /// for none.
    pub admin: Option<SocketAddr>,
    /// GatewayClasses with this `controllerName` are served.
    pub controller_name: String,
    /// Serve only these Gateways (`namespace`, `name`); empty: every Gateway of
    /// our GatewayClasses.
    pub gateways: Vec<(String, String)>,
    /// Watch the input paths and reload on change (SIGHUP reloads regardless).
    pub watch: bool,
    /// How long the watcher waits for more changes before reloading.
    pub reload_debounce: Duration,
    /// Demo mode: every Service port with no ready endpoint is served by a
    /// built-in echo backend on the loopback interface, which answers with JSON
    /// naming the Service and describing the request it received.
    pub echo: bool,
    /// Limits and timeouts.
    pub limits: Limits,
}

impl Config {
    /// Defaults for serving `paths`.
    pub fn new(paths: Vec<PathBuf>) -> Self {
        Config {
            paths,
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port_offset: 0,
            admin: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 9901))),
            controller_name: gatewise::DEFAULT_CONTROLLER_NAME.to_owned(),
            gateways: Vec::new(),
            watch: true,
            reload_debounce: Duration::from_millis(50),
            echo: false,
            limits: Limits::default(),
        }
    }

    /// The socket port for a listener port, or `None` when the offset takes it
    /// out of range.
    pub fn socket_port(&self, listener_port: u16) -> Option<u16> {
        u16::try_from(i64::from(listener_port) + i64::from(self.port_offset))
            .ok()
            .filter(|p| *p != 0)
    }
}

/// Limits on clients and backends.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request head (request line and headers) in bytes; more: 431. For
    /// HTTP/1.1 at least 8192 (hyper's smallest read buffer); for HTTP/2 the
    /// `SETTINGS_MAX_HEADER_LIST_SIZE`.
    pub max_header_bytes: usize,
    /// Most request headers (HTTP/1.1); more: 431.
    pub max_headers: usize,
    /// A client must send a complete request head (and a TLS ClientHello) within
    /// this time after connecting or after its previous request (slowloris).
    pub header_read_timeout: Duration,
    /// An HTTP connection with no request in flight and no bytes moving for this
    /// long is closed gracefully (a response being streamed finishes first).
    pub idle_timeout: Duration,
    /// A TCP or TLS stream with no bytes moving either way for this long is closed.
    pub stream_idle_timeout: Duration,
    /// Most client connections open at once, over every listener; more wait in
    /// the kernel's accept queue.
    pub max_connections: usize,
    /// On shutdown, in-flight requests and streams get this long to finish.
    pub drain_timeout: Duration,
    /// Connecting to a backend endpoint.
    pub connect_timeout: Duration,
    /// Mirrored requests in flight at once; beyond that a mirror copy is dropped
    /// (never delaying the primary request).
    pub max_mirrors_in_flight: usize,
    /// A mirrored request is abandoned after this long.
    pub mirror_timeout: Duration,
    /// A UDP session (one client address) ends after this long without datagrams.
    pub udp_session_idle: Duration,
    /// Most UDP sessions at once per listener; datagrams of new clients beyond
    /// this are dropped.
    pub max_udp_sessions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            stream_idle_timeout: Duration::from_secs(3600),
            max_connections: 10_000,
            drain_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            max_mirrors_in_flight: 256,
            mirror_timeout: Duration::from_secs(30),
            udp_session_idle: Duration::from_secs(60),
            max_udp_sessions: 10_000,
        }
    }
}
