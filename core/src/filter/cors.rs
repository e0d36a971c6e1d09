//! CORS (placeholder until the helper's version lands).
use serde::Serialize;

/// CORS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cors {
    origins: Vec<String>,
}
impl Cors {
    /// Preflight status.
    pub const PREFLIGHT_STATUS: u16 = 204;
    /// From wire.
    pub fn from_wire(f: &crate::api::HttpCorsFilter) -> Self {
        Cors { origins: f.allow_origins.clone() }
    }
    /// Preflight?
    pub fn is_preflight(method: &str, origin: Option<&str>, request_method: Option<&str>) -> bool {
        method == "OPTIONS" && origin.is_some() && request_method.is_some()
    }
    /// Preflight headers.
    pub fn preflight_headers(&self, origin: &str, _m: &str, _h: Option<&str>) -> Vec<(String, String)> {
        self.response_headers(origin)
    }
    /// Response headers.
    pub fn response_headers(&self, origin: &str) -> Vec<(String, String)> {
        if self.origins.iter().any(|o| o == origin || o == "*") {
            vec![("access-control-allow-origin".into(), origin.into())]
        } else {
            Vec::new()
        }
    }
}
