import ControlAPI
import Foundation
import Testing

@Suite("The CLI's client reads any well-formed answer, however it is cut up")
struct ControlClientTests {
    @Test func aChunkedAnswerWithExtensionsAndTrailersArrivingInPiecesIsReassembled() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let agent = try serveCannedResponse(
                at: path,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                    + "4;note=x\r\n{\"na\r\n9\r\nme\":\"n1\"}\r\n0\r\nX-Trailer: 1\r\n\r\n"
            )
            let answer = try await blocking {
                try ControlClient(socketPath: path, timeout: .seconds(30)).request("GET", "/v1/node", as: [String: String].self)
            }
            #expect(answer == ["name": "n1"])
            let requestHead = try await agent.value
            #expect(requestHead.hasPrefix("GET /v1/node HTTP/1.1\r\n"))
            #expect(requestHead.contains("Host: agent\r\n"))
            #expect(requestHead.contains("Connection: close\r\n"))
        }
    }

    @Test func anAnswerWithoutLengthEndsWhenTheAgentCloses() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let agent = try serveCannedResponse(at: path, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nline one\nline two\n")
            let lines = try await blocking {
                var lines: [String] = []
                try ControlClient(socketPath: path, timeout: .seconds(30)).stream("GET", "/v1/watch") { line in
                    lines.append(line)
                    return true
                }
                return lines
            }
            #expect(lines == ["line one", "line two"])
            _ = try await agent.value
        }
    }

    @Test func anErrorAnswerThatIsNotJSONStillReachesTheUserAsText() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let agent = try serveCannedResponse(at: path, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 14\r\n\r\nstarting up...")
            let outcome = try await blocking {
                Result { () throws(ControlClientError) in try ControlClient(socketPath: path).send("GET", "/v1/members") }
            }
            #expect(throws: ControlClientError.server(status: 503, message: "starting up...")) { try outcome.get() }
            _ = try await agent.value
        }
    }

    @Test func somethingThatIsNotHTTPIsAProtocolErrorNamingTheSocket() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let agent = try serveCannedResponse(at: path, "SSH-2.0-OpenSSH_9.2\r\n")
            let outcome = try await blocking {
                Result { () throws(ControlClientError) in try ControlClient(socketPath: path).send("GET", "/v1/members") }
            }
            guard case .failure(.protocolError(let message)) = outcome else {
                Issue.record("expected a protocol error, got \(outcome)")
                return
            }
            #expect(message.contains("the agent at \(path) did not answer with HTTP"))
            _ = try await agent.value
        }
    }

    @Test func anAgentThatNeverAnswersTimesOutAndTheMessageSaysHowLongItWaited() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            try await leaveListeningSocketThatNeverAnswers(at: path) {
                let outcome = try await blocking {
                    Result { () throws(ControlClientError) in
                        try ControlClient(socketPath: path, timeout: .milliseconds(200)).send("GET", "/v1/members")
                    }
                }
                #expect(throws: ControlClientError.timedOut(socket: path, after: .milliseconds(200))) { try outcome.get() }
                guard case .failure(let error) = outcome else { return }
                #expect(error.description.hasPrefix("the agent at \(path) did not answer within 0.2 seconds"))
            }
        }
    }
}

@Suite("Request targets")
struct ControlRequestTargetTests {
    @Test func aTargetBuiltByTheClientSplitsBackIntoTheSamePathAndQuery() {
        let target = ControlRequest.target("/v1/pods", query: ["namespace": "kube system", "selector": "app=web&tier=1", "absent": nil])
        #expect(target == "/v1/pods?namespace=kube%20system&selector=app%3Dweb%26tier%3D1")
        let request = ControlRequest(method: "GET", target: target)
        #expect(request.path == "/v1/pods")
        #expect(request.query == ["namespace": "kube system", "selector": "app=web&tier=1"])
    }

    @Test func aQueryFlagWithoutValueIsPresentAndEmpty() {
        let request = ControlRequest(method: "GET", target: "/v1/services?watch&namespace=a+b")
        #expect(request.query == ["watch": "", "namespace": "a b"])
    }
}
