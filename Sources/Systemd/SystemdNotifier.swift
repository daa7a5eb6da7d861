import Foundation

/// One state change told to the service manager (`sd_notify(3)`).
public enum SystemdNotification: Sendable, Equatable {
    /// `READY=1`: start-up finished; `systemctl start` returns and dependants start.
    case ready
    /// `STATUS=…`: one line shown by `systemctl status`.
    case status(String)
    /// `WATCHDOG=1`: the service is alive; resets the `WatchdogSec=` timer.
    case watchdog
    /// `STOPPING=1`: shutdown began, so systemd does not mistake it for a crash.
    case stopping
    /// `EXTEND_TIMEOUT_USEC=…`: start-up or shutdown needs this much longer than its timeout.
    case extendTimeout(Duration)

    /// The `KEY=value` line of the protocol.
    var line: String {
        switch self {
        case .ready: "READY=1"
        case .status(let text): "STATUS=" + text.oneLine
        case .watchdog: "WATCHDOG=1"
        case .stopping: "STOPPING=1"
        case .extendTimeout(let duration): "EXTEND_TIMEOUT_USEC=\(duration.wholeMicroseconds)"
        }
    }
}

/// Tells systemd about the daemon's life (`Type=notify`): ready, status, watchdog, stopping.
///
/// It writes each message itself as one datagram to `NOTIFY_SOCKET`, rather than calling
/// libsystemd's `sd_notify`, because `sd_notify` reads the process environment and the
/// tests (and any embedding) need to aim it at a socket of their own.
/// A new socket per message, as `sd_notify` does: the messages are rare, and nothing stays
/// open across `fork`/`exec` of the agent's helper commands.
public struct SystemdNotifier: Sendable {
    /// Where messages go, as `NOTIFY_SOCKET` names it; nil when not run by systemd.
    public let socket: String?

    /// False when there is no `NOTIFY_SOCKET`: every send then does nothing.
    public var isEnabled: Bool { socket != nil }

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let value = environment["NOTIFY_SOCKET"] ?? ""
        self.socket = value.isEmpty ? nil : value
    }

    public func ready(status: String? = nil) throws(SystemCallError) {
        try send([.ready] + (status.map { [.status($0)] } ?? []))
    }

    public func status(_ line: String) throws(SystemCallError) {
        try send([.status(line)])
    }

    public func watchdog() throws(SystemCallError) {
        try send([.watchdog])
    }

    public func stopping(status: String? = nil) throws(SystemCallError) {
        try send([.stopping] + (status.map { [.status($0)] } ?? []))
    }

    /// Sends all `notifications` in one datagram, so systemd applies them together
    /// (e.g. `READY=1` with the `STATUS=` that explains it).
    public func send(_ notifications: [SystemdNotification]) throws(SystemCallError) {
        guard let socket, !notifications.isEmpty else { return }
        guard let address = UnixSocketAddress(socket) else {
            throw SystemCallError(call: "NOTIFY_SOCKET=\(socket)", errno: EINVAL)
        }
        let message = notifications.map(\.line).joined(separator: "\n")
        try UnixDatagramSender(address: address).send(Array(message.utf8))
    }
}

extension SystemdNotifier {
    /// How often to send `WATCHDOG=1`: half of `WATCHDOG_USEC`, as `sd_watchdog_enabled(3)`
    /// advises, so one late tick does not get the service killed.
    ///
    /// Nil when the watchdog is off: `WATCHDOG_USEC` absent, zero or not a number, or
    /// `WATCHDOG_PID` naming another process (the variables were inherited, not meant for us).
    public static func watchdogInterval(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        pid: Int32 = getpid()
    ) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0, usec <= UInt64(Int64.max) else {
            return nil
        }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid {
            return nil
        }
        return .microseconds(Int64(usec)) / 2
    }
}

extension Duration {
    var wholeMicroseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

extension String {
    /// The text on one line: each line break becomes a space, as `systemctl status` shows one line.
    var oneLine: String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
