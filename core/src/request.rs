//! The one borrowed request view the router reads.
//!
//! Adapters build it from whatever they hold (hyper's `http::request::Parts`, a
//! Python call, a JS object) without copying: every field borrows.

use serde::Serialize;

/// The scheme a request arrived with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Plain HTTP (an `HTTP` listener).
    #[default]
    Http,
    /// HTTP over TLS (an `HTTPS` listener).
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// The protocol of a request as a client speaks it, which decides the listener
/// protocol it can reach and how it is matched.
///
/// ```
/// use gatewise::RequestProtocol;
/// let p: RequestProtocol = "grpc".parse().unwrap();
/// assert_eq!(p, RequestProtocol::Grpc);
/// assert_eq!(p.default_port(), Some(80));
/// assert_eq!(RequestProtocol::Tcp.default_port(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum RequestProtocol {
    /// HTTP/1.1 or h2c on an `HTTP` listener.
    #[default]
    Http,
    /// HTTP over TLS on an `HTTPS` listener.
    Https,
    /// gRPC (HTTP/2 `POST /service/method`): on an `HTTP` listener, or on an
    /// `HTTPS` listener when a server name (SNI) is given.
    Grpc,
    /// A TLS connection on a `TLS` listener, matched by its server name.
    Tls,
    /// A TCP connection on a `TCP` listener.
    Tcp,
    /// UDP datagrams on a `UDP` listener.
    Udp,
}

impl RequestProtocol {
    /// `HTTP`, `HTTPS`, `GRPC`, `TLS`, `TCP` or `UDP`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestProtocol::Http => "HTTP",
            RequestProtocol::Https => "HTTPS",
            RequestProtocol::Grpc => "GRPC",
            RequestProtocol::Tls => "TLS",
            RequestProtocol::Tcp => "TCP",
            RequestProtocol::Udp => "UDP",
        }
    }

    /// The port a client uses when none is given: 80 for HTTP and GRPC, 443 for
    /// HTTPS and TLS, none for TCP and UDP (the port must be given).
    pub fn default_port(self) -> Option<u16> {
        match self {
            RequestProtocol::Http | RequestProtocol::Grpc => Some(80),
            RequestProtocol::Https | RequestProtocol::Tls => Some(443),
            RequestProtocol::Tcp | RequestProtocol::Udp => None,
        }
    }

    /// The method a client sends when none is given: `POST` for gRPC, else `GET`.
    pub fn default_method(self) -> &'static str {
        match self {
            RequestProtocol::Grpc => "POST",
            _ => "GET",
        }
    }

    /// `req` as an HTTP request of this protocol, with the protocol's defaults:
    /// HTTP as given; HTTPS with [`default_sni`] of the `Host` when it carries no
    /// server name; GRPC marked gRPC, over HTTPS when it carries a server name.
    /// `None` for the stream protocols. The one place these defaults live.
    pub fn http_request<'a>(self, req: &HttpRequest<'a>) -> Option<HttpRequest<'a>> {
        match self {
            RequestProtocol::Http => Some(req.scheme(Scheme::Http)),
            RequestProtocol::Https => Some(req.with_default_sni().scheme(Scheme::Https)),
            RequestProtocol::Grpc => {
                let scheme = if req.sni.is_some() {
                    Scheme::Https
                } else {
                    Scheme::Http
                };
                Some(req.scheme(scheme).grpc(true))
            }
            RequestProtocol::Tls | RequestProtocol::Tcp | RequestProtocol::Udp => None,
        }
    }

    /// Every protocol, in declaration order.
    pub const ALL: [RequestProtocol; 6] = [
        RequestProtocol::Http,
        RequestProtocol::Https,
        RequestProtocol::Grpc,
        RequestProtocol::Tls,
        RequestProtocol::Tcp,
        RequestProtocol::Udp,
    ];
}

impl std::fmt::Display for RequestProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RequestProtocol {
    type Err = String;

    /// Parses a protocol name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RequestProtocol::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown protocol {s:?} (expected HTTP, HTTPS, GRPC, TLS, TCP or UDP)")
            })
    }
}

/// Request headers, borrowed in one of the shapes callers hold them.
#[derive(Debug, Clone, Copy, Default)]
pub enum Headers<'a> {
    /// No headers.
    #[default]
    None,
    /// Borrowed name/value pairs (names in any case; names may repeat).
    Pairs(&'a [(&'a str, &'a str)]),
    /// Owned name/value pairs.
    Owned(&'a [(String, String)]),
    /// An `http::HeaderMap` (values that are not visible ASCII are skipped).
    Map(&'a http::HeaderMap),
}

impl<'a> Headers<'a> {
    /// Every value of the header `name` (ASCII case-insensitive), in order.
    pub fn get_all(self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let (pairs, owned, map) = match self {
            Headers::None => (None, None, None),
            Headers::Pairs(p) => (Some(p), None, None),
            Headers::Owned(o) => (None, Some(o), None),
            Headers::Map(m) => (None, None, Some(m.get_all(name).iter())),
        };
        let pairs = pairs
            .into_iter()
            .flatten()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v);
        let owned = owned
            .into_iter()
            .flatten()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        let map = map.into_iter().flatten().filter_map(|v| v.to_str().ok());
        pairs.chain(owned).chain(map)
    }

    /// The first value of the header `name`.
    pub fn get(self, name: &'a str) -> Option<&'a str> {
        self.get_all(name).next()
    }

    /// Every header as (name, value), in order.
    pub fn iter(self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let (pairs, owned, map) = match self {
            Headers::None => (None, None, None),
            Headers::Pairs(p) => (Some(p), None, None),
            Headers::Owned(o) => (None, Some(o), None),
            Headers::Map(m) => (None, None, Some(m)),
        };
        let pairs = pairs.into_iter().flatten().map(|(n, v)| (*n, *v));
        let owned = owned
            .into_iter()
            .flatten()
            .map(|(n, v)| (n.as_str(), v.as_str()));
        let map = map
            .into_iter()
            .flatten()
            .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)));
        pairs.chain(owned).chain(map)
    }
}

