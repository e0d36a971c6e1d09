//! The shared string types (`Group`, `Kind`, `Namespace`, `ObjectName`,
//! `SectionName`, `Hostname`, `PortNumber`, ...) and the object references built
//! from them (`apis/v1/shared_types.go`, `apis/v1/object_reference_types.go`).

use super::{Errors, syntax};
use crate::api::{
    BackendObjectReference, LocalObjectReference, ParentReference, SecretObjectReference,
};

/// `Group`: empty (the core group) or a DNS subdomain, at most 253 characters.
pub(super) fn group(errors: &mut Errors, field: &str, value: &str) {
    if errors.length(field, value, 0, 253) && !value.is_empty() && !syntax::is_dns_subdomain(value)
    {
        errors.push(
            field,
            format!(
                "invalid group {value:?}: must be empty (the core group) or a lower-case \
                 DNS subdomain such as gateway.networking.k8s.io"
            ),
        );
    }
}

/// `Kind`: 1..63 characters, a letter then letters, digits or `-`.
pub(super) fn kind(errors: &mut Errors, field: &str, value: &str) {
    if errors.length(field, value, 1, 63) && !syntax::is_kind(value) {
        errors.push(
            field,
            format!(
                "invalid kind {value:?}: must start with a letter and hold only letters, \
                 digits and '-', not ending in '-'"
            ),
        );
    }
}

/// `Namespace`: an RFC 1123 label, 1..63 characters.
pub(super) fn namespace(errors: &mut Errors, field: &str, value: &str) {
    if errors.length(field, value, 1, 63) && !syntax::is_dns_label(value) {
        errors.push(
            field,
            format!(
                "invalid namespace {value:?}: must be a lower-case RFC 1123 label \
                 (a-z, 0-9 and '-', starting and ending with a letter or digit)"
            ),
        );
    }
}

/// `ObjectName`: 1..253 characters, no pattern.
pub(super) fn object_name(errors: &mut Errors, field: &str, value: &str) {
    errors.length(field, value, 1, 253);
}

/// `SectionName`: a DNS subdomain, 1..253 characters.
pub(super) fn section_name(errors: &mut Errors, field: &str, value: &str) {
    if errors.length(field, value, 1, 253) && !syntax::is_dns_subdomain(value) {
        errors.push(
            field,
            format!(
                "invalid section name {value:?}: must be a lower-case RFC 1123 subdomain \
                 (a-z, 0-9, '-' and '.')"
            ),
        );
    }
}

/// `Hostname`: 1..253 characters, lower-case RFC 1123, optionally prefixed
/// with a single `*.` wildcard label.
pub(super) fn hostname(errors: &mut Errors, field: &str, value: &str) {
    if errors.length(field, value, 1, 253) && !syntax::is_hostname(value) {
        errors.push(
            field,
            format!(
                "invalid hostname {value:?}: must be a lower-case RFC 1123 hostname, \
                 optionally prefixed by a single '*.' wildcard label"
            ),
        );
    }
}

/// `PreciseHostname`: as [`hostname`] without the wildcard.
pub(super) fn precise_hostname(errors: &mut Errors, field: &str, value: &str) {
    if errors.length(field, value, 1, 253) && !syntax::is_dns_subdomain(value) {
        errors.push(
            field,
            format!(
                "invalid hostname {value:?}: must be a lower-case RFC 1123 hostname \
                 without wildcard"
            ),
        );
    }
}

/// `HeaderName` (also used for query parameter names): an RFC 7230 token,
/// 1..256 characters.
pub(super) fn header_name(errors: &mut Errors, field: &str, value: &str) {
    if errors.length(field, value, 1, 256) && !syntax::is_header_name(value) {
        errors.push(
            field,
            format!(
                "invalid header name {value:?}: must be an RFC 7230 token \
                 (letters, digits and !#$%&'*+-.^_`|~)"
            ),
        );
    }
}

/// `PortNumber`: 1..65535.
pub(super) fn port(errors: &mut Errors, field: &str, value: i64) {
    errors.range(field, value, 1, 65535);
}

/// `ParentReference` (its own fields; the list rules are the route's).
pub(super) fn parent_ref(errors: &mut Errors, field: &str, r: &ParentReference) {
    if let Some(g) = &r.group {
        group(errors, &format!("{field}.group"), g);
    }
    if let Some(k) = &r.kind {
        kind(errors, &format!("{field}.kind"), k);
    }
    if let Some(ns) = &r.namespace {
        namespace(errors, &format!("{field}.namespace"), ns);
    }
    if let Some(name) = errors.required(&format!("{field}.name"), &r.name) {
        object_name(errors, &format!("{field}.name"), name);
    }
    if let Some(s) = &r.section_name {
        section_name(errors, &format!("{field}.sectionName"), s);
    }
    if let Some(p) = r.port {
        port(errors, &format!("{field}.port"), p);
    }
}

/// `BackendObjectReference`, with its CEL rule (a core `Service`, the default,
/// needs a port), declared on the reference itself.
pub(super) fn backend_object_ref(errors: &mut Errors, field: &str, r: &BackendObjectReference) {
    if let Some(g) = &r.group {
        group(errors, &format!("{field}.group"), g);
    }
    if let Some(k) = &r.kind {
        kind(errors, &format!("{field}.kind"), k);
    }
    if let Some(name) = errors.required(&format!("{field}.name"), &r.name) {
        object_name(errors, &format!("{field}.name"), name);
    }
    if let Some(ns) = &r.namespace {
        namespace(errors, &format!("{field}.namespace"), ns);
    }
    if let Some(p) = r.port {
        port(errors, &format!("{field}.port"), p);
    }
    let core_group = r.group.as_deref().unwrap_or("").is_empty();
    let service = r.kind.as_deref().unwrap_or("Service") == "Service";
    if core_group && service && r.port.is_none() {
        errors.push(
            field,
            "port is required for a reference to a Service (group \"\", kind Service)",
        );
    }
}

/// `SecretObjectReference` (listener certificates).
pub(super) fn secret_object_ref(errors: &mut Errors, field: &str, r: &SecretObjectReference) {
    if let Some(g) = &r.group {
        group(errors, &format!("{field}.group"), g);
    }
    if let Some(k) = &r.kind {
        kind(errors, &format!("{field}.kind"), k);
    }
    if let Some(name) = errors.required(&format!("{field}.name"), &r.name) {
        object_name(errors, &format!("{field}.name"), name);
    }
    if let Some(ns) = &r.namespace {
        namespace(errors, &format!("{field}.namespace"), ns);
    }
}

/// `LocalObjectReference` (`ExtensionRef` filters).
pub(super) fn local_object_ref(errors: &mut Errors, field: &str, r: &LocalObjectReference) {
    if let Some(g) = &r.group {
        group(errors, &format!("{field}.group"), g);
    }
    if let Some(k) = errors.required(&format!("{field}.kind"), &r.kind) {
        kind(errors, &format!("{field}.kind"), k);
    }
    if let Some(name) = errors.required(&format!("{field}.name"), &r.name) {
        object_name(errors, &format!("{field}.name"), name);
    }
}
