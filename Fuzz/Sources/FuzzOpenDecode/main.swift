import Sealing
import Wire

/// libFuzzer's entry point. Every input must end in a decode or a thrown error; a trap
/// anywhere below is a bug in Sealing, Wire or a message codec, or a broken property
/// checked in Checks.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let rest = Array(input[1...])

    // A fresh Opener per input, so that no input's outcome depends on the inputs before it.
    var opener = Opener()
    switch FuzzPath(selector: input[0]) {
    case .openRawDatagram:
        // Nearly always refused (it would have to authenticate): exercises the header checks.
        guard let opened = try? opener.open(rest, keyring: Fixtures.keyring, now: Fixtures.now) else { return 0 }
        decode(opened.payload)

    case .sealOpenDecode:
        let datagram = Fixtures.sealer.seal(rest, keyring: Fixtures.keyring, now: Fixtures.now)
        let opened = openSealedBySealer(datagram, payload: rest, with: &opener)
        decode(opened.payload)

    case .decodePayload:
        decode(rest[...])

    case .openAuthenticRun:
        var admitted = AdmittedDatagrams()
        for record in KeyHolderRecords(rest) {
            let (datagram, plaintext) = sealAsKeyHolder(record)
            guard let opened = openSealedByKeyHolder(datagram, plaintext: plaintext, with: &opener, admitted: &admitted) else { continue }
            decode(opened.payload)
        }
    }
    return 0
}
