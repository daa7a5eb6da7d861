import ClusterModel
import Testing

@testable import Wire

@Suite("Compound packets")
struct CompoundPacketTests {
    let seven = MessageTag(rawValue: 7)
    let nine = MessageTag(rawValue: 9)

    @Test("frames are laid out as tag, two-byte length, body (golden bytes)")
    func golden() throws {
        var builder = PacketBuilder(budget: 100)
        let fitted = [builder.append(Frame(tag: seven, body: [1, 2, 3])), builder.append(Frame(tag: nine, body: []))]
        #expect(fitted == [true, true])
        #expect(builder.bytes == [7, 0, 3, 1, 2, 3, 9, 0, 0])
        let frames = try CompoundPacket.unpack(builder.bytes[...])
        #expect(frames == [Frame(tag: seven, body: [1, 2, 3]), Frame(tag: nine, body: [])])
    }

    @Test("a frame that does not fit the remaining budget is left out, and a smaller one still fits")
    func budget() {
        var builder = PacketBuilder(budget: 10)
        let first = builder.append(Frame(tag: seven, body: [1, 2, 3, 4]))
        let second = builder.append(Frame(tag: seven, body: [1, 2, 3, 4]))
        #expect(first && !second)
        #expect(builder.remainingBudget == 3)
        let empty = builder.append(Frame(tag: nine, body: []))
        #expect(empty && builder.remainingBudget == 0)
    }

    @Test("packing keeps every frame in order, each payload within the budget")
    func packing() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        let frames = (0..<500).map { index in
            Frame(tag: MessageTag(rawValue: UInt8(1 + index % 200)),
                  body: (0..<Int.random(in: 0...300, using: &random)).map { UInt8(truncatingIfNeeded: $0 &+ index) }[...])
        }
        let budget = 1_400 - 60
        let payloads = try CompoundPacket.pack(frames, budget: budget)
        #expect(payloads.allSatisfy { $0.count <= budget }, "seed \(seed)")
        let unpacked = try payloads.flatMap { try CompoundPacket.unpack($0[...]) }
        #expect(unpacked == frames, "seed \(seed)")
        // Greedy filling leaves no payload that could have taken the next one's first frame.
        for (current, next) in zip(payloads, payloads.dropFirst()) {
            let firstOfNext = try CompoundPacket.unpack(next[...])[0]
            #expect(current.count + firstOfNext.encodedLength > budget, "seed \(seed)")
        }
    }

    @Test("a single frame larger than the budget is refused, never fragmented")
    func tooLarge() {
        let frame = Frame(tag: seven, body: [UInt8](repeating: 0, count: 1_400)[...])
        #expect(throws: FrameTooLarge(tag: seven, length: 1_403, budget: 1_340)) {
            try CompoundPacket.pack([frame], budget: 1_340)
        }
    }

    @Test("every truncation of a valid payload is a decode error, never a trap")
    func truncations() throws {
        var builder = PacketBuilder(budget: 200)
        builder.append(Frame(tag: seven, body: [1, 2, 3]))
        builder.append(Frame(tag: nine, body: [4, 5]))
        let bytes = builder.bytes
        for length in 0..<bytes.count {
            let prefix = bytes[..<length]
            let boundaries = [0, 6]
            if boundaries.contains(length) {
                #expect(throws: Never.self) { try CompoundPacket.unpack(prefix) }
            } else {
                #expect(throws: DecodeError.self, "length \(length)") { try CompoundPacket.unpack(prefix) }
            }
        }
    }

    @Test("a frame with a tag this build does not know is still framed, so the rest can be read")
    func unknownTags() throws {
        let frames = try CompoundPacket.unpack([250, 0, 1, 42, 7, 0, 0][...])
        #expect(frames.map(\.tag.rawValue) == [250, 7])
        #expect(!frames[0].tag.isRegistered)
    }
}

@Suite("The message-tag registry")
struct MessageTagRegistryTests {
    /// The registry as released. A change to any of these lines breaks agents already
    /// deployed: append new tags to the registry and to this list, never edit.
    static let released: [(UInt8, String)] = [
        (1, "swim.ping"), (2, "swim.ping-req"), (3, "swim.ack"), (4, "swim.nack"), (5, "swim.gossip"), (6, "swim.state"),
        (7, "keyring.request"), (8, "keyring.response"),
        (9, "catalog.push"), (10, "catalog.digest"), (11, "catalog.rumor"),
        (12, "election.endorse"), (13, "election.announce"),
    ]

    @Test("released tags keep their numbers and names: the registry only grows")
    func appendOnly() {
        let current = MessageTag.registry.map { ($0.tag.rawValue, $0.name) }
        #expect(current.count >= Self.released.count)
        for (index, entry) in Self.released.enumerated() {
            #expect(current[index] == entry, "registry entry \(index) changed")
        }
    }

    @Test("tags are unique, never 0 or 255, and named uniquely")
    func uniqueness() {
        let numbers = MessageTag.registry.map(\.tag.rawValue)
        #expect(Set(numbers).count == numbers.count)
        #expect(!numbers.contains(0) && !numbers.contains(255))
        let names = MessageTag.registry.map(\.name)
        #expect(Set(names).count == names.count)
    }
}
