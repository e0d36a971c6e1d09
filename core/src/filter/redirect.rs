//! `RequestRedirect` (`HTTPRequestRedirectFilter`): the `Location` of a redirect.

use serde::Serialize;

use crate::api::HttpRequestRedirectFilter;
use crate::filter::rewrite::PathModifier;
use crate::filter::unreserved_or_sub_delim;

/// A compiled `HTTPRequestRedirectFilter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// Lower-case scheme of the `Location`; `None`: the request's scheme.
    pub scheme: Option<String>,
    /// Host of the `Location`; `None`: the request's `Host` without its port.
    pub hostname: Option<String>,
    /// How the path changes; `None`: the request path unchanged.
    pub path: Option<PathModifier>,
    /// Port of the `Location`; `None`: see [`Redirect::location`].
    pub port: Option<u16>,
    /// Response status: 301, 302 (the default), 303, 307 or 308.
    pub status: u16,
}

/// What [`Redirect::location`] needs to know about the request.
#[derive(Debug, Clone, Copy)]
pub struct RedirectInput<'a> {
    /// Request scheme, `http` or `https`.
    pub scheme: &'a str,
    /// `Host` header as received; may carry a port or be an IPv6 literal (`[::1]:8080`).
    pub host: &'a str,
    /// The Gateway listener's port.
    pub listener_port: u16,
    /// Normalised path, no query.
    pub path: &'a str,
    /// Query string, without `?`.
    pub query: Option<&'a str>,
    /// The rule's `PathPrefix` value, for `ReplacePrefixMatch` (`/` when none).
    pub matched_prefix: &'a str,
}

impl Redirect {
    /// The status used when the filter sets none (`statusCode` default).
    pub const DEFAULT_STATUS: u16 = 302;

    /// The compiled filter. The scheme is lower-cased; a port outside 1–65535 or a
    /// status outside 301/302/303/307/308 (both ruled out by the CRD schema) count as
    /// unset; an unusable path modifier leaves the path unchanged.
    pub fn from_wire(f: &HttpRequestRedirectFilter) -> Self {
        Self {
            scheme: f.scheme.as_deref().map(str::to_ascii_lowercase),
            hostname: f.hostname.clone(),
            path: f.path.as_ref().and_then(PathModifier::from_wire),
            port: f
                .port
                .and_then(|p| u16::try_from(p).ok())
                .filter(|&p| p != 0),
            status: f
                .status_code
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| matches!(s, 301 | 302 | 303 | 307 | 308))
                .unwrap_or(Self::DEFAULT_STATUS),
        }
    }

    /// The `Location` header value: an absolute URL.
    ///
    /// - scheme: the filter's, else the request's;
    /// - host: the filter's hostname, else the request's `Host` with any port
    ///   removed (an IPv6 literal keeps its brackets). Characters that cannot appear
    ///   in a URL host (`/ ? # @ \`, whitespace, …) are dropped from a received
    ///   `Host`, so a crafted `Host` can change the host but never the path or the
    ///   userinfo of the `Location`;
    /// - port: the filter's; else, when the filter sets a scheme, that scheme's
    ///   well-known port (http 80, https 443; the listener port for any other);
    ///   else the listener port. The port is left out for (http, 80) and
    ///   (https, 443);
    /// - path: the request path after the filter's path modifier;
    /// - query: the request's query string, kept as received. Gatewise's choice,
    ///   the spec is silent; an empty query (`/a?`) is dropped.
    ///
    /// The result never contains a control character (CR, LF, NUL, …): any that
    /// reaches this far is removed.
    pub fn location(&self, input: &RedirectInput<'_>) -> String {
        self.compose(input).0
    }

    /// [`Redirect::location`], or `None` when it would have no host: the
    /// filter sets no `hostname` and the received `Host` holds no character a
    /// URL host can (empty, or only characters such as non-ASCII ones that
    /// are dropped; dots alone name no host either, so `Host: \0.` answers as
    /// `Host: \0` does). The router answers such a request 400 `InvalidHost`
    /// rather than send `Location: http:///...` (RFC 9112 §3.2 lets a server
    /// refuse a request whose `Host` it cannot use).
    pub fn try_location(&self, input: &RedirectInput<'_>) -> Option<String> {
        let (location, has_host) = self.compose(input);
        has_host.then_some(location)
    }

    /// The `Location`, and whether it has a host.
    fn compose(&self, input: &RedirectInput<'_>) -> (String, bool) {
        let scheme = self
            .scheme
            .as_deref()
            .unwrap_or(input.scheme)
            .to_ascii_lowercase();
        let port = self.port.unwrap_or_else(|| match &self.scheme {
            Some(s) => well_known_port(s).unwrap_or(input.listener_port),
            None => input.listener_port,
        });
        let path = match &self.path {
            Some(modifier) => modifier.apply(input.path, input.matched_prefix),
            None => input.path.to_owned(),
        };

        let mut location = String::with_capacity(scheme.len() + input.host.len() + path.len() + 16);
        location.push_str(&scheme);
        location.push_str("://");
        let has_host = match &self.hostname {
            Some(hostname) => {
                location.push_str(hostname);
                true
            }
            None => {
                let start = location.len();
                push_request_host(&mut location, input.host);
                let host = location.get(start..).unwrap_or_default();
                host != "[]" && host.bytes().any(|b| b != b'.')
            }
        };
        if well_known_port(&scheme) != Some(port) {
            location.push(':');
            location.push_str(&port.to_string());
        }
        if !path.starts_with('/') {
            location.push('/');
        }
        location.push_str(&path);
        if let Some(query) = input.query.filter(|q| !q.is_empty()) {
            location.push('?');
            location.push_str(query);
        }
        location.retain(|c| !c.is_control());
        (location, has_host)
    }
}

