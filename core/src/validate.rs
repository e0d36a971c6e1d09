//! Validate: what the API server enforces for each kind (the CRDs' OpenAPI schema
//! and CEL rules, Gateway API v1.6 standard channel). A failed rule is a
//! [`FieldError`] with the field path where the rule is declared.

use crate::api::{GatewayClassSpec, GatewaySpec, HttpRouteSpec, ReferenceGrantSpec, ServiceSpec};
use crate::error::FieldError;

/// `metadata.name`: a DNS subdomain (RFC 1123), at most 253 characters.
pub(crate) fn object_name(name: &str) -> Option<String> {
    let _ = name;
    None
}

/// GatewayClass schema and CEL rules.
pub(crate) fn gateway_class(spec: &GatewayClassSpec) -> Vec<FieldError> {
    let _ = spec;
    Vec::new()
}

/// Gateway schema and CEL rules.
pub(crate) fn gateway(spec: &GatewaySpec) -> Vec<FieldError> {
    let _ = spec;
    Vec::new()
}

/// HTTPRoute schema and CEL rules.
pub(crate) fn http_route(spec: &HttpRouteSpec) -> Vec<FieldError> {
    let _ = spec;
    Vec::new()
}

/// ReferenceGrant schema rules.
pub(crate) fn reference_grant(spec: &ReferenceGrantSpec) -> Vec<FieldError> {
    let _ = spec;
    Vec::new()
}

/// Service: the port fields Gatewise relies on.
pub(crate) fn service(spec: &ServiceSpec) -> Vec<FieldError> {
    let _ = spec;
    Vec::new()
}
