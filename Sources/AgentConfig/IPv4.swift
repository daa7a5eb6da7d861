import ClusterModel

/// An IPv4 address.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address as a number in network order: 10.0.0.1 is 0x0A00_0001.
    public let value: UInt32

    public static let any = IPv4Address(value: 0)

    public init(value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self.value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted decimal, as strictly as ``PeerAddress`` does (no leading zeros, which
    /// some parsers read as octal): the two must never disagree on what an address is.
    public init?(_ text: some StringProtocol) {
        guard !text.isEmpty, text.allSatisfy({ $0 == "." || $0.isASCII && $0.isNumber }),
            let value = PeerAddress("\(text):0")?.ipv4
        else { return nil }
        self.value = value
    }

    /// 0.0.0.0: every address of the host.
    public var isUnspecified: Bool { value == 0 }

    /// 127.0.0.0/8.
    public var isLoopback: Bool { value >> 24 == 127 }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 address and a port: where a socket listens.
public struct IPv4Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var port: UInt16

    public init(address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// The same address as the membership layer spells it.
    public var peerAddress: PeerAddress { PeerAddress(ipv4: address.value, port: port) }

    public var description: String { "\(address):\(port)" }
}

/// An IPv4 network: a network address and a prefix length.
public struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible {
    public let network: IPv4Address
    public let prefixLength: Int

    /// nil unless `network` has no bits set past the prefix.
    public init?(network: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength), network.value & ~Self.mask(prefixLength) == 0 else { return nil }
        self.network = network
        self.prefixLength = prefixLength
    }

    public var netmask: UInt32 { Self.mask(prefixLength) }

    /// How many addresses the network holds, its network and broadcast addresses included.
    public var size: UInt64 { 1 << UInt64(32 - prefixLength) }

    public var lastAddress: IPv4Address { IPv4Address(value: network.value | ~netmask) }

    public func contains(_ address: IPv4Address) -> Bool { address.value & netmask == network.value }

    public func overlaps(_ other: IPv4CIDR) -> Bool { contains(other.network) || other.contains(network) }

    public var description: String { "\(network)/\(prefixLength)" }

    static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
    }
}

/// The ports NodePorts are taken from, both ends included.
public struct NodePortRange: Hashable, Sendable, CustomStringConvertible {
    public let lowest: UInt16
    public let highest: UInt16

    /// nil unless 1 ≤ lowest ≤ highest.
    public init?(lowest: UInt16, highest: UInt16) {
        guard lowest >= 1, lowest <= highest else { return nil }
        self.lowest = lowest
        self.highest = highest
    }

    public func contains(_ port: UInt16) -> Bool { (lowest...highest).contains(port) }

    public var count: Int { Int(highest) - Int(lowest) + 1 }

    public var description: String { "\(lowest)-\(highest)" }
}
