import ClusterModel
import Membership
import Testing
import Wire

@Suite("Adopting a settled cluster's members")
struct AdoptTests {
    static func record(_ index: Int, incarnation: UInt64 = 10, status: SWIM.Status = .alive) -> SWIM.Member {
        SWIM.Member(name: TestCluster.name(index), address: TestCluster.address(index), incarnation: incarnation, status: status)
    }

    @Test("adopted members are known and alive at once, without any change reported or gossiped")
    func adoptsQuietly() {
        var node = SoloNode()
        let records = (1...20).map { Self.record($0, status: $0 == 7 ? .failed : .alive) }
        let out = node.instance.adopt(records, now: node.now, random: &node.random)
        #expect(out.isEmpty)
        #expect(node.instance.count(of: .alive) == 20)
        #expect(node.instance.member(named: TestCluster.name(7))?.status == .alive)
        // Its own record was skipped: it still announces itself as it did.
        #expect(node.instance.localMember.incarnation == TestCluster.start.millisecondsSinceEpoch)
        _ = node.instance.start(now: node.now, random: &node.random)
        for _ in 0..<10 { node.fire(.gossipTick) }
        let gossiped = node.sent.flatMap { sent -> [SWIM.Update] in
            if case .gossip(let gossip) = sent.message { gossip.updates } else { [] }
        }
        #expect(!gossiped.isEmpty)
        #expect(gossiped.allSatisfy { $0.name == SoloNode.me }, "only its own announcement is news")
    }

    @Test("every adopted member is probed within one round")
    func adoptedMembersAreProbed() {
        var node = SoloNode()
        _ = node.instance.adopt((2...30).map { Self.record($0) }, now: node.now, random: &node.random)
        for _ in 0..<29 { node.fire(.probeTick) }
        let probed = node.sent.compactMap { sent -> NodeName? in
            if case .ping(let ping) = sent.message { ping.target } else { nil }
        }
        #expect(Set(probed) == Set((2...30).map { TestCluster.name($0) }))
        #expect(probed.count == 29)
    }

    @Test("a member already known is merged by the usual precedence, and the change reported")
    func knownMembersMerge() {
        var node = SoloNode()
        node.learn(members: 3)
        node.hear(.suspect(name: TestCluster.name(3), incarnation: 10, reporter: TestCluster.name(2)))
        #expect(node.status(of: 3) == .suspect)
        let out = node.instance.adopt(
            [Self.record(2, incarnation: 5), Self.record(3, incarnation: 11), Self.record(4)], now: node.now, random: &node.random)
        #expect(node.instance.member(named: TestCluster.name(2))?.incarnation == 10, "older news changes nothing")
        #expect(node.status(of: 3) == .alive)
        #expect(out.contains { if case .memberChanged(let change) = $0 { change.member.name == TestCluster.name(3) } else { false } })
        #expect(!out.contains { if case .memberChanged(let change) = $0 { change.member.name == TestCluster.name(4) } else { false } })
    }
}
