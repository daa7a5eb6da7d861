/// A Kubernetes v1 Service, with the fields SPEC.md §4 lists.
///
/// Named `KubernetesService` because `Service` is swift-service-lifecycle's protocol, which
/// the daemon imports beside this module.
public struct KubernetesService: Hashable, Sendable {
    public var metadata: ObjectMetadata
    public var spec: Spec

    public init(metadata: ObjectMetadata, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    public var key: ObjectKey { ObjectKey(kind: .service, namespace: metadata.namespace, name: metadata.name) }

    public struct Spec: Hashable, Sendable {
        public var type: ServiceType
        public var selector: LabelSelector
        public var ports: [ServicePort]
        public var clusterIP: ClusterIPRequest
        public var sessionAffinity: SessionAffinity
        public var externalTrafficPolicy: ExternalTrafficPolicy
        public var healthCheckNodePort: Int?
        public var loadBalancerSourceRanges: [IPv4Network]

        public init(
            type: ServiceType = .clusterIP, selector: LabelSelector = [:], ports: [ServicePort] = [],
            clusterIP: ClusterIPRequest = .allocate, sessionAffinity: SessionAffinity = .none,
            externalTrafficPolicy: ExternalTrafficPolicy = .cluster, healthCheckNodePort: Int? = nil,
            loadBalancerSourceRanges: [IPv4Network] = []
        ) {
            self.type = type
            self.selector = selector
            self.ports = ports
            self.clusterIP = clusterIP
            self.sessionAffinity = sessionAffinity
            self.externalTrafficPolicy = externalTrafficPolicy
            self.healthCheckNodePort = healthCheckNodePort
            self.loadBalancerSourceRanges = loadBalancerSourceRanges
        }
    }
}

public enum ServiceType: String, Hashable, Sendable, Codable, CaseIterable {
    case clusterIP = "ClusterIP"
    case nodePort = "NodePort"
    case loadBalancer = "LoadBalancer"

    /// NodePort and LoadBalancer Services are reachable on every node's NodePorts.
    public var hasNodePorts: Bool { self != .clusterIP }
}

/// What `spec.clusterIP` asked for.
public enum ClusterIPRequest: Hashable, Sendable {
    /// Absent or empty: the cluster allocates one from the service CIDR.
    case allocate
    /// `None`: a headless Service, with no virtual IP.
    case headless
    /// An address the user chose.
    case pinned(IPv4)
}

/// `spec.sessionAffinity`, with `sessionAffinityConfig.clientIP.timeoutSeconds` for ClientIP.
public enum SessionAffinity: Hashable, Sendable {
    case none
    case clientIP(timeoutSeconds: Int)

    /// Kubernetes' default: three hours.
    public static let defaultTimeoutSeconds = 10_800
    /// Kubernetes' upper bound: one day.
    public static let maximumTimeoutSeconds = 86_400
}

public enum ExternalTrafficPolicy: String, Hashable, Sendable, Codable, CaseIterable {
    case cluster = "Cluster"
    case local = "Local"
}

/// One entry of `spec.ports`.
public struct ServicePort: Hashable, Sendable {
    /// Required (and unique) when a Service has more than one port.
    public var name: String?
    public var `protocol`: TransportProtocol
    public var port: Int
    public var targetPort: TargetPort
    /// nil: allocated by the cluster for NodePort and LoadBalancer Services.
    public var nodePort: Int?

    public init(name: String? = nil, protocol: TransportProtocol = .tcp, port: Int, targetPort: TargetPort? = nil, nodePort: Int? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort ?? .number(port)
        self.nodePort = nodePort
    }
}
