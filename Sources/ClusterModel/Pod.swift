/// A Kubernetes v1 Pod, with the fields SPEC.md §4 lists: the agent runs no containers,
/// it only needs where a Pod is reachable and how to tell whether it is ready.
public struct Pod: Hashable, Sendable {
    public var metadata: ObjectMetadata
    public var spec: Spec
    public var status: Status

    public init(metadata: ObjectMetadata, spec: Spec, status: Status) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public var key: ObjectKey { ObjectKey(kind: .pod, namespace: metadata.namespace, name: metadata.name) }

    public struct Spec: Hashable, Sendable {
        /// nil: the node the Pod is applied on owns it.
        public var nodeName: NodeName?
        public var hostNetwork: Bool
        public var containers: [Container]

        public init(nodeName: NodeName? = nil, hostNetwork: Bool = false, containers: [Container] = []) {
            self.nodeName = nodeName
            self.hostNetwork = hostNetwork
            self.containers = containers
        }
    }

    public struct Container: Hashable, Sendable {
        public var ports: [ContainerPort]
        public var readinessProbe: ReadinessProbe?

        public init(ports: [ContainerPort] = [], readinessProbe: ReadinessProbe? = nil) {
            self.ports = ports
            self.readinessProbe = readinessProbe
        }
    }

    public struct ContainerPort: Hashable, Sendable {
        public var name: String?
        public var containerPort: Int
        public var `protocol`: TransportProtocol
        public var hostPort: Int?

        public init(name: String? = nil, containerPort: Int, protocol: TransportProtocol = .tcp, hostPort: Int? = nil) {
            self.name = name
            self.containerPort = containerPort
            self.protocol = `protocol`
            self.hostPort = hostPort
        }
    }

    public struct Status: Hashable, Sendable {
        /// nil only for a host-network Pod, whose address is its node's.
        public var podIP: IPv4?
        /// The latest result of the Pod's readiness probes, as its own node reported it (the
        /// `Ready` condition); nil until that node has probed it. Manifests never set it.
        public var ready: Bool?

        public init(podIP: IPv4? = nil, ready: Bool? = nil) {
            self.podIP = podIP
            self.ready = ready
        }
    }
}

/// A container's `readinessProbe`, run by the Pod's own node.
public struct ReadinessProbe: Hashable, Sendable {
    public enum Check: Hashable, Sendable {
        case tcpSocket(port: TargetPort)
        case httpGet(path: String, port: TargetPort)
    }

    public var check: Check
    public var periodSeconds: Int
    /// Consecutive failures after which a ready Pod is no longer ready.
    public var failureThreshold: Int

    public static let defaultPeriodSeconds = 10
    public static let defaultFailureThreshold = 3

    public init(check: Check, periodSeconds: Int = ReadinessProbe.defaultPeriodSeconds, failureThreshold: Int = ReadinessProbe.defaultFailureThreshold) {
        self.check = check
        self.periodSeconds = periodSeconds
        self.failureThreshold = failureThreshold
    }
}
