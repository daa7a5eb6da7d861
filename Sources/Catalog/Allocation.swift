import ClusterModel

/// Where ClusterIPs and NodePorts come from (SPEC.md §2: `serviceCIDR`,
/// `serviceNodePortRange`).
public struct AllocationRanges: Hashable, Sendable {
    public var serviceCIDR: IPv4Network
    public var nodePorts: ClosedRange<Int>

    public init(serviceCIDR: IPv4Network, nodePorts: ClosedRange<Int>) {
        self.serviceCIDR = serviceCIDR
        self.nodePorts = nodePorts
    }

    /// `10.96.0.0/12` and `30000-32767`.
    public static let defaults = AllocationRanges(
        serviceCIDR: IPv4Network(address: IPv4(10, 96, 0, 0), prefixLength: 12)!, nodePorts: 30000...32767)

    /// The addresses a Service may hold: the CIDR without its network and broadcast addresses.
    var usableClusterIPs: ClosedRange<UInt32>? {
        let first = serviceCIDR.address.value
        let last = first | ~serviceCIDR.netmask
        guard last - first >= 2 else { return nil }
        return (first + 1)...(last - 1)
    }

    func isUsable(_ address: IPv4) -> Bool { usableClusterIPs?.contains(address.value) ?? false }
}

/// Why a Service could not be given the ClusterIP or NodePorts it needs.
public enum AllocationError: Error, Hashable, Sendable, CustomStringConvertible {
    case clusterIPTaken(IPv4, holder: ObjectKey)
    case clusterIPOutsideRange(IPv4, serviceCIDR: IPv4Network)
    /// A ClusterIP, once assigned, never changes (SPEC.md §5).
    case clusterIPImmutable(current: IPv4?, requested: ClusterIPRequest)
    case nodePortTaken(Int, holder: ObjectKey)
    case nodePortOutsideRange(Int, range: ClosedRange<Int>)
    case noFreeClusterIP(serviceCIDR: IPv4Network)
    case noFreeNodePort(range: ClosedRange<Int>)

    public var description: String {
        switch self {
        case .clusterIPTaken(let address, let holder):
            "clusterIP \(address) is already held by \(holder)"
        case .clusterIPOutsideRange(let address, let cidr):
            "clusterIP \(address) is not a usable address of the service CIDR \(cidr)"
        case .clusterIPImmutable(let current, let requested):
            "spec.clusterIP cannot change once assigned (it is \(current.map(\.description) ?? "None"), the manifest asks for \(Self.describe(requested)))"
        case .nodePortTaken(let port, let holder):
            "nodePort \(port) is already held by \(holder)"
        case .nodePortOutsideRange(let port, let range):
            "nodePort \(port) is outside the NodePort range \(range.lowerBound)-\(range.upperBound)"
        case .noFreeClusterIP(let cidr):
            "no free ClusterIP is left in the service CIDR \(cidr)"
        case .noFreeNodePort(let range):
            "no free NodePort is left in \(range.lowerBound)-\(range.upperBound)"
        }
    }

    private static func describe(_ request: ClusterIPRequest) -> String {
        switch request {
        case .allocate: "a new one"
        case .headless: "None"
        case .pinned(let address): "\(address)"
        }
    }
}

/// The ClusterIPs and NodePorts live Services hold, each with its holders: the replica's
/// index (no scan of the catalog), less one Service, plus values taken since.
struct HeldValues {
    private let indexed: [HeldValue: Set<ObjectKey>]
    private let excluded: ObjectKey?
    private var taken: [HeldValue: [ObjectKey]] = [:]

    init(_ replica: CatalogReplica, excluding excluded: ObjectKey? = nil) {
        self.indexed = replica.index.holders
        self.excluded = excluded
    }

    func holders(of value: HeldValue) -> [ObjectKey] {
        (indexed[value].map { $0.filter { $0 != excluded } } ?? []) + (taken[value] ?? [])
    }

    func holder(of value: HeldValue) -> ObjectKey? { holders(of: value).min() }
    func isTaken(_ value: HeldValue) -> Bool { !holders(of: value).isEmpty }
    mutating func take(_ value: HeldValue, for key: ObjectKey) { taken[value, default: []].append(key) }
}

