/// A hybrid logical clock timestamp (Kulkarni, Demirbas et al., "Logical Physical Clocks",
/// 2014): the largest wall-clock time in milliseconds this node has seen, its own or a
/// peer's, and a counter that orders events within that millisecond. It stays close to the
/// wall clock, yet every event after another one it has heard of gets a larger timestamp,
/// whatever the hosts' clocks say. The catalog versions each write with one, plus the writer's
/// name to break ties, so last-writer-wins picks the same winner on every node.
public struct HybridTimestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch: the `l` of the paper.
    public var wallMilliseconds: UInt64
    /// Events within the same `wallMilliseconds`: the `c` of the paper.
    public var counter: UInt32

    public init(wallMilliseconds: UInt64, counter: UInt32) {
        self.wallMilliseconds = wallMilliseconds
        self.counter = counter
    }

    public static let zero = HybridTimestamp(wallMilliseconds: 0, counter: 0)

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool {
        (lhs.wallMilliseconds, lhs.counter) < (rhs.wallMilliseconds, rhs.counter)
    }

    public var description: String { "\(wallMilliseconds).\(counter)" }
}

/// Why a remote timestamp was not taken in.
public struct ClockDriftError: Error, Equatable, Sendable, CustomStringConvertible {
    public let remote: HybridTimestamp
    public let local: Timestamp
    public let maximumDrift: Duration

    public var description: String {
        "a peer's clock reads \(remote.wallMilliseconds) ms, more than \(maximumDrift) ahead of this host's \(local.millisecondsSinceEpoch) ms; check the hosts' time synchronisation (chrony, systemd-timesyncd)"
    }
}

/// One node's hybrid logical clock. A value: the caller passes the physical time in, as
/// every core here does, so tests and the simulator control it.
public struct HybridLogicalClock: Sendable, Hashable {
    public private(set) var last: HybridTimestamp
    /// A remote timestamp further ahead of the local wall clock than this is refused:
    /// one host with a clock set to next year must not drag every version after it.
    public let maximumDrift: Duration

    public init(last: HybridTimestamp = .zero, maximumDrift: Duration = .seconds(60)) {
        self.last = last
        self.maximumDrift = maximumDrift
    }

    /// The timestamp of a local event (a write applied here): larger than every timestamp
    /// this clock has issued or observed.
    public mutating func tick(now: Timestamp) -> HybridTimestamp {
        let physical = now.millisecondsSinceEpoch
        if physical > last.wallMilliseconds {
            last = HybridTimestamp(wallMilliseconds: physical, counter: 0)
        } else {
            last = Self.successor(of: last)
        }
        return last
    }

    /// Takes in a timestamp heard from a peer, so that this node's next events order after
    /// it. Refuses one more than `maximumDrift` ahead of `now`, changing nothing.
    @discardableResult
    public mutating func observe(_ remote: HybridTimestamp, now: Timestamp) throws(ClockDriftError) -> HybridTimestamp {
        let physical = now.millisecondsSinceEpoch
        let drift = UInt64(max(0, maximumDrift.nanoseconds / 1_000_000))
        guard remote.wallMilliseconds <= physical &+ drift || physical &+ drift < physical else {
            throw ClockDriftError(remote: remote, local: now, maximumDrift: maximumDrift)
        }
        let wall = max(last.wallMilliseconds, remote.wallMilliseconds, physical)
        switch (wall == last.wallMilliseconds, wall == remote.wallMilliseconds) {
        case (true, true):
            last = Self.successor(of: HybridTimestamp(wallMilliseconds: wall, counter: max(last.counter, remote.counter)))
        case (true, false):
            last = Self.successor(of: last)
        case (false, true):
            last = Self.successor(of: remote)
        case (false, false):
            last = HybridTimestamp(wallMilliseconds: wall, counter: 0)
        }
        return last
    }

    /// The next timestamp; a counter that would overflow moves to the next millisecond
    /// instead, which keeps the order (only 4 billion events in one millisecond do that).
    private static func successor(of timestamp: HybridTimestamp) -> HybridTimestamp {
        if timestamp.counter == .max {
            return HybridTimestamp(wallMilliseconds: timestamp.wallMilliseconds + 1, counter: 0)
        }
        return HybridTimestamp(wallMilliseconds: timestamp.wallMilliseconds, counter: timestamp.counter + 1)
    }
}
