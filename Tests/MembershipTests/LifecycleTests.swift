import ClusterModel
import Membership
import Testing
import Wire

@Suite("Leave, reconnect, restart and labels")
struct LifecycleTests {
    @Test("a member that leaves is shown left by everyone, never failed, and its leave completes")
    func gracefulLeave() {
        var cluster = TestCluster.joined(5)
        let leaver = TestCluster.name(3)
        cluster.perform(leaver) { instance, now, random in instance.leave(now: now, random: &random) }
        cluster.run(for: .seconds(10))
        #expect(cluster.directives.contains { $0.node == leaver && $0.directive == .leaveCompleted })
        for index in [1, 2, 4, 5] {
            #expect(cluster.status(of: leaver, at: TestCluster.name(index)) == .left)
        }
        cluster.kill(leaver)  // the shell exits once leaving completed
        cluster.run(for: .seconds(120))
        #expect(!cluster.everChanged(leaver, to: .failed))
        #expect(!cluster.everChanged(leaver, to: .suspect))
        #expect((1...5).filter { $0 != 3 }.allSatisfy { cluster.status(of: leaver, at: TestCluster.name($0)) == .left })
    }

    @Test("leaving alone completes at once")
    func leavingAlone() throws {
        var random = SeededGenerator(seed: 5)
        var node = try SWIM.Instance(name: TestCluster.name(1), address: TestCluster.address(1), encodedSize: .wire, now: TestCluster.start)
        let out = node.leave(now: TestCluster.start, random: &random)
        #expect(out.contains(.leaveCompleted))
    }

    @Test("a partition that outlasts the suspicion timeout heals through reconnect attempts to failed members")
    func partitionHeals() {
        var cluster = TestCluster.joined(6)
        let sideA = Set((1...3).map { TestCluster.address($0) })
        let onSideA = Dictionary(uniqueKeysWithValues: (1...6).map { (TestCluster.name($0), $0 <= 3) })
        cluster.drop = { from, to, _ in onSideA[from]! != sideA.contains(to) }
        cluster.run(for: .seconds(120))
        #expect(cluster.status(of: TestCluster.name(4), at: TestCluster.name(1)) == .failed)
        #expect(cluster.status(of: TestCluster.name(1), at: TestCluster.name(6)) == .failed)
        #expect(cluster.status(of: TestCluster.name(2), at: TestCluster.name(1)) == .alive)

        cluster.drop = { _, _, _ in false }
        let healedAt = cluster.now
        cluster.sent.removeAll()
        while !cluster.everyoneSeesEveryoneAlive(), cluster.now - healedAt < cluster.settings.reconnect.interval * 2 {
            cluster.run(for: .seconds(1))
        }
        let converged = cluster.everyoneSeesEveryoneAlive()
        #expect(converged, "full membership within two reconnect intervals of the heal")
        let reconnects = cluster.sent.filter {
            if case .state(let chunk) = $0.message, chunk.isRequest { return onSideA[$0.from]! != sideA.contains($0.to) }
            return false
        }
        #expect(!reconnects.isEmpty, "a node offered state to a member on the other side")
    }

    @Test("a node that restarts after being declared failed is alive again without a refutation round")
    func restartAfterFailure() {
        var cluster = TestCluster.joined(4)
        let restarted = TestCluster.name(4)
        cluster.kill(restarted)
        cluster.run(for: .seconds(120))
        #expect(cluster.status(of: restarted, at: TestCluster.name(1)) == .failed)
        let fresh = cluster.add(restarted, at: TestCluster.address(4), joining: [TestCluster.address(1)])
        cluster.run(for: .seconds(5))
        let converged = cluster.everyoneSeesEveryoneAlive()
        #expect(converged)
        #expect(cluster.instance(restarted).localMember.incarnation == fresh.localMember.incarnation, "no refutation was needed")
        #expect(cluster.instance(TestCluster.name(2)).member(named: restarted)?.incarnation == fresh.localMember.incarnation)
    }

    @Test("a member that comes back at a new address with a higher incarnation is probed at the new address")
    func addressChange() {
        var cluster = TestCluster.joined(4)
        let mover = TestCluster.name(4)
        let newAddress = TestCluster.address(14)
        cluster.kill(mover)
        cluster.run(for: .seconds(2))
        cluster.add(mover, at: newAddress, joining: [TestCluster.address(1)])
        cluster.run(for: .seconds(10))
        for index in 1...3 {
            let seen = cluster.instance(TestCluster.name(index)).member(named: mover)
            #expect(seen?.address == newAddress)
            #expect(seen?.status == .alive)
        }
        let laterPings = cluster.sent.suffix(from: cluster.sent.count / 2).filter {
            if case .ping(let ping) = $0.message { ping.target == mover } else { false }
        }
        #expect(!laterPings.isEmpty)
        #expect(laterPings.allSatisfy { $0.to == newAddress })
        #expect(cluster.changes.contains { $0.change.member.name == mover && $0.change.member.address == newAddress })
    }

    @Test("changed labels reach every member at a higher incarnation")
    func labelsSpread() throws {
        var cluster = TestCluster.joined(4)
        let node = TestCluster.name(2)
        let before = cluster.instance(node).localMember.incarnation
        cluster.perform(node) { instance, now, random in
            try! instance.updateLabels(["zone": "b", "tier": "web"], now: now, random: &random)
        }
        cluster.run(for: .seconds(5))
        for index in 1...4 {
            let seen = cluster.instance(TestCluster.name(index)).member(named: node)
            #expect(seen?.labels == ["zone": "b", "tier": "web"])
            #expect(seen?.incarnation == before + 1)
        }
    }

    @Test("labels too large for one datagram are refused with the sizes in the message")
    func oversizedLabels() throws {
        var random = SeededGenerator(seed: 2)
        var node = try SWIM.Instance(name: TestCluster.name(1), address: TestCluster.address(1), encodedSize: .wire, now: TestCluster.start)
        let huge = ["note": String(repeating: "x", count: 2_000)]
        #expect(throws: SWIM.InstanceError.self) { try node.updateLabels(huge, now: TestCluster.start, random: &random) }
        #expect(node.localMember.labels.isEmpty)
    }

    @Test("failed and left members are forgotten after the reap time, and the rest stay reachable")
    func reaping() {
        var node = SoloNode()
        node.learn(members: 30)
        node.hear(.left(name: TestCluster.name(3), incarnation: 10))
        node.hear(.failed(name: TestCluster.name(17), incarnation: 10, reporter: TestCluster.name(2)))
        node.now = node.now + .seconds(23 * 3600)
        node.fire(.reconnectTick)
        #expect(node.status(of: 3) == .left)
        node.now = node.now + .seconds(3600)
        node.fire(.reconnectTick)
        #expect(node.directives.contains(.memberForgotten(TestCluster.name(3))))
        #expect(node.directives.contains(.memberForgotten(TestCluster.name(17))))
        #expect(node.status(of: 3) == nil)
        #expect(node.status(of: 17) == nil)
        #expect(node.instance.members.count == 28)
        #expect((2...30).filter { $0 != 3 && $0 != 17 }.allSatisfy { node.status(of: $0) == .alive })
    }

    @Test("a member record stays within 56 bytes, so 10,000 nodes can each know 10,000 members")
    func compactRecords() {
        #expect(MemoryLayout<SWIM.Member>.stride <= 56)
    }
}
