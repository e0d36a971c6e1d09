//! The compiled, immutable router and its index.
//!
//! # Index
//!
//! Each listener keeps its match entries (one per attached hostname, rule and
//! match) sorted by [`PrecedenceKey`](crate::PrecedenceKey), and indexes them by hostname group and path:
//!
//! - hostname groups: the request host's exact name, then each wildcard suffix from
//!   the longest (`*.b.example.com` before `*.example.com`), then routes with no
//!   hostname. The hostname is the first precedence criterion, so the first group
//!   with a matching entry decides. A host has as many groups as labels.
//! - within a group: `Exact` entries, then regular expressions (a few hundred
//!   at a time in a `RegexSet`, so a path none of them matches passes them in
//!   one search; each expression also skipped without running when the path
//!   lacks its literal prefix), then `PathPrefix` entries from the longest.
//!   `Exact` and `PathPrefix` values share one radix tree of bytes per group
//!   ([`PathArena`]: flat arrays, children contiguous): the path is walked down
//!   once; the node it ends on holds the `Exact` entries, and the prefixes are
//!   tried on the way back up, where the path has an element boundary.
//!   Each node lists entries in precedence order; the first whose method, header
//!   and query conditions hold wins.
//! - within a node's list: a list of more than
//!   [`HeaderIndex::MIN_CANDIDATES`] entries (many routes on one path, told
//!   apart by headers) may get an index on one header's `Exact` values, so a
//!   lookup tries only the entries requiring the request's value and those not
//!   constraining that header, still in precedence order (the policy that
//!   picks the header: [`header_index`]).
//!
//! This gives exactly what a linear scan of every entry in precedence order gives
//! (the explanation performs that scan), at a cost that does not grow with the
//! number of routes on other hostnames or paths.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use regex::{RegexSet, RegexSetBuilder};

mod header_index;

use header_index::HeaderIndex;

use crate::backend::ServiceBackend;
use crate::filter::cors::Cors;
use crate::filter::header::HeaderModifier;
use crate::filter::redirect::Redirect;
use crate::filter::rewrite::UrlRewrite;
use crate::hostname::Hostname;
use crate::matcher::{PathMatch, REGEX_SIZE_LIMIT, RouteMatch};
use crate::precedence::EntryKey;
use crate::request::HttpRequest;
use crate::time::Timestamp;

/// The compiled router: immutable, `Send + Sync`, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Router {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    /// The Gateways by namespace and name.
    pub(crate) gateways: Gateways,
    pub(crate) routes: Vec<RouteInfo>,
    pub(crate) rules: Vec<RuleRt>,
}

#[derive(Debug)]
pub(crate) struct RouteInfo {
    pub(crate) kind: &'static str,
    /// Shared with the route's rules ([`RuleRt::route_namespace`]).
    pub(crate) namespace: Arc<str>,
    pub(crate) name: Arc<str>,
    /// `metadata.creationTimestamp`, for the full precedence key of its entries.
    pub(crate) created: Timestamp,
}

/// The router's Gateways, found by namespace and name.
#[derive(Debug, Default)]
pub(crate) struct Gateways {
    /// In the order compile inserts them.
    list: Vec<NamedGateway>,
    /// namespace → name → position in `list` (two borrowed-key lookups, no
    /// allocation), for more than [`Gateways::FEW`] Gateways.
    by_name: IndexMap<String, IndexMap<String, u32>>,
}

#[derive(Debug)]
struct NamedGateway {
    namespace: String,
    name: String,
    gateway: GatewayRt,
}

impl Gateways {
    /// Up to this many Gateways (the usual case is one) are compared in turn:
    /// cheaper than hashing both names.
    const FEW: usize = 4;

    /// Adds a Gateway (replacing one of the same namespace and name) and
    /// indexes its listeners by port and protocol.
    pub(crate) fn insert(&mut self, namespace: String, name: String, mut gateway: GatewayRt) {
        gateway.index_ports();
        let names = self.by_name.entry(namespace.clone()).or_default();
        if let Some(old) = names
            .get(name.as_str())
            .and_then(|&i| self.list.get_mut(i as usize))
        {
            old.gateway = gateway;
            return;
        }
        names.insert(name.clone(), to_u32(self.list.len()));
        self.list.push(NamedGateway {
            namespace,
            name,
            gateway,
        });
    }

    /// The Gateway `namespace`/`name`.
    #[inline]
    pub(crate) fn get(&self, namespace: &str, name: &str) -> Option<&GatewayRt> {
        if self.list.len() > Gateways::FEW {
            return self.get_by_name(namespace, name);
        }
        self.list
            .iter()
            .find(|g| {
                same_bytes(g.name.as_bytes(), name.as_bytes())
                    && same_bytes(g.namespace.as_bytes(), namespace.as_bytes())
            })
            .map(|g| &g.gateway)
    }

    /// [`Gateways::get`] by the maps, out of line (the usual few Gateways
    /// then save the registers the hashing needs).
    #[inline(never)]
    fn get_by_name(&self, namespace: &str, name: &str) -> Option<&GatewayRt> {
        let i = *self.by_name.get(namespace)?.get(name)?;
        self.list.get(i as usize).map(|g| &g.gateway)
    }

    /// Every Gateway as (namespace, name, Gateway), in insertion order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str, &GatewayRt)> {
        self.list
            .iter()
            .map(|g| (g.namespace.as_str(), g.name.as_str(), &g.gateway))
    }
}

#[derive(Debug, Default)]
pub(crate) struct GatewayRt {
    /// Every listener, programmed or not (unprogrammed ones never serve).
    pub(crate) listeners: Vec<ListenerRt>,
    /// The programmed listeners of each port and protocol, what choosing a
    /// listener reads ([`GatewayRt::index_ports`]).
    pub(crate) ports: Vec<PortListeners>,
}

/// The programmed listeners of one port and protocol, in the order a request
/// tries them: the most specific hostname first (an exact name, then
/// wildcards from the longest suffix, then no hostname; among equals the
/// later listener first), so the first whose hostname matches is the most
/// specific match. A port with one listener is one comparison.
#[derive(Debug)]
pub(crate) struct PortListeners {
    pub(crate) port: u16,
    pub(crate) protocol: Protocol,
    /// Positions in [`GatewayRt::listeners`].
    pub(crate) order: Vec<u32>,
}

/// A listener protocol Gatewise serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Protocol {
    /// `HTTP`.
    #[serde(rename = "HTTP")]
    Http,
    /// `HTTPS` (TLS terminated with the listener's certificate).
    #[serde(rename = "HTTPS")]
    Https,
    /// `TLS` (mode `Passthrough` or `Terminate`, see [`ListenerInfo::tls_mode`]).
    #[serde(rename = "TLS")]
    Tls,
    /// `TCP`.
    #[serde(rename = "TCP")]
    Tcp,
    /// `UDP`.
    #[serde(rename = "UDP")]
    Udp,
}

impl Protocol {
    /// The protocol name as written in a Gateway.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tls => "TLS",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }
}

/// How a `TLS` listener treats the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TlsMode {
    /// The gateway reads the server name and forwards the encrypted stream.
    Passthrough,
    /// The gateway terminates TLS with the listener's certificate and forwards
    /// the plaintext stream.
    Terminate,
}

impl TlsMode {
    /// `Passthrough` or `Terminate`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Passthrough => "Passthrough",
            TlsMode::Terminate => "Terminate",
        }
    }
}

