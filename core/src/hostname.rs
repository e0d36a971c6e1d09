//! Hostnames: Gateway API hostname matching and intersection (`apis/v1/shared_types.go`
//! `Hostname`; `site/content/en/docs/concepts/hostnames.md`).
//!
//! A wildcard `*.example.com` is a suffix match over one or more whole labels: it
//! matches `a.example.com` and `a.b.example.com`, never `example.com` itself.

use std::fmt;

use serde::{Serialize, Serializer};

/// A listener or route hostname, lower case, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hostname {
    /// A precise name, e.g. `foo.example.com`.
    Exact(Box<str>),
    /// A wildcard, stored as its suffix with the leading dot: `*.example.com` is
    /// `.example.com`.
    Wildcard(Box<str>),
}

impl Hostname {
    /// Parses a hostname already checked by validation (lower-cased here for safety).
    pub fn parse(text: &str) -> Hostname {
        let lower = text.to_ascii_lowercase();
        match lower.strip_prefix('*') {
            Some(suffix) => Hostname::Wildcard(suffix.into()),
            None => Hostname::Exact(lower.into()),
        }
    }

    /// Whether a request host (lower case, no port, no trailing dot) matches.
    pub fn matches(&self, host: &str) -> bool {
        match self {
            Hostname::Exact(h) => **h == *host,
            Hostname::Wildcard(suffix) => host.len() > suffix.len() && host.ends_with(&**suffix),
        }
    }

    /// Whether this is a wildcard.
    pub fn is_wildcard(&self) -> bool {
        matches!(self, Hostname::Wildcard(_))
    }

    /// The intersection of a listener hostname (`None`: any) and a route hostname,
    /// as the hostnames concept page defines it; `None` when they do not intersect.
    pub fn intersect(listener: Option<&Hostname>, route: &Hostname) -> Option<Hostname> {
        let Some(listener) = listener else {
            return Some(route.clone());
        };
        match (listener, route) {
            (Hostname::Exact(l), Hostname::Exact(r)) => (l == r).then(|| route.clone()),
            (Hostname::Wildcard(_), Hostname::Exact(r)) => {
                listener.matches(r).then(|| route.clone())
            }
            (Hostname::Exact(l), Hostname::Wildcard(_)) => {
                route.matches(l).then(|| listener.clone())
            }
            (Hostname::Wildcard(l), Hostname::Wildcard(r)) => {
                if r.ends_with(&**l) {
                    Some(route.clone())
                } else if l.ends_with(&**r) {
                    Some(listener.clone())
                } else {
                    None
                }
            }
        }
    }

    /// Specificity for choosing among listeners: exact names first, then wildcards
    /// with more characters (and so more labels) after the `*`. Larger is more specific.
    pub(crate) fn specificity(&self) -> (bool, usize) {
        match self {
            Hostname::Exact(h) => (true, h.len()),
            Hostname::Wildcard(s) => (false, s.len()),
        }
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hostname::Exact(h) => f.write_str(h),
            Hostname::Wildcard(s) => write!(f, "*{s}"),
        }
    }
}

