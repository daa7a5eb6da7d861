import Membership
import Sealing
import Wire

// What must hold for every input. A failed precondition here is reported by libFuzzer as a
// crash, with the input that broke it.

/// Opens what `Fixtures.sealer` sealed a moment ago: it must open, unchanged.
func openSealedBySealer(_ datagram: [UInt8], payload: [UInt8], with opener: inout Opener) -> OpenedDatagram {
    let opened: OpenedDatagram
    do {
        opened = try opener.open(datagram, keyring: Fixtures.keyring, now: Fixtures.now)
    } catch {
        preconditionFailure("a datagram sealed a moment ago was refused: \(error)")
    }
    precondition(opened.sender == Fixtures.sender && opened.payload.elementsEqual(payload),
                 "opening did not give back the sender and payload that were sealed")
    return opened
}

/// Splits the fuzzer's bytes into datagrams as a key holder could send them. Each record is
///
///     header (29 bytes: version, key ID, session, sequence, send time) | length (2) | plaintext
///
/// and the plaintext is `senderLength(1) | sender | payload` when the record is well made.
/// A record cut short ends the run; at most 32 records are read, so no input runs long.
struct KeyHolderRecords: Sequence, IteratorProtocol {
    static let maximumCount = 32
    private var reader: ByteReader
    private var count = 0

    init(_ bytes: [UInt8]) { reader = ByteReader(bytes) }

    mutating func next() -> ArraySlice<UInt8>? {
        guard count < Self.maximumCount,
              let header = try? reader.readBytes(DatagramLayout.headerLength, "header"),
              let length = try? reader.read(UInt16.self, "plaintext length"),
              let plaintext = try? reader.readBytes(Int(length), "plaintext")
        else { return nil }
        count += 1
        return header + plaintext
    }
}

/// Seals `record` (a header and a plaintext) under the fixed key as its holder would. The
/// version and key ID are set to the ones this build opens; session, sequence and send
/// time are the fuzzer's.
func sealAsKeyHolder(_ record: ArraySlice<UInt8>) -> (datagram: [UInt8], plaintext: [UInt8]) {
    let headerLength = DatagramLayout.headerLength
    var header = Array(record.prefix(headerLength))
    // version(1) | keyID(4, big-endian) | nonce(24), as Docs/protocol.md draws it.
    header[0] = DatagramLayout.version
    withUnsafeBytes(of: Fixtures.key.id.rawValue.bigEndian) { header.replaceSubrange(1..<5, with: $0) }
    let plaintext = Array(record.dropFirst(headerLength))
    var datagram = header + [UInt8](repeating: 0, count: plaintext.count + DatagramLayout.tagLength)
    datagram.withUnsafeMutableBytes { out in
        header.withUnsafeBytes { headerBytes in
            plaintext.withUnsafeBytes { plain in
                Fixtures.key.bytes.withUnsafeBytes { key in
                    XChaCha20Poly1305.seal(
                        plaintext: plain,
                        additionalData: headerBytes,
                        nonce: UnsafeRawBufferPointer(rebasing: headerBytes[(headerLength - XChaCha20Poly1305.nonceLength)...]),
                        key: key,
                        into: UnsafeMutableRawBufferPointer(rebasing: out[headerLength...]))
                }
            }
        }
    }
    return (datagram, plaintext)
}

/// The datagrams one Opener has admitted, byte for byte. The replay window promises that
/// the same datagram is never admitted twice. It does not promise that a (session, sequence)
/// pair is admitted once whatever the send time: a session it has forgotten is believed
/// new again when its send time is later than any forgotten one, which only a key holder
/// can make, and a captured datagram sent again never is.
struct AdmittedDatagrams {
    var datagrams: Set<[UInt8]> = []
}

