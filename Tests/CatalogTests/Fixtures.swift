import Catalog
import ClusterModel

func node(_ name: String) -> NodeName {
    // Literal test names are always valid.
    try! NodeName(name)
}

func at(_ milliseconds: UInt64) -> Timestamp { Timestamp(millisecondsSinceEpoch: milliseconds) }

func serviceKey(_ name: String, namespace: String = "default") -> ObjectKey {
    ObjectKey(kind: .service, namespace: namespace, name: name)
}

func podKey(_ name: String, namespace: String = "default") -> ObjectKey {
    ObjectKey(kind: .pod, namespace: namespace, name: name)
}

func makeService(
    _ name: String, namespace: String = "default", type: ServiceType = .clusterIP, selector: LabelSelector = ["app": "web"],
    ports: [ServicePort] = [ServicePort(name: "http", port: 80)], clusterIP: ClusterIPRequest = .allocate
) -> KubernetesService {
    KubernetesService(
        metadata: ObjectMetadata(name: name, namespace: namespace),
        spec: KubernetesService.Spec(type: type, selector: selector, ports: ports, clusterIP: clusterIP))
}

func makePod(
    _ name: String, namespace: String = "default", labels: Labels = ["app": "web"], node: NodeName? = nil,
    ip: IPv4? = nil, ports: [Pod.ContainerPort] = [], probe: ReadinessProbe? = nil
) -> Pod {
    Pod(
        metadata: ObjectMetadata(name: name, namespace: namespace, labels: labels),
        spec: Pod.Spec(nodeName: node, containers: [Pod.Container(ports: ports, readinessProbe: probe)]),
        status: Pod.Status(podIP: ip))
}

/// One node's catalog with its clock, as the shell will hold them.
struct Side {
    let name: NodeName
    var replica = CatalogReplica()
    var clock = HybridLogicalClock()
    var ranges: AllocationRanges

    init(_ name: String, ranges: AllocationRanges = .defaults) {
        self.name = node(name)
        self.ranges = ranges
    }

    /// Allocates and writes a Service, as `apply` on this node does.
    @discardableResult
    mutating func apply(
        _ service: KubernetesService, now: Timestamp, using generator: inout some RandomNumberGenerator
    ) throws(AllocationError) -> AllocatedService {
        let allocated = try allocate(service, in: replica, ranges: ranges, using: &generator)
        replica.apply(allocated, writer: name, clock: &clock, now: now)
        return allocated
    }

    @discardableResult
    mutating func apply(_ service: KubernetesService, now: Timestamp, seed: UInt64 = 1) throws(AllocationError) -> AllocatedService {
        var generator = SeededGenerator(seed: seed)
        return try apply(service, now: now, using: &generator)
    }

    mutating func apply(_ pod: Pod, now: Timestamp) {
        replica.apply(pod, writer: name, clock: &clock, now: now)
    }

    mutating func delete(_ key: ObjectKey, now: Timestamp) {
        replica.delete(key, writer: name, clock: &clock, now: now)
    }

    /// Takes in everything another side holds, as anti-entropy will.
    mutating func hear(_ other: Side, now: Timestamp) {
        for entry in other.replica.entries(newerThan: replica.digest) {
            _ = try? clock.observe(entry.version.timestamp, now: now)
            replica.merge(entry)
        }
    }
}
