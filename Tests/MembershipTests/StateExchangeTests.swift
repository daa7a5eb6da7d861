import ClusterModel
import Membership
import Testing
import Wire

@Suite("State exchanges: revival and catch-up")
struct StateExchangeTests {
    static func record(_ index: Int, incarnation: UInt64 = 10, status: SWIM.Status = .alive) -> SWIM.Member {
        SWIM.Member(name: TestCluster.name(index), address: TestCluster.address(index), incarnation: incarnation, status: status)
    }

    /// A node that knows n2…n5 alive, then hears that n3 failed.
    static func nodeHoldingN3Failed() -> SoloNode {
        var node = SoloNode()
        node.learn(members: 5)
        node.hear(.failed(name: TestCluster.name(3), incarnation: 10, reporter: TestCluster.name(4)), from: 4)
        return node
    }

    @Test("a state exchange from a member held failed revives it at once, at the same incarnation")
    func revivalByItsOwnState() {
        var node = Self.nodeHoldingN3Failed()
        #expect(node.status(of: 3) == .failed)
        node.hear(.state(SWIM.StateChunk(exchange: 77, isRequest: true, index: 0, members: [Self.record(3)])), from: 3)
        #expect(node.status(of: 3) == .alive)
        #expect(node.changes.last?.change.previousStatus == .failed)
        // It answers with its own table, as to any state request.
        #expect(node.sent.contains { $0.to == TestCluster.address(3) && { if case .state(let c) = $0.message { !c.isRequest } else { false } }($0) })
    }

    @Test("a member's alive record relayed by someone else does not revive it at the same incarnation")
    func noRevivalBySecondHand() {
        var node = Self.nodeHoldingN3Failed()
        node.hear(.state(SWIM.StateChunk(exchange: 78, isRequest: true, index: 0, members: [Self.record(2), Self.record(3)])), from: 2)
        #expect(node.status(of: 3) == .failed)
    }

    @Test("an exchange that taught something is followed by a catch-up push-pull to the same partner")
    func catchUpAfterTeachingExchange() {
        var node = Self.nodeHoldingN3Failed()
        node.sent.removeAll()
        node.hear(.state(SWIM.StateChunk(exchange: 79, isRequest: false, index: 0, members: [Self.record(3), Self.record(9)])), from: 3)
        #expect(node.status(of: 9) == .alive)
        #expect(node.timers.contains { $0.timer == .catchUpTick })
        node.advance(by: .seconds(2)) { $0 == .catchUpTick }
        let requests = node.sent.filter { if case .state(let chunk) = $0.message { chunk.isRequest } else { false } }
        #expect(requests.first?.to == TestCluster.address(3))
    }

    @Test("an exchange that teaches nothing starts no catch-up")
    func noCatchUpWhenSettled() {
        var node = SoloNode()
        node.learn(members: 5)
        node.hear(.state(SWIM.StateChunk(exchange: 80, isRequest: false, index: 0, members: (2...5).map { Self.record($0) })), from: 2)
        #expect(!node.timers.contains { $0.timer == .catchUpTick })
    }
}
