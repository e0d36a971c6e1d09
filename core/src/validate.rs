//! Validate: what the API server enforces for each kind (the CRDs' OpenAPI schema
//! and CEL rules, Gateway API v1.6 standard channel). A failed rule is a
//! [`FieldError`] with the field path where the rule is declared.
//!
//! # Field paths
//!
//! Paths use the API server's notation from `spec`: `.` between fields, `[i]` for
//! list items (`spec.rules[0].matches[1].path.value`).
//!
//! - A schema rule (required field, length, range, enum, pattern, item count) is
//!   reported on the field it constrains.
//! - A CEL rule is reported where the CRD declares it: on the object or list it
//!   relates fields of (`spec.rules[0]` for "RequestRedirect with backendRefs",
//!   `spec.rules[0].filters` for "a filter type repeated", `spec.listeners` for
//!   "listener names unique").
//! - The CEL rules of `HTTPPathMatch` that only constrain `value` (starts with `/`,
//!   no `//`, allowed characters, ...) are reported on `path.value`, the field
//!   they are about; that path lies beneath the declaring `path` object.
//!
//! # Defaults
//!
//! The API server applies the schema's defaults before it validates, so rules
//! are checked against defaulted values here too: a path match without `type`
//! is a `PathPrefix`, a rule without `matches` has one match `PathPrefix /`, a
//! backendRef without `group` and `kind` is a core `Service`, a listener `tls`
//! without `mode` is `Terminate`.

mod gateway;
mod http_route;
mod reference;
mod reference_grant;
mod routes;
mod service;
mod syntax;

use crate::api::{GatewayClassSpec, GatewaySpec, HttpRouteSpec, ReferenceGrantSpec, ServiceSpec};
use crate::error::FieldError;

/// `metadata.name`: a DNS subdomain (RFC 1123), at most 253 characters.
pub(crate) fn object_name(name: &str) -> Option<String> {
    if name.len() > 253 {
        return Some(format!(
            "must be at most 253 characters, found {}",
            name.chars().count()
        ));
    }
    if !syntax::is_dns_subdomain(name) {
        return Some(format!(
            "invalid name {name:?}: must be a lower-case RFC 1123 subdomain (a-z, 0-9, '-' and '.', \
             starting and ending with a letter or digit)"
        ));
    }
    None
}

/// GatewayClass schema and CEL rules.
pub(crate) fn gateway_class(spec: &GatewayClassSpec) -> Vec<FieldError> {
    let mut errors = Errors::default();
    gateway::gateway_class(&mut errors, spec);
    errors.0
}

/// Gateway schema and CEL rules.
pub(crate) fn gateway(spec: &GatewaySpec) -> Vec<FieldError> {
    let mut errors = Errors::default();
    gateway::gateway(&mut errors, spec);
    errors.0
}

/// HTTPRoute schema and CEL rules.
pub(crate) fn http_route(spec: &HttpRouteSpec) -> Vec<FieldError> {
    let mut errors = Errors::default();
    http_route::http_route(&mut errors, spec);
    errors.0
}

/// GRPCRoute schema and CEL rules.
pub(crate) fn grpc_route(spec: &crate::api::GrpcRouteSpec) -> Vec<FieldError> {
    let mut errors = Errors::default();
    routes::grpc_route(&mut errors, spec);
    errors.0
}

/// TLSRoute schema and CEL rules.
pub(crate) fn tls_route(spec: &crate::api::TlsRouteSpec) -> Vec<FieldError> {
    let mut errors = Errors::default();
    routes::tls_route(&mut errors, spec);
    errors.0
}

/// TCPRoute and UDPRoute schema rules.
pub(crate) fn stream_route(spec: &crate::api::StreamRouteSpec) -> Vec<FieldError> {
    let mut errors = Errors::default();
    routes::stream_route(&mut errors, spec);
    errors.0
}

/// ListenerSet schema and CEL rules.
pub(crate) fn listener_set(spec: &crate::api::ListenerSetSpec) -> Vec<FieldError> {
    let mut errors = Errors::default();
    routes::listener_set(&mut errors, spec);
    errors.0
}

/// ReferenceGrant schema rules.
pub(crate) fn reference_grant(spec: &ReferenceGrantSpec) -> Vec<FieldError> {
    let mut errors = Errors::default();
    reference_grant::reference_grant(&mut errors, spec);
    errors.0
}

/// Service: the port fields Gatewise relies on.
pub(crate) fn service(spec: &ServiceSpec) -> Vec<FieldError> {
    let mut errors = Errors::default();
    service::service(&mut errors, spec);
    errors.0
}

