//! Explain: the same walk as routing, recorded.
//!
//! The explanation scans *every* entry of the chosen listener whose hostname
//! matches the request, in precedence order (hostname first, then
//! [`PrecedenceKey`]), and records for each whether it matched, and if not which
//! condition failed. The first match is the winner; it is, by construction of the
//! index, the rule the router chose (the explanation says so in `consistent`).

use std::fmt;

use serde::Serialize;

use crate::decision::{GatewayRef, Selected, most_specific, most_specific_tls, select_listener};
use crate::hostname::{HostKey, Hostname};
use crate::matcher::{Mismatch, PathKind};
use crate::path;
use crate::precedence::{HostnameRank, PrecedenceKey};
use crate::request::{HttpRequest, RequestProtocol, Scheme};
use crate::router::{ListenerRt, Protocol, Router};
use crate::view::DecisionView;

/// Why a request got its decision.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Explanation {
    /// `namespace/name` of the Gateway.
    pub gateway: String,
    /// The port the request arrived on.
    pub port: u16,
    /// `HTTP`, `HTTPS`, `GRPC`, `TLS`, `TCP` or `UDP`.
    pub protocol: &'static str,
    /// The `Host` as sent.
    pub host: String,
    /// The host as matched (lower case, no port, no trailing dot).
    pub matched_host: String,
    /// The TLS server name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// The path as sent.
    pub path: String,
    /// The path as matched, `None` when it is not a valid path (400).
    pub normalized_path: Option<String>,
    /// The Gateway's listeners on this port, and which one was chosen.
    pub listeners: Vec<ListenerStep>,
    /// How the listener was chosen, or why none was.
    pub listener_outcome: String,
    /// Candidates on the chosen listener, in precedence order.
    pub candidates: Vec<Candidate>,
    /// Entries of the chosen listener passed over because their hostname does not
    /// match the request.
    pub other_hostnames: usize,
    /// Whether the linear scan's winner is the rule the index chose (always true
    /// unless there is a bug; tests assert it).
    pub consistent: bool,
    /// The decision.
    pub decision: DecisionView,
}

/// One listener considered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerStep {
    /// Listener name.
    pub name: String,
    /// Protocol, when served.
    pub protocol: Option<Protocol>,
    /// Hostname, `None` for any.
    pub hostname: Option<Hostname>,
    /// Whether it serves traffic.
    pub programmed: bool,
    /// Whether its hostname matches the request's host.
    pub matches_host: bool,
    /// Whether it was chosen.
    pub chosen: bool,
}

/// One candidate rule match.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// `namespace/name` of the route.
    pub route: String,
    /// Rule index.
    pub rule: usize,
    /// Match index within the rule.
    pub match_index: usize,
    /// The route hostname as attached to the listener (`None`: any).
    pub hostname: Option<Hostname>,
    /// Hostname precedence.
    pub hostname_rank: HostnameRank,
    /// The rest of the precedence key.
    pub key: PrecedenceKey,
    /// The match in words, e.g. `PathPrefix /api, 1 header`.
    pub summary: String,
    /// `won`, `lost` (matched, lower precedence) or `mismatch`.
    pub outcome: &'static str,
    /// The first failing condition, for `mismatch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mismatch: Option<Mismatch>,
}

impl Router {
    /// Routes a request of any protocol as [`Router::route`] does and records why.
    pub fn explain(
        &self,
        gateway: GatewayRef<'_>,
        port: u16,
        protocol: RequestProtocol,
        req: &HttpRequest<'_>,
    ) -> Explanation {
        match protocol.http_request(req) {
            Some(http) => self.explain_http(gateway, port, &http),
            None => self.explain_stream(gateway, port, protocol, req),
        }
    }

