import ClusterModel

/// `--routes host-gw`: every live node's pod CIDR is reached through that node, as flannel's
/// host-gw backend does. The nodes must share a link; each announces its pod CIDR as a
/// label (``podCIDRLabel``). The agent marks its routes with its own routing protocol
/// number, so that it finds and removes exactly those it made.
public enum PodRouting {
    /// The member label that carries a node's pod CIDR, `10.244.1.0-24` for 10.244.1.0/24
    /// (a label value may not hold a slash).
    public static let podCIDRLabel = "nodeagent.io/pod-cidr"
    /// The `proto` of the agent's routes: 77 is unassigned in iproute2's rt_protos.
    public static let routeProtocol = 77

    public static func labelValue(_ network: IPv4Network) -> String {
        "\(network.address)-\(network.prefixLength)"
    }

    public static func network(fromLabel value: String) -> IPv4Network? {
        guard let dash = value.lastIndex(of: "-") else { return nil }
        return IPv4Network("\(value[..<dash])/\(value[value.index(after: dash)...])")
    }

    public struct Route: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var destination: IPv4Network
        public var gateway: IPv4

        public init(destination: IPv4Network, gateway: IPv4) {
            self.destination = destination
            self.gateway = gateway
        }

        public static func < (lhs: Route, rhs: Route) -> Bool { (lhs.destination.address, lhs.gateway) < (rhs.destination.address, rhs.gateway) }
        public var description: String { "\(destination) via \(gateway)" }
    }

    /// A member as routing needs it.
    public struct Node: Hashable, Sendable {
        public var name: NodeName
        public var address: IPv4
        public var labels: [String: String]
        public var isLive: Bool

        public init(name: NodeName, address: IPv4, labels: [String: String], isLive: Bool) {
            self.name = name
            self.address = address
            self.labels = labels
            self.isLive = isLive
        }
    }

    /// A route to each other live node's pod CIDR, through it.
    public static func desired(_ nodes: [Node], this node: NodeName) -> [Route] {
        nodes.compactMap { member in
            guard member.name != node, member.isLive, let value = member.labels[podCIDRLabel], let network = network(fromLabel: value)
            else { return nil }
            return Route(destination: network, gateway: member.address)
        }.sorted()
    }

    /// The agent's routes in `ip -4 route show proto 77` output.
    public static func installed(_ text: String) -> [Route] {
        text.split(separator: "\n").compactMap { (line: Substring) -> Route? in
            let words = line.split(separator: " ").map(String.init)
            guard let via = words.firstIndex(of: "via"), via + 1 < words.count, let first = words.first,
                let gateway = IPv4(words[via + 1]), let destination = IPv4Network(first.contains("/") ? first : "\(first)/32")
            else { return nil }
            return Route(destination: destination, gateway: gateway)
        }.sorted()
    }

    /// `ip` arguments that take the installed routes to the desired ones.
    public static func commands(from installed: [Route], to desired: [Route]) -> [[String]] {
        let wanted = Set(desired)
        let stale = installed.filter { !wanted.contains($0) && !desired.map(\.destination).contains($0.destination) }
        let have = Set(installed)
        return stale.map { ["route", "del", "\($0.destination)", "via", "\($0.gateway)", "proto", "\(routeProtocol)"] }
            + desired.filter { !have.contains($0) }.map {
                ["route", "replace", "\($0.destination)", "via", "\($0.gateway)", "proto", "\(routeProtocol)"]
            }
    }
}
