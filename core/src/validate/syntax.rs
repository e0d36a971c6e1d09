//! The CRDs' string patterns, one predicate each. Simple anchored patterns are
//! checked byte by byte; the few patterns whose alternatives are not anchored
//! (and so match more than they seem to) use the `regex` crate with the CRD's
//! own text, which keeps the API server's search semantics exactly.

use std::sync::LazyLock;

use regex::Regex;

/// One RFC 1123 label as the CRD patterns write it:
/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` (no length limit of its own).
fn is_label(label: &[u8]) -> bool {
    match (label.first(), label.last()) {
        (Some(first), Some(last)) => {
            is_lower_alnum(*first)
                && is_lower_alnum(*last)
                && label.iter().all(|b| is_lower_alnum(*b) || *b == b'-')
        }
        _ => false,
    }
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`: the
/// pattern of `PreciseHostname`, `SectionName` and (non-empty) `Group`.
pub(super) fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.as_bytes().split(|b| *b == b'.').all(is_label)
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`: `Namespace`.
pub(super) fn is_dns_label(s: &str) -> bool {
    is_label(s.as_bytes())
}

/// `Hostname`: `^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`.
///
/// The pattern admits a dotted IPv4 address (`10.0.0.1` is four labels of
/// digits); the API server accepts one, and so does this check.
pub(super) fn is_hostname(s: &str) -> bool {
    is_dns_subdomain(s.strip_prefix("*.").unwrap_or(s))
}

/// `Kind`: `^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`.
pub(super) fn is_kind(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphabetic()
                && last.is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        }
        _ => false,
    }
}

/// `HeaderName`: `^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$` (an RFC 7230 token).
pub(super) fn is_header_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// The characters an `Exact` or `PathPrefix` value may hold:
/// `^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$`.
pub(super) fn is_path_chars(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'/'
                    | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            )
        {
            i += 1;
        } else {
            return false;
        }
    }
    !b.is_empty()
}

/// The CRD patterns that need a regular expression. Each is compiled once; a
/// pattern that failed to compile (the unit tests prove none does) matches nothing.
fn compiled(pattern: &'static str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

/// `ProtocolType`. The second alternative is not anchored at the start, so any
/// text ending in `<label>/<alphanumerics>` matches, as on the API server.
static PROTOCOL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(
        r"^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$",
    )
});

/// `GatewayController`: a domain-prefixed path.
static CONTROLLER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$",
    )
});

/// `AddressType`. As written upstream, only the first alternative is anchored
/// at the start and only the last at the end.
static ADDRESS_TYPE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(
        r"^Hostname|IPAddress|NamedAddress|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$",
    )
});

/// `CORSOrigin`: `*`, or `<scheme>://<host>[:<port>]`.
static CORS_ORIGIN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(r"(^\*$)|(^([a-zA-Z][a-zA-Z0-9+\-.]+):\/\/([^:/?#]+)(:([0-9]{1,5}))?$)")
});

/// `AnnotationKey` (listener TLS option keys): an optional DNS-subdomain prefix
/// and `/`, then a name of up to 63 characters.
static ANNOTATION_KEY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(
        r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$",
    )
});

/// GRPCMethodMatch `service` (Exact): `^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`.
static GRPC_SERVICE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compiled(r"^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$"));

/// GRPCMethodMatch `method` (Exact): `^[A-Za-z_][A-Za-z_0-9]*$`.
static GRPC_METHOD: LazyLock<Option<Regex>> =
    LazyLock::new(|| compiled(r"^[A-Za-z_][A-Za-z_0-9]*$"));

/// The `service` pattern of an Exact gRPC method match.
pub(super) fn is_grpc_service(s: &str) -> bool {
    matches(&GRPC_SERVICE, s)
}

/// The `method` pattern of an Exact gRPC method match.
pub(super) fn is_grpc_method(s: &str) -> bool {
    matches(&GRPC_METHOD, s)
}

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(s))
}

