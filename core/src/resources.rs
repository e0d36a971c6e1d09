//! The loaded, validated objects: what compile reads.

use std::collections::BTreeMap;

use crate::api::{
    EndpointSliceSpec, GatewayClassSpec, GatewaySpec, GrpcRouteSpec, HttpRouteSpec,
    ListenerSetSpec, ReferenceGrantSpec, SecretSpec, ServiceSpec, StreamRouteSpec, TlsRouteSpec,
};
use crate::error::{ObjectRef, SourceLocation};
use crate::time::Timestamp;

/// Metadata every object carries once loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (`default` when omitted); empty for cluster-scoped kinds.
    pub namespace: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `metadata.creationTimestamp`, or the loader's default (see [`crate::load`]).
    pub created: Timestamp,
    /// `metadata.generation` (0 when absent).
    pub generation: i64,
    /// Where the object was read.
    pub location: SourceLocation,
}

/// One object: metadata plus its spec in wire form (already validated).
#[derive(Debug, Clone)]
pub struct Object<S> {
    /// Metadata.
    pub meta: Meta,
    /// The spec, valid against the CRD schema and CEL rules.
    pub spec: S,
}

impl<S> Object<S> {
    /// `namespace/name` (or `name` for cluster-scoped objects).
    pub fn key(&self) -> String {
        if self.meta.namespace.is_empty() {
            self.meta.name.clone()
        } else {
            format!("{}/{}", self.meta.namespace, self.meta.name)
        }
    }

    /// The object reference used in messages.
    pub fn object_ref(&self, kind: &str) -> ObjectRef {
        ObjectRef::new(kind, self.meta.namespace.clone(), self.meta.name.clone())
    }
}

/// Every object Gatewise reads, sorted by namespace and name within each kind so
/// that compile sees the same thing whatever the input order.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Resources {
    /// GatewayClasses.
    pub gateway_classes: Vec<Object<GatewayClassSpec>>,
    /// Gateways.
    pub gateways: Vec<Object<GatewaySpec>>,
    /// HTTPRoutes.
    pub http_routes: Vec<Object<HttpRouteSpec>>,
    /// GRPCRoutes.
    pub grpc_routes: Vec<Object<GrpcRouteSpec>>,
    /// TLSRoutes (v1, v1alpha2, v1alpha3).
    pub tls_routes: Vec<Object<TlsRouteSpec>>,
    /// TCPRoutes (v1, v1alpha2).
    pub tcp_routes: Vec<Object<StreamRouteSpec>>,
    /// UDPRoutes (v1, v1alpha2).
    pub udp_routes: Vec<Object<StreamRouteSpec>>,
    /// ListenerSets.
    pub listener_sets: Vec<Object<ListenerSetSpec>>,
    /// ReferenceGrants (v1 and v1beta1).
    pub reference_grants: Vec<Object<ReferenceGrantSpec>>,
    /// Namespaces (for their labels; the spec is not read).
    pub namespaces: Vec<Object<()>>,
    /// Services.
    pub services: Vec<Object<ServiceSpec>>,
    /// Secrets.
    pub secrets: Vec<Object<SecretSpec>>,
    /// EndpointSlices (`discovery.k8s.io/v1`), see [`Resources::ready_endpoints`].
    pub endpoint_slices: Vec<Object<EndpointSliceSpec>>,
}

impl Resources {
    /// The labels of a namespace: those of its Namespace object if loaded, plus
    /// `kubernetes.io/metadata.name`, which the API server sets on every namespace.
    pub fn namespace_labels(&self, namespace: &str) -> BTreeMap<String, String> {
        let mut labels = self
            .namespaces
            .iter()
            .find(|n| n.meta.name == namespace)
            .map(|n| n.meta.labels.clone())
            .unwrap_or_default();
        labels.insert("kubernetes.io/metadata.name".into(), namespace.into());
        labels
    }

    pub(crate) fn sort(&mut self) {
        fn by_key<S>(v: &mut [Object<S>]) {
            v.sort_by(|a, b| {
                (&a.meta.namespace, &a.meta.name).cmp(&(&b.meta.namespace, &b.meta.name))
            });
        }
        by_key(&mut self.gateway_classes);
        by_key(&mut self.gateways);
        by_key(&mut self.http_routes);
        by_key(&mut self.grpc_routes);
        by_key(&mut self.tls_routes);
        by_key(&mut self.tcp_routes);
        by_key(&mut self.udp_routes);
        by_key(&mut self.listener_sets);
        by_key(&mut self.reference_grants);
        by_key(&mut self.namespaces);
        by_key(&mut self.services);
        by_key(&mut self.secrets);
        by_key(&mut self.endpoint_slices);
    }
}
