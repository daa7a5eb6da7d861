import ClusterModel
import ControlAPI
import DataPlane
import Foundation
import Logging

/// The health-check node ports of `externalTrafficPolicy: Local` Services: on each, an HTTP
/// server that answers any path 200 while this node has endpoints of the Service, and 503
/// while it has none, so that a cloud load balancer sends traffic only to nodes that keep it
/// local. The body is kube-proxy's:
/// `{"service":{"namespace":"default","name":"web"},"localEndpoints":1,"serviceProxyHealthy":true}`.
final class HealthCheckServers: @unchecked Sendable {
    struct Check: Hashable, Sendable {
        var service: ObjectKey
        var localEndpoints: Int
    }

    let logger: Logger
    private let lock = NSLock()
    private var checks: [Int: Check] = [:]
    private var servers: [Int: Task<Void, Never>] = [:]

    init(logger: Logger) {
        self.logger = logger
    }

    /// The checks `input` asks of this node, by port.
    static func desired(_ input: DataPlaneInput, node: NodeName) -> [Int: Check] {
        var checks: [Int: Check] = [:]
        for planned in input.services {
            let spec = planned.service.service.spec
            guard spec.type.hasNodePorts, spec.externalTrafficPolicy == .local, let port = spec.healthCheckNodePort else { continue }
            let local = Set(planned.endpoints.filter { $0.node == node }.map(\.pod)).count
            checks[port] = Check(service: planned.service.key, localEndpoints: local)
        }
        return checks
    }

    /// Serves exactly `desired` from now on: new ports get a server, gone ones lose theirs.
    func update(_ desired: [Int: Check]) {
        let (started, stopped): ([Int], [Task<Void, Never>]) = lock.withLock {
            checks = desired
            let gone = servers.keys.filter { desired[$0] == nil }
            let stopped = gone.compactMap { servers.removeValue(forKey: $0) }
            let new = desired.keys.filter { servers[$0] == nil }
            for port in new { servers[port] = serve(port) }
            return (new, stopped)
        }
        stopped.forEach { $0.cancel() }
        for port in started.sorted() { logger.info("health-check node port serving", metadata: ["port": "\(port)"]) }
    }

    func stopAll() { update([:]) }

    private func serve(_ port: Int) -> Task<Void, Never> {
        let server = ControlServer(endpoint: .tcp(host: "0.0.0.0", port: port), handler: Handler(servers: self, port: port))
        return Task { [logger] in
            do {
                try await server.run()
            } catch {
                logger.warning("cannot serve a health-check node port", metadata: ["port": "\(port)", "error": "\(error)"])
            }
        }
    }

    fileprivate func check(on port: Int) -> Check? { lock.withLock { checks[port] } }

    private struct Handler: ControlHandler {
        let servers: HealthCheckServers
        let port: Int

        func handle(_ request: ControlRequest) async -> ControlResponse {
            guard let check = servers.check(on: port) else { return .error(status: 404, message: "no Service checks this port") }
            let body = HealthReport(
                service: .init(namespace: check.service.namespace, name: check.service.name), localEndpoints: check.localEndpoints,
                serviceProxyHealthy: true)
            return .json(body, status: check.localEndpoints > 0 ? 200 : 503)
        }
    }

    struct HealthReport: Codable, Equatable {
        struct Service: Codable, Equatable {
            var namespace: String
            var name: String
        }
        var service: Service
        var localEndpoints: Int
        var serviceProxyHealthy: Bool
    }
}
