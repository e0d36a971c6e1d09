//! GatewayClass and Gateway (`apis/v1/gatewayclass_types.go`,
//! `apis/v1/gateway_types.go`).

use std::net::IpAddr;

use super::reference::{group, hostname, kind, object_name, port, secret_object_ref, section_name};
use super::{Errors, syntax};
use crate::api::{
    AllowedRoutes, GatewayAddress, GatewayClassSpec, GatewaySpec, GatewayTlsConfig, LabelSelector,
    Listener,
};

pub(super) fn gateway_class(errors: &mut Errors, spec: &GatewayClassSpec) {
    let field = "spec.controllerName";
    if let Some(name) = errors.required(field, &spec.controller_name)
        && errors.length(field, name, 1, 253)
        && !syntax::is_controller_name(name)
    {
        errors.push(
            field,
            format!(
                "invalid controller name {name:?}: must be a domain-prefixed path such as \
                 example.com/gateway-controller"
            ),
        );
    }
    if let Some(d) = &spec.description {
        errors.length("spec.description", d, 0, 64);
    }
}

pub(super) fn gateway(errors: &mut Errors, spec: &GatewaySpec) {
    if let Some(class) = errors.required("spec.gatewayClassName", &spec.gateway_class_name) {
        object_name(errors, "spec.gatewayClassName", class);
    }
    if let Some(listeners) = errors.required("spec.listeners", &spec.listeners) {
        errors.min_items("spec.listeners", listeners.len(), 1);
        errors.max_items("spec.listeners", listeners.len(), 64);
        for (i, l) in listeners.iter().enumerate() {
            listener(errors, &format!("spec.listeners[{i}]"), l);
        }
        listener_rules(errors, listeners);
    }
    if let Some(ns) = spec
        .allowed_listeners
        .as_ref()
        .and_then(|a| a.namespaces.as_ref())
    {
        if let Some(from) = &ns.from {
            errors.one_of(
                "spec.allowedListeners.namespaces.from",
                from,
                &["All", "Selector", "Same", "None"],
            );
        }
        if let Some(s) = &ns.selector {
            label_selector(errors, "spec.allowedListeners.namespaces.selector", s);
        }
    }
    errors.max_items("spec.addresses", spec.addresses.len(), 16);
    for (i, a) in spec.addresses.iter().enumerate() {
        address(errors, &format!("spec.addresses[{i}]"), a);
    }
    for kind in ["IPAddress", "Hostname"] {
        let values: Vec<&str> = spec
            .addresses
            .iter()
            .filter(|a| a.type_.as_deref().unwrap_or("IPAddress") == kind)
            .filter_map(|a| a.value.as_deref())
            .collect();
        if values
            .iter()
            .any(|v| values.iter().filter(|w| *w == v).count() > 1)
        {
            errors.push(
                "spec.addresses",
                format!("{kind} values must be unique: an address is listed twice"),
            );
        }
    }
}

/// One listener's own fields.
pub(super) fn listener(errors: &mut Errors, field: &str, l: &Listener) {
    if let Some(name) = errors.required(&format!("{field}.name"), &l.name) {
        section_name(errors, &format!("{field}.name"), name);
    }
    if let Some(h) = &l.hostname {
        hostname(errors, &format!("{field}.hostname"), h);
    }
    if let Some(p) = errors.required(&format!("{field}.port"), &l.port) {
        port(errors, &format!("{field}.port"), *p);
    }
    let pf = format!("{field}.protocol");
    if let Some(p) = errors.required(&pf, &l.protocol)
        && errors.length(&pf, p, 1, 255)
        && !syntax::is_protocol(p)
    {
        errors.push(
            &pf,
            format!(
                "invalid protocol {p:?}: must be a core protocol (HTTP, HTTPS, TLS, TCP, UDP) or a \
                 domain-prefixed name such as example.com/my-protocol"
            ),
        );
    }
    if let Some(tls) = &l.tls {
        listener_tls(errors, &format!("{field}.tls"), tls);
    }
    if let Some(a) = &l.allowed_routes {
        allowed_routes(errors, &format!("{field}.allowedRoutes"), a);
    }
}

