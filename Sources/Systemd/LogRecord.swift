import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One log call as every handler writes it: the event with the handler's metadata, the
/// metadata provider's and the call's merged (the call's wins), in key order so that the
/// same call always reads the same.
public struct LogRecord {
    var time: LogTime
    var level: Logger.Level
    var message: String
    var metadata: [(key: String, value: Logger.MetadataValue)]
    var file: String
    var function: String
    var line: UInt

    init(event: LogEvent, handlerMetadata: Logger.Metadata, provider: Logger.MetadataProvider?, time: LogTime) {
        var merged = handlerMetadata
        if let provided = provider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let call = event.metadata {
            merged.merge(call) { _, new in new }
        }
        if let error = event.error, merged["error"] == nil {
            merged["error"] = .string("\(error)")
        }
        self.time = time
        self.level = event.level
        self.message = event.message.description
        self.metadata = merged.sorted { $0.key < $1.key }
        self.file = event.file
        self.function = event.function
        self.line = event.line
    }
}

/// A wall-clock instant, read with `clock_gettime` so formatting needs no Foundation.
public struct LogTime: Sendable, Equatable {
    var seconds: Int
    var nanoseconds: Int

    static func now() -> LogTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LogTime(seconds: Int(spec.tv_sec), nanoseconds: Int(spec.tv_nsec))
    }

    /// ISO 8601 in UTC with milliseconds, e.g. `2026-11-27T01:02:03.456Z`.
    var iso8601: String {
        var clock = time_t(seconds)
        var parts = tm()
        gmtime_r(&clock, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2)
            + "T" + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
            + "." + pad(Int32(nanoseconds / 1_000_000), 3) + "Z"
    }
}
