use serde::{Deserialize, Serialize};

use super::{BackendObjectReference, LocalObjectReference, ParentReference};

/// `HTTPRouteSpec` (`apis/v1/httproute_types.go`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    /// Max 32.
    #[serde(default)]
    pub parent_refs: Vec<ParentReference>,
    /// Max 16.
    #[serde(default)]
    pub hostnames: Vec<String>,
    /// Max 16; absent means one rule matching `PathPrefix /` with no backends.
    pub rules: Option<Vec<HttpRouteRule>>,
}

/// `HTTPRouteRule`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    /// Optional section name.
    pub name: Option<String>,
    /// Max 64 (8 since v1.x CEL budget reasons: see validation); absent means `PathPrefix /`.
    pub matches: Option<Vec<HttpRouteMatch>>,
    /// Max 16.
    #[serde(default)]
    pub filters: Vec<HttpRouteFilter>,
    /// Max 16.
    #[serde(default)]
    pub backend_refs: Vec<HttpBackendRef>,
    /// Request and backend-request timeouts.
    pub timeouts: Option<HttpRouteTimeouts>,
}

/// `HTTPRouteMatch`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteMatch {
    /// Default `PathPrefix /`.
    pub path: Option<HttpPathMatch>,
    /// Max 16.
    #[serde(default)]
    pub headers: Vec<HttpHeaderMatch>,
    /// Max 16.
    #[serde(default)]
    pub query_params: Vec<HttpQueryParamMatch>,
    /// An HTTP method.
    pub method: Option<String>,
}

/// `HTTPPathMatch`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpPathMatch {
    /// `Exact`, `PathPrefix` (default) or `RegularExpression`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Default `/`; max 1024.
    pub value: Option<String>,
}

/// `HTTPHeaderMatch`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpHeaderMatch {
    /// `Exact` (default) or `RegularExpression`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Required; case-insensitive.
    pub name: Option<String>,
    /// Required; 1..4096.
    pub value: Option<String>,
}

/// `HTTPQueryParamMatch`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpQueryParamMatch {
    /// `Exact` (default) or `RegularExpression`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Required; case-sensitive.
    pub name: Option<String>,
    /// Required; 1..1024.
    pub value: Option<String>,
}

/// `HTTPRouteFilter`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteFilter {
    /// Required: the filter kind; the matching field below must be set.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// `RequestHeaderModifier`.
    pub request_header_modifier: Option<HttpHeaderFilter>,
    /// `ResponseHeaderModifier`.
    pub response_header_modifier: Option<HttpHeaderFilter>,
    /// `RequestMirror`.
    pub request_mirror: Option<HttpRequestMirrorFilter>,
    /// `RequestRedirect`.
    pub request_redirect: Option<HttpRequestRedirectFilter>,
    /// `URLRewrite`.
    #[serde(rename = "urlRewrite")]
    pub url_rewrite: Option<HttpUrlRewriteFilter>,
    /// `CORS`.
    pub cors: Option<HttpCorsFilter>,
    /// `ExtensionRef`.
    pub extension_ref: Option<LocalObjectReference>,
}

/// `HTTPHeaderFilter`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpHeaderFilter {
    /// Replace (max 16).
    #[serde(default)]
    pub set: Vec<HttpHeader>,
    /// Append (max 16).
    #[serde(default)]
    pub add: Vec<HttpHeader>,
    /// Remove by name (max 16).
    #[serde(default)]
    pub remove: Vec<String>,
}

/// `HTTPHeader`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpHeader {
    /// Required.
    pub name: Option<String>,
    /// Required; 1..4096.
    pub value: Option<String>,
}

/// `HTTPRequestMirrorFilter`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequestMirrorFilter {
    /// Required.
    pub backend_ref: Option<BackendObjectReference>,
    /// 0..100; exclusive with `fraction`.
    pub percent: Option<i64>,
    /// Exclusive with `percent`.
    pub fraction: Option<Fraction>,
}

/// `Fraction`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Fraction {
    /// Required, >= 0, <= denominator.
    pub numerator: Option<i64>,
    /// Default 100, >= 1.
    pub denominator: Option<i64>,
}

/// `HTTPRequestRedirectFilter`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequestRedirectFilter {
    /// `http` or `https`.
    pub scheme: Option<String>,
    /// A precise hostname.
    pub hostname: Option<String>,
    /// Path modifier.
    pub path: Option<HttpPathModifier>,
    /// 1..65535.
    pub port: Option<i64>,
    /// 301, 302 (default), 303, 307, 308.
    pub status_code: Option<i64>,
}

/// `HTTPURLRewriteFilter`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpUrlRewriteFilter {
    /// A precise hostname.
    pub hostname: Option<String>,
    /// Path modifier.
    pub path: Option<HttpPathModifier>,
}

/// `HTTPPathModifier`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpPathModifier {
    /// `ReplaceFullPath` or `ReplacePrefixMatch`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Set iff type is `ReplaceFullPath`.
    pub replace_full_path: Option<String>,
    /// Set iff type is `ReplacePrefixMatch`.
    pub replace_prefix_match: Option<String>,
}

/// `HTTPCORSFilter` (standard since v1.5).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpCorsFilter {
    /// Max 64.
    #[serde(default)]
    pub allow_origins: Vec<String>,
    /// Default false.
    pub allow_credentials: Option<bool>,
    /// Max 9.
    #[serde(default)]
    pub allow_methods: Vec<String>,
    /// Max 64.
    #[serde(default)]
    pub allow_headers: Vec<String>,
    /// Max 64.
    #[serde(default)]
    pub expose_headers: Vec<String>,
    /// Seconds; default 5.
    pub max_age: Option<i64>,
}

/// `HTTPBackendRef`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpBackendRef {
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
    pub filters: Vec<HttpRouteFilter>,
}

/// `HTTPRouteTimeouts`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteTimeouts {
    /// GEP-2257 duration for the whole request.
    pub request: Option<String>,
    /// GEP-2257 duration for one backend attempt.
    pub backend_request: Option<String>,
}

impl HttpBackendRef {
    /// The reference part, without weight and filters.
    pub fn object_ref(&self) -> BackendObjectReference {
        BackendObjectReference {
            group: self.group.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            port: self.port,
        }
    }
}
