//! Stream decisions: where a TLS, TCP or UDP connection goes.
//!
//! - **TLS**: the most specific programmed `HTTPS` or `TLS` listener of the port
//!   whose hostname matches the ClientHello's server name; it must be a `TLS`
//!   listener (none, or an `HTTPS` one: the connection is refused; see
//!   [`Router::tls_listener`] for the proxy's side of the same choice). On that listener, the TLSRoute whose attached hostname matches the
//!   server name most specifically wins (exact, then the longest wildcard suffix);
//!   ties go to the oldest route, then `namespace/name`. A wildcard matches one or
//!   more labels, never the apex. No server name, or no route: refused.
//! - **TCP / UDP**: the programmed listener of the port. Every route attached to it
//!   is Accepted; the oldest (then `namespace/name`) carries the traffic.
//!
//! A stream whose rule has no valid backend is refused; with a mix, the invalid
//! backends' share of connections is refused ([`Pick::Error`](crate::Pick::Error)).

use std::borrow::Cow;

use crate::decision::{
    Decision, Forward, GatewayRef, Matched, Reject, most_specific, most_specific_tls, reject,
};
use crate::hostname::HostKey;
use crate::request::{HttpRequest, RequestProtocol};
use crate::router::{Action, Hit, ListenerRt, Protocol, Router};

/// The request view stream routing passes to the shared index (no headers, no
/// method condition ever applies to stream entries).
const STREAM_REQUEST: HttpRequest<'static> = HttpRequest {
    method: "",
    host: "",
    target: "/",
    scheme: crate::request::Scheme::Http,
    sni: None,
    headers: crate::request::Headers::None,
    grpc: false,
};

impl Router {
    /// Decides where a TLS connection with server name `sni` arriving at `port`
    /// goes (a `TLS` listener, Passthrough or Terminate).
    pub fn route_tls<'a>(
        &'a self,
        gateway: GatewayRef<'_>,
        port: u16,
        sni: Option<&str>,
    ) -> Decision<'a> {
        let Some(gw) = self.gateway(gateway.namespace, gateway.name) else {
            return reject("NoGateway");
        };
        if !gw.serves(port, Protocol::Tls) {
            return reject("NoListener");
        }
        let key = sni.map(HostKey::new);
        let name = key.as_ref().map(HostKey::as_str).filter(|s| !s.is_empty());
        let Some(listener) =
            most_specific_tls(gw, port, name).filter(|l| l.protocol == Some(Protocol::Tls))
        else {
            return reject("NoTlsListener");
        };
        let Some(key) = key.filter(|k| !k.as_str().is_empty()) else {
            return reject("NoMatchingRoute");
        };
        match listener.lookup(key.as_str(), "/", None, &STREAM_REQUEST) {
            Some(hit) => self.decide_stream(listener, hit, RequestProtocol::Tls),
            None => reject("NoMatchingRoute"),
        }
    }

    /// The listener a TLS handshake with server name `sni` on `port` reaches: the
    /// most specific programmed `HTTPS` or `TLS` listener whose hostname matches
    /// (HTTPS and TLS listeners share a port by hostname). A proxy peeks the
    /// ClientHello, asks this, then terminates (HTTPS, TLS `Terminate`) or passes
    /// the stream through (TLS `Passthrough`).
    pub fn tls_listener(
        &self,
        gateway: GatewayRef<'_>,
        port: u16,
        sni: Option<&str>,
    ) -> Option<crate::ListenerInfo<'_>> {
        let gw = self.gateway(gateway.namespace, gateway.name)?;
        let key = sni.map(HostKey::new);
        let name = key.as_ref().map(HostKey::as_str).filter(|s| !s.is_empty());
        most_specific_tls(gw, port, name).map(ListenerRt::info)
    }

    /// Decides where a TCP connection arriving at `port` goes.
    pub fn route_tcp<'a>(&'a self, gateway: GatewayRef<'_>, port: u16) -> Decision<'a> {
        self.route_l4(gateway, port, Protocol::Tcp, RequestProtocol::Tcp)
    }

    /// Decides where UDP datagrams arriving at `port` go.
    pub fn route_udp<'a>(&'a self, gateway: GatewayRef<'_>, port: u16) -> Decision<'a> {
        self.route_l4(gateway, port, Protocol::Udp, RequestProtocol::Udp)
    }

    fn route_l4<'a>(
        &'a self,
        gateway: GatewayRef<'_>,
        port: u16,
        protocol: Protocol,
        request: RequestProtocol,
    ) -> Decision<'a> {
        let Some(gw) = self.gateway(gateway.namespace, gateway.name) else {
            return reject("NoGateway");
        };
        let Some(listener) = most_specific(gw, port, protocol, None) else {
            return reject("NoListener");
        };
        match listener.entries.first() {
            Some(entry) => self.decide_stream(listener, Hit::from(entry), request),
            None => reject("NoMatchingRoute"),
        }
    }

    fn decide_stream<'a>(
        &'a self,
        listener: &'a ListenerRt,
        hit: Hit,
        protocol: RequestProtocol,
    ) -> Decision<'a> {
        let Some(matched) = self.matched(listener, hit) else {
            return reject("NoBackends");
        };
        let Some(rule) = self.inner.rules.get(hit.rule as usize) else {
            return reject("NoBackends");
        };
        match &rule.action {
            Action::Forward { .. } => Decision::Forward(Forward::new(
                listener,
                hit,
                protocol,
                listener.tls_mode,
                rule,
                STREAM_REQUEST,
                Cow::Borrowed(""),
            )),
            Action::Respond { reason, .. } => Decision::Reject(Reject {
                reason,
                matched: Some(matched),
            }),
            // Stream routes have no redirect filter.
            Action::Redirect(_) => Decision::Reject(Reject {
                reason: "NoBackends",
                matched: Some(matched),
            }),
        }
    }

    pub(crate) fn matched<'a>(&'a self, listener: &'a ListenerRt, hit: Hit) -> Option<Matched<'a>> {
        let rule = self.inner.rules.get(hit.rule as usize)?;
        Some(Matched::of(listener, rule, hit))
    }
}
