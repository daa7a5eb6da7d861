import ClusterModel

/// An IPv4 address and a port: where a socket listens.
public struct IPv4Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4
    public var port: UInt16

    public init(address: IPv4, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// The same address as the membership layer spells it.
    public var peerAddress: PeerAddress { PeerAddress(ipv4: address.value, port: port) }

    public var description: String { "\(address):\(port)" }
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
