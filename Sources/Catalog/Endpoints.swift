import ClusterModel

/// One backend of one Service port: where traffic for that port may go.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// The Service port this endpoint serves, as in `spec.ports`.
    public var servicePort: ServicePort
    public var pod: ObjectKey
    public var node: NodeName
    public var address: IPv4
    /// The target port resolved to a number against the Pod's container ports.
    public var port: Int

    public init(servicePort: ServicePort, pod: ObjectKey, node: NodeName, address: IPv4, port: Int) {
        self.servicePort = servicePort
        self.pod = pod
        self.node = node
        self.address = address
        self.port = port
    }

    public var description: String { "\(servicePort.name ?? "\(servicePort.port)")/\(servicePort.protocol.rawValue) → \(address):\(port) (\(pod) on \(node))" }
}

extension Pod {
    /// Whether any container has a readiness probe: such a Pod is not ready until its node
    /// reports it so.
    public var hasReadinessProbe: Bool { spec.containers.contains { $0.readinessProbe != nil } }

    /// Whether the Pod may take traffic: as its node last reported, or, before any report,
    /// ready unless it has a readiness probe.
    public var isReady: Bool { status.ready ?? !hasReadinessProbe }

    /// The container port a Service port's `targetPort` names, resolved to a number; nil
    /// when the target is a name no container port of this protocol carries.
    public func resolve(_ target: TargetPort, protocol transport: TransportProtocol) -> Int? {
        switch target {
        case .number(let number):
            return number
        case .name(let name):
            return spec.containers.lazy.flatMap(\.ports).first { $0.name == name && $0.protocol == transport }?.containerPort
        }
    }
}

/// The endpoints of a Service (SPEC.md §5): the Pods of its namespace its selector matches,
/// on a node in `liveNodes` (neither failed nor left), ready (``Pod/isReady``), with an address; one endpoint
/// per Service port whose target port the Pod resolves. Headless Services have endpoints too.
///
/// - Returns: ordered by the Service's ports, then address and port, then Pod key.
public func endpoints(
    for service: KubernetesService, in replica: CatalogReplica, liveNodes: Set<NodeName>
) -> [Endpoint] {
    EndpointIndex(replica, liveNodes: liveNodes).endpoints(for: service)
}

/// The Pods that may back a Service, indexed by namespace and label, so that finding the
/// endpoints of every Service costs what they select, not the whole catalog each
/// (10,000 Services over 50,000 Pods: the data plane plans them all on every full sync).
public struct EndpointIndex: Sendable {
    /// Pods that may take traffic (ready, on a live node), by namespace, then by one label
    /// `key=value` they carry.
    private var byLabel: [String: [String: [Backend]]] = [:]

    struct Backend: Sendable {
        var pod: Pod
        var node: NodeName
    }

    public init(_ replica: CatalogReplica, liveNodes: Set<NodeName>) {
        for entry in replica.entries.values {
            guard let pod = entry.pod else { continue }
            // A Pod names its node once applied (CatalogReplica.apply fills it in); one that
            // arrived without belongs to the node that created it.
            let node = pod.spec.nodeName ?? entry.createdAt.writer
            guard liveNodes.contains(node), pod.isReady else { continue }
            for (key, value) in pod.metadata.labels.values {
                byLabel[pod.metadata.namespace, default: [:]]["\(key)=\(value)", default: []].append(Backend(pod: pod, node: node))
            }
        }
    }

    /// As ``endpoints(for:in:liveNodes:)``.
    public func endpoints(for service: KubernetesService) -> [Endpoint] {
        guard !service.spec.selector.selectsNothing, let labels = byLabel[service.metadata.namespace] else { return [] }
        // The selector's rarest pair bounds the candidates; each must still match them all.
        let pairs = service.spec.selector.matchLabels.values.map { "\($0.key)=\($0.value)" }
        let candidates = pairs.map { labels[$0] ?? [] }.min { $0.count < $1.count } ?? []
        let backends = candidates.filter { service.spec.selector.matches($0.pod.metadata.labels) }
        var result: [Endpoint] = []
        for servicePort in service.spec.ports {
            var forPort: [Endpoint] = []
            for backend in backends {
                // A host-network Pod without a recorded address needs its node's, which the
                // membership layer knows and the catalog does not.
                guard let address = backend.pod.status.podIP,
                    let port = backend.pod.resolve(servicePort.targetPort, protocol: servicePort.protocol)
                else { continue }
                forPort.append(Endpoint(servicePort: servicePort, pod: backend.pod.key, node: backend.node, address: address, port: port))
            }
            forPort.sort { ($0.address, $0.port, $0.pod) < ($1.address, $1.port, $1.pod) }
            result += forPort
        }
        return result
    }
}
