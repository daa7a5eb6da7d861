import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves a `ControlHandler` over HTTP/1.1 on a Unix socket or a TCP address.
///
/// `run()` binds, serves until its task is cancelled, then closes the listener and removes
/// the socket file. One connection's failure only ends that connection.
public final class ControlServer: Sendable {
    public static let defaultMaxRequestBodyBytes = 16 << 20

    private let endpoint: ControlEndpoint
    private let connection: HTTPConnection
    private let eventLoopGroup: any EventLoopGroup
    private let diagnostics: (@Sendable (String) -> Void)?
    private let listening = ListeningState()

    /// - Parameters:
    ///   - maxRequestBodyBytes: a larger request body is answered with 413 and the
    ///     connection is closed.
    ///   - diagnostics: called with a line of text when a connection fails; the server
    ///     itself has no logger.
    public init(
        endpoint: ControlEndpoint,
        handler: some ControlHandler,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        maxRequestBodyBytes: Int = ControlServer.defaultMaxRequestBodyBytes,
        diagnostics: (@Sendable (String) -> Void)? = nil
    ) {
        self.endpoint = endpoint
        self.eventLoopGroup = eventLoopGroup
        self.diagnostics = diagnostics
        self.connection = HTTPConnection(
            handler: handler,
            maxRequestBodyBytes: maxRequestBodyBytes,
            diagnostics: diagnostics
        )
    }

    /// Binds and serves until the calling task is cancelled, then returns normally after
    /// closing the listener and every connection and removing the socket file.
    /// Throws `ControlServerError` when it cannot listen.
    public func run() async throws {
        try listening.start()
        let listener: Listener
        do {
            listener = try await listen()
        } catch {
            listening.stop(error)
            throw error
        }
        listening.bound(to: listener.endpoint)
        defer {
            listener.socketFile?.remove(ifStill: listener.socketIdentity)
            listening.stop(ControlServerError.stopped(endpoint: listener.endpoint.description))
        }
        try await serve(listener.channel)
    }

    /// Waits until `run()` is listening and returns where: for `.tcp` with port 0, the
    /// port actually bound. Throws the reason when `run()` failed or has stopped.
    public func listeningEndpoint() async throws -> ControlEndpoint {
        try await listening.endpoint()
    }

    /// Accepted connections come out as plain channels, wrapped for async use only by the
    /// task that serves them: a wrapped connection that is dropped unserved (while the
    /// listener closes) traps in NIO (swift-nio#2813), a plain one does not.
    private typealias ServerChannel = NIOAsyncChannel<any Channel, Never>

    private struct Listener {
        var channel: ServerChannel
        var endpoint: ControlEndpoint
        var socketFile: UnixSocketFile?
        var socketIdentity: UnixSocketFile.Identity?
    }

    private func listen() async throws -> Listener {
        switch endpoint {
        case .unix(let path, let mode):
            let file = UnixSocketFile(path: path)
            try file.prepareForBind()
            let address: SocketAddress
            do {
                address = try SocketAddress(unixDomainSocketPath: path)
            } catch {
                throw ControlServerError.cannotListen(endpoint: path, reason: "\(error)")
            }
            let channel = try await bind(to: address, reuseAddress: false)
            let identity = file.identity()
            do {
                try file.restrict(to: mode)
            } catch {
                try? await channel.channel.close()
                file.remove(ifStill: identity)
                throw error
            }
            return Listener(channel: channel, endpoint: endpoint, socketFile: file, socketIdentity: identity)

        case .tcp(let host, let port):
            let address: SocketAddress
            do {
                address = try SocketAddress.makeAddressResolvingHost(host, port: port)
            } catch {
                throw ControlServerError.cannotListen(endpoint: endpoint.description, reason: "\(error)")
            }
            let channel = try await bind(to: address, reuseAddress: true)
            let bound = ControlEndpoint.tcp(host: host, port: channel.channel.localAddress?.port ?? port)
            return Listener(channel: channel, endpoint: bound, socketFile: nil, socketIdentity: nil)
        }
    }

    private func bind(to address: SocketAddress, reuseAddress: Bool) async throws -> ServerChannel {
        var bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            // Nothing is read until the serving task has wrapped the connection.
            .childChannelOption(.autoRead, value: false)
        if reuseAddress {
            bootstrap = bootstrap.serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        }
        do {
            return try await bootstrap.bind(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try HTTPConnection.configure(channel)
                    return channel
                }
            }
        } catch {
            throw ControlServerError.cannotListen(endpoint: endpoint.description, reason: "\(error)")
        }
    }

    private func serve(_ channel: ServerChannel) async throws {
        let connection = self.connection
        let listener = channel.channel
        // Cancelling the task that iterates a server NIOAsyncChannel drops the connections it
        // has accepted but not yet handed out, and dropping one traps (swift-nio#2637). So
        // the accept loop does not inherit the caller's cancellation: cancelling closes the
        // listener instead, the loop hands out what was already accepted, and only then are
        // the connections cancelled.
        let acceptLoop = Task {
            try await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await client in inbound {
                        group.addTask { await connection.serve(client) }
                    }
                }
                group.cancelAll()
            }
        }
        try await withTaskCancellationHandler {
            try await acceptLoop.value
        } onCancel: {
            listener.close(promise: nil)
        }
    }
}
