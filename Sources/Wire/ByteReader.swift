/// Reads fields from a received payload. Every read checks the bytes that remain first, so
/// no input can make it trap, and nothing it returns is larger than the input it was given:
/// a length or a count read off the wire is believed only once the bytes are there.
public struct ByteReader: Sendable {
    private let bytes: ArraySlice<UInt8>
    public private(set) var position: Int

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    public init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    public var remaining: Int { bytes.endIndex - position }
    public var isAtEnd: Bool { position == bytes.endIndex }
    /// How far into the input the reader is, for error messages.
    public var offset: Int { position - bytes.startIndex }

    public mutating func readUInt8(_ field: StaticString) throws(DecodeError) -> UInt8 {
        try require(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func read<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, _ field: StaticString) throws(DecodeError) -> T {
        let size = MemoryLayout<T>.size
        try require(size, field)
        var value: T = 0
        for index in position..<(position + size) {
            value = value << 8 | T(bytes[index])
        }
        position += size
        return value
    }

    public mutating func readBool(_ field: StaticString) throws(DecodeError) -> Bool {
        let at = offset
        switch try readUInt8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .invalid(field: "\(field)", offset: at, reason: "\(other) is not a boolean (0 or 1)")
        }
    }

    public mutating func readBytes(_ count: Int, _ field: StaticString) throws(DecodeError) -> ArraySlice<UInt8> {
        try require(count, field)
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    public mutating func readShortString(_ field: StaticString) throws(DecodeError) -> String {
        let start = offset
        let length = Int(try readUInt8(field))
        return try readUTF8(length, field, start: start)
    }

    public mutating func readString(_ field: StaticString) throws(DecodeError) -> String {
        let start = offset
        let length = Int(try read(UInt16.self, field))
        return try readUTF8(length, field, start: start)
    }

    /// A length-prefixed field (two-byte length) as a reader of its own.
    public mutating func readLengthPrefixed(_ field: StaticString) throws(DecodeError) -> ByteReader {
        let length = Int(try read(UInt16.self, field))
        return ByteReader(try readBytes(length, field))
    }

    /// Reads a count, then that many elements, refusing a count that could not fit in what
    /// remains at `minimumElementSize` bytes each — the guard against a forged count that
    /// would otherwise reserve memory the datagram does not back.
    public mutating func readArray<Element>(
        _ field: StaticString, minimumElementSize: Int, element: (inout ByteReader) throws(DecodeError) -> Element
    ) throws(DecodeError) -> [Element] {
        let at = offset
        let count = Int(try read(UInt16.self, field))
        guard count * max(1, minimumElementSize) <= remaining else {
            throw .invalid(field: "\(field)", offset: at, reason: "a count of \(count) cannot fit in the \(remaining) bytes that remain")
        }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try element(&self)) }
        return elements
    }

    /// Fails unless every byte was read: trailing bytes mean the two sides disagree on a layout.
    public func expectEnd(_ what: @autoclosure () -> String) throws(DecodeError) {
        guard isAtEnd else { throw .trailingBytes(message: what(), count: remaining) }
    }

    private mutating func readUTF8(_ length: Int, _ field: StaticString, start: Int) throws(DecodeError) -> String {
        let raw = try readBytes(length, field)
        // ASCII (every name in practice) is valid UTF-8 as it stands, and decoding it is far
        // cheaper than the generic validation, which is left for the rest.
        if raw.allSatisfy({ $0 < 0x80 }) { return String(decoding: raw, as: UTF8.self) }
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw .invalid(field: "\(field)", offset: start, reason: "not valid UTF-8")
        }
        return string
    }

    private func require(_ count: Int, _ field: StaticString) throws(DecodeError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(field: "\(field)", offset: offset, needed: count, remaining: remaining)
        }
    }
}

/// Why a payload did not decode. Never a trap: every malformed input ends here.
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(field: String, offset: Int, needed: Int, remaining: Int)
    case invalid(field: String, offset: Int, reason: String)
    case unknownTag(UInt8, offset: Int)
    case trailingBytes(message: String, count: Int)

    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed, let remaining):
            "\(field) at byte \(offset) needs \(needed) bytes, \(remaining) remain"
        case .invalid(let field, let offset, let reason):
            "\(field) at byte \(offset): \(reason)"
        case .unknownTag(let tag, let offset):
            "unknown message tag \(tag) at byte \(offset)"
        case .trailingBytes(let message, let count):
            "\(count) bytes left over after \(message)"
        }
    }
}
