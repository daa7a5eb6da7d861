/// Why a manifest was refused: where (file, line, field path) and what would be accepted.
///
/// Reads as `my-nginx.yaml:14: spec.ports[0].port: 99999 is not a valid port (expected 1–65535)`.
/// File and line are absent only when a check runs on an object that came from no file
/// (the daemon validating what it received).
public struct ManifestError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    /// `spec.ports[1].nodePort`; nil when the input is not YAML at all.
    public var field: String?
    public var message: String

    public init(file: String?, line: Int?, field: String?, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        switch (file, line) {
        case let (file?, line?): parts.append("\(file):\(line)")
        case let (file?, nil): parts.append(file)
        case let (nil, line?): parts.append("line \(line)")
        case (nil, nil): break
        }
        if let field { parts.append(field) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

/// A field the agent does not use: accepted, ignored, and reported once.
public struct ManifestWarning: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var field: String

    public init(file: String, line: Int, field: String) {
        self.file = file
        self.line = line
        self.field = field
    }

    public var description: String {
        "\(file):\(line): field \(field) is not used by the agent and is ignored"
    }
}