/// A TLS certificate and key for an HTTPS listener, as PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The Secret's namespace.
    pub namespace: String,
    /// The Secret's name.
    pub name: String,
    /// `tls.crt`.
    pub cert_pem: Vec<u8>,
    /// `tls.key`.
    pub key_pem: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct ListenerRt {
    pub(crate) name: String,
    pub(crate) port: u16,
    /// `None`: a protocol Gatewise does not serve.
    pub(crate) protocol: Option<Protocol>,
    pub(crate) hostname: Option<Hostname>,
    pub(crate) programmed: bool,
    /// For `TLS` listeners.
    pub(crate) tls_mode: Option<TlsMode>,
    pub(crate) certificates: Vec<Certificate>,
    /// Sorted by precedence (hostname excluded): position is rank.
    pub(crate) entries: Vec<Entry>,
    pub(crate) index: HostIndex,
    /// The path indexes of `index`'s groups.
    pub(crate) paths: PathArena,
    /// GRPCRoute entries, sorted by the GRPCRoute precedence (hostname excluded).
    pub(crate) grpc_entries: Vec<Entry>,
    pub(crate) grpc_index: GrpcIndex,
}

/// GRPCRoute entries by hostname group; within a group, entries in precedence
/// order are tried one by one (gRPC services per hostname are few).
#[derive(Debug, Default)]
pub(crate) struct GrpcIndex {
    pub(crate) exact: HashMap<Box<str>, Vec<u32>>,
    pub(crate) wildcard: HashMap<Box<str>, Vec<u32>>,
    pub(crate) any: Vec<u32>,
}

/// `repr(C)`, fields in this order: what a decision reads (the rule, the
/// match's method, header and query conditions) comes first, in the entry's
/// first cache line; the precedence key, read at compile only, last.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct Entry {
    pub(crate) rule: u32,
    pub(crate) match_index: u16,
    pub(crate) m: RouteMatch,
    pub(crate) hostname: Option<Hostname>,
    /// The precedence key with the route's rank in place of its creation
    /// timestamp and name ([`Router::precedence_key`] gives the full key).
    pub(crate) key: EntryKey,
}

/// The winner of a lookup: its rule and match index (what a decision reports).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) rule: u32,
    pub(crate) match_index: u16,
}

impl From<&Entry> for Hit {
    fn from(e: &Entry) -> Hit {
        Hit {
            rule: e.rule,
            match_index: e.match_index,
        }
    }
}

/// An entry as a path-tree node lists it: what a decision needs when the
/// entry has no method, header or query condition (`plain`), so the winner is
/// reported without reading the entry itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub(crate) entry: u32,
    pub(crate) rule: u32,
    pub(crate) match_index: u16,
    pub(crate) plain: bool,
}

/// What a rule does once chosen.
#[derive(Debug)]
pub(crate) enum Action {
    Forward {
        backends: Vec<WeightedBackend>,
        total: u64,
    },
    Redirect(Redirect),
    /// Answered by the gateway (500: no valid backend, unsupported extension).
    Respond {
        status: u16,
        reason: &'static str,
    },
}

/// `repr(C)`, fields in this order: what every decision reads (whether a
/// CORS filter applies, the action) comes first, then what an attribution
/// reads (the route, the rule's index and name: [`Forward::matched`] builds
/// it only when asked); the filters, read only when present, last.
///
/// [`Forward::matched`]: crate::Forward::matched
#[derive(Debug)]
#[repr(C)]
pub(crate) struct RuleRt {
    /// `filters.cors.is_some()`, beside the fields a decision reads.
    pub(crate) has_cors: bool,
    pub(crate) action: Action,
    pub(crate) route: u32,
    pub(crate) index: u16,
    /// The route's kind, namespace and name, as [`RouteInfo`] has them: a
    /// decision reports them from the rule it already reads.
    pub(crate) route_kind: &'static str,
    pub(crate) route_namespace: Arc<str>,
    pub(crate) route_name: Arc<str>,
    pub(crate) name: Option<String>,
    /// For ReplacePrefixMatch: the rule's only PathPrefix value, else `/`
    /// (one `/` shared by the rules of a compile).
    pub(crate) matched_prefix: Arc<str>,
    pub(crate) filters: Filters<RuleFilters>,
}

/// Filters that apply to every request a rule forwards.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleFilters {
    /// `RequestHeaderModifier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_headers: Option<HeaderModifier>,
    /// `ResponseHeaderModifier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<HeaderModifier>,
    /// `URLRewrite`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<UrlRewrite>,
    /// `RequestMirror` (valid mirrors only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<Mirror>,
    /// `CORS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    /// `timeouts`.
    #[serde(skip_serializing_if = "Timeouts::is_empty")]
    pub timeouts: Timeouts,
}

/// HTTPRoute `timeouts` (GEP-1742). `Some(Duration::ZERO)` means the timeout is
/// explicitly disabled (`0s`); `None` means unset (Gatewise sets no timeout).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeouts {
    /// The whole request.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_duration"
    )]
    pub request: Option<std::time::Duration>,
    /// One attempt to the backend.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_duration"
    )]
    pub backend_request: Option<std::time::Duration>,
}

impl Timeouts {
    fn is_empty(&self) -> bool {
        self.request.is_none() && self.backend_request.is_none()
    }
}

fn ser_duration<S: serde::Serializer>(
    d: &Option<std::time::Duration>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(&format_args!("{}ms", d.as_millis())),
        None => s.serialize_none(),
    }
}

/// A mirror target: a copy of the request goes to `backend` for the given share.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mirror {
    /// Where the copy goes.
    pub backend: ServiceBackend,
    /// Share of requests mirrored: numerator / denominator (100% when equal).
    pub numerator: u32,
    /// See `numerator`.
    pub denominator: u32,
}

impl Mirror {
    /// The mirrored share in percent.
    pub fn percent(&self) -> f64 {
        if self.denominator == 0 {
            0.0
        } else {
            f64::from(self.numerator) * 100.0 / f64::from(self.denominator)
        }
    }

    /// Whether a request with the caller's random number is mirrored.
    pub fn sampled(&self, random: u64) -> bool {
        self.denominator != 0 && random % u64::from(self.denominator) < u64::from(self.numerator)
    }
}

/// One backendRef of a rule, resolved or not.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightedBackend {
    /// `weight` (default 1).
    pub weight: u32,
    /// The Service port, or why the reference is invalid (its share is answered 500).
    #[serde(flatten)]
    pub target: BackendTarget,
    /// Filters applied when this backend is chosen.
    #[serde(skip_serializing_if = "Filters::is_none")]
    pub filters: Filters<BackendFilters>,
}

/// A backendRef's target.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum BackendTarget {
    /// Resolved.
    Service(ServiceBackend),
    /// Not resolved; requests for this share get 500.
    Invalid(crate::backend::InvalidBackend),
}

/// Filters of one backendRef.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendFilters {
    /// `RequestHeaderModifier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_headers: Option<HeaderModifier>,
    /// `ResponseHeaderModifier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<HeaderModifier>,
    /// `URLRewrite`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<UrlRewrite>,
    /// `RequestMirror`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<Mirror>,
}

impl BackendFilters {
    fn is_empty(&self) -> bool {
        self.request_headers.is_none()
            && self.response_headers.is_none()
            && self.rewrite.is_none()
            && self.mirrors.is_empty()
    }
}

impl RuleFilters {
    fn is_empty(&self) -> bool {
        self.request_headers.is_none()
            && self.response_headers.is_none()
            && self.rewrite.is_none()
            && self.mirrors.is_empty()
            && self.cors.is_none()
            && self.timeouts.is_empty()
    }
}

/// A rule's or a backendRef's filters, stored out of line and only when there
/// are any: almost every rule and backendRef has none, and [`RuleFilters`] and
/// [`BackendFilters`] take hundreds of bytes inline (at 10k routes, megabytes
/// of empty filters written and copied at every compile). Reads as the filters
/// (`Deref`), empty ones when none were configured; serialises as they do.
#[derive(Debug, Clone, Default)]
pub struct Filters<T>(Option<Box<T>>);

