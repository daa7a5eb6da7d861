import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request as the query API sends it and SigV4 signs it.
public struct HTTPRequest: Hashable, Sendable {
    public var method: String
    /// Carries the query string, if any, already percent-encoded.
    public var url: URL
    /// One value per name; names compare case-insensitively when signed.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, url: URL, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Hashable, Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Where signed requests go: URLSession in the agent, a recording fake in tests. Kept this
/// small so that the provider's logic can be tested without a network.
public protocol HTTPTransport: Sendable {
    /// - Throws: ``AWSError/unreachable(endpoint:reason:)`` when no answer came; an answer
    ///   with an error status is returned, not thrown.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// HTTPS through Foundation's URLSession, with a timeout so that an unreachable endpoint
/// fails one reconcile instead of holding the leader's loop.
public struct URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let timeout: TimeInterval

    public init(timeout: TimeInterval = 10) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        self.session = URLSession(configuration: configuration)
        self.timeout = timeout
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = Data(request.body)
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch {
            throw AWSError.unreachable(endpoint: request.url.absoluteString, reason: "\(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw AWSError.unreachable(endpoint: request.url.absoluteString, reason: "the answer was not HTTP")
        }
        return HTTPResponse(status: http.statusCode, body: [UInt8](data))
    }
}
