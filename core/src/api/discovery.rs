use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// `discovery.k8s.io/v1` EndpointSlice: the fields that sit beside `metadata`
/// (an EndpointSlice has no `spec`). The Service it belongs to is named by the
/// label `kubernetes.io/service-name`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointSliceSpec {
    /// `addressType`: `IPv4`, `IPv6` or `FQDN` (required).
    pub address_type: Option<String>,
    /// `endpoints` (at most 1000).
    #[serde(default)]
    pub endpoints: Vec<EndpointSliceEndpoint>,
    /// `ports`: the ports every endpoint of the slice exposes (at most 100).
    #[serde(default)]
    pub ports: Vec<EndpointSlicePort>,
}

/// One `endpoints` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointSliceEndpoint {
    /// `addresses` (1..100): all of them reach the same backend; consumers use the
    /// first.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// `conditions`.
    pub conditions: Option<EndpointConditions>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// `endpoints[].conditions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointConditions {
    /// `ready`: unset means ready.
    pub ready: Option<bool>,
    /// `serving`.
    pub serving: Option<bool>,
    /// `terminating`.
    pub terminating: Option<bool>,
}

/// One `ports` entry: the port a Service port (matched by `name`) reaches on each
/// endpoint, i.e. the Service port's `targetPort` resolved.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointSlicePort {
    /// The Service port's name (`""` or unset for an unnamed port).
    pub name: Option<String>,
    /// The port number on the endpoints.
    pub port: Option<i64>,
    /// `TCP` (default), `UDP` or `SCTP`.
    pub protocol: Option<String>,
    /// `appProtocol`.
    pub app_protocol: Option<String>,
}