static NO_RULE_FILTERS: RuleFilters = RuleFilters {
    request_headers: None,
    response_headers: None,
    rewrite: None,
    mirrors: Vec::new(),
    cors: None,
    timeouts: Timeouts {
        request: None,
        backend_request: None,
    },
};

static NO_BACKEND_FILTERS: BackendFilters = BackendFilters {
    request_headers: None,
    response_headers: None,
    rewrite: None,
    mirrors: Vec::new(),
};

impl<T> Filters<T> {
    /// Whether no filter is configured.
    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

impl Filters<RuleFilters> {
    pub(crate) fn new(f: RuleFilters) -> Self {
        Filters((!f.is_empty()).then(|| Box::new(f)))
    }
}

impl Filters<BackendFilters> {
    pub(crate) fn new(f: BackendFilters) -> Self {
        Filters((!f.is_empty()).then(|| Box::new(f)))
    }
}

impl std::ops::Deref for Filters<RuleFilters> {
    type Target = RuleFilters;

    fn deref(&self) -> &RuleFilters {
        self.0.as_deref().unwrap_or(&NO_RULE_FILTERS)
    }
}

impl std::ops::Deref for Filters<BackendFilters> {
    type Target = BackendFilters;

    fn deref(&self) -> &BackendFilters {
        self.0.as_deref().unwrap_or(&NO_BACKEND_FILTERS)
    }
}

impl<T: serde::Serialize> serde::Serialize for Filters<T>
where
    Filters<T>: std::ops::Deref<Target = T>,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        T::serialize(self, s)
    }
}

/// Entries of one hostname group, indexed by path: ranges of the listener's
/// [`PathArena`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct PathIndex {
    /// The group's path tree (`Exact` and `PathPrefix` entries), or
    /// [`NO_NODE`].
    pub(crate) root: u32,
    /// The group's regular expressions: `regex[regex_start..][..regex_len]`.
    pub(crate) regex_start: u32,
    pub(crate) regex_len: u32,
    /// Their sets: `regex_sets[sets_start..]`, one per [`REGEX_CHUNK`].
    pub(crate) sets_start: u32,
}

impl Default for PathIndex {
    fn default() -> Self {
        PathIndex {
            root: NO_NODE,
            regex_start: 0,
            regex_len: 0,
            sets_start: 0,
        }
    }
}

/// No node (an empty tree, a leaf's children).
pub(crate) const NO_NODE: u32 = u32::MAX;

/// Every hostname group's path index of one listener, in flat arrays (a
/// lookup follows indices within a few contiguous allocations, not pointers
/// from map to map).
///
/// The path tree is a radix tree of bytes: each node holds the bytes from its
/// parent (`label`), its children are contiguous in `nodes`, and the first
/// byte of each child's label is kept together (`child_bytes`) so choosing a
/// child reads one short run of bytes. A node lists the `Exact` entries whose
/// path ends there and the `PathPrefix` entries whose prefix (without its
/// trailing `/`) ends there; a prefix matches a path whose next byte after it
/// is `/` or the end, so whole elements only (`/abc` never matches `/abcd`).
#[derive(Debug, Default)]
pub(crate) struct PathArena {
    pub(crate) nodes: Vec<PathNode>,
    /// Node labels and child first bytes.
    pub(crate) bytes: Vec<u8>,
    /// The entries of every node, in precedence order per node.
    pub(crate) ids: Vec<Candidate>,
    /// Regular-expression entry ids of every group, in precedence order.
    pub(crate) regex: Vec<u32>,
    /// The literal every path a regular expression matches starts with (from
    /// its syntax; empty when it has none), beside `regex`: a path without it
    /// skips the expression without running it.
    pub(crate) regex_prefix: Vec<Box<[u8]>>,
    /// For each run of [`REGEX_CHUNK`] regular expressions of a group, their
    /// patterns in one set: a path that matches none of them (most requests)
    /// passes the run in one search instead of one per pattern. `None`: too few
    /// patterns to gain, or too large a set.
    pub(crate) regex_sets: Vec<Option<RegexSet>>,
    /// The header indexes of long lists of `ids`, by where the list starts
    /// (sorted; a list is an exact or a prefix list of one node, and only
    /// lists longer than [`HeaderIndex::MIN_CANDIDATES`] are looked up).
    pub(crate) header_indexes: Vec<(u32, HeaderIndex)>,
}

/// One node of a [`PathArena`] tree: one cache line, which holds what a
/// step of the walk reads (a short label and the children's first bytes
/// inline; longer ones in the arena's bytes).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
pub(crate) struct PathNode {
    /// `bytes[label..][..label_len]`: the bytes from the parent to this node,
    /// followed by each child's first label byte (`children` bytes).
    pub(crate) label: u32,
    pub(crate) label_len: u32,
    /// `nodes[first_child..][..children]`.
    pub(crate) first_child: u32,
    pub(crate) children: u32,
    /// `ids[exact..][..exact_len]`, then `ids[exact + exact_len..][..prefix_len]`.
    pub(crate) exact: u32,
    pub(crate) exact_len: u32,
    pub(crate) prefix_len: u32,
    /// [`NO_NODE`] for a root.
    pub(crate) parent: u32,
    /// The label when it has at most [`PathNode::INLINE`] bytes.
    pub(crate) head: [u8; PathNode::INLINE],
    /// The children's first bytes when there are at most [`PathNode::INLINE`].
    pub(crate) firsts: [u8; PathNode::INLINE],
}

impl PathNode {
    const INLINE: usize = 16;
}

/// Patterns from which a run of regular expressions gets a [`RegexSet`].
const REGEX_SET_MIN: usize = 4;

/// Patterns per [`RegexSet`]: a set of thousands searches slower than its
/// patterns one by one (its lazy DFA gives up), a few hundred search in about
/// the time of one.
const REGEX_CHUNK: usize = 128;

/// A key of the index's maps: up to [`SmallKey::INLINE`] bytes (most
/// hostnames, paths and path elements) stored in the map's bucket itself, so a
/// lookup compares it without following a pointer to another cache line.
/// Looked up by `&[u8]` (its hash and equality are those of its bytes).
#[derive(Clone)]
pub(crate) enum SmallKey {
    Inline {
        len: u8,
        bytes: [u8; SmallKey::INLINE],
    },
    Heap(Box<[u8]>),
}

impl SmallKey {
    /// Bytes kept inline: the key is then 32 bytes, as a `(String, u64)`.
    pub(crate) const INLINE: usize = 30;

    pub(crate) fn new(key: &[u8]) -> SmallKey {
        let mut bytes = [0; SmallKey::INLINE];
        match (bytes.get_mut(..key.len()), u8::try_from(key.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(key);
                SmallKey::Inline { len, bytes }
            }
            _ => SmallKey::Heap(key.into()),
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            SmallKey::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            SmallKey::Heap(b) => b,
        }
    }
}

impl std::borrow::Borrow<[u8]> for SmallKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for SmallKey {
    fn eq(&self, other: &SmallKey) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for SmallKey {}

impl std::hash::Hash for SmallKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl std::fmt::Debug for SmallKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&String::from_utf8_lossy(self.as_bytes()), f)
    }
}

/// Hostname groups of a listener.
#[derive(Debug, Default)]
pub(crate) struct HostIndex {
    pub(crate) exact: IndexMap<SmallKey, PathIndex>,
    /// Keyed by suffix with the leading dot (`*.example.com` → `.example.com`).
    pub(crate) wildcard: IndexMap<SmallKey, PathIndex>,
    /// Bit `n` set: some key of `wildcard` is `n` bytes long. A request host
    /// has a suffix per label; only those of a length some wildcard has are
    /// looked up (most hosts then hash none).
    pub(crate) wildcard_lengths: [u64; 4],
    pub(crate) any: Option<PathIndex>,
}

