//! UDP listeners: each client address is a session with its own upstream socket,
//! routed when its first datagram arrives and ended after a quiet period.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use gatewise::{GatewayRef, RequestProtocol};
use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::idle::{self, Activity};
use crate::server::Shared;
use crate::snapshot::{SocketKey, SocketKind, Target};
use crate::stream::choose;

struct Session {
    upstream: Arc<UdpSocket>,
    activity: Arc<Activity>,
    stop: CancellationToken,
}

/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_535;

/// Serves a UDP listener socket: sessions routed through the router.
pub(crate) async fn serve(
    shared: Arc<Shared>,
    socket: Arc<UdpSocket>,
    key: SocketKey,
    stop: CancellationToken,
) {
    let router_shared = shared.clone();
    relay(&shared, socket, stop, move || route(&router_shared, key)).await;
}

/// The endpoint a new UDP session goes to, or `None` (counted) to drop it.
fn route(shared: &Arc<Shared>, key: SocketKey) -> Option<Target> {
    let snap = shared.current.load_full();
    let plan = snap.socket(key).filter(|p| p.kind == SocketKind::Udp)?;
    let decision = snap.router().route_udp(
        GatewayRef::new(&plan.namespace, &plan.gateway),
        plan.listener_port,
    );
    let (_, target) = choose(
        shared,
        &snap,
        &decision,
        &plan.namespace,
        &plan.gateway,
        RequestProtocol::Udp,
    )?;
    Some(target)
}

