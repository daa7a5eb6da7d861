extension Kube {
    /// A v1 Service with what the cluster assigned it: `spec.clusterIP` and each port's
    /// `nodePort` are the allocated values, whether the user pinned them or not.
    public struct Service: Codable, Sendable, Hashable {
        public var apiVersion = Kube.apiVersion
        public var kind = "Service"
        public var metadata: ObjectMeta
        public var spec: ServiceSpec
        public var status: ServiceStatus

        public init(metadata: ObjectMeta, spec: ServiceSpec, status: ServiceStatus = ServiceStatus()) {
            self.metadata = metadata
            self.spec = spec
            self.status = status
        }
    }

    public struct ServiceSpec: Codable, Sendable, Hashable {
        /// `ClusterIP`, `NodePort` or `LoadBalancer`.
        public var type: String
        public var selector: [String: String]?
        public var ports: [ServicePort]
        /// The allocated address, or `None` for a headless Service.
        public var clusterIP: String
        public var clusterIPs: [String]
        /// `None` or `ClientIP`.
        public var sessionAffinity: String
        public var sessionAffinityConfig: SessionAffinityConfig?
        /// `Cluster` or `Local`; only for NodePort and LoadBalancer Services, as in Kubernetes.
        public var externalTrafficPolicy: String?
        public var healthCheckNodePort: Int?
        public var loadBalancerSourceRanges: [String]?

        public init(
            type: String, selector: [String: String]? = nil, ports: [ServicePort] = [], clusterIP: String,
            clusterIPs: [String]? = nil, sessionAffinity: String = "None", sessionAffinityConfig: SessionAffinityConfig? = nil,
            externalTrafficPolicy: String? = nil, healthCheckNodePort: Int? = nil, loadBalancerSourceRanges: [String]? = nil
        ) {
            self.type = type
            self.selector = selector
            self.ports = ports
            self.clusterIP = clusterIP
            self.clusterIPs = clusterIPs ?? [clusterIP]
            self.sessionAffinity = sessionAffinity
            self.sessionAffinityConfig = sessionAffinityConfig
            self.externalTrafficPolicy = externalTrafficPolicy
            self.healthCheckNodePort = healthCheckNodePort
            self.loadBalancerSourceRanges = loadBalancerSourceRanges
        }
    }

    public struct ServicePort: Codable, Sendable, Hashable {
        public var name: String?
        /// `TCP` or `UDP`.
        public var `protocol`: String
        public var port: Int
        public var targetPort: IntOrString
        /// The allocated NodePort; nil for a ClusterIP Service.
        public var nodePort: Int?

        public init(name: String? = nil, protocol: String = "TCP", port: Int, targetPort: IntOrString, nodePort: Int? = nil) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.targetPort = targetPort
            self.nodePort = nodePort
        }
    }

    public struct SessionAffinityConfig: Codable, Sendable, Hashable {
        public struct ClientIPConfig: Codable, Sendable, Hashable {
            public var timeoutSeconds: Int?

            public init(timeoutSeconds: Int?) { self.timeoutSeconds = timeoutSeconds }
        }

        public var clientIP: ClientIPConfig?

        public init(clientIP: ClientIPConfig?) { self.clientIP = clientIP }
    }

    public struct ServiceStatus: Codable, Sendable, Hashable {
        /// Always present (`{}` until the leader registers a load balancer), as in Kubernetes.
        public var loadBalancer: LoadBalancerStatus
        /// `Conflict` while the Service holds a ClusterIP or NodePort an older Service keeps.
        public var conditions: [Condition]?

        public init(loadBalancer: LoadBalancerStatus = LoadBalancerStatus(), conditions: [Condition]? = nil) {
            self.loadBalancer = loadBalancer
            self.conditions = conditions
        }
    }

    public struct LoadBalancerStatus: Codable, Sendable, Hashable {
        /// nil until a load balancer is registered: kubectl then shows `<pending>`.
        public var ingress: [LoadBalancerIngress]?

        public init(ingress: [LoadBalancerIngress]? = nil) { self.ingress = ingress }
    }

    public struct LoadBalancerIngress: Codable, Sendable, Hashable {
        public var ip: String?
        public var hostname: String?

        public init(ip: String? = nil, hostname: String? = nil) {
            self.ip = ip
            self.hostname = hostname
        }
    }
}
