//! `CORS` (`HTTPCORSFilter`, GEP-1767): the gateway answers preflights itself and
//! adds CORS headers to the backend's responses.
//!
//! Choices Gatewise makes where the spec leaves one (each also on the item it
//! concerns):
//! - a preflight is answered with **200** ([`Cors::PREFLIGHT_STATUS`]);
//! - a preflight from an origin that is not allowed gets the same status and no CORS
//!   headers (not 403);
//! - `Access-Control-Allow-Origin` always echoes the request's `Origin`, even when
//!   `allowOrigins` is `*` and credentials are not allowed;
//! - a configured `*` for methods, headers and exposed headers is answered with `*`
//!   when credentials are not allowed, and with the concrete request value when they
//!   are (as the spec requires);
//! - an `Origin` that is not of the form `scheme://host[:port]` (e.g. the opaque
//!   `null`) is never allowed, not even by `*`.

use serde::Serialize;

use crate::api::HttpCorsFilter;

/// A compiled `HTTPCORSFilter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cors {
    allow_origins: Allowed<OriginPattern>,
    allow_credentials: bool,
    allow_methods: Allowed<String>,
    allow_headers: Allowed<String>,
    expose_headers: Allowed<String>,
    max_age: u32,
}

/// A list that may instead be the wildcard `*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
enum Allowed<T> {
    /// `*`: everything.
    Any,
    /// Exactly these (possibly none).
    Only(Vec<T>),
}

/// One `allowOrigins` entry other than `*`: `scheme://host[:port]`, where the host
/// may contain `*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct OriginPattern {
    /// Lower-case scheme.
    scheme: String,
    /// Lower-case host pattern; `*` matches any run of characters, dots included.
    host: String,
    /// The port, explicit or the scheme's default (`None` for an unknown scheme
    /// without an explicit port).
    port: Option<u16>,
}

