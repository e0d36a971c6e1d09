//! Header plumbing every proxy does: hop-by-hop headers (RFC 9110 §7.6.1) and
//! the forwarding headers (`x-forwarded-for`, `x-forwarded-proto`, `forwarded`,
//! RFC 7239).

use std::net::IpAddr;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

const HOP_BY_HOP_COUNT: usize = 9;

/// Headers that describe one connection, never forwarded (a `static`: a
/// `const` array of `HeaderName`s would be built and dropped at every use).
static HOP_BY_HOP: [HeaderName; HOP_BY_HOP_COUNT] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// What stripping found that the proxy still needs.
#[derive(Debug, Default, Clone)]
pub(crate) struct HopByHop {
    /// The `Upgrade` value when the client asked to upgrade (`Connection: upgrade`).
    pub(crate) upgrade: Option<HeaderValue>,
    /// Whether `TE` named `trailers` (gRPC needs it passed on).
    pub(crate) te_trailers: bool,
}

/// The position in [`HOP_BY_HOP`] of a lower-case header name (a `match` on
/// the string: its length, then its bytes; cheaper than comparing against
/// each `HeaderName` in turn, this runs for every header of every request and
/// response).
fn hop_index(name: &str) -> Option<usize> {
    match name {
        "connection" => Some(0),
        "keep-alive" => Some(1),
        "proxy-connection" => Some(2),
        "proxy-authenticate" => Some(3),
        "proxy-authorization" => Some(4),
        "te" => Some(5),
        "trailer" => Some(6),
        "transfer-encoding" => Some(7),
        "upgrade" => Some(8),
        _ => None,
    }
}

/// Removes hop-by-hop headers, including every header the `Connection` header
/// names, and reports the upgrade request and `TE: trailers`.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap) -> HopByHop {
    let mut found = HopByHop::default();
    // One pass over the names finds the hop-by-hop headers present (usually
    // none, or a `Connection: keep-alive`): only those are looked up and
    // removed (this runs twice per request).
    let mut present = [false; HOP_BY_HOP_COUNT];
    let mut any = false;
    for name in headers.keys() {
        if let Some(i) = hop_index(name.as_str()) {
            present[i] = true;
            any = true;
        }
    }
    if !any {
        return found;
    }
    let mut named: Vec<HeaderName> = Vec::new();
    let mut upgrade_token = false;
    if present[0] {
        for value in headers.get_all(header::CONNECTION) {
            let Ok(text) = value.to_str() else {
                continue;
            };
            for token in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                if token.eq_ignore_ascii_case("upgrade") {
                    upgrade_token = true;
                }
                // A name of the fixed list is removed below anyway.
                if HOP_BY_HOP
                    .iter()
                    .any(|h| h.as_str().eq_ignore_ascii_case(token))
                {
                    continue;
                }
                if let Ok(name) = HeaderName::from_bytes(token.to_ascii_lowercase().as_bytes()) {
                    named.push(name);
                }
            }
        }
    }
    if upgrade_token && present[8] {
        found.upgrade = headers.get(header::UPGRADE).cloned();
    }
    found.te_trailers = present[5]
        && headers.get_all(header::TE).iter().any(|v| {
            v.to_str().is_ok_and(|t| {
                t.split(',').any(|p| {
                    p.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .eq_ignore_ascii_case("trailers")
                })
            })
        });
    for name in &named {
        headers.remove(name);
    }
    for (name, _) in HOP_BY_HOP.iter().zip(present).filter(|(_, p)| *p) {
        headers.remove(name);
    }
    found
}

// Checked at compile time (`from_static` in a `const`), not per request.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// Appends the client to `x-forwarded-for` and `forwarded`, and sets
/// `x-forwarded-proto`. Runs for every request: values are built with plain
/// string pushes (no formatting machinery) and handed to `HeaderValue` without
/// a copy.
pub(crate) fn add_forwarding(headers: &mut HeaderMap, client: IpAddr, proto: &str, host: &str) {
    let xff = X_FORWARDED_FOR;
    let mut value = String::new();
    for previous in headers.get_all(&xff).iter().filter_map(|v| v.to_str().ok()) {
        value.push_str(previous);
        value.push_str(", ");
    }
    push_ip(&mut value, client);
    if let Ok(v) = HeaderValue::try_from(value) {
        headers.insert(xff, v);
    }
    headers.insert(
        X_FORWARDED_PROTO,
        HeaderValue::from_static(if proto == "https" { "https" } else { "http" }),
    );
    let mut element = String::with_capacity(32 + host.len());
    element.push_str("for=");
    match client {
        IpAddr::V4(_) => push_ip(&mut element, client),
        IpAddr::V6(_) => {
            element.push_str("\"[");
            push_ip(&mut element, client);
            element.push_str("]\"");
        }
    }
    element.push_str(";proto=");
    element.push_str(proto);
    if !host.is_empty() {
        element.push_str(";host=\"");
        for c in host.chars() {
            if c == '\\' || c == '"' {
                element.push('\\');
            }
            element.push(c);
        }
        element.push('"');
    }
    if let Ok(v) = HeaderValue::try_from(element) {
        headers.append(header::FORWARDED, v);
    }
}

