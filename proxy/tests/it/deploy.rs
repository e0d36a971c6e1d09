//! `deploy/kubernetes/` stays valid: every file loads with the project's own
//! loader, the ConfigMap's embedded manifests load without a rejection or a
//! warning and compile to an accepted, programmed Gateway whose backends have
//! endpoints, and the Deployment, Service and probes agree with them.

use std::path::PathBuf;

use gatewise::{BackendTarget, Loader, Options, Router, Timestamp};
use serde_json::Value;

use crate::support::must;

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy/kubernetes")
}

/// Every document of every YAML file, as JSON values.
fn documents() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = must(std::fs::read_dir(deploy_dir()), "read deploy/kubernetes")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = must(std::fs::read_to_string(&file), "read file");
        for doc in text.split("\n---\n") {
            let value: Value = must(
                serde_saphyr::from_str_with_options(doc, gatewise::load::yaml_options()),
                "parse yaml",
            );
            if !value.is_null() {
                out.push((file.display().to_string(), value));
            }
        }
    }
    out
}

fn find<'a>(docs: &'a [(String, Value)], kind: &str) -> &'a Value {
    match docs.iter().find(|(_, v)| v["kind"] == kind) {
        Some((_, v)) => v,
        None => panic!("no {kind} in deploy/kubernetes"),
    }
}

#[test]
fn deploy_files_load_with_the_projects_loader() {
    let mut loader = Loader::new();
    let mut files: Vec<PathBuf> = must(std::fs::read_dir(deploy_dir()), "read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for f in &files {
        loader.add_str(
            &f.display().to_string(),
            &must(std::fs::read_to_string(f), "read"),
        );
    }
    let loaded = loader.finish();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
    let kinds: Vec<String> = loaded
        .skipped
        .iter()
        .map(|s| s.object.kind.clone())
        .collect();
    for kind in [
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Kustomization",
    ] {
        // The gatewise Service is read as a Service (not skipped); the rest are
        // kinds the loader passes over.
        if kind == "Service" {
            assert!(
                loaded
                    .resources
                    .services
                    .iter()
                    .any(|s| s.meta.name == "gatewise")
            );
        } else {
            assert!(kinds.iter().any(|k| k == kind), "no {kind}: {kinds:?}");
        }
    }
}

#[test]
fn configmap_manifests_load_compile_and_have_endpoints() {
    let docs = documents();
    let configmap = find(&docs, "ConfigMap");
    let data = configmap["data"].as_object().cloned().unwrap_or_default();
    assert!(!data.is_empty());
    let mut loader = Loader::new();
    for (name, text) in &data {
        loader.add_str(name, text.as_str().unwrap_or(""));
    }
    let loaded = loader.finish();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let status = compiled.status(Timestamp::DEFAULT_EPOCH);
    assert!(status.all_accepted(), "{status:?}");
    let router = compiled.router();
    assert_eq!(router.gateways(), vec![("gatewise", "gateway")]);
    let listeners = router.listeners("gatewise", "gateway");
    assert!(!listeners.is_empty() && listeners.iter().all(|l| l.programmed));
    // Every route's backend resolves and has a ready endpoint.
    let mut backends = 0;
    for route in &status.routes {
        for parent in &route.parents {
            assert!(
                parent
                    .conditions
                    .iter()
                    .all(|c| c.is_true() || c.type_ == "PartiallyInvalid"),
                "{route:?}"
            );
        }
    }
    for (name, port) in [("api", 8080), ("store-v1", 8080), ("store-v2", 8080)] {
        let backend = gatewise::ServiceBackend {
            namespace: "shop".into(),
            name: name.into(),
            port,
            app_protocol: None,
        };
        assert!(
            !loaded.resources.ready_endpoints(&backend, "TCP").is_empty(),
            "{name}"
        );
        backends += 1;
    }
    assert_eq!(backends, 3);
    // And the decision for the example request forwards to one of them.
    let req = gatewise::HttpRequest::new("GET", "shop.example.com", "/api/x");
    match router.route_http(gatewise::GatewayRef::new("gatewise", "gateway"), 80, &req) {
        gatewise::Decision::Forward(f) => {
            assert!(
                matches!(&f.backends()[0].target, BackendTarget::Service(s) if s.name == "api")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn deployment_service_and_probes_agree_with_the_gateway() {
    let docs = documents();
    let deployment = find(&docs, "Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let args: Vec<&str> = container["args"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(args.first(), Some(&"serve"));
    let offset: i64 = args
        .iter()
        .find_map(|a| a.strip_prefix("--port-offset="))
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let admin_port: i64 = args
        .iter()
        .find_map(|a| a.strip_prefix("--admin="))
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let drain: u64 = args
        .iter()
        .find_map(|a| a.strip_prefix("--drain-timeout="))
        .and_then(gatewise::duration::parse)
        .map_or(0, |d| d.as_secs());
    // The mounted ConfigMap is what gatewise serves.
    let mount = container["volumeMounts"][0]["mountPath"]
        .as_str()
        .unwrap_or("");
    assert!(args.contains(&mount), "{args:?} does not serve {mount}");
    assert_eq!(pod["volumes"][0]["configMap"]["name"], "gatewise-config");
    // Ports: the Gateway's listener port shifted by the offset; admin for probes.
    let ports = container["ports"].as_array().cloned().unwrap_or_default();
    let port_of = |name: &str| {
        ports
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["containerPort"].as_i64())
            .unwrap_or(-1)
    };
    assert_eq!(port_of("http"), 80 + offset);
    assert_eq!(port_of("admin"), admin_port);
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["port"], "admin");
    // SIGTERM's drain fits in the grace period (with the preStop sleep).
    let grace = pod["terminationGracePeriodSeconds"].as_u64().unwrap_or(30);
    let pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        .as_u64()
        .unwrap_or(0);
    assert!(
        drain > 0 && drain + pre_stop < grace,
        "drain {drain} + preStop {pre_stop} >= grace {grace}"
    );
    // The Service sends the Gateway's port to the container's.
    let service = find(&docs, "Service");
    assert_eq!(service["spec"]["ports"][0]["port"], 80);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    assert_eq!(&service["spec"]["selector"], labels);
    assert_eq!(
        &find(&docs, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"],
        labels
    );
    let hpa = find(&docs, "HorizontalPodAutoscaler");
    assert_eq!(
        hpa["spec"]["scaleTargetRef"]["name"],
        deployment["metadata"]["name"]
    );
    assert!(hpa["spec"]["minReplicas"].as_i64().unwrap_or(0) >= 2);
}