    fn explain_stream(
        &self,
        gateway: GatewayRef<'_>,
        port: u16,
        protocol: RequestProtocol,
        req: &HttpRequest<'_>,
    ) -> Explanation {
        let decision = self.route(gateway, port, protocol, req);
        let view = decision.view();
        let sni = match protocol {
            RequestProtocol::Tls => req.with_default_sni().sni,
            _ => None,
        };
        let sni_key = HostKey::new(sni.unwrap_or(""));
        let listener_protocol = match protocol {
            RequestProtocol::Tls => Protocol::Tls,
            RequestProtocol::Tcp => Protocol::Tcp,
            _ => Protocol::Udp,
        };
        let mut ex = Explanation {
            gateway: format!("{}/{}", gateway.namespace, gateway.name),
            port,
            protocol: protocol.as_str(),
            host: String::new(),
            matched_host: sni_key.as_str().to_owned(),
            sni: sni.map(str::to_owned),
            path: String::new(),
            normalized_path: None,
            listeners: Vec::new(),
            listener_outcome: String::new(),
            candidates: Vec::new(),
            other_hostnames: 0,
            consistent: true,
            decision: view,
        };
        let Some(gw) = self.gateway(gateway.namespace, gateway.name) else {
            ex.listener_outcome =
                "no Gateway of ours with this name: the connection is refused".into();
            return ex;
        };
        let host = Some(sni_key.as_str()).filter(|h| !h.is_empty());
        let chosen = match protocol {
            RequestProtocol::Tls => {
                most_specific_tls(gw, port, host).filter(|l| l.protocol == Some(Protocol::Tls))
            }
            _ => most_specific(gw, port, listener_protocol, None),
        };
        for l in gw.listeners.iter().filter(|l| l.port == port) {
            ex.listeners.push(ListenerStep {
                name: l.name.clone(),
                protocol: l.protocol,
                hostname: l.hostname.clone(),
                programmed: l.programmed,
                matches_host: l
                    .hostname
                    .as_ref()
                    .is_none_or(|h| host.is_some_and(|s| h.matches(s))),
                chosen: chosen.is_some_and(|c| std::ptr::eq(c, l)),
            });
        }
        let Some(listener) = chosen else {
            ex.listener_outcome = if gw.serves(port, listener_protocol) {
                format!(
                    "no {protocol} listener on port {port} matches the server name: the handshake is refused"
                )
            } else {
                format!(
                    "no programmed {protocol} listener on port {port}: the connection is refused"
                )
            };
            return ex;
        };
        ex.listener_outcome = format!(
            "listener {} chosen: the most specific programmed {protocol} listener on port {port}{}",
            listener.name,
            match (protocol, &listener.hostname) {
                (RequestProtocol::Tls, Some(h)) =>
                    format!(" whose hostname ({h}) matches the server name"),
                (RequestProtocol::Tls, None) => " (any server name)".to_owned(),
                _ => String::new(),
            }
        );
        let mut scan: Vec<_> = listener
            .entries
            .iter()
            .filter(|e| match (protocol, &e.hostname) {
                (RequestProtocol::Tls, Some(h)) => host.is_some_and(|s| h.matches(s)),
                (RequestProtocol::Tls, None) => host.is_some(),
                _ => true,
            })
            .collect();
        ex.other_hostnames = listener.entries.len() - scan.len();
        scan.sort_by(|a, b| {
            (HostnameRank::of(a.hostname.as_ref()), &a.key)
                .cmp(&(HostnameRank::of(b.hostname.as_ref()), &b.key))
        });
        let mut won = false;
        for e in scan {
            let outcome = if won { "lost" } else { "won" };
            if !won {
                won = true;
                let rule = self.inner.rules.get(e.rule as usize);
                let route = rule.and_then(|r| self.inner.routes.get(r.route as usize));
                ex.consistent = match (&ex.decision.route, route) {
                    (Some(v), Some(r)) => *v.namespace == *r.namespace && *v.name == *r.name,
                    _ => false,
                };
            }
            let key = self.precedence_key(e);
            ex.candidates.push(Candidate {
                route: format!("{}/{}", key.namespace, key.name),
                rule: key.rule,
                match_index: key.match_index,
                hostname: e.hostname.clone(),
                hostname_rank: HostnameRank::of(e.hostname.as_ref()),
                key,
                summary: match protocol {
                    RequestProtocol::Tls => "server name".to_owned(),
                    _ => "any connection (oldest route first)".to_owned(),
                },
                outcome,
                mismatch: None,
            });
        }
        if !won {
            ex.consistent = ex.decision.route.is_none();
        }
        ex
    }

