//! Equivalent gatewise, nginx and haproxy configurations for the proxy
//! comparison (`benches/proxy/run.sh`), generated from one list of rules.
//!
//! Every hostname gets `routes_per_host` HTTPRoutes, each with a `PathPrefix`
//! rule (`/{word}-{k}`) and an `Exact` rule (`/{word}-{k}/status`); every rule
//! goes to the same Service, whose one endpoint is the local backend. Every
//! tenth hostname is a wildcard (`*.wN.bench.test`, one or more labels, never
//! the apex, as in the Gateway API).
//!
//! The same rules in each proxy's own idiom, with the Gateway API's meaning:
//!
//! - **nginx**: one `server` per hostname (`server_name` hashes exact and
//!   wildcard names); `location = /p` for `Exact` and for the prefix itself,
//!   `location /p/` for what lies under it (element-wise prefixes, so `/pX` is
//!   not matched); anything else 404, unknown hostnames 404.
//! - **haproxy**: the hostname is looked up in a map (`map_str`, then the
//!   wildcard suffixes with `map_end`, longest first), then `hostname + path`
//!   in a map of exact keys (`map_str`) and of prefixes ending in `/`
//!   (`map_beg`, longest first); no match: 404.
//! - **gatewise**: the HTTPRoutes, the Service and an EndpointSlice for the
//!   backend.

use std::fmt::Write as _;

use serde_json::json;

use crate::workload::{self, MatchDef, PathDef, RouteDef, RuleDef, to_yaml};

/// The Service every rule sends to, in [`workload::GATEWAY_NAMESPACE`].
pub const SERVICE: &str = "backend";
/// Its port (the EndpointSlice maps it to the backend's real port).
pub const SERVICE_PORT: u16 = 80;

/// The rules of one comparison.
#[derive(Debug, Clone)]
pub struct ProxyRules {
    /// The hostnames (`*.x` for wildcards).
    pub hostnames: Vec<String>,
    /// HTTPRoutes per hostname.
    pub routes_per_host: usize,
}

/// One load request: `Host` and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadRequest {
    /// `Host`.
    pub host: String,
    /// Path (no query).
    pub path: String,
}

impl ProxyRules {
    /// `hosts` hostnames with `routes_per_host` routes each.
    pub fn new(hosts: usize, routes_per_host: usize) -> ProxyRules {
        let hostnames = (0..hosts.max(1))
            .map(|h| {
                if h % 10 == 9 {
                    format!("*.w{h}.bench.test")
                } else {
                    format!("h{h}.bench.test")
                }
            })
            .collect();
        ProxyRules {
            hostnames,
            routes_per_host: routes_per_host.max(1),
        }
    }

    fn prefix(k: usize) -> String {
        const WORDS: [&str; 8] = [
            "api", "shop", "cart", "users", "media", "search", "auth", "static",
        ];
        format!("/{}-{k}", WORDS[k % WORDS.len()])
    }

    /// The HTTPRoutes as plain data.
    pub fn routes(&self) -> Vec<RouteDef> {
        let mut out = Vec::new();
        for (h, host) in self.hostnames.iter().enumerate() {
            for k in 0..self.routes_per_host {
                let p = Self::prefix(k);
                let rule = |path: PathDef| RuleDef {
                    matches: vec![MatchDef {
                        path,
                        method: None,
                        headers: Vec::new(),
                        query: Vec::new(),
                    }],
                    backends: vec![(SERVICE.to_owned(), 1)],
                    filters: Vec::new(),
                };
                out.push(RouteDef {
                    namespace: workload::GATEWAY_NAMESPACE.to_owned(),
                    name: format!("h{h}-r{k}"),
                    hostnames: vec![host.clone()],
                    rules: vec![
                        rule(PathDef::PathPrefix(p.clone())),
                        rule(PathDef::Exact(format!("{p}/status"))),
                    ],
                });
            }
        }
        out
    }

    /// Requests spread over every hostname and route: `n` of them, cycling.
    pub fn requests(&self, n: usize) -> Vec<LoadRequest> {
        (0..n).map(|i| self.request(i)).collect()
    }

    /// `n` requests to the hostname at position `h` only, over its routes.
    pub fn host_requests(&self, h: usize, n: usize) -> Vec<LoadRequest> {
        (0..n)
            .map(|j| self.request(h % self.hostnames.len() + j * self.hostnames.len()))
            .collect()
    }

