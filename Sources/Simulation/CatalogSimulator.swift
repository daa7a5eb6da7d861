import Catalog
import ClusterModel
import Sealing
import Wire

/// Runs many catalog cores (`CatalogSync.Instance`) deterministically: a virtual clock, a
/// seeded generator, and an in-memory network that loses, delays, duplicates and reorders
/// datagrams, and partitions the cluster on command. Every message the cores send is encoded
/// by the real catalog codec into a datagram within the MTU and sealed; every datagram
/// delivered is opened (keyring, replay window) and decoded before the receiving core sees
/// it, exactly as the UDP shell will do it.
///
/// Membership is not simulated: a node's live peers are what membership would report once
/// it has settled (see ``partition(_:)``). Nodes take no time to handle what they receive.
///
/// The same seed and the same calls replay the same run, datagram for datagram.
public final class CatalogSimulator: VirtualClockRun {
    public typealias Instance = CatalogSync.Instance<NodeName>

    public struct Settings: Sendable {
        public var seed: UInt64
        public var catalog = CatalogSync.Settings()
        public var network = NetworkConditions()
        public var mtu = defaultMTU
        /// Where virtual time starts: a realistic wall-clock time, since hybrid timestamps
        /// and datagram freshness are read from it.
        public var start = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)  // 2026-01-01
        public var replay = ReplayWindow.Settings()