/// Opens a datagram that authenticates by construction: only what follows authentication
/// (the sender's name, the replay window) may refuse it. One that opens must not have been
/// admitted before, byte for byte; it must give back what follows the sender's name; and
/// it must be refused as a replay when it comes again at once.
func openSealedByKeyHolder(
    _ datagram: [UInt8], plaintext: [UInt8], with opener: inout Opener, admitted: inout AdmittedDatagrams
) -> OpenedDatagram? {
    let opened: OpenedDatagram
    do {
        opened = try opener.open(datagram, keyring: Fixtures.keyring, now: Fixtures.now)
    } catch {
        precondition(error.reason == .malformed || error.reason == .replay,
                     "an authentic datagram was refused as \(error.reason.rawValue): \(error.detail)")
        return nil
    }
    precondition(admitted.datagrams.insert(datagram).inserted,
                 "datagram \(opened.sequence) of session \(opened.session) of \(opened.sender), sent at \(opened.sentAt), was admitted twice")
    let senderLength = Int(plaintext[0])
    precondition(opened.sender.rawValue.utf8.elementsEqual(plaintext[1..<(1 + senderLength)])
                 && opened.payload.elementsEqual(plaintext[(1 + senderLength)...]),
                 "the opened sender and payload are not what was sealed")
    do {
        _ = try opener.open(datagram, keyring: Fixtures.keyring, now: Fixtures.now)
        preconditionFailure("the same datagram was admitted twice in a row")
    } catch {
        precondition(error.reason == .replay, "a datagram sent again was refused as \(error.reason.rawValue), not as a replay")
    }
    return opened
}

/// Splits a payload into frames, checks that framing them again gives the same bytes, and
/// decodes every frame whose tag is registered.
func decode(_ payload: ArraySlice<UInt8>) {
    guard let frames = try? CompoundPacket.unpack(payload) else { return }
    var builder = PacketBuilder(budget: payload.count)
    for frame in frames {
        precondition(builder.append(frame), "a frame that was unpacked did not fit back into its own payload")
    }
    precondition(builder.bytes.elementsEqual(payload), "unpacking then packing changed the payload")
    // Every protocol's messages belong here as their tags enter MessageTag.registry: a
    // frame of another protocol's tag is decoded by that protocol's own `init(frame:)`.
    for frame in frames {
        decodeMembership(frame)
        decodeKeyring(frame)
    }
}

/// A keyring message that decodes must encode back to exactly the bytes it came from.
func decodeKeyring(_ frame: Frame) {
    switch frame.tag {
    case .keyringRequest:
        guard let request = try? KeyringRequest(body: frame.body) else { return }
        precondition(request.encodedBody.elementsEqual(frame.body), "keyring.request re-encodes to other bytes")
    case .keyringResponse:
        guard let response = try? KeyringResponse(body: frame.body) else { return }
        precondition(response.encodedBody.elementsEqual(frame.body), "keyring.response re-encodes to other bytes")
    default:
        return
    }
}

/// A membership message that decodes must encode to a frame that decodes to the same
/// message, of exactly the size that `MembershipCodec` reports to the core's budgets.
func decodeMembership(_ frame: Frame) {
    guard let message = try? SWIM.Message(frame: frame) else { return }
    let again = message.frame
    let decodedAgain: SWIM.Message?
    do {
        decodedAgain = try SWIM.Message(frame: again)
    } catch {
        preconditionFailure("\(frame.tag) decoded, but its own encoding does not: \(error)")
    }
    precondition(decodedAgain == message, "\(frame.tag) decoded, encoded and decoded again is another message")
    let expectedLength: Int? = switch message {
    case .gossip(let gossip): updatesLength(gossip.updates)
    case .ack(let ack): 4 + updatesLength(ack.gossip)
    case .state(let chunk): 4 + 1 + 2 + 2 + chunk.members.reduce(0) { $0 + MembershipCodec.size(of: $1) }
    case .ping, .pingRequest, .nack: nil
    }
    if let expectedLength {
        precondition(again.body.count == expectedLength,
                     "\(frame.tag) encodes to \(again.body.count) bytes, but MembershipCodec.size says \(expectedLength)")
    }
}

private func updatesLength(_ updates: [SWIM.Update]) -> Int {
    2 + updates.reduce(0) { $0 + MembershipCodec.size(of: $1) }
}
