//! Matchers: the compiled conditions of one `HTTPRouteMatch` (path, method,
//! headers, query parameters), valid by construction.
//!
//! # Match policy
//!
//! - **Path.** `Exact` compares the whole normalised path, case-sensitively.
//!   `PathPrefix` matches whole path elements: `/abc` matches `/abc`, `/abc/` and
//!   `/abc/def`, never `/abcd`; a trailing `/` in the configured value is ignored.
//!   `RegularExpression` uses the `regex` crate (RE2 syntax, linear time), anchored
//!   to the whole path, with a compiled size limit of [`REGEX_SIZE_LIMIT`] bytes.
//! - **Headers.** Names compare case-insensitively; when a match lists a name twice
//!   only the first entry counts (`HTTPHeaderMatch`). A header sent several times is
//!   matched as its values joined with `,` (RFC 9110 §5.3), as Envoy does.
//! - **Query parameters.** Names compare exactly (case-sensitively); a parameter sent
//!   several times is matched by its first value (the spec's recommendation); values
//!   are compared as sent, without percent-decoding.
//! - **Method.** Compared exactly (methods are upper case).

use regex_automata::meta;
use regex_syntax::hir::{Hir, HirKind};
use serde::Serialize;

use crate::request::Headers;

/// The compiled size limit for one regular expression (bytes of the compiled program).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A path condition.
#[derive(Debug, Clone)]
pub(crate) enum PathMatch {
    /// The whole path.
    Exact(Box<str>),
    /// Whole elements; stored without a trailing `/` (`/` itself is the empty string).
    PathPrefix(Box<str>),
    /// Anchored regular expression, with its source text.
    RegularExpression(Regex, Box<str>),
}

impl PathMatch {
    pub(crate) fn exact(value: &str) -> PathMatch {
        PathMatch::Exact(value.into())
    }

    pub(crate) fn prefix(value: &str) -> PathMatch {
        PathMatch::PathPrefix(value.trim_end_matches('/').into())
    }

    pub(crate) fn regex(value: &str) -> Result<PathMatch, String> {
        Ok(PathMatch::RegularExpression(
            compile_regex(value)?,
            value.into(),
        ))
    }

    pub(crate) fn matches(&self, path: &str) -> bool {
        match self {
            PathMatch::Exact(p) => **p == *path,
            PathMatch::PathPrefix(p) => prefix_matches(p, path),
            PathMatch::RegularExpression(re, _) => re.is_match(path),
        }
    }

    /// The configured value as written in the spec's terms (`/` for the root prefix).
    pub(crate) fn value(&self) -> &str {
        match self {
            PathMatch::Exact(p) | PathMatch::RegularExpression(_, p) => p,
            PathMatch::PathPrefix(p) if p.is_empty() => "/",
            PathMatch::PathPrefix(p) => p,
        }
    }

    pub(crate) fn kind(&self) -> PathKind {
        match self {
            PathMatch::Exact(_) => PathKind::Exact,
            PathMatch::PathPrefix(_) => PathKind::PathPrefix,
            PathMatch::RegularExpression(..) => PathKind::RegularExpression,
        }
    }
}

/// The three path match types, in the spec's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PathKind {
    /// `Exact`.
    Exact,
    /// `PathPrefix`.
    PathPrefix,
    /// `RegularExpression`.
    RegularExpression,
}

/// Element-wise prefix test; `prefix` has no trailing `/` (empty = root).
pub(crate) fn prefix_matches(prefix: &str, path: &str) -> bool {
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// A string condition (header value or query parameter value).
#[derive(Debug, Clone)]
pub(crate) enum ValueMatch {
    Exact(Box<str>),
    RegularExpression(Regex),
}

impl ValueMatch {
    pub(crate) fn matches(&self, value: &str) -> bool {
        match self {
            ValueMatch::Exact(v) => **v == *value,
            ValueMatch::RegularExpression(re) => re.is_match(value),
        }
    }
}

/// A header condition; `name` is lower case.
#[derive(Debug, Clone)]
pub(crate) struct HeaderMatch {
    pub(crate) name: Box<str>,
    pub(crate) value: ValueMatch,
}

impl HeaderMatch {
    pub(crate) fn matches(&self, headers: Headers<'_>) -> bool {
        let mut values = headers.get_all(&self.name);
        let Some(first) = values.next() else {
            return false;
        };
        match values.next() {
            None => self.value.matches(first),
            Some(second) => {
                // Several values: match their comma-joined form (allocates only here).
                let mut joined = String::with_capacity(first.len() + second.len() + 1);
                joined.push_str(first);
                joined.push(',');
                joined.push_str(second);
                for v in values {
                    joined.push(',');
                    joined.push_str(v);
                }
                self.value.matches(&joined)
            }
        }
    }
}

/// A query parameter condition; `name` is case-sensitive.
#[derive(Debug, Clone)]
pub(crate) struct QueryMatch {
    pub(crate) name: Box<str>,
    pub(crate) value: ValueMatch,
}

impl QueryMatch {
    pub(crate) fn matches(&self, query: Option<&str>) -> bool {
        let Some(query) = query else { return false };
        let first = query.split('&').find_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name == &*self.name).then_some(value)
        });
        first.is_some_and(|v| self.value.matches(v))
    }
}