/// A request `Origin` taken apart.
#[derive(Debug)]
struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Cors {
    /// Status for the preflight answer.
    ///
    /// 200, not 204: `httproute-cors.go` accepts 200 or 204 for some preflight
    /// cases but requires exactly 200 for others (the wildcard-origin and the
    /// credentialed wildcard-methods cases), so 200 is the one status that passes
    /// them all.
    pub const PREFLIGHT_STATUS: u16 = 200;

    /// The `Access-Control-Max-Age` sent when the filter sets none (`maxAge` default).
    pub const DEFAULT_MAX_AGE: u32 = 5;

    /// The compiled filter.
    ///
    /// A `*` entry anywhere in `allowOrigins`, `allowMethods`, `allowHeaders` or
    /// `exposeHeaders` makes that list the wildcard (the CRD allows `*` only alone
    /// for origins and methods). `allowOrigins` entries that are not
    /// `scheme://host[:port]` are dropped. Header names are lower-cased; methods are
    /// case-sensitive and kept. A `maxAge` below 1 (ruled out by the CRD) counts as
    /// unset, i.e. 5 seconds.
    pub fn from_wire(f: &HttpCorsFilter) -> Self {
        let allow_origins = if f.allow_origins.iter().any(|o| o.trim() == "*") {
            Allowed::Any
        } else {
            Allowed::Only(
                f.allow_origins
                    .iter()
                    .filter_map(|o| OriginPattern::parse(o))
                    .collect(),
            )
        };
        Self {
            allow_origins,
            allow_credentials: f.allow_credentials.unwrap_or(false),
            allow_methods: Allowed::from_list(&f.allow_methods, |m| m.trim().to_owned()),
            allow_headers: Allowed::from_list(&f.allow_headers, |h| h.trim().to_ascii_lowercase()),
            expose_headers: Allowed::from_list(&f.expose_headers, |h| {
                h.trim().to_ascii_lowercase()
            }),
            max_age: f
                .max_age
                .filter(|&age| age >= 1)
                .map_or(Self::DEFAULT_MAX_AGE, |age| {
                    u32::try_from(age).unwrap_or(u32::MAX)
                }),
        }
    }

    /// True for a CORS preflight: `OPTIONS` with a non-empty `Origin` and a non-empty
    /// `Access-Control-Request-Method`.
    pub fn is_preflight(method: &str, origin: Option<&str>, request_method: Option<&str>) -> bool {
        method == "OPTIONS"
            && origin.is_some_and(|o| !o.trim().is_empty())
            && request_method.is_some_and(|m| !m.trim().is_empty())
    }

    /// True when `origin` (the request's `Origin` header) is allowed.
    ///
    /// Origins are compared by scheme (case-insensitive), host (case-insensitive)
    /// and port, where a missing port is the scheme's default (http 80, https 443):
    /// `https://a.com` and `https://a.com:443` are the same origin. A `*` in an
    /// allowed host matches any run of characters, dots included, so
    /// `https://*.example.com` allows `https://a.example.com` and
    /// `https://a.b.example.com` but not `https://example.com`.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let Some(origin) = Origin::parse(origin) else {
            return false;
        };
        match &self.allow_origins {
            Allowed::Any => true,
            Allowed::Only(patterns) => patterns.iter().any(|p| p.matches(&origin)),
        }
    }

    /// Headers for the gateway's own answer to a preflight (empty when the origin is
    /// not allowed). Names are lower-case.
    ///
    /// - `access-control-allow-origin`: the request's `Origin`, echoed;
    /// - `access-control-allow-credentials: true` when credentials are allowed;
    /// - `access-control-allow-methods`: the configured methods joined with `, `;
    ///   for `*`, `*` or (with credentials) the requested method; absent when none
    ///   are configured (`GET`, `HEAD` and `POST` need no preflight approval);
    /// - `access-control-allow-headers`: likewise, echoing
    ///   `Access-Control-Request-Headers` for `*` with credentials (absent when the
    ///   request has none);
    /// - `access-control-expose-headers`: the configured names, or `*` (omitted with
    ///   credentials, where `*` would not mean "all");
    /// - `access-control-max-age`: `maxAge`, 5 by default.
    ///
    /// The requested method and headers are not checked against the lists: the
    /// browser does that with the lists it receives. Echoed values are stripped of
    /// control characters.
    pub fn preflight_headers(
        &self,
        origin: &str,
        request_method: &str,
        request_headers: Option<&str>,
    ) -> Vec<(String, String)> {
        if !self.allows_origin(origin) {
            return Vec::new();
        }
        let mut out = self.common_headers(origin);
        let methods = match &self.allow_methods {
            Allowed::Any if self.allow_credentials => Some(sanitize(request_method)),
            Allowed::Any => Some("*".to_owned()),
            Allowed::Only(list) => join(list),
        };
        push(&mut out, "access-control-allow-methods", methods);
        let headers = match &self.allow_headers {
            Allowed::Any if self.allow_credentials => request_headers.map(sanitize),
            Allowed::Any => Some("*".to_owned()),
            Allowed::Only(list) => join(list),
        };
        push(&mut out, "access-control-allow-headers", headers);
        push(&mut out, "access-control-expose-headers", self.exposed());
        out.push((
            "access-control-max-age".to_owned(),
            self.max_age.to_string(),
        ));
        out
    }

    /// Headers to add to the backend's response to an actual (non-preflight)
    /// cross-origin request (empty when the origin is not allowed). Names are
    /// lower-case.
    ///
    /// `access-control-allow-origin` (the echoed `Origin`),
    /// `access-control-allow-credentials` when allowed,
    /// `access-control-expose-headers` as for a preflight, and `vary: origin`,
    /// because the answer depends on the request's `Origin`.
    pub fn response_headers(&self, origin: &str) -> Vec<(String, String)> {
        if !self.allows_origin(origin) {
            return Vec::new();
        }
        let mut out = self.common_headers(origin);
        push(&mut out, "access-control-expose-headers", self.exposed());
        out.push(("vary".to_owned(), "origin".to_owned()));
        out
    }

    /// `access-control-allow-origin` and `access-control-allow-credentials`.
    fn common_headers(&self, origin: &str) -> Vec<(String, String)> {
        let mut out = vec![("access-control-allow-origin".to_owned(), sanitize(origin))];
        if self.allow_credentials {
            out.push((
                "access-control-allow-credentials".to_owned(),
                "true".to_owned(),
            ));
        }
        out
    }

    /// The `access-control-expose-headers` value, if any.
    fn exposed(&self) -> Option<String> {
        match &self.expose_headers {
            Allowed::Any if self.allow_credentials => None,
            Allowed::Any => Some("*".to_owned()),
            Allowed::Only(list) => join(list),
        }
    }
}

