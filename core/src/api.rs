//! Wire types: the Kubernetes objects Gatewise reads, exactly as they appear in
//! manifests (Gateway API v1.6 standard channel plus the core kinds it needs).
//!
//! These types mirror the CRD schemas field for field, with every field optional
//! so that a missing required field becomes a [`Rejection`](crate::Rejection)
//! naming the field rather than a parse failure. Enumerations are kept as strings
//! here and checked by validation, so an unknown value is reported with its field
//! path. Fields that only the API server sets (`status`, `managedFields`, `uid`, ...)
//! are accepted and dropped; any other unknown field is pruned and reported as a
//! [`Warning`](crate::Warning), as the API server prunes it.

mod core_v1;
mod discovery;
mod gateway;
mod http_route;
mod meta;
mod reference_grant;
mod routes;
mod shared;

pub use core_v1::{NamespaceSpec, SecretSpec, ServicePort, ServiceSpec};
pub use discovery::{
    EndpointConditions, EndpointSliceEndpoint, EndpointSlicePort, EndpointSliceSpec,
};
pub use gateway::{
    AllowedRoutes, GatewayAddress, GatewayClassSpec, GatewaySpec, GatewayTlsConfig, Listener,
    RouteGroupKind, RouteNamespaces,
};
pub use http_route::{
    Fraction, HttpBackendRef, HttpCorsFilter, HttpHeader, HttpHeaderFilter, HttpHeaderMatch,
    HttpPathMatch, HttpPathModifier, HttpQueryParamMatch, HttpRequestMirrorFilter,
    HttpRequestRedirectFilter, HttpRouteFilter, HttpRouteMatch, HttpRouteRule, HttpRouteSpec,
    HttpRouteTimeouts, HttpUrlRewriteFilter,
};
pub use meta::{LabelSelector, LabelSelectorRequirement, ObjectMeta, TypeMeta};
pub use reference_grant::{ReferenceGrantFrom, ReferenceGrantSpec, ReferenceGrantTo};
pub use routes::{
    AllowedListeners, BackendRef, GrpcBackendRef, GrpcMethodMatch, GrpcRouteFilter, GrpcRouteMatch,
    GrpcRouteRule, GrpcRouteSpec, ListenerNamespaces, ListenerSetSpec, ParentGatewayReference,
    StreamRouteRule, StreamRouteSpec, TlsRouteSpec,
};
pub use shared::{
    BackendObjectReference, LocalObjectReference, ParentReference, SecretObjectReference,
};
