/// An IPv4 address as a Service or a Pod holds it.
///
/// Parsed as strictly as ``PeerAddress`` parses one (decimal, no leading zeros), so the two
/// never disagree on what an address is.
public struct IPv4: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The address as a number in network order: 10.0.0.1 is 0x0A00_0001.
    public let value: UInt32

    /// 0.0.0.0: every address of the host, for a socket that listens.
    public static let any = IPv4(value: 0)

    public init(value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self.value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    public init?(_ description: String) {
        self.init(text: Substring(description))
    }

    public init?(_ text: Substring) {
        self.init(text: text)
    }

    private init?(text: Substring) {
        guard let value = PeerAddress.parseIPv4(text) else { return nil }
        self.value = value
    }

    public var isUnspecified: Bool { value == 0 }

    /// 127.0.0.0/8.
    public var isLoopback: Bool { value >> 24 == 127 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = IPv4(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not an IPv4 address")
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    public static func < (lhs: IPv4, rhs: IPv4) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 network in CIDR form (`10.96.0.0/12`): no bits set past the prefix.
public struct IPv4Network: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public let address: IPv4
    public let prefixLength: Int

    /// nil unless `prefixLength` is 0–32 and `address` has no bits set past it.
    public init?(address: IPv4, prefixLength: Int) {
        guard (0...32).contains(prefixLength), address.value & ~Self.mask(prefixLength) == 0 else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `a.b.c.d/n`; nil for any other form, or when host bits are set.
    public init?(_ description: String) {
        let parts = description.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4(String(parts[0])),
            !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].count <= 2,
            let prefixLength = Int(parts[1])
        else { return nil }
        self.init(address: address, prefixLength: prefixLength)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let network = IPv4Network(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not an IPv4 network")
        }
        self = network
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var netmask: UInt32 { Self.mask(prefixLength) }

    public func contains(_ address: IPv4) -> Bool { address.value & netmask == self.address.value }

    /// How many addresses the network holds, its network and broadcast addresses included.
    public var size: UInt64 { 1 << UInt64(32 - prefixLength) }

    public var lastAddress: IPv4 { IPv4(value: address.value | ~netmask) }

    public func overlaps(_ other: IPv4Network) -> Bool { contains(other.address) || other.contains(address) }

    public var description: String { "\(address)/\(prefixLength)" }

    /// The netmask of a prefix length, 0–32.
    public static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
    }
}