/// `ListenerTLSConfig`, with its CEL rule declared on the TLS object.
fn listener_tls(errors: &mut Errors, field: &str, tls: &GatewayTlsConfig) {
    let mode = tls.mode.as_deref().unwrap_or("Terminate");
    errors.one_of(
        &format!("{field}.mode"),
        mode,
        &["Terminate", "Passthrough"],
    );
    let refs = format!("{field}.certificateRefs");
    errors.max_items(&refs, tls.certificate_refs.len(), 64);
    for (i, r) in tls.certificate_refs.iter().enumerate() {
        secret_object_ref(errors, &format!("{refs}[{i}]"), r);
    }
    let options = format!("{field}.options");
    if tls.options.len() > 16 {
        errors.push(
            &options,
            format!(
                "too many options: must have at most 16, found {}",
                tls.options.len()
            ),
        );
    }
    for (key, value) in &tls.options {
        let of = format!("{options}[{key}]");
        if errors.length(&of, key, 1, 253) && !syntax::is_annotation_key(key) {
            errors.push(
                &of,
                format!(
                    "invalid option key {key:?}: must be a name of up to 63 characters, optionally \
                     prefixed by a DNS subdomain and '/'"
                ),
            );
        }
        errors.length(&of, value, 0, 4096);
    }
    if mode == "Terminate" && tls.certificate_refs.is_empty() && tls.options.is_empty() {
        errors.push(
            field,
            "certificateRefs or options must be specified when mode is Terminate",
        );
    }
}

fn allowed_routes(errors: &mut Errors, field: &str, a: &AllowedRoutes) {
    if let Some(ns) = &a.namespaces {
        if let Some(from) = &ns.from {
            errors.one_of(
                &format!("{field}.namespaces.from"),
                from,
                &["All", "Selector", "Same"],
            );
        }
        if let Some(s) = &ns.selector {
            label_selector(errors, &format!("{field}.namespaces.selector"), s);
        }
    }
    let kinds = format!("{field}.kinds");
    errors.max_items(&kinds, a.kinds.len(), 8);
    for (i, k) in a.kinds.iter().enumerate() {
        let kf = format!("{kinds}[{i}]");
        if let Some(g) = &k.group {
            group(errors, &format!("{kf}.group"), g);
        }
        if let Some(name) = errors.required(&format!("{kf}.kind"), &k.kind) {
            kind(errors, &format!("{kf}.kind"), name);
        }
    }
}

/// `metav1.LabelSelector` as the CRD schema has it: `key` and `operator`
/// required in each expression.
pub(super) fn label_selector(errors: &mut Errors, field: &str, s: &LabelSelector) {
    for (i, e) in s.match_expressions.iter().enumerate() {
        let ef = format!("{field}.matchExpressions[{i}]");
        errors.required(&format!("{ef}.key"), &e.key);
        errors.required(&format!("{ef}.operator"), &e.operator);
    }
}

/// The CEL rules declared on the `listeners` list.
pub(super) fn listener_rules(errors: &mut Errors, listeners: &[Listener]) {
    let protocol_is = |l: &Listener, names: &[&str]| {
        l.protocol
            .as_deref()
            .is_some_and(|p| names.iter().any(|n| p.eq_ignore_ascii_case(n)))
    };
    let mut rule = |broken: bool, message: &str| {
        if broken {
            errors.push("spec.listeners", message);
        }
    };
    rule(
        listeners
            .iter()
            .any(|l| protocol_is(l, &["HTTP", "TCP", "UDP"]) && l.tls.is_some()),
        "tls must not be specified for protocols HTTP, TCP and UDP",
    );
    rule(
        listeners.iter().any(|l| {
            protocol_is(l, &["HTTPS"])
                && l.tls
                    .as_ref()
                    .is_some_and(|t| !matches!(t.mode.as_deref(), None | Some("" | "Terminate")))
        }),
        "tls mode must be Terminate for protocol HTTPS",
    );
    rule(
        listeners.iter().any(|l| {
            protocol_is(l, &["TLS"]) && l.tls.as_ref().is_none_or(|t| t.mode.as_deref() == Some(""))
        }),
        "tls mode must be set for protocol TLS: add tls with mode Terminate or Passthrough",
    );
    rule(
        listeners.iter().any(|l| {
            protocol_is(l, &["TCP", "UDP"]) && l.hostname.as_deref().is_some_and(|h| !h.is_empty())
        }),
        "hostname must not be specified for protocols TCP and UDP",
    );
    rule(
        listeners
            .iter()
            .any(|l1| listeners.iter().filter(|l2| l1.name == l2.name).count() != 1),
        "listener name must be unique within the Gateway",
    );
    rule(
        listeners.iter().any(|l1| {
            listeners
                .iter()
                .filter(|l2| {
                    l1.port == l2.port && l1.protocol == l2.protocol && l1.hostname == l2.hostname
                })
                .count()
                != 1
        }),
        "combination of port, protocol and hostname must be unique for each listener",
    );
}

