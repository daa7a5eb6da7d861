import ArgumentParser
import ControlAPI

struct Leave: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Leave the cluster gracefully; the local agent then exits 0.",
        discussion: "Other members list this node as `left`, never `failed`."
    )

    @OptionGroup var control: ControlOptions

    func run() throws {
        let response = try control.call { client throws(ControlClientError) in
            try client.request("POST", V1.Path.leave, json: [String: String](), as: V1.LeaveResponse.self)
        }
        print("\(response.node) left the cluster")
    }
}