impl HostIndex {
    fn has_wildcard_of_length(&self, len: usize) -> bool {
        self.wildcard_lengths
            .get(len / 64)
            .is_some_and(|bits| bits >> (len % 64) & 1 == 1)
    }
}

impl ListenerRt {
    /// Builds the index once `entries` are sorted.
    pub(crate) fn build_index(&mut self) {
        // Each group's keys: (path bytes, is a prefix, candidate), or a regex id.
        #[derive(Default)]
        struct Group<'e> {
            paths: Vec<(&'e [u8], bool, Candidate)>,
            regex: Vec<u32>,
        }
        let mut index = HostIndex::default();
        let mut groups: Vec<Group<'_>> = Vec::new();
        let group_of = |index: &mut HostIndex,
                        groups: &mut Vec<Group<'_>>,
                        host: Option<&Hostname>|
         -> usize {
            let slot = match host {
                None => index.any.get_or_insert_with(PathIndex::default),
                Some(Hostname::Exact(h)) => slot(&mut index.exact, h),
                Some(Hostname::Wildcard(s)) => {
                    // Longer keys (not valid hostnames) are never skipped.
                    let n = s.len().min(255);
                    if let Some(bits) = index.wildcard_lengths.get_mut(n / 64) {
                        *bits |= 1 << (n % 64);
                    }
                    slot(&mut index.wildcard, s)
                }
            };
            // Until the trees are built, `root` holds the group's number
            // (`NO_NODE` for a new group).
            if slot.root == NO_NODE {
                slot.root = u32::try_from(groups.len()).unwrap_or(NO_NODE - 1);
                groups.push(Group::default());
            }
            slot.root as usize
        };
        for (id, e) in self.entries.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            let g = group_of(&mut index, &mut groups, e.hostname.as_ref());
            let Some(group) = groups.get_mut(g) else {
                continue;
            };
            let candidate = Candidate {
                entry: id,
                rule: e.rule,
                match_index: e.match_index,
                plain: e.m.method.is_none() && e.m.headers.is_empty() && e.m.query.is_empty(),
            };
            match &e.m.path {
                PathMatch::Exact(p) => group.paths.push((p.as_bytes(), false, candidate)),
                PathMatch::PathPrefix(p) => group.paths.push((p.as_bytes(), true, candidate)),
                PathMatch::RegularExpression(..) => group.regex.push(id),
            }
        }
        let mut arena = PathArena::default();
        let mut built: Vec<PathIndex> = Vec::with_capacity(groups.len());
        for mut group in groups {
            let root = arena.add_tree(&mut group.paths);
            let regex_start = u32::try_from(arena.regex.len()).unwrap_or(u32::MAX);
            let sets_start = u32::try_from(arena.regex_sets.len()).unwrap_or(u32::MAX);
            for &id in &group.regex {
                let prefix = self
                    .entries
                    .get(id as usize)
                    .map(|e| match &e.m.path {
                        PathMatch::RegularExpression(re, _) => re.literal_prefix().into(),
                        _ => Box::default(),
                    })
                    .unwrap_or_default();
                arena.regex.push(id);
                arena.regex_prefix.push(prefix);
            }
            for ids in group.regex.chunks(REGEX_CHUNK) {
                arena.regex_sets.push(regex_set(&self.entries, ids));
            }
            built.push(PathIndex {
                root,
                regex_start,
                regex_len: u32::try_from(group.regex.len()).unwrap_or(u32::MAX),
                sets_start,
            });
        }
        let resolve = |p: &mut PathIndex| {
            if let Some(b) = built.get(p.root as usize) {
                *p = *b;
            }
        };
        index.exact.values_mut().for_each(resolve);
        index.wildcard.values_mut().for_each(resolve);
        index.any.as_mut().map(resolve);
        arena.index_headers(&self.entries);
        self.index = index;
        self.paths = arena;
        let mut grpc = GrpcIndex::default();
        for (id, e) in self.grpc_entries.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            match &e.hostname {
                None => grpc.any.push(id),
                Some(Hostname::Exact(h)) => grpc.exact.entry(h.clone()).or_default().push(id),
                Some(Hostname::Wildcard(s)) => grpc.wildcard.entry(s.clone()).or_default().push(id),
            }
        }
        self.grpc_index = grpc;
    }

    /// Whether choosing a route on this listener reads the request's `Host`:
    /// some route has a hostname, or the listener has one.
    pub(crate) fn reads_host(&self) -> bool {
        self.hostname.is_some()
            || !self.index.exact.is_empty()
            || !self.index.wildcard.is_empty()
            || !self.grpc_index.exact.is_empty()
            || !self.grpc_index.wildcard.is_empty()
    }

    /// The winning GRPCRoute entry for a request (the first hostname group with a
    /// match, then precedence order). `path` is normalised.
    pub(crate) fn grpc_lookup(
        &self,
        host: &str,
        path: &str,
        req: &HttpRequest<'_>,
    ) -> Option<&Entry> {
        if self.grpc_entries.is_empty() {
            return None;
        }
        let first = |ids: &[u32]| -> Option<&Entry> {
            ids.iter().find_map(|id| {
                let e = self.grpc_entries.get(usize::try_from(*id).ok()?)?;
                (e.m.path.matches(path) && e.m.rest_matches(req.method, req.headers, None))
                    .then_some(e)
            })
        };
        if !host.is_empty() {
            if let Some(e) = self.grpc_index.exact.get(host).and_then(|g| first(g)) {
                return Some(e);
            }
            for (i, _) in host.match_indices('.').filter(|(i, _)| *i > 0) {
                if let Some(e) = self
                    .grpc_index
                    .wildcard
                    .get(&host[i..])
                    .and_then(|g| first(g))
                {
                    return Some(e);
                }
            }
        }
        first(&self.grpc_index.any)
    }

    /// The winning entry for a request, by the index. `host` is folded
    /// ([`HostKey`](crate::hostname::HostKey)), `path` normalised.
    #[inline(always)]
    pub(crate) fn lookup(
        &self,
        host: &str,
        path: &str,
        query: Option<&str>,
        req: &HttpRequest<'_>,
    ) -> Option<Hit> {
        // Empty maps are not searched (a `get` hashes the key first).
        if !host.is_empty()
            && !self.index.exact.is_empty()
            && let Some(e) = self
                .index
                .exact
                .get(host.as_bytes())
                .and_then(|g| self.search(g, path, query, req))
        {
            return Some(e);
        }
        if !host.is_empty() && !self.index.wildcard.is_empty() {
            let dots = host
                .bytes()
                .enumerate()
                .filter(|&(i, b)| b == b'.' && i > 0);
            for (i, _) in dots {
                // Suffixes shorter than 256 bytes with no wildcard of their length
                // are skipped (a key of 255 bytes or more sets bit 255).
                let n = host.len() - i;
                if n < 255 && !self.index.has_wildcard_of_length(n) {
                    continue;
                }
                if let Some(e) = self
                    .index
                    .wildcard
                    .get(host.as_bytes().get(i..).unwrap_or_default())
                    .and_then(|g| self.search(g, path, query, req))
                {
                    return Some(e);
                }
            }
        }
        // Inline here: the group of every request on a listener whose routes
        // have no hostnames (one copy of the search in `lookup`).
        self.index
            .any
            .as_ref()
            .and_then(|g| self.search_inline(g, path, query, req))
    }

    /// [`ListenerRt::search_inline`] out of line, for the hostname groups.
    #[inline(never)]
    fn search(
        &self,
        g: &PathIndex,
        path: &str,
        query: Option<&str>,
        req: &HttpRequest<'_>,
    ) -> Option<Hit> {
        self.search_inline(g, path, query, req)
    }

    /// The best entry of one hostname group: exact paths, then regular
    /// expressions, then the deepest matching prefix.
    #[inline(always)]
    fn search_inline(
        &self,
        g: &PathIndex,
        path: &str,
        query: Option<&str>,
        req: &HttpRequest<'_>,
    ) -> Option<Hit> {
        let hit = |c: &Candidate| Hit {
            rule: c.rule,
            match_index: c.match_index,
        };
        let ok = |c: &Candidate| -> Option<Hit> {
            if c.plain {
                return Some(hit(c));
            }
            let e = self.entries.get(c.entry as usize)?;
            e.m.rest_matches(req.method, req.headers, query)
                .then(|| hit(c))
        };
        let regex_ok = |id: &u32| -> Option<&Entry> {
            let e = self.entries.get(*id as usize)?;
            e.m.rest_matches(req.method, req.headers, query)
                .then_some(e)
        };
        let arena = &self.paths;
        let text = path;
        let path = path.as_bytes();
        // The deepest node the path reaches, and its depth.
        let (mut node, mut depth) = (NO_NODE, 0usize);
        if let Some(root) = arena.nodes.get(g.root as usize)
            && arena.label_at(root, path, 0)
        {
            (node, depth) = (g.root, root.label_len as usize);
            let mut n = root;
            while n.children != 0
                && let Some(&b) = path.get(depth)
                && let Some(i) = arena.child(n, b)
                && let child = n.first_child + i
                && let Some(c) = arena.nodes.get(child as usize)
                // Its first byte is `b`; comparing the whole label costs no more.
                && arena.label_at(c, path, depth)
            {
                depth += c.label_len as usize;
                node = child;
                n = c;
            }
            if depth == path.len()
                && n.exact_len != 0
                && let Some(e) = arena.find(n.exact, n.exact_len, req, &ok)
            {
                return Some(e);
            }
        }
        if g.regex_len != 0
            && let Some(e) = self.search_regex(g, text, &regex_ok)
        {
            return Some(Hit::from(e));
        }
        // Prefixes ending at this node or above it, deepest first, that end on
        // an element boundary of the path.
        while let Some(n) = arena.nodes.get(node as usize) {
            if n.prefix_len != 0
                && path.get(depth).is_none_or(|&b| b == b'/')
                && let Some(e) = arena.find(n.exact + n.exact_len, n.prefix_len, req, &ok)
            {
                return Some(e);
            }
            depth = depth.saturating_sub(n.label_len as usize);
            node = n.parent;
        }
        None
    }

    /// The first regular expression of a group, in precedence order, that
    /// matches the path and whose other conditions hold.
    fn search_regex<'s>(
        &'s self,
        g: &PathIndex,
        text: &str,
        ok: &impl Fn(&u32) -> Option<&'s Entry>,
    ) -> Option<&'s Entry> {
        let path = text.as_bytes();
        let arena = &self.paths;
        let start = g.regex_start as usize;
        let end = start + g.regex_len as usize;
        let ids = arena.regex.get(start..end).unwrap_or_default();
        let prefixes = arena.regex_prefix.get(start..end).unwrap_or_default();
        for (k, (ids, prefixes)) in ids
            .chunks(REGEX_CHUNK)
            .zip(prefixes.chunks(REGEX_CHUNK))
            .enumerate()
        {
            let skip = arena
                .regex_sets
                .get(g.sets_start as usize + k)
                .and_then(Option::as_ref)
                .is_some_and(|set| !set.is_match(text));
            if skip {
                continue;
            }
            let found = ids.iter().zip(prefixes).find_map(|(id, prefix)| {
                if !path.starts_with(prefix) {
                    return None;
                }
                ok(id).filter(|e| e.m.path.matches(text))
            });
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

impl PathArena {
    /// A node's label.
    fn label<'s>(&'s self, n: &'s PathNode) -> &'s [u8] {
        match n.head.get(..n.label_len as usize) {
            Some(inline) => inline,
            None => self.bytes(n.label, n.label_len),
        }
    }

    /// Whether `path[at..]` starts with the node's label. An inline label is
    /// compared as one 16-byte word when the path has 16 bytes from `at`: a
    /// few instructions instead of a loop per byte.
    #[inline(always)]
    fn label_at(&self, n: &PathNode, path: &[u8], at: usize) -> bool {
        let len = n.label_len as usize;
        if let (Some(window), Some(&mask)) = (path.get(at..at + 16), LABEL_MASKS.get(len)) {
            // Bytes past the label are zero in `head`.
            return word16(window) & mask == u128::from_le_bytes(n.head);
        }
        path.get(at..at + len)
            .is_some_and(|text| same_bytes(text, self.label(n)))
    }

    /// Which child of `n` (its position among them) has a label starting
    /// with `b`: one 16-byte word test when the first bytes are inline.
    #[inline(always)]
    fn child(&self, n: &PathNode, b: u8) -> Option<u32> {
        if n.children as usize > PathNode::INLINE {
            return self.firsts(n).iter().position(|&c| c == b).map(to_u32);
        }
        const LO: u64 = u64::MAX / 255;
        const HI: u64 = LO << 7;
        // The lowest zero byte of `x` is exact (a borrow only affects higher
        // bytes); bytes past `children` are padding. Most nodes have at most
        // eight children: one 8-byte word, the second only when needed.
        let zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
        let splat = LO * u64::from(b);
        let word = u128::from_le_bytes(n.firsts);
        let low = zero(word as u64 ^ splat);
        let i = if low != 0 {
            low.trailing_zeros() / 8
        } else if n.children > 8 {
            let high = zero((word >> 64) as u64 ^ splat);
            if high == 0 {
                return None;
            }
            8 + high.trailing_zeros() / 8
        } else {
            return None;
        };
        (i < n.children).then_some(i)
    }

    /// The first byte of each child's label.
    fn firsts<'s>(&'s self, n: &'s PathNode) -> &'s [u8] {
        match n.firsts.get(..n.children as usize) {
            Some(inline) => inline,
            None => self.bytes(n.label + n.label_len, n.children),
        }
    }

    fn bytes(&self, start: u32, len: u32) -> &[u8] {
        self.bytes
            .get(start as usize..start as usize + len as usize)
            .unwrap_or_default()
    }

    fn ids(&self, start: u32, len: u32) -> &[Candidate] {
        self.ids
            .get(start as usize..start as usize + len as usize)
            .unwrap_or_default()
    }

    /// The first candidate of the list `ids(start, len)`, in precedence
    /// order, that `ok` accepts: through the list's header index when it has
    /// one, else by scanning it.
    #[inline(always)]
    fn find(
        &self,
        start: u32,
        len: u32,
        req: &HttpRequest<'_>,
        ok: &impl Fn(&Candidate) -> Option<Hit>,
    ) -> Option<Hit> {
        // The length is tested before the list is sliced: a short list (all
        // of them on most listeners) is sliced and scanned as before.
        if len as usize > HeaderIndex::MIN_CANDIDATES && !self.header_indexes.is_empty() {
            return self.find_indexed(start, self.ids(start, len), req, ok);
        }
        self.ids(start, len).iter().find_map(ok)
    }

    /// [`PathArena::find`] for a long list.
    #[inline(never)]
    fn find_indexed(
        &self,
        start: u32,
        ids: &[Candidate],
        req: &HttpRequest<'_>,
        ok: &impl Fn(&Candidate) -> Option<Hit>,
    ) -> Option<Hit> {
        match self
            .header_indexes
            .binary_search_by_key(&start, |(s, _)| *s)
        {
            Ok(k) => self.header_indexes.get(k).and_then(|(_, index)| {
                index.find(ids.len(), req.headers, |i| ids.get(i).and_then(ok))
            }),
            Err(_) => ids.iter().find_map(ok),
        }
    }

    /// Builds the header index of every list (a node's exact or prefix
    /// entries) that gets one ([`HeaderIndex::build`]).
    fn index_headers(&mut self, entries: &[Entry]) {
        let mut indexes = Vec::new();
        for n in &self.nodes {
            for (start, len) in [
                (n.exact, n.exact_len),
                (n.exact + n.exact_len, n.prefix_len),
            ] {
                let ids = self.ids(start, len);
                if ids.len() <= HeaderIndex::MIN_CANDIDATES {
                    continue;
                }
                let headers: Vec<&[crate::matcher::HeaderMatch]> = ids
                    .iter()
                    .map(|c| {
                        entries
                            .get(c.entry as usize)
                            .map_or(&[][..], |e| &e.m.headers[..])
                    })
                    .collect();
                if let Some(index) = HeaderIndex::build(&headers) {
                    indexes.push((start, index));
                }
            }
        }
        indexes.sort_unstable_by_key(|(start, _)| *start);
        self.header_indexes = indexes;
    }

    /// Adds the tree of one group's `Exact` and `PathPrefix` keys (each with
    /// whether it is a prefix and its entry id) and returns its root, or
    /// [`NO_NODE`] when there are none. Children are laid out contiguously,
    /// breadth first.
    fn add_tree(&mut self, keys: &mut [(&[u8], bool, Candidate)]) -> u32 {
        if keys.is_empty() {
            return NO_NODE;
        }
        // By key, exact before prefix, then precedence (the id): each node's
        // ids come out in the order the search tries them.
        keys.sort_unstable_by(|a, b| (a.0, a.1, a.2.entry).cmp(&(b.0, b.1, b.2.entry)));
        let root = to_u32(self.nodes.len());
        self.nodes.push(PathNode {
            parent: NO_NODE,
            ..PathNode::default()
        });
        // (node, its keys, where its label starts, its depth): the keys all
        // start with the node's path, `key[..depth]`. The root's label is what
        // every key starts with (empty when a key is: the `/` prefix), so a
        // walk does not step through a node every path passes.
        let shared = match (keys.first(), keys.last()) {
            (Some(first), Some(last)) => first
                .0
                .iter()
                .zip(last.0)
                .take_while(|(x, y)| x == y)
                .count(),
            _ => 0,
        };
        let mut queue = std::collections::VecDeque::new();
        queue.push_back((root, &keys[..], 0usize, shared));
        let mut runs = Vec::new();
        while let Some((node, keys, from, depth)) = queue.pop_front() {
            // Keys ending here come first (sorted: they are the shortest).
            let here = keys.iter().take_while(|k| k.0.len() == depth).count();
            let (ending, longer) = keys.split_at(here);
            let exact = to_u32(self.ids.len());
            self.ids.extend(ending.iter().filter(|k| !k.1).map(|k| k.2));
            let exact_len = to_u32(self.ids.len()) - exact;
            self.ids.extend(ending.iter().filter(|k| k.1).map(|k| k.2));
            let prefix_len = to_u32(self.ids.len()) - exact - exact_len;
            // Children: runs of keys sharing their next byte; a child's label
            // runs to where its keys part (the first and the last of a sorted
            // run share what they all share).
            runs.clear();
            let mut rest = longer;
            while let Some(first) = rest.first() {
                let b = first.0.get(depth);
                let n = rest.iter().take_while(|k| k.0.get(depth) == b).count();
                let (run, tail) = rest.split_at(n);
                let last = run.last().map_or(first.0, |k| k.0);
                let common = first
                    .0
                    .iter()
                    .zip(last)
                    .skip(depth)
                    .take_while(|(x, y)| x == y)
                    .count();
                runs.push((run, depth + common.max(1)));
                rest = tail;
            }
            // The label, then each child's first byte.
            let label_bytes = keys
                .first()
                .and_then(|k| k.0.get(from..depth))
                .unwrap_or_default();
            let label = to_u32(self.bytes.len());
            self.bytes.extend_from_slice(label_bytes);
            for (run, _) in &runs {
                let b = run.first().and_then(|k| k.0.get(depth));
                self.bytes.push(b.copied().unwrap_or_default());
            }
            let first_child = to_u32(self.nodes.len());
            let mut head = [0; PathNode::INLINE];
            if let Some(inline) = head.get_mut(..label_bytes.len()) {
                inline.copy_from_slice(label_bytes);
            }
            let mut firsts = [0; PathNode::INLINE];
            if let Some(inline) = firsts.get_mut(..runs.len()) {
                for (slot, (run, _)) in inline.iter_mut().zip(&runs) {
                    *slot = run
                        .first()
                        .and_then(|k| k.0.get(depth))
                        .copied()
                        .unwrap_or_default();
                }
            }
            if let Some(n) = self.nodes.get_mut(node as usize) {
                *n = PathNode {
                    label,
                    label_len: to_u32(label_bytes.len()),
                    first_child,
                    children: to_u32(runs.len()),
                    exact,
                    exact_len,
                    prefix_len,
                    parent: n.parent,
                    head,
                    firsts,
                };
            }
            for (i, &(run, end)) in runs.iter().enumerate() {
                self.nodes.push(PathNode {
                    parent: node,
                    ..PathNode::default()
                });
                queue.push_back((first_child + to_u32(i), run, depth, end));
            }
        }
        root
    }
}

/// A length or position of the index as `u32` (a listener holds fewer than
/// 2³² entries, bytes and nodes: a manifest is limited far below that).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `LABEL_MASKS[n]`: the low `n` bytes of a 16-byte word.
const LABEL_MASKS: [u128; 17] = {
    let mut masks = [0; 17];
    let mut n = 1;
    while n <= 16 {
        masks[n] = u128::MAX >> (8 * (16 - n));
        n += 1;
    }
    masks
};

/// 16 bytes as a little-endian word (`bytes` has at least 16).
fn word16(bytes: &[u8]) -> u128 {
    let mut w = [0; 16];
    if let Some(b) = bytes.get(..16) {
        w.copy_from_slice(b);
    }
    u128::from_le_bytes(w)
}

/// Byte equality for short runs without a `memcmp` call: words of eight
/// bytes, the last one overlapping the one before (so no byte loop); under
/// eight bytes, two overlapping words of four.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn at<const N: usize>(s: &[u8], i: usize) -> [u8; N] {
        let mut w = [0; N];
        if let Some(s) = s.get(i..i + N) {
            w.copy_from_slice(s);
        }
        w
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if at::<8>(a, i) != at::<8>(b, i) {
                return false;
            }
            i += 8;
        }
        return at::<8>(a, n - 8) == at::<8>(b, n - 8);
    }
    if n >= 4 {
        return at::<4>(a, 0) == at::<4>(b, 0) && at::<4>(a, n - 4) == at::<4>(b, n - 4);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// The set of a run of regular expressions (compiled like each of them, so it
/// matches a path exactly when one of them does), when there are enough.
fn regex_set(entries: &[Entry], ids: &[u32]) -> Option<RegexSet> {
    if ids.len() < REGEX_SET_MIN {
        return None;
    }
    let patterns =
        ids.iter().filter_map(
            |&id| match &entries.get(usize::try_from(id).ok()?)?.m.path {
                PathMatch::RegularExpression(re, _) => Some(re.as_str()),
                _ => None,
            },
        );
    // A set too large to build leaves the group to the one-by-one scan.
    RegexSetBuilder::new(patterns)
        .size_limit(16 * REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(64)
        .build()
        .ok()
}

/// The value under `key`, inserted empty if missing; the key is copied only
/// then (most entries share their hostname and path elements with others).
fn slot<'m, V: Default>(map: &'m mut IndexMap<SmallKey, V>, key: &str) -> &'m mut V {
    let key = key.as_bytes();
    if !map.contains_key(key) {
        map.insert(SmallKey::new(key), V::default());
    }
    map.get_mut(key)
        .expect("the key is present: inserted above when missing")
}

