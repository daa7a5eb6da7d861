import ClusterModel
import Foundation
import Membership
import Persistence

/// The peers this node knew, kept in the data directory so that a restarted agent rejoins
/// them without a new `agent join` (as Serf's snapshot does). Only names and addresses are
/// kept: status is the cluster's to tell, not a stale file's.
struct MemberSnapshot: Sendable {
    static let fileName = "members.json"

    let path: String

    init(dataDirectory: String) {
        path = (dataDirectory.hasSuffix("/") ? dataDirectory : dataDirectory + "/") + Self.fileName
    }

    struct Entry: Codable, Equatable {
        var name: String
        var address: String
    }

    func save(_ members: [SWIM.Member]) throws {
        let entries = members.map { Entry(name: $0.name.rawValue, address: $0.address.description) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try DurableFile.write(Array(try encoder.encode(entries)), to: path, mode: 0o600)
    }

    /// The addresses of the last run's peers; an unreadable or corrupt snapshot is no peers
    /// (the operator can always `agent join` again), and says why.
    func load() -> (peers: [PeerAddress], problem: String?) {
        do {
            guard let contents = try DurableFile.read(path) else { return ([], nil) }
            let entries = try JSONDecoder().decode([Entry].self, from: Data(contents))
            return (entries.compactMap { PeerAddress($0.address) }, nil)
        } catch {
            return ([], "the member snapshot \(path) cannot be read (\(error)); rejoin with `agent join PEER`")
        }
    }
}