    /// Routes a request and records why (allocates freely; for people and tools).
    pub fn explain_http(
        &self,
        gateway: GatewayRef<'_>,
        port: u16,
        req: &HttpRequest<'_>,
    ) -> Explanation {
        let decision = self.route_http(gateway, port, req);
        let view = decision.view();
        let host_key = HostKey::new(req.host);
        let mut ex = Explanation {
            gateway: format!("{}/{}", gateway.namespace, gateway.name),
            port,
            protocol: match (req.grpc, req.scheme) {
                (true, _) => "GRPC",
                (false, Scheme::Http) => "HTTP",
                (false, Scheme::Https) => "HTTPS",
            },
            host: req.host.to_owned(),
            matched_host: host_key.as_str().to_owned(),
            sni: req.sni.map(str::to_owned),
            path: req.path().to_owned(),
            normalized_path: path::normalize(req.path()).map(|p| p.into_owned()),
            listeners: Vec::new(),
            listener_outcome: String::new(),
            candidates: Vec::new(),
            other_hostnames: 0,
            consistent: true,
            decision: view,
        };
        let Some(gw) = self.gateway(gateway.namespace, gateway.name) else {
            ex.listener_outcome =
                "no Gateway of ours with this name: the connection is refused".into();
            return ex;
        };
        let selected = select_listener(gw, port, req, host_key.as_str());
        let chosen: Option<&ListenerRt> = match selected {
            Selected::Listener(l) => Some(l),
            _ => None,
        };
        for l in gw.listeners.iter().filter(|l| l.port == port) {
            ex.listeners.push(ListenerStep {
                name: l.name.clone(),
                protocol: l.protocol,
                hostname: l.hostname.clone(),
                programmed: l.programmed,
                matches_host: l
                    .hostname
                    .as_ref()
                    .is_none_or(|h| h.matches(host_key.as_str())),
                chosen: chosen.is_some_and(|c| std::ptr::eq(c, l)),
            });
        }
        ex.listener_outcome = match selected {
            Selected::Listener(l) => format!(
                "listener {} chosen: the most specific programmed {} listener on port {port} whose hostname ({}) matches",
                l.name,
                l.protocol.map_or("", Protocol::as_str),
                l.hostname.as_ref().map_or_else(|| "any".to_owned(), ToString::to_string)
            ),
            Selected::Reject(reason) => match reason {
                "NoTlsListener" => "no HTTPS listener on this port matches the SNI: the TLS handshake is refused".into(),
                _ => format!("no programmed {} listener on port {port}: the connection is refused", ex.protocol),
            },
            Selected::Respond(421, _) => {
                "the Host matches a more specific listener than the one the SNI selected: 421 Misdirected Request".into()
            }
            Selected::Respond(status, _) => {
                format!("no listener hostname on port {port} matches the Host: {status}, no fall-through to other listeners")
            }
        };
        let (Some(listener), Some(npath)) = (chosen, ex.normalized_path.clone()) else {
            return ex;
        };
        let host = host_key.as_str();
        // The router tries the request's own kind first (GRPCRoutes for a gRPC
        // request), then the other; each list in precedence order.
        let (first, second) = if req.grpc {
            (&listener.grpc_entries, &listener.entries)
        } else {
            (&listener.entries, &listener.grpc_entries)
        };
        let mut scan = Vec::new();
        for list in [first, second] {
            let mut part: Vec<_> = list
                .iter()
                .filter(|e| {
                    e.hostname
                        .as_ref()
                        .is_none_or(|h| !host.is_empty() && h.matches(host))
                })
                .collect();
            ex.other_hostnames += list.len() - part.len();
            part.sort_by(|a, b| {
                (HostnameRank::of(a.hostname.as_ref()), &a.key)
                    .cmp(&(HostnameRank::of(b.hostname.as_ref()), &b.key))
            });
            scan.extend(part);
        }
        let query = req.query();
        let mut won = false;
        for e in scan {
            let mismatch = e.m.mismatch(&npath, req.method, req.headers, query);
            let outcome = match (mismatch, won) {
                (Some(_), _) => "mismatch",
                (None, false) => {
                    won = true;
                    "won"
                }
                (None, true) => "lost",
            };
            if outcome == "won" {
                let rule = self.inner.rules.get(e.rule as usize);
                let route = rule.and_then(|r| self.inner.routes.get(r.route as usize));
                let same = match (&ex.decision.route, route, rule) {
                    (Some(v), Some(r), Some(rule)) => {
                        *v.namespace == *r.namespace
                            && *v.name == *r.name
                            && ex.decision.rule == Some(usize::from(rule.index))
                    }
                    _ => false,
                };
                ex.consistent = same;
            }
            let key = self.precedence_key(e);
            ex.candidates.push(Candidate {
                route: format!("{}/{}", key.namespace, key.name),
                rule: key.rule,
                match_index: key.match_index,
                hostname: e.hostname.clone(),
                hostname_rank: HostnameRank::of(e.hostname.as_ref()),
                key,
                summary: summary(e),
                outcome,
                mismatch,
            });
        }
        if !won {
            ex.consistent = ex.decision.route.is_none();
        }
        ex
    }
}

