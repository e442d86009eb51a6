import Prometheus

/// What `GET /metrics` exports, in Prometheus' text format: request durations by route, method and status, and
/// the write path's events appended, orders (placed or refused, by code), conflicts, retries and batches.
///
/// One registry per server (not swift-metrics' global one), so every test server counts on its own.
final class APIMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Request duration buckets: 1 ms … 5 s.
    static let buckets: [Duration] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000].map {
        .milliseconds($0)
    }

    func requestDuration(route: String, method: String, status: Int) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "promoledger", metricName: "http_request_duration", unitName: "seconds",
                helpText: "Time to answer a request, by route pattern, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))], buckets: Self.buckets)
    }

    /// Events the API appended.
    var eventsAppended: Counter {
        counter("events_appended", "Events appended by API writes.")
    }

    /// Orders by outcome: `placed`, or the refusal's code (`insufficient_stock`, `price_changed`, …).
    func orders(_ outcome: String) -> Counter {
        counter("orders", "Order placements, by outcome: placed or the refusal's code.", labels: [("outcome", outcome)])
    }

    /// A write found a stream moved by another writer (wrong expected version).
    var conflicts: Counter {
        counter("write_conflicts", "Appends refused because another writer moved a stream first.")
    }

    /// A write decided again after a conflict.
    var retries: Counter {
        counter("write_retries", "Commands decided again after a conflict.")
    }

    /// Batches of commands decided together, and the commands they held (their ratio is the mean batch size).
    var batches: Counter {
        counter("write_batches", "Batches of commands decided together and appended at once.")
    }
    var batchedCommands: Counter {
        counter(
            "write_batched_commands", "Commands decided in batches (divided by write_batches: the mean batch size).")
    }

    /// A counter `promoledger_{name}_total`.
    private func counter(_ name: String, _ help: String, labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "promoledger", metricName: name, unitName: "total", helpText: help),
            labels: labels)
    }

    /// The export.
    var text: String { registry.emitToString() }

    // Recording, so callers need not know Prometheus' types.
    func recordRequest(route: String, method: String, status: Int, _ duration: Duration) {
        requestDuration(route: route, method: method, status: status).record(duration)
    }
    func countOrder(_ outcome: String) { orders(outcome).increment() }
    func countAppended(_ events: Int) { eventsAppended.increment(by: Int64(events)) }
    func countConflict() { conflicts.increment() }
    func countRetry() { retries.increment() }
    func countBatch(commands: Int) {
        batches.increment()
        batchedCommands.increment(by: Int64(commands))
    }
}