        public init(seed: UInt64) { self.seed = seed }
    }

    /// Something a node's core reported other than a send or a timer, and when.
    public struct Observation: Sendable {
        public enum Report: Sendable {
            /// A key of the node's replica changed: its own write, a merge, or a reallocation.
            case changed(CatalogChange)
            case purged([ObjectKey])
            /// The node dropped its copy to resync after an absence longer than the TTL.
            case cleared
            case conflictsChanged([ObjectKey: [LostValue]])
        }

        public let node: Int
        public let time: Timestamp
        public let report: Report
    }

    /// A datagram the codec produced larger than the MTU. It is dropped, as a network that
    /// does not fragment would drop it; a test should expect none.
    public struct Oversized: Sendable, CustomStringConvertible {
        public let node: Int
        public let tag: MessageTag
        public let bytes: Int
        public var description: String { "a \(tag) datagram of \(bytes) bytes from node \(node)" }
    }

    public let settings: Settings
    public private(set) var now: Timestamp
    public var conditions: NetworkConditions
    public private(set) var traffic = Traffic()
    public private(set) var oversized: [Oversized] = []
    /// Called for every report of every node, in order.
    public var observe: ((Observation) -> Void)?

    private var random: SeededGenerator
    private var agenda = EventQueue<Event>()
    private var nodes: [Node] = []
    private var indexOf: [NodeName: Int] = [:]
    private var groupOf: [Int]?
    private let keyring: Keyring

    private enum Event {
        case deliver(datagram: [UInt8], to: Int)
        case timer(node: Int, CatalogSync.Timer)
    }

    /// Starts `count` nodes named `n0`, `n1`, … with empty catalogs, each with every other as
    /// a live peer.
    public convenience init(nodes count: Int, settings: Settings) throws(CatalogSync.InvalidSettings) {
        try self.init(names: (0..<count).map { try! NodeName("n\($0)") }, settings: settings)
    }

    /// Starts one node of each name, with empty catalogs, each with every other as a live peer.
    public init(names: [NodeName], settings: Settings) throws(CatalogSync.InvalidSettings) {
        self.settings = settings
        self.now = settings.start
        self.conditions = settings.network
        self.random = SeededGenerator(seed: settings.seed)
        var keyGenerator = SeededGenerator(seed: settings.seed ^ 0x5EA1_1D6E_5EED_0002)
        self.keyring = Keyring(primary: try! ClusterKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &keyGenerator) }))
        for (index, name) in names.enumerated() {
            precondition(indexOf[name] == nil, "two nodes are named \(name)")
            let instance = try Instance(name: name, settings: settings.catalog, encodedSize: .wire)
            let sealer = Sealer(sender: name, session: random.next())
            // A push of the largest entry the core lets a node write must fit one datagram.
            precondition(
                settings.catalog.messageBudget + CatalogCodec.pushOverhead + sealer.overhead <= settings.mtu,
                "a catalog messageBudget of \(settings.catalog.messageBudget) bytes does not fit a \(settings.mtu)-byte datagram")
            nodes.append(
                Node(name: name, instance: instance, sealer: sealer, opener: Opener(replaySettings: settings.replay), lastHeard: now))
            indexOf[name] = index
        }
        refreshPeers()
        for index in nodes.indices {
            carryOut(nodes[index].instance.start(random: &random), of: index)
        }
    }

    // MARK: The cluster

    public var nodeCount: Int { nodes.count }
    public func name(of node: Int) -> NodeName { nodes[node].name }
    public func index(of name: NodeName) -> Int? { indexOf[name] }
    public func instance(_ node: Int) -> Instance { nodes[node].instance }
    public func replica(of node: Int) -> CatalogReplica { nodes[node].instance.replica }
    /// The Services in `Conflict` as this node sees them: each with the values it lost.
    public func conflicts(of node: Int) -> [ObjectKey: [LostValue]] { nodes[node].instance.conflicts }
    public func peers(of node: Int) -> [NodeName] { nodes[node].instance.peers }

    /// Splits the network: datagrams cross between nodes of the same side only; a node on no
    /// side is cut off alone.
    ///
    /// Each node's peers become its own side at once. This is membership's view after it has
    /// declared the other side failed (a few seconds of missed probes in a real cluster);
    /// during those seconds a real node still pushes to the other side, and the network loses
    /// those datagrams, which is what happens here to the datagrams already in flight. Either
    /// way anti-entropy, not the lost pushes, carries the writes across once the sides meet.
    public func partition(_ sides: [[Int]]) {
        var groupOf = Array(nodes.indices.map { -1 - $0 })
        for (side, members) in sides.enumerated() {
            for node in members { groupOf[node] = side }
        }
        self.groupOf = groupOf
        refreshPeers()
    }

    /// Joins the network whole again, and every node's peers become all the others, as
    /// membership reports once reconnects have found the other side.
    public func heal() {
        groupOf = nil
        refreshPeers()
    }

    public func canReach(_ from: Int, _ to: Int) -> Bool {
        guard let groupOf else { return true }
        return groupOf[from] == groupOf[to]
    }

    /// Gives each node the peers membership would report: every node it can reach.
    ///
    /// A node that had no peer and has some again does what its shell does when membership
    /// finds the cluster after an absence: it tells its core how long it went without hearing
    /// a peer (``CatalogSync/Instance/rejoined(after:now:)``), so that a node away longer than
    /// the tombstone TTL drops its stale copy before it exchanges anything.
    private func refreshPeers() {
        for node in nodes.indices {
            let live = nodes.indices.filter { $0 != node && canReach(node, $0) }.map { nodes[$0].name }
            if nodes[node].instance.peers.isEmpty && !live.isEmpty {
                carryOut(nodes[node].instance.rejoined(after: now - nodes[node].lastHeard, now: now), of: node)
            }
            nodes[node].instance.setPeers(live)
        }
    }

    // MARK: What users do

    /// Applies a Service on a node, as `agent apply` there would, and returns what it wrote.
    ///
    /// - Parameter allocationSeed: when set, the node draws its ClusterIP and NodePorts from a
    ///   generator of this seed instead of the simulator's: two nodes holding the same catalog
    ///   then draw the same values, which is how a test makes concurrent creations collide.
    @discardableResult
    public func apply(
        _ service: KubernetesService, on node: Int, allocationSeed: UInt64? = nil
    ) throws(CatalogSync.WriteError) -> CatalogEntry {
        let directives: [Instance.Directive]
        if let allocationSeed {
            var generator = SeededGenerator(seed: allocationSeed)
            directives = try nodes[node].instance.apply(service, now: now, random: &generator)
        } else {
            directives = try nodes[node].instance.apply(service, now: now, random: &random)
        }
        carryOut(directives, of: node)
        return nodes[node].instance.replica[service.key]!
    }

    /// Applies a Pod on a node and returns what it wrote.
    @discardableResult
    public func apply(_ pod: Pod, on node: Int) throws(CatalogSync.WriteError) -> CatalogEntry {
        carryOut(try nodes[node].instance.apply(pod, now: now, random: &random), of: node)
        return nodes[node].instance.replica[pod.key]!
    }

    /// Deletes an object on a node; returns its tombstone, or nil when the node held nothing live.
    @discardableResult
    public func delete(_ key: ObjectKey, on node: Int) -> CatalogEntry? {
        let directives = nodes[node].instance.delete(key, now: now, random: &random)
        guard !directives.isEmpty else { return nil }
        carryOut(directives, of: node)
        return nodes[node].instance.replica[key]
    }

    // MARK: Running

    /// Processes every event up to and including `deadline`, then sets the clock to it.
    public func run(until deadline: Timestamp) {
        while let next = agenda.nextTime, next <= deadline {
            let (time, event, _) = agenda.popFirst()!
            now = time
            switch event {
            case .deliver(let datagram, let node):
                receive(datagram, at: node)
            case .timer(let node, let timer):
                carryOut(nodes[node].instance.onTimer(timer, now: now, random: &random), of: node)
            }
        }
        now = max(now, deadline)
    }

    /// How often `run(until:limit:)` looks at its condition, unless told.
    public static var conditionStep: Duration { .milliseconds(500) }

    // MARK: The shell

    private func receive(_ datagram: [UInt8], at node: Int) {
        let opened: OpenedDatagram
        do {
            opened = try nodes[node].opener.open(datagram, keyring: keyring, now: now)
        } catch {
            traffic.rejected[error.reason, default: 0] += 1
            return
        }
        nodes[node].lastHeard = now
        let frames: [Frame]
        do {
            frames = try CompoundPacket.unpack(opened.payload)
        } catch {
            traffic.rejected[.malformed, default: 0] += 1
            return
        }
        for frame in frames {
            let decoded: CatalogMessage?
            do {
                decoded = try CatalogMessage(frame: frame)
            } catch {
                traffic.rejected[.malformed, default: 0] += 1
                continue
            }
            guard let message = decoded else { continue }
            carryOut(nodes[node].instance.onMessage(message, from: opened.sender, now: now, random: &random), of: node)
        }
    }

    private func carryOut(_ directives: [Instance.Directive], of node: Int) {
        for directive in directives {
            switch directive {
            case .send(let message, let peer):
                send(message, from: node, to: peer)
            case .scheduleTimer(let timer, let delay):
                agenda.schedule(.timer(node: node, timer), at: now + delay)
            case .changed(let change):
                observe?(Observation(node: node, time: now, report: .changed(change)))
            case .purged(let keys):
                observe?(Observation(node: node, time: now, report: .purged(keys)))
            case .cleared:
                observe?(Observation(node: node, time: now, report: .cleared))
            case .conflictsChanged(let conflicts):
                observe?(Observation(node: node, time: now, report: .conflictsChanged(conflicts)))
            }
        }
    }

    /// One message, one datagram: the frame alone is the payload, sealed by the sender.
    private func send(_ message: CatalogMessage, from node: Int, to peer: NodeName) {
        let datagram = nodes[node].sealer.seal(message.payload, keyring: keyring, now: now)
        traffic.record(sentBy: node, bytes: datagram.count, tag: message.tag)
        guard datagram.count <= settings.mtu else {
            oversized.append(Oversized(node: node, tag: message.tag, bytes: datagram.count))
            return
        }
        guard let target = indexOf[peer], canReach(node, target) else { return }
        if conditions.losesDatagram(using: &random) { return }
        agenda.schedule(.deliver(datagram: datagram, to: target), at: now + conditions.delay(using: &random))
        if conditions.duplicatesDatagram(using: &random) {
            agenda.schedule(.deliver(datagram: datagram, to: target), at: now + conditions.delay(using: &random))
        }
    }
}

extension CatalogSimulator {
    struct Node {
        let name: NodeName
        var instance: Instance
        let sealer: Sealer
        var opener: Opener
        /// When this node last opened a datagram from a peer: how long it has been away.
        var lastHeard: Timestamp
    }
}
