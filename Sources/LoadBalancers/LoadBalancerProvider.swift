import ClusterModel

/// A cloud (or a script) that gives LoadBalancer Services an external address.
///
/// The leader hands it the whole desired state every time, as Kubernetes' service
/// controller does: the provider makes the cloud match it, creating, updating and deleting
/// what differs, and must be idempotent, since the same state is handed again periodically
/// and after every failure.
public protocol LoadBalancerProvider: Sendable {
    /// Names the provider in logs and conditions: `aws-elbv2`, `exec`.
    var name: String { get }

    /// Makes the provider match `desired`: each Service in it gets a load balancer whose
    /// targets are `desired.nodes` at the Service's NodePorts; load balancers this cluster
    /// made for Services no longer in it are deleted.
    ///
    /// - Returns: the outcome for each Service of `desired`, by ``LoadBalancerRequest/key``.
    ///   A Service missing from the result counts as failed.
    /// - Throws: when the provider could not be reached or refused the whole attempt; every
    ///   Service then keeps the address it had.
    func reconcile(_ desired: DesiredLoadBalancers) async throws -> [String: LoadBalancerOutcome]
}

/// What the leader asks of the provider: every LoadBalancer Service, and the nodes that
/// carry their traffic.
public struct DesiredLoadBalancers: Hashable, Sendable, Codable {
    /// Sorted by namespace and name.
    public var services: [LoadBalancerRequest]
    /// The eligible nodes that are up (alive or suspect), sorted by name.
    public var nodes: [LoadBalancerTarget]

    public init(services: [LoadBalancerRequest], nodes: [LoadBalancerTarget]) {
        self.services = services
        self.nodes = nodes
    }
}

/// One LoadBalancer Service as the provider needs it.
public struct LoadBalancerRequest: Hashable, Sendable, Codable {
    public var namespace: String
    public var name: String
    public var annotations: [String: String]
    public var ports: [Port]
    /// `Cluster` or `Local`. For `Local`, the provider health-checks `healthCheckNodePort`,
    /// which answers 200 only on nodes with a ready endpoint.
    public var externalTrafficPolicy: ExternalTrafficPolicy
    public var healthCheckNodePort: Int?
    /// CIDRs allowed to reach the load balancer; empty allows all.
    public var loadBalancerSourceRanges: [String]

    public init(
        namespace: String, name: String, annotations: [String: String] = [:], ports: [Port],
        externalTrafficPolicy: ExternalTrafficPolicy = .cluster, healthCheckNodePort: Int? = nil,
        loadBalancerSourceRanges: [String] = []
    ) {
        self.namespace = namespace
        self.name = name
        self.annotations = annotations
        self.ports = ports
        self.externalTrafficPolicy = externalTrafficPolicy
        self.healthCheckNodePort = healthCheckNodePort
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
    }

    /// `namespace/name`, the key of the reconcile's result.
    public var key: String { "\(namespace)/\(name)" }

    public struct Port: Hashable, Sendable, Codable {
        public var name: String?
        public var `protocol`: TransportProtocol
        public var port: Int
        public var nodePort: Int

        public init(name: String? = nil, protocol: TransportProtocol = .tcp, port: Int, nodePort: Int) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.nodePort = nodePort
        }
    }
}

/// A node the load balancer sends traffic to, at the Services' NodePorts.
public struct LoadBalancerTarget: Hashable, Sendable, Codable {
    public var name: String
    public var address: IPv4

    public init(name: String, address: IPv4) {
        self.name = name
        self.address = address
    }
}

/// The provider's answer for one Service.
public enum LoadBalancerOutcome: Hashable, Sendable {
    /// The load balancer matches the request; these are its addresses.
    case ensured([LoadBalancerIngress])
    /// It could not be made to match; the message says why, for the Service's condition.
    case failed(String)
}
