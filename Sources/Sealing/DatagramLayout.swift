/// Where each field of a sealed datagram lies. `Docs/protocol.md` draws the same picture.
///
///     0        1            5                                        29
///     +--------+------------+----------------------------------------+-----------------+-----+
///     |version |   keyID    | nonce = session(8) sequence(8) sentAt(8) | ciphertext ...  | tag |
///     +--------+------------+----------------------------------------+-----------------+-----+
///      \______________ additional data (authenticated, in clear) ____/  \__ 16 bytes __/
///
/// The plaintext is `senderLength(1) | sender (UTF-8) | payload`. The nonce is unique per
/// key because (session, sequence) never repeats: the session is 64 random bits drawn when
/// a process starts, and the sequence counts up from zero within it.
public enum DatagramLayout {
    /// The only version this build speaks. Bumped only for a change old agents cannot read.
    public static let version: UInt8 = 1

    static let versionOffset = 0
    static let keyIDOffset = 1
    static let nonceOffset = 5
    static let sessionOffset = nonceOffset
    static let sequenceOffset = nonceOffset + 8
    static let sentAtOffset = nonceOffset + 16
    public static let headerLength = nonceOffset + XChaCha20Poly1305.nonceLength  // 29
    public static let tagLength = XChaCha20Poly1305.tagLength  // 16

    /// The smallest datagram that can carry anything: header, a one-byte sender, and the tag.
    public static let minimumLength = headerLength + 2 + tagLength

    /// Bytes a sealed datagram adds to its payload for a sender of this name.
    public static func overhead(senderNameLength: Int) -> Int {
        headerLength + 1 + senderNameLength + tagLength
    }
}

extension UnsafeRawBufferPointer {
    func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func loadBigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    func storeBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
    }
}
