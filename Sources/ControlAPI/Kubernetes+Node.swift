extension Kube {
    /// A member of the cluster as a v1 Node: its name, labels, address and whether it is
    /// ready, which here means alive or suspect in the gossip membership.
    public struct Node: Codable, Sendable, Hashable {
        public var apiVersion = Kube.apiVersion
        public var kind = "Node"
        public var metadata: ObjectMeta
        public var status: NodeStatus

        public init(metadata: ObjectMeta, status: NodeStatus) {
            self.metadata = metadata
            self.status = status
        }

        /// The `Ready` condition's status: `True`, `False` or `Unknown`.
        public var readyStatus: String { status.conditions.first { $0.type == "Ready" }?.status ?? "Unknown" }

        /// The `InternalIP` address, the one peers gossip with.
        public var internalIP: String? { status.addresses.first { $0.type == "InternalIP" }?.address }
    }

    public struct NodeStatus: Codable, Sendable, Hashable {
        public var addresses: [NodeAddress]
        public var conditions: [NodeCondition]

        public init(addresses: [NodeAddress], conditions: [NodeCondition]) {
            self.addresses = addresses
            self.conditions = conditions
        }
    }

    public struct NodeAddress: Codable, Sendable, Hashable {
        /// `InternalIP`.
        public var type: String
        public var address: String

        public init(type: String = "InternalIP", address: String) {
            self.type = type
            self.address = address
        }
    }

    public struct NodeCondition: Codable, Sendable, Hashable {
        /// `Ready`.
        public var type: String
        /// `True` (alive or suspect), `False` (failed) or `Unknown` (left).
        public var status: String
        /// `NodeFailed` or `NodeLeft` when not ready.
        public var reason: String?

        public init(type: String = "Ready", status: String, reason: String? = nil) {
            self.type = type
            self.status = status
            self.reason = reason
        }
    }
}
