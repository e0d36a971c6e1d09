//! The runner itself, on small fixtures written to a temp dir.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use gatewise_spec::{CaseKind, Outcome, RunOptions, run_paths};

/// A fresh, empty folder under the system temp dir.
fn temp_dir(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("gatewise-spec-{label}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

/// GatewayClass, Gateway (listener `http` on 80), two Services: the manifests
/// the inline fixtures include.
const BASE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
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
    - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: v1
kind: Service
metadata: {name: v1, namespace: infra}
spec: {ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: v2, namespace: infra}
spec: {ports: [{port: 8080}]}
"#;

fn write(dir: &std::path::Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).expect("temp file is writable");
}

fn route(body: &str) -> String {
    format!(
        r#"
  - apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {{name: r, namespace: infra}}
    spec:
      parentRefs: [{{name: gw}}]
{body}"#
    )
}

const GOOD: &str = r#"name: good
features: [HTTPRoute]
include: [base.yaml]
resources:
  - apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: r, namespace: infra}
    spec:
      parentRefs: [{name: gw}]
      rules:
        - backendRefs: [{name: v1, port: 8080}]
requests:
  - name: root goes to v1
    gateway: infra/gw
    expect:
      backend: {name: v1, port: 8080}
      route: infra/r
      listener: http
status:
  - kind: HTTPRoute
    namespace: infra
    name: r
    parents:
      - parentRef: {name: gw}
        conditions: [{type: Accepted, status: "True"}]
"#;

#[test]
fn a_passing_fixture_exits_zero_and_base_manifests_are_passed_over() {
    let dir = temp_dir("good");
    write(&dir, "base.yaml", BASE);
    write(&dir, "good.yaml", GOOD);
    let report = run_paths(&[&dir], &RunOptions::default());
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
    assert_eq!(report.passed(), 2);
    assert!(
        report
            .to_text()
            .ends_with("2 passed, 0 failed, 0 skipped\n")
    );
}

#[test]
fn a_malformed_file_exits_two_and_the_others_still_count() {
    let dir = temp_dir("malformed");
    write(&dir, "base.yaml", BASE);
    write(&dir, "good.yaml", GOOD);
    write(
        &dir,
        "typo.yaml",
        "name: typo\ninclude: [base.yaml]\nrequests:\n  - name: x\n    gateway: infra/gw\n    expect: {status: 404}\n    hedaers: []\n",
    );
    let report = run_paths(&[&dir], &RunOptions::default());
    assert_eq!(report.exit_code(), 2);
    assert_eq!(report.malformed.len(), 1, "{}", report.to_text());
    assert!(report.malformed[0].file.ends_with("typo.yaml"));
    assert!(report.malformed[0].message.contains("hedaers"));
    assert!(report.malformed[0].line.is_some());
    assert_eq!(report.passed(), 2);
    assert!(report.to_text().contains("typo.yaml:"));
}

#[test]
fn a_failing_case_exits_one_with_expected_and_got() {
    let dir = temp_dir("failing");
    write(&dir, "base.yaml", BASE);
    let fixture = format!(
        "name: failing\ninclude: [base.yaml]\nresources:{}requests:\n  - name: wrong backend\n    gateway: infra/gw\n    expect:\n      backend: {{name: v2, port: 8080}}\n",
        route("      rules: [{backendRefs: [{name: v1, port: 8080}]}]\n")
    );
    write(&dir, "failing.yaml", &fixture);
    let report = run_paths(&[&dir], &RunOptions::default());
    assert_eq!(report.exit_code(), 1);
    let case = &report.cases[0];
    assert_eq!(case.outcome, Outcome::Failed);
    assert_eq!(case.kind, CaseKind::Request);
    assert!(case.message.contains("infra/v2:8080"), "{}", case.message);
    assert!(case.message.contains("infra/v1:8080"), "{}", case.message);
    let text = report.to_text();
    assert!(text.contains("wrong backend"), "{text}");
    assert!(text.ends_with("0 passed, 1 failed, 0 skipped\n"), "{text}");
    let json = report.to_json_lines();
    let last: serde_json::Value =
        serde_json::from_str(json.lines().last().expect("summary line")).expect("json");
    assert_eq!(last["failed"], 1);
}

#[test]
fn features_outside_the_set_skip_every_case() {
    let dir = temp_dir("features");
    write(&dir, "base.yaml", BASE);
    write(&dir, "good.yaml", GOOD);
    let only_other = RunOptions {
        features: Some(vec!["Gateway".into()]),
        ..RunOptions::default()
    };
    let report = run_paths(&[&dir], &only_other);
    assert_eq!((report.passed(), report.skipped()), (0, 2));
    assert_eq!(report.exit_code(), 0);
    let enabled = RunOptions {
        features: Some(vec!["HTTPRoute".into(), "Gateway".into()]),
        ..RunOptions::default()
    };
    assert_eq!(run_paths(&[&dir], &enabled).passed(), 2);
}

