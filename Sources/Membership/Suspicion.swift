import ClusterModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension SWIM {
    /// One member under suspicion, with Lifeguard IV.B's dynamic timeout: it starts at the
    /// maximum and shrinks towards the minimum as independent members confirm it,
    ///
    ///     timeout = max - (max - min) * log(C + 1) / log(K + 1)
    ///
    /// for C confirmations out of K expected (memberlist's `remainingSuspicionTime`). A
    /// suspicion nobody else shares lasts long, giving a slow or partly cut-off member time
    /// to refute; one that many members reach independently ends quickly.
    struct Suspicion: Sendable {
        var incarnation: UInt64
        var start: Timestamp
        var minimum: Duration
        var maximum: Duration
        /// Confirmations needed to reach the minimum; 0 means start at the minimum.
        var expected: Int
        /// Who already counted: the first accuser, then each confirmer. At most `expected + 1`.
        var reporters: [NodeName]
        var deadline: Timestamp

        init(incarnation: UInt64, reporter: NodeName, start: Timestamp, minimum: Duration, maximum: Duration, expected: Int) {
            self.incarnation = incarnation
            self.start = start
            self.minimum = minimum
            self.maximum = maximum
            self.expected = expected
            self.reporters = [reporter]
            self.deadline = start + (expected < 1 ? minimum : maximum)
        }

        var confirmations: Int { reporters.count - 1 }

        /// Counts `reporter` if it is new and more confirmations still matter; says whether
        /// it did, which is also whether the confirmation is worth gossiping on.
        mutating func confirm(by reporter: NodeName) -> Bool {
            guard confirmations < expected, !reporters.contains(reporter) else { return false }
            reporters.append(reporter)
            deadline = start + Self.timeout(confirmations: confirmations, expected: expected, minimum: minimum, maximum: maximum)
            return true
        }

        static func timeout(confirmations: Int, expected: Int, minimum: Duration, maximum: Duration) -> Duration {
            guard expected > 0 else { return minimum }
            let fraction = log(Double(confirmations) + 1) / log(Double(expected) + 1)
            let raw = maximum.seconds - fraction * (maximum.seconds - minimum.seconds)
            let timeout = Duration.milliseconds(Int64((raw * 1000).rounded(.down)))
            return max(timeout, minimum)
        }

        /// The shortest suspicion in a cluster of `members` (memberlist's `suspicionTimeout`):
        /// it grows with log10 of the cluster size because news takes longer to spread.
        static func minimumTimeout(multiplier: Int, members: Int, probeInterval: Duration) -> Duration {
            let scale = max(1.0, log10(Double(max(1, members))))
            return .milliseconds(Int64((Double(multiplier) * scale * probeInterval.seconds * 1000).rounded(.down)))
        }
    }
}
