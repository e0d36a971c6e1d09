//! `URLRewrite` and the `HTTPPathModifier` it shares with `RequestRedirect`.

use serde::Serialize;

use crate::api::{HttpPathModifier, HttpUrlRewriteFilter};
use crate::filter::unreserved_or_sub_delim;

/// `HTTPPathModifier`: how a rewrite or redirect changes the request path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value")]
pub enum PathModifier {
    /// `ReplaceFullPath`: the whole path becomes this value (an empty value gives `/`).
    ReplaceFullPath(String),
    /// `ReplacePrefixMatch`: the part of the path matched by the rule's `PathPrefix`
    /// is replaced with this value; see [`PathModifier::apply`].
    ReplacePrefixMatch(String),
}

impl PathModifier {
    /// The compiled modifier; `None` when `type` is unknown or its value field is
    /// missing (the CRD schema rules both out).
    ///
    /// The configured value (which the CRD schema only limits in length) is
    /// percent-encoded here, once, where it holds a character RFC 3986 does not
    /// allow in a path (`?`, `#`, space, control characters, `<`, non-ASCII, ...;
    /// a `%` not followed by two hex digits), so every rewritten path is a valid
    /// path: a manifest cannot add a query or break the request line or
    /// `Location`. A non-empty `replaceFullPath` that does not start with `/`
    /// (`x`, or `\0`) is taken as relative to the root and gets one.
    pub fn from_wire(m: &HttpPathModifier) -> Option<Self> {
        match m.type_.as_deref()? {
            "ReplaceFullPath" => m.replace_full_path.as_deref().map(|full| {
                let mut path = encode_path(full);
                if !path.is_empty() && !path.starts_with('/') {
                    path.insert(0, '/');
                }
                Self::ReplaceFullPath(path)
            }),
            "ReplacePrefixMatch" => m
                .replace_prefix_match
                .as_deref()
                .map(|r| Self::ReplacePrefixMatch(encode_path(r))),
            _ => None,
        }
    }

    /// The rewritten path.
    ///
    /// `path` is the normalised request path without query; `matched_prefix` is the
    /// rule's `PathPrefix` match value (`"/"` when the rule has none).
    ///
    /// `ReplacePrefixMatch` follows the table in the `HTTPPathModifier` docs: a
    /// trailing `/` on the matched prefix and on the replacement is ignored, the
    /// replacement takes the place of the matched path elements, and an empty result
    /// becomes `/`. Gatewise's choices where the spec is silent:
    /// - a matched prefix of `/` matches no element, so the replacement is put in
    ///   front of the whole path (`/foo` with replacement `/xyz` → `/xyz/foo`, the
    ///   reading proposed in gateway-api issues #3592 and #4660);
    /// - when `path` does not start with `matched_prefix` element-wise (the router
    ///   never asks this), the path is returned unchanged.
    ///
    /// The value was made a valid path when compiled ([`PathModifier::from_wire`]).
    pub fn apply(&self, path: &str, matched_prefix: &str) -> String {
        match self {
            Self::ReplaceFullPath(full) if full.is_empty() => "/".to_owned(),
            Self::ReplaceFullPath(full) => full.clone(),
            Self::ReplacePrefixMatch(replacement) => {
                let prefix = matched_prefix.trim_end_matches('/');
                let Some(rest) = path.strip_prefix(prefix) else {
                    return path.to_owned();
                };
                if !(rest.is_empty() || rest.starts_with('/')) {
                    // `/foo` matched against `/foobar`: not an element-wise match.
                    return path.to_owned();
                }
                let replacement = replacement.trim_end_matches('/');
                let mut out = String::with_capacity(replacement.len() + rest.len() + 1);
                if !replacement.starts_with('/') && !replacement.is_empty() {
                    // Not reachable for CRD-valid values (they start with `/`).
                    out.push('/');
                }
                out.push_str(replacement);
                out.push_str(rest);
                if out.is_empty() {
                    out.push('/');
                }
                out
            }
        }
    }
}

/// `value` with every byte RFC 3986 does not allow in a path (outside
/// `unreserved`, `sub-delims`, `:`, `@`, `/` and a `%XX` escape) percent-encoded.
fn encode_path(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escape = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let allowed = unreserved_or_sub_delim(b) || matches!(b, b':' | b'@' | b'/');
        if allowed || escape {
            out.push(char::from(b));
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 0x0F] {
                // `nibble` < 16, so the lookup always succeeds.
                if let Some(&digit) = HEX.get(usize::from(nibble)) {
                    out.push(char::from(digit));
                }
            }
        }
    }
    out
}

/// `HTTPURLRewriteFilter`: what is changed in the request sent upstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrlRewrite {
    /// Replaces the `Host` header sent upstream.
    pub hostname: Option<String>,
    /// Changes the path sent upstream (the query string is kept).
    pub path: Option<PathModifier>,
}

