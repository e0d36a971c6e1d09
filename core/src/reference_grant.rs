//! ReferenceGrant: which cross-namespace references are permitted
//! (`apis/v1/referencegrant_types.go`, GEP-709).
//!
//! A grant lives in the namespace of the *target*; it permits references from the
//! listed (group, kind, namespace) to the listed (group, kind[, name]) in its own
//! namespace. An empty group is the core API group.

use crate::api::ReferenceGrantSpec;
use crate::resources::{Object, Resources};

/// One side of a reference, for a grant check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefEnd<'a> {
    pub(crate) group: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) namespace: &'a str,
}

/// Whether a reference from `from` to the object `to_name` of `to` crosses
/// namespaces with a grant, or stays in one namespace (always permitted).
pub(crate) fn permits(
    resources: &Resources,
    from: RefEnd<'_>,
    to: RefEnd<'_>,
    to_name: &str,
) -> bool {
    if from.namespace == to.namespace {
        return true;
    }
    resources
        .reference_grants
        .iter()
        .any(|g| grant_permits(g, from, to, to_name))
}

/// Whether the one grant `g` permits a cross-namespace reference from `from` to
/// the object `to_name` of `to` (used by [`permits`], and by lint to find grants
/// that permit nothing).
pub(crate) fn grant_permits(
    g: &Object<ReferenceGrantSpec>,
    from: RefEnd<'_>,
    to: RefEnd<'_>,
    to_name: &str,
) -> bool {
    if g.meta.namespace != to.namespace || from.namespace == to.namespace {
        return false;
    }
    let from_ok = g.spec.from.iter().flatten().any(|f| {
        f.group.as_deref().unwrap_or("") == from.group
            && f.kind.as_deref() == Some(from.kind)
            && f.namespace.as_deref() == Some(from.namespace)
    });
    let to_ok = g.spec.to.iter().flatten().any(|t| {
        t.group.as_deref().unwrap_or("") == to.group
            && t.kind.as_deref() == Some(to.kind)
            && t.name.as_deref().is_none_or(|n| n == to_name)
    });
    from_ok && to_ok
}
