import ClusterModel

/// How the simulated network treats datagrams. Every choice is drawn from the simulator's
/// seeded generator.
public struct NetworkConditions: Sendable, Hashable, Codable {
    /// Probability that a datagram is lost.
    public var loss: Double = 0
    /// One-way delay, drawn uniformly from this range for each datagram; datagrams between
    /// the same pair overtake each other whenever the draws say so (reordering).
    public var minimumDelay: Duration = .microseconds(200)
    public var maximumDelay: Duration = .milliseconds(2)
    /// Probability that a datagram is delivered twice (the copy with its own delay).
    public var duplication: Double = 0

    public init(loss: Double = 0, minimumDelay: Duration = .microseconds(200), maximumDelay: Duration = .milliseconds(2), duplication: Double = 0) {
        precondition((0...1).contains(loss), "NetworkConditions.loss is a probability in 0...1, not \(loss)")
        precondition((0...1).contains(duplication), "NetworkConditions.duplication is a probability in 0...1, not \(duplication)")
        precondition(minimumDelay >= .zero && minimumDelay <= maximumDelay, "NetworkConditions needs 0 <= minimumDelay <= maximumDelay")
        self.loss = loss
        self.minimumDelay = minimumDelay
        self.maximumDelay = maximumDelay
        self.duplication = duplication
    }
}

extension NetworkConditions {
    /// Whether the network loses the next datagram. Draws only when loss is possible, so a
    /// lossless network leaves the generator where it was.
    func losesDatagram(using random: inout SeededGenerator) -> Bool {
        loss > 0 && Double.random(in: 0..<1, using: &random) < loss
    }

    /// Whether the network delivers the next datagram twice.
    func duplicatesDatagram(using random: inout SeededGenerator) -> Bool {
        duplication > 0 && Double.random(in: 0..<1, using: &random) < duplication
    }

    /// The one-way delay of the next datagram.
    func delay(using random: inout SeededGenerator) -> Duration {
        let low = minimumDelay.nanoseconds
        let high = maximumDelay.nanoseconds
        return .nanoseconds(low == high ? low : Int64.random(in: low...high, using: &random))
    }
}
