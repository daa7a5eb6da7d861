import Catalog
import ClusterModel

/// What the data plane is planned from: one node's view of the catalog.
public struct DataPlaneInput: Hashable, Sendable {
    /// Services with rules: live, not in `Conflict`, each with its endpoints (all ports).
    public var services: [PlannedService]
    /// The hostPorts of Pods on this node.
    public var hostPorts: [HostPort]

    public init(services: [PlannedService], hostPorts: [HostPort]) {
        // In key order, so that two inputs from equal catalogs are equal.
        self.services = services.sorted { $0.service.key < $1.service.key }
        self.hostPorts = hostPorts.sorted { ($0.protocol.rawValue, $0.hostPort, $0.pod) < ($1.protocol.rawValue, $1.hostPort, $1.pod) }
    }

    /// From a catalog: Services not in `conflicts` with the endpoints on `liveNodes`, and
    /// the hostPorts of `node`'s Pods.
    public init(replica: CatalogReplica, conflicts: Set<ObjectKey>, liveNodes: Set<NodeName>, node: NodeName) {
        let index = EndpointIndex(replica, liveNodes: liveNodes)
        // Straight from the entries: `replica.services` and `.pods` sort, which the planner
        // does not need (it sorts what it plans), and a sort of 50,000 Pods per sync shows.
        var services: [PlannedService] = []
        var hostPorts: [HostPort] = []
        for entry in replica.entries.values {
            if let service = entry.service, !conflicts.contains(entry.key) {
                services.append(PlannedService(service: service, endpoints: index.endpoints(for: service.service)))
            } else if let pod = entry.pod, pod.spec.nodeName == node, !pod.spec.hostNetwork {
                hostPorts += HostPort.of(pod)
            }
        }
        self.services = services
        self.hostPorts = hostPorts
    }
}

public struct PlannedService: Hashable, Sendable {
    public var service: AllocatedService
    public var endpoints: [Endpoint]

    public init(service: AllocatedService, endpoints: [Endpoint]) {
        self.service = service
        self.endpoints = endpoints
    }
}

/// A container port published on its node's addresses (`hostPort`).
public struct HostPort: Hashable, Sendable {
    public var pod: ObjectKey
    public var `protocol`: TransportProtocol
    public var hostPort: Int
    public var address: IPv4
    public var containerPort: Int

    static func of(_ pod: Pod) -> [HostPort] {
        guard let address = pod.status.podIP else { return [] }
        return pod.spec.containers.flatMap(\.ports).compactMap { port in
            port.hostPort.map {
                HostPort(pod: pod.key, protocol: port.protocol, hostPort: $0, address: address, containerPort: port.containerPort)
            }
        }
    }
}

/// How a new connection picks one of a Service's endpoints.
public enum EndpointChoice: String, Hashable, Sendable {
    /// `-m statistic --mode nth`: each endpoint in turn, per node.
    case roundRobin = "round-robin"
    /// `-m statistic --mode random`: each with equal odds.
    case random
}

public struct DataPlaneSettings: Hashable, Sendable {
    /// This node: its Pods are the local endpoints of `externalTrafficPolicy: Local`.
    public var node: NodeName
    public var choice: EndpointChoice
    /// The addresses NodePorts answer on; nil for every local address.
    public var nodePortAddresses: [IPv4]?

    public init(node: NodeName, choice: EndpointChoice = .roundRobin, nodePortAddresses: [IPv4]? = nil) {
        self.node = node
        self.choice = choice
        self.nodePortAddresses = nodePortAddresses
    }
}

