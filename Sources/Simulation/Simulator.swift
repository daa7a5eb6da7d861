import ClusterModel
import Election
import Membership
import Sealing
import Wire

/// Runs many membership cores deterministically: a virtual clock, a seeded generator, and an
/// in-memory network that loses, delays, duplicates and reorders datagrams, and partitions
/// the cluster on command. Every message still goes through the real codec and the real
/// sealing, so what is simulated is the protocol as it is deployed, not a model of it.
///
/// The same seed and the same calls replay the same run, datagram for datagram.
public final class Simulator: VirtualClockRun {
    public struct Settings: Sendable {
        public var seed: UInt64
        public var swim = SWIM.Settings()
        public var network = NetworkConditions()
        public var mtu = defaultMTU
        /// How long a node of slowness 1 takes to handle one datagram or timer; a node of
        /// slowness 10 takes ten times as long, and what arrives meanwhile waits its turn.
        public var processingTime: Duration = .microseconds(500)
        /// Where virtual time starts: a realistic wall-clock time, since incarnations and
        /// datagram freshness are read from it.
        public var start = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)  // 2026-01-01
        /// The replay window of a real agent: it must span the longest burst one sender
        /// sends at once (a state exchange of 10,000 members is ~400 datagrams), since the
        /// simulated network reorders freely within a burst.
        public var replay = ReplayWindow.Settings()
        /// When set, every node also runs an election core beside its membership core.
        public var election: Election.Settings?

