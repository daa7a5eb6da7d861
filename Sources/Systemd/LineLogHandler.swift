import Logging

/// A log handler that writes one line per entry to a `LineOutput`, in the format `Format`
/// chooses: `TextLogHandler` for people, `JSONLogHandler` for log shippers. The two differ
/// only in how a record becomes a line; everything else is here once.
public struct LineLogHandler<Format: LineFormat>: LogHandler {
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
        let record = LogRecord(event: event, handlerMetadata: metadata, provider: metadataProvider, time: clock())
        output.write(line(for: record))
    }

    func line(for record: LogRecord) -> String {
        Format.line(for: record, nodeName: nodeName)
    }
}

/// How one log record becomes one line (with its newline).
public protocol LineFormat: Sendable {
    static func line(for record: LogRecord, nodeName: String) -> String
}
