import CLITestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real `agent` processes on loopback addresses, driven through the CLI as an operator would.
/// One suite, run serially: each test starts several agents, and two cores shared by
/// parallel clusters would test the machine rather than the agent.
@Suite("Agents on loopback", .serialized)
struct MembershipIntegrationTests {
    static func newKey() throws -> String {
        let result = try AgentBinary.run(["keygen"])
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `count` agents and joins every other one to the first.
    static func startCluster(_ cluster: TestCluster, count: Int, key: String) throws {
        for index in 1...count { try cluster.add(index, key: key).start() }
        let first = cluster.agents[0]
        for agent in cluster.agents.dropFirst() {
            let joined = try agent.cli(["join", first.address])
            #expect(joined.status == 0, "join of \(agent.name): \(joined.standardError)")
            #expect(joined.standardOutput.contains("joined n1"))
        }
        try waitUntil("every agent lists \(count) alive members", timeout: 30) {
            cluster.agents.allSatisfy { agent in
                let statuses = agent.statuses()
                return statuses.count == count && statuses.values.allSatisfy { $0 == "alive" }
            }
        }
    }

    @Test("five agents join, a killed one is failed, a stopped one left and exited 0, and the killed one comes back alive without a join")
    func fiveAgentsLifecycle() throws {
        let cluster = try TestCluster(subnet: 41)
        let key = try Self.newKey()
        do {
            try Self.startCluster(cluster, count: 5, key: key)
            let table = try cluster.agents[2].cli(["members"])
            #expect(table.standardOutput.hasPrefix("NAME   ADDRESS           STATUS   LABELS\nn1     127.0.41.1:7950   alive    <none>\n"), "kubectl look, sorted by name")
            #expect(table.standardOutput.contains("\nn5     127.0.41.5:7950   alive    <none>\n"))

            let killed = cluster.agents[4]
            killed.kill(signal: SIGKILL)
            let stopped = cluster.agents[3]
            let exitStatus = try stopped.terminate()
            #expect(exitStatus == 0, "an agent stopped with SIGTERM exits 0")
            let survivors = cluster.agents[0..<3]
            try waitUntil("the others list n5 failed and n4 left", timeout: 60) {
                survivors.allSatisfy { agent in
                    let statuses = agent.statuses()
                    return statuses["n5"] == "failed" && statuses["n4"] == "left"
                }
            }

            try killed.start()  // no --join: the snapshot in its data directory is enough
            try waitUntil("n5 is alive everywhere again, and sees n1, n2 and n3 alive", timeout: 30) {
                let seenByN5 = killed.statuses()
                return survivors.allSatisfy { $0.statuses()["n5"] == "alive" }
                    && ["n1", "n2", "n3", "n5"].allSatisfy { seenByN5[$0] == "alive" } && [nil, "left"].contains(seenByN5["n4"])
            }
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }

    @Test("agent leave makes the local agent leave gracefully and exit 0; the others list it left")
    func leaveCommand() throws {
        let cluster = try TestCluster(subnet: 50)
        do {
            try Self.startCluster(cluster, count: 2, key: try Self.newKey())
            let leaving = cluster.agents[1]
            let result = try leaving.cli(["leave"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "n2 left the cluster\n")
            try waitUntil("n2 has exited", timeout: 20) { !leaving.isRunning }
            #expect(leaving.process?.terminationStatus == 0)
            try waitUntil("n1 lists n2 left", timeout: 20) { cluster.agents[0].statuses()["n2"] == "left" }
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }

    @Test("an agent with another cluster key cannot join: join exits 1 and says to check the key; the peer counts auth rejects")
    func wrongKeyCannotJoin() throws {
        let cluster = try TestCluster(subnet: 42)
        do {
            let first = cluster.add(1, key: try Self.newKey())
            let stranger = cluster.add(2, key: try Self.newKey())
            try first.start()
            try stranger.start()
            let joined = try stranger.cli(["join", first.address])
            #expect(joined.status == 1)
            #expect(joined.standardError.contains("did not answer authenticated traffic"))
            #expect(joined.standardError.contains("cluster key"))
            #expect(try first.metric(#"agent_packets_rejected_total{reason="auth"}"#) ?? 0 > 0)
            #expect(first.statuses().keys.sorted() == ["n1"], "the stranger never became a member")
            #expect(try first.metric(#"agent_members{status="alive"}"#) == 1)
            let metrics = try first.metrics()
            for name in ["agent_gossip_packets_total{direction=\"in\"}", "agent_gossip_bytes_total{direction=\"out\"}", "agent_health_score", "agent_probe_rtt_seconds_bucket{le=\"0.001\"}"] {
                #expect(metrics.contains(name), "/metrics lacks \(name)")
            }
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }

    @Test("a second agent on an address already in use stops with exit 1 and says why, and the first keeps running")
    func addressInUse() throws {
        let cluster = try TestCluster(subnet: 49)
        let first = cluster.add(1, key: nil, extraArguments: ["--insecure-dev"])
        try first.start()
        let second = try AgentBinary.run([
            "run", "--insecure-dev", "--node-name", "other", "--bind", first.address, "--socket", cluster.directory.path + "/other.sock",
            "--data-dir", cluster.directory.path + "/other", "--metrics-addr", "off",
        ])
        #expect(second.status == 1)
        #expect(second.standardError.contains("cannot bind the gossip socket to \(first.address)"), "\(second.standardError)")
        #expect(first.isRunning && first.members() != nil)
    }

    @Test("agent members with no daemon running exits 3 and names the socket it tried")
    func noDaemon() throws {
        let socket = "/tmp/agent-it-nobody-\(getpid()).sock"
        let result = try AgentBinary.run(["members", "--socket", socket])
        #expect(result.status == 3)
        #expect(result.standardError.contains(socket))
        let fromEnvironment = try AgentBinary.run(["members"], environment: ["AGENT_SOCKET": socket])
        #expect(fromEnvironment.status == 3)
        #expect(fromEnvironment.standardError.contains(socket))
    }

    @Test("agent run refuses bad settings and a missing key with exit 2, naming what was wrong")
    func badSettings() throws {
        let directory = "/tmp/agent-it-bad-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let common = ["run", "--socket", directory + "/s.sock", "--data-dir", directory, "--metrics-addr", "off", "--bind", "127.0.43.1:7950"]
        let noKey = try AgentBinary.run(common)
        #expect(noKey.status == 2)
        #expect(noKey.standardError.contains("--encrypt"))
        let badBind = try AgentBinary.run(common + ["--insecure-dev", "--bind", "127.0.43.1:99999"])
        #expect(badBind.status == 2)
        #expect(badBind.standardError.contains("--bind"))
        let badKey = try AgentBinary.run(common + ["--encrypt", "not-a-key"])
        #expect(badKey.status == 2)
        #expect(badKey.standardError.contains("--encrypt"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/keyring.json"), "a refused start writes no keyring")
    }
}
