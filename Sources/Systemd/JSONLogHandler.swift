import Logging

/// `--log-format json`: one JSON object per line for log shippers,
/// `{"time":"2026-11-27T01:02:03.456Z","level":"info","message":"joined cluster","node":"n1","peer":"n2"}`.
///
/// `time`, `level`, `message` and `node` come first; each metadata key follows in key order
/// (one that clashes with those four is written as `meta_<key>`). Nested metadata becomes
/// nested JSON; Booleans and numbers stay JSON Booleans and numbers.
public typealias JSONLogHandler = LineLogHandler<JSONLine>

public enum JSONLine: LineFormat {
    static let ownKeys: Set<String> = ["time", "level", "message", "node"]

    public static func line(for record: LogRecord, nodeName: String) -> String {
        var members = [
            ("time", record.time.iso8601.jsonString),
            ("level", record.level.rawValue.jsonString),
            ("message", record.message.jsonString),
            ("node", nodeName.jsonString),
        ]
        for (key, value) in record.metadata {
            members.append((ownKeys.contains(key) ? "meta_" + key : key, value.json))
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
