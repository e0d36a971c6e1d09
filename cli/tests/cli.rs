//! The built `gatewise` binary against small manifests in a temp dir.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_gatewise");

const GOOD: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners:
    - {name: http, port: 80, protocol: HTTP}
---
apiVersion: v1
kind: Service
metadata: {name: v1, namespace: infra}
spec: {ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: v1, port: 8080}]}]
"#;

const BAD_ROUTE: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: broken-redirect, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules:
    - filters: [{type: RequestRedirect, requestRedirect: {statusCode: 302}}]
      backendRefs: [{name: v1, port: 8080}]
"#;

fn temp_dir(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("gatewise-cli-{label}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).expect("temp file is writable");
}

fn gatewise(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the gatewise binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

#[test]
fn check_exits_zero_on_a_good_set() {
    let dir = temp_dir("check-good");
    write(&dir, "all.yaml", GOOD);
    let o = gatewise(&["check", path(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("KIND"), "{out}");
    assert!(out.contains("HTTPRoute"), "{out}");
}

#[test]
fn check_exits_one_and_names_a_rejected_object() {
    let dir = temp_dir("check-bad");
    write(&dir, "all.yaml", GOOD);
    write(&dir, "bad.yaml", BAD_ROUTE);
    let o = gatewise(&["check", path(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("rejected: HTTPRoute infra/broken-redirect"),
        "{out}"
    );
    assert!(out.contains("bad.yaml"), "{out}");
}

#[test]
fn check_json_holds_the_routes_parents() {
    let dir = temp_dir("check-json");
    write(&dir, "all.yaml", GOOD);
    let o = gatewise(&["check", path(&dir), "-o", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("check -o json is JSON");
    let route = v["status"]
        .as_array()
        .expect("status is a list")
        .iter()
        .find(|o| o["kind"] == "HTTPRoute")
        .expect("the route has status");
    let parent = &route["status"]["parents"][0];
    assert_eq!(parent["parentRef"]["name"], "gw");
    assert_eq!(parent["controllerName"], "gatewise.dev/gateway-controller");
    assert!(v["rejected"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn check_yaml_prints_status() {
    let dir = temp_dir("check-yaml");
    write(&dir, "all.yaml", GOOD);
    let o = gatewise(&["check", path(&dir), "-o", "yaml"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("status: \"True\""), "{out}");
    assert!(out.contains("kind: HTTPRoute"), "{out}");
}

#[test]
fn check_names_an_unreadable_path() {
    let dir = temp_dir("check-missing");
    let missing = dir.join("nope.yaml");
    let o = gatewise(&["check", path(&missing)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nope.yaml"), "{err}");
}

#[test]
fn route_prints_the_backend() {
    let dir = temp_dir("route");
    write(&dir, "all.yaml", GOOD);
    let o = gatewise(&[
        "route",
        path(&dir),
        "--gateway",
        "infra/gw",
        "--path",
        "/x?a=1",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("infra/v1:8080"), "{out}");
    assert!(out.contains("infra/r"), "{out}");
}

#[test]
fn route_json_parses_and_explain_wraps_it() {
    let dir = temp_dir("route-json");
    write(&dir, "all.yaml", GOOD);
    let o = gatewise(&["route", path(&dir), "--gateway", "infra/gw", "-o", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("route -o json is JSON");
    assert_eq!(v["kind"], "forward");
    assert_eq!(v["backends"][0]["name"], "v1");
    let o = gatewise(&[
        "route",
        path(&dir),
        "--gateway",
        "infra/gw",
        "-o",
        "json",
        "--explain",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("route -o json is JSON");
    assert_eq!(v["decision"]["kind"], "forward");
    assert!(v.get("explanation").is_some());
}

#[test]
fn route_with_no_match_is_a_decision_and_bad_gateway_is_usage() {
    let dir = temp_dir("route-none");
    write(&dir, "all.yaml", GOOD);
    let o = gatewise(&["route", path(&dir), "--gateway", "infra/gw", "--port", "81"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = gatewise(&["route", path(&dir), "--gateway", "gw"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn fixtures_exit_codes_follow_the_format() {
    let dir = temp_dir("fixtures");
    write(&dir, "base.yaml", GOOD);
    write(
        &dir,
        "pass.yaml",
        "name: pass\ninclude: [base.yaml]\nrequests:\n  - name: root\n    gateway: infra/gw\n    expect: {backend: {name: v1, port: 8080}}\n",
    );
    let o = gatewise(&["fixtures", path(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).ends_with("1 passed, 0 failed, 0 skipped\n"));

    write(
        &dir,
        "fail.yaml",
        "name: fail\nfeatures: [Special]\ninclude: [base.yaml]\nrequests:\n  - name: wrong\n    gateway: infra/gw\n    expect: {status: 404}\n",
    );
    let o = gatewise(&["fixtures", path(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("wrong"));

    let o = gatewise(&["fixtures", path(&dir), "-o", "json"]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.last().expect("a summary")["failed"], 1);
    assert!(
        lines
            .iter()
            .any(|l| l["case"] == "wrong" && l["kind"] == "request")
    );

    // `fail` needs a feature outside the set: skipped; `pass` needs none: runs.
    let o = gatewise(&["fixtures", path(&dir), "--features", "Other,More"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).ends_with("1 passed, 0 failed, 1 skipped\n"));

    write(&dir, "typo.yaml", "name: typo\nrequets: []\nstatus: []\n");
    let o = gatewise(&["fixtures", path(&dir)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("typo.yaml"));
}

const ALL_KINDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/all-kinds.yaml");

#[test]
fn check_shows_every_route_kind_and_listener_sets() {
    let o = gatewise(&["check", ALL_KINDS]);
    let out = stdout(&o);
    for needle in [
        "GRPCRoute",
        "TLSRoute",
        "TCPRoute",
        "UDPRoute",
        "ListenerSet",
        "extra/clash",
        "HostnameConflict",
        "NotAllowedByListeners",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
    // The conflicting ListenerSet listener and the losing HTTPRoute are not accepted.
    assert_eq!(o.status.code(), Some(1), "{out}");
}

#[test]
fn route_answers_grpc_tls_tcp_and_udp_with_explanations() {
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "--protocol",
                "GRPC",
                "--host",
                "grpc.example.com",
                "--grpc",
                "a.B/Get",
            ],
            "infra/g1:50051",
        ),
        (
            &[
                "--protocol",
                "grpc",
                "--host",
                "grpc.example.com",
                "--grpc",
                "a.B/Put",
            ],
            "infra/g2:50051",
        ),
        (
            &[
                "--protocol",
                "GRPC",
                "--host",
                "grpc.example.com",
                "--grpc",
                "x.Y/Z",
            ],
            "grpc-status 12",
        ),
        (
            &["--protocol", "TLS", "--sni", "db.example.com"],
            "refuse the connection",
        ),
        (
            &["--protocol", "TCP", "--port", "5432"],
            "TCPRoute infra/pg",
        ),
        (&["--protocol", "UDP", "--port", "53"], "UDPRoute infra/dns"),
    ];
    for (args, want) in cases {
        let mut all = vec!["route", ALL_KINDS, "--gateway", "infra/gw", "--explain"];
        all.extend_from_slice(args);
        let o = gatewise(&all);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {out}");
        assert!(out.contains(want), "{args:?}: expected {want:?} in:\n{out}");
        assert!(
            out.contains("candidates in precedence order") || out.contains("404"),
            "{out}"
        );
    }
    let o = gatewise(&[
        "route",
        ALL_KINDS,
        "--gateway",
        "infra/gw",
        "--protocol",
        "TCP",
    ]);
    assert_eq!(o.status.code(), Some(2), "TCP needs a port");
}
