import ClusterModel
import Membership
import Simulation
import Testing

/// The acceptance of SWIM + Lifeguard at 1,000 nodes, through the real codec and sealing.
@Suite("Simulated clusters of 1,000: failure detection")
struct FailureDetectionSimulationTests {
    @Test("every node joined through a single seed sees all 1,000 alive")
    func joinThroughOneSeed() {
        let harness = Harness(nodes: 1_000, test: "join through one seed")
        let converged = harness.joinAllThroughFirst(limit: .seconds(120))
        #expect(converged, "seed \(harness.seed)")
        #expect(harness.falseFailures.isEmpty, "seed \(harness.seed)")
    }

    @Test("a killed node is marked failed by every live node, and no live node is ever marked failed")
    func killedNode() {
        let harness = Harness(nodes: 1_000, test: "killed node")
        harness.startConverged()
        var random = SeededGenerator(seed: harness.seed)
        let victim = Int.random(in: 0..<1_000, using: &random)
        harness.kill(victim)
        let detected = harness.simulator.run(until: {
            harness.runningNodes.allSatisfy { harness.status(of: victim, seenBy: $0) == .failed }
        }, step: .seconds(1), limit: .seconds(180))
        #expect(detected, "node \(victim) not marked failed everywhere; seed \(harness.seed)")
        harness.simulator.run(for: .seconds(30))
        #expect(harness.falseFailures.isEmpty, "false failures: \(harness.falseFailures.prefix(5)); seed \(harness.seed)")
        #expect(harness.failures.allSatisfy { $0.subject == harness.simulator.name(of: victim) })
    }

    @Test("with 5% loss and one node 10 times slower, an hour has no false failure among healthy nodes")
    func lossAndASlowNode() {
        let harness = Harness(nodes: 1_000, test: "loss and a slow node") { settings in
            settings.network.loss = 0.05
        }
        var random = SeededGenerator(seed: harness.seed)
        let slow = Int.random(in: 0..<1_000, using: &random)
        harness.simulator.setSlowness(slow, 10)
        harness.startConverged()
        harness.simulator.run(for: .seconds(3_600))
        let slowName = harness.simulator.name(of: slow)
        let healthyDeclaredFailed = harness.failures.filter { $0.subject != slowName }
        #expect(healthyDeclaredFailed.isEmpty, "\(healthyDeclaredFailed.count) false failures, e.g. \(healthyDeclaredFailed.prefix(5)); seed \(harness.seed)")
        print("loss and a slow node: \(harness.failures.count) verdicts about the slow node, \(harness.simulator.traffic.datagrams) datagrams")
    }
}

@Suite("Simulated clusters of 1,000: partitions, leaving, restarting")
struct LifecycleSimulationTests {
    @Test("a 60/40 partition that outlasts the suspicion timeout heals within two reconnect intervals")
    func partitionHeals() {
        let harness = Harness(nodes: 1_000, test: "partition heals")
        harness.startConverged()
        let majority = Array(0..<600)
        let minority = Array(600..<1_000)
        harness.simulator.partition([majority, minority])
        // Long enough for each side to declare the other failed.
        let split = harness.simulator.run(until: {
            harness.status(of: 999, seenBy: 0) == .failed && harness.status(of: 0, seenBy: 999) == .failed
                && harness.simulator.instance(0)!.count(of: .failed) == 400
                && harness.simulator.instance(999)!.count(of: .failed) == 600
        }, step: .seconds(1), limit: .seconds(300))
        #expect(split, "the sides never declared each other failed; seed \(harness.seed)")

        harness.simulator.heal()
        let healedAt = harness.simulator.now
        let reconnect = harness.simulator.settings.swim.reconnect.interval
        let healed = harness.runUntilEveryoneSeesEveryoneAlive(limit: reconnect * 2)
        #expect(healed, "not whole again within \(reconnect * 2) of the heal; seed \(harness.seed)")
        print("partition healed in \(harness.simulator.now - healedAt)")
    }

    @Test("a graceful leave is seen as left by every node, never as failed")
    func gracefulLeave() {
        let harness = Harness(nodes: 1_000, test: "graceful leave")
        harness.startConverged()
        let leaver = 123
        harness.stopped.insert(leaver)
        harness.simulator.leave(leaver)
        let seen = harness.simulator.run(until: {
            !harness.simulator.isRunning(leaver)
                && harness.runningNodes.allSatisfy { harness.status(of: leaver, seenBy: $0) == .left }
        }, step: .seconds(1), limit: .seconds(60))
        #expect(seen, "seed \(harness.seed)")
        harness.simulator.run(for: .seconds(120))
        #expect(harness.runningNodes.allSatisfy { harness.status(of: leaver, seenBy: $0) == .left })
        #expect(harness.failures.isEmpty, "\(harness.failures.prefix(5)); seed \(harness.seed)")
    }

    @Test("all 1,000 nodes restart at once with the same names: afterwards everyone sees everyone alive")
    func massRestart() {
        let harness = Harness(nodes: 1_000, test: "mass restart")
        harness.startConverged()
        for node in 0..<1_000 { harness.simulator.kill(node) }
        harness.simulator.run(for: .seconds(2))
        harness.simulator.start(0)
        for node in 1..<1_000 { harness.simulator.start(node, joining: [0]) }
        let whole = harness.runUntilEveryoneSeesEveryoneAlive(limit: .seconds(120))
        #expect(whole, "seed \(harness.seed)")
        harness.simulator.run(for: .seconds(30))
        #expect(harness.everyoneSeesEveryoneAlive, "seed \(harness.seed)")
        #expect(harness.failures.isEmpty, "\(harness.failures.prefix(5)); seed \(harness.seed)")
    }

    @Test("a node that returns with the same name and a new address is reached at the new one")
    func newAddress() {
        let harness = Harness(nodes: 1_000, test: "new address")
        harness.startConverged()
        let mover = 500
        harness.simulator.kill(mover)
        harness.simulator.run(for: .seconds(1))
        let newAddress = Simulator.address(forNode: 5_000)
        harness.simulator.move(mover, to: newAddress)
        harness.simulator.start(mover, joining: [0])
        let moved = harness.simulator.run(until: {
            harness.runningNodes.allSatisfy {
                let member = harness.simulator.member(mover, seenBy: $0)
                return member?.status == .alive && member?.address == newAddress
            }
        }, step: .seconds(1), limit: .seconds(60))
        #expect(moved, "seed \(harness.seed)")
        // Reached there: probes keep succeeding, so nobody suspects it over the next minute.
        harness.simulator.run(for: .seconds(60))
        #expect(harness.runningNodes.allSatisfy { harness.status(of: mover, seenBy: $0) == .alive }, "seed \(harness.seed)")
        #expect(harness.failures.isEmpty, "seed \(harness.seed)")
    }
}
