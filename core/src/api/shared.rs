use serde::{Deserialize, Serialize};

/// `ParentReference` (`apis/v1/shared_types.go`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ParentReference {
    /// Default `gateway.networking.k8s.io`.
    pub group: Option<String>,
    /// Default `Gateway`.
    pub kind: Option<String>,
    /// Default: the route's namespace.
    pub namespace: Option<String>,
    /// Required.
    pub name: Option<String>,
    /// Listener name.
    pub section_name: Option<String>,
    /// Listener port.
    pub port: Option<i64>,
}

/// `BackendObjectReference` (`apis/v1/object_reference_types.go`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BackendObjectReference {
    /// Default `""` (core).
    pub group: Option<String>,
    /// Default `Service`.
    pub kind: Option<String>,
    /// Required.
    pub name: Option<String>,
    /// Default: the referring object's namespace.
    pub namespace: Option<String>,
    /// Required for a Service.
    pub port: Option<i64>,
}

/// `SecretObjectReference` (`apis/v1/object_reference_types.go`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SecretObjectReference {
    /// Default `""` (core).
    pub group: Option<String>,
    /// Default `Secret`.
    pub kind: Option<String>,
    /// Required.
    pub name: Option<String>,
    /// Default: the Gateway's namespace.
    pub namespace: Option<String>,
}

/// `LocalObjectReference` (`ExtensionRef`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LocalObjectReference {
    /// API group.
    pub group: Option<String>,
    /// Kind.
    pub kind: Option<String>,
    /// Name.
    pub name: Option<String>,
}
