//! The other route kinds and ListenerSet: GRPCRoute (`apis/v1/grpcroute_types.go`),
//! TLSRoute (`apis/v1/tlsroute_types.go`), TCPRoute and UDPRoute
//! (`apis/v1/tcproute_types.go`, `apis/v1alpha2/udproute_types.go`) and
//! ListenerSet (`apis/v1/listenerset_types.go`).

use serde::{Deserialize, Serialize};

use super::{
    HttpBackendRef, HttpHeaderFilter, HttpHeaderMatch, HttpRequestMirrorFilter, HttpRouteFilter,
    Listener, LocalObjectReference, ParentReference,
};

/// `GRPCRouteSpec`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteSpec {
    /// Max 32.
    #[serde(default)]
    pub parent_refs: Vec<ParentReference>,
    /// Max 16.
    #[serde(default)]
    pub hostnames: Vec<String>,
    /// Max 16; absent means one rule matching every call with no backends.
    pub rules: Option<Vec<GrpcRouteRule>>,
}

/// `GRPCRouteRule`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteRule {
    /// Optional section name.
    pub name: Option<String>,
    /// Max 8; absent matches every call.
    #[serde(default)]
    pub matches: Vec<GrpcRouteMatch>,
    /// Max 16.
    #[serde(default)]
    pub filters: Vec<GrpcRouteFilter>,
    /// Max 16.
    #[serde(default)]
    pub backend_refs: Vec<GrpcBackendRef>,
    /// Session persistence (not used by Gatewise).
    pub session_persistence: Option<serde_json::Value>,
}

/// `GRPCRouteMatch`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteMatch {
    /// Service and/or method; absent matches every call.
    pub method: Option<GrpcMethodMatch>,
    /// Max 16 (same shape as HTTP header matches).
    #[serde(default)]
    pub headers: Vec<HttpHeaderMatch>,
}

/// `GRPCMethodMatch`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GrpcMethodMatch {
    /// `Exact` (default) or `RegularExpression`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Fully qualified service; absent or empty matches any.
    pub service: Option<String>,
    /// Method; absent or empty matches any.
    pub method: Option<String>,
}

/// `GRPCRouteFilter`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteFilter {
    /// `RequestHeaderModifier`, `ResponseHeaderModifier`, `RequestMirror` or
    /// `ExtensionRef`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// `RequestHeaderModifier`.
    pub request_header_modifier: Option<HttpHeaderFilter>,
    /// `ResponseHeaderModifier`.
    pub response_header_modifier: Option<HttpHeaderFilter>,
    /// `RequestMirror`.
    pub request_mirror: Option<HttpRequestMirrorFilter>,
    /// `ExtensionRef`.
    pub extension_ref: Option<LocalObjectReference>,
}

impl GrpcRouteFilter {
    /// The same filter in HTTPRoute's shape (the fields GRPCRoute has are a subset).
    pub fn to_http(&self) -> HttpRouteFilter {
        HttpRouteFilter {
            type_: self.type_.clone(),
            request_header_modifier: self.request_header_modifier.clone(),
            response_header_modifier: self.response_header_modifier.clone(),
            request_mirror: self.request_mirror.clone(),
            extension_ref: self.extension_ref.clone(),
            ..HttpRouteFilter::default()
        }
    }
}

/// `GRPCBackendRef`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GrpcBackendRef {
    /// Default `""` (core).
    pub group: Option<String>,
    /// Default `Service`.
    pub kind: Option<String>,
    /// Required.
    pub name: Option<String>,
    /// Default: the route's namespace.
    pub namespace: Option<String>,
    /// Required for a Service.
    pub port: Option<i64>,
    /// 0..1,000,000; default 1.
    pub weight: Option<i64>,
    /// Filters applied when this backend is chosen (max 16).
    #[serde(default)]
    pub filters: Vec<GrpcRouteFilter>,
}

impl GrpcBackendRef {
    /// The same reference in HTTPRoute's shape (its filters are a subset).
    pub fn to_http(&self) -> HttpBackendRef {
        HttpBackendRef {
            group: self.group.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            port: self.port,
            weight: self.weight,
            filters: self.filters.iter().map(GrpcRouteFilter::to_http).collect(),
        }
    }
}

/// `BackendRef` (TLSRoute, TCPRoute, UDPRoute).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BackendRef {
    /// Default `""` (core).
    pub group: Option<String>,
    /// Default `Service`.
    pub kind: Option<String>,
    /// Required.
    pub name: Option<String>,
    /// Default: the route's namespace.
    pub namespace: Option<String>,
    /// Required for a Service.
    pub port: Option<i64>,
    /// 0..1,000,000; default 1.
    pub weight: Option<i64>,
}

impl BackendRef {
    /// The same reference in HTTPRoute's shape, with no filters.
    pub fn to_http(&self) -> HttpBackendRef {
        HttpBackendRef {
            group: self.group.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            port: self.port,
            weight: self.weight,
            filters: Vec::new(),
        }
    }
}

/// `TLSRouteSpec`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TlsRouteSpec {
    /// Max 32.
    #[serde(default)]
    pub parent_refs: Vec<ParentReference>,
    /// Required, 1..1024: matched against the SNI.
    #[serde(default)]
    pub hostnames: Vec<String>,
    /// Required, exactly 1.
    pub rules: Option<Vec<StreamRouteRule>>,
}

/// `TCPRouteSpec` and `UDPRouteSpec`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StreamRouteSpec {
    /// Max 32.
    #[serde(default)]
    pub parent_refs: Vec<ParentReference>,
    /// Required, 1..16.
    pub rules: Option<Vec<StreamRouteRule>>,
}

/// `TLSRouteRule`, `TCPRouteRule`, `UDPRouteRule`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StreamRouteRule {
    /// Optional section name.
    pub name: Option<String>,
    /// Required, 1..16.
    #[serde(default)]
    pub backend_refs: Vec<BackendRef>,
}

/// `ListenerSetSpec`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerSetSpec {
    /// Required: the Gateway the listeners join.
    pub parent_ref: Option<ParentGatewayReference>,
    /// Required, 1..64.
    pub listeners: Option<Vec<Listener>>,
}

/// `ParentGatewayReference`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ParentGatewayReference {
    /// Default `gateway.networking.k8s.io`.
    pub group: Option<String>,
    /// Default `Gateway`.
    pub kind: Option<String>,
    /// Required.
    pub name: Option<String>,
    /// Default: the ListenerSet's namespace.
    pub namespace: Option<String>,
}

/// Gateway `spec.allowedListeners`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedListeners {
    /// Default `from: None`.
    pub namespaces: Option<ListenerNamespaces>,
}

/// `ListenerNamespaces`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerNamespaces {
    /// `None` (default), `Same`, `All` or `Selector`.
    pub from: Option<String>,
    /// Required when `from: Selector`.
    pub selector: Option<super::LabelSelector>,
}
