import ClusterModel
import Systemd

/// One setting of `agent run`, with every name it goes by.
///
/// This table is the single source of truth for those names: error messages, `--help` and
/// the documentation all take them from here. The raw value is the config file's key.
public enum ConfigurationKey: String, CaseIterable, Sendable {
    case bind
    case advertise
    case nodeName
    case socket
    case dataDir
    case metricsAddr
    case serviceCIDR
    case serviceNodePortRange
    case balance
    case dataplane
    case routes
    case podCIDR
    case nodePortAddresses
    case join
    case encrypt
    case keyringFile
    case insecureDev
    case labels
    case logFormat
    case loadBalancer

    /// The names and meaning of one key: a row of the table.
    public struct Row: Sendable {
        /// `--bind`; nil when the key is read only from the config file.
        public let flag: String?
        /// `AGENT_BIND`; nil when the key is read only from the config file.
        public let environmentVariable: String?
        /// The default: a value as a user would write it, or how it is worked out.
        public let `default`: Default
        /// What a valid value looks like, for error messages.
        public let expected: String
        /// One line on what the key is for.
        public let summary: String
        let shape: Shape

        /// The default as a user would read it in `--help`.
        public var defaultValue: String {
            switch `default` {
            case .literal(let value), .described(let value): value
            }
        }
    }

    public enum Default: Sendable {
        /// A value checked like any the user gives: the table is where defaults are set.
        case literal(String)
        /// Worked out when `agent run` starts, or nothing.
        case described(String)
    }

    /// How a value is written: it decides how flags, environment and YAML spell it.
    enum Shape: Sendable {
        /// One string.
        case text
        /// Repeatable flag, comma-separated environment variable, YAML sequence.
        case list
        /// Repeatable `k=v` flag, comma-separated `k=v` environment variable, YAML mapping.
        case labels
        /// Flag without a value, `true`/`false` in environment and YAML.
        case boolean
        /// A YAML mapping with keys of its own; config file only.
        case section
    }