#[cfg(test)]
mod small_key_tests {
    use super::*;

    fn listener(name: &str, port: u16, protocol: Protocol, hostname: Option<&str>) -> ListenerRt {
        ListenerRt {
            name: name.to_owned(),
            port,
            protocol: Some(protocol),
            hostname: hostname.map(Hostname::parse),
            programmed: true,
            tls_mode: None,
            certificates: Vec::new(),
            entries: Vec::new(),
            index: HostIndex::default(),
            paths: PathArena::default(),
            grpc_entries: Vec::new(),
            grpc_index: GrpcIndex::default(),
        }
    }

    #[test]
    fn gateways_are_found_by_namespace_and_name_few_or_many() {
        for n in [1, Gateways::FEW, Gateways::FEW + 3] {
            let mut gateways = Gateways::default();
            for i in 0..n {
                let mut g = GatewayRt::default();
                g.listeners
                    .push(listener(&format!("l{i}"), 80, Protocol::Http, None));
                gateways.insert(format!("ns{}", i % 2), format!("gw{i}"), g);
            }
            for i in 0..n {
                let g = gateways.get(&format!("ns{}", i % 2), &format!("gw{i}"));
                let names: Vec<&str> = g
                    .iter()
                    .flat_map(|g| &g.listeners)
                    .map(|l| l.name.as_str())
                    .collect();
                assert_eq!(names, [format!("l{i}")], "{n} gateways");
                assert!(
                    gateways
                        .get(&format!("ns{}", (i + 1) % 2), &format!("gw{i}"))
                        .is_none()
                );
            }
            assert!(gateways.get("ns0", "gw").is_none());
            assert_eq!(gateways.iter().count(), n);
            // The same namespace and name again replaces the Gateway.
            gateways.insert("ns0".into(), "gw0".into(), GatewayRt::default());
            assert_eq!(gateways.iter().count(), n);
            assert!(
                gateways
                    .get("ns0", "gw0")
                    .is_some_and(|g| g.listeners.is_empty())
            );
        }
    }

