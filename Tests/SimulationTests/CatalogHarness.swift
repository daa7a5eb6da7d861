import Catalog
import ClusterModel
import Sealing
import Simulation

/// Shared set-up for the catalog simulation tests: a printed, replayable seed, a cluster of
/// catalog nodes, the writes each node made, and the catalog as a user would list it.
final class CatalogHarness {
    let seed: UInt64
    let simulator: CatalogSimulator
    /// Every write a node made itself (its users' applies and deletes, and reallocations after
    /// a conflict), in order: what must survive unless a later write replaced it.
    private(set) var writes: [(node: Int, entry: CatalogEntry)] = []
    /// Nodes that dropped their copy to resync, in order.
    private(set) var cleared: [Int] = []
    /// The test's own generator (choices of nodes, timings), apart from the simulator's.
    var random: SeededGenerator

    init(nodes: Int, test: String, configure: (inout CatalogSimulator.Settings) -> Void = { _ in }) throws {
        seed = simulationSeed(test)
        var settings = CatalogSimulator.Settings(seed: seed)
        configure(&settings)
        simulator = try CatalogSimulator(nodes: nodes, settings: settings)
        random = SeededGenerator(seed: seed ^ 0x7E57_0000_0000_0001)
        simulator.observe = { [unowned self] observation in
            switch observation.report {
            case .changed(let change) where change.current.version.writer == simulator.name(of: observation.node):
                writes.append((observation.node, change.current))
                checkReallocation(change, by: observation.node)
            case .cleared:
                cleared.append(observation.node)
            default:
                break
            }
        }
    }

    /// Reallocations that gave up a value no Service that took it first held in the writer's catalog.
    private(set) var unexplainedReallocations: [String] = []

    /// A node rewrote a Service with the same spec and other values: the conflict rule moved
    /// it. Each value it gave up must be held, in its catalog, by a Service that took it first.
    private func checkReallocation(_ change: CatalogChange, by node: Int) {
        guard let previous = change.previous?.service, let current = change.current.service,
            previous.service == current.service, previous.allocation != current.allocation
        else { return }
        let replica = simulator.replica(of: node)
        let kept = Set(heldValues(current))
        for value in heldValues(previous) where !kept.contains(value) {
            let mine = (previous.allocation.takenAt[value] ?? change.current.createdAt, change.key)
            let older = replica.entries.values.contains { entry in
                guard entry.key != change.key, let other = entry.service, heldValues(other).contains(value) else { return false }
                return (other.allocation.takenAt[value] ?? entry.createdAt, entry.key) < mine
            }
            if !older {
                unexplainedReallocations.append("\(simulator.name(of: node)) moved \(change.key) off \(value) that no older Service held")
            }
        }
    }

    var nodeCount: Int { simulator.nodeCount }
    var ranges: AllocationRanges { simulator.settings.catalog.allocation }

    // MARK: Agreement

    /// Nodes whose catalog differs from node 0's.
    var divergent: [Int] {
        let reference = simulator.replica(of: 0)
        return (0..<nodeCount).filter { simulator.replica(of: $0) != reference }
    }

    /// Every node holds the same catalog and reports the same Services in `Conflict`.
    var converged: Bool {
        let reference = simulator.replica(of: 0)
        let conflicts = simulator.conflicts(of: 0)
        return (0..<nodeCount).allSatisfy { simulator.replica(of: $0) == reference && simulator.conflicts(of: $0) == conflicts }
    }

    @discardableResult
    func runUntilConverged(limit: Duration) -> Bool {
        simulator.run(until: { self.converged }, step: .milliseconds(500), limit: limit)
    }

    /// Runs for `duration` in steps of `step`, with the network as it is.
    func run(for duration: Duration) { simulator.run(for: duration) }

    /// Datagrams refused for any reason other than being a duplicate: none should be.
    var unexpectedRejections: [RejectionReason: Int] { simulator.traffic.rejected.filter { $0.key != .replay } }

    // MARK: What a user would see

