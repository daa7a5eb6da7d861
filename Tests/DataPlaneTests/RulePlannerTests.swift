import Catalog
import ClusterModel
import DataPlane
import Testing

@Suite("Rule planner: the text of every rule")
struct RulePlannerTests {
    @Test("a ClusterIP Service with three endpoints: one jump from AGENT-SERVICES, hairpin marks, then round-robin DNATs")
    func clusterIPRoundRobin() {
        let set = rules([planned("web", endpointsOn: ["h1", "h2", "h3"])])
        let chain = ChainName.hashed("SVC", "default/web:http/TCP")
        #expect(set.nat.chains["AGENT-SERVICES"] == [
            "-d 10.96.0.10/32 -p tcp -m comment --comment \"default/web:http cluster IP\" -m tcp --dport 80 -j \(chain)",
            "-m addrtype --dst-type LOCAL -j AGENT-NODEPORTS",
        ])
        #expect(set.nat.chains[chain] == [
            "-s 10.244.1.2/32 -j AGENT-MARK-MASQ",
            "-s 10.244.2.3/32 -j AGENT-MARK-MASQ",
            "-s 10.244.3.4/32 -j AGENT-MARK-MASQ",
            "-p tcp -m statistic --mode nth --every 3 --packet 0 -j DNAT --to-destination 10.244.1.2:8080",
            "-p tcp -m statistic --mode nth --every 2 --packet 0 -j DNAT --to-destination 10.244.2.3:8080",
            "-p tcp -j DNAT --to-destination 10.244.3.4:8080",
        ])
        #expect(set.filter.chains["AGENT-SERVICES"] == [])
    }

    @Test("random choice gives each of N endpoints odds of 1/N, written as iptables-save prints them")
    func randomChoice() {
        let set = rules([planned("web", endpointsOn: ["h1", "h2", "h3"])], choice: .random)
        let chain = ChainName.hashed("SVC", "default/web:http/TCP")
        #expect(Array(set.nat.chains[chain]!.suffix(3)) == [
            "-p tcp -m statistic --mode random --probability 0.33333333349 -j DNAT --to-destination 10.244.1.2:8080",
            "-p tcp -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.244.2.3:8080",
            "-p tcp -j DNAT --to-destination 10.244.3.4:8080",
        ])
    }

    @Test("a Service without endpoints gets no chain, and REJECTs on its ClusterIP and NodePort in filter")
    func noEndpointsReject() {
        let set = rules([planned("empty", type: .nodePort, nodePorts: [30080])])
        #expect(set.nat.chains.keys.filter { $0.hasPrefix("AGENT-SVC-") }.isEmpty)
        #expect(set.filter.chains["AGENT-SERVICES"] == [
            "-d 10.96.0.10/32 -p tcp -m comment --comment \"default/empty:http has no endpoints\" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable"
        ])
        #expect(set.filter.chains["AGENT-EXTERNAL"] == [
            "-p tcp -m addrtype --dst-type LOCAL -m comment --comment \"default/empty:http has no endpoints\" -m tcp --dport 30080 -j REJECT --reject-with icmp-port-unreachable"
        ])
        #expect(set.nat.chains["AGENT-NODEPORTS"] == [])
    }

    @Test("a NodePort is marked for masquerade and shares the Service's chain; a UDP port matches udp")
    func nodePortCluster() {
        let set = rules([planned("dns", type: .nodePort, ports: [ServicePort(name: "dns", protocol: .udp, port: 53, targetPort: .number(8080))], nodePorts: [30053], endpointsOn: ["h2"])])
        let chain = ChainName.hashed("SVC", "default/dns:dns/UDP")
        #expect(set.nat.chains["AGENT-NODEPORTS"] == [
            "-p udp -m comment --comment \"default/dns:dns\" -m udp --dport 30053 -j AGENT-MARK-MASQ",
            "-p udp -m comment --comment \"default/dns:dns\" -m udp --dport 30053 -j \(chain)",
        ])
        #expect(set.nat.chains[chain] == ["-s 10.244.2.2/32 -j AGENT-MARK-MASQ", "-p udp -j DNAT --to-destination 10.244.2.2:8080"])
    }

    @Test("externalTrafficPolicy Local: NodePort traffic goes unmasqueraded to local endpoints only, and is dropped where there are none")
    func externalTrafficPolicyLocal() {
        let service = planned("local", type: .nodePort, nodePorts: [30090], endpointsOn: ["h1", "h2"]) { $0.externalTrafficPolicy = .local }
        let onH1 = rules([service], on: "h1")
        let local = ChainName.hashed("LCL", "default/local:http/TCP")
        #expect(onH1.nat.chains["AGENT-NODEPORTS"] == ["-p tcp -m comment --comment \"default/local:http\" -m tcp --dport 30090 -j \(local)"])
        #expect(onH1.nat.chains[local] == ["-s 10.244.1.2/32 -j AGENT-MARK-MASQ", "-p tcp -j DNAT --to-destination 10.244.1.2:8080"])
        let onH3 = rules([service], on: "h3")
        #expect(onH3.nat.chains["AGENT-NODEPORTS"] == [])
        #expect(onH3.filter.chains["AGENT-EXTERNAL"] == [
            "-p tcp -m addrtype --dst-type LOCAL -m comment --comment \"default/local:http has no local endpoints\" -m tcp --dport 30090 -j DROP"
        ])
        // The ClusterIP still reaches every endpoint.
        #expect(onH3.nat.chains[ChainName.hashed("SVC", "default/local:http/TCP")]?.count == 4)
    }

    @Test("ClientIP affinity: a client seen within the timeout goes back to its endpoint; a new one is recorded where it lands")
    func clientIPAffinity() {
        let set = rules([planned("sticky", endpointsOn: ["h1", "h2"]) { $0.sessionAffinity = .clientIP(timeoutSeconds: 600) }])
        let identity = "default/sticky:http/TCP"
        let (first, second) = (ChainName.hashed("AFF", "\(identity) 10.244.1.2:8080"), ChainName.hashed("AFF", "\(identity) 10.244.2.3:8080"))
        #expect(Array(set.nat.chains[ChainName.hashed("SVC", identity)]!.dropFirst(2)) == [
            "-p tcp -m recent --rcheck --seconds 600 --reap --name \(first) --mask 255.255.255.255 --rsource -j DNAT --to-destination 10.244.1.2:8080",
            "-p tcp -m recent --rcheck --seconds 600 --reap --name \(second) --mask 255.255.255.255 --rsource -j DNAT --to-destination 10.244.2.3:8080",
            "-p tcp -m statistic --mode nth --every 2 --packet 0 -m recent --set --name \(first) --mask 255.255.255.255 --rsource -j DNAT --to-destination 10.244.1.2:8080",
            "-p tcp -m recent --set --name \(second) --mask 255.255.255.255 --rsource -j DNAT --to-destination 10.244.2.3:8080",
        ])
    }

    @Test("loadBalancerSourceRanges: new connections to the NodePort from elsewhere are dropped in filter")
    func sourceRanges() {
        let set = rules([
            planned("lb", type: .loadBalancer, nodePorts: [30100], endpointsOn: ["h1"]) {
                $0.loadBalancerSourceRanges = [IPv4Network("192.0.2.0/24")!, IPv4Network("198.51.100.7/32")!]
            }
        ])
        let firewall = ChainName.hashed("FW", "default/lb:http/TCP")
        #expect(set.filter.chains["AGENT-FIREWALL"] == [
            "-p tcp -m comment --comment \"default/lb:http loadBalancerSourceRanges\" -m conntrack --ctorigdstport 30100 -j \(firewall)"
        ])
        #expect(set.filter.chains[firewall] == ["-s 192.0.2.0/24 -j RETURN", "-s 198.51.100.7/32 -j RETURN", "-j DROP"])
    }

    @Test("a headless Service has no rules at all; a Service in Conflict is left out by the input")
    func headless() {
        let set = rules([planned("headless", clusterIP: nil, endpointsOn: ["h1"])])
        #expect(set == rules([]))
    }

    @Test("hostPorts of this node's Pods DNAT from every local address")
    func hostPorts() {
        let hostPort = HostPortFixture.make()
        let set = rules([], hostPorts: [hostPort])
        #expect(set.nat.chains["AGENT-HOSTPORTS"] == [
            "-p tcp -m comment --comment \"default/proxy hostPort\" -m tcp --dport 8443 -j DNAT --to-destination 10.244.1.9:443"
        ])
        #expect(set.nat.chains["AGENT-SERVICES"] == [
            "-m addrtype --dst-type LOCAL -j AGENT-HOSTPORTS", "-m addrtype --dst-type LOCAL -j AGENT-NODEPORTS",
        ])
    }

    @Test("--nodeport-addresses narrows NodePorts to those addresses")
    func nodePortAddresses() {
        let set = RulePlanner.rules(
            for: DataPlaneInput(services: [], hostPorts: []),
            settings: DataPlaneSettings(node: node("h1"), nodePortAddresses: [IPv4(10, 99, 0, 1), IPv4(192, 168, 1, 1)]))
        #expect(set.nat.chains["AGENT-SERVICES"] == ["-d 10.99.0.1/32 -j AGENT-NODEPORTS", "-d 192.168.1.1/32 -j AGENT-NODEPORTS"])
    }

    @Test("chain names are AGENT-, a kind and 13 base32 characters: stable, distinct, within iptables' 28")
    func chainNames() {
        let name = ChainName.hashed("SVC", "default/web:http/TCP")
        #expect(name.count == 23 && name.hasPrefix("AGENT-SVC-"))
        #expect(name == ChainName.hashed("SVC", "default/web:http/TCP"))
        let many = Set((0..<10_000).map { ChainName.hashed("SVC", "default/svc-\($0):http/TCP") })
        #expect(many.count == 10_000)
        #expect(ChainName.hashed("FW", "x").count <= 28)
    }
}

enum HostPortFixture {
    static func make() -> HostPort {
        let pod = Pod(
            metadata: ObjectMetadata(name: "proxy"),
            spec: Pod.Spec(nodeName: node("h1"), containers: [Pod.Container(ports: [Pod.ContainerPort(containerPort: 443, hostPort: 8443)])]),
            status: Pod.Status(podIP: IPv4(10, 244, 1, 9)))
        var replica = CatalogReplica()
        var clock = HybridLogicalClock()
        replica.apply(pod, writer: node("h1"), clock: &clock, now: Timestamp(millisecondsSinceEpoch: 1))
        return DataPlaneInput(replica: replica, conflicts: [], liveNodes: [node("h1")], node: node("h1")).hostPorts[0]
    }
}
