//! Request path normalisation: the one form in which paths are matched and rewritten.
//!
//! The Gateway API leaves path normalisation to implementations. Gatewise's policy,
//! applied by [`normalize`] before any path match, rewrite or redirect:
//!
//! 1. **Validity.** The path must be in origin form: it starts with `/` and contains
//!    no `#`, no space, no ASCII control character (`0x00`–`0x1F`, `0x7F`) and no
//!    malformed escape (`%` not followed by two hex digits). Anything else is not a
//!    request path ([`normalize`] returns `None`; the router answers 400).
//! 2. **Escapes.** A percent-encoded *unreserved* character (`ALPHA DIGIT - . _ ~`,
//!    RFC 3986 §2.3) is decoded (`%41` → `A`, `%2e` → `.`); every other escape is
//!    kept and its hex digits upper-cased (`%2f` → `%2F`). `%2F` (`/`) and `%5C`
//!    (`\`) therefore stay encoded and are never segment separators; a raw `\` is an
//!    ordinary character, not a separator either.
//! 3. **Non-ASCII bytes** (raw UTF-8 sent by lenient clients) are percent-encoded
//!    with upper-case hex, so `/é` and `/%C3%A9` are the same path.
//! 4. **Dot segments** `.` and `..` are resolved per RFC 3986 §5.2.4, after step 2
//!    (so `/a/%2e%2e/b` is `/b`); `..` never climbs above the root. A segment is a
//!    dot segment only when it is exactly `.` or `..`: `..;x` is an ordinary segment
//!    (`;` parameters are literal characters).
//! 5. **Kept as received:** duplicate slashes (`//`), a trailing slash, `;`
//!    parameters, the case of everything but escape hex digits.
//!
//! The result never contains a `.` or `..` segment, and normalisation is idempotent:
//! `normalize(normalize(p)) == normalize(p)`.

use std::borrow::Cow;

/// Normalised request path (no query), per the policy in the [module docs](self).
///
/// `None`: not a valid origin-form path (doesn't start with `/`, contains `#`,
/// control characters, a space, or a malformed `%XX`); the router answers 400.
/// Returns [`Cow::Borrowed`] (no allocation) when the path is already normal.
pub fn normalize(path: &str) -> Option<Cow<'_, str>> {
    if !scan(path)? {
        return Some(Cow::Borrowed(path));
    }
    let decoded = decode(path);
    Some(Cow::Owned(remove_dot_segments(&decoded)))
}

/// Splits a request target into (path, query) at the first `?`; the query is `None`
/// when there is no `?` (and `Some("")` for a bare trailing `?`).
pub fn split_query(target: &str) -> (&str, Option<&str>) {
    // A byte search: called several times per decision, where `split_once`'s
    // generic searcher showed.
    match target.bytes().position(|b| b == b'?') {
        Some(i) => (&target[..i], Some(&target[i + 1..])),
        None => (target, None),
    }
}

/// [`split_query`] then [`normalize`] of the path, in one pass over the
/// bytes for the usual target (a plain path, then nothing or `?` and a query).
pub(crate) fn normalize_target(target: &str) -> (Option<Cow<'_, str>>, Option<&str>) {
    let bytes = target.as_bytes();
    if bytes.first() == Some(&b'/') {
        let end = plain_len(bytes, true);
        match bytes.get(end) {
            None => return (Some(Cow::Borrowed(target)), None),
            Some(b'?') => {
                if let (Some(path), Some(query)) = (target.get(..end), target.get(end + 1..)) {
                    return (Some(Cow::Borrowed(path)), Some(query));
                }
            }
            Some(_) => {}
        }
    }
    let (path, query) = split_query(target);
    (normalize(path), query)
}

/// Byte classes for [`scan`]: ordinary, `/`, `%`, never valid in a path, non-ASCII.
const ORDINARY: u8 = 0;
const SLASH: u8 = 1;
const PERCENT: u8 = 2;
const INVALID: u8 = 3;
const NON_ASCII: u8 = 4;

const CLASS: [u8; 256] = {
    let mut table = [ORDINARY; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = match i as u8 {
            b'/' => SLASH,
            b'%' => PERCENT,
            b'#' | b' ' | 0x00..=0x1F | 0x7F => INVALID,
            0x80..=0xFF => NON_ASCII,
            _ => ORDINARY,
        };
        i += 1;
    }
    table
};

/// Validates `path` and tells whether it needs rewriting: `None` when invalid,
/// `Some(true)` when [`decode`] or [`remove_dot_segments`] would change it.
fn scan(path: &str) -> Option<bool> {
    let bytes = path.as_bytes();
    if bytes.first() != Some(&b'/') {
        return None;
    }
    // Most paths are printable ASCII without `%` or `.`: then nothing is
    // invalid or to rewrite (no escape, no dot segment), which eight bytes at
    // a time tell faster than a table look-up per byte.
    if plain(bytes) {
        return Some(false);
    }
    scan_bytes(bytes)
}

