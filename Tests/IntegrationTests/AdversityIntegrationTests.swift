import Foundation
import Sealing
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension MembershipIntegrationTests {
    @Test("a live five-agent cluster rotates its key (install, use, remove) with no member ever marked failed, and the old key then opens nothing")
    func keyRotation() throws {
        let cluster = try TestCluster(subnet: 44)
        let old = try Self.newKey()
        let new = try Self.newKey()
        do {
            try Self.startCluster(cluster, count: 5, key: old)
            let (first, second, third) = (cluster.agents[0], cluster.agents[1], cluster.agents[2])

            // Refused here first, so asked of no one: exit 1, and nothing changed anywhere.
            let notInstalled = try first.cli(["keyring", "use", new])
            #expect(notInstalled.status == 1)
            #expect(notInstalled.standardOutput.contains("n1     refused"), "\(notInstalled.standardOutput)")
            #expect(notInstalled.standardOutput.contains("is not installed"))
            let removePrimary = try second.cli(["keyring", "remove", old])
            #expect(removePrimary.status == 1)
            #expect(removePrimary.standardOutput.contains("primary key and cannot be removed"), "\(removePrimary.standardOutput)")
            let badKey = try second.cli(["keyring", "install", "not-a-key"])
            #expect(badKey.status == 2)
            #expect(badKey.standardError.contains("base64"))

            let oldSender = Sealer(sender: try .init("ghost-old"))
            let before = try first.metric(#"agent_packets_rejected_total{reason="auth"}"#) ?? 0

            for (agent, step) in [(second, ["keyring", "install", new]), (third, ["keyring", "use", new]), (first, ["keyring", "remove", old])] {
                let result = try agent.cli(step)
                #expect(result.status == 0, "\(step[1]): \(result.standardError)")
                #expect(result.standardOutput.split(separator: "\n").filter { $0.contains(" ok") }.count == 5, "one ok line per node: \(result.standardOutput)")
            }
            let listed = try cluster.agents[4].cli(["keyring", "list"])
            #expect(listed.status == 0)
            #expect(listed.standardOutput.contains("\(new)   5/5       5/5"))
            #expect(!listed.standardOutput.contains(old))

            // Members keep probing one another for a few more rounds under the new key.
            Thread.sleep(forTimeInterval: 3)
            for agent in cluster.agents {
                #expect(agent.statuses().values.allSatisfy { $0 == "alive" }, "\(agent.name): \(agent.statuses())")
                #expect(!agent.log.contains(" is failed"), "\(agent.name) marked a member failed during the rotation")
            }

            // The old key opens nothing any more; the new one still does.
            let udp = try UDPSender(host: first.host, port: first.port)
            udp.send(try Datagrams.sealedNack(key: old, sender: oldSender))
            try waitUntil("the old key's datagram is refused as auth", timeout: 10) {
                (try first.metric(#"agent_packets_rejected_total{reason="auth"}"#) ?? 0) > before
            }
            let authRejects = try first.metric(#"agent_packets_rejected_total{reason="auth"}"#) ?? 0
            udp.send(try Datagrams.sealedNack(key: new, sender: Sealer(sender: try .init("ghost-new"))))
            let received = try first.metric(#"agent_gossip_packets_total{direction="in"}"#) ?? 0
            try waitUntil("n1 has received more datagrams", timeout: 10) {
                (try first.metric(#"agent_gossip_packets_total{direction="in"}"#) ?? 0) > received
            }
            #expect(try first.metric(#"agent_packets_rejected_total{reason="auth"}"#) == authRejects, "the new key's datagram opened")
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }

    @Test("a 10-second flood of random, truncated, replayed and unauthenticated datagrams leaves the agent up and answering, and each reason is counted")
    func garbageFlood() throws {
        let cluster = try TestCluster(subnet: 45)
        let key = try Self.newKey()
        do {
            try Self.startCluster(cluster, count: 2, key: key)
            let target = cluster.agents[0]
            let udp = try UDPSender(host: target.host, port: target.port)
            let attacker = Sealer(sender: try .init("attacker"))
            let capture = try Datagrams.sealedNack(key: key, sender: attacker)
            let garbageInside = try Datagrams.sealedGarbage(key: key, sender: attacker)
            let strangerKey = ClusterKey.generate().base64
            let flood = Thread {
                var generator = SystemRandomNumberGenerator()
                let end = Date().addingTimeInterval(10)
                while Date() < end {
                    for round in 0..<50 {
                        let random = (0..<Int.random(in: 0...1_400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                        udp.send(random)
                        udp.send(Array(capture.prefix(Int.random(in: 0..<capture.count, using: &generator))))  // truncated
                        udp.send(capture)  // replayed
                        if round == 0 {
                            udp.send(garbageInside)
                            udp.send((try? Datagrams.sealedNack(key: strangerKey, sender: attacker)) ?? [])
                        }
                    }
                    Thread.sleep(forTimeInterval: 0.002)
                }
            }
            flood.start()
            let floodEnd = Date().addingTimeInterval(10)
            var answers = 0
            while Date() < floodEnd {
                let result = try target.cli(["members", "-o", "json"])
                #expect(result.status == 0, "the agent stopped answering its control socket during the flood")
                answers += 1
                Thread.sleep(forTimeInterval: 0.5)
            }
            #expect(answers >= 5)
            Thread.sleep(forTimeInterval: 0.5)
            #expect(target.isRunning)
            for reason in ["auth", "replay", "malformed", "version"] {
                let count = try target.metric("agent_packets_rejected_total{reason=\"\(reason)\"}") ?? 0
                #expect(count > 0, "no \(reason) rejects were counted")
            }
            #expect(target.statuses()["n2"] == "alive", "the flood did not cost n2 its membership")
            #expect(!target.log.contains("n2 is failed"))
        } catch {
            Issue.record("\(error)\n\(cluster.logs)")
        }
    }
}