/// The failed rules of one object, in the order they were found.
#[derive(Debug, Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    /// Records a failed rule.
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// A required field: records "required value" when it is absent.
    fn required<'a, T>(&mut self, field: &str, value: &'a Option<T>) -> Option<&'a T> {
        if value.is_none() {
            self.push(field, "required value");
        }
        value.as_ref()
    }

    /// `maxItems`.
    fn max_items(&mut self, field: &str, len: usize, max: usize) {
        if len > max {
            self.push(
                field,
                format!("too many items: must have at most {max}, found {len}"),
            );
        }
    }

    /// `minItems`.
    fn min_items(&mut self, field: &str, len: usize, min: usize) {
        if len < min {
            self.push(
                field,
                format!("too few items: must have at least {min}, found {len}"),
            );
        }
    }

    /// `minLength` and `maxLength`, counted in characters as the API server counts.
    /// Returns whether the length is within bounds.
    fn length(&mut self, field: &str, value: &str, min: usize, max: usize) -> bool {
        let n = value.chars().count();
        if n < min {
            if min == 1 {
                self.push(field, "must not be empty");
            } else {
                self.push(
                    field,
                    format!("too short: must be at least {min} characters, found {n}"),
                );
            }
            false
        } else if n > max {
            self.push(
                field,
                format!("too long: must be at most {max} characters, found {n}"),
            );
            false
        } else {
            true
        }
    }

    /// `minimum` and `maximum`.
    fn range(&mut self, field: &str, value: i64, min: i64, max: i64) {
        if value < min || value > max {
            self.push(
                field,
                format!("{value} is out of range: must be between {min} and {max}"),
            );
        }
    }

    /// `minimum` only.
    fn at_least(&mut self, field: &str, value: i64, min: i64) {
        if value < min {
            self.push(
                field,
                format!("{value} is out of range: must be at least {min}"),
            );
        }
    }

    /// `enum`. Returns whether the value is allowed.
    fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) -> bool {
        if allowed.contains(&value) {
            true
        } else {
            self.push(
                field,
                format!(
                    "unsupported value {value:?}: must be one of {}",
                    allowed.join(", ")
                ),
            );
            false
        }
    }

    /// `x-kubernetes-list-type: set` (or `map` keyed by the value): each value once.
    fn unique<'a>(&mut self, field: &str, values: impl IntoIterator<Item = Option<&'a str>>) {
        let mut seen: Vec<&str> = Vec::new();
        for (i, value) in values.into_iter().enumerate() {
            let Some(value) = value else { continue };
            if seen.contains(&value) {
                self.push(
                    format!("{field}[{i}]"),
                    format!("duplicate value {value:?}: each value may appear once"),
                );
            } else {
                seen.push(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFESTS: &str = r#"
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
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: good, namespace: apps}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{matches: [{path: {type: PathPrefix, value: /ok}}], backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad-path, namespace: apps}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{matches: [{path: {type: Exact, value: /a//b}}], backendRefs: [{name: web, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 80}]}
"#;

    #[test]
    fn a_bad_route_is_rejected_while_the_others_load() {
        let loaded = crate::load_str("m.yaml", MANIFESTS);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        assert_eq!(loaded.rejections.len(), 1, "{:?}", loaded.rejections);
        let Some(rejection) = loaded.rejections.first() else {
            return;
        };
        assert_eq!(rejection.object.kind, "HTTPRoute");
        assert_eq!(rejection.object.namespace, "apps");
        assert_eq!(rejection.object.name, "bad-path");
        assert_eq!(rejection.location.document, 3);
        let fields: Vec<&str> = rejection.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["spec.rules[0].matches[0].path.value"]);
        assert!(rejection.to_string().contains("must not contain '//'"));

        let r = &loaded.resources;
        assert_eq!(r.gateway_classes.len(), 1);
        assert_eq!(r.gateways.len(), 1);
        assert_eq!(r.services.len(), 1);
        let routes: Vec<&str> = r.http_routes.iter().map(|o| o.meta.name.as_str()).collect();
        assert_eq!(routes, vec!["good"]);
    }

    #[test]
    fn object_name_accepts_subdomains() {
        assert_eq!(object_name("a"), None);
        assert_eq!(object_name("my-route.v2"), None);
        assert_eq!(object_name(&"a".repeat(253)), None);
    }

    #[test]
    fn object_name_rejects_what_rfc_1123_forbids() {
        for bad in ["", "A", "-a", "a-", "a..b", ".a", "a.", "a_b", "a/b", "é"] {
            assert!(object_name(bad).is_some(), "{bad:?}");
        }
        assert!(object_name(&"a".repeat(254)).is_some());
    }
}
