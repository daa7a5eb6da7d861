import CLITestSupport
import ControlAPI
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A stand-in daemon for the object commands: serves `router` on a socket in a fresh
/// directory, and runs the `agent` binary against it as a user would.
struct StubAgent {
    let socket: String

    /// Runs `agent ARGUMENTS --socket SOCKET` on a thread of its own (it blocks), with
    /// `input` as its standard input when given.
    func run(_ arguments: String..., input: String? = nil) async throws -> AgentBinary.Result {
        let arguments = [arguments[0], "--socket", socket] + arguments.dropFirst()
        return try await Self.blocking { try AgentBinary.run(arguments, input: input) }
    }

    static func with(_ router: ControlRouter, _ body: (StubAgent) async throws -> Void) async throws {
        var template = Array("/tmp/agent-cli-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw StubFailure("mkdtemp failed: \(errno)") }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = ControlServer(endpoint: .unix(path: directory + "/agent.sock"), handler: router)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            _ = try await server.listeningEndpoint()
            defer { group.cancelAll() }
            try await body(StubAgent(socket: directory + "/agent.sock"))
        }
    }

    /// Blocking work on its own thread, so it never holds one of the few threads the
    /// server's handlers need.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

/// What the stub was asked, for tests that check the request the CLI sent.
final class Requests: Sendable {
    private let seen = Mutex<[ControlRequest]>([])

    func record(_ request: ControlRequest) { seen.withLock { $0.append(request) } }
    var all: [ControlRequest] { seen.withLock { $0 } }
}

struct StubFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
