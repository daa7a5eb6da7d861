import ControlAPI
import Metrics
import Prometheus

/// `GET /metrics` in Prometheus' text format, from the registry that swift-metrics feeds.
enum MetricsEndpoint {
    /// The process's registry; `bootstrap()` makes swift-metrics record into it.
    static let registry = PrometheusCollectorRegistry()

    static func bootstrap() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
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
