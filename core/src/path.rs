//! Request path normalisation (placeholder until the full policy lands).
use std::borrow::Cow;

/// Normalised request path.
pub fn normalize(path: &str) -> Option<Cow<'_, str>> {
    path.starts_with('/').then_some(Cow::Borrowed(path))
}

/// Splits a request target into (path, query).
pub fn split_query(target: &str) -> (&str, Option<&str>) {
    match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    }
}
