import ClusterModel
import Membership
import Wire

/// A tiny deterministic router for a handful of instances: a virtual clock, one event list,
/// every message through the real codec, 1 ms of latency, and rules to drop traffic.
struct TestCluster {
    struct Node {
        var instance: SWIM.Instance
        var isRunning = true
    }

    struct Sent {
        var at: Timestamp
        var from: NodeName
        var to: PeerAddress
        var message: SWIM.Message
    }

    struct Change {
        var at: Timestamp
        var observer: NodeName
        var change: SWIM.MemberChange
    }

    private enum Event {
        case deliver(payload: [UInt8], from: NodeName, fromAddress: PeerAddress, to: PeerAddress)
        case timer(SWIM.Timer, node: NodeName, generation: Int)
    }

    static let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    static let latency = Duration.milliseconds(1)

    var settings: SWIM.Settings
    var nodes: [NodeName: Node] = [:]
    /// Names in creation order, so that nothing depends on dictionary order.
    var order: [NodeName] = []
    var now = TestCluster.start
    var random: SeededGenerator
    var sent: [Sent] = []
    var changes: [Change] = []
    var directives: [(node: NodeName, directive: SWIM.Directive)] = []
    /// Drops a message when it returns true: (from, to address, message).
    var drop: (NodeName, PeerAddress, SWIM.Message) -> Bool = { _, _, _ in false }

    private var events: [(at: Timestamp, sequence: Int, event: Event)] = []
    private var sequence = 0
    /// Bumped when a node is replaced, so the old one's timers are ignored.
    private var generations: [NodeName: Int] = [:]

    init(seed: UInt64 = 1, settings: SWIM.Settings = SWIM.Settings()) {
        self.random = SeededGenerator(seed: seed)
        self.settings = settings
    }

    static func name(_ index: Int) -> NodeName { try! NodeName("n\(index)") }
    static func address(_ index: Int, port: UInt16 = 7950) -> PeerAddress { PeerAddress(ipv4: (10, 0, 0, UInt8(index)), port: port) }

    func instance(_ name: NodeName) -> SWIM.Instance { nodes[name]!.instance }

    /// How `observer` sees `member`.
    func status(of member: NodeName, at observer: NodeName) -> SWIM.Status? {
        nodes[observer]?.instance.member(named: member)?.status
    }

    /// Adds a node (replacing any of that name, as a restart does) and starts it.
    @discardableResult
    mutating func add(
        _ name: NodeName, at address: PeerAddress, labels: [String: String] = [:], joining seeds: [PeerAddress] = []
    ) -> SWIM.Instance {
        let instance = try! SWIM.Instance(
            name: name, address: address, labels: labels, settings: settings, encodedSize: .wire, now: now)
        if nodes[name] == nil { order.append(name) }
        generations[name, default: 0] += 1
        nodes[name] = Node(instance: instance)
        let out = nodes[name]!.instance.join(seeds: seeds, now: now, random: &random)
        handle(out, of: name)
        return instance
    }

    /// `count` nodes n1…n<count>, all joining through n1.
    static func joined(_ count: Int, seed: UInt64 = 1, settings: SWIM.Settings = SWIM.Settings()) -> TestCluster {
        var cluster = TestCluster(seed: seed, settings: settings)
        cluster.add(name(1), at: address(1))
        for index in 2...max(2, count) where index <= count {
            cluster.add(name(index), at: address(index), joining: [address(1)])
        }
        cluster.run(for: .seconds(10))
        return cluster
    }

    /// Stops a node dead: it sends and receives nothing more.
    mutating func kill(_ name: NodeName) { nodes[name]!.isRunning = false }

    mutating func perform(_ name: NodeName, _ input: (inout SWIM.Instance, Timestamp, inout SeededGenerator) -> [SWIM.Directive]) {
        let out = input(&nodes[name]!.instance, now, &random)
        handle(out, of: name)
    }

    mutating func run(for duration: Duration) { run(until: now + duration) }

    mutating func run(until end: Timestamp) {
        while let first = events.first, first.at <= end {
            events.removeFirst()
            now = first.at
            switch first.event {
            case .deliver(let payload, let from, let fromAddress, let to):
                guard let receiver = order.first(where: { nodes[$0]!.isRunning && nodes[$0]!.instance.localMember.address == to }) else {
                    continue
                }
                let frames = try! CompoundPacket.unpack(payload[...])
                for frame in frames {
                    let message = try! SWIM.Message(frame: frame)!
                    let out = nodes[receiver]!.instance.onMessage(message, from: from, at: fromAddress, now: now, random: &random)
                    handle(out, of: receiver)
                }
            case .timer(let timer, let name, let generation):
                guard generation == generations[name], nodes[name]!.isRunning else { continue }
                let out = nodes[name]!.instance.onTimer(timer, now: now, random: &random)
                handle(out, of: name)
            }
        }
        now = end
    }

    private mutating func handle(_ out: [SWIM.Directive], of name: NodeName) {
        guard nodes[name]!.isRunning else { return }
        for directive in out {
            directives.append((name, directive))
            switch directive {
            case .send(let message, let to):
                sent.append(Sent(at: now, from: name, to: to, message: message))
                if drop(name, to, message) { continue }
                let from = nodes[name]!.instance.localMember.address
                schedule(.deliver(payload: message.payload, from: name, fromAddress: from, to: to), after: Self.latency)
            case .scheduleTimer(let timer, let after):
                schedule(.timer(timer, node: name, generation: generations[name]!), after: after)
            case .memberChanged(let change):
                changes.append(Change(at: now, observer: name, change: change))
            default:
                break
            }
        }
    }

    private mutating func schedule(_ event: Event, after: Duration) {
        sequence += 1
        let at = now + after
        let position = events.firstIndex { $0.at > at } ?? events.endIndex
        events.insert((at, sequence, event), at: position)
    }

    /// Every running node sees every running node alive.
    func everyoneSeesEveryoneAlive() -> Bool {
        let running = order.filter { nodes[$0]!.isRunning }
        return running.allSatisfy { observer in
            running.allSatisfy { status(of: $0, at: observer) == .alive }
        }
    }

    /// The first time `observer` saw `member` reach `status`.
    func firstChange(of member: NodeName, to status: SWIM.Status, at observer: NodeName) -> Timestamp? {
        changes.first { $0.observer == observer && $0.change.member.name == member && $0.change.member.status == status }?.at
    }

    func everChanged(_ member: NodeName, to status: SWIM.Status) -> Bool {
        changes.contains { $0.change.member.name == member && $0.change.member.status == status }
    }
}

import Testing

extension TestCluster: CustomTestStringConvertible {
    /// Who sees whom how, instead of every message ever sent, when an expectation fails.
    var testDescription: String {
        order.map { observer in
            "\(observer): " + nodes[observer]!.instance.members.map { "\($0.name)=\($0.status)" }.joined(separator: " ")
        }.joined(separator: "; ")
    }
}
