use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::{LabelSelector, SecretObjectReference};

/// `GatewayClassSpec` (`apis/v1/gatewayclass_types.go`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayClassSpec {
    /// Required; Gatewise handles classes whose value equals its controller name.
    pub controller_name: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Implementation-specific parameters (not used by Gatewise).
    pub parameters_ref: Option<IgnoredAny>,
}

/// `GatewaySpec` (`apis/v1/gateway_types.go`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySpec {
    /// Required.
    pub gateway_class_name: Option<String>,
    /// Required, 1..64.
    pub listeners: Option<Vec<Listener>>,
    /// Requested addresses (max 16).
    #[serde(default)]
    pub addresses: Vec<GatewayAddress>,
    /// Infrastructure labels, annotations and parameters.
    pub infrastructure: Option<GatewayInfrastructure>,
    /// Gateway-level TLS (backend client certificate, frontend validation): not used yet.
    pub tls: Option<IgnoredAny>,
    /// Which ListenerSets may attach (default: none).
    pub allowed_listeners: Option<super::AllowedListeners>,
}

/// `GatewayInfrastructure`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayInfrastructure {
    /// Labels for generated resources (not used by Gatewise).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations for generated resources (not used by Gatewise).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Implementation-specific parameters: Gatewise knows no parameter kind.
    pub parameters_ref: Option<super::LocalObjectReference>,
}

/// One `spec.addresses` entry.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GatewayAddress {
    /// `IPAddress` (default), `Hostname` or a domain-prefixed type.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// The address.
    pub value: Option<String>,
}

/// `Listener`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    /// Required, unique within the Gateway.
    pub name: Option<String>,
    /// Optional hostname (wildcard allowed).
    pub hostname: Option<String>,
    /// Required, 1..65535.
    pub port: Option<i64>,
    /// Required: `HTTP`, `HTTPS`, `TLS`, `TCP`, `UDP` or a domain-prefixed protocol.
    pub protocol: Option<String>,
    /// TLS configuration (HTTPS, TLS).
    pub tls: Option<GatewayTlsConfig>,
    /// Which routes may attach.
    pub allowed_routes: Option<AllowedRoutes>,
}

/// `GatewayTLSConfig` (listener `tls`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayTlsConfig {
    /// `Terminate` (default) or `Passthrough`.
    pub mode: Option<String>,
    /// Certificates (max 64).
    #[serde(default)]
    pub certificate_refs: Vec<SecretObjectReference>,
    /// Implementation-specific options.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

/// `AllowedRoutes`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedRoutes {
    /// Default `from: Same`.
    pub namespaces: Option<RouteNamespaces>,
    /// Max 8; empty means derived from the protocol.
    #[serde(default)]
    pub kinds: Vec<RouteGroupKind>,
}

/// `RouteNamespaces`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteNamespaces {
    /// `All`, `Same` (default) or `Selector`.
    pub from: Option<String>,
    /// Required when `from: Selector`.
    pub selector: Option<LabelSelector>,
}

/// `RouteGroupKind`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "camelCase")]
pub struct RouteGroupKind {
    /// Default `gateway.networking.k8s.io`.
    pub group: Option<String>,
    /// Required.
    pub kind: Option<String>,
}