/// [`scan`] byte by byte, for a path that starts with `/`.
fn scan_bytes(bytes: &[u8]) -> Option<bool> {
    let mut needs_work = false;
    // Where the current segment starts; a raw `/` ends it (one pass finds the
    // dot segments too: splitting the path again was a third of a decision).
    let mut segment = 1;
    let mut i = 1;
    loop {
        // Runs of ordinary bytes (most of a path) cost one table look-up each.
        while let Some(&b) = bytes.get(i)
            && CLASS[usize::from(b)] == ORDINARY
        {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else { break };
        match CLASS[usize::from(b)] {
            SLASH => {
                needs_work |= i - segment <= 2 && is_dot_segment(&bytes[segment..i]);
                segment = i + 1;
            }
            PERCENT => {
                let hi = *bytes.get(i + 1)?;
                let lo = *bytes.get(i + 2)?;
                let value = hex(hi)? << 4 | hex(lo)?;
                if is_unreserved(value) || hi.is_ascii_lowercase() || lo.is_ascii_lowercase() {
                    needs_work = true;
                }
                i += 3;
                continue;
            }
            INVALID => return None,
            _ => needs_work = true,
        }
        i += 1;
    }
    needs_work |= is_dot_segment(bytes.get(segment..).unwrap_or_default());
    Some(needs_work)
}

/// Whether every byte is printable ASCII other than space, `#`, `%`, `.` and
/// DEL (each such path is valid and already normal).
fn plain(bytes: &[u8]) -> bool {
    plain_len(bytes, false) == bytes.len()
}

/// How many bytes `bytes` starts with that are [`plain`] (and not `?` when
/// `query`: where a request target's path ends), eight at a time.
fn plain_len(bytes: &[u8], query: bool) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `x` that is zero, exact up to the first
    // one (a borrow only marks bytes above a zero one).
    let zeros = |x: u64| x.wrapping_sub(LO) & !x & HI;
    // The high bit of each byte that is not plain, exact up to the first.
    let not_plain = |w: u64| {
        // Bytes 0x80 and above, below 0x21 (controls and space) and DEL:
        // with the high bits cleared (no carry between bytes), a byte plus
        // 0x5F reaches 0x80 exactly when it is 0x21 or more, plus 1 exactly
        // when it is 0x7F.
        let low = w & !HI;
        let mut bad = (w | !(low + LO * 0x5F) | (low + LO)) & HI
            | zeros(w ^ (LO * u64::from(b'#')))
            | zeros(w ^ (LO * u64::from(b'%')))
            | zeros(w ^ (LO * u64::from(b'.')));
        if query {
            bad |= zeros(w ^ (LO * u64::from(b'?')));
        }
        bad
    };
    let word = |b: &[u8]| {
        let mut w = [0; 8];
        if let Some(b) = b.get(..8) {
            w.copy_from_slice(b);
        }
        u64::from_le_bytes(w)
    };
    let first = |bad: u64| (bad.trailing_zeros() / 8) as usize;
    let Some(last) = bytes.len().checked_sub(8) else {
        // Under eight bytes, padded with `/` (plain).
        let mut w = [b'/'; 8];
        for (slot, &b) in w.iter_mut().zip(bytes) {
            *slot = b;
        }
        let bad = not_plain(u64::from_le_bytes(w));
        return if bad == 0 { bytes.len() } else { first(bad) };
    };
    let mut at = 0;
    while at < last {
        let bad = not_plain(bytes.get(at..).map_or(0, word));
        if bad != 0 {
            return at + first(bad);
        }
        at += 8;
    }
    // The last eight bytes (some already found plain) hold the rest.
    let bad = not_plain(bytes.get(last..).map_or(0, word));
    if bad == 0 {
        bytes.len()
    } else {
        last + first(bad)
    }
}

/// `.` or `..`.
fn is_dot_segment(segment: &[u8]) -> bool {
    segment == b"." || segment == b".."
}

/// Step 2 and 3 of the policy: decodes unreserved escapes, upper-cases the others and
/// percent-encodes non-ASCII bytes. `path` has passed [`scan`].
fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let value = match (
                bytes.get(i + 1).and_then(|&h| hex(h)),
                bytes.get(i + 2).and_then(|&l| hex(l)),
            ) {
                (Some(hi), Some(lo)) => hi << 4 | lo,
                // Unreachable after `scan`; keeping the byte literal is the safe answer.
                _ => {
                    out.push('%');
                    i += 1;
                    continue;
                }
            };
            if is_unreserved(value) {
                out.push(char::from(value));
            } else {
                push_escape(&mut out, value);
            }
            i += 3;
        } else if b.is_ascii() {
            out.push(char::from(b));
            i += 1;
        } else {
            push_escape(&mut out, b);
            i += 1;
        }
    }
    out
}

