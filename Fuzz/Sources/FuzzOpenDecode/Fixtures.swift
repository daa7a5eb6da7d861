import ClusterModel
import Sealing

/// What the fuzzer holds fixed, so that a crashing input replays exactly and the seeds
/// it writes open under its own keyring.
enum Fixtures {
    /// A constant key: bytes 0, 1, 2, … 31. Never a real cluster's key.
    static let key = try! ClusterKey(bytes: (0..<ClusterKey.length).map { UInt8($0) })
    static let keyring = Keyring(primary: key)

    /// The receiver's clock; sealing uses the same instant, so a sealed input is fresh.
    static let now = Timestamp(millisecondsSinceEpoch: 1_764_000_000_000)

    static let sender = try! NodeName("fuzz-sender")

    /// A fixed session: what a sealed input becomes depends only on the input and on how
    /// many were sealed before it in this process, and never on the opener's verdict.
    static let sealer = Sealer(sender: sender, session: 0x5EED_5EED_5EED_5EED)
}

/// The first byte of every fuzz input chooses what the rest of it is.
enum FuzzPath: UInt8, CaseIterable {
    /// The rest is a raw datagram for `Opener.open`.
    case openRawDatagram = 0
    /// The rest is a payload: sealed, opened again, then decoded.
    case sealOpenDecode = 1
    /// The rest is a compound packet for `CompoundPacket.unpack`.
    case decodePayload = 2
    /// The rest is a run of datagrams as a key holder could send them, each its header
    /// fields and plaintext (`KeyHolderRecords`): sealed with the bare AEAD and opened by one
    /// Opener, so that the fuzzer reaches what follows authentication (the sender's name,
    /// the replay window), then decoded.
    case openAuthenticRun = 3

    init(selector: UInt8) {
        self = FuzzPath(rawValue: selector % UInt8(FuzzPath.allCases.count))!
    }
}
