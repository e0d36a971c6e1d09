//! Counters and histograms, rendered in the Prometheus text format (0.0.4).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Latency histogram bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The connection kinds the open-connections gauge is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnKind {
    Http,
    Tls,
    Tcp,
}

impl ConnKind {
    const ALL: [ConnKind; 3] = [ConnKind::Http, ConnKind::Tls, ConnKind::Tcp];

    fn label(self) -> &'static str {
        match self {
            ConnKind::Http => "http",
            ConnKind::Tls => "tls",
            ConnKind::Tcp => "tcp",
        }
    }

    fn index(self) -> usize {
        match self {
            ConnKind::Http => 0,
            ConnKind::Tls => 1,
            ConnKind::Tcp => 2,
        }
    }
}

/// One request series' labels (borrowed: a series is allocated only the first
/// time its combination is seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SeriesLabels<'a> {
    /// `namespace/name` of the Gateway.
    pub(crate) gateway: &'a str,
    /// `Kind/namespace/name` of the route, or empty when the gateway answered
    /// without one.
    pub(crate) route: &'a str,
    /// `namespace/name:port` of the Service, or empty.
    pub(crate) backend: &'a str,
}

/// The requests of one gateway, route and backend: counts by status code, and
/// the latency histogram of the gateway and route (shared by its backends).
/// Resolved once per configuration and label combination (see
/// `Snapshot::series`), then recorded into without any label lookup.
#[derive(Debug)]
pub(crate) struct Series {
    /// The route label (for the access log).
    pub(crate) route: String,
    /// The backend label (for the access log).
    pub(crate) backend: String,
    codes: Mutex<Vec<(u16, u64)>>,
    latency: Arc<Histogram>,
}

impl Series {
    /// Records one finished request.
    pub(crate) fn record(&self, code: u16, elapsed: Duration) {
        {
            let mut codes = lock(&self.codes);
            match codes.iter_mut().find(|(c, _)| *c == code) {
                Some((_, n)) => *n += 1,
                None => {
                    codes.push((code, 1));
                    codes.sort_unstable();
                }
            }
        }
        self.latency.observe(elapsed);
    }
}

/// Series by gateway, route and backend (nested so that a lookup borrows the
/// labels; iteration order is the labels' order).
type RequestSeries = BTreeMap<String, BTreeMap<String, BTreeMap<String, Arc<Series>>>>;

/// The entry for `key`, inserted (the only allocation) when missing.
fn slot<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        return map.entry(key.to_owned()).or_default();
    }
    // (`if let Some(v) = map.get_mut(key) { return v }` does not borrow-check yet.)
    map.get_mut(key).expect("present: checked above")
}

/// One stream (TLS, TCP, UDP session) outcome's labels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct StreamLabels {
    pub(crate) gateway: String,
    pub(crate) protocol: &'static str,
    pub(crate) route: String,
    pub(crate) backend: String,
    /// `forwarded`, `rejected`, `no_endpoints`, `connect_failed`.
    pub(crate) result: &'static str,
}

/// A latency histogram: per-bucket counts (not cumulative: one add per
/// observation; cumulated when rendered), the sum in nanoseconds, the count.
#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

/// Every metric the gateway exports.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    requests: Mutex<RequestSeries>,
    latency: Mutex<BTreeMap<String, BTreeMap<String, Arc<Histogram>>>>,
    streams: Mutex<BTreeMap<StreamLabels, u64>>,
    open: [AtomicI64; 3],
    pub(crate) connections_total: AtomicU64,
    pub(crate) accept_errors: AtomicU64,
    pub(crate) handshake_failures: AtomicU64,
    pub(crate) reload_success: AtomicU64,
    pub(crate) reload_failure: AtomicU64,
    pub(crate) config_generation: AtomicU64,
    pub(crate) mirrors_sent: AtomicU64,
    pub(crate) mirrors_dropped: AtomicU64,
    pub(crate) mirrors_failed: AtomicU64,
    pub(crate) udp_sessions: AtomicI64,
    pub(crate) udp_dropped: AtomicU64,
    pub(crate) bind_errors: AtomicU64,
}

/// Holds one open connection in the gauge until dropped.
#[derive(Debug)]
pub(crate) struct OpenConnection {
    metrics: Arc<Metrics>,
    kind: ConnKind,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.metrics.open[self.kind.index()].fetch_sub(1, Ordering::Relaxed);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding a metrics lock leaves plain counters behind: still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// Counts an open connection until the guard drops.
    pub(crate) fn open(self: &Arc<Self>, kind: ConnKind) -> OpenConnection {
        self.open[kind.index()].fetch_add(1, Ordering::Relaxed);
        self.connections_total.fetch_add(1, Ordering::Relaxed);
        OpenConnection {
            metrics: self.clone(),
            kind,
        }
    }

