import ClusterModel
import Election
import Testing

@Suite struct LeaderClaimTests {
    @Test func theLaterTermWinsAndOneTermHasASingleWinner() throws {
        let early = Timestamp(millisecondsSinceEpoch: 1_000)
        let late = Timestamp(millisecondsSinceEpoch: 9_000)
        let a1 = LeaderClaim(term: 1, leader: try NodeName("a"), since: late)
        let b1 = LeaderClaim(term: 1, leader: try NodeName("b"), since: early)
        let a2 = LeaderClaim(term: 2, leader: try NodeName("a"), since: early)
        #expect(a1 < b1)
        #expect(b1 < a2)
        #expect([a2, a1, b1].max() == a2)
    }
}
