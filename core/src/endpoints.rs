//! Endpoints: the addresses behind a Service port, from `discovery.k8s.io/v1`
//! EndpointSlices, as kube-proxy and every gateway on a cluster read them.
//!
//! - A slice belongs to the Service named by its label `kubernetes.io/service-name`,
//!   in the same namespace.
//! - The Service port (matched by number and protocol) is found on the slice by its
//!   **name** (`""` for an unnamed port); the slice's port number is the Service
//!   port's `targetPort` as resolved on the endpoints. A slice without that port
//!   name contributes nothing.
//! - An endpoint is used when `conditions.ready` is `true` or unset; its first
//!   address reaches it (the others are the same backend).
//! - The same address and port listed twice (in two slices) is one endpoint.
//!
//! Routing never depends on endpoints (a Service with none still resolves); a proxy
//! answers a backend with no ready endpoint itself (503).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::api::EndpointSliceSpec;
use crate::backend::ServiceBackend;
use crate::error::FieldError;
use crate::resources::Resources;

/// The label that ties an EndpointSlice to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// One ready endpoint of a Service port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// An IPv4 or IPv6 address, or a DNS name (`addressType: FQDN`).
    pub address: String,
    /// The port on the endpoint (the Service port's resolved `targetPort`).
    pub port: u16,
}

impl Resources {
    /// The ready endpoints of a Service port, `protocol` being the Service port's
    /// protocol (`TCP`, `UDP` or `SCTP`; a port without one is `TCP`). Empty when
    /// the Service, the port or any ready endpoint is missing. See the
    /// [module docs](crate::endpoints) for the rules.
    pub fn ready_endpoints(&self, backend: &ServiceBackend, protocol: &str) -> Vec<Endpoint> {
        let Some(service) = self
            .services
            .iter()
            .find(|s| s.meta.namespace == backend.namespace && s.meta.name == backend.name)
        else {
            return Vec::new();
        };
        let Some(service_port) = service.spec.ports.iter().find(|p| {
            p.port == Some(i64::from(backend.port))
                && p.protocol.as_deref().unwrap_or("TCP") == protocol
        }) else {
            return Vec::new();
        };
        let port_name = service_port.name.as_deref().unwrap_or("");
        let mut out: Vec<Endpoint> = Vec::new();
        let slices = self.endpoint_slices.iter().filter(|s| {
            s.meta.namespace == backend.namespace
                && s.meta.labels.get(SERVICE_NAME_LABEL).map(String::as_str)
                    == Some(backend.name.as_str())
        });
        for slice in slices {
            let port = slice
                .spec
                .ports
                .iter()
                .find(|p| {
                    p.name.as_deref().unwrap_or("") == port_name
                        && p.protocol.as_deref().unwrap_or("TCP") == protocol
                })
                .and_then(|p| p.port)
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p != 0);
            let Some(port) = port else {
                continue;
            };
            for e in &slice.spec.endpoints {
                let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
                let Some(address) = e.addresses.first().filter(|_| ready) else {
                    continue;
                };
                let endpoint = Endpoint {
                    address: address.clone(),
                    port,
                };
                if !out.contains(&endpoint) {
                    out.push(endpoint);
                }
            }
        }
        out
    }
}

/// EndpointSlice schema rules the API server enforces on the fields Gatewise reads.
pub(crate) fn validate_slice(spec: &EndpointSliceSpec) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let address_type = spec.address_type.as_deref();
    match address_type {
        None => errors.push(FieldError::new("addressType", "required value")),
        Some("IPv4" | "IPv6" | "FQDN") => {}
        Some(other) => errors.push(FieldError::new(
            "addressType",
            format!("unsupported value {other:?}: must be IPv4, IPv6 or FQDN"),
        )),
    }
    if spec.endpoints.len() > 1000 {
        errors.push(FieldError::new(
            "endpoints",
            format!(
                "too many items: must have at most 1000, found {}",
                spec.endpoints.len()
            ),
        ));
    }
    for (i, e) in spec.endpoints.iter().enumerate() {
        let field = format!("endpoints[{i}].addresses");
        if e.addresses.is_empty() || e.addresses.len() > 100 {
            errors.push(FieldError::new(
                &field,
                format!(
                    "must have between 1 and 100 items, found {}",
                    e.addresses.len()
                ),
            ));
        }
        for (j, a) in e.addresses.iter().enumerate() {
            let ok = match address_type {
                Some("IPv4") => a.parse::<Ipv4Addr>().is_ok(),
                Some("IPv6") => a.parse::<Ipv6Addr>().is_ok(),
                Some("FQDN") => is_dns_name(a),
                _ => true,
            };
            if !ok {
                errors.push(FieldError::new(
                    format!("{field}[{j}]"),
                    format!(
                        "invalid address {a:?} for addressType {}",
                        address_type.unwrap_or("")
                    ),
                ));
            }
        }
    }
    if spec.ports.len() > 100 {
        errors.push(FieldError::new(
            "ports",
            format!(
                "too many items: must have at most 100, found {}",
                spec.ports.len()
            ),
        ));
    }
    let mut names: Vec<&str> = Vec::new();
    for (i, p) in spec.ports.iter().enumerate() {
        let name = p.name.as_deref().unwrap_or("");
        if names.contains(&name) {
            errors.push(FieldError::new(
                format!("ports[{i}].name"),
                format!("duplicate port name {name:?}"),
            ));
        } else {
            names.push(name);
        }
        if let Some(port) = p.port
            && !(1..=65535).contains(&port)
        {
            errors.push(FieldError::new(
                format!("ports[{i}].port"),
                format!("must be between 1 and 65535, found {port}"),
            ));
        }
        if let Some(proto) = p.protocol.as_deref()
            && !matches!(proto, "TCP" | "UDP" | "SCTP")
        {
            errors.push(FieldError::new(
                format!("ports[{i}].protocol"),
                format!("unsupported value {proto:?}: must be TCP, UDP or SCTP"),
            ));
        }
    }
    errors
}

