import Logging

/// `--log-format json`: one JSON object per line for log shippers,
/// `{"time":"2026-11-27T01:02:03.456Z","level":"info","message":"joined cluster","node":"n1","peer":"n2"}`.
///
/// `time`, `level`, `message` and `node` come first; each metadata key follows in key order
/// (one that clashes with those four is written as `meta_<key>`). Nested metadata becomes
/// nested JSON; Booleans and numbers stay JSON Booleans and numbers.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let nodeName: String
    private let output: LineOutput
    private let clock: @Sendable () -> LogTime

    static let ownKeys: Set<String> = ["time", "level", "message", "node"]

    public init(
        nodeName: String,
        output: LineOutput = .standardError,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.init(nodeName: nodeName, output: output, logLevel: logLevel, metadataProvider: metadataProvider, clock: LogTime.now)
    }

    init(
        nodeName: String, output: LineOutput, logLevel: Logger.Level, metadataProvider: Logger.MetadataProvider?,
        clock: @escaping @Sendable () -> LogTime
    ) {
        self.nodeName = nodeName
        self.output = output
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let record = LogRecord(event: event, handlerMetadata: metadata, provider: metadataProvider, time: clock())
        output.write(line(for: record))
    }

    func line(for record: LogRecord) -> String {
        var members = [
            ("time", record.time.iso8601.jsonString),
            ("level", record.level.rawValue.jsonString),
            ("message", record.message.jsonString),
            ("node", nodeName.jsonString),
        ]
        for (key, value) in record.metadata {
            members.append((Self.ownKeys.contains(key) ? "meta_" + key : key, value.json))
        }
        return "{" + members.map { $0.0.jsonString + ":" + $0.1 }.joined(separator: ",") + "}\n"
    }
}

extension Logger.MetadataValue {
    var json: String {
        switch self {
        case .string(let text):
            return text.jsonString
        case .stringConvertible(let value):
            switch value {
            case let flag as Bool: return flag ? "true" : "false"
            case let number as any BinaryInteger: return "\(number)"
            case let number as Double where number.isFinite: return "\(number)"
            default: return value.description.jsonString
            }
        case .array(let values):
            return "[" + values.map(\.json).joined(separator: ",") + "]"
        case .dictionary(let entries):
            return "{" + entries.sorted { $0.key < $1.key }.map { $0.key.jsonString + ":" + $0.value.json }.joined(separator: ",") + "}"
        }
    }
}

extension String {
    /// The text as a JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    var jsonString: String {
        var result = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
