//! The header index of one long candidate list: routes on the same path told
//! apart by header values.
//!
//! # Policy
//!
//! A candidate list (the `Exact` or the `PathPrefix` entries of one path-tree
//! node, in precedence order) longer than [`HeaderIndex::MIN_CANDIDATES`] gets
//! an index on one header name, chosen at compile:
//!
//! - a candidate *constrains* a header when one of its header conditions for
//!   that name is `Exact` (a `RegularExpression` condition does not constrain);
//! - for each name some candidate constrains, the longest walk a request can
//!   cause is the largest number of candidates requiring one value plus the
//!   candidates that do not constrain the name; the name with the shortest such
//!   walk is chosen (ties: the name that sorts first);
//! - the index is kept only when that walk is at most half the list: otherwise
//!   the list is scanned as it is.
//!
//! A lookup takes the request's value of that header and walks, merged in
//! precedence order, the candidates requiring exactly that value and those
//! that do not constrain the header, testing each fully, as the scan does; the
//! first full match wins. A request without the header walks only the second
//! list. A header sent several times is matched in its comma-joined form
//! ([`HeaderMatch`](crate::matcher::HeaderMatch)); such a request scans the
//! whole list instead (joining would allocate). Every candidate skipped
//! requires a value the request does not have, so the walk gives exactly what
//! the scan gives.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};

use crate::matcher::{HeaderMatch, ValueMatch};
use crate::request::Headers;

/// Values to positions. Not the router's [`IndexMap`](super::IndexMap): a
/// second user of its hasher made the compiler stop inlining it into the
/// hostname lookup every decision makes (+27 instructions per decision on
/// the realistic mix). `DefaultHasher::default()` has fixed keys: the same
/// index on every run.
type ValueMap<V> = HashMap<Box<str>, V, BuildHasherDefault<DefaultHasher>>;

/// One candidate list's index on one header name. Positions are indices into
/// the list, ascending (precedence order).
#[derive(Debug)]
pub(crate) struct HeaderIndex {
    /// Lower case, as [`HeaderMatch::name`].
    name: Box<str>,
    /// Value → the positions of the candidates requiring exactly that value.
    by_value: ValueMap<Box<[u32]>>,
    /// The positions of the candidates that do not constrain the header.
    unconstrained: Box<[u32]>,
}

impl HeaderIndex {
    /// Lists of at most this many candidates are scanned without an index.
    pub(crate) const MIN_CANDIDATES: usize = 16;

