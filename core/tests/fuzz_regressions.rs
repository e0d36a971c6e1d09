//! Inputs the fuzz targets (`fuzz/`) found, replayed as plain tests. Each test
//! is named for the promise it pins and says which target found it.

use gatewise::{GatewayRef, HttpRequest, Options, Router};

const BASE: &str = "\
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
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: infra}
spec: {ports: [{port: 8080}]}
";

/// `filter_outputs`: a header modifier value with a control character other
/// than CR, LF or NUL (here U+0002, which the CRD schema allows) reached the
/// decision as is: not a valid field value, so the proxy dropped the header
/// while the decision showed it. Every control character but tab is removed.
#[test]
fn header_modifier_values_lose_every_control_character_but_tab() {
    let yaml = format!(
        "{BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: infra}}
spec:
  parentRefs: [{{name: gw}}]
  rules:
  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{{name: x-req, value: \"a\\x02b\\x7fc\\td\\x1be\"}}]
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        add: [{{name: x-a, value: \"\\x02-\"}}]
    backendRefs: [{{name: web, port: 8080}}]
"
    );
    let loaded = gatewise::load_str("regression.yaml", &yaml);
    assert!(
        loaded.errors.is_empty() && loaded.rejections.is_empty(),
        "{:?} {:?}",
        loaded.errors,
        loaded.rejections
    );
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let req = HttpRequest::new("GET", "example.org", "/");
    let view = compiled
        .router()
        .route_http(GatewayRef::new("infra", "gw"), 80, &req)
        .view();
    let request = view
        .request
        .expect("a forward carries the upstream request");
    let sent: Vec<_> = request
        .headers
        .iter()
        .filter(|(n, _)| n == "x-req")
        .collect();
    assert_eq!(sent, [&("x-req".to_owned(), "abc\tde".to_owned())]);
    let answered: Vec<_> = view
        .response_headers
        .iter()
        .filter(|(n, _)| n == "x-a")
        .collect();
    assert_eq!(answered, [&("x-a".to_owned(), "-".to_owned())]);
    for (name, value) in request.headers.iter().chain(&view.response_headers) {
        assert!(
            http::HeaderValue::from_str(value).is_ok(),
            "{name}: {value:?} is not a valid field value"
        );
    }
}
