/// One HTTP response from the control API: a status, a content type and a body that is
/// either complete or streamed.
public struct ControlResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Sent with `Transfer-Encoding: chunked`, one HTTP chunk per element, until the stream
        /// finishes. When the client disconnects first, the server stops iterating, so the
        /// stream's `onTermination` runs with `.cancelled` and its producer should stop.
        case stream(AsyncStream<[UInt8]>)
    }

    public var status: Int
    public var contentType: String
    /// Further header fields, e.g. `Allow` on a 405.
    public var headers: [String: String]
    public var body: Body

    public init(status: Int = 200, contentType: String, headers: [String: String] = [:], body: Body) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }
}

extension ControlResponse {
    public static let jsonContentType = "application/json"
    public static let textContentType = "text/plain; charset=utf-8"

    /// `value` as JSON with sorted keys and a final newline (so `curl` output ends cleanly).
    /// A value that cannot be encoded is a bug in the handler; it answers 500 saying so.
    public static func json(_ value: some Encodable, status: Int = 200) -> ControlResponse {
        do {
            var bytes = Array(try ControlJSON.makeEncoder().encode(value))
            bytes.append(UInt8(ascii: "\n"))
            return ControlResponse(status: status, contentType: jsonContentType, body: .bytes(bytes))
        } catch {
            return .error(status: 500, message: "cannot encode the response as JSON: \(error)")
        }
    }

    /// `{"error":"<message>"}`, the shape every failed request answers with.
    public static func error(status: Int, message: String) -> ControlResponse {
        .json(ControlErrorBody(error: message), status: status)
    }

    public static func text(_ text: String, status: Int = 200) -> ControlResponse {
        ControlResponse(status: status, contentType: textContentType, body: .bytes(Array(text.utf8)))
    }

    /// A chunked response of newline-terminated lines, e.g. one JSON object per change for
    /// `agent get -w -o json`.
    public static func stream(
        _ chunks: AsyncStream<[UInt8]>,
        contentType: String = "application/x-ndjson"
    ) -> ControlResponse {
        ControlResponse(status: 200, contentType: contentType, body: .stream(chunks))
    }
}

/// The body of every response with status 400 or above.
public struct ControlErrorBody: Codable, Sendable, Equatable {
    public var error: String

    public init(error: String) {
        self.error = error
    }
}
