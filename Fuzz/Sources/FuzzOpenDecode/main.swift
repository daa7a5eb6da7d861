import FuzzFixtures
import Sealing
import Wire

/// libFuzzer's entry point. Every input must end in a decode or a thrown error; a trap
/// anywhere below is a bug in Sealing or Wire (or a broken round-trip property checked here).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let rest = Array(input[1...])

    // A fresh Opener per input: its replay window must not make one input's outcome
    // depend on the inputs that ran before it.
    var opener = Opener()
    switch FuzzFixtures.Path(selector: input[0]) {
    case .openRawDatagram:
        // Nearly always refused (it would have to authenticate): exercises the header checks.
        guard let opened = try? opener.open(rest, keyring: FuzzFixtures.keyring, now: FuzzFixtures.now) else { return 0 }
        decode(opened.payload)

    case .sealOpenDecode:
        let datagram = FuzzFixtures.sealer.seal(rest, keyring: FuzzFixtures.keyring, now: FuzzFixtures.now)
        let opened: OpenedDatagram
        do {
            opened = try opener.open(datagram, keyring: FuzzFixtures.keyring, now: FuzzFixtures.now)
        } catch {
            fatalError("a datagram sealed a moment ago was refused: \(error)")
        }
        precondition(opened.sender == FuzzFixtures.sender && opened.payload.elementsEqual(rest),
                     "opening did not give back the sender and payload that were sealed")
        decode(opened.payload)

    case .decodePayload:
        decode(rest[...])
    }
    return 0
}

/// Splits a payload into frames and checks that framing them again gives the same bytes.
func decode(_ payload: ArraySlice<UInt8>) {
    guard let frames = try? CompoundPacket.unpack(payload) else { return }
    // No message is registered yet (MessageTag.registry is empty), so a frame's body is
    // not decoded further. When the registry gains entries, decode each registered tag's
    // body here with its WireMessage type (`init(body:)`), so the fuzzer reaches it too.
    var builder = PacketBuilder(budget: payload.count)
    for frame in frames {
        precondition(builder.append(frame), "a frame that was unpacked did not fit back into its own payload")
    }
    precondition(builder.bytes.elementsEqual(payload), "unpacking then packing changed the payload")
}
