import ClusterModel
import Foundation

/// A 32-byte cluster key, written as base64 wherever a person sees it (`agent keygen`,
/// `--encrypt`, the keyring file).
public struct ClusterKey: Hashable, Sendable, CustomStringConvertible {
    public static let length = XChaCha20Poly1305.keyLength

    /// The key's 32 bytes.
    public let bytes: [UInt8]

    /// Names the key in every datagram's header, so that opening never tries keys in turn.
    /// The first four bytes of the key's BLAKE2b hash: it says nothing of the key itself.
    public let id: KeyID

    public init(bytes: [UInt8]) throws(ClusterKeyError) {
        guard bytes.count == Self.length else { throw .wrongLength(bytes.count) }
        self.bytes = bytes
        let digest = Sodium.genericHash(bytes, outputLength: 32)
        self.id = KeyID(rawValue: digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) })
    }

    /// Parses a key as `agent keygen` prints it: standard base64 of exactly 32 bytes.
    public init(base64 text: String) throws(ClusterKeyError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        guard let data = Data(base64Encoded: trimmed) else { throw .notBase64 }
        try self.init(bytes: Array(data))
    }

    /// A fresh key from libsodium's random source.
    public static func generate() -> ClusterKey {
        try! ClusterKey(bytes: Sodium.randomBytes(length))
    }

    public var base64: String { Data(bytes).base64EncodedString() }

    /// Never the key itself: logs and error messages show only its identifier.
    public var description: String { "key \(id)" }
}

/// The identifier of a cluster key as it appears in a datagram header.
public struct KeyID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String { String(rawValue, radix: 16).leftPadded(to: 8) }
}

public enum ClusterKeyError: Error, Equatable, CustomStringConvertible {
    case empty
    case notBase64
    case wrongLength(Int)

    public var description: String {
        switch self {
        case .empty:
            "the key is empty; expected base64 of 32 bytes, as `agent keygen` prints"
        case .notBase64:
            "the key is not valid base64; expected base64 of 32 bytes, as `agent keygen` prints"
        case .wrongLength(let count):
            "the key decodes to \(count) bytes, not 32; expected base64 of 32 bytes, as `agent keygen` prints"
        }
    }
}
