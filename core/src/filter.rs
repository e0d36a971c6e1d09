//! Filters: the compiled forms of HTTPRoute filters and what they do to a request
//! or response.

pub mod cors;
pub mod header;
pub mod redirect;
pub mod rewrite;
