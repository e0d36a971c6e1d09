//! The naive oracle: a deliberately simple router to check the real one against.
//!
//! [`Oracle`] routes a request the obvious way: every match entry attached to the
//! chosen listener, sorted once by the spec's precedence (hostname first, see
//! [`HostnameRank`], then [`PrecedenceKey`](crate::PrecedenceKey)), is tried from the top, and the first
//! whose hostname, path, method, headers and query parameters all hold wins. This
//! is how gateways that compile the precedence into an ordered list route, and
//! it is what [`Router::explain`] records.
//!
//! It shares with the [`Router`] only what is not an index: the compiled entries
//! (one per attached hostname, rule and match), path normalisation
//! ([`crate::path::normalize`]) and the code that turns the winning rule into a
//! [`Decision`]. It chooses the listener on its own, by a scan over every
//! listener of the Gateway (most specific matching hostname; over TLS the server
//! name chooses and a `Host` leading elsewhere is misdirected), and never uses
//! the router's per-port listener tables, the hostname map or the path trie, so
//! where the two disagree, an index is wrong. The spec fixture suite runs every
//! request case through both (`RunOptions::oracle`). Benches compare their speed; property tests and fuzz targets assert that they
//! agree.
//!
//! Written for obviousness, not speed. Only requests are modelled (`HTTP`,
//! `HTTPS`, `GRPC`); [`Oracle::route`] answers `None` for `TLS`, `TCP` and `UDP`.
//!
//! ```
//! use gatewise::oracle::Oracle;
//! use gatewise::{GatewayRef, HttpRequest, Options, RequestProtocol, Router};
//!
//! let loaded = gatewise::load_str("quickstart.yaml", include_str!("../../examples/quickstart.yaml"));
//! let compiled = Router::compile(&loaded.resources, &Options::default());
//! let oracle = Oracle::new(compiled.router());
//! let gw = GatewayRef::new("infra", "gateway");
//! let req = HttpRequest::new("GET", "shop.example.com", "/api/v2/cart");
//! let fast = compiled.router().route(gw, 80, RequestProtocol::Http, &req).view();
//! let naive = oracle.route(gw, 80, RequestProtocol::Http, &req).map(|d| d.view());
//! assert_eq!(naive, Some(fast));
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

use crate::decision::{Decision, GatewayRef, Matched, Selected, grpc_status_for, reject, respond};
use crate::hostname::{HostKey, Hostname};
use crate::path;
use crate::precedence::{EntryKey, HostnameRank};
use crate::request::{HttpRequest, RequestProtocol, Scheme};
use crate::router::{Entry, GatewayRt, ListenerRt, Protocol, Router};

/// A linear-scan router over the same compiled configuration as a [`Router`].
#[derive(Debug, Clone)]
pub struct Oracle {
    router: Router,
    /// Gateway namespace → name → for each listener (same positions as the
    /// Gateway's listeners), the positions of its entries in precedence order.
    order: HashMap<String, HashMap<String, Vec<Vec<usize>>>>,
    /// The same for each listener's GRPCRoute entries (their own list).
    grpc_order: HashMap<String, HashMap<String, Vec<Vec<usize>>>>,
}

impl Oracle {
    /// Sorts every listener's entries by precedence (once).
    pub fn new(router: &Router) -> Oracle {
        let mut order: HashMap<String, HashMap<String, Vec<Vec<usize>>>> = HashMap::new();
        let mut grpc_order: HashMap<String, HashMap<String, Vec<Vec<usize>>>> = HashMap::new();
        for (namespace, name, gateway) in router.inner.gateways.iter() {
            for (map, entries) in [
                (&mut order, (|l| &l.entries) as fn(&ListenerRt) -> &[Entry]),
                (&mut grpc_order, |l| &l.grpc_entries),
            ] {
                let lists = gateway.listeners.iter().map(|l| sorted(entries(l)));
                map.entry(namespace.to_owned())
                    .or_default()
                    .insert(name.to_owned(), lists.collect());
            }
        }
        Oracle {
            router: router.clone(),
            order,
            grpc_order,
        }
    }

