/// Reads a datagram of journald's native protocol back into fields, the way journald does,
/// so tests can check what journald would store.
struct NativeJournalDatagram {
    /// Every field in order; a name may repeat.
    var fields: [(name: String, value: String)] = []
    /// Names of the fields sent in the binary (length-prefixed) form.
    var binaryFields: Set<String> = []

    init(_ bytes: [UInt8]) throws {
        var index = 0
        while index < bytes.count {
            guard let end = bytes[index...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "=") }) else {
                throw Malformed(reason: "field without = or newline at byte \(index)")
            }
            let name = String(decoding: bytes[index..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                guard let lineEnd = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) else {
                    throw Malformed(reason: "\(name) is not terminated by a newline")
                }
                fields.append((name, String(decoding: bytes[(end + 1)..<lineEnd], as: UTF8.self)))
                index = lineEnd + 1
            } else {
                let lengthStart = end + 1
                guard lengthStart + 8 <= bytes.count else { throw Malformed(reason: "\(name) has no length") }
                var length: UInt64 = 0
                for (shift, byte) in bytes[lengthStart..<(lengthStart + 8)].enumerated() {
                    length |= UInt64(byte) << (8 * UInt64(shift))
                }
                let valueStart = lengthStart + 8
                let valueEnd = valueStart + Int(length)
                guard valueEnd < bytes.count, bytes[valueEnd] == UInt8(ascii: "\n") else {
                    throw Malformed(reason: "\(name) is shorter than its length \(length) or lacks its newline")
                }
                fields.append((name, String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)))
                binaryFields.insert(name)
                index = valueEnd + 1
            }
        }
    }

    /// The value of a field sent once; nil if absent or sent more than once.
    subscript(name: String) -> String? {
        let values = fields.filter { $0.name == name }
        return values.count == 1 ? values[0].value : nil
    }

    struct Malformed: Error {
        var reason: String
    }
}

extension DatagramInbox {
    /// The next datagram read as a journal entry; throws if none comes within `timeout`.
    func receiveEntry(timeout: Duration = .seconds(5)) throws -> NativeJournalDatagram {
        guard let bytes = receive(timeout: timeout) else {
            throw NativeJournalDatagram.Malformed(reason: "no entry arrived at \(address) within \(timeout)")
        }
        return try NativeJournalDatagram(bytes)
    }
}
