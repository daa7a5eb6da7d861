import ClusterModel
import Election
import Membership
import Simulation
import Testing


/// The election over the real membership protocol, codec and sealing (issue 7): at no
/// instant two leaders, never a leader on a side without a majority, and a new leader within
/// the failure detection time plus one second after the old one dies.
@Suite("Simulated elections: partitions, restarts, loss")
struct ElectionSimulationTests {
    @Test("a settled cluster elects one leader, and every node names it with quorum")
    func settledCluster() {
        let harness = ElectionHarness(nodes: 25, test: "election settled cluster")
        harness.startConverged()
        harness.simulator.run(for: .seconds(10))
        let leaders = harness.simulator.leaders
        #expect(leaders.count == 1, "leaders \(leaders); seed \(harness.seed)")
        guard let leader = leaders.first else { return }
        let name = harness.simulator.name(of: leader)
        for node in harness.runningNodes {
            let status = harness.simulator.leaderStatus(seenBy: node)
            #expect(status?.claim?.leader == name && status?.quorum == true, "node \(node) says \(String(describing: status)); seed \(harness.seed)")
        }
        harness.expectNeverTwoLeaders()
    }

    @Test("a killed leader is followed within the failure detection time plus one second, three times over")
    func killedLeaders() {
        let harness = ElectionHarness(nodes: 25, test: "election killed leaders") { $0.network.loss = 0.02 }
        harness.startConverged()
        harness.simulator.run(for: .seconds(10))
        for round in 1...3 {
            guard let victim = harness.simulator.leaders.first else {
                Issue.record("round \(round): no leader to kill; seed \(harness.seed)")
                return
            }
            harness.kill(victim)
            let killedAt = harness.simulator.now
            let followed = harness.simulator.run(until: { !harness.simulator.leaders.isEmpty }, step: .milliseconds(50), limit: .seconds(60))
            #expect(followed, "round \(round): nobody followed node \(victim); seed \(harness.seed)")
            guard followed, let successor = harness.simulator.leadership.last, successor.from > killedAt else { continue }
            let detected = harness.detectionTime(of: victim, after: killedAt)
            #expect(detected != nil, "round \(round): a majority never declared node \(victim) failed; seed \(harness.seed)")
            if let detected {
                let lag = successor.from - detected
                print("round \(round): node \(victim) killed; a majority declared it failed after \(detected - killedAt), node \(successor.node) led \(lag) later")
                #expect(lag <= .seconds(1), "round \(round): node \(successor.node) led \(lag) after the failure was detected; seed \(harness.seed)")
            }
            harness.simulator.run(for: .seconds(10))
        }
        harness.expectNeverTwoLeaders()
    }

