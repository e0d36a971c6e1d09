//! Precedence: which matching rule wins, as an `Ord`.
//!
//! `apis/v1/httproute_types.go` (HTTPRouteRule.Matches):
//!
//! > Proxy or Load Balancer routing configuration generated from HTTPRoutes MUST
//! > prioritize matches based on the following criteria, continuing on ties. Across
//! > all rules specified on applicable Routes, precedence must be given to the match
//! > having:
//! >
//! > * "Exact" path match.
//! > * "Prefix" path match with largest number of characters.
//! > * Method match.
//! > * Largest number of header matches.
//! > * Largest number of query param matches.
//! >
//! > Note: The precedence of RegularExpression path matches are implementation-specific.
//! >
//! > If ties still exist across multiple Routes, matching precedence MUST be
//! > determined in order of the following criteria, continuing on ties:
//! >
//! > * The oldest Route based on creation timestamp.
//! > * The Route appearing first in alphabetical order by "{namespace}/{name}".
//! >
//! > If ties still exist within an HTTPRoute, matching precedence MUST be granted
//! > to the FIRST matching rule (in list order) with a match meeting the above
//! > criteria.
//!
//! Before all of these comes the hostname (HTTPRouteSpec.Hostnames): the route
//! with the most characters in a matching non-wildcard hostname, then the most
//! characters in a matching hostname. Gatewise compares the hostname *as attached to
//! the listener* (the intersection of route and listener hostnames), as Envoy-based
//! implementations do by building one virtual host per intersected hostname; see
//! upstream issue #5120 for the open question.
//!
//! **Gatewise's choice for RegularExpression paths** (left to implementations):
//! `Exact` > `RegularExpression` > `PathPrefix`; among regular expressions the
//! longer pattern wins. This is the order Envoy Gateway, Contour and NGINX Gateway
//! Fabric use (upstream issue #2974), so a catch-all `PathPrefix /` never shadows a
//! regular-expression rule.

use std::cmp::{Ordering, Reverse};

use serde::Serialize;

use crate::hostname::Hostname;
use crate::matcher::{PathMatch, RouteMatch};
use crate::time::Timestamp;

/// The path part of the key: smaller is higher precedence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "length")]
pub enum PathRank {
    /// Any `Exact` match (the request path is the value, so lengths tie).
    Exact,
    /// A `RegularExpression`, longer patterns first.
    RegularExpression(Reverse<usize>),
    /// A `PathPrefix`, more characters first (trailing `/` ignored).
    PathPrefix(Reverse<usize>),
    /// A GRPCRoute method match: more characters in the matching service, then in
    /// the matching method (`grpcroute_types.go`, GRPCRouteRule.Matches). GRPCRoute
    /// entries are kept apart from HTTPRoute entries, so the two never compare.
    Grpc {
        /// Characters of the service named (0: any service).
        service: Reverse<usize>,
        /// Characters of the method named (0: any method).
        method: Reverse<usize>,
    },
}

/// The hostname part of the key: more characters in a non-wildcard hostname,
/// then more characters in any hostname. Larger is higher precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostnameRank {
    /// Characters of the matching hostname if it is not a wildcard, else 0.
    pub exact_chars: usize,
    /// Characters of the matching hostname (a wildcard counts its `*`), 0 for none.
    pub chars: usize,
}

impl HostnameRank {
    pub(crate) fn of(hostname: Option<&Hostname>) -> HostnameRank {
        match hostname {
            None => HostnameRank {
                exact_chars: 0,
                chars: 0,
            },
            Some(Hostname::Exact(h)) => HostnameRank {
                exact_chars: h.len(),
                chars: h.len(),
            },
            Some(Hostname::Wildcard(s)) => HostnameRank {
                exact_chars: 0,
                chars: s.len() + 1,
            },
        }
    }
}

impl PartialOrd for HostnameRank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HostnameRank {
    /// Smaller is higher precedence, like the rest of the key.
    fn cmp(&self, other: &Self) -> Ordering {
        (Reverse(self.exact_chars), Reverse(self.chars))
            .cmp(&(Reverse(other.exact_chars), Reverse(other.chars)))
    }
}

/// Everything after the hostname, in the spec's order; smaller wins. Derived `Ord`
/// compares the fields top to bottom, which is the spec's "continuing on ties".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrecedenceKey {
    /// Exact, then RegularExpression, then the longest PathPrefix.
    pub path: PathRank,
    /// A match that specifies a method first.
    pub method: Reverse<bool>,
    /// More header matches first.
    pub headers: Reverse<usize>,
    /// More query parameter matches first.
    pub query_params: Reverse<usize>,
    /// The oldest route first.
    pub created: Timestamp,
    /// Then `{namespace}/{name}` alphabetically (namespace first, then name).
    pub namespace: String,
    /// See `namespace`.
    pub name: String,
    /// Then the first rule in list order.
    pub rule: usize,
    /// Then the first match in list order.
    pub match_index: usize,
}

