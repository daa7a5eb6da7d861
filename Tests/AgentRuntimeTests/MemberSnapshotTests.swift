import ClusterModel
import Foundation
import Membership
import Testing

@testable import AgentRuntime

@Suite("The member snapshot")
struct MemberSnapshotTests {
    @Test("peers saved are the peers a restarted agent rejoins; no file is no peers")
    func roundTrip() throws {
        let directory = "/tmp/agent-snapshot-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let snapshot = MemberSnapshot(dataDirectory: directory)
        #expect(snapshot.load().peers.isEmpty && snapshot.load().problem == nil)
        let members = [
            SWIM.Member(name: try NodeName("n2"), address: PeerAddress("10.0.0.2:7950")!, incarnation: 7, status: .alive),
            SWIM.Member(name: try NodeName("n3"), address: PeerAddress("10.0.0.3:7950")!, incarnation: 9, status: .failed),
        ]
        try snapshot.save(members)
        #expect(snapshot.load().peers == [PeerAddress("10.0.0.2:7950")!, PeerAddress("10.0.0.3:7950")!])
    }

    @Test("a corrupt snapshot is no peers and says how to rejoin, instead of stopping the agent")
    func corrupt() throws {
        let directory = "/tmp/agent-snapshot-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "{not json".write(toFile: directory + "/members.json", atomically: true, encoding: .utf8)
        let loaded = MemberSnapshot(dataDirectory: directory).load()
        #expect(loaded.peers.isEmpty)
        #expect(loaded.problem?.contains("agent join") == true)
    }
}