/// Appends an address (IPv4 digit by digit; IPv6 through `Display`).
fn push_ip(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
        }
        IpAddr::V6(v6) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{v6}");
        }
    }
}

/// Header pairs into a map; a pair that is not a valid header is skipped (names
/// and values come from the client's own headers or validated filters).
pub(crate) fn to_map(pairs: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(pairs.len());
    for (n, v) in pairs {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            map.append(n, v);
        }
    }
    map
}

/// A map into pairs (values that are not visible ASCII are kept lossily).
pub(crate) fn to_pairs(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        to_map(&owned)
    }

    #[test]
    fn hop_by_hop_headers_and_those_connection_names_are_removed() {
        let mut h = map(&[
            ("connection", "keep-alive, X-Secret"),
            ("keep-alive", "timeout=5"),
            ("x-secret", "1"),
            ("te", "trailers"),
            ("transfer-encoding", "chunked"),
            ("proxy-authorization", "Basic x"),
            ("x-kept", "yes"),
        ]);
        let found = strip_hop_by_hop(&mut h);
        assert!(found.te_trailers);
        assert!(found.upgrade.is_none());
        let names: Vec<&str> = h.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, vec!["x-kept"]);
    }

    #[test]
    fn hop_index_finds_exactly_the_listed_names() {
        for (i, name) in HOP_BY_HOP.iter().enumerate() {
            assert_eq!(hop_index(name.as_str()), Some(i), "{name}");
        }
        for other in ["host", "connectio", "tes", "x-upgrade", "trailers", ""] {
            assert_eq!(hop_index(other), None, "{other}");
        }
    }

    #[test]
    fn a_map_without_hop_by_hop_headers_is_left_alone() {
        let mut h = map(&[("x-a", "1"), ("accept", "*/*"), ("x-b", "2")]);
        let found = strip_hop_by_hop(&mut h);
        assert!(!found.te_trailers);
        assert!(found.upgrade.is_none());
        assert_eq!(h.len(), 3);
        // `Connection` alone names a header outside the fixed list.
        let mut h = map(&[
            ("connection", "Keep-Alive, x-a"),
            ("x-a", "1"),
            ("x-b", "2"),
        ]);
        strip_hop_by_hop(&mut h);
        let names: Vec<&str> = h.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, vec!["x-b"]);
    }

    #[test]
    fn an_upgrade_is_reported_only_when_connection_names_it() {
        let mut h = map(&[("connection", "Upgrade"), ("upgrade", "websocket")]);
        let found = strip_hop_by_hop(&mut h);
        assert_eq!(
            found.upgrade.as_ref().map(|v| v.as_bytes()),
            Some(&b"websocket"[..])
        );
        assert!(h.is_empty());
        let mut h = map(&[("upgrade", "websocket")]);
        assert!(strip_hop_by_hop(&mut h).upgrade.is_none());
    }

    #[test]
    fn ipv4_addresses_are_written_digit_by_digit() {
        for ip in [
            "0.0.0.0",
            "127.0.0.1",
            "10.20.30.40",
            "255.255.255.255",
            "1.100.99.200",
        ] {
            let mut s = String::from("x");
            push_ip(&mut s, ip.parse().unwrap_or(IpAddr::from([9; 4])));
            assert_eq!(s, format!("x{ip}"));
        }
    }

    #[test]
    fn forwarding_headers_for_ipv4_and_a_quoted_host() {
        let mut h = HeaderMap::new();
        add_forwarding(&mut h, IpAddr::from([10, 0, 0, 7]), "http", "a\"b\\c");
        assert_eq!(h["x-forwarded-for"], "10.0.0.7");
        assert_eq!(h["x-forwarded-proto"], "http");
        assert_eq!(
            h["forwarded"],
            "for=10.0.0.7;proto=http;host=\"a\\\"b\\\\c\""
        );
        let mut h = HeaderMap::new();
        add_forwarding(&mut h, IpAddr::from([10, 0, 0, 7]), "https", "");
        assert_eq!(h["forwarded"], "for=10.0.0.7;proto=https");
    }

    #[test]
    fn forwarding_headers_append_the_client() {
        let mut h = map(&[
            ("x-forwarded-for", "192.0.2.1"),
            ("forwarded", "for=192.0.2.1"),
        ]);
        add_forwarding(
            &mut h,
            "2001:db8::1".parse().unwrap_or(IpAddr::from([0; 4])),
            "https",
            "a.example.com:8443",
        );
        assert_eq!(h["x-forwarded-for"], "192.0.2.1, 2001:db8::1");
        assert_eq!(h["x-forwarded-proto"], "https");
        let fwd: Vec<&str> = h
            .get_all("forwarded")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert_eq!(
            fwd,
            vec![
                "for=192.0.2.1",
                "for=\"[2001:db8::1]\";proto=https;host=\"a.example.com:8443\""
            ]
        );
    }
}