impl Serialize for Hostname {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A request host folded for matching without allocating: the port and a trailing
/// dot removed, ASCII lower-cased. A host already in lower case (most are) is
/// borrowed as it is; only one with an upper-case letter is copied, into an
/// inline buffer. Hosts longer than any valid DNS name keep an empty key (they
/// can match only listeners and routes without hostnames).
#[derive(Clone)]
// Boxing the buffer would allocate per request; a key lives on the stack only.
#[allow(clippy::large_enum_variant)]
pub(crate) enum HostKey<'a> {
    /// Already folded: a slice of the request's host.
    Borrowed(&'a str),
    /// Lower-cased into `buf[..len]`.
    Folded { buf: [u8; 255], len: u8 },
}

/// The host as [`HostKey`] folds it, with the lower-cased copy (for a host
/// with an upper-case letter) in `buf`, which is written only then: a
/// decision keeps `None` on its stack, not a 255-byte key that is moved
/// (a `memcpy` per decision) whether it holds a copy or not.
#[inline]
pub(crate) fn fold<'b>(host: &'b str, buf: &'b mut Option<[u8; 255]>) -> &'b str {
    let Some(bare) = bare(host) else {
        return "";
    };
    if !has_upper(bare.as_bytes()) {
        return bare;
    }
    let buf = buf.insert([0; 255]);
    lower_into(bare, buf);
    folded(buf, bare.len())
}

/// The host without its port and trailing dot; `None` when longer than a
/// hostname can be (255 bytes).
#[inline(always)]
fn bare(host: &str) -> Option<&str> {
    let bare = strip_port(host);
    let bare = bare.strip_suffix('.').unwrap_or(bare);
    (bare.len() <= 255).then_some(bare)
}

/// Writes `bare` (at most 255 bytes) ASCII lower-cased to the start of `buf`.
#[inline(always)]
fn lower_into(bare: &str, buf: &mut [u8; 255]) {
    for (dst, src) in buf.iter_mut().zip(bare.bytes()) {
        *dst = src.to_ascii_lowercase();
    }
}

/// The first `len` bytes of `buf`, written by [`lower_into`].
#[inline(always)]
fn folded(buf: &[u8; 255], len: usize) -> &str {
    // ASCII lower-casing of valid UTF-8 stays valid UTF-8.
    std::str::from_utf8(buf.get(..len).unwrap_or_default()).unwrap_or("")
}

impl<'a> HostKey<'a> {
    pub(crate) fn new(host: &'a str) -> HostKey<'a> {
        let Some(bare) = bare(host) else {
            return HostKey::Borrowed("");
        };
        if !has_upper(bare.as_bytes()) {
            return HostKey::Borrowed(bare);
        }
        let mut buf = [0; 255];
        lower_into(bare, &mut buf);
        HostKey::Folded {
            buf,
            len: u8::try_from(bare.len()).unwrap_or(0),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            HostKey::Borrowed(s) => s,
            // ASCII lower-casing of valid UTF-8 stays valid UTF-8.
            HostKey::Folded { buf, len } => folded(buf, usize::from(*len)),
        }
    }
}

impl fmt::Debug for HostKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HostKey").field(&self.as_str()).finish()
    }
}

/// Whether `bytes` hold an ASCII upper-case letter: eight bytes at a time
/// (a byte-by-byte test was a tenth of a decision).
fn has_upper(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = LO << 7;
    let upper = |w: u64| {
        // With the high bits cleared no byte carries into the next: a byte
        // `v` has `v + 0x3F` at 0x80 or more exactly when `v >= b'A'`, and
        // `v + 0x25` exactly when `v > b'Z'`; a byte of 0x80 or more is none.
        let v = w & !HI;
        (v + LO * 0x3F) & !(v + LO * 0x25) & !w & HI != 0
    };
    let word = |b: &[u8]| {
        let mut w = [0; 8];
        if let Some(b) = b.get(..8) {
            w.copy_from_slice(b);
        }
        u64::from_le_bytes(w)
    };
    let mut words = bytes.chunks_exact(8);
    if words.any(|w| upper(word(w))) {
        return true;
    }
    let rest = words.remainder();
    match bytes.len().checked_sub(8) {
        // The last eight bytes (some already tested) hold the rest.
        Some(start) if !rest.is_empty() => upper(word(bytes.get(start..).unwrap_or_default())),
        _ => rest.iter().any(u8::is_ascii_uppercase),
    }
}

