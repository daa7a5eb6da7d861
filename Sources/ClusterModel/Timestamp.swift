/// A point in wall-clock time, in nanoseconds since the Unix epoch.
///
/// Cores never read the clock: the shell (or the simulator's virtual clock) hands them a
/// `Timestamp` with every input. Wall time rather than a monotonic clock, because the one
/// place two hosts compare times — the freshness of a sealed datagram — needs a common
/// reference; durations between two readings on one host use the same type.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: UInt64

    public init(nanosecondsSinceEpoch: UInt64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    public init(millisecondsSinceEpoch: UInt64) {
        self.nanosecondsSinceEpoch = millisecondsSinceEpoch &* 1_000_000
    }

    public static let epoch = Timestamp(nanosecondsSinceEpoch: 0)

    public var millisecondsSinceEpoch: UInt64 { nanosecondsSinceEpoch / 1_000_000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// Saturates at the ends of the range instead of trapping: a timestamp read off the
    /// wire may be anything.
    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        let delta = rhs.nanoseconds
        if delta >= 0 {
            let (sum, overflow) = lhs.nanosecondsSinceEpoch.addingReportingOverflow(UInt64(delta))
            return Timestamp(nanosecondsSinceEpoch: overflow ? .max : sum)
        }
        let magnitude = delta.magnitude
        return Timestamp(
            nanosecondsSinceEpoch: lhs.nanosecondsSinceEpoch > magnitude
                ? lhs.nanosecondsSinceEpoch - magnitude : 0)
    }

    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        lhs + (.zero - rhs)
    }

    /// The signed distance from `rhs` to `lhs`.
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        if lhs >= rhs {
            return .nanoseconds(clampedToInt64(lhs.nanosecondsSinceEpoch - rhs.nanosecondsSinceEpoch))
        }
        return .zero - .nanoseconds(clampedToInt64(rhs.nanosecondsSinceEpoch - lhs.nanosecondsSinceEpoch))
    }

    public var description: String {
        let seconds = nanosecondsSinceEpoch / 1_000_000_000
        let millis = (nanosecondsSinceEpoch / 1_000_000) % 1000
        return "\(seconds).\(String(millis).leftPadded(to: 3, with: "0"))s"
    }
}

extension Duration {
    /// The whole duration in nanoseconds, clamped to the range of `Int64`.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// The duration in seconds as a floating-point number, for reports and metrics.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

private func clampedToInt64(_ value: UInt64) -> Int64 {
    value > UInt64(Int64.max) ? .max : Int64(value)
}

extension String {
    /// Pads on the left to `width` characters, for fixed-width numbers in names and logs.
    public func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