    /// One line of `agent services`: the Service's addresses, and whether it is in Conflict.
    struct ServiceLine: Hashable, CustomStringConvertible {
        var key: ObjectKey
        var type: ServiceType
        var clusterIP: IPv4?
        var nodePorts: [Int?]
        var conflict: Bool

        var description: String {
            "\(key.name) \(type.rawValue) \(clusterIP?.description ?? "None") \(nodePorts.map { $0.map(String.init) ?? "-" }.joined(separator: ","))\(conflict ? " Conflict" : "")"
        }
    }

    func services(seenBy node: Int) -> [ServiceLine] {
        let conflicts = simulator.conflicts(of: node)
        return simulator.replica(of: node).services.map { service in
            ServiceLine(
                key: service.key, type: service.service.spec.type, clusterIP: service.allocation.clusterIP,
                nodePorts: service.allocation.nodePorts, conflict: conflicts[service.key] != nil)
        }
    }

    /// Names of the live Pods a node lists, with their addresses.
    func pods(seenBy node: Int) -> [String: IPv4?] {
        Dictionary(uniqueKeysWithValues: simulator.replica(of: node).pods.map { ($0.metadata.name, $0.status.podIP) })
    }

    /// Values held by two Services of which neither is in Conflict: what must never happen.
    func sharedValues(seenBy node: Int) -> [String] {
        var holder: [HeldValue: ObjectKey] = [:]
        var shared: [String] = []
        for line in services(seenBy: node) where !line.conflict {
            let values = [line.clusterIP.map(HeldValue.clusterIP)] + line.nodePorts.map { $0.map(HeldValue.nodePort) }
            for value in values.compactMap({ $0 }) {
                if let other = holder[value] { shared.append("\(value) held by \(other) and \(line.key)") }
                holder[value] = line.key
            }
        }
        return shared
    }

    // MARK: Forcing collisions

    /// A seed from which `node`, holding the catalog it holds now, draws `address` as the
    /// ClusterIP of `service`: how a test makes a Service allocated on one side of a
    /// partition land on an address the other side gave out.
    func allocationSeed(drawing address: IPv4, for service: KubernetesService, on node: Int) -> UInt64? {
        let replica = simulator.replica(of: node)
        for candidate in UInt64(0)..<100_000 {
            var generator = SeededGenerator(seed: candidate)
            if let allocated = try? allocate(service, in: replica, ranges: ranges, using: &generator),
                allocated.allocation.clusterIP == address
            {
                return candidate
            }
        }
        return nil
    }
}

// MARK: Objects

/// The ClusterIP and NodePorts a Service holds.
func heldValues(_ service: AllocatedService) -> [HeldValue] {
    [service.allocation.clusterIP.map(HeldValue.clusterIP)].compactMap { $0 }
        + service.allocation.nodePorts.compactMap { $0.map(HeldValue.nodePort) }
}

func serviceKey(_ name: String) -> ObjectKey { ObjectKey(kind: .service, namespace: "default", name: name) }
func podKey(_ name: String) -> ObjectKey { ObjectKey(kind: .pod, namespace: "default", name: name) }

func makeService(
    _ name: String, type: ServiceType = .clusterIP, selector: LabelSelector = ["app": "web"], port: Int = 80,
    nodePort: Int? = nil, clusterIP: ClusterIPRequest = .allocate
) -> KubernetesService {
    KubernetesService(
        metadata: ObjectMetadata(name: name),
        spec: KubernetesService.Spec(
            type: type, selector: selector, ports: [ServicePort(name: "http", port: port, nodePort: nodePort)], clusterIP: clusterIP))
}

func makePod(_ name: String, ip: IPv4, labels: Labels = ["app": "web"]) -> Pod {
    Pod(
        metadata: ObjectMetadata(name: name, labels: labels),
        spec: Pod.Spec(containers: [Pod.Container(ports: [Pod.ContainerPort(name: "http", containerPort: 8080)])]),
        status: Pod.Status(podIP: ip, ready: true))
}