/// The host part of a `Host` header value: `example.com:8080` → `example.com`,
/// `[::1]:8080` → `[::1]`.
pub(crate) fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    let bytes = host.as_bytes();
    // Most hosts carry no port: their last byte is neither a digit nor `:`.
    if !bytes
        .last()
        .is_some_and(|b| b.is_ascii_digit() || *b == b':')
    {
        return host;
    }
    // A byte scan from the end (`rsplit_once` searched with `memrchr`).
    let Some(colon) = bytes.iter().rposition(|&b| !b.is_ascii_digit()) else {
        return host;
    };
    // The byte found may sit inside a multi-byte character: only a `:`
    // (ASCII, so a character boundary) splits the host from its port.
    if bytes.get(colon) != Some(&b':') {
        return host;
    }
    match host.get(..colon) {
        Some(h) if !h.contains(':') => h,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Hostname {
        Hostname::parse(s)
    }

    #[test]
    fn has_upper_finds_an_upper_case_letter_anywhere() {
        assert!(!has_upper(b""));
        assert!(!has_upper(b"any.example.com"));
        // Every byte that is not A-Z, in runs of every length and offset.
        let others: Vec<u8> = (0..=255u8).filter(|b| !b.is_ascii_uppercase()).collect();
        for len in 0..others.len() {
            assert!(!has_upper(&others[..len]), "{len}");
            assert!(!has_upper(&others[others.len() - len..]), "{len}");
        }
        for len in 1..20 {
            for at in 0..len {
                for letter in [b'A', b'M', b'Z'] {
                    let mut host = vec![b'z'; len];
                    host[at] = letter;
                    assert!(has_upper(&host), "{len} {at}");
                    // Neighbours of A-Z and high bytes around it change nothing.
                    host[at] = 0xC1;
                    assert!(!has_upper(&host), "{len} {at}");
                }
            }
        }
    }

    #[test]
    fn strip_port_splits_only_at_a_colon_and_never_inside_a_character() {
        assert_eq!(strip_port("example.com:8080"), "example.com");
        assert_eq!(strip_port("example.com"), "example.com");
        assert_eq!(strip_port("[::1]:8080"), "[::1]");
        assert_eq!(strip_port("::1"), "::1");
        // 'ڰ' is 0xDA 0xB0: the last non-digit byte is a continuation byte.
        assert_eq!(strip_port("a\u{6b0}00"), "a\u{6b0}00");
        assert_eq!(strip_port("\u{6b0}:80"), "\u{6b0}");
    }

    #[test]
    fn wildcard_matches_one_or_more_labels_never_the_apex() {
        assert!(h("*.example.com").matches("test.example.com"));
        assert!(h("*.example.com").matches("foo.test.example.com"));
        assert!(!h("*.example.com").matches("example.com"));
        assert!(h("*.com").matches("example.com"));
    }

    #[test]
    fn intersection_follows_the_hostnames_concept_page() {
        let l = h("*.example.com");
        assert_eq!(
            Hostname::intersect(Some(&l), &h("test.example.com")),
            Some(h("test.example.com"))
        );
        assert_eq!(Hostname::intersect(Some(&l), &h("test.example.net")), None);
        assert_eq!(
            Hostname::intersect(Some(&h("test.example.com")), &h("*.example.com")),
            Some(h("test.example.com"))
        );
        assert_eq!(
            Hostname::intersect(Some(&h("*.com")), &h("*.example.com")),
            Some(h("*.example.com"))
        );
        assert_eq!(
            Hostname::intersect(Some(&h("*.example.com")), &h("*.com")),
            Some(h("*.example.com"))
        );
        assert_eq!(Hostname::intersect(None, &h("a.b")), Some(h("a.b")));
        assert_eq!(
            Hostname::intersect(Some(&h("example.com")), &h("*.example.com")),
            None
        );
    }

    #[test]
    fn host_key_ignores_port_case_and_trailing_dot() {
        assert_eq!(
            HostKey::new("Very.Specific.COM:1234").as_str(),
            "very.specific.com"
        );
        assert_eq!(HostKey::new("example.com.").as_str(), "example.com");
        assert_eq!(HostKey::new("[::1]:8080").as_str(), "[::1]");
        assert_eq!(HostKey::new(&"a".repeat(300)).as_str(), "");
        assert_eq!(
            HostKey::new("plain.example.com").as_str(),
            "plain.example.com"
        );
        assert!(matches!(HostKey::new("a.b:80"), HostKey::Borrowed("a.b")));
        assert!(matches!(HostKey::new("A.b"), HostKey::Folded { .. }));
    }

    #[test]
    fn fold_is_host_key_and_writes_the_buffer_only_to_lower_case() {
        let long = "a".repeat(300);
        let upper = "B".repeat(255);
        for host in [
            "Very.Specific.COM:1234",
            "example.com.",
            "EXAMPLE.COM.:80",
            "[::1]:8080",
            "[::A]:8080",
            long.as_str(),
            upper.as_str(),
            "plain.example.com",
            "a.b:80",
            "A.b",
            "",
            "\u{e9}X.com",
        ] {
            let mut buf = None;
            let folded = super::fold(host, &mut buf);
            assert_eq!(folded, HostKey::new(host).as_str(), "{host:?}");
            let copied = matches!(HostKey::new(host), HostKey::Folded { .. });
            assert_eq!(buf.is_some(), copied, "{host:?}");
        }
    }

    #[test]
    fn strip_port_takes_only_a_numeric_port() {
        for (host, bare) in [
            ("example.com", "example.com"),
            ("example.com:8080", "example.com"),
            ("example.com:", "example.com"),
            ("example.com:8a", "example.com:8a"),
            ("a:b:80", "a:b:80"),
            ("12345", "12345"),
            ("abc123", "abc123"),
            ("[::1]:8080", "[::1]"),
            ("[::1]x", "[::1]"),
            ("[::1", "[::1"),
            (":80", ""),
            ("", ""),
        ] {
            assert_eq!(strip_port(host), bare, "{host}");
        }
    }
}
