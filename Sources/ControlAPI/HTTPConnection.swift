import NIOCore
import NIOHTTP1

/// One client connection: reads requests in order, answers each with the handler's
/// response, and keeps the connection open while the client wants it.
struct HTTPConnection: Sendable {
    typealias AsyncChannel = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    private typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    let handler: any ControlHandler
    let maxRequestBodyBytes: Int
    let diagnostics: (@Sendable (String) -> Void)?

    /// The HTTP/1.1 codec plus NIO's protocol error handler, which answers a request it
    /// cannot parse with 400 and closes the connection.
    static func configure(_ channel: any Channel) throws {
        // Requests are answered strictly one after another below, so NIO's pipelining
        // assistance is not needed; without it the connection keeps reading while a
        // response streams, which is how a client's disconnect is noticed.
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: false,
            withErrorHandling: true
        )
    }

    /// Serves an accepted connection configured by `configure` with reading still off.
    /// Never throws: whatever goes wrong ends this connection only.
    func serve(_ accepted: any Channel) async {
        let channel: AsyncChannel
        do {
            channel = try await accepted.eventLoop.submit {
                let wrapped = try AsyncChannel(wrappingChannelSynchronously: accepted)
                try? accepted.syncOptions?.setOption(.autoRead, value: true)
                return wrapped
            }.get()
        } catch {
            accepted.close(promise: nil)
            return
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var pending: (head: HTTPRequestHead, body: [UInt8])?
                for try await part in inbound {
                    switch part {
                    case .head(let head):
                        if let declared = head.headers.first(name: "content-length").flatMap({ Int($0) }),
                            declared > maxRequestBodyBytes
                        {
                            try await refuseOversizedBody(of: head, outbound, channel.channel)
                            return
                        }
                        pending = (head, [])
                    case .body(let buffer):
                        guard let received = pending?.body.count else { continue }
                        if received + buffer.readableBytes > maxRequestBodyBytes, let head = pending?.head {
                            try await refuseOversizedBody(of: head, outbound, channel.channel)
                            return
                        }
                        pending?.body.append(contentsOf: buffer.readableBytesView)
                    case .end:
                        guard let request = pending else { continue }
                        pending = nil
                        let keepOpen = try await respond(to: request.head, body: request.body, outbound, channel.channel)
                        if !keepOpen { return }
                    }
                }
            }
        } catch {
            diagnostics?("control connection from \(channel.channel.remoteAddress?.description ?? "a local client") failed: \(error)")
        }
    }

    /// Answers one request; returns whether the connection stays open for another.
    private func respond(
        to head: HTTPRequestHead,
        body: [UInt8],
        _ outbound: Outbound,
        _ channel: any Channel
    ) async throws -> Bool {
        var headers: [String: String] = [:]
        for (name, value) in head.headers {
            headers[name.lowercased(), default: ""].append(headers[name.lowercased()] == nil ? value : ", \(value)")
        }
        let request = ControlRequest(method: head.method.rawValue, target: head.uri, headers: headers, body: body)
        let response = await handler.handle(request)
        var keepAlive = head.isKeepAlive

        switch response.body {
        case .bytes(let bytes):
            var fields = Self.headerFields(of: response, for: head, keepAlive: keepAlive)
            fields.replaceOrAdd(name: "content-length", value: String(bytes.count))
            try await outbound.write(contentsOf: [
                .head(HTTPResponseHead(version: head.version, status: .init(statusCode: response.status), headers: fields)),
                .body(.byteBuffer(ByteBuffer(bytes: bytes))),
                .end(nil),
            ])

        case .stream(let chunks):
            // HTTP/1.0 has no chunked encoding: the body then ends when the connection does.
            let chunked = head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1)
            keepAlive = keepAlive && chunked
            var fields = Self.headerFields(of: response, for: head, keepAlive: keepAlive)
            if chunked { fields.replaceOrAdd(name: "transfer-encoding", value: "chunked") }
            try await outbound.write(
                .head(HTTPResponseHead(version: head.version, status: .init(statusCode: response.status), headers: fields))
            )
            guard try await relay(chunks, to: outbound, until: channel) == .finished else { return false }
            try await outbound.write(.end(nil))
        }

        if !keepAlive { await finishWrites(on: channel) }
        return keepAlive
    }

    private enum StreamOutcome: Sendable {
        case finished
        case clientGone
    }

    /// Writes each chunk as it comes until the stream finishes or the client disconnects;
    /// on a disconnect the stream's iteration is cancelled so its producer learns of it.
    private func relay(
        _ chunks: AsyncStream<[UInt8]>,
        to outbound: Outbound,
        until channel: any Channel
    ) async throws -> StreamOutcome {
        let (closed, closedContinuation) = AsyncStream<Never>.makeStream()
        channel.closeFuture.whenComplete { _ in closedContinuation.finish() }
        return try await withThrowingTaskGroup(of: StreamOutcome.self) { group in
            group.addTask {
                for await chunk in chunks where !chunk.isEmpty {
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                }
                return Task.isCancelled ? .clientGone : .finished
            }
            group.addTask {
                for await _ in closed {}
                return .clientGone
            }
            let first = try await group.next() ?? .clientGone
            group.cancelAll()
            return first
        }
    }

    private func refuseOversizedBody(of head: HTTPRequestHead, _ outbound: Outbound, _ channel: any Channel) async throws {
        let response = ControlResponse.error(
            status: 413,
            message: "the request body is larger than the limit of \(maxRequestBodyBytes) bytes"
        )
        guard case .bytes(let bytes) = response.body else { return }
        var fields = Self.headerFields(of: response, for: head, keepAlive: false)
        fields.replaceOrAdd(name: "content-length", value: String(bytes.count))
        try await outbound.write(contentsOf: [
            .head(HTTPResponseHead(version: head.version, status: .payloadTooLarge, headers: fields)),
            .body(.byteBuffer(ByteBuffer(bytes: bytes))),
            .end(nil),
        ])
        await finishWrites(on: channel)
    }

    /// A full close drops writes still queued in the channel, so shut down the sending side
    /// first: NIO does that only once everything queued has been written.
    private func finishWrites(on channel: any Channel) async {
        try? await channel.close(mode: .output).get()
    }

    private static func headerFields(of response: ControlResponse, for head: HTTPRequestHead, keepAlive: Bool) -> HTTPHeaders {
        var fields = HTTPHeaders()
        fields.add(name: "content-type", value: response.contentType)
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) {
            fields.replaceOrAdd(name: name, value: value)
        }
        if !keepAlive {
            fields.replaceOrAdd(name: "connection", value: "close")
        } else if head.version.major == 1 && head.version.minor == 0 {
            fields.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        return fields
    }
}
