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
//! - within a group: `Exact` entries by path in a hash map, then regular expressions
//!   (a few hundred at a time in a `RegexSet`, so a path none of them matches
//!   passes them in one search), then a trie of `PathPrefix` elements walked from
//!   the deepest element up.
//!   Each bucket lists entries in precedence order; the first whose method, header
//!   and query conditions hold wins.
//!
//! This gives exactly what a linear scan of every entry in precedence order gives
//! (the explanation performs that scan), at a cost that does not grow with the
//! number of routes on other hostnames or paths.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use regex::{RegexSet, RegexSetBuilder};

use crate::backend::ServiceBackend;
use crate::filter::cors::Cors;
use crate::filter::header::HeaderModifier;
use crate::filter::redirect::Redirect;
use crate::filter::rewrite::UrlRewrite;
use crate::hostname::{HostKey, Hostname};
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
    /// namespace → name → Gateway (two borrowed-key lookups, no allocation).
    pub(crate) gateways: IndexMap<String, IndexMap<String, GatewayRt>>,
    pub(crate) routes: Vec<RouteInfo>,
    pub(crate) rules: Vec<RuleRt>,
}

#[derive(Debug)]
pub(crate) struct RouteInfo {
    pub(crate) kind: &'static str,
    pub(crate) namespace: String,
    pub(crate) name: String,
    /// `metadata.creationTimestamp`, for the full precedence key of its entries.
    pub(crate) created: Timestamp,
}

#[derive(Debug, Default)]
pub(crate) struct GatewayRt {
    /// Every listener, programmed or not (unprogrammed ones never serve).
    pub(crate) listeners: Vec<ListenerRt>,
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

/// `repr(C)`, fields in this order: what every decision reads (the route, the
/// rule's index and name, whether a CORS filter applies, the action) comes
/// first; the filters, read only when present, last.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct RuleRt {
    pub(crate) route: u32,
    pub(crate) index: u16,
    /// `filters.cors.is_some()`, beside the fields a decision reads.
    pub(crate) has_cors: bool,
    pub(crate) name: Option<String>,
    pub(crate) action: Action,
    /// For ReplacePrefixMatch: the rule's only PathPrefix value, else `/`.
    pub(crate) matched_prefix: String,
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

/// Entries of one hostname group, indexed by path.
#[derive(Debug, Default)]
pub(crate) struct PathIndex {
    pub(crate) exact: IndexMap<SmallKey, Vec<u32>>,
    pub(crate) regex: Vec<u32>,
    /// For each run of [`REGEX_CHUNK`] entries of `regex`, their patterns in
    /// one set: a path that matches none of them (most requests) passes the
    /// run in one search instead of one per pattern. `None`: too few patterns
    /// to gain, or too large a set.
    pub(crate) regex_sets: Vec<Option<RegexSet>>,
    pub(crate) prefix: PrefixNode,
}

/// Patterns from which a run of regular expressions gets a [`RegexSet`].
const REGEX_SET_MIN: usize = 4;

/// Patterns per [`RegexSet`]: a set of thousands searches slower than its
/// patterns one by one (its lazy DFA gives up), a few hundred search in about
/// the time of one.
const REGEX_CHUNK: usize = 128;

#[derive(Debug, Default)]
pub(crate) struct PrefixNode {
    pub(crate) entries: Vec<u32>,
    pub(crate) children: IndexMap<SmallKey, PrefixNode>,
}

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
        let mut index = HostIndex::default();
        for (id, e) in self.entries.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            let group = match &e.hostname {
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
            match &e.m.path {
                PathMatch::Exact(p) => slot(&mut group.exact, p).push(id),
                PathMatch::RegularExpression(..) => group.regex.push(id),
                PathMatch::PathPrefix(p) => {
                    let mut node = &mut group.prefix;
                    for seg in p.split('/').skip(1) {
                        node = slot(&mut node.children, seg);
                    }
                    node.entries.push(id);
                }
            }
        }
        let groups = index
            .exact
            .values_mut()
            .chain(index.wildcard.values_mut())
            .chain(index.any.as_mut());
        for group in groups {
            group.regex_sets = group
                .regex
                .chunks(REGEX_CHUNK)
                .map(|ids| regex_set(&self.entries, ids))
                .collect();
        }
        self.index = index;
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

