import ClusterModel
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The result of one probe: what kubelet calls Success or Failure, with why it failed.
enum ProbeOutcome: Hashable, Sendable {
    case success
    case failure(String)
}

/// One probe over the network, as kubelet runs it: `tcpSocket` succeeds when a connection
/// is established; `httpGet` sends one HTTP/1.1 GET and succeeds on a status of 200 to 399.
/// The whole probe, connecting included, must finish within the timeout. The future never
/// fails: every way a probe can go wrong is a `.failure` saying which.
enum ProbeConnection {
    static func run(_ target: ProbeTarget, group: any EventLoopGroup, timeout: TimeAmount) -> EventLoopFuture<ProbeOutcome> {
        let loop = group.next()
        switch target {
        case .unrunnable(let reason):
            return loop.makeSucceededFuture(.failure(reason))
        case .tcp(let address, let port):
            return connect(to: address, port: port, request: nil, on: loop, timeout: timeout)
        case .http(let address, let port, let path):
            let request = HTTPProbeRequest.bytes(path: path, host: "\(address):\(port)")
            return connect(to: address, port: port, request: request, on: loop, timeout: timeout)
        }
    }

    /// Connects, and with a `request`, sends it and reads the status line of the answer.
    private static func connect(
        to address: IPv4, port: Int, request: [UInt8]?, on loop: any EventLoop, timeout: TimeAmount
    ) -> EventLoopFuture<ProbeOutcome> {
        let outcome = loop.makePromise(of: ProbeOutcome.self)
        // Whichever completes the promise first wins; later completions are ignored.
        let timer = loop.scheduleTask(in: timeout) {
            outcome.succeed(.failure("no answer within \(timeout.nanoseconds / 1_000_000) ms"))
        }
        outcome.futureResult.whenComplete { _ in timer.cancel() }
        let socketAddress: SocketAddress
        do {
            socketAddress = try SocketAddress(ipAddress: address.description, port: port)
        } catch {
            outcome.succeed(.failure("\(address):\(port) is not a socket address (\(error))"))
            return outcome.futureResult
        }
        ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                guard let request else { return channel.eventLoop.makeSucceededVoidFuture() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StatusLineReader(request: request, outcome: outcome))
                }
            }
            .connect(to: socketAddress)
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    outcome.succeed(.failure(describe(error)))
                case .success(let channel):
                    if request == nil { outcome.succeed(.success) }
                    outcome.futureResult.whenComplete { _ in channel.close(promise: nil) }
                }
            }
        return outcome.futureResult
    }

    /// "connection refused" rather than NIO's full description of the failed system call.
    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first { return describe(first.error) }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        if case ChannelError.connectTimeout = error { return "connecting timed out" }
        return "\(error)"
    }
}

/// The request of an `httpGet` probe, as kubelet sends it: no body, the connection closed
/// after one answer, a `Host` of the address and port probed.
enum HTTPProbeRequest {
    /// Applications recognise probes by this prefix of kubelet's agent ("kube-probe/1.31")
    /// to keep them out of their access logs.
    static let userAgent = "kube-probe/nodeagent"

    static func bytes(path: String, host: String) -> [UInt8] {
        Array("GET \(requestTarget(path)) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(userAgent)\r\nAccept: */*\r\nConnection: close\r\n\r\n".utf8)
    }

    /// The path with spaces, controls and non-ASCII bytes percent-encoded: none of them may
    /// appear in a request line, and a raw line break would end it.
    static func requestTarget(_ path: String) -> String {
        var target = ""
        for byte in path.utf8 {
            if byte > 0x20 && byte < 0x7F {
                target.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = String(byte, radix: 16, uppercase: true)
                target += "%" + (digits.count == 1 ? "0" : "") + digits
            }
        }
        return target.isEmpty ? "/" : target
    }

    /// The outcome a status line (without its line break) means.
    static func outcome(ofStatusLine line: ArraySlice<UInt8>) -> ProbeOutcome {
        let text = String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...], as: UTF8.self)
        let fields = text.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), fields[1].count == 3, let status = Int(fields[1]) else {
            return .failure("not an HTTP status line: \"\(text.prefix(80))\"")
        }
        return (200..<400).contains(status) ? .success : .failure("HTTP status \(status)")
    }
}

/// Sends the request once connected and completes the outcome from the answer's first line.
private final class StatusLineReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A status line is a few dozen bytes; a server sending this many without a line break
    /// is not speaking HTTP.
    static let maximumStatusLine = 4_096

    let request: [UInt8]
    let outcome: EventLoopPromise<ProbeOutcome>
    private var received: [UInt8] = []

    init(request: [UInt8], outcome: EventLoopPromise<ProbeOutcome>) {
        self.request = request
        self.outcome = outcome
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        if let end = received.firstIndex(of: UInt8(ascii: "\n")) {
            finish(context, HTTPProbeRequest.outcome(ofStatusLine: received[..<end]))
        } else if received.count > Self.maximumStatusLine {
            finish(context, .failure("no status line in the first \(Self.maximumStatusLine) bytes of the answer"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        outcome.succeed(.failure("the connection closed before a status line"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, .failure(ProbeConnection.describe(error)))
    }

    private func finish(_ context: ChannelHandlerContext, _ result: ProbeOutcome) {
        outcome.succeed(result)
        context.close(promise: nil)
    }
}