/// One compiled `HTTPRouteMatch`. `repr(C)`: the conditions the index leaves
/// to check (method, headers, query) first, together in one cache line.
#[derive(Debug, Clone)]
#[repr(C)]
pub(crate) struct RouteMatch {
    pub(crate) method: Option<Box<str>>,
    pub(crate) headers: Vec<HeaderMatch>,
    pub(crate) query: Vec<QueryMatch>,
    pub(crate) path: PathMatch,
}

/// Why a candidate did not match, for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mismatch {
    /// The path condition failed.
    Path,
    /// The method differs.
    Method,
    /// A header condition failed.
    Header,
    /// A query parameter condition failed.
    QueryParam,
}

impl RouteMatch {
    /// An empty match left in the place of one moved out at compile; allocates
    /// nothing.
    pub(crate) fn taken() -> RouteMatch {
        RouteMatch {
            method: None,
            headers: Vec::new(),
            query: Vec::new(),
            path: PathMatch::Exact(Box::default()),
        }
    }

    /// Every condition except the path (the index has settled the path).
    pub(crate) fn rest_matches(
        &self,
        method: &str,
        headers: Headers<'_>,
        query: Option<&str>,
    ) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && self.headers.iter().all(|h| h.matches(headers))
            && self.query.iter().all(|q| q.matches(query))
    }

    /// The first failing condition, in the order path, method, headers, query.
    pub(crate) fn mismatch(
        &self,
        path: &str,
        method: &str,
        headers: Headers<'_>,
        query: Option<&str>,
    ) -> Option<Mismatch> {
        if !self.path.matches(path) {
            Some(Mismatch::Path)
        } else if self.method.as_deref().is_some_and(|m| m != method) {
            Some(Mismatch::Method)
        } else if !self.headers.iter().all(|h| h.matches(headers)) {
            Some(Mismatch::Header)
        } else if !self.query.iter().all(|q| q.matches(query)) {
            Some(Mismatch::QueryParam)
        } else {
            None
        }
    }
}

/// A compiled, anchored regular expression (`^(?:pattern)$`) that answers
/// whether a text matches; built from one parse of its pattern, which also
/// gives its literal prefix.
#[derive(Clone)]
pub(crate) struct Regex {
    re: meta::Regex,
    /// The anchored pattern, `^(?:pattern)$`.
    anchored: Box<str>,
    /// What every match starts with (empty when nothing is known).
    prefix: Box<[u8]>,
}

impl Regex {
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.re.is_match(text)
    }

    /// The anchored pattern, `^(?:pattern)$`.
    pub(crate) fn as_str(&self) -> &str {
        &self.anchored
    }

    /// The literal every match starts with (`/api/items/` for
    /// `/api/items/[0-9]+`), empty when there is none or it cannot be told.
    pub(crate) fn literal_prefix(&self) -> &[u8] {
        &self.prefix
    }
}

impl std::fmt::Debug for Regex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Regex").field(&self.anchored).finish()
    }
}

