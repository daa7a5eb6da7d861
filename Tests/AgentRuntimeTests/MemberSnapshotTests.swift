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
        #expect(snapshot.load().entries.isEmpty && snapshot.load().problem == nil)
        let members = [
            SWIM.Member(name: try NodeName("n2"), address: PeerAddress("10.0.0.2:7950")!, incarnation: 7, status: .alive),
            SWIM.Member(name: try NodeName("n3"), address: PeerAddress("10.0.0.3:7950")!, incarnation: 9, status: .failed),
        ]
        let now = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)
        try snapshot.save(MemberSnapshot.merged([], with: members, node: try NodeName("n1"), now: now))
        #expect(snapshot.load(now: now).entries.map(\.address) == ["10.0.0.2:7950", "10.0.0.3:7950"])
    }

    @Test("a peer no longer heard of is remembered until it is known to have left or the reap time has passed")
    func remembering() throws {
        let start = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)
        let n1 = try NodeName("n1")
        let everyone = try ["n1", "n2", "n3", "n4"].map {
            SWIM.Member(name: try NodeName($0), address: PeerAddress("10.0.0.\($0.dropFirst()):7950")!, incarnation: 1, status: .alive)
        }
        let known = MemberSnapshot.merged([], with: everyone, node: n1, now: start)
        #expect(known.map(\.name) == ["n2", "n3", "n4"], "not the node itself")
        // Back after a restart, it hears of n2 alone: n3 and n4 stay; then n3 leaves.
        let partial = MemberSnapshot.merged(known, with: [everyone[0], everyone[1]], node: n1, now: start + .seconds(60))
        #expect(partial.map(\.name) == ["n2", "n3", "n4"])
        var left = everyone[2]
        left.status = .left
        let afterLeave = MemberSnapshot.merged(partial, with: [everyone[0], everyone[1], left], node: n1, now: start + .seconds(120))
        #expect(afterLeave.map(\.name) == ["n2", "n4"])
        let dayLater = MemberSnapshot.merged(afterLeave, with: [everyone[0], everyone[1]], node: n1, now: start + .seconds(25 * 3600))
        #expect(dayLater.map(\.name) == ["n2"], "n4, unheard of for over a day, is forgotten")
    }

    @Test("a corrupt snapshot is no peers and says how to rejoin, instead of stopping the agent")
    func corrupt() throws {
        let directory = "/tmp/agent-snapshot-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "{not json".write(toFile: directory + "/members.json", atomically: true, encoding: .utf8)
        let loaded = MemberSnapshot(dataDirectory: directory).load()
        #expect(loaded.entries.isEmpty)
        #expect(loaded.problem?.contains("agent join") == true)
    }
}
