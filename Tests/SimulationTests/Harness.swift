import ClusterModel
import Foundation
import Membership
import Simulation

/// The seed of a simulation test: `SIM_SEED` when set (to replay a run), else a random one.
/// Printed, so that any failing run can be replayed.
///
/// Under CI (`CI` set) a test without `SIM_SEED` replays a seed of its own name, so that a
/// red CI run always means a change broke something, never a new draw; run locally, each
/// run draws a new seed and keeps exploring.
func simulationSeed(_ test: String) -> UInt64 {
    let environment = ProcessInfo.processInfo.environment
    let seed =
        UInt64(environment["SIM_SEED"] ?? "")
        ?? (environment["CI"] != nil ? fixedSeed(test) : UInt64.random(in: 0...UInt64.max))
    print("\(test): seed \(seed) (replay with SIM_SEED=\(seed))")
    return seed
}

/// FNV-1a of the test's name: the same seed for the same test on every machine.
func fixedSeed(_ test: String) -> UInt64 {
    test.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

/// Shared set-up for the simulation tests: a seed that is printed and can be replayed with
/// `SIM_SEED=...`, clusters of a given size, and a record of every member change.
final class Harness {
    let seed: UInt64
    let simulator: Simulator
    /// Every `failed` verdict: who declared whom, and when.
    private(set) var failures: [(observer: Int, subject: NodeName, time: Timestamp)] = []
    private(set) var observations = 0
    private var indexOf: [NodeName: Int] = [:]

    /// Nodes the test stopped on purpose (killed or left): verdicts about them are expected.
    var stopped: Set<Int> = []

    init(nodes: Int, test: String, configure: (inout Simulator.Settings) -> Void = { _ in }) {
        seed = simulationSeed(test)
        var settings = Simulator.Settings(seed: seed)
        configure(&settings)
        simulator = Simulator(settings: settings)
        for _ in 0..<nodes { simulator.addNode() }
        for node in 0..<nodes { indexOf[simulator.name(of: node)] = node }
        simulator.observe = { [unowned self] observation in
            observations += 1
            if observation.change.member.status == .failed {
                failures.append((observation.observer, observation.change.member.name, observation.time))
            }
        }
    }

    var nodeCount: Int { simulator.nodeCount }
    var runningNodes: [Int] { (0..<nodeCount).filter { simulator.isRunning($0) } }
    func index(of name: NodeName) -> Int { indexOf[name]! }

    /// `failed` verdicts about nodes that were never stopped: false failure declarations.
    var falseFailures: [(observer: Int, subject: NodeName, time: Timestamp)] {
        failures.filter { !stopped.contains(index(of: $0.subject)) }
    }

    /// Starts every node at once, all joining through node 0, and runs until each sees all.
    @discardableResult
    func joinAllThroughFirst(limit: Duration = .seconds(120)) -> Bool {
        simulator.start(0)
        for node in 1..<nodeCount { simulator.start(node, joining: [0]) }
        return runUntilEveryoneSeesEveryoneAlive(limit: limit)
    }

    /// A cluster that is already settled: every node knows every other as alive.
    func startConverged() {
        simulator.startConverged(Array(0..<nodeCount))
        simulator.run(for: .seconds(1))
    }

    /// Whether every running node sees every running node alive (and only those).
    var everyoneSeesEveryoneAlive: Bool {
        let running = runningNodes
        return running.allSatisfy { observer in
            simulator.instance(observer)!.count(of: .alive) == running.count
                && running.allSatisfy { simulator.member($0, seenBy: observer)?.status == .alive }
        }
    }

    @discardableResult
    func runUntilEveryoneSeesEveryoneAlive(limit: Duration) -> Bool {
        simulator.run(until: { self.everyoneSeesEveryoneAlive }, step: .milliseconds(500), limit: limit)
    }

    func status(of subject: Int, seenBy observer: Int) -> SWIM.Status? {
        simulator.member(subject, seenBy: observer)?.status
    }

    func kill(_ node: Int) {
        stopped.insert(node)
        simulator.kill(node)
    }
}
