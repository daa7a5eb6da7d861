import Logging

/// One entry in journald's native protocol: the fields of a datagram sent to
/// `/run/systemd/journal/socket` (systemd's "Native Journal Protocol" document).
///
/// A value without a line break is sent as `NAME=value\n`; one with a line break as
/// `NAME\n`, its length as a 64-bit little-endian integer, the bytes, and `\n`.
struct JournalEntry {
    private(set) var fields: [(name: String, value: String)] = []

    /// Longest MESSAGE sent, in bytes; longer ones are cut at a character boundary.
    ///
    /// journald would also take a larger entry as a sealed memfd passed with `SCM_RIGHTS`,
    /// but Swift's Glibc module does not expose `memfd_create`, and an agent log line of more
    /// than 64 KiB is a bug to fix, not a record to keep whole. With each other value capped
    /// at 4 KiB, an entry stays well under the default socket send buffer (208 KiB), so a
    /// send never fails with `EMSGSIZE`.
    static let maximumMessageBytes = 64 * 1024
    static let maximumValueBytes = 4 * 1024

    mutating func append(_ name: String, _ value: String) {
        let limit = name == "MESSAGE" ? Self.maximumMessageBytes : Self.maximumValueBytes
        fields.append((name, value.truncated(toUTF8Bytes: limit)))
    }

    /// The datagram journald receives.
    var datagram: [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in fields {
            bytes.append(contentsOf: name.utf8)
            if value.utf8.contains(UInt8(ascii: "\n")) {
                bytes.append(UInt8(ascii: "\n"))
                withUnsafeBytes(of: UInt64(value.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            } else {
                bytes.append(UInt8(ascii: "="))
            }
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// The journal field for a metadata key: upper case, each character outside
    /// `[A-Z0-9_]` replaced by `_`, leading underscores dropped (journald keeps those
    /// for fields it sets itself), at most 64 characters. A name that would start with a
    /// digit, be empty, or clash with a field the handler writes gets the prefix `META_`.
    static func fieldName(forMetadataKey key: String, reserved: Set<String>) -> String {
        var name = String(
            key.uppercased().unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "A"..."Z", "0"..."9", "_": Character(scalar)
                default: "_"
                }
            }
        )
        name = String(name.drop { $0 == "_" })
        if name.isEmpty || name.first!.isNumber || reserved.contains(name) {
            name = "META_" + name
        }
        return String(name.prefix(64))
    }
}

extension String {
    /// At most `limit` UTF-8 bytes of the text, cut before a whole character, marked when cut.
    func truncated(toUTF8Bytes limit: Int) -> String {
        let utf8 = Array(self.utf8)
        guard utf8.count > limit else { return self }
        let marker = " …[truncated]"
        var end = max(0, limit - marker.utf8.count)
        // Step back over continuation bytes (10xxxxxx) so no character is split.
        while end > 0 && utf8[end] & 0xC0 == 0x80 {
            end -= 1
        }
        return String(decoding: utf8[..<end], as: UTF8.self) + marker
    }
}
