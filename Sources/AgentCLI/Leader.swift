import ArgumentParser
import ControlAPI
import Foundation

struct Leader: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which node leads the cluster (and talks to the cloud load balancer), as this node knows it.")

    @OptionGroup var control: ControlOptions

    @Option(name: .shortAndLong, help: "Output format: table or json.")
    var output: OutputFormat = .table

    func run() throws {
        let leader = try control.call { client throws(ControlClientError) in
            try client.request("GET", V1.Path.leader, as: V1.Leader.self)
        }
        switch output {
        case .json:
            let data = try ControlJSON.makeEncoder().encode(leader)
            print(String(decoding: data, as: UTF8.self))
        case .table:
            print(Self.table(leader, now: Date()), terminator: "")
        }
    }

    /// kubectl's look; SINCE is how long the leader has led, as kubectl's AGE.
    static func table(_ leader: V1.Leader, now: Date) -> String {
        let since = leader.since.flatMap(Kube.date).map { HumanDuration.format(.seconds(now.timeIntervalSince($0))) }
        let row = [leader.leader ?? "<none>", leader.leader == nil ? "<none>" : "\(leader.term)", since ?? "<none>", "\(leader.quorum)"]
        return TextTable.render(header: ["LEADER", "TERM", "SINCE", "QUORUM"], rows: [row])
    }
}
