//! `gatewise serve` as a process: the README's curl commands on the bundled
//! example, SIGHUP reload, SIGTERM drain, and `accept` failing for lack of file
//! descriptors (EMFILE) without spinning. Requests go over plain `std` sockets;
//! every wait is bounded generously.

#![cfg(unix)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_gatewise");
const PATIENCE: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[track_caller]
fn must<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e:?}"),
    }
}

fn free_port() -> u16 {
    let l = must(TcpListener::bind("127.0.0.1:0"), "bind");
    must(l.local_addr(), "addr").port()
}

/// A `gatewise serve` process, killed if the test ends early.
struct Serve {
    child: Child,
    admin: SocketAddr,
}

impl Serve {
    fn start(args: &[&str], dir: &Path, shell_prefix: Option<&str>) -> Serve {
        Serve::start_logging(args, dir, shell_prefix, None)
    }

    /// As [`Serve::start`], with stderr (the logs) written to `log`.
    fn start_logging(
        args: &[&str],
        dir: &Path,
        shell_prefix: Option<&str>,
        log: Option<&Path>,
    ) -> Serve {
        let stderr = || match log {
            Some(p) => Stdio::from(must(std::fs::File::create(p), "log file")),
            None => Stdio::null(),
        };
        let admin_port = free_port();
        let admin = SocketAddr::from(([127, 0, 0, 1], admin_port));
        let mut all: Vec<String> = vec!["serve".into()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        all.extend([
            "--bind".into(),
            "127.0.0.1".into(),
            "--admin".into(),
            admin.to_string(),
        ]);
        let child = match shell_prefix {
            None => Command::new(BIN)
                .args(&all)
                .current_dir(dir)
                .stdout(Stdio::null())
                .stderr(stderr())
                .spawn(),
            Some(prefix) => {
                let quoted: Vec<String> = all.iter().map(|a| format!("'{a}'")).collect();
                Command::new("sh")
                    .arg("-c")
                    .arg(format!("{prefix}; exec '{BIN}' {}", quoted.join(" ")))
                    .current_dir(dir)
                    .stdout(Stdio::null())
                    .stderr(stderr())
                    .spawn()
            }
        };
        let serve = Serve {
            child: must(child, "spawn gatewise serve"),
            admin,
        };
        serve.wait_ready();
        serve
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            if http(self.admin, "GET", "admin", "/readyz", &[]).is_ok_and(|a| a.status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("gatewise serve not ready within {PATIENCE:?}");
    }

    fn signal(&self, name: &str) {
        // The shell's own `kill` (no procps needed on a minimal machine).
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("kill -{name} {}", self.child.id()))
            .status();
        assert!(must(status, "kill").success());
    }

    /// Waits for the process to exit; its exit code.
    fn wait_exit(&mut self) -> Option<i32> {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("gatewise serve did not exit within {PATIENCE:?}");
    }

    fn metric(&self, prefix: &str) -> f64 {
        let text = must(http(self.admin, "GET", "admin", "/metrics", &[]), "metrics").body;
        text.lines()
            .find_map(|l| l.strip_prefix(prefix).and_then(|r| r.trim().parse().ok()))
            .unwrap_or(0.0)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }

    fn json(&self) -> serde_json::Value {
        must(serde_json::from_str(&self.body), "json body")
    }
}

/// One HTTP/1.1 request with `Connection: close`.
fn http(
    addr: SocketAddr,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<Answer> {
    let mut tcp = TcpStream::connect_timeout(&addr, PATIENCE)?;
    tcp.set_read_timeout(Some(PATIENCE))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut answer = Answer {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    };
    if answer
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        answer.body = dechunk(body);
    }
    Ok(answer)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// The README's curl commands, as written there, and what each shows.
const README_CURLS: [&str; 5] = [
    "curl -s -H 'Host: blog.example.com' localhost:8080/",
    "curl -s -H 'Host: shop.example.com' localhost:8080/api/v2/cart",
    "curl -s -H 'Host: shop.example.com' -H 'x-canary: true' localhost:8080/api/v2/cart",
    "curl -si -H 'Host: shop.example.com' localhost:8080/old-cart",
    "for i in $(seq 100); do curl -s -H 'Host: shop.example.com' localhost:8080/; done",
];

#[test]
fn readme_main_command_answers_the_readme_curl_commands() {
    let readme = must(std::fs::read_to_string(root().join("README.md")), "README");
    assert!(
        readme.contains("cargo run -q -p gatewise-cli -- serve examples --port-offset 8000 --echo")
    );
    for curl in README_CURLS {
        assert!(readme.contains(curl), "the README no longer shows {curl:?}");
    }
    // The README's command, on another port (80 + offset).
    let port = free_port();
    let offset = (i32::from(port) - 80).to_string();
    let serve = Serve::start(
        &["examples", "--port-offset", &offset, "--echo", "--no-watch"],
        &root(),
        None,
    );
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let get = |host: &str, path: &str, headers: &[(&str, &str)]| {
        must(http(addr, "GET", host, path, headers), "request")
    };
    // Host.
    let blog = get("blog.example.com", "/", &[]).json();
    assert_eq!(blog["service"], "shop/blog:8080");
    // Path, with the route's request header.
    let api = get("shop.example.com", "/api/v2/cart", &[]).json();
    assert_eq!(api["service"], "shop/api:8080");
    assert_eq!(api["headers"]["x-gateway"], "gatewise");
    assert_eq!(api["path"], "/api/v2/cart");
    // Header.
    let canary = get("shop.example.com", "/api/v2/cart", &[("x-canary", "true")]).json();
    assert_eq!(canary["service"], "shop/api-canary:8080");
    // Redirect.
    let old = get("shop.example.com", "/old-cart", &[]);
    assert_eq!(old.status, 301);
    assert_eq!(
        old.header("location").as_deref(),
        Some("http://shop.example.com/cart")
    );
    // Weighted split (90/10): 200 requests, wide bounds.
    let mut v1 = 0;
    let mut v2 = 0;
    for _ in 0..200 {
        match get("shop.example.com", "/", &[]).json()["service"].as_str() {
            Some("shop/store-v1:8080") => v1 += 1,
            Some("shop/store-v2:8080") => v2 += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        (150..=199).contains(&v1) && v2 >= 1,
        "store-v1 {v1}, store-v2 {v2}"
    );
    // The admin endpoints the README shows.
    assert!(serve.metric("gatewise_requests_total{gateway=\"infra/gateway\",route=\"HTTPRoute/shop/store\",backend=\"shop/store-v1:8080\",code=\"200\"}") >= 150.0);
    let status = must(http(serve.admin, "GET", "admin", "/status", &[]), "status");
    assert!(
        status.body.contains("\"kind\": \"Gateway\""),
        "{}",
        status.body
    );
}

const SMALL: &str = "apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners: [{name: http, port: PORT, protocol: HTTP}]
";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gatewise-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    must(std::fs::create_dir_all(&dir), "temp dir");
    dir
}

#[test]
fn sighup_reloads_and_sigterm_drains_then_exits_zero() {
    sighup_and_sigterm("signals", &[]);
}

/// The same on one thread (`--workers 1`: the current-thread runtime): the
/// echo backends, the reload's blocking task and the drain all still run.
#[test]
fn one_worker_serves_reloads_and_drains() {
    sighup_and_sigterm("signals-one-worker", &["--workers", "1"]);
}

#[test]
fn workers_zero_is_refused() {
    let out = must(
        Command::new(env!("CARGO_BIN_EXE_gatewise"))
            .args(["serve", "x.yaml", "--workers", "0"])
            .output(),
        "run",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--workers"), "{err}");
}

fn sighup_and_sigterm(name: &str, extra: &[&str]) {
    let port = free_port();
    let dir = temp_dir(name);
    let manifests = SMALL.replace("PORT", &port.to_string());
    must(std::fs::write(dir.join("gw.yaml"), &manifests), "write");
    let mut args = vec!["gw.yaml", "--echo", "--no-watch"];
    args.extend_from_slice(extra);
    let mut serve = Serve::start(&args, &dir, None);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    assert_eq!(
        must(http(addr, "GET", "x.example.com", "/", &[]), "get").status,
        404
    );
    // Add a route; without a watcher only SIGHUP picks it up.
    let route = "---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: infra}
spec: {ports: [{port: 80}]}
";
    must(
        std::fs::write(dir.join("gw.yaml"), format!("{manifests}{route}")),
        "write",
    );
    serve.signal("HUP");
    let started = Instant::now();
    loop {
        let a = must(http(addr, "GET", "x.example.com", "/slow", &[]), "get");
        if a.status == 200 {
            assert_eq!(a.json()["service"], "infra/web:80");
            break;
        }
        assert!(started.elapsed() < PATIENCE, "SIGHUP did not reload");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        serve.metric("gatewise_reloads_total{result=\"success\"}"),
        2.0
    );
    // SIGTERM: stops accepting and exits 0 once drained.
    serve.signal("TERM");
    assert_eq!(serve.wait_exit(), Some(0));
    assert!(TcpStream::connect(addr).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn accept_backs_off_when_file_descriptors_run_out() {
    let port = free_port();
    let dir = temp_dir("emfile");
    must(
        std::fs::write(
            dir.join("gw.yaml"),
            SMALL.replace("PORT", &port.to_string()),
        ),
        "write",
    );
    // A low descriptor limit for the gateway only.
    let serve = Serve::start(
        &["gw.yaml", "--no-watch", "--header-read-timeout", "60s"],
        &dir,
        Some("ulimit -n 64"),
    );
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    // Hold more connections than the gateway has descriptors: the last ones wait
    // in the accept queue while `accept` fails with EMFILE.
    let mut held = Vec::new();
    for _ in 0..100 {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
            Ok(tcp) => held.push(tcp),
            Err(_) => break,
        }
    }
    assert!(held.len() > 64, "only {} connections", held.len());
    // Keep the table full for a while: a spinning accept loop would fail
    // thousands of times; backing off (10 ms doubling to 1 s) fails a handful.
    std::thread::sleep(Duration::from_millis(1500));
    drop(held);
    // Recovered: served again (a 404 from the gateway itself).
    let started = Instant::now();
    loop {
        if http(addr, "GET", "x.example.com", "/", &[]).is_ok_and(|a| a.status == 404) {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "not serving after the descriptors came back"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let errors = serve.metric("gatewise_accept_errors_total");
    eprintln!("accept errors while descriptors ran out (~1.5 s): {errors}");
    assert!(
        errors >= 1.0,
        "no accept error recorded: the limit was not reached"
    );
    assert!(
        errors < 100.0,
        "{errors} accept errors in ~1.5 s: not backing off"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_logs_are_one_object_per_line_with_access_logs() {
    let port = free_port();
    let dir = temp_dir("logs");
    must(
        std::fs::write(
            dir.join("gw.yaml"),
            SMALL.replace("PORT", &port.to_string()),
        ),
        "write",
    );
    let log = dir.join("gatewise.log");
    let mut serve = Serve::start_logging(
        &["gw.yaml", "--no-watch", "--log-format", "json"],
        &dir,
        None,
        Some(&log),
    );
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    assert_eq!(
        must(http(addr, "GET", "x.example.com", "/logged", &[]), "get").status,
        404
    );
    serve.signal("TERM");
    assert_eq!(serve.wait_exit(), Some(0));
    let text = must(std::fs::read_to_string(&log), "read log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| match serde_json::from_str(l) {
            Ok(v) => v,
            Err(e) => panic!("not a JSON log line ({e}): {l}"),
        })
        .collect();
    assert!(
        lines.iter().any(|l| l["message"] == "configuration loaded"),
        "{text}"
    );
    let access = lines
        .iter()
        .find(|l| l["target"] == "gatewise::access")
        .unwrap_or_else(|| panic!("no access log in {text}"));
    assert_eq!(access["status"], 404);
    assert_eq!(access["path"], "/logged");
    assert_eq!(access["gateway"], "infra/gw");
    let _ = std::fs::remove_dir_all(&dir);
}
