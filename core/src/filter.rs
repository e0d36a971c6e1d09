//! Filters: the compiled forms of HTTPRoute filters and what they do to a request
//! or response.
//!
//! Each filter is converted once from its wire type (`from_wire`) and then applied
//! at query time without errors. Where the Gateway API leaves a choice to
//! implementations, the choice is written on the item it concerns:
//! [`header::HeaderModifier::apply`] (order of actions),
//! [`rewrite::PathModifier::apply`] (`ReplacePrefixMatch` under the prefix `/`),
//! [`redirect::Redirect::location`] (query string, `Host` sanitising) and the
//! [`cors`] module (preflight status, echoed origin, wildcards). Request paths are
//! normalised first, per [`crate::path`].

pub mod cors;
pub mod header;
pub mod redirect;
pub mod rewrite;

/// RFC 3986 `unreserved` or `sub-delims`: the bytes a URI's host and path both
/// hold as they are.
fn unreserved_or_sub_delim(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
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
        )
}