impl UrlRewrite {
    /// The compiled filter. An unusable path modifier (see
    /// [`PathModifier::from_wire`]) leaves the path unchanged.
    pub fn from_wire(f: &HttpUrlRewriteFilter) -> Self {
        Self {
            hostname: f.hostname.clone(),
            path: f.path.as_ref().and_then(PathModifier::from_wire),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(replacement: &str) -> PathModifier {
        PathModifier::ReplacePrefixMatch(replacement.to_owned())
    }

    /// Every row of the `HTTPPathModifier.ReplacePrefixMatch` table in the spec.
    #[test]
    fn replace_prefix_match_follows_the_spec_table() {
        let table = [
            ("/foo/bar", "/foo", "/xyz", "/xyz/bar"),
            ("/foo/bar", "/foo", "/xyz/", "/xyz/bar"),
            ("/foo/bar", "/foo/", "/xyz", "/xyz/bar"),
            ("/foo/bar", "/foo/", "/xyz/", "/xyz/bar"),
            ("/foo", "/foo", "/xyz", "/xyz"),
            ("/foo/", "/foo", "/xyz", "/xyz/"),
            ("/foo/bar", "/foo", "", "/bar"),
            ("/foo/", "/foo", "", "/"),
            ("/foo", "/foo", "", "/"),
            ("/foo/", "/foo", "/", "/"),
            ("/foo", "/foo", "/", "/"),
        ];
        for (path, matched, replacement, expected) in table {
            assert_eq!(
                prefix(replacement).apply(path, matched),
                expected,
                "{path} matched by {matched} replaced with {replacement:?}"
            );
        }
    }

    #[test]
    fn replace_prefix_match_under_root_prefix_prepends_replacement() {
        assert_eq!(prefix("/xyz").apply("/foo", "/"), "/xyz/foo");
        assert_eq!(prefix("/xyz/").apply("/foo/bar", "/"), "/xyz/foo/bar");
        assert_eq!(prefix("/xyz").apply("/", "/"), "/xyz/");
        assert_eq!(prefix("").apply("/foo", "/"), "/foo");
        assert_eq!(prefix("/").apply("/", "/"), "/");
    }

    #[test]
    fn replace_prefix_match_conformance_cases() {
        // httproute-rewrite-path.go
        assert_eq!(
            prefix("/one").apply("/prefix/one/two", "/prefix/one"),
            "/one/two"
        );
        assert_eq!(
            prefix("/").apply("/strip-prefix/three", "/strip-prefix"),
            "/three"
        );
        assert_eq!(prefix("/").apply("/strip-prefix", "/strip-prefix"), "/");
        // httproute-redirect-path.go
        assert_eq!(
            prefix("/replacement-prefix").apply("/original-prefix/lemon", "/original-prefix"),
            "/replacement-prefix/lemon"
        );
    }

    #[test]
    fn replace_prefix_match_keeps_path_that_does_not_match_element_wise() {
        assert_eq!(prefix("/xyz").apply("/foobar", "/foo"), "/foobar");
        assert_eq!(prefix("/xyz").apply("/bar", "/foo"), "/bar");
    }

    #[test]
    fn replace_full_path_replaces_whole_path() {
        let full = PathModifier::ReplaceFullPath("/one".to_owned());
        assert_eq!(full.apply("/full/one/two", "/full"), "/one");
        assert_eq!(
            PathModifier::ReplaceFullPath(String::new()).apply("/a", "/"),
            "/"
        );
    }

    #[test]
    fn from_wire_reads_type_and_value() {
        let wire = |t: &str, full: Option<&str>, pre: Option<&str>| HttpPathModifier {
            type_: Some(t.to_owned()),
            replace_full_path: full.map(str::to_owned),
            replace_prefix_match: pre.map(str::to_owned),
        };
        assert_eq!(
            PathModifier::from_wire(&wire("ReplaceFullPath", Some("/a"), None)),
            Some(PathModifier::ReplaceFullPath("/a".to_owned()))
        );
        assert_eq!(
            PathModifier::from_wire(&wire("ReplacePrefixMatch", None, Some("/b"))),
            Some(prefix("/b"))
        );
        assert_eq!(
            PathModifier::from_wire(&wire("ReplacePrefixMatch", Some("/a"), None)),
            None
        );
        assert_eq!(
            PathModifier::from_wire(&wire("Other", Some("/a"), None)),
            None
        );
        assert_eq!(PathModifier::from_wire(&HttpPathModifier::default()), None);
    }

    #[test]
    fn url_rewrite_from_wire_keeps_hostname_and_path() {
        let f = HttpUrlRewriteFilter {
            hostname: Some("example.org".to_owned()),
            path: Some(HttpPathModifier {
                type_: Some("ReplaceFullPath".to_owned()),
                replace_full_path: Some("/x".to_owned()),
                replace_prefix_match: None,
            }),
        };
        let rewrite = UrlRewrite::from_wire(&f);
        assert_eq!(rewrite.hostname.as_deref(), Some("example.org"));
        assert_eq!(
            rewrite.path,
            Some(PathModifier::ReplaceFullPath("/x".to_owned()))
        );
    }

    #[test]
    fn path_modifier_serializes_as_type_and_value() {
        let json = serde_json::to_string(&prefix("/x")).unwrap_or_default();
        assert_eq!(json, r#"{"type":"ReplacePrefixMatch","value":"/x"}"#);
    }
}
