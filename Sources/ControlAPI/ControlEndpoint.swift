#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a `ControlServer` listens.
public enum ControlEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A Unix domain socket file, chmod'ed to `mode` once bound (the control socket).
    case unix(path: String, mode: mode_t = 0o660)
    /// A TCP address (the metrics endpoint); port 0 picks a free port.
    case tcp(host: String, port: Int)

    public static let defaultSocketPath = "/run/agent/agent.sock"

    /// The TCP port, for `.tcp`.
    public var port: Int? {
        if case .tcp(_, let port) = self { return port }
        return nil
    }

    public var description: String {
        switch self {
        case .unix(let path, _): path
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// Why a `ControlServer` could not start serving.
public enum ControlServerError: Error, Equatable, CustomStringConvertible {
    /// Another process answers on the socket path: most likely a second `agent run`.
    case alreadyServed(socket: String)
    /// Something that is not a socket sits at the socket path; it is left alone.
    case notASocket(path: String)
    case cannotListen(endpoint: String, reason: String)
    /// `run()` was called a second time on the same server.
    case alreadyStarted
    /// `run()` has returned; the server no longer listens.
    case stopped(endpoint: String)

    public var description: String {
        switch self {
        case .alreadyServed(let socket):
            "another agent is already serving \(socket); stop it first or pass another --socket"
        case .notASocket(let path):
            "\(path) exists and is not a socket; remove it or pass another --socket"
        case .cannotListen(let endpoint, let reason):
            "cannot listen on \(endpoint): \(reason)"
        case .alreadyStarted:
            "this control server is already running; create a new one to serve again"
        case .stopped(let endpoint):
            "the control server on \(endpoint) has stopped"
        }
    }
}