impl<T> Allowed<T> {
    /// `Any` when the list holds `*`, else the converted entries (empty ones dropped).
    fn from_list(list: &[String], convert: impl Fn(&str) -> T) -> Self {
        if list.iter().any(|entry| entry.trim() == "*") {
            return Self::Any;
        }
        Self::Only(
            list.iter()
                .filter(|entry| !entry.trim().is_empty())
                .map(|entry| convert(entry))
                .collect(),
        )
    }
}

impl OriginPattern {
    /// `None` unless `scheme://host[:port]`.
    fn parse(pattern: &str) -> Option<Self> {
        let (scheme, rest) = pattern.trim().split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme.is_empty() {
            return None;
        }
        let (host, port) = split_host_port(rest, &scheme)?;
        if !host.chars().all(|c| is_host_char(c) || c == '*') {
            return None;
        }
        Some(Self { scheme, host, port })
    }

    /// True when `origin` has this scheme and port and its host matches.
    fn matches(&self, origin: &Origin) -> bool {
        self.scheme == origin.scheme && self.port == origin.port && glob(&self.host, &origin.host)
    }
}

impl Origin {
    /// `None` unless `scheme://host[:port]` with a plausible host.
    fn parse(origin: &str) -> Option<Self> {
        let (scheme, rest) = origin.trim().split_once("://")?;
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            return None;
        }
        let scheme = scheme.to_ascii_lowercase();
        let (host, port) = split_host_port(rest, &scheme)?;
        if host.starts_with('.') || !host.chars().all(is_host_char) {
            return None;
        }
        Some(Self { scheme, host, port })
    }
}

/// Splits `host[:port]` (or `[v6][:port]`) into a non-empty lower-case host and the
/// port, defaulted from the scheme. `None` for a malformed port or an empty host.
fn split_host_port(rest: &str, scheme: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if rest.starts_with('[') {
        let (inner, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (format!("{inner}]"), port)
    } else {
        match rest.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (rest.to_owned(), None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|&p| p != 0)?),
        None => match scheme {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        },
    };
    Some((host.to_ascii_lowercase(), port))
}

/// Characters allowed in an origin's host: DNS names and bracketed IP literals.
fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '[' | ']' | ':')
}

/// Wildcard match where `*` stands for any run of characters (possibly empty).
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        // No `*`: the whole text must have been the literal.
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The list joined with `, `; `None` when empty.
fn join(list: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| list.join(", "))
}

/// Adds `name: value` when there is a non-empty value.
fn push(out: &mut Vec<(String, String)>, name: &str, value: Option<String>) {
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        out.push((name.to_owned(), value));
    }
}