    /// Decides as [`Router::route`] does, with the same protocol defaults;
    /// `None` for `TLS`, `TCP` and `UDP`, which the oracle does not model.
    pub fn route<'a>(
        &'a self,
        gateway: GatewayRef<'_>,
        port: u16,
        protocol: RequestProtocol,
        req: &HttpRequest<'a>,
    ) -> Option<Decision<'a>> {
        let req = protocol.http_request(req)?;
        Some(self.route_http(gateway, port, &req))
    }

    /// Decides as [`Router::route_http`] does, by the linear scan.
    pub fn route_http<'a>(
        &'a self,
        gateway: GatewayRef<'_>,
        port: u16,
        req: &HttpRequest<'a>,
    ) -> Decision<'a> {
        let mut decision = match self.scan(gateway, port, req) {
            Scan::Refused(reason) => reject(reason),
            Scan::Answered(status, reason) => respond(None, status, reason),
            Scan::Winner {
                listener,
                entry,
                path,
                ..
            } => self.router.decide(listener, entry.into(), req, path),
            Scan::NoMatch => respond(None, 404, "NoMatchingRoute"),
        };
        if req.grpc
            && let Decision::Respond(r) = &mut decision
        {
            r.grpc_status = Some(grpc_status_for(r.status));
        }
        decision
    }

    /// Where the winning entry stands in the chosen listener's precedence-ordered
    /// list (0: the first), so how many entries an ordered-list router tries
    /// before it; `None` when no entry matches or no listener takes the request.
    /// The request is taken as [`Router::route_http`] takes it.
    pub fn position(
        &self,
        gateway: GatewayRef<'_>,
        port: u16,
        req: &HttpRequest<'_>,
    ) -> Option<usize> {
        match self.scan(gateway, port, req) {
            Scan::Winner { position, .. } => Some(position),
            Scan::Refused(_) | Scan::Answered(..) | Scan::NoMatch => None,
        }
    }

    /// Every entry of a listener in precedence order: the list the scan walks
    /// (an entry per attached hostname, rule and match). Empty for an unknown
    /// Gateway or listener.
    pub fn ranked(&self, gateway: GatewayRef<'_>, listener: &str) -> Vec<Ranked<'_>> {
        let Some(gw) = self.router.gateway(gateway.namespace, gateway.name) else {
            return Vec::new();
        };
        let Some((i, l)) = gw
            .listeners
            .iter()
            .enumerate()
            .find(|(_, l)| l.name == listener)
        else {
            return Vec::new();
        };
        let order = self
            .order
            .get(gateway.namespace)
            .and_then(|g| g.get(gateway.name))
            .and_then(|lists| lists.get(i));
        order
            .into_iter()
            .flatten()
            .filter_map(|&e| l.entries.get(e))
            .filter_map(|e| {
                Some(Ranked {
                    hostname: e.hostname.as_ref(),
                    matched: self.router.matched(l, e.into())?,
                })
            })
            .collect()
    }

    /// The router this oracle was built from.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// Listener selection, then the scan from the top of the sorted list.
    fn scan<'a>(&'a self, gateway: GatewayRef<'_>, port: u16, req: &HttpRequest<'a>) -> Scan<'a> {
        let Some(gw) = self.router.gateway(gateway.namespace, gateway.name) else {
            return Scan::Refused("NoGateway");
        };
        let host = HostKey::new(req.host);
        let listener = match choose_listener(gw, port, req, &host) {
            Selected::Listener(l) => l,
            Selected::Reject(reason) => return Scan::Refused(reason),
            Selected::Respond(status, reason) => return Scan::Answered(status, reason),
        };
        let Some(path) = path::normalize(req.path()) else {
            return Scan::Answered(400, "BadPath");
        };
        let i = gw.listeners.iter().position(|l| std::ptr::eq(l, listener));
        let list = |orders: &'a HashMap<String, HashMap<String, Vec<Vec<usize>>>>,
                    entries: &'a [Entry]| {
            i.and_then(|i| orders.get(gateway.namespace)?.get(gateway.name)?.get(i))
                .into_iter()
                .flatten()
                .filter_map(move |&e| entries.get(e))
        };
        let host = host.as_str();
        let query = req.query();
        let http = list(&self.order, &listener.entries);
        // GRPCRoute entries: their own list, in their own precedence order.
        let grpc = list(&self.grpc_order, &listener.grpc_entries);
        // The request's own kind first (an HTTPRoute and a GRPCRoute never share a
        // hostname on one listener).
        let lists = if req.grpc { [grpc, http] } else { [http, grpc] };
        for list in lists {
            for (position, entry) in list.enumerate() {
                let host_matches = match &entry.hostname {
                    None => true,
                    Some(h) => !host.is_empty() && h.matches(host),
                };
                if host_matches
                    && entry
                        .m
                        .mismatch(&path, req.method, req.headers, query)
                        .is_none()
                {
                    return Scan::Winner {
                        listener,
                        entry,
                        position,
                        path,
                    };
                }
            }
        }
        Scan::NoMatch
    }
}

