import ClusterModel

/// What election cores send each other.
public enum ElectionMessage: Sendable, Hashable {
    /// "I endorse you", sent to the endorsed member every `endorseInterval`, with the
    /// newest claim the sender knows and how many members (not left) it knows of.
    case endorse(known: LeaderClaim?, knownCount: Int)
    /// The endorsed member's answer: the newest claim it knows (its own while it leads),
    /// and whether it leads now.
    case announce(known: LeaderClaim?, leading: Bool)
}
