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

    /// Like ``call(_:)``, but nil when the agent answers 404: the object the user named does
    /// not exist, which is not bad input but an operation that failed (exit 1).
    func callUnlessNotFound<Result>(_ call: (ControlClient) throws(ControlClientError) -> Result) throws -> Result? {
        try self.call { client throws(ControlClientError) -> Result? in
            do throws(ControlClientError) {
                return try call(client)
            } catch {
                if case .server(status: 404, _) = error { return nil }
                throw error
            }
        }
    }

    /// Like ``call(_:)``, but a 404 throws `notFound`.
    func call<Result>(
        notFound: @autoclosure () -> CommandFailure, _ call: (ControlClient) throws(ControlClientError) -> Result
    ) throws -> Result {
        guard let result = try callUnlessNotFound(call) else { throw notFound() }
        return result
    }
}

/// `-o table|json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}
