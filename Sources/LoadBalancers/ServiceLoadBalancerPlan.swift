import ClusterModel

/// What one Service's load balancer must be, worked out from the request alone: its name,
/// tags, and per port a target group, targets, health check and listener.
struct ServiceLoadBalancerPlan: Hashable, Sendable {
    var serviceKey: String
    var loadBalancerName: String
    /// The name came from ``AWSLoadBalancerProvider/nameAnnotation``: a load balancer of that
    /// name that this cluster did not create is adopted rather than refused.
    var namedByAnnotation: Bool
    var tags: [String: String]
    var ports: [Port]

    struct Port: Hashable, Sendable {
        var targetGroupName: String
        /// `TCP` or `UDP`: the listener's and the target group's.
        var `protocol`: String
        /// The Service port: where the listener listens.
        var listenerPort: Int
        /// The target group's port.
        var nodePort: Int
        var healthCheck: ELBv2.HealthCheck
        var targets: Set<ELBv2.Target>
    }

    /// Kubernetes' health check: for `externalTrafficPolicy: Local`, the Service's
    /// `healthCheckNodePort` answers `/healthz` with 200 only on nodes with a ready endpoint,
    /// so traffic goes only there; otherwise every node forwards, and a TCP connect to the
    /// NodePort is enough.
    static let healthCheckPath = "/healthz"

    init(_ request: LoadBalancerRequest, nodes: [LoadBalancerTarget], settings: AWSLoadBalancerProvider.Settings) {
        let cluster = settings.clusterName
        serviceKey = request.key
        let annotated = request.annotations[AWSLoadBalancerProvider.nameAnnotation].flatMap { $0.isEmpty ? nil : $0 }
        loadBalancerName = annotated ?? ResourceNames.loadBalancer(cluster: cluster, namespace: request.namespace, name: request.name)
        namedByAnnotation = annotated != nil
        tags = OwnershipTags.tags(cluster: cluster, serviceKey: request.key)
        let healthCheck: ELBv2.HealthCheck =
            if request.externalTrafficPolicy == .local, let healthCheckNodePort = request.healthCheckNodePort {
                .http(port: healthCheckNodePort, path: Self.healthCheckPath)
            } else {
                .trafficPort
            }
        ports = request.ports.map { port in
            Port(
                targetGroupName: ResourceNames.targetGroup(cluster: cluster, namespace: request.namespace, name: request.name, port: port),
                protocol: port.protocol.rawValue, listenerPort: port.port, nodePort: port.nodePort, healthCheck: healthCheck,
                targets: Set(nodes.map { ELBv2.Target(id: "\($0.address)", port: port.nodePort) }))
        }
    }
}
