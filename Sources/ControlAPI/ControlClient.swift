import Foundation

/// The CLI's side of the control socket: one blocking request per call, no event loop and
/// no threads, so a command like `agent get pods` starts and exits fast.
public struct ControlClient: Sendable {
    public let socketPath: String
    /// How long to wait for the agent at each step (sending, and each read of the answer);
    /// a watch waits without limit once its answer has started.
    public let timeout: Duration

    public init(socketPath: String, timeout: Duration = .seconds(60)) {
        self.socketPath = socketPath
        self.timeout = timeout
    }

    /// `AGENT_SOCKET` when set and not empty, else `/run/agent/agent.sock`.
    public static func defaultSocketPath(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let path = environment["AGENT_SOCKET"], !path.isEmpty { return path }
        return ControlEndpoint.defaultSocketPath
    }

    /// Sends one request and returns the whole answer. A status of 400 or above throws
    /// `.server` with the agent's `{"error":...}` message.
    /// - Parameter target: the path, with its query if any (see `ControlRequest.target`).
    public func send(
        _ method: String,
        _ target: String,
        body: [UInt8]? = nil,
        contentType: String = ControlResponse.jsonContentType
    ) throws(ControlClientError) -> (status: Int, body: [UInt8]) {
        var connection = try ClientConnection(socketPath: socketPath, timeout: timeout)
        try connection.send(method: method, target: target, body: body, contentType: contentType)
        let head = try connection.readHead()
        var received: [UInt8] = []
        try connection.readBody(of: head) { piece in
            received.append(contentsOf: piece)
            return true
        }
        try Self.check(status: head.status, body: received)
        return (head.status, received)
    }

    /// Sends a request without a body and decodes the JSON answer.
    public func request<Response: Decodable>(
        _ method: String,
        _ target: String,
        as type: Response.Type = Response.self
    ) throws(ControlClientError) -> Response {
        try decode(Response.self, from: send(method, target).body, answering: "\(method) \(target)")
    }

    /// Sends `body` as JSON and decodes the JSON answer.
    public func request<Response: Decodable>(
        _ method: String,
        _ target: String,
        json body: some Encodable,
        as type: Response.Type = Response.self
    ) throws(ControlClientError) -> Response {
        let encoded: Data
        do {
            encoded = try ControlJSON.makeEncoder().encode(body)
        } catch {
            throw .protocolError("cannot encode the request to \(method) \(target) as JSON: \(error)")
        }
        return try decode(Response.self, from: send(method, target, body: Array(encoded)).body, answering: "\(method) \(target)")
    }

    /// Sends one request and hands each line of the streamed answer (without its newline)
    /// to `onLine` as it arrives, until the agent ends the stream or `onLine` returns
    /// false; then closes the connection, which tells the agent to stop.
    public func stream(
        _ method: String,
        _ target: String,
        body: [UInt8]? = nil,
        onLine: (String) -> Bool
    ) throws(ControlClientError) {
        var connection = try ClientConnection(socketPath: socketPath, timeout: timeout)
        try connection.send(method: method, target: target, body: body, contentType: ControlResponse.jsonContentType)
        let head = try connection.readHead()
        if head.status >= 400 {
            var received: [UInt8] = []
            try connection.readBody(of: head) { piece in
                received.append(contentsOf: piece)
                return true
            }
            try Self.check(status: head.status, body: received)
        }
        connection.setTimeout(nil)

        var partial: [UInt8] = []
        var stopped = false
        try connection.readBody(of: head) { piece in
            var rest = piece
            while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
                partial.append(contentsOf: rest[..<newline])
                rest = rest[(newline + 1)...]
                if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
                let line = String(decoding: partial, as: UTF8.self)
                partial.removeAll(keepingCapacity: true)
                guard onLine(line) else {
                    stopped = true
                    return false
                }
            }
            partial.append(contentsOf: rest)
            return true
        }
        if !stopped && !partial.isEmpty {
            _ = onLine(String(decoding: partial, as: UTF8.self))
        }
    }

    private static func check(status: Int, body: [UInt8]) throws(ControlClientError) {
        guard status >= 400 else { return }
        if let decoded = try? ControlJSON.makeDecoder().decode(ControlErrorBody.self, from: Data(body)) {
            throw .server(status: status, message: decoded.error)
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        throw .server(status: status, message: text)
    }

    private func decode<Response: Decodable>(
        _ type: Response.Type,
        from body: [UInt8],
        answering request: String
    ) throws(ControlClientError) -> Response {
        do {
            return try ControlJSON.makeDecoder().decode(Response.self, from: Data(body))
        } catch {
            throw .protocolError(
                "the agent's answer to \(request) is not the JSON this CLI expects (is the CLI the same version as the agent?): \(error)")
        }
    }
}
