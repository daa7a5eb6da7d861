#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the CLI got no usable answer from the agent.
public enum ControlClientError: Error, Equatable, CustomStringConvertible {
    /// Nothing answered on the socket; `reason` says why and what to try.
    case unreachable(socket: String, reason: String)
    /// The agent accepted the connection but sent nothing for `after`.
    case timedOut(socket: String, after: Duration)
    /// The answer was not HTTP, or not the JSON the caller expected.
    case protocolError(String)
    /// The agent answered with status 400 or above; `message` is its `{"error":...}` text.
    case server(status: Int, message: String)

    public var description: String {
        switch self {
        case .unreachable(let socket, let reason):
            "cannot reach the agent at \(socket): \(reason)"
        case .timedOut(let socket, let after):
            "the agent at \(socket) did not answer within \(Self.describe(after)); it may be overloaded or stuck (see `journalctl -u agent`)"
        case .protocolError(let message):
            message
        case .server(let status, let message):
            message.isEmpty ? "the agent answered with HTTP status \(status)" : message
        }
    }

    /// The reason for a failed connect(2), phrased for someone at a shell.
    static func unreachable(socket: String, errno code: Int32) -> ControlClientError {
        let hint = "(is `agent run` running? pass --socket or set AGENT_SOCKET)"
        let reason: String
        switch code {
        case ENOENT, ENOTDIR: reason = "no such file \(hint)"
        case ECONNREFUSED: reason = "nothing is listening \(hint)"
        case EACCES, EPERM: reason = "permission denied (run as root or join the socket's group)"
        case ENAMETOOLONG: reason = "the path is too long for a Unix socket (at most 107 bytes)"
        default: reason = "\(UnixSocketFile.describe(errno: code)) \(hint)"
        }
        return .unreachable(socket: socket, reason: reason)
    }

    private static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return seconds == 1 ? "1 second" : "\(seconds) seconds" }
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return "\(value) seconds"
    }
}
