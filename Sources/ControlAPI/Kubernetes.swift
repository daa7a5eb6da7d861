import Foundation

/// Kubernetes v1 objects as the control API and `agent get -o json|yaml` show them.
///
/// Kubernetes' own JSON, field for field, so that users (and their `jq` and scripts) read a
/// Service here as they read one from `kubectl get -o json`: the same names, nil fields left
/// out. Only the fields the agent knows are here; each type says what it leaves out.
/// These are views, built from the replicated catalog for each answer: the catalog's model
/// (module ClusterModel) stays the one source of truth.
public enum Kube {
    public static let apiVersion = "v1"

    /// `metadata`, as far as the agent knows it.
    public struct ObjectMeta: Codable, Sendable, Hashable {
        public var name: String
        /// nil for Nodes, which belong to no namespace.
        public var namespace: String?
        public var labels: [String: String]?
        public var annotations: [String: String]?
        /// RFC 3339, seconds (`2024-05-01T12:00:00Z`); see ``Kube/time(millisecondsSinceEpoch:)``.
        /// nil for Nodes: membership does not record when a node joined.
        public var creationTimestamp: String?
        public var uid: String?
        /// Opaque; changes with every write to the object.
        public var resourceVersion: String?

        public init(
            name: String, namespace: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil,
            creationTimestamp: String? = nil, uid: String? = nil, resourceVersion: String? = nil
        ) {
            self.name = name
            self.namespace = namespace
            self.labels = labels
            self.annotations = annotations
            self.creationTimestamp = creationTimestamp
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }

    /// A port given by number or by a container port's name (`targetPort`, a probe's
    /// `port`): a bare JSON number or string, as Kubernetes' `IntOrString` is.
    public enum IntOrString: Codable, Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral,
        ExpressibleByStringLiteral
    {
        case int(Int)
        case string(String)

        public init(integerLiteral value: Int) { self = .int(value) }
        public init(stringLiteral value: String) { self = .string(value) }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = .int(number)
            } else {
                self = .string(try container.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .int(let number): try container.encode(number)
            case .string(let name): try container.encode(name)
            }
        }

        public var description: String {
            switch self {
            case .int(let number): "\(number)"
            case .string(let name): name
            }
        }
    }

    /// A status condition (`metav1.Condition`): a Service's `Conflict`.
    public struct Condition: Codable, Sendable, Hashable {
        public var type: String
        /// `True`, `False` or `Unknown`.
        public var status: String
        public var reason: String
        public var message: String
        /// RFC 3339, like ``ObjectMeta/creationTimestamp``.
        public var lastTransitionTime: String

        public init(type: String, status: String, reason: String, message: String, lastTransitionTime: String) {
            self.type = type
            self.status = status
            self.reason = reason
            self.message = message
            self.lastTransitionTime = lastTransitionTime
        }
    }

    /// What `GET /v1/services` and its siblings answer: kubectl's `kind: List`.
    public struct List<Item> {
        public var apiVersion = Kube.apiVersion
        public var kind = "List"
        public var items: [Item]
        public var metadata = ListMeta()

        public init(items: [Item]) { self.items = items }
    }

    /// A list's `metadata`: always `{"resourceVersion": ""}`, as kubectl prints it for a
    /// list it assembled itself.
    public struct ListMeta: Codable, Sendable, Hashable {
        public var resourceVersion = ""

        public init() {}
    }

    /// One change to one object, a line of a watch (`GET ...?watch=true`, `agent get -w`).
    public struct WatchEvent<Object> {
        public enum EventType: String, Codable, Sendable, Hashable {
            case added = "ADDED"
            case modified = "MODIFIED"
            case deleted = "DELETED"
        }

        public var type: EventType
        /// The object as it is now; for `DELETED`, as it was last.
        public var object: Object

        public init(type: EventType, object: Object) {
            self.type = type
            self.object = object
        }
    }

    /// `millisecondsSinceEpoch` as Kubernetes writes times: RFC 3339 in UTC, whole seconds.
    public static func time(millisecondsSinceEpoch: UInt64) -> String {
        Date(timeIntervalSince1970: TimeInterval(millisecondsSinceEpoch / 1000)).formatted(.iso8601)
    }

    /// Reads a time written by ``time(millisecondsSinceEpoch:)`` (or by Kubernetes); nil if it
    /// is not RFC 3339.
    public static func date(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }
}

extension Kube.List: Encodable where Item: Encodable {}
extension Kube.List: Decodable where Item: Decodable {}
extension Kube.List: Sendable where Item: Sendable {}
extension Kube.List: Equatable where Item: Equatable {}
extension Kube.List: Hashable where Item: Hashable {}

extension Kube.WatchEvent: Encodable where Object: Encodable {}
extension Kube.WatchEvent: Decodable where Object: Decodable {}
extension Kube.WatchEvent: Sendable where Object: Sendable {}
extension Kube.WatchEvent: Equatable where Object: Equatable {}
extension Kube.WatchEvent: Hashable where Object: Hashable {}
