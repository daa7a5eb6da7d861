/// The name a node is known by in the cluster: the host name by default.
///
/// It travels in every sealed datagram, so it is bounded (1–255 bytes of UTF-8) and may not
/// contain control characters or white space, which would garble tables and logs.
public struct NodeName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public static let maximumUTF8Length = 255

    public init(_ rawValue: String) throws(NodeNameError) {
        let length = rawValue.utf8.count
        guard length > 0 else { throw .empty }
        guard length <= Self.maximumUTF8Length else { throw .tooLong(length) }
        // Names are checked on every datagram decoded. ASCII (every name in practice) is
        // checked byte by byte, the refused ASCII characters being exactly 0x00–0x20 and
        // 0x7F; only a name with other bytes takes the slower look at Unicode properties.
        if rawValue.utf8.allSatisfy({ $0 < 0x80 }) {
            if let bad = rawValue.utf8.first(where: { $0 <= 0x20 || $0 == 0x7F }) { throw .invalidCharacter(Unicode.Scalar(bad)) }
        } else if let bad = rawValue.unicodeScalars.first(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            throw .invalidCharacter(bad)
        }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: NodeName, rhs: NodeName) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum NodeNameError: Error, Equatable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case invalidCharacter(Unicode.Scalar)

    public var description: String {
        switch self {
        case .empty:
            "a node name may not be empty"
        case .tooLong(let length):
            "a node name is at most \(NodeName.maximumUTF8Length) bytes of UTF-8, not \(length)"
        case .invalidCharacter(let scalar):
            "a node name may not contain white space or control characters (found U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4, with: "0")))"
        }
    }
}
