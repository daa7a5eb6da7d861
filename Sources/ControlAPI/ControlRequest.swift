import Foundation

/// One HTTP request to the control API, as a handler sees it.
public struct ControlRequest: Sendable {
    /// The method in upper case, e.g. `GET`.
    public var method: String
    /// The path without the query, e.g. `/v1/services`.
    public var path: String
    /// The query parameters, percent-decoded; a parameter given twice keeps its last value.
    public var query: [String: String]
    /// Header fields with lower-cased names; repeated fields are joined with ", ".
    public var headers: [String: String]
    public var body: [UInt8]

    public init(
        method: String,
        path: String,
        query: [String: String] = [:],
        headers: [String: String] = [:],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a request target such as `/v1/pods?namespace=kube%2Dsystem&watch` into its
    /// percent-decoded path and query parameters.
    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        let (path, query) = Self.split(target: target)
        self.init(method: method, path: path, query: query, headers: headers, body: body)
    }

    /// The body decoded as JSON.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type = Value.self) throws -> Value {
        try ControlJSON.makeDecoder().decode(Value.self, from: Data(body))
    }

    /// A request target for `path` with `query` percent-encoded, sorted by name; the
    /// inverse of how the server splits it. Nil values are left out.
    public static func target(_ path: String, query: [String: String?] = [:]) -> String {
        let pairs = query.compactMap { name, value in value.map { (name, $0) } }.sorted { $0.0 < $1.0 }
        guard !pairs.isEmpty else { return path }
        let encoded = pairs.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }
        return path + "?" + encoded.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters; everything else in a query value is escaped.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )

    private static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    static func split(target: String) -> (path: String, query: [String: String]) {
        guard let mark = target.firstIndex(of: "?") else {
            return (percentDecoded(target, plusIsSpace: false), [:])
        }
        let path = percentDecoded(String(target[..<mark]), plusIsSpace: false)
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecoded(String(parts[0]), plusIsSpace: true)
            guard !name.isEmpty else { continue }
            query[name] = parts.count > 1 ? percentDecoded(String(parts[1]), plusIsSpace: true) : ""
        }
        return (path, query)
    }

    /// A malformed escape is kept as written rather than rejecting the whole request.
    private static func percentDecoded(_ text: String, plusIsSpace: Bool) -> String {
        let spaced = plusIsSpace ? text.replacingOccurrences(of: "+", with: " ") : text
        return spaced.removingPercentEncoding ?? spaced
    }
}