/// `GatewaySpecAddress`: type pattern, value length, the IP format of
/// `IPAddress` values (the CRD's `oneOf`) and the CEL rule on `Hostname` values,
/// both declared on the address.
fn address(errors: &mut Errors, field: &str, a: &GatewayAddress) {
    let kind = a.type_.as_deref().unwrap_or("IPAddress");
    let tf = format!("{field}.type");
    if errors.length(&tf, kind, 1, 253) && !syntax::is_address_type(kind) {
        errors.push(
            &tf,
            format!(
                "invalid address type {kind:?}: must be IPAddress, Hostname or a domain-prefixed \
                 type such as example.com/my-type"
            ),
        );
    }
    let Some(value) = &a.value else { return };
    errors.length(&format!("{field}.value"), value, 0, 253);
    if kind == "IPAddress" && value.parse::<IpAddr>().is_err() {
        errors.push(
            field,
            format!("invalid IPAddress value {value:?}: must be an IPv4 or IPv6 address"),
        );
    }
    if kind == "Hostname" && !syntax::is_hostname(value) {
        errors.push(
            field,
            format!(
                "invalid Hostname value {value:?}: must be a lower-case RFC 1123 hostname, \
                 optionally prefixed by '*.'"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::api::{GatewayClassSpec, GatewaySpec};
    use crate::validate;

    fn fields(yaml: &str) -> Vec<String> {
        let spec: GatewaySpec = match serde_saphyr::from_str(yaml) {
            Ok(s) => s,
            Err(e) => panic!("bad test yaml: {e}"),
        };
        validate::gateway(&spec)
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    fn listeners(items: &str) -> Vec<String> {
        fields(&format!("gatewayClassName: c\nlisteners: [{items}]"))
    }

    const TLS: &str = "tls: {certificateRefs: [{name: cert}]}";

    #[test]
    fn a_plain_gateway_is_valid() {
        assert!(
            listeners(&format!(
                "{{name: http, port: 80, protocol: HTTP, allowedRoutes: {{namespaces: {{from: All}}, \
                 kinds: [{{kind: HTTPRoute}}]}}}}, {{name: https, port: 443, protocol: HTTPS, \
                 hostname: '*.example.com', {TLS}}}, {{name: tls, port: 8443, protocol: TLS, tls: \
                 {{mode: Passthrough}}}}"
            ))
            .is_empty()
        );
    }

    #[test]
    fn class_name_and_listeners_are_required() {
        assert_eq!(
            fields("{}"),
            vec!["spec.gatewayClassName", "spec.listeners"]
        );
        assert_eq!(listeners(""), vec!["spec.listeners"]);
    }

    #[test]
    fn at_most_64_listeners() {
        let many: Vec<String> = (0..65)
            .map(|i| format!("{{name: l{i}, port: {}, protocol: HTTP}}", i + 1))
            .collect();
        assert_eq!(listeners(&many.join(", ")), vec!["spec.listeners"]);
    }

    #[test]
    fn listener_name_uniqueness_is_declared_on_the_list() {
        assert_eq!(
            listeners("{name: a, port: 80, protocol: HTTP}, {name: a, port: 81, protocol: HTTP}"),
            vec!["spec.listeners"]
        );
    }

    #[test]
    fn listener_fields() {
        assert_eq!(
            listeners("{name: A_b, port: 0, protocol: 'bad proto', hostname: 'Foo.com'}, {}"),
            vec![
                "spec.listeners[0].name",
                "spec.listeners[0].hostname",
                "spec.listeners[0].port",
                "spec.listeners[0].protocol",
                "spec.listeners[1].name",
                "spec.listeners[1].port",
                "spec.listeners[1].protocol"
            ]
        );
    }

    #[test]
    fn tls_is_forbidden_for_http_tcp_udp() {
        assert_eq!(
            listeners(&format!("{{name: a, port: 80, protocol: http, {TLS}}}")),
            vec!["spec.listeners"]
        );
    }

    #[test]
    fn https_tls_mode_must_be_terminate() {
        assert_eq!(
            listeners("{name: a, port: 443, protocol: HTTPS, tls: {mode: Passthrough}}"),
            vec!["spec.listeners"]
        );
    }

    #[test]
    fn tls_protocol_requires_tls() {
        assert_eq!(
            listeners("{name: a, port: 443, protocol: TLS}"),
            vec!["spec.listeners"]
        );
    }

    #[test]
    fn hostname_is_forbidden_for_tcp_and_udp() {
        assert_eq!(
            listeners("{name: a, port: 53, protocol: UDP, hostname: a.com}"),
            vec!["spec.listeners"]
        );
    }

    #[test]
    fn terminate_needs_certificate_refs_or_options_declared_on_tls() {
        assert_eq!(
            listeners("{name: a, port: 443, protocol: HTTPS, tls: {}}"),
            vec!["spec.listeners[0].tls"]
        );
        assert!(
            listeners("{name: a, port: 443, protocol: HTTPS, tls: {options: {example.com/x: y}}}")
                .is_empty()
        );
    }

    #[test]
    fn tls_option_keys_are_qualified_names() {
        assert_eq!(
            listeners("{name: a, port: 443, protocol: HTTPS, tls: {options: {'bad~key': v}}}"),
            vec!["spec.listeners[0].tls.options[bad~key]"]
        );
    }

    #[test]
    fn port_protocol_hostname_combination_is_unique() {
        assert_eq!(
            listeners("{name: a, port: 80, protocol: HTTP}, {name: b, port: 80, protocol: HTTP}"),
            vec!["spec.listeners"]
        );
        assert!(
            listeners(
                "{name: a, port: 80, protocol: HTTP}, {name: b, port: 80, protocol: HTTP, hostname: \
                 a.com}"
            )
            .is_empty()
        );
    }

    #[test]
    fn allowed_routes_from_enum_and_kinds_limit() {
        let kinds = ["{kind: HTTPRoute}"; 9].join(", ");
        assert_eq!(
            listeners(&format!(
                "{{name: a, port: 80, protocol: HTTP, allowedRoutes: {{namespaces: {{from: None}}, \
                 kinds: [{kinds}]}}}}"
            )),
            vec![
                "spec.listeners[0].allowedRoutes.namespaces.from",
                "spec.listeners[0].allowedRoutes.kinds"
            ]
        );
    }

    #[test]
    fn addresses_are_checked_by_type() {
        let l = "listeners: [{name: a, port: 80, protocol: HTTP}]";
        assert!(
            fields(&format!(
                "gatewayClassName: c\n{l}\naddresses: [{{value: 10.0.0.1}}, {{type: Hostname, value: \
                 lb.example.com}}, {{type: example.com/named, value: anything}}]"
            ))
            .is_empty()
        );
        assert_eq!(
            fields(&format!(
                "gatewayClassName: c\n{l}\naddresses: [{{value: not-an-ip}}, {{type: Hostname, \
                 value: Bad_Host}}, {{type: weird}}]"
            )),
            vec![
                "spec.addresses[0]",
                "spec.addresses[1]",
                "spec.addresses[2].type"
            ]
        );
        assert_eq!(
            fields(&format!(
                "gatewayClassName: c\n{l}\naddresses: [{{value: 10.0.0.1}}, {{type: IPAddress, \
                 value: 10.0.0.1}}]"
            )),
            vec!["spec.addresses"]
        );
    }

    #[test]
    fn controller_name_is_a_domain_prefixed_path() {
        let class = |yaml: &str| {
            let spec: GatewayClassSpec = match serde_saphyr::from_str(yaml) {
                Ok(s) => s,
                Err(e) => panic!("bad test yaml: {e}"),
            };
            validate::gateway_class(&spec)
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert!(class("controllerName: gatewise.dev/gateway-controller").is_empty());
        assert_eq!(
            class("controllerName: example.com"),
            vec!["spec.controllerName"]
        );
        assert_eq!(class("description: x"), vec!["spec.controllerName"]);
    }
}
