import CLITestSupport
import Foundation
import Testing

import LoadBalancers
import MotoSupport

#if canImport(Glibc)
import Glibc
#endif

/// Issue 7 through real agents: one leads, it gives LoadBalancer Services their external
/// address through the configured provider, and another takes over when it dies.
extension MembershipIntegrationTests {
    /// The LoadBalancer Service of Kubernetes' documentation, as written there (its
    /// `clusterIP` is why these clusters use the service CIDR 10.0.0.0/16).
    static let documentationLoadBalancer = """
        apiVersion: v1
        kind: Service
        metadata:
          name: my-service
        spec:
          selector:
            app.kubernetes.io/name: MyApp
          ports:
            - protocol: TCP
              port: 80
              targetPort: 9376
          clusterIP: 10.0.171.239
          type: LoadBalancer
        status:
          loadBalancer:
            ingress:
            - ip: 192.0.2.127

        """

    struct Leader: Decodable {
        var leader: String?
        var term: UInt64
        var since: String?
        var quorum: Bool
    }

    /// `agent leader -o json` on `agent`; nil when it does not answer.
    static func leader(on agent: AgentProcess) -> Leader? {
        guard let result = try? agent.cli(["leader", "-o", "json"]), result.status == 0 else { return nil }
        return try? JSONDecoder().decode(Leader.self, from: Data(result.standardOutput.utf8))
    }

    /// The Service's `status` as `agent get svc NAME -o json` on `agent` shows it.
    static func serviceStatus(_ name: String, on agent: AgentProcess) -> (ingress: [String], conditions: [[String: Any]])? {
        guard let item = items("services", on: agent)?.first(where: { ($0["metadata"] as? [String: Any])?["name"] as? String == name }),
            let status = item["status"] as? [String: Any]
        else { return nil }
        let ingress = ((status["loadBalancer"] as? [String: Any])?["ingress"] as? [[String: Any]] ?? []).compactMap {
            ($0["ip"] ?? $0["hostname"]) as? String
        }
        return (ingress, status["conditions"] as? [[String: Any]] ?? [])
    }

    static func synced(_ conditions: [[String: Any]]) -> String? {
        conditions.first { $0["type"] as? String == "LoadBalancerSynced" }?["status"] as? String
    }

    /// Starts `count` agents with `config` and joins them; each gets `environment`.
    static func startCluster(
        _ cluster: TestCluster, count: Int, config: String, environment: [String: String] = [:], extraArguments: [String] = []
    ) throws {
        let path = cluster.directory.appendingPathComponent("agent.yaml").path
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        let key = try newKey()
        for index in 1...count {
            try cluster.add(index, key: key, extraArguments: ["--config", path] + extraArguments, environment: environment).start()
        }
        for agent in cluster.agents.dropFirst() {
            let joined = try agent.cli(["join", cluster.agents[0].address])
            #expect(joined.status == 0, "join of \(agent.name): \(joined.standardError)")
        }
        try waitUntil("every agent lists \(count) alive members and one leader with quorum", timeout: 30) {
            cluster.agents.allSatisfy { agent in
                agent.statuses().values.filter { $0 == "alive" }.count == count
                    && leader(on: agent).map { $0.leader != nil && $0.quorum } == true
            }
        }
    }

