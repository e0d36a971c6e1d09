//! The request path normaliser (`gatewise::path::normalize`) against the policy
//! in its docs and DESIGN.md "Path and host policy":
//! - it accepts exactly the origin-form paths (leading `/`; no `#`, space,
//!   control character or malformed escape);
//! - its output is normal: idempotent (normalising again borrows, unchanged),
//!   starts with `/`, has no `.` or `..` segment, only upper-case escapes, no
//!   escape of an unreserved character, no raw non-ASCII byte;
//! - `%2F` and `%5C` are never decoded, so never separators: the output equals
//!   a reference model that splits at raw `/` *before* decoding anything, then
//!   resolves dot segments (RFC 3986 §5.2.4), and it has no more raw `/` than
//!   the input;
//! - duplicate slashes and `;` parameters are kept (also by the model).
#![no_main]

use std::borrow::Cow;

use gatewise::path::normalize;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = String::from_utf8_lossy(data);
    let got = normalize(&path);
    let want = model(&path);
    assert_eq!(
        got.as_deref(),
        want.as_deref(),
        "normalize({path:?}) differs from the model"
    );
    let Some(once) = got else { return };
    assert!(once.starts_with('/'), "{path:?} -> {once:?}");
    match normalize(&once) {
        Some(Cow::Borrowed(again)) => assert_eq!(again, once.as_ref()),
        other => panic!("not idempotent: {path:?} -> {once:?} -> {other:?}"),
    }
    assert!(
        !once.split('/').any(|s| s == "." || s == ".."),
        "dot segment left: {path:?} -> {once:?}"
    );
    assert!(
        once.bytes().filter(|&b| b == b'/').count() <= path.bytes().filter(|&b| b == b'/').count(),
        "a separator appeared: {path:?} -> {once:?}"
    );
    let b = once.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        assert!(
            c.is_ascii() && !c.is_ascii_control() && c != b' ' && c != b'#',
            "{once:?}"
        );
        if c == b'%' {
            let hex = &b[i + 1..i + 3];
            assert!(
                hex.iter()
                    .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h)),
                "escape not upper-case hex: {once:?}"
            );
            let value = u8::from_str_radix(std::str::from_utf8(hex).unwrap_or("zz"), 16);
            assert!(
                value.is_ok_and(|v| !unreserved(v)),
                "escape of an unreserved character kept: {once:?}"
            );
        }
    }
});

/// The policy, written the slow and obvious way.
fn model(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    let mut segments = Vec::new();
    // Split at raw `/` first: nothing decoded below can become a separator.
    for raw in rest.split('/') {
        segments.push(decode_segment(raw)?);
    }
    let mut out: Vec<String> = Vec::new();
    let last = segments.len() - 1;
    for (i, s) in segments.into_iter().enumerate() {
        if s == "." || s == ".." {
            if s == ".." {
                out.pop();
            }
            if i == last {
                out.push(String::new());
            }
        } else {
            out.push(s);
        }
    }
    if out.is_empty() {
        return Some("/".to_owned());
    }
    Some(out.iter().map(|s| format!("/{s}")).collect())
}

/// One segment: unreserved escapes decoded, others upper-cased, non-ASCII bytes
/// escaped; `None` for a character that is not allowed in a path.
fn decode_segment(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                return None;
            }
            let v = u8::from_str_radix(hex, 16).ok()?;
            if unreserved(v) {
                out.push(char::from(v));
            } else {
                out.push_str(&format!("%{v:02X}"));
            }
            i += 3;
            continue;
        }
        if c.is_ascii_control() || c == b' ' || c == b'#' {
            return None;
        }
        if c.is_ascii() {
            out.push(char::from(c));
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
        i += 1;
    }
    Some(out)
}

fn unreserved(v: u8) -> bool {
    v.is_ascii_alphanumeric() || matches!(v, b'-' | b'.' | b'_' | b'~')
}