#[test]
fn rejected_field_may_name_a_prefix_at_a_path_boundary() {
    let dir = temp_dir("rejected");
    write(&dir, "base.yaml", BASE);
    let bad = route(
        "      rules:\n        - filters:\n            - type: RequestRedirect\n              requestRedirect: {statusCode: 302}\n          backendRefs: [{name: v1, port: 8080}]\n",
    );
    let fixture = format!(
        "name: rejected\ninclude: [base.yaml]\nresources:{bad}rejected:\n  - {{kind: HTTPRoute, namespace: infra, name: r, field: \"spec.rules[0]\"}}\n  - {{kind: HTTPRoute, namespace: infra, name: r, field: spec}}\n  - {{kind: HTTPRoute, namespace: infra, name: r, field: spec.rul}}\n  - {{kind: HTTPRoute, name: r}}\n"
    );
    write(&dir, "rejected.yaml", &fixture);
    let report = run_paths(&[&dir], &RunOptions::default());
    let outcomes: Vec<Outcome> = report.cases.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Passed,
            Outcome::Passed,
            Outcome::Failed,
            // Namespace defaults to `default`, where no such route exists.
            Outcome::Failed,
        ],
        "{}",
        report.to_text()
    );
}

#[test]
fn invalid_backends_aggregate_into_one_500_share() {
    let dir = temp_dir("backends");
    write(&dir, "base.yaml", BASE);
    let body = "      rules:\n        - backendRefs:\n            - {name: v1, port: 8080, weight: 2}\n            - {name: missing, port: 8080, weight: 3}\n            - {name: v2, port: 9999, weight: 1}\n            - {name: v2, port: 8080, weight: 0}\n";
    let fixture = format!(
        "name: backends\ninclude: [base.yaml]\nresources:{}requests:\n  - name: shares\n    gateway: infra/gw\n    expect:\n      backends:\n        - {{status: 500, weight: 4}}\n        - {{name: v1, port: 8080, weight: 2}}\n  - name: split shares also sum\n    gateway: infra/gw\n    expect:\n      backends:\n        - {{name: v1, port: 8080, weight: 2}}\n        - {{status: 500, weight: 1}}\n        - {{status: 500, weight: 3}}\n        - {{name: v2, port: 8080, weight: 0}}\n  - name: wrong sum fails\n    gateway: infra/gw\n    expect:\n      backends:\n        - {{name: v1, port: 8080, weight: 2}}\n        - {{status: 500, weight: 3}}\n",
        route(body)
    );
    write(&dir, "backends.yaml", &fixture);
    let report = run_paths(&[&dir], &RunOptions::default());
    let outcomes: Vec<Outcome> = report.cases.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Passed, Outcome::Passed, Outcome::Failed],
        "{}",
        report.to_text()
    );
}

#[test]
fn protocols_take_their_defaults_and_tcp_needs_a_port() {
    let dir = temp_dir("protocols");
    write(&dir, "base.yaml", BASE);
    write(
        &dir,
        "protocols.yaml",
        "name: protocols\ninclude: [base.yaml]\nrequests:\n  - {name: grpc on 80, gateway: infra/gw, protocol: GRPC, grpc: {service: a.B, method: C}, expect: {status: 404}}\n  - {name: tcp without port, gateway: infra/gw, protocol: TCP, expect: {status: reject}}\n  - {name: tls on 443, gateway: infra/gw, protocol: TLS, sni: a.example.com, expect: {status: reject}}\n",
    );
    let report = run_paths(&[&dir], &RunOptions::default());
    let outcomes: Vec<Outcome> = report.cases.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Passed, Outcome::Failed, Outcome::Passed],
        "{}",
        report.to_text()
    );
    assert_eq!(report.cases[1].message, "protocol TCP needs a port");
}

#[test]
fn resources_that_fail_to_load_fail_every_case() {
    let dir = temp_dir("loaderr");
    write(
        &dir,
        "f.yaml",
        "name: f\ninclude: [missing.yaml]\nrequests:\n  - {name: a, gateway: infra/gw, expect: {status: 404}}\nrejected:\n  - {kind: HTTPRoute, name: r}\n",
    );
    let report = run_paths(&[&dir], &RunOptions::default());
    assert_eq!((report.failed(), report.exit_code()), (2, 1));
    assert!(report.cases[0].message.contains("missing.yaml"));
}
