/// What identifies a catalog object: its kind, namespace and name.
///
/// Its text form is `Kind/namespace/name` (`Service/default/my-nginx`).
public struct ObjectKey: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public enum Kind: String, Hashable, Comparable, Sendable, Codable, CaseIterable {
        case service = "Service"
        case pod = "Pod"

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let kind: Kind
    public let namespace: String
    public let name: String

    public init(kind: Kind, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// Parses `Kind/namespace/name`; nil unless all three parts are there and the kind is known.
    public init?(_ description: String) {
        let parts = description.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let kind = Kind(rawValue: String(parts[0])), !parts[1].isEmpty, !parts[2].isEmpty
        else { return nil }
        self.init(kind: kind, namespace: String(parts[1]), name: String(parts[2]))
    }

    public var description: String { "\(kind.rawValue)/\(namespace)/\(name)" }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.kind, lhs.namespace, lhs.name) < (rhs.kind, rhs.namespace, rhs.name)
    }
}