    #[test]
    fn a_port_lists_its_listeners_most_specific_first_as_max_by_key_chooses() {
        let mut g = GatewayRt::default();
        for (name, port, protocol, host) in [
            ("any-a", 80, Protocol::Http, None),
            ("wild", 80, Protocol::Http, Some("*.example.com")),
            ("exact", 80, Protocol::Http, Some("a.example.com")),
            ("any-b", 80, Protocol::Http, None),
            ("deeper", 80, Protocol::Http, Some("*.b.example.com")),
            ("tls", 80, Protocol::Https, None),
            ("other-port", 8080, Protocol::Http, Some("a.example.com")),
        ] {
            g.listeners.push(listener(name, port, protocol, host));
        }
        let mut off = listener("off", 80, Protocol::Http, Some("c.example.com"));
        off.programmed = false;
        g.listeners.push(off);
        g.index_ports();
        let port = g.port(80, Protocol::Http).expect("port 80 serves HTTP");
        let order: Vec<&str> = port
            .order
            .iter()
            .filter_map(|&i| g.listeners.get(i as usize))
            .map(|l| l.name.as_str())
            .collect();
        assert_eq!(order, ["exact", "deeper", "wild", "any-b", "any-a"]);
        // The first match is what max_by_key over every listener gives.
        for host in [
            None,
            Some("a.example.com"),
            Some("x.b.example.com"),
            Some("x.example.com"),
            Some("c.example.com"),
            Some("other.org"),
        ] {
            let old = g
                .listeners
                .iter()
                .filter(|l| l.programmed && l.port == 80 && l.protocol == Some(Protocol::Http))
                .filter(|l| match (&l.hostname, host) {
                    (None, _) => true,
                    (Some(h), Some(host)) => h.matches(host),
                    (Some(_), None) => false,
                })
                .max_by_key(|l| l.hostname.as_ref().map(Hostname::specificity));
            let new = g.most_specific(port, host);
            assert!(
                old.zip(new).is_some_and(|(a, b)| std::ptr::eq(a, b)),
                "{host:?}"
            );
        }
        assert!(g.serves(80, Protocol::Https));
        assert!(!g.serves(8080, Protocol::Https));
        assert!(!g.serves(443, Protocol::Http));
        // Only listeners without hostname on the port: chosen without the Host.
        assert!(
            g.any_host_listener(80, crate::request::Scheme::Http)
                .is_none()
        );
        let mut plain = GatewayRt::default();
        plain
            .listeners
            .push(listener("a", 80, Protocol::Http, None));
        plain
            .listeners
            .push(listener("b", 80, Protocol::Http, None));
        plain.index_ports();
        let chosen = plain.any_host_listener(80, crate::request::Scheme::Http);
        assert_eq!(chosen.map(|l| l.name.as_str()), Some("b"));
        assert!(
            plain
                .any_host_listener(80, crate::request::Scheme::Https)
                .is_none()
        );
        assert!(
            plain
                .any_host_listener(81, crate::request::Scheme::Http)
                .is_none()
        );
    }

