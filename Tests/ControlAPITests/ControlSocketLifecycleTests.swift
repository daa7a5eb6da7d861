import ControlAPI
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("The control socket's file: missing, stale, taken, removed")
struct ControlSocketLifecycleTests {
    @Test func aClientAgainstAMissingSocketIsUnreachableAndSaysWhichPathItTried() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let outcome = Result { () throws(ControlClientError) in try ControlClient(socketPath: path).send("GET", "/v1/members") }
            #expect(throws: ControlClientError.self) { try outcome.get() }
            guard case .failure(let error) = outcome else { return }
            #expect(
                error.description
                    == "cannot reach the agent at \(path): no such file (is `agent run` running? pass --socket or set AGENT_SOCKET)"
            )
        }
    }

    @Test func aClientAgainstASocketNobodyListensOnSaysNothingIsListening() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            try leaveStaleSocket(at: path)
            let outcome = Result { () throws(ControlClientError) in try ControlClient(socketPath: path).send("GET", "/v1/members") }
            guard case .failure(.unreachable(let socket, let reason)) = outcome else {
                Issue.record("expected .unreachable, got \(outcome)")
                return
            }
            #expect(socket == path)
            #expect(reason.hasPrefix("nothing is listening"))
        }
    }

    @Test func theDefaultSocketPathHonoursAgentSocket() {
        #expect(ControlClient.defaultSocketPath(environment: [:]) == "/run/agent/agent.sock")
        #expect(ControlClient.defaultSocketPath(environment: ["AGENT_SOCKET": "/tmp/a.sock"]) == "/tmp/a.sock")
    }

    @Test func aSecondServerOnALiveSocketRefusesToStartAndLeavesTheFirstServing() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            try await withRunningServer(ControlServer(endpoint: .unix(path: path), handler: demoRouter())) { _ in
                let second = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
                await #expect(throws: ControlServerError.alreadyServed(socket: path)) { try await second.run() }
                #expect(
                    "\(ControlServerError.alreadyServed(socket: path))"
                        == "another agent is already serving \(path); stop it first or pass another --socket"
                )

                let members = try await blocking {
                    try ControlClient(socketPath: path, timeout: .seconds(30)).request("GET", "/v1/members", as: [Member].self)
                }
                #expect(members.count == 2)
            }
        }
    }

    @Test func aStaleSocketLeftByADeadServerIsReplaced() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            try leaveStaleSocket(at: path)
            try await withRunningServer(ControlServer(endpoint: .unix(path: path), handler: demoRouter())) { _ in
                let members = try await blocking {
                    try ControlClient(socketPath: path, timeout: .seconds(30)).request("GET", "/v1/members", as: [Member].self)
                }
                #expect(members.count == 2)
            }
        }
    }

    @Test func aRegularFileAtTheSocketPathIsLeftAloneAndNamedInTheError() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            #expect(FileManager.default.createFile(atPath: path, contents: Data("precious".utf8)))
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            await #expect(throws: ControlServerError.notASocket(path: path)) { try await server.run() }
            #expect(FileManager.default.contents(atPath: path) == Data("precious".utf8))
        }
    }

    @Test func afterRunIsCancelledTheSocketFileIsGoneAndIdleConnectionsAreClosed() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            let running = Task { try await server.run() }
            _ = try await server.listeningEndpoint()
            #expect(fileExists(path))

            // A keep-alive connection left idle must not hold the shutdown up.
            let idle = try await blocking { try connectRaw(unixSocket: path) }
            defer { close(idle) }
            let firstAnswer = try await blocking {
                sendRaw(idle, Array("GET /v1/members HTTP/1.1\r\nHost: agent\r\n\r\n".utf8))
                return String(decoding: receiveRaw(idle), as: UTF8.self)
            }
            #expect(firstAnswer.hasPrefix("HTTP/1.1 200 OK"))
            #expect(!firstAnswer.lowercased().contains("connection: close"))

            running.cancel()
            try await withGuard { try await running.value }
            #expect(!fileExists(path))
            let afterStop = try await blocking { receiveRaw(idle) }
            #expect(afterStop.isEmpty, "the idle connection should have been closed")
            await #expect(throws: ControlServerError.stopped(endpoint: path)) { try await server.listeningEndpoint() }
        }
    }

    @Test func stoppingWhileABurstOfClientsIsConnectingNeitherCrashesNorLeavesTheSocket() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            let running = Task { try await server.run() }
            _ = try await server.listeningEndpoint()

            let connections = try await blocking { try (0..<64).map { _ in try connectRaw(unixSocket: path) } }
            defer { connections.forEach { close($0) } }
            running.cancel()
            try await withGuard { try await running.value }

            #expect(!fileExists(path))
        }
    }
}
