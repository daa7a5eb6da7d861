import ClusterModel

/// A leader's claim to a term: gossiped with every endorsement and every answer to one, so
/// every node learns who leads and which term is the newest.
///
/// Claims are ordered by term, then leader name: of two claims the later term wins, and two
/// claims of one term (made on the two sides of a partition, one after the other) still
/// have a single winner everywhere.
public struct LeaderClaim: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var term: UInt64
    public var leader: NodeName
    /// When the leader began to act, on its wall clock: `agent leader`'s SINCE.
    public var since: Timestamp

    public init(term: UInt64, leader: NodeName, since: Timestamp) {
        self.term = term
        self.leader = leader
        self.since = since
    }

    public static func < (lhs: LeaderClaim, rhs: LeaderClaim) -> Bool {
        (lhs.term, lhs.leader) < (rhs.term, rhs.leader)
    }

    public var description: String { "term \(term) \(leader)" }
}