/// Relays datagrams: a session per client address, opened with the endpoint
/// `route` gives when its first datagram arrives.
async fn relay(
    shared: &Arc<Shared>,
    socket: Arc<UdpSocket>,
    stop: CancellationToken,
    route: impl Fn() -> Option<Target>,
) {
    let limits = shared.config.limits.clone();
    let mut sessions: HashMap<SocketAddr, Session> = HashMap::new();
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut sweep = tokio::time::interval(idle::check_interval(limits.udp_session_idle));
    loop {
        let (n, client) = tokio::select! {
            r = socket.recv_from(&mut buf) => match r {
                Ok(r) => r,
                Err(e) => {
                    // ICMP errors surface here on some systems; keep serving.
                    debug!(error = %e, "udp receive failed");
                    continue;
                }
            },
            _ = sweep.tick() => {
                sessions.retain(|_, s| {
                    let live = !s.activity.idle_for(limits.udp_session_idle);
                    if !live {
                        s.stop.cancel();
                        shared.metrics.udp_sessions.fetch_sub(1, Ordering::Relaxed);
                    }
                    live
                });
                continue;
            }
            () = stop.cancelled() => break,
        };
        let datagram = &buf[..n];
        if let Some(s) = sessions.get(&client) {
            s.activity.touch();
            let _ = s.upstream.send(datagram).await;
            continue;
        }
        if sessions.len() >= limits.max_udp_sessions {
            shared.metrics.udp_dropped.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let Some(session) = open_session(route(), &socket, client, &stop).await else {
            shared.metrics.udp_dropped.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let _ = session.upstream.send(datagram).await;
        shared.metrics.udp_sessions.fetch_add(1, Ordering::Relaxed);
        sessions.insert(client, session);
    }
    for (_, s) in sessions.drain() {
        s.stop.cancel();
        shared.metrics.udp_sessions.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn open_session(
    target: Option<Target>,
    listener: &Arc<UdpSocket>,
    client: SocketAddr,
    stop: &CancellationToken,
) -> Option<Session> {
    let target = target?;
    let addr = match target.addr {
        Some(a) => a,
        None => tokio::net::lookup_host(&*target.authority)
            .await
            .ok()?
            .next()?,
    };
    let local: SocketAddr = if addr.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let upstream = Arc::new(UdpSocket::bind(local).await.ok()?);
    upstream.connect(addr).await.ok()?;
    let activity = Activity::new();
    let session_stop = stop.child_token();
    let (up, listener, act, done) = (
        upstream.clone(),
        listener.clone(),
        activity.clone(),
        session_stop.clone(),
    );
    tokio::spawn(async move {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        loop {
            tokio::select! {
                r = up.recv(&mut buf) => match r {
                    Ok(n) => {
                        act.touch();
                        let _ = listener.send_to(&buf[..n], client).await;
                    }
                    Err(e) => debug!(error = %e, "udp upstream receive failed"),
                },
                () = done.cancelled() => return,
            }
        }
    });
    Some(Session {
        upstream,
        activity,
        stop: session_stop,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;
    use crate::config::Config;

    const PATIENCE: Duration = Duration::from_secs(30);

    #[track_caller]
    fn must<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
        match r {
            Ok(v) => v,
            Err(e) => panic!("{what}: {e:?}"),
        }
    }

    /// Sends `data` until an answer comes (datagrams may be lost), within PATIENCE.
    async fn ask(sock: &UdpSocket, to: SocketAddr, data: &[u8]) -> (Vec<u8>, SocketAddr) {
        let mut buf = [0u8; 2048];
        let asked = tokio::time::timeout(PATIENCE, async {
            loop {
                must(sock.send_to(data, to).await, "send");
                if let Ok(Ok((n, from))) =
                    tokio::time::timeout(Duration::from_millis(300), sock.recv_from(&mut buf)).await
                {
                    return (buf[..n].to_vec(), from);
                }
            }
        })
        .await;
        must(asked, "answer")
    }

    #[tokio::test]
    async fn sessions_per_client_answer_from_the_listener_and_expire() {
        // The backend answers with the source port it saw.
        let backend = Arc::new(must(UdpSocket::bind("127.0.0.1:0").await, "bind"));
        let backend_addr = must(backend.local_addr(), "addr");
        tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            while let Ok((n, from)) = backend.recv_from(&mut buf).await {
                let answer = format!("{}:{}", String::from_utf8_lossy(&buf[..n]), from.port());
                let _ = backend.send_to(answer.as_bytes(), from).await;
            }
        });
        let mut config = Config::new(Vec::new());
        config.limits.udp_session_idle = Duration::from_millis(300);
        let shared = Shared::new(config);
        let listener = Arc::new(must(UdpSocket::bind("127.0.0.1:0").await, "bind"));
        let gateway = must(listener.local_addr(), "addr");
        let routed = Arc::new(AtomicUsize::new(0));
        let r = routed.clone();
        let stop = CancellationToken::new();
        let relay_shared = shared.clone();
        let relay_stop = stop.clone();
        tokio::spawn(async move {
            relay(&relay_shared, listener, relay_stop, move || {
                r.fetch_add(1, Ordering::SeqCst);
                Some(Target {
                    authority: backend_addr.to_string().into(),
                    addr: Some(backend_addr),
                })
            })
            .await;
        });
        let one = must(UdpSocket::bind("127.0.0.1:0").await, "bind");
        let two = must(UdpSocket::bind("127.0.0.1:0").await, "bind");
        let (a1, from) = ask(&one, gateway, b"one").await;
        assert_eq!(from, gateway, "answers come from the listener's address");
        let (a2, _) = ask(&two, gateway, b"two").await;
        let (a1b, _) = ask(&one, gateway, b"one").await;
        let port = |a: &[u8]| {
            String::from_utf8_lossy(a)
                .rsplit(':')
                .next()
                .map(str::to_owned)
        };
        // Each client has its own upstream socket, kept across datagrams.
        assert_ne!(port(&a1), port(&a2));
        assert_eq!(port(&a1), port(&a1b));
        assert!(String::from_utf8_lossy(&a2).starts_with("two:"));
        assert_eq!(routed.load(Ordering::SeqCst), 2);
        // After a quiet period the session ends; the next datagram is routed anew.
        let expired = tokio::time::timeout(PATIENCE, async {
            while shared.metrics.udp_sessions.load(Ordering::Relaxed) != 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        assert!(expired.is_ok(), "sessions never expired");
        let _ = ask(&one, gateway, b"again").await;
        assert_eq!(routed.load(Ordering::SeqCst), 3);
        stop.cancel();
    }

    #[tokio::test]
    async fn a_refused_session_drops_its_datagrams() {
        let shared = Shared::new(Config::new(Vec::new()));
        let listener = Arc::new(must(UdpSocket::bind("127.0.0.1:0").await, "bind"));
        let gateway = must(listener.local_addr(), "addr");
        let stop = CancellationToken::new();
        let relay_shared = shared.clone();
        let relay_stop = stop.clone();
        tokio::spawn(async move { relay(&relay_shared, listener, relay_stop, || None).await });
        let client = must(UdpSocket::bind("127.0.0.1:0").await, "bind");
        must(client.send_to(b"x", gateway).await, "send");
        let dropped = tokio::time::timeout(PATIENCE, async {
            while shared.metrics.udp_dropped.load(Ordering::Relaxed) == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(dropped.is_ok());
        stop.cancel();
    }
}
