//! GRPCRoute, TLSRoute, TCPRoute, UDPRoute and ListenerSet: the schema and CEL
//! rules of their CRDs.

use super::gateway::{listener, listener_rules};
use super::http_route::{header_filter, mirror, parent_refs_distinct};
use super::reference::{
    backend_object_ref, group, header_name, hostname, kind, local_object_ref, namespace,
    object_name, parent_ref, section_name,
};
use super::{Errors, syntax};
use crate::api::{
    GrpcRouteFilter, GrpcRouteMatch, GrpcRouteRule, GrpcRouteSpec, ListenerSetSpec,
    ParentReference, StreamRouteRule, StreamRouteSpec, TlsRouteSpec,
};

const GRPC_FILTER_TYPES: &[&str] = &[
    "RequestHeaderModifier",
    "ResponseHeaderModifier",
    "RequestMirror",
    "ExtensionRef",
];

fn parent_refs(errors: &mut Errors, refs: &[ParentReference]) {
    errors.max_items("spec.parentRefs", refs.len(), 32);
    for (i, r) in refs.iter().enumerate() {
        parent_ref(errors, &format!("spec.parentRefs[{i}]"), r);
    }
    parent_refs_distinct(errors, refs);
}

fn hostnames(errors: &mut Errors, values: &[String], max: usize) {
    errors.max_items("spec.hostnames", values.len(), max);
    for (i, h) in values.iter().enumerate() {
        hostname(errors, &format!("spec.hostnames[{i}]"), h);
    }
}

fn rule_names_unique<'a>(errors: &mut Errors, names: impl Iterator<Item = Option<&'a str>>) {
    let names: Vec<&str> = names.flatten().collect();
    if names
        .iter()
        .enumerate()
        .any(|(i, n)| names[..i].contains(n))
    {
        errors.push(
            "spec.rules",
            "rule name must be unique within the route: two rules share a name",
        );
    }
}

fn weight(errors: &mut Errors, field: &str, w: Option<i64>) {
    if let Some(w) = w {
        errors.range(&format!("{field}.weight"), w, 0, 1_000_000);
    }
}

pub(super) fn grpc_route(errors: &mut Errors, spec: &GrpcRouteSpec) {
    parent_refs(errors, &spec.parent_refs);
    hostnames(errors, &spec.hostnames, 16);
    if let Some(rules) = &spec.rules {
        errors.max_items("spec.rules", rules.len(), 16);
        for (i, rule) in rules.iter().enumerate() {
            grpc_rule(errors, &format!("spec.rules[{i}]"), rule);
        }
        rule_names_unique(errors, rules.iter().map(|r| r.name.as_deref()));
        let total: usize = rules.iter().map(|r| r.matches.len()).sum();
        if total > 128 {
            errors.push(
                "spec.rules",
                format!(
                    "too many matches: the rules of a route may hold at most 128 matches in all, \
                     found {total}"
                ),
            );
        }
    }
}

fn grpc_rule(errors: &mut Errors, field: &str, rule: &GrpcRouteRule) {
    if let Some(name) = &rule.name {
        section_name(errors, &format!("{field}.name"), name);
    }
    errors.max_items(&format!("{field}.matches"), rule.matches.len(), 8);
    for (i, m) in rule.matches.iter().enumerate() {
        grpc_match(errors, &format!("{field}.matches[{i}]"), m);
    }
    grpc_filters(errors, &format!("{field}.filters"), &rule.filters);
    errors.max_items(&format!("{field}.backendRefs"), rule.backend_refs.len(), 16);
    for (i, b) in rule.backend_refs.iter().enumerate() {
        let bf = format!("{field}.backendRefs[{i}]");
        backend_object_ref(errors, &bf, &b.to_http().object_ref());
        weight(errors, &bf, b.weight);
        grpc_filters(errors, &format!("{bf}.filters"), &b.filters);
    }
}

/// `GRPCRouteMatch` with the CEL rules declared on `GRPCMethodMatch`.
fn grpc_match(errors: &mut Errors, field: &str, m: &GrpcRouteMatch) {
    if let Some(method) = &m.method {
        let mf = format!("{field}.method");
        let t = method.type_.as_deref().unwrap_or("Exact");
        errors.one_of(&format!("{mf}.type"), t, &["Exact", "RegularExpression"]);
        if method.service.is_none() && method.method.is_none() {
            errors.push(
                &mf,
                "one or both of 'service' or 'method' must be specified",
            );
        }
        if let Some(s) = &method.service {
            errors.length(&format!("{mf}.service"), s, 0, 1024);
            if t == "Exact" && !syntax::is_grpc_service(s) {
                errors.push(
                    &mf,
                    "service must only contain valid characters (matching \
                     ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)",
                );
            }
        }
        if let Some(name) = &method.method {
            errors.length(&format!("{mf}.method"), name, 0, 1024);
            if t == "Exact" && !syntax::is_grpc_method(name) {
                errors.push(
                    &mf,
                    "method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)",
                );
            }
        }
    }
    let headers = format!("{field}.headers");
    errors.max_items(&headers, m.headers.len(), 16);
    for (i, h) in m.headers.iter().enumerate() {
        let hf = format!("{headers}[{i}]");
        if let Some(t) = &h.type_ {
            errors.one_of(&format!("{hf}.type"), t, &["Exact", "RegularExpression"]);
        }
        if let Some(name) = errors.required(&format!("{hf}.name"), &h.name) {
            header_name(errors, &format!("{hf}.name"), name);
        }
        if let Some(value) = errors.required(&format!("{hf}.value"), &h.value) {
            errors.length(&format!("{hf}.value"), value, 1, 4096);
        }
    }
    errors.unique(&headers, m.headers.iter().map(|h| h.name.as_deref()));
}

