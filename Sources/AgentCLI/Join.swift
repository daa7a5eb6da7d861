import AgentConfig
import ArgumentParser
import ControlAPI

struct Join: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the cluster through one or more of its members.",
        discussion: "Exits 0 once at least one peer answered, and names every peer that did not."
    )

    @OptionGroup var control: ControlOptions

    @Argument(help: ArgumentHelp("A member to join through: host or host:port (default port 7950).", valueName: "peer"))
    var peers: [String]

    func validate() throws {
        guard !peers.isEmpty else { throw ValidationError("name at least one peer to join, e.g. `agent join 10.0.0.1`") }
        for peer in peers {
            do {
                _ = try PeerSpec(parsing: peer)
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    func run() throws {
        let response = try control.call { client throws(ControlClientError) in
            try client.request("POST", V1.Path.join, json: V1.JoinRequest(peers: peers), as: V1.JoinResponse.self)
        }
        for result in response.results {
            if let node = result.node {
                print("joined \(node) at \(result.peer)")
            } else {
                standardError("error: \(result.peer): \(result.error ?? "no answer")")
            }
        }
        let answered = response.results.filter { $0.node != nil }.count
        guard answered > 0 else {
            throw CommandFailure(status: ExitStatus.failed, "no peer answered; this node has not joined")
        }
    }
}
