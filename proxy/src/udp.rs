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
use crate::snapshot::{SocketKey, SocketKind};
use crate::stream::choose;

struct Session {
    upstream: Arc<UdpSocket>,
    activity: Arc<Activity>,
    stop: CancellationToken,
}

/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_535;

pub(crate) async fn serve(
    shared: Arc<Shared>,
    socket: Arc<UdpSocket>,
    key: SocketKey,
    stop: CancellationToken,
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
        let Some(session) = open_session(&shared, &socket, key, client, &stop).await else {
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
    shared: &Arc<Shared>,
    listener: &Arc<UdpSocket>,
    key: SocketKey,
    client: SocketAddr,
    stop: &CancellationToken,
) -> Option<Session> {
    let target = {
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
        target
    };
    let addr = match target.addr {
        Some(a) => a,
        None => tokio::net::lookup_host(target.authority.as_str())
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
