//! Explain: the same walk as routing, recorded (placeholder).

use std::fmt;

use serde::Serialize;

use crate::decision::GatewayRef;
use crate::request::HttpRequest;
use crate::router::Router;
use crate::view::DecisionView;

/// Why a request got its decision.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Explanation {
    /// The decision.
    pub decision: DecisionView,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "decision: {}", self.decision.kind)
    }
}

impl Router {
    /// Routes a request and records why.
    pub fn explain_http(
        &self,
        gateway: GatewayRef<'_>,
        port: u16,
        req: &HttpRequest<'_>,
    ) -> Explanation {
        Explanation {
            decision: self.route_http(gateway, port, req).view(),
        }
    }
}
