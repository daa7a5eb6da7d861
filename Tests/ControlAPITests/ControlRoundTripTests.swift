import ControlAPI
import Foundation
import Testing

struct Member: Codable, Equatable, Sendable {
    var name: String
    var address: String
}

struct Greeting: Codable, Equatable, Sendable {
    var name: String
}

/// A small API in the shape of the real one.
func demoRouter() -> ControlRouter {
    var router = ControlRouter()
    router.add("GET", "/v1/members") { _ in
        .json([Member(name: "n1", address: "10.0.0.1:7950"), Member(name: "n2", address: "10.0.0.2:7950")])
    }
    router.add("POST", "/v1/greetings") { request in
        do {
            let greeting = try request.decodeJSON(Greeting.self)
            let namespace = request.query["namespace"] ?? "default"
            return .json(["greeting": "hello \(greeting.name) in \(namespace)"], status: 201)
        } catch {
            return .error(status: 400, message: "the body is not a greeting: \(error)")
        }
    }
    return router
}

@Suite("Control socket round trips")
struct ControlRoundTripTests {
    @Test func aGetOverTheUnixSocketReturnsTheHandlersJSON() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            try await withRunningServer(server) { _ in
                let members = try await blocking {
                    try ControlClient(socketPath: path, timeout: .seconds(30)).request("GET", "/v1/members", as: [Member].self)
                }
                #expect(members == [Member(name: "n1", address: "10.0.0.1:7950"), Member(name: "n2", address: "10.0.0.2:7950")])
            }
        }
    }

    @Test func aPostCarriesItsJSONBodyAndPercentDecodedQueryToTheHandler() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            try await withRunningServer(server) { _ in
                let target = ControlRequest.target("/v1/greetings", query: ["namespace": "kube system/ä"])
                let answer = try await blocking {
                    try ControlClient(socketPath: path, timeout: .seconds(30))
                        .request("POST", target, json: Greeting(name: "Ada"), as: [String: String].self)
                }
                #expect(answer == ["greeting": "hello Ada in kube system/ä"])
            }
        }
    }

    @Test func theSocketFileIsCreatedWithMode0660InADirectoryThatDidNotExist() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/run/agent/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            try await withRunningServer(server) { _ in
                #expect(fileMode(path) == 0o660)
                #expect(fileMode("\(directory)/run/agent") == 0o755)
            }
        }
    }

    @Test func curlOnTheSocketGetsTheSameJSONAsTheClient() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            try await withRunningServer(server) { _ in
                let printed = try await curl(["--unix-socket", path, "http://agent/v1/members"])
                let viaClient = try await blocking {
                    try ControlClient(socketPath: path, timeout: .seconds(30)).send("GET", "/v1/members").body
                }
                #expect(printed == String(decoding: viaClient, as: UTF8.self))
                #expect(
                    printed
                        == #"[{"address":"10.0.0.1:7950","name":"n1"},{"address":"10.0.0.2:7950","name":"n2"}]"# + "\n"
                )
            }
        }
    }

    @Test func oneConnectionCarriesSeveralRequestsWhenTheClientKeepsItAlive() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            try await withRunningServer(server) { _ in
                // curl reuses one connection for both URLs and says so on stderr with -v;
                // here it is enough that both answers arrive whole.
                let printed = try await curl(["--unix-socket", path, "http://agent/v1/members", "http://agent/v1/members"])
                let one = #"[{"address":"10.0.0.1:7950","name":"n1"},{"address":"10.0.0.2:7950","name":"n2"}]"# + "\n"
                #expect(printed == one + one)
            }
        }
    }

    @Test func anUnknownPathIsA404ThatNamesTheEndpointAndListsTheRealOnes() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            try await withRunningServer(server) { _ in
                let outcome = try await blocking {
                    Result { () throws(ControlClientError) in try ControlClient(socketPath: path).send("GET", "/v1/x") }
                }
                #expect(
                    throws: ControlClientError.server(
                        status: 404,
                        message: "no such endpoint: GET /v1/x; endpoints are POST /v1/greetings, GET /v1/members"
                    )
                ) { try outcome.get() }
            }
        }
    }

    @Test func aWrongMethodIsA405ThatSaysWhichMethodsThePathAccepts() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            try await withRunningServer(server) { _ in
                let outcome = try await blocking {
                    Result { () throws(ControlClientError) in try ControlClient(socketPath: path).send("DELETE", "/v1/members") }
                }
                #expect(throws: ControlClientError.server(status: 405, message: "/v1/members does not accept DELETE; it accepts GET")) {
                    try outcome.get()
                }
            }
        }
    }

    @Test func aBodyOverTheLimitIsRefusedWith413() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter(), maxRequestBodyBytes: 1024)
            try await withRunningServer(server) { _ in
                let body = Array(#"{"name":"\#(String(repeating: "x", count: 2000))"}"#.utf8)
                let outcome = try await blocking {
                    Result { () throws(ControlClientError) in try ControlClient(socketPath: path).send("POST", "/v1/greetings", body: body)
                    }
                }
                #expect(throws: ControlClientError.server(status: 413, message: "the request body is larger than the limit of 1024 bytes"))
                {
                    try outcome.get()
                }
            }
        }
    }

    @Test func garbageGetsA400OrACloseAndTheServerKeepsAnsweringOthers() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/agent.sock"
            let server = ControlServer(endpoint: .unix(path: path), handler: demoRouter())
            try await withRunningServer(server) { _ in
                let answer = try await exchangeRaw(unixSocket: path, Array("hello\r\n\r\n".utf8))
                let text = String(decoding: answer, as: UTF8.self)
                #expect(text.isEmpty || text.hasPrefix("HTTP/1.1 400"), "got \(text.debugDescription)")

                let members = try await blocking {
                    try ControlClient(socketPath: path, timeout: .seconds(30)).request("GET", "/v1/members", as: [Member].self)
                }
                #expect(members.map(\.name) == ["n1", "n2"])
            }
        }
    }

    @Test func aTCPServerOnPortZeroReportsItsPortAndAnswersThere() async throws {
        let server = ControlServer(endpoint: .tcp(host: "127.0.0.1", port: 0), handler: demoRouter())
        try await withRunningServer(server) { endpoint in
            let port = try #require(endpoint.port)
            #expect(port > 0)
            let printed = try await curl(["http://127.0.0.1:\(port)/v1/members"])
            #expect(printed.hasPrefix(#"[{"address":"10.0.0.1:7950","name":"n1"}"#))
        }
    }
}
