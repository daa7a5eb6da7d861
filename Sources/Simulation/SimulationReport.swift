/// What `agent simulate` reports: the figures an operator weighs before choosing settings.
/// Times are in seconds of simulated time.
public struct SimulationReport: Sendable, Codable, Equatable {
    public struct Distribution: Sendable, Codable, Equatable {
        public var p50: Double?
        public var p99: Double?
        public var max: Double?
        /// How many of the measured events completed within the run.
        public var completed: Int
        public var expected: Int

        init(_ samples: [Double], expected: Int) {
            let sorted = samples.sorted()
            p50 = Self.percentile(0.50, of: sorted)
            p99 = Self.percentile(0.99, of: sorted)
            max = sorted.last
            completed = sorted.count
            self.expected = expected
        }

        /// Nearest-rank percentile.
        static func percentile(_ fraction: Double, of sorted: [Double]) -> Double? {
            guard !sorted.isEmpty else { return nil }
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return sorted[Swift.max(0, Swift.min(sorted.count, rank) - 1)]
        }
    }

    public var nodes: Int
    public var loss: Double
    public var failed: Int
    public var seed: UInt64
    public var durationSeconds: Double

    /// From a new node's `join` until it sees every member alive and every member sees it.
    public var joinConvergenceSeconds: Double?
    /// From a node's update (a label change) until 99.99% / 100% of the other live nodes have it.
    public var disseminationSeconds99_99: Double?
    public var disseminationSeconds100: Double?
    /// From each kill until the first live node declares the node failed.
    public var firstDetectionSeconds: Distribution
    /// From each kill until every live node has declared the node failed.
    public var fullDetectionSeconds: Distribution
    /// `failed` verdicts about nodes that were never stopped.
    public var falseFailureDeclarations: Int
    /// Sent by each node, averaged over nodes and over the measured span (after set-up).
    public var messagesPerNodePerSecond: Double
    public var bytesPerNodePerSecond: Double
    /// Wall-clock time the simulation took on this machine.
    public var wallSeconds: Double
}
