//! Redirect (placeholder until the helper's version lands).
use serde::Serialize;

use super::rewrite::PathModifier;

/// Redirect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// Scheme.
    pub scheme: Option<String>,
    /// Host.
    pub hostname: Option<String>,
    /// Path.
    pub path: Option<PathModifier>,
    /// Port.
    pub port: Option<u16>,
    /// Status.
    pub status: u16,
}
/// Input.
#[derive(Debug, Clone, Copy)]
pub struct RedirectInput<'a> {
    /// Scheme.
    pub scheme: &'a str,
    /// Host.
    pub host: &'a str,
    /// Listener port.
    pub listener_port: u16,
    /// Path.
    pub path: &'a str,
    /// Query.
    pub query: Option<&'a str>,
    /// Prefix.
    pub matched_prefix: &'a str,
}
impl Redirect {
    /// From wire.
    pub fn from_wire(f: &crate::api::HttpRequestRedirectFilter) -> Self {
        Redirect {
            scheme: f.scheme.clone(),
            hostname: f.hostname.clone(),
            path: f.path.as_ref().and_then(PathModifier::from_wire),
            port: f.port.and_then(|p| u16::try_from(p).ok()),
            status: f.status_code.and_then(|p| u16::try_from(p).ok()).unwrap_or(302),
        }
    }
    /// Location.
    pub fn location(&self, i: &RedirectInput<'_>) -> String {
        let scheme = self.scheme.as_deref().unwrap_or(i.scheme);
        let host = self.hostname.as_deref().unwrap_or_else(|| crate::hostname::strip_port(i.host));
        let port = self.port.unwrap_or(match self.scheme.as_deref() {
            Some("https") => 443,
            Some(_) => 80,
            None => i.listener_port,
        });
        let path = self.path.as_ref().map_or_else(|| i.path.to_owned(), |m| m.apply(i.path, i.matched_prefix));
        let port = if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { String::new() } else { format!(":{port}") };
        let q = i.query.map(|q| format!("?{q}")).unwrap_or_default();
        format!("{scheme}://{host}{port}{path}{q}")
    }
}