/// A request value made safe to echo: control characters removed, trimmed.
fn sanitize(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `cors-multiple-origins-methods-headers` in `httproute-cors.yaml`.
    fn cors_1() -> Cors {
        Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["https://www.foo.com", "https://*.bar.com"]),
            allow_credentials: Some(true),
            allow_methods: strings(&["GET", "OPTIONS"]),
            allow_headers: strings(&["x-header-1", "x-header-2"]),
            expose_headers: strings(&["x-header-3", "x-header-4"]),
            max_age: Some(3600),
        })
    }

    /// `cors-wildcard-methods`.
    fn cors_2() -> Cors {
        Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["https://www.foo.com"]),
            allow_methods: strings(&["*"]),
            ..HttpCorsFilter::default()
        })
    }

    /// `cors-wildcard-origin`.
    fn cors_wildcard_origin() -> Cors {
        Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["*"]),
            allow_methods: strings(&["PUT"]),
            allow_credentials: Some(false),
            ..HttpCorsFilter::default()
        })
    }

    /// `cors-wildcard-methods-headers-auth`.
    fn cors_wildcard_methods_headers_auth() -> Cors {
        Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["https://other.foo.com"]),
            allow_methods: strings(&["*"]),
            allow_headers: strings(&["*"]),
            allow_credentials: Some(true),
            ..HttpCorsFilter::default()
        })
    }

    fn assert_cors_1_preflight(origin: &str) {
        let h = cors_1().preflight_headers(origin, "GET", Some("x-header-1, x-header-2"));
        assert_eq!(header(&h, "access-control-allow-origin"), Some(origin));
        assert_eq!(
            header(&h, "access-control-allow-methods"),
            Some("GET, OPTIONS")
        );
        assert_eq!(
            header(&h, "access-control-allow-headers"),
            Some("x-header-1, x-header-2")
        );
        assert_eq!(
            header(&h, "access-control-expose-headers"),
            Some("x-header-3, x-header-4")
        );
        assert_eq!(header(&h, "access-control-max-age"), Some("3600"));
        assert_eq!(header(&h, "access-control-allow-credentials"), Some("true"));
    }

    #[test]
    fn preflight_from_exact_origin_is_allowed() {
        assert_cors_1_preflight("https://www.foo.com");
    }

    #[test]
    fn preflight_from_wildcard_origin_is_allowed() {
        assert_cors_1_preflight("https://www.bar.com");
    }

    #[test]
    fn wildcard_host_is_greedy_to_the_left_across_dots() {
        assert_cors_1_preflight("https://xpto.www.bar.com");
        assert!(!cors_1().allows_origin("https://bar.com"));
        assert!(!cors_1().allows_origin("https://foobar.com"));
        assert!(!cors_1().allows_origin("https://www.bar.com.evil.com"));
        assert!(!cors_1().allows_origin("http://www.bar.com"));
    }

    #[test]
    fn preflight_from_non_matching_origin_gets_no_cors_headers() {
        assert!(
            cors_1()
                .preflight_headers("https://foobar.com", "GET", None)
                .is_empty()
        );
    }

    #[test]
    fn simple_request_from_allowed_origin_gets_allow_origin() {
        for origin in ["https://www.foo.com", "https://www.bar.com"] {
            let h = cors_1().response_headers(origin);
            assert_eq!(header(&h, "access-control-allow-origin"), Some(origin));
            assert_eq!(
                header(&h, "access-control-expose-headers"),
                Some("x-header-3, x-header-4")
            );
            assert_eq!(header(&h, "vary"), Some("origin"));
        }
    }

    #[test]
    fn simple_request_from_non_matching_origin_gets_no_cors_headers() {
        assert!(cors_1().response_headers("https://foobar.com").is_empty());
    }

    #[test]
    fn wildcard_methods_without_credentials_answer_star() {
        let h = cors_2().preflight_headers("https://www.foo.com", "POST", None);
        assert_eq!(
            header(&h, "access-control-allow-origin"),
            Some("https://www.foo.com")
        );
        assert_eq!(header(&h, "access-control-allow-methods"), Some("*"));
        assert_eq!(header(&h, "access-control-allow-credentials"), None);
        assert_eq!(header(&h, "access-control-max-age"), Some("5"));
    }

    #[test]
    fn wildcard_origin_echoes_the_origin_with_or_without_port() {
        for origin in ["https://foobar.com", "https://foobar.com:12345"] {
            let h = cors_wildcard_origin().preflight_headers(origin, "PUT", None);
            assert_eq!(header(&h, "access-control-allow-origin"), Some(origin));
            assert_eq!(header(&h, "access-control-allow-methods"), Some("PUT"));
            assert_eq!(header(&h, "access-control-allow-credentials"), None);
            let h = cors_wildcard_origin().response_headers(origin);
            assert_eq!(header(&h, "access-control-allow-origin"), Some(origin));
            assert_eq!(header(&h, "access-control-allow-credentials"), None);
        }
    }

    #[test]
    fn credentials_echo_concrete_method_and_headers_for_wildcards() {
        let h = cors_wildcard_methods_headers_auth().preflight_headers(
            "https://other.foo.com",
            "PUT",
            Some("x-header-1, x-header-2"),
        );
        assert_eq!(
            header(&h, "access-control-allow-origin"),
            Some("https://other.foo.com")
        );
        assert_eq!(header(&h, "access-control-allow-methods"), Some("PUT"));
        assert_eq!(
            header(&h, "access-control-allow-headers"),
            Some("x-header-1, x-header-2")
        );
        assert_eq!(header(&h, "access-control-allow-credentials"), Some("true"));
    }

    #[test]
    fn credentials_with_wildcard_headers_and_no_request_headers_omit_allow_headers() {
        let h = cors_wildcard_methods_headers_auth().preflight_headers(
            "https://other.foo.com",
            "PUT",
            None,
        );
        assert_eq!(header(&h, "access-control-allow-headers"), None);
    }

    #[test]
    fn simple_request_with_credentials_echoes_origin_and_credentials() {
        let h = cors_wildcard_methods_headers_auth().response_headers("https://other.foo.com");
        assert_eq!(
            header(&h, "access-control-allow-origin"),
            Some("https://other.foo.com")
        );
        assert_eq!(header(&h, "access-control-allow-credentials"), Some("true"));
    }

    #[test]
    fn wildcard_headers_without_credentials_answer_star() {
        let cors = Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["https://other.foo.com"]),
            allow_methods: strings(&["*"]),
            allow_headers: strings(&["*"]),
            expose_headers: strings(&["*"]),
            ..HttpCorsFilter::default()
        });
        let h = cors.preflight_headers("https://other.foo.com", "PUT", Some("x-header-1"));
        assert_eq!(header(&h, "access-control-allow-methods"), Some("*"));
        assert_eq!(header(&h, "access-control-allow-headers"), Some("*"));
        assert_eq!(header(&h, "access-control-expose-headers"), Some("*"));
        assert_eq!(header(&h, "access-control-allow-credentials"), None);
    }

    #[test]
    fn wildcard_expose_headers_with_credentials_are_omitted() {
        let cors = Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["https://a.com"]),
            expose_headers: strings(&["*"]),
            allow_credentials: Some(true),
            ..HttpCorsFilter::default()
        });
        assert_eq!(
            header(
                &cors.response_headers("https://a.com"),
                "access-control-expose-headers"
            ),
            None
        );
    }

    #[test]
    fn default_ports_are_considered() {
        let cors = Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["https://a.com", "http://b.com:8080"]),
            ..HttpCorsFilter::default()
        });
        assert!(cors.allows_origin("https://a.com"));
        assert!(cors.allows_origin("https://a.com:443"));
        assert!(!cors.allows_origin("https://a.com:8443"));
        assert!(!cors.allows_origin("http://a.com"));
        assert!(cors.allows_origin("http://b.com:8080"));
        assert!(!cors.allows_origin("http://b.com"));
    }

    #[test]
    fn origin_comparison_ignores_case_of_scheme_and_host() {
        let cors = Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["https://A.com"]),
            ..HttpCorsFilter::default()
        });
        assert!(cors.allows_origin("HTTPS://a.COM"));
    }

    #[test]
    fn opaque_and_malformed_origins_are_never_allowed() {
        for origin in [
            "null",
            "",
            "https://",
            "https://a.com/path",
            "https://a.com:x",
            "https://a.com:0",
            "a.com",
            "https://a b.com",
        ] {
            assert!(!cors_wildcard_origin().allows_origin(origin), "{origin:?}");
        }
    }

    #[test]
    fn ipv6_origins_are_parsed() {
        let cors = Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["http://[::1]:8080"]),
            ..HttpCorsFilter::default()
        });
        assert!(cors.allows_origin("http://[::1]:8080"));
        assert!(!cors.allows_origin("http://[::1]"));
    }

    #[test]
    fn max_age_defaults_to_five_seconds() {
        let h = cors_2().preflight_headers("https://www.foo.com", "GET", None);
        assert_eq!(header(&h, "access-control-max-age"), Some("5"));
    }

    #[test]
    fn header_names_are_lower_case() {
        let cors = Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["https://a.com"]),
            allow_headers: strings(&["X-Header-1"]),
            expose_headers: strings(&["X-Header-3"]),
            allow_credentials: Some(true),
            ..HttpCorsFilter::default()
        });
        let h = cors.preflight_headers("https://a.com", "GET", None);
        assert!(h.iter().all(|(n, _)| *n == n.to_ascii_lowercase()));
        assert_eq!(
            header(&h, "access-control-allow-headers"),
            Some("x-header-1")
        );
        assert_eq!(
            header(&h, "access-control-expose-headers"),
            Some("x-header-3")
        );
    }

    #[test]
    fn empty_lists_omit_their_headers() {
        let cors = Cors::from_wire(&HttpCorsFilter {
            allow_origins: strings(&["https://a.com"]),
            ..HttpCorsFilter::default()
        });
        let h = cors.preflight_headers("https://a.com", "GET", Some("x"));
        assert_eq!(header(&h, "access-control-allow-methods"), None);
        assert_eq!(header(&h, "access-control-allow-headers"), None);
        assert_eq!(header(&h, "access-control-expose-headers"), None);
    }

    #[test]
    fn echoed_values_carry_no_control_characters() {
        let h = cors_wildcard_methods_headers_auth().preflight_headers(
            "https://other.foo.com",
            "PUT\r\nX: y",
            Some("a\r\nSet-Cookie: z"),
        );
        assert!(
            h.iter().all(|(_, v)| !v.contains(['\r', '\n', '\0'])),
            "{h:?}"
        );
    }

    #[test]
    fn preflight_is_options_with_origin_and_request_method() {
        assert!(Cors::is_preflight(
            "OPTIONS",
            Some("https://a.com"),
            Some("GET")
        ));
        assert!(!Cors::is_preflight(
            "GET",
            Some("https://a.com"),
            Some("GET")
        ));
        assert!(!Cors::is_preflight("OPTIONS", None, Some("GET")));
        assert!(!Cors::is_preflight("OPTIONS", Some("https://a.com"), None));
        assert!(!Cors::is_preflight(
            "OPTIONS",
            Some("https://a.com"),
            Some("")
        ));
        assert!(!Cors::is_preflight(
            "options",
            Some("https://a.com"),
            Some("GET")
        ));
    }

    #[test]
    fn preflight_status_is_200() {
        assert_eq!(Cors::PREFLIGHT_STATUS, 200);
    }

    #[test]
    fn glob_matches_runs_of_characters() {
        assert!(glob("*.bar.com", "a.b.bar.com"));
        assert!(!glob("*.bar.com", "bar.com"));
        assert!(glob("*", "anything"));
        assert!(glob("a*c*e", "abcde"));
        assert!(!glob("a*c*e", "abcd"));
        assert!(glob("abc", "abc"));
        assert!(!glob("abc", "abcd"));
    }

    proptest::proptest! {
        #[test]
        fn cors_never_panics(origin in proptest::prelude::any::<String>(), method in proptest::prelude::any::<String>()) {
            let _ = cors_1().preflight_headers(&origin, &method, Some(&method));
            let _ = cors_wildcard_origin().response_headers(&origin);
        }
    }
}
