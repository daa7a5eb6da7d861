import ControlAPI
import Foundation
import Testing

@Suite("Streamed answers, as `agent get -w` uses them")
struct ControlStreamTests {
    @Test func aWatchDeliversEveryLineInOrderEvenWhenLinesStraddleChunks() async throws {
        var router = ControlRouter()
        router.add("GET", "/v1/watch") { _ in
            let (chunks, continuation) = AsyncStream<[UInt8]>.makeStream()
            for piece in ["one\n", "tw", "o\nthr", "ee\nfour\n"] {
                continuation.yield(Array(piece.utf8))
            }
            continuation.finish()
            return .stream(chunks)
        }
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            try await withRunningServer(ControlServer(endpoint: .unix(path: path), handler: router)) { _ in
                let lines = try await blocking {
                    var lines: [String] = []
                    try ControlClient(socketPath: path, timeout: .seconds(30)).stream("GET", "/v1/watch") { line in
                        lines.append(line)
                        return true
                    }
                    return lines
                }
                #expect(lines == ["one", "two", "three", "four"])

                let printed = try await curl(["-N", "--unix-socket", path, "http://agent/v1/watch"])
                #expect(printed == "one\ntwo\nthree\nfour\n")
            }
        }
    }

    @Test func whenTheClientStopsReadingTheHandlersStreamIsCancelled() async throws {
        let (terminations, terminated) = AsyncStream<String>.makeStream()
        var router = ControlRouter()
        router.add("GET", "/v1/watch") { _ in
            let (chunks, continuation) = AsyncStream<[UInt8]>.makeStream()
            continuation.onTermination = { termination in
                switch termination {
                case .cancelled: terminated.yield("cancelled")
                case .finished: terminated.yield("finished")
                @unknown default: terminated.yield("unknown")
                }
            }
            continuation.yield(Array("first change\n".utf8))
            continuation.yield(Array("second change\n".utf8))
            // ...and then nothing more for a long time, as a quiet cluster would.
            return .stream(chunks)
        }
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            try await withRunningServer(ControlServer(endpoint: .unix(path: path), handler: router)) { _ in
                let seen = try await blocking {
                    var seen: [String] = []
                    try ControlClient(socketPath: path, timeout: .seconds(30)).stream("GET", "/v1/watch") { line in
                        seen.append(line)
                        return seen.count < 2
                    }
                    return seen
                }
                #expect(seen == ["first change", "second change"])

                let termination = try await withGuard {
                    var iterator = terminations.makeAsyncIterator()
                    return await iterator.next()
                }
                #expect(termination == "cancelled")
            }
        }
    }

    @Test func aStreamThatFailsUpFrontReportsTheAgentsError() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            try await withRunningServer(ControlServer(endpoint: .unix(path: path), handler: demoRouter())) { _ in
                let outcome = try await blocking {
                    Result { () throws(ControlClientError) in
                        try ControlClient(socketPath: path).stream("GET", "/v1/nothing") { _ in true }
                    }
                }
                #expect(
                    throws: ControlClientError.server(
                        status: 404,
                        message: "no such endpoint: GET /v1/nothing; endpoints are POST /v1/greetings, GET /v1/members"
                    )
                ) { try outcome.get() }
            }
        }
    }
}