    @Test("the exec provider gets the whole desired state from the leader, its answer is every node's EXTERNAL-IP, and a new leader takes over when the leader is killed")
    func execProvider() throws {
        let cluster = try TestCluster(subnet: 56)
        do {
            let calls = cluster.directory.appendingPathComponent("calls")
            try FileManager.default.createDirectory(at: calls, withIntermediateDirectories: true)
            let hook = cluster.directory.appendingPathComponent("lb-hook").path
            try """
                #!/usr/bin/env python3
                # Records what it was given, and gives each Service an address from 192.0.2.0/24.
                import json, os, sys, time
                desired = json.load(sys.stdin)
                with open(os.path.join("\(calls.path)", "%f.json" % time.time()), "w") as f:
                    json.dump(desired, f)
                print(json.dumps({"services": {s["namespace"] + "/" + s["name"]: {"ingress": [{"ip": "192.0.2.%d" % (10 + i)}]}
                                               for i, s in enumerate(desired["services"])}}))

                """.write(toFile: hook, atomically: true, encoding: .utf8)
            chmod(hook, 0o755)
            try Self.startCluster(
                cluster, count: 3, config: "loadBalancer:\n  provider: exec\n  exec:\n    command: [\(hook)]\n",
                extraArguments: ["--service-cidr", "10.0.0.0/16"])
            let agents = cluster.agents
            let applied = try Self.apply(Self.documentationLoadBalancer, named: "lb.yaml", on: agents[1], in: cluster)
            #expect(applied.status == 0 && applied.standardOutput == "service/my-service created\n", "\(applied.standardError)")
            try waitUntil("every agent shows EXTERNAL-IP 192.0.2.10 for my-service", timeout: 30) {
                agents.allSatisfy { agent in
                    (try? agent.cli(["get", "svc", "my-service"]))?.standardOutput.contains(" 192.0.2.10 ") == true
                }
            }
            let status = try #require(Self.serviceStatus("my-service", on: agents[2]))
            #expect(status.ingress == ["192.0.2.10"])
            #expect(Self.synced(status.conditions) == "True")

            let last = try Self.lastCall(in: calls)
            let services = try #require(last["services"] as? [[String: Any]])
            #expect(services.count == 1 && services[0]["name"] as? String == "my-service" && services[0]["namespace"] as? String == "default")
            let port = try #require((services[0]["ports"] as? [[String: Any]])?.first)
            let nodePort = try #require(port["nodePort"] as? Int)
            #expect(port["port"] as? Int == 80 && port["protocol"] as? String == "TCP")
            #expect((try agents[0].cli(["get", "svc", "my-service"])).standardOutput.contains("80:\(nodePort)/TCP"))
            let nodes = try #require(last["nodes"] as? [[String: Any]])
            #expect(nodes.compactMap { $0["address"] as? String } == ["127.0.56.1", "127.0.56.2", "127.0.56.3"])

            // kill -9 of the leader: another leads, with a later term, and hands the hook the two nodes left.
            let before = try #require(Self.leader(on: agents[0]))
            let leader = try #require(agents.first { $0.name == before.leader })
            leader.kill(signal: SIGKILL)
            let survivors = agents.filter { $0 !== leader }
            try waitUntil("a survivor leads, with a later term, and the hook was given the two nodes left", timeout: 60) {
                let views = survivors.compactMap { Self.leader(on: $0) }
                guard views.count == 2, let next = views.first, next.leader != before.leader, next.term > before.term, next.quorum,
                    views.allSatisfy({ $0.leader == next.leader })
                else { return false }
                let addresses = ((try? Self.lastCall(in: calls))?["nodes"] as? [[String: Any]])?.compactMap { $0["address"] as? String }
                return addresses == survivors.map(\.host)
            }
            #expect(survivors.allSatisfy { (try? $0.cli(["get", "svc", "my-service"]))?.standardOutput.contains(" 192.0.2.10 ") == true })
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }

    /// The newest desired state the hook recorded.
    static func lastCall(in directory: URL) throws -> [String: Any] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        guard let newest = files.last else { throw HarnessError("the exec provider was never called") }
        let data = try Data(contentsOf: directory.appendingPathComponent(newest))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw HarnessError("\(newest) is not an object") }
        return object
    }
}

