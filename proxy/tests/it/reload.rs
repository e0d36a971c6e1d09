//! Hot reload: under load with zero failed requests and one configuration per
//! request; refused configurations; listeners that follow the configuration;
//! in-flight requests finishing on the configuration they started with.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use gatewise_proxy::Reloaded;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::support::*;

/// Manifests whose route marks requests and answers with `x-config: <version>`;
/// `extra_port` adds a second listener.
fn manifests(http: u16, extra_port: Option<u16>, version: &str, a: &Backend) -> String {
    let extra = extra_port
        .map(|p| format!("\n  - {{name: extra, port: {p}, protocol: HTTP}}"))
        .unwrap_or_default();
    let mut m = format!(
        "{CLASS}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: gatewise
  listeners:
  - {{name: http, port: {http}, protocol: HTTP}}{extra}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: infra}}
spec:
  parentRefs: [{{name: gw}}]
  rules:
  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {{set: [{{name: x-config, value: '{version}'}}]}}
    - type: ResponseHeaderModifier
      responseHeaderModifier: {{set: [{{name: x-config, value: '{version}'}}]}}
    backendRefs: [{{name: svc-a, port: 80}}]
"
    );
    m.push_str(&service("infra", "svc-a", 80, Some(a)));
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_every_100ms_under_load_loses_no_request() {
    let a = Backend::start("a").await;
    let http = free_port();
    let addr = SocketAddr::from(([127, 0, 0, 1], http));
    let proxy = Proxy::start(&manifests(http, None, "v0", &a), |c| {
        c.watch = true;
        c.reload_debounce = Duration::from_millis(20);
    })
    .await;
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let versions = Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
    let mut clients = Vec::new();
    for worker in 0..6 {
        let (stop, ok, failures, versions) =
            (stop.clone(), ok.clone(), failures.clone(), versions.clone());
        clients.push(tokio::spawn(async move {
            // Half the workers reuse pooled connections, half open one per request.
            let pooled: Client<_, BoxBody> = Client::builder(TokioExecutor::new()).build_http();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let result = if worker % 2 == 0 {
                    let req = must(
                        http::Request::builder()
                            .uri(format!("http://{addr}/r{worker}/{i}"))
                            .header("host", "load.example.com")
                            .body(body(Bytes::new())),
                        "request",
                    );
                    match tokio::time::timeout(PATIENCE, pooled.request(req)).await {
                        Ok(Ok(resp)) => {
                            let status = resp.status();
                            let config = resp.headers().get("x-config").cloned();
                            let text = http_body_util::BodyExt::collect(resp.into_body())
                                .await
                                .map(|c| c.to_bytes());
                            match text {
                                Ok(b) => Ok((status, config, b)),
                                Err(e) => Err(format!("body: {e}")),
                            }
                        }
                        Ok(Err(e)) => Err(format!("request: {e:?}")),
                        Err(_) => Err("timed out".into()),
                    }
                } else {
                    match tokio::net::TcpStream::connect(addr).await {
                        Ok(tcp) => match h1_on(tcp, request("GET", "load.example.com", "/n", &[], "")).await {
                            Ok(a) => Ok((a.status, a.headers.get("x-config").cloned(), a.body)),
                            Err(e) => Err(format!("request: {e}")),
                        },
                        Err(e) => Err(format!("connect: {e}")),
                    }
                };
                match result {
                    Ok((status, Some(config), b)) if status == 200 => {
                        let seen: serde_json::Value = serde_json::from_slice(&b).unwrap_or_default();
                        let sent = seen["headers"]["x-config"].as_str().unwrap_or("");
                        let answered = config.to_str().unwrap_or("");
                        if sent == answered {
                            ok.fetch_add(1, Ordering::Relaxed);
                            versions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(sent.to_owned());
                        } else {
                            failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(format!(
                                "two configurations in one request: sent {sent}, answered {answered}"
                            ));
                        }
                    }
                    Ok((status, config, _)) => failures
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(format!("status {status}, x-config {config:?}")),
                    Err(e) => failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(e),
                }
            }
        }));
    }
    // Rewrite the manifests every 100 ms for three seconds, alternating versions.
    let reloads_before = proxy
        .metric("gatewise_reloads_total{result=\"success\"}")
        .await;
    let started = Instant::now();
    let mut writes = 0;
    while started.elapsed() < Duration::from_secs(3) {
        writes += 1;
        proxy.write(&manifests(http, None, &format!("v{writes}"), &a));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let the last reload land, then stop the load.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        must(within("client", c).await, "client task");
    }
    let failures = failures
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let ok = ok.load(Ordering::Relaxed);
    let reloads = proxy
        .metric("gatewise_reloads_total{result=\"success\"}")
        .await
        - reloads_before;
    let versions = versions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .len();
    eprintln!(
        "reload under load: {writes} writes, {reloads} reloads, {ok} requests ok, {versions} configurations seen, {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failed, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(ok > 50, "too little load to mean anything: {ok}");
    // Not every write need produce its own reload (events coalesce on a loaded
    // machine), but many must have, and requests must have seen several.
    assert!(reloads >= 5.0, "only {reloads} reloads for {writes} writes");
    assert!(versions >= 3, "only {versions} configurations answered");
    assert_eq!(
        proxy
            .metric("gatewise_reloads_total{result=\"failure\"}")
            .await,
        0.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_configuration_is_refused_counted_and_the_last_good_serves() {
    let a = Backend::start("a").await;
    let http = free_port();
    let addr = SocketAddr::from(([127, 0, 0, 1], http));
    let proxy = Proxy::start(&manifests(http, None, "good", &a), |_| {}).await;
    assert_eq!(proxy.server().generation(), 1);
    // Broken YAML.
    proxy.write("kind: [\n");
    let err = proxy.server().reload().await;
    assert!(err.is_err(), "{err:?}");
    // An object the API server would refuse (a redirect with backendRefs).
    let mut rejected = manifests(http, None, "rejected", &a);
    rejected.push_str(
        "---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: broken, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules:
  - filters: [{type: RequestRedirect, requestRedirect: {statusCode: 301}}]
    backendRefs: [{name: svc-a, port: 80}]
",
    );
    proxy.write(&rejected);
    let Err(e) = proxy.server().reload().await else {
        panic!("a rejected object must refuse the configuration");
    };
    assert!(e.to_string().contains("HTTPRoute infra/broken"), "{e}");
    assert_eq!(
        proxy
            .metric("gatewise_reloads_total{result=\"failure\"}")
            .await,
        2.0
    );
    assert_eq!(proxy.server().generation(), 1);
    let answer = get(addr, "x.example.com", "/").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-config").as_deref(), Some("good"));
    // Fixed: served.
    proxy.write(&manifests(http, None, "fixed", &a));
    assert_eq!(
        proxy.server().reload().await.ok(),
        Some(Reloaded::Swapped(2))
    );
    assert_eq!(
        get(addr, "x.example.com", "/")
            .await
            .header("x-config")
            .as_deref(),
        Some("fixed")
    );
    // Unchanged inputs: nothing to do.
    assert_eq!(
        proxy.server().reload().await.ok(),
        Some(Reloaded::Unchanged)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listeners_open_and_close_with_the_configuration() {
    let a = Backend::start("a").await;
    let (http, extra) = (free_port(), free_port());
    let extra_addr = SocketAddr::from(([127, 0, 0, 1], extra));
    let proxy = Proxy::start(&manifests(http, None, "one", &a), |_| {}).await;
    assert!(tokio::net::TcpStream::connect(extra_addr).await.is_err());
    proxy.write(&manifests(http, Some(extra), "two", &a));
    assert!(matches!(
        proxy.server().reload().await,
        Ok(Reloaded::Swapped(_))
    ));
    assert_eq!(
        get(extra_addr, "x.example.com", "/")
            .await
            .header("x-config")
            .as_deref(),
        Some("two")
    );
    proxy.write(&manifests(http, None, "three", &a));
    assert!(matches!(
        proxy.server().reload().await,
        Ok(Reloaded::Swapped(_))
    ));
    // The socket closes (the accept loop ends as soon as it is told).
    let closed = within("extra listener closes", async {
        loop {
            if tokio::net::TcpStream::connect(extra_addr).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let () = closed;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_flight_request_finishes_on_its_configuration() {
    let a = Backend::start("a").await;
    let http = free_port();
    let addr = SocketAddr::from(([127, 0, 0, 1], http));
    let proxy = Proxy::start(&manifests(http, None, "before", &a), |_| {}).await;
    let slow = tokio::spawn(async move { get(addr, "x.example.com", "/slow/1500").await });
    // Wait until the backend has the request, then swap the configuration.
    within("slow request reaches the backend", async {
        while a.seen().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    proxy.write(&manifests(http, None, "after", &a));
    assert!(matches!(
        proxy.server().reload().await,
        Ok(Reloaded::Swapped(_))
    ));
    assert_eq!(
        get(addr, "x.example.com", "/")
            .await
            .header("x-config")
            .as_deref(),
        Some("after")
    );
    let slow = must(within("slow request", slow).await, "join");
    assert_eq!(slow.status, 200);
    assert_eq!(slow.seen_header("x-config").as_deref(), Some("before"));
    assert_eq!(slow.header("x-config").as_deref(), Some("before"));
}
