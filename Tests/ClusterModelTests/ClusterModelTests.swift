import ClusterModel
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test("adding and subtracting durations moves a timestamp by exactly that much")
    func arithmetic() {
        let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        #expect((start + .milliseconds(250)).millisecondsSinceEpoch == 1_700_000_000_250)
        #expect((start - .seconds(1)).millisecondsSinceEpoch == 1_699_999_999_000)
        #expect((start + .seconds(3)) - start == .seconds(3))
        #expect(start - (start + .seconds(3)) == .seconds(-3))
    }

    @Test("arithmetic saturates at the ends instead of trapping on values read off the wire")
    func saturation() {
        let late = Timestamp(nanosecondsSinceEpoch: .max - 5)
        #expect((late + .seconds(1)).nanosecondsSinceEpoch == .max)
        #expect((Timestamp.epoch - .seconds(1)) == .epoch)
        #expect(Timestamp(nanosecondsSinceEpoch: .max) - Timestamp.epoch == .nanoseconds(Int64.max))
    }
}

@Suite("Node names")
struct NodeNameTests {
    @Test("a host name is a valid node name")
    func hostName() throws {
        #expect(try NodeName("web-1.example.internal").description == "web-1.example.internal")
    }

    @Test("empty, over-long, and white-space names are refused with the reason")
    func refused() {
        #expect(throws: NodeNameError.empty) { try NodeName("") }
        #expect(throws: NodeNameError.tooLong(256)) { try NodeName(String(repeating: "a", count: 256)) }
        #expect(throws: NodeNameError.invalidCharacter(" ")) { try NodeName("web 1") }
        #expect(NodeNameError.invalidCharacter("\t").description.contains("U+0009"))
    }
}

@Suite("Seeded randomness")
struct SeededGeneratorTests {
    @Test("the same seed gives the same sequence, another seed another")
    func replay() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        var c = SeededGenerator(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
    }

    @Test("values spread over the whole range")
    func spread() {
        var generator = SeededGenerator(seed: 7)
        var buckets = [Int](repeating: 0, count: 16)
        for _ in 0..<16_000 { buckets[Int.random(in: 0..<16, using: &generator)] += 1 }
        #expect(buckets.allSatisfy { (800...1200).contains($0) }, "buckets: \(buckets)")
    }
}

@Suite("Hybrid logical clock")
struct HybridLogicalClockTests {
    static func at(_ milliseconds: UInt64) -> Timestamp { Timestamp(millisecondsSinceEpoch: milliseconds) }

    @Test("local events follow the wall clock, and within one millisecond the counter orders them")
    func localEvents() {
        var clock = HybridLogicalClock()
        let first = clock.tick(now: Self.at(1_000))
        let second = clock.tick(now: Self.at(1_000))
        let third = clock.tick(now: Self.at(999))  // the wall clock stepped back
        let fourth = clock.tick(now: Self.at(2_000))
        #expect(first == HybridTimestamp(wallMilliseconds: 1_000, counter: 0))
        #expect(second == HybridTimestamp(wallMilliseconds: 1_000, counter: 1))
        #expect(third == HybridTimestamp(wallMilliseconds: 1_000, counter: 2), "a clock stepping back never reorders events")
        #expect(fourth == HybridTimestamp(wallMilliseconds: 2_000, counter: 0))
    }

    @Test("an event after hearing a peer orders after the peer's, even when the peer's clock runs ahead")
    func afterObserving() throws {
        var clock = HybridLogicalClock()
        _ = clock.tick(now: Self.at(1_000))
        let remote = HybridTimestamp(wallMilliseconds: 1_500, counter: 7)
        let observed = try clock.observe(remote, now: Self.at(1_001))
        #expect(observed > remote)
        #expect(clock.tick(now: Self.at(1_002)) > observed)
        #expect(clock.tick(now: Self.at(1_002)).wallMilliseconds == 1_500, "stays at the largest wall time seen, no further")
    }

    @Test("a peer more than the maximum drift ahead is refused, and the clock is unchanged")
    func driftRefused() {
        var clock = HybridLogicalClock(maximumDrift: .seconds(60))
        _ = clock.tick(now: Self.at(1_000_000))
        let before = clock
        #expect(throws: ClockDriftError.self) {
            try clock.observe(HybridTimestamp(wallMilliseconds: 1_000_000 + 61_000, counter: 0), now: Self.at(1_000_000))
        }
        #expect(clock == before)
    }

    @Test("a counter at its maximum moves to the next millisecond instead of wrapping")
    func counterOverflow() {
        var clock = HybridLogicalClock(last: HybridTimestamp(wallMilliseconds: 5, counter: .max))
        #expect(clock.tick(now: Self.at(5)) == HybridTimestamp(wallMilliseconds: 6, counter: 0))
    }
}
