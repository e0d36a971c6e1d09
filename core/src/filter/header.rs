//! Header modifier (placeholder until the helper's version lands).
use serde::Serialize;

/// Header changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderModifier {
    /// Replace.
    pub set: Vec<Header>,
    /// Append.
    pub add: Vec<Header>,
    /// Remove.
    pub remove: Vec<String>,
}
/// A header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}
impl HeaderModifier {
    /// From wire.
    pub fn from_wire(f: &crate::api::HttpHeaderFilter) -> Self {
        let conv = |v: &[crate::api::HttpHeader]| {
            v.iter()
                .map(|h| Header {
                    name: h.name.clone().unwrap_or_default().to_ascii_lowercase(),
                    value: h.value.clone().unwrap_or_default(),
                })
                .collect()
        };
        HeaderModifier { set: conv(&f.set), add: conv(&f.add), remove: f.remove.iter().map(|r| r.to_ascii_lowercase()).collect() }
    }
    /// Apply.
    pub fn apply(&self, headers: &mut Vec<(String, String)>) {
        for h in &self.set {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&h.name));
            headers.push((h.name.clone(), h.value.clone()));
        }
        for h in &self.add {
            headers.push((h.name.clone(), h.value.clone()));
        }
        for r in &self.remove {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(r));
        }
    }
}