        public init(seed: UInt64) { self.seed = seed }
    }

    /// A member change as one node saw it, and when.
    public struct Observation: Sendable {
        public let observer: Int
        public let change: SWIM.MemberChange
        public let time: Timestamp
    }

    public let settings: Settings
    public private(set) var now: Timestamp
    public var conditions: NetworkConditions
    public private(set) var traffic = Traffic()
    /// Called for every member change any running node reports, in order.
    public var observe: ((Observation) -> Void)?
    /// Every stretch of time a node led, in the order they began.
    public private(set) var leadership: [Leadership] = []

    private var random: SeededGenerator
    private var agenda = EventQueue<Event>()
    private var nodes: [Node] = []
    private var nodeAt: [PeerAddress: Int] = [:]
    private var groupOf: [Int]?
    private let keyring: Keyring

    fileprivate enum Event {
        case deliver(datagram: [UInt8], to: Int, from: PeerAddress)
        case timer(node: Int, generation: UInt32, SWIM.Timer)
        case electionTick(node: Int, generation: UInt32)

        var node: Int {
            switch self {
            case .deliver(_, let node, _), .timer(let node, _, _), .electionTick(let node, _): node
            }
        }
    }

    public init(settings: Settings) {
        self.settings = settings
        self.now = settings.start
        self.conditions = settings.network
        self.random = SeededGenerator(seed: settings.seed)
        var keyGenerator = SeededGenerator(seed: settings.seed ^ 0x5EA1_1D6E_5EED_0001)
        self.keyring = Keyring(primary: try! ClusterKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &keyGenerator) }))
    }

    // MARK: The cluster

    public var nodeCount: Int { nodes.count }
    public func name(of node: Int) -> NodeName { nodes[node].name }
    public func address(of node: Int) -> PeerAddress { nodes[node].address }
    public func isRunning(_ node: Int) -> Bool { nodes[node].instance != nil }
    public func members(seenBy node: Int) -> [SWIM.Member] { nodes[node].instance?.members ?? [] }
    public func member(_ subject: Int, seenBy observer: Int) -> SWIM.Member? {
        nodes[observer].instance?.member(named: nodes[subject].name)
    }
    public func instance(_ node: Int) -> SWIM.Instance? { nodes[node].instance }

    /// Simulated addresses come from 10.0.0.0/8; they exist only inside this process.
    public static func address(forNode index: Int, port: UInt16 = 7950) -> PeerAddress {
        PeerAddress(ipv4: 0x0A00_0000 | UInt32(index + 1), port: port)
    }

    /// Adds a node (not yet running) and returns its index.
    @discardableResult
    public func addNode(name: String? = nil, address: PeerAddress? = nil, slowness: Double = 1) -> Int {
        let index = nodes.count
        let nodeName = try! NodeName(name ?? "n\(index)")
        let nodeAddress = address ?? Self.address(forNode: index)
        nodes.append(Node(name: nodeName, address: nodeAddress, slowness: slowness))
        return index
    }

    /// Starts the node's process: a fresh core, a fresh sealer (new session) and replay window.
    public func start(_ node: Int, joining seeds: [Int] = [], labels: [String: String] = [:]) {
        nodes[node].joins = !seeds.isEmpty
        launch(node, labels: labels)
        carryOut(node) { instance, now, random in instance.start(now: now, random: &random) }
        if !seeds.isEmpty {
            let addresses = seeds.map { nodes[$0].address }
            carryOut(node) { instance, now, random in instance.join(seeds: addresses, now: now, random: &random) }
        }
    }

    /// Starts these nodes as a cluster that has long since settled: each knows every other
    /// as alive from the outset (`SWIM.Instance.adopt`), and nobody joins.
    public func startConverged(_ started: [Int]) {
        for node in started {
            nodes[node].joins = false
            launch(node, labels: [:])
        }
        // Built once: each core copies the records, and their names and labels are shared.
        let records = started.map { nodes[$0].instance!.localMember }
        for node in started {
            carryOut(node) { instance, now, random in instance.adopt(records, now: now, random: &random) }
            carryOut(node) { instance, now, random in instance.start(now: now, random: &random) }
        }
    }

    /// A fresh core, sealer (new session) and replay window for the node, not yet started.
    private func launch(_ node: Int, labels: [String: String]) {
        precondition(nodes[node].instance == nil, "node \(node) is already running")
        nodes[node].generation &+= 1
        let sealerSession = random.next()
        nodes[node].sealer = Sealer(sender: nodes[node].name, session: sealerSession)
        nodes[node].opener = Opener(replaySettings: settings.replay)
        nodes[node].busyUntil = now
        nodes[node].instance = try! SWIM.Instance(
            name: nodes[node].name, address: nodes[node].address, labels: labels, settings: settings.swim,
            encodedSize: .wire, now: now)
        nodeAt[nodes[node].address] = node
        if let election = settings.election {
            // What a real agent's member snapshot remembers across the restart.
            nodes[node].election = try! Election.Instance(
                name: nodes[node].name, settings: election, remembered: nodes[node].remembered, expectsPeers: nodes[node].joins, now: now)
            agenda.schedule(.electionTick(node: node, generation: nodes[node].generation), at: now + election.endorseInterval)
        }
    }

    /// Kills the node's process at once, as `kill -9` does: it sends nothing more.
    public func kill(_ node: Int) {
        endLeadership(of: node)
        // As a real agent's member snapshot: it keeps the peers of earlier runs until they
        // are known to have left (the reap time is beyond any simulation).
        if let instance = nodes[node].instance {
            let known = instance.members.filter { $0.name != nodes[node].name }
            nodes[node].remembered.formUnion(known.filter { $0.status != .left }.map(\.name))
            nodes[node].remembered.subtract(known.filter { $0.status == .left }.map(\.name))
        }
        nodes[node].instance = nil
        nodes[node].election = nil
        nodes[node].generation &+= 1
        if nodeAt[nodes[node].address] == node { nodeAt[nodes[node].address] = nil }
    }

    /// Moves a stopped node to a new address (it will come back elsewhere).
    public func move(_ node: Int, to address: PeerAddress) {
        precondition(nodes[node].instance == nil, "stop node \(node) before moving it")
        nodes[node].address = address
    }

    /// Asks the node to leave gracefully; it stops once its core says leaving is complete.
    public func leave(_ node: Int) {
        carryOut(node) { instance, now, random in instance.leave(now: now, random: &random) }
    }

    public func updateLabels(_ node: Int, _ labels: [String: String]) {
        carryOut(node) { instance, now, random in (try? instance.updateLabels(labels, now: now, random: &random)) ?? [] }
    }

    public func setSlowness(_ node: Int, _ slowness: Double) { nodes[node].slowness = slowness }

    /// Splits the network: datagrams cross between nodes of the same group only.
    public func partition(_ groups: [[Int]]) {
        var groupOf = [Int](repeating: -1, count: nodes.count)
        for (group, members) in groups.enumerated() {
            for node in members { groupOf[node] = group }
        }
        self.groupOf = groupOf
    }

    public func heal() { groupOf = nil }

    // MARK: Running

    /// Processes every event up to and including `deadline`, then sets the clock to it.
    public func run(until deadline: Timestamp) {
        while let next = agenda.nextTime, next <= deadline {
            let (time, event, rank) = agenda.popFirst()!
            now = time
            handle(event, waitingRank: rank)
        }
        now = max(now, deadline)
    }

    /// How often `run(until:limit:)` looks at its condition, unless told.
    public static var conditionStep: Duration { .milliseconds(100) }

    /// - Parameter rank: set when the event had been waiting for its node to be free.
    private func handle(_ event: Event, waitingRank rank: UInt64?) {
        let node = event.node
        let isCurrent =
            switch event {
            case .deliver: nodes[node].instance != nil
            case .timer(_, let generation, _), .electionTick(_, let generation):
                nodes[node].generation == generation && nodes[node].instance != nil
            }
        guard isCurrent else {
            // Dropped without taking the node's time, so the next in line is due now too.
            if rank != nil { callNextInLine(node, at: now) }
            return
        }
        guard nodes[node].busyUntil <= now else {
            wait(event, rank: rank, for: node)
            return
        }
        nodes[node].busyUntil = now + settings.processingTime * nodes[node].slowness
        if rank != nil { callNextInLine(node, at: nodes[node].busyUntil) }
        switch event {
        case .deliver(let datagram, _, let source):
            receive(datagram, at: node, from: source)
        case .timer(_, _, let timer):
            carryOut(node) { instance, now, random in instance.onTimer(timer, now: now, random: &random) }
        case .electionTick(_, let generation):
            electionTick(node)
            if let interval = nodes[node].election?.settings.endorseInterval {
                agenda.schedule(.electionTick(node: node, generation: generation), at: now + interval)
            }
        }
    }

    /// A node handles one thing at a time; what arrives while it is busy waits its turn, in
    /// order of arrival. Only the first in line sits in the agenda (at the time the node is
    /// free); the rest wait in the node's line, so that a burst of n datagrams costs n
    /// agenda operations rather than n²/2.
    private func wait(_ event: Event, rank: UInt64?, for node: Int) {
        let free = nodes[node].busyUntil
        if let rank {
            agenda.reschedule(event, at: free, rank: rank)  // still first in line
        } else if nodes[node].hasFirstInLine {
            nodes[node].line.append((event, agenda.takeRank()))
        } else {
            agenda.scheduleFirstInLine(event, at: free)
            nodes[node].hasFirstInLine = true
        }
    }

    private func callNextInLine(_ node: Int, at time: Timestamp) {
        guard let (event, rank) = nodes[node].line.popFirst() else {
            nodes[node].hasFirstInLine = false
            return
        }
        agenda.reschedule(event, at: time, rank: rank)
    }

    private func receive(_ datagram: [UInt8], at node: Int, from source: PeerAddress) {
        let opened: OpenedDatagram
        do {
            opened = try nodes[node].opener.open(datagram, keyring: keyring, now: now)
        } catch {
            traffic.rejected[error.reason, default: 0] += 1
            return
        }
        let frames: [Frame]
        do {
            frames = try CompoundPacket.unpack(opened.payload)
        } catch {
            traffic.rejected[.malformed, default: 0] += 1
            return
        }
        for frame in frames {
            if frame.tag == .electionEndorse || frame.tag == .electionAnnounce {
                guard let message = try? ElectionMessage(frame: frame) else {
                    traffic.rejected[.malformed, default: 0] += 1
                    continue
                }
                carryOutElection(node) { election, view, now in
                    election.receive(message, from: opened.sender, view: view, now: now, wallClock: now)
                }
                continue
            }
            let decoded: SWIM.Message?
            do {
                decoded = try SWIM.Message(frame: frame)
            } catch {
                traffic.rejected[.malformed, default: 0] += 1
                continue
            }
            guard let message = decoded else { continue }
            carryOut(node) { instance, now, random in
                instance.onMessage(message, from: opened.sender, at: source, now: now, random: &random)
            }
        }
    }

    /// Runs one input on a node's core and carries out what it directs.
    private func carryOut(_ node: Int, _ input: (inout SWIM.Instance, Timestamp, inout SeededGenerator) -> [SWIM.Directive]) {
        guard nodes[node].instance != nil else { return }
        let directives = input(&nodes[node].instance!, now, &random)  // in place: copying a core retains all it holds
        var membersChanged = false
        defer { if membersChanged { electionTick(node) } }
        for directive in directives {
            switch directive {
            case .send(let message, let destination):
                send(message, from: node, to: destination)
            case .scheduleTimer(let timer, let delay):
                agenda.schedule(.timer(node: node, generation: nodes[node].generation, timer), at: now + delay)
            case .memberChanged(let change):
                membersChanged = true
                observe?(Observation(observer: node, change: change, time: now))
            case .leaveCompleted:
                kill(node)
                return
            case .memberForgotten, .probeAnswered, .joinAnswered, .joinUnanswered:
                break
            }
        }
    }

    // MARK: Election (Simulator+Election.swift)

    func election(_ node: Int) -> Election.Instance? { nodes[node].election }
    func setElection(_ node: Int, _ election: Election.Instance) { nodes[node].election = election }

    func sendElection(_ message: ElectionMessage, from node: Int, to destination: PeerAddress) {
        send(message.payload, tag: message.tag, from: node, to: destination)
    }

    func leadershipStarted(node: Int, claim: LeaderClaim, leaseEnds: Timestamp) {
        leadership.append(Leadership(node: node, claim: claim, from: now, until: nil, leaseEnds: leaseEnds))
    }

    func leadershipRenewed(node: Int, leaseEnds: Timestamp) {
        guard let index = leadership.lastIndex(where: { $0.node == node }), leadership[index].until == nil else { return }
        leadership[index].leaseEnds = leaseEnds
    }

    /// Closes the node's open stretch of leading at the earlier of now and its lease's end.
    func endLeadership(of node: Int) {
        guard let index = leadership.lastIndex(where: { $0.node == node }), leadership[index].until == nil else { return }
        leadership[index].until = min(now, leadership[index].leaseEnds)
    }

    private func send(_ message: SWIM.Message, from node: Int, to destination: PeerAddress) {
        send(message.payload, tag: message.tag, from: node, to: destination)
    }

    private func send(_ payload: [UInt8], tag: MessageTag, from node: Int, to destination: PeerAddress) {
        let datagram = nodes[node].sealer.seal(payload, keyring: keyring, now: now)
        precondition(datagram.count <= settings.mtu, "a \(tag) datagram of \(datagram.count) bytes exceeds the MTU of \(settings.mtu)")
        traffic.record(sentBy: node, bytes: datagram.count, tag: tag)
        guard let target = nodeAt[destination] else { return }
        if let groupOf, groupOf[node] != groupOf[target] { return }
        if conditions.losesDatagram(using: &random) { return }
        let source = nodes[node].address
        agenda.schedule(.deliver(datagram: datagram, to: target, from: source), at: now + conditions.delay(using: &random))
        if conditions.duplicatesDatagram(using: &random) {
            agenda.schedule(.deliver(datagram: datagram, to: target, from: source), at: now + conditions.delay(using: &random))
        }
    }
}