/// An HTTP request as it arrives at a Gateway listener.
///
/// ```
/// use gatewise::{HttpRequest, Scheme};
/// let headers = [("x-version", "2")];
/// let req = HttpRequest::new("GET", "example.com", "/foo?a=1")
///     .scheme(Scheme::Https)
///     .sni(Some("example.com"))
///     .headers(&headers);
/// assert_eq!(req.path(), "/foo");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HttpRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) host: &'a str,
    pub(crate) target: &'a str,
    pub(crate) scheme: Scheme,
    pub(crate) sni: Option<&'a str>,
    pub(crate) headers: Headers<'a>,
    pub(crate) grpc: bool,
}

impl<'a> HttpRequest<'a> {
    /// A plain-HTTP request: method, `Host` (or `:authority`, may carry a port) and
    /// request target (path with query).
    pub fn new(method: &'a str, host: &'a str, target: &'a str) -> Self {
        HttpRequest {
            method,
            host,
            target,
            scheme: Scheme::Http,
            sni: None,
            headers: Headers::None,
            grpc: false,
        }
    }

    /// Marks the request as gRPC: it is matched against GRPCRoutes, and the
    /// gateway's own answers carry a gRPC status.
    pub fn grpc(mut self, grpc: bool) -> Self {
        self.grpc = grpc;
        self
    }

    /// The request with [`default_sni`] of its `Host` when it carries no server
    /// name (what a TLS client sends).
    pub fn with_default_sni(&self) -> Self {
        self.sni(self.sni.or_else(|| default_sni(self.host)))
    }

    /// Whether the request is gRPC.
    pub fn is_grpc(&self) -> bool {
        self.grpc
    }

    /// Sets the scheme (an HTTPS request also needs [`sni`](Self::sni)).
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// Sets the TLS ClientHello server name.
    pub fn sni(mut self, sni: Option<&'a str>) -> Self {
        self.sni = sni;
        self
    }

    /// Sets the headers from borrowed pairs.
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = Headers::Pairs(headers);
        self
    }

    /// Sets the headers from owned pairs.
    pub fn owned_headers(mut self, headers: &'a [(String, String)]) -> Self {
        self.headers = Headers::Owned(headers);
        self
    }

    /// Sets the headers from an `http::HeaderMap`.
    pub fn header_map(mut self, headers: &'a http::HeaderMap) -> Self {
        self.headers = Headers::Map(headers);
        self
    }

    /// The method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The `Host` value as received.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The request target (path and query) as received.
    pub fn target(&self) -> &'a str {
        self.target
    }

    /// The path part of the target, as received (not normalised).
    pub fn path(&self) -> &'a str {
        crate::path::split_query(self.target).0
    }

    /// The query part of the target, without `?`.
    pub fn query(&self) -> Option<&'a str> {
        crate::path::split_query(self.target).1
    }

    /// The scheme.
    pub fn scheme_of(&self) -> Scheme {
        self.scheme
    }

    /// The TLS server name.
    pub fn sni_of(&self) -> Option<&'a str> {
        self.sni
    }

    /// The headers.
    pub fn headers_of(&self) -> Headers<'a> {
        self.headers
    }
}

/// The request target of a gRPC call: `/service/method`.
///
/// ```
/// assert_eq!(gatewise::grpc_path("com.example.User", "Login"), "/com.example.User/Login");
/// ```
pub fn grpc_path(service: &str, method: &str) -> String {
    format!("/{service}/{method}")
}

/// The server name a TLS client sends for a `Host` value: the host without its
/// port, or none for an IP literal (clients send no SNI for addresses, RFC 6066 §3).
/// Every front end uses this default, so they agree on HTTPS requests.
///
/// ```
/// assert_eq!(gatewise::default_sni("example.com:8443"), Some("example.com"));
/// assert_eq!(gatewise::default_sni("192.0.2.1"), None);
/// assert_eq!(gatewise::default_sni("[2001:db8::1]:443"), None);
/// ```
pub fn default_sni(host: &str) -> Option<&str> {
    let bare = crate::hostname::strip_port(host);
    let bare = bare
        .strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .unwrap_or(bare);
    (!bare.is_empty() && bare.parse::<std::net::IpAddr>().is_err()).then_some(bare)
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_sni_drops_port_and_ip_literals() {
        assert_eq!(super::default_sni("example.com:8443"), Some("example.com"));
        assert_eq!(super::default_sni("example.com"), Some("example.com"));
        assert_eq!(super::default_sni("192.0.2.1"), None);
        assert_eq!(super::default_sni("192.0.2.1:443"), None);
        assert_eq!(super::default_sni("[2001:db8::1]:443"), None);
        assert_eq!(super::default_sni("2001:db8::1"), None);
    }
}
