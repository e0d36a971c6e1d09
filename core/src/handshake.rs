//! The TLS handshake: which listener's certificate a connection gets.
//!
//! A port may carry `HTTPS` listeners and `TLS` listeners (Passthrough or
//! Terminate) side by side, told apart by hostname. The ClientHello's server name
//! picks the most specific programmed one whose hostname matches (an exact name,
//! then the wildcard with the longest suffix, then a listener without hostname),
//! as the Gateway API's listener hostname rules say; without a server name only a
//! listener without hostname matches. None: the handshake is refused.
//!
//! The chosen listener's protocol tells the proxy what to do next: terminate TLS
//! with its certificates and serve HTTP (`HTTPS`), or hand the connection to
//! [`Router::route_tls`] (`TLS`).

use crate::decision::GatewayRef;
use crate::hostname::HostKey;
use crate::router::{ListenerInfo, Protocol, Router};

impl Router {
    /// The listener that takes a TLS connection with server name `sni` on `port`:
    /// the most specific programmed `HTTPS` or `TLS` listener whose hostname
    /// matches. `None`: refuse the handshake.
    pub fn tls_listener(
        &self,
        gateway: GatewayRef<'_>,
        port: u16,
        sni: Option<&str>,
    ) -> Option<ListenerInfo<'_>> {
        let gw = self.gateway(gateway.namespace, gateway.name)?;
        let key = sni.map(HostKey::new);
        let name = key.as_ref().map(HostKey::as_str).filter(|s| !s.is_empty());
        gw.listeners
            .iter()
            .filter(|l| {
                l.programmed
                    && l.port == port
                    && matches!(l.protocol, Some(Protocol::Https | Protocol::Tls))
            })
            .filter(|l| match (&l.hostname, name) {
                (None, _) => true,
                (Some(h), Some(name)) => h.matches(name),
                (Some(_), None) => false,
            })
            .max_by_key(|l| l.hostname.as_ref().map(|h| h.specificity()))
            .map(|l| ListenerInfo {
                name: &l.name,
                port: l.port,
                protocol: l.protocol,
                hostname: l.hostname.as_ref(),
                programmed: l.programmed,
                tls_mode: l.tls_mode,
                certificates: &l.certificates,
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::{GatewayRef, Options, Router, load_str};

    #[test]
    fn most_specific_https_listener_takes_the_handshake() {
        let mut yaml = String::from(
            "apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners:
  - {name: any, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: c}]}}
  - {name: wild, port: 443, protocol: HTTPS, hostname: '*.example.com', tls: {certificateRefs: [{name: c}]}}
  - {name: deep, port: 443, protocol: HTTPS, hostname: '*.a.example.com', tls: {certificateRefs: [{name: c}]}}
  - {name: exact, port: 443, protocol: HTTPS, hostname: 'x.a.example.com', tls: {certificateRefs: [{name: c}]}}
  - {name: plain, port: 80, protocol: HTTP}
---
apiVersion: v1
kind: Secret
metadata: {name: c, namespace: infra}
type: kubernetes.io/tls
stringData:
",
        );
        yaml.push_str(
            "  tls.crt: \"-----BEGIN CERTIFICATE-----\\nMA==\\n-----END CERTIFICATE-----\\n\"\n",
        );
        yaml.push_str(
            "  tls.key: \"-----BEGIN PRIVATE KEY-----\\nMA==\\n-----END PRIVATE KEY-----\\n\"\n",
        );
        let loaded = load_str("t.yaml", &yaml);
        assert!(loaded.rejections.is_empty(), "{:?}", loaded.rejections);
        let compiled = Router::compile(&loaded.resources, &Options::default());
        let gw = GatewayRef::new("infra", "gw");
        let name = |sni: Option<&str>, port: u16| {
            compiled
                .router()
                .tls_listener(gw, port, sni)
                .map(|l| l.name.to_owned())
        };
        assert_eq!(
            name(Some("X.A.Example.com."), 443).as_deref(),
            Some("exact")
        );
        assert_eq!(name(Some("y.a.example.com"), 443).as_deref(), Some("deep"));
        assert_eq!(name(Some("b.example.com"), 443).as_deref(), Some("wild"));
        assert_eq!(name(Some("example.com"), 443).as_deref(), Some("any"));
        assert_eq!(name(None, 443).as_deref(), Some("any"));
        assert_eq!(name(Some("b.example.com"), 80), None);
        assert_eq!(name(Some("b.example.com"), 444), None);
        let info = compiled
            .router()
            .tls_listener(gw, 443, Some("b.example.com"));
        assert_eq!(info.map(|l| l.certificates.len()), Some(1));
    }
}
