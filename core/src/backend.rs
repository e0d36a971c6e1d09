//! Backends: resolving a `backendRef` (or a mirror's) to a Service port.
//!
//! A reference is valid when its group/kind is core `Service`, the Service exists,
//! it has the referenced port, and a cross-namespace reference is permitted by a
//! ReferenceGrant. Otherwise it is invalid with the spec's reason (`InvalidKind`,
//! `BackendNotFound`, `RefNotPermitted`) and its share of traffic is answered 500.
//! A Service with no endpoints still resolves: endpoints are the proxy's concern.

use serde::Serialize;

use crate::api::{BackendObjectReference, HttpBackendRef, ServiceSpec};
use crate::reference_grant::{self, RefEnd};
use crate::resources::{Object, Resources};
use crate::router::IndexMap;

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
///
/// Hashed with the router's multiplicative hash: SipHash over every backendRef's
/// namespace and name was 5% of a 10k-route compile.
#[derive(Debug)]
pub(crate) struct Services<'r>(IndexMap<(&'r str, &'r str), &'r Object<ServiceSpec>>);

impl<'r> Services<'r> {
    pub(crate) fn new(resources: &'r Resources) -> Self {
        let mut map =
            IndexMap::with_capacity_and_hasher(resources.services.len(), Default::default());
        for s in &resources.services {
            map.entry((s.meta.namespace.as_str(), s.meta.name.as_str()))
                .or_insert(s);
        }
        Services(map)
    }
}

/// A backend reference's fields, borrowed from a backendRef or a mirror's
/// backendRef (copying them into a [`BackendObjectReference`] for every backend
/// of every rule cost four allocations each at compile).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RefFields<'a> {
    pub(crate) group: Option<&'a str>,
    pub(crate) kind: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    pub(crate) namespace: Option<&'a str>,
    pub(crate) port: Option<i64>,
}

impl<'a> From<&'a BackendObjectReference> for RefFields<'a> {
    fn from(r: &'a BackendObjectReference) -> Self {
        RefFields {
            group: r.group.as_deref(),
            kind: r.kind.as_deref(),
            name: r.name.as_deref(),
            namespace: r.namespace.as_deref(),
            port: r.port,
        }
    }
}

impl<'a> From<&'a HttpBackendRef> for RefFields<'a> {
    fn from(r: &'a HttpBackendRef) -> Self {
        RefFields {
            group: r.group.as_deref(),
            kind: r.kind.as_deref(),
            name: r.name.as_deref(),
            namespace: r.namespace.as_deref(),
            port: r.port,
        }
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
    resolve_ref(
        resources,
        services,
        from_kind,
        from_namespace,
        || field.to_owned(),
        r.into(),
    )
}

/// [`resolve`] with the reference borrowed and the field path (for messages
/// only) built only when the reference is invalid.
pub(crate) fn resolve_ref(
    resources: &Resources,
    services: &Services<'_>,
    from_kind: &str,
    from_namespace: &str,
    field: impl Fn() -> String,
    r: RefFields<'_>,
) -> Result<ServiceBackend, InvalidBackend> {
    let group = r.group.unwrap_or("");
    let kind = r.kind.unwrap_or("Service");
    let name = r.name.unwrap_or("");
    let namespace = r.namespace.unwrap_or(from_namespace);
    if !group.is_empty() || kind != "Service" {
        let shown = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{group}/{kind}")
        };
        return Err(InvalidBackend {
            reason: "InvalidKind",
            message: format!(
                "{}: unsupported backend kind {shown} (only core Service is supported)",
                field()
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
                "{}: reference to Service {namespace}/{name} is not permitted by any ReferenceGrant in {namespace}",
                field()
            ),
        });
    }
    let Some(service) = services.0.get(&(namespace, name)) else {
        return Err(InvalidBackend {
            reason: "BackendNotFound",
            message: format!("{}: Service {namespace}/{name} not found", field()),
        });
    };
    let wanted = r.port.unwrap_or(0);
    let Some(port) = service.spec.ports.iter().find(|p| p.port == Some(wanted)) else {
        return Err(InvalidBackend {
            reason: "BackendNotFound",
            message: format!(
                "{}: Service {namespace}/{name} has no port {wanted}",
                field()
            ),
        });
    };
    Ok(ServiceBackend {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        port: u16::try_from(wanted).unwrap_or(0),
        app_protocol: port.app_protocol.clone(),
    })
}