    #[test]
    fn child_is_the_first_position_of_the_byte_among_the_children() {
        let arena = PathArena::default();
        // Every inline count, with repeated and zero bytes, and each byte
        // (zero too: the padding past `children` is zero and never chosen).
        for children in 0..=PathNode::INLINE {
            let mut firsts = [0; PathNode::INLINE];
            for (i, slot) in firsts.iter_mut().take(children).enumerate() {
                *slot = [b'/', b'a', 0, b'z', b'a', 0xff][i % 6] ^ (i / 6) as u8;
            }
            let n = PathNode {
                children: children as u32,
                firsts,
                ..PathNode::default()
            };
            for b in 0..=255u8 {
                let expected = firsts[..children].iter().position(|&c| c == b);
                assert_eq!(
                    arena.child(&n, b).map(|i| i as usize),
                    expected,
                    "{children} children, byte {b}"
                );
            }
        }
    }

    #[test]
    fn same_bytes_is_byte_equality_at_every_length() {
        let text: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for n in 0..text.len() {
            let a = &text[..n];
            assert!(same_bytes(a, a));
            assert!(!same_bytes(a, &text[..n + 1]));
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] ^= 0x20;
                assert!(!same_bytes(a, &b), "{n} {i}");
            }
        }
    }

    #[test]
    fn small_keys_look_up_by_bytes_inline_or_not() {
        let mut map: IndexMap<SmallKey, u32> = IndexMap::default();
        let long = "l".repeat(SmallKey::INLINE + 1);
        let exact = "e".repeat(SmallKey::INLINE);
        for (i, k) in ["", "a", "/api/v1", exact.as_str(), long.as_str()]
            .into_iter()
            .enumerate()
        {
            map.insert(SmallKey::new(k.as_bytes()), i as u32);
        }
        assert!(matches!(
            SmallKey::new(exact.as_bytes()),
            SmallKey::Inline { .. }
        ));
        assert!(matches!(SmallKey::new(long.as_bytes()), SmallKey::Heap(_)));
        assert_eq!(map.get(b"".as_slice()), Some(&0));
        assert_eq!(map.get(b"/api/v1".as_slice()), Some(&2));
        assert_eq!(map.get(exact.as_bytes()), Some(&3));
        assert_eq!(map.get(long.as_bytes()), Some(&4));
        assert_eq!(map.get(b"/api/v".as_slice()), None);
        assert_eq!(map.get(&long.as_bytes()[1..]), None);
    }
}

