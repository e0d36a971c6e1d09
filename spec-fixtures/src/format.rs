//! The fixture file format (`shared/spec/fixture-format.md`, v1) as serde types.
//!
//! Every struct denies unknown fields: a typo in a fixture makes the file
//! malformed instead of silently checking less.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

/// One fixture file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Fixture {
    /// Unique within the suite.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Labels for `--features` filtering.
    #[serde(default)]
    pub features: Vec<String>,
    /// The spec text or test the fixture pins.
    #[serde(default)]
    pub source: Option<String>,
    /// Manifest files, relative to the fixture file.
    #[serde(default)]
    pub include: Vec<String>,
    /// Inline Kubernetes objects.
    #[serde(default)]
    pub resources: Vec<serde_json::Value>,
    /// Overrides the default controller name.
    #[serde(default)]
    pub controller_name: Option<String>,
    /// Request cases.
    #[serde(default)]
    pub requests: Vec<RequestCase>,
    /// Status cases.
    #[serde(default)]
    pub status: Vec<StatusCase>,
    /// Rejection cases.
    #[serde(default)]
    pub rejected: Vec<RejectedCase>,
}

/// A string that YAML may have written as a number or boolean (`value: 2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            I(i64),
            U(u64),
            F(f64),
            B(bool),
        }
        Ok(Scalar(match Raw::deserialize(d)? {
            Raw::S(s) => s,
            Raw::I(i) => i.to_string(),
            Raw::U(u) => u.to_string(),
            Raw::F(f) => f.to_string(),
            // `status: True` unquoted is a YAML boolean; conditions spell it `True`.
            Raw::B(true) => "True".to_owned(),
            Raw::B(false) => "False".to_owned(),
        }))
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The protocol of a request case.
/// A request's protocol: the core's own enum, so every front end agrees on it.
pub use gatewise::RequestProtocol as Protocol;

/// One `requests` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestCase {
    /// Case name.
    pub name: String,
    /// `namespace/name` of the Gateway.
    pub gateway: String,
    /// Port; defaults by protocol.
    #[serde(default)]
    pub port: Option<u16>,
    /// Protocol.
    #[serde(default)]
    pub protocol: Protocol,
    /// Method.
    #[serde(default)]
    pub method: Option<String>,
    /// Host header.
    #[serde(default)]
    pub host: Option<String>,
    /// TLS server name.
    #[serde(default)]
    pub sni: Option<String>,
    /// Request target.
    #[serde(default)]
    pub path: Option<String>,
    /// gRPC service and method.
    #[serde(default)]
    pub grpc: Option<GrpcCall>,
    /// Request headers, in order.
    #[serde(default)]
    pub headers: Vec<Header>,
    /// What the backend answers.
    #[serde(default)]
    pub backend_response: Option<BackendResponse>,
    /// The expected outcome.
    pub expect: Expect,
}

/// `grpc: {service, method}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrpcCall {
    /// Fully qualified service.
    pub service: String,
    /// Method.
    pub method: String,
}

/// One request header.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Value.
    pub value: Scalar,
}

/// `backendResponse`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendResponse {
    /// Headers the backend answers with.
    #[serde(default)]
    pub headers: BTreeMap<String, Scalar>,
}

/// `expect`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The only backend with non-zero weight.
    #[serde(default)]
    pub backend: Option<BackendRef>,
    /// The full weighted set.
    #[serde(default)]
    pub backends: Option<Vec<WeightedExpect>>,
    /// A direct answer or `reject`.
    #[serde(default)]
    pub status: Option<StatusExpect>,
    /// A redirect.
    #[serde(default)]
    pub redirect: Option<RedirectExpect>,
    /// The request as the backend receives it.
    #[serde(default)]
    pub request: Option<RequestExpect>,
    /// The response headers the client receives.
    #[serde(default)]
    pub response: Option<ResponseExpect>,
    /// Mirror targets, exactly.
    #[serde(default)]
    pub mirrors: Option<Vec<MirrorExpect>>,
    /// The listener that accepted.
    #[serde(default)]
    pub listener: Option<String>,
    /// `namespace/name` of the deciding route.
    #[serde(default)]
    pub route: Option<String>,
}

/// `{namespace, name, port}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendRef {
    /// Defaults to the deciding route's namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Service name.
    pub name: String,
    /// Service port.
    pub port: u16,
}

