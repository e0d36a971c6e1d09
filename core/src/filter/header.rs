//! `RequestHeaderModifier` and `ResponseHeaderModifier` (`HTTPHeaderFilter`).

use serde::Serialize;

use crate::api::{HttpHeader, HttpHeaderFilter};

/// A compiled `HTTPHeaderFilter`. Names are lower-cased; the spec compares them
/// case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderModifier {
    /// Headers whose values are replaced (or that are created).
    pub set: Vec<Header>,
    /// Headers appended after any existing entries of the same name.
    pub add: Vec<Header>,
    /// Names of headers whose entries are all removed.
    pub remove: Vec<String>,
}

/// One header name and value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// Lower-case header name.
    pub name: String,
    /// The value, as configured minus control characters other than tab.
    pub value: String,
}

impl HeaderModifier {
    /// The compiled filter.
    ///
    /// Names are lower-cased. Entries without a name are dropped (the CRD requires
    /// one); a missing value counts as empty. Control characters other than tab
    /// (CR, LF, NUL, ...) are removed from values, so a manifest can never smuggle a
    /// header line into a request or response, and every value is valid RFC 9110
    /// `field-value` bytes (which the schema, with no pattern, does not ensure).
    pub fn from_wire(f: &HttpHeaderFilter) -> Self {
        Self {
            set: f.set.iter().filter_map(Header::from_wire).collect(),
            add: f.add.iter().filter_map(Header::from_wire).collect(),
            remove: f
                .remove
                .iter()
                .map(|name| name.to_ascii_lowercase())
                .collect(),
        }
    }

    /// True when the filter changes nothing.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.add.is_empty() && self.remove.is_empty()
    }

    /// Applies to a header list (names may repeat; compared case-insensitively).
    ///
    /// - `remove` deletes every entry with the name;
    /// - `set` replaces the value of the first entry with the name (keeping its
    ///   position, renaming it to the lower-case name) and deletes the other
    ///   entries; with no entry, it appends one;
    /// - `add` appends a new entry after the existing ones, so reading the values back
    ///   joined with `,` gives `existing,new`.
    ///
    /// The spec allows one action per name, so the order only matters for an
    /// invalid filter; Gatewise applies `remove`, then `set`, then `add`, each in
    /// list order.
    pub fn apply(&self, headers: &mut Vec<(String, String)>) {
        for name in &self.remove {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        }
        for header in &self.set {
            let mut seen = false;
            headers.retain_mut(|(n, v)| {
                if !n.eq_ignore_ascii_case(&header.name) {
                    return true;
                }
                if seen {
                    return false;
                }
                seen = true;
                n.clone_from(&header.name);
                v.clone_from(&header.value);
                true
            });
            if !seen {
                headers.push((header.name.clone(), header.value.clone()));
            }
        }
        for header in &self.add {
            headers.push((header.name.clone(), header.value.clone()));
        }
    }
}

impl Header {
    /// `None` without a name.
    fn from_wire(h: &HttpHeader) -> Option<Self> {
        let name = h.name.as_deref()?.to_ascii_lowercase();
        let value = h
            .value
            .as_deref()
            .unwrap_or_default()
            .chars()
            .filter(|&c| c == '\t' || !c.is_ascii_control())
            .collect();
        Some(Self { name, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(name: &str, value: &str) -> HttpHeader {
        HttpHeader {
            name: Some(name.to_owned()),
            value: Some(value.to_owned()),
        }
    }

    fn headers(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// What a conformance backend reads back: the values of `name`, joined with `,`.
    fn joined(list: &[(String, String)], name: &str) -> Option<String> {
        let values: Vec<&str> = list
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    }

    fn modifier(set: &[(&str, &str)], add: &[(&str, &str)], remove: &[&str]) -> HeaderModifier {
        HeaderModifier::from_wire(&HttpHeaderFilter {
            set: set.iter().map(|(n, v)| wire(n, v)).collect(),
            add: add.iter().map(|(n, v)| wire(n, v)).collect(),
            remove: remove.iter().map(|n| (*n).to_owned()).collect(),
        })
    }

    #[test]
    fn from_wire_lower_cases_names() {
        let m = modifier(&[("X-Set", "a")], &[("X-Add", "b")], &["X-Remove"]);
        assert_eq!(
            m.set,
            vec![Header {
                name: "x-set".into(),
                value: "a".into()
            }]
        );
        assert_eq!(
            m.add,
            vec![Header {
                name: "x-add".into(),
                value: "b".into()
            }]
        );
        assert_eq!(m.remove, vec!["x-remove".to_owned()]);
    }

    #[test]
    fn from_wire_strips_line_breaks_from_values() {
        let m = modifier(&[("x", "a\r\nInjected: 1\0")], &[], &[]);
        assert_eq!(
            m.set.first().map(|h| h.value.as_str()),
            Some("aInjected: 1")
        );
    }

    #[test]
    fn from_wire_drops_entries_without_name() {
        let f = HttpHeaderFilter {
            set: vec![HttpHeader {
                name: None,
                value: Some("v".into()),
            }],
            ..HttpHeaderFilter::default()
        };
        assert!(HeaderModifier::from_wire(&f).is_empty());
    }

    #[test]
    fn add_appends_after_existing_values_case_insensitively() {
        // httproute-request-header-modifier.go, `/case-insensitivity`.
        let m = modifier(&[], &[("X-Header-Add", "header-add")], &[]);
        let mut h = headers(&[("x-header-add", "original-val-add")]);
        m.apply(&mut h);
        assert_eq!(
            joined(&h, "x-header-add").as_deref(),
            Some("original-val-add,header-add")
        );
    }

    #[test]
    fn add_creates_missing_header() {
        let m = modifier(&[], &[("X-Header-Add", "add-appends-values")], &[]);
        let mut h = headers(&[("x-other", "1")]);
        m.apply(&mut h);
        assert_eq!(
            joined(&h, "X-Header-Add").as_deref(),
            Some("add-appends-values")
        );
        assert_eq!(joined(&h, "x-other").as_deref(), Some("1"));
    }

    #[test]
    fn set_replaces_all_values_in_place() {
        let m = modifier(&[("X-Header-Set", "set-overwrites-values")], &[], &[]);
        let mut h = headers(&[
            ("a", "1"),
            ("X-HEADER-SET", "old"),
            ("b", "2"),
            ("x-header-set", "older"),
        ]);
        m.apply(&mut h);
        assert_eq!(
            h,
            headers(&[
                ("a", "1"),
                ("x-header-set", "set-overwrites-values"),
                ("b", "2")
            ])
        );
    }

    #[test]
    fn set_creates_missing_header() {
        let m = modifier(&[("X-Header-Set", "v")], &[], &[]);
        let mut h = Vec::new();
        m.apply(&mut h);
        assert_eq!(h, headers(&[("x-header-set", "v")]));
    }

    #[test]
    fn remove_deletes_every_entry_case_insensitively() {
        let m = modifier(&[], &[], &["X-Header-Remove"]);
        let mut h = headers(&[
            ("x-header-remove", "a"),
            ("keep", "b"),
            ("X-HEADER-REMOVE", "c"),
        ]);
        m.apply(&mut h);
        assert_eq!(h, headers(&[("keep", "b")]));
    }

    #[test]
    fn remove_of_absent_header_changes_nothing() {
        let m = modifier(&[], &[], &["x-absent"]);
        let mut h = headers(&[("keep", "b")]);
        m.apply(&mut h);
        assert_eq!(h, headers(&[("keep", "b")]));
    }
}