    /// The index of a list whose candidates have the header conditions
    /// `headers[i]` (in precedence order), or `None` when no header name at
    /// least halves the longest walk (or the list is short).
    pub(crate) fn build(headers: &[&[HeaderMatch]]) -> Option<HeaderIndex> {
        if headers.len() <= HeaderIndex::MIN_CANDIDATES {
            return None;
        }
        // Name → value → how many candidates require it.
        let mut counts: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
        for conditions in headers {
            for (name, value) in exact_values(conditions) {
                *counts.entry(name).or_default().entry(value).or_default() += 1;
            }
        }
        let (name, walk) = counts
            .iter()
            .map(|(name, values)| {
                let constrained: usize = values.values().sum();
                let largest = values.values().copied().max().unwrap_or(0);
                (*name, largest + headers.len().saturating_sub(constrained))
            })
            .min_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)))?;
        if walk * 2 > headers.len() {
            return None;
        }
        let mut by_value: ValueMap<Vec<u32>> = ValueMap::default();
        let mut unconstrained = Vec::new();
        for (position, conditions) in headers.iter().enumerate() {
            let position = u32::try_from(position).ok()?;
            match exact_values(conditions).find(|(n, _)| *n == name) {
                Some((_, value)) => by_value.entry(value.into()).or_default().push(position),
                None => unconstrained.push(position),
            }
        }
        Some(HeaderIndex {
            name: name.into(),
            by_value: by_value
                .into_iter()
                .map(|(k, v)| (k, v.into_boxed_slice()))
                .collect(),
            unconstrained: unconstrained.into_boxed_slice(),
        })
    }

    /// The first position, in ascending order, among those the request's
    /// header value leaves, for which `test` gives a result; `len` is the
    /// list's length (a request that sends the header several times tests
    /// every position).
    pub(crate) fn find<T>(
        &self,
        len: usize,
        headers: Headers<'_>,
        mut test: impl FnMut(usize) -> Option<T>,
    ) -> Option<T> {
        let mut values = headers.get_all(&self.name);
        let constrained: &[u32] = match (values.next(), values.next()) {
            (None, _) => &[],
            (Some(value), None) => self.by_value.get(value).map_or(&[], |positions| positions),
            // Sent several times: matched as the joined values; scan.
            (Some(_), Some(_)) => return (0..len).find_map(test),
        };
        let unconstrained = &self.unconstrained[..];
        let (mut i, mut j) = (0, 0);
        loop {
            let next = match (constrained.get(i), unconstrained.get(j)) {
                (Some(&a), Some(&b)) if a < b => {
                    i += 1;
                    a
                }
                (_, Some(&b)) => {
                    j += 1;
                    b
                }
                (Some(&a), None) => {
                    i += 1;
                    a
                }
                (None, None) => return None,
            };
            if let Some(found) = test(next as usize) {
                return Some(found);
            }
        }
    }

    /// The header name indexed (lower case).
    #[cfg(test)]
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

