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

/// `filter_outputs`: a `replaceFullPath` of `?<t` (the schema limits only its
/// length) made the `Location` `http://example.org/?<t`, not a URI, and could
/// add a query to a rewritten path. The configured path is percent-encoded where
/// RFC 3986 does not allow a character in a path.
#[test]
fn configured_paths_are_percent_encoded_into_valid_paths() {
    let yaml = format!(
        "{BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: infra}}
spec:
  parentRefs: [{{name: gw}}]
  rules:
  - matches: [{{path: {{type: PathPrefix, value: /redirect}}}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {{path: {{type: ReplaceFullPath, replaceFullPath: \"?<t\"}}}}
  - matches: [{{path: {{type: PathPrefix, value: /rewrite}}}}]
    filters:
    - type: URLRewrite
      urlRewrite: {{path: {{type: ReplacePrefixMatch, replacePrefixMatch: \"/a b?c#d%zz%2F\\x01é\"}}}}
    backendRefs: [{{name: web, port: 8080}}]
  - matches: [{{path: {{type: PathPrefix, value: /relative}}}}]
    filters:
    - type: URLRewrite
      urlRewrite: {{path: {{type: ReplaceFullPath, replaceFullPath: \"\\0x\"}}}}
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
    let gw = GatewayRef::new("infra", "gw");
    // A third input: `replaceFullPath: "\0"` made the upstream target `%00`,
    // with no leading `/`.
    let req = HttpRequest::new("GET", "example.org", "/relative?q=1");
    let view = compiled.router().route_http(gw, 80, &req).view();
    assert_eq!(view.request.expect("a forward").path, "/%00x?q=1");

    let req = HttpRequest::new("GET", "example.org", "/redirect?q=1");
    let view = compiled.router().route_http(gw, 80, &req).view();
    let location = view.location.expect("a redirect");
    assert_eq!(location, "http://example.org/%3F%3Ct?q=1");
    assert!(location.parse::<http::Uri>().is_ok(), "{location}");

    let req = HttpRequest::new("GET", "example.org", "/rewrite/x?q=1");
    let view = compiled.router().route_http(gw, 80, &req).view();
    let path = view.request.expect("a forward").path;
    assert_eq!(path, "/a%20b%3Fc%23d%25zz%2F%01%C3%A9/x?q=1");
    assert!(path.parse::<http::uri::PathAndQuery>().is_ok(), "{path}");
}

/// `filter_outputs`: a `Host` of `6/i%` made the `Location` `http://6i%/...`,
/// whose authority is not valid. `%` is dropped from the received host like
/// any character a DNS name cannot hold.
#[test]
fn redirect_location_drops_percent_signs_from_the_host() {
    let yaml = format!(
        "{BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: infra}}
spec:
  parentRefs: [{{name: gw}}]
  rules:
  - filters: [{{type: RequestRedirect, requestRedirect: {{statusCode: 301}}}}]
"
    );
    let loaded = gatewise::load_str("regression.yaml", &yaml);
    assert!(loaded.errors.is_empty() && loaded.rejections.is_empty());
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let gw = GatewayRef::new("infra", "gw");
    for (host, want) in [("6/i%", "http://6i/x"), ("a%41b%4", "http://a41b4/x")] {
        let req = HttpRequest::new("GET", host, "/x");
        let location = compiled
            .router()
            .route_http(gw, 80, &req)
            .view()
            .location
            .expect("a redirect");
        assert_eq!(location, want, "{host}");
        assert!(location.parse::<http::Uri>().is_ok(), "{location}");
    }
}

/// `filter_outputs`: a `Host` with no character a URL host can hold (empty, or
/// only non-ASCII) met a redirect without `hostname` and gave `Location:
/// http:///x`, which has no host. Such a request is answered 400
/// `InvalidHost` by the rule instead; with a `hostname` on the filter the
/// redirect needs no request host and is sent.
#[test]
fn redirect_without_a_usable_host_is_a_400_not_a_hostless_location() {
    let yaml = format!(
        "{BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: infra}}
spec:
  parentRefs: [{{name: gw}}]
  rules:
  - filters: [{{type: RequestRedirect, requestRedirect: {{statusCode: 301}}}}]
  - matches: [{{path: {{type: PathPrefix, value: /named}}}}]
    filters: [{{type: RequestRedirect, requestRedirect: {{hostname: example.org}}}}]
"
    );
    let loaded = gatewise::load_str("regression.yaml", &yaml);
    assert!(loaded.errors.is_empty() && loaded.rejections.is_empty());
    let compiled = Router::compile(&loaded.resources, &Options::default());
    let gw = GatewayRef::new("infra", "gw");
    // `router_oracle` then found `\0.` redirected to `http://./x` while `\0`
    // got the 400: dots alone are no host either.
    for host in ["", "劊", "[]", " ", "\0\0.", ".", "..:80"] {
        let req = HttpRequest::new("GET", host, "/x");
        let view = compiled.router().route_http(gw, 80, &req).view();
        assert_eq!(
            (view.kind, view.status, view.reason),
            ("respond", Some(400), Some("InvalidHost")),
            "{host:?}"
        );
        assert_eq!(view.location, None, "{host:?}");
        assert_eq!(
            view.route.map(|r| r.name).as_deref(),
            Some("web"),
            "{host:?}"
        );
        let req = HttpRequest::new("GET", host, "/named");
        let view = compiled.router().route_http(gw, 80, &req).view();
        assert_eq!(
            view.location.as_deref(),
            Some("http://example.org/named"),
            "{host:?}"
        );
    }
}