/// 80 for `http`, 443 for `https`.
fn well_known_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Appends the host part of a received `Host` header: the port removed, IPv6
/// literals bracketed, characters not allowed in a URL host dropped.
fn push_request_host(out: &mut String, host: &str) {
    let host = host.trim();
    let bare = if let Some(rest) = host.strip_prefix('[') {
        // `[v6]` or `[v6]:port`: keep through the closing bracket.
        match rest.split_once(']') {
            Some((inner, _)) => {
                out.push('[');
                push_host_chars(out, inner);
                out.push(']');
                return;
            }
            None => rest,
        }
    } else if host.matches(':').count() > 1 {
        // A bare IPv6 address (not legal in `Host`, but seen): bracket it.
        out.push('[');
        push_host_chars(out, host);
        out.push(']');
        return;
    } else {
        match host.rsplit_once(':') {
            Some((name, _port)) => name,
            None => host,
        }
    };
    push_host_chars(out, bare);
}

/// Appends the characters of `host` that RFC 3986 allows in a `reg-name` or an
/// `IP-literal` (unreserved, sub-delims, `:`); drops the rest, `%` too: a DNS
/// name holds none, and `http::Uri` refuses it in a host (`6/i%` gave
/// `http://6i%/`, not a URI).
fn push_host_chars(out: &mut String, host: &str) {
    out.extend(
        host.chars()
            .filter(|&c| u8::try_from(c).is_ok_and(|b| b == b':' || unreserved_or_sub_delim(b))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::HttpPathModifier;

    fn redirect(scheme: Option<&str>, port: Option<i64>) -> Redirect {
        Redirect::from_wire(&HttpRequestRedirectFilter {
            scheme: scheme.map(str::to_owned),
            port,
            ..HttpRequestRedirectFilter::default()
        })
    }

    fn input<'a>(scheme: &'a str, host: &'a str, listener_port: u16) -> RedirectInput<'a> {
        RedirectInput {
            scheme,
            host,
            listener_port,
            path: "/",
            query: None,
            matched_prefix: "/",
        }
    }

    /// `httproute-redirect-port-and-scheme.go`: the whole matrix.
    #[test]
    fn port_and_scheme_follow_the_conformance_matrix() {
        let cases = [
            // HTTP listener on 80.
            ("http", 80, None, None, "http://example.org/"),
            ("http", 80, None, Some(8080), "http://example.org:8080/"),
            ("http", 80, Some("https"), None, "https://example.org/"),
            (
                "http",
                80,
                Some("https"),
                Some(8443),
                "https://example.org:8443/",
            ),
            // HTTP listener on 8080.
            ("http", 8080, None, None, "http://example.org:8080/"),
            ("http", 8080, None, Some(80), "http://example.org/"),
            ("http", 8080, Some("https"), None, "https://example.org/"),
            // HTTPS listener on 443.
            ("https", 443, None, None, "https://example.org/"),
            ("https", 443, Some("http"), None, "http://example.org/"),
            (
                "https",
                443,
                Some("http"),
                Some(8080),
                "http://example.org:8080/",
            ),
        ];
        for (request_scheme, listener_port, scheme, port, expected) in cases {
            let got = redirect(scheme, port).location(&input(
                request_scheme,
                "example.org",
                listener_port,
            ));
            assert_eq!(
                got, expected,
                "{request_scheme} :{listener_port} scheme={scheme:?} port={port:?}"
            );
        }
    }

    #[test]
    fn port_of_the_host_header_is_ignored() {
        let got = redirect(None, None).location(&input("http", "example.org:1234", 80));
        assert_eq!(got, "http://example.org/");
        let got = redirect(None, None).location(&input("http", "example.org:1234", 8080));
        assert_eq!(got, "http://example.org:8080/");
    }

    #[test]
    fn ipv6_host_keeps_its_brackets() {
        assert_eq!(
            redirect(None, None).location(&input("http", "[::1]:8080", 80)),
            "http://[::1]/"
        );
        assert_eq!(
            redirect(None, None).location(&input("http", "[::1]", 8080)),
            "http://[::1]:8080/"
        );
        assert_eq!(
            redirect(None, None).location(&input("http", "::1", 80)),
            "http://[::1]/"
        );
    }

    #[test]
    fn hostname_of_the_filter_replaces_the_host() {
        let r = Redirect::from_wire(&HttpRequestRedirectFilter {
            hostname: Some("example.net".into()),
            ..HttpRequestRedirectFilter::default()
        });
        assert_eq!(
            r.location(&input("http", "example.org:1234", 80)),
            "http://example.net/"
        );
    }

    #[test]
    fn path_modifier_changes_the_path_and_query_is_kept() {
        let r = Redirect::from_wire(&HttpRequestRedirectFilter {
            path: Some(HttpPathModifier {
                type_: Some("ReplacePrefixMatch".into()),
                replace_full_path: None,
                replace_prefix_match: Some("/replacement-prefix".into()),
            }),
            ..HttpRequestRedirectFilter::default()
        });
        let req = RedirectInput {
            path: "/original-prefix/lemon",
            query: Some("a=1&b"),
            matched_prefix: "/original-prefix",
            ..input("http", "example.org", 80)
        };
        assert_eq!(
            r.location(&req),
            "http://example.org/replacement-prefix/lemon?a=1&b"
        );
    }

    #[test]
    fn path_and_query_unchanged_without_modifier() {
        let req = RedirectInput {
            path: "/a/b",
            query: Some("x=y"),
            ..input("https", "example.org", 443)
        };
        assert_eq!(
            redirect(None, None).location(&req),
            "https://example.org/a/b?x=y"
        );
        let req = RedirectInput {
            path: "/a",
            query: Some(""),
            ..input("https", "example.org", 443)
        };
        assert_eq!(redirect(None, None).location(&req), "https://example.org/a");
    }

    #[test]
    fn location_never_contains_control_characters() {
        let req = RedirectInput {
            host: "evil\r\nSet-Cookie: a=b",
            path: "/a\r\n",
            query: Some("q=\0\r\nx"),
            ..input("http", "", 80)
        };
        let got = redirect(None, None).location(&req);
        assert!(!got.contains(['\r', '\n', '\0']), "{got:?}");
    }

    #[test]
    fn crafted_host_cannot_change_path_or_userinfo() {
        let got = redirect(None, None).location(&input("http", "a@evil.com/x?y#z", 80));
        assert_eq!(got, "http://aevil.comxyz/");
    }

    #[test]
    fn status_defaults_to_302() {
        assert_eq!(redirect(None, None).status, 302);
        let r = Redirect::from_wire(&HttpRequestRedirectFilter {
            status_code: Some(301),
            ..HttpRequestRedirectFilter::default()
        });
        assert_eq!(r.status, 301);
    }

    #[test]
    fn out_of_range_port_counts_as_unset() {
        assert_eq!(redirect(None, Some(70000)).port, None);
        assert_eq!(redirect(None, Some(0)).port, None);
        assert_eq!(redirect(None, Some(-1)).port, None);
    }

    #[test]
    fn scheme_is_lower_cased() {
        assert_eq!(
            redirect(Some("HTTPS"), None).location(&input("http", "example.org", 80)),
            "https://example.org/"
        );
    }

    proptest::proptest! {
        #[test]
        fn location_is_free_of_line_breaks_for_any_input(
            host in proptest::prelude::any::<String>(),
            path in proptest::prelude::any::<String>(),
            query in proptest::prelude::any::<Option<String>>(),
            prefix in proptest::prelude::any::<String>(),
        ) {
            let req = RedirectInput {
                host: &host,
                path: &path,
                query: query.as_deref(),
                matched_prefix: &prefix,
                ..input("http", "", 80)
            };
            let full = Redirect {
                scheme: None,
                hostname: None,
                path: Some(PathModifier::ReplacePrefixMatch("/x".into())),
                port: None,
                status: 302,
            };
            for r in [redirect(None, None), full] {
                let got = r.location(&req);
                proptest::prop_assert!(!got.contains(['\r', '\n', '\0']), "{got:?}");
            }
        }
    }
}
