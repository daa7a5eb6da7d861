import Foundation
import Synchronization

@testable import LoadBalancers

/// Passes requests on to another transport (moto's) and records each one's `Action`, so a
/// test can tell which calls a reconcile made.
final class RecordingTransport: HTTPTransport {
    private let next: any HTTPTransport
    private let recorded = Mutex<[String]>([])

    init(_ next: any HTTPTransport = URLSessionTransport()) { self.next = next }

    /// The actions sent so far, in order.
    var actions: [String] { recorded.withLock { $0 } }

    func forget() { recorded.withLock { $0.removeAll() } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let form = String(decoding: request.body, as: UTF8.self)
        let action = form.split(separator: "&").first { $0.hasPrefix("Action=") }.map { String($0.dropFirst("Action=".count)) }
        recorded.withLock { $0.append(action ?? "?") }
        return try await next.send(request)
    }
}

/// Answers each action with a fixed XML text and status, for the paths moto cannot
/// produce: an action AWS refuses, an endpoint that never answers.
struct ScriptedTransport: HTTPTransport {
    var answers: [String: (status: Int, body: String)]

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let form = String(decoding: request.body, as: UTF8.self)
        guard let action = form.split(separator: "&").first(where: { $0.hasPrefix("Action=") })?.dropFirst("Action=".count),
            let answer = answers[String(action)]
        else { throw AWSError.unreachable(endpoint: request.url.absoluteString, reason: "no scripted answer") }
        return HTTPResponse(status: answer.status, body: Array(answer.body.utf8))
    }
}