    /// Open connections now, of every kind.
    #[cfg(test)]
    pub(crate) fn open_connections(&self) -> i64 {
        self.open.iter().map(|a| a.load(Ordering::Relaxed)).sum()
    }

    /// The series for `labels`, created the first time they are seen.
    pub(crate) fn series(&self, labels: SeriesLabels<'_>) -> Arc<Series> {
        let mut requests = lock(&self.requests);
        let by_backend = slot(slot(&mut requests, labels.gateway), labels.route);
        if let Some(s) = by_backend.get(labels.backend) {
            return s.clone();
        }
        let latency = slot(slot(&mut lock(&self.latency), labels.gateway), labels.route).clone();
        let series = Arc::new(Series {
            route: labels.route.to_owned(),
            backend: labels.backend.to_owned(),
            codes: Mutex::new(Vec::new()),
            latency,
        });
        by_backend.insert(labels.backend.to_owned(), series.clone());
        series
    }

    /// Records a stream's outcome.
    pub(crate) fn stream(&self, labels: StreamLabels) {
        *lock(&self.streams).entry(labels).or_insert(0) += 1;
    }

    /// The Prometheus text exposition.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        let _ = writeln!(
            out,
            "# HELP gatewise_requests_total HTTP and gRPC requests answered, by gateway, route, backend and status code.\n# TYPE gatewise_requests_total counter"
        );
        for (gateway, by_route) in lock(&self.requests).iter() {
            for (route, by_backend) in by_route {
                for (backend, series) in by_backend {
                    for (code, v) in lock(&series.codes).iter() {
                        let _ = writeln!(
                            out,
                            "gatewise_requests_total{{gateway=\"{}\",route=\"{}\",backend=\"{}\",code=\"{code}\"}} {v}",
                            escape(gateway),
                            escape(route),
                            escape(backend),
                        );
                    }
                }
            }
        }
        let _ = writeln!(
            out,
            "# HELP gatewise_request_duration_seconds Time from a request's arrival to its response head, by gateway and route.\n# TYPE gatewise_request_duration_seconds histogram"
        );
        let latency = lock(&self.latency);
        for (gateway, route, h) in latency
            .iter()
            .flat_map(|(g, routes)| routes.iter().map(move |(r, h)| (g, r, h)))
        {
            let labels = format!(
                "gateway=\"{}\",route=\"{}\"",
                escape(gateway),
                escape(route)
            );
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(&h.buckets) {
                cumulative += n.load(Ordering::Relaxed);
                let count = cumulative;
                let _ = writeln!(
                    out,
                    "gatewise_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "gatewise_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\ngatewise_request_duration_seconds_sum{{{labels}}} {}\ngatewise_request_duration_seconds_count{{{labels}}} {}",
                h.count.load(Ordering::Relaxed),
                h.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9,
                h.count.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP gatewise_streams_total TLS and TCP connections and UDP sessions, by gateway, protocol, route, backend and result.\n# TYPE gatewise_streams_total counter"
        );
        for (l, v) in lock(&self.streams).iter() {
            let _ = writeln!(
                out,
                "gatewise_streams_total{{gateway=\"{}\",protocol=\"{}\",route=\"{}\",backend=\"{}\",result=\"{}\"}} {v}",
                escape(&l.gateway),
                l.protocol,
                escape(&l.route),
                escape(&l.backend),
                l.result
            );
        }
        let _ = writeln!(
            out,
            "# HELP gatewise_open_connections Client connections open now, by kind.\n# TYPE gatewise_open_connections gauge"
        );
        for kind in ConnKind::ALL {
            let _ = writeln!(
                out,
                "gatewise_open_connections{{kind=\"{}\"}} {}",
                kind.label(),
                self.open[kind.index()].load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP gatewise_reloads_total Configuration loads, by result.\n# TYPE gatewise_reloads_total counter\ngatewise_reloads_total{{result=\"success\"}} {}\ngatewise_reloads_total{{result=\"failure\"}} {}",
            self.reload_success.load(Ordering::Relaxed),
            self.reload_failure.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP gatewise_config_generation The generation of the configuration being served.\n# TYPE gatewise_config_generation gauge\ngatewise_config_generation {}",
            self.config_generation.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP gatewise_udp_sessions UDP sessions open now.\n# TYPE gatewise_udp_sessions gauge\ngatewise_udp_sessions {}",
            self.udp_sessions.load(Ordering::Relaxed)
        );
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        counter(
            &mut out,
            "gatewise_connections_total",
            "Client connections accepted.",
            get(&self.connections_total),
        );
        counter(
            &mut out,
            "gatewise_accept_errors_total",
            "Failed accept calls (each followed by a back-off).",
            get(&self.accept_errors),
        );
        counter(
            &mut out,
            "gatewise_tls_handshake_failures_total",
            "TLS connections refused or failed before a request or stream.",
            get(&self.handshake_failures),
        );
        counter(
            &mut out,
            "gatewise_mirrors_sent_total",
            "Mirrored requests sent.",
            get(&self.mirrors_sent),
        );
        counter(
            &mut out,
            "gatewise_mirrors_dropped_total",
            "Mirror copies dropped because too many were in flight or the copy fell behind.",
            get(&self.mirrors_dropped),
        );
        counter(
            &mut out,
            "gatewise_mirrors_failed_total",
            "Mirrored requests that failed or timed out.",
            get(&self.mirrors_failed),
        );
        counter(
            &mut out,
            "gatewise_udp_datagrams_dropped_total",
            "UDP datagrams dropped (no route, no endpoint, too many sessions).",
            get(&self.udp_dropped),
        );
        counter(
            &mut out,
            "gatewise_bind_errors_total",
            "Listener sockets that could not be bound.",
            get(&self.bind_errors),
        );
        out
    }
}

/// Escapes a label value (backslash, double quote, newline).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_render_with_labels_and_histogram_buckets() {
        let m = Metrics::default();
        let labels = SeriesLabels {
            gateway: "infra/gw",
            route: "HTTPRoute/shop/store",
            backend: "shop/web:80",
        };
        let web = m.series(labels);
        web.record(200, Duration::from_millis(20));
        // The same labels find the same series.
        m.series(labels).record(200, Duration::from_millis(40));
        web.record(503, Duration::from_millis(1));
        // Another backend of the route: its own counts, the route's histogram.
        m.series(SeriesLabels {
            backend: "shop/api:80",
            ..labels
        })
        .record(200, Duration::from_secs(20));
        let text = m.render();
        assert!(text.contains(
            "gatewise_requests_total{gateway=\"infra/gw\",route=\"HTTPRoute/shop/store\",backend=\"shop/web:80\",code=\"200\"} 2"
        ));
        assert!(text.contains(
            "gatewise_requests_total{gateway=\"infra/gw\",route=\"HTTPRoute/shop/store\",backend=\"shop/web:80\",code=\"503\"} 1"
        ));
        assert!(text.contains("gatewise_request_duration_seconds_bucket{gateway=\"infra/gw\",route=\"HTTPRoute/shop/store\",le=\"0.01\"} 1"));
        assert!(text.contains("gatewise_request_duration_seconds_bucket{gateway=\"infra/gw\",route=\"HTTPRoute/shop/store\",le=\"0.025\"} 2"));
        assert!(text.contains(
            "gatewise_requests_total{gateway=\"infra/gw\",route=\"HTTPRoute/shop/store\",backend=\"shop/api:80\",code=\"200\"} 1"
        ));
        assert!(text.contains("gatewise_request_duration_seconds_bucket{gateway=\"infra/gw\",route=\"HTTPRoute/shop/store\",le=\"10\"} 3"));
        assert!(text.contains("gatewise_request_duration_seconds_bucket{gateway=\"infra/gw\",route=\"HTTPRoute/shop/store\",le=\"+Inf\"} 4"));
        assert!(text.contains("gatewise_request_duration_seconds_count{gateway=\"infra/gw\",route=\"HTTPRoute/shop/store\"} 4"));
        assert!(text.contains("gatewise_request_duration_seconds_sum{gateway=\"infra/gw\",route=\"HTTPRoute/shop/store\"} 20.061"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn open_connections_gauge_follows_guards() {
        let m = Arc::new(Metrics::default());
        let a = m.open(ConnKind::Http);
        let b = m.open(ConnKind::Tls);
        assert_eq!(m.open_connections(), 2);
        drop(a);
        assert_eq!(m.open_connections(), 1);
        drop(b);
        assert_eq!(m.open_connections(), 0);
        assert!(m.render().contains("gatewise_connections_total 2"));
    }
}
