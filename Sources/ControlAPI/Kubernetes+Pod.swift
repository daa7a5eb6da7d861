extension Kube {
    /// A v1 Pod as the catalog knows it: where it runs and whether it is ready. The agent runs
    /// no containers, so there are no images or container statuses.
    public struct Pod: Codable, Sendable, Hashable {
        public var apiVersion = Kube.apiVersion
        public var kind = "Pod"
        public var metadata: ObjectMeta
        public var spec: PodSpec
        public var status: PodStatus

        public init(metadata: ObjectMeta, spec: PodSpec, status: PodStatus) {
            self.metadata = metadata
            self.spec = spec
            self.status = status
        }

        /// Whether the `Ready` condition is `True`.
        public var isReady: Bool { status.conditions.contains { $0.type == "Ready" && $0.status == "True" } }
    }

    public struct PodSpec: Codable, Sendable, Hashable {
        /// The node that owns the Pod and runs its readiness probes.
        public var nodeName: String
        /// Only written when true, as Kubernetes does.
        public var hostNetwork: Bool?
        public var containers: [Container]

        public init(nodeName: String, hostNetwork: Bool? = nil, containers: [Container] = []) {
            self.nodeName = nodeName
            self.hostNetwork = hostNetwork
            self.containers = containers
        }
    }

    public struct Container: Codable, Sendable, Hashable {
        /// nil: the catalog does not keep container names.
        public var name: String?
        public var ports: [ContainerPort]?
        public var readinessProbe: Probe?

        public init(name: String? = nil, ports: [ContainerPort]? = nil, readinessProbe: Probe? = nil) {
            self.name = name
            self.ports = ports
            self.readinessProbe = readinessProbe
        }
    }

    public struct ContainerPort: Codable, Sendable, Hashable {
        public var name: String?
        public var containerPort: Int
        public var `protocol`: String
        public var hostPort: Int?

        public init(name: String? = nil, containerPort: Int, protocol: String = "TCP", hostPort: Int? = nil) {
            self.name = name
            self.containerPort = containerPort
            self.protocol = `protocol`
            self.hostPort = hostPort
        }
    }

    /// A readiness probe: exactly one of `tcpSocket` and `httpGet` is set.
    public struct Probe: Codable, Sendable, Hashable {
        public struct TCPSocketAction: Codable, Sendable, Hashable {
            public var port: IntOrString

            public init(port: IntOrString) { self.port = port }
        }

        public struct HTTPGetAction: Codable, Sendable, Hashable {
            public var path: String
            public var port: IntOrString

            public init(path: String, port: IntOrString) {
                self.path = path
                self.port = port
            }
        }

        public var tcpSocket: TCPSocketAction?
        public var httpGet: HTTPGetAction?
        public var periodSeconds: Int
        public var failureThreshold: Int

        public init(tcpSocket: TCPSocketAction? = nil, httpGet: HTTPGetAction? = nil, periodSeconds: Int, failureThreshold: Int) {
            self.tcpSocket = tcpSocket
            self.httpGet = httpGet
            self.periodSeconds = periodSeconds
            self.failureThreshold = failureThreshold
        }
    }

    public struct PodStatus: Codable, Sendable, Hashable {
        /// `Running` while the Pod's node is alive or suspect, `Unknown` once it failed or left.
        public var phase: String
        public var podIP: String?
        /// The address of the Pod's node, when it is a member.
        public var hostIP: String?
        /// One `Ready` condition.
        public var conditions: [PodCondition]

        public init(phase: String, podIP: String? = nil, hostIP: String? = nil, conditions: [PodCondition] = []) {
            self.phase = phase
            self.podIP = podIP
            self.hostIP = hostIP
            self.conditions = conditions
        }
    }

    public struct PodCondition: Codable, Sendable, Hashable {
        public var type: String
        /// `True` or `False`.
        public var status: String

        public init(type: String, status: String) {
            self.type = type
            self.status = status
        }
    }
}
