import ArgumentParser
import ControlAPI

/// `--socket`, shared by every command that talks to the local agent.
struct ControlOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The agent's control socket (env AGENT_SOCKET).", valueName: "path"))
    var socket: String?

    var client: ControlClient {
        ControlClient(socketPath: socket ?? ControlClient.defaultSocketPath())
    }

    /// Runs `call` against the agent, mapping its errors to SPEC §3's exit statuses:
    /// unreachable 3, refused as bad input 2, anything else 1.
    func call<Result>(_ call: (ControlClient) throws(ControlClientError) -> Result) throws -> Result {
        do {
            return try call(client)
        } catch {
            switch error {
            case .unreachable, .timedOut:
                throw CommandFailure(status: ExitStatus.daemonUnreachable, error.description)
            case .server(let status, let message) where (400..<500).contains(status):
                throw CommandFailure.badInput(message)
            case .server, .protocolError:
                throw CommandFailure(status: ExitStatus.failed, error.description)
            }
        }
    }
}

/// `-o table|json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}
