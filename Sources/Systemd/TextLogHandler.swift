import Logging

/// `--log-format text`: one line per log call for people reading a terminal,
/// `2026-11-27T01:02:03.456Z info  joined cluster peer=n2 node=n1`.
///
/// Time in UTC with milliseconds, the level padded to five, the message, then the metadata
/// and the node name as `key=value` in key order. Values with spaces, quotes, `=` or line
/// breaks are quoted and escaped (logfmt), so a line is always one line.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let nodeName: String
    private let output: LineOutput
    private let clock: @Sendable () -> LogTime

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
        var handlerMetadata = metadata
        if !nodeName.isEmpty, handlerMetadata["node"] == nil {
            handlerMetadata["node"] = .string(nodeName)
        }
        let record = LogRecord(event: event, handlerMetadata: handlerMetadata, provider: metadataProvider, time: clock())
        output.write(line(for: record))
    }

    func line(for record: LogRecord) -> String {
        let level = record.level.rawValue
        var line = record.time.iso8601 + " " + level + String(repeating: " ", count: max(1, 6 - level.count))
        line += record.message.escapingControlCharacters
        for (key, value) in record.metadata {
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
