import ClusterModel

/// What election cores send each other.
public enum ElectionMessage: Sendable, Hashable {
    /// "I endorse you", sent to the endorsed member every `endorseInterval`, with the
    /// newest claim the sender knows.
    case endorse(known: LeaderClaim?)
    /// The endorsed member's answer: the newest claim it knows (its own while it leads),
    /// and whether it leads now.
    case announce(known: LeaderClaim?, leading: Bool)
}
