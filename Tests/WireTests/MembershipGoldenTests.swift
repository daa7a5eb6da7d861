import ClusterModel
import Membership
import Testing
import Wire

@Suite("Membership messages on the wire")
struct MembershipGoldenTests {
    struct Fixture: CustomTestStringConvertible, Sendable {
        var name: String
        var message: SWIM.Message
        var tag: UInt8
        var hex: String
        var testDescription: String { name }
    }

    static func name(_ text: String) -> NodeName { try! NodeName(text) }

    static let fixtures: [Fixture] = [
        Fixture(
            name: "ping",
            message: .ping(SWIM.Ping(sequence: 0x0102_0304, target: name("n2"), gossip: [.left(name: name("n3"), incarnation: 5)])),
            tag: 1,
            hex: """
                01020304 02 6e32 0001
                  04 02 6e33 0000000000000005
                """),
        Fixture(
            name: "ping-req",
            message: .pingRequest(
                SWIM.PingRequest(sequence: 7, target: name("n2"), targetAddress: PeerAddress("10.0.0.2:7950")!, wantsNack: true)),
            tag: 2,
            hex: "00000007 02 6e32 04 0a000002 1f0e 01 0000"),
        Fixture(
            name: "ack",
            message: .ack(
                SWIM.Ack(
                    sequence: 7,
                    gossip: [
                        .alive(
                            name: name("n1"), incarnation: 1_700_000_000_000, address: PeerAddress("[2001:db8::1]:7950")!,
                            labels: ["zone": "a"])
                    ])),
            tag: 3,
            hex: """
                00000007 0001
                  01 02 6e31 0000018bcfe56800
                  06 20010db8000000000000000000000001 1f0e
                  0001 0004 7a6f6e65 0001 61
                """),
        Fixture(name: "nack", message: .nack(SWIM.Nack(sequence: 0xFFFF_FFFF)), tag: 4, hex: "ffffffff"),
        Fixture(
            name: "gossip",
            message: .gossip(
                SWIM.Gossip(updates: [
                    .suspect(name: name("n2"), incarnation: 9, reporter: name("n1")),
                    .failed(name: name("n3"), incarnation: 10, reporter: name("n1")),
                ])),
            tag: 5,
            hex: """
                0002
                  02 02 6e32 0000000000000009 02 6e31
                  03 02 6e33 000000000000000a 02 6e31
                """),
        Fixture(
            name: "state",
            message: .state(
                SWIM.StateChunk(
                    exchange: 42, isRequest: true, index: 1,
                    members: [
                        SWIM.Member(
                            name: name("n1"), address: PeerAddress("10.0.0.1:7950")!, incarnation: 3, status: .suspect,
                            labels: ["b": "2", "a": "1"])
                    ])),
            tag: 6,
            hex: """
                0000002a 01 0001 0001
                  02 6e31 04 0a000001 1f0e 0000000000000003 02
                  0002 0001 61 0001 31 0001 62 0001 32
                """),
    ]

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter(\.isHexDigit))
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    @Test("every membership message encodes to its golden bytes", arguments: fixtures)
    func golden(_ fixture: Fixture) {
        let frame = fixture.message.frame
        #expect(frame.tag.rawValue == fixture.tag)
        #expect(Array(frame.body) == Self.bytes(fixture.hex))
    }

    @Test("every golden fixture decodes back to the message it came from", arguments: fixtures)
    func roundTrip(_ fixture: Fixture) throws {
        let frame = Frame(tag: MessageTag(rawValue: fixture.tag), body: Self.bytes(fixture.hex)[...])
        #expect(try SWIM.Message(frame: frame) == fixture.message)
        let frames = try CompoundPacket.unpack(fixture.message.payload[...])
        #expect(frames.count == 1)
        #expect(try SWIM.Message(frame: frames[0]) == fixture.message)
    }

    @Test("every truncation of a golden fixture is refused with an error", arguments: fixtures)
    func truncations(_ fixture: Fixture) {
        let body = Self.bytes(fixture.hex)
        for length in 0..<body.count {
            let frame = Frame(tag: MessageTag(rawValue: fixture.tag), body: body[..<length])
            #expect(throws: DecodeError.self, "the first \(length) of \(body.count) bytes") { try SWIM.Message(frame: frame) }
        }
    }

    @Test("membership tags are registered under their names, never 0 or 255")
    func registry() {
        let expected: [(MessageTag, String)] = [
            (.swimPing, "swim.ping"), (.swimPingRequest, "swim.ping-req"), (.swimAck, "swim.ack"), (.swimNack, "swim.nack"),
            (.swimGossip, "swim.gossip"), (.swimState, "swim.state"),
        ]
        for (tag, name) in expected {
            #expect(tag.name == name)
            #expect(tag.rawValue != 0 && tag.rawValue != 255)
        }
        #expect(Set(MessageTag.registry.map(\.tag)).count == MessageTag.registry.count, "no number is used twice")
    }

    @Test("a frame of another protocol is not mistaken for a membership message")
    func otherTags() throws {
        #expect(try SWIM.Message(frame: Frame(tag: MessageTag(rawValue: 200), body: [][...])) == nil)
    }

    @Test("malformed fields are refused with the field named", arguments: [
        ("update status", "0001 07 02 6e32 0000000000000009 02 6e31"),
        ("update address", "0001 01 02 6e32 0000000000000009 05 0a000001 1f0e 0000"),
        ("labels", "0001 01 02 6e32 0000000000000009 04 0a000001 1f0e 0002 0001 61 0001 31 0001 61 0001 32"),
        ("updates", "ffff 01 02 6e32 0000000000000009"),
        ("update name", "0001 04 02 6e20 0000000000000009"),
    ])
    func malformed(_ field: String, _ hex: String) {
        let frame = Frame(tag: .swimGossip, body: Self.bytes(hex)[...])
        do {
            _ = try SWIM.Message(frame: frame)
            Issue.record("decoded although \(field) is malformed")
        } catch {
            guard case .invalid(let named, _, _) = error else {
                Issue.record("expected an invalid \(field), got \(error)")
                return
            }
            #expect(named == field)
        }
    }

    @Test("the size function the core budgets with is exactly the encoded size")
    func exactSizes() throws {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<200 {
            let name = Self.name("node-" + String(random.next() % 100_000))
            let reporter = Self.name(String(repeating: "r", count: Int(random.next() % 60) + 1))
            let address =
                random.next() % 2 == 0
                ? PeerAddress(ipv4: UInt32(truncatingIfNeeded: random.next()), port: 7950)
                : PeerAddress(high: random.next() | 1 << 63, low: random.next(), port: 7950)
            var labels: [String: String] = [:]
            for index in 0..<Int(random.next() % 4) { labels["key\(index)"] = String(repeating: "v", count: Int(random.next() % 20)) }
            let incarnation = random.next()
            let updates: [SWIM.Update] = [
                .alive(name: name, incarnation: incarnation, address: address, labels: labels),
                .suspect(name: name, incarnation: incarnation, reporter: reporter),
                .failed(name: name, incarnation: incarnation, reporter: reporter),
                .left(name: name, incarnation: incarnation),
            ]
            for update in updates {
                let encoded = SWIM.Gossip(updates: [update]).encodedBody
                #expect(SWIM.EncodedSize.wire.update(update) == encoded.count - 2)
                #expect(try SWIM.Gossip(body: encoded[...]).updates == [update])
            }
            let member = SWIM.Member(name: name, address: address, incarnation: incarnation, status: .failed, labels: labels)
            let chunk = SWIM.StateChunk(exchange: 1, isRequest: false, index: 0, members: [member]).encodedBody
            #expect(SWIM.EncodedSize.wire.member(member) == chunk.count - 9)
        }
    }
}
