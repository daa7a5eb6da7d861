import ClusterModel
import Foundation
import Membership
import Persistence

/// The peers this node knew, kept in the data directory so that a restarted agent rejoins
/// them without a new `agent join` (as Serf's snapshot does). Only names, addresses and
/// when each was last known are kept: status is the cluster's to tell, not a stale file's.
///
/// A peer stays in the snapshot after the node stops hearing of it (a restart that comes
/// back to a partial view must not forget the rest), until it is known to have left or
/// was last known longer ago than the reap time: the election counts the snapshot's peers
/// as known members, so that a node back among a few cannot take them for the cluster.
struct MemberSnapshot: Sendable {
    static let fileName = "members.json"

    let path: String

    init(dataDirectory: String) {
        path = (dataDirectory.hasSuffix("/") ? dataDirectory : dataDirectory + "/") + Self.fileName
    }

    /// How long a peer no longer heard of is remembered: SWIM's reap time.
    static let rememberFor = SWIM.Settings().reconnect.reapTime

    struct Entry: Codable, Equatable {
        var name: String
        var address: String
        /// When this node last knew of the peer (not left), wall milliseconds; absent in
        /// snapshots written before it was kept, which count as known at load.
        var seen: UInt64?
    }

    /// What to keep after a membership change: every member known now (not left, not this
    /// node), and each peer of `previous` not known now that was seen within
    /// ``rememberFor``; a member known to have left is dropped.
    static func merged(_ previous: [Entry], with members: [SWIM.Member], node: NodeName, now: Timestamp) -> [Entry] {
        let stamp = now.millisecondsSinceEpoch
        var entries = Dictionary(recent(previous, now: now).map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        for member in members where member.name != node {
            if member.status == .left {
                entries[member.name.rawValue] = nil
            } else {
                entries[member.name.rawValue] = Entry(name: member.name.rawValue, address: member.address.description, seen: stamp)
            }
        }
        return entries.values.sorted { $0.name < $1.name }
    }

    /// The entries seen within ``rememberFor`` of `now` (one without a time counts as seen).
    static func recent(_ entries: [Entry], now: Timestamp) -> [Entry] {
        let stamp = now.millisecondsSinceEpoch
        return entries.filter { ($0.seen ?? stamp) + UInt64(rememberFor.nanoseconds / 1_000_000) >= stamp }
    }

    func save(_ entries: [Entry]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try DurableFile.write(Array(try encoder.encode(entries)), to: path, mode: 0o600)
    }

    /// The addresses of the last run's peers; an unreadable or corrupt snapshot is no peers
    /// (the operator can always `agent join` again), and says why.
    /// The last run's entries (their names the election remembers), seen within the reap time.
    func load(now: Timestamp = WallClock.now()) -> (entries: [Entry], problem: String?) {
        do {
            guard let contents = try DurableFile.read(path) else { return ([], nil) }
            let entries = try JSONDecoder().decode([Entry].self, from: Data(contents))
            return (Self.recent(entries, now: now), nil)
        } catch {
            return ([], "the member snapshot \(path) cannot be read (\(error)); rejoin with `agent join PEER`")
        }
    }
}
