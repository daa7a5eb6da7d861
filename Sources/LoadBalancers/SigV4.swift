import Foundation

/// AWS Signature Version 4, as botocore's `SigV4Auth` computes it for query services
/// (ELBv2, EC2): the canonical request, the string to sign, the derived signing key, and the
/// `Authorization`, `X-Amz-Date` and `X-Amz-Security-Token` headers.
///
/// Every request is signed with its payload's SHA-256 (botocore does the same for query
/// services), so the body cannot be altered on the way.
struct SigV4: Sendable {
    var credentials: AWSCredentials
    var region: String
    /// The signing name: `elasticloadbalancing`, `ec2`.
    var service: String

    static let algorithm = "AWS4-HMAC-SHA256"

    /// Adds the date, the session token (if any) and the signature to `request`.
    func sign(_ request: inout HTTPRequest, at date: Date) {
        let timestamp = Self.timestamp(date)
        for name in request.headers.keys where Self.replacedHeaders.contains(name.lowercased()) {
            request.headers[name] = nil
        }
        request.headers["X-Amz-Date"] = timestamp
        if let token = credentials.sessionToken { request.headers["X-Amz-Security-Token"] = token }
        let canonical = canonicalRequest(request)
        let signature = SHA256.hmac(
            key: signingKey(day: String(timestamp.prefix(8))),
            message: Array(stringToSign(canonicalRequest: canonical, timestamp: timestamp).utf8))
        request.headers["Authorization"] =
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(timestamp)), "
            + "SignedHeaders=\(signedHeaders(request)), Signature=\(signature.hexadecimal)"
    }

    /// Method, path, query, headers, signed header names and payload hash, one per line.
    func canonicalRequest(_ request: HTTPRequest) -> String {
        let headers = canonicalHeaders(request)
        return [
            request.method.uppercased(),
            Self.canonicalPath(request.url.path(percentEncoded: true)),
            Self.canonicalQuery(request.url.query(percentEncoded: true) ?? ""),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            headers.map(\.name).joined(separator: ";"),
            SHA256.hash(request.body).hexadecimal,
        ].joined(separator: "\n")
    }

    func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        [Self.algorithm, timestamp, scope(timestamp), SHA256.hash(Array(canonicalRequest.utf8)).hexadecimal]
            .joined(separator: "\n")
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`: a key
    /// good for one day, region and service only.
    func signingKey(day: String) -> [UInt8] {
        [day, region, service, "aws4_request"].reduce(Array("AWS4\(credentials.secretAccessKey)".utf8)) {
            SHA256.hmac(key: $0, message: Array($1.utf8))
        }
    }

    private func scope(_ timestamp: String) -> String {
        "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    private func signedHeaders(_ request: HTTPRequest) -> String {
        canonicalHeaders(request).map(\.name).joined(separator: ";")
    }

    /// Every header but those a proxy may change, plus `host` (the HTTP client adds it
    /// later), lowercased and sorted, values trimmed with inner runs of spaces made one.
    private func canonicalHeaders(_ request: HTTPRequest) -> [(name: String, value: String)] {
        var headers = [String: String]()
        for (name, value) in request.headers where !Self.unsignedHeaders.contains(name.lowercased()) {
            headers[name.lowercased()] = value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        if headers["host"] == nil { headers["host"] = Self.host(request.url) }
        return headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }

    /// Headers `sign` sets afresh, so that signing twice (a retry) does not sign the old ones.
    private static let replacedHeaders: Set<String> = ["authorization", "x-amz-date", "x-amz-security-token"]

    /// botocore's `SIGNED_HEADERS_BLACKLIST`: headers proxies and HTTP clients rewrite.
    private static let unsignedHeaders: Set<String> = [
        "authorization", "baggage", "connection", "expect", "keep-alive", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
        "x-amzn-trace-id",
    ]

    /// The host as the HTTP client sends it: lowercased, with the port unless it is the
    /// scheme's default.
    static func host(_ url: URL) -> String {
        let host = (url.host(percentEncoded: false) ?? "").lowercased()
        guard let port = url.port, port != (url.scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// The path with `.`, `..` and empty segments removed, then percent-encoded again: AWS
    /// services other than S3 sign each segment encoded twice.
    static func canonicalPath(_ encodedPath: String) -> String {
        var segments = [Substring]()
        for segment in encodedPath.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." { _ = segments.popLast() } else { segments.append(segment) }
        }
        guard !segments.isEmpty else { return "/" }
        let trailing = encodedPath.hasSuffix("/") ? "/" : ""
        return "/" + segments.map { percentEncode(String($0), keeping: "~") }.joined(separator: "/") + trailing
    }

    /// Each name and value percent-decoded, encoded again with only unreserved characters
    /// left as they are, and sorted by name, then value.
    static func canonicalQuery(_ encodedQuery: String) -> String {
        encodedQuery.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in String(text).removingPercentEncoding ?? String(text) }
            return (percentEncode(decode(parts[0])), percentEncode(parts.count > 1 ? decode(parts[1]) : ""))
        }
        .sorted { $0 < $1 }
        .map { "\($0.0)=\($0.1)" }
        .joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters (and `keeping`),
    /// with uppercase hexadecimal, as SigV4 requires.
    static func percentEncode(_ text: String, keeping extra: String = "") -> String {
        let kept = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8).union(extra.utf8)
        let digits = Array("0123456789ABCDEF".utf8)
        var encoded = [UInt8]()
        for byte in text.utf8 {
            if kept.contains(byte) {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// `20150830T123600Z`.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))T\(two(parts.hour))\(two(parts.minute))\(two(parts.second))Z"
    }
}
