/// `--log-format text`: one line per log call for people reading a terminal,
/// `2026-11-27T01:02:03.456Z info  joined cluster node=n1 peer=n2`.
///
/// Time in UTC with milliseconds, the level padded to five, the message, then the metadata
/// and the node name as `key=value` in key order. Values with spaces, quotes, `=` or line
/// breaks are quoted and escaped (logfmt), so a line is always one line.
public typealias TextLogHandler = LineLogHandler<TextLine>

public enum TextLine: LineFormat {
    public static func line(for record: LogRecord, nodeName: String) -> String {
        var metadata = record.metadata
        if !nodeName.isEmpty, !metadata.contains(where: { $0.key == "node" }) {
            metadata.append((key: "node", value: .string(nodeName)))
            metadata.sort { $0.key < $1.key }
        }
        let level = record.level.rawValue
        var line = record.time.iso8601 + " " + level + String(repeating: " ", count: max(1, 6 - level.count))
        line += record.message.escapingControlCharacters
        for (key, value) in metadata {
            line += " " + key + "=" + value.description.logfmtQuoted
        }
        return line + "\n"
    }
}

extension String {
    /// Line breaks and other control characters as `\n`, `\t`, `\u{1b}`…, so that text stays on one line.
    var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return self }
        var escaped = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: escaped += "\\u{\(String(scalar.value, radix: 16))}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The value as logfmt writes it: bare when it is one plain word, else in double quotes.
    var logfmtQuoted: String {
        let needsQuotes =
            isEmpty || contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.isNewline }
            || unicodeScalars.contains { $0.value < 0x20 }
        guard needsQuotes else { return self }
        let inner = replacingBackslashesAndQuotes.escapingControlCharacters
        return "\"" + inner + "\""
    }

    private var replacingBackslashesAndQuotes: String {
        var result = ""
        for character in self {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            default: result.append(character)
            }
        }
        return result
    }
}
