import CLITestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The catalog through real agents and the CLI: what `apply` on one host makes every host
/// show, and what survives kills and restarts.
extension MembershipIntegrationTests {
    /// SPEC §8's first manifest: the NodePort Service of Kubernetes' documentation.
    static let nginxService = """
        apiVersion: v1
        kind: Service
        metadata:
          name: my-nginx
        spec:
          type: NodePort
          selector:
            app: nginx
          ports:
          - name: http
            port: 80
            targetPort: 80
            #nodePort: 8081
            protocol: TCP

        """

    static func pod(_ name: String, ip: String, probe: String? = nil) -> String {
        var text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
              labels:
                app: nginx
            spec:
              containers:
              - name: web
                ports:
                - containerPort: 80

            """
        if let probe { text += "    readinessProbe:\n" + probe }
        text += "status:\n  podIP: \(ip)\n"
        return text
    }

    /// Writes `text` to a file in the cluster's directory and applies it on `agent`.
    @discardableResult
    static func apply(_ text: String, named file: String, on agent: AgentProcess, in cluster: TestCluster) throws -> AgentBinary.Result {
        let path = cluster.directory.appendingPathComponent(file).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try agent.cli(["apply", "-f", path])
    }

    /// `agent get RESOURCE -A -o json` on `agent`, as Foundation objects; nil when it failed.
    static func items(_ resource: String, on agent: AgentProcess) -> [[String: Any]]? {
        guard let result = try? agent.cli(["get", resource, "-A", "-o", "json"]), result.status == 0 else { return nil }
        guard let list = try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any] else { return nil }
        return list["items"] as? [[String: Any]]
    }

    /// name → (clusterIP, first nodePort) of every Service `agent` lists.
    static func services(on agent: AgentProcess) -> [String: String]? {
        items("services", on: agent)?.reduce(into: [:]) { result, item in
            let name = (item["metadata"] as? [String: Any])?["name"] as? String ?? "?"
            let spec = item["spec"] as? [String: Any]
            let nodePort = ((spec?["ports"] as? [[String: Any]])?.first?["nodePort"] as? Int).map(String.init) ?? "-"
            result[name] = "\(spec?["clusterIP"] as? String ?? "?") \(nodePort)"
        }
    }

    /// The addresses of the endpoints of `service` as `agent` lists them, sorted.
    static func endpointAddresses(of service: String, on agent: AgentProcess) -> [String]? {
        guard let result = try? agent.cli(["get", "endpoints", service, "-o", "json"]), result.status == 0,
            let object = try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        else { return nil }
        let subsets = object["subsets"] as? [[String: Any]] ?? []
        return subsets.flatMap { ($0["addresses"] as? [[String: Any]] ?? []).compactMap { $0["ip"] as? String } }.sorted()
    }

    @Test("a Service applied on one of five agents shows on all five with the same CLUSTER-IP and NodePort; Pods from three nodes are endpoints everywhere; a failing readiness probe or a killed node takes a Pod out")
    func catalogAcrossFiveAgents() throws {
        let cluster = try TestCluster(subnet: 51)
        do {
            try Self.startCluster(cluster, count: 5, key: try Self.newKey())
            let agents = cluster.agents
            let created = try Self.apply(Self.nginxService, named: "my-nginx.yaml", on: agents[2], in: cluster)
            #expect(created.status == 0, "\(created.standardError)")
            #expect(created.standardOutput == "service/my-nginx created\n")

            var seen: [String: String] = [:]
            try waitUntil("every agent lists my-nginx", timeout: 20) {
                seen = [:]
                for agent in agents { seen[agent.name] = Self.services(on: agent)?["my-nginx"] }
                return seen.count == 5
            }
            #expect(Set(seen.values).count == 1, "one ClusterIP and NodePort on every node: \(seen)")
            let allocated = try #require(seen["n1"]).split(separator: " ")
            let (clusterIP, nodePort) = (String(allocated[0]), String(allocated[1]))
            #expect(clusterIP.hasPrefix("10."), "from the default service CIDR 10.96.0.0/12: \(clusterIP)")
            #expect((30000...32767).contains(Int(nodePort) ?? 0))
            for agent in agents {
                let table = try agent.cli(["get", "svc"])
                #expect(table.standardOutput.contains("my-nginx"), "\(agent.name): \(table.standardOutput)")
                #expect(table.standardOutput.contains(clusterIP))
                #expect(table.standardOutput.contains("80:\(nodePort)/TCP"), "\(agent.name): \(table.standardOutput)")
            }
            let again = try Self.apply(Self.nginxService, named: "my-nginx.yaml", on: agents[4], in: cluster)
            #expect(again.standardOutput == "service/my-nginx unchanged\n", "\(again.standardOutput)\(again.standardError)")

            // One Pod on each of n1, n2 and n5, each applied on its own node.
            for (index, agent) in [(1, agents[0]), (2, agents[1]), (3, agents[4])] {
                let result = try Self.apply(Self.pod("web-\(index)", ip: "10.244.\(index).5"), named: "web-\(index).yaml", on: agent, in: cluster)
                #expect(result.standardOutput == "pod/web-\(index) created\n", "\(result.standardError)")
            }
            let three = ["10.244.1.5", "10.244.2.5", "10.244.3.5"]
            try waitUntil("every agent lists the three Pods as endpoints of my-nginx", timeout: 20) {
                agents.allSatisfy { Self.endpointAddresses(of: "my-nginx", on: $0) == three }
            }

            // A Pod whose probe nothing answers never joins; one whose probe answers does,
            // until its listener goes away.
            let listener = try TCPListener(host: "127.0.51.101")
            let probe = { (port: Int) in "      tcpSocket:\n        port: \(port)\n      periodSeconds: 1\n      failureThreshold: 1\n" }
            try Self.apply(Self.pod("probed-ok", ip: "127.0.51.101", probe: probe(listener.port)), named: "ok.yaml", on: agents[1], in: cluster)
            try Self.apply(Self.pod("probed-dead", ip: "127.0.51.102", probe: probe(9)), named: "dead.yaml", on: agents[1], in: cluster)
            try waitUntil("the Pod whose probe answers is an endpoint everywhere", timeout: 30) {
                agents.allSatisfy { Self.endpointAddresses(of: "my-nginx", on: $0) == (three + ["127.0.51.101"]).sorted() }
            }
            listener.close()
            try waitUntil("once its probe fails, it is an endpoint nowhere", timeout: 30) {
                agents.allSatisfy { Self.endpointAddresses(of: "my-nginx", on: $0) == three }
            }
            let pods = try agents[3].cli(["get", "pods", "probed-dead"])
            #expect(pods.standardOutput.contains("0/1"), "\(pods.standardOutput)")

            // kill -9 of web-3's node: the others drop it once they find n5 failed.
            agents[4].kill(signal: SIGKILL)
            try waitUntil("web-3 of the killed n5 is an endpoint nowhere", timeout: 60) {
                agents[0..<4].allSatisfy { Self.endpointAddresses(of: "my-nginx", on: $0) == ["10.244.1.5", "10.244.2.5"] }
            }
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }

    @Test("a delete propagates and stays deleted after every agent restarts; stopping all five and starting them again gives back the same catalog")
    func deleteAndRestartAll() throws {
        let cluster = try TestCluster(subnet: 52)
        do {
            try Self.startCluster(cluster, count: 5, key: try Self.newKey())
            let agents = cluster.agents
            for (index, agent) in agents.enumerated() {
                let service = Self.nginxService.replacingOccurrences(of: "my-nginx", with: "svc-\(index)")
                #expect(try Self.apply(service, named: "svc-\(index).yaml", on: agent, in: cluster).status == 0)
                try Self.apply(Self.pod("pod-\(index)", ip: "10.244.0.\(index + 1)"), named: "pod-\(index).yaml", on: agent, in: cluster)
            }
            try waitUntil("every agent lists five Services", timeout: 20) { agents.allSatisfy { Self.services(on: $0)?.count == 5 } }
            let deleted = try agents[0].cli(["delete", "service", "svc-3"])
            #expect(deleted.status == 0, "\(deleted.standardError)")
            #expect(deleted.standardOutput == "service \"svc-3\" deleted\n")
            try waitUntil("svc-3 is gone everywhere", timeout: 20) {
                agents.allSatisfy { Self.services(on: $0).map { $0.count == 4 && $0["svc-3"] == nil } ?? false }
            }
            for agent in agents {
                #expect(try agent.metric(#"agent_catalog_objects{kind="service"}"#) == 4, "\(agent.name)")
                #expect(try agent.metric(#"agent_catalog_objects{kind="pod"}"#) == 5, "\(agent.name)")
            }
            let missing = try agents[1].cli(["delete", "service", "svc-3"])
            #expect(missing.status == 1)
            #expect(missing.standardError.contains("services \"svc-3\" not found"), "\(missing.standardError)")

            let before = try #require(Self.services(on: agents[2]))
            let podsBefore = try #require(Self.items("pods", on: agents[2])).count
            for agent in agents { #expect(try agent.terminate() == 0) }
            for agent in agents { try agent.start() }
            try waitUntil("every agent is back with its members", timeout: 30) {
                agents.allSatisfy { agent in agent.statuses().values.filter { $0 == "alive" }.count == 5 }
            }
            for agent in agents {
                #expect(Self.services(on: agent) == before, "\(agent.name) after the restart")
                #expect(Self.items("pods", on: agent)?.count == podsBefore)
            }
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }

    @Test("kill -9 during a burst of 1,000 applies on one of five agents loses none that returned, read back by that agent alone")
    func killDuringApplyBurst() throws {
        let cluster = try TestCluster(subnet: 53)
        do {
            try Self.startCluster(cluster, count: 5, key: try Self.newKey())
            let agent = cluster.agents[0]
            // Four clients apply 250 Services each, so that whenever the kill lands, some
            // apply has just returned and others are in flight.
            let burst = ApplyBurst()
            let killAt = Int.random(in: 150...850)
            let clients = (0..<4).map { client in
                Thread {
                    for index in 0..<250 {
                        let name = "burst-\(client)-\(index)"
                        let service = Self.nginxService.replacingOccurrences(of: "my-nginx", with: name)
                            .replacingOccurrences(of: "type: NodePort", with: "type: ClusterIP")
                        let result = try? Self.apply(service, named: "\(name).yaml", on: agent, in: cluster)
                        guard burst.record(name, acknowledged: result?.status == 0) else { break }
                    }
                    burst.finished()
                }
            }
            clients.forEach { $0.start() }
            try waitUntil("\(killAt) applies have returned", timeout: 300, interval: 0.001) { burst.acknowledged.count >= killAt }
            agent.kill(signal: SIGKILL)
            try waitUntil("every client has stopped", timeout: 60) { burst.finishedClients == 4 }
            let acknowledged = burst.acknowledged
            let failedAfterKill = burst.failures
            #expect(failedAfterKill > 0, "the agent was killed during the burst")
            try waitUntil("the killed agent has exited", timeout: 10) { !agent.isRunning }
            // The others stop first, so that what n1 lists after its restart is only what
            // its own disk held, not what anti-entropy brings back.
            for other in cluster.agents.dropFirst() { #expect(try other.terminate() == 0) }
            try agent.start()
            let listed = try #require(Self.services(on: agent))
            let lost = acknowledged.filter { listed[$0] == nil }
            #expect(lost.isEmpty, "\(lost.count) of \(acknowledged.count) acknowledged applies were lost: \(lost.prefix(10))")
            #expect(acknowledged.count >= killAt)
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }
}

/// What the clients of a burst of applies saw: the names whose apply returned 0.
final class ApplyBurst: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    private var failed = 0
    private var done = 0

    var acknowledged: [String] { lock.withLock { names } }
    var failures: Int { lock.withLock { failed } }
    var finishedClients: Int { lock.withLock { done } }

    /// Returns whether the client should go on: it stops after its first failure.
    func record(_ name: String, acknowledged: Bool) -> Bool {
        lock.withLock {
            if acknowledged { names.append(name) } else { failed += 1 }
            return acknowledged
        }
    }

    func finished() { lock.withLock { done += 1 } }
}

/// A TCP listener on a loopback address that accepts and closes, for readiness probes.
final class TCPListener: @unchecked Sendable {
    let port: Int
    private var descriptor: Int32

    init(host: String) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, host, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw HarnessError("cannot listen on \(host): errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.descriptor = descriptor
        let listening = descriptor
        Thread.detachNewThread {
            while true {
                let client = accept(listening, nil, nil)
                if client < 0 { return }
                Glibc.close(client)
            }
        }
    }

    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
        descriptor = -1
    }

    deinit { if descriptor >= 0 { close() } }
}

extension MembershipIntegrationTests {
    /// A Service named `name` whose spec is `spec` (indented by two), starting on line 6.
    static func service(_ spec: String, name: String = "web") -> String {
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: \(name)\nspec:\n" + spec
    }

    /// Each bad manifest, and the `file:line: field` its refusal must start with.
    static let badManifests: [(file: String, text: String, location: String)] = [
        ("broken.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: [web\n", "broken.yaml:5: "),
        ("port-type.yaml", service("  ports:\n  - port: http\n"), "port-type.yaml:7: spec.ports[0].port: "),
        ("port-range.yaml", service("  ports:\n  - port: 99999\n"), "port-range.yaml:7: spec.ports[0].port: "),
        ("target-port.yaml", service("  ports:\n  - port: 80\n    targetPort: 0\n"), "target-port.yaml:8: spec.ports[0].targetPort: "),
        ("duplicate-names.yaml", service("  ports:\n  - {name: http, port: 80}\n  - {name: http, port: 81}\n"), "duplicate-names.yaml:8: spec.ports[1].name: "),
        ("outside-cidr.yaml", service("  clusterIP: 192.168.7.7\n  ports: [{port: 80}]\n"), "outside-cidr.yaml:6: spec.clusterIP: "),
        ("taken-ip.yaml", service("  clusterIP: 10.96.0.10\n  ports: [{port: 80}]\n", name: "thief"), "taken-ip.yaml:6: spec.clusterIP: "),
        ("kind.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n", "kind.yaml:2: kind: "),
        ("no-name.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  labels: {app: web}\nspec: {ports: [{port: 80}]}\n", "no-name.yaml:3: metadata.name: "),
        ("no-pod-ip.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\nspec:\n  containers: [{ports: [{containerPort: 80}]}]\n", "no-pod-ip.yaml:1: status.podIP: "),
        ("protocol.yaml", service("  ports:\n  - port: 80\n    protocol: SCTP\n"), "protocol.yaml:8: spec.ports[0].protocol: "),
        ("type.yaml", service("  type: ExternalName\n  ports: [{port: 80}]\n"), "type.yaml:6: spec.type: "),
        ("affinity.yaml", service("  ports: [{port: 80}]\n  sessionAffinity: Cookie\n"), "affinity.yaml:7: spec.sessionAffinity: "),
        ("api-version.yaml", "apiVersion: v2\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n", "api-version.yaml:1: apiVersion: "),
        ("label.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    version: 2\nspec: {ports: [{port: 80}]}\n", "label.yaml:6: metadata.labels[version]: "),
        ("list-item.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n  spec:\n    ports: [{port: 80}]\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n  spec:\n    ports: [{port: -1}]\n", "list-item.yaml:13: items[1].spec.ports[0].port: "),
        ("container-port.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\nspec:\n  containers: [{ports: [{containerPort: 70000}]}]\nstatus: {podIP: 10.244.0.2}\n", "container-port.yaml:6: spec.containers[0].ports[0].containerPort: "),
    ]

    @Test("the first manifest with nodePort: 8081 and every other bad manifest exit 2 with file, line and field path, and change nothing")
    func badManifestsChangeNothing() throws {
        let cluster = try TestCluster(subnet: 54)
        do {
            let agent = cluster.add(1, key: try Self.newKey())
            try agent.start()
            let holder = Self.service("  clusterIP: 10.96.0.10\n  ports: [{port: 80}]\n", name: "holder")
            #expect(try Self.apply(holder, named: "holder.yaml", on: agent, in: cluster).status == 0)

            let uncommented = Self.nginxService.replacingOccurrences(of: "#nodePort", with: "nodePort")
            let refused = try Self.apply(uncommented, named: "my-nginx.yaml", on: agent, in: cluster)
            #expect(refused.status == 2)
            #expect(refused.standardError.contains("my-nginx.yaml:13: spec.ports[0].nodePort: 8081 is outside the NodePort range"), "\(refused.standardError)")
            #expect(refused.standardError.contains("30000–32767"))
            #expect(refused.standardError.contains("--service-node-port-range"))

            for bad in Self.badManifests {
                let result = try Self.apply(bad.text, named: bad.file, on: agent, in: cluster)
                #expect(result.status == 2, "\(bad.file) exits 2, not \(result.status): \(result.standardError)")
                #expect(result.standardError.contains(bad.location), "\(bad.file): \(result.standardError)")
                #expect(result.standardOutput.isEmpty, "\(bad.file) printed \(result.standardOutput)")
            }
            #expect(Self.services(on: agent) == ["holder": "10.96.0.10 -"], "only the first good Service exists")
            #expect(Self.items("pods", on: agent)?.isEmpty == true)
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }
}

extension MembershipIntegrationTests {
    /// `agent ARGS` left running, its output in a file, for `get -w`.
    final class Watcher: @unchecked Sendable {
        let process = Process()
        let outputPath: String

        init(_ arguments: [String], on agent: AgentProcess, in cluster: TestCluster, name: String) throws {
            outputPath = cluster.directory.appendingPathComponent("\(name).out").path
            _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
            process.executableURL = URL(fileURLWithPath: AgentBinary.path)
            process.arguments = arguments + ["--socket", agent.socket]
            process.standardOutput = output
            process.standardError = output
            try process.run()
            try output.close()
        }

        var lines: [String] {
            ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        deinit { if process.isRunning { process.terminate() } }
    }

    @Test("get -w prints the current rows, then one row per change on any node; -o json one object a line")
    func watchServices() throws {
        let cluster = try TestCluster(subnet: 55)
        do {
            try Self.startCluster(cluster, count: 2, key: try Self.newKey())
            let (first, second) = (cluster.agents[0], cluster.agents[1])
            try Self.apply(Self.service("  ports: [{port: 80}]\n", name: "before"), named: "before.yaml", on: first, in: cluster)
            try waitUntil("n2 lists the first Service", timeout: 20) { Self.services(on: second)?["before"] != nil }

            let table = try Watcher(["get", "svc", "-w"], on: second, in: cluster, name: "table")
            let json = try Watcher(["get", "svc", "-w", "-o", "json"], on: second, in: cluster, name: "json")
            try waitUntil("both watches print the Service there is", timeout: 20) { table.lines.count == 2 && json.lines.count == 1 }
            #expect(table.lines[0].hasPrefix("NAMESPACE   NAME     TYPE        CLUSTER-IP"), "\(table.lines)")
            #expect(table.lines[1].hasPrefix("default     before   ClusterIP   10."))

            try Self.apply(Self.service("  ports: [{port: 80}]\n", name: "after"), named: "after.yaml", on: first, in: cluster)
            #expect(try first.cli(["delete", "service", "before"]).status == 0)
            try waitUntil("each watch shows the new Service and the delete", timeout: 20) { table.lines.count == 4 && json.lines.count == 3 }
            #expect(table.lines[2].hasPrefix("default     after "), "\(table.lines)")
            #expect(table.lines[3].hasPrefix("default     before "), "a deleted object's last row, as kubectl prints it: \(table.lines)")
            let names = json.lines.compactMap { line -> String? in
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return (object?["metadata"] as? [String: Any])?["name"] as? String
            }
            #expect(names == ["before", "after", "before"], "\(json.lines)")
            #expect(json.process.isRunning && table.process.isRunning, "a watch runs until interrupted")
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }
}