/// RFC 3986 §5.2.4 on an absolute path, segment by segment: `.` is dropped, `..`
/// drops the previous segment (never the root); a final dot segment leaves a
/// trailing slash. Empty segments (from `//`) are segments like any other, as in the
/// RFC's algorithm.
fn remove_dot_segments(path: &str) -> String {
    let rest = path.strip_prefix('/').unwrap_or(path);
    let mut segments = rest.split('/').peekable();
    let mut out: Vec<&str> = Vec::new();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            "." => {}
            ".." => {
                out.pop();
            }
            other => {
                out.push(other);
                continue;
            }
        }
        if last {
            out.push("");
        }
    }
    let mut result = String::with_capacity(path.len());
    for segment in &out {
        result.push('/');
        result.push_str(segment);
    }
    if result.is_empty() {
        result.push('/');
    }
    result
}

/// The value of one hex digit.
fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// RFC 3986 §2.3 `unreserved`.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Appends `%XX` with upper-case hex digits.
fn push_escape(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    for nibble in [byte >> 4, byte & 0x0F] {
        // `nibble` < 16, so the lookup always succeeds.
        if let Some(&digit) = HEX.get(usize::from(nibble)) {
            out.push(char::from(digit));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalize_target_is_split_query_then_normalize() {
        let targets = [
            "/",
            "/a",
            "/a?",
            "/a?b",
            "/abcdefgh?x",
            "/abcdefg?x?y",
            "/abcdefghijklmnop",
            "/abcdefghijklmno?",
            "/a/./b?q",
            "/a/%41?q",
            "/a#b?q",
            "/a?#",
            "a?b",
            "?",
            "",
            "/a b?q",
            "/\u{e9}?q",
            "/x/y/z/../w?a=b",
            "/abcdefgh.ijklmnop?x",
            "/abcdefghijklmnop%2f",
        ];
        let agrees = |t: &str| {
            let (path, query) = super::split_query(t);
            assert_eq!(
                super::normalize_target(t),
                (super::normalize(path), query),
                "{t:?}"
            );
        };
        for t in targets {
            agrees(t);
        }
        // Every byte at every position before and after a `?`.
        every_byte_at_every_position(|mut p, _, _, _| {
            p.extend_from_slice(b"?q=1");
            if let Ok(t) = String::from_utf8(p) {
                agrees(&t);
            }
        });
    }

    /// `/aaa…` of 1 to 19 bytes (the tail shorter and longer than a word)
    /// with every byte value at every position after the `/`: `f(path, byte,
    /// position, length)`.
    fn every_byte_at_every_position(mut f: impl FnMut(Vec<u8>, u8, usize, usize)) {
        for len in 1..20 {
            for pos in 1..len {
                for b in 0..=255u8 {
                    let mut p = vec![b'a'; len];
                    p[0] = b'/';
                    p[pos] = b;
                    f(p, b, pos, len);
                }
            }
        }
    }

    #[test]
    fn the_word_at_a_time_check_agrees_with_the_byte_scan() {
        // `plain` only when the byte scan finds a valid path with nothing to
        // rewrite and no `%` or `.`.
        every_byte_at_every_position(|p, b, pos, len| {
            let expected = !matches!(b, 0..=0x20 | b'#' | b'%' | b'.' | 0x7F..);
            assert_eq!(super::plain(&p), expected, "byte {b:#x} at {pos} of {len}");
            if expected {
                assert_eq!(super::scan_bytes(&p), Some(false));
            }
        });
    }

    use super::*;
    use proptest::prelude::*;

    fn norm(path: &str) -> Option<String> {
        normalize(path).map(Cow::into_owned)
    }

    #[test]
    fn normal_path_is_borrowed() {
        for path in [
            "/",
            "/a/b",
            "//a//b/",
            "/a;b=c/d",
            "/%2F/%5C",
            "/a\\b",
            "/.a/..b/...",
            "/~-_.",
        ] {
            assert!(
                matches!(normalize(path), Some(Cow::Borrowed(p)) if p == path),
                "{path}"
            );
        }
    }

    #[test]
    fn invalid_paths_are_rejected() {
        for path in [
            "",
            "a/b",
            "*",
            "/a#b",
            "/a b",
            "/a\tb",
            "/a\nb",
            "/a\rb",
            "/a\0b",
            "/a\x7fb",
            "/%",
            "/%2",
            "/%zz",
            "/%2g",
            "http://x/",
        ] {
            assert_eq!(norm(path), None, "{path:?}");
        }
    }

    #[test]
    fn unreserved_escapes_are_decoded() {
        assert_eq!(norm("/%41%62%2D%2e%5f%7E%30").as_deref(), Some("/Ab-._~0"));
    }

    #[test]
    fn other_escapes_are_upper_cased_and_kept() {
        assert_eq!(
            norm("/a%2fb%5cc%3a%25").as_deref(),
            Some("/a%2Fb%5Cc%3A%25")
        );
    }

    #[test]
    fn encoded_slash_and_backslash_are_not_separators() {
        assert_eq!(norm("/a/..%2F..%2Fb").as_deref(), Some("/a/..%2F..%2Fb"));
        assert_eq!(norm("/a/%2e%2e%2fb").as_deref(), Some("/a/..%2Fb"));
        assert_eq!(norm("/a/..%5Cb").as_deref(), Some("/a/..%5Cb"));
        assert_eq!(norm("/a/..\\b").as_deref(), Some("/a/..\\b"));
    }

    #[test]
    fn dot_segments_are_resolved() {
        let cases = [
            ("/a/./b", "/a/b"),
            ("/a/../b", "/b"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("/.", "/"),
            ("/..", "/"),
            ("/./", "/"),
            ("/../", "/"),
            ("/a/b/../../c/./d", "/c/d"),
        ];
        for (path, expected) in cases {
            assert_eq!(norm(path).as_deref(), Some(expected), "{path}");
        }
    }

    #[test]
    fn encoded_dot_segments_are_resolved() {
        assert_eq!(norm("/a/%2e%2e/b").as_deref(), Some("/b"));
        assert_eq!(norm("/a/%2E/b").as_deref(), Some("/a/b"));
        assert_eq!(norm("/a/.%2e/b").as_deref(), Some("/b"));
    }

    #[test]
    fn dot_segments_never_climb_above_root() {
        assert_eq!(norm("/../../etc/passwd").as_deref(), Some("/etc/passwd"));
        assert_eq!(norm("/a/../../..").as_deref(), Some("/"));
    }

    #[test]
    fn duplicate_slashes_are_kept() {
        assert_eq!(norm("//a///b//").as_deref(), Some("//a///b//"));
        // Empty segments are segments for `..`, as in RFC 3986's algorithm.
        assert_eq!(norm("/a//../b").as_deref(), Some("/a/b"));
        assert_eq!(norm("/a/..//b").as_deref(), Some("//b"));
    }

    #[test]
    fn semicolon_parameters_are_literal() {
        assert_eq!(norm("/a/..;x/b").as_deref(), Some("/a/..;x/b"));
        assert_eq!(norm("/a;x/../b").as_deref(), Some("/b"));
    }

    #[test]
    fn non_ascii_bytes_are_percent_encoded() {
        assert_eq!(norm("/é").as_deref(), Some("/%C3%A9"));
        assert_eq!(norm("/%c3%a9").as_deref(), Some("/%C3%A9"));
    }

    #[test]
    fn split_query_splits_at_first_question_mark() {
        assert_eq!(split_query("/a"), ("/a", None));
        assert_eq!(split_query("/a?"), ("/a", Some("")));
        assert_eq!(split_query("/a?b=1?c"), ("/a", Some("b=1?c")));
        assert_eq!(split_query("?x"), ("", Some("x")));
    }

    proptest! {
        #[test]
        fn a_path_scan_passes_as_normal_is_normal(p in "/[a-zA-Z0-9./%#~_ \u{e9}-]{0,24}") {
            if scan(&p) == Some(false) {
                prop_assert_eq!(remove_dot_segments(&decode(&p)), p.clone());
            }
        }

        #[test]
        fn normalization_is_idempotent_and_leaves_no_dot_segment(
            path in "/[a-zA-Z0-9./%;~_\\-é\\\\]{0,24}",
        ) {
            if let Some(once) = normalize(&path) {
                let twice = normalize(&once);
                prop_assert!(matches!(twice, Some(Cow::Borrowed(_))), "{path:?} -> {once:?} -> {twice:?}");
                prop_assert!(once.starts_with('/'));
                prop_assert!(!once.split('/').any(|s| s == "." || s == ".."), "{path:?} -> {once:?}");
            }
        }

        #[test]
        fn normalization_of_escaped_dots_is_idempotent(
            parts in proptest::collection::vec(
                prop_oneof!["/", "\\.", "%2e", "%2E", "%2f", "%5c", "%41", "%c3", "a", ";", "\\\\"],
                0..16,
            ),
        ) {
            let path = format!("/{}", parts.concat());
            let once = normalize(&path);
            prop_assert!(once.is_some(), "{path:?}");
            if let Some(once) = once {
                prop_assert!(matches!(normalize(&once), Some(Cow::Borrowed(_))), "{path:?} -> {once:?}");
                prop_assert!(!once.split('/').any(|s| s == "." || s == ".."), "{path:?} -> {once:?}");
            }
        }

        #[test]
        fn normalize_never_panics(path in any::<String>()) {
            let _ = normalize(&path);
        }
    }
}
