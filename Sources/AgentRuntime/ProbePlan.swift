import Catalog
import ClusterModel

/// How one Pod is probed: for each container with a readiness probe, what is checked where
/// and how often. Two equal plans probe the same way, so a Pod whose other fields change
/// (the readiness this node itself reported, its labels) keeps its probes and their counts.
struct ProbePlan: Hashable {
    struct ContainerProbe: Hashable {
        /// The container's index in `spec.containers`, for logs.
        var container: Int
        var target: ProbeTarget
        var periodSeconds: Int
        var failureThreshold: Int
    }

    var probes: [ContainerProbe]

    /// A Pod's plan. Its address is its podIP, or `hostAddress` for a host-network Pod
    /// without one (the Pod listens on its node's address).
    init(pod: Pod, hostAddress: IPv4) {
        let address = pod.status.podIP ?? (pod.spec.hostNetwork ? hostAddress : nil)
        probes = pod.spec.containers.enumerated().compactMap { index, container in
            guard let probe = container.readinessProbe else { return nil }
            return ContainerProbe(
                container: index, target: Self.target(of: probe.check, in: pod, at: address),
                // Manifests refuse values below 1; a zero here would probe in a busy loop.
                periodSeconds: max(1, probe.periodSeconds), failureThreshold: max(1, probe.failureThreshold))
        }
    }

    private static func target(of check: ReadinessProbe.Check, in pod: Pod, at address: IPv4?) -> ProbeTarget {
        guard let address else { return .unrunnable(reason: "the Pod has no podIP and is not hostNetwork") }
        switch check {
        case .tcpSocket(let port):
            guard let number = pod.resolve(port, protocol: .tcp) else { return .unrunnable(reason: unresolved(port)) }
            return .tcp(address: address, port: number)
        case .httpGet(let path, let port):
            guard let number = pod.resolve(port, protocol: .tcp) else { return .unrunnable(reason: unresolved(port)) }
            return .http(address: address, port: number, path: path)
        }
    }

    private static func unresolved(_ port: TargetPort) -> String {
        guard case .name(let name) = port else { return "port \(port) does not resolve" }
        return "no TCP container port is named \"\(name)\""
    }
}

/// What one readiness probe checks.
enum ProbeTarget: Hashable, Sendable, CustomStringConvertible {
    case tcp(address: IPv4, port: Int)
    case http(address: IPv4, port: Int, path: String)
    /// A probe that cannot run, such as one naming a port no container declares: it fails
    /// every period, as kubelet's does, so the Pod is never ready by mistake.
    case unrunnable(reason: String)

    var description: String {
        switch self {
        case .tcp(let address, let port): "tcp \(address):\(port)"
        case .http(let address, let port, let path): "http://\(address):\(port)\(path)"
        case .unrunnable(let reason): "unrunnable (\(reason))"
        }
    }
}
