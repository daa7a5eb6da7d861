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