impl PrecedenceKey {
    pub(crate) fn new(
        m: &RouteMatch,
        created: Timestamp,
        namespace: &str,
        name: &str,
        rule: usize,
        match_index: usize,
    ) -> PrecedenceKey {
        let path = match &m.path {
            PathMatch::Exact(_) => PathRank::Exact,
            PathMatch::RegularExpression(_, src) => PathRank::RegularExpression(Reverse(src.len())),
            PathMatch::PathPrefix(p) => {
                PathRank::PathPrefix(Reverse(if p.is_empty() { 1 } else { p.len() }))
            }
        };
        PrecedenceKey {
            path,
            method: Reverse(m.method.is_some()),
            headers: Reverse(m.headers.len()),
            query_params: Reverse(m.query.len()),
            created,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            rule,
            match_index,
        }
    }
}

impl PrecedenceKey {
    /// The key of a GRPCRoute match: service characters, method characters, header
    /// matches, then age, `namespace/name`, rule and match order.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn grpc(
        service: usize,
        method: usize,
        headers: usize,
        created: Timestamp,
        namespace: &str,
        name: &str,
        rule: usize,
        match_index: usize,
    ) -> PrecedenceKey {
        PrecedenceKey {
            path: PathRank::Grpc {
                service: Reverse(service),
                method: Reverse(method),
            },
            method: Reverse(false),
            headers: Reverse(headers),
            query_params: Reverse(0),
            created,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            rule,
            match_index,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{HeaderMatch, ValueMatch};

    fn key(
        path: PathMatch,
        method: bool,
        headers: usize,
        created: i64,
        ns: &str,
        name: &str,
        rule: usize,
    ) -> PrecedenceKey {
        let m = RouteMatch {
            path,
            method: method.then(|| "GET".into()),
            headers: (0..headers)
                .map(|i| HeaderMatch {
                    name: format!("h{i}").into(),
                    value: ValueMatch::Exact("v".into()),
                })
                .collect(),
            query: Vec::new(),
        };
        PrecedenceKey::new(&m, Timestamp::from_unix(created), ns, name, rule, 0)
    }

    #[test]
    fn exact_beats_a_longer_prefix() {
        assert!(
            key(PathMatch::exact("/a"), false, 0, 0, "a", "a", 0)
                < key(PathMatch::prefix("/a/very/long"), true, 3, 0, "a", "a", 0)
        );
    }

    #[test]
    fn longer_prefix_beats_method_and_headers() {
        assert!(
            key(PathMatch::prefix("/ab"), false, 0, 0, "a", "a", 0)
                < key(PathMatch::prefix("/a"), true, 3, 0, "a", "a", 0)
        );
    }

    #[test]
    fn method_beats_header_count() {
        assert!(
            key(PathMatch::prefix("/a"), true, 0, 0, "a", "a", 0)
                < key(PathMatch::prefix("/a"), false, 2, 0, "a", "a", 0)
        );
    }

    #[test]
    fn oldest_route_then_namespace_name_then_rule_order() {
        assert!(
            key(PathMatch::prefix("/a"), false, 0, 1, "z", "z", 5)
                < key(PathMatch::prefix("/a"), false, 0, 2, "a", "a", 0)
        );
        assert!(
            key(PathMatch::prefix("/a"), false, 0, 1, "foo", "bar", 1)
                < key(PathMatch::prefix("/a"), false, 0, 1, "foo", "baz", 0)
        );
        assert!(
            key(PathMatch::prefix("/a"), false, 0, 1, "foo", "bar", 0)
                < key(PathMatch::prefix("/a"), false, 0, 1, "foo", "bar", 1)
        );
    }

    #[test]
    fn regex_ranks_between_exact_and_prefix() {
        let re = PathMatch::regex("/a.*").expect("valid");
        assert!(
            key(PathMatch::exact("/a"), false, 0, 0, "a", "a", 0)
                < key(re.clone(), false, 0, 0, "a", "a", 0)
        );
        assert!(
            key(re, false, 0, 0, "a", "a", 0)
                < key(PathMatch::prefix("/a/b/c/d"), false, 0, 0, "a", "a", 0)
        );
    }

    #[test]
    fn exact_hostname_beats_wildcard_beats_none() {
        let exact = HostnameRank::of(Some(&Hostname::parse("a.example.com")));
        let wild_long = HostnameRank::of(Some(&Hostname::parse("*.b.example.com")));
        let wild = HostnameRank::of(Some(&Hostname::parse("*.example.com")));
        let none = HostnameRank::of(None);
        assert!(exact < wild_long && wild_long < wild && wild < none);
    }
}