/// The rule planner: a pure function from a node's view of the catalog to the rules it owns
/// (ARCHITECTURE.md, "Data plane"). kube-proxy's iptables mode is the reference for what
/// traffic does; the layout is ours, for the cost of iptables on nf_tables, where chains
/// cost most: one chain per Service port with its DNATs inline, no chain per endpoint.
///
/// nat:
/// - `AGENT-SERVICES` (from PREROUTING and OUTPUT): a ClusterIP:port with endpoints jumps to
///   its `AGENT-SVC-…`; then local destinations to `AGENT-HOSTPORTS` and `AGENT-NODEPORTS`.
/// - `AGENT-NODEPORTS`: NodePort traffic is marked for masquerade and goes to `AGENT-SVC-…`,
///   or, for `externalTrafficPolicy: Local`, unmarked to `AGENT-LCL-…` (local endpoints).
/// - `AGENT-SVC-…` / `AGENT-LCL-…`: marks hairpin traffic (an endpoint reaching itself),
///   keeps ClientIP affinity (`-m recent`), then DNATs round-robin or at random.
/// - `AGENT-MARK-MASQ`, `AGENT-POSTROUTING` (from POSTROUTING): masquerade marked packets.
///
/// filter (jumps for new connections only):
/// - `AGENT-SERVICES` (FORWARD, OUTPUT): REJECT a ClusterIP:port without endpoints.
/// - `AGENT-EXTERNAL` (INPUT, FORWARD): REJECT a NodePort without endpoints; DROP a Local
///   one without local endpoints.
/// - `AGENT-FIREWALL` (INPUT, FORWARD): `loadBalancerSourceRanges` of NodePorts, via
///   `AGENT-FW-…`.
/// - `AGENT-FORWARD` (FORWARD): accept what the agent NATs, whatever FORWARD's policy.
public enum RulePlanner {
    public static let masqueradeMark = "0x4000"

    public static func rules(for input: DataPlaneInput, settings: DataPlaneSettings) -> RuleSet {
        var plan = Plan(settings: settings)
        for planned in input.services.sorted(by: { $0.service.key < $1.service.key }) {
            plan.add(planned)
        }
        plan.add(input.hostPorts.sorted { ($0.protocol.rawValue, $0.hostPort, $0.pod) < ($1.protocol.rawValue, $1.hostPort, $1.pod) })
        return plan.finished()
    }