pub(crate) fn summary(e: &crate::router::Entry) -> String {
    let kind = match e.m.path.kind() {
        PathKind::Exact => "Exact",
        PathKind::PathPrefix => "PathPrefix",
        PathKind::RegularExpression => "RegularExpression",
    };
    let mut s = if e.key.is_grpc() {
        match e.m.path.kind() {
            PathKind::PathPrefix => "gRPC: any service and method".to_owned(),
            PathKind::Exact => format!("gRPC method {}", e.m.path.value()),
            PathKind::RegularExpression => format!("gRPC method matching {}", e.m.path.value()),
        }
    } else {
        format!("{kind} {}", e.m.path.value())
    };
    if let Some(m) = &e.m.method {
        s.push_str(&format!(", method {m}"));
    }
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("1 {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    if !e.m.headers.is_empty() {
        s.push_str(&format!(", {}", plural(e.m.headers.len(), "header")));
    }
    if !e.m.query.is_empty() {
        s.push_str(&format!(", {}", plural(e.m.query.len(), "query param")));
    }
    s
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "gateway {} port {} {}",
            self.gateway, self.port, self.protocol
        )?;
        write!(
            f,
            "host {:?} (matched as {:?})",
            self.host, self.matched_host
        )?;
        if let Some(sni) = &self.sni {
            write!(f, ", sni {sni:?}")?;
        }
        match &self.normalized_path {
            None if self.path.is_empty() => writeln!(f)?,
            Some(p) if *p == self.path => writeln!(f, ", path {:?}", self.path)?,
            Some(p) => writeln!(f, ", path {:?} (normalised to {p:?})", self.path)?,
            None => writeln!(f, ", path {:?} (not a valid path: 400)", self.path)?,
        }
        if !self.listeners.is_empty() {
            writeln!(f, "listeners on port {}:", self.port)?;
            for l in &self.listeners {
                let host = l
                    .hostname
                    .as_ref()
                    .map_or_else(|| "(any hostname)".to_owned(), ToString::to_string);
                let proto = l.protocol.map_or("unsupported", Protocol::as_str);
                let mut notes = Vec::new();
                if !l.programmed {
                    notes.push("not programmed");
                }
                notes.push(if l.matches_host {
                    "host matches"
                } else {
                    "host does not match"
                });
                let mark = if l.chosen { "->" } else { "  " };
                writeln!(
                    f,
                    "  {mark} {} {proto} {host} ({})",
                    l.name,
                    notes.join(", ")
                )?;
            }
        }
        writeln!(f, "{}", self.listener_outcome)?;
        if !self.candidates.is_empty() || self.other_hostnames > 0 {
            writeln!(f, "candidates in precedence order:")?;
            for (i, c) in self.candidates.iter().enumerate() {
                let host = c
                    .hostname
                    .as_ref()
                    .map_or_else(|| "*".to_owned(), ToString::to_string);
                let outcome = match (c.outcome, c.mismatch) {
                    ("won", _) => "WON".to_owned(),
                    ("lost", _) => "matched, lower precedence".to_owned(),
                    (_, Some(m)) => format!("no match ({})", mismatch_word(m)),
                    (o, None) => o.to_owned(),
                };
                writeln!(
                    f,
                    "  {:>3}. {} rule {} match {} [{}] {}  {}",
                    i + 1,
                    c.route,
                    c.rule,
                    c.match_index,
                    host,
                    c.summary,
                    outcome
                )?;
            }
            if self.other_hostnames > 0 {
                writeln!(
                    f,
                    "  ({} entries for other hostnames not considered)",
                    self.other_hostnames
                )?;
            }
        }
        let d = &self.decision;
        match d.kind {
            "forward" => {
                let targets: Vec<String> = d
                    .backends
                    .iter()
                    .map(|b| match (&b.namespace, &b.name, b.port) {
                        (Some(ns), Some(n), Some(p)) => {
                            format!("{ns}/{n}:{p} (weight {})", b.weight)
                        }
                        _ if matches!(d.protocol, Some("TLS" | "TCP" | "UDP")) => format!(
                            "refused share (weight {}, {})",
                            b.weight,
                            b.reason.as_deref().unwrap_or("invalid")
                        ),
                        _ => format!(
                            "500 share (weight {}, {})",
                            b.weight,
                            b.reason.as_deref().unwrap_or("invalid")
                        ),
                    })
                    .collect();
                write!(f, "decision: forward to {}", targets.join(", "))
            }
            "redirect" => write!(
                f,
                "decision: redirect {} to {}",
                d.status.unwrap_or(302),
                d.location.as_deref().unwrap_or("")
            ),
            "respond" => write!(
                f,
                "decision: respond {} ({})",
                d.status.unwrap_or(0),
                d.reason.unwrap_or("")
            ),
            _ => write!(
                f,
                "decision: reject the connection ({})",
                d.reason.unwrap_or("")
            ),
        }
    }
}

fn mismatch_word(m: Mismatch) -> &'static str {
    match m {
        Mismatch::Path => "path",
        Mismatch::Method => "method",
        Mismatch::Header => "headers",
        Mismatch::QueryParam => "query params",
    }
}
