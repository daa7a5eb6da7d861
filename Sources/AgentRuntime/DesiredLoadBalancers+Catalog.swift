import Catalog
import ClusterModel
import LoadBalancers
import Membership

extension DesiredLoadBalancers {
    /// Kubernetes' well-known node label that keeps a node out of every load balancer's
    /// targets (a node being drained, or one without a route from the load balancer).
    public static let excludeLabel = "node.kubernetes.io/exclude-from-external-load-balancers"

    /// What the leader asks of its provider, from what every node holds: the catalog's
    /// LoadBalancer Services at their allocated NodePorts, and the members that can carry
    /// their traffic (alive or suspect, with an IPv4 address, not excluded by label).
    ///
    /// Pure and computed afresh for each reconcile, so a Service or a node that appeared or
    /// went away since the last one is simply in or out of the next.
    public init(catalog: CatalogReplica, members: [SWIM.Member]) {
        let services = catalog.services.filter { $0.service.spec.type == .loadBalancer }.map(LoadBalancerRequest.init)
        let nodes = members.filter { $0.status.isLive && $0.labels[Self.excludeLabel] == nil }.compactMap { member in
            member.address.ipv4.map { LoadBalancerTarget(name: member.name.rawValue, address: IPv4(value: $0)) }
        }
        self.init(services: services, nodes: nodes.sorted { $0.name < $1.name })
    }
}

extension LoadBalancerRequest {
    /// A LoadBalancer Service as the catalog holds it, with the NodePorts it was allocated.
    init(_ allocated: AllocatedService) {
        let service = allocated.service
        let ports = zip(service.spec.ports, allocated.allocation.nodePorts).compactMap { port, nodePort in
            nodePort.map { Port(name: port.name, protocol: port.protocol, port: port.port, nodePort: $0) }
        }
        self.init(
            namespace: allocated.key.namespace, name: allocated.key.name, annotations: service.metadata.annotations,
            ports: ports, externalTrafficPolicy: service.spec.externalTrafficPolicy,
            healthCheckNodePort: service.spec.healthCheckNodePort,
            loadBalancerSourceRanges: service.spec.loadBalancerSourceRanges.map(\.description))
    }

    /// The catalog key of the Service this request is for: where its outcome is recorded.
    public var serviceKey: ObjectKey { ObjectKey(kind: .service, namespace: namespace, name: name) }
}