/// `ProtocolType` pattern.
pub(super) fn is_protocol(s: &str) -> bool {
    matches(&PROTOCOL, s)
}

/// `GatewayController` pattern.
pub(super) fn is_controller_name(s: &str) -> bool {
    matches(&CONTROLLER, s)
}

/// `AddressType` pattern.
pub(super) fn is_address_type(s: &str) -> bool {
    matches(&ADDRESS_TYPE, s)
}

/// `CORSOrigin` pattern.
pub(super) fn is_cors_origin(s: &str) -> bool {
    matches(&CORS_ORIGIN, s)
}

/// `AnnotationKey` pattern.
pub(super) fn is_annotation_key(s: &str) -> bool {
    matches(&ANNOTATION_KEY, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for re in [
            &PROTOCOL,
            &CONTROLLER,
            &ADDRESS_TYPE,
            &CORS_ORIGIN,
            &ANNOTATION_KEY,
        ] {
            assert!(re.is_some());
        }
    }

    #[test]
    fn hostname_allows_one_leading_wildcard_label() {
        assert!(is_hostname("example.com"));
        assert!(is_hostname("*.example.com"));
        assert!(is_hostname("a"));
        assert!(!is_hostname("*"));
        assert!(!is_hostname("*.*.example.com"));
        assert!(!is_hostname("foo.*.com"));
        assert!(!is_hostname("*oo.example.com"));
        assert!(!is_hostname("Example.com"));
        assert!(!is_hostname("example.com."));
        assert!(!is_hostname("-a.com"));
        assert!(!is_hostname("a_b.com"));
        assert!(!is_hostname("[::1]"));
    }

    #[test]
    fn header_name_is_a_token() {
        assert!(is_header_name("X-Forwarded-For"));
        assert!(is_header_name("a!#$%&'*+-.^_`|~9"));
        assert!(!is_header_name(":method"));
        assert!(!is_header_name("/invalid"));
        assert!(!is_header_name("a b"));
        assert!(!is_header_name(""));
    }

    #[test]
    fn path_chars_allow_percent_escapes_only_with_two_hex_digits() {
        assert!(is_path_chars("/a-b_c~d/%20/@:;=,+*()'&$!"));
        assert!(!is_path_chars("/a%2"));
        assert!(!is_path_chars("/a%zz"));
        assert!(!is_path_chars("/a b"));
        assert!(!is_path_chars("/a?b"));
        assert!(!is_path_chars(""));
    }

    #[test]
    fn protocol_is_a_label_or_ends_in_a_domain_prefixed_name() {
        assert!(is_protocol("HTTP"));
        assert!(is_protocol("https"));
        assert!(is_protocol("example.com/Bar9"));
        assert!(!is_protocol("example.com"));
        assert!(!is_protocol("HTTP/"));
        assert!(!is_protocol("-HTTP"));
        assert!(!is_protocol("example.com/a-b"));
    }

    #[test]
    fn controller_name_is_a_domain_prefixed_path() {
        assert!(is_controller_name("gatewise.dev/gateway-controller"));
        assert!(is_controller_name("example.com/a/b"));
        assert!(!is_controller_name("example.com"));
        assert!(!is_controller_name("/path"));
        assert!(!is_controller_name("Example.com/x"));
    }

    #[test]
    fn cors_origin_is_star_or_scheme_host_port() {
        for good in [
            "*",
            "https://xpto.com",
            "http://*.abcd.com:12345",
            "https://*.com",
        ] {
            assert!(is_cors_origin(good), "{good}");
        }
        for bad in [
            "xpto.com",
            "https://xpto.com:notaport",
            "xpto/https://xpto.com",
            "*.com",
        ] {
            assert!(!is_cors_origin(bad), "{bad}");
        }
    }

    #[test]
    fn kind_starts_with_a_letter() {
        assert!(is_kind("HTTPRoute"));
        assert!(is_kind("a-b1"));
        assert!(!is_kind("1a"));
        assert!(!is_kind("invalid/kind"));
        assert!(!is_kind("a-"));
    }
}