extension MembershipIntegrationTests {
    @Test("aws-elbv2 against moto with five agents: the documentation's Service gets an NLB whose target group holds every node at the NodePort; a killed leader is followed and its node deregistered, as is one that leaves; moto not answering leaves EXTERNAL-IP and says why, and it recovers by itself; deleting the Service deletes the load balancer")
    func awsProviderAgainstMoto() async throws {
        guard motoAvailableOrRequired() else { return }
        let cluster = try TestCluster(subnet: 57)
        do {
            let moto = try await MotoServer()
            let cloud = MotoOperator(server: moto)
            let subnets = try await cloud.createNetwork()
            let config = """
                loadBalancer:
                  provider: aws-elbv2
                  aws:
                    region: \(MotoOperator.region)
                    endpoint: \(moto.endpoint.absoluteString)
                    subnets: [\(subnets.joined(separator: ", "))]
                    scheme: internet-facing

                """
            try Self.startCluster(
                cluster, count: 5, config: config, environment: MotoOperator.environment, extraArguments: ["--service-cidr", "10.0.0.0/16"])
            let agents = cluster.agents
            let applied = try Self.apply(Self.documentationLoadBalancer, named: "lb.yaml", on: agents[2], in: cluster)
            #expect(applied.status == 0, "\(applied.standardError)")
            let nodePort = try #require(Self.services(on: agents[0])?["my-service"]?.split(separator: " ").last.map(String.init))
            let everyNode = agents.map { "\($0.host):\(nodePort)" }

            // The load balancer, its target group with all five nodes, and its DNS name everywhere.
            try await waitUntilAsync("moto holds one NLB whose port-80 listener forwards to all five nodes at the NodePort", timeout: 60) {
                try await Self.targets(in: cloud, port: 80) == everyNode
            }
            let dnsName = try #require(try await cloud.loadBalancers().first?.dnsName)
            try waitUntil("every agent shows the NLB's DNS name as my-service's EXTERNAL-IP", timeout: 30) {
                agents.allSatisfy { Self.serviceStatus("my-service", on: $0)?.ingress == [dnsName] }
            }
            let wide = try agents[4].cli(["get", "svc", "my-service", "-o", "wide"])
            #expect(wide.standardOutput.contains(dnsName), "\(wide.standardOutput)")

            // kill -9 of the leader: another leads, and the dead node leaves the target group.
            let before = try #require(Self.leader(on: agents[0]))
            let leader = try #require(agents.first { $0.name == before.leader })
            leader.kill(signal: SIGKILL)
            var survivors = agents.filter { $0 !== leader }
            try waitUntil("a survivor leads with a later term", timeout: 60) {
                let views = survivors.compactMap { Self.leader(on: $0) }
                return views.count == survivors.count && views.allSatisfy { $0.leader == views[0].leader && $0.leader != before.leader && $0.term > before.term && $0.quorum }
            }
            try await waitUntilAsync("the killed leader's node is deregistered", timeout: 60) {
                try await Self.targets(in: cloud, port: 80) == survivors.map { "\($0.host):\(nodePort)" }
            }

            // agent leave of a node that does not lead: deregistered too.
            let current = try #require(Self.leader(on: survivors[0])?.leader)
            let leaving = try #require(survivors.first { $0.name != current })
            let left = try leaving.cli(["leave"])
            #expect(left.status == 0, "\(left.standardError)")
            survivors.removeAll { $0 === leaving }
            try await waitUntilAsync("the node that left is deregistered", timeout: 60) {
                try await Self.targets(in: cloud, port: 80) == survivors.map { "\($0.host):\(nodePort)" }
            }

            // moto stops answering while the Service changes: EXTERNAL-IP stays, a condition says why.
            moto.pause()
            let twoPorts = Self.documentationLoadBalancer.replacingOccurrences(
                of: "      targetPort: 9376\n", with: "      targetPort: 9376\n      name: http\n    - protocol: TCP\n      port: 443\n      targetPort: 9377\n      name: https\n")
            let changed = try Self.apply(twoPorts, named: "lb2.yaml", on: survivors[0], in: cluster)
            #expect(changed.standardOutput == "service/my-service configured\n", "\(changed.standardOutput)\(changed.standardError)")
            try waitUntil("every agent says the load balancer is not synced, and still shows its DNS name", timeout: 60) {
                survivors.allSatisfy { agent in
                    guard let status = Self.serviceStatus("my-service", on: agent) else { return false }
                    return status.ingress == [dnsName] && Self.synced(status.conditions) == "False"
                }
            }
            let described = try survivors[1].cli(["describe", "service", "my-service"])
            #expect(described.standardOutput.contains("SyncLoadBalancerFailed"), "\(described.standardOutput)")

            // moto answers again: the leader's retries catch up by themselves.
            moto.resume()
            try await waitUntilAsync("moto's NLB has listeners on 80 and 443, and the three nodes left", timeout: 120) {
                let threeNodes = survivors.map { "\($0.host):\(nodePort)" }
                let targets = try await Self.targets(in: cloud, port: 80)
                let ports = try await Self.listenerPorts(in: cloud)
                return targets == threeNodes && ports == [80, 443]
            }
            try waitUntil("every agent shows the load balancer synced again", timeout: 60) {
                survivors.allSatisfy { agent in
                    guard let status = Self.serviceStatus("my-service", on: agent) else { return false }
                    return status.ingress == [dnsName] && Self.synced(status.conditions) == "True"
                }
            }

            // Deleting the Service deletes its load balancer and target groups.
            let deleted = try survivors[0].cli(["delete", "service", "my-service"])
            #expect(deleted.status == 0, "\(deleted.standardError)")
            try await waitUntilAsync("moto holds no load balancer and no target group", timeout: 60) {
                let loadBalancers = try await cloud.loadBalancers()
                let targetGroups = try await cloud.elb.describeTargetGroups()
                return loadBalancers.isEmpty && targetGroups.isEmpty
            }
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }

    /// The targets (`address:port`, sorted) behind the listener on `port` of moto's only load balancer.
    static func targets(in cloud: MotoOperator, port: Int) async throws -> [String]? {
        let loadBalancers = try await cloud.loadBalancers()
        guard loadBalancers.count == 1, let group = try await cloud.listeners(of: loadBalancers[0])[port] else { return nil }
        return try await cloud.targets(of: group)
    }

    static func listenerPorts(in cloud: MotoOperator) async throws -> [Int] {
        guard let loadBalancer = try await cloud.loadBalancers().first else { return [] }
        return try await cloud.listeners(of: loadBalancer).keys.sorted()
    }

    /// Under CI the moto tests always run (a missing moto_server fails them, saying how to
    /// install it); elsewhere they run when moto_server is there.
    func motoAvailableOrRequired() -> Bool {
        if MotoServer.isAvailable { return true }
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record("\(MotoServer.installHint)")
        } else {
            print("Skipping the aws-elbv2 integration test: \(MotoServer.installHint)")
        }
        return false
    }
}

/// ``waitUntil(_:timeout:interval:_:)`` for conditions that ask over the network.
func waitUntilAsync(_ what: String, timeout: Double, interval: Double = 0.5, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if (try? await condition()) == true { return }
        if Date() > deadline { throw HarnessError("gave up after \(Int(timeout)) s waiting until \(what)") }
        try await Task.sleep(for: .seconds(interval))
    }
}