    /// The jumps into built-in chains, always the same.
    static let jumps = RuleSet(
        nat: TableRules(jumps: [
            Jump(chain: "PREROUTING", rule: #"-m comment --comment "agent service portals" -j AGENT-SERVICES"#),
            Jump(chain: "OUTPUT", rule: #"-m comment --comment "agent service portals" -j AGENT-SERVICES"#),
            Jump(chain: "POSTROUTING", rule: #"-m comment --comment "agent masquerade" -j AGENT-POSTROUTING"#),
        ]),
        filter: TableRules(jumps: [
            Jump(chain: "INPUT", rule: #"-m conntrack --ctstate NEW -m comment --comment "agent firewall" -j AGENT-FIREWALL"#),
            Jump(chain: "INPUT", rule: #"-m conntrack --ctstate NEW -m comment --comment "agent external services" -j AGENT-EXTERNAL"#),
            Jump(chain: "FORWARD", rule: #"-m conntrack --ctstate NEW -m comment --comment "agent firewall" -j AGENT-FIREWALL"#),
            Jump(chain: "FORWARD", rule: #"-m conntrack --ctstate NEW -m comment --comment "agent service portals" -j AGENT-SERVICES"#),
            Jump(chain: "FORWARD", rule: #"-m conntrack --ctstate NEW -m comment --comment "agent external services" -j AGENT-EXTERNAL"#),
            Jump(chain: "FORWARD", rule: #"-m comment --comment "agent forwarding" -j AGENT-FORWARD"#),
            Jump(chain: "OUTPUT", rule: #"-m conntrack --ctstate NEW -m comment --comment "agent service portals" -j AGENT-SERVICES"#),
        ]))
}

/// The rules being built, chain by chain.
private struct Plan {
    let settings: DataPlaneSettings
    var natServices: [String] = []
    var natNodePorts: [String] = []
    var natHostPorts: [String] = []
    var filterServices: [String] = []
    var filterExternal: [String] = []
    var filterFirewall: [String] = []
    var natChains: [String: [String]] = [:]
    var filterChains: [String: [String]] = [:]

    init(settings: DataPlaneSettings) {
        self.settings = settings
    }

    mutating func add(_ planned: PlannedService) {
        let allocated = planned.service
        let service = allocated.service
        // Headless: clients find the Pods themselves; nothing is proxied.
        guard let clusterIP = allocated.allocation.clusterIP else { return }
        for (index, port) in service.spec.ports.enumerated() {
            let name = "\(service.metadata.namespace)/\(service.metadata.name)\(port.name.map { ":\($0)" } ?? "")"
            let identity = "\(name)/\(port.protocol.rawValue)"
            let proto = port.protocol.rawValue.lowercased()
            let endpoints = planned.endpoints.filter { $0.servicePort == port }
            let chain = ChainName.hashed("SVC", identity)
            if !endpoints.isEmpty {
                natChains[chain] = balancing(endpoints, proto: proto, affinity: service.spec.sessionAffinity, identity: identity)
            }
            if endpoints.isEmpty {
                filterServices.append(
                    "-d \(clusterIP)/32 -p \(proto) -m comment --comment \"\(name) has no endpoints\" -m \(proto) --dport \(port.port) -j REJECT --reject-with icmp-port-unreachable"
                )
            } else {
                natServices.append(
                    "-d \(clusterIP)/32 -p \(proto) -m comment --comment \"\(name) cluster IP\" -m \(proto) --dport \(port.port) -j \(chain)")
            }
            guard service.spec.type.hasNodePorts, let nodePort = allocated.allocation.nodePorts[index] else { continue }
            let external = "-p \(proto) -m comment --comment \"\(name)\" -m \(proto) --dport \(nodePort)"
            let local = endpoints.filter { $0.node == settings.node }
            if endpoints.isEmpty {
                filterExternal.append(
                    "-p \(proto) -m addrtype --dst-type LOCAL -m comment --comment \"\(name) has no endpoints\" -m \(proto) --dport \(nodePort) -j REJECT --reject-with icmp-port-unreachable"
                )
            } else if service.spec.externalTrafficPolicy == .local {
                if local.isEmpty {
                    filterExternal.append(
                        "-p \(proto) -m addrtype --dst-type LOCAL -m comment --comment \"\(name) has no local endpoints\" -m \(proto) --dport \(nodePort) -j DROP"
                    )
                } else {
                    let localChain = ChainName.hashed("LCL", identity)
                    natChains[localChain] = balancing(local, proto: proto, affinity: service.spec.sessionAffinity, identity: "\(identity) local")
                    natNodePorts.append("\(external) -j \(localChain)")
                }
            } else {
                natNodePorts.append("\(external) -j AGENT-MARK-MASQ")
                natNodePorts.append("\(external) -j \(chain)")
            }
            if service.spec.type == .loadBalancer, !service.spec.loadBalancerSourceRanges.isEmpty {
                let firewall = ChainName.hashed("FW", identity)
                filterChains[firewall] =
                    service.spec.loadBalancerSourceRanges.map { "-s \($0) -j RETURN" } + ["-j DROP"]
                filterFirewall.append(
                    "-p \(proto) -m comment --comment \"\(name) loadBalancerSourceRanges\" -m conntrack --ctorigdstport \(nodePort) -j \(firewall)")
            }
        }
    }

    mutating func add(_ hostPorts: [HostPort]) {
        for hostPort in hostPorts {
            let proto = hostPort.protocol.rawValue.lowercased()
            natHostPorts.append(
                "-p \(proto) -m comment --comment \"\(hostPort.pod.namespace)/\(hostPort.pod.name) hostPort\" -m \(proto) --dport \(hostPort.hostPort) -j DNAT --to-destination \(hostPort.address):\(hostPort.containerPort)"
            )
        }
    }

    /// A Service chain: hairpin marks, affinity, then one DNAT per endpoint.
    func balancing(_ endpoints: [Endpoint], proto: String, affinity: SessionAffinity, identity: String) -> [String] {
        var rules: [String] = []
        for address in Set(endpoints.map(\.address)).sorted() {
            rules.append("-s \(address)/32 -j AGENT-MARK-MASQ")
        }
        let recent: (Endpoint) -> String = { endpoint in
            "--name \(ChainName.hashed("AFF", "\(identity) \(endpoint.address):\(endpoint.port)")) --mask 255.255.255.255 --rsource"
        }
        if case .clientIP(let seconds) = affinity {
            for endpoint in endpoints {
                rules.append(
                    "-p \(proto) -m recent --rcheck --seconds \(seconds) --reap \(recent(endpoint)) -j DNAT --to-destination \(endpoint.address):\(endpoint.port)"
                )
            }
        }
        for (index, endpoint) in endpoints.enumerated() {
            let remaining = endpoints.count - index
            var rule = "-p \(proto)"
            if remaining > 1 {
                switch settings.choice {
                case .roundRobin: rule += " -m statistic --mode nth --every \(remaining) --packet 0"
                case .random: rule += " -m statistic --mode random --probability \(Self.probability(1, in: remaining))"
                }
            }
            if case .clientIP = affinity { rule += " -m recent --set \(recent(endpoint))" }
            rules.append("\(rule) -j DNAT --to-destination \(endpoint.address):\(endpoint.port)")
        }
        return rules
    }

    /// `count/total` as iptables-save prints a statistic probability: the kernel keeps it in
    /// 31 bits, and the text shows what it kept, to 11 places.
    static func probability(_ count: Int, in total: Int) -> String {
        let kept = (Double(count) / Double(total) * 2_147_483_648).rounded()
        return format11(kept / 2_147_483_648)
    }

    private static func format11(_ value: Double) -> String {
        // 11 decimal places without Foundation: scale, round half to even as printf does
        // closely enough for values in (0, 1).
        let scaled = (value * 100_000_000_000).rounded()
        let whole = Int(scaled) / 100_000_000_000
        let fraction = String(Int(scaled) % 100_000_000_000)
        return "\(whole)." + String(repeating: "0", count: 11 - fraction.count) + fraction
    }

    func finished() -> RuleSet {
        var nat = natChains
        var natServices = natServices
        if !natHostPorts.isEmpty { natServices.append("-m addrtype --dst-type LOCAL -j AGENT-HOSTPORTS") }
        if let addresses = settings.nodePortAddresses {
            natServices += addresses.sorted().map { "-d \($0)/32 -j AGENT-NODEPORTS" }
        } else {
            natServices.append("-m addrtype --dst-type LOCAL -j AGENT-NODEPORTS")
        }
        nat["AGENT-SERVICES"] = natServices
        nat["AGENT-NODEPORTS"] = natNodePorts
        nat["AGENT-HOSTPORTS"] = natHostPorts
        nat["AGENT-MARK-MASQ"] = ["-j MARK --set-xmark \(RulePlanner.masqueradeMark)/\(RulePlanner.masqueradeMark)"]
        nat["AGENT-POSTROUTING"] = [
            "-m mark ! --mark \(RulePlanner.masqueradeMark)/\(RulePlanner.masqueradeMark) -j RETURN",
            "-j MARK --set-xmark \(RulePlanner.masqueradeMark)/0x0",
            "-j MASQUERADE --random-fully",
        ]
        var filter = filterChains
        filter["AGENT-SERVICES"] = filterServices
        filter["AGENT-EXTERNAL"] = filterExternal
        filter["AGENT-FIREWALL"] = filterFirewall
        filter["AGENT-FORWARD"] = [
            "-m comment --comment \"agent masquerade\" -m mark --mark \(RulePlanner.masqueradeMark)/\(RulePlanner.masqueradeMark) -j ACCEPT",
            "-m comment --comment \"agent NAT\" -m conntrack --ctstate DNAT -j ACCEPT",
        ]
        return RuleSet(
            nat: TableRules(chains: nat, jumps: RulePlanner.jumps.nat.jumps),
            filter: TableRules(chains: filter, jumps: RulePlanner.jumps.filter.jumps))
    }
}