/// One `backends` entry: a Service share, or the invalid share `{status: 500, weight}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedExpect {
    /// Defaults to the deciding route's namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Service name.
    #[serde(default)]
    pub name: Option<String>,
    /// Service port.
    #[serde(default)]
    pub port: Option<u16>,
    /// Weight (default 1, as a backendRef's).
    #[serde(default)]
    pub weight: Option<u32>,
    /// 500 for the invalid share.
    #[serde(default)]
    pub status: Option<u16>,
}

/// `status: 404` or `status: reject`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusExpect {
    /// Answered directly with this status.
    Code(u16),
    /// The connection is refused.
    Reject,
}

impl<'de> Deserialize<'de> for StatusExpect {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Scalar(s) = Scalar::deserialize(d)?;
        if s == "reject" {
            return Ok(StatusExpect::Reject);
        }
        s.parse().map(StatusExpect::Code).map_err(|_| {
            serde::de::Error::custom(format!(
                "expect.status must be an HTTP status or `reject`, found {s:?}"
            ))
        })
    }
}

impl fmt::Display for StatusExpect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusExpect::Code(c) => write!(f, "status {c}"),
            StatusExpect::Reject => f.write_str("reject"),
        }
    }
}

/// `redirect: {status, location}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedirectExpect {
    /// 301, 302, ...
    pub status: u16,
    /// The whole `Location`.
    pub location: String,
}

/// `request: {host, path, headers, absentHeaders}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestExpect {
    /// Host header exactly.
    #[serde(default)]
    pub host: Option<String>,
    /// Path with query.
    #[serde(default)]
    pub path: Option<String>,
    /// Headers that must be present with these values.
    #[serde(default)]
    pub headers: BTreeMap<String, Scalar>,
    /// Headers that must be absent.
    #[serde(default)]
    pub absent_headers: Vec<String>,
}

/// `response: {headers, absentHeaders}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResponseExpect {
    /// Headers that must be present with these values.
    #[serde(default)]
    pub headers: BTreeMap<String, Scalar>,
    /// Headers that must be absent.
    #[serde(default)]
    pub absent_headers: Vec<String>,
}

/// One `mirrors` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MirrorExpect {
    /// Defaults to the deciding route's namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Service name.
    pub name: String,
    /// Service port.
    pub port: u16,
    /// Share mirrored (default 100).
    #[serde(default)]
    pub percent: Option<f64>,
}

/// One `status` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StatusCase {
    /// `GatewayClass`, `Gateway`, `HTTPRoute`, `ListenerSet`, ...
    pub kind: String,
    /// Namespace (not for GatewayClass).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Conditions that must be present.
    #[serde(default)]
    pub conditions: Vec<ConditionExpect>,
    /// Listeners that must be present.
    #[serde(default)]
    pub listeners: Vec<ListenerExpect>,
    /// Route parents that must be present.
    #[serde(default)]
    pub parents: Vec<ParentExpect>,
    /// Gateway `attachedListenerSets`.
    #[serde(default)]
    pub attached_listener_sets: Option<u32>,
}

/// `{type, status, reason}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionExpect {
    /// Condition type.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False`, `Unknown`.
    pub status: Scalar,
    /// Reason, when given.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One listener entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListenerExpect {
    /// Listener name.
    pub name: String,
    /// Accepted routes.
    #[serde(default)]
    pub attached_routes: Option<u32>,
    /// Kinds that must be supported (empty: none).
    #[serde(default)]
    pub supported_kinds: Option<Vec<KindExpect>>,
    /// Conditions that must be present.
    #[serde(default)]
    pub conditions: Vec<ConditionExpect>,
}

/// A supported kind: `HTTPRoute` or `{group, kind}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KindExpect {
    /// Just the kind.
    Kind(String),
    /// Group and kind.
    GroupKind {
        /// Group (default gateway.networking.k8s.io).
        #[serde(default)]
        group: Option<String>,
        /// Kind.
        kind: String,
    },
}

/// One route parent entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParentExpect {
    /// The parentRef, defaults applied when matching.
    pub parent_ref: ParentRefExpect,
    /// Conditions that must be present.
    #[serde(default)]
    pub conditions: Vec<ConditionExpect>,
}

/// A parentRef.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParentRefExpect {
    /// Default `gateway.networking.k8s.io`.
    #[serde(default)]
    pub group: Option<String>,
    /// Default `Gateway`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Default: the route's namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Listener name.
    #[serde(default)]
    pub section_name: Option<String>,
    /// Port.
    #[serde(default)]
    pub port: Option<u16>,
}

/// One `rejected` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedCase {
    /// Kind.
    pub kind: String,
    /// Namespace (default `default` for namespaced kinds).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// The field path reported, or a prefix of it at a path boundary.
    #[serde(default)]
    pub field: Option<String>,
}
