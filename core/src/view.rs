//! Owned, serialisable views of decisions: the one serialisation the CLI's
//! `-o json`, the Python dicts and the Node objects all come from.

use serde::Serialize;

use crate::decision::{Decision, Matched, UpstreamRequest};
use crate::router::{BackendTarget, Mirror, Timeouts, TlsMode, WeightedBackend};

/// A decision as plain data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DecisionView {
    /// `forward`, `redirect`, `respond` or `reject`.
    pub kind: &'static str,
    /// For a forward: what is forwarded (`HTTP`, `HTTPS`, `GRPC`, `TLS`, `TCP`,
    /// `UDP`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<&'static str>,
    /// For a TLS forward: `Passthrough` or `Terminate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_mode: Option<&'static str>,
    /// The status of a redirect or direct answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The `Location` of a redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Why a direct answer or refusal (see [`crate::Respond::reason`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// For a gRPC request answered by the gateway: the `grpc-status` a proxy sends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc_status: Option<u8>,
    /// The listener that accepted the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// The route whose rule decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<RouteView>,
    /// The rule index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<usize>,
    /// The rule name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_name: Option<String>,
    /// The match index within the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_index: Option<usize>,
    /// Weighted backends with non-zero weight (invalid ones carry `status: 500`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backends: Vec<BackendView>,
    /// The request as the backend receives it (for the only backend with weight,
    /// or with rule-level filters only when there are several).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<UpstreamRequest>,
    /// Response headers the client receives: the backend's after response
    /// filters, or the gateway's own (CORS preflight).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// Mirror targets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<MirrorView>,
    /// Rule timeouts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<Timeouts>,
}

/// A route reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteView {
    /// `HTTPRoute`.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// One weighted backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendView {
    /// Service namespace (valid backends).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Service name (valid backends).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Service port (valid backends).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Weight.
    pub weight: u32,
    /// 500 for an invalid backend's share (for a TLS/TCP/UDP stream: that share
    /// of connections is refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why the backend is invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One mirror target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MirrorView {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Port.
    pub port: u16,
    /// Share mirrored, 0–100.
    pub percent: f64,
}

impl From<&Mirror> for MirrorView {
    fn from(m: &Mirror) -> Self {
        MirrorView {
            namespace: m.backend.namespace.clone(),
            name: m.backend.name.clone(),
            port: m.backend.port,
            percent: m.percent(),
        }
    }
}

impl From<&WeightedBackend> for BackendView {
    fn from(b: &WeightedBackend) -> Self {
        match &b.target {
            BackendTarget::Service(s) => BackendView {
                namespace: Some(s.namespace.clone()),
                name: Some(s.name.clone()),
                port: Some(s.port),
                weight: b.weight,
                status: None,
                reason: None,
            },
            BackendTarget::Invalid(e) => BackendView {
                namespace: None,
                name: None,
                port: None,
                weight: b.weight,
                status: Some(500),
                reason: Some(e.reason.to_owned()),
            },
        }
    }
}

impl DecisionView {
    fn empty(kind: &'static str) -> Self {
        DecisionView {
            kind,
            protocol: None,
            tls_mode: None,
            status: None,
            location: None,
            reason: None,
            grpc_status: None,
            listener: None,
            route: None,
            rule: None,
            rule_name: None,
            match_index: None,
            backends: Vec::new(),
            request: None,
            response_headers: Vec::new(),
            mirrors: Vec::new(),
            timeouts: None,
        }
    }

    fn with_matched(mut self, m: Option<&Matched<'_>>) -> Self {
        if let Some(m) = m {
            self.listener = Some(m.listener.to_owned());
            self.route = Some(RouteView {
                kind: m.route_kind.to_owned(),
                namespace: m.route_namespace.to_owned(),
                name: m.route_name.to_owned(),
            });
            self.rule = Some(m.rule);
            self.rule_name = m.rule_name.map(str::to_owned);
            self.match_index = Some(m.match_index);
        }
        self
    }
}

impl Decision<'_> {
    /// The decision as plain data, with no backend response headers.
    pub fn view(&self) -> DecisionView {
        self.view_with_response(&[])
    }

    /// The decision as plain data; `backend_response` are the headers the backend
    /// answers with, so that `response_headers` shows what the client receives.
    pub fn view_with_response(&self, backend_response: &[(String, String)]) -> DecisionView {
        match self {
            Decision::Forward(f) => {
                let single = f.single_backend();
                let mut v = DecisionView::empty("forward").with_matched(Some(&f.matched()));
                v.protocol = Some(f.protocol().as_str());
                v.tls_mode = f.tls_mode().map(TlsMode::as_str);
                v.backends = f
                    .backends()
                    .iter()
                    .filter(|b| b.weight > 0)
                    .map(BackendView::from)
                    .collect();
                if !f.is_request() {
                    return v;
                }
                v.request = Some(f.upstream_request(single));
                v.response_headers = f.response_headers(single, backend_response);
                v.mirrors = f.mirrors(single).map(MirrorView::from).collect();
                let t = f.timeouts();
                v.timeouts = (t != Timeouts::default()).then_some(t);
                v
            }
            Decision::Redirect(r) => {
                let mut v = DecisionView::empty("redirect").with_matched(Some(&r.matched));
                v.status = Some(r.status);
                v.location = Some(r.location.clone());
                v
            }
            Decision::Respond(r) => {
                let mut v = DecisionView::empty("respond").with_matched(r.matched.as_ref());
                v.status = Some(r.status);
                v.reason = Some(r.reason);
                v.grpc_status = r.grpc_status;
                v.response_headers.clone_from(&r.headers);
                v
            }
            Decision::Reject(r) => {
                let mut v = DecisionView::empty("reject").with_matched(r.matched.as_ref());
                v.reason = Some(r.reason);
                v
            }
        }
    }
}
