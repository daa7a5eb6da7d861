/// Where a peer's gossip socket listens: an IPv4 or IPv6 address and a UDP port.
///
/// Compact on purpose (18 bytes, no allocation): every membership core holds one per member,
/// and a simulation holds thousands of cores that each know thousands of members. An IPv4
/// address is kept as its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`), which is the same
/// host on a dual-stack socket, so the two spellings compare equal and print as IPv4.
public struct PeerAddress: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The 128-bit address, most significant half first.
    public let high: UInt64
    public let low: UInt64
    public let port: UInt16

    private static let mappedPrefix: UInt64 = 0x0000_FFFF_0000_0000

    public init(ipv4 octets: (UInt8, UInt8, UInt8, UInt8), port: UInt16) {
        let value = UInt32(octets.0) << 24 | UInt32(octets.1) << 16 | UInt32(octets.2) << 8 | UInt32(octets.3)
        self.init(ipv4: value, port: port)
    }

    /// An IPv4 address as a 32-bit number in network order (`0x0A000001` is 10.0.0.1).
    public init(ipv4 value: UInt32, port: UInt16) {
        self.high = 0
        self.low = Self.mappedPrefix | UInt64(value)
        self.port = port
    }

    /// An IPv6 address from its 16 bytes in network order.
    public init(ipv6 bytes: some Collection<UInt8>, port: UInt16) {
        precondition(bytes.count == 16, "an IPv6 address is 16 bytes, not \(bytes.count)")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (offset, byte) in bytes.enumerated() {
            if offset < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low, port: port)
    }

    public init(high: UInt64, low: UInt64, port: UInt16) {
        self.high = high
        self.low = low
        self.port = port
    }

    public var isIPv4: Bool { high == 0 && low & 0xFFFF_FFFF_0000_0000 == Self.mappedPrefix }

    /// The IPv4 address as a 32-bit number, when this is one.
    public var ipv4: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: low) : nil }

    /// The 16 bytes of the IPv6 form, network order.
    public var ipv6Bytes: [UInt8] {
        (0..<16).map { index in
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(index % 8)))
        }
    }

    /// Parses `a.b.c.d:port` or `[v6]:port`.
    public init?(_ description: String) {
        if description.hasPrefix("[") {
            guard let close = description.firstIndex(of: "]") else { return nil }
            let host = description[description.index(after: description.startIndex)..<close]
            let rest = description[description.index(after: close)...]
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()),
                let (high, low) = Self.parseIPv6(host)
            else { return nil }
            self.init(high: high, low: low, port: port)
        } else {
            guard let colon = description.lastIndex(of: ":"),
                let port = UInt16(description[description.index(after: colon)...]),
                let value = Self.parseIPv4(description[..<colon])
            else { return nil }
            self.init(ipv4: value, port: port)
        }
    }

    /// `a.b.c.d:port` for IPv4, `[v6]:port` (RFC 5952 form) otherwise.
    public var description: String {
        "\(host):\(port)"
    }

    /// The address alone, without brackets for IPv6: what socket APIs and JSON fields take.
    public var ipAddress: String {
        if let value = ipv4 {
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        }
        return Self.formatIPv6(high: high, low: low)
    }

    /// The address without the port, bracketed for IPv6.
    public var host: String {
        isIPv4 ? ipAddress : "[\(ipAddress)]"
    }

    public static func < (lhs: PeerAddress, rhs: PeerAddress) -> Bool {
        (lhs.high, lhs.low, lhs.port) < (rhs.high, rhs.low, rhs.port)
    }

    static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            // Decimal only, no leading zeros (which some parsers read as octal).
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit),
                part == "0" || !part.hasPrefix("0"), let octet = UInt8(part)
            else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    static func parseIPv6(_ text: Substring) -> (UInt64, UInt64)? {
        var groups: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var halves = [text]
        if let gap = text.firstRange(of: "::") {
            halves = [text[..<gap.lowerBound], text[gap.upperBound...]]
            guard halves[1].firstRange(of: "::") == nil else { return nil }
        }
        func parseGroups(_ part: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (offset, field) in fields.enumerated() {
                if allowIPv4Tail, offset == fields.count - 1, field.contains(".") {
                    guard let v4 = parseIPv4(field) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard !field.isEmpty, field.count <= 4, field.allSatisfy(\.isHexDigit),
                    let group = UInt16(field, radix: 16)
                else { return nil }
                result.append(group)
            }
            return result
        }
        if halves.count == 2 {
            sawGap = true
            guard let head = parseGroups(halves[0], allowIPv4Tail: false),
                let rest = parseGroups(halves[1], allowIPv4Tail: true)
            else { return nil }
            groups = head
            tail = rest
            guard groups.count + tail.count <= 7 else { return nil }
        } else {
            guard let all = parseGroups(halves[0], allowIPv4Tail: true), all.count == 8 else { return nil }
            groups = all
        }
        if sawGap {
            groups += [UInt16](repeating: 0, count: 8 - groups.count - tail.count) + tail
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, group) in groups.enumerated() {
            if index < 4 { high = high << 16 | UInt64(group) } else { low = low << 16 | UInt64(group) }
        }
        return (high, low)
    }

    static func formatIPv6(high: UInt64, low: UInt64) -> String {
        let groups = (0..<8).map { index -> UInt16 in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (48 - 16 * UInt64(index % 4)))
        }
        // RFC 5952: the longest run of two or more zero groups becomes "::", the first if tied.
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        func hex(_ slice: ArraySlice<UInt16>) -> String {
            slice.map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(groups[...]) }
        return hex(groups[..<bestStart]) + "::" + hex(groups[(bestStart + bestLength)...])
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
