extension SWIM {
    /// Lifeguard IV.A, the local health multiplier ("awareness" in memberlist): a node that
    /// misses acks it should have seen suspects itself first. Its score rises when its
    /// probes fail without the nacks that would show its own network works, and when it has
    /// to refute a suspicion; it falls with every probe answered. Probe interval and timeout
    /// are stretched by (score + 1), so a slow or overloaded node probes less eagerly and
    /// stops accusing healthy members.
    public struct LocalHealth: Hashable, Sendable {
        /// From 0 (healthy) to `maximum - 1`.
        public private(set) var score = 0
        public let maximum: Int

        public init(maximumMultiplier: Int) {
            self.maximum = max(1, maximumMultiplier)
        }

        public mutating func apply(_ delta: Int) {
            score = min(max(score + delta, 0), maximum - 1)
        }

        public func scale(_ duration: Duration) -> Duration {
            duration * (score + 1)
        }
    }
}
