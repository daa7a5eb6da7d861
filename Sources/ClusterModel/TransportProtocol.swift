/// The protocol of a Service port or a container port.
public enum TransportProtocol: String, Hashable, Sendable, Codable, CaseIterable {
    case tcp = "TCP"
    case udp = "UDP"
}

/// A port given by number or by the name of a container port: a Service port's
/// `targetPort`, or a readiness probe's `port`.
public enum TargetPort: Hashable, Sendable, CustomStringConvertible {
    case number(Int)
    case name(String)

    public var description: String {
        switch self {
        case .number(let number): "\(number)"
        case .name(let name): name
        }
    }
}