/// Assigns a Service applied on this node its ClusterIP and NodePorts (SPEC.md §5), against
/// the values the replica's live Services hold. An update keeps what the Service already has;
/// a value the manifest pins must be free; the rest are drawn at random from the free ones.
///
/// Two nodes may still hand out the same value at the same moment on two sides of a
/// partition; ``conflicts(in:ranges:)`` settles that once the catalogs merge.
public func allocate(
    _ service: KubernetesService, in replica: CatalogReplica, ranges: AllocationRanges,
    using generator: inout some RandomNumberGenerator
) throws(AllocationError) -> AllocatedService {
    var held = HeldValues(replica, excluding: service.key)
    let current = replica[service.key]?.service
    let clusterIP = try assignClusterIP(service, current: current, held: &held, ranges: ranges, using: &generator)
    let nodePorts = try assignNodePorts(service, current: current, held: &held, ranges: ranges, using: &generator)
    return AllocatedService(service: service, allocation: ServiceAllocation(clusterIP: clusterIP, nodePorts: nodePorts))
}

private func assignClusterIP(
    _ service: KubernetesService, current: AllocatedService?, held: inout HeldValues, ranges: AllocationRanges,
    using generator: inout some RandomNumberGenerator
) throws(AllocationError) -> IPv4? {
    let request = service.spec.clusterIP
    if let current {
        let had = current.allocation.clusterIP
        switch request {
        case .allocate where had != nil: return had
        case .headless where had == nil: return nil
        case .pinned(let address) where address == had: return had
        default: throw .clusterIPImmutable(current: had, requested: request)
        }
    }
    switch request {
    case .headless:
        return nil
    case .pinned(let address):
        guard ranges.isUsable(address) else { throw .clusterIPOutsideRange(address, serviceCIDR: ranges.serviceCIDR) }
        if let holder = held.holder(of: .clusterIP(address)) { throw .clusterIPTaken(address, holder: holder) }
        held.take(.clusterIP(address), for: service.key)
        return address
    case .allocate:
        guard let address = freeClusterIP(held: held, ranges: ranges, using: &generator) else {
            throw .noFreeClusterIP(serviceCIDR: ranges.serviceCIDR)
        }
        held.take(.clusterIP(address), for: service.key)
        return address
    }
}

private func assignNodePorts(
    _ service: KubernetesService, current: AllocatedService?, held: inout HeldValues, ranges: AllocationRanges,
    using generator: inout some RandomNumberGenerator
) throws(AllocationError) -> [Int?] {
    guard service.spec.type.hasNodePorts else { return service.spec.ports.map { _ in nil } }
    var assigned: [Int?] = []
    for port in service.spec.ports {
        // An update keeps the NodePort of the same port (by protocol and port number).
        let kept = current.flatMap { current in
            zip(current.service.spec.ports, current.allocation.nodePorts).first {
                $0.0.protocol == port.protocol && $0.0.port == port.port
            }?.1
        }
        let nodePort: Int
        if let pinned = port.nodePort {
            if pinned != kept {
                guard ranges.nodePorts.contains(pinned) else { throw .nodePortOutsideRange(pinned, range: ranges.nodePorts) }
                if let holder = held.holder(of: .nodePort(pinned)) { throw .nodePortTaken(pinned, holder: holder) }
            }
            nodePort = pinned
        } else if let kept {
            nodePort = kept
        } else {
            guard let free = freeNodePort(held: held, ranges: ranges, using: &generator) else {
                throw .noFreeNodePort(range: ranges.nodePorts)
            }
            nodePort = free
        }
        held.take(.nodePort(nodePort), for: service.key)
        assigned.append(nodePort)
    }
    return assigned
}

/// A free usable address: a random start, then the next free one after it (wrapping), so the
/// search ends even when the CIDR is nearly full.
func freeClusterIP(held: HeldValues, ranges: AllocationRanges, using generator: inout some RandomNumberGenerator) -> IPv4? {
    guard let usable = ranges.usableClusterIPs else { return nil }
    return firstFree(in: usable, using: &generator) { held.isTaken(.clusterIP(IPv4(value: $0))) }.map(IPv4.init(value:))
}

func freeNodePort(held: HeldValues, ranges: AllocationRanges, using generator: inout some RandomNumberGenerator) -> Int? {
    guard ranges.nodePorts.lowerBound >= 0, ranges.nodePorts.upperBound <= Int(UInt16.max) else { return nil }
    let range = UInt32(ranges.nodePorts.lowerBound)...UInt32(ranges.nodePorts.upperBound)
    return firstFree(in: range, using: &generator) { held.isTaken(.nodePort(Int($0))) }.map(Int.init)
}

private func firstFree(
    in range: ClosedRange<UInt32>, using generator: inout some RandomNumberGenerator, isTaken: (UInt32) -> Bool
) -> UInt32? {
    let count = UInt64(range.upperBound - range.lowerBound) + 1
    let start = UInt64.random(in: 0..<count, using: &generator)
    for step in 0..<count {
        let candidate = range.lowerBound + UInt32((start + step) % count)
        if !isTaken(candidate) { return candidate }
    }
    return nil
}
