import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension MembershipIntegrationTests {
    @Test("a journald started by the test receives the agent's logs with SYSLOG_IDENTIFIER, PRIORITY, AGENT_NODE and metadata fields")
    func journaldReceivesLogs() async throws {
        guard Journald.mayStart else {
            // Journald.mayStart is false only outside CI without root; CI runs as root.
            print("skipping: starting a journald needs root (CI runs this)")
            return
        }
        try await Journald.withRunning { journald in
            let cluster = try TestCluster(subnet: 46)
            let agent = cluster.add(1, key: try Self.newKey())
            agent.logFormat = "journald"
            try agent.start()
            #expect(try agent.terminate() == 0)
            let entries = try journald.waitForEntries(identifier: "agent") { entries in
                entries.contains { $0["AGENT_NODE"] == "n1" && $0["MESSAGE"] == "left the cluster" }
            }
            let started = entries.first { $0["AGENT_NODE"] == "n1" && $0["MESSAGE"] == "agent started" && $0["BIND"] == agent.address }
            #expect(started != nil, "no `agent started` entry for n1 among \(entries.count) entries:\n\(journald.output)\n\(agent.log)")
            #expect(started?["SYSLOG_IDENTIFIER"] == "agent")
            #expect(started?["PRIORITY"] == "5", "notice is syslog priority 5")
            #expect(started?["ADVERTISE"] == agent.address, "log metadata becomes upper-case fields")
            #expect(started?["CODE_FILE"]?.hasSuffix(".swift") == true)
            #expect(started?["CODE_FUNC"]?.isEmpty == false)
            #expect(started?["CODE_LINE"].flatMap(Int.init) != nil)
            #expect(entries.contains { $0["MESSAGE"] == "ready" && $0["PRIORITY"] == "6" })
        }
    }

    @Test("a test-owned NOTIFY_SOCKET receives READY=1, STATUS=, WATCHDOG=1 and, on SIGTERM, STOPPING=1")
    func systemdNotify() throws {
        let notify = try NotifySocket()
        let cluster = try TestCluster(subnet: 47)
        let agent = cluster.add(1, key: try Self.newKey(), environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"])
        do {
            try agent.start()
            #expect(notify.waitForLine("READY=1"))
            #expect(notify.waitForLine("WATCHDOG=1"), "watchdog pings at half of WATCHDOG_USEC")
            #expect(notify.messages.contains { $0.contains("STATUS=1 alive, 0 suspect, 0 failed members") }, "\(notify.messages)")
            #expect(try agent.terminate() == 0)
            #expect(notify.waitForLine("STOPPING=1"))
            let ready = notify.messages.firstIndex { $0.contains("READY=1") }
            let stopping = notify.messages.firstIndex { $0.contains("STOPPING=1") }
            #expect(ready != nil && stopping != nil && ready! < stopping!)
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }
}
