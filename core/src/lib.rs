//! Gatewise: the Kubernetes Gateway API as a library.
#![forbid(unsafe_code)]

pub mod api;
mod backend;
mod compile;
mod decision;
pub mod duration;
mod error;
mod explain;
pub mod filter;
mod hostname;
pub mod load;
mod matcher;
pub mod path;
mod precedence;
mod reference_grant;
mod request;
mod resources;
mod router;
mod status;
mod time;
pub mod validate;
mod view;

pub use backend::{InvalidBackend, ServiceBackend};
pub use compile::{Compiled, DEFAULT_CONTROLLER_NAME, Options};
pub use decision::{
    Decision, Forward, GatewayRef, Matched, Pick, RedirectTo, Reject, Respond, UpstreamRequest,
};
pub use error::{FieldError, LoadError, ObjectRef, Rejection, Skipped, SourceLocation, Warning};
pub use explain::Explanation;
pub use hostname::Hostname;
pub use load::{Loaded, Loader, load_str};
pub use matcher::{Mismatch, PathKind, REGEX_SIZE_LIMIT};
pub use precedence::{HostnameRank, PathRank, PrecedenceKey};
pub use request::{Headers, HttpRequest, Scheme};
pub use resources::{Meta, Object, Resources};
pub use router::{
    BackendFilters, BackendTarget, Certificate, ListenerInfo, Mirror, Protocol, Router,
    RuleFilters, Timeouts, WeightedBackend,
};
pub use status::{
    AddressStatus, Condition, GatewayClassStatus, GatewayStatus, GroupKind, ListenerStatus,
    ParentRefStatus, RouteParentStatus, RouteStatus, Status,
};
pub use time::Timestamp;
pub use view::{BackendView, DecisionView, MirrorView, RouteView};

/// The Gateway API group.
pub const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";
