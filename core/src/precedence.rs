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
use crate::router::{Entry, Router};
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

/// A [`PrecedenceKey`] as a router entry stores it: the route's creation
/// timestamp, namespace and name are replaced by the route's rank in that order
/// among the routes of one compile (`route_rank`), so the key is a few integers,
/// copied without allocating and compared without reading strings. It orders
/// entries exactly as the full key does; the full key is rebuilt from the route
/// table when an explanation shows it ([`Router::precedence_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EntryKey {
    /// The [`PathRank`] variant, in its order: 0 `Exact`, 1 `RegularExpression`,
    /// 2 `PathPrefix`, 3 `Grpc`.
    path_kind: u8,
    /// The RegularExpression or PathPrefix length; the gRPC service characters.
    path_len: Reverse<u32>,
    /// The gRPC method characters.
    method_len: Reverse<u32>,
    method: Reverse<bool>,
    headers: Reverse<u32>,
    query_params: Reverse<u32>,
    /// The route's position when routes are sorted by creation timestamp, then
    /// `namespace/name` (then input order, which the sort keeps anyway).
    route_rank: u32,
    rule: u16,
    match_index: u16,
}

/// A count as stored in an [`EntryKey`] (lengths and counts are bounded far
/// below `u32::MAX` by validation; saturating keeps the order if not).
fn small(n: usize) -> Reverse<u32> {
    Reverse(u32::try_from(n).unwrap_or(u32::MAX))
}

impl EntryKey {
    /// The key of an HTTPRoute (or TLS/TCP/UDPRoute) match.
    pub(crate) fn new(m: &RouteMatch, route_rank: u32, rule: u16, match_index: u16) -> EntryKey {
        let (path_kind, path_len) = match &m.path {
            PathMatch::Exact(_) => (0, 0),
            PathMatch::RegularExpression(_, src) => (1, src.len()),
            PathMatch::PathPrefix(p) => (2, if p.is_empty() { 1 } else { p.len() }),
        };
        EntryKey {
            path_kind,
            path_len: small(path_len),
            method_len: Reverse(0),
            method: Reverse(m.method.is_some()),
            headers: small(m.headers.len()),
            query_params: small(m.query.len()),
            route_rank,
            rule,
            match_index,
        }
    }

    /// The key of a GRPCRoute match: service characters, method characters, header
    /// matches, then age, `namespace/name`, rule and match order.
    pub(crate) fn grpc(
        (service, method): (usize, usize),
        headers: usize,
        route_rank: u32,
        rule: u16,
        match_index: u16,
    ) -> EntryKey {
        EntryKey {
            path_kind: 3,
            path_len: small(service),
            method_len: small(method),
            method: Reverse(false),
            headers: small(headers),
            query_params: Reverse(0),
            route_rank,
            rule,
            match_index,
        }
    }

    /// Whether this is a GRPCRoute match's key.
    pub(crate) fn is_grpc(&self) -> bool {
        self.path_kind == 3
    }

    /// The rule's index in its route.
    pub(crate) fn rule(&self) -> usize {
        usize::from(self.rule)
    }

    /// The match's index in its rule.
    pub(crate) fn match_index(&self) -> usize {
        usize::from(self.match_index)
    }

    /// The full key, with the route's creation timestamp, namespace and name.
    pub(crate) fn full(&self, created: Timestamp, namespace: &str, name: &str) -> PrecedenceKey {
        let len = |r: Reverse<u32>| Reverse(r.0 as usize);
        let path = match self.path_kind {
            0 => PathRank::Exact,
            1 => PathRank::RegularExpression(len(self.path_len)),
            2 => PathRank::PathPrefix(len(self.path_len)),
            _ => PathRank::Grpc {
                service: len(self.path_len),
                method: len(self.method_len),
            },
        };
        PrecedenceKey {
            path,
            method: self.method,
            headers: len(self.headers),
            query_params: len(self.query_params),
            created,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            rule: self.rule(),
            match_index: self.match_index(),
        }
    }
}

impl Router {
    /// An entry's full precedence key (its route's creation timestamp, namespace
    /// and name read from the route table).
    pub(crate) fn precedence_key(&self, e: &Entry) -> PrecedenceKey {
        let route = self
            .inner
            .rules
            .get(e.rule as usize)
            .and_then(|r| self.inner.routes.get(r.route as usize));
        match route {
            Some(r) => e.key.full(r.created, &r.namespace, &r.name),
            None => e.key.full(Timestamp::default(), "", ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{HeaderMatch, ValueMatch};

    /// A match on `path`, with a `GET` method if `method`, and `headers`
    /// exact header conditions.
    fn route_match(path: PathMatch, method: bool, headers: usize) -> RouteMatch {
        RouteMatch {
            path,
            method: method.then(|| "GET".into()),
            headers: (0..headers)
                .map(|i| HeaderMatch {
                    name: format!("h{i}").into(),
                    value: ValueMatch::Exact("v".into()),
                })
                .collect(),
            query: Vec::new(),
        }
    }

    fn key(
        path: PathMatch,
        method: bool,
        headers: usize,
        created: i64,
        ns: &str,
        name: &str,
        rule: usize,
    ) -> PrecedenceKey {
        let m = route_match(path, method, headers);
        EntryKey::new(&m, 0, u16::try_from(rule).expect("small rule index"), 0).full(
            Timestamp::from_unix(created),
            ns,
            name,
        )
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

    #[test]
    fn entry_key_orders_as_the_full_key() {
        // Routes ranked by (created, namespace, name); the last two tie.
        let routes = [
            (2, "a", "b"),
            (1, "z", "z"),
            (1, "a", "c"),
            (3, "a", "a"),
            (3, "a", "a"),
        ];
        let mut order: Vec<usize> = (0..routes.len()).collect();
        order.sort_by_key(|&i| routes[i]);
        let mut rank = [0u32; 5];
        for (pos, &i) in order.iter().enumerate() {
            let tie = pos > 0 && routes[order[pos - 1]] == routes[i];
            rank[i] = if tie {
                rank[order[pos - 1]]
            } else {
                pos as u32
            };
        }
        let paths = || {
            [
                PathMatch::exact("/a"),
                PathMatch::prefix("/"),
                PathMatch::prefix("/ab"),
                PathMatch::regex("/a.*").expect("valid"),
            ]
        };
        let mut keys = Vec::new();
        for (r, &(created, ns, name)) in routes.iter().enumerate() {
            for (rule, path) in paths().into_iter().enumerate() {
                for (method, headers) in [(false, 0), (true, 0), (false, 2)] {
                    let m = route_match(path.clone(), method, headers);
                    let k = EntryKey::new(&m, rank[r], rule as u16, 0);
                    keys.push((k, k.full(Timestamp::from_unix(created), ns, name)));
                }
            }
            for lens in [(0, 0), (3, 0), (3, 4)] {
                let k = EntryKey::grpc(lens, 1, rank[r], 0, 1);
                keys.push((k, k.full(Timestamp::from_unix(created), ns, name)));
            }
        }
        for (a, fa) in &keys {
            for (b, fb) in &keys {
                assert_eq!(a.cmp(b), fa.cmp(fb), "{fa:?} against {fb:?}");
            }
        }
    }
}
