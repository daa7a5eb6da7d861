/// What the leader learned of a LoadBalancer Service's load balancer: the Service's
/// `status.loadBalancer` and its `LoadBalancerSynced` condition.
///
/// The leader writes it into the catalog as the agent's own rewrite of the Service, so every
/// node shows the same EXTERNAL-IP, and a user's later apply carries it over (Kubernetes
/// keeps `status` across spec updates too).
public struct LoadBalancerStatus: Hashable, Sendable {
    /// Empty until a load balancer is registered: kubectl then shows `<pending>`.
    public var ingress: [LoadBalancerIngress]
    /// The last reconcile's outcome for this Service; nil before the first.
    public var condition: LoadBalancerCondition?

    public init(ingress: [LoadBalancerIngress] = [], condition: LoadBalancerCondition? = nil) {
        self.ingress = ingress
        self.condition = condition
    }
}

/// One entry of `status.loadBalancer.ingress`: an address (exec providers, MetalLB-like
/// setups) or a DNS name (AWS load balancers).
public struct LoadBalancerIngress: Hashable, Sendable, Codable {
    public var ip: IPv4?
    public var hostname: String?

    public init(ip: IPv4? = nil, hostname: String? = nil) {
        self.ip = ip
        self.hostname = hostname
    }
}

/// The `LoadBalancerSynced` condition: whether the provider holds what the Service asks for.
/// A failed reconcile leaves the ingress as it was and says why here.
public struct LoadBalancerCondition: Hashable, Sendable {
    public var synced: Bool
    /// `EnsuredLoadBalancer` or `SyncLoadBalancerFailed`, the reasons Kubernetes' service
    /// controller gives its events.
    public var reason: String
    public var message: String
    /// When `synced` last changed (the condition's `lastTransitionTime`).
    public var since: Timestamp

    public init(synced: Bool, reason: String, message: String, since: Timestamp) {
        self.synced = synced
        self.reason = reason
        self.message = message
        self.since = since
    }

    public static let type = "LoadBalancerSynced"
    public static let ensured = "EnsuredLoadBalancer"
    public static let failed = "SyncLoadBalancerFailed"
}
