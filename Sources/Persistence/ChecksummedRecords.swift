/// Records laid one after another so that a reader can tell intact ones from what a crash
/// or damage leaves behind:
///
///     record = length (4, big endian) | CRC-32C of the length and the payload (4) | payload
///
/// The checksum covers the length too, so a run of zeros, which some filesystems show in
/// place of data whose file size reached the disk first, is never a valid record (and an
/// empty payload is refused besides).
public enum ChecksummedRecords {
    public static let headerLength = 8

    /// Appends `payload` as one record.
    /// - Precondition: `payload` is not empty and shorter than 4 GiB.
    public static func append(_ payload: [UInt8], to bytes: inout [UInt8]) {
        precondition(!payload.isEmpty && payload.count <= Int(UInt32.max), "a record holds 1 byte to 4 GiB, not \(payload.count)")
        let length = UInt32(payload.count)
        let lengthBytes: [UInt8] = [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        let crc = CRC32C.checksum(payload, continuing: CRC32C.checksum(lengthBytes))
        bytes.append(contentsOf: lengthBytes)
        bytes.append(contentsOf: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        bytes.append(contentsOf: payload)
    }

    /// Why a scan stopped before the end of its bytes.
    public enum Stop: Hashable, Sendable {
        /// A record cut short, failing its checksum or with an impossible length, and no
        /// intact record anywhere after it: what a crash in the middle of an append leaves
        /// (a prefix of the bytes, or the file's new size with some of its pages not yet
        /// written). Nothing of it was ever acknowledged.
        case incomplete(reason: String)
        /// A bad record with an intact one somewhere after it: damage to data that was once
        /// written whole, since a crash only ever tears the end of the last append. (Or a
        /// crash in a multi-record append whose pages reached the disk out of order; that
        /// append was never acknowledged either.)
        case damaged(reason: String)

        public var reason: String {
            switch self {
            case .incomplete(let reason), .damaged(let reason): reason
            }
        }
    }

    public struct Scan: Hashable, Sendable {
        /// The payloads of the intact records, in order, as ranges of the scanned bytes.
        public var payloads: [Range<Int>]
        /// Where the last intact record ends.
        public var end: Int
        /// Why the scan stopped at `end` before the end of the bytes; nil when it did not.
        public var stop: Stop?

        public init(payloads: [Range<Int>], end: Int, stop: Stop?) {
            self.payloads = payloads
            self.end = end
            self.stop = stop
        }
    }

    /// Reads records from `start` up to the first one that is not intact. Records after a
    /// bad one are never read: their boundaries can no longer be trusted, and a prefix of
    /// the records is a state the writer actually went through, where skipping one is not.
    public static func scan(_ bytes: [UInt8], from start: Int) -> Scan {
        bytes.withUnsafeBytes { buffer in
            var payloads: [Range<Int>] = []
            var offset = start
            while offset < buffer.count {
                switch check(buffer, at: offset) {
                case .intact(let payload):
                    payloads.append(payload)
                    offset = payload.upperBound
                case .bad(let reason):
                    let damaged = intactRecordStarts(in: buffer, after: offset)
                    return Scan(payloads: payloads, end: offset, stop: damaged ? .damaged(reason: reason) : .incomplete(reason: reason))
                }
            }
            return Scan(payloads: payloads, end: offset, stop: nil)
        }
    }

    private enum Check {
        case intact(payload: Range<Int>)
        case bad(reason: String)
    }

    private static func check(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> Check {
        guard buffer.count - offset >= headerLength else {
            return .bad(reason: "the record at byte \(offset) is cut short in its header")
        }
        let length = Int(readUInt32(buffer, at: offset))
        let payloadStart = offset + headerLength
        guard length > 0 else { return .bad(reason: "the record at byte \(offset) has a length of 0") }
        guard length <= buffer.count - payloadStart else {
            return .bad(reason: "the record at byte \(offset) claims \(length) bytes, past the end of the file")
        }
        let payload = payloadStart..<(payloadStart + length)
        let stored = readUInt32(buffer, at: offset + 4)
        let computed = CRC32C.checksum(
            UnsafeRawBufferPointer(rebasing: buffer[payload]),
            continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + 4])))
        guard computed == stored else {
            return .bad(reason: "the record at byte \(offset) fails its checksum (stored \(hex(stored)), computed \(hex(computed)))")
        }
        return .intact(payload: payload)
    }

    /// Tries every offset: a damaged length leaves no other way to find the next record.
    /// Cheap in practice, since a random length almost never fits in what remains and zeros
    /// are refused at once; it runs only when a scan stops short.
    private static func intactRecordStarts(in buffer: UnsafeRawBufferPointer, after offset: Int) -> Bool {
        var candidate = offset + 1
        while buffer.count - candidate >= headerLength {
            if case .intact = check(buffer, at: candidate) { return true }
            candidate += 1
        }
        return false
    }

    private static func readUInt32(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        buffer[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