impl ListenerRt {
    pub(crate) fn info(&self) -> ListenerInfo<'_> {
        ListenerInfo {
            name: &self.name,
            port: self.port,
            protocol: self.protocol,
            hostname: self.hostname.as_ref(),
            programmed: self.programmed,
            tls_mode: self.tls_mode,
            certificates: &self.certificates,
        }
    }
}

impl GatewayRt {
    /// Builds [`GatewayRt::ports`] from the listeners.
    pub(crate) fn index_ports(&mut self) {
        let mut ports: Vec<PortListeners> = Vec::new();
        for (i, l) in self.listeners.iter().enumerate() {
            let Some(protocol) = l.protocol.filter(|_| l.programmed) else {
                continue;
            };
            let at = match ports
                .iter()
                .position(|p| p.port == l.port && p.protocol == protocol)
            {
                Some(at) => at,
                None => {
                    ports.push(PortListeners {
                        port: l.port,
                        protocol,
                        order: Vec::new(),
                    });
                    ports.len() - 1
                }
            };
            if let Some(p) = ports.get_mut(at) {
                p.order.push(to_u32(i));
            }
        }
        let specificity = |i: &u32| {
            self.listeners
                .get(*i as usize)
                .and_then(|l| l.hostname.as_ref().map(Hostname::specificity))
        };
        for p in &mut ports {
            // Most specific first; among equals the later listener first (the
            // one `Iterator::max_by_key` over the listeners would return).
            p.order
                .sort_by(|a, b| specificity(b).cmp(&specificity(a)).then(b.cmp(a)));
        }
        self.ports = ports;
    }

    /// The programmed listeners of `protocol` on `port`.
    pub(crate) fn port(&self, port: u16, protocol: Protocol) -> Option<&PortListeners> {
        self.ports
            .iter()
            .find(|p| p.port == port && p.protocol == protocol)
    }

    /// For a plain HTTP request (`scheme`) to `port`, the listener that serves
    /// it whatever its `Host` when there is one: the most specific listener
    /// of the port has no hostname (so none has), and the choice is made
    /// without reading the `Host`. `None`: [`select_listener`] decides.
    ///
    /// [`select_listener`]: crate::decision::select_listener
    pub(crate) fn any_host_listener(
        &self,
        port: u16,
        scheme: crate::request::Scheme,
    ) -> Option<&ListenerRt> {
        if scheme != crate::request::Scheme::Http {
            return None;
        }
        let first = self.port(port, Protocol::Http)?.order.first()?;
        self.listeners
            .get(*first as usize)
            .filter(|l| l.hostname.is_none())
    }

    /// Whether a programmed listener of `protocol` serves `port`.
    pub(crate) fn serves(&self, port: u16, protocol: Protocol) -> bool {
        self.port(port, protocol).is_some()
    }

    /// The most specific of `listeners` whose hostname matches `host` (`None`
    /// host: only a listener without hostname).
    pub(crate) fn most_specific(
        &self,
        listeners: &PortListeners,
        host: Option<&str>,
    ) -> Option<&ListenerRt> {
        listeners
            .order
            .iter()
            .filter_map(|&i| self.listeners.get(i as usize))
            .find(|l| match (&l.hostname, host) {
                (None, _) => true,
                (Some(h), Some(host)) => h.matches(host),
                (Some(_), None) => false,
            })
    }
}

impl Router {
    /// Listener names, ports and protocols of a Gateway, with whether each is
    /// programmed (for adapters that open sockets). Empty for unknown Gateways.
    pub fn listeners(&self, namespace: &str, name: &str) -> Vec<ListenerInfo<'_>> {
        self.gateway(namespace, name)
            .map(|g| g.listeners.iter().map(ListenerRt::info).collect())
            .unwrap_or_default()
    }

    /// Every Gateway the router serves, as (namespace, name), sorted.
    pub fn gateways(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<_> = self
            .inner
            .gateways
            .iter()
            .map(|(ns, name, _)| (ns, name))
            .collect();
        v.sort_unstable();
        v
    }

    /// The routes attached to one listener of a Gateway, each once, sorted by
    /// kind, namespace and name: the routes its status's `attachedRoutes`
    /// counts, for tools that show which listeners serve a route (a parentRef
    /// without `sectionName` attaches to whichever listeners admit the route).
    /// Empty for an unknown Gateway or listener.
    pub fn attached_routes(
        &self,
        namespace: &str,
        name: &str,
        listener: &str,
    ) -> Vec<crate::RouteView> {
        let Some(l) = self
            .gateway(namespace, name)
            .and_then(|g| g.listeners.iter().find(|l| l.name == listener))
        else {
            return Vec::new();
        };
        let mut routes: Vec<&RouteInfo> = l
            .entries
            .iter()
            .filter_map(|e| self.inner.rules.get(e.rule as usize))
            .filter_map(|r| self.inner.routes.get(r.route as usize))
            .collect();
        routes
            .sort_by(|a, b| (a.kind, &a.namespace, &a.name).cmp(&(b.kind, &b.namespace, &b.name)));
        routes.dedup_by(|a, b| std::ptr::eq(*a, *b));
        routes
            .into_iter()
            .map(|r| crate::RouteView {
                kind: r.kind.to_owned(),
                namespace: r.namespace.to_string(),
                name: r.name.to_string(),
            })
            .collect()
    }

    #[inline]
    pub(crate) fn gateway(&self, namespace: &str, name: &str) -> Option<&GatewayRt> {
        self.inner.gateways.get(namespace, name)
    }
}

/// A listener as adapters see it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ListenerInfo<'r> {
    /// Listener name.
    pub name: &'r str,
    /// Port.
    pub port: u16,
    /// Protocol, `None` when Gatewise does not serve it.
    pub protocol: Option<Protocol>,
    /// Hostname, `None` for any.
    pub hostname: Option<&'r Hostname>,
    /// Whether it serves traffic.
    pub programmed: bool,
    /// For `TLS` listeners: whether the gateway terminates TLS.
    pub tls_mode: Option<TlsMode>,
    /// Certificates (HTTPS, TLS Terminate), resolved.
    pub certificates: &'r [Certificate],
}

/// The maps the router looks requests up in. Their keys come from the
/// configuration (names, hostnames, path elements), never from requests, so a
/// keyed hash (std's SipHash, against keys chosen to collide) buys nothing here,
/// and it was a quarter of a decision's instructions.
pub(crate) type IndexMap<K, V> = HashMap<K, V, BuildHasherDefault<IndexHasher>>;

/// A fast multiplicative hash (the FxHash family, as in `rustc-hash` 2), for
/// [`IndexMap`].
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IndexHasher {
    hash: u64,
}

impl IndexHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn add(&mut self, word: u64) {
        self.hash = self.hash.wrapping_add(word).wrapping_mul(Self::K);
    }
}

impl Hasher for IndexHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        // The last 1–7 bytes in two overlapping reads, as rustc-hash does (a
        // copy of a variable length was a `memcpy` call per key).
        let rest = chunks.remainder();
        let n = rest.len();
        if n >= 4 {
            let (mut lo, mut hi) = ([0; 4], [0; 4]);
            lo.copy_from_slice(&rest[..4]);
            hi.copy_from_slice(&rest[n - 4..]);
            self.add(u64::from(u32::from_le_bytes(lo)) | u64::from(u32::from_le_bytes(hi)) << 32);
        } else if let (Some(&a), Some(&b), Some(&c)) = (rest.first(), rest.get(n / 2), rest.last())
        {
            self.add(u64::from(a) | u64::from(b) << 8 | u64::from(c) << 16);
        }
        self.add(bytes.len() as u64);
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the high bits best mixed; hashbrown takes the
        // bucket from the low bits.
        self.hash.rotate_left(26)
    }
}