extension Simulator {
    struct Node {
        let name: NodeName
        var address: PeerAddress
        var slowness: Double
        var instance: SWIM.Instance?
        var election: Election.Instance?
        /// The members it knew when it was last killed: its member snapshot.
        var remembered: Set<NodeName> = []
        /// Whether its last start named seeds to join.
        var joins = false
        var sealer: Sealer
        var opener = Opener()
        var generation: UInt32 = 0
        var busyUntil = Timestamp.epoch
        /// Whether an event of this node waits in the agenda for it to be free; those that
        /// arrived after it wait in `line`, each with its rank.
        var hasFirstInLine = false
        fileprivate var line = Line<(Event, UInt64)>()

        init(name: NodeName, address: PeerAddress, slowness: Double) {
            self.name = name
            self.address = address
            self.slowness = slowness
            self.sealer = Sealer(sender: name, session: 0)
        }
    }
}

/// A first-in, first-out queue that releases each element as it leaves.
struct Line<Element> {
    private var elements: [Element?] = []
    private var first = 0

    mutating func append(_ element: Element) { elements.append(element) }

    mutating func popFirst() -> Element? {
        guard first < elements.count else { return nil }
        defer {
            first += 1
            if first == elements.count {
                elements.removeAll(keepingCapacity: true)
                first = 0
            } else if first >= 1_024, first * 2 >= elements.count {
                // A line that never empties still gives back what has left it.
                elements.removeFirst(first)
                first = 0
            }
        }
        return elements[first].take()
    }
}

/// What crossed the simulated network.
public struct Traffic: Sendable {
    public private(set) var datagrams = 0
    public private(set) var bytes = 0
    public private(set) var datagramsByTag: [MessageTag: Int] = [:]
    public internal(set) var rejected: [RejectionReason: Int] = [:]

    mutating func record(sentBy node: Int, bytes: Int, tag: MessageTag) {
        datagrams += 1
        self.bytes += bytes
        datagramsByTag[tag, default: 0] += 1
    }
}
