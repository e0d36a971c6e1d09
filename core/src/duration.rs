//! GEP-2257 durations (placeholder until validation lands).

/// Parses a GEP-2257 duration.
pub fn parse(s: &str) -> Option<std::time::Duration> {
    let _ = s;
    None
}
