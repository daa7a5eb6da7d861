import Logging

/// A swift-log handler that writes each log call as one native journald entry, so that
/// `journalctl` can filter on its fields: `journalctl AGENT_NODE=n1 PEER=n2`.
///
/// Fields: `MESSAGE`, `PRIORITY` (syslog numbers), `SYSLOG_IDENTIFIER`, `CODE_FILE`,
/// `CODE_LINE`, `CODE_FUNC`, `AGENT_NODE`, and one upper-case field per metadata key
/// (`peer: n2` → `PEER=n2`; see `JournalEntry.fieldName(forMetadataKey:reserved:)`).
public struct JournalLogHandler: LogHandler {
    /// Where journald listens for native-protocol datagrams.
    public static let defaultSocketPath = "/run/systemd/journal/socket"

    /// The fields this handler writes itself; metadata keys that would clash get `META_`.
    static let ownFields: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "AGENT_NODE",
    ]

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let nodeName: String
    public let identifier: String
    private let writer: JournalWriter

    public init(
        nodeName: String,
        identifier: String = "agent",
        socketPath: String = JournalLogHandler.defaultSocketPath,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.init(
            nodeName: nodeName, identifier: identifier, writer: JournalWriter(socketPath: socketPath),
            logLevel: logLevel, metadataProvider: metadataProvider)
    }

    /// Handlers made by one factory share one writer, hence one socket and one failure report.
    init(
        nodeName: String, identifier: String, writer: JournalWriter, logLevel: Logger.Level,
        metadataProvider: Logger.MetadataProvider?
    ) {
        self.nodeName = nodeName
        self.identifier = identifier
        self.writer = writer
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let record = LogRecord(event: event, handlerMetadata: metadata, provider: metadataProvider, time: .now())
        writer.write(entry(for: record))
    }

    func entry(for record: LogRecord) -> JournalEntry {
        var entry = JournalEntry()
        entry.append("MESSAGE", record.message)
        entry.append("PRIORITY", String(record.level.syslogPriority))
        entry.append("SYSLOG_IDENTIFIER", identifier)
        entry.append("CODE_FILE", record.file)
        entry.append("CODE_LINE", String(record.line))
        entry.append("CODE_FUNC", record.function)
        entry.append("AGENT_NODE", nodeName)
        for (key, value) in record.metadata {
            entry.append(JournalEntry.fieldName(forMetadataKey: key, reserved: Self.ownFields), value.description)
        }
        return entry
    }
}

extension Logger.Level {
    /// The syslog severity journald stores as `PRIORITY` (`journalctl -p` filters on it).
    /// swift-log has no `emerg`/`alert`, and `trace` has no syslog level below `debug`.
    var syslogPriority: Int {
        switch self {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
