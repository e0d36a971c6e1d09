//! Backends: resolving a `backendRef` (or a mirror's) to a Service port.
//!
//! A reference is valid when its group/kind is core `Service`, the Service exists,
//! it has the referenced port, and a cross-namespace reference is permitted by a
//! ReferenceGrant. Otherwise it is invalid with the spec's reason (`InvalidKind`,
//! `BackendNotFound`, `RefNotPermitted`) and its share of traffic is answered 500.
//! A Service with no endpoints still resolves: endpoints are the proxy's concern.

use std::collections::HashMap;

use serde::Serialize;

use crate::api::{BackendObjectReference, ServiceSpec};
use crate::reference_grant::{self, RefEnd};
use crate::resources::{Object, Resources};

/// A resolved Service port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceBackend {
    /// Service namespace.
    pub namespace: String,
    /// Service name.
    pub name: String,
    /// Service port.
    pub port: u16,
    /// The port's `appProtocol`, e.g. `kubernetes.io/h2c`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

/// Why a reference does not resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidBackend {
    /// The route condition reason: `InvalidKind`, `BackendNotFound`, `RefNotPermitted`.
    pub reason: &'static str,
    /// A sentence naming the reference.
    pub message: String,
}

/// Services by namespace and name, built once per compile so that resolving a
/// reference does not scan every Service (quadratic at thousands of routes).
/// Of duplicates, the first is kept, as a scan would find it.
#[derive(Debug)]
pub(crate) struct Services<'r>(HashMap<(&'r str, &'r str), &'r Object<ServiceSpec>>);

impl<'r> Services<'r> {
    pub(crate) fn new(resources: &'r Resources) -> Self {
        let mut map = HashMap::with_capacity(resources.services.len());
        for s in &resources.services {
            map.entry((s.meta.namespace.as_str(), s.meta.name.as_str()))
                .or_insert(s);
        }
        Services(map)
    }
}

pub(crate) fn resolve(
    resources: &Resources,
    services: &Services<'_>,
    from_kind: &str,
    from_namespace: &str,
    field: &str,
    r: &BackendObjectReference,
) -> Result<ServiceBackend, InvalidBackend> {
    let group = r.group.as_deref().unwrap_or("");
    let kind = r.kind.as_deref().unwrap_or("Service");
    let name = r.name.as_deref().unwrap_or("");
    let namespace = r.namespace.as_deref().unwrap_or(from_namespace);
    if !group.is_empty() || kind != "Service" {
        let shown = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{group}/{kind}")
        };
        return Err(InvalidBackend {
            reason: "InvalidKind",
            message: format!(
                "{field}: unsupported backend kind {shown} (only core Service is supported)"
            ),
        });
    }
    let from = RefEnd {
        group: crate::GATEWAY_GROUP,
        kind: from_kind,
        namespace: from_namespace,
    };
    let to = RefEnd {
        group: "",
        kind: "Service",
        namespace,
    };
    if !reference_grant::permits(resources, from, to, name) {
        return Err(InvalidBackend {
            reason: "RefNotPermitted",
            message: format!(
                "{field}: reference to Service {namespace}/{name} is not permitted by any ReferenceGrant in {namespace}"
            ),
        });
    }
    let Some(service) = services.0.get(&(namespace, name)) else {
        return Err(InvalidBackend {
            reason: "BackendNotFound",
            message: format!("{field}: Service {namespace}/{name} not found"),
        });
    };
    let wanted = r.port.unwrap_or(0);
    let Some(port) = service.spec.ports.iter().find(|p| p.port == Some(wanted)) else {
        return Err(InvalidBackend {
            reason: "BackendNotFound",
            message: format!("{field}: Service {namespace}/{name} has no port {wanted}"),
        });
    };
    Ok(ServiceBackend {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        port: u16::try_from(wanted).unwrap_or(0),
        app_protocol: port.app_protocol.clone(),
    })
}
