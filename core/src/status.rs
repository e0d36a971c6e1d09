//! Status: what a conformant controller would write to each object, in the shape
//! of the Kubernetes objects' `status` (`apis/v1/*_types.go`).
//!
//! Only objects that belong to a GatewayClass with our `controllerName` get status:
//! those classes, their Gateways, and the routes whose parentRefs name those
//! Gateways (one `status.parents` entry per such parentRef).

use serde::Serialize;

use crate::time::Timestamp;

/// `metav1.Condition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// e.g. `Accepted`.
    #[serde(rename = "type")]
    pub type_: &'static str,
    /// `True`, `False` or `Unknown`.
    pub status: &'static str,
    /// The spec's reason, e.g. `NotAllowedByListeners`.
    pub reason: &'static str,
    /// A sentence for people.
    pub message: String,
    /// The caller's `now` (the core reads no clock).
    pub last_transition_time: Timestamp,
    /// `metadata.generation` of the object.
    pub observed_generation: i64,
}

impl Condition {
    pub(crate) fn new(
        type_: &'static str,
        ok: bool,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Condition {
        Condition {
            type_,
            status: if ok { "True" } else { "False" },
            reason,
            message: message.into(),
            last_transition_time: Timestamp::default(),
            observed_generation: 0,
        }
    }

    /// Whether the condition is `True`.
    pub fn is_true(&self) -> bool {
        self.status == "True"
    }
}

/// A `RouteGroupKind` in status.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GroupKind {
    /// API group.
    pub group: String,
    /// Kind.
    pub kind: String,
}

/// The status of every object Gatewise handles, sorted by kind, namespace, name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Status {
    /// GatewayClasses with our controller name.
    pub gateway_classes: Vec<GatewayClassStatus>,
    /// Gateways of those classes.
    pub gateways: Vec<GatewayStatus>,
    /// ListenerSets whose parent is one of those Gateways.
    pub listener_sets: Vec<ListenerSetStatus>,
    /// Routes of every kind (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute)
    /// that name one of those Gateways or their ListenerSets, sorted by kind,
    /// namespace and name.
    pub routes: Vec<RouteStatus>,
}

/// GatewayClass status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayClassStatus {
    /// `metadata.name`.
    pub name: String,
    /// `status.conditions`.
    pub conditions: Vec<Condition>,
}

/// Gateway status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayStatus {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `status.addresses`: the requested addresses Gatewise would use.
    pub addresses: Vec<AddressStatus>,
    /// `status.conditions`.
    pub conditions: Vec<Condition>,
    /// `status.listeners`.
    pub listeners: Vec<ListenerStatus>,
    /// `status.attachedListenerSets`: ListenerSets accepted by this Gateway.
    pub attached_listener_sets: u32,
}

/// ListenerSet status (`apis/v1/listenerset_types.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerSetStatus {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `status.conditions`: Accepted, Programmed.
    pub conditions: Vec<Condition>,
    /// `status.listeners`, one per entry of `spec.listeners`.
    pub listeners: Vec<ListenerStatus>,
}

/// One `status.addresses` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressStatus {
    /// `IPAddress` or `Hostname`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The address.
    pub value: String,
}

/// One `status.listeners` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerStatus {
    /// Listener name.
    pub name: String,
    /// Route kinds this listener supports.
    pub supported_kinds: Vec<GroupKind>,
    /// Routes accepted on this listener.
    pub attached_routes: u32,
    /// `conditions`.
    pub conditions: Vec<Condition>,
}

/// A route's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteStatus {
    /// `HTTPRoute`.
    pub kind: &'static str,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `status.parents`, one per parentRef that names one of our Gateways.
    pub parents: Vec<RouteParentStatus>,
}

/// One `status.parents` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteParentStatus {
    /// The parentRef as written, with defaults filled in.
    pub parent_ref: ParentRefStatus,
    /// Our controller name.
    pub controller_name: String,
    /// `conditions`.
    pub conditions: Vec<Condition>,
}