    /// The winning GRPCRoute entry for a request (the first hostname group with a
    /// match, then precedence order). `path` is normalised.
    pub(crate) fn grpc_lookup(
        &self,
        host: &HostKey<'_>,
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
        let host = host.as_str();
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

    /// The winning entry for a request, by the index. `path` is normalised.
    pub(crate) fn lookup(
        &self,
        host: &HostKey<'_>,
        path: &str,
        req: &HttpRequest<'_>,
    ) -> Option<&Entry> {
        let host = host.as_str();
        // Empty maps are not searched (a `get` hashes the key first).
        if !host.is_empty()
            && !self.index.exact.is_empty()
            && let Some(e) = self
                .index
                .exact
                .get(host.as_bytes())
                .and_then(|g| self.search(g, path, req))
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
                    .and_then(|g| self.search(g, path, req))
                {
                    return Some(e);
                }
            }
        }
        self.index
            .any
            .as_ref()
            .and_then(|g| self.search(g, path, req))
    }

    /// The best entry of one hostname group: exact paths, then regular
    /// expressions, then the deepest matching prefix.
    fn search<'s>(
        &'s self,
        g: &'s PathIndex,
        path: &str,
        req: &HttpRequest<'_>,
    ) -> Option<&'s Entry> {
        let query = req.query();
        let ok = |id: &u32| -> Option<&'s Entry> {
            let e = self.entries.get(usize::try_from(*id).ok()?)?;
            e.m.rest_matches(req.method, req.headers, query)
                .then_some(e)
        };
        if !g.exact.is_empty()
            && let Some(e) = g
                .exact
                .get(path.as_bytes())
                .and_then(|ids| ids.iter().find_map(ok))
        {
            return Some(e);
        }
        for (k, ids) in g.regex.chunks(REGEX_CHUNK).enumerate() {
            let skip = g
                .regex_sets
                .get(k)
                .and_then(Option::as_ref)
                .is_some_and(|set| !set.is_match(path));
            if skip {
                continue;
            }
            if let Some(e) = ids
                .iter()
                .find_map(|id| ok(id).filter(|e| e.m.path.matches(path)))
            {
                return Some(e);
            }
        }
        prefix_search(&g.prefix, path.strip_prefix('/').unwrap_or(path), &ok)
    }
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

/// Deepest matching prefix first: recurse into the child for the next element,
/// then try this node's entries.
fn prefix_search<'e>(
    node: &'e PrefixNode,
    rest: &str,
    ok: &impl Fn(&u32) -> Option<&'e Entry>,
) -> Option<&'e Entry> {
    if !node.children.is_empty() && !rest.is_empty() {
        // Bytes, not `split_once`: the generic searcher cost more than the lookup.
        let (seg, tail) = match rest.bytes().position(|b| b == b'/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        if let Some(child) = node.children.get(seg.as_bytes())
            && let Some(e) = prefix_search(child, tail, ok)
        {
            return Some(e);
        }
    }
    node.entries.iter().find_map(ok)
}

#[cfg(test)]
mod small_key_tests {
    use super::*;

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
    /// Whether a programmed listener of `protocol` serves `port`.
    pub(crate) fn serves(&self, port: u16, protocol: Protocol) -> bool {
        self.listeners
            .iter()
            .any(|l| l.programmed && l.port == port && l.protocol == Some(protocol))
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
            .flat_map(|(ns, gws)| gws.keys().map(move |n| (ns.as_str(), n.as_str())))
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
                namespace: r.namespace.clone(),
                name: r.name.clone(),
            })
            .collect()
    }

    pub(crate) fn gateway(&self, namespace: &str, name: &str) -> Option<&GatewayRt> {
        self.inner.gateways.get(namespace)?.get(name)
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
