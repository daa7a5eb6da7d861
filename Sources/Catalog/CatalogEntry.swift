import ClusterModel

/// The version of one write to the catalog: the writer's hybrid time, then the writer's name
/// to break ties. Versions are totally ordered, so last-writer-wins picks the same winner on
/// every node whatever order the writes arrive in.
public struct CatalogVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var timestamp: HybridTimestamp
    public var writer: NodeName

    public init(timestamp: HybridTimestamp, writer: NodeName) {
        self.timestamp = timestamp
        self.writer = writer
    }

    public static func < (lhs: CatalogVersion, rhs: CatalogVersion) -> Bool {
        (lhs.timestamp, lhs.writer) < (rhs.timestamp, rhs.writer)
    }

    public var description: String { "\(timestamp)@\(writer)" }
}

/// A Service as the catalog holds it: what the user applied, plus the ClusterIP and
/// NodePorts the cluster assigned to it (SPEC.md §5: once assigned, they never change), and
/// what the leader learned of its load balancer.
public struct AllocatedService: Hashable, Sendable {
    public var service: KubernetesService
    public var allocation: ServiceAllocation
    /// Written by the leader as a rewrite (``CatalogSync/Instance/recordLoadBalancerStatus(_:for:now:random:)``),
    /// carried over by a user's apply while the Service stays `type: LoadBalancer`; empty
    /// otherwise.
    public var loadBalancer: LoadBalancerStatus

    /// - Precondition: `allocation.nodePorts` has one element per `service.spec.ports`.
    public init(service: KubernetesService, allocation: ServiceAllocation, loadBalancer: LoadBalancerStatus = LoadBalancerStatus()) {
        precondition(
            allocation.nodePorts.count == service.spec.ports.count,
            "\(service.key) has \(service.spec.ports.count) ports but \(allocation.nodePorts.count) node-port slots")
        self.service = service
        self.allocation = allocation
        self.loadBalancer = loadBalancer
    }

    public var key: ObjectKey { service.key }

    /// The load balancer status a user's new write of a Service keeps from the write it
    /// replaces, as the allocation is kept and as Kubernetes keeps `status` across spec
    /// updates: all of it while the Service stays `type: LoadBalancer`, nothing otherwise.
    public static func loadBalancerKept(by service: KubernetesService, from previous: AllocatedService?) -> LoadBalancerStatus {
        guard service.spec.type == .loadBalancer, let previous else { return LoadBalancerStatus() }
        return previous.loadBalancer
    }

    /// The values this Service holds, each with whether the user pinned it; the conflict
    /// rule decides who keeps them.
    public var heldValues: [(value: HeldValue, pinned: Bool)] {
        var held: [(HeldValue, Bool)] = []
        if let address = allocation.clusterIP {
            if case .pinned = service.spec.clusterIP { held.append((.clusterIP(address), true)) } else { held.append((.clusterIP(address), false)) }
        }
        for (index, nodePort) in allocation.nodePorts.enumerated() {
            guard let nodePort else { continue }
            held.append((.nodePort(nodePort), service.spec.ports[index].nodePort != nil))
        }
        return held
    }
}

/// What the cluster assigned to a Service.
public struct ServiceAllocation: Hashable, Sendable {
    /// nil for a headless Service.
    public var clusterIP: IPv4?
    /// One element per `spec.ports` entry, in the same order; nil where the Service type has
    /// no NodePorts.
    public var nodePorts: [Int?]
    /// When the Service took each value it did not have from its creation: one moved by a
    /// reallocation, or allocated by an update that added a port. The conflict rule ranks
    /// the holders of a value by when each took it, so a Service moved onto a value another
    /// already held (unseen by its writer) is the one that moves again. Filled in by
    /// ``CatalogReplica`` when the write is made.
    public var takenAt: [HeldValue: CatalogVersion]

    public init(clusterIP: IPv4?, nodePorts: [Int?], takenAt: [HeldValue: CatalogVersion] = [:]) {
        self.clusterIP = clusterIP
        self.nodePorts = nodePorts
        self.takenAt = takenAt
    }
}

/// A ClusterIP or a NodePort: the values two Services may never both hold.
public enum HeldValue: Hashable, Sendable, CustomStringConvertible {
    case clusterIP(IPv4)
    case nodePort(Int)

    public var description: String {
        switch self {
        case .clusterIP(let address): "ClusterIP \(address)"
        case .nodePort(let port): "NodePort \(port)"
        }
    }
}

/// One object of the catalog, as it is replicated: the latest write to its key.
///
/// Writes come in two kinds. A user's (an apply, a delete) sets the object's spec. The
/// agent's own (a Service moved off a contested value, a Pod's readiness) rewrites the
/// values of a spec it holds, and keeps that spec's `specVersion`. Entries rank by
/// `specVersion`, then `version` (``outranks(_:)``): a rewrite made on a copy whose writer
/// had not yet heard of a later user write can never replace that write.
public struct CatalogEntry: Hashable, Sendable, CustomStringConvertible {
    public enum Body: Hashable, Sendable {
        case service(AllocatedService)
        case pod(Pod)
        /// Deleted at `version.timestamp`; kept for the tombstone TTL so that a node coming
        /// back cannot bring the object back to life.
        case tombstone
    }

    public var key: ObjectKey
    public var version: CatalogVersion
    /// The version of the write that created the object (the first write after it was
    /// absent or deleted), kept across updates: the allocation conflict rule lets the older
    /// creation keep a contested value.
    public var createdAt: CatalogVersion
    /// The version of the user write whose spec this entry carries: `version` itself for an
    /// apply or a delete, the rewritten write's for the agent's own rewrites.
    public var specVersion: CatalogVersion
    public var body: Body

    /// - Parameter specVersion: nil for a user write (`version`).
    public init(key: ObjectKey, version: CatalogVersion, createdAt: CatalogVersion, specVersion: CatalogVersion? = nil, body: Body) {
        self.key = key
        self.version = version
        self.createdAt = createdAt
        self.specVersion = specVersion ?? version
        self.body = body
    }

    /// Whether this entry replaces `other` of the same key: the later user write wins, and
    /// of the rewrites of one user write, the later.
    public func outranks(_ other: CatalogEntry) -> Bool {
        (specVersion, version) > (other.specVersion, other.version)
    }

    /// A user's write rather than the agent's rewrite of one.
    public var isUserWrite: Bool { specVersion == version }

    public var isTombstone: Bool { body == .tombstone }

    /// The hybrid time of the delete, for a tombstone.
    public var deletedAt: HybridTimestamp? { isTombstone ? version.timestamp : nil }

    public var service: AllocatedService? {
        if case .service(let service) = body { return service }
        return nil
    }

    public var pod: Pod? {
        if case .pod(let pod) = body { return pod }
        return nil
    }

    public var description: String {
        let what =
            switch body {
            case .service: "service"
            case .pod: "pod"
            case .tombstone: "tombstone"
            }
        let spec = isUserWrite ? "" : " of spec v\(specVersion)"
        return "\(key) \(what) v\(version)\(spec) created \(createdAt)"
    }
}
