import ClusterModel
import Membership

/// The run behind `agent simulate`: a settled cluster of `nodes`, into which one more node
/// joins, one node announces an update, and `failures` nodes are killed; every figure of
/// `SimulationReport` is read off what the nodes saw.
///
///     t = 0 s    nodes 0..N-2 start settled (each already knows the others)
///     t = 1 s    node N-1 joins through node 0                      → join convergence
///     t = 5 s    node 1 changes its labels                          → dissemination
///     t = 10 s   `failures` random nodes are killed with no goodbye → detection, false failures
///     t = D      the run ends; traffic is averaged over [5 s, D]
public struct StandardScenario: Sendable {
    public var nodes: Int
    public var failures: Int
    public var duration: Duration
    public var settings: Simulator.Settings

    public static let joinAt: Duration = .seconds(1)
    public static let updateAt: Duration = .seconds(5)
    public static let failAt: Duration = .seconds(10)

    public init(nodes: Int, failures: Int, duration: Duration, settings: Simulator.Settings) {
        self.nodes = nodes
        self.failures = failures
        self.duration = duration
        self.settings = settings
    }

    /// Why these parameters cannot run, or nil.
    public var problem: String? {
        if nodes < 3 { return "--nodes must be at least 3 (a settled cluster, a joiner and a node to update), not \(nodes)" }
        if failures < 0 || failures > nodes - 3 {
            return "--fail must be between 0 and \(nodes - 3) for \(nodes) nodes (the joiner, node 0 and node 1 are never killed), not \(failures)"
        }
        if duration <= Self.failAt { return "--duration must be longer than \(Self.failAt), when the failures are injected" }
        return nil
    }

    public func run() -> SimulationReport {
        precondition(problem == nil, problem ?? "")
        let wallStart = ContinuousClock.now
        let simulator = Simulator(settings: settings)
        for _ in 0..<nodes { simulator.addNode() }
        let joiner = nodes - 1
        let updater = 1
        var random = SeededGenerator(seed: settings.seed ^ 0x5CE4_A210)
        let victims = Set((2..<joiner).shuffled(using: &random).prefix(failures))
        let start = simulator.now
        let victimNames = Set(victims.map { simulator.name(of: $0) })
        let joinerName = simulator.name(of: joiner)
        let updaterName = simulator.name(of: updater)

        // What the nodes saw, as it happened.
        var joinerSeenBy = Set<Int>()
        var joinerSees = Set<NodeName>()
        var joinConverged: Timestamp?
        var updateSeenAt: [Timestamp] = []
        var firstFailedAt: [NodeName: Timestamp] = [:]
        var failedSeenBy: [NodeName: Set<Int>] = [:]
        var fullyDetectedAt: [NodeName: Timestamp] = [:]
        var falseFailures = 0
        let liveAfterFailures = nodes - failures
        simulator.observe = { observation in
            let member = observation.change.member
            if observation.observer == joiner, member.status == .alive { joinerSees.insert(member.name) }
            if joinConverged == nil, joinerSeenBy.count == joiner, joinerSees.count == joiner {
                joinConverged = observation.time
            }
            switch member.status {
            case .alive where member.name == joinerName:
                joinerSeenBy.insert(observation.observer)
                if joinConverged == nil, joinerSeenBy.count == joiner, joinerSees.count == joiner {
                    joinConverged = observation.time
                }
            case .alive where member.name == updaterName && member.labels["simulate"] == "update":
                updateSeenAt.append(observation.time)
            case .failed where victimNames.contains(member.name):
                if firstFailedAt[member.name] == nil { firstFailedAt[member.name] = observation.time }
                failedSeenBy[member.name, default: []].insert(observation.observer)
                if failedSeenBy[member.name]!.count >= liveAfterFailures, fullyDetectedAt[member.name] == nil {
                    fullyDetectedAt[member.name] = observation.time
                }
            case .failed:
                falseFailures += 1
            default:
                break
            }
        }

        simulator.startConverged(Array(0..<joiner))
        simulator.run(until: start + Self.joinAt)
        simulator.start(joiner, joining: [0])
        simulator.run(until: start + Self.updateAt)

        let trafficBefore = simulator.traffic
        simulator.updateLabels(updater, ["simulate": "update"])
        simulator.run(until: start + Self.failAt)
        for victim in victims.sorted() { simulator.kill(victim) }
        simulator.run(until: start + duration)

        let failAt = start + Self.failAt
        let updateAt = start + Self.updateAt
        let measured = (duration - Self.updateAt).seconds
        let sentDatagrams = simulator.traffic.datagrams - trafficBefore.datagrams
        let sentBytes = simulator.traffic.bytes - trafficBefore.bytes
        // Every node but the updater should receive the update; the victims count until they die.
        let sortedUpdates = updateSeenAt.sorted()
        let receivers = nodes - 1
        func disseminated(_ fraction: Double) -> Double? {
            let needed = Int((fraction * Double(receivers)).rounded(.up))
            return sortedUpdates.count >= needed && needed > 0 ? (sortedUpdates[needed - 1] - updateAt).seconds : nil
        }
        return SimulationReport(
            nodes: nodes, loss: settings.network.loss, failed: failures, seed: settings.seed,
            durationSeconds: duration.seconds,
            joinConvergenceSeconds: joinConverged.map { ($0 - (start + Self.joinAt)).seconds },
            disseminationSeconds99_99: disseminated(0.9999),
            disseminationSeconds100: disseminated(1.0),
            firstDetectionSeconds: .init(firstFailedAt.values.map { ($0 - failAt).seconds }, expected: failures),
            fullDetectionSeconds: .init(fullyDetectedAt.values.map { ($0 - failAt).seconds }, expected: failures),
            falseFailureDeclarations: falseFailures,
            messagesPerNodePerSecond: Double(sentDatagrams) / Double(nodes) / measured,
            bytesPerNodePerSecond: Double(sentBytes) / Double(nodes) / measured,
            wallSeconds: (ContinuousClock.now - wallStart).seconds)
    }
}
