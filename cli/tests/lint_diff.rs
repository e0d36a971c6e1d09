//! `gatewise lint` and `gatewise diff` against small manifests in a temp dir.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_gatewise");

const BASE: &str = r#"apiVersion: gateway.networking.k8s.io/v1
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
metadata: {name: web, namespace: infra}
spec: {ports: [{port: 8080}]}
"#;

const ROUTE: &str = r#"---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  hostnames: [shop.example.com]
  rules:
    - matches: [{path: {type: RegularExpression, value: "/.*"}}]
      backendRefs: [{name: web, port: 8080}]
    - matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: x-team, value: blue}]}]
      backendRefs: [{name: missing, port: 8080}]
"#;

fn temp_dir(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "gatewise-lint-diff-{label}-{}-{n}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).expect("temp file is writable");
    p
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
fn lint_prints_findings_with_a_route_command_and_fails_on_errors() {
    let dir = temp_dir("lint-text");
    write(&dir, "all.yaml", &format!("{BASE}{ROUTE}"));
    let o = gatewise(&["lint", path(&dir)]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "error GW003 unresolved-backend: HTTPRoute infra/web spec.rules[1].backendRefs[0]"
        ),
        "{out}"
    );
    assert!(
        out.contains("warning GW001 shadowed-rule: HTTPRoute infra/web spec.rules[1].matches[0]"),
        "{out}"
    );
    assert!(
        out.contains("2 findings: 1 error, 1 warning, 0 info"),
        "{out}"
    );
    // The example's command routes the request the finding describes: the
    // catch-all regular expression wins.
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("gatewise route"))
        .unwrap_or_else(|| panic!("no route command: {out}"));
    let words: Vec<String> = line
        .split_whitespace()
        .skip(2)
        .map(|w| w.trim_matches('\'').to_owned())
        .collect();
    // `-H 'x-team: blue'` was split at the space: join it back.
    let mut args: Vec<String> = Vec::new();
    for w in words {
        match args.last_mut() {
            Some(last) if last.ends_with(':') => {
                last.push(' ');
                last.push_str(&w);
            }
            _ => args.push(w),
        }
    }
    let refs: Vec<&str> = std::iter::once("route")
        .chain(args.iter().map(String::as_str))
        .collect();
    let routed = gatewise(&refs);
    let text = stdout(&routed);
    assert_eq!(routed.status.code(), Some(0), "{refs:?}\n{text}");
    assert!(text.contains("rule 0 match 0"), "{text}");
    assert!(text.contains("matched, lower precedence"), "{text}");
}

#[test]
fn lint_fail_on_and_allow() {
    let dir = temp_dir("lint-fail-on");
    // No route: the listener has none (a warning).
    write(&dir, "all.yaml", BASE);
    let o = gatewise(&["lint", path(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("warning GW010 listener-without-routes"),
        "{}",
        stdout(&o)
    );
    let o = gatewise(&["lint", path(&dir), "--fail-on", "warning"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = gatewise(&[
        "lint",
        path(&dir),
        "--fail-on",
        "info",
        "--allow",
        "listener-without-routes",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("no findings"), "{}", stdout(&o));
    let o = gatewise(&["lint", path(&dir), "--fail-on", "fatal"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn lint_json_and_rejected_objects() {
    let dir = temp_dir("lint-json");
    write(&dir, "all.yaml", &format!("{BASE}{ROUTE}"));
    write(
        &dir,
        "bad.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: bad, namespace: infra}\nspec: {rules: [{matches: [{path: {type: Exact, value: \"no-slash\"}}]}]}\n",
    );
    let o = gatewise(&["lint", path(&dir), "-o", "json", "--allow", "GW003,GW001"]);
    assert_eq!(o.status.code(), Some(1), "rejected objects count as errors");
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(0), "{doc}");
    assert_eq!(doc["rejected"][0]["object"]["name"], "bad", "{doc}");
    let o = gatewise(&["lint", path(&dir), "-o", "json", "--fail-on", "warning"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let f = doc["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["code"] == "GW001"))
        .unwrap_or_else(|| panic!("no GW001: {doc}"));
    assert_eq!(f["exampleRequest"]["host"], "shop.example.com", "{doc}");
    assert_eq!(f["exampleRequest"]["headers"][0]["value"], "blue", "{doc}");
}

#[test]
fn diff_exits_zero_without_changes_and_one_with_them() {
    let dir = temp_dir("diff");
    let old = write(&dir, "old.yaml", &format!("{BASE}{ROUTE}"));
    let same = write(&dir, "same.yaml", &format!("{BASE}{ROUTE}"));
    let o = gatewise(&["diff", path(&old), path(&same)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("0 with a different decision; 0 status changes"),
        "{}",
        stdout(&o)
    );

    let new = write(
        &dir,
        "new.yaml",
        &format!("{BASE}{}", ROUTE.replace("\"/.*\"", "\"/web/.*\"")),
    );
    let o = gatewise(&["diff", path(&old), path(&new)]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("traffic changes"), "{out}");
    assert!(out.contains("new: respond 500"), "{out}");

    let o = gatewise(&["diff", path(&old), path(&new), "-o", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let change = doc["trafficChanges"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["request"]["path"] == "/api"))
        .unwrap_or_else(|| panic!("no change for /api: {doc}"));
    assert_eq!(change["old"]["rule"], 0);
    assert_eq!(change["new"]["status"], 500);
    assert_eq!(doc["rejected"]["new"].as_array().map(Vec::len), Some(0));

    let o = gatewise(&["diff", path(&old), path(&dir.join("missing.yaml"))]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn diff_of_folders_counts_a_rejected_new_object_as_a_change() {
    let dir = temp_dir("diff-folders");
    let old = dir.join("old");
    let new = dir.join("new");
    fs::create_dir_all(&old).expect("mkdir");
    fs::create_dir_all(&new).expect("mkdir");
    write(&old, "base.yaml", BASE);
    write(&new, "base.yaml", BASE);
    write(
        &new,
        "route.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: bad, namespace: infra}\nspec: {rules: [{matches: [{path: {type: Exact, value: \"no-slash\"}}]}]}\n",
    );
    let o = gatewise(&["diff", path(&old), path(&new)]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("NEW has 1 rejected object"), "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("HTTPRoute infra/bad rejected"));
}
