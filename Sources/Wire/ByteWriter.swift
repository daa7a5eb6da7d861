/// Appends fields in network byte order. Every multi-byte integer on the wire is big-endian.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(bytes more: some Collection<UInt8>) { bytes.append(contentsOf: more) }

    /// A string as a one-byte length and its UTF-8 bytes; at most 255 bytes.
    public mutating func writeShortString(_ string: String) {
        let utf8 = string.utf8
        precondition(utf8.count <= 255, "a short string is at most 255 bytes of UTF-8, not \(utf8.count)")
        write(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// A string as a two-byte length and its UTF-8 bytes; at most 65,535 bytes.
    public mutating func writeString(_ string: String) {
        let utf8 = string.utf8
        precondition(utf8.count <= Int(UInt16.max), "a string is at most 65,535 bytes of UTF-8, not \(utf8.count)")
        write(UInt16(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Reserves a two-byte length, lets `body` write, then fills in how much it wrote.
    public mutating func writeLengthPrefixed(_ body: (inout ByteWriter) -> Void) {
        let lengthAt = bytes.count
        write(UInt16(0))
        body(&self)
        let length = bytes.count - lengthAt - 2
        precondition(length <= Int(UInt16.max), "a length-prefixed field is at most 65,535 bytes, not \(length)")
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }
}
