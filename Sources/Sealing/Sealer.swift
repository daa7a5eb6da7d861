import ClusterModel
import Synchronization

/// Seals outgoing datagrams for one sender with the keyring's primary key.
///
/// A reference type on purpose: the sequence number is part of the nonce, and a copied
/// counter would reuse nonces, which breaks the AEAD. One process has one `Sealer`.
public final class Sealer: Sendable {
    public let sender: NodeName
    /// Drawn at random when the process starts, so a restarted sender is a new session to
    /// every receiver and is never mistaken for a replay of its former self.
    public let session: UInt64
    private let senderBytes: [UInt8]
    private let nextSequence = Atomic<UInt64>(0)

    public init(sender: NodeName, session: UInt64? = nil) {
        self.sender = sender
        self.session = session ?? Sodium.randomUInt64()
        self.senderBytes = Array(sender.rawValue.utf8)
    }

    /// Bytes each datagram adds to its payload.
    public var overhead: Int { DatagramLayout.overhead(senderNameLength: senderBytes.count) }

    /// The payload bytes that fit in a datagram of `mtu` bytes.
    public func payloadBudget(mtu: Int) -> Int { max(0, mtu - overhead) }

    public func seal(_ payload: [UInt8], keyring: Keyring, now: Timestamp) -> [UInt8] {
        let sequence = nextSequence.wrappingAdd(1, ordering: .relaxed).oldValue
        let key = keyring.primary
        let plaintextLength = 1 + senderBytes.count + payload.count
        let headerLength = DatagramLayout.headerLength
        var datagram = [UInt8](repeating: 0, count: headerLength + plaintextLength + DatagramLayout.tagLength)
        datagram.withUnsafeMutableBytes { out in
            out[DatagramLayout.versionOffset] = DatagramLayout.version
            out.storeBigEndian(key.id.rawValue, at: DatagramLayout.keyIDOffset)
            out.storeBigEndian(session, at: DatagramLayout.sessionOffset)
            out.storeBigEndian(sequence, at: DatagramLayout.sequenceOffset)
            out.storeBigEndian(now.millisecondsSinceEpoch, at: DatagramLayout.sentAtOffset)
            out[headerLength] = UInt8(senderBytes.count)
            senderBytes.withUnsafeBytes { out.baseAddress!.advanced(by: headerLength + 1).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            payload.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress {
                    out.baseAddress!.advanced(by: headerLength + 1 + senderBytes.count).copyMemory(from: base, byteCount: bytes.count)
                }
            }
            // libsodium seals in place: the plaintext is overwritten by its ciphertext.
            let header = UnsafeRawBufferPointer(rebasing: out[..<headerLength])
            let body = UnsafeMutableRawBufferPointer(rebasing: out[headerLength...])
            key.bytes.withUnsafeBytes { keyBytes in
                XChaCha20Poly1305.seal(
                    plaintext: UnsafeRawBufferPointer(rebasing: body[..<plaintextLength]),
                    additionalData: header,
                    nonce: UnsafeRawBufferPointer(rebasing: header[DatagramLayout.nonceOffset...]),
                    key: keyBytes,
                    into: body)
            }
        }
        return datagram
    }
}