/// Compiles an anchored regular expression within the size limit.
///
/// The pattern is parsed once (syntax as the `regex` crate's `Regex::new`,
/// nesting at most 64) and the engine is
/// built from that parse, configured as `regex::RegexBuilder` with
/// [`REGEX_SIZE_LIMIT`] would, less what a yes/no answer never uses: no
/// capture-group states and no one-pass DFA (which only reports capture
/// positions), so the same texts match. Error messages are those of the
/// `regex` crate's errors. (Without capture states the NFA is a little
/// smaller, so a pattern within a few states of the size limit could be
/// accepted here and refused by `regex::Regex`.)
pub(crate) fn compile_regex(pattern: &str) -> Result<Regex, String> {
    let anchored = format!("^(?:{pattern})$");
    // A fresh parser per pattern: a `regex_syntax::Parser` reused after a
    // translation error keeps that pattern's partial results on its stack,
    // and its next parse panics (found by the `filter_outputs` fuzz target).
    let hir = new_parser()
        .parse(&anchored)
        .map_err(|e| invalid(&e.to_string()))?;
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .hybrid_cache_capacity(REGEX_SIZE_LIMIT)
        .which_captures(regex_automata::nfa::thompson::WhichCaptures::None)
        .onepass(false);
    let re = meta::Builder::new()
        .configure(config)
        .build_from_hir(&hir)
        .map_err(|e| match e.size_limit() {
            Some(limit) => {
                format!("regular expression exceeds the compiled size limit of {limit} bytes")
            }
            None => invalid(&e.to_string()),
        })?;
    let mut prefix = Vec::new();
    literal_prefix(&hir, &mut prefix);
    Ok(Regex {
        re,
        anchored: anchored.into_boxed_str(),
        prefix: prefix.into_boxed_slice(),
    })
}

/// The parser `regex::Regex::new` uses (`regex_automata::util::syntax::Config`'s
/// defaults, spelled out), with nesting at most 64.
fn new_parser() -> regex_syntax::Parser {
    regex_syntax::ParserBuilder::new()
        .unicode(true)
        .case_insensitive(false)
        .multi_line(false)
        .dot_matches_new_line(false)
        .crlf(false)
        .line_terminator(b'\n')
        .swap_greed(false)
        .ignore_whitespace(false)
        .utf8(true)
        .nest_limit(64)
        .octal(false)
        .build()
}

fn invalid(message: &str) -> String {
    format!(
        "invalid regular expression: {}",
        message.lines().last().unwrap_or("").trim()
    )
}