    // The table. Keep it in the order of SPEC §2: `--help` and the order in which a
    // configuration is checked (and so which error comes first) follow it.
    public var row: Row {
        switch self {
        case .bind:
            Row(
                flag: "--bind", environmentVariable: "AGENT_BIND", default: .literal("0.0.0.0:7950"),
                expected: "host:port such as 0.0.0.0:7950, host, or :port",
                summary: "where the gossip (UDP) socket listens", shape: .text)
        case .advertise:
            Row(
                flag: "--advertise", environmentVariable: "AGENT_ADVERTISE",
                default: .described("the bind address if it names one, else the first non-loopback IPv4 of the host"),
                expected: "an IPv4 address such as 10.0.0.1, with an optional :port",
                summary: "the address other nodes reach this one at", shape: .text)
        case .nodeName:
            Row(
                flag: "--node-name", environmentVariable: "AGENT_NODE_NAME", default: .described("the host name"),
                expected: "1–255 bytes without white space or control characters",
                summary: "the name this node is known by in the cluster", shape: .text)
        case .socket:
            Row(
                flag: "--socket", environmentVariable: "AGENT_SOCKET", default: .literal("/run/agent/agent.sock"),
                expected: "a file path", summary: "the control socket (HTTP/1.1 + JSON), mode 0660", shape: .text)
        case .dataDir:
            Row(
                flag: "--data-dir", environmentVariable: "AGENT_DATA_DIR", default: .literal("/var/lib/agent"),
                expected: "a directory path", summary: "where the catalog and keyring are kept", shape: .text)
        case .metricsAddr:
            Row(
                flag: "--metrics-addr", environmentVariable: "AGENT_METRICS_ADDR", default: .literal("127.0.0.1:9950"),
                expected: "host:port such as 127.0.0.1:9950, or off",
                summary: "where Prometheus metrics are served (GET /metrics)", shape: .text)
        case .serviceCIDR:
            Row(
                flag: "--service-cidr", environmentVariable: "AGENT_SERVICE_CIDR", default: .literal("10.96.0.0/12"),
                expected: "an IPv4 network address with a prefix of 8 to 30, such as 10.96.0.0/12",
                summary: "the range ClusterIPs are taken from", shape: .text)
        case .serviceNodePortRange:
            Row(
                flag: "--service-node-port-range", environmentVariable: "AGENT_SERVICE_NODE_PORT_RANGE",
                default: .literal("30000-32767"), expected: "low-high within 1–65535, such as 30000-32767",
                summary: "the ports NodePorts are taken from", shape: .text)
        case .balance:
            Row(
                flag: "--balance", environmentVariable: "AGENT_BALANCE", default: .literal(BalancePolicy.roundRobin.rawValue),
                expected: Self.oneOf(BalancePolicy.self), summary: "how a connection's endpoint is chosen",
                shape: .text)
        case .dataplane:
            Row(
                flag: "--dataplane", environmentVariable: "AGENT_DATAPLANE", default: .literal(Dataplane.iptables.rawValue),
                expected: Self.oneOf(Dataplane.self), summary: "what programs the host's packet filter",
                shape: .text)
        case .routes:
            Row(
                flag: "--routes", environmentVariable: "AGENT_ROUTES", default: .literal(PodRoutes.none.rawValue),
                expected: Self.oneOf(PodRoutes.self), summary: "how pod networks of other hosts are reached",
                shape: .text)
        case .podCIDR:
            Row(
                flag: "--pod-cidr", environmentVariable: "AGENT_POD_CIDR", default: .described("none (required with routes host-gw)"),
                expected: "an IPv4 network address with its prefix, such as 10.244.1.0/24",
                summary: "this node's pod network", shape: .text)
        case .nodePortAddresses:
            Row(
                flag: "--nodeport-addresses", environmentVariable: "AGENT_NODE_PORT_ADDRESSES", default: .described("every local address"),
                expected: "IPv4 networks such as 10.0.0.0/8 (the local addresses within them answer NodePorts)",
                summary: "where NodePorts answer (repeatable flag; comma-separated in the environment)", shape: .list)
        case .join:
            Row(
                flag: "--join", environmentVariable: "AGENT_JOIN", default: .described("none"),
                expected: "host or host:port such as 10.0.0.1:7950 (port 7950 when left out)",
                summary: "peers to join at start (repeatable flag; comma-separated in the environment)", shape: .list)
        case .encrypt:
            Row(
                flag: "--encrypt", environmentVariable: "AGENT_ENCRYPT", default: .described("none"),
                expected: "a cluster key from `agent keygen` (base64 of 32 bytes)",
                summary: "the cluster key (the runtime refuses to start without one unless insecureDev)", shape: .text)
        case .keyringFile:
            Row(
                flag: "--keyring-file", environmentVariable: "AGENT_KEYRING_FILE", default: .described("none"),
                expected: "a file path", summary: "a keyring file to start with", shape: .text)
        case .insecureDev:
            Row(
                flag: "--insecure-dev", environmentVariable: "AGENT_INSECURE_DEV", default: .literal("false"),
                expected: "true or false", summary: "run without a cluster key (development only)", shape: .boolean)
        case .labels:
            Row(
                flag: "--label", environmentVariable: "AGENT_LABELS", default: .described("none"),
                expected: "key=value with a Kubernetes label key (optional DNS prefix/, name of at most 63 of "
                    + "A-Z a-z 0-9 - _ .) and a value of at most 63 of the same, or empty",
                summary: "this node's labels (repeatable flag; comma-separated in the environment)", shape: .labels)
        case .logFormat:
            Row(
                flag: "--log-format", environmentVariable: "AGENT_LOG_FORMAT",
                default: .described("journald under systemd's journal, else text"),
                expected: Self.oneOf(LogFormat.self), summary: "how logs are written", shape: .text)
        case .loadBalancer:
            Row(
                flag: nil, environmentVariable: nil, default: .described("provider none"),
                expected: "a mapping with provider (aws-elbv2, exec or none), aws: and exec:",
                summary: "the cloud load balancer the leader registers nodes with (config file only)", shape: .section)
        }
    }

    /// The config file's name of the key.
    public var yamlKey: String { rawValue }

    static func oneOf<Choice: RawRepresentable<String> & CaseIterable>(_ type: Choice.Type) -> String {
        "one of " + Choice.allCases.map(\.rawValue).joined(separator: ", ")
    }
}

/// Where the config file is looked for, and how it is named on the command line.
public enum ConfigurationFileLocation {
    public static let defaultPath = "/etc/agent/agent.yaml"
    public static let flag = "--config"
    public static let environmentVariable = "AGENT_CONFIG"
}