    @Test("across a partition only the majority side leads, the leader cut off stops within its lease, and after healing one leads")
    func partition() {
        let harness = ElectionHarness(nodes: 25, test: "election partition") { $0.network.loss = 0.05 }
        harness.startConverged()
        harness.simulator.run(for: .seconds(10))
        guard let leader = harness.simulator.leaders.first else {
            Issue.record("no leader before the partition; seed \(harness.seed)")
            return
        }
        // The leader goes to the minority side, with nine others.
        let others = (0..<25).filter { $0 != leader }
        let minority = [leader] + others.prefix(9)
        let majority = Array(others.dropFirst(9))
        harness.simulator.partition([minority, majority])
        let cutAt = harness.simulator.now
        harness.simulator.run(for: .seconds(60))
        let afterCut = harness.simulator.leadership.filter { $0.from > cutAt }
        #expect(afterCut.allSatisfy { majority.contains($0.node) }, "a minority node led: \(afterCut); seed \(harness.seed)")
        #expect(afterCut.contains { majority.contains($0.node) }, "the majority side never led; seed \(harness.seed)")
        let oldEnd = harness.simulator.leadership.last { $0.node == leader && $0.from <= cutAt }?.until
        #expect(oldEnd.map { $0 - cutAt <= ElectionHarness.settings.lease + .milliseconds(100) } ?? false,
                "the cut-off leader led until \(String(describing: oldEnd)), cut at \(cutAt); seed \(harness.seed)")
        harness.simulator.heal()
        harness.simulator.run(for: .seconds(90))
        #expect(harness.simulator.leaders.count == 1, "after healing: \(harness.simulator.leaders); seed \(harness.seed)")
        harness.expectNeverTwoLeaders()
    }

    @Test("an even split leaves both sides without a leader")
    func evenSplit() {
        let harness = ElectionHarness(nodes: 8, test: "election even split")
        harness.startConverged()
        harness.simulator.run(for: .seconds(10))
        harness.simulator.partition([Array(0..<4), Array(4..<8)])
        harness.simulator.run(for: .seconds(10))
        let cutAt = harness.simulator.now
        harness.simulator.run(for: .seconds(60))
        #expect(harness.simulator.leadership.allSatisfy { $0.from < cutAt && ($0.until ?? .epoch) < cutAt },
                "somebody led across an even split: \(harness.simulator.leadership.suffix(3)); seed \(harness.seed)")
        harness.expectNeverTwoLeaders()
    }

    @Test("ten minutes of restarts, partitions and 10% loss never see two leaders at once")
    func churn() {
        let harness = ElectionHarness(nodes: 9, test: "election churn") { $0.network.loss = 0.10 }
        harness.startConverged()
        var random = SeededGenerator(seed: harness.seed ^ 0xE1EC7)
        var down: Set<Int> = []
        for _ in 0..<40 {
            harness.simulator.run(for: .seconds(Int64.random(in: 5...25, using: &random)))
            switch Int.random(in: 0..<4, using: &random) {
            case 0 where down.count < 4:
                let victim = harness.simulator.leaders.first ?? Int.random(in: 0..<9, using: &random)
                if !down.contains(victim) {
                    harness.kill(victim)
                    down.insert(victim)
                }
            case 1 where !down.isEmpty:
                let back = down.sorted().randomElement(using: &random)!
                down.remove(back)
                harness.simulator.start(back, joining: harness.runningNodes.filter { $0 != back }.prefix(2).map { $0 })
            case 2:
                let cut = (0..<9).shuffled(using: &random)
                let size = Int.random(in: 1...4, using: &random)
                harness.simulator.partition([Array(cut.prefix(size)), Array(cut.dropFirst(size))])
            default:
                harness.simulator.heal()
            }
        }
        harness.simulator.heal()
        harness.simulator.run(for: .seconds(60))
        print("churn: \(harness.simulator.leadership.count) leaderships; terms up to \(harness.simulator.leadership.map(\.claim.term).max() ?? 0)")
        harness.expectNeverTwoLeaders()
        // And after it all, one leads, and every running node whose membership reaches it
        // (a node restarted alone during a partition may not have found the others again)
        // names it with quorum.
        let leaders = harness.simulator.leaders
        #expect(leaders.count == 1, "leaders at the end: \(leaders); seed \(harness.seed)")
        guard let leader = leaders.first else { return }
        let connected = harness.runningNodes.filter { harness.simulator.member(leader, seenBy: $0)?.status == .alive }
        #expect(connected.count > harness.simulator.nodeCount / 2, "only \(connected) see the leader; seed \(harness.seed)")
        // Time for a node that only now found the leader to hear its claim (announced every
        // 2 s) and turn to it (after the 3 s hold).
        harness.simulator.run(for: .seconds(10))
        #expect(harness.simulator.leaders == [leader], "seed \(harness.seed)")
        for node in connected {
            let status = harness.simulator.leaderStatus(seenBy: node)
            #expect(status?.claim?.leader == harness.simulator.name(of: leader) && status?.quorum == true,
                    "node \(node) says \(String(describing: status)); seed \(harness.seed)")
        }
    }
}

/// A cluster whose nodes all run an election, with checks over every stretch of leading.
final class ElectionHarness {
    static let settings = Election.Settings()
    let base: Harness

    init(nodes: Int, test: String, configure: (inout Simulator.Settings) -> Void = { _ in }) {
        base = Harness(nodes: nodes, test: test) { settings in
            settings.election = Self.settings
            configure(&settings)
        }
    }

    var seed: UInt64 { base.seed }
    var simulator: Simulator { base.simulator }
    var runningNodes: [Int] { base.runningNodes }
    func startConverged() { base.startConverged() }
    func kill(_ node: Int) { base.kill(node) }

    /// When more than half of the nodes that knew `victim` had declared it failed: from
    /// then on a majority could endorse another.
    func detectionTime(of victim: Int, after time: Timestamp) -> Timestamp? {
        let name = simulator.name(of: victim)
        let needed = simulator.nodeCount / 2 + 1
        var declared: Set<Int> = []
        for failure in base.failures where failure.subject == name && failure.time >= time {
            declared.insert(failure.observer)
            if declared.count >= needed { return failure.time }
        }
        return nil
    }

    /// At no instant did two nodes lead.
    func expectNeverTwoLeaders(sourceLocation: SourceLocation = #_sourceLocation) {
        let stretches = simulator.leadership
        let end = simulator.now
        for (index, first) in stretches.enumerated() {
            for second in stretches[(index + 1)...] where second.node != first.node {
                let overlap = second.from < (first.until ?? end) && first.from < (second.until ?? end)
                #expect(!overlap, "nodes \(first.node) (\(first.claim)) and \(second.node) (\(second.claim)) led at once; seed \(seed)",
                        sourceLocation: sourceLocation)
            }
        }
    }
}
