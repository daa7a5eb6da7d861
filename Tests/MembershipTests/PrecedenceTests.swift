import ClusterModel
import Membership
import Testing
import Wire

@Suite("Precedence and dissemination")
struct PrecedenceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var known: SWIM.Status
        var news: SWIM.Status
        var incarnation: UInt64
        var expected: SWIM.Status
        var expectedIncarnation: UInt64
        var testDescription: String { "\(known)#10 hearing \(news)#\(incarnation) becomes \(expected)#\(expectedIncarnation)" }
    }

    static let cases: [Case] = [
        Case(known: .alive, news: .alive, incarnation: 11, expected: .alive, expectedIncarnation: 11),
        Case(known: .alive, news: .alive, incarnation: 9, expected: .alive, expectedIncarnation: 10),
        Case(known: .alive, news: .suspect, incarnation: 10, expected: .suspect, expectedIncarnation: 10),
        Case(known: .alive, news: .suspect, incarnation: 9, expected: .alive, expectedIncarnation: 10),
        Case(known: .alive, news: .failed, incarnation: 10, expected: .failed, expectedIncarnation: 10),
        Case(known: .alive, news: .left, incarnation: 9, expected: .alive, expectedIncarnation: 10),
        Case(known: .suspect, news: .alive, incarnation: 10, expected: .suspect, expectedIncarnation: 10),
        Case(known: .suspect, news: .alive, incarnation: 11, expected: .alive, expectedIncarnation: 11),
        Case(known: .suspect, news: .failed, incarnation: 10, expected: .failed, expectedIncarnation: 10),
        Case(known: .failed, news: .alive, incarnation: 10, expected: .failed, expectedIncarnation: 10),
        Case(known: .failed, news: .alive, incarnation: 11, expected: .alive, expectedIncarnation: 11),
        Case(known: .failed, news: .suspect, incarnation: 11, expected: .failed, expectedIncarnation: 10),
        Case(known: .failed, news: .left, incarnation: 10, expected: .left, expectedIncarnation: 10),
        Case(known: .left, news: .failed, incarnation: 11, expected: .left, expectedIncarnation: 10),
        Case(known: .left, news: .alive, incarnation: 10, expected: .left, expectedIncarnation: 10),
        Case(known: .left, news: .alive, incarnation: 11, expected: .alive, expectedIncarnation: 11),
    ]

    static func update(_ status: SWIM.Status, incarnation: UInt64) -> SWIM.Update {
        let name = TestCluster.name(3)
        return switch status {
        case .alive: .alive(name: name, incarnation: incarnation, address: TestCluster.address(3), labels: [:])
        case .suspect: .suspect(name: name, incarnation: incarnation, reporter: TestCluster.name(2))
        case .failed: .failed(name: name, incarnation: incarnation, reporter: TestCluster.name(2))
        case .left: .left(name: name, incarnation: incarnation)
        }
    }

    @Test("news about a member applies by incarnation, then suspect over alive, failed over both, left over failed", arguments: cases)
    func precedence(_ example: Case) {
        var node = SoloNode()
        node.learn(members: 3)
        if example.known != .alive { node.hear(Self.update(example.known, incarnation: 10)) }
        #expect(node.status(of: 3) == example.known)
        node.hear(Self.update(example.news, incarnation: example.incarnation))
        let seen = node.instance.member(named: TestCluster.name(3))
        #expect(seen?.status == example.expected)
        #expect(seen?.incarnation == example.expectedIncarnation)
    }

    @Test("an alive at the same incarnation cannot move a member to another address")
    func sameIncarnationKeepsAddress() {
        var node = SoloNode()
        node.learn(members: 3)
        node.hear(.alive(name: TestCluster.name(3), incarnation: 10, address: TestCluster.address(33), labels: [:]))
        #expect(node.instance.member(named: TestCluster.name(3))?.address == TestCluster.address(3))
        node.hear(.alive(name: TestCluster.name(3), incarnation: 11, address: TestCluster.address(33), labels: [:]))
        #expect(node.instance.member(named: TestCluster.name(3))?.address == TestCluster.address(33))
    }

    @Test("a node that hears itself declared failed announces itself alive at a higher incarnation")
    func refuteFailure() {
        var node = SoloNode()
        node.learn(members: 3)
        let incarnation = node.instance.localMember.incarnation
        node.hear(.failed(name: SoloNode.me, incarnation: incarnation + 5, reporter: TestCluster.name(2)))
        #expect(node.instance.localMember.status == .alive)
        #expect(node.instance.localMember.incarnation == incarnation + 6)
        node.fire(.gossipTick)
        let announced = node.sent.contains {
            if case .gossip(let gossip) = $0.message { return gossip.updates.contains { $0.name == SoloNode.me && $0.status == .alive && $0.incarnation == incarnation + 6 } }
            return false
        }
        #expect(announced)
    }

    /// How many times the news that n250 appeared is gossiped by a node knowing `members`.
    private func transmissions(members: Int) -> (sent: Int, limit: Int) {
        var node = SoloNode()
        node.learn(members: members - 1)
        // Spend the queue of what `learn` taught, so only the news below remains.
        for _ in 0..<200 { node.fire(.gossipTick) }
        node.sent.removeAll()
        let newcomer = TestCluster.name(250)
        node.hear(.alive(name: newcomer, incarnation: 10, address: TestCluster.address(250), labels: [:]))
        for _ in 0..<200 { node.fire(.gossipTick) }
        let sent = node.sent.reduce(0) { count, sent in
            guard case .gossip(let gossip) = sent.message else { return count }
            return count + gossip.updates.filter { $0.name == newcomer }.count
        }
        return (sent, node.instance.retransmitLimit)
    }

    @Test("each update is gossiped retransmitMultiplier * ceil(log10(N + 1)) times, more in larger clusters")
    func retransmitLimitGrowsWithLogN() {
        let small = transmissions(members: 5)
        let medium = transmissions(members: 50)
        let large = transmissions(members: 200)
        #expect(small == (4, 4))
        #expect(medium == (8, 8))
        #expect(large == (12, 12))
    }

    @Test("newer news about a member replaces older news still waiting to be gossiped")
    func newerNewsInvalidatesOlder() {
        var node = SoloNode()
        node.learn(members: 3)
        for _ in 0..<50 { node.fire(.gossipTick) }
        node.sent.removeAll()
        node.hear(.suspect(name: TestCluster.name(3), incarnation: 10, reporter: TestCluster.name(2)))
        node.hear(.alive(name: TestCluster.name(3), incarnation: 11, address: TestCluster.address(3), labels: [:]))
        for _ in 0..<50 { node.fire(.gossipTick) }
        let aboutN3 = node.sent.flatMap { sent -> [SWIM.Update] in
            if case .gossip(let gossip) = sent.message { return gossip.updates.filter { $0.name == TestCluster.name(3) } }
            return []
        }
        #expect(!aboutN3.isEmpty)
        #expect(aboutN3.allSatisfy { $0.status == .alive && $0.incarnation == 11 })
    }

    @Test("piggybacked gossip stays within its byte budget")
    func piggybackBudget() {
        var settings = SWIM.Settings()
        settings.gossip.piggybackBudget = 200
        var node = SoloNode(settings: settings)
        node.learn(members: 60)
        node.fire(.gossipTick)
        let gossips = node.sent.compactMap { if case .gossip(let gossip) = $0.message { gossip } else { nil } }
        #expect(!gossips.isEmpty)
        for gossip in gossips {
            #expect(gossip.updates.map(MembershipCodec.size(of:)).reduce(0, +) <= 200)
            #expect(!gossip.updates.isEmpty)
        }
    }

    @Test("a state exchange is split into datagrams within the chunk budget")
    func stateChunks() {
        var settings = SWIM.Settings()
        settings.sync.chunkBudget = 300
        var node = SoloNode(settings: settings)
        node.learn(members: 40)
        node.hear(.state(SWIM.StateChunk(exchange: 77, isRequest: true, index: 0, members: [])), from: 2)
        let chunks = node.sent.compactMap { if case .state(let chunk) = $0.message { chunk } else { nil } }
        #expect(chunks.count > 1)
        #expect(chunks.allSatisfy { $0.exchange == 77 && !$0.isRequest })
        #expect(chunks.map(\.index) == (0..<UInt16(chunks.count)).map { $0 })
        #expect(chunks.allSatisfy { $0.members.map(MembershipCodec.size(of:)).reduce(0, +) <= 300 })
        #expect(Set(chunks.flatMap(\.members).map(\.name)).count == 40)
        #expect(node.sent.allSatisfy { $0.to == TestCluster.address(2) })
    }
}
