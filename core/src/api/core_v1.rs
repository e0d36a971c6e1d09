use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// `Namespace.spec` (unused; Namespaces are read for their labels).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NamespaceSpec {
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// `Service.spec`: the ports are what Gatewise needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    /// `spec.ports`.
    #[serde(default)]
    pub ports: Vec<ServicePort>,
    /// `spec.type` (`ClusterIP`, `ExternalName`, ...).
    #[serde(rename = "type")]
    pub type_: Option<String>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// One `Service.spec.ports` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    /// Port name (required when there are several ports).
    pub name: Option<String>,
    /// The Service port.
    pub port: Option<i64>,
    /// `TCP` (default), `UDP` or `SCTP`.
    pub protocol: Option<String>,
    /// e.g. `kubernetes.io/h2c`, `kubernetes.io/ws`.
    pub app_protocol: Option<String>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// A Secret: `type`, `data` (base64) and `stringData`, which sit beside `metadata`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretSpec {
    /// `type`, e.g. `kubernetes.io/tls`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// `data`: base64-encoded values.
    #[serde(default)]
    pub data: BTreeMap<String, String>,
    /// `stringData`: plain values (merged over `data` by the API server).
    #[serde(default)]
    pub string_data: BTreeMap<String, String>,
}
