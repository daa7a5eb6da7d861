import ClusterModel
import Membership
import Testing
import Wire

@Suite("Lifeguard")
struct LifeguardTests {
    /// Probe ticks scheduled later than the base interval: the local health multiplier at work.
    private func stretchedProbeTicks(_ cluster: TestCluster) -> [NodeName] {
        cluster.directives.compactMap {
            if case .scheduleTimer(.probeTick, let after) = $0.directive, after > cluster.settings.probe.interval { return $0.node }
            return nil
        }
    }

    @Test("nacks from indirect probers keep a prober's health penalty at zero when only the target is dead")
    func nacksSpareTheProber() {
        var cluster = TestCluster.joined(5)
        cluster.kill(TestCluster.name(5))
        cluster.run(for: .seconds(30))
        #expect(cluster.sent.contains { if case .nack = $0.message { true } else { false } })
        #expect(stretchedProbeTicks(cluster).isEmpty)
        #expect((1...4).allSatisfy { cluster.instance(TestCluster.name($0)).localHealthScore == 0 })
    }

    @Test("a prober whose nacks do not arrive counts its failed probes against itself and probes less often")
    func missingNacksRaiseTheScore() {
        var cluster = TestCluster.joined(5)
        cluster.kill(TestCluster.name(5))
        cluster.drop = { _, _, message in if case .nack = message { true } else { false } }
        cluster.run(for: .seconds(30))
        #expect(!stretchedProbeTicks(cluster).isEmpty)
    }

    @Test("a refuting node counts the accusation against its own health")
    func refutingRaisesTheScore() {
        var node = SoloNode()
        node.learn(members: 3)
        let incarnation = node.instance.localMember.incarnation
        node.hear(.suspect(name: SoloNode.me, incarnation: incarnation, reporter: TestCluster.name(2)))
        #expect(node.instance.localMember.incarnation == incarnation + 1)
        #expect(node.instance.localMember.status == .alive)
        #expect(node.instance.localHealthScore == 1)
    }

    /// Ten members, so K = suspicionMultiplier - 2 = 2 confirmations are expected; the
    /// shortest suspicion is 4 * log10(10) * 1 s = 4 s and the longest 6 times that.
    private func suspicionLength(confirmedBy confirmers: [Int]) -> Duration? {
        var node = SoloNode()
        node.learn(members: 10)
        let start = node.now
        node.hear(.suspect(name: TestCluster.name(9), incarnation: 10, reporter: TestCluster.name(2)), from: 2)
        node.advance(by: .seconds(1))
        for confirmer in confirmers {
            node.hear(.suspect(name: TestCluster.name(9), incarnation: 10, reporter: TestCluster.name(confirmer)), from: confirmer)
        }
        node.advance(by: .seconds(60)) { if case .suspicionTimeout = $0 { true } else { false } }
        return node.changes.first { $0.change.member.name == TestCluster.name(9) && $0.change.member.status == .failed }.map { $0.at - start }
    }

    @Test("independent confirmations shorten the suspicion timeout from its maximum to its minimum")
    func confirmationsShortenSuspicion() {
        #expect(suspicionLength(confirmedBy: []) == .seconds(24))
        let once = suspicionLength(confirmedBy: [3])!
        #expect(once > .seconds(4) && once < .seconds(24))
        #expect(suspicionLength(confirmedBy: [3, 4]) == .seconds(4))
        // The same confirmer twice, or the accuser itself, counts once.
        #expect(suspicionLength(confirmedBy: [3, 3, 2]) == once)
    }

    @Test("in a cluster too small for confirmations a suspicion lasts the minimum timeout")
    func smallClusterSuspicion() {
        var node = SoloNode()
        node.learn(members: 3)
        node.hear(.suspect(name: TestCluster.name(3), incarnation: 10, reporter: TestCluster.name(2)))
        #expect(node.status(of: 3) == .suspect)
        node.advance(by: .seconds(3))
        #expect(node.status(of: 3) == .suspect)
        node.advance(by: .seconds(2))
        #expect(node.status(of: 3) == .failed, "4 s at three members")
    }
}