fn grpc_filters(errors: &mut Errors, field: &str, filters: &[GrpcRouteFilter]) {
    errors.max_items(field, filters.len(), 16);
    for (i, f) in filters.iter().enumerate() {
        grpc_filter(errors, &format!("{field}[{i}]"), f);
    }
    for t in ["RequestHeaderModifier", "ResponseHeaderModifier"] {
        if filters
            .iter()
            .filter(|f| f.type_.as_deref() == Some(t))
            .count()
            > 1
        {
            errors.push(field, format!("{t} filter cannot be repeated"));
        }
    }
}

fn grpc_filter(errors: &mut Errors, field: &str, f: &GrpcRouteFilter) {
    if let Some(t) = errors.required(&format!("{field}.type"), &f.type_) {
        errors.one_of(&format!("{field}.type"), t, GRPC_FILTER_TYPES);
        let set = [
            (
                "requestHeaderModifier",
                "RequestHeaderModifier",
                f.request_header_modifier.is_some(),
            ),
            (
                "responseHeaderModifier",
                "ResponseHeaderModifier",
                f.response_header_modifier.is_some(),
            ),
            ("requestMirror", "RequestMirror", f.request_mirror.is_some()),
            ("extensionRef", "ExtensionRef", f.extension_ref.is_some()),
        ];
        for (name, kind, present) in set {
            if present && t != kind {
                errors.push(
                    field,
                    format!("filter.{name} must be nil if the filter.type is not {kind}"),
                );
            } else if !present && t == kind {
                errors.push(
                    field,
                    format!("filter.{name} must be specified for {kind} filter.type"),
                );
            }
        }
    }
    if let Some(h) = &f.request_header_modifier {
        header_filter(errors, &format!("{field}.requestHeaderModifier"), h);
    }
    if let Some(h) = &f.response_header_modifier {
        header_filter(errors, &format!("{field}.responseHeaderModifier"), h);
    }
    if let Some(m) = &f.request_mirror {
        mirror(errors, &format!("{field}.requestMirror"), m);
    }
    if let Some(e) = &f.extension_ref {
        local_object_ref(errors, &format!("{field}.extensionRef"), e);
    }
}

fn stream_rules(errors: &mut Errors, rules: &Option<Vec<StreamRouteRule>>, max: usize) {
    if let Some(rules) = errors.required("spec.rules", rules) {
        errors.min_items("spec.rules", rules.len(), 1);
        errors.max_items("spec.rules", rules.len(), max);
        for (i, rule) in rules.iter().enumerate() {
            let field = format!("spec.rules[{i}]");
            if let Some(name) = &rule.name {
                section_name(errors, &format!("{field}.name"), name);
            }
            let bf = format!("{field}.backendRefs");
            errors.min_items(&bf, rule.backend_refs.len(), 1);
            errors.max_items(&bf, rule.backend_refs.len(), 16);
            for (j, b) in rule.backend_refs.iter().enumerate() {
                let f = format!("{bf}[{j}]");
                backend_object_ref(errors, &f, &b.to_http().object_ref());
                weight(errors, &f, b.weight);
            }
        }
        rule_names_unique(errors, rules.iter().map(|r| r.name.as_deref()));
    }
}

pub(super) fn tls_route(errors: &mut Errors, spec: &TlsRouteSpec) {
    parent_refs(errors, &spec.parent_refs);
    errors.min_items("spec.hostnames", spec.hostnames.len(), 1);
    hostnames(errors, &spec.hostnames, 1024);
    if spec
        .hostnames
        .iter()
        .any(|h| h.parse::<std::net::IpAddr>().is_ok())
    {
        errors.push("spec.hostnames", "Hostnames cannot contain an IP");
    }
    stream_rules(errors, &spec.rules, 1);
}

pub(super) fn stream_route(errors: &mut Errors, spec: &StreamRouteSpec) {
    parent_refs(errors, &spec.parent_refs);
    stream_rules(errors, &spec.rules, 16);
}

pub(super) fn listener_set(errors: &mut Errors, spec: &ListenerSetSpec) {
    if let Some(p) = errors.required("spec.parentRef", &spec.parent_ref) {
        if let Some(g) = &p.group {
            group(errors, "spec.parentRef.group", g);
        }
        if let Some(k) = &p.kind {
            kind(errors, "spec.parentRef.kind", k);
        }
        if let Some(ns) = &p.namespace {
            namespace(errors, "spec.parentRef.namespace", ns);
        }
        if let Some(name) = errors.required("spec.parentRef.name", &p.name) {
            object_name(errors, "spec.parentRef.name", name);
        }
    }
    if let Some(listeners) = errors.required("spec.listeners", &spec.listeners) {
        errors.min_items("spec.listeners", listeners.len(), 1);
        errors.max_items("spec.listeners", listeners.len(), 64);
        for (i, l) in listeners.iter().enumerate() {
            listener(errors, &format!("spec.listeners[{i}]"), l);
        }
        listener_rules(errors, listeners);
    }
}
