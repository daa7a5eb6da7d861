import ArgumentParser
import ControlAPI
import Foundation

struct Members: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the members of the cluster as this node sees them.")

    @OptionGroup var control: ControlOptions

    @Option(name: .shortAndLong, help: "Output format: table or json.")
    var output: OutputFormat = .table

    func run() throws {
        let members = try control.call { client throws(ControlClientError) in
            try client.request("GET", V1.Path.members, as: [V1.Member].self)
        }
        switch output {
        case .json:
            let data = try ControlJSON.makeEncoder().encode(members)
            print(String(decoding: data, as: UTF8.self))
        case .table:
            print(Self.table(members), terminator: "")
        }
    }

    /// kubectl's look: upper-case headers, columns three spaces apart.
    static func table(_ members: [V1.Member]) -> String {
        let rows = members.map { member in
            [
                member.name, "\(member.address.contains(":") ? "[\(member.address)]" : member.address):\(member.port)", member.status,
                member.labels.isEmpty ? "<none>" : member.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
            ]
        }
        return TextTable.render(header: ["NAME", "ADDRESS", "STATUS", "LABELS"], rows: rows)
    }
}