/// A candidate's `Exact` header conditions, as (name, value).
fn exact_values(conditions: &[HeaderMatch]) -> impl Iterator<Item = (&str, &str)> {
    conditions.iter().filter_map(|h| match &h.value {
        ValueMatch::Exact(v) => Some((&*h.name, &**v)),
        ValueMatch::RegularExpression(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::compile_regex;

    fn exact(name: &str, value: &str) -> HeaderMatch {
        HeaderMatch {
            name: name.into(),
            value: ValueMatch::Exact(value.into()),
        }
    }

    fn regex(name: &str, pattern: &str) -> HeaderMatch {
        HeaderMatch {
            name: name.into(),
            value: ValueMatch::RegularExpression(compile_regex(pattern).expect("a valid pattern")),
        }
    }

    /// 40 candidates: most require one `x-tenant` value (some share one),
    /// some match it by a regular expression, some do not name it.
    fn candidates() -> Vec<Vec<HeaderMatch>> {
        (0..40)
            .map(|i| match i % 10 {
                3 => vec![regex("x-tenant", "t[0-9]+"), exact("x-env", "e1")],
                7 => vec![exact("x-env", &format!("e{}", i % 2))],
                9 => Vec::new(),
                _ => vec![
                    exact("x-tenant", &format!("t{}", i % 25)),
                    exact("x-env", &format!("e{}", i % 2)),
                ],
            })
            .collect()
    }

    /// The positions tried and the winner, through the index and by the scan.
    fn both(
        index: &HeaderIndex,
        conditions: &[Vec<HeaderMatch>],
        headers: Headers<'_>,
    ) -> (Option<usize>, Option<usize>, usize) {
        let full = |i: usize| conditions[i].iter().all(|h| h.matches(headers));
        let mut tried = 0;
        let indexed = index.find(conditions.len(), headers, |i| {
            tried += 1;
            full(i).then_some(i)
        });
        let scanned = (0..conditions.len()).find(|&i| full(i));
        (indexed, scanned, tried)
    }

    #[test]
    fn the_index_gives_what_the_scan_in_precedence_order_gives() {
        let conditions = candidates();
        let refs: Vec<&[HeaderMatch]> = conditions.iter().map(|c| &c[..]).collect();
        let index = HeaderIndex::build(&refs).expect("x-tenant at least halves the walk");
        assert_eq!(index.name(), "x-tenant");
        let requests: Vec<Vec<(&str, &str)>> = vec![
            vec![],
            vec![("x-tenant", "t5")],
            vec![("X-Tenant", "t5"), ("x-env", "e1")],
            vec![("x-tenant", "t12"), ("x-env", "e0")],
            vec![("x-tenant", "T5"), ("x-env", "e1")],
            vec![("x-tenant", "t99"), ("x-env", "e1")],
            vec![("x-tenant", "nope"), ("x-env", "e0")],
            vec![("x-tenant", "t5"), ("x-tenant", "t6"), ("x-env", "e1")],
            vec![("x-env", "e1")],
            vec![("x-env", "e0")],
        ];
        for pairs in &requests {
            let (indexed, scanned, tried) = both(&index, &conditions, Headers::Pairs(pairs));
            assert_eq!(indexed, scanned, "{pairs:?}");
            if pairs
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("x-tenant"))
                .count()
                == 1
            {
                assert!(tried < conditions.len() / 2, "{pairs:?} tried {tried}");
            }
        }
        // The one with the value: its own candidate wins (position 4); with
        // `e1`, the regular expression at position 3 comes first.
        let pairs = [("x-tenant", "t4"), ("x-env", "e0")];
        assert_eq!(both(&index, &conditions, Headers::Pairs(&pairs)).0, Some(4));
        let pairs = [("x-tenant", "t4"), ("x-env", "e1")];
        assert_eq!(both(&index, &conditions, Headers::Pairs(&pairs)).0, Some(3));
        // A value some candidate matches only by a regular expression.
        let pairs = [("x-tenant", "t99"), ("x-env", "e1")];
        assert_eq!(both(&index, &conditions, Headers::Pairs(&pairs)).0, Some(3));
    }

    #[test]
    fn short_lists_and_unselective_headers_get_no_index() {
        let conditions = candidates();
        let short: Vec<&[HeaderMatch]> = conditions
            .iter()
            .take(HeaderIndex::MIN_CANDIDATES)
            .map(|c| &c[..])
            .collect();
        assert!(HeaderIndex::build(&short).is_none());
        // One header with two values: the longest walk is half the list plus
        // the unconstrained candidates, more than half.
        let halves: Vec<Vec<HeaderMatch>> = (0..40)
            .map(|i| match i {
                0 => Vec::new(),
                _ => vec![exact("x-env", &format!("e{}", i % 2))],
            })
            .collect();
        let refs: Vec<&[HeaderMatch]> = halves.iter().map(|c| &c[..]).collect();
        assert!(HeaderIndex::build(&refs).is_none());
        // Regular expressions do not constrain.
        let regexes: Vec<Vec<HeaderMatch>> = (0..40)
            .map(|i| vec![regex("x-tenant", &format!("t{i}"))])
            .collect();
        let refs: Vec<&[HeaderMatch]> = regexes.iter().map(|c| &c[..]).collect();
        assert!(HeaderIndex::build(&refs).is_none());
    }

    #[test]
    fn the_most_selective_header_is_chosen() {
        // x-env splits in two, x-tenant in forty: x-tenant.
        let conditions: Vec<Vec<HeaderMatch>> = (0..40)
            .map(|i| {
                vec![
                    exact("x-env", &format!("e{}", i % 2)),
                    exact("x-tenant", &format!("t{i}")),
                ]
            })
            .collect();
        let refs: Vec<&[HeaderMatch]> = conditions.iter().map(|c| &c[..]).collect();
        let index = HeaderIndex::build(&refs).expect("x-tenant is selective");
        assert_eq!(index.name(), "x-tenant");
        let pairs = [("x-env", "e1"), ("x-tenant", "t33")];
        let (indexed, scanned, tried) = both(&index, &conditions, Headers::Pairs(&pairs));
        assert_eq!((indexed, scanned, tried), (Some(33), Some(33), 1));
    }
}