/// A parentRef in status, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRefStatus {
    /// API group.
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Listener name, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    /// Port, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// `metadata.generation` of the objects of a [`Status`], list by list, in the
/// same order (for [`Status::stamped`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Generations {
    pub(crate) gateway_classes: Vec<i64>,
    pub(crate) gateways: Vec<i64>,
    pub(crate) listener_sets: Vec<i64>,
    pub(crate) routes: Vec<i64>,
}

impl Status {
    /// Whether no handled object (GatewayClass, Gateway, listener, route parent) has
    /// `Accepted=False`: the gate a CI check uses, in every front end.
    pub fn all_accepted(&self) -> bool {
        let accepted = |c: &[Condition]| !c.iter().any(|c| c.type_ == "Accepted" && !c.is_true());
        self.gateway_classes.iter().all(|c| accepted(&c.conditions))
            && self.gateways.iter().all(|g| {
                accepted(&g.conditions) && g.listeners.iter().all(|l| accepted(&l.conditions))
            })
            && self.listener_sets.iter().all(|s| {
                accepted(&s.conditions) && s.listeners.iter().all(|l| accepted(&l.conditions))
            })
            && self
                .routes
                .iter()
                .all(|r| r.parents.iter().all(|p| accepted(&p.conditions)))
    }

    /// Stamps every condition with `now` and each object's generation.
    pub(crate) fn stamp(&mut self, now: Timestamp, generations: &Generations) {
        let generation = |list: &[i64], i: usize| list.get(i).copied().unwrap_or(0);
        let out = self;
        let stamp = |conds: &mut Vec<Condition>, g: i64| {
            for c in conds {
                c.last_transition_time = now;
                c.observed_generation = g;
            }
        };
        for (i, c) in out.gateway_classes.iter_mut().enumerate() {
            stamp(
                &mut c.conditions,
                generation(&generations.gateway_classes, i),
            );
        }
        for (i, g) in out.gateways.iter_mut().enumerate() {
            let gen_ = generation(&generations.gateways, i);
            stamp(&mut g.conditions, gen_);
            for l in &mut g.listeners {
                stamp(&mut l.conditions, gen_);
            }
        }
        for (i, s) in out.listener_sets.iter_mut().enumerate() {
            let gen_ = generation(&generations.listener_sets, i);
            stamp(&mut s.conditions, gen_);
            for l in &mut s.listeners {
                stamp(&mut l.conditions, gen_);
            }
        }
        for (i, r) in out.routes.iter_mut().enumerate() {
            let gen_ = generation(&generations.routes, i);
            for p in &mut r.parents {
                stamp(&mut p.conditions, gen_);
            }
        }
    }

    /// Every object as a Kubernetes-shaped value: `apiVersion`, `kind`,
    /// `metadata.{name,namespace}` and `status`, as `kubectl get -o json` shows it.
    pub fn to_kubernetes(&self) -> Vec<serde_json::Value> {
        use serde_json::json;
        let mut out = Vec::new();
        for c in &self.gateway_classes {
            out.push(json!({
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
                "metadata": {"name": c.name},
                "status": {"conditions": c.conditions},
            }));
        }
        for g in &self.gateways {
            out.push(json!({
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                "metadata": {"name": g.name, "namespace": g.namespace},
                "status": {
                    "addresses": g.addresses, "conditions": g.conditions,
                    "listeners": g.listeners, "attachedListenerSets": g.attached_listener_sets,
                },
            }));
        }
        for s in &self.listener_sets {
            out.push(json!({
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "ListenerSet",
                "metadata": {"name": s.name, "namespace": s.namespace},
                "status": {"conditions": s.conditions, "listeners": s.listeners},
            }));
        }
        for r in &self.routes {
            out.push(json!({
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": r.kind,
                "metadata": {"name": r.name, "namespace": r.namespace},
                "status": {"parents": r.parents},
            }));
        }
        out
    }
}