    /// Request `i`: hostname `i % hosts`, then route by route; two in three hit
    /// a prefix, one in three an exact path.
    fn request(&self, i: usize) -> LoadRequest {
        let host = &self.hostnames[i % self.hostnames.len()];
        let host = match host.strip_prefix('*') {
            Some(suffix) => format!("x{i}{suffix}"),
            None => host.clone(),
        };
        let j = i / self.hostnames.len();
        let p = Self::prefix(j % self.routes_per_host);
        let path = if j % 3 == 2 {
            format!("{p}/status")
        } else {
            format!("{p}/items/{i}")
        };
        LoadRequest { host, path }
    }

    /// The manifests `gatewise serve` reads: GatewayClass, Gateway (one `HTTP`
    /// listener on `port`), the routes, the Service and its EndpointSlice.
    pub fn gatewise_yaml(&self, port: u16, backend_port: u16) -> String {
        let ns = workload::GATEWAY_NAMESPACE;
        let mut objects = vec![
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
                   "metadata": {"name": "gatewise"},
                   "spec": {"controllerName": gatewise::DEFAULT_CONTROLLER_NAME}}),
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                   "metadata": {"name": workload::GATEWAY_NAME, "namespace": ns},
                   "spec": {"gatewayClassName": "gatewise", "listeners": [
                       {"name": workload::LISTENER, "port": port, "protocol": "HTTP"}]}}),
            json!({"apiVersion": "v1", "kind": "Service",
                   "metadata": {"name": SERVICE, "namespace": ns},
                   "spec": {"ports": [{"port": SERVICE_PORT, "targetPort": backend_port}]}}),
            json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                   "metadata": {"name": format!("{SERVICE}-1"), "namespace": ns,
                                "labels": {"kubernetes.io/service-name": SERVICE}},
                   "addressType": "IPv4",
                   "ports": [{"name": "", "port": backend_port, "protocol": "TCP"}],
                   "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": true}}]}),
        ];
        for route in self.routes() {
            let mut manifest = workload::route_manifest(&route);
            // The Service port, not the workload's.
            if let Some(rules) = manifest["spec"]["rules"].as_array_mut() {
                for rule in rules {
                    rule["backendRefs"] = json!([{"name": SERVICE, "port": SERVICE_PORT}]);
                }
            }
            objects.push(manifest);
        }
        to_yaml(&objects)
    }

    /// nginx as the proxy under test: one worker, keep-alive to the backend,
    /// HTTP/1.1 on `h1_port` and h2c (prior knowledge) on `h2_port`. `dir`
    /// holds the pid and error log.
    pub fn nginx_conf(&self, dir: &str, h1_port: u16, h2_port: u16, backend_port: u16) -> String {
        let mut c = String::new();
        let _ = write!(
            c,
            "worker_processes 1;\ndaemon off;\npid {dir}/nginx.pid;\nerror_log {dir}/nginx-error.log warn;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n  access_log off;\n  keepalive_requests 1000000;\n  keepalive_timeout 120s;\n  server_names_hash_max_size 65536;\n  server_names_hash_bucket_size 128;\n\
             \x20 client_body_temp_path {dir}/nginx-body;\n  proxy_temp_path {dir}/nginx-proxy;\n\
             \x20 fastcgi_temp_path {dir}/nginx-fastcgi;\n  uwsgi_temp_path {dir}/nginx-uwsgi;\n  scgi_temp_path {dir}/nginx-scgi;\n\
             \x20 upstream backend {{ server 127.0.0.1:{backend_port}; keepalive 256; keepalive_requests 1000000; }}\n\
             \x20 proxy_http_version 1.1;\n  proxy_set_header Connection \"\";\n  proxy_set_header Host $host;\n\
             \x20 server {{ listen 127.0.0.1:{h1_port} default_server; listen 127.0.0.1:{h2_port} default_server http2; return 404; }}\n"
        );
        for host in &self.hostnames {
            let _ = writeln!(
                c,
                "  server {{\n    listen 127.0.0.1:{h1_port};\n    listen 127.0.0.1:{h2_port} http2;\n    server_name {host};\n    location / {{ return 404; }}"
            );
            for k in 0..self.routes_per_host {
                let p = Self::prefix(k);
                let _ = writeln!(
                    c,
                    "    location = {p} {{ proxy_pass http://backend; }}\n    location {p}/ {{ proxy_pass http://backend; }}\n    location = {p}/status {{ proxy_pass http://backend; }}"
                );
            }
            c.push_str("  }\n");
        }
        c.push_str("}\n");
        c
    }

    /// haproxy as the proxy under test: one thread, keep-alive to the backend,
    /// HTTP/1.1 on `h1_port` and h2c on `h2_port`. Returns the configuration
    /// and the map files it names (file name in `dir`, contents).
    pub fn haproxy_cfg(
        &self,
        dir: &str,
        h1_port: u16,
        h2_port: u16,
        backend_port: u16,
    ) -> (String, Vec<(String, String)>) {
        let mut hosts = String::new();
        let mut wild: Vec<&str> = Vec::new();
        for host in &self.hostnames {
            match host.strip_prefix('*') {
                Some(suffix) => wild.push(suffix),
                None => {
                    let _ = writeln!(hosts, "{host} {host}");
                }
            }
        }
        // The longest suffix first: the most specific wildcard wins.
        wild.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let wild: String = wild.iter().map(|s| format!("{s} *{s}\n")).collect();
        let mut exact = String::new();
        let mut prefixes: Vec<String> = Vec::new();
        for route in self.routes() {
            let host = &route.hostnames[0];
            for m in route.rules.iter().flat_map(|r| &r.matches) {
                match &m.path {
                    PathDef::Exact(p) => {
                        let _ = writeln!(exact, "{host}{p} {}", route.name);
                    }
                    PathDef::PathPrefix(p) => {
                        let _ = writeln!(exact, "{host}{p} {}", route.name);
                        prefixes.push(format!("{host}{p}/ {}", route.name));
                    }
                    PathDef::RegularExpression { .. } => {}
                }
            }
        }
        prefixes.sort_by_key(|l| std::cmp::Reverse(l.split(' ').next().unwrap_or("").len()));
        let prefix: String = prefixes.iter().map(|l| format!("{l}\n")).collect();
        let cfg = format!(
            "global\n  nbthread 1\n  maxconn 4096\n  pidfile {dir}/haproxy.pid\n\n\
             defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n\
             \x20 option http-keep-alive\n  http-reuse always\n\n\
             frontend fe\n  bind 127.0.0.1:{h1_port}\n  bind 127.0.0.1:{h2_port} proto h2\n\
             \x20 http-request set-var(txn.host) req.hdr(host),lower,field(1,:),map_str({dir}/hosts.map)\n\
             \x20 http-request set-var(txn.host) req.hdr(host),lower,field(1,:),map_end({dir}/wildcards.map) unless {{ var(txn.host) -m found }}\n\
             \x20 http-request return status 404 unless {{ var(txn.host) -m found }}\n\
             \x20 http-request set-var(txn.path) path\n\
             \x20 http-request set-var(txn.key) var(txn.host),concat(,txn.path,)\n\
             \x20 http-request set-var(txn.route) var(txn.key),map_str({dir}/exact.map)\n\
             \x20 http-request set-var(txn.route) var(txn.key),map_beg({dir}/prefix.map) unless {{ var(txn.route) -m found }}\n\
             \x20 http-request return status 404 unless {{ var(txn.route) -m found }}\n\
             \x20 default_backend be\n\n\
             backend be\n  server s1 127.0.0.1:{backend_port} maxconn 1000\n"
        );
        (
            cfg,
            vec![
                ("hosts.map".into(), hosts),
                ("wildcards.map".into(), wild),
                ("exact.map".into(), exact),
                ("prefix.map".into(), prefix),
            ],
        )
    }
}

/// A wrk script that cycles through `requests` (formatted once per thread).
pub fn wrk_lua(requests: &[LoadRequest]) -> String {
    let mut s = String::from("local list = {\n");
    for r in requests {
        let _ = writeln!(s, "  {{\"{}\", \"{}\"}},", r.host, r.path);
    }
    s.push_str(
        "}\nlocal formatted = {}\nlocal i = 0\n\
         init = function(args)\n  for k, r in ipairs(list) do\n    formatted[k] = wrk.format(\"GET\", r[2], {Host = r[1]})\n  end\nend\n\
         request = function()\n  i = i % #formatted + 1\n  return formatted[i]\nend\n",
    );
    s
}
