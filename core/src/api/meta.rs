use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

/// `apiVersion` and `kind`, read first to pick the type of the rest.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeMeta {
    /// `apiVersion`, e.g. `gateway.networking.k8s.io/v1`.
    pub api_version: Option<String>,
    /// `kind`, e.g. `HTTPRoute`.
    pub kind: Option<String>,
}

/// `metadata`: the fields Gatewise reads, plus the server-set ones it drops silently.
#[derive(Debug, Clone, Default, Deserialize)]
#[expect(
    dead_code,
    reason = "server-set fields are read only so that they are not reported as unknown"
)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// `metadata.name`.
    pub name: Option<String>,
    /// `metadata.namespace`; `default` when absent on a namespaced object.
    pub namespace: Option<String>,
    /// `metadata.labels`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations` (read for completeness, not used for routing).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// `metadata.creationTimestamp` (RFC 3339).
    pub creation_timestamp: Option<String>,
    /// `metadata.generation`.
    pub generation: Option<i64>,
    // Server-set or irrelevant fields, accepted and dropped without a warning.
    #[serde(default, rename = "uid")]
    _uid: Option<IgnoredAny>,
    #[serde(default)]
    resource_version: Option<IgnoredAny>,
    #[serde(default)]
    managed_fields: Option<IgnoredAny>,
    #[serde(default)]
    self_link: Option<IgnoredAny>,
    #[serde(default)]
    finalizers: Option<IgnoredAny>,
    #[serde(default)]
    owner_references: Option<IgnoredAny>,
    #[serde(default)]
    deletion_timestamp: Option<IgnoredAny>,
    #[serde(default)]
    deletion_grace_period_seconds: Option<IgnoredAny>,
    #[serde(default)]
    generate_name: Option<IgnoredAny>,
}

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// Labels that must all be present with these values.
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements, all of which must hold.
    #[serde(default)]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    /// The label key.
    pub key: Option<String>,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: Option<String>,
    /// The values for `In` and `NotIn`.
    #[serde(default)]
    pub values: Vec<String>,
}
