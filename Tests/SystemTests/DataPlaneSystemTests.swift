import CLITestSupport
import Foundation
import Testing

/// Issue 6's acceptance, with real traffic: three hosts (and a client with no agent) built
/// from network namespaces, an agent on each, Pods answering with their names.
@Suite("Data plane: real traffic through ClusterIPs, NodePorts and hostPorts", .serialized, .enabled(if: systemTestsEnabled))
struct DataPlaneSystemTests {
    /// A three-host cluster with web-1..3 (one per host) behind `web`, applied on h1.
    static func webCluster(_ prefix: String, extra: String = "") throws -> Lab {
        let lab = try Lab(prefix: prefix, hosts: 3)
        try lab.startCluster()
        var manifest = Manifests.service("web", app: "web", type: "NodePort") + extra
        for host in 1...3 {
            let ip = try lab.startPod("web-\(host)", on: host, index: 1)
            manifest += Manifests.pod("web-\(host)", app: "web", host: host, ip: ip)
        }
        try lab.apply(manifest)
        let service = try clusterIP(lab, "web")
        try lab.waitUntil("web's ClusterIP answers on every host", limit: 30) {
            (1...3).allSatisfy { lab.curl(from: "h\($0)", "http://\(service.ip):80/").body != nil }
        }
        return lab
    }

    /// A Service's ClusterIP and first NodePort, from `agent get svc NAME -o json`.
    static func clusterIP(_ lab: Lab, _ name: String) throws -> (ip: String, nodePort: Int?) {
        let output = try lab.agent(1, "get", "svc", name, "-o", "json").standardOutput
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let spec = object?["spec"] as? [String: Any]
        let ip = try #require(spec?["clusterIP"] as? String, "no clusterIP in \(output)")
        let ports = spec?["ports"] as? [[String: Any]]
        return (ip, ports?.first?["nodePort"] as? Int)
    }

    static func podName(_ body: String?) -> String? {
        body?.split(separator: " ").first { $0.hasPrefix("pod=") }.map { String($0.dropFirst(4)) }
    }

