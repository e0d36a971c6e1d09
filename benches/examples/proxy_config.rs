//! Writes the proxy comparison's configurations (`benches/proxy/run.sh` calls
//! this): the same host and path rules for gatewise, nginx and haproxy, and the
//! requests to load them with.
//!
//! ```sh
//! cargo run --release -p gatewise-benches --example proxy_config -- \
//!     DIR HOSTS ROUTES_PER_HOST GATEWISE_PORT H1_PORT H2_PORT BACKEND_PORT
//! ```
//!
//! Files: `gatewise.yaml`; `nginx.conf`; `haproxy.cfg` with `hosts.map`,
//! `wildcards.map`, `exact.map`, `prefix.map`; `requests.lua` (wrk, every
//! hostname); `h2load-host` and `h2load-paths` (h2load sends one `:authority`,
//! so its requests go to the first hostname's routes); `check` (host and path
//! per line, for a correctness check with curl).

use std::path::Path;
use std::process::ExitCode;

use gatewise_benches::proxy::{ProxyRules, wrk_lua};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, hosts, per_host, gw_port, h1, h2, backend] = args.as_slice() else {
        eprintln!(
            "usage: proxy_config DIR HOSTS ROUTES_PER_HOST GATEWISE_PORT H1_PORT H2_PORT BACKEND_PORT"
        );
        return ExitCode::from(2);
    };
    let number = |s: &str, what: &str| -> Result<u16, String> {
        s.parse()
            .map_err(|_| format!("{what}: not a number: {s:?}"))
    };
    let parsed = (|| {
        Ok::<_, String>((
            number(hosts, "HOSTS")?,
            number(per_host, "ROUTES_PER_HOST")?,
            number(gw_port, "GATEWISE_PORT")?,
            number(h1, "H1_PORT")?,
            number(h2, "H2_PORT")?,
            number(backend, "BACKEND_PORT")?,
        ))
    })();
    let (hosts, per_host, gw_port, h1_port, h2_port, backend) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("proxy_config: {e}");
            return ExitCode::from(2);
        }
    };
    let rules = ProxyRules::new(usize::from(hosts), usize::from(per_host));
    let dir_path = Path::new(dir);
    let requests = rules.requests(4_000.max(rules.hostnames.len() * 4));
    let h2 = rules.host_requests(0, 300);
    let h2_paths: String = h2.iter().map(|r| format!("{}\n", r.path)).collect();
    let (haproxy, maps) = rules.haproxy_cfg(dir, h1_port, h2_port, backend);
    let mut files = vec![
        (
            "gatewise.yaml".to_owned(),
            rules.gatewise_yaml(gw_port, backend),
        ),
        (
            "nginx.conf".to_owned(),
            rules.nginx_conf(dir, h1_port, h2_port, backend),
        ),
        ("haproxy.cfg".to_owned(), haproxy),
        ("requests.lua".to_owned(), wrk_lua(&requests)),
        ("h2load-host".to_owned(), format!("{}\n", h2[0].host)),
        ("h2load-paths".to_owned(), h2_paths),
        (
            "check".to_owned(),
            requests
                .iter()
                .take(50)
                .map(|r| format!("{} {}\n", r.host, r.path))
                .collect(),
        ),
    ];
    files.extend(maps);
    for (name, text) in files {
        if let Err(e) = std::fs::write(dir_path.join(&name), text) {
            eprintln!(
                "proxy_config: cannot write {}: {e}",
                dir_path.join(name).display()
            );
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
