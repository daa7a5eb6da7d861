import ControlAPI
import Metrics
import Prometheus

/// `GET /metrics` in Prometheus' text format, from the registry that swift-metrics feeds.
enum MetricsEndpoint {
    /// The process's registry; `bootstrap()` makes swift-metrics record into it.
    static let registry = PrometheusCollectorRegistry()

    static func bootstrap() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Probe round trips on a LAN are well under the default buckets' first 5 ms.
        factory.durationHistogramBuckets["agent_probe_rtt_seconds"] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2_500), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        ]
        MetricsSystem.bootstrap(factory)
    }

    static func router() -> ControlRouter {
        var router = ControlRouter()
        router.add("GET", "/metrics") { _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return ControlResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: .bytes(buffer))
        }
        return router
    }
}

extension AgentDaemon {
    /// Makes swift-metrics record into the registry `GET /metrics` serves; once, before `run`.
    public static func bootstrapMetrics() {
        MetricsEndpoint.bootstrap()
    }
}