/// Appends to `out` a literal every match of `hir` starts with; true when
/// `hir` matches exactly the bytes appended (so what follows it in a
/// concatenation may extend the prefix). Sound, not complete: it stops at
/// the first class, repetition or differing alternative.
fn literal_prefix(hir: &Hir, out: &mut Vec<u8>) -> bool {
    match hir.kind() {
        // Zero-width: the text at the start is what follows.
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => {
            out.extend_from_slice(&lit.0);
            true
        }
        HirKind::Class(_) => false,
        HirKind::Capture(c) => literal_prefix(&c.sub, out),
        HirKind::Repetition(r) => {
            if r.min >= 1 {
                literal_prefix(&r.sub, out);
            }
            false
        }
        HirKind::Concat(subs) => subs.iter().all(|sub| literal_prefix(sub, out)),
        HirKind::Alternation(alts) => {
            // The longest common prefix of the alternatives' prefixes.
            let mut common: Option<Vec<u8>> = None;
            let mut all_exact = true;
            for alt in alts {
                let mut p = Vec::new();
                all_exact &= literal_prefix(alt, &mut p);
                common = Some(match common {
                    None => p,
                    Some(c) => {
                        all_exact &= c == p;
                        let n = c.iter().zip(&p).take_while(|(a, b)| a == b).count();
                        let mut p = p;
                        p.truncate(n);
                        p
                    }
                });
            }
            out.extend_from_slice(common.as_deref().unwrap_or_default());
            all_exact
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_prefix_matches_whole_elements_only() {
        let p = PathMatch::prefix("/v2");
        assert!(p.matches("/v2") && p.matches("/v2/") && p.matches("/v2/example"));
        assert!(!p.matches("/v2example"));
        let slash = PathMatch::prefix("/v2/");
        assert!(slash.matches("/v2") && !slash.matches("/v2example"));
        assert!(PathMatch::prefix("/").matches("/anything"));
    }

    #[test]
    fn regex_is_anchored_and_look_around_is_refused() {
        let re = PathMatch::regex("/v[0-9]+").expect("valid");
        assert!(re.matches("/v12") && !re.matches("/v12/x") && !re.matches("/x/v1"));
        assert!(PathMatch::regex("/(?=x)").is_err());
        assert!(PathMatch::regex("(a{1000}){1000}").is_err());
    }

    #[test]
    fn a_regex_literal_prefix_is_what_every_match_starts_with() {
        let prefix = |p: &str| {
            let re = compile_regex(p).expect("valid");
            String::from_utf8(re.literal_prefix().to_vec()).expect("utf-8")
        };
        assert_eq!(prefix("/api/items/[0-9]+"), "/api/items/");
        assert_eq!(prefix("/v[12]/x"), "/v");
        assert_eq!(prefix("/a/b|/a/c"), "/a/");
        assert_eq!(prefix("/x|/y"), "/");
        assert_eq!(prefix("/(?:a)(b)c+d"), "/abc");
        assert_eq!(prefix("/a?b"), "/");
        assert_eq!(prefix(r"\bx/y*"), "x/");
        // No literal every match starts with: no filter.
        for none in [".*", "[a-z]+/x", "(?i)a/api", "/x|", "a*/x"] {
            assert_eq!(prefix(none), "", "{none}");
        }
        // Case-insensitive letters end the prefix where they start.
        assert_eq!(prefix("/api/(?i)items"), "/api/");
        assert_eq!(prefix("(?i)/api"), "/");
    }

    #[test]
    fn regexes_match_what_the_regex_crate_matches_and_start_with_their_prefix() {
        let patterns = [
            "/api/items/[0-9]+",
            "/v[12]/x",
            "/a/b|/a/c",
            "(?i)/Shop/.*",
            r"/\w+/\d{2,3}",
            "/caf\u{e9}/\\bx\\b.*",
            "/x|",
            "/(a|ab)(c|bcd)(d*)",
            "[^/]+/[^/]+",
            "/\u{3b1}+",
            "",
        ];
        let texts = [
            "",
            "/",
            "/api/items/12",
            "/api/items/",
            "/api/items/12/x",
            "/v1/x",
            "/v3/x",
            "/a/b",
            "/a/c",
            "/shop/a",
            "/SHOP/",
            "/abc/123",
            "/abc/1234",
            "/caf\u{e9}/x",
            "/caf\u{e9}/xy",
            "/caf\u{e9}/x\u{e9}",
            "/x",
            "/abcd",
            "/abcdd",
            "svc/method",
            "/\u{3b1}\u{3b1}",
            "/\u{3b1}a",
        ];
        for p in patterns {
            let ours = compile_regex(p).expect("valid");
            let theirs = regex::RegexBuilder::new(&format!("^(?:{p})$"))
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .nest_limit(64)
                .build()
                .expect("valid");
            assert_eq!(ours.as_str(), theirs.as_str());
            for t in texts {
                assert_eq!(ours.is_match(t), theirs.is_match(t), "{p} on {t:?}");
                if ours.is_match(t) {
                    assert!(
                        t.as_bytes().starts_with(ours.literal_prefix()),
                        "{p} on {t:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_pattern_after_an_invalid_one_compiles() {
        // Errors found while translating a group, then patterns with groups:
        // a parser reused across patterns kept the failed one's partial
        // results and panicked on the next (fuzz-found).
        for bad in [
            r"(a\p{NotAClass})",
            r"((a)[\x{110000}])",
            r"(a(?i)\p{Nope}b)",
        ] {
            assert!(compile_regex(bad).is_err(), "{bad}");
            for good in ["/a/b", "/(x|y)/(z)", "(a)(b)(c)"] {
                let re = compile_regex(good).expect(good);
                assert_eq!(re.as_str(), format!("^(?:{good})$"));
            }
        }
    }

    #[test]
    fn errors_name_the_problem_as_the_regex_crate_does() {
        let err = |p: &str| compile_regex(p).expect_err("refused");
        let look_ahead = "/(?=x)";
        let ours = err(look_ahead);
        let theirs = regex::RegexBuilder::new(&format!("^(?:{look_ahead})$"))
            .build()
            .expect_err("refused");
        assert_eq!(
            ours,
            format!(
                "invalid regular expression: {}",
                theirs.to_string().lines().last().unwrap_or("").trim()
            )
        );
        assert_eq!(
            err("(a{1000}){1000}"),
            format!(
                "regular expression exceeds the compiled size limit of {REGEX_SIZE_LIMIT} bytes"
            )
        );
        assert!(err("(").starts_with("invalid regular expression: "));
    }

    #[test]
    fn multi_value_headers_match_comma_joined() {
        let m = HeaderMatch {
            name: "x".into(),
            value: ValueMatch::Exact("a,b".into()),
        };
        let pairs = [("X", "a"), ("x", "b")];
        assert!(m.matches(Headers::Pairs(&pairs)));
        let one = [("x", "a")];
        assert!(!m.matches(Headers::Pairs(&one)));
    }

    #[test]
    fn query_names_are_case_sensitive_and_first_value_counts() {
        let m = QueryMatch {
            name: "animal".into(),
            value: ValueMatch::Exact("whale".into()),
        };
        assert!(m.matches(Some("animal=whale&x=1")));
        assert!(!m.matches(Some("ANIMAL=whale")));
        assert!(!m.matches(Some("animal=dolphin&animal=whale")));
        assert!(!m.matches(Some("animal=whaledolphin")));
    }
}