/// The listener a request reaches, written out from the spec over every listener
/// of the Gateway (the router reads per-port tables built at compile instead).
///
/// Only programmed listeners on `port` serve. Among those of the request's
/// protocol whose hostname matches the `Host`, the most specific wins: an exact
/// hostname, then the wildcard with the longest suffix, then a listener without
/// hostname; among equals, the one declared last. A request with no `Host` only
/// reaches a listener without hostname. Over TLS, the server name chooses among
/// the HTTPS and TLS listeners of the port alike (on equal specificity the TLS
/// one); a TLS listener's connection is not HTTP (refused), and a `Host` that
/// leads to another listener than the server name is misdirected (421).
fn choose_listener<'r>(
    gw: &'r GatewayRt,
    port: u16,
    req: &HttpRequest<'_>,
    host: &HostKey<'_>,
) -> Selected<'r> {
    // Only programmed listeners on the port serve.
    let on_port = |l: &ListenerRt| l.programmed && l.port == port;
    // Larger is more specific; `None` when the listener does not take `name`.
    let rank = |l: &ListenerRt, name: Option<&str>| match (&l.hostname, name) {
        (None, _) => Some((0, 0)),
        (Some(_), None) => None,
        (Some(h @ Hostname::Exact(exact)), Some(name)) => {
            h.matches(name).then_some((2, exact.len()))
        }
        (Some(h @ Hostname::Wildcard(suffix)), Some(name)) => {
            h.matches(name).then_some((1, suffix.len()))
        }
    };
    // The most specific of `protocols` on the port for `name`: a scan keeping
    // the last of the best (so later listeners, and TLS after HTTPS, win ties).
    let best = |protocols: &[Protocol], name: Option<&str>| {
        let mut best: Option<(&'r ListenerRt, (u8, usize), usize)> = None;
        for l in gw.listeners.iter().filter(|l| on_port(l)) {
            let Some(p) = protocols.iter().position(|&p| l.protocol == Some(p)) else {
                continue;
            };
            let Some(r) = rank(l, name) else { continue };
            // Ties go to the later protocol in `protocols`, then the later listener.
            if best.is_none_or(|(_, br, bp)| (r, p) >= (br, bp)) {
                best = Some((l, r, p));
            }
        }
        best.map(|(l, ..)| l)
    };
    let serves = |protocol: Protocol| {
        gw.listeners
            .iter()
            .any(|l| on_port(l) && l.protocol == Some(protocol))
    };
    let host = Some(host.as_str()).filter(|h| !h.is_empty());
    match req.scheme {
        Scheme::Http if !serves(Protocol::Http) => Selected::Reject("NoListener"),
        Scheme::Http => match best(&[Protocol::Http], host) {
            Some(l) => Selected::Listener(l),
            None => Selected::Respond(404, "NoMatchingListener"),
        },
        Scheme::Https if !serves(Protocol::Https) => Selected::Reject("NoListener"),
        Scheme::Https => {
            let sni = req.sni.map(HostKey::new);
            let sni = sni.as_ref().map(HostKey::as_str).filter(|s| !s.is_empty());
            let Some(by_sni) = best(&[Protocol::Https, Protocol::Tls], sni)
                .filter(|l| l.protocol == Some(Protocol::Https))
            else {
                return Selected::Reject("NoTlsListener");
            };
            match best(&[Protocol::Https], host) {
                None => Selected::Respond(404, "NoMatchingListener"),
                Some(by_host) if !std::ptr::eq(by_host, by_sni) => {
                    Selected::Respond(421, "Misdirected")
                }
                Some(_) => Selected::Listener(by_sni),
            }
        }
    }
}

/// One entry of a listener's precedence-ordered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ranked<'a> {
    /// The route hostname as attached to the listener (`None`: any).
    pub hostname: Option<&'a Hostname>,
    /// The listener, route, rule and match.
    pub matched: Matched<'a>,
}

enum Scan<'a> {
    /// The connection is refused before any entry is tried (no gateway or listener).
    Refused(&'static str),
    /// Answered before any entry is tried (no listener hostname, 421, bad path).
    Answered(u16, &'static str),
    Winner {
        listener: &'a ListenerRt,
        entry: &'a Entry,
        position: usize,
        /// The normalised path.
        path: Cow<'a, str>,
    },
    NoMatch,
}

/// The positions of a listener's entries in precedence order.
fn sorted(entries: &[Entry]) -> Vec<usize> {
    let mut ids: Vec<usize> = (0..entries.len()).collect();
    ids.sort_by(|&a, &b| match (entries.get(a), entries.get(b)) {
        (Some(a), Some(b)) => precedence(a).cmp(&precedence(b)),
        _ => Ordering::Equal,
    });
    ids
}

/// Smaller is higher precedence: the attached hostname, then the rest.
fn precedence(e: &Entry) -> (HostnameRank, &EntryKey) {
    (HostnameRank::of(e.hostname.as_ref()), &e.key)
}
