//! URL rewrite (placeholder until the helper's version lands).
use serde::Serialize;

/// Path modifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value")]
pub enum PathModifier {
    /// Whole path.
    ReplaceFullPath(String),
    /// Matched prefix.
    ReplacePrefixMatch(String),
}
impl PathModifier {
    /// From wire.
    pub fn from_wire(m: &crate::api::HttpPathModifier) -> Option<Self> {
        match m.type_.as_deref() {
            Some("ReplaceFullPath") => Some(PathModifier::ReplaceFullPath(m.replace_full_path.clone()?)),
            Some("ReplacePrefixMatch") => Some(PathModifier::ReplacePrefixMatch(m.replace_prefix_match.clone()?)),
            _ => None,
        }
    }
    /// Apply.
    pub fn apply(&self, path: &str, matched_prefix: &str) -> String {
        match self {
            PathModifier::ReplaceFullPath(p) => p.clone(),
            PathModifier::ReplacePrefixMatch(r) => {
                let p = matched_prefix.trim_end_matches('/');
                let rest = path.strip_prefix(p).unwrap_or(path);
                let out = format!("{}{}", r.trim_end_matches('/'), rest);
                if out.is_empty() { "/".into() } else { out }
            }
        }
    }
}
/// URL rewrite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrlRewrite {
    /// Host.
    pub hostname: Option<String>,
    /// Path.
    pub path: Option<PathModifier>,
}
impl UrlRewrite {
    /// From wire.
    pub fn from_wire(f: &crate::api::HttpUrlRewriteFilter) -> Self {
        UrlRewrite { hostname: f.hostname.clone(), path: f.path.as_ref().and_then(PathModifier::from_wire) }
    }
}