/// A DNS name: labels of letters, digits and `-`, separated by dots.
fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.trim_end_matches('.').split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_str;

    const SERVICE: &str = "apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: admin, port: 81}
  - {name: dns, port: 53, protocol: UDP}
";

    fn backend(port: u16) -> ServiceBackend {
        ServiceBackend {
            namespace: "shop".into(),
            name: "web".into(),
            port,
            app_protocol: None,
        }
    }

    fn endpoints(yaml: &str, port: u16, protocol: &str) -> Vec<(String, u16)> {
        let loaded = load_str("t.yaml", &format!("{SERVICE}---\n{yaml}"));
        assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
        loaded
            .resources
            .ready_endpoints(&backend(port), protocol)
            .into_iter()
            .map(|e| (e.address, e.port))
            .collect()
    }

    #[test]
    fn service_port_resolves_by_name_to_the_slice_port() {
        let slice = "apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}, {name: admin, port: 9000}]
endpoints:
- addresses: [10.0.0.1]
- addresses: [10.0.0.2, 10.0.0.9]
  conditions: {ready: true}
";
        assert_eq!(
            endpoints(slice, 80, "TCP"),
            vec![("10.0.0.1".into(), 8080), ("10.0.0.2".into(), 8080)]
        );
        assert_eq!(
            endpoints(slice, 81, "TCP"),
            vec![("10.0.0.1".into(), 9000), ("10.0.0.2".into(), 9000)]
        );
        // No such Service port, or the slice lacks the port's name.
        assert!(endpoints(slice, 82, "TCP").is_empty());
        assert!(endpoints(slice, 53, "UDP").is_empty());
        // The Service port exists for UDP only.
        assert!(endpoints(slice, 53, "TCP").is_empty());
    }

    #[test]
    fn only_ready_endpoints_of_the_services_slices_count() {
        let slices = "apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- addresses: [10.0.0.1]
  conditions: {ready: false}
- addresses: [10.0.0.2]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-2, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- addresses: [10.0.0.2]
- addresses: [10.0.0.3]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: other, namespace: shop, labels: {kubernetes.io/service-name: other}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [10.9.9.9]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-x, namespace: elsewhere, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [10.8.8.8]}]
";
        assert_eq!(
            endpoints(slices, 80, "TCP"),
            vec![("10.0.0.2".into(), 8080), ("10.0.0.3".into(), 8080)]
        );
    }

    #[test]
    fn udp_ports_match_by_protocol() {
        let slice = "apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv6
ports: [{name: dns, port: 5353, protocol: UDP}]
endpoints: [{addresses: ['fd00::1']}]
";
        assert_eq!(endpoints(slice, 53, "UDP"), vec![("fd00::1".into(), 5353)]);
    }

    #[test]
    fn bad_slices_are_rejected_with_the_field() {
        let text = "apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: bad, namespace: shop}
addressType: IPv4
ports: [{name: a, port: 0}, {name: a, port: 80, protocol: HTTP}]
endpoints:
- addresses: []
- addresses: [not-an-ip]
";
        let loaded = load_str("t.yaml", text);
        assert!(loaded.resources.endpoint_slices.is_empty());
        let fields: Vec<_> = loaded.rejections[0]
            .errors
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(
            fields,
            vec![
                "endpoints[0].addresses",
                "endpoints[1].addresses[0]",
                "ports[0].port",
                "ports[1].name",
                "ports[1].protocol"
            ]
        );
        assert_eq!(
            loaded.rejections[0].object.to_string(),
            "EndpointSlice shop/bad"
        );
        let missing = load_str(
            "t.yaml",
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: m}\n",
        );
        assert_eq!(missing.rejections[0].errors[0].field, "addressType");
    }
}