    @Test(
        "ClusterIPs answer from every host and round-robin over every Pod, NodePorts answer from outside, UDP answers, a Service without endpoints refuses at once, a hostPort reaches its Pod, ClientIP affinity sticks, and Local traffic keeps the client's address"
    )
    func traffic() throws {
        let extra =
            Manifests.service("dns", app: "web", port: 53, protocol: "UDP")
            + Manifests.service("empty", app: "nothing")
            + Manifests.service("sticky", app: "web", port: 81, extra: "  sessionAffinity: ClientIP")
            + Manifests.service(
                "solo", app: "solo", type: "LoadBalancer", port: 82, extra: "  externalTrafficPolicy: Local\n  healthCheckNodePort: 32100")
        let lab = try Self.webCluster("sta", extra: extra)
        let soloIP = try lab.startPod("solo", on: 1, index: 2)
        let proxyIP = try lab.startPod("proxy", on: 2, index: 2)
        try lab.apply(
            Manifests.pod("solo", app: "solo", host: 1, ip: soloIP) + Manifests.pod("proxy", app: "proxy", host: 2, ip: proxyIP, hostPort: 9090))
        let web = try Self.clusterIP(lab, "web")

        // 3N requests from one host reach each of N Pods exactly 3 times, from every host.
        for host in 1...3 {
            var counts: [String: Int] = [:]
            for _ in 0..<9 {
                let answer = lab.curl(from: "h\(host)", "http://\(web.ip):80/")
                counts[Self.podName(answer.body) ?? "failed (curl \(answer.exitStatus))", default: 0] += 1
            }
            #expect(counts == ["web-1": 3, "web-2": 3, "web-3": 3], "from h\(host)")
        }
        // Each host's NodePort answers the client, which has no agent and no pod routes.
        let nodePort = try #require(web.nodePort)
        for host in 1...3 {
            let answer = lab.curl(from: "client", "http://\(lab.address(of: host)):\(nodePort)/")
            #expect(Self.podName(answer.body)?.hasPrefix("web-") == true, "NodePort on h\(host): curl \(answer.exitStatus)")
        }
        // UDP.
        let dns = try Self.clusterIP(lab, "dns")
        #expect(Self.podName(lab.udp(from: "h2", dns.ip, 53))?.hasPrefix("web-") == true)
        // No endpoints: refused (curl 7), not timed out (curl 28).
        let empty = try Self.clusterIP(lab, "empty")
        #expect(lab.curl(from: "h1", "http://\(empty.ip):80/", maxTime: 5).exitStatus == 7)
        // A hostPort, from the client.
        try lab.waitUntil("the hostPort answers", limit: 10) { lab.curl(from: "client", "http://\(lab.address(of: 2)):9090/").body != nil }
        #expect(Self.podName(lab.curl(from: "client", "http://\(lab.address(of: 2)):9090/").body) == "proxy")
        // ClientIP affinity: one client, one Pod.
        let sticky = try Self.clusterIP(lab, "sticky")
        let stuck = Set((0..<6).map { _ in Self.podName(lab.curl(from: "h3", "http://\(sticky.ip):81/").body) ?? "failed" })
        #expect(stuck.count == 1 && stuck.first?.hasPrefix("web-") == true, "\(stuck)")
        // externalTrafficPolicy Local: 200 where the endpoint is, 503 elsewhere; the Pod sees the client.
        try lab.waitUntil("h1's health-check node port answers", limit: 10) {
            lab.curl(from: "client", "http://\(lab.address(of: 1)):32100/").body != nil
        }
        let healthy = try lab.exec("client", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://\(lab.address(of: 1)):32100/")
        let unhealthy = try lab.exec("client", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://\(lab.address(of: 2)):32100/")
        #expect(healthy == "200" && unhealthy == "503")
        let solo = try #require(try Self.clusterIP(lab, "solo").nodePort)
        let local = lab.curl(from: "client", "http://\(lab.address(of: 1)):\(solo)/").body
        #expect(local?.contains("pod=solo client=10.99.0.100:") == true, "\(local ?? "no answer")")
    }

    @Test("a host killed with -9: its Pods leave the endpoints on the other hosts, and requests stop going to them")
    func hostDown() throws {
        let lab = try Self.webCluster("stb")
        let web = try Self.clusterIP(lab, "web")
        try lab.killHost(3)
        try lab.waitUntil("web-3 leaves h1's endpoints", limit: 60) {
            !(try lab.agent(1, "get", "ep", "web").standardOutput.contains("10.244.3."))
        }
        try lab.waitUntil("h2 sees it too", limit: 30) { !(try lab.agent(2, "get", "ep", "web").standardOutput.contains("10.244.3.")) }
        // The rules follow the endpoints; every request is answered, by the Pods still there.
        try lab.waitUntil("h1's rules leave web-3 out", limit: 10) { !(try lab.exec("h1", "iptables-save", "-t", "nat").contains("10.244.3.2")) }
        let answers = (0..<8).map { _ in Self.podName(lab.curl(from: "h1", "http://\(web.ip):80/").body) ?? "failed" }
        #expect(Set(answers) == ["web-1", "web-2"], "\(answers)")
    }

    @Test("restarting an agent while a client sends a request every 10 ms through a ClusterIP and a NodePort fails no request")
    func restartLosesNothing() throws {
        let lab = try Self.webCluster("stc")
        let web = try Self.clusterIP(lab, "web")
        let nodePort = try #require(web.nodePort)
        let loop = Lab.repository.appendingPathComponent("scripts/request-loop.py").path
        let clusterIPLoad = try RequestLoop(lab: lab, from: "h1", url: "http://\(web.ip):80/", script: loop)
        let nodePortLoad = try RequestLoop(lab: lab, from: "client", url: "http://\(lab.address(of: 1)):\(nodePort)/", script: loop)
        Thread.sleep(forTimeInterval: 1)
        try lab.stopAgent(1)
        Thread.sleep(forTimeInterval: 1)
        try lab.startAgent(1)
        try lab.waitUntil("h1 sees its peers again", limit: 30) {
            ((try? lab.agent(1, "members").standardOutput) ?? "").components(separatedBy: " alive ").count - 1 == 3
        }
        Thread.sleep(forTimeInterval: 2)
        for (name, load) in [("ClusterIP", clusterIPLoad), ("NodePort", nodePortLoad)] {
            let result = try load.finish()
            #expect(result.sent > 100 && result.failed == 0, "\(name): \(result)")
        }
    }

    @Test(
        "rules someone else placed, in filter and nat and in built-in chains, are byte for byte the same while the agent runs and after agent cleanup, which leaves no AGENT- chain or jump"
    )
    func foreignRulesUntouched() throws {
        let lab = try Lab(prefix: "std", hosts: 1)
        let foreign = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :OPERATOR - [0:0]
            -A INPUT -s 192.0.2.0/24 -j OPERATOR
            -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
            -A FORWARD -i cbr0 -j ACCEPT
            -A OPERATOR -j LOG --log-prefix "operator "
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :OPERATOR-NAT - [0:0]
            -A PREROUTING -d 198.51.100.1/32 -j OPERATOR-NAT
            -A POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE
            -A OPERATOR-NAT -p tcp -j DNAT --to-destination 10.244.1.9:80
            COMMIT

            """
        try lab.exec("h1", "sh", "-c", "printf '%s' '\(foreign)' | iptables-restore")
        let before = try Self.saved(lab)
        try lab.startCluster()
        let ip = try lab.startPod("web-1", on: 1, index: 1)
        try lab.apply(Manifests.service("web", app: "web", type: "NodePort") + Manifests.pod("web-1", app: "web", host: 1, ip: ip))
        let web = try Self.clusterIP(lab, "web")
        try lab.waitUntil("web answers", limit: 30) { lab.curl(from: "h1", "http://\(web.ip):80/").body != nil }
        let running = try Self.saved(lab)
        #expect(running.contains("AGENT-SERVICES"))
        #expect(Self.withoutAgent(running) == before, "someone else's rules changed while the agent ran")
        // agent rules: exactly the agent's share of what is installed, in iptables-save's words.
        let owned = try AgentBinary.runInNamespace(lab, "h1", "rules")
        let installed = Set(running.split(separator: "\n").map(String.init))
        let ownedRules = owned.split(separator: "\n").filter { $0.hasPrefix("-A ") }.map(String.init)
        #expect(ownedRules.contains { $0.hasPrefix("-A AGENT-SERVICES -d \(web.ip)/32 -p tcp") }, "\(owned)")
        #expect(ownedRules.allSatisfy(installed.contains) && !owned.contains("OPERATOR"), "\(owned)")
        #expect(ownedRules.count == running.split(separator: "\n").filter { $0.hasPrefix("-A ") && $0.contains("AGENT-") }.count)

        try lab.stopAgent(1)
        #expect(try Self.saved(lab) == running, "the rules stay in place while the agent is stopped")
        let cleanup = try AgentBinary.runInNamespace(lab, "h1", "cleanup")
        #expect(cleanup.contains("removed"), "\(cleanup)")
        let after = try Self.saved(lab)
        #expect(after == before)
        #expect(!after.contains("AGENT-"))
    }

    /// `iptables-save` without its dated comments and packet counters.
    static func saved(_ lab: Lab) throws -> String {
        try lab.exec("h1", "iptables-save").split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            line.hasPrefix(":") ? String(line.split(separator: " ").prefix(2).joined(separator: " ")) : String(line)
        }.joined(separator: "\n")
    }

    /// The agent's chains and jumps taken out.
    static func withoutAgent(_ saved: String) -> String {
        saved.split(separator: "\n").filter { !$0.contains("AGENT-") }.joined(separator: "\n")
    }
}

extension AgentBinary {
    /// The CLI run inside a namespace of the lab, as root there would run it.
    static func runInNamespace(_ lab: Lab, _ name: String, _ arguments: String...) throws -> String {
        try lab.exec(name, arguments: [path] + arguments)
    }
}

/// `scripts/request-loop.py` in a namespace of the lab: a request every 10 ms until told to stop.
final class RequestLoop {
    let process: Child
    let output: String

    init(lab: Lab, from name: String, url: String, script: String) throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("loop-\(UUID().uuidString)").path
        process = try Child([Lab.script, "exec", lab.prefix, name, "/usr/bin/python3", script, "--url", url, "--interval", "0.01"], log: output)
    }

    /// Stops the loop (SIGINT) and reads its summary.
    func finish() throws -> (sent: Int, failed: Int, text: String) {
        process.signal(SIGINT)
        process.wait()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        let words = Dictionary(
            text.split(whereSeparator: \.isWhitespace).compactMap { word -> (String, Int)? in
                let parts = word.split(separator: "=")
                guard parts.count == 2, let number = Int(parts[1]) else { return nil }
                return (String(parts[0]), number)
            }, uniquingKeysWith: { _, last in last })
        return (words["sent"] ?? 0, words["failed"] ?? -1, text)
    }
}
