import Catalog
import ClusterModel
import Membership
import Testing
import Wire

@testable import Sealing

/// What became of one datagram handed to open + decode.
enum Outcome: Hashable {
    case decoded
    case rejected(RejectionReason)
    case undecodable
}

/// Open, then decode: the path every received datagram takes.
func openAndDecode(_ datagram: [UInt8], opener: inout Opener, keyring: Keyring, now: Timestamp) -> Outcome {
    do {
        let opened = try opener.open(datagram, keyring: keyring, now: now)
        for frame in try CompoundPacket.unpack(opened.payload) {
            switch frame.tag {
            case .keyringRequest: _ = try KeyringRequest(body: frame.body)
            case .keyringResponse: _ = try KeyringResponse(body: frame.body)
            case .catalogPush, .catalogDigest: _ = try CatalogMessage(frame: frame)
            default: _ = try SWIM.Message(frame: frame)
            }
        }
        return .decoded
    } catch let rejection as Rejection {
        return .rejected(rejection.reason)
    } catch {
        return .undecodable
    }
}

@Suite("Hostile input")
struct HostileInputTests {
    @Test("100,000 random and mutated datagrams: each opens and decodes, or is rejected with a reason, never a trap")
    func randomAndMutated() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("hostile input seed: \(seed)")
        var random = SeededGenerator(seed: seed)
        let ring = Keyring(primary: Fixture.keyA)
        let sealer = Sealer(sender: Fixture.name("sender"))
        var opener = Opener()
        var outcomes: [Int: [Outcome: Int]] = [:]

        func randomBytes(_ count: Int) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            bytes.withUnsafeMutableBytes { buffer in
                var index = 0
                while index < count {
                    var word = random.next()
                    let take = min(8, count - index)
                    withUnsafeBytes(of: &word) { buffer.baseAddress!.advanced(by: index).copyMemory(from: $0.baseAddress!, byteCount: take) }
                    index += take
                }
            }
            return bytes
        }

        let unregisteredTags = (1...254).map { MessageTag(rawValue: UInt8($0)) }.filter { !$0.isRegistered }
        func validPayload() -> [UInt8] {
            // Half real membership messages, half frames of arbitrary tags and bodies.
            if Bool.random(using: &random) {
                let ping = SWIM.Message.ping(SWIM.Ping(sequence: UInt32.random(in: 0...UInt32.max, using: &random), target: Fixture.name("n\(UInt16.random(in: 0...999, using: &random))")))
                return ping.payload
            }
            var builder = PacketBuilder(budget: sealer.payloadBudget(mtu: defaultMTU))
            // Now and then a keyring message; then tags no message is registered under: a
            // receiver skips them, as a newer agent's.
            if Int.random(in: 0..<4, using: &random) == 0 {
                _ = builder.append(KeyringRequest(id: random.next(), operation: .install, key: randomBytes(32)))
                _ = builder.append(KeyringResponse(id: random.next(), error: "", keys: [randomBytes(32), randomBytes(32)]))
            }
            while builder.append(Frame(tag: unregisteredTags.randomElement(using: &random)!,
                                       body: randomBytes(Int.random(in: 0...120, using: &random))[...])) {}
            return builder.bytes
        }

        /// A corrupted copy of `original`, and whether it happens to equal a genuine datagram.
        func mutate(_ original: [UInt8]) -> (bytes: [UInt8], genuine: Bool) {
            var bytes = original
            switch Int.random(in: 0..<5, using: &random) {
            case 0:  // flip a few bits
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                }
            case 1:  // truncate
                bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
            case 2:  // extend
                bytes += randomBytes(Int.random(in: 1...64, using: &random))
            case 3:  // overwrite a run with random bytes
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, start + Int.random(in: 1...32, using: &random))
                bytes.replaceSubrange(start..<end, with: randomBytes(end - start))
            default:  // splice two datagrams
                let other = sealer.seal(validPayload(), keyring: ring, now: Fixture.now)
                let cut = Int.random(in: 0..<min(bytes.count, other.count), using: &random)
                bytes = Array(bytes[..<cut] + other[cut...])
                if bytes == other { return (bytes, true) }
            }
            return (bytes, bytes == original)
        }

        for index in 0..<100_000 {
            let kind = index % 4
            let datagram: [UInt8]
            var unchanged = false
            switch kind {
            case 0:
                datagram = randomBytes(Int.random(in: 0...1_500, using: &random))
            case 1:
                let original = sealer.seal(validPayload(), keyring: ring, now: Fixture.now)
                (datagram, unchanged) = mutate(original)
            case 2:
                datagram = sealer.seal(randomBytes(Int.random(in: 0...1_300, using: &random)), keyring: ring, now: Fixture.now)
            default:
                datagram = sealer.seal(validPayload(), keyring: ring, now: Fixture.now)
            }
            let outcome = openAndDecode(datagram, opener: &opener, keyring: ring, now: Fixture.now)
            outcomes[kind, default: [:]][outcome, default: 0] += 1
            if kind == 1 && !unchanged && outcome == .decoded {
                Issue.record("a mutated datagram opened (seed \(seed), iteration \(index))")
            }
        }

        let total = outcomes.values.flatMap(\.values).reduce(0, +)
        #expect(total == 100_000)
        #expect(outcomes[0]?[.decoded] == nil, "random bytes opened: seed \(seed)")
        #expect(outcomes[3] == [.decoded: 25_000], "valid datagrams did not all decode: \(outcomes[3] ?? [:]), seed \(seed)")
        // Authentic datagrams with random payloads exercise the decoder: most do not decode.
        #expect((outcomes[2]?[.undecodable] ?? 0) > 20_000, "seed \(seed): \(outcomes[2] ?? [:])")
        #expect((outcomes[1]?[.rejected(.auth)] ?? 0) > 10_000, "seed \(seed): \(outcomes[1] ?? [:])")
        print("hostile input outcomes by kind: \(outcomes)")
    }
}
