//! HTTPRoute (`apis/v1/httproute_types.go`, `apis/v1/shared_types.go`).

use super::reference::{
    backend_object_ref, header_name, hostname, local_object_ref, parent_ref, port,
    precise_hostname, section_name,
};
use super::{Errors, syntax};
use crate::api::{
    HttpCorsFilter, HttpHeaderFilter, HttpPathMatch, HttpPathModifier, HttpRequestMirrorFilter,
    HttpRouteFilter, HttpRouteMatch, HttpRouteRule, HttpRouteSpec, HttpRouteTimeouts,
    ParentReference,
};
use crate::duration;

const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];
const FILTER_TYPES: &[&str] = &[
    "RequestHeaderModifier",
    "ResponseHeaderModifier",
    "RequestMirror",
    "RequestRedirect",
    "URLRewrite",
    "ExtensionRef",
    "CORS",
];
/// Filter types that may appear at most once in a filter list.
const UNREPEATABLE: &[&str] = &[
    "CORS",
    "RequestHeaderModifier",
    "ResponseHeaderModifier",
    "RequestRedirect",
    "URLRewrite",
];

pub(super) fn http_route(errors: &mut Errors, spec: &HttpRouteSpec) {
    errors.max_items("spec.parentRefs", spec.parent_refs.len(), 32);
    for (i, r) in spec.parent_refs.iter().enumerate() {
        parent_ref(errors, &format!("spec.parentRefs[{i}]"), r);
    }
    parent_refs_distinct(errors, &spec.parent_refs);

    errors.max_items("spec.hostnames", spec.hostnames.len(), 16);
    for (i, h) in spec.hostnames.iter().enumerate() {
        hostname(errors, &format!("spec.hostnames[{i}]"), h);
    }

    if let Some(rules) = &spec.rules {
        errors.min_items("spec.rules", rules.len(), 1);
        errors.max_items("spec.rules", rules.len(), 16);
        for (i, rule) in rules.iter().enumerate() {
            http_route_rule(errors, &format!("spec.rules[{i}]"), rule);
        }
        rule_names_unique(errors, rules);
        let total: usize = rules.iter().map(matches_len).sum();
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

/// Number of matches after defaulting (an absent list is one `PathPrefix /`).
fn matches_len(rule: &HttpRouteRule) -> usize {
    rule.matches.as_ref().map_or(1, Vec::len)
}

/// The two standard-channel CEL rules on `parentRefs`: references to the same
/// parent must all set `sectionName` or all leave it unset, and the values they
/// set must differ.
pub(super) fn parent_refs_distinct(errors: &mut Errors, refs: &[ParentReference]) {
    fn same_parent(a: &ParentReference, b: &ParentReference) -> bool {
        let group = |r: &ParentReference| {
            r.group
                .clone()
                .unwrap_or_else(|| "gateway.networking.k8s.io".into())
        };
        let kind = |r: &ParentReference| r.kind.clone().unwrap_or_else(|| "Gateway".into());
        let ns_unset = |r: &ParentReference| r.namespace.as_deref().unwrap_or("").is_empty();
        let same_ns =
            (ns_unset(a) && ns_unset(b)) || (a.namespace.is_some() && a.namespace == b.namespace);
        group(a) == group(b) && kind(a) == kind(b) && a.name == b.name && same_ns
    }
    fn section_unset(r: &ParentReference) -> bool {
        r.section_name.as_deref().unwrap_or("").is_empty()
    }
    let all_or_none = refs.iter().all(|p1| {
        refs.iter()
            .all(|p2| !same_parent(p1, p2) || section_unset(p1) == section_unset(p2))
    });
    if !all_or_none {
        errors.push(
            "spec.parentRefs",
            "sectionName must be specified when parentRefs includes 2 or more references to the \
             same parent: set it on each of them",
        );
    }
    let unique = refs.iter().all(|p1| {
        refs.iter()
            .filter(|p2| {
                same_parent(p1, p2)
                    && ((section_unset(p1) && section_unset(p2))
                        || (p1.section_name.is_some() && p1.section_name == p2.section_name))
            })
            .count()
            == 1
    });
    if !unique {
        errors.push(
            "spec.parentRefs",
            "sectionName must be unique when parentRefs includes 2 or more references to the same \
             parent",
        );
    }
}

fn rule_names_unique(errors: &mut Errors, rules: &[HttpRouteRule]) {
    let unique = rules.iter().all(|r1| match &r1.name {
        None => true,
        Some(n) => {
            rules
                .iter()
                .filter(|r2| r2.name.as_ref() == Some(n))
                .count()
                == 1
        }
    });
    if !unique {
        errors.push(
            "spec.rules",
            "rule name must be unique within the route: two rules share a name",
        );
    }
}

fn http_route_rule(errors: &mut Errors, field: &str, rule: &HttpRouteRule) {
    if let Some(name) = &rule.name {
        section_name(errors, &format!("{field}.name"), name);
    }
    if let Some(matches) = &rule.matches {
        errors.max_items(&format!("{field}.matches"), matches.len(), 64);
        for (i, m) in matches.iter().enumerate() {
            route_match(errors, &format!("{field}.matches[{i}]"), m);
        }
    }
    filters(errors, &format!("{field}.filters"), &rule.filters);
    errors.max_items(&format!("{field}.backendRefs"), rule.backend_refs.len(), 16);
    for (i, b) in rule.backend_refs.iter().enumerate() {
        let bf = format!("{field}.backendRefs[{i}]");
        backend_object_ref(errors, &bf, &b.object_ref());
        if let Some(w) = b.weight {
            errors.range(&format!("{bf}.weight"), w, 0, 1_000_000);
        }
        filters(errors, &format!("{bf}.filters"), &b.filters);
    }
    if let Some(t) = &rule.timeouts {
        timeouts(errors, &format!("{field}.timeouts"), t);
    }

    // Rule-level CEL rules.
    if !rule.backend_refs.is_empty() && rule.filters.iter().any(|f| f.request_redirect.is_some()) {
        errors.push(
            field,
            "a RequestRedirect filter must not be used together with backendRefs: a rule either \
             redirects or forwards",
        );
    }
    let single_prefix_match = single_path_prefix_match(rule);
    let redirect = |f: &HttpRouteFilter| {
        f.request_redirect
            .as_ref()
            .and_then(|r| r.path.as_ref())
            .is_some_and(replaces_prefix)
    };
    let rewrite = |f: &HttpRouteFilter| {
        f.url_rewrite
            .as_ref()
            .and_then(|r| r.path.as_ref())
            .is_some_and(replaces_prefix)
    };
    for (uses, what) in [
        (exists_one(&rule.filters, redirect), "a RequestRedirect"),
        (exists_one(&rule.filters, rewrite), "a URLRewrite"),
        (
            exists_one(&rule.backend_refs, |b| exists_one(&b.filters, redirect)),
            "a backendRef's RequestRedirect",
        ),
        (
            exists_one(&rule.backend_refs, |b| exists_one(&b.filters, rewrite)),
            "a backendRef's URLRewrite",
        ),
    ] {
        if uses && !single_prefix_match {
            errors.push(
                field,
                format!(
                    "{what} filter with path.replacePrefixMatch needs exactly one match, of type \
                     PathPrefix"
                ),
            );
        }
    }
}

/// CEL `exists_one`: exactly one item satisfies the predicate.
pub(super) fn exists_one<T>(items: &[T], predicate: impl Fn(&T) -> bool) -> bool {
    items.iter().filter(|i| predicate(i)).count() == 1
}

fn replaces_prefix(p: &HttpPathModifier) -> bool {
    p.type_.as_deref() == Some("ReplacePrefixMatch") && p.replace_prefix_match.is_some()
}

/// Exactly one match, and it is a `PathPrefix` (after defaulting).
fn single_path_prefix_match(rule: &HttpRouteRule) -> bool {
    match rule.matches.as_deref() {
        None => true,
        Some([only]) => only
            .path
            .as_ref()
            .is_none_or(|p| p.type_.as_deref().unwrap_or("PathPrefix") == "PathPrefix"),
        Some(_) => false,
    }
}

fn route_match(errors: &mut Errors, field: &str, m: &HttpRouteMatch) {
    if let Some(path) = &m.path {
        path_match(errors, &format!("{field}.path"), path);
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
    let params = format!("{field}.queryParams");
    errors.max_items(&params, m.query_params.len(), 16);
    for (i, q) in m.query_params.iter().enumerate() {
        let qf = format!("{params}[{i}]");
        if let Some(t) = &q.type_ {
            errors.one_of(&format!("{qf}.type"), t, &["Exact", "RegularExpression"]);
        }
        if let Some(name) = errors.required(&format!("{qf}.name"), &q.name) {
            header_name(errors, &format!("{qf}.name"), name);
        }
        if let Some(value) = errors.required(&format!("{qf}.value"), &q.value) {
            errors.length(&format!("{qf}.value"), value, 1, 1024);
        }
    }
    errors.unique(&params, m.query_params.iter().map(|q| q.name.as_deref()));
    if let Some(method) = &m.method {
        errors.one_of(&format!("{field}.method"), method, METHODS);
    }
}

/// `HTTPPathMatch`: the type enum, the length of `value` and, for `Exact` and
/// `PathPrefix`, the CEL rules on the value's syntax. `RegularExpression`
/// values are checked only for length, as on the API server.
fn path_match(errors: &mut Errors, field: &str, p: &HttpPathMatch) {
    let kind = p.type_.as_deref().unwrap_or("PathPrefix");
    let value = p.value.as_deref().unwrap_or("/");
    let value_field = format!("{field}.value");
    let type_ok = errors.one_of(
        &format!("{field}.type"),
        kind,
        &["Exact", "PathPrefix", "RegularExpression"],
    );
    if !errors.length(&value_field, value, 0, 1024) || !type_ok || kind == "RegularExpression" {
        return;
    }
    let mut broken = |message: &str| {
        errors.push(
            &value_field,
            format!("invalid {kind} path {value:?}: {message}"),
        );
    };
    if !value.starts_with('/') {
        broken("must be an absolute path starting with '/'");
    }
    for bad in ["//", "/./", "/../", "%2f", "%2F", "#"] {
        if value.contains(bad) {
            broken(&format!("must not contain '{bad}'"));
        }
    }
    for bad in ["/..", "/."] {
        if value.ends_with(bad) {
            broken(&format!("must not end with '{bad}'"));
        }
    }
    if !syntax::is_path_chars(value) {
        broken(
            "must only contain letters, digits, -/._~!$&'()*+,;=:@ and %-escapes of two hex \
             digits",
        );
    }
}

/// A filter list: each filter, then the list's CEL rules.
fn filters(errors: &mut Errors, field: &str, filters: &[HttpRouteFilter]) {
    errors.max_items(field, filters.len(), 16);
    for (i, f) in filters.iter().enumerate() {
        filter(errors, &format!("{field}[{i}]"), f);
    }
    let count = |t: &str| {
        filters
            .iter()
            .filter(|f| f.type_.as_deref() == Some(t))
            .count()
    };
    if count("RequestRedirect") > 0 && count("URLRewrite") > 0 {
        errors.push(
            field,
            "a RequestRedirect filter and a URLRewrite filter must not be combined: use one or the \
             other",
        );
    }
    for t in UNREPEATABLE {
        if count(t) > 1 {
            errors.push(
                field,
                format!(
                    "at most one {t} filter is allowed per filter list, found {}",
                    count(t)
                ),
            );
        }
    }
}

fn filter(errors: &mut Errors, field: &str, f: &HttpRouteFilter) {
    if let Some(t) = errors.required(&format!("{field}.type"), &f.type_) {
        errors.one_of(&format!("{field}.type"), t, FILTER_TYPES);
        // Union discipline (CEL, declared on the filter): the field the type
        // names must be set, and no other.
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
            (
                "requestRedirect",
                "RequestRedirect",
                f.request_redirect.is_some(),
            ),
            ("urlRewrite", "URLRewrite", f.url_rewrite.is_some()),
            ("cors", "CORS", f.cors.is_some()),
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
    if let Some(r) = &f.request_redirect {
        let rf = format!("{field}.requestRedirect");
        if let Some(s) = &r.scheme {
            errors.one_of(&format!("{rf}.scheme"), s, &["http", "https"]);
        }
        if let Some(h) = &r.hostname {
            precise_hostname(errors, &format!("{rf}.hostname"), h);
        }
        if let Some(p) = &r.path {
            path_modifier(errors, &format!("{rf}.path"), p);
        }
        if let Some(p) = r.port {
            port(errors, &format!("{rf}.port"), p);
        }
        if let Some(code) = r.status_code
            && ![301, 302, 303, 307, 308].contains(&code)
        {
            errors.push(
                format!("{rf}.statusCode"),
                format!("unsupported value {code}: must be one of 301, 302, 303, 307, 308"),
            );
        }
    }
    if let Some(r) = &f.url_rewrite {
        let rf = format!("{field}.urlRewrite");
        if let Some(h) = &r.hostname {
            precise_hostname(errors, &format!("{rf}.hostname"), h);
        }
        if let Some(p) = &r.path {
            path_modifier(errors, &format!("{rf}.path"), p);
        }
    }
    if let Some(c) = &f.cors {
        cors(errors, &format!("{field}.cors"), c);
    }
    if let Some(e) = &f.extension_ref {
        local_object_ref(errors, &format!("{field}.extensionRef"), e);
    }
}

/// `HTTPHeaderFilter`: `set` and `add` are list-maps keyed by name and `remove`
/// a list-set, so the API server refuses a name repeated *exactly* within one
/// list. The spec's further rule ("multiple actions of the same or different type
/// for any one header name are invalid", compared without case) is not in the
/// schema: such a filter is admitted and its rule dropped at compile.
pub(super) fn header_filter(errors: &mut Errors, field: &str, h: &HttpHeaderFilter) {
    for (list, headers) in [("set", &h.set), ("add", &h.add)] {
        let lf = format!("{field}.{list}");
        errors.max_items(&lf, headers.len(), 16);
        let mut seen: Vec<&str> = Vec::new();
        for (i, header) in headers.iter().enumerate() {
            let hf = format!("{lf}[{i}]");
            if let Some(name) = errors.required(&format!("{hf}.name"), &header.name) {
                header_name(errors, &format!("{hf}.name"), name);
                if seen.contains(&name.as_str()) {
                    errors.push(format!("{hf}.name"), format!("duplicate value {name:?}"));
                }
                seen.push(name);
            }
            if let Some(value) = errors.required(&format!("{hf}.value"), &header.value) {
                errors.length(&format!("{hf}.value"), value, 1, 4096);
            }
        }
    }
    errors.max_items(&format!("{field}.remove"), h.remove.len(), 16);
    for (i, name) in h.remove.iter().enumerate() {
        if h.remove[..i].contains(name) {
            errors.push(
                format!("{field}.remove[{i}]"),
                format!("duplicate value {name:?}"),
            );
        }
    }
}

pub(super) fn mirror(errors: &mut Errors, field: &str, m: &HttpRequestMirrorFilter) {
    if let Some(b) = errors.required(&format!("{field}.backendRef"), &m.backend_ref) {
        backend_object_ref(errors, &format!("{field}.backendRef"), b);
    }
    if let Some(p) = m.percent {
        errors.range(&format!("{field}.percent"), p, 0, 100);
    }
    if let Some(fr) = &m.fraction {
        let ff = format!("{field}.fraction");
        let numerator = errors.required(&format!("{ff}.numerator"), &fr.numerator);
        if let Some(n) = numerator {
            errors.at_least(&format!("{ff}.numerator"), *n, 0);
        }
        let denominator = fr.denominator.unwrap_or(100);
        errors.at_least(&format!("{ff}.denominator"), denominator, 1);
        if let Some(n) = numerator
            && *n > denominator
        {
            errors.push(
                ff,
                format!("numerator {n} must be less than or equal to denominator {denominator}"),
            );
        }
    }
    if m.percent.is_some() && m.fraction.is_some() {
        errors.push(
            field,
            "only one of percent or fraction may be specified in a RequestMirror filter",
        );
    }
}

/// `HTTPPathModifier`: the type enum, lengths, and the CEL rules (declared on
/// the modifier) tying each value field to its type.
fn path_modifier(errors: &mut Errors, field: &str, p: &HttpPathModifier) {
    if let Some(t) = errors.required(&format!("{field}.type"), &p.type_) {
        errors.one_of(
            &format!("{field}.type"),
            t,
            &["ReplaceFullPath", "ReplacePrefixMatch"],
        );
    }
    if let Some(v) = &p.replace_full_path {
        errors.length(&format!("{field}.replaceFullPath"), v, 0, 1024);
    }
    if let Some(v) = &p.replace_prefix_match {
        errors.length(&format!("{field}.replacePrefixMatch"), v, 0, 1024);
    }
    let t = p.type_.as_deref();
    for (kind, name, present) in [
        (
            "ReplaceFullPath",
            "replaceFullPath",
            p.replace_full_path.is_some(),
        ),
        (
            "ReplacePrefixMatch",
            "replacePrefixMatch",
            p.replace_prefix_match.is_some(),
        ),
    ] {
        if t == Some(kind) && !present {
            errors.push(
                field,
                format!("{name} must be specified when type is set to '{kind}'"),
            );
        }
        if present && t != Some(kind) {
            errors.push(field, format!("type must be '{kind}' when {name} is set"));
        }
    }
}

fn cors(errors: &mut Errors, field: &str, c: &HttpCorsFilter) {
    let origins = format!("{field}.allowOrigins");
    errors.max_items(&origins, c.allow_origins.len(), 64);
    for (i, o) in c.allow_origins.iter().enumerate() {
        let of = format!("{origins}[{i}]");
        if errors.length(&of, o, 1, 253) && !syntax::is_cors_origin(o) {
            errors.push(
                of,
                format!(
                    "invalid origin {o:?}: must be '*' or <scheme>://<host>[:<port>], e.g. \
                     https://*.example.com"
                ),
            );
        }
    }
    errors.unique(&origins, c.allow_origins.iter().map(|s| Some(s.as_str())));
    wildcard_alone(errors, &origins, &c.allow_origins, "origins");

    let methods = format!("{field}.allowMethods");
    errors.max_items(&methods, c.allow_methods.len(), 9);
    for (i, m) in c.allow_methods.iter().enumerate() {
        if m != "*" {
            errors.one_of(&format!("{methods}[{i}]"), m, METHODS);
        }
    }
    errors.unique(&methods, c.allow_methods.iter().map(|s| Some(s.as_str())));
    wildcard_alone(errors, &methods, &c.allow_methods, "methods");

    for (list, values) in [
        ("allowHeaders", &c.allow_headers),
        ("exposeHeaders", &c.expose_headers),
    ] {
        let lf = format!("{field}.{list}");
        errors.max_items(&lf, values.len(), 64);
        for (i, h) in values.iter().enumerate() {
            header_name(errors, &format!("{lf}[{i}]"), h);
        }
        errors.unique(&lf, values.iter().map(|s| Some(s.as_str())));
    }
    wildcard_alone(
        errors,
        &format!("{field}.allowHeaders"),
        &c.allow_headers,
        "headers",
    );
    if let Some(age) = c.max_age {
        errors.at_least(&format!("{field}.maxAge"), age, 1);
    }
}

/// CEL on the CORS lists: `*` only on its own.
fn wildcard_alone(errors: &mut Errors, field: &str, values: &[String], what: &str) {
    if values.len() > 1 && values.iter().any(|v| v == "*") {
        errors.push(
            field,
            format!("'*' must not be combined with other {what}: use '*' alone or list them"),
        );
    }
}

fn timeouts(errors: &mut Errors, field: &str, t: &HttpRouteTimeouts) {
    let mut parsed = |name: &str, value: &Option<String>| {
        let value = value.as_deref()?;
        let d = duration::parse(value);
        if d.is_none() {
            errors.push(
                format!("{field}.{name}"),
                format!(
                    "invalid duration {value:?}: must be 1 to 4 parts of 1 to 5 digits and a unit \
                     h, m, s or ms (e.g. 1h30m, 500ms)"
                ),
            );
        }
        d
    };
    let request = parsed("request", &t.request);
    let backend = parsed("backendRequest", &t.backend_request);
    if let (Some(request), Some(backend)) = (request, backend)
        && !request.is_zero()
        && backend > request
    {
        errors.push(
            field,
            "backendRequest timeout cannot be longer than request timeout (unless request is 0s)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    fn route(yaml: &str) -> Vec<(String, String)> {
        let spec: HttpRouteSpec = match serde_saphyr::from_str(yaml) {
            Ok(s) => s,
            Err(e) => panic!("bad test yaml: {e}"),
        };
        validate::http_route(&spec)
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    fn fields(yaml: &str) -> Vec<String> {
        route(yaml).into_iter().map(|(f, _)| f).collect()
    }

    fn path(value: &str) -> Vec<String> {
        fields(&format!(
            "rules: [{{matches: [{{path: {{type: PathPrefix, value: '{value}'}}}}]}}]"
        ))
    }

    const VALUE: &str = "spec.rules[0].matches[0].path.value";

    #[test]
    fn a_plain_route_is_valid() {
        let errs = route(
            "parentRefs: [{name: gw}]\nhostnames: [example.com, '*.example.org']\nrules:\n- matches: \
             [{path: {type: Exact, value: /a}, headers: [{name: X-A, value: b}], queryParams: [{name: q, \
             value: v}], method: GET}]\n  backendRefs: [{name: svc, port: 80, weight: 3}]\n",
        );
        assert_eq!(errs, Vec::<(String, String)>::new());
    }

    #[test]
    fn path_value_rejects_double_slash() {
        assert_eq!(path("/a//b"), vec![VALUE]);
    }

    #[test]
    fn path_value_must_start_with_slash() {
        assert_eq!(path("a"), vec![VALUE]);
    }

    #[test]
    fn path_value_rejects_dot_segments_encoded_slash_and_fragment() {
        for bad in ["/a/./b", "/a/../b", "/a%2fb", "/a%2Fb", "/a/..", "/a/."] {
            assert_eq!(path(bad), vec![VALUE], "{bad}");
        }
        // `#` breaks two rules: the explicit one and the character set.
        assert_eq!(path("/a#b"), vec![VALUE, VALUE]);
    }

    #[test]
    fn path_value_rejects_characters_outside_the_set() {
        assert_eq!(path("/a b"), vec![VALUE]);
        assert_eq!(path("/a%zz"), vec![VALUE]);
        assert!(path("/a%20b/c~d").is_empty());
    }

    #[test]
    fn path_value_at_most_1024_characters() {
        assert!(path(&format!("/{}", "a".repeat(1023))).is_empty());
        assert_eq!(path(&format!("/{}", "a".repeat(1024))), vec![VALUE]);
    }

    #[test]
    fn path_type_defaults_to_path_prefix_and_is_checked() {
        assert_eq!(
            fields("rules: [{matches: [{path: {value: 'a'}}]}]"),
            vec![VALUE]
        );
    }

    #[test]
    fn regular_expression_path_is_checked_for_length_only() {
        assert!(
            fields("rules: [{matches: [{path: {type: RegularExpression, value: '^/a//.*$'}}]}]")
                .is_empty()
        );
    }

    #[test]
    fn path_type_enum() {
        assert_eq!(
            fields("rules: [{matches: [{path: {type: Prefix, value: /}}]}]"),
            vec!["spec.rules[0].matches[0].path.type"]
        );
    }

    #[test]
    fn hostnames_reject_upper_case_and_inner_wildcards() {
        assert_eq!(
            fields("hostnames: [ok.com, Bad.com, 'a.*.com', '*']"),
            vec![
                "spec.hostnames[1]",
                "spec.hostnames[2]",
                "spec.hostnames[3]"
            ]
        );
    }

    #[test]
    fn redirect_hostname_forbids_wildcards() {
        assert_eq!(
            fields(
                "rules: [{filters: [{type: RequestRedirect, requestRedirect: {hostname: '*.a.com'}}]}]"
            ),
            vec!["spec.rules[0].filters[0].requestRedirect.hostname"]
        );
    }

    #[test]
    fn header_match_name_is_a_token_and_value_is_bounded() {
        assert_eq!(
            fields(
                "rules: [{matches: [{headers: [{name: ':method', value: GET}, {name: a, value: ''}]}]}]"
            ),
            vec![
                "spec.rules[0].matches[0].headers[0].name",
                "spec.rules[0].matches[0].headers[1].value"
            ]
        );
    }

    #[test]
    fn header_match_type_and_method_enums() {
        assert_eq!(
            fields(
                "rules: [{matches: [{headers: [{type: Prefix, name: a, value: b}], method: get}]}]"
            ),
            vec![
                "spec.rules[0].matches[0].headers[0].type",
                "spec.rules[0].matches[0].method"
            ]
        );
    }

    #[test]
    fn header_matches_are_a_map_keyed_by_name() {
        assert_eq!(
            fields("rules: [{matches: [{headers: [{name: a, value: b}, {name: a, value: c}]}]}]"),
            vec!["spec.rules[0].matches[0].headers[1]"]
        );
    }

    #[test]
    fn query_param_value_at_most_1024() {
        let long = "v".repeat(1025);
        assert_eq!(
            fields(&format!(
                "rules: [{{matches: [{{queryParams: [{{name: q, value: {long}}}]}}]}}]"
            )),
            vec!["spec.rules[0].matches[0].queryParams[0].value"]
        );
    }

    #[test]
    fn item_limits() {
        let refs = ["{name: g}"; 33].join(", ");
        assert!(fields(&format!("parentRefs: [{refs}]")).contains(&"spec.parentRefs".to_owned()));
        let hosts = ["a.com"; 17].join(", ");
        assert_eq!(
            fields(&format!("hostnames: [{hosts}]")),
            vec!["spec.hostnames"]
        );
        let rules = ["{}"; 17].join(", ");
        assert_eq!(fields(&format!("rules: [{rules}]")), vec!["spec.rules"]);
        let matches = ["{}"; 65].join(", ");
        assert_eq!(
            fields(&format!("rules: [{{matches: [{matches}]}}]")),
            vec!["spec.rules[0].matches"]
        );
        let backends = ["{name: s, port: 1}"; 17].join(", ");
        assert_eq!(
            fields(&format!("rules: [{{backendRefs: [{backends}]}}]")),
            vec!["spec.rules[0].backendRefs"]
        );
    }

    #[test]
    fn rules_may_not_be_empty_when_given() {
        assert_eq!(fields("rules: []"), vec!["spec.rules"]);
    }

    #[test]
    fn total_matches_at_most_128() {
        let matches = ["{}"; 64].join(", ");
        let rule = format!("{{matches: [{matches}]}}");
        assert_eq!(
            fields(&format!("rules: [{rule}, {rule}, {{}}]")),
            vec!["spec.rules"]
        );
        assert!(fields(&format!("rules: [{rule}, {rule}]")).is_empty());
    }

    #[test]
    fn rule_names_are_unique_on_the_rules_list() {
        assert_eq!(
            fields("rules: [{name: a}, {name: b}, {name: a}, {}, {}]"),
            vec!["spec.rules"]
        );
    }

    #[test]
    fn filter_type_enum() {
        assert_eq!(
            fields("rules: [{filters: [{type: Bogus}]}]"),
            vec!["spec.rules[0].filters[0].type"]
        );
    }

    #[test]
    fn filter_union_is_declared_on_the_filter() {
        assert_eq!(
            fields("rules: [{filters: [{type: RequestHeaderModifier}]}]"),
            vec!["spec.rules[0].filters[0]"]
        );
        assert_eq!(
            fields(
                "rules: [{filters: [{type: RequestHeaderModifier, requestHeaderModifier: {}, \
                 urlRewrite: {}}]}]"
            ),
            vec!["spec.rules[0].filters[0]"]
        );
    }

    #[test]
    fn repeated_filter_types_are_declared_on_the_filters_list() {
        let f = "{type: RequestHeaderModifier, requestHeaderModifier: {}}";
        assert_eq!(
            fields(&format!("rules: [{{filters: [{f}, {f}]}}]")),
            vec!["spec.rules[0].filters"]
        );
        let m = "{type: RequestMirror, requestMirror: {backendRef: {name: s, port: 1}}}";
        assert!(fields(&format!("rules: [{{filters: [{m}, {m}]}}]")).is_empty());
    }

    #[test]
    fn redirect_and_rewrite_are_mutually_exclusive_on_the_filters_list() {
        assert_eq!(
            fields(
                "rules: [{filters: [{type: RequestRedirect, requestRedirect: {}}, {type: URLRewrite, \
                 urlRewrite: {}}]}]"
            ),
            vec!["spec.rules[0].filters"]
        );
    }

    #[test]
    fn redirect_with_backend_refs_is_declared_on_the_rule() {
        assert_eq!(
            fields(
                "rules: [{filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}], \
                 backendRefs: [{name: s, port: 80}]}]"
            ),
            vec!["spec.rules[0]"]
        );
    }

    #[test]
    fn replace_prefix_match_needs_one_path_prefix_match_declared_on_the_rule() {
        let redirect = "filters: [{type: RequestRedirect, requestRedirect: {path: {type: \
                        ReplacePrefixMatch, replacePrefixMatch: /b}}}]";
        assert!(fields(&format!("rules: [{{{redirect}}}]")).is_empty());
        assert!(
            fields(&format!(
                "rules: [{{matches: [{{path: {{value: /a}}}}], {redirect}}}]"
            ))
            .is_empty()
        );
        assert_eq!(
            fields(&format!(
                "rules: [{{matches: [{{path: {{type: Exact, value: /a}}}}], {redirect}}}]"
            )),
            vec!["spec.rules[0]"]
        );
        assert_eq!(
            fields(&format!("rules: [{{matches: [{{}}, {{}}], {redirect}}}]")),
            vec!["spec.rules[0]"]
        );
    }

    #[test]
    fn replace_prefix_match_in_backend_ref_filters_is_declared_on_the_rule() {
        assert_eq!(
            fields(
                "rules: [{matches: [{path: {type: Exact, value: /a}}], backendRefs: [{name: s, port: \
                 1, filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, \
                 replacePrefixMatch: /b}}}]}]}]"
            ),
            vec!["spec.rules[0]"]
        );
    }

    #[test]
    fn backend_ref_filters_follow_the_list_rules() {
        let f = "{type: URLRewrite, urlRewrite: {}}";
        assert_eq!(
            fields(&format!(
                "rules: [{{backendRefs: [{{name: s, port: 1, filters: [{f}, {f}]}}]}}]"
            )),
            vec!["spec.rules[0].backendRefs[0].filters"]
        );
    }

    #[test]
    fn path_modifier_union_is_declared_on_the_modifier() {
        assert_eq!(
            fields(
                "rules: [{filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, \
                 replacePrefixMatch: /x}}}]}]"
            ),
            vec![
                "spec.rules[0].filters[0].urlRewrite.path",
                "spec.rules[0].filters[0].urlRewrite.path"
            ]
        );
    }

    #[test]
    fn redirect_scheme_status_and_port() {
        assert_eq!(
            fields(
                "rules: [{filters: [{type: RequestRedirect, requestRedirect: {scheme: ftp, statusCode: \
                 304, port: 0}}]}]"
            ),
            vec![
                "spec.rules[0].filters[0].requestRedirect.scheme",
                "spec.rules[0].filters[0].requestRedirect.port",
                "spec.rules[0].filters[0].requestRedirect.statusCode"
            ]
        );
    }

    #[test]
    fn weights_are_bounded() {
        assert_eq!(
            fields(
                "rules: [{backendRefs: [{name: s, port: 1, weight: 1000001}, {name: t, port: 1, weight: -1}]}]"
            ),
            vec![
                "spec.rules[0].backendRefs[0].weight",
                "spec.rules[0].backendRefs[1].weight"
            ]
        );
    }

    #[test]
    fn service_backend_ref_needs_a_port_declared_on_the_ref() {
        assert_eq!(
            fields(
                "rules: [{backendRefs: [{name: s}, {name: t, kind: Other, group: example.com}]}]"
            ),
            vec!["spec.rules[0].backendRefs[0]"]
        );
    }

    #[test]
    fn mirror_percent_and_fraction() {
        let m = |body: &str| {
            fields(&format!(
                "rules: [{{filters: [{{type: RequestMirror, requestMirror: {{backendRef: {{name: s, \
                 port: 1}}, {body}}}}}]}}]"
            ))
        };
        assert_eq!(
            m("percent: 101"),
            vec!["spec.rules[0].filters[0].requestMirror.percent"]
        );
        assert_eq!(
            m("fraction: {numerator: 5, denominator: 4}"),
            vec!["spec.rules[0].filters[0].requestMirror.fraction"]
        );
        assert_eq!(
            m("fraction: {numerator: 0, denominator: 0}"),
            vec!["spec.rules[0].filters[0].requestMirror.fraction.denominator"]
        );
        assert_eq!(
            m("percent: 5, fraction: {numerator: 1}"),
            vec!["spec.rules[0].filters[0].requestMirror"]
        );
        assert!(m("fraction: {numerator: 100}").is_empty());
    }

    #[test]
    fn header_filter_rejects_exact_repeats_within_one_list_only() {
        // Case-insensitive repeats across lists are admitted (the rule is dropped at compile).
        assert!(fields(
            "rules: [{filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: \
             X-A, value: '1'}], add: [{name: x-a, value: '2'}], remove: [X-B, x-b]}}]}]"
        )
        .is_empty());
        assert_eq!(
            fields(
                "rules: [{filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: \
                 x-a, value: '1'}, {name: x-a, value: '2'}], remove: [x-b, x-b]}}]}]"
            ),
            vec![
                "spec.rules[0].filters[0].requestHeaderModifier.add[1].name",
                "spec.rules[0].filters[0].requestHeaderModifier.remove[1]"
            ]
        );
    }

    #[test]
    fn cors_limits_and_wildcards() {
        let c = |body: &str| {
            fields(&format!(
                "rules: [{{filters: [{{type: CORS, cors: {{{body}}}}}]}}]"
            ))
        };
        assert!(c("allowOrigins: ['https://a.com', 'http://*.b.com:8080'], allowMethods: [GET], maxAge: 10").is_empty());
        assert_eq!(
            c("allowOrigins: ['*', 'https://a.com']"),
            vec!["spec.rules[0].filters[0].cors.allowOrigins"]
        );
        assert_eq!(
            c("allowOrigins: [a.com]"),
            vec!["spec.rules[0].filters[0].cors.allowOrigins[0]"]
        );
        assert_eq!(
            c("allowMethods: [GET, '*']"),
            vec!["spec.rules[0].filters[0].cors.allowMethods"]
        );
        assert_eq!(
            c("allowMethods: [FETCH]"),
            vec!["spec.rules[0].filters[0].cors.allowMethods[0]"]
        );
        assert_eq!(
            c("allowHeaders: ['*', x-a]"),
            vec!["spec.rules[0].filters[0].cors.allowHeaders"]
        );
        assert_eq!(c("maxAge: 0"), vec!["spec.rules[0].filters[0].cors.maxAge"]);
    }

    #[test]
    fn timeouts_use_gep_2257_durations() {
        assert_eq!(
            fields("rules: [{timeouts: {request: 1d, backendRequest: 0.5s}}]"),
            vec![
                "spec.rules[0].timeouts.request",
                "spec.rules[0].timeouts.backendRequest"
            ]
        );
    }

    #[test]
    fn backend_request_not_longer_than_request_is_declared_on_timeouts() {
        assert_eq!(
            fields("rules: [{timeouts: {request: 200ms, backendRequest: 1s}}]"),
            vec!["spec.rules[0].timeouts"]
        );
        assert!(fields("rules: [{timeouts: {request: 0s, backendRequest: 1s}}]").is_empty());
        assert!(fields("rules: [{timeouts: {request: 10s, backendRequest: 10s}}]").is_empty());
    }

    #[test]
    fn parent_refs_to_one_parent_must_all_set_section_name() {
        assert_eq!(
            fields("parentRefs: [{name: gw}, {name: gw, sectionName: http}]"),
            vec!["spec.parentRefs"]
        );
        assert!(
            fields("parentRefs: [{name: gw, sectionName: a}, {name: gw, sectionName: b}, {name: other}]")
                .is_empty()
        );
    }

    #[test]
    fn parent_refs_to_one_parent_need_distinct_section_names() {
        assert_eq!(
            fields("parentRefs: [{name: gw, sectionName: a}, {name: gw, sectionName: a}]"),
            vec!["spec.parentRefs"]
        );
        assert_eq!(
            fields("parentRefs: [{name: gw}, {name: gw, namespace: ''}]"),
            vec!["spec.parentRefs[1].namespace", "spec.parentRefs"]
        );
        // An explicit namespace names another parent than an unset one.
        assert!(fields("parentRefs: [{name: gw}, {name: gw, namespace: default}]").is_empty());
    }

    #[test]
    fn parent_ref_fields() {
        assert_eq!(
            fields(
                "parentRefs: [{name: gw, kind: 'bad/kind', group: Bad, namespace: a.b, port: 0, sectionName: A}, {}]"
            ),
            vec![
                "spec.parentRefs[0].group",
                "spec.parentRefs[0].kind",
                "spec.parentRefs[0].namespace",
                "spec.parentRefs[0].sectionName",
                "spec.parentRefs[0].port",
                "spec.parentRefs[1].name"
            ]
        );
    }

    #[test]
    fn messages_are_lower_case_without_trailing_period() {
        let errs = route(
            "parentRefs: [{}]\nrules: [{matches: [{path: {value: 'a//'}}], filters: [{type: \
             RequestRedirect}], backendRefs: [{name: s}], timeouts: {request: x}}]",
        );
        assert!(!errs.is_empty());
        for (_, m) in errs {
            assert!(m.starts_with(|c: char| !c.is_ascii_uppercase()), "{m}");
            assert!(!m.ends_with('.'), "{m}");
        }
    }
}
