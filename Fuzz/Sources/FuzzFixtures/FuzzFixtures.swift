import ClusterModel
import Sealing
import Wire

/// What the fuzzer holds fixed, so that a crashing input replays exactly and the seeds
/// sealed by `FuzzSeeds` open under the fuzzer's keyring.
public enum FuzzFixtures {
    /// A constant key: bytes 0, 1, 2, … 31. Never a real cluster's key.
    public static let key = try! ClusterKey(bytes: (0..<ClusterKey.length).map { UInt8($0) })
    public static let keyring = Keyring(primary: key)

    /// The receiver's clock; sealing uses the same instant, so a sealed input is fresh.
    public static let now = Timestamp(millisecondsSinceEpoch: 1_764_000_000_000)

    public static let sender = try! NodeName("fuzz-sender")

    /// A fixed session makes every sealed datagram depend only on the input and on how many
    /// were sealed before it in this process.
    public static let sealer = Sealer(sender: sender, session: 0x5EED_5EED_5EED_5EED)

    /// The first byte of every fuzz input chooses what the rest is.
    public enum Path: UInt8, CaseIterable {
        /// The rest is a raw datagram for `Opener.open`.
        case openRawDatagram = 0
        /// The rest is a payload: sealed, opened again, then decoded.
        case sealOpenDecode = 1
        /// The rest is a compound packet for `CompoundPacket.unpack`.
        case decodePayload = 2

        public init(selector: UInt8) {
            self = Path(rawValue: selector % UInt8(Path.allCases.count))!
        }
    }
}
