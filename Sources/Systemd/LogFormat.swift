import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where and how the agent writes its logs (`--log-format`, config `logFormat`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// One line per entry on standard error, for people.
    case text
    /// One JSON object per line on standard error, for log shippers.
    case json
    /// Native journald entries with one field per metadata key, for `journalctl`.
    case journald

    /// `journald` when standard error is connected to the journal, else `text`.
    ///
    /// systemd sets `JOURNAL_STREAM=<device>:<inode>` for a service whose output goes to the
    /// journal; the variable is inherited by children whose output may go elsewhere, so, as
    /// `systemd.exec(5)` advises, it counts only when it matches `fstat` of standard error.
    public static func automatic(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        standardError: Int32 = STDERR_FILENO
    ) -> LogFormat {
        guard let stream = environment["JOURNAL_STREAM"] else { return .text }
        let parts = stream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return .text }
        var status = stat()
        guard fstat(standardError, &status) == 0 else { return .text }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .journald : .text
    }
}

extension LogFormat {
    /// The swift-log handler factory for this format, usable without bootstrapping (tests
    /// call it directly). Every handler it makes shares one output, so lines never
    /// interleave and journald failures are reported once.
    ///
    /// - Parameters:
    ///   - nodeName: this node's name, written to each entry (`node`, `AGENT_NODE`).
    ///   - output: where `text` and `json` lines go.
    ///   - journalSocket: where `journald` entries go.
    ///   - identifier: `SYSLOG_IDENTIFIER` of `journald` entries.
    public func handlerFactory(
        nodeName: String,
        logLevel: Logger.Level = .info,
        output: LineOutput = .standardError,
        journalSocket: String = JournalLogHandler.defaultSocketPath,
        identifier: String = "agent"
    ) -> @Sendable (String, Logger.MetadataProvider?) -> any LogHandler {
        switch self {
        case .text:
            return { _, provider in
                TextLogHandler(nodeName: nodeName, output: output, logLevel: logLevel, metadataProvider: provider)
            }
        case .json:
            return { _, provider in
                JSONLogHandler(nodeName: nodeName, output: output, logLevel: logLevel, metadataProvider: provider)
            }
        case .journald:
            let writer = JournalWriter(socketPath: journalSocket, diagnostics: output)
            return { _, provider in
                JournalLogHandler(
                    nodeName: nodeName, identifier: identifier, writer: writer, logLevel: logLevel, metadataProvider: provider)
            }
        }
    }

    /// Makes this format the process's logging (`LoggingSystem.bootstrap`); call once, early in `main`.
    public func bootstrap(
        nodeName: String,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        LoggingSystem.bootstrap(handlerFactory(nodeName: nodeName, logLevel: logLevel), metadataProvider: metadataProvider)
    }
}
