extension Kube {
    /// A v1 Endpoints: the ready Pods behind one Service, under the Service's name.
    ///
    /// As in Kubernetes, Pods that serve the same set of ports share a subset; a Pod whose
    /// named `targetPort` resolves to other numbers gets a subset of its own.
    public struct Endpoints: Codable, Sendable, Hashable {
        public var apiVersion = Kube.apiVersion
        public var kind = "Endpoints"
        public var metadata: ObjectMeta
        /// Empty when no Pod is ready.
        public var subsets: [EndpointSubset]

        public init(metadata: ObjectMeta, subsets: [EndpointSubset] = []) {
            self.metadata = metadata
            self.subsets = subsets
        }
    }

    public struct EndpointSubset: Codable, Sendable, Hashable {
        public var addresses: [EndpointAddress]?
        public var ports: [EndpointPort]?

        public init(addresses: [EndpointAddress]? = nil, ports: [EndpointPort]? = nil) {
            self.addresses = addresses
            self.ports = ports
        }
    }

    public struct EndpointAddress: Codable, Sendable, Hashable {
        public var ip: String
        public var nodeName: String?
        /// The Pod behind this address.
        public var targetRef: ObjectReference?

        public init(ip: String, nodeName: String? = nil, targetRef: ObjectReference? = nil) {
            self.ip = ip
            self.nodeName = nodeName
            self.targetRef = targetRef
        }
    }

    public struct EndpointPort: Codable, Sendable, Hashable {
        /// The Service port's name.
        public var name: String?
        /// The Pods' port: the Service port's `targetPort`, resolved.
        public var port: Int
        public var `protocol`: String

        public init(name: String? = nil, port: Int, protocol: String = "TCP") {
            self.name = name
            self.port = port
            self.protocol = `protocol`
        }
    }

    public struct ObjectReference: Codable, Sendable, Hashable {
        public var kind: String
        public var namespace: String?
        public var name: String

        public init(kind: String, namespace: String? = nil, name: String) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
        }
    }
}
