import ClusterModel
import Foundation
import Systemd

/// The configuration of `agent run`, every value checked and typed.
///
/// Built by ``load(flags:environment:configFile:host:)`` from flags, `AGENT_*` environment
/// variables, the YAML config file and defaults, in that order of precedence (SPEC §2).
public struct AgentConfiguration: Sendable, Equatable {
    /// Where the gossip (UDP) socket listens.
    public var bind: IPv4Endpoint
    /// The address other nodes reach this one at.
    public var advertise: PeerAddress
    public var nodeName: NodeName
    /// The control socket's path.
    public var socket: String
    /// The state directory: catalog and keyring.
    public var dataDir: String
    /// Where metrics are served; nil when the user said `off`.
    public var metricsAddr: IPv4Endpoint?
    public var serviceCIDR: IPv4Network
    public var serviceNodePortRange: NodePortRange
    public var balance: BalancePolicy
    public var dataplane: Dataplane
    public var routes: PodRoutes
    /// This node's pod network; always set when `routes` is `host-gw`.
    public var podCIDR: IPv4Network?
    /// The networks whose local addresses answer NodePorts; empty for every local address.
    public var nodePortAddresses: [IPv4Network]
    /// Peers to join at start, as given: they are resolved when joining.
    public var join: [PeerSpec]
    /// The cluster key as given (base64); the Sealing module checks it.
    public var encrypt: String?
    public var keyringFile: String?
    public var insecureDev: Bool
    public var labels: [String: String]
    /// nil: choose automatically (journald under the journal, else text).
    public var logFormat: LogFormat?
    public var loadBalancer: LoadBalancerConfiguration

    /// Every value spelled out; ``load(flags:environment:configFile:host:)`` is where defaults
    /// are applied (from the table in ``ConfigurationKey``).
    public init(
        bind: IPv4Endpoint, advertise: PeerAddress, nodeName: NodeName, socket: String, dataDir: String,
        metricsAddr: IPv4Endpoint?, serviceCIDR: IPv4Network, serviceNodePortRange: NodePortRange, balance: BalancePolicy,
        dataplane: Dataplane, routes: PodRoutes, podCIDR: IPv4Network?, nodePortAddresses: [IPv4Network] = [], join: [PeerSpec], encrypt: String?,
        keyringFile: String?, insecureDev: Bool, labels: [String: String], logFormat: LogFormat?,
        loadBalancer: LoadBalancerConfiguration
    ) {
        self.bind = bind
        self.advertise = advertise
        self.nodeName = nodeName
        self.socket = socket
        self.dataDir = dataDir
        self.metricsAddr = metricsAddr
        self.serviceCIDR = serviceCIDR
        self.serviceNodePortRange = serviceNodePortRange
        self.balance = balance
        self.dataplane = dataplane
        self.routes = routes
        self.podCIDR = podCIDR
        self.nodePortAddresses = nodePortAddresses
        self.join = join
        self.encrypt = encrypt
        self.keyringFile = keyringFile
        self.insecureDev = insecureDev
        self.labels = labels
        self.logFormat = logFormat
        self.loadBalancer = loadBalancer
    }
}

/// How a Service's endpoint is chosen for a new connection.
public enum BalancePolicy: String, CaseIterable, Sendable {
    case roundRobin = "round-robin"
    case random
}

/// What programs the host's packet filter.
public enum Dataplane: String, CaseIterable, Sendable {
    case iptables
    /// Keep the catalog, program nothing.
    case none
}

/// How this host reaches the pod networks of the others.
public enum PodRoutes: String, CaseIterable, Sendable {
    case none
    /// A route per node, via that node's address: every host on one L2 segment.
    case hostGateway = "host-gw"
}

/// The cloud load balancer the leader registers the cluster's nodes with (config file only).
public struct LoadBalancerConfiguration: Sendable, Equatable {
    public enum Provider: Sendable, Equatable {
        case none
        case awsELBv2(AWS)
        /// Runs `command` with the desired state; the command's first element is the program.
        case exec(command: [String])
    }

    public struct AWS: Sendable, Equatable {
        public enum Scheme: String, CaseIterable, Sendable {
            case internetFacing = "internet-facing"
            case `internal`
        }

        public var region: String
        /// Another ELBv2/EC2 endpoint (a local emulator, say); nil for AWS's own.
        public var endpoint: URL?
        public var subnets: [String]
        public var scheme: Scheme

        public init(region: String, endpoint: URL? = nil, subnets: [String] = [], scheme: Scheme = .internetFacing) {
            self.region = region
            self.endpoint = endpoint
            self.subnets = subnets
            self.scheme = scheme
        }
    }

    public var provider: Provider

    public init(provider: Provider = .none) { self.provider = provider }
}
